"""Clause tree → the model's Edition, its source files and the import report; and writing them as a new edition.

IDs are generated here: the input's own anchor when it is a valid clause ID (a bookmark or id written by our own
writers, so a round trip keeps every ID), else a slug of the heading (:mod:`guideline.importers.romanise`), else the
numbering path (``art-19-2``, ``ch-3-2``, ``s6-2-1``); a collision gets ``-2``, ``-3``. The same input always gives
the same IDs. The Markdown itself is written by :mod:`guideline.writers.edition.markdown_source`, one file per 編 and, in a
編 with 章, one per 章 (as the sample editions are split).
"""
from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import replace
from pathlib import PurePosixPath

from guideline.diagnostics import Loc
from guideline.importers import recognise as rz
from guideline.importers.romanise import slug
from guideline.importers.stream import Figure, SourcePara, span_grid, text_inlines, with_inner
from guideline.importers.structure import LEGAL, Built, Node
from guideline.model import (
    APPENDIX_KINDS,
    Block,
    Box,
    BulletList,
    EMPTY_META,
    Clause,
    ClauseMeta,
    Edition,
    EditionMeta,
    FIGURE_TYPES,
    Cell,
    Figure as ModelFigure,
    Footnote,
    FootnoteRef,
    GridTable,
    Inline,
    inline_text,
    iter_inlines,
    NiscMapping,
    OrderedList,
    PageBreak,
    Para,
    Text,
)
from guideline.numbering import number_tree

ID_RE = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
NO_ALT = "（代替テキストなし）"  # alt text of an image that has none (flagged in the report)
_CAPTION = re.compile(r"^図\d+[\u3000 ](.+)$")  # a figure's caption paragraph as our Word writer prints it
NO_CAPTION = "（表題なし）"  # caption of a table with merged cells (the input gives none; flagged)
ROOT = "/import"  # the virtual edition directory the clauses' locations are relative to
_PREFIX = {"hen": "part", "sho": "ch", "setsu": "sec", "kan": "sub", "moku": "div", "jo": "art", "dai": "s",
           "dot": "s", "bare": "s", "dot2": "s", "paren-num": "i", "circled": "c", "suppl": "suppl"}


# --------------------------------------------------------------------------------------------------------------------
# IDs


def assign_ids(parts: list[Node], family: str) -> None:
    used: set[str] = set()
    # anchors from the input first, so that a generated ID never takes one a later clause brings; in the legal
    # family the article numbers make better IDs than a 例規集 page's element ids (j4, j4_2)
    for part in parts if family != LEGAL else ():
        for n in part.walk():
            a = n.anchor.lower() if n.anchor else ""
            if a and ID_RE.match(a) and a not in used:
                n.id = a
                used.add(a)
    for part_no, part in enumerate(parts, 1):
        for n in part.walk():
            if n.id:
                continue
            base = _legal_id(n, part) if family == LEGAL or n.kind in ("jo", "suppl") else ""
            if not base:
                base = slug(n.heading) if n.heading else ""
            if not base:
                base = _path_id(n, part_no)
            base = base[:36].rstrip("-")
            ident, k = base, 2
            while ident in used or not ID_RE.match(ident):
                ident = f"{base}-{k}"
                k += 1
            n.id = ident
            used.add(ident)


def _legal_id(n: Node, part: Node) -> str:
    value = "-".join(str(v) for v in n.value)
    if n.kind == "suppl":
        return "suppl"
    if n.kind == "part":
        return "main"
    prefix = "suppl-" if part.kind == "suppl" else ""
    if n.kind == "jo":
        return f"{prefix}art-{value}"
    if n.kind in ("sho", "setsu", "kan", "moku"):
        path = []
        m: Node | None = n
        while m is not None and m.kind in ("sho", "setsu", "kan", "moku"):
            path.append(f"{_PREFIX[m.kind]}-{'-'.join(str(v) for v in m.value)}")
            m = m.parent
        return prefix + "-".join(reversed(path))
    return ""


