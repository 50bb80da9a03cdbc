"""新旧対照表 (``comparison.html``, ``comparison.docx``, ``comparison.pdf``): the two editions side by side.

Two columns, 改正後 | 改正前 (the order is a setting), rows aligned clause by clause. Changed words are underlined
(傍線) in both columns; a number that changed is double-underlined; runs of unchanged clauses collapse to 「（略）」
rows, keeping the headings of the parents of the changes shown; a new clause has 「（新設）」 in the old column, a
removed one 「（削除）」 in the new column. A caption 「（傍線部分は改正部分）」 and a title line naming both editions
head the table; a 項番対応表 (old number ↔ new number) follows it.

The rows are built once per change set (:func:`table_of`) and rendered three ways: HTML, a real Word table in a landscape A4 DOCX
(python-docx, then re-zipped with fixed timestamps), and a PDF laid out by Typst from the rows as data
(:func:`pdf_data`, ``templates/pdf/comparison.typ``).
"""
from __future__ import annotations

import datetime
import io
import threading
import weakref
import zipfile
from dataclasses import dataclass, field
from html import escape

from guideline import __version__
from guideline.diff.changeset import Change, ChangeSet, TextDiff
from guideline.figures import figure_files, figures_of
from guideline.model import NETWORK_MODELS, Asset, Clause, Edition, inline_text
from guideline.render_html import RELATIONSHIP_JA, data_uri, jinja_env, templates_dir
from guideline.vocabulary import KIND_JA, NEW_LABEL, OLD_LABEL, PLACEHOLDER_CLOSE, PLACEHOLDER_OPEN, wareki
from guideline.writers.changes import ChangeOptions
from guideline.writers.edition.docx_ooxml import W_NS
from guideline.writers.edition.docx_parts import drawing_run, raster
from guideline.writers.edition.pdf import clean, figure_file
from guideline.writers.edition.typst_pdf import compile_pdf

CAPTION = "（傍線部分は改正部分）"
OMIT, ADDED, DELETED = "（略）", "（新設）", "（削除）"
KIND_NOTE = {**KIND_JA, "changed": "", "unchanged": ""}  # the 備考 of a row: a plain change needs no word
FONT = "Noto Serif CJK JP"


@dataclass
class Seg:
    text: str
    mark: str = ""  # "" | "u" (傍線: changed) | "uu" (二重傍線: renumbered)
    placeholder: int = 0  # > 0: part of a placeholder (shaded, bracketed 〔…〕); consecutive segments of one
    #                       placeholder (split by a change inside it) share the number, which is unique in the line


@dataclass
class Line:
    segs: list[Seg]
    kind: str = "para"  # heading | para | item | row | code | note | omit | label | mapping | figure
    depth: int = 0
    label: int = 0  # how many of the first segs are the list label ("(ア)"), printed with a space after it
    image: Asset | None = None  # the figure file shown above the caption (kind figure)
    alt: str = ""

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segs)


@dataclass
class Row:
    kind: str  # context | omitted | change
    new: list[Line]
    old: list[Line]
    change_kind: str = ""
    anchor: str = ""


@dataclass
class Table:
    title: str
    editions_line: str
    rows: list[Row] = field(default_factory=list)
    correspondence: list[tuple[str, str, str, str]] = field(default_factory=list)  # new, old, heading, note
    excerpt: bool = False


# --------------------------------------------------------------------------------------------------------------------
# building the rows


def _omit() -> Line:
    return Line([Seg(OMIT)], "omit")


def _plain(text: str, kind: str = "para", mark: str = "") -> Line:
    return Line([Seg(text, mark)], kind)


def _heading_line(clause: Clause, heading_segs: list[Seg], number_mark: str) -> Line:
    segs = []
    if clause.number:
        segs.append(Seg(clause.number, number_mark))
        segs.append(Seg("　"))
    return Line(segs + heading_segs, "heading", 0)


