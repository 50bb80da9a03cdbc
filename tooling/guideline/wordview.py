"""What a clause looks like in our Word files, as model data: the canonical form both sides of the Word round trip
agree on.

The Word writer (:mod:`guideline.writers.edition.docx`) loses some distinctions of the source (soft line breaks between
Japanese text, ``**a**`` split over two runs or one, the label text of a cross-reference, a code block's info
string, a block quote's nesting), and Word adds its own (runs split at every edit, proofing marks). Both the model
and the DOCX reader of ``guideline apply`` (:mod:`guideline.apply.docx_read`) are brought to one canonical form:

* inline text is flattened into segments ``(kind, text, bold, italic, group)`` — kinds text, code, placeholder
  (with its 〔〕), cross-reference (its target; the label is computed, so it is not compared) — adjacent segments of
  the same kind and formatting are joined, and rebuilt as inlines in one nesting order (link > strong > emphasis);
* paragraphs with no text are dropped (an empty paragraph typed in Word is not a block);
* table rows are padded to the same width and header cells lose the bold the writer gives them.

:func:`clause_fingerprint` hashes a clause's canonical heading, level and text: the Word writers embed it per
clause (:func:`fingerprint_part`), so that ``apply`` can tell which clauses an edited file changed and which
changed in the source since the file was built.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import Iterable
from xml.sax.saxutils import quoteattr

from guideline.model import (
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
    grid_layout,
    inline_text,
    iter_inlines,
    xref_label,
)
from guideline.vocabulary import PLACEHOLDER_CLOSE, PLACEHOLDER_OPEN  # the brackets of every output

_PLACEHOLDER_RE = re.compile(r"〔([^〔〕\n]{1,80})〕")
PART_NS = "urn:guideline:word-roundtrip:1"
PART_NAME = "customXml/item1.xml"  # the fingerprint part inside the package
ALIGNS = ("left", "right", "center")


@dataclass(frozen=True, slots=True)
class Seg:
    """One piece of flattened inline text. ``kind``: ``t`` text, ``code``, ``ph`` placeholder (text with its
    〔〕), ``xref`` (``text`` is the target ID), ``fn`` a footnote reference (``text`` is its key). ``group``: ``("link", href)`` or ``("xref", target)`` for text inside
    a link, else ``None``."""

    kind: str
    text: str
    bold: bool = False
    italic: bool = False
    group: tuple[str, str] | None = None


def is_ascii_word(ch: str) -> bool:
    """A Latin letter or digit: a soft line break between two of them is a space in Word, else nothing."""
    return bool(ch) and ch.isascii() and ch.isalnum()


def is_linked(target: str, links: set[str] | None, edition: Edition | None) -> bool:
    """Whether the Word writer makes a cross-reference to ``target`` a link (a clause of the document: ``links``,
    None for all) or prints its label as text (a figure's or table's 図N/表N, a clause the document leaves out)."""
    if links is not None:
        return target in links
    return edition is None or target in edition.by_id


def flatten(nodes: tuple[Inline, ...], links: set[str] | None, edition: Edition | None = None,
            context: Clause | None = None, *, bold: bool = False, italic: bool = False,
            group: tuple[str, str] | None = None, notes: dict[str, str] | None = None) -> list[Seg]:
    """Inline nodes as segments, the way the Word writer lays them out. ``links``: the clause IDs that are link
    targets in the document (None: all); a cross-reference to another clause is plain text there. ``notes``: the
    canonical key of each footnote key (:func:`footnote_order`)."""
    out: list[Seg] = []
    kw = {"notes": notes}
    for i, node in enumerate(nodes):
        if isinstance(node, Text):
            if node.text:
                out.append(Seg("t", node.text, bold, italic, group))
        elif isinstance(node, Strong):
            out += flatten(node.children, links, edition, context, bold=True, italic=italic, group=group, **kw)
        elif isinstance(node, Emph):
            out += flatten(node.children, links, edition, context, bold=bold, italic=True, group=group, **kw)
        elif isinstance(node, Code):
            if node.text:
                out.append(Seg("code", node.text, bold, False, group))
        elif isinstance(node, Placeholder):
            out.append(Seg("ph", PLACEHOLDER_OPEN + node.text + PLACEHOLDER_CLOSE, group=group))
        elif isinstance(node, XRef):
            linked = is_linked(node.target, links, edition)
            if linked:
                out.append(Seg("xref", node.target, bold, italic))
            elif node.children:
                out += flatten(node.children, links, edition, context, bold=bold, italic=italic, group=group, **kw)
            else:
                label = xref_label(node.target, edition, context)
                out.append(Seg("t", label, bold, italic, group))
        elif isinstance(node, Link):
            out += flatten(node.children, links, edition, context, bold=bold, italic=italic,
                           group=("link", node.href), **kw)
        elif isinstance(node, FootnoteRef):
            out.append(Seg("fn", (notes or {}).get(node.key, node.key)))
        elif isinstance(node, LineBreak):
            if node.hard:
                out.append(Seg("t", "\n", bold, italic, group))
            else:
                before = inline_text(nodes[i - 1:i])[-1:] if i else ""
                after = inline_text(nodes[i + 1:i + 2])[:1]
                if is_ascii_word(before) and is_ascii_word(after):
                    out.append(Seg("t", " ", bold, italic, group))
    return merge(out)


def merge(segs: Iterable[Seg]) -> list[Seg]:
    """Adjacent text, code and placeholder segments of the same formatting joined; empty ones dropped."""
    out: list[Seg] = []
    for s in segs:
        if not s.text:
            continue
        if out and s.kind in ("t", "code", "ph") and out[-1].kind == s.kind and \
                (out[-1].bold, out[-1].italic, out[-1].group) == (s.bold, s.italic, s.group):
            out[-1] = Seg(s.kind, out[-1].text + s.text, s.bold, s.italic, s.group)
        else:
            out.append(s)
    return out


def _leaves(segs: list[Seg]) -> list[Inline]:
    out: list[Inline] = []
    for s in segs:
        if s.kind == "code":
            out.append(Code(s.text))
        elif s.kind == "fn":
            out.append(FootnoteRef(s.text))
        elif s.kind == "xref":
            out.append(XRef(s.text))
        elif s.kind == "ph":
            pos = 0
            for m in _PLACEHOLDER_RE.finditer(s.text):
                if m.start() > pos:
                    out.extend(_text_nodes(s.text[pos:m.start()]))
                out.append(Placeholder(m.group(1)))
                pos = m.end()
            if pos < len(s.text):
                out.extend(_text_nodes(s.text[pos:]))
        else:
            out.extend(_text_nodes(s.text))
    return out


def _text_nodes(text: str) -> list[Inline]:
    out: list[Inline] = []
    for k, piece in enumerate(text.split("\n")):
        if k:
            out.append(LineBreak(hard=True))
        if piece:
            out.append(Text(piece))
    return out


def _runs(segs: list[Seg], key) -> list[tuple[object, list[Seg]]]:
    out: list[tuple[object, list[Seg]]] = []
    for s in segs:
        k = key(s)
        if out and out[-1][0] == k:
            out[-1][1].append(s)
        else:
            out.append((k, [s]))
    return out


def rebuild(segs: list[Seg]) -> tuple[Inline, ...]:
    """Segments back as inlines, in the canonical nesting: link > strong > emphasis > leaves."""
    out: list[Inline] = []
    for grp, part in _runs(merge(segs), lambda s: s.group):
        inner: list[Inline] = []
        for b, bpart in _runs(part, lambda s: s.bold):
            content: list[Inline] = []
            for it, ipart in _runs(bpart, lambda s: s.italic):
                leaves = _leaves(ipart)
                content += [Emph(tuple(leaves))] if it and leaves else leaves
            inner += [Strong(tuple(content))] if b and content else content
        if grp is not None and grp[0] == "link":
            out.append(Link(grp[1], tuple(inner)))
        elif grp is not None:
            out.append(XRef(grp[1], tuple(inner)))
        else:
            out.extend(inner)
    return tuple(out)


def canonical_inlines(nodes: tuple[Inline, ...], links: set[str] | None, edition: Edition | None = None,
                      context: Clause | None = None, *, plain: bool = False,
                      notes: dict[str, str] | None = None) -> tuple[Inline, ...]:
    if all(type(n) is Text for n in nodes):  # most paragraphs: plain text, one node (what rebuild gives)
        text = "".join(n.text for n in nodes)
        if "\n" not in text:
            return (Text(text),) if text else ()
    segs = flatten(nodes, links, edition, context, notes=notes)
    if plain:  # table header cells: the writer makes every run bold
        segs = [Seg(s.kind, s.text, False, s.italic, s.group) for s in segs]
    return rebuild(segs)


def figure_src(src: str, edition: Edition | None) -> str:
    """A figure's file as Word can tell it: ``sha256:<digest>`` of the picture the writer embeds."""
    asset = edition.assets.get(src) if edition is not None else None
    return f"sha256:{asset.digest}" if asset is not None and asset.digest else src


