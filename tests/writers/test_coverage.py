"""Coverage of the NISC 遵守事項 (html/csv/xlsx/json) and the site's NISC index page, read back with independent
readers: the csv module, python-calamine (a Rust XLSX reader, not openpyxl), lxml.html and json."""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, replace_in

from guideline import editions, xref
from guideline.cli import main
from guideline.writers.coverage import csv as coverage_csv
from guideline.writers.coverage import html as coverage_html
from guideline.writers.coverage import json as coverage_json
from guideline.writers.coverage import xlsx as coverage_xlsx
from guideline.writers.edition import site_nisc

from lxml import html as lxml_html

# r5-03 is frozen: these are its measured numbers (遵守事項 per 部: total, covered)
R503_PARTS = [("2", 85, 56), ("3", 29, 25), ("4", 45, 25), ("5", 42, 13), ("6", 98, 28), ("7", 38, 25), ("8", 44, 17)]


@pytest.fixture(scope="module")
def r503():
    ed, report = editions.load("r5-03", src=REPO / "guideline_src")
    assert ed is not None and not report.errors
    return ed


@pytest.fixture(scope="module")
def cov(r503):
    return xref.coverage(r503)


@pytest.fixture
def hostile(src_copy):
    """The fixture edition with text that a spreadsheet would run as a formula and HTML that must stay text."""
    a = src_copy / "editions" / "base" / "a.md"
    replace_in(a, "##### 最高情報セキュリティ責任者 {#org-ciso}",
               "##### =HYPERLINK(\"http://evil.example/\",\"x\")<script>alert(1)</script> {#org-ciso}")
    replace_in(a, "rationale: 責任者の設置を求める点で対応する。", "rationale: \"@SUM(A1) <b>bold</b>\"")
    replace_in(a, "    relationship: intersects-with", "    relationship: intersects-with\n    rationale: \"-2+3\"")
    replace_in(src_copy / "nisc" / "test-r7.yaml", 'heading: "情報セキュリティ委員会の設置"',
               'heading: "+委員会<img src=x onerror=alert(1)>"')
    ed, report = editions.load(str(src_copy / "editions" / "base"), src=src_copy)
    assert ed is not None and not report.errors, [str(d) for d in report.items]
    return ed


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


# --------------------------------------------------------------------------------------------------------------------
# the numbers


def test_r503_counts_per_part_and_section(r503, cov):
    raw = (REPO / "guideline_src" / "nisc" / "nisc-r7.yaml").read_text(encoding="utf-8")
    requirements = set(re.findall(r'id: "([^"]+)", kind: 遵守事項', raw))
    assert cov.total == len(requirements) == 381
    mapped = {m.nisc_id for c in r503.clauses() for m in c.meta.nisc if m.relationship != "no-relationship"}
    assert cov.covered == len(mapped & requirements) == 189
    assert [(p.item.id, p.total, p.covered) for p in cov.parts] == R503_PARTS
    for p in cov.parts:
        assert sum(s.total for s in p.sections) == p.total
        assert sum(s.covered for s in p.sections) == p.covered
        assert list(p.gaps) == [g for s in p.sections for g in s.gaps]
        assert all(g.startswith(p.item.id + ".") and g in requirements - mapped for g in p.gaps)
    sec = {s.item.id: (s.total, s.covered) for p in cov.parts for s in p.sections}
    assert sec["7.3"] == (6, 0) and sec["2.1"] == (23, 15)


def test_no_relationship_alone_does_not_cover(hostile):
    edition = hostile
    replace = xref.coverage(edition)
    assert [(r.item.id, r.covered) for r in replace.rows] == [("2.1.1(1)(a)", True), ("2.1.1(2)(a)", True),
                                                               ("7.3.1(1)(a)", True)]
    path = Path(edition.meta.root) / "b.md"
    replace_in(path, "relationship: subset-of", "relationship: no-relationship")
    ed, report = editions.load(edition.meta.root, src=Path(edition.meta.root).parents[1])
    row = [r for r in xref.coverage(ed).rows if r.item.id == "7.3.1(1)(a)"][0]
    assert row.mappings and not row.covered


