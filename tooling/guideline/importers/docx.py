"""Word .docx → paragraph stream.

The file is opened through :class:`guideline.comments.safezip.SafeZip` (the hardening the comment importer uses: zip
bombs, oversized or too many parts, DOCTYPE/entity tricks and over-deep XML are refused before anything is read).
On top of that:

- **Macros** (``vbaProject.bin``, a macro-enabled content type) are refused: the file is not read at all.
- **External relationships** are never followed: a hyperlink keeps its address only when it is http(s) or mailto
  (else its text alone), a linked (not embedded) picture becomes a figure placeholder, and any other external
  target (attached template, OLE link, sub-document, frame) is ignored and listed in the report as neutralised.
- **Styles**: a paragraph style named Heading N / 見出し N, or carrying an outline level, gives a heading level;
  Title, TOC N, and our own writer's styles (Commentary, MappingNote, SampleNotice …) give roles. A document without
  any styles is read from its typed numbers alone (and bold paragraphs).
- **Automatic numbering** (``w:numPr``): the number Word displays is computed from ``numbering.xml`` (format, level
  text, start, restarts) and put in front of the paragraph's text, so ``第1章`` typed by Word reads like one typed
  by hand; bullet formats make list items.
- **Tracked changes** are read as accepted: inserted and moved-to text kept, deleted and moved-from text dropped
  (counted in the report). **Comments** are ignored and counted. **Footnotes** become ``[^N]`` references with their
  definitions in the same clause (also from a table cell). **Bold** runs are kept as strong text; **images** are written to
  ``figures/`` and written as figures `![alt](figures/…){#fig-…}` (a missing alt text gets a placeholder and is
  flagged); tables keep their cells (merged cells noted).
"""
from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from lxml import etree

from guideline.comments.docx_import import q
from guideline.comments.safezip import SafeZip
from guideline.diagnostics import UserError
from guideline.importers.stream import (
    COMMENTARY,
    FRONT,
    METADATA,
    TITLE,
    TOC,
    Figure,
    SourcePara,
    box_kind,
    is_table_caption,
    mapping_meta,
    merge_inlines,
    span_grid,
    table_caption,
    take_figure_caption,
    trim_inlines,
    with_inner,
)
from guideline.model import FootnoteRef, Inline, Link, Placeholder, Strong, Table, Text, inline_text
from guideline.ooxml import table_rows
from guideline.numbering import circled

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
V = "urn:schemas-microsoft-com:vml"
MAX_IMAGE_BYTES = 10 * 1024 * 1024
IMAGE_TYPES = {".png": ".png", ".jpg": ".jpg", ".jpeg": ".jpg", ".svg": ".svg", ".gif": ".gif", ".emf": ".emf",
               ".wmf": ".wmf", ".bmp": ".bmp"}
_HEADING = re.compile(r"^(?:heading|見出し)\s*(\d)$", re.I)
_TOC_STYLE = re.compile(r"^(?:toc|目次)\s*\d*$|^toc ?heading$", re.I)
ROLE_STYLES = {  # our own writer's styles (writers/edition/docx_styles.py) and Word's built-in ones
    "title": TITLE, "subtitle": FRONT, "titlestatus": FRONT, "titledate": FRONT, "samplenotice": FRONT,
    "commentary": COMMENTARY, "解説": COMMENTARY, "mappingnote": METADATA, "tocheading": TOC,
}


def _r(tag: str) -> str:
    return f"{{{R}}}{tag}"


# --------------------------------------------------------------------------------------------------------------------
# numbering.xml: the number Word displays for a w:numPr paragraph

_KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
_IROHA = "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセス"
_KANJI = "〇一二三四五六七八九"


def _kanji(n: int) -> str:
    if n < 10:
        return _KANJI[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _KANJI[tens]) + "十" + (_KANJI[ones] if ones else "")


