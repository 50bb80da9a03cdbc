"""Coverage of the NISC 遵守事項 as an Excel workbook (``nisc-coverage.xlsx``), byte-identical for the same input.

Sheets: 集計 (counts per 部 and 節), 対応表 (every 遵守事項 with its clauses), 未対応 (the gaps by 部 and 節).
openpyxl stamps the save time into docProps/core.xml and the zip entries; we write through its ExcelWriter into
memory with the workbook dates set from the edition date, then copy the archive with fixed entry timestamps.
Cells that Excel would take for a formula are prefixed with ``'`` and stored as text.
"""
from __future__ import annotations

import datetime
import io
import zipfile

from guideline import xref
from guideline.writers.coverage.csv import DETAIL_HEADER, SUMMARY_HEADER, detail_rows, summary_rows

FONT = "游ゴシック"


def _put(ws, row: int, values, font) -> None:
    from openpyxl.styles import Alignment

    for col, value in enumerate(values, 1):
        cell = ws.cell(row=row, column=col)
        if isinstance(value, str):
            cell.value = xref.neutralize_cell(value)
            cell.data_type = "s"  # never a formula, whatever the text
        else:
            cell.value = value
        cell.font = font
        if isinstance(value, str) and "\n" in value:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _widths(ws, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w


def workbook(cov: xref.Coverage):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    normal, bold = Font(name=FONT), Font(name=FONT, bold=True)  # made once: openpyxl hashes every style it is given
    when = datetime.datetime.fromisoformat(cov.edition_date)
    wb.properties.created = when
    wb.properties.modified = when
    wb.properties.creator = "guideline"
    wb.properties.lastModifiedBy = "guideline"
    wb.properties.title = f"統一基準 遵守事項の対応状況 — {cov.edition_title}（{cov.edition_label or cov.edition_id}）"

    ws = wb.active
    ws.title = "集計"
    _put(ws, 1, [f"統一基準（{cov.catalog_title} {cov.catalog_edition}）の遵守事項に対する対応状況"], bold)
    _put(ws, 2, [f"{cov.edition_title}（{cov.edition_label or cov.edition_id}）{cov.edition_date}"], normal)
    note = "サンプル文面であり、正式なガイドラインではありません。" if cov.sample else ""
    _put(ws, 3, [f"遵守事項 {cov.total}件のうち {cov.covered}件に対応する条項あり、{cov.uncovered}件は未対応。{note}"], normal)
    _put(ws, 5, SUMMARY_HEADER, bold)
    for i, row in enumerate(summary_rows(cov), 6):
        _put(ws, i, row, bold if row[0] == "計" else normal)
    _widths(ws, [6, 30, 6, 30, 10, 10, 10, 12, 60])
    ws.freeze_panes = "A6"

    ws = wb.create_sheet("対応表")
    _put(ws, 1, DETAIL_HEADER, bold)
    rows = detail_rows(cov)
    for i, row in enumerate(rows, 2):
        _put(ws, i, row, normal)
    _widths(ws, [6, 24, 6, 24, 12, 36, 14, 10, 24, 22, 36, 16, 22, 60])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:N{len(rows) + 1}"

    ws = wb.create_sheet("未対応")
    _put(ws, 1, ("部", "部の見出し", "節", "節の見出し", "対策項目", "対策項目の見出し", "遵守事項", "備考"), bold)
    n = 2
    for r in cov.rows:
        if r.covered:
            continue
        remark = "関係なし（no-relationship）として対応づけあり" if r.mappings else ""
        _put(ws, n, (r.part.id if r.part else "", r.part.heading if r.part else "",
                     r.section.id if r.section else "", r.section.heading if r.section else "",
                     r.measure.id if r.measure else "", r.measure.heading if r.measure else "", r.item.id, remark),
             normal)
        n += 1
    _widths(ws, [6, 24, 6, 24, 12, 40, 14, 30])
    ws.freeze_panes = "A2"
    return wb


def _fixed_zip(data: bytes, when: datetime.date) -> bytes:
    """The same archive with every entry stamped ``when`` 00:00 and fixed attributes, in the original order."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            fixed.create_system = 3
            dst.writestr(fixed, src.read(info.filename), compresslevel=9)
    return out.getvalue()


def render(cov: xref.Coverage) -> bytes:
    from openpyxl.writer.excel import ExcelWriter

    wb = workbook(cov)
    buf = io.BytesIO()
    archive = zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()  # unlike openpyxl's save_workbook, keeps properties.modified as set
    return _fixed_zip(buf.getvalue(), datetime.date.fromisoformat(cov.edition_date))
