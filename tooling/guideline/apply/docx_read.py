"""An edited Word file of ours → its clauses in the canonical form of :mod:`guideline.wordview` (the inverse of
:mod:`guideline.writers.edition.docx`).

The file is opened with the comment importer's hardening (:class:`guideline.comments.safezip.SafeZip`: zip bombs,
DOCTYPEs, damaged archives) and refused when it carries active content (macros, OLE objects, ActiveX, external
templates or sub-documents, imported HTML) or external relationships other than hyperlinks.

Tracked changes are accepted (insertions kept, deletions and the source side of moves dropped, paragraphs whose mark
was deleted joined with the next, formatting changes kept as they now are) and listed with author and date. What
Word and LibreOffice add while editing is ignored: runs split at every keystroke, ``w:proofErr``, ``w:rsid*``
attributes, bookmarks that editing pushed out of their heading (a clause bookmark found in an empty paragraph just
before a heading belongs to that heading), content controls and smart tags (their content is read).

Paragraph styles are recognised by their names (``heading 1`` …, ``本文``), not their IDs, since LibreOffice
renames style IDs when it saves.

Besides text, lists and tables, the constructs the writer makes are read back as blocks: a figure (a picture in the
図 style, its file known by the SHA-256 of the picture, its alt text the picture's description, and the 「図N　…」
caption paragraph under it), a 参考/例/注意 box (a one-cell table whose first paragraph, in the box title style, is
【参考】 …), a ``table`` block (a 「表N　…」 caption paragraph followed by a table; merged cells from ``w:gridSpan``
and ``w:vMerge``), a page break, and footnotes (a ``w:footnoteReference`` is a reference, its ``w:footnote`` the
definition; both keyed 1, 2 … in the order the clause first refers to them, as :func:`guideline.wordview.clause_view`
keys the source's).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from lxml import etree

from guideline.comments.safezip import SafeZip
from guideline.diagnostics import UserError
from guideline.model import (
    Block,
    Box,
    BulletList,
    Cell,
    CodeBlock,
    Figure,
    FootnoteRef,
    GridTable,
    Inline,
    OrderedList,
    PageBreak,
    Para,
    Table,
    iter_inlines,
)
from guideline.ooxml import MergedCell, table_rows
from guideline.reader import ID_RE
from guideline.wordview import ALIGNS, PART_NS, Seg, map_inlines, merge, rebuild
from guideline.writers.edition.docx_styles import S, styles_xml

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
W = f"{{{W_NS}}}"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
ASVG_NS = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
CAPTION_NUMBER = re.compile(r"^\s*([図表])[0-9０-９]+[\u3000 \t]*")
ROW_HEADER_FILL = "F2F2F2"  # the shading the writer gives a row header cell

# relationship types and parts that make a document run or fetch something: refused
_ACTIVE_REL = ("oleObject", "package", "control", "aFChunk", "subDocument", "attachedTemplate", "vbaProject",
               "frame", "externalLinkPath", "wordVbaData", "keyMapCustomizations")
_ACTIVE_PART = re.compile(r"(vbaProject|vbaData|activeX|embeddings/|oleObject)", re.IGNORECASE)
_OFF = ("0", "false", "off", "none")
HEADING_NUMBER = re.compile(r"^\s*(第[0-9０-９]+[編章節款条]|別紙[0-9０-９]+|様式第[0-9０-９]+号|[0-9０-９]+[.．](?:[0-9０-９]+[.．])?|[（(][0-9０-９]+[）)]|"
                            r"[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf])[\u3000 \t]*")
LIST_LABEL = re.compile(r"^\s*(・|[（(][ア-ン][）)]|[a-z][)）]|[0-9]+[)）])[\u3000 \t]*")


def q(tag: str) -> str:
    return W + tag


@dataclass
class Revision:
    """A tracked change found in the file (it is applied as accepted)."""

    kind: str  # insert, delete, move, format, paragraph
    author: str
    date: str
    text: str
    clause: str  # the clause ID it sits under ("" before the first clause or in a clause typed in Word)


@dataclass
class WordClause:
    id: str | None  # the clause bookmark; None for a heading typed in Word
    level: int
    heading: str
    number: str  # the display number the heading shows ("" none)
    body: tuple[Block, ...] = ()
    commentary: tuple[Block, ...] | None = None  # None: no 解説 shown for this clause in the file
    footnotes: tuple[tuple[Block, ...], ...] = ()  # the footnotes the clause refers to, keyed 1, 2 … in that order
    notes: list[str] = field(default_factory=list)  # the generated 統一基準対応 / 対象モデル paragraphs, as shown
    typed_labels: list[str] = field(default_factory=list)  # list labels typed by hand (ignored)
    index: int = 0  # paragraph number in the file, for messages


@dataclass
class WordDoc:
    path: Path
    kind: str  # guideline, reibun, tracked; "" when the file carries no fingerprint part
    edition: str  # the edition the file was built from ("" unknown)
    built: list[tuple[str, int, str]] | None  # (clause ID, level, fingerprint) at build time, in document order
    clauses: list[WordClause]
    revisions: list[Revision]
    comments: int
    ignored: list[tuple[str, str]]  # (clause ID or "", what was ignored)
    links: dict[str, str]  # external hyperlink relationship id -> URL


# --------------------------------------------------------------------------------------------------------------------
# the package


def _rels(z: SafeZip, name: str) -> etree._Element | None:
    return z.xml(name) if name in z.names else None


def _check_active(z: SafeZip, path: Path) -> dict[str, str]:
    """Refuse active content; return the document's external hyperlinks (rel id → URL)."""
    for name in z.names:
        if _ACTIVE_PART.search(name):
            raise UserError(f"{path}: the file carries active content ({name}); refused. Save it as a plain .docx "
                            "(Word: ファイル > 名前を付けて保存 > Word 文書) and try again")
    types = z.xml("[Content_Types].xml") if "[Content_Types].xml" in z.names else None
    if types is not None:
        for el in types:
            ct = el.get("ContentType") or ""
            if "macroEnabled" in ct or "vbaProject" in ct or "activeX" in ct or "oleObject" in ct:
                raise UserError(f"{path}: the file is macro-enabled or carries embedded objects ({ct}); refused. "
                                "Save it as a plain .docx and try again")
    links: dict[str, str] = {}
    for name in sorted(n for n in z.names if n.endswith(".rels")):
        rels = z.xml(name)
        for rel in rels:
            rtype = (rel.get("Type") or "").rsplit("/", 1)[-1]
            external = (rel.get("TargetMode") or "").lower() == "external"
            if rtype in _ACTIVE_REL:
                raise UserError(f"{path}: {name} links a {rtype} part; refused (active content). Save the file as a "
                                "plain .docx and try again")
            if external and rtype != "hyperlink":
                raise UserError(f"{path}: {name} has an external relationship of type {rtype} to "
                                f"{(rel.get('Target') or '')[:80]!r}; refused (the file would fetch it)")
            if external and name == "word/_rels/document.xml.rels":
                links[rel.get("Id") or ""] = rel.get("Target") or ""
    return links