def canonical_blocks(blocks: tuple[Block, ...], links: set[str] | None, edition: Edition | None = None,
                     context: Clause | None = None, *, notes: dict[str, str] | None = None) -> tuple[Block, ...]:
    """Blocks in the canonical form (source lines, IDs and computed numbers dropped; a figure's file by its
    digest; footnote references by ``notes``)."""
    out: list[Block] = []

    def inl(nodes, plain: bool = False) -> tuple[Inline, ...]:
        return canonical_inlines(nodes, links, edition, context, plain=plain, notes=notes)

    for b in blocks:
        if isinstance(b, Para):
            para = inl(b.inlines)
            if para:
                out.append(Para(para))
        elif isinstance(b, (BulletList, OrderedList)):
            items = tuple(canonical_blocks(item, links, edition, context, notes=notes) for item in b.items)
            out.append(type(b)(items))
        elif isinstance(b, Table):
            ncols = max([len(b.header), *(len(r) for r in b.rows)] or [1])

            def cells(row, plain: bool) -> tuple:
                return tuple(inl(row[i] if i < len(row) else (), plain) for i in range(ncols))

            aligns = tuple((b.aligns[i] if i < len(b.aligns) and b.aligns[i] in ALIGNS else "")
                           for i in range(ncols))
            out.append(Table(cells(b.header, True), tuple(cells(r, False) for r in b.rows), aligns))
        elif isinstance(b, CodeBlock):
            out.append(CodeBlock(b.text.rstrip("\n")))
        elif isinstance(b, BlockQuote):
            out.extend(canonical_blocks(b.blocks, links, edition, context, notes=notes))
        elif isinstance(b, Figure):
            out.append(Figure(figure_src(b.src, edition), b.alt, inl(b.caption)))
        elif isinstance(b, Box):
            out.append(Box(b.kind, canonical_blocks(b.blocks, links, edition, context, notes=notes)))
        elif isinstance(b, GridTable):
            out.append(canonical_grid(b, inl))
        elif isinstance(b, PageBreak):
            out.append(PageBreak())
    return tuple(out)


