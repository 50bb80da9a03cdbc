"""Constructs of the source format read back by ``guideline import`` (issue 18), one rule to one small spec each, in
Word and in HTML: 別紙/様式 appendices, table captions, 参考/例/注意 boxes, footnotes (also from a table cell) and
images of a page (data: URIs and files beside it). Every fixture is written here, small, with our own text."""
from __future__ import annotations

import base64
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from import_support import FIXTURES, load_checked

from guideline.importers.document import import_document, write_result
from guideline.model import GridTable, Table, block_text, inline_text

sys.path.insert(0, str(FIXTURES))
from docx_fixtures import W, package, para, run  # noqa: E402
from docx_fixtures import picture as docx_picture  # noqa: E402
from docx_fixtures import png as docx_png  # noqa: E402


def _html(tmp_path: Path, body: str, name: str = "page.html") -> Path:
    src = tmp_path / name
    src.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>取扱規程</title></head><body>'
                   f"<h1>取扱規程</h1>{body}</body></html>", encoding="utf-8")
    return src


def _docx(tmp_path: Path, body: str, **parts) -> Path:
    src = tmp_path / "doc.docx"
    src.write_bytes(package(body, **parts))
    return src


def _imported(tmp_path: Path, src: Path):
    result = import_document(src, edition_id="town")
    write_result(result, tmp_path / "town")
    return result, load_checked(tmp_path / "town", tmp_path)


def _tc(*paras_xml: str) -> str:
    return "<w:tc>" + "".join(paras_xml or (para(),)) + "</w:tc>"


# --- 別紙 / 様式 ---------------------------------------------------------------------------------------------------


APPENDIX_HTML = ("<h2>第1編 総則</h2><h3>1. 目的</h3><p>情報資産を守る。</p>"
                 "<h2>別紙1 情報資産の一覧</h2><p>一覧は次のとおり。</p>"
                 "<h2>様式第1号 持出し申請書</h2><p>第1編 1.により申請するときは、この様式による。</p>")
APPENDIX_DOCX = "".join([
    para(run("第1編　総則"), style="Heading1"), para(run("1.　目的"), style="Heading3"), para(run("情報資産を守る。")),
    para(run("別紙1　情報資産の一覧"), style="Heading1"), para(run("一覧は次のとおり。")),
    para(run("様式第1号　持出し申請書"), style="Heading1"),
    para(run("第1編 1.により申請するときは、この様式による。"))])


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_appendices_are_parts_of_their_own_kind(tmp_path, fmt):
    """別紙N and 様式第N号 headings open appendix parts numbered on their own; a sentence that starts with a 編
    reference (第1編 1.により…) stays text and opens no 編."""
    src = _html(tmp_path, APPENDIX_HTML) if fmt == "html" else _docx(tmp_path, APPENDIX_DOCX)
    result, ed = _imported(tmp_path, src)
    assert [(p.kind, p.number, p.heading) for p in ed.parts] == [
        ("", "第1編", "総則"), ("appendix", "別紙1", "情報資産の一覧"), ("form", "様式第1号", "持出し申請書")]
    assert inline_text(ed.parts[2].body[0].inlines) == "第1編 1.により申請するときは、この様式による。"
    assert not [f for f in result.report["findings"] if f["kind"] == "numbering"]
    assert not [p for p in result.paragraphs if p["status"] == "unplaced"]


def test_appendix_rule_needs_a_number_and_a_heading():
    from guideline.importers.recognise import recognise

    assert (recognise("別紙２　様式の一覧").kind, recognise("別紙２　様式の一覧").value) == ("appendix", (2,))
    assert (recognise("様式第3号").kind, recognise("様式第3号").value) == ("form", (3,))
    assert recognise("別紙のとおり定める。") is None


# --- table captions ------------------------------------------------------------------------------------------------