def _side_segs(d: TextDiff, side: str, whole_mark: str = "", at: int = 0) -> list[Seg]:
    """Segments of one side of a unit diff: changed words underlined, the other side's runs left out, placeholders
    numbered. ``at``: where this diff's runs start in the unit's text (after earlier pieces of a split or merge)."""
    skip = "delete" if side == "new" else "insert"
    unit = d.new if side == "new" else d.old
    spans = unit.placeholders if unit is not None else ()
    segs = []
    for op, text in d.runs:
        if op == skip:
            continue
        mark = whole_mark or ("" if op == "equal" else "u")
        end = at + len(text)
        cuts = sorted({at, end, *(p for span in spans for p in span if at < p < end)})
        for a, b in zip(cuts, cuts[1:]):
            number = next((k for k, (s, e) in enumerate(spans, 1) if s <= a and b <= e), 0)
            segs.append(Seg(text[a - at:b - at].replace("\t", "　｜　"), mark, number))
        at = end
    return segs


def _label_seg(d: TextDiff, side: str, whole_mark: str) -> list[Seg]:
    unit = d.new if side == "new" else d.old
    if unit is None or not unit.label:
        return []
    other = d.old if side == "new" else d.new
    changed = other is not None and other.label != unit.label
    return [Seg(unit.label, whole_mark or ("u" if changed else ""))]


def _unit_lines(diffs: list[TextDiff], side: str, whole_mark: str = "", collapse: bool = True) -> list[Line]:
    """Lines of one side; unchanged units collapse to （略） when ``collapse``; pieces of split/merged units join."""
    lines: list[Line] = []
    last_unit = None
    at = 0  # where the next piece starts in the text of last_unit
    skip = "delete" if side == "new" else "insert"
    for d in diffs:
        unit = d.new if side == "new" else d.old
        if unit is None:
            continue
        if unit is not last_unit:
            at = 0
        if collapse and d.op == "equal":
            if not lines or lines[-1].kind != "omit":
                lines.append(_omit())
            last_unit = unit
            continue
        segs = _side_segs(d, side, whole_mark, at)
        at += sum(len(text) for op, text in d.runs if op != skip)
        if unit is last_unit and lines and lines[-1].kind != "omit":  # another piece of the same unit
            lines[-1].segs.extend(segs)
            continue
        label = _label_seg(d, side, whole_mark)
        lines.append(Line(label + segs, unit.kind if unit.kind != "para" else "para", unit.depth, len(label)))
        last_unit = unit
    return lines


def _nisc_line(clauses: tuple[Clause, ...], marked: set[str] | None) -> Line:
    """「統一基準との対応：…」 of some clauses, the mappings in ``marked`` (None: all of them) underlined."""
    segs = [Seg("統一基準との対応：")]
    seen: set[str] = set()
    for c in clauses:
        for m in c.meta.nisc:
            if m.nisc_id in seen:
                continue
            if seen:
                segs.append(Seg("、"))
            seen.add(m.nisc_id)
            rel = RELATIONSHIP_JA.get(m.relationship, m.relationship).split("（")[0]
            segs.append(Seg(f"{m.nisc_id}（{rel}）", "u" if marked is None or m.nisc_id in marked else ""))
    if not seen:
        segs.append(Seg("なし"))
    return Line(segs, "mapping")


def _mapping_lines(ch: Change, side: str) -> list[Line]:
    md = ch.meta
    if not (md.nisc_changes or md.models):
        return []
    lines = []
    clauses = ch.new if side == "new" else ch.old
    if md.nisc_changes:
        changed_ids = {b.nisc_id for _, b in md.nisc_changed}
        marked = {m.nisc_id for m in (md.nisc_added if side == "new" else md.nisc_removed)} | changed_ids
        lines.append(_nisc_line(clauses, marked))
    if md.models:
        models = md.models[0] if side == "old" else md.models[1]
        names = "・".join(NETWORK_MODELS.get(m, m) for m in models) or "全てのモデル"
        lines.append(Line([Seg("対象モデル："), Seg(names, "u")], "mapping"))
    return lines