def _style_keys(z: SafeZip) -> dict[str, str]:
    """The file's paragraph/character style IDs → our style IDs, matched by style name (LibreOffice renames IDs)."""
    ours = etree.fromstring(styles_xml())
    by_name = {}
    for st in ours.iter(q("style")):
        name = st.find(q("name"))
        if name is not None:
            by_name[(name.get(q("val")) or "").lower()] = st.get(q("styleId"))
    out = {sid: sid for sid in by_name.values()}
    if "word/styles.xml" in z.names:
        for st in z.xml("word/styles.xml").iter(q("style")):
            sid = st.get(q("styleId")) or ""
            name = st.find(q("name"))
            key = by_name.get((name.get(q("val")) or "").lower()) if name is not None else None
            if key:
                out[sid] = key
    return out


def _built(z: SafeZip) -> tuple[str, str, list[tuple[str, int, str]] | None]:
    for name in sorted(n for n in z.names if n.startswith("customXml/item") and n.endswith(".xml")
                       and "Props" not in n):
        root = z.xml(name)
        if root.tag != f"{{{PART_NS}}}guideline":
            continue
        rows = []
        for c in root:
            level = c.get("level") or ""
            if c.get("id") and level.isdigit():
                rows.append((c.get("id"), int(level), c.get("fp") or ""))
        return root.get("document") or "", root.get("edition") or "", rows
    return "", "", None


# --------------------------------------------------------------------------------------------------------------------
# tracked changes


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter(q("t"), q("delText")))