def test_html_table_caption_is_the_table_blocks_caption(tmp_path):
    """<caption> becomes the caption (its printed 表N number dropped): the table is a table block, not flagged."""
    src = _html(tmp_path, "<h2>第1編 総則</h2><h3>1. 分類</h3><p>分類は次による。</p>"
                          '<table id="tbl-kubun"><caption><span class="num">表1</span>分類の区分</caption>'
                          "<thead><tr><th>分類</th><th>例</th></tr></thead>"
                          '<tbody><tr><th scope="row">機密性3</th><td>住民の個人情報</td></tr></tbody></table>')
    result, ed = _imported(tmp_path, src)
    table = next(b for b in ed.get("bunrui").body if isinstance(b, GridTable))
    assert (inline_text(table.caption), table.number, table.ident, table.row_header) == (
        "分類の区分", "表1", "tbl-kubun", True)
    assert [[inline_text(c.inlines) for c in row] for row in (*table.head, *table.body)] == [
        ["分類", "例"], ["機密性3", "住民の個人情報"]]
    assert not [f for f in result.report["findings"] if f["kind"] == "table"]


def test_word_caption_paragraph_above_a_table_is_its_caption(tmp_path):
    """「表1　…」 right above a Word table is its caption; the report names the pair as one entry."""
    header = '<w:tr><w:trPr><w:tblHeader/></w:trPr>' + _tc(para(run("分類", bold=True))) + _tc(
        para(run("例", bold=True))) + "</w:tr>"
    body = "<w:tr>" + _tc(para(run("機密性3", bold=True))) + _tc(para(run("住民の個人情報"))) + "</w:tr>"
    src = _docx(tmp_path, para(run("第1編　総則"), style="Heading1") + para(run("1.　分類"), style="Heading3")
                + para(run("表1　分類の区分"), style="Caption") + f"<w:tbl>{header}{body}</w:tbl>"
                + para(run("表2のとおりとする。")) + "<w:tbl><w:tr>" + _tc(para(run("a"))) + "</w:tr><w:tr>"
                + _tc(para(run("b"))) + "</w:tr></w:tbl>")
    result, ed = _imported(tmp_path, src)
    blocks = ed.get("bunrui").body
    assert isinstance(blocks[0], GridTable)
    assert (inline_text(blocks[0].caption), blocks[0].row_header) == ("分類の区分", True)
    assert [[inline_text(c.inlines) for c in row] for row in blocks[0].head] == [["分類", "例"]]
    # a sentence above a table is no caption: it stays text, the table a pipe table
    assert inline_text(blocks[1].inlines) == "表2のとおりとする。" and isinstance(blocks[2], Table)
    entry = next(p for p in result.paragraphs if p.get("as") == "table")
    assert entry["where"].endswith("(caption and table)")


# --- 参考 / 例 / 注意 boxes ----------------------------------------------------------------------------------------


def _box_docx(kind: str, *inner: str) -> str:
    """A box as our Word writer prints it: a one-cell table, 【kind】 on its first line."""
    return "<w:tbl><w:tr>" + _tc(para(run(f"【{kind}】"), style="BoxTitle"), *inner) + "</w:tr></w:tbl>"