def _side_lines(ch: Change, side: str, edition: Edition | None = None, other: Edition | None = None) -> list[Line]:
    clauses = ch.new if side == "new" else ch.old
    if not clauses:
        return [_plain(DELETED if side == "new" else ADDED, "note")]
    whole = "u" if ch.kind in ("added", "deleted") else ""
    lines: list[Line] = []
    text_changed = ch.text_changed or ch.kind in ("added", "deleted")
    for clause in clauses:
        # heading
        hd = next((d for d in ch.headings if (d.new if side == "new" else d.old) is not None
                   and (d.new if side == "new" else d.old).clause_id == clause.id), None)
        heading_segs = _side_segs(hd, side, whole) if hd is not None else [Seg(clause.heading)]
        if whole:
            number_mark = "u"
        elif hd is not None and hd.op in ("insert", "delete"):
            number_mark = "u"  # a clause that joins or leaves the group
        elif ch.kind == "changed" and "number" in ch.aspects:
            number_mark = "uu"
        elif ch.kind in ("split", "merged"):
            partner = hd.old if side == "new" else hd.new
            other = (ch.old if side == "new" else ch.new)
            twin = next((c for c in other if partner is not None and c.id == partner.clause_id), None)
            number_mark = "uu" if twin is not None and twin.number != clause.number else ""
        else:
            number_mark = ""
        lines.append(_heading_line(clause, heading_segs, number_mark))
        if side == "new" and ch.kind == "changed" and "moved" in ch.aspects:
            lines.append(_plain(f"（{ch.old[0].address}から移動）", "note"))
        if side == "new" and clause is clauses[0] and ch.kind in ("split", "merged"):
            olds = "、".join(c.address for c in ch.old)
            lines.append(_plain(f"（{olds}から{KIND_NOTE[ch.kind]}）", "note"))
        # text
        if side == "new":
            body = [d for d in ch.body if d.host == clause.id and (d.new is not None or ch.kind != "deleted")]
            com = [d for d in ch.commentary if d.host == clause.id]
        else:
            body = [d for d in ch.body if d.old is not None and d.old.clause_id == clause.id]
            com = [d for d in ch.commentary if d.old is not None and d.old.clause_id == clause.id]
        if text_changed:
            lines.extend(_unit_lines(body, side, whole))
            if any(d.op != "equal" for d in com):
                lines.append(_plain("【解説】", "label"))
                lines.extend(_unit_lines(com, side, whole))
        elif any((d.new if side == "new" else d.old) is not None for d in (*body, *com)):
            lines.append(_omit())
    if ch.kind == "changed" and "figure" in ch.aspects and edition is not None and other is not None:
        lines.extend(_figure_lines(clauses, edition, ch.old if side == "new" else ch.new, other))
    if ch.kind == "changed" and "metadata" in ch.aspects:
        lines.extend(_mapping_lines(ch, side))
    elif whole and any(c.meta.nisc for c in clauses):  # a new (or removed) clause: all of its mappings are new
        lines.append(_nisc_line(clauses, None))
    return lines


def _figure_lines(clauses: tuple[Clause, ...], edition: Edition, other_clauses: tuple[Clause, ...],
                  other: Edition) -> list[Line]:
    """The figures of one side of a change whose figure files changed; a figure absent from the other side, or
    drawn differently there, has its caption underlined."""
    there = {f for c in other_clauses for f in figure_files(c, other)}
    lines = []
    for clause in clauses:
        for fig in figures_of(clause):
            asset = edition.assets.get(fig.src)
            changed = (fig.src, asset.digest if asset is not None else "") not in there
            caption = inline_text(fig.caption, edition, clause)
            lines.append(Line([Seg(f"{fig.number}　{caption}".strip(), "u" if changed else "")], "figure",
                              image=asset, alt=fig.alt))
    return lines