# --------------------------------------------------------------------------------------------------------------------
# CSV


def test_csv_for_japanese_excel(cov):
    data = coverage_csv.render(cov)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\n") == data.count(b"\r\n") > 400  # CRLF only (r5-03 has no line breaks inside cells)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == coverage_csv.DETAIL_HEADER
    blank = rows.index([])
    detail, summary = rows[1:blank], rows[blank + 1:]
    assert len(detail) == sum(max(1, len(r.mappings)) for r in cov.rows) == 444
    assert detail[0] == ["2", "情報セキュリティ対策の基本的枠組み", "2.1", "導入・計画", "2.1.1(1)",
                         "最高情報セキュリティ責任者及び最高情報セキュリティ副責任者の設置", "2.1.1(1)(a)", "対応あり",
                         "org-ciso", "第2編第2章 1.(1)", "最高情報セキュリティ責任者（CISO: Chief Information Security Officer）",
                         "equivalent-to", "同等", "組織の情報セキュリティ対策を総括する責任者を一人置くという要求が一致する。"]
    unmapped = [r for r in detail if r[6] == "7.3.1(1)(a)"]
    assert unmapped == [["7", "情報システムのセキュリティ要件", "7.3", "ゼロトラストアーキテクチャ", "7.3.1(1)",
                         "動的なアクセス制御における責任者の設置", "7.3.1(1)(a)", "未対応", "", "", "", "", "", ""]]
    assert {r[6] for r in detail} == {r.item.id for r in cov.rows}
    assert tuple(summary[0]) == coverage_csv.SUMMARY_HEADER
    assert summary[1][:8] == ["2", "情報セキュリティ対策の基本的枠組み", "", "", "85", "56", "29", "66"]
    sec_73 = [r for r in summary if r[2] == "7.3"][0]
    assert sec_73[4:] == ["6", "0", "6", "0", "7.3.1(1)(a) 7.3.1(2)(a) 7.3.1(3)(a) 7.3.1(3)(b) 7.3.2(1)(a) 7.3.2(2)(a)"]
    assert summary[-1][:8] == ["計", "", "", "", "381", "189", "192", "50"]


def test_csv_and_xlsx_neutralise_formulas(hostile):
    cov = xref.coverage(hostile)
    rows = list(csv.reader(io.StringIO(coverage_csv.render(cov).decode("utf-8-sig"), newline="")))
    ciso = [r for r in rows if len(r) > 8 and r[8] == "org-ciso"][0]
    assert ciso[10] == "'=HYPERLINK(\"http://evil.example/\",\"x\")<script>alert(1)</script>"
    assert ciso[13] == "'@SUM(A1) <b>bold</b>"
    committee = [r for r in rows if len(r) > 8 and r[8] == "org-committee"][0]
    assert committee[5] == "'+委員会<img src=x onerror=alert(1)>" and committee[13] == "'-2+3"
    for row in rows:
        assert not any(cell[:1] in ("=", "+", "-", "@") for cell in row), row

    from python_calamine import CalamineWorkbook

    data = coverage_xlsx.render(cov)
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    table = wb.get_sheet_by_name("対応表").to_python()
    cells = [c for row in table for c in row if isinstance(c, str)]
    assert "'=HYPERLINK(\"http://evil.example/\",\"x\")<script>alert(1)</script>" in cells
    assert "'-2+3" in cells and "'@SUM(A1) <b>bold</b>" in cells
    assert not any(c[:1] in ("=", "+", "-", "@") for c in cells)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)


# --------------------------------------------------------------------------------------------------------------------
# XLSX


