"""``guideline import`` of HTML pages and Word documents (issue 18): a municipal 訓令 page from a 例規集, Word files
with no styles and with automatic numbering (built by tests/fixtures/import/docx_fixtures.py), and hostile input:
nothing executed or fetched, refused or neutralised with a clear message naming the file, nothing written."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from import_support import FIXTURES, load_checked, run

from guideline.importers.document import import_document
from guideline.model import (Figure, FootnoteRef, GridTable, Link, Strong, Text, block_text, inline_text,
                             iter_inlines)

sys.path.insert(0, str(FIXTURES))
import docx_fixtures  # noqa: E402


def _import(tmp_path: Path, capsys, src: Path, *extra: str):
    out = tmp_path / "out"
    code, stdout, stderr = run(capsys, "import", str(src), "-o", str(out), *extra)
    assert code == 0, stderr
    report = json.loads((out / "import-report.json").read_text(encoding="utf-8"))
    return report, load_checked(out, tmp_path), stdout


# --- a 例規集 page --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "shift_jis"])
def test_kunrei_page(tmp_path, capsys, encoding):
    html = (FIXTURES / "kunrei.html").read_text(encoding="utf-8")
    src = tmp_path / "4010RG00000123.html"
    src.write_bytes(html.replace('charset="utf-8"', f'charset="{encoding}"').encode(
        "cp932" if encoding == "shift_jis" else "utf-8"))
    report, ed, stdout = _import(tmp_path, capsys, src, "--id", "town")
    assert report["family"] == "legal" and report["format"] == "html"
    assert ed.meta.title == "○○町情報セキュリティ規程"
    assert ed.meta.label == "令和5年3月20日 訓令第7号" and ed.meta.date.isoformat() == "2023-03-20"
    assert ed.meta.numbering == "articles"
    # numbered as a 訓令: 第4条の2 is the 5th article by position, and 第8条 (after a skipped 7) the 8th again
    assert [(c.id, c.level, c.heading, c.number) for c in ed.clauses()] == [
        ("main", 1, "○○町情報セキュリティ規程", ""),
        ("ch-1", 2, "総則", "第1章"), ("art-1", 5, "（趣旨）", "第1条"), ("art-2", 5, "（用語）", "第2条"),
        ("ch-2", 2, "管理体制", "第2章"),
        ("ch-2-sec-1", 3, "責任者", "第1節"), ("art-3", 5, "（統括責任者）", "第3条"), ("art-4", 5, "（管理者）", "第4条"),
        ("art-4-2", 5, "（管理者の代理）", "第5条"),
        ("ch-2-sec-2", 3, "委員会", "第2節"), ("art-5", 5, "（委員会の設置）", "第6条"), ("art-6", 5, "（所掌事務）", "第7条"),
        ("ch-3", 2, "雑則", "第3章"), ("art-8", 5, "（委任）", "第8条"),
        ("suppl", 1, "附則", ""), ("suppl-2", 1, "附則（令和6年3月25日訓令第4号）", ""),
    ]
    # <br> separates 項 and 号; their numbers are computed (the 項 ２, the 号 (1) (2) of a list)
    assert block_text(ed.get("art-3").body) == "副町長を情報セキュリティ統括責任者とする。\n２　統括責任者は、町の情報セキュリティ対策を総括する。"
    assert block_text(ed.get("art-6").body).split("\n")[1:] == ["(1)規程の見直しに関すること。", "(2)研修の計画に関すること。"]
    differences = {(f.get("source"), f.get("computed")) for f in report["findings"] if f["kind"] == "numbering"}
    assert {("第4条の2", "第5条"), ("第5条", "第6条"), ("第6条", "第7条"), ("一", "(1)")} <= differences
    assert not any(f.get("clause") in ("art-1", "art-2", "art-3", "art-4", "art-8") and "computed" in f
                   for f in report["findings"])
    messages = [f["message"] for f in report["findings"]]
    assert "目次 gives 第2章第2節 委員会 第5条―第7条; the body has 第5条―第6条 (2 articles)" in messages
    assert not any("第2章第1節" in m for m in messages)  # 第3条―第4条の2 matches
    assert any(m.startswith("branch number 第4条の2: a sibling after 第4条") for m in messages)
    assert any("merged cells" in m for m in messages)
    table = next(b for b in ed.get("art-8").body if isinstance(b, GridTable))  # rowspan/colspan kept as spans
    assert [[(inline_text(c.inlines), c.rowspan, c.colspan) for c in row] for row in (*table.head, *table.body)] == [
        [("区分", 2, 1), ("取扱い", 1, 2)], [("複製", 1, 1), ("持出し", 1, 1)],
        [("機密性3", 1, 1), ("禁止", 1, 1), ("許可制", 1, 1)]]
    assert len(table.head) == 2 and table.columns == 3
    assert any("without alternative text" in m for m in messages) is False  # the image has alt="組織図"
    # hostile parts of the page: dropped, never run or fetched, and said so
    assert report["neutralised"] == ["1 <script> element dropped unread", "1 <iframe> element dropped unread", "2 event-handler attributes ignored",
                                     "1 javascript:/data: link kept as text only"]
    text = "".join((tmp_path / "out").joinpath(f).read_text(encoding="utf-8")
                   for f in report["files"] if f.endswith(".md"))
    assert "document.cookie" not in text and "alert" not in text and "example.invalid" not in text
    assert "［図：組織図（画像は取り込めませんでした）］" in text
    assert [p["status"] for p in report["paragraphs"]].count("toc") == 7
    front = [p for p in report["paragraphs"] if p["status"] == "front"]
    assert [p["text"] for p in front] == ["例規集トップ"]


def test_html_nested_too_deep_is_refused(tmp_path, capsys):
    src = tmp_path / "deep.html"
    src.write_text("<html><body>" + "<div>" * 3000 + "第1条 深い入れ子の条。" + "</div>" * 3000
                   + "<p>第2条 二つ目。</p></body></html>", encoding="utf-8")
    code, _, err = run(capsys, "import", str(src), "-o", str(tmp_path / "out"))
    assert code == 1 and "deep.html" in err and "nested deeper" in err
    assert not (tmp_path / "out").exists()


# --- Word -----------------------------------------------------------------------------------------------------------


def test_word_without_styles(tmp_path, capsys):
    src = tmp_path / "kijun.docx"
    src.write_bytes(docx_fixtures.no_styles())
    report, ed, stdout = _import(tmp_path, capsys, src)
    assert report["word"]["heading_styles"] == 0
    assert [(c.level, c.heading) for c in ed.clauses()] == [
        (1, "情報セキュリティ対策基準"), (2, "組織体制"), (3, "最高情報セキュリティ責任者"),
        (3, "情報セキュリティ委員会"), (5, "ポリシーの改定"), (5, "研修の計画"), (2, "情報資産の管理"), (3, "分類"),
        (3, "持出し")]
    carry = ed.get("mochidashi")
    assert block_text(carry.body) == "庁舎外への持出しは、情報セキュリティ管理者の許可を得た場合に限り認める。"
    assert report["word"]["tracked_changes"] == {"insertions": 1, "deletions": 1, "moves": 0, "accepted": True}
    assert report["word"]["comments"] == 1 and "1 Word comments ignored" in stdout
    assert "分類の基準を明記" not in "".join(block_text(c.body) for c in ed.clauses())
    bunrui = ed.get("bunrui")
    # the Word footnote is a [^1] reference with its definition in the same clause, numbered 注1
    assert bunrui.body[1].inlines == (Text("機密性は三段階に分ける"), FootnoteRef("1"), Text("。"))
    assert [(f.key, block_text(f.blocks), f.number) for f in bunrui.footnotes] == [
        ("1", "機密性3、機密性2、機密性1をいう。", 1)]
    # the table with gridSpan/vMerge is a table block with its spans; its vertically merged header cell keeps both
    # header rows in the head; the caption the input lacks is a placeholder, flagged
    table = bunrui.body[2]
    assert isinstance(table, GridTable) and table.columns == 3
    assert [[(inline_text(c.inlines), c.rowspan, c.colspan) for c in row] for row in table.head] == [
        [("分類", 2, 1), ("取扱い", 1, 2)], [("複製", 1, 1), ("送信", 1, 1)]]
    assert [[inline_text(c.inlines) for c in row] for row in table.body] == [["機密性3", "禁止", "暗号化"]]
    assert inline_text(table.caption) == "（表題なし）"
    assert any("merged cells" in f["message"] and "（表題なし）" in f["message"] for f in report["findings"])
    figures = sorted(p.name for p in (tmp_path / "out" / "figures").iterdir())
    assert len(figures) == 2 and all(f.startswith("fig-") and f.endswith(".png") for f in figures)
    figs = [b for b in bunrui.body if isinstance(b, Figure)]
    assert [(f.alt, f.src in [f"figures/{n}" for n in figures], f.ident.startswith("fig-")) for f in figs] == [
        ("情報資産の分類の流れ", True, True), ("（代替テキストなし）", True, True)]
    assert len({f.ident for f in figs}) == 2
    sources = "".join(p.read_text("utf-8") for p in (tmp_path / "out").glob("*.md"))
    assert '![情報資産の分類の流れ](<figures/fig-' in sources
    assert any("without alternative text" in f["message"] for f in report["findings"])
    assert not [p for p in report["paragraphs"] if p["status"] == "unplaced"]


def test_word_automatic_numbering(tmp_path, capsys):
    src = tmp_path / "kihon.docx"
    src.write_bytes(docx_fixtures.auto_numbered())
    report, ed, _ = _import(tmp_path, capsys, src)
    assert ed.meta.title == "情報セキュリティ基本方針"
    assert [(c.level, c.heading, c.number) for c in ed.clauses()] == [
        (1, "情報セキュリティ基本方針", "第1編"), (2, "総則", "第1章"), (3, "目的", "1."), (3, "適用範囲", "2."),
        (2, "対策", "第2章"), (3, "物理的対策", "1."), (5, "サーバ室", "(1)"), (5, "入退室", "(2)"),
        (3, "人的対策", "2.")]
    numbers = {n["clause"]: n["source"] for n in report["numbers"]}
    assert numbers["sosoku"] == "第1章" and numbers["taisaku"] == "第2章" and numbers["nyutaishitsu"] == "(2)"
    assert block_text(ed.get("tekiyo-hani").body) == ("この方針は、次の者に適用する。\n(ア)職員\n(イ)会計年度任用職員\n"
                                                      "(ウ)委託先の従業者")
    assert block_text(ed.get("nyutaishitsu").body) == "入退室を記録する。\n・記録は一年間保存する。"
    assert block_text(ed.get("mokuteki").commentary) == "この方針は、町長の意思として定める。"
    assert not [f for f in report["findings"] if f["kind"] == "numbering"]


def test_word_bold_and_links_kept(tmp_path):
    src = tmp_path / "links.docx"
    src.write_bytes(docx_fixtures.external_relationships())
    result = import_document(src)
    nodes = list(iter_inlines(result.edition.get("mokuteki").body))
    links = [n for n in nodes if isinstance(n, Link)]
    assert [n.href for n in links] == ["https://example.invalid/policy"]  # javascript: is kept as text only
    assert "ここを押す" in block_text(result.edition.get("mokuteki").body)
    notes = result.report["neutralised"]
    assert any("attachedTemplate" in n and "never followed" in n for n in notes)
    assert any("subDocument" in n for n in notes)
    assert any("linked picture" in n and "not fetched" in n for n in notes)
    assert any("javascript:alert(1) kept as text only" in n for n in notes)
    bold = docx_fixtures.package(docx_fixtures.para(docx_fixtures.run("方針")) + docx_fixtures.para(
        docx_fixtures.run("1 目的")) + docx_fixtures.para(docx_fixtures.run("必ず"), docx_fixtures.run("施錠", bold=True),
                                                        docx_fixtures.run("する。")))
    src.write_bytes(bold)
    body = import_document(src).edition.get("mokuteki").body
    assert [n for n in iter_inlines(body) if isinstance(n, Strong)]


@pytest.mark.parametrize(("builder", "message"), [
    ("with_macros", "contains macros"),
    ("zip_bomb", "zip bomb"),
    ("deep_xml", "malformed XML"),
    ("doctype_entities", "DOCTYPE"),
])
def test_hostile_word_refused(tmp_path, capsys, builder, message):
    src = tmp_path / f"{builder}.docx"
    src.write_bytes(getattr(docx_fixtures, builder)())
    out = tmp_path / "out"
    code, _, err = run(capsys, "import", str(src), "-o", str(out))
    assert code == 1 and message in err and f"{builder}.docx" in err and "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".out.*"))


def test_not_a_zip_is_refused(tmp_path, capsys):
    src = tmp_path / "fake.docx"
    src.write_bytes(b"this is not a zip")
    code, _, err = run(capsys, "import", str(src), "-o", str(tmp_path / "out"))
    assert code == 1 and "fake.docx" in err and "not a DOCX file" in err


def test_word_bold_lines_without_numbers_are_headings(tmp_path):
    p, r = docx_fixtures.para, docx_fixtures.run
    body = "".join([p(r("情報セキュリティ基本方針", bold=True)), p(r("目的", bold=True)), p(r("この方針は基本を定める。")),
                    p(r("定義", bold=True)), p(r("用語の意義を定める。")), p(r("1 ネットワーク")), p(r("通信網をいう。")),
                    p(r("重要", bold=True), r("な点を述べる。"))])
    src = tmp_path / "bold.docx"
    src.write_bytes(docx_fixtures.package(body))
    ed = import_document(src).edition
    assert [(c.level, c.heading, c.unnumbered) for c in ed.clauses()] == [
        (1, "情報セキュリティ基本方針", False), (3, "目的", True), (3, "定義", True), (4, "ネットワーク", False)]
    assert block_text(ed.get("nettowaku").body) == "通信網をいう。\n重要な点を述べる。"  # bold inside a sentence: text