def _context_row(ch: Change) -> Row:
    def heading(c: Clause) -> Line:
        return _heading_line(c, [Seg(c.heading)], "")

    return Row("context", [heading(c) for c in ch.new], [heading(c) for c in ch.old], "unchanged")


def build(cs: ChangeSet) -> Table:
    o, n = cs.old.meta, cs.new.meta
    table = Table(
        title=f"{n.title}　新旧対照表",
        editions_line=f"{OLD_LABEL}：{o.shown_name}（{wareki(o.date)}）　"
                      f"{NEW_LABEL}：{n.shown_name}（{wareki(n.date)}）",
    )
    by_new = cs.by_new_id()
    by_old = cs.by_old_id()

    def ancestors(ch: Change) -> list[Change]:
        if ch.new:
            chain = [by_new[a.id] for a in cs.new.ancestors(ch.new[0].id)]
        else:
            chain = [by_old[a.id] for a in cs.old.ancestors(ch.old[0].id)]
        out: list[Change] = []
        for a in chain:
            if a is not ch and all(a is not x for x in out):
                out.append(a)
        return out

    path: list[Change] = []
    skipped: list[Change] = []
    rows = table.rows
    for ch in cs.changes:
        if ch.kind == "unchanged":
            skipped.append(ch)
            continue
        anc = ancestors(ch)
        need = [a for a in anc if all(a is not p for p in path)]
        pending = False
        for s in skipped:
            if any(s is a for a in need):
                if pending:
                    rows.append(Row("omitted", [_omit()], [_omit()]))
                    pending = False
                rows.append(_context_row(s))
            else:
                pending = True
        for a in need:  # ancestors that were not among the skipped entries (already shown elsewhere)
            if all(a is not s for s in skipped) and a.kind == "unchanged":
                rows.append(_context_row(a))
        if pending:
            rows.append(Row("omitted", [_omit()], [_omit()]))
        anchor = f"row-{ch.new[0].id}" if ch.new else f"row-old-{ch.old[0].id}"
        rows.append(Row("change", _side_lines(ch, "new", cs.new, cs.old), _side_lines(ch, "old", cs.old, cs.new),
                        ch.kind, anchor))
        path = anc + [ch]
        skipped = []
    if skipped:
        rows.append(Row("omitted", [_omit()], [_omit()]))
    table.excerpt = any(r.kind == "omitted" for r in rows)
    if table.excerpt:
        table.title += "（抄）"
    for ch in cs.changes:
        if ch.kind == "unchanged" or (ch.kind == "changed" and not {"number", "moved"} & set(ch.aspects)):
            continue
        note = KIND_NOTE[ch.kind] or ("移動" if "moved" in ch.aspects else "項番の変更")
        heading = (ch.new or ch.old)[0].heading
        table.correspondence.append(("、".join(ch.new_numbers) or "—", "、".join(ch.old_numbers) or "—",
                                     heading, note))
    return table


_last_lock = threading.Lock()
_last: tuple[weakref.ref, Table] | None = None


def table_of(cs: ChangeSet) -> Table:
    """The rows of ``cs``, built once for its three forms (``diff`` lays out the PDF in a thread beside the HTML and
    Word forms); the last change set's rows are kept while it lives."""
    global _last
    with _last_lock:
        if _last is not None and _last[0]() is cs:
            return _last[1]
        table = build(cs)
        _last = (weakref.ref(cs), table)
        return table


# --------------------------------------------------------------------------------------------------------------------
# HTML


def placeholder_edges(segs: list[Seg], i: int) -> tuple[bool, bool]:
    """Whether segment ``i`` opens and whether it closes a placeholder (for the 〔 and 〕 of every writer)."""
    k = segs[i].placeholder
    if not k:
        return False, False
    return (i == 0 or segs[i - 1].placeholder != k), (i + 1 == len(segs) or segs[i + 1].placeholder != k)


