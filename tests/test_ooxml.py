"""guideline.ooxml.table_rows: the merged cells of a Word table as both Word readers see them."""
from __future__ import annotations

from lxml import etree

from guideline.ooxml import W_NS, table_rows


def _tbl(rows: str) -> etree._Element:
    return etree.fromstring(f'<w:tbl xmlns:w="{W_NS}">{rows}</w:tbl>')


def cell(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def text(tc) -> str:
    return "".join(tc.itertext())


def test_row_and_column_spans_and_header_rows():
    tbl = _tbl(
        '<w:tr><w:trPr><w:tblHeader/></w:trPr>'
        + cell("分類", '<w:vMerge w:val="restart"/>') + cell("取扱い制限", '<w:gridSpan w:val="2"/>') + "</w:tr>"
        + '<w:tr><w:trPr><w:tblHeader/></w:trPr>' + cell("", "<w:vMerge/>") + cell("複製") + cell("送信") + "</w:tr>"
        + "<w:tr>" + cell("機密性1") + cell("制限なし", '<w:gridSpan w:val="2"/>') + "</w:tr>"
        # a nested table's rows belong to their cell
        + "<w:tr>" + '<w:tc><w:tbl><w:tr>' + cell("入れ子") + "</w:tr></w:tbl><w:p/></w:tc>"
        + cell("x", '<w:gridSpan w:val="2"/>') + "</w:tr>")
    rows = table_rows(tbl)
    assert [r.header for r in rows] == [True, True, False, False]
    assert [[(text(c.tc), c.column, c.rowspan, c.colspan) for c in r.cells] for r in rows] == [
        [("分類", 0, 2, 1), ("取扱い制限", 1, 1, 2)],
        [("複製", 1, 1, 1), ("送信", 2, 1, 1)],
        [("機密性1", 0, 1, 1), ("制限なし", 1, 1, 2)],
        [("入れ子", 0, 1, 1), ("x", 1, 1, 2)],
    ]


def test_a_continuation_without_a_cell_above_starts_one_and_bad_spans_are_bounded():
    tbl = _tbl("<w:tr>" + cell("a", "<w:vMerge/>") + cell("b", '<w:gridSpan w:val="x"/>') + "</w:tr>"
               + "<w:tr>" + cell("", "<w:vMerge/>") + cell("c", '<w:gridSpan w:val="99999"/>') + "</w:tr>")
    rows = table_rows(tbl)
    assert [[(text(c.tc), c.rowspan, c.colspan) for c in r.cells] for r in rows] == [
        [("a", 2, 1), ("b", 1, 1)], [("c", 1, 100)]]