def accept_all(body: etree._Element, revisions: list[Revision], clause_of) -> None:
    """Accept every tracked change in ``body`` in place, appending each to ``revisions``."""
    for el in body.iter(q("ins"), q("del"), q("moveFrom"), q("moveTo"), q("rPrChange"), q("pPrChange")):
        name = _local(el)
        parent = _local(el.getparent()) if el.getparent() is not None else ""
        if name in ("rPrChange", "pPrChange"):
            kind = "format"
        elif parent in ("rPr", "trPr"):
            kind = "paragraph" if parent == "rPr" else "row"
            if name == "moveFrom":
                continue
        else:
            kind = {"ins": "insert", "del": "delete", "moveFrom": "move", "moveTo": "move"}[name]
            if name == "moveFrom":
                continue  # a move is listed once, at its destination
        text = _text(el) if kind not in ("format", "paragraph", "row") else ""
        rev = Revision(kind, el.get(q("author")) or "", el.get(q("date")) or "", text, clause_of(el))
        last = revisions[-1] if revisions else None
        if last is not None and (last.kind, last.author, last.date, last.clause) == (
                rev.kind, rev.author, rev.date, rev.clause):
            last.text += text  # LibreOffice writes one revision per typed character: listed as one
        else:
            revisions.append(rev)
    for tr in list(body.iter(q("tr"))):
        if any(_local(m) in ("del", "moveFrom") for m in tr.findall(f"{q('trPr')}/*")):
            tr.getparent().remove(tr)
    for change in list(body.iter(q("pPrChange"), q("rPrChange"))):
        change.getparent().remove(change)
    for el in list(body.iter(q("del"), q("moveFrom"))):
        parent = el.getparent()
        if parent is not None and _local(parent) not in ("rPr", "trPr"):
            parent.remove(el)
    for el in list(body.iter(q("ins"), q("moveTo"))):
        parent = el.getparent()
        if parent is None or _local(parent) in ("rPr", "trPr"):
            continue
        i = parent.index(el)
        for c in reversed(list(el)):
            parent.insert(i, c)
        parent.remove(el)
    for name in ("moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd"):
        for el in list(body.iter(q(name))):
            el.getparent().remove(el)
    paras = list(body.iter(q("p")))
    for k, p in enumerate(paras):
        marks = p.findall(f"{q('pPr')}/{q('rPr')}/*")
        if any(_local(m) in ("del", "moveFrom") for m in marks) and k + 1 < len(paras):
            nxt = paras[k + 1]
            at = 1 if nxt.find(q("pPr")) is not None else 0
            for c in reversed([c for c in p if _local(c) != "pPr"]):
                nxt.insert(at, c)
            p.getparent().remove(p)
            continue
        for m in marks:
            if _local(m) in ("ins", "del", "moveFrom", "moveTo"):
                m.getparent().remove(m)
    for trpr in body.iter(q("trPr")):
        for m in list(trpr):
            if _local(m) in ("ins", "moveTo"):
                trpr.remove(m)


# --------------------------------------------------------------------------------------------------------------------
# paragraphs


@dataclass
class _P:
    style: str
    left: int
    jc: str
    segs: list[Seg]
    marks: list[str]  # clause bookmarks that start in the paragraph
    level: int = 0  # heading level (0: not a heading)
    index: int = 0
    pictures: list[tuple[str, str]] = field(default_factory=list)  # (sha256 of the picture or "", description)
    page: bool = False  # holds a page break

    @property
    def text(self) -> str:
        return "".join(s.text if s.kind != "xref" else "" for s in self.segs)


@dataclass
class _Tbl:
    table: Table
    marks: list[str]
    index: int = 0
    rows: list[tuple[bool, list[tuple[list[Seg], MergedCell, str]]]] = field(default_factory=list)
    # the rows with their merged cells: (header row, [(text, cell, shading)])


@dataclass
class _BoxItem:
    kind: str
    items: list  # the paragraphs and tables in the box below its title
    marks: list[str]
    index: int = 0


def _on(el) -> bool:
    return el is not None and (el.get(q("val")) or "true").lower() not in _OFF