BOX_DOCX = "".join([
    para(run("第1編　総則"), style="Heading1"), para(run("1.　分類"), style="Heading3"),
    para(run("情報資産を分類する。")),
    _box_docx("例", para(run("・\u3000台帳は機密性3とする。")), para(run("1.　番号で始まる行も箱の中の文である。"))),
    para(run("【解説】")), para(run("分類は作成時に決める。")),
    _box_docx("注意", para(run("迷う場合は上位の分類とする。"))),
])
BOX_HTML = ("<h2>第1編 総則</h2><h3>1. 分類</h3><p>情報資産を分類する。</p>"
            '<aside class="box box-example" aria-label="例"><p class="box-title">【例】</p>'
            '<ul><li>台帳は機密性3とする。</li></ul><p>1. 番号で始まる行も箱の中の文である。</p></aside>'
            '<div class="commentary"><p>分類は作成時に決める。</p>'
            "<div><p><strong>【注意】</strong></p><p>迷う場合は上位の分類とする。</p></div></div>")


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_boxes_come_back_as_boxes(tmp_path, fmt):
    """A box (Word: a one-cell table opening with 【例】; HTML: aside.box, or a block opening with a 【注意】 line) is a
    box block of its kind with its paragraphs and lists; nothing in it opens a clause; in a 解説 it stays there."""
    from guideline.model import Box, BulletList, Para

    src = _html(tmp_path, BOX_HTML) if fmt == "html" else _docx(tmp_path, BOX_DOCX)
    result, ed = _imported(tmp_path, src)
    assert [c.id for c in ed.clauses()] == ["sosoku", "bunrui"]
    clause = ed.get("bunrui")
    assert [type(b).__name__ for b in clause.body] == ["Para", "Box"]
    box = clause.body[1]
    assert box.kind == "例" and [type(b) for b in box.blocks] == [BulletList, Para]
    assert block_text(box.blocks) == "・台帳は機密性3とする。\n1. 番号で始まる行も箱の中の文である。".replace(
        "1. ", "1." + ("\u3000" if fmt == "docx" else " "))
    assert [type(b).__name__ for b in clause.commentary] == ["Para", "Box"]
    assert (clause.commentary[1].kind, block_text(clause.commentary[1].blocks)) == ("注意", "迷う場合は上位の分類とする。")
    entry = next(p for p in result.paragraphs if p.get("as") == "box")
    assert entry["status"] == "placed" and entry["clause"] == "bunrui" and entry["text"].startswith("【例】")


# --- footnotes -----------------------------------------------------------------------------------------------------


FOOTNOTE_HTML = ("<h2>第1編 総則</h2><h3>1. 分類</h3>"
                 '<p>三つに分ける<sup class="fnref"><a href="#fn-a" role="doc-noteref">注1</a></sup>。</p>'
                 "<table><tr><th>分類</th><th>例</th></tr><tr><td>機密性3"
                 '<sup class="fnref"><a href="#fn-b">注2</a></sup></td><td>台帳</td></tr></table>'
                 '<aside class="footnotes" role="doc-endnotes"><ol>'
                 '<li id="fn-a"><span class="fn-label">注1</span><div class="fn-body"><p>機密性、完全性、可用性。</p>'
                 '</div><a class="fn-back" href="#r1" role="doc-backlink">↩</a></li>'
                 '<li id="fn-b"><span class="fn-label">注2</span><div class="fn-body"><p>最も高い分類。</p></div></li>'
                 '<li id="fn-c"><span class="fn-label">注9</span><div class="fn-body"><p>どこからも参照されない注。</p>'
                 "</div></li></ol></aside>"
                 '<h3>2. 持出し</h3><p>許可を得る<a href="#fn1" class="footnote-ref" role="doc-noteref"><sup>1</sup></a>。</p>'
                 '<section class="footnotes" role="doc-endnotes"><hr><ol><li id="fn1"><p>書面による。'
                 '<a href="#fnref1" class="footnote-back" role="doc-backlink">↩︎</a></p></li></ol></section>')


def _notes(clause) -> list[str]:
    return [block_text(f.blocks) for f in clause.footnotes]


def test_html_footnote_lists_become_footnotes_of_the_clause(tmp_path):
    """A reference (ours: sup.fnref; pandoc's: a.footnote-ref) into the page's footnote list is a footnote of the
    clause holding it, also from a table cell, its text without the 注N label and the back link; a note nothing
    references stays a paragraph."""
    result, ed = _imported(tmp_path, _html(tmp_path, FOOTNOTE_HTML))
    bunrui = ed.get("bunrui")
    assert _notes(bunrui) == ["機密性、完全性、可用性。", "最も高い分類。"]
    assert block_text(bunrui.body, ed, bunrui).split("\n") == ["三つに分ける注1。", "分類\t例", "機密性3注2\t台帳",
                                                              "注9\u3000どこからも参照されない注。"]
    assert _notes(ed.get("mochidashi")) == ["書面による。"] and result.report["html"]["footnotes"] == 3
    assert "↩" not in block_text(ed.get("mochidashi").body)