def format_number(n: int, fmt: str) -> str:
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return circled(n)
    if fmt in ("aiueoFullWidth", "aiueo"):
        return _KANA[(n - 1) % len(_KANA)]
    if fmt in ("iroha", "irohaFullWidth"):
        return _IROHA[(n - 1) % len(_IROHA)]
    if fmt == "lowerLetter":
        return chr(96 + (n - 1) % 26 + 1)
    if fmt == "upperLetter":
        return chr(64 + (n - 1) % 26 + 1)
    if fmt in ("ideographDigital", "japaneseCounting", "chineseCounting", "chineseCountingThousand",
               "japaneseLegal", "taiwaneseCountingThousand"):
        return _kanji(n)
    if fmt in ("lowerRoman", "upperRoman"):
        vals = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
        out, k = "", n
        for v, s in vals:
            while k >= v:
                out += s
                k -= v
        return out if fmt == "lowerRoman" else out.upper()
    return str(n)


class Numbering:
    """Counters of Word's list numbering: ``label(numId, ilvl)`` gives the next displayed number."""

    def __init__(self, root: etree._Element | None):
        self.abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        if root is None:
            return
        for an in root.iter(q("abstractNum")):
            levels = {}
            for lvl in an.iter(q("lvl")):
                ilvl = int(lvl.get(q("ilvl")) or 0)
                fmt = _val(lvl.find(q("numFmt"))) or "decimal"
                text = _val(lvl.find(q("lvlText")))
                start = int(_val(lvl.find(q("start"))) or 1)
                levels[ilvl] = (fmt, text, start)
            self.abstract[an.get(q("abstractNumId")) or ""] = levels
        for num in root.iter(q("num")):
            overrides = {}
            for ov in num.iter(q("lvlOverride")):
                so = ov.find(q("startOverride"))
                if so is not None:
                    overrides[int(ov.get(q("ilvl")) or 0)] = int(_val(so) or 1)
            self.nums[num.get(q("numId")) or ""] = (_val(num.find(q("abstractNumId"))), overrides)

    def label(self, num_id: str, ilvl: int) -> tuple[str, bool]:
        """(displayed label, is a bullet) for the next paragraph of list ``num_id`` at level ``ilvl``."""
        if num_id not in self.nums or num_id == "0":
            return "", False
        abstract_id, overrides = self.nums[num_id]
        levels = self.abstract.get(abstract_id, {})
        if ilvl not in levels:
            return "", False
        fmt, text, _start = levels[ilvl]
        if fmt == "bullet":
            return "", True
        if fmt == "none":
            return text if "%" not in text else "", False
        counters = self.counters.setdefault(abstract_id, {})
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        start = overrides.get(ilvl, levels[ilvl][2])
        counters[ilvl] = counters.get(ilvl, start - 1) + 1

        def sub(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            lv = levels.get(k)
            if lv is None:
                return ""
            value = counters.get(k, overrides.get(k, lv[2]))
            return format_number(value, lv[0])

        return re.sub(r"%(\d)", sub, text), False


def _val(el: etree._Element | None) -> str:
    return el.get(q("val")) or "" if el is not None else ""


# --------------------------------------------------------------------------------------------------------------------
# styles.xml


class Styles:
    def __init__(self, root: etree._Element | None):
        self.by_id: dict[str, tuple[str, str, int | None]] = {}  # id → (name, basedOn, outline level)
        if root is None:
            return
        for st in root.iter(q("style")):
            if st.get(q("type")) not in (None, "paragraph"):
                continue
            sid = st.get(q("styleId")) or ""
            name = _val(st.find(q("name")))
            based = _val(st.find(q("basedOn")))
            ol = st.find(f"{q('pPr')}/{q('outlineLvl')}")
            level = int(_val(ol)) + 1 if ol is not None and _val(ol).isdigit() else None
            self.by_id[sid] = (name, based, level)

    def describe(self, style_id: str) -> tuple[int, str, str]:
        """(heading level, role, style name) of a paragraph style, following basedOn."""
        seen = 0
        sid = style_id
        name0 = self.by_id.get(style_id, (style_id, "", None))[0] or style_id
        while sid and seen < 10:
            name, based, level = self.by_id.get(sid, (sid, "", None))
            for candidate in (name, sid):
                key = (candidate or "").replace(" ", "").lower()
                if key in ROLE_STYLES:
                    return 0, ROLE_STYLES[key], name0
                if _TOC_STYLE.match(candidate or ""):
                    return 0, TOC, name0
                m = _HEADING.match(candidate or "")
                if m:
                    return int(m.group(1)), "", name0
            if level is not None and level <= 9:
                return level, "", name0
            sid = based
            seen += 1
        return 0, "", name0


# --------------------------------------------------------------------------------------------------------------------
# the document


class _Reader:
    def __init__(self, z: SafeZip, where: str):
        self.z = z
        self.where = where
        self.rels = self._rels("word/_rels/document.xml.rels")
        self.styles = Styles(self._xml("word/styles.xml"))
        self.numbering = Numbering(self._xml("word/numbering.xml"))
        self.footnotes = self._notes("word/footnotes.xml", "footnote")
        self.paras: list[SourcePara] = []
        self.index = 0
        self.stats = {"insertions": 0, "deletions": 0, "moves": 0}
        self.neutralised: list[str] = []
        self.images_missing_alt = 0
        self.note_no = 0
        self.styled = 0
        self.last_text_para = -1  # index of the last paragraph read with text (a caption right above a table)

    def _xml(self, name: str) -> etree._Element | None:
        return self.z.xml(name) if name in self.z.names else None

    def _rels(self, name: str) -> dict[str, tuple[str, str, bool]]:
        out: dict[str, tuple[str, str, bool]] = {}
        root = self._xml(name)
        if root is None:
            return out
        for rel in root.iter(f"{{{PR}}}Relationship"):
            out[rel.get("Id") or ""] = (rel.get("Type") or "", rel.get("Target") or "",
                                        (rel.get("TargetMode") or "") == "External")
        return out

    def _notes(self, name: str, tag: str) -> dict[str, str]:
        root = self._xml(name)
        out: dict[str, str] = {}
        if root is None:
            return out
        for note in root.iter(q(tag)):
            if note.get(q("type")) in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            text = "".join(t.text or "" for t in note.iter(q("t")))
            out[note.get(q("id")) or ""] = " ".join(text.split())
        return out

    # ---- body ---------------------------------------------------------------------------------------------------

    def read(self, body: etree._Element) -> None:
        for el in self._blocks(body):
            if el.tag == q("p"):
                self._paragraph(el)
            elif el.tag == q("tbl"):
                self._table(el)

    def _blocks(self, parent: etree._Element):
        for el in parent:
            if el.tag in (q("p"), q("tbl")):
                yield el
            elif el.tag in (q("sdt"),):
                content = el.find(q("sdtContent"))
                if content is not None:
                    yield from self._blocks(content)
            elif el.tag in (q("customXml"), q("ins"), q("moveTo")):
                if el.tag != q("customXml"):
                    self.stats["insertions" if el.tag == q("ins") else "moves"] += 1
                yield from self._blocks(el)
            elif el.tag in (q("del"), q("moveFrom")):
                self.stats["deletions" if el.tag == q("del") else "moves"] += 1

    def _paragraph(self, p: etree._Element) -> None:
        self.index += 1
        ppr = p.find(q("pPr"))
        style_id = _val(ppr.find(q("pStyle"))) if ppr is not None else ""
        level, role, style_name = self.styles.describe(style_id) if style_id else (0, "", "")
        if ppr is not None and not level and not role:
            ol = ppr.find(q("outlineLvl"))
            if ol is not None and _val(ol).isdigit() and int(_val(ol)) < 9:
                level = int(_val(ol)) + 1
        label, bullet = "", False
        num = ppr.find(q("numPr")) if ppr is not None else None
        if num is not None:
            label, bullet = self.numbering.label(_val(num.find(q("numId"))), int(_val(num.find(q("ilvl"))) or 0))
        anchor = ""
        for bm in p.iter(q("bookmarkStart")):
            name = bm.get(q("name")) or ""
            if name and not name.startswith("_"):
                anchor = name
                break
        inlines: list[Inline] = []
        notes: list[tuple[str, str]] = []
        figures: list[Figure] = []
        self._runs(p, inlines, notes, figures, bold=False, state={"field": []})
        inlines = merge_inlines(inlines)
        if label:
            inlines.insert(0, Text(label + "\u3000"))
        where = f"paragraph {self.index}"
        if style_name:
            where += f" ({style_name})"
        text = inline_text(tuple(inlines)).strip()
        if text:
            if level:
                self.styled += 1
            self.last_text_para = self.index
            para = SourcePara(0, where, inlines=tuple(trim_inlines(inlines)), style_level=level, anchor=anchor,
                              role=role or "body", role_detail=style_name if role else "", bullet=bullet,
                              notes=notes, meta=mapping_meta(text) if role == METADATA else ())
            if figures or level or not take_figure_caption(self.paras, para):
                self.paras.append(para)
        for fig in figures:
            self.paras.append(SourcePara(0, where, figure=fig, role=role or "body"))
        if not text and not figures and any(br.get(q("type")) == "page" for br in p.iter(q("br"))):
            self.paras.append(SourcePara(0, f"{where} (page break)", page_break=True, role=role or "body"))

    def _runs(self, el: etree._Element, out: list[Inline], notes: list[tuple[str, str]], figures: list[Figure], bold: bool,
              state: dict) -> None:
        for child in el:
            tag = child.tag
            if tag == q("r"):
                self._run(child, out, notes, figures, state)
            elif tag in (q("ins"), q("moveTo")):
                self.stats["insertions" if tag == q("ins") else "moves"] += 1
                self._runs(child, out, notes, figures, bold, state)
            elif tag in (q("del"), q("moveFrom")):
                self.stats["deletions" if tag == q("del") else "moves"] += 1
            elif tag == q("hyperlink"):
                inner: list[Inline] = []
                self._runs(child, inner, notes, figures, bold, state)
                rid = child.get(_r("id"))
                target = self.rels.get(rid or "", ("", "", False))[1] if rid else ""
                if target.startswith(("http://", "https://", "mailto:")) and inner:
                    out.append(Link(target, tuple(merge_inlines(inner))))
                else:
                    if target and not target.startswith("#"):
                        self.neutralised.append(f"a link to {target[:60]} kept as text only")
                    out.extend(inner)
            elif tag in (q("smartTag"), q("sdt"), q("sdtContent"), q("fldSimple"), q("customXml")):
                self._runs(child, out, notes, figures, bold, state)
            elif tag in (q("pPr"), q("bookmarkStart"), q("bookmarkEnd"), q("commentRangeStart"),
                         q("commentRangeEnd"), q("proofErr")):
                continue

    def _run(self, r: etree._Element, out: list[Inline], notes: list[tuple[str, str]], figures: list[Figure],
             state: dict) -> None:
        rpr = r.find(q("rPr"))
        bold = False
        placeholder = False
        if rpr is not None:
            b = rpr.find(q("b"))
            bold = b is not None and (b.get(q("val")) or "true").lower() not in ("0", "false", "off")
            placeholder = _val(rpr.find(q("rStyle"))) == "Placeholder"
        buf: list[str] = []

        def emit(text: str) -> None:
            if not text:
                return
            if placeholder:
                out.append(Placeholder(text.strip("〔〕")))
            elif bold and text.strip():
                out.append(Strong((Text(text),)))
            else:
                out.append(Text(text))

        for child in r:
            tag = child.tag
            if tag == q("fldChar"):
                kind = child.get(q("fldCharType"))
                if kind == "begin":
                    state["field"].append("code")
                elif kind == "separate" and state["field"]:
                    state["field"][-1] = "result"
                elif kind == "end" and state["field"]:
                    state["field"].pop()
                continue
            if state["field"] and state["field"][-1] == "code":
                continue  # a field's instruction, not its displayed result
            if tag == q("t"):
                buf.append(child.text or "")
            elif tag == q("tab"):
                buf.append("\u3000" if not buf or not buf[-1].endswith("\u3000") else "")
            elif tag in (q("br"), q("cr")):
                buf.append(" ")
            elif tag == q("noBreakHyphen"):
                buf.append("-")
            elif tag == q("footnoteReference"):
                self.note_no += 1
                text = self.footnotes.get(child.get(q("id")) or "", "")
                emit("".join(buf))
                buf = []
                out.append(FootnoteRef(str(self.note_no)))
                notes.append((str(self.note_no), text))
            elif tag in (q("drawing"), q("pict"), q("object")):
                figures.extend(self._images(child))
            elif tag == q("commentReference"):
                continue
        emit("".join(buf))

    def _images(self, el: etree._Element) -> list[Figure]:
        out: list[Figure] = []
        alt = ""
        for doc_pr in el.iter(f"{{{WP}}}docPr"):
            alt = (doc_pr.get("descr") or doc_pr.get("title") or "").strip()
        refs = [(b.get(_r("embed")), b.get(_r("link"))) for b in el.iter(f"{{{A}}}blip")]
        refs += [(d.get(_r("id")), None) for d in el.iter(f"{{{V}}}imagedata")]
        for embed, link in refs:
            if link and not embed:
                self.neutralised.append(f"a linked picture ({self.rels.get(link, ('', '?', True))[1]}) was not "
                                        "fetched")
                out.append(Figure("linked", None, alt))
                continue
            kind, target, external = self.rels.get(embed or "", ("", "", False))
            if external or not target:
                self.neutralised.append(f"an external picture ({target or '?'}) was not fetched")
                out.append(Figure("external", None, alt))
                continue
            part = str(PurePosixPath("word") / target) if not target.startswith("/") else target.lstrip("/")
            part = str(PurePosixPath(*[x for x in PurePosixPath(part).parts if x != "."]))
            ext = IMAGE_TYPES.get(PurePosixPath(part).suffix.lower())
            if part not in self.z.names or ext is None:
                out.append(Figure(PurePosixPath(part).name, None, alt))
                continue
            data = self.z.read(part)
            if len(data) > MAX_IMAGE_BYTES:
                out.append(Figure(PurePosixPath(part).name, None, alt))
                continue
            if not alt:
                self.images_missing_alt += 1
            out.append(Figure(f"image{ext}", data, alt))
        return out

    def _box(self, tbl: etree._Element) -> bool:
        """A one-cell table whose first line is 【参考】, 【例】 or 【注意】 (how our writer prints a box) becomes one
        box entry holding the cell's paragraphs; False when ``tbl`` is no box."""
        rows = [tr for tr in tbl if tr.tag == q("tr")]
        cells = rows[0].findall(q("tc")) if len(rows) == 1 else []
        if len(cells) != 1:
            return False
        first = next((p for p in cells[0].iter(q("p")) if "".join(t.text or "" for t in p.iter(q("t"))).strip()),
                     None)
        kind = box_kind("".join(t.text or "" for t in first.iter(q("t")))) if first is not None else ""
        if not kind:
            return False
        self.index += 1
        index, last, outer = self.index, self.last_text_para, self.paras
        self.paras = []
        for el in self._blocks(cells[0]):
            if el is first:
                continue
            if el.tag == q("p"):
                self._paragraph(el)
            else:
                self._table(el)
        inner, self.paras = tuple(self.paras), outer
        self.index, self.last_text_para = index, last
        context = outer[-1].role if outer and outer[-1].role == COMMENTARY else "body"  # a box inside a 解説
        self.paras.append(SourcePara(0, f"paragraph {index} (box 【{kind}】)", box=kind, inner=inner, role=context,
                                     notes=[n for p in with_inner(inner) for n in p.notes]))
        return True

    def _table(self, tbl: etree._Element) -> None:
        if self._box(tbl):
            return
        self.index += 1
        rows: list[list[tuple[tuple[Inline, ...], int, int]]] = []
        header_rows = 0
        col0: list[list[Inline]] = []  # the cells of the body rows that start in the first column
        notes: list[tuple[str, str]] = []  # footnotes referenced from the cells (defined in the clause)
        for row in table_rows(tbl):  # merged cells resolved (guideline.ooxml)
            cells: list[tuple[tuple[Inline, ...], int, int]] = []
            for cell in row.cells:
                inl: list[Inline] = []
                for p in cell.tc.iter(q("p")):
                    part: list[Inline] = []
                    self._runs(p, part, notes, [], False, {"field": []})
                    if part:
                        if inl:
                            inl.append(Text(" "))
                        inl.extend(part)
                if cell.column == 0 and not row.header:
                    col0.append(trim_inlines(merge_inlines(inl)))
                cells.append((tuple(trim_inlines(merge_inlines(inl))), cell.rowspan, cell.colspan))
            if cells:
                if row.header and header_rows == len(rows):
                    header_rows += 1
                rows.append(cells)
        if not rows:
            return
        where = f"paragraph {self.index} (table)"
        caption: tuple[Inline, ...] = ()
        above = self.paras[-1] if self.paras else None
        if (above is not None and self.last_text_para == self.index - 1 and above.table is None and above.figure is None
                and above.role == "body" and not above.notes and is_table_caption(above.text)):
            caption = table_caption(list(above.inlines))  # 「表2　…」 printed right above the table: its caption
            where = f"{above.where.split(' (')[0]}–{self.index} (caption and table)"
            self.paras.pop()
        grid, merged = span_grid(rows)
        if merged or caption:  # a table block: the rows as the input spans them, bold header rows as plain text
            row_header = any(col0) and all(_all_bold(c) for c in col0 if c)
            block_rows = tuple(tuple((tuple(_unbold(inl)) if r < header_rows or (row_header and i == 0) else inl, rs, cs)
                                     for i, (inl, rs, cs) in enumerate(row)) for r, row in enumerate(rows))
            self.paras.append(SourcePara(0, where, table=Table(header=grid[0], rows=tuple(grid[1:])),
                                         merged=block_rows, header_rows=header_rows, caption=caption,
                                         row_header=row_header, notes=notes))
            return
        header = tuple(tuple(_unbold(cell)) for cell in grid[0])  # a header row is bold by its nature
        t = Table(header=header, rows=tuple(grid[1:]))  # a pipe table: its first row is the header
        self.paras.append(SourcePara(0, where, table=t, header_rows=header_rows or 1, notes=notes))


def _all_bold(inlines) -> bool:
    """Every visible character of a cell is bold (a row header cell, as our writer prints one)."""
    return SourcePara(0, "", inlines=tuple(inlines)).bold


def _unbold(inlines) -> list[Inline]:
    out: list[Inline] = []
    for n in inlines:
        out.extend(n.children if isinstance(n, Strong) else (n,))
    return merge_inlines(out)


def read_docx(path: Path) -> tuple[list[SourcePara], dict]:
    where = str(path)
    with SafeZip(path, "DOCX") as z:
        if "word/document.xml" not in z.names:
            raise UserError(f"{where}: not a Word document (no word/document.xml); save it from Word as .docx")
        macros = sorted(n for n in z.names if n.lower().endswith("vbaproject.bin") or n.lower().endswith(".bin")
                        and "vba" in n.lower())
        content_types = z.read("[Content_Types].xml") if "[Content_Types].xml" in z.names else b""
        if macros or b"macroEnabled" in content_types:
            raise UserError(f"{where}: the document contains macros ({', '.join(macros) or 'macro-enabled type'}); "
                            "macros are never run, and the file is refused: save it from Word as a .docx without "
                            "macros and import that")
        z.check_all_xml()
        reader = _Reader(z, where)
        for name in sorted(z.names):
            if name.endswith(".rels"):
                for rid, (kind, target, external) in reader._rels(name).items():
                    kind_name = kind.rsplit("/", 1)[-1]
                    if external and kind_name not in ("hyperlink", "image"):
                        reader.neutralised.append(f"external {kind_name} relationship in {name} to {target} "
                                                  "ignored (never followed)")
        document = z.xml("word/document.xml")
        body = document.find(q("body"))
        if body is None:
            raise UserError(f"{where}: word/document.xml has no body")
        reader.read(body)
        comments = 0
        if "word/comments.xml" in z.names:
            comments = sum(1 for _ in z.xml("word/comments.xml").iter(q("comment")))
    for n, p in enumerate(reader.paras, 1):
        p.index = n
    info: dict = {"word": {"tracked_changes": {"insertions": reader.stats["insertions"],
                                               "deletions": reader.stats["deletions"],
                                               "moves": reader.stats["moves"],
                                               "accepted": bool(sum(reader.stats.values()))},
                           "comments": comments, "footnotes": reader.note_no,
                           "heading_styles": reader.styled,
                           "images_without_alt_text": reader.images_missing_alt}}
    if reader.neutralised:
        info["neutralised"] = reader.neutralised
    return reader.paras, info


__all__ = ["read_docx", "Numbering", "Styles", "format_number"]