class _Runs:
    """Collects the segments of one paragraph (or table cell paragraph)."""

    def __init__(self, styles: dict[str, str], links: dict[str, str], plain: bool = False,
                 media: dict[str, str] | None = None):
        self.styles = styles
        self.links = links
        self.plain = plain
        self.media = media or {}
        self.segs: list[Seg] = []
        self.marks: list[str] = []
        self.field = 0  # inside a field instruction (between begin and separate)
        self.pictures: list[tuple[str, str]] = []
        self.page = False

    def visit(self, el, group=None) -> None:
        for child in el:
            name = _local(child)
            if name == "r":
                self.run(child, group)
            elif name == "hyperlink":
                anchor = child.get(q("anchor")) or ""
                rid = child.get(f"{{{R_NS}}}id") or ""
                if anchor and ID_RE.match(anchor):
                    # a cross-reference: one segment, its target; the label is computed, so its text is not kept
                    inner = _Runs(self.styles, self.links, self.plain, self.media)
                    inner.visit(child, group)
                    self.marks += inner.marks
                    last = self.segs[-1] if self.segs else None
                    if inner.segs and not (last is not None and last.kind == "xref" and last.text == anchor):
                        # (a label changed with tracked changes is two links to the same target: one reference)
                        first = inner.segs[0]
                        self.segs.append(Seg("xref", anchor, first.bold, first.italic))
                elif rid and rid in self.links:
                    self.visit(child, ("link", self.links[rid]))
                else:
                    self.visit(child, group)
            elif name == "bookmarkStart":
                mark = child.get(q("name")) or ""
                if ID_RE.match(mark):
                    self.marks.append(mark)
            elif name in ("smartTag", "customXml", "sdt", "sdtContent", "fldSimple", "ins", "moveTo", "dir", "bdo"):
                self.visit(child, group)
            # pPr, proofErr, bookmarkEnd, comment ranges, permStart/End, del, moveFrom: nothing to read

    def run(self, r, group) -> None:
        rpr = r.find(q("rPr"))
        style = bold = italic = ""
        if rpr is not None:
            rs = rpr.find(q("rStyle"))
            style = self.styles.get(rs.get(q("val")) or "", rs.get(q("val")) or "") if rs is not None else ""
            bold = _on(rpr.find(q("b")))
            italic = _on(rpr.find(q("i")))
        if self.plain:
            bold = False
        text: list[str] = []

        def flush() -> None:
            value = "".join(text)
            text.clear()
            if not value:
                return
            if style == S.footnote_reference and value.strip().isdigit():
                self.segs.append(Seg("fn", value.strip()))  # a later reference to a footnote repeats its number
                return
            kind = "code" if style == S.inline_code else "ph" if style == S.placeholder else "t"
            if kind == "ph":
                self.segs.append(Seg("ph", value, False, False, group))
            else:
                self.segs.append(Seg(kind, value, bool(bold), bool(italic) if kind == "t" else False, group))

        for c in r:
            name = _local(c)
            if name == "fldChar":
                kind = c.get(q("fldCharType"))
                if kind == "begin":
                    self.field += 1
                elif kind in ("separate", "end") and self.field:
                    self.field -= 1
            elif self.field:
                continue
            elif name == "t":
                text.append(c.text or "")
            elif name == "tab" or name == "ptab":
                text.append("\t")
            elif name in ("br", "cr"):
                kind = c.get(q("type")) or "textWrapping"
                if kind == "textWrapping":
                    text.append("\n")
                elif kind == "page":
                    self.page = True
            elif name == "noBreakHyphen":
                text.append("-")
            elif name == "footnoteReference":
                flush()
                self.segs.append(Seg("fn", c.get(q("id")) or ""))
            elif name in ("drawing", "pict", "AlternateContent"):
                self.pictures.append(self.picture(c))
        flush()

    def picture(self, el) -> tuple[str, str]:
        """(SHA-256 of the picture, its description): the SVG Word 2016+ draws when there is one, else the
        picture every reader shows."""
        alt = ""
        for pr in el.iter(f"{{{WP_NS}}}docPr"):
            alt = pr.get("descr") or ""
        svg = [b.get(f"{{{R_NS}}}embed") for b in el.iter(f"{{{ASVG_NS}}}svgBlip")]
        blip = [b.get(f"{{{A_NS}}}embed") or b.get(f"{{{R_NS}}}embed") for b in el.iter(f"{{{A_NS}}}blip")]
        for rid in svg + blip:
            if rid and rid in self.media:
                return self.media[rid], alt
        return "", alt


def _ppr(p) -> tuple[str, int, str, int]:
    ppr = p.find(q("pPr"))
    style, left, jc, outline = "", -1, "", -1
    if ppr is not None:
        ps = ppr.find(q("pStyle"))
        style = ps.get(q("val")) or "" if ps is not None else ""
        ind = ppr.find(q("ind"))
        if ind is not None:
            value = ind.get(q("left")) or ind.get(q("start")) or ""
            left = int(value) if re.fullmatch(r"-?\d{1,7}", value) else -1
        j = ppr.find(q("jc"))
        jc = j.get(q("val")) or "" if j is not None else ""
        ol = ppr.find(q("outlineLvl"))
        if ol is not None and (ol.get(q("val")) or "").isdigit():
            outline = int(ol.get(q("val")))
    return style, left, jc, outline


_HEADING_ID = re.compile(r"^Heading([1-6])$")


