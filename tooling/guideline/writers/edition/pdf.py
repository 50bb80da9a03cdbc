"""The edition as a printable, tagged PDF (``guideline.pdf``), laid out by Typst from the model as data.

:func:`data` turns the edition into plain JSON (the shape is in docs/pdf.md); ``templates/pdf/guideline.typ`` lays it
out: title page (案 stamp, sample notice), 目次 with page numbers (roman page numbers for the front matter), the parts
and the generated 第N編 解説 with a running header and page numbers ``- n -``; A4, 明朝/ゴシック Japanese fonts embedded,
bookmarks for every clause, a named destination per clause ID (``guideline.pdf#org-ciso``; ``c.<id>`` in the 解説
part), PDF/UA-1 tags, document language ja. :mod:`guideline.writers.edition.typst_pdf` compiles it.

Determinism: the creation date is the edition's date (or ``SOURCE_DATE_EPOCH``), the file ID a hash of the content.
"""
from __future__ import annotations

from pathlib import Path

from guideline import __version__
from guideline.fileio import atomic_write
from guideline.model import (
    NETWORK_MODELS,
    Asset,
    Block,
    BlockQuote,
    Box,
    BulletList,
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
    block_text,
    xref_label,
)
from guideline.numbering import ordered_labels
from guideline.render_html import RELATIONSHIP_JA
from guideline.vocabulary import wareki
from guideline.writers.edition.typst_pdf import compile_pdf

FILENAME = "guideline.pdf"
TEMPLATE = "guideline.typ"
COMMENTARY_ANCHOR = "c."  # same anchors as the single-page HTML (writers/edition/html_single.py)
COMMENTARY_PART_ID = "c.part"
SAMPLE_NOTE = "この文書は本ツールの動作確認用に作成した例文であり、総務省の公式の「{title}」ではありません。実務には使用しないでください。"

# C0/C1 control characters (but tab and newline) have no glyph and no meaning in print: dropped.
_CONTROLS = {c: None for c in (*range(0, 9), 11, 12, *range(14, 32), 127, *range(0x80, 0xA0))}


def clean(text: str) -> str:
    return text.translate(_CONTROLS)


def _is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80


class DataWriter:
    """Model → JSON-able data for the Typst templates (inlines and blocks as docs/pdf.md describes)."""

    def __init__(self, edition: Edition):
        self.edition = edition
        self._notes: set[str] = set()  # footnotes already placed (a later reference points to the first)

    def inlines(self, nodes: tuple[Inline, ...], context: Clause | None = None) -> list:
        out: list = []

        def text(t: str) -> None:
            if out and isinstance(out[-1], str):
                out[-1] += t
            else:
                out.append(t)

        for i, node in enumerate(nodes):
            if isinstance(node, Text):
                text(clean(node.text))
            elif isinstance(node, Strong):
                out.append({"b": self.inlines(node.children, context)})
            elif isinstance(node, Emph):
                out.append({"i": self.inlines(node.children, context)})
            elif isinstance(node, Code):
                out.append({"code": clean(node.text)})
            elif isinstance(node, Placeholder):
                out.append({"ph": clean(node.text)})
            elif isinstance(node, XRef):
                label = (self.inlines(node.children, context) if node.children
                         else [clean(xref_label(node.target, self.edition, context))])
                if self.edition.get(node.target) is not None:
                    out.append({"ref": node.target, "c": label})
                else:
                    out.extend(label)
            elif isinstance(node, Link):
                out.append({"url": node.href, "c": self.inlines(node.children, context)})
            elif isinstance(node, FootnoteRef):
                fn = next((f for f in context.footnotes if f.key == node.key), None) if context else None
                if fn is None:
                    text(f"[^{clean(node.key)}]")
                    continue
                name = f"fn-{context.id}-{fn.number}"
                if name in self._notes:
                    out.append({"fnref": name})
                else:
                    self._notes.add(name)
                    out.append({"fn": self.note(fn.blocks, context), "label": name, "n": fn.number})
            elif isinstance(node, LineBreak):
                if node.hard:
                    out.append({"br": True})
                else:  # a soft break joins Japanese lines directly, other text with a space
                    before = out[-1][-1:] if out and isinstance(out[-1], str) else ""
                    if not (before and _is_cjk(before)):
                        text(" ")
        return out

    def note(self, blocks: tuple[Block, ...], context: Clause | None) -> list:
        """A footnote's text as inlines (its paragraphs joined by line breaks; anything else as plain text)."""
        out: list = []
        for b in blocks:
            if out:
                out.append({"br": True})
            if isinstance(b, Para):
                out.extend(self.inlines(b.inlines, context))
            else:
                out.append(clean(block_text((b,), self.edition, context)))
        return out

    def blocks(self, blocks: tuple[Block, ...], context: Clause | None = None, depth: int = 0) -> list[dict]:
        out: list[dict] = []
        for b in blocks:
            if isinstance(b, Para):
                out.append({"t": "p", "c": self.inlines(b.inlines, context)})
            elif isinstance(b, BulletList):
                out.append({"t": "ul", "items": [self.blocks(item, context, depth + 1) for item in b.items]})
            elif isinstance(b, OrderedList):
                out.append({"t": "ol", "labels": list(ordered_labels(b, depth)),
                            "items": [self.blocks(item, context, depth + 1) for item in b.items]})
            elif isinstance(b, Table):
                out.append({"t": "table", "aligns": list(b.aligns),
                            "head": [self.inlines(c, context) for c in b.header],
                            "rows": [[self.inlines(c, context) for c in row] for row in b.rows]})
            elif isinstance(b, CodeBlock):
                out.append({"t": "code", "text": clean(b.text.rstrip("\n"))})
            elif isinstance(b, BlockQuote):
                out.append({"t": "quote", "c": self.blocks(b.blocks, context, depth)})
            elif isinstance(b, Figure):
                asset = self.edition.assets.get(b.src)
                out.append({"t": "figure", "file": figure_file(asset) if asset is not None else "",
                            "alt": clean(b.alt), "num": b.number, "caption": self.inlines(b.caption, context),
                            "width": _figure_width(asset)})
            elif isinstance(b, Box):
                out.append({"t": "box", "kind": b.kind, "c": self.blocks(b.blocks, context, depth)})
            elif isinstance(b, GridTable):
                def cells(rows):
                    return [[{"c": self.inlines(c.inlines, context), "rs": c.rowspan, "cs": c.colspan} for c in row]
                            for row in rows]

                out.append({"t": "grid", "columns": b.columns, "num": b.number,
                            "caption": self.inlines(b.caption, context), "head": cells(b.head),
                            "body": cells(b.body), "row_header": b.row_header})
            elif isinstance(b, PageBreak):
                out.append({"t": "pagebreak"})
        return out

    def nisc(self, clause: Clause) -> list[dict]:
        catalog = self.edition.catalog
        return [{"id": clean(m.nisc_id), "heading": clean(catalog.label(m.nisc_id) if catalog is not None else ""),
                 "rel": RELATIONSHIP_JA.get(m.relationship, m.relationship), "why": clean(m.rationale)}
                for m in clause.meta.nisc]

    def clause(self, clause: Clause, commentary: bool, depth: int) -> dict:
        """One clause; ``depth`` is its heading level in the tag tree (1 for a 編; PDF/UA wants no level skipped,
        while a clause's own ``level`` may skip one, e.g. "(1)" right under "3.")."""
        if commentary:
            blocks, nisc, models = self.blocks(clause.commentary, clause), [], ""
        else:
            blocks, nisc = self.blocks(clause.body, clause), self.nisc(clause)
            models = "・".join(NETWORK_MODELS[m] for m in clause.meta.models if m in NETWORK_MODELS)
        return {"anchor": (COMMENTARY_ANCHOR if commentary else "") + clause.id, "level": clause.level,
                "depth": depth,
                "num": clean(clause.number), "heading": clean(clause.heading), "models": models, "blocks": blocks,
                "nisc": nisc}