def _path_id(n: Node, part_no: int) -> str:
    if n.level == 1:
        return f"part-{part_no}"
    nums = []
    m: Node | None = n
    while m is not None and m.level > 1:
        nums.append("-".join(str(v) for v in m.value) if m.value else "u")
        m = m.parent
    return f"p{part_no}-" + "-".join(reversed(nums))


# --------------------------------------------------------------------------------------------------------------------
# blocks


def blocks_of(pieces: list, figures: dict[int, tuple[str, str]],
              footnotes: dict[str, Footnote] | None = None) -> tuple[Block, ...]:
    """Pieces collected by the builder as model blocks: runs of list items become (nested) lists. The footnotes
    whose reference is in the blocks go into ``footnotes`` (key → definition, for the clause); one whose reference
    was lost with a heading split off stays a 注 paragraph after its paragraph."""
    out: list[Block] = []
    i = 0
    while i < len(pieces):
        kind = pieces[i][0]
        if kind == "item":
            j = i
            while j < len(pieces) and pieces[j][0] == "item":
                j += 1
            out.append(_ordered([(p[1], p[2]) for p in pieces[i:j]]))
            i = j
            continue
        if kind == "bullet":
            j = i
            while j < len(pieces) and pieces[j][0] == "bullet":
                j += 1
            out.append(BulletList(tuple((Para(p[1]),) for p in pieces[i:j])))
            i = j
            continue
        if kind == "para":
            caption = _CAPTION.match(inline_text(tuple(pieces[i][1])))
            if caption and out and isinstance(out[-1], ModelFigure) and not out[-1].caption:
                out[-1] = replace(out[-1], caption=text_inlines(caption.group(1)))  # 「図3　…」 under its figure
            elif pieces[i][1]:
                out.append(Para(tuple(pieces[i][1])))
            refs = {n.key for n in iter_inlines((Para(tuple(pieces[i][1])),)) if isinstance(n, FootnoteRef)}
            for key, note in pieces[i][2].notes:
                if key not in refs:
                    out.append(Para((Text(f"注{key}\u3000{note}"),)))
        elif kind == "table":
            src: SourcePara = pieces[i][-1]
            out.append(grid_table(src) if src.merged or src.caption else pieces[i][1])
        elif kind == "pagebreak":
            out.append(PageBreak())
        elif kind == "box":
            out.append(Box(pieces[i][-1].box, blocks_of(pieces[i][1], figures)))
        elif kind == "figure":
            fig: Figure = pieces[i][1]
            path, ident = figures.get(id(fig), ("", ""))
            alt = fig.alt or NO_ALT
            if path and PurePosixPath(path).suffix in FIGURE_TYPES:
                out.append(ModelFigure(src=path, alt=alt, caption=(Text(fig.title),) if fig.title else (),
                                       ident=ident))
            else:  # not in the file (linked, an HTML page's) or a type figures cannot hold (EMF, GIF …)
                where = path or "画像は取り込めませんでした"
                out.append(Para((Text(f"［図：{alt}（{where}）］"),)))
        i += 1
    if footnotes is not None:
        refs = {n.key for n in iter_inlines(tuple(out)) if isinstance(n, FootnoteRef)}
        for piece in pieces:
            for key, note in piece[-1].notes:
                if key in refs:
                    footnotes.setdefault(key, Footnote(key, (Para((Text(note or "（注の本文なし）"),)),)))
    return tuple(out)


def grid_table(p: SourcePara) -> GridTable:
    """A table with merged cells or a caption as a ``table`` block: the cells as the input spans them, its header
    rows as head. A table the input gives no caption gets :data:`NO_CAPTION` (flagged in the report)."""
    rows = [tuple(Cell(tuple(inl), rs, cs) for inl, rs, cs in row) for row in p.merged]
    grid, _ = span_grid(p.merged)
    head = p.header_rows
    r = 0
    while r < head:  # a header cell spanning down takes the rows it covers into the head
        head = max(head, r + max((c.rowspan for c in rows[r]), default=1))
        r += 1
    if head >= len(rows):  # all header: no head, the body must have rows
        head = 0
    return GridTable(caption=p.caption or (Text(NO_CAPTION),), head=tuple(rows[:head]), body=tuple(rows[head:]),
                     columns=len(grid[0]) if grid else 0, row_header=p.row_header,
                     ident=p.anchor if ID_RE.match(p.anchor) else "")


