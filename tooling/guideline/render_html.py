"""Model → HTML fragments, shared by every HTML-based writer (single page, site, PDF, redline).

Everything from the source is escaped here: clause text is untrusted as far as HTML is concerned. Links are only
emitted for clause IDs (resolved through ``href_for``) and for http(s)/mailto addresses the reader let through.
"""
from __future__ import annotations

import base64
import functools
import os
from html import escape
from pathlib import Path
from typing import Callable

from guideline.model import (
    NETWORK_MODELS,
    Asset,
    Block,
    BlockQuote,
    Box,
    BulletList,
    Cell,
    Clause,
    Code,
    CodeBlock,
    Edition,
    Emph,
    Figure,
    FootnoteRef,
    GridTable,
    Inline,
    LineBreak,
    Link,
    OrderedList,
    PageBreak,
    Para,
    Placeholder,
    Strong,
    Table,
    Text,
    XRef,
    inline_text,
    iter_inlines,
    xref_label,
)
from guideline.numbering import ordered_labels

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
    return Path(os.environ.get("GUIDELINE_TEMPLATES", TEMPLATES))


SHARED_CSS = "shared/content.css"


def stylesheet(relative: str) -> str:
    """The stylesheet ``relative`` (to the templates directory) followed by ``shared/content.css``: the rules for
    figures, boxes, footnotes and merged-cell tables, which the single page, the site and the redline all need, kept
    in one file."""
    directory = templates_dir()
    return (directory / relative).read_text(encoding="utf-8") + (directory / SHARED_CSS).read_text(encoding="utf-8")


