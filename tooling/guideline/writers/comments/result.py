"""The files of a round's result (:class:`guideline.comments.report.Result`): title, period, number of submissions,
and the table 番号 | 該当箇所 | 意見の概要 | 意見に対する考え方 | 修正の有無 — as HTML, DOCX and PDF, plus CSV and XLSX
for internal use; each ``render_<format>(result)`` makes one file (:data:`guideline.writers.registry.COMMENTS`).
Only the published fields of the result are written."""
from __future__ import annotations

import io
from html import escape

from guideline.comments.output import build_date, csv_bytes, neutralise, reproducible_zip
from guideline.comments.report import Result
from guideline.writers.edition.pdf import clean
from guideline.writers.edition.typst_pdf import compile_pdf

FONT = "Noto Serif CJK JP"
SAMPLE_NOTE = ("この文書は、ツールの動作を示すためにプロジェクトが作成したサンプルであり、総務省が公表したものではありません。"
               "意見・回答はすべて架空のものです。")
HEADERS = ("番号", "該当箇所", "意見の概要", "意見に対する考え方", "修正の有無")


# --------------------------------------------------------------------------------------------------------------------
# HTML

CSS = """
@page { size: A4 landscape; margin: 15mm 14mm 16mm; @bottom-center { content: counter(page) " / " counter(pages);
  font-size: 8.5pt; } }
html { font-family: "%(font)s", "Noto Serif CJK JP", "IPAexMincho", serif; font-size: 10.5pt; line-height: 1.6; }
body { margin: 0 auto; max-width: 78rem; padding: 1rem; color: #111; background: #fff; }
h1 { font-size: 1.35rem; line-height: 1.4; margin: 0 0 .8rem; }
.sample { border: 2px solid #a00; color: #a00; padding: .4rem .6rem; margin: 0 0 1rem; font-weight: bold; }
.draft { border: 2px dashed #555; padding: .3rem .6rem; margin: 0 0 1rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0 0 1rem; }
dl.facts dt { font-weight: bold; } dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%%; table-layout: fixed; }
th, td { border: 1px solid #444; padding: .3rem .4rem; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
thead th { background: #e8e8e8; }
thead { display: table-header-group; } tr { page-break-inside: avoid; }
col.num { width: 3.2rem; } col.loc { width: 11rem; } col.mark { width: 5.8rem; }
td.num, td.mark { text-align: center; }
td p { margin: 0 0 .3rem; } td p:last-child { margin-bottom: 0; }
footer { margin-top: 1rem; font-size: .9rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%%); }
""" % {"font": FONT}


def _paras(text: str) -> str:
    lines = [ln for ln in text.split("\n")]
    if not any(ln.strip() for ln in lines):
        return ""
    return "".join(f"<p>{escape(ln, quote=True)}</p>" for ln in lines if ln.strip())