def test_xlsx_reads_back_and_is_byte_identical(cov):
    from python_calamine import CalamineWorkbook

    first = coverage_xlsx.render(cov)
    second = coverage_xlsx.render(cov)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert z.testzip() is None
        assert {i.date_time for i in z.infolist()} == {(2023, 3, 31, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
        assert re.search(r"<dcterms:created [^>]*>2023-03-31T00:00:00Z</dcterms:created>", core), core
        assert re.search(r"<dcterms:modified [^>]*>2023-03-31T00:00:00Z</dcterms:modified>", core), core
    wb = CalamineWorkbook.from_filelike(io.BytesIO(first))
    assert wb.sheet_names == ["集計", "対応表", "未対応"]
    summary = wb.get_sheet_by_name("集計").to_python()
    assert "遵守事項 381件のうち 189件に対応する条項あり、192件は未対応。" in summary[2][0]
    assert [str(c) for c in summary[4][:5]] == list(coverage_csv.SUMMARY_HEADER[:5])
    total = [r for r in summary if r and r[0] == "計"][0]
    assert [int(v) for v in total[4:7]] == [381, 189, 192]
    table = wb.get_sheet_by_name("対応表").to_python()
    assert len(table) == 1 + 444 and table[1][8] == "org-ciso"
    gaps = wb.get_sheet_by_name("未対応").to_python()
    assert [r[6] for r in gaps[1:]] == [r.item.id for r in cov.rows if not r.covered]


# --------------------------------------------------------------------------------------------------------------------
# HTML and JSON


def test_html_page_is_accessible_markup_with_counts_and_gaps(cov):
    html = coverage_html.render(cov).decode("utf-8")
    doc = lxml_html.document_fromstring(html)
    assert doc.get("lang") == "ja"
    assert doc.findtext(".//title").startswith("統一基準 遵守事項の対応状況")
    summary = doc.find_class("nisc-coverage")[0]
    assert summary.findtext("caption") == "部ごとの対応状況（遵守事項）"
    assert [th.text_content() for th in summary.xpath("thead//th")] == ["部", "遵守事項", "対応あり", "未対応", "対応率"]
    assert all(th.get("scope") == "col" for th in summary.xpath("thead//th"))
    body_rows = summary.xpath("tbody/tr")
    got = [(r.xpath("th")[0].text_content().split()[0], *[int(td.text_content()) for td in r.xpath("td")[:3]])
           for r in body_rows]
    assert got[:-1] == [(p, t, c, t - c) for p, t, c in R503_PARTS] and got[-1] == ("計", 381, 189, 192)
    meter = body_rows[0].xpath(".//meter")[0]
    assert meter.get("aria-label") == "2 情報セキュリティ対策の基本的枠組み：85件中56件に対応（66%）"
    assert (meter.get("value"), meter.get("max")) == ("56", "85") and meter.text == "56/85"
    gaps = doc.find_class("nisc-gaps")[0]
    listed = [li.text_content().split()[0] for li in gaps.xpath(".//ul[@class='gaps']/li")]
    assert listed == [r.item.id for r in cov.rows if not r.covered]
    assert len(doc.find_class("nisc-detail")[0].xpath("tbody/tr")) == 381


def test_html_escapes_source_text(hostile):
    html = coverage_html.render(xref.coverage(hostile)).decode("utf-8")
    doc = lxml_html.document_fromstring(html)
    assert doc.xpath("//script") == [] and doc.xpath("//img") == [] and doc.xpath("//b") == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "+委員会&lt;img src=x onerror=alert(1)&gt;" in html


def test_json_matches_the_model(cov):
    data = json.loads(coverage_json.render(cov))
    assert data["summary"] == {"total": 381, "covered": 189, "uncovered": 192, "percent": 50}
    assert data["catalog"] == {"id": "nisc-r7", "title": "政府機関等のサイバーセキュリティ対策のための統一基準",
                               "edition": "令和7年度版"}
    assert [(p["id"], p["total"], p["covered"]) for p in data["parts"]] == R503_PARTS
    req = {r["id"]: r for r in data["requirements"]}
    assert len(req) == 381
    assert req["2.1.1(1)(a)"]["clauses"] == [{"clause": "org-ciso", "address": "第2編第2章 1.(1)",
                                              "heading": "最高情報セキュリティ責任者（CISO: Chief Information Security Officer）",
                                              "relationship": "equivalent-to",
                                              "rationale": "組織の情報セキュリティ対策を総括する責任者を一人置くという要求が一致する。"}]
    assert req["7.3.1(1)(a)"] == {"id": "7.3.1(1)(a)", "part": "7", "section": "7.3", "measure": "7.3.1(1)",
                                  "heading": "動的なアクセス制御における責任者の設置（遵守事項）", "covered": False,
                                  "clauses": []}
    assert coverage_json.render(cov) == coverage_json.render(cov)


def test_cli_writes_each_format_and_reports_usage_errors(capsys, in_repo, tmp_path):
    for fmt in ("csv", "xlsx"):  # html and json: the same path through the command, rendered above
        out = tmp_path / f"c.{fmt}"
        code, stdout, err = run(capsys, "coverage", "--edition", "r5-03", "-o", str(out))
        assert code == 0, err
        assert stdout.strip() == f"{out}: 381 遵守事項, 189 covered, 192 gaps"
    assert (tmp_path / "c.csv").read_bytes() == coverage_csv.render(xref.coverage(
        editions.load("r5-03", src=REPO / "guideline_src")[0]))
    code, _, err = run(capsys, "coverage", "-e", "r5-03", "--format", "csv", "-o", str(tmp_path / "x.txt"))
    assert code == 0 and (tmp_path / "x.txt").read_bytes().startswith(b"\xef\xbb\xbf")
    code, _, err = run(capsys, "coverage", "-e", "r5-03", "-o", str(tmp_path / "x.txt"))
    assert code == 2 and "cannot tell the format from 'x.txt'; add --format csv|html|json|xlsx" in err
    code, _, err = run(capsys, "coverage", "-e", "r5-03", "--format", "csv")
    assert code == 2 and "--format csv needs an output file: -o coverage.csv" in err
    code, stdout, _ = run(capsys, "coverage", "-e", "r5-03")
    assert code == 0
    assert stdout.splitlines()[0] == ("r5-03: 統一基準 nisc-r7（令和7年度版）の遵守事項 381件のうち 189件に対応あり、"
                                      "192件が未対応（50%）")
    assert "    7.3 ゼロトラストアーキテクチャ: 0/6（未対応 6）" in stdout.splitlines()
    code, _, err = run(capsys, "coverage", "-e", "r5-03", "-o", str(tmp_path / "c.csv" / "below-a-file.csv"))
    assert code == 1 and f"error: cannot write {tmp_path / 'c.csv' / 'below-a-file.csv'}" in err
    assert "Traceback" not in err and "internal error" not in err
    code, _, err = run(capsys, "coverage", "-e", "r5-03", "-o", str(tmp_path))
    assert code == 2 and "is a directory" in err


# --------------------------------------------------------------------------------------------------------------------
# the site's NISC index page


def test_site_nisc_page_contract_anchors_and_links(r503, cov):
    ((name, title, main),) = site_nisc.pages(r503, lambda cid: f"clauses.html#{cid}")
    assert (name, title) == ("nisc.html", "統一基準との対応")
    root = lxml_html.fragment_fromstring(main, create_parent="main")
    ids = {e.get("id") for e in root.xpath("//*[@id]")}
    assert {site_nisc.anchor(i.id) for i in r503.catalog.items} <= ids
    assert site_nisc.anchor("7.3.1(1)(a)") == "nisc-7.3.1(1)(a)" and site_nisc.href("7.3") == "nisc.html#nisc-7.3"
    # every clause link resolves, and every mapping of the edition is linked from its NISC item
    links = set()
    for item in root.xpath("//li[starts-with(@id, 'nisc-')]"):
        nid = item.get("id")[5:]
        for a in item.xpath("./ul[@class='nisc-clauses']/li/a"):
            href = a.get("href")
            assert href.startswith("clauses.html#") and r503.get(href.split("#", 1)[1]) is not None
            links.add((href.split("#", 1)[1], nid))
    pairs = {(c.id, m.nisc_id) for c in r503.clauses() for m in c.meta.nisc}
    assert links == pairs
    ciso = root.xpath("//li[@id='nisc-2.1.1(1)(a)']")[0]
    assert ciso.xpath(".//a")[0].text_content() == \
        "第2編第2章 1.(1) 最高情報セキュリティ責任者（CISO: Chief Information Security Officer）"
    assert ciso.find_class("rel")[0].text_content() == "（同等）"
    assert "対応する条項なし" in root.xpath("//li[@id='nisc-7.3.1(1)(a)']")[0].text_content()
    assert root.xpath("//li[@id='nisc-7.3.1(1)(a)']")[0].get("class") == "unmapped"
    # headings: h1, then 部 h2, 節 h3, 款 h4 (no level skipped)
    levels = [int(h.tag[1]) for h in root.xpath("//h1|//h2|//h3|//h4|//h5|//h6")]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:]))
    assert root.xpath("//h2[@id='nisc-7']")[0].text_content() == "7 情報システムのセキュリティ要件"
    assert root.xpath("//h4[@id='nisc-7.3.1']")
    # coverage at a glance per 部: counts in a table with headers, bars with text alternatives
    table = root.find_class("nisc-coverage")[0]
    assert all(th.get("scope") == "col" for th in table.xpath("thead//th"))
    first = table.xpath("tbody/tr")[0]
    assert first.xpath("th/a")[0].get("href") == "#nisc-2"
    assert first.xpath(".//meter")[0].get("aria-label") == "2 情報セキュリティ対策の基本的枠組み：85件中56件に対応（66%）"
    counts = root.xpath("//h3[@id='nisc-7.3']/following-sibling::p[@class='nisc-count']")[0].text_content()
    assert counts.startswith("遵守事項6件中0件に対応（未対応6件）")