def _segs_html(segs: list[Seg]) -> str:
    out = []
    for i, s in enumerate(segs):
        opens, closes = placeholder_edges(segs, i)
        if opens:
            out.append('<span class="placeholder">')
        text = escape(s.text, quote=False)
        if s.mark == "u":
            out.append(f'<span class="u">{text}</span>')
        elif s.mark == "uu":
            out.append(f'<span class="uu">{text}</span>')
        else:
            out.append(text)
        if closes:
            out.append("</span>")
    return "".join(out)


def _cell_html(lines: list[Line]) -> str:
    out = []
    for line in lines:
        cls = f"l l-{line.kind}" + (f" depth-{line.depth}" if line.depth else "")
        if line.image is not None:  # an <img> of a data: address: the page stands alone and runs nothing
            out.append(f'<figure class="{cls}"><img src="{escape(data_uri(line.image), quote=True)}" '
                       f'alt="{escape(line.alt, quote=True)}"><figcaption>{_segs_html(line.segs)}</figcaption>'
                       "</figure>")
            continue
        out.append(f'<p class="{cls}">{_segs_html(line.segs)}</p>')
    return "".join(out)


def heads(columns: str) -> tuple[str, str]:
    return (NEW_LABEL, OLD_LABEL) if columns == "new-old" else (OLD_LABEL, NEW_LABEL)


def row_dicts(table: Table, columns: str = "new-old") -> list[dict]:
    """The table's rows as the templates take them: ``attrs`` of the ``tr`` and the HTML of the two cells."""
    new_first = columns == "new-old"
    rows = []
    for r in table.rows:
        cells = (r.new, r.old) if new_first else (r.old, r.new)
        rid = f' id="{escape(r.anchor)}"' if r.anchor else ""
        kind = f" kind-{r.change_kind}" if r.change_kind else ""
        rows.append({"attrs": f' class="row-{r.kind}{kind}"{rid}', "cells": [_cell_html(c) for c in cells]})
    return rows


def css() -> str:
    return (templates_dir() / "diff" / "comparison.css").read_text(encoding="utf-8")


def render_html(cs: ChangeSet, options: ChangeOptions = ChangeOptions(), *, table: Table | None = None) -> str:
    """comparison.html; ``table``: rows to show instead of :func:`table_of` ``cs``."""
    table = table or table_of(cs)
    columns = options.columns
    return jinja_env().get_template("diff/comparison.html.j2").render(
        table=table, heads=heads(columns), rows=row_dicts(table, columns), caption=CAPTION, css=css(),
        version=__version__, sample=cs.old.meta.sample or cs.new.meta.sample, new_first=columns == "new-old",
    )


# --------------------------------------------------------------------------------------------------------------------
# DOCX


def _fixed_date(cs: ChangeSet) -> datetime.datetime:
    d = cs.new.meta.date
    return datetime.datetime(d.year, d.month, d.day)


def _east_asian(element, font: str = FONT) -> None:
    """Set the East Asian font and language on an rPr-bearing python-docx element (style or run)."""
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:val"), "ja-JP")
    lang.set(qn("w:eastAsia"), "ja-JP")


_CENTERED = (OMIT, ADDED, DELETED)
_UNDERLINE = {"u": '<w:u w:val="single"/>', "uu": '<w:u w:val="double"/>'}
_SHADE = '<w:shd w:val="clear" w:color="auto" w:fill="FFE699"/>'  # a placeholder, shaded as in guideline.docx


def _docx_text(text: str) -> str:
    """``<w:t>`` (tabs and line breaks as ``<w:tab/>`` and ``<w:br/>``), the way python-docx's ``run.text`` sets it."""
    out = []
    for i, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
        if i:
            out.append("<w:br/>")
        for j, piece in enumerate(line.split("\t")):
            if j:
                out.append("<w:tab/>")
            if piece:
                space = ' xml:space="preserve"' if piece.strip() != piece else ""
                out.append(f"<w:t{space}>{escape(piece, quote=False)}</w:t>")
    return "".join(out)


