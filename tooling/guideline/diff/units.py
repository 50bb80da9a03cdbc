"""Text units: what the diff compares inside a clause.

A clause's heading, and each paragraph, list item paragraph, table row and code block of its body (例文) and of its
commentary (解説) is one :class:`Unit`. Units are the granularity at which a clause's text is aligned before the
morpheme-level inline diff runs, and they map one to one onto the paragraphs a writer emits (a table row onto the
cells of one row: its ``text`` joins the cells with TAB).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from guideline.model import (
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
    Para,
    Placeholder,
    Strong,
    Table,
    Text,
    XRef,
    footnote_mark,
    xref_label,
)
from guideline.numbering import ordered_labels

SECTIONS = ("heading", "body", "commentary")


@dataclass(frozen=True, slots=True)
class Unit:
    """One paragraph-like piece of a clause.

    ``section``: ``heading`` | ``body`` (例文) | ``commentary`` (解説).
    ``kind``: ``heading`` | ``para`` (a paragraph) | ``item`` (a paragraph inside a list item) | ``row`` (a table row,
    cells joined by TAB; row 0 is the header) | ``code`` (a code block).
    ``path``: indices into ``clause.body`` / ``clause.commentary``: the block index, then for lists the item index and
    the block index inside the item, for tables the row index, for block quotes the inner block index; ``()`` for the
    heading.
    ``label``: the list label shown before the text (``(ア)``, ``a)``, ``・``) on the first paragraph of a list item.
    ``text``: the text as a reader sees it in this edition (cross-references as display numbers).
    ``key``: the normalised text used for matching (NFKC, no whitespace, cross-references as ``#target-id``).
    ``placeholders``: ``(start, end)`` of each placeholder in ``text`` (``{{本市}}`` reads 本市 there), so that the
    writers can mark it as every output does; not compared (the text decides whether two units are equal).
    """

    clause_id: str
    section: str
    kind: str
    path: tuple[int, ...]
    label: str
    text: str
    key: str
    depth: int = 0
    placeholders: tuple[tuple[int, int], ...] = field(default=(), compare=False)

    @property
    def full(self) -> str:
        """Label and text, as the unit reads in print."""
        return self.label + self.text


def normalise(text: str) -> str:
    """The matching form of a text: NFKC, every kind of whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _is_wide(ch: str) -> bool:
    return ord(ch) > 0x2E7F


def plain(nodes: tuple[Inline, ...], edition: Edition | None, context: Clause | None, ids: bool) -> str:
    """Inline nodes as plain text. ``ids``: cross-references as ``#target`` (stable) instead of display numbers.

    A soft line break reads as nothing between two Japanese characters and as a space otherwise (what a reader sees
    in Japanese typesetting); a hard break is a newline.
    """
    return plain_pair(nodes, edition, context)[1 if ids else 0]


def plain_pair(nodes: tuple[Inline, ...], edition: Edition | None, context: Clause | None) -> tuple[str, str]:
    """(text with cross-references as display numbers, text with cross-references as ``#target``) in one pass."""
    shown, keyed, _ = plain_marked(nodes, edition, context)
    return shown, keyed


# placeholders are wrapped in these two private-use characters while the text is assembled, then cut out as spans
_PH_OPEN, _PH_CLOSE = "\ue000", "\ue001"


def plain_marked(nodes: tuple[Inline, ...], edition: Edition | None,
                 context: Clause | None) -> tuple[str, str, tuple[tuple[int, int], ...]]:
    """:func:`plain_pair` and the ``(start, end)`` spans of the placeholders in the shown text."""
    shown: list[str] = []
    keyed: list[str] = []

    def walk(ns: tuple[Inline, ...]) -> None:
        for n in ns:
            if isinstance(n, Placeholder):
                shown.append(_PH_OPEN + n.text + _PH_CLOSE)
                keyed.append(n.text)
            elif isinstance(n, (Text, Code)):
                shown.append(n.text)
                keyed.append(n.text)
            elif isinstance(n, (Strong, Emph, Link)):
                walk(n.children)
            elif isinstance(n, XRef):
                if n.children:
                    walk(n.children)
                else:
                    shown.append(xref_label(n.target, edition, context))
                    keyed.append(f"#{n.target}")
            elif isinstance(n, LineBreak):
                shown.append("\n" if n.hard else "\x00")
                keyed.append("\n" if n.hard else "\x00")
            elif isinstance(n, FootnoteRef):
                shown.append(footnote_mark(n.key, context))
                keyed.append(f"[^{n.key}]")

    if len(nodes) == 1 and isinstance(nodes[0], Text):  # the common case
        return nodes[0].text, nodes[0].text, ()
    walk(nodes)
    text = _soft_breaks("".join(shown))
    spans: list[tuple[int, int]] = []
    if _PH_OPEN in text:
        out: list[str] = []
        start = length = 0
        for ch in text:
            if ch == _PH_OPEN:
                start = length
            elif ch == _PH_CLOSE:
                spans.append((start, length))
            else:
                out.append(ch)
                length += 1
        text = "".join(out)
    return text, _soft_breaks("".join(keyed)), tuple(spans)


def _soft_breaks(text: str) -> str:
    if "\x00" not in text:
        return text
    pieces = text.split("\x00")
    acc = pieces[0]
    for nxt in pieces[1:]:
        before = acc.rstrip(_PH_OPEN + _PH_CLOSE)[-1:]  # the characters a reader sees on either side
        after = nxt.lstrip(_PH_OPEN + _PH_CLOSE)[:1]
        acc += ("" if (before and after and _is_wide(before) and _is_wide(after)) or not before or not after
                else " ") + nxt
    return acc


def heading_unit(clause: Clause) -> Unit:
    return Unit(clause.id, "heading", "heading", (), "", clause.heading, normalise(clause.heading))


def block_units(clause: Clause, section: str, edition: Edition) -> tuple[Unit, ...]:
    """The units of a clause's 例文 (``body``, followed by its footnotes 注N) or 解説 (``commentary``)."""
    blocks = clause.body if section == "body" else clause.commentary
    out: list[Unit] = []

    def unit(kind: str, path: tuple[int, ...], label: str, inlines: tuple[Inline, ...] | None, depth: int,
             raw: str | None = None) -> None:
        spans: tuple[tuple[int, int], ...] = ()
        if raw is not None:
            text = key_src = raw
        else:
            text, key_src, spans = plain_marked(inlines or (), edition, clause)
        out.append(Unit(clause.id, section, kind, path, label, text, normalise(key_src), depth, spans))

    def walk(bs: tuple[Block, ...], prefix: tuple[int, ...], depth: int, in_item: bool, label: str) -> None:
        for i, b in enumerate(bs):
            path = prefix + (i,)
            lab = label if i == 0 else ""
            if isinstance(b, Para):
                unit("item" if in_item else "para", path, lab, b.inlines, depth)
            elif isinstance(b, (BulletList, OrderedList)):
                labels = ordered_labels(b, depth) if isinstance(b, OrderedList) else ("・",) * len(b.items)
                for j, (item, item_label) in enumerate(zip(b.items, labels)):
                    if not item:
                        unit("item", path + (j,), item_label, (), depth + 1)
                    walk(item, path + (j,), depth + 1, True, item_label)
            elif isinstance(b, Table):
                for r, row in enumerate((b.header, *b.rows)):
                    marked = [plain_marked(c, edition, clause) for c in row]
                    cells = [m[0] for m in marked]
                    keys = [m[1] for m in marked]
                    spans, at = [], 0
                    for cell, _, cell_spans in marked:  # the cells' spans, in the row text (cells joined by TAB)
                        spans.extend((at + s, at + e) for s, e in cell_spans)
                        at += len(cell) + 1
                    out.append(Unit(clause.id, section, "row", path + (r,), lab if r == 0 else "",
                                    "\t".join(cells), "\t".join(normalise(k) for k in keys), depth, tuple(spans)))
            elif isinstance(b, CodeBlock):
                unit("code", path, lab, None, depth, raw=b.text.rstrip("\n"))
            elif isinstance(b, BlockQuote):
                walk(b.blocks, path, depth, in_item, lab)
            elif isinstance(b, Box):
                walk(b.blocks, path, depth, in_item, f"【{b.kind}】")
            elif isinstance(b, Figure):  # its caption; a replaced file is the diff's aspect "figure"
                shown, keyed = plain_pair(b.caption, edition, clause)
                out.append(Unit(clause.id, section, "figure", path, f"{b.number}　" if b.number else lab, shown,
                                normalise(f"{b.src}|{keyed}"), depth))
            elif isinstance(b, GridTable):
                shown, keyed = plain_pair(b.caption, edition, clause)
                out.append(Unit(clause.id, section, "para", path, f"{b.number}　" if b.number else lab, shown,
                                normalise(keyed), depth))
                for r, row in enumerate((*b.head, *b.body)):
                    pairs = [plain_pair(c.inlines, edition, clause) for c in row]
                    out.append(Unit(clause.id, section, "row", path + (r,), "", "\t".join(p[0] for p in pairs),
                                    "\t".join(normalise(p[1]) for p in pairs), depth))

    walk(blocks, (), 0, False, "")
    if section == "body":
        for k, fn in enumerate(clause.footnotes):
            walk(fn.blocks, (len(blocks) + k,), 0, False, f"注{fn.number}　")
    return tuple(out)


@dataclass(frozen=True, slots=True)
class ClauseText:
    """All units of one clause, and its matching text (heading, body and commentary keys)."""

    heading: Unit
    body: tuple[Unit, ...]
    commentary: tuple[Unit, ...]

    @property
    def key(self) -> str:
        return "\n".join([self.heading.key, *(u.key for u in self.body), *(u.key for u in self.commentary)])

    @property
    def content_key(self) -> str:
        """Matching text without the heading (body and commentary)."""
        return "\n".join([*(u.key for u in self.body), *(u.key for u in self.commentary)])


def clause_text(clause: Clause, edition: Edition) -> ClauseText:
    return ClauseText(heading_unit(clause), block_units(clause, "body", edition),
                      block_units(clause, "commentary", edition))