def render_html(result: Result) -> str:
    r = result.data.round
    parts = [
        "<!DOCTYPE html>",
        '<html lang="ja">',
        "<head>",
        '<meta charset="utf-8">',
        # nothing in this page may run or load anything: comment text is untrusted
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "img-src 'none'; base-uri 'none'; form-action 'none'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(result.title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{escape(result.title)}</h1>",
    ]
    if result.sample:
        parts.append(f'<p class="sample">{escape(SAMPLE_NOTE)}</p>')
    if result.draft:
        parts.append(f'<p class="draft">{DRAFT_NOTE}</p>')
    parts.append('<dl class="facts">')
    for k, v in result.facts():
        parts.append(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>")
    parts.append("</dl>")
    parts.append('<table>\n<caption class="visually-hidden">提出された意見と意見に対する考え方</caption>')
    parts.append('<colgroup><col class="num"><col class="loc"><col><col><col class="mark"></colgroup>')
    parts.append("<thead><tr>" + "".join(f'<th scope="col">{h}</th>' for h in HEADERS) + "</tr></thead>")
    parts.append("<tbody>")
    for row in result.rows:
        parts.append(
            f'<tr id="row-{row.number}"><td class="num">{row.number}</td>'
            f'<td class="loc">{escape(row.location)}</td>'
            f"<td>{_paras(row.summary)}</td><td>{_paras(row.response)}</td>"
            f'<td class="mark">{escape(row.mark)}</td></tr>'
        )
    parts.append("</tbody></table>")
    if r.organisation:
        parts.append(f"<footer><p>{escape(r.organisation)}</p></footer>")
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


DRAFT_NOTE = "案（内部確認用）：公表前の確認用であり、未確定の回答を含みます。"
KEEP_CHARS = 600  # a row with at most this much text is kept on one page; longer ones may break across pages


def pdf_data(result: Result) -> dict:
    """The published fields as ``templates/pdf/comment-report.typ`` takes them (the same as the HTML table)."""
    def lines(text: str) -> list[str]:
        return [clean(ln) for ln in text.split("\n") if ln.strip()]

    r = result.data.round
    return {
        "title": clean(result.title), "author": clean(r.organisation or "guideline"),
        "sample": result.sample, "sample_note": SAMPLE_NOTE, "draft_note": DRAFT_NOTE if result.draft else "",
        "facts": [[clean(k), clean(v)] for k, v in result.facts()], "heads": list(HEADERS),
        "rows": [{"number": str(row.number), "location": clean(row.location), "summary": lines(row.summary),
                  "response": lines(row.response), "mark": clean(row.mark),
                  "keep": len(row.summary) + len(row.response) <= KEEP_CHARS} for row in result.rows],
        "organisation": clean(r.organisation or ""),
    }


def render_pdf(result: Result) -> bytes:
    """result.pdf, laid out by Typst (:mod:`guideline.writers.edition.typst_pdf`); dated with the result's date."""
    return compile_pdf("comment-report.typ", pdf_data(result), build_date(result.data.round.result_date),
                       what="result.pdf")


# --------------------------------------------------------------------------------------------------------------------
# DOCX


def render_docx(result: Result) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    styles = doc.styles
    for name in ("Normal", "Title", "Table Grid"):
        try:
            style = styles[name]
        except KeyError:
            continue
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
            fonts.set(qn(attr), FONT)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:eastAsia"), "ja-JP")
    styles["Normal"].font.size = Pt(10)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(15))
    section.top_margin = section.bottom_margin = Mm(15)
    core = doc.core_properties
    core.title = result.title
    core.author = result.data.round.organisation or "guideline"
    core.last_modified_by = core.author
    core.revision = 1
    core.comments = ""
    doc.add_heading(result.title, level=1)
    if result.sample:
        doc.add_paragraph(SAMPLE_NOTE)
    if result.draft:
        doc.add_paragraph("案（内部確認用）：公表前の確認用であり、未確定の回答を含みます。")
    for k, v in result.facts():
        p = doc.add_paragraph()
        p.add_run(f"{k}：").bold = True
        p.add_run(v)
    table = doc.add_table(rows=1, cols=len(HEADERS))
    table.style = styles["Table Grid"]
    widths = (Mm(14), Mm(42), Mm(86), Mm(100), Mm(20))
    hdr = table.rows[0]
    trpr = hdr._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    trpr.append(repeat)
    for cell, text, width in zip(hdr.cells, HEADERS, widths):
        cell.width = width
        cell.paragraphs[0].add_run(text).bold = True
    for row in result.rows:
        cells = table.add_row().cells
        values = (str(row.number), row.location, row.summary, row.response, row.mark)
        for cell, value, width in zip(cells, values, widths):
            cell.width = width
            lines = value.split("\n") if value else [""]
            cell.paragraphs[0].text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    if result.data.round.organisation:
        doc.add_paragraph(result.data.round.organisation)
    buf = io.BytesIO()
    doc.save(buf)
    return reproducible_zip(buf.getvalue(), build_date(result.data.round.result_date))


# --------------------------------------------------------------------------------------------------------------------
# CSV and XLSX (internal)

INTERNAL_HEADERS = ("番号", "ID", "提出者区分", "該当箇所", "条項ID", "意見の概要", "意見に対する考え方", "修正の有無",
                    "対応区分", "状況", "修正した条項")


def _internal_rows(result: Result) -> list[list[object]]:
    return [[row.number, row.comment.id, row.comment.category, row.location, "\n".join(row.comment.clauses),
             row.summary, row.response, row.mark, row.disposition, row.comment.status, "\n".join(row.changed)]
            for row in result.rows]


def render_csv(result: Result) -> bytes:
    return csv_bytes(list(INTERNAL_HEADERS), _internal_rows(result))


def render_xlsx(result: Result) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "結果"
    ws.append(list(INTERNAL_HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, values in enumerate(_internal_rows(result), 2):
        for c, value in enumerate(values, 1):
            v = neutralise(value)
            cell = ws.cell(row=r, column=c, value=v)
            if isinstance(v, str):
                cell.data_type = "s"
            cell.alignment = wrap
    for letter, width in zip("ABCDEFGHIJK", (6, 10, 12, 22, 22, 45, 60, 8, 10, 10, 22)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return reproducible_zip(buf.getvalue(), build_date(result.data.round.result_date))