def canonical_grid(b: GridTable, inl) -> GridTable:
    """A table block as Word shows it: header cells and row headers (the first column of a body row when
    ``row_header``) lose the bold the writer gives them; the ID and number are not shown."""
    starts = grid_layout(b)
    nhead = len(b.head)

    def row(k: int, cells: tuple[Cell, ...], head: bool) -> tuple[Cell, ...]:
        return tuple(Cell(inl(c.inlines, head or (b.row_header and starts[k][j] == 0)), c.rowspan, c.colspan)
                     for j, c in enumerate(cells))

    return GridTable(inl(b.caption), tuple(row(k, r, True) for k, r in enumerate(b.head)),
                     tuple(row(nhead + k, r, False) for k, r in enumerate(b.body)), b.columns, "", b.row_header)


def footnote_order(clause: Clause, with_commentary: bool) -> dict[str, str]:
    """Each footnote key of the clause → its canonical key, ``1``, ``2`` … in the order of first reference in what
    the Word file shows (the text, then the 解説 when shown). Word does not keep the source's keys."""
    order: dict[str, str] = {}
    for node in iter_inlines(clause.body + (clause.commentary if with_commentary else ())):
        if isinstance(node, FootnoteRef) and node.key not in order:
            order[node.key] = str(len(order) + 1)
    return order


_BASIC_BLOCKS = (Para, BulletList, OrderedList, Table, CodeBlock, BlockQuote)
_BASIC_INLINES = (Text, Strong, Emph, Code, Placeholder, XRef, Link, LineBreak)
_BLOCKS = (*_BASIC_BLOCKS, Figure, Box, GridTable, PageBreak)
_INLINES = (*_BASIC_INLINES, FootnoteRef)


def round_trips(clause: Clause, *, constructs: bool = False) -> bool:
    """Whether the clause's text and 解説 are made only of paragraphs, lists, pipe tables, code, block quotes and
    their inlines, which read back from every output as written. ``constructs``: also figures, boxes, ``table``
    blocks, page breaks and footnotes, which ``guideline apply`` reads back from our Word files too. A clause
    holding anything else is never rewritten from Word, so nothing of it can be lost."""
    blocks_ok, inlines = (_BLOCKS, _INLINES) if constructs else (_BASIC_BLOCKS, _BASIC_INLINES)

    def inlines_ok(nodes) -> bool:
        return all(isinstance(n, inlines) and inlines_ok(getattr(n, "children", ())) for n in nodes)

    def ok(blocks) -> bool:
        for b in blocks:
            if not isinstance(b, blocks_ok):
                return False
            if isinstance(b, Para) and not inlines_ok(b.inlines):
                return False
            if isinstance(b, (BulletList, OrderedList)) and not all(ok(item) for item in b.items):
                return False
            if isinstance(b, Table) and not all(inlines_ok(c) for row in (b.header, *b.rows) for c in row):
                return False
            if isinstance(b, (BlockQuote, Box)) and not ok(b.blocks):
                return False
            if isinstance(b, Figure) and not inlines_ok(b.caption):
                return False
            if isinstance(b, GridTable) and not (inlines_ok(b.caption) and all(
                    inlines_ok(c.inlines) for row in (*b.head, *b.body) for c in row)):
                return False
        return True

    notes_ok = all(ok(f.blocks) for f in clause.footnotes) if constructs else not clause.footnotes
    return ok(clause.body) and ok(clause.commentary) and notes_ok