def test_site_nisc_page_escapes_catalog_and_clause_text(hostile):
    ((_, _, main),) = site_nisc.pages(hostile, lambda cid: f"p.html#{cid}?x=\"<")
    root = lxml_html.fragment_fromstring(main, create_parent="main")
    assert root.xpath("//script") == [] and root.xpath("//img") == [] and root.xpath("//b") == []
    heading = root.xpath("//li[@id='nisc-2.1.1(2)']/span[@class='nisc-heading']")[0].text_content()
    assert heading == "+委員会<img src=x onerror=alert(1)>"
    assert root.xpath("//li[@id='nisc-2.1.1(1)(a)']//a")[0].get("href") == "p.html#org-ciso?x=\"<"


@pytest.mark.slow
@pytest.mark.needs_chromium
def test_pages_pass_axe_wcag_aa(edition_dir, tmp_path):
    """axe-core (WCAG 2.0 A/AA = JIS X 8341-3 AA) in headless Chromium, on the small fixture edition's pages (the
    markup is the same for r5-03; axe on its 140 KB tables is too slow for this suite)."""
    import browser
    ed, report = editions.load(str(edition_dir), src=edition_dir.parents[1])
    assert ed is not None and not report.errors
    page = tmp_path / "coverage.html"
    page.write_bytes(coverage_html.render(xref.coverage(ed)))
    ((_, title, main),) = site_nisc.pages(ed, lambda cid: f"guideline.html#{cid}")
    site = tmp_path / "nisc.html"
    site.write_text(f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title></head>'
                    f"<body><main>{main}</main></body></html>", encoding="utf-8")
    with browser.Chromium() as chromium:
        for violations in chromium.axe_violations_many([page, site]):
            assert violations == [], browser.describe(violations)
