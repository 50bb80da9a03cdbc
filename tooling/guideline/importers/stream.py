"""The common paragraph stream every input reader produces and the structure builder consumes.

A reader (text, HTML, Word) turns its input into a flat list of :class:`SourcePara` in reading order: the text of
each paragraph with its inline formatting (model inlines: Text, Strong, Placeholder, Link), plus what the input
itself says about the paragraph (a heading level from a style or tag, an anchor ID, a role such as 目次 or 解説
given by a style or class). Recognising numbers, building clauses and attaching 解説 happen once, on this stream,
whatever the input was (:mod:`guideline.importers.structure`).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from guideline.model import NETWORK_MODELS, Inline, Strong, Table, Text, inline_text
from guideline.render_html import RELATIONSHIP_JA

# roles a reader may assign from the input's own markup
BODY = "body"
COMMENTARY = "commentary"  # a 解説 paragraph (style, class)
TOC = "toc"  # a 目次 entry (TOC style, nav)
TITLE = "title"  # the document title
FRONT = "front"  # edition line, date, status, sample notice above the first heading
METADATA = "metadata"  # mapping notes / model lines rendered by this toolchain's own writers
FURNITURE = "furniture"  # running header, page number, footer


@dataclass(frozen=True)
class Figure:
    """An image found in the input: its bytes (None when the image is outside the file), type and alt text."""

    name: str  # file name to write under figures/
    data: bytes | None
    alt: str = ""
    title: str = ""


@dataclass
class SourcePara:
    """One paragraph (or table, or figure) of the input, in reading order."""

    index: int  # 1-based position in the stream
    where: str  # where it is in the input: "line 12", "paragraph 40", "<p> 7"
    inlines: tuple[Inline, ...] = ()
    style_level: int = 0  # heading level given by the input (Word style, <hN>, section level); 0 = none
    anchor: str = ""  # an ID the input gives the paragraph (bookmark, id attribute)
    role: str = BODY
    role_detail: str = ""  # e.g. the style name that gave the role
    list_label: str = ""  # a number the input displays but does not hold as text (Word automatic numbering)
    bullet: bool = False  # a bullet list item by markup (<ul><li>, Word bullet numbering)
    table: Table | None = None
    merged: tuple = ()  # for a table written as a table block (spans or a caption): rows of (inlines, rowspan,
    #                     colspan) cells, header rows first
    header_rows: int = 0
    caption: tuple[Inline, ...] = ()  # a table's caption (HTML <caption>, the 表N paragraph above a Word table)
    row_header: bool = False  # the first cell of every body row is a row header (th scope=row, bold first column)
    figure: Figure | None = None
    box: str = ""  # 参考 / 例 / 注意: this entry is a box, its paragraphs in ``inner``
    page_break: bool = False  # a paragraph holding nothing but a page break ({.pagebreak})
    inner: tuple["SourcePara", ...] = ()
    notes: list[tuple[str, str]] = field(default_factory=list)  # (key, text) of footnotes referenced from it
    meta: tuple = ()  # clause metadata printed by our own writers: ("nisc", id, relationship, rationale) or
    #                   ("models", (alpha, ...)), read back from a mapping note
    line: int = 0  # line in the input when it has lines (text, HTML)

    @property
    def text(self) -> str:
        if self.table is not None:
            return " ".join(_plain(c) for row in (self.table.header, *self.table.rows) for c in row)
        if self.box:
            return " ".join([f"【{self.box}】", *(p.text for p in self.inner)])
        return _plain(self.inlines)

    @property
    def bold(self) -> bool:
        """Every visible character is in strong runs (a heading in a document without styles)."""
        seen = False
        for node in self.inlines:
            if isinstance(node, Strong):
                seen = seen or bool(_plain(node.children).strip())
            elif _plain((node,)).strip():
                return False
        return seen


def _plain(inlines: tuple[Inline, ...]) -> str:
    return inline_text(inlines)


def normalise(text: str) -> str:
    """NFKC (full-width digits and parentheses to ASCII, ideographic space to space) with runs of spaces joined;
    the form every recogniser matches against. Never written out: the output keeps the source's characters."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


_NISC_NOTE = re.compile(r"^【統一基準\s*(?P<id>[^】\s]+)】(?P<heading>.*?)［(?P<rel>[^［］]+)］(?:[\s\u3000]+(?P<rat>.*))?$")


def mapping_meta(text: str, relationship: str = "") -> tuple:
    """The metadata a mapping note of our own writers states: ``【統一基準 2.1.1(1)(a)】見出し　［同等］　理由`` (Word),
    ``対象モデル：α・β'`` / ``【対象モデル】α・β'``; () when the text is none of these."""
    text = text.strip()
    for prefix in ("【対象モデル】", "対象モデル："):
        if text.startswith(prefix):
            by_name = {v: k for k, v in NETWORK_MODELS.items()}
            names = [by_name.get(n.strip()) for n in text[len(prefix):].split("・")]
            return ("models", tuple(n for n in names if n)) if all(names) else ()
    m = _NISC_NOTE.match(text)
    if m:
        by_label = {v: k for k, v in RELATIONSHIP_JA.items()}
        rel = relationship or by_label.get(m.group("rel").strip(), "")
        return ("nisc", m.group("id"), rel, (m.group("rat") or "").strip()) if rel else ()
    return ()