def jinja_env():
    """The Jinja environment of the templates directory: one per directory and process, so that templates are
    loaded and compiled once, not on every `guideline serve` rebuild; Jinja reloads a
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


BOX_CLASSES = {"参考": "box-reference", "例": "box-example", "注意": "box-caution"}


def data_uri(asset: Asset) -> str:
    """A figure file as a ``data:`` address for pages that must stand alone (the single page)."""
    mime = {"svg": "image/svg+xml", "png": "image/png", "jpeg": "image/jpeg"}[asset.kind]
    return f"data:{mime};base64,{base64.b64encode(asset.data).decode('ascii')}"


def figure_file(asset: Asset) -> str:
    """Where a figure file is written beside the pages of a site: its path as written (``figures/x.svg``)."""
    return asset.src


class HtmlRenderer:
    """Renders blocks and inlines of one edition. ``href_for(clause_id)`` gives the link to a clause;
    ``figure_src(asset)`` the ``src`` of a figure's ``<img>`` (by default a ``data:`` address, so that a page stands
    alone; the site passes :func:`figure_file`). Figures are only ever shown through ``<img>``, so even an SVG
    cannot run anything in the page."""

    def __init__(self, edition: Edition, href_for: Callable[[str], str] | None = None,
                 figure_src: Callable[[Asset], str] | None = None):
        self.edition = edition
        self.href_for = href_for or (lambda cid: f"#{cid}")
        self.figure_src = figure_src or data_uri
        self._notes = ""  # anchor prefix of the footnotes being rendered ("" in the text, "c." in a 解説)
        self._refs_seen: set[str] = set()

    def clause_text(self, clause: Clause, commentary: bool = False, prefix: str = "") -> str:
        """A clause's text (or 解説) followed by the footnotes referenced in it, with links both ways.
        ``prefix`` keeps the anchors apart when the text and the 解説 are on one page (``c.``)."""
        blocks = clause.commentary if commentary else clause.body
        self._notes, self._refs_seen = prefix, set()
        try:
            html = self.blocks(blocks, clause)
            keys = [n.key for n in iter_inlines(blocks) if isinstance(n, FootnoteRef)]
            notes = [fn for fn in clause.footnotes if fn.key in keys]
            if notes:
                items = []
                for fn in notes:
                    anchor = self._note_anchor(clause, fn.number)
                    items.append(f'<li id="{attr(anchor)}"><span class="fn-label">注{fn.number}</span>'
                                 f'<div class="fn-body">{self.blocks(fn.blocks, clause)}</div>'
                                 f'<a class="fn-back" href="#{attr("ref-" + anchor)}" role="doc-backlink" '
                                 f'aria-label="注{fn.number}の参照箇所へ戻る">↩</a></li>')
                html += (f'\n<aside class="footnotes" role="doc-endnotes" aria-label="注">'
                         f'<ol>{"".join(items)}</ol></aside>')
            return html
        finally:
            self._notes, self._refs_seen = "", set()

    def _note_anchor(self, clause: Clause, number: int) -> str:
        return f"{self._notes}fn-{clause.id}-{number}"

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
                found = self.edition.labels.get(node.target)
                if self.edition.get(node.target) is not None:
                    out.append(f'<a class="xref" href="{attr(self.href_for(node.target))}">{label}</a>')
                elif found is not None:  # a figure or table: its anchor on the page of its clause
                    page = self.href_for(found.clause_id).split("#", 1)[0]
                    out.append(f'<a class="xref" href="{attr(page)}#{attr(node.target)}">{label}</a>')
                else:
                    out.append(label)
            elif isinstance(node, FootnoteRef):
                fn = next((f for f in context.footnotes if f.key == node.key), None) if context else None
                if fn is None:
                    out.append(escape(f"[^{node.key}]", quote=False))
                else:
                    anchor = self._note_anchor(context, fn.number)
                    ident = ""
                    if anchor not in self._refs_seen:
                        self._refs_seen.add(anchor)
                        ident = f' id="{attr("ref-" + anchor)}"'
                    out.append(f'<sup class="fnref"><a href="#{attr(anchor)}"{ident} role="doc-noteref">'
                               f"注{fn.number}</a></sup>")
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
                    f'<li><span class="label">{escape(label)}</span>'
                    f'<div class="item-body">{self._item(item, context, depth)}</div></li>'
                    for label, item in zip(ordered_labels(b, depth), b.items)
                )
                out.append(f'<ol class="labelled depth-{depth}">{items}</ol>')
            elif isinstance(b, Table):
                out.append(self._table(b, context))
            elif isinstance(b, CodeBlock):
                out.append(f"<pre><code>{escape(b.text, quote=False)}</code></pre>")
            elif isinstance(b, BlockQuote):
                out.append(f"<blockquote>{self.blocks(b.blocks, context, depth)}</blockquote>")
            elif isinstance(b, Figure):
                out.append(self._figure(b, context))
            elif isinstance(b, Box):
                cls = BOX_CLASSES.get(b.kind, "box-reference")
                out.append(f'<aside class="box {cls}" aria-label="{attr(b.kind)}"><p class="box-title">'
                           f"【{escape(b.kind)}】</p>{self.blocks(b.blocks, context, depth)}</aside>")
            elif isinstance(b, GridTable):
                out.append(self._grid_table(b, context))
            elif isinstance(b, PageBreak):
                out.append('<div class="page-break"></div>')
        return "\n".join(out)

    def _figure(self, fig: Figure, context: Clause | None) -> str:
        asset = self.edition.assets.get(fig.src)
        ident = f' id="{attr(fig.ident)}"' if fig.ident else ""
        caption = self.inlines(fig.caption, context)
        number = f'<span class="num">{escape(fig.number)}</span>' if fig.number else ""
        if asset is None:  # only in a model built without its files (the reader refuses a missing file)
            img = f'<p class="figure-missing">{escape(fig.alt)}</p>'
        else:
            size = ""
            if asset.width and asset.height:
                size = f' width="{asset.width:.0f}" height="{asset.height:.0f}"'
            img = f'<img src="{attr(self.figure_src(asset))}" alt="{attr(fig.alt)}"{size}>'
        return f'<figure class="figure"{ident}>{img}<figcaption>{number}{caption}</figcaption></figure>'

    def _grid_table(self, table: GridTable, context: Clause | None) -> str:
        def cell(c: Cell, tag: str, scope: str) -> str:
            spans = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + \
                (f' colspan="{c.colspan}"' if c.colspan > 1 else "")
            if tag == "th" and scope == "col" and c.colspan > 1:
                scope = "colgroup"
            scope_attr = f' scope="{scope}"' if tag == "th" else ""
            return f"<{tag}{scope_attr}{spans}>{self.inlines(c.inlines, context)}</{tag}>"

        head = "".join("<tr>" + "".join(cell(c, "th", "col") for c in row) + "</tr>" for row in table.head)
        body = []
        for row in table.body:
            cells = []
            for i, c in enumerate(row):
                cells.append(cell(c, "th", "row") if table.row_header and i == 0 else cell(c, "td", ""))
            body.append("<tr>" + "".join(cells) + "</tr>")
        ident = f' id="{attr(table.ident)}"' if table.ident else ""
        number = f'<span class="num">{escape(table.number)}</span>' if table.number else ""
        caption = f"<caption>{number}{self.inlines(table.caption, context)}</caption>"
        thead = f"<thead>{head}</thead>" if head else ""
        return (f'<div class="table-wrap"><table class="grid-table"{ident}>{caption}{thead}<tbody>{"".join(body)}'
                "</tbody></table></div>")

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