class _Reader:
    def __init__(self, styles: dict[str, str], links: dict[str, str], media: dict[str, str] | None = None):
        self.styles = styles
        self.links = links
        self.media = media or {}
        self.items: list[_P | _Tbl | _BoxItem] = []
        self.count = 0

    def body(self, body) -> None:
        for el in body:
            name = _local(el)
            if name == "p":
                self.items.append(self.paragraph(el))
            elif name == "tbl":
                box = self.box(el)
                if box is not None:
                    self.items.append(box)
                    continue
                table = self.table(el)
                if table.table.header or table.table.rows:  # a table whose rows were all deleted is gone
                    self.items.append(table)
            elif name in ("sdt", "sdtContent", "customXml"):
                self.body(el)
            elif name == "bookmarkStart":
                mark = el.get(q("name")) or ""
                if ID_RE.match(mark):
                    self.items.append(_P("", -1, "", [], [mark], index=self.count))

    def paragraph(self, p, plain: bool = False) -> _P:
        self.count += 1
        sid, left, jc, outline = _ppr(p)
        style = self.styles.get(sid, sid)
        runs = _Runs(self.styles, self.links, plain, self.media)
        runs.visit(p)
        level = 0
        m = _HEADING_ID.match(style)
        if m:
            level = int(m.group(1))
        elif 0 <= outline <= 5 and style not in (S.toc_heading,) and not style.startswith("TOC"):
            level = outline + 1
        return _P(style, left, jc, merge(runs.segs), runs.marks, level, self.count, runs.pictures, runs.page)

    def box(self, tbl) -> _BoxItem | None:
        """A 参考/例/注意 box: a table of one cell whose first paragraph, in the box title style, reads 【kind】."""
        rows = [tr for tr in tbl if _local(tr) == "tr"]
        cells = [tc for tc in rows[0] if _local(tc) == "tc"] if len(rows) == 1 else []
        if len(cells) != 1:
            return None
        content = [c for c in cells[0] if _local(c) in ("p", "tbl", "sdt", "customXml", "bookmarkStart")]
        first = content[0] if content else None
        if first is None or _local(first) != "p":
            return None
        title = self.paragraph(first)
        m = re.fullmatch(r"\s*【(.{1,6}?)】\s*", title.text)
        if title.style != S.box_title or m is None:
            return None
        inner = _Reader(self.styles, self.links, self.media)
        inner.count = self.count
        inner.body(content[1:])
        self.count = inner.count
        marks = title.marks + [mk for it in inner.items for mk in it.marks]
        return _BoxItem(m.group(1), inner.items, marks, self.count)

    def cell_segs(self, tc) -> tuple[list[Seg], list[str]]:
        """A cell's text (its paragraphs joined by line breaks) and the clause bookmarks in it."""
        segs: list[Seg] = []
        marks: list[str] = []
        for k, p in enumerate(tc.iter(q("p"))):
            para = self.paragraph(p)
            marks += para.marks
            if k and segs:
                segs.append(Seg("t", "\n"))
            segs += para.segs
        return merge(segs), marks

    def table(self, tbl) -> _Tbl:
        self.count += 1
        rows: list[list[list[Seg]]] = []
        header_jc: list[str] = []
        marks: list[str] = []
        grid = []
        for r, row in enumerate(table_rows(tbl)):
            cells = []
            for tc in row.tr.iter(q("tc")):
                if tc.getparent() is not row.tr:
                    continue
                segs, found = self.cell_segs(tc)
                marks += found
                if r == 0:  # the writer makes header cells bold
                    first = tc.find(f".//{q('p')}")
                    header_jc.append(_ppr(first)[2] if first is not None else "")
                    segs = merge([Seg(x.kind, x.text, False, x.italic, x.group) for x in segs])
                cells.append(segs)
            rows.append(cells)
            starts = []
            for cell in row.cells:
                shd = cell.tc.find(f"{q('tcPr')}/{q('shd')}")
                fill = (shd.get(q("fill")) or "").upper() if shd is not None else ""
                starts.append((self.cell_segs(cell.tc)[0], cell, fill))
            grid.append((row.header, starts))
        ncols = max((len(r) for r in rows), default=0)
        norm = [tuple(rebuild(r[i]) if i < len(r) else () for i in range(ncols)) for r in rows]
        header, body_rows = (norm[0], tuple(norm[1:])) if norm else ((), ())
        aligns = tuple(a if a in ALIGNS else "" for a in (header_jc + [""] * ncols)[:ncols])
        return _Tbl(Table(header, body_rows, aligns), marks, self.count, grid)


def grid_table(caption: tuple[Inline, ...], rows: list[tuple[bool, list[tuple[list[Seg], MergedCell, str]]]]) -> GridTable:
    """A table block from the rows of a Word table (:func:`guideline.ooxml.table_rows`): the leading rows marked
    to repeat are the head; a body row whose first cell has the row header shading makes the first column row
    headers, whose bold (like the head's) the writer adds."""
    columns = max((c.column + c.colspan for _, cells in rows for _, c, _ in cells), default=0)
    nhead = 0
    while nhead < len(rows) and rows[nhead][0]:
        nhead += 1
    row_header = any(cells and cells[0][1].column == 0 and cells[0][2] == ROW_HEADER_FILL
                     for _, cells in rows[nhead:])

    def out(cells, head: bool) -> tuple[Cell, ...]:
        return tuple(Cell(rebuild([Seg(x.kind, x.text, False, x.italic, x.group) for x in segs]
                                  if head or (row_header and c.column == 0) else segs), c.rowspan, c.colspan)
                     for segs, c, _ in cells)

    return GridTable(caption, tuple(out(cells, True) for _, cells in rows[:nhead]),
                     tuple(out(cells, False) for _, cells in rows[nhead:]), columns, "", row_header)


# --------------------------------------------------------------------------------------------------------------------
# blocks


