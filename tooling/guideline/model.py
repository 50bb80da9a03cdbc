"""The document model: one immutable tree that every reader produces and every writer consumes.

Edition → parts (level-1 clauses) → clauses (nested). Clause text is a small block/inline AST (pandoc-like), so that
writers never parse Markdown again. Every clause and block remembers where it came from (:class:`Loc`).

Display numbers (``number``, ``address``) are filled in by :mod:`guideline.numbering` from position alone; IDs are
never derived from them.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterator, Mapping, Union

from guideline.diagnostics import Loc
from guideline.vocabulary import list_label, part_label

# --------------------------------------------------------------------------------------------------------------------
# Inlines


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Strong:
    children: tuple["Inline", ...]


@dataclass(frozen=True, slots=True)
class Emph:
    children: tuple["Inline", ...]


@dataclass(frozen=True, slots=True)
class Code:
    text: str


@dataclass(frozen=True, slots=True)
class Placeholder:
    """Text a municipality replaces with its own (「本市」, 「○○副市長」); written ``{{本市}}``."""

    text: str


@dataclass(frozen=True, slots=True)
class XRef:
    """A cross-reference to a clause by ID; empty ``children`` means "show the target's display number"."""

    target: str
    children: tuple["Inline", ...] = ()


@dataclass(frozen=True, slots=True)
class Link:
    """A link to an external http(s) or mailto address (other schemes are kept as text by the reader)."""

    href: str
    children: tuple["Inline", ...]


@dataclass(frozen=True, slots=True)
class LineBreak:
    hard: bool = False


@dataclass(frozen=True, slots=True)
class FootnoteRef:
    """A reference ``[^key]`` to a footnote defined in the same clause (:attr:`Clause.footnotes`)."""

    key: str


Inline = Union[Text, Strong, Emph, Code, Placeholder, XRef, Link, LineBreak, FootnoteRef]

# --------------------------------------------------------------------------------------------------------------------
# Blocks


@dataclass(frozen=True, slots=True)
class Para:
    inlines: tuple[Inline, ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class BulletList:
    items: tuple[tuple["Block", ...], ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class OrderedList:
    """Numbered by position as (ア)(イ)… at the first nesting level, a) b)… below (see vocabulary.list_label).

    ``labels`` are filled in by :mod:`guideline.numbering` where the edition is numbered otherwise (the 号 (1) (2)
    of ``numbering: articles``); empty, the writers use ``list_label``. They are left out of ``repr`` so that the
    fingerprints of built Word files (wordview.fingerprint, a hash of the repr) stay those of earlier builds."""

    items: tuple[tuple["Block", ...], ...]
    line: int = 0
    labels: tuple[str, ...] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[tuple[Inline, ...], ...]
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]
    aligns: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True)
class CodeBlock:
    text: str
    info: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class BlockQuote:
    blocks: tuple["Block", ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class Figure:
    """An image alone in its paragraph: ``![alt](figures/x.svg "caption"){#fig-id}``.

    ``src`` is relative to the edition directory; the file itself is in :attr:`Edition.assets`. ``number`` (図3) is
    filled in by :mod:`guideline.numbering` from position, like clause numbers."""

    src: str
    alt: str
    caption: tuple[Inline, ...] = ()
    ident: str = ""
    line: int = 0
    number: str = ""


@dataclass(frozen=True, slots=True)
class Box:
    """A titled box of a clause: 参考, 例 or 注意 (``::: 参考`` … ``:::``)."""

    kind: str
    blocks: tuple["Block", ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class Cell:
    inlines: tuple[Inline, ...]
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True, slots=True)
class GridTable:
    """A table with a caption whose cells may span rows and columns (a fenced ``table`` block).

    Rows list only the cells that start in them (a cell covered by a span from above is absent), as in HTML.
    ``columns`` is the width of the grid; ``number`` (表2) is filled in by :mod:`guideline.numbering`."""

    caption: tuple[Inline, ...]
    head: tuple[tuple[Cell, ...], ...]
    body: tuple[tuple[Cell, ...], ...]
    columns: int
    ident: str = ""
    row_header: bool = False
    line: int = 0
    number: str = ""


@dataclass(frozen=True, slots=True)
class PageBreak:
    """``{.pagebreak}`` alone in a paragraph: a new page in paged outputs."""

    line: int = 0


@dataclass(frozen=True, slots=True)
class Footnote:
    """A footnote definition ``[^key]: text``; the reader moves them from the text into :attr:`Clause.footnotes`.
    ``number`` (1, 2 …, printed 注1) runs through the edition in the order of first reference."""

    key: str
    blocks: tuple["Block", ...]
    line: int = 0
    number: int = 0


BOX_KINDS = ("参考", "例", "注意")
FIGURE_TYPES = {".svg": "svg", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg"}

Block = Union[Para, BulletList, OrderedList, Table, CodeBlock, BlockQuote, Figure, Box, GridTable, PageBreak, Footnote]

# --------------------------------------------------------------------------------------------------------------------
# Metadata

RELATIONSHIPS = ("equal-to", "equivalent-to", "subset-of", "superset-of", "intersects-with", "no-relationship")
NETWORK_MODELS = {"alpha": "α", "alpha-prime": "α'", "beta": "β", "beta-prime": "β'"}
META_KEYS = ("nisc", "models", "split_from", "merged_from", "replaces", "note", "tags")


@dataclass(frozen=True, slots=True)
class NiscMapping:
    nisc_id: str
    relationship: str
    rationale: str = ""
    loc: Loc = Loc("", 0)


@dataclass(frozen=True, slots=True)
class ClauseMeta:
    nisc: tuple[NiscMapping, ...] = ()
    models: tuple[str, ...] = ()
    split_from: str = ""
    merged_from: tuple[str, ...] = ()
    replaces: str = ""
    note: str = ""
    tags: tuple[str, ...] = ()
    loc: Loc | None = None  # where the yaml block starts, None when the clause has none


EMPTY_META = ClauseMeta()

# --------------------------------------------------------------------------------------------------------------------
# Clauses and editions


@dataclass(frozen=True, slots=True)
class Clause:
    id: str
    heading: str
    level: int  # 1 = 編, 2 = 章, 3 = "N.", 4 = "N.M.", 5 = "(N)", 6 = "①"
    loc: Loc
    meta: ClauseMeta = EMPTY_META
    body: tuple[Block, ...] = ()
    commentary: tuple[Block, ...] = ()
    children: tuple["Clause", ...] = ()
    unnumbered: bool = False
    footnotes: tuple[Footnote, ...] = ()
    kind: str = ""  # "" for a 編 and everything below it; "appendix" (別紙) or "form" (様式) for a level-1 appendix
    number: str = ""  # this clause's own label: "第2編", "6.2.", "(1)", "①", "別紙1", "様式第1号"
    prefix: str = ""  # 編 and 章 part of the address: "第2編第2章"
    local: str = ""  # the rest of the address: "6.2.(1)①"

    @property
    def address(self) -> str:
        """The full display address, e.g. ``第2編第2章 6.2.(1)①``."""
        if self.local:
            return f"{self.prefix} {self.local}" if self.prefix else self.local
        return self.prefix

    def walk(self) -> Iterator["Clause"]:
        """This clause and all below it, in reading order."""
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def has_commentary(self) -> bool:
        """Whether this clause or one below it has a 解説 (it then appears in the generated 解説 part)."""
        return any(c.commentary for c in self.walk())


@dataclass(frozen=True, slots=True)
class EditionMeta:
    id: str
    title: str
    date: datetime.date
    status: str  # 案 | 確定
    nisc_catalog: str
    files: tuple[str, ...]
    root: str  # the edition directory
    label: str = ""
    sample: bool = False
    reibun_part: str = ""
    commentary_title: str = ""
    previous: str = ""
    loc: Loc = Loc("", 0)
    origin: str = ""  # where it was read from when not the working tree: "git:HEAD 1a2b3c4"
    numbering: str = "outline"  # outline (第N編/第N章/1./(1)/①) | articles (第N章/第N条, as a 訓令): numbering.STYLES

    @property
    def display_name(self) -> str:
        return f"{self.title}（{self.label}）" if self.label else self.title

    @property
    def shown_name(self) -> str:
        """The edition's short name for a comparison's sides: its label (or ID), and its origin when read from git,
        so that two states of one edition (git:HEAD against draft) are never mistaken for each other."""
        name = self.label or self.id
        return f"{name}［{self.origin}］" if self.origin else name


@dataclass(frozen=True, slots=True)
class NiscItem:
    id: str
    kind: str  # 部 節 款 対策項目 遵守事項 基本対策事項
    heading: str
    parent: str = ""
    loc: Loc = Loc("", 0)


REQUIREMENT_KINDS = ("遵守事項", "基本対策事項")
HEADING_KINDS = ("部", "節", "款")


@dataclass(frozen=True)
class NiscCatalog:
    id: str
    title: str
    edition: str
    items: tuple[NiscItem, ...]
    loc: Loc = Loc("", 0)
    # derived from items (init=False: not given, not stored in the parse cache)
    by_id: Mapping[str, NiscItem] = field(default_factory=dict, init=False, compare=False, repr=False)
    children_of: Mapping[str, tuple[str, ...]] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        by_id = {item.id: item for item in self.items}
        kids: dict[str, list[str]] = {}
        for item in self.items:
            kids.setdefault(item.parent, []).append(item.id)
        object.__setattr__(self, "by_id", MappingProxyType(by_id))
        object.__setattr__(self, "children_of", MappingProxyType({k: tuple(v) for k, v in kids.items()}))

    def get(self, nisc_id: str) -> NiscItem | None:
        return self.by_id.get(nisc_id)

    def ancestors(self, nisc_id: str) -> list[NiscItem]:
        """Parents from the 部 down to (not including) the item."""
        out = []
        item = self.by_id.get(nisc_id)
        while item is not None and item.parent:
            item = self.by_id.get(item.parent)
            if item is not None:
                out.append(item)
        return list(reversed(out))

    def descendants(self, nisc_id: str) -> list[NiscItem]:
        out = []
        stack = list(reversed(self.children_of.get(nisc_id, ())))
        while stack:
            cid = stack.pop()
            out.append(self.by_id[cid])
            stack.extend(reversed(self.children_of.get(cid, ())))
        return out

    def label(self, nisc_id: str) -> str:
        """A heading for display; 遵守事項 and 基本対策事項 have none of their own and borrow their 対策項目's."""
        item = self.by_id.get(nisc_id)
        if item is None:
            return ""
        if item.heading:
            return item.heading
        parent = self.by_id.get(item.parent)
        return f"{parent.heading}（{item.kind}）" if parent is not None else item.kind


APPENDIX_KINDS = ("appendix", "form")


@dataclass(frozen=True, slots=True)
class Asset:
    """A figure file of the edition, read by the reader: ``src`` as written (``figures/alpha-model.svg``), its
    ``kind`` (svg, png, jpeg), bytes, SHA-256 and size in CSS pixels (0 when the file does not say)."""

    src: str
    kind: str
    data: bytes = field(repr=False, compare=False)
    digest: str = ""
    width: float = 0
    height: float = 0


@dataclass(frozen=True, slots=True)
class Label:
    """What a figure or table ID resolves to: its number (図3, 表2), the clause holding it, its source line."""

    number: str
    clause_id: str
    line: int


@dataclass(frozen=True)
class Edition:
    meta: EditionMeta
    parts: tuple[Clause, ...]
    catalog: NiscCatalog | None = None
    assets: Mapping[str, Asset] = field(default_factory=dict, compare=False, repr=False)
    by_id: Mapping[str, Clause] = field(default_factory=dict, compare=False, repr=False)
    parent_of: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    labels: Mapping[str, Label] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Clause] = {}
        parent_of: dict[str, str] = {}
        labels: dict[str, Label] = {}
        for part in self.parts:
            for clause in part.walk():
                by_id.setdefault(clause.id, clause)
                for child in clause.children:
                    parent_of.setdefault(child.id, clause.id)
                if clause.body or clause.commentary:
                    for b in iter_blocks(clause.body + clause.commentary):
                        if isinstance(b, (Figure, GridTable)) and b.ident:
                            labels.setdefault(b.ident, Label(b.number, clause.id, b.line))
        object.__setattr__(self, "by_id", MappingProxyType(by_id))
        object.__setattr__(self, "parent_of", MappingProxyType(parent_of))
        object.__setattr__(self, "labels", MappingProxyType(labels))

    def clauses(self) -> Iterator[Clause]:
        """Every clause in reading order."""
        for part in self.parts:
            yield from part.walk()

    def get(self, clause_id: str) -> Clause | None:
        return self.by_id.get(clause_id)

    def parent(self, clause_id: str) -> Clause | None:
        pid = self.parent_of.get(clause_id)
        return self.by_id.get(pid) if pid else None

    def ancestors(self, clause_id: str) -> list[Clause]:
        """Ancestors from the 編 down, not including the clause itself."""
        out = []
        pid = self.parent_of.get(clause_id)
        while pid:
            out.append(self.by_id[pid])
            pid = self.parent_of.get(pid)
        return list(reversed(out))

    @property
    def reibun(self) -> Clause | None:
        """The 編 that holds the 例文 (第2編), from which 第3編 解説 is generated."""
        return self.by_id.get(self.meta.reibun_part) if self.meta.reibun_part else None

    @property
    def commentary_part_number(self) -> str:
        """The 編 number of the generated 解説 part: one after the last numbered source part."""
        numbered = [p for p in self.parts if not p.unnumbered and not p.kind]
        return part_label(len(numbered) + 1)