def _ordered(items: list[tuple[int, tuple[Inline, ...]]]) -> OrderedList:
    """Items with depths (0, 1, 2 ...) as an ordered list whose deeper items nest in the item above them."""
    base = min(d for d, _ in items)
    groups: list[tuple[tuple[Inline, ...], list]] = []
    for depth, inlines in items:
        if depth == base or not groups:
            groups.append((inlines, []))
        else:
            groups[-1][1].append((depth, inlines))
    out = []
    for inlines, sub in groups:
        blocks: list[Block] = [Para(inlines)] if inlines else []
        if sub:
            blocks.append(_ordered(sub))
        out.append(tuple(blocks))
    return OrderedList(tuple(out))


# --------------------------------------------------------------------------------------------------------------------
# files


def file_names(parts: list[Node]) -> dict[int, str]:
    """node id() → Markdown file: one per 編; a 編 with 章 gets its own file for the part text and one per 章."""
    names: dict[int, str] = {}
    for i, part in enumerate(parts, 1):
        base = f"{i:02d}"
        names[id(part)] = f"{base}-{part.id}.md"
        chapters = [c for c in part.children if c.level == 2]
        if len(chapters) > 1:
            for j, ch in enumerate(chapters, 1):
                names[id(ch)] = f"{base}-{j:02d}-{ch.id}.md"
    return names


def to_clause(n: Node, names: dict[int, str], current: str, figures: dict[int, str]) -> Clause:
    path = names.get(id(n), current)
    children = tuple(to_clause(c, names, path, figures) for c in n.children)
    loc = Loc(f"{ROOT}/{path}", 0)
    nisc = tuple(NiscMapping(m[1], m[2], m[3], loc) for m in n.meta if m[0] == "nisc")
    models = next((m[1] for m in n.meta if m[0] == "models"), ())
    meta = ClauseMeta(nisc=nisc, models=models, loc=loc) if nisc or models else EMPTY_META
    notes: dict[str, Footnote] = {}
    body, commentary = blocks_of(n.pieces, figures, notes), blocks_of(n.commentary, figures, notes)
    return Clause(id=n.id, heading=_heading(n.heading), level=n.level, loc=loc, meta=meta, body=body,
                  commentary=commentary, children=children, unnumbered=n.unnumbered, footnotes=tuple(notes.values()),
                  kind=n.kind if n.kind in APPENDIX_KINDS else "")


_SPREAD = re.compile(r"^[\u3040-\u30ff\u4e00-\u9fff](?:[ \u3000][\u3040-\u30ff\u4e00-\u9fff])+$")


def _heading(text: str) -> str:
    """A heading on one line. A heading spread over its width with spaces between single characters (``総　則``, as
    例規集 pages and PDFs typeset short headings) is closed up: ``総則``."""
    text = " ".join(text.split())
    return text.replace(" ", "") if _SPREAD.match(text) else text


def source_edition(built: Built, edition_id: str, title: str, date: datetime.date, label: str,
                   files: dict[int, str]) -> Edition:
    """The edition as its source files hold it (IDs, no display numbers): what the Markdown is written from. A
    document of the legal family is numbered ``articles`` (第N条 …, as a 訓令), any other ``outline``. ``files`` maps
    id(figure) to its file under figures/ (see :func:`figure_files`)."""
    figures = figure_idents(files)
    names = file_names(built.parts)
    parts = tuple(to_clause(p, names, names[id(p)], figures) for p in built.parts)
    reibun = built.commentary_target.id if built.commentary_target is not None else ""
    meta = EditionMeta(id=edition_id, title=title, date=date, status="案", nisc_catalog="nisc-r7", files=(),
                       root=ROOT, label=label, reibun_part=reibun,
                       commentary_title=built.commentary_part_heading if reibun else "",
                       numbering="articles" if built.family == LEGAL else "outline")
    return Edition(meta=meta, parts=parts)