def _split_label(segs: list[Seg]) -> tuple[str, list[Seg], bool]:
    """(label, the rest, typed): the list label the writer puts before a tab, or one typed by hand."""
    head = ""
    for k, s in enumerate(segs):
        if s.kind != "t":
            break
        if "\t" in s.text:
            before, after = s.text.split("\t", 1)
            label = head + before
            if len(label) <= 6:
                rest = ([Seg("t", after, s.bold, s.italic, s.group)] if after else []) + segs[k + 1:]
                return label.strip(), merge(rest), False
            break
        head += s.text
        if len(head) > 6:
            break
    if segs and segs[0].kind == "t":
        m = LIST_LABEL.match(segs[0].text)
        if m:
            rest = segs[0].text[m.end():]
            return m.group(1), merge([Seg("t", rest, segs[0].bold, segs[0].italic, segs[0].group), *segs[1:]]), True
    return "", segs, False


class _Lists:
    """Assembles list item paragraphs into (nested) lists by their indents."""

    def __init__(self, out: list[Block]):
        self.out = out
        self.stack: list[tuple[int, bool, list[list[Block]]]] = []  # (left, ordered, items)
        self.last_ordered = False

    def close(self, to: int = 0) -> None:
        while len(self.stack) > to:
            left, ordered, items = self.stack.pop()
            block = (OrderedList if ordered else BulletList)(tuple(tuple(i) for i in items))
            if self.stack:
                self.stack[-1][2][-1].append(block)
            else:
                self.out.append(block)

    def item(self, left: int, ordered: bool, content: list[Block]) -> None:
        while self.stack and self.stack[-1][0] > left:
            self.close(len(self.stack) - 1)
        if self.stack and self.stack[-1][0] == left and self.stack[-1][1] != ordered:
            self.close(len(self.stack) - 1)
        if not self.stack or self.stack[-1][0] < left:
            self.stack.append((left, ordered, []))
        self.stack[-1][2].append(list(content))
        self.last_ordered = ordered

    def continuation(self, left: int, block: Block) -> bool:
        """A paragraph inside the last item (indented to its text): True when it was taken."""
        if not self.stack or left < self.stack[-1][0] or not self.stack[-1][2]:
            return False
        self.stack[-1][2][-1].append(block)
        return True


def _caption(segs: list[Seg], mark: str) -> tuple[Inline, ...] | None:
    """The caption text of a 「図N　…」/「表N　…」 paragraph without its computed number; None if it has no number."""
    if not segs or segs[0].kind != "t":
        return None
    m = CAPTION_NUMBER.match(segs[0].text)
    if m is None or m.group(1) != mark:
        return None
    first = segs[0]
    return rebuild([Seg("t", first.text[m.end():], first.bold, first.italic, first.group), *segs[1:]])


def build_blocks(items: list, typed: list[str]) -> tuple[Block, ...]:
    """Paragraphs and tables of one clause's text (or 解説) → canonical blocks."""
    out: list[Block] = []
    lists = _Lists(out)

    def place(it, block: Block) -> None:
        if lists.stack and it.left >= 0 and lists.continuation(it.left, block):
            return
        lists.close()
        out.append(block)

    skip: set[int] = set()
    for k, it in enumerate(items):
        if k in skip:
            continue
        nxt = items[k + 1] if k + 1 < len(items) else None
        if isinstance(it, _BoxItem):
            lists.close()
            out.append(Box(it.kind, build_blocks(it.items, typed)))
            continue
        if isinstance(it, _Tbl):
            lists.close()
            out.append(it.table)
            continue
        if it.pictures and not it.segs:  # a figure; the caption paragraph under it gives its caption
            caption = _caption(nxt.segs, "図") if isinstance(nxt, _P) and nxt.style == S.caption else None
            if caption is not None:
                skip.add(k + 1)
            for digest, alt in it.pictures:
                place(it, Figure(f"sha256:{digest}" if digest else "", alt, caption or ()))
            continue
        if it.style == S.caption and isinstance(nxt, _Tbl):
            caption = _caption(it.segs, "表")
            if caption is not None:  # a table block: its caption above it
                lists.close()
                out.append(grid_table(caption, nxt.rows))
                skip.add(k + 1)
                continue
        if it.page and not it.segs:
            lists.close()
            out.append(PageBreak())
            continue
        if not it.segs:
            continue
        if it.style in (S.list_item, S.commentary_list):
            label, rest, was_typed = _split_label(it.segs)
            if was_typed and label != "・":
                typed.append(label)
            ordered = (label != "・") if label else lists.last_ordered
            content = [Para(rebuild(rest))] if rest else []
            lists.item(it.left, ordered, content)
            continue
        if it.style == S.code_block:
            block: Block = CodeBlock("".join(s.text for s in it.segs).rstrip("\n"))
        else:
            block = Para(rebuild(it.segs))
        place(it, block)
    lists.close()
    return tuple(b for b in out if not (isinstance(b, Para) and not b.inlines))