# --------------------------------------------------------------------------------------------------------------------
# Plain text (for diffs, search, tests)


def inline_text(inlines: tuple[Inline, ...], edition: Edition | None = None, context: Clause | None = None) -> str:
    out: list[str] = []
    for node in inlines:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, (Strong, Emph, Link)):
            out.append(inline_text(node.children, edition, context))
        elif isinstance(node, Code):
            out.append(node.text)
        elif isinstance(node, Placeholder):
            out.append(node.text)
        elif isinstance(node, XRef):
            if node.children:
                out.append(inline_text(node.children, edition, context))
            else:
                out.append(xref_label(node.target, edition, context))
        elif isinstance(node, LineBreak):
            out.append("\n")
        elif isinstance(node, FootnoteRef):
            out.append(footnote_mark(node.key, context))
    return "".join(out)


def footnote_mark(key: str, context: Clause | None) -> str:
    """How a footnote reference reads in plain text: 注3 (``[^key]`` when the clause does not define it)."""
    if context is not None:
        for fn in context.footnotes:
            if fn.key == key:
                return f"注{fn.number}"
    return f"[^{key}]"


def xref_label(target: str, edition: Edition | None, context: Clause | None = None) -> str:
    """How a cross-reference reads: the target's number, in full when it sits in another 章 than ``context``."""
    if edition is None:
        return f"#{target}"
    clause = edition.get(target)
    if clause is None:
        found = edition.labels.get(target)
        return found.number if found is not None else f"#{target}"
    if context is not None and context.prefix == clause.prefix and clause.local:
        return clause.local
    return clause.address or clause.heading