def _docx_paragraph(line: Line) -> str:
    ppr = ""
    if line.depth:
        ppr += f'<w:ind w:left="{round(190 * line.depth)}"/>'  # 9.5 pt a level, in twentieths of a point
    if line.kind in ("omit", "note") and line.text in _CENTERED:
        ppr += '<w:jc w:val="center"/>'
    out = [f"<w:p><w:pPr>{ppr}</w:pPr>" if ppr else "<w:p>"]
    bold = "<w:b/>" if line.kind == "heading" else ""
    for i, s in enumerate(line.segs):
        opens, closes = placeholder_edges(line.segs, i)
        text = (PLACEHOLDER_OPEN if opens else "") + s.text + (PLACEHOLDER_CLOSE if closes else "")
        if not text:
            continue
        rpr = bold + _UNDERLINE.get(s.mark, "") + (_SHADE if s.placeholder else "")
        out.append(f"<w:r><w:rPr>{rpr}</w:rPr>{_docx_text(text)}</w:r>" if rpr else
                   f"<w:r>{_docx_text(text)}</w:r>")
    out.append("</w:p>")
    return "".join(out)


def render_docx(cs: ChangeSet, options: ChangeOptions = ChangeOptions(), *, table: Table | None = None) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Emu, Mm, Pt
    from docx.oxml.parser import parse_xml


    table = table or table_of(cs)
    columns = options.columns
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(18)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(9.5)
    _east_asian(normal.element)
    pf = normal.paragraph_format
    pf.space_after = Pt(0)
    pf.space_before = Pt(0)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    tr = title.add_run(table.title)
    tr.bold = True
    tr.font.size = Pt(13)
    doc.add_paragraph(table.editions_line).alignment = WD_ALIGN_PARAGRAPH.CENTER
    if cs.old.meta.sample or cs.new.meta.sample:
        doc.add_paragraph("サンプル：本ツールの動作確認用に作成した例文であり、総務省の公式のガイドラインではありません。")
    cap = doc.add_paragraph(CAPTION)
    cap.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    new_first = columns == "new-old"
    heads = (NEW_LABEL, OLD_LABEL) if new_first else (OLD_LABEL, NEW_LABEL)
    grid = doc.add_table(rows=1, cols=2)
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    width = Mm(297 - 40) // 2
    for k, head in enumerate(heads):
        cell = grid.rows[0].cells[k]
        cell.width = width
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(head).bold = True
    # repeat the header row on every page
    trpr = grid.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)
    # The rows as WordprocessingML text, parsed once: python-docx's cell and run objects are slow per paragraph.
    tc_open = f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{Emu(width).twips}"/></w:tcPr>'
    xml = []
    pictures: dict[str, str] = {}  # asset digest -> relationship id of its picture part

    def picture(line: Line) -> str:
        from lxml import etree


        drawn = raster(line.image)
        if drawn is None:
            return ""
        rid = pictures.get(line.image.digest)
        if rid is None:
            rid = pictures[line.image.digest] = doc.part.get_or_add_image(io.BytesIO(drawn[0]))[0]
        run = drawing_run(rid, "", line.image, line.alt, Emu(width).twips - 200, len(pictures) + 100)
        return f'<w:p>{etree.tostring(run, encoding="unicode")}</w:p>'

    for r in table.rows:
        xml.append("<w:tr>")
        for lines in ((r.new, r.old) if new_first else (r.old, r.new)):
            xml.append(tc_open)
            xml.extend((picture(line) if line.image is not None else "") + _docx_paragraph(line) for line in lines)
            if not lines:
                xml.append("<w:p/>")
            xml.append("</w:tc>")
        xml.append("</w:tr>")
    fragment = parse_xml(f'<w:tbl xmlns:w="{W_NS}">{"".join(xml)}</w:tbl>')
    grid._tbl.extend(list(fragment))
    if table.correspondence:
        doc.add_paragraph()
        h = doc.add_paragraph()
        h.add_run("項番対応表").bold = True
        corr = doc.add_table(rows=1, cols=4)
        corr.style = doc.styles["Table Grid"]
        for k, head in enumerate((NEW_LABEL, OLD_LABEL, "見出し", "備考")):
            corr.rows[0].cells[k].paragraphs[0].add_run(head).bold = True
        for row_values in table.correspondence:
            cells = corr.add_row().cells
            for k, value in enumerate(row_values):
                cells[k].paragraphs[0].add_run(value)
    props = doc.core_properties
    props.title = table.title
    props.author = "guideline"
    props.last_modified_by = "guideline"
    props.revision = 1
    props.created = props.modified = _fixed_date(cs)
    props.comments = f"guideline {__version__}"
    buf = io.BytesIO()
    doc.save(buf)
    return _deterministic_zip(buf.getvalue(), _fixed_date(cs))