# --------------------------------------------------------------------------------------------------------------------
# the document


def read(path: Path, commentary_title: str = "") -> WordDoc:
    """Read an edited Word file of ours. ``commentary_title``: the title of the generated 解説 part."""
    path = Path(path)
    with SafeZip(path, "DOCX") as z:
        if "word/document.xml" not in z.names:
            raise UserError(f"{path}: not a Word document (no word/document.xml)")
        z.check_all_xml()
        links = _check_active(z, path)
        styles = _style_keys(z)
        kind, edition, built = _built(z)
        document = z.xml("word/document.xml")
        comments = 0
        if "word/comments.xml" in z.names:
            comments = sum(1 for _ in z.xml("word/comments.xml").iter(q("comment")))
        media = _media(z)
        notes_part = z.xml("word/footnotes.xml") if "word/footnotes.xml" in z.names else None
    body = document.find(q("body"))
    if body is None:
        raise UserError(f"{path}: word/document.xml has no body")
    revisions: list[Revision] = []
    accept_all(body, revisions, _clause_locator(body, styles, commentary_title))
    reader = _Reader(styles, links, media)
    reader.body(body)
    doc = WordDoc(path, kind, edition, built, [], revisions, comments, [], links)
    matched = _structure(doc, reader.items, commentary_title)
    for rev in revisions:
        if rev.clause.startswith("\0"):  # in the 解説 part: the clause its heading matched
            k = int(rev.clause[1:])
            rev.clause = matched[k] if k < len(matched) else ""
    _footnotes(doc, notes_part, styles, links)
    return doc


def _media(z: SafeZip) -> dict[str, str]:
    """The document's picture relationships: id → SHA-256 of the picture's bytes."""
    name = "word/_rels/document.xml.rels"
    out: dict[str, str] = {}
    if name not in z.names:
        return out
    for rel in z.xml(name):
        if (rel.get("TargetMode") or "").lower() == "external" or not (rel.get("Type") or "").endswith("/image"):
            continue
        target = rel.get("Target") or ""
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("word") / target)
        part = str(PurePosixPath(*[x for x in PurePosixPath(part).parts if x != "."]))
        if part in z.names:
            out[rel.get("Id") or ""] = hashlib.sha256(z.read(part)).hexdigest()
    return out


