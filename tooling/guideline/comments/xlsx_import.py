"""XLSX as staff keep it: the first sheet (or a named one); the header is the first non-empty row.

The archive is size- and ratio-checked and every XML part is parsed with the safe parser (no entities, no network,
no DOCTYPE) before openpyxl reads it."""
from __future__ import annotations

import warnings
from pathlib import Path

from guideline.comments.rows import Table
from guideline.comments.safezip import SafeZip
from guideline.diagnostics import UserError


def open_workbook(path: Path):
    with SafeZip(path, "XLSX") as z:
        if "xl/workbook.xml" not in z.names:
            raise UserError(f"{path}: not an Excel workbook (no xl/workbook.xml); .xls files must be saved as .xlsx")
        z.check_all_xml()
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about data validation and unknown extensions
            return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on broken files
        raise UserError(f"{path}: Excel cannot be read: {type(exc).__name__}: {exc}") from None


def read(path: Path, sheet: str | None = None) -> Table:
    path = Path(path)
    wb = open_workbook(path)
    try:
        if sheet:
            if sheet not in wb.sheetnames:
                raise UserError(f"{path}: no sheet {sheet!r}; sheets: {', '.join(wb.sheetnames) or 'none'}")
            name = sheet
        elif wb.sheetnames:
            name = wb.sheetnames[0]
        else:
            raise UserError(f"{path}: the workbook has no sheet")
        try:
            return _read_sheet(path, wb[name])
        except UserError:
            raise
        except Exception as exc:  # noqa: BLE001 - read-only openpyxl parses the sheet lazily, while rows are read
            raise UserError(f"{path}: sheet {name!r} cannot be read: {type(exc).__name__}: {exc}") from None
    finally:
        wb.close()


def _read_sheet(path: Path, ws) -> Table:
    """The header is the first non-empty row; trailing empty cells are dropped."""
    headers: list[str] | None = None
    header_row = 1
    rows = []
    for n, values in enumerate(ws.iter_rows(values_only=True), 1):
        cells = list(values)
        while cells and (cells[-1] is None or cells[-1] == ""):
            cells.pop()
        if headers is None:
            if not cells:
                continue
            headers = ["" if c is None else str(c).strip() for c in cells]
            header_row = n
            continue
        rows.append((n, 0, cells))
    if headers is None:
        raise UserError(f"{path}: the sheet is empty: no header row")
    return Table(path=path, headers=headers, header_row=header_row, rows=rows, encoding="xlsx")