def numbered(edition: Edition) -> Edition:
    """The edition with its display numbers, in the numbering style it names (as the reader numbers it)."""
    return Edition(meta=edition.meta, parts=number_tree(edition.parts, edition.meta.numbering))


def edition_of(built: Built, edition_id: str, title: str, date: datetime.date, label: str,
               files: dict[int, str]) -> Edition:
    """The numbered edition (:func:`source_edition`, numbered)."""
    return numbered(source_edition(built, edition_id, title, date, label, files))


def figure_files(paras: list[SourcePara]) -> dict[int, tuple[str, bytes]]:
    """id(figure) → (figures/<name>, bytes) for every image with data; names from the content hash (stable)."""
    out: dict[int, tuple[str, bytes]] = {}
    for p in with_inner(paras):  # figures may stand in a box
        fig = p.figure
        if fig is None or fig.data is None:
            continue
        ext = PurePosixPath(fig.name).suffix.lower() or ".bin"
        digest = hashlib.sha256(fig.data).hexdigest()[:12]
        out[id(fig)] = (f"figures/fig-{digest}{ext}", fig.data)
    return out


def figure_idents(files: dict[int, str]) -> dict[int, tuple[str, str]]:
    """id(figure) → (file, figure ID): the ID is the file's name (content hash), with -2, -3 … for the second and
    later occurrences of the same image, so that IDs are stable and never collide."""
    seen: dict[str, int] = {}
    out: dict[int, tuple[str, str]] = {}
    for key, path in files.items():
        stem = PurePosixPath(path).stem
        seen[stem] = seen.get(stem, 0) + 1
        out[key] = (path, stem if seen[stem] == 1 else f"{stem}-{seen[stem]}")
    return out


def report_numbers(built: Built, edition: Edition) -> list[dict]:
    """Source number and computed number of every numbered clause (both as written)."""
    out = []
    computed = {c.id: c for c in edition.clauses()}
    for part in built.parts:
        for n in part.walk():
            c = computed.get(n.id)
            if c is None or not n.label:
                continue
            out.append({"clause": n.id, "source": n.label, "computed": c.number, "address": c.address})
    return out


def number_differences(built: Built, edition: Edition) -> list[dict]:
    """Clauses whose computed number differs from the number the source gives: in the outline family the ordinal
    (``(3)`` computed ``(2)``), in the legal family the whole number (第19条の2 computed 第20条, 第3章の2 第4章)."""
    out = []
    computed = {c.id: c for c in edition.clauses()}
    for part in built.parts:
        for n in part.walk():
            c = computed.get(n.id)
            if c is None or not n.value or n.kind in ("suppl",):
                continue
            got = re.findall(r"\d+", c.number)
            if built.family == LEGAL:
                differs = n.kind in rz.STRUCTURAL and tuple(int(d) for d in got) != n.value
            else:
                ordinal = int(got[-1]) if got else _circled_value(c.number)
                differs = bool(ordinal) and ordinal != (n.value[-1] if n.kind == "dot2" else n.value[0])
            if differs:
                out.append({"kind": "numbering", "clause": n.id, "source": n.label, "computed": c.number,
                            "message": f"the source numbers this clause {n.label}; computed: {c.number}"})
    return out


def _circled_value(label: str) -> int:
    if label and label in rz.CIRCLED:
        return rz.CIRCLED.index(label) + 1
    return 0


__all__ = ["assign_ids", "edition_of", "source_edition", "numbered", "blocks_of", "figure_files", "report_numbers",
           "number_differences", "ROOT",
           "ID_RE"]