def test_word_footnote_in_a_table_cell_keeps_its_text(tmp_path):
    """A footnote referenced from a Word table cell is a footnote of the clause, its reference in the cell."""
    cell = para(run("機密性3"), '<w:r><w:footnoteReference w:id="5"/></w:r>')
    footnotes = (f'<w:footnotes xmlns:w="{W}"><w:footnote w:id="5">{para(run("最も高い分類。"))}</w:footnote>'
                 "</w:footnotes>")
    src = _docx(tmp_path, para(run("第1編　総則"), style="Heading1") + para(run("1.　分類"), style="Heading3")
                + "<w:tbl><w:tr>" + _tc(para(run("分類"))) + _tc(para(run("例"))) + "</w:tr><w:tr>" + _tc(cell)
                + _tc(para(run("台帳"))) + "</w:tr></w:tbl>", footnotes=footnotes)
    result, ed = _imported(tmp_path, src)
    bunrui = ed.get("bunrui")
    assert _notes(bunrui) == ["最も高い分類。"]
    assert block_text(bunrui.body, ed, bunrui).split("\n") == ["分類\t例", "機密性3注1\t台帳"]


# --- images of an HTML page ----------------------------------------------------------------------------------------


def test_html_data_uri_and_local_images_become_figures(tmp_path):
    """A data: image and an image file beside the page become figures in figures/ with their alt text and the
    図N caption under them; a remote image is never fetched and stays a placeholder."""
    from guideline.model import Figure, Para

    png = docx_png(3, 2)
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "flow.png").write_bytes(docx_png(2, 2))
    uri = "data:image/png;base64," + base64.b64encode(png).decode()
    src = _html(tmp_path, f'<h2>第1編 総則</h2><h3>1. 分類</h3><figure id="fig-a"><img src="{uri}" alt="分類の流れ図">'
                          '<figcaption><span class="num">図1</span>分類の流れ</figcaption></figure>'
                          '<p><img src="img/flow.png" alt="持出しの流れ図"></p>'
                          '<p><img src="https://example.invalid/x.png" alt="外部の図"></p>')
    result, ed = _imported(tmp_path, src)
    blocks = ed.get("bunrui").body
    assert [type(b) for b in blocks] == [Figure, Figure, Para]
    assert (blocks[0].alt, inline_text(blocks[0].caption), blocks[0].number) == ("分類の流れ図", "分類の流れ", "図1")
    assert (tmp_path / "town" / blocks[0].src).read_bytes() == png
    assert (tmp_path / "town" / blocks[1].src).read_bytes() == docx_png(2, 2) and blocks[1].alt == "持出しの流れ図"
    assert inline_text(blocks[2].inlines).startswith("［図：外部の図")
    assert result.report["html"]["images"] == 2 and result.report["html"]["images_not_fetched"] == 1
    assert [f["alt"] for f in result.report["figures"]] == ["分類の流れ図", "持出しの流れ図"]


def test_html_hostile_images_are_refused_with_a_report_line(tmp_path):
    """An oversized data: URI is not decoded, a scripted SVG and a file outside the page's folder are not taken:
    each leaves a placeholder and a line under ``neutralised``; nothing of them is written."""
    (tmp_path / "secret.png").write_bytes(docx_png(2, 2))
    page = tmp_path / "site"
    page.mkdir()
    svg = "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"
    huge = "data:image/png;base64," + "A" * (14 * 1024 * 1024)
    src = _html(page, f'<h2>第1編 総則</h2><h3>1. 分類</h3><p><img src="{huge}" alt="大きな図"></p>'
                      f'<p><img src="data:image/svg+xml,{quote(svg)}" alt="危険な図"></p>'
                      '<p><img src="../secret.png" alt="外の図"></p><p><img src="/etc/passwd" alt="絶対パス"></p>')
    result, ed = _imported(tmp_path, src)
    assert [inline_text(b.inlines)[:5] for b in ed.get("bunrui").body] == ["［図：大き", "［図：危険", "［図：外の",
                                                                           "［図：絶対"]
    lines = result.report["neutralised"]
    assert any("a data: URI of 14,680,086 characters is longer than the 9,000,000 a page may embed; not decoded"
               in x for x in lines)
    assert any("an SVG with a script element; left out" in x for x in lines)
    assert any("image ../secret.png lies outside the page's folder" in x for x in lines)
    assert any("image /etc/passwd lies outside the page's folder" in x for x in lines)
    assert not (tmp_path / "town" / "figures").exists() and result.report["html"]["images"] == 0


