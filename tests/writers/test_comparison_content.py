"""What the 新旧対照表 says, in its shared rows and in the HTML and Word forms (issue 23 items 6 and 7): placeholders
stay marked (shaded and bracketed, as in every output), and a new clause shows its NISC mappings."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, replace_in
from lxml import html

from guideline.diff import compare
from guideline.reader import read_edition
from guideline.writers.changes import comparison

DIFF_SRC = REPO / "tests" / "fixtures" / "diff" / "src"


def read(root: Path):
    ed, report = read_edition(root)
    assert ed is not None and not report.errors, [str(d) for d in report.errors]
    return ed


@pytest.fixture(scope="module")
def table_and_cs():
    cs = compare(read(DIFF_SRC / "editions" / "original"), read(DIFF_SRC / "editions" / "combined"))
    return comparison.build(cs), cs


def row_of(table: comparison.Table, anchor: str) -> comparison.Row:
    return next(r for r in table.rows if r.anchor == anchor)


def placeholder_texts(lines: list[comparison.Line]) -> list[str]:
    """The placeholders of some lines, each one joined from its segments."""
    out = []
    for line in lines:
        groups: dict[int, str] = {}
        for seg in line.segs:
            if seg.placeholder:
                groups[seg.placeholder] = groups.get(seg.placeholder, "") + seg.text
        out.extend(groups.values())
    return out


def test_rows_mark_placeholders_on_both_sides(table_and_cs):
    table, _ = table_and_cs
    ciso = row_of(table, "row-org-ciso")  # changed text around a placeholder
    assert placeholder_texts(ciso.new) == ["○○副市長"]
    assert placeholder_texts(ciso.old) == ["○○副市長"]
    added = row_of(table, "row-org-audit-chief")
    assert placeholder_texts(added.new) == ["○○部長"]
    # the text around a placeholder is not marked
    body = next(line for line in ciso.new if "CISOとする" in line.text)
    assert all(not s.placeholder for s in body.segs if "CISO" in s.text)


def test_placeholder_split_by_a_change_is_one_placeholder(tmp_path):
    """○○部長 → ○○局長: the changed character is underlined, and the placeholder stays one (one pair of brackets)."""
    src = tmp_path / "src"
    shutil.copytree(DIFF_SRC, src)
    replace_in(src / "editions" / "combined" / "a.md", "{{○○部長}}を、CISO直属", "{{○○局長}}を、CISO直属")
    cs = compare(read(src / "editions" / "original"), read(src / "editions" / "combined"))
    table = comparison.build(cs)
    row = row_of(table, "row-org-chief")
    assert placeholder_texts(row.new) == ["○○局長"] and placeholder_texts(row.old) == ["○○部長"]
    line = next(line for line in row.new if "局" in line.text)
    assert [(s.text, s.mark) for s in line.segs if s.placeholder] == [("○○", ""), ("局", "u"), ("長", "")]
    doc = html.fromstring(comparison.render_html(cs, table=table).encode("utf-8"))
    spans = doc.get_element_by_id("row-org-chief").xpath(".//span[@class='placeholder']")
    assert [s.text_content() for s in spans] == ["○○局長", "○○部長"]
    text = pdf_text(comparison.render_pdf(cs, table=table), tmp_path)
    assert "〔○○局長〕" in text and "〔○○部長〕" in text  # one pair of brackets in the PDF too, not 〔○○〕〔局〕〔長〕


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """The PDF's text as pdftotext reads it, with line breaks and spaces removed."""
    pdf = tmp_path / "comparison.pdf"
    pdf.write_bytes(data)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s+", "", out.stdout)


def test_html_shades_and_brackets_placeholders(table_and_cs):
    table, cs = table_and_cs
    doc = html.fromstring(comparison.render_html(cs, table=table).encode("utf-8"))
    row = doc.get_element_by_id("row-org-ciso")
    spans = [s.text_content() for s in row.xpath(".//span[@class='placeholder']")]
    assert spans == ["○○副市長", "○○副市長"]
    css = comparison.css()
    assert re.search(r"\.placeholder::before\s*\{\s*content:\s*\"〔\"", css)
    assert re.search(r"\.placeholder\s*\{[^}]*background", css)


def test_docx_brackets_and_shades_placeholders(table_and_cs):
    table, cs = table_and_cs
    data = comparison.render_docx(cs, table=table)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    texts = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))
    assert "〔○○副市長〕を、CISOとする。" in texts
    assert "〔○○部長〕を、情報セキュリティ監査統括責任者とする。" in texts
    shaded = re.findall(r"<w:r><w:rPr>(?:(?!</w:rPr>).)*<w:shd [^>]*/>(?:(?!</w:rPr>).)*</w:rPr><w:t[^>]*>([^<]*)</w:t>",
                        xml)
    assert "〔○○副市長〕" in shaded and "〔○○部長〕" in shaded  # brackets shaded with the text, as in guideline.docx


def test_new_clause_lists_its_nisc_mappings(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(DIFF_SRC, src)
    replace_in(src / "editions" / "combined" / "a.md", "##### 情報セキュリティ監査統括責任者 {#org-audit-chief}\n",
               "##### 情報セキュリティ監査統括責任者 {#org-audit-chief}\n\n```yaml\nnisc:\n  - id: 2.1.1(2)(a)\n"
               "    relationship: subset-of\n```\n")
    cs = compare(read(src / "editions" / "original"), read(src / "editions" / "combined"))
    table = comparison.build(cs)
    added = row_of(table, "row-org-audit-chief")
    mapping = [line for line in added.new if line.kind == "mapping"]
    assert [line.text for line in mapping] == ["統一基準との対応：2.1.1(2)(a)（部分）"], [l.text for l in added.new]
    assert all(s.mark == "u" for s in mapping[0].segs if "2.1.1" in s.text)
    page = comparison.render_html(cs, table=table)
    assert "統一基準との対応：" in html.fromstring(page.encode()).get_element_by_id("row-org-audit-chief").text_content()