def map_blocks(blocks: tuple[Block, ...], fn) -> tuple[Block, ...]:
    """``fn(block) -> block | None`` over every block, inner blocks (of lists, boxes, quotes) first; None drops it."""
    out: list[Block] = []
    for b in blocks:
        if isinstance(b, (BulletList, OrderedList)):
            b = type(b)(tuple(map_blocks(item, fn) for item in b.items), b.line)
        elif isinstance(b, (Box, BlockQuote)):
            b = replace(b, blocks=map_blocks(b.blocks, fn))
        new = fn(b)
        if new is not None:
            out.append(new)
    return tuple(out)


def map_inlines(blocks: tuple[Block, ...], fn) -> tuple[Block, ...]:
    """``fn(inlines) -> inlines`` over every run of inlines in the blocks: paragraphs, table cells, captions."""

    def one(b: Block) -> Block:
        if isinstance(b, Para):
            return replace(b, inlines=fn(b.inlines))
        if isinstance(b, Table):
            return replace(b, header=tuple(fn(c) for c in b.header), rows=tuple(tuple(fn(c) for c in r)
                                                                               for r in b.rows))
        if isinstance(b, Figure):
            return replace(b, caption=fn(b.caption))
        if isinstance(b, GridTable):
            def rows(rs):
                return tuple(tuple(replace(c, inlines=fn(c.inlines)) for c in r) for r in rs)
            return replace(b, caption=fn(b.caption), head=rows(b.head), body=rows(b.body))
        return b

    return map_blocks(blocks, one)


# --------------------------------------------------------------------------------------------------------------------
# clauses and fingerprints


@dataclass(frozen=True)
class ClauseView:
    """A clause as Word shows it: level, heading, text and (where the document prints it) 解説."""

    id: str
    level: int
    heading: str
    body: tuple[Block, ...]
    commentary: tuple[Block, ...] | None  # None: the document does not show this clause's 解説
    footnotes: tuple[tuple[Block, ...], ...] = ()  # the footnotes referenced in what is shown, keyed 1, 2 … in order


def clause_view(clause: Clause, edition: Edition, links: set[str] | None, with_commentary: bool) -> ClauseView:
    notes = footnote_order(clause, with_commentary)
    body = canonical_blocks(clause.body, links, edition, clause, notes=notes)
    comm = canonical_blocks(clause.commentary, links, edition, clause, notes=notes) if with_commentary else None
    defs = {f.key: f for f in clause.footnotes}
    footnotes = tuple(canonical_blocks(defs[k].blocks, links, edition, clause, notes=notes)
                      for k in notes if k in defs)
    return ClauseView(clause.id, clause.level, clause.heading, body, comm, footnotes)


def fingerprint(level: int, heading: str, body: tuple[Block, ...], commentary: tuple[Block, ...] | None,
                footnotes: tuple[tuple[Block, ...], ...] = ()) -> str:
    """A hash of canonical clause data: the ``repr`` of frozen model dataclasses (type names, fields in order,
    ``line`` always 0 in the canonical form) is deterministic across runs and machines. Footnotes enter only
    when there are any, so that a clause without them keeps the fingerprint it always had."""
    data = (level, heading, body, commentary, footnotes) if footnotes else (level, heading, body, commentary)
    return hashlib.sha256(repr(data).encode("utf-8")).hexdigest()[:16]


def view_fingerprint(view: ClauseView) -> str:
    return fingerprint(view.level, view.heading, view.body, view.commentary, view.footnotes)


def commentary_shown(edition: Edition, kind: str) -> set[str]:
    """IDs of the clauses whose 解説 the document of ``kind`` prints (guideline.docx: the 例文 part's)."""
    if kind == "reibun" or edition.reibun is None:
        return set()
    return {c.id for c in edition.reibun.walk()}


def fingerprint_part(edition: Edition, clauses: Iterable[Clause], kind: str, links: set[str] | None) -> bytes:
    """The custom XML part a Word file carries: the edition, the kind of document (guideline, reibun, tracked) and,
    per clause in document order, its ID, level and fingerprint. Not visible text; Word and LibreOffice keep it."""
    shown = commentary_shown(edition, "reibun" if kind == "reibun" else "guideline")
    rows = []
    for c in clauses:
        fp = view_fingerprint(clause_view(c, edition, links, c.id in shown))
        rows.append(f'<c id={quoteattr(c.id)} level="{c.level}" fp="{fp}"/>')
    head = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<guideline xmlns="{PART_NS}" '
            f'edition={quoteattr(edition.meta.id)} document={quoteattr(kind)}>')
    return (head + "".join(rows) + "</guideline>").encode("utf-8")