def test_figure_caption_paragraph_is_reported_with_its_figure(tmp_path):
    """The 「図1　…」 line under a Word figure is its caption, and one report entry names both; a sentence that
    starts with 図1 under a figure that has its caption stays text."""
    rels = [("rImg1", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image", "media/a.png",
             False)]
    src = _docx(tmp_path, para(run("第1編　総則"), style="Heading1") + para(run("1.　分類"), style="Heading3")
                + para(docx_picture("rImg1", "分類の流れ図", 1)) + para(run("図1　分類の流れ"), style="Caption")
                + para(run("図1 のとおり、三つに分ける。")), rels=rels, media={"a.png": docx_png(2, 2)})
    result, ed = _imported(tmp_path, src)
    fig, text = ed.get("bunrui").body
    assert (fig.alt, inline_text(fig.caption)) == ("分類の流れ図", "分類の流れ")
    assert inline_text(text.inlines) == "図1 のとおり、三つに分ける。"
    entry = next(p for p in result.paragraphs if p.get("as") == "figure")
    assert entry["where"] == "paragraph 3 (figure), paragraph 4 (Caption) (its caption)"
    assert [p["text"] for p in result.paragraphs if p.get("as") == "text"] == ["図1 のとおり、三つに分ける。"]


# --- page breaks ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_page_break_paragraph_is_a_pagebreak(tmp_path, fmt):
    """A paragraph holding only a page break (Word w:br type=page, our HTML div.page-break) is {.pagebreak} where it
    stands; one above the first heading is page furniture."""
    from guideline.model import PageBreak, Para

    if fmt == "html":
        src = _html(tmp_path, '<div class="page-break"></div><h2>第1編 総則</h2><h3>1. 分類</h3><p>前の文。</p>'
                              '<div class="page-break"></div><p>次の頁の文。</p>')
    else:
        brk = para('<w:r><w:br w:type="page"/></w:r>')
        src = _docx(tmp_path, brk + para(run("第1編　総則"), style="Heading1") + para(run("1.　分類"), style="Heading3")
                    + para(run("前の文。")) + brk + para(run("次の頁の文。")))
    result, ed = _imported(tmp_path, src)
    assert [type(b) for b in ed.get("bunrui").body] == [Para, PageBreak, Para]
    assert [p["status"] for p in result.paragraphs if p["where"].endswith("(page break)")] == ["furniture", "placed"]


def test_figure_and_footnote_inside_a_box(tmp_path):
    """A figure and a footnote reference inside a box stay there: the figure file is written and listed with its alt
    text, the footnote is defined in the clause."""
    from guideline.model import Box, Figure

    uri = "data:image/png;base64," + base64.b64encode(docx_png(2, 3)).decode()
    src = _html(tmp_path, '<h2>第1編 総則</h2><h3>1. 分類</h3><p>本文。</p><aside class="box" aria-label="参考">'
                          f'<p class="box-title">【参考】</p><figure><img src="{uri}" alt="箱の中の図"></figure>'
                          '<p>補足する<sup class="fnref"><a href="#fn-x">注1</a></sup>。</p></aside>'
                          '<aside class="footnotes"><ol><li id="fn-x"><div class="fn-body"><p>箱の注。</p></div></li>'
                          "</ol></aside>")
    result, ed = _imported(tmp_path, src)
    clause = ed.get("bunrui")
    box = clause.body[1]
    assert isinstance(box, Box) and box.kind == "参考" and isinstance(box.blocks[0], Figure)
    assert (tmp_path / "town" / box.blocks[0].src).read_bytes() == docx_png(2, 3)
    assert [f["alt"] for f in result.report["figures"]] == ["箱の中の図"]
    assert [block_text(f.blocks) for f in clause.footnotes] == ["箱の注。"]
