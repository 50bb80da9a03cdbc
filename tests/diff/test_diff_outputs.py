"""Diff outputs on the fixture pair original → combined: 新旧対照表 (HTML golden compared as parsed XML, DOCX read by
pandoc, PDF read by pdftotext/pdffonts/pdfinfo), the HTML redline (structure, escaping, axe, keyboard filters), and
the CLI (terminal summary, output directory, determinism)."""
from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree, html

from guideline.commands.diff import write_outputs
from guideline.diff import compare
from guideline.reader import read_edition

from browser import Chromium, describe

HERE = Path(__file__).resolve().parents[1]
SRC = HERE / "fixtures" / "diff" / "src"
GOLDEN = HERE / "fixtures" / "diff" / "golden"
REPO = HERE.parent
GUIDELINE = [sys.executable, "-m", "guideline"]


def read(name: str):
    ed, report = read_edition(SRC / "editions" / name)
    assert ed is not None and not report.errors
    return ed


@pytest.fixture(scope="module")
def changeset():
    return compare(read("original"), read("combined"))


@pytest.fixture(scope="module")
def out(changeset, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("diff") / "original--combined"
    write_outputs(changeset, target, ["json", "redline", "comparison-html", "comparison-docx", "comparison-pdf"],
                  quiet=True)
    return target


def test_writes_every_output(out):
    assert sorted(p.name for p in out.iterdir()) == ["changes.json", "comparison.docx", "comparison.html",
                                                     "comparison.pdf", "redline.html"]


# ---------------------------------------------------------------------------------------------------------------------
# 新旧対照表


def normalised(path_or_text) -> str:
    """An HTML document as canonical XML: styles dropped, whitespace-only text removed, text stripped."""
    text = path_or_text.read_text(encoding="utf-8") if isinstance(path_or_text, Path) else path_or_text
    root = html.document_fromstring(text)
    for style in root.iter("style"):
        style.text = ""
    for el in root.iter():
        if el.text is not None:
            el.text = el.text.strip() or None
        if el.tail is not None:
            el.tail = el.tail.strip() or None
        if el.tag == "meta" and el.get("name") == "generator":
            el.set("content", "guideline")
    return etree.tostring(root, method="c14n").decode("utf-8").replace("><", ">\n<")


@pytest.mark.parametrize("columns", ["new-old", "old-new"])
def test_comparison_html_matches_golden(changeset, columns):
    from guideline.writers.changes import ChangeOptions
    from guideline.writers.changes.comparison import render_html

    golden = GOLDEN / f"comparison-original--combined-{columns}.html"
    got = render_html(changeset, ChangeOptions(columns=columns))
    if os.environ.get("GUIDELINE_UPDATE_GOLDEN"):
        golden.write_text(got, encoding="utf-8")
    want, have = normalised(golden), normalised(got)
    assert have == want, "\n".join(difflib.unified_diff(want.splitlines(), have.splitlines(), "golden", "now",
                                                         lineterm="", n=2))


def cell_text(td) -> str:
    """A cell's paragraphs joined by " | " (a cell without paragraphs: its text)."""
    paras = td.xpath(".//p")
    return " | ".join(p.text_content().strip() for p in paras) if paras else td.text_content().strip()


def cells(doc, table_class="comparison") -> list[list[str]]:
    rows = doc.xpath(f"//table[contains(@class, '{table_class}')]//tr")
    return [[cell_text(td) for td in tr.xpath("./td|./th")] for tr in rows]


def test_comparison_rows(out):
    doc = html.parse(str(out / "comparison.html")).getroot()
    assert doc.get("lang") == "ja"
    assert doc.xpath("string(//h1)") == "テスト用ガイドライン　新旧対照表（抄）"
    assert "改正前：原版（令和6年10月2日）" in doc.xpath("string(//p[@class='editions'])")
    assert doc.xpath("string(//table[@class='comparison']/caption)") == "（傍線部分は改正部分）"
    rows = cells(doc)
    assert rows[0] == ["改正後", "改正前"]
    assert ["（略）", "（略）"] in rows
    # the new clause, the deleted clause, the parent heading kept as context
    assert ["(2)　情報セキュリティ監査統括責任者 | ○○部長を、情報セキュリティ監査統括責任者とする。", "（新設）"] in rows
    assert ["（削除）", "(4)　廃棄の記録 | 記録媒体を廃棄した場合は、廃棄の日時、担当者及び処理内容を記録しなければならない。"] in rows
    assert ["1.　組織体制", "1.　組織体制"] in rows
    # changed words underlined in both columns; a renumbered clause double-underlined on its number only
    ciso = doc.xpath("//tr[@id='row-org-ciso']")[0]
    new_u = [s.text for s in ciso.xpath("./td[1]//span[@class='u']")]
    old_u = [s.text for s in ciso.xpath("./td[2]//span[@class='u']")]
    assert new_u == ["本市の", "的な"] and old_u == ["決定"]
    chief = doc.xpath("//tr[@id='row-org-chief']")[0]
    assert [s.text for s in chief.xpath(".//span[@class='uu']")] == ["(3)", "(2)"]
    assert chief.xpath(".//span[@class='u']") == []
    # the moved clause says where it came from
    assert "（第2編第1章 3.1.(2)から移動）" in doc.xpath("string(//tr[@id='row-tech-logging'])")
    # 項番対応表
    corr = cells(doc, "correspondence")
    assert corr[0] == ["改正後", "改正前", "見出し", "備考"]
    assert ["第2編第1章 1.(3)", "第2編第1章 1.(2)", "統括情報セキュリティ責任者", "項番の変更"] in corr
    assert ["第2編第1章 3.2.(2)", "第2編第1章 3.1.(2)", "ログの取得", "移動"] in corr
    assert ["—", "第2編第1章 2.(4)", "廃棄の記録", "削除"] in corr


@pytest.mark.needs_pandoc
def test_comparison_docx_is_a_landscape_word_table(out):
    with zipfile.ZipFile(out / "comparison.docx") as z:
        document = z.read("word/document.xml").decode("utf-8")
        assert {i.date_time for i in z.infolist()} == {(2024, 10, 2, 0, 0, 0)}
    assert re.search(r'<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>', document)
    assert document.count("<w:tbl>") == 2 and '<w:tblHeader w:val="true"/>' in document
    assert 'w:eastAsia="Noto Serif CJK JP"' in z_read(out / "comparison.docx", "word/styles.xml")
    assert '<w:u w:val="double"/>' in document
    converted = subprocess.run(["pandoc", "-f", "docx", "-t", "html", str(out / "comparison.docx")],
                               capture_output=True, text=True, check=True).stdout
    doc = html.fromstring(f"<div>{converted}</div>")
    tables = doc.xpath("//table")
    rows = [[cell_text(c) for c in tr.xpath("./td|./th")] for tr in tables[0].xpath(".//tr")]
    assert rows[0] == ["改正後", "改正前"]
    assert ["(2)　情報セキュリティ監査統括責任者 | 〔○○部長〕を、情報セキュリティ監査統括責任者とする。", "（新設）"] in rows
    assert ["（削除）", "(4)　廃棄の記録 | 記録媒体を廃棄した場合は、廃棄の日時、担当者及び処理内容を記録しなければならない。"] in rows
    html_rows = cells(html.parse(str(out / "comparison.html")).getroot())
    # the same rows as the HTML table (whose placeholder brackets are drawn by its style sheet)
    assert [[c.replace("〔", "").replace("〕", "") for c in r] for r in rows] == html_rows
    underlined = [u.text_content() for u in tables[0].xpath(".//u")]
    assert "本市の" in underlined and "決定" in underlined  # (pandoc reads double underlines as no underline)
    corr = [[cell_text(c) for c in tr.xpath("./td|./th")] for tr in tables[1].xpath(".//tr")]
    assert corr[0] == ["改正後", "改正前", "見出し", "備考"] and len(corr) == len(cells(
        html.parse(str(out / "comparison.html")).getroot(), "correspondence"))


def z_read(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(name).decode("utf-8")


@pytest.mark.needs_poppler
def test_comparison_pdf(out):
    pdf = out / "comparison.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for needle in ("新旧対照表（抄）", "（傍線部分は改正部分）", "改正後", "改正前", "（新設）", "（削除）",
                   "情報セキュリティ監査統括責任者", "項番対応表"):
        assert needle in text, needle
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "NotoSerifCJKjp" in fonts
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info)
    assert size and round(float(size.group(1))) == 842 and round(float(size.group(2))) == 595  # A4 landscape