def merge_inlines(nodes: list[Inline]) -> list[Inline]:
    """Adjacent text runs joined (and adjacent strong runs), runs of ASCII whitespace made one space: Word splits
    text into runs and HTML into lines at arbitrary places."""
    out: list[Inline] = []
    for n in nodes:
        if isinstance(n, Text):
            n = Text(re.sub(r"[ \t\r\n]+", " ", n.text))
            if out and isinstance(out[-1], Text):
                out[-1] = Text(out[-1].text + n.text)
                continue
        elif isinstance(n, Strong) and out and isinstance(out[-1], Strong):
            out[-1] = Strong(tuple(merge_inlines([*out[-1].children, *n.children])))
            continue
        out.append(n)
    return [n for n in out if not (isinstance(n, Text) and not n.text)]


def trim_inlines(nodes: list[Inline]) -> list[Inline]:
    """Leading and trailing spaces (ASCII and ideographic) of a paragraph removed."""
    out = list(nodes)
    if out and isinstance(out[0], Text):
        out[0] = Text(out[0].text.lstrip(" \u3000"))
    if out and isinstance(out[-1], Text):
        out[-1] = Text(out[-1].text.rstrip(" \u3000"))
    return [n for n in out if not (isinstance(n, Text) and not n.text)]


def span_grid(rows):
    """Table rows of ``(inlines, rowspan, colspan)`` cells as a rectangular grid of inlines: a spanning cell's text
    stays in its first cell and the cells it covers are empty. Returns ``(grid, whether any cell spans)``."""
    taken: set[tuple[int, int]] = set()
    grid: list[list] = []
    merged = False
    width = 0
    for r, cells in enumerate(rows):
        out: list = []
        c = 0
        for inl, rs, cs in cells:
            while (r, c) in taken:
                out.append(())
                c += 1
            merged = merged or rs > 1 or cs > 1
            for dr in range(rs):
                for dc in range(cs):
                    taken.add((r + dr, c + dc))
            out.append(tuple(inl))
            out.extend(() for _ in range(cs - 1))
            c += cs
        while (r, c) in taken:
            out.append(())
            c += 1
        grid.append(out)
        width = max(width, len(out))
    return tuple(tuple(row) + ((),) * (width - len(row)) for row in grid), merged


_TABLE_NUMBER = re.compile(r"^[\s\u3000]*表[\s\u3000]*[0-9０-９]+[\s\u3000]+")


def table_caption(inlines: list[Inline]) -> tuple[Inline, ...]:
    """A table caption without the 表N number it was printed with (numbers are computed again from position)."""
    out = trim_inlines(merge_inlines(list(inlines)))
    if out and isinstance(out[0], Text):
        out[0] = Text(_TABLE_NUMBER.sub("", out[0].text, count=1))
    return tuple(trim_inlines(out))


def is_table_caption(text: str) -> bool:
    """「表2　…」: the caption paragraph our Word writer prints above a table block."""
    return bool(_TABLE_NUMBER.match(text)) and bool(_TABLE_NUMBER.sub("", text, count=1).strip())


def with_inner(paras):
    """Every entry and, after a box, the entries in it, depth first."""
    for p in paras:
        yield p
        yield from with_inner(p.inner)


_FIGURE_NUMBER = re.compile(r"^[\s\u3000]*図[\s\u3000]*[0-9０-９]+[\s\u3000]+(?=\S)")


def take_figure_caption(paras: list[SourcePara], p: SourcePara) -> bool:
    """「図3　…」 right under a figure that has no caption is that caption (how our writers print one): it goes to
    the figure, and the figure's entry in the report names both. True when ``p`` was taken."""
    above = paras[-1] if paras else None
    text = p.text.strip()
    if (above is None or above.figure is None or above.figure.title or p.notes or not _FIGURE_NUMBER.match(text)
            or text.endswith("。")):
        return False
    above.figure = replace(above.figure, title=_FIGURE_NUMBER.sub("", text, count=1).strip())
    above.where = (f"{above.where} (figure and caption)" if above.where == p.where
                   else f"{above.where} (figure), {p.where} (its caption)")
    return True


_BOX_TITLE = re.compile(r"^[\s\u3000]*【[\s\u3000]*(参考|例|注意)[\s\u3000]*】[\s\u3000]*$")


def box_kind(title: str) -> str:
    """参考, 例 or 注意 when ``title`` is a box's title line 【参考】 as our writers print it, else ""."""
    m = _BOX_TITLE.match(title)
    return m.group(1) if m else ""


def text_inlines(text: str) -> tuple[Inline, ...]:
    return (Text(text),) if text else ()


__all__ = ["SourcePara", "Figure", "normalise", "text_inlines", "merge_inlines", "trim_inlines", "span_grid",
           "mapping_meta", "table_caption", "is_table_caption", "box_kind", "take_figure_caption", "with_inner",
           "BODY", "COMMENTARY", "TOC", "TITLE", "FRONT", "METADATA", "FURNITURE"]