def _deterministic_zip(data: bytes, when: datetime.datetime) -> bytes:
    """The same package with fixed entry timestamps and attributes (python-docx stamps the clock time)."""
    stamp = (max(1980, when.year), when.month, when.day, 0, 0, 0)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------------------------------------------------
# PDF (Typst)

SAMPLE_NOTE = "サンプル：この文書は本ツールの動作確認用に作成した例文であり、総務省の公式のガイドラインではありません。"
KEEP_LINES = 8  # a row of at most this many lines per side is kept on one page; longer rows may break


def _seg_data(segs: list[Seg], i: int) -> dict:
    """One segment for the template; a placeholder split by a change is shaded throughout but bracketed once
    (``po``: its 〔 stands here, ``pc``: its 〕), as in the HTML and DOCX."""
    s = segs[i]
    out = {"t": clean(s.text), "m": s.mark}
    if s.placeholder:
        out["ph"] = True
        out["po"], out["pc"] = placeholder_edges(segs, i)
    return out


def _line_data(line: Line) -> dict:
    segs = [_seg_data(line.segs, i) for i in range(len(line.segs))]
    out = {"k": line.kind, "d": line.depth, "lbl": line.label, "s": segs}
    if line.image is not None:  # a figure of the aspect "figure": its file in the compile root, and its alt text

        out["img"], out["alt"] = figure_file(line.image), clean(line.alt)
    return out


def pdf_data(cs: ChangeSet, table: Table, columns: str = "new-old") -> dict:
    """The 新旧対照表 as ``templates/pdf/comparison.typ`` takes it (the same rows as the HTML and DOCX)."""
    new_first = columns == "new-old"
    rows = []
    for r in table.rows:
        cells = (r.new, r.old) if new_first else (r.old, r.new)
        rows.append({"anchor": r.anchor, "split": max(len(r.new), len(r.old)) > KEEP_LINES,
                     "cells": [[_line_data(line) for line in cell] for cell in cells]})
    return {
        "title": clean(table.title), "editions": clean(table.editions_line), "caption": CAPTION,
        "keywords": [f"guideline {__version__}"], "sample": cs.old.meta.sample or cs.new.meta.sample,
        "sample_note": SAMPLE_NOTE, "heads": list(heads(columns)), "new_first": new_first, "rows": rows,
        "correspondence_heads": [NEW_LABEL, OLD_LABEL, "見出し", "備考"],
        "correspondence": [[clean(v) for v in row] for row in table.correspondence],
    }


def render_pdf(cs: ChangeSet, options: ChangeOptions = ChangeOptions(), *, table: Table | None = None) -> bytes:
    table = table or table_of(cs)
    columns = options.columns

    images = {figure_file(line.image): line.image.data for row in table.rows for line in (*row.new, *row.old)
              if line.image is not None}
    return compile_pdf("comparison.typ", pdf_data(cs, table, columns), cs.new.meta.date, what="comparison.pdf",
                       files=images)