# ---------------------------------------------------------------------------------------------------------------------
# redline


def test_redline_marks_changes(out):
    doc = html.parse(str(out / "redline.html")).getroot()
    assert doc.get("lang") == "ja"
    ins = doc.xpath("//main//ins")
    dels = doc.xpath("//main//del")
    assert ins and dels
    # every mark carries visually hidden text for screen readers
    assert all(x.xpath("./span[@class='vh']") for x in ins + dels)
    ciso = doc.xpath("//section[@id='org-ciso']")[0]
    assert [x.text_content() for x in ciso.xpath(".//del")] == ["削除：決定"]
    assert [x.text_content() for x in ciso.xpath(".//ins")] == ["挿入：本市の", "挿入：的な"]
    # the deleted clause stands where it stood, after the clause before it
    ids = [s.get("id") for s in doc.xpath("//main/section")]
    assert ids.index("old-assets-disposal-record") == ids.index("assets-disposal") + 1
    assert doc.xpath("//section[@id='old-assets-disposal-record']/@data-kind") == ["deleted"]
    # renumbering: old number deleted, new inserted
    chief = doc.xpath("//section[@id='org-chief']//span[@class='num']")[0]
    assert chief.text_content() == "削除：(2)挿入：(3)"
    # change list: one entry per change, every link lands on a section
    links = doc.xpath("//ol[@id='change-list']/li/a/@href")
    assert len(links) == 8
    assert all(doc.xpath(f"//*[@id='{h[1:]}']") for h in links)
    kinds = doc.xpath("//ol[@id='change-list']/li/@data-kind")
    assert sorted(set(kinds)) == ["added", "changed", "deleted"]
    # NISC mapping changes are shown, in the clause and in the table
    assert "統一基準との対応（変更あり）" in doc.xpath("string(//section[@id='org-committee'])")
    rows = [[" ".join(td.text_content().split()) for td in tr.xpath("./td")]
            for tr in doc.xpath("//table[@class='mapping-changes']/tbody/tr")]  # (ASCII spaces only here)
    assert rows == [["第2編第1章 1.(4) 情報セキュリティ委員会", "2.1.1(2)(a) 情報セキュリティ委員会の設置（遵守事項）", "変更",
                     "一部重複", "部分（統一基準の一部に対応）"]]
    # the filters exist for every kind present and start hidden (shown by the script)
    assert doc.xpath("//fieldset[@id='filters'][@hidden]")
    assert doc.xpath("//fieldset[@id='filters']//input/@value") == ["changed", "added", "deleted", "unchanged"]