def block_text(blocks: tuple[Block, ...], edition: Edition | None = None, context: Clause | None = None) -> str:
    """Plain text of blocks: one paragraph per line, list items prefixed with their display labels."""
    lines: list[str] = []

    def walk(bs: tuple[Block, ...], depth: int) -> None:
        for b in bs:
            if isinstance(b, Para):
                lines.append(inline_text(b.inlines, edition, context))
            elif isinstance(b, BulletList):
                for item in b.items:
                    start = len(lines)
                    walk(item, depth + 1)
                    if len(lines) > start:
                        lines[start] = "・" + lines[start]
            elif isinstance(b, OrderedList):
                for i, item in enumerate(b.items):
                    start = len(lines)
                    walk(item, depth + 1)
                    if len(lines) > start:
                        lines[start] = (b.labels[i] if b.labels else list_label(depth, i)) + lines[start]
            elif isinstance(b, Table):
                for row in (b.header, *b.rows):
                    lines.append("\t".join(inline_text(c, edition, context) for c in row))
            elif isinstance(b, CodeBlock):
                lines.extend(b.text.rstrip("\n").split("\n"))
            elif isinstance(b, BlockQuote):
                walk(b.blocks, depth)
            elif isinstance(b, Figure):
                caption = inline_text(b.caption, edition, context)
                lines.append(f"{b.number}　{caption}".strip() if b.number else caption or b.alt)
            elif isinstance(b, Box):
                start = len(lines)
                walk(b.blocks, depth)
                if len(lines) > start:
                    lines[start] = f"【{b.kind}】" + lines[start]
            elif isinstance(b, GridTable):
                caption = inline_text(b.caption, edition, context)
                lines.append(f"{b.number}　{caption}".strip() if b.number else caption)
                for row in (*b.head, *b.body):
                    lines.append("\t".join(inline_text(c.inlines, edition, context) for c in row))
            elif isinstance(b, Footnote):
                start = len(lines)
                walk(b.blocks, depth)
                if len(lines) > start:
                    lines[start] = f"注{b.number}　" + lines[start]

    walk(blocks, 0)
    return "\n".join(lines)


