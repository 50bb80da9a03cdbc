"""The common paragraph stream every input reader produces and the structure builder consumes.

A reader (text, HTML, Word) turns its input into a flat list of :class:`SourcePara` in reading order: the text of
each paragraph with its inline formatting (model inlines: Text, Strong, Placeholder, Link), plus what the input
itself says about the paragraph (a heading level from a style or tag, an anchor ID, a role such as 目次 or 解説
given by a style or class). Recognising numbers, building clauses and attaching 解説 happen once, on this stream,
whatever the input was (:mod:`guideline.importers.structure`).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from guideline.model import Inline, Strong, Table, Text

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
    merged: tuple = ()  # for tables with spans: rows of (text, rowspan, colspan) cells, header rows first
    header_rows: int = 0
    figure: Figure | None = None
    notes: list[str] = field(default_factory=list)  # footnote texts referenced from this paragraph
    line: int = 0  # line in the input when it has lines (text, HTML)

    @property
    def text(self) -> str:
        if self.table is not None:
            return " ".join(_plain(c) for row in (self.table.header, *self.table.rows) for c in row)
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
    from guideline.model import inline_text

    return inline_text(inlines)


def normalise(text: str) -> str:
    """NFKC (full-width digits and parentheses to ASCII, ideographic space to space) with runs of spaces joined;
    the form every recogniser matches against. Never written out: the output keeps the source's characters."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def text_inlines(text: str) -> tuple[Inline, ...]:
    return (Text(text),) if text else ()


__all__ = ["SourcePara", "Figure", "normalise", "text_inlines", "BODY", "COMMENTARY", "TOC", "TITLE", "FRONT",
           "METADATA", "FURNITURE"]
