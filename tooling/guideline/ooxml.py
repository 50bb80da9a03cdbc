"""WordprocessingML reading that both Word readers need: the importer (:mod:`guideline.importers.docx`) and
``guideline apply`` (:mod:`guideline.apply.docx_read`).

:func:`table_rows` resolves a table's merged cells: Word writes a cell spanning columns as one ``w:tc`` with
``w:gridSpan``, and a cell spanning rows as a ``w:tc`` with ``w:vMerge w:val="restart"`` followed, in the same grid
column of each row below, by a ``w:tc`` with ``w:vMerge`` (continue) that only holds an empty paragraph.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W_NS}}}"
MAX_SPAN = 100  # a span beyond this is damage, not a table


@dataclass
class MergedCell:
    tc: etree._Element  # the w:tc the cell starts at: its content
    column: int  # the grid column it starts at
    rowspan: int = 1
    colspan: int = 1


@dataclass
class TableRow:
    tr: etree._Element
    header: bool  # marked to repeat on every page (w:tblHeader): a header row
    cells: list[MergedCell] = field(default_factory=list)  # the cells that start in this row


def table_rows(tbl: etree._Element) -> list[TableRow]:
    """The rows of ``tbl`` (not those of tables nested in its cells), each with the cells that start in it: a cell
    continued by ``w:vMerge`` in the rows below counts them in its rowspan, ``w:gridSpan`` is its colspan. A
    continuation with no cell above it in its column starts a cell."""
    rows: list[TableRow] = []
    above: dict[int, MergedCell] = {}  # grid column -> the cell a vertical merge began with there
    for tr in tbl.iter(_W + "tr"):
        parent = tr.getparent()
        if parent is not tbl and etree.QName(parent).localname not in ("sdtContent", "customXml"):
            continue
        trpr = tr.find(_W + "trPr")
        row = TableRow(tr, trpr is not None and trpr.find(_W + "tblHeader") is not None)
        col = 0
        for tc in tr.iter(_W + "tc"):
            if tc.getparent() is not tr:
                continue
            tcpr = tc.find(_W + "tcPr")
            span, vmerge = 1, None
            if tcpr is not None:
                gs = tcpr.find(_W + "gridSpan")
                value = gs.get(_W + "val") or "" if gs is not None else ""
                span = max(1, min(int(value), MAX_SPAN)) if value.isdigit() else 1
                vmerge = tcpr.find(_W + "vMerge")
            if vmerge is not None and (vmerge.get(_W + "val") or "continue") == "continue" and col in above:
                above[col].rowspan += 1
            else:
                cell = MergedCell(tc, col, 1, span)
                row.cells.append(cell)
                if vmerge is not None:
                    above[col] = cell
                else:
                    above.pop(col, None)
            col += span
        rows.append(row)
    return rows
