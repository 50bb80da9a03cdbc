"""Model → HTML fragments, shared by every HTML-based writer (single page, site, PDF, redline).

Everything from the source is escaped here: clause text is untrusted as far as HTML is concerned. Links are only
emitted for clause IDs (resolved through ``href_for``) and for http(s)/mailto addresses the reader let through.
"""
from __future__ import annotations

import functools
from html import escape
from pathlib import Path
from typing import Callable

from guideline.model import (
    NETWORK_MODELS,
    Block,
    BlockQuote,
    BulletList,
    Clause,
    Code,
    CodeBlock,
    Edition,
    Emph,
    Inline,
    LineBreak,
    Link,
    OrderedList,
    Para,
    Placeholder,
    Strong,
    Table,
    Text,
    XRef,
    inline_text,
    xref_label,
)
from guideline.numbering import list_label

RELATIONSHIP_JA = {
    "equal-to": "同一",
    "equivalent-to": "同等",
    "subset-of": "部分（統一基準の一部に対応）",
    "superset-of": "包含（統一基準を含む）",
    "intersects-with": "一部重複",
    "no-relationship": "関係なし",
}

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def templates_dir() -> Path:
    import os

    return Path(os.environ.get("GUIDELINE_TEMPLATES", TEMPLATES))


def jinja_env():
    """The Jinja environment of the templates directory: one per directory and process, so that templates are
    loaded and compiled once (a `guideline serve` rebuild used to compile them again each time); Jinja reloads a
    template whose file changed. Callers only read from it: nothing may be added to its globals or filters."""
    return _jinja_env(str(templates_dir()))


@functools.lru_cache(maxsize=4)
def _jinja_env(directory: str):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(directory),
        autoescape=select_autoescape(["html", "j2", "xml"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def attr(value: str) -> str:
    return escape(value, quote=True)


class HtmlRenderer:
    """Renders blocks and inlines of one edition. ``href_for(clause_id)`` gives the link to a clause."""

    def __init__(self, edition: Edition, href_for: Callable[[str], str] | None = None):
        self.edition = edition
        self.href_for = href_for or (lambda cid: f"#{cid}")

    # inlines -------------------------------------------------------------------------------------------------------
    def inlines(self, nodes: tuple[Inline, ...], context: Clause | None = None) -> str:
        out: list[str] = []
        for node in nodes:
            if isinstance(node, Text):
                out.append(escape(node.text, quote=False))
            elif isinstance(node, Strong):
                out.append(f"<strong>{self.inlines(node.children, context)}</strong>")
            elif isinstance(node, Emph):
                out.append(f"<em>{self.inlines(node.children, context)}</em>")
            elif isinstance(node, Code):
                out.append(f"<code>{escape(node.text, quote=False)}</code>")
            elif isinstance(node, Placeholder):
                out.append(f'<span class="placeholder" title="各団体で置き換える語句">{escape(node.text, quote=False)}'
                           "</span>")
            elif isinstance(node, XRef):
                if node.children:
                    label = self.inlines(node.children, context)
                else:
                    label = escape(xref_label(node.target, self.edition, context), quote=False)
                if self.edition.get(node.target) is not None:
                    out.append(f'<a class="xref" href="{attr(self.href_for(node.target))}">{label}</a>')
                else:
                    out.append(label)
            elif isinstance(node, Link):
                out.append(f'<a href="{attr(node.href)}" rel="noopener noreferrer">'
                           f"{self.inlines(node.children, context)}</a>")
            elif isinstance(node, LineBreak):
                out.append("<br>" if node.hard else "\n")
        return "".join(out)

    # blocks --------------------------------------------------------------------------------------------------------
    def blocks(self, blocks: tuple[Block, ...], context: Clause | None = None, depth: int = 0) -> str:
        out: list[str] = []
        for b in blocks:
            if isinstance(b, Para):
                out.append(f"<p>{self.inlines(b.inlines, context)}</p>")
            elif isinstance(b, BulletList):
                items = "".join(f"<li>{self._item(item, context, depth)}</li>" for item in b.items)
                out.append(f'<ul class="bullets">{items}</ul>')
            elif isinstance(b, OrderedList):
                items = "".join(
                    f'<li><span class="label">{escape(list_label(depth, i))}</span>'
                    f'<div class="item-body">{self._item(item, context, depth)}</div></li>'
                    for i, item in enumerate(b.items)
                )
                out.append(f'<ol class="labelled depth-{depth}">{items}</ol>')
            elif isinstance(b, Table):
                out.append(self._table(b, context))
            elif isinstance(b, CodeBlock):
                out.append(f"<pre><code>{escape(b.text, quote=False)}</code></pre>")
            elif isinstance(b, BlockQuote):
                out.append(f"<blockquote>{self.blocks(b.blocks, context, depth)}</blockquote>")
        return "\n".join(out)

    def _item(self, item: tuple[Block, ...], context: Clause | None, depth: int) -> str:
        # A tight list item is a single paragraph: render it without <p> for compact lists.
        if len(item) == 1 and isinstance(item[0], Para):
            return self.inlines(item[0].inlines, context)
        return self.blocks(item, context, depth + 1)

    def _table(self, table: Table, context: Clause | None) -> str:
        def align(i: int) -> str:
            a = table.aligns[i] if i < len(table.aligns) else ""
            return f' class="align-{attr(a)}"' if a in ("left", "right", "center") else ""

        head = "".join(f'<th scope="col"{align(i)}>{self.inlines(c, context)}</th>' for i, c in enumerate(table.header))
        rows = "".join(
            "<tr>" + "".join(f"<td{align(i)}>{self.inlines(c, context)}</td>" for i, c in enumerate(row)) + "</tr>"
            for row in table.rows
        )
        return f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'

    # clause pieces -------------------------------------------------------------------------------------------------
    def mappings(self, clause: Clause, nisc_href: Callable[[str], str] | None = None) -> str:
        """NISC mappings as a small definition list (empty string when the clause has none)."""
        if not clause.meta.nisc:
            return ""
        catalog = self.edition.catalog
        items = []
        for m in clause.meta.nisc:
            heading = catalog.label(m.nisc_id) if catalog is not None else ""
            ident = escape(m.nisc_id)
            if nisc_href is not None:
                ident = f'<a href="{attr(nisc_href(m.nisc_id))}">{ident}</a>'
            rel = escape(RELATIONSHIP_JA.get(m.relationship, m.relationship))
            rationale = f'<span class="rationale">{escape(m.rationale)}</span>' if m.rationale else ""
            items.append(f'<li><span class="nisc-id">{ident}</span> <span class="nisc-heading">{escape(heading)}'
                         f'</span> <span class="rel" data-rel="{attr(m.relationship)}">{rel}</span>{rationale}</li>')
        return ('<div class="nisc"><span class="nisc-title">統一基準との対応</span><ul>' + "".join(items)
                + "</ul></div>")

    @staticmethod
    def models(clause: Clause) -> str:
        if not clause.meta.models:
            return ""
        names = "・".join(NETWORK_MODELS[m] for m in clause.meta.models if m in NETWORK_MODELS)
        return f'<p class="models">対象モデル：{escape(names)}</p>'

    def heading_text(self, clause: Clause) -> str:
        num = escape(clause.number)
        text = escape(clause.heading)
        return f'<span class="num">{num}</span>{text}' if num else text

    def plain_heading(self, clause: Clause) -> str:
        return f"{clause.number} {clause.heading}".strip() if clause.number else clause.heading


__all__ = ["HtmlRenderer", "RELATIONSHIP_JA", "jinja_env", "templates_dir", "inline_text", "attr"]