def iter_inlines(blocks: tuple[Block, ...]) -> Iterator[Inline]:
    """Every inline node in the blocks, depth first (for finding cross-references and placeholders)."""

    def from_inlines(inlines: tuple[Inline, ...]) -> Iterator[Inline]:
        for node in inlines:
            yield node
            children = getattr(node, "children", None)
            if children:
                yield from from_inlines(children)

    for b in blocks:
        if isinstance(b, Para):
            yield from from_inlines(b.inlines)
        elif isinstance(b, (BulletList, OrderedList)):
            for item in b.items:
                yield from iter_inlines(item)
        elif isinstance(b, Table):
            for row in (b.header, *b.rows):
                for cell in row:
                    yield from from_inlines(cell)
        elif isinstance(b, BlockQuote):
            yield from iter_inlines(b.blocks)
        elif isinstance(b, (Box, Footnote)):
            yield from iter_inlines(b.blocks)
        elif isinstance(b, Figure):
            yield from from_inlines(b.caption)
        elif isinstance(b, GridTable):
            yield from from_inlines(b.caption)
            for row in (*b.head, *b.body):
                for c in row:
                    yield from from_inlines(c.inlines)


def place_cells(rows: tuple[tuple[Cell, ...], ...]) -> tuple[list[list[int]], tuple[int, str] | None]:
    """Lay the cells of rows on a grid as HTML does (a cell covered by a span from above is skipped): the column
    where each cell starts, row by row, and the first problem as (row index, message) — a span past the last row,
    two cells overlapping, rows of different widths — or None."""
    covered: set[tuple[int, int]] = set()
    starts: list[list[int]] = []
    width = None
    for r, row in enumerate(rows):
        col = 0
        here: list[int] = []
        for cell in row:
            while (r, col) in covered:
                col += 1
            here.append(col)
            if r + cell.rowspan > len(rows):
                return starts, (r, f"a cell spans {cell.rowspan} rows, past the last row")
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    if (r + dr, col + dc) in covered:
                        return starts, (r + dr, f"two cells overlap in column {col + dc + 1}")
                    covered.add((r + dr, col + dc))
            col += cell.colspan
        starts.append(here)
        row_width = max([c + 1 for (rr, c) in covered if rr == r], default=0)
        if width is None:
            width = row_width
        elif row_width != width:
            return starts, (r, f"has {row_width} columns, the table has {width}")
    return starts, None


def grid_layout(table: GridTable) -> list[list[int]]:
    """The starting column of every cell of a table, head rows then body rows (each section laid out apart)."""
    head, _ = place_cells(table.head)
    body, _ = place_cells(table.body)
    return head + body


def iter_blocks(blocks: tuple[Block, ...]) -> Iterator[Block]:
    """Every block, depth first, including those inside lists, quotes, boxes and footnotes."""
    for b in blocks:
        yield b
        if isinstance(b, (BulletList, OrderedList)):
            for item in b.items:
                yield from iter_blocks(item)
        elif isinstance(b, (BlockQuote, Box, Footnote)):
            yield from iter_blocks(b.blocks)


def clause_text_blocks(clause: Clause) -> tuple[Block, ...]:
    """A clause's own blocks with its footnotes: what search and the diff compare (text, 解説, 注)."""
    return clause.body + clause.commentary + clause.footnotes