def test_untrusted_text_is_escaped(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(SRC, src)
    target = src / "editions" / "combined" / "a.md"
    text = target.read_text(encoding="utf-8")
    text = text.replace("{{○○部長}}を、情報セキュリティ監査統括責任者とする。",
                        '<script>alert("x")</script>を & <b>置く</b>。')
    text = text.replace("##### 情報セキュリティ監査統括責任者 {#org-audit-chief}",
                        '##### 監査<img src=x onerror=alert(1)> {#org-audit-chief}')
    target.write_text(text, encoding="utf-8")
    ed_new, report = read_edition(src / "editions" / "combined")
    assert not report.errors
    cs = compare(read("original"), ed_new)
    outdir = tmp_path / "out"
    write_outputs(cs, outdir, ["json", "redline", "comparison-html"], quiet=True)
    for name in ("redline.html", "comparison.html"):
        page = (outdir / name).read_text(encoding="utf-8")
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>置く</b>" not in page, name
        assert "&lt;script&gt;alert" in page and "&lt;img src=x onerror=alert(1)&gt;" in page, name
    # changes.json is data: the text as written, for its readers to escape
    assert '"new_heading": "監査<img src=x onerror=alert(1)>"' in (outdir / "changes.json").read_text(encoding="utf-8")


@pytest.mark.needs_chromium
def test_redline_and_comparison_accessible_and_filters_work_by_keyboard(out):
    with Chromium() as browser:
        page = browser.open_page(out / "redline.html")
        try:
            assert page.js_errors == []
            violations = browser.axe_violations(page)
            assert violations == [], describe(violations)
            assert page.is_visible("#filters")
            assert "8件" in page.inner_text("#filter-status")
            # keyboard only: Tab to the "deleted" checkbox and toggle it with the space bar
            page.focus("#filters input[value='changed']")
            page.keyboard.press("Tab")
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.value") == "deleted"
            page.keyboard.press("Space")
            assert page.is_hidden("#change-list li[data-kind='deleted']")
            assert page.is_hidden("section#old-assets-disposal-record")
            assert page.is_visible("section#org-ciso")
            assert "7件" in page.inner_text("#filter-status")
            page.keyboard.press("Space")
            assert page.is_visible("section#old-assets-disposal-record")
        finally:
            page.close()
        violations = browser.axe_violations(out / "comparison.html")
        assert violations == [], describe(violations)


# ---------------------------------------------------------------------------------------------------------------------
# CLI


def run(*args: str, cwd: Path = REPO, env_src: Path | None = SRC) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if env_src is not None:
        env["GUIDELINE_SRC"] = str(env_src)
    else:
        env.pop("GUIDELINE_SRC", None)
    return subprocess.run([*GUIDELINE, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def test_cli_summary_on_the_terminal():
    proc = run("diff", "original", "combined")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "original（原版） → combined（複合改正版）: 21 → 21 clauses"
    assert lines[1] == "  変更 6 · 新設 1 · 削除 1 · 分割 0 · 統合 0 · 変更なし 14"
    assert "+ 第2編第1章 1.(2) 情報セキュリティ監査統括責任者  [新設] (org-audit-chief)" in lines
    assert "- 第2編第1章 2.(4) 廃棄の記録  [削除] (旧 assets-disposal-record)" in lines
    assert "    本文: ○○副市長を、CISOとする。CISOは、{+本市の+}全てのネットワーク及…ティ対策に関する最終[-決定-]{+的な+}" \
           "権限及び責任を有する。" in lines
    assert "    統一基準 ~2.1.1(2)(a) (intersects-with → subset-of)" in lines


def test_cli_writes_directory_deterministically(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for target in (a, b):
        proc = run("diff", "original", "combined", "-o", str(target), "--format", "json,redline,comparison-html,"
                                                                                 "comparison-docx,tracked")
        assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert names == ["changes.json", "comparison.docx", "comparison.html", "redline.html", "tracked.docx"]


def test_cli_errors_are_messages_not_tracebacks(tmp_path):
    proc = run("diff", "original", "nonesuch")
    assert proc.returncode == 1 and "error: no edition 'nonesuch'" in proc.stderr and "Traceback" not in proc.stderr
    (tmp_path / "keep.txt").write_text("precious", encoding="utf-8")
    proc = run("diff", "original", "combined", "-o", str(tmp_path))
    assert proc.returncode == 1 and "is not empty and holds no earlier diff" in proc.stderr
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "precious"
    proc = run("diff", "original", "combined", "--format", "bogus")
    assert proc.returncode == 2 and "unknown format 'bogus'" in proc.stderr


@pytest.mark.needs_git
def test_cli_reads_an_edition_from_git():
    """git:REF:EDITION is the edition as committed; the fixture editions are committed, so HEAD's copy is the same."""
    proc = run("diff", "git:HEAD:original", "combined", "--brief")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1] == "  変更 6 · 新設 1 · 削除 1 · 分割 0 · 統合 0 · 変更なし 14"
    assert all("本文:" not in line for line in proc.stdout.splitlines())  # --brief: no inline text