def _rekey(blocks: tuple[Block, ...], keys: dict[str, str]) -> tuple[Block, ...]:
    """The blocks with every footnote reference's key replaced through ``keys``."""

    def inl(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
        out = []
        for n in nodes:
            if isinstance(n, FootnoteRef):
                out.append(FootnoteRef(keys.get(n.key, n.key)))
            elif getattr(n, "children", None):
                out.append(replace(n, children=inl(n.children)))
            else:
                out.append(n)
        return tuple(out)

    return map_inlines(blocks, inl)


def _footnotes(doc: WordDoc, root, styles: dict[str, str], links: dict[str, str]) -> None:
    """Each clause's footnotes: the references in its text (then its 解説) keyed 1, 2 … in order of first
    appearance, the footnotes' text (tracked changes accepted and listed under the clause) in that order."""
    order: dict[int, list[str]] = {}
    owner: dict[str, str] = {}
    for k, wc in enumerate(doc.clauses):
        ids: list[str] = []
        for node in iter_inlines(wc.body + (wc.commentary or ())):
            if isinstance(node, FootnoteRef) and node.key not in ids:
                ids.append(node.key)
                owner.setdefault(node.key, wc.id or "")
        if ids:
            order[k] = ids
    if not order:
        return
    texts: dict[str, tuple[Block, ...]] = {}
    if root is not None:
        def clause_of(el) -> str:
            while el is not None and el.tag != q("footnote"):
                el = el.getparent()
            return owner.get(el.get(q("id")) or "", "") if el is not None else ""

        accept_all(root, doc.revisions, clause_of)
        for fn in root.iter(q("footnote")):
            ident = fn.get(q("id")) or ""
            if ident not in owner or (fn.get(q("type")) or "normal") != "normal":
                continue
            reader = _Reader(styles, links)
            reader.body(fn)
            items = reader.items
            first = next((it for it in items if isinstance(it, _P) and it.segs), None)
            if first is not None and first.segs[0].kind == "t":  # the space the writer puts after the mark
                head = first.segs[0]
                first.segs[0] = Seg("t", head.text[1:] if head.text.startswith(" ") else head.text, head.bold,
                                    head.italic, head.group)
                first.segs = merge(first.segs)
            typed: list[str] = []
            texts[ident] = build_blocks(items, typed)
    for k, ids in order.items():
        wc = doc.clauses[k]
        keys = {ident: str(n + 1) for n, ident in enumerate(ids)}
        wc.body = _rekey(wc.body, keys)
        if wc.commentary is not None:
            wc.commentary = _rekey(wc.commentary, keys)
        wc.footnotes = tuple(_rekey(texts.get(ident, ()), keys) for ident in ids)


def _clause_locator(body, styles: dict[str, str], commentary_title: str):
    """A function telling, for an element of ``body``, the ID of the last clause bookmark before it; in the
    generated 解説 part, whose headings carry no bookmarks, ``"\0N"`` for the N-th heading there (made a clause ID
    by :func:`_commentary`)."""
    order: dict[etree._Element, str] = {}
    current = ""
    commentary = -1  # the number of 解説 headings seen; -1 before the 解説 part
    heads = _Reader(styles, {})
    for el in body.iter():
        if el.tag == q("bookmarkStart") and ID_RE.match(el.get(q("name")) or ""):
            current = el.get(q("name"))
        elif el.tag == q("p") and el.getparent() is body:
            p = heads.paragraph(el)
            if p.level and commentary >= 0:
                current = f"\0{commentary}"
                commentary += 1
            elif p.level and _opens_commentary(p.level, _strip_number(p.text)[1], p.marks, commentary_title):
                commentary = 0
        order[el] = current
    return lambda el: order.get(el, "")


def _opens_commentary(level: int, heading: str, marks: list[str], commentary_title: str) -> bool:
    """A heading that opens the generated 解説 part: level 1, no clause bookmark, its title."""
    return level == 1 and not marks and (heading == commentary_title or heading.endswith(("解説", "解説）", "解説)")))


def _strip_number(text: str) -> tuple[str, str]:
    m = HEADING_NUMBER.match(text)
    if not m:
        return "", text.strip()
    return m.group(1), text[m.end():].strip()


def _structure(doc: WordDoc, items: list, commentary_title: str) -> list[str]:
    """Cut the paragraphs into clauses (headings in the clause-level heading styles), then the 解説 part; the clause
    ID each heading of the 解説 part matched ("" none)."""
    region = "front"
    pending: list[str] = []  # clause bookmarks pushed out of their heading by editing
    current: WordClause | None = None
    chunk: list = []
    seen: set[str] = set()
    comm_heads: list[tuple[_P, list]] = []

    def flush() -> None:
        if current is None:
            return
        notes = [it.text for it in chunk if isinstance(it, _P) and it.style == S.mapping and it.segs]
        current.notes = notes
        current.body = build_blocks([it for it in chunk if not (isinstance(it, _P) and it.style == S.mapping)],
                                    current.typed_labels)

    for it in items:
        if isinstance(it, _P) and it.level:
            if region == "commentary":
                comm_heads.append((it, []))
                continue
            number, heading = _strip_number(it.text)
            ids = [m for m in [*pending, *it.marks] if m not in seen]
            pending = []
            if region == "body" and _opens_commentary(it.level, heading, ids, commentary_title):
                flush()
                current = None
                region = "commentary"
                continue
            flush()
            region = "body"
            cid = ids[0] if ids else None
            if cid:
                seen.add(cid)
            current = WordClause(cid, it.level, heading, number, index=it.index)
            doc.clauses.append(current)
            chunk = []
            continue
        if region == "front":
            continue
        if region == "commentary":
            if comm_heads:
                comm_heads[-1][1].append(it)
            continue
        marks = it.marks
        empty = isinstance(it, _P) and not it.segs and not it.pictures and not it.page
        if marks and (not isinstance(it, _P) or empty):
            pending += marks  # an empty paragraph holding a clause bookmark: it belongs to the next heading
        if empty:
            continue
        pending = []
        chunk.append(it)
    flush()
    return _commentary(doc, comm_heads)


def _commentary(doc: WordDoc, heads: list[tuple[_P, list]]) -> list[str]:
    """The generated 解説 part: each heading is matched to the clause with the same level and heading that follows
    the previous match, and its paragraphs become that clause's 解説."""
    k = 0
    matched: list[str] = []
    for p, paras in heads:
        number, heading = _strip_number(p.text)
        found = None
        order = list(range(k, len(doc.clauses))) + list(range(0, k))
        for exact in (True, False):  # the same number as the heading in the text shows, else the heading alone
            for j in order:
                c = doc.clauses[j]
                if c.level == p.level and c.heading == heading and c.commentary is None and (
                        not exact or c.number == number):
                    found = j
                    break
            if found is not None:
                break
        matched.append(doc.clauses[found].id or "" if found is not None else "")
        if found is None:
            if any(not isinstance(x, _P) or x.segs or x.pictures for x in paras):
                doc.ignored.append(("", f"解説 under the heading 「{p.text}」 matches no clause heading; ignored"))
            continue
        typed: list[str] = []
        doc.clauses[found].commentary = build_blocks(paras, typed)
        doc.clauses[found].typed_labels += typed
        k = found + 1
    return matched