def figure_file(asset: Asset) -> str:
    """Where a figure file lies in the compile root: named by its content, so no source path reaches Typst."""
    return f"figures/{asset.digest}.{'jpg' if asset.kind == 'jpeg' else asset.kind}"


def _figure_width(asset: Asset | None) -> float:
    """The printed width in mm: the figure's own size at 96 dpi, at most the text width (the template caps it)."""
    return round(asset.width * 25.4 / 96, 2) if asset is not None and asset.width else 0


def files(edition: Edition) -> dict[str, bytes]:
    """The figure files the document shows, by their place in the compile root (:func:`figure_file`)."""
    return {figure_file(a): a.data for a in edition.assets.values()}


def title_lines(title: str) -> list[str]:
    """The title page's title in lines: a long title breaks after its first 「における」 (the phrase boundary a
    ministry cover would use) instead of wherever the line happens to fill."""
    head, sep, tail = title.partition("における")
    if sep and head and tail and len(title) > 20:
        return [head + sep, tail]
    return [title]


def data(edition: Edition) -> dict:
    """The edition as the template takes it: ``meta`` (title page, header, document metadata) and ``clauses``
    (every clause in reading order, then the 解説 part generated from the 例文 part's commentary)."""

    meta = edition.meta
    w = DataWriter(edition)
    clauses: list[dict] = []

    def visit(clause: Clause, depth: int, commentary: bool) -> None:
        clauses.append(w.clause(clause, commentary, depth))
        for kid in clause.children:
            if not commentary or kid.has_commentary:
                visit(kid, depth + 1, commentary)

    for part in edition.parts:
        visit(part, 1, False)
    reibun = edition.reibun
    if reibun is not None and reibun.has_commentary:
        clauses.append({"anchor": COMMENTARY_PART_ID, "level": 1, "depth": 1, "num": edition.commentary_part_number,
                        "heading": clean(meta.commentary_title or "解説"), "models": "", "blocks": [], "nisc": []})
        for kid in reibun.children:
            if kid.has_commentary:
                visit(kid, 2, True)
    draft = meta.status == "案"
    return {
        "meta": {
            "title": clean(meta.display_name),
            "author": "guideline",
            "keywords": [f"guideline {__version__}", meta.id],
            "label": clean(meta.label or meta.id),
            "title_lines": [clean(line) for line in title_lines(meta.title)],
            "date_ja": wareki(meta.date),
            "draft": draft,
            "state": "案（確定版ではありません）" if draft else "確定版",
            "sample": meta.sample,
            "sample_note": clean(SAMPLE_NOTE.format(title=meta.title)),
            "running_title": clean(meta.display_name),
            "running_status": "【案】" if draft else "確定版",
        },
        "clauses": clauses,
    }


def render(edition: Edition) -> bytes:
    """The finished PDF of an edition, as bytes."""
    return compile_pdf(TEMPLATE, data(edition), edition.meta.date, what=f"{edition.meta.id}: {FILENAME}",
                       files=files(edition))


def write(edition: Edition, out_dir: Path) -> list[Path]:
    out_dir = Path(out_dir)
    return [atomic_write(out_dir / FILENAME, render(edition))]


__all__ = ["write", "render", "data", "FILENAME"]
