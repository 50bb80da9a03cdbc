"""Figures, footnotes, 参考/例/注意 boxes, table blocks with merged cells, 別紙/様式 and page breaks (issue 17):
the model the reader makes of them, and what every output does with them.

A small edition written here holds each construct once; the sample draft (which has them all) is built once per
module for the HTML and Word checks, and diffed against r5-03 (whose α and β drawings are older) for the figure
change. Misuse with exact ``path:line`` messages is in the malformed corpus (tests/fixtures/malformed/md-figure-*,
md-footnote-errors, md-table-errors, md-appendix-errors).
"""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from browser import Chromium, describe
from conftest import REPO
from lxml import etree
from lxml import html as lxml_html

from guideline import editions
from guideline.commands.build import build
from guideline.diagnostics import Report
from guideline.diff import compare
from guideline.writers.changes.changes_json import to_data
from guideline.figures import svg_problem
from guideline.model import Box, Figure, GridTable, PageBreak, block_text, xref_label
from guideline.parse_cache import ParseCache
from guideline.reader import EVENTS, parse_file, read_edition
from guideline.validate import validate
from guideline.writers.changes import comparison
from guideline.writers.edition import docx, html_single, html_site
from guideline.xref import find_clause

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">'
       '<rect width="200" height="100" fill="#eee"/><text x="10" y="50">{label}</text></svg>\n')

EDITION = """id: mini
title: 小さな版
date: 2024-10-02
status: 案
nisc_catalog: test-r7
reibun_part: general
files:
  - a.md
  - b.md
"""

A_MD = """# 総則 {#general}

## 構成 {#structure}

構成を[](#fig-layout)に示す[^simple]。分類は[](#tbl-classes)のとおり[^classes]。

![三つの箱を横に並べた構成図](figures/layout.svg "庁内の構成"){#fig-layout}

{.pagebreak}

[^classes]: 分類の詳細は別紙に示す。

[^simple]: 図は簡略化したものである。

:::: 解説
解説の本文[^simple]。

::: 例
住民票の写しは機密性3とする。
:::
::::

::: 注意
注意の本文。
:::

## 別の章 {#other}

二つ目の図。

![二つ目の図の説明](figures/layout.svg "同じ図をもう一度")
"""

B_MD = """# 情報資産の分類 {#app-classes .appendix}

```table {#tbl-classes}
caption: 分類と取扱い
row_header: true
head:
  - [{text: 分類, rowspan: 2}, {text: 取扱い, colspan: 2}]
  - [複製, 送信]
body:
  - [機密性3, 禁止, "{{本市}}の許可"]
  - [機密性2, {text: 必要最小限, colspan: 2}]
```

# 申請書 {#form-request .form}

申請書の様式。
"""


def make_edition(root: Path, a_md: str = A_MD, svg_label: str = "構成") -> Path:
    ed = root / "mini"
    (ed / "figures").mkdir(parents=True)
    (ed / "edition.yaml").write_text(EDITION, encoding="utf-8")
    (ed / "a.md").write_text(a_md, encoding="utf-8")
    (ed / "b.md").write_text(B_MD, encoding="utf-8")
    (ed / "figures" / "layout.svg").write_text(SVG.format(label=svg_label), encoding="utf-8")
    nisc = root / "nisc"
    nisc.mkdir(exist_ok=True)
    shutil.copy(REPO / "tests" / "fixtures" / "src" / "nisc" / "test-r7.yaml", nisc / "test-r7.yaml")
    return ed


def read(ed: Path):
    edition, report = read_edition(ed, cache=ParseCache(None, enabled=False))
    validate(edition, report)
    assert not report.errors, [str(d) for d in report.sorted()]
    return edition


@pytest.fixture
def mini(tmp_path):
    return read(make_edition(tmp_path))


# --------------------------------------------------------------------------------------------------------------------
# the model


def test_figures_tables_footnotes_and_appendices_are_numbered_from_position(mini):
    structure = mini.get("structure")
    fig = next(b for b in structure.body if isinstance(b, Figure))
    assert (fig.src, fig.alt, fig.ident, fig.number) == ("figures/layout.svg", "三つの箱を横に並べた構成図",
                                                          "fig-layout", "図1")
    second = next(b for b in mini.get("other").body if isinstance(b, Figure))
    assert second.number == "図2" and second.ident == ""
    assert xref_label("fig-layout", mini) == "図1" and xref_label("tbl-classes", mini) == "表1"
    # footnotes: numbered by first reference ([^simple] comes first), definitions moved out of the text
    assert [(f.key, f.number) for f in structure.footnotes] == [("simple", 1), ("classes", 2)]
    assert block_text(structure.body, mini, structure).startswith("構成を図1に示す注1。分類は表1のとおり注2。")
    assert any(isinstance(b, PageBreak) for b in structure.body)
    boxes = [b for b in (*structure.body, *structure.commentary) if isinstance(b, Box)]
    assert [b.kind for b in boxes] == ["注意", "例"]
    # appendices: their own numbering, not counted as 編
    assert [(p.id, p.number, p.kind) for p in mini.parts] == [
        ("general", "第1編", ""), ("app-classes", "別紙1", "appendix"), ("form-request", "様式第1号", "form")]
    assert mini.commentary_part_number == "第2編"
    assert mini.assets["figures/layout.svg"].width == 200.0


def test_table_block_keeps_spans_and_rows(mini):
    table = next(b for b in mini.get("app-classes").body if isinstance(b, GridTable))
    assert table.number == "表1" and table.columns == 3 and table.row_header and table.ident == "tbl-classes"
    assert [(c.rowspan, c.colspan) for c in table.head[0]] == [(2, 1), (1, 2)]
    assert len(table.head[1]) == 2 and [c.colspan for c in table.body[1]] == [1, 2]
    assert "分類と取扱い" in block_text(table.caption and (table,), mini)


def test_parse_cache_round_trips_every_new_construct(tmp_path):
    ed = make_edition(tmp_path)
    for name in ("a.md", "b.md"):
        path = ed / name
        events = parse_file(path.read_bytes(), str(path))
        encoded = json.loads(json.dumps(EVENTS.encode(events, str(path))))
        assert EVENTS.decode(encoded, str(path)) == events


def test_reading_is_the_same_with_the_parse_cache(tmp_path):
    ed = make_edition(tmp_path)
    cold = read(ed)
    cache = ParseCache(tmp_path / "cache")
    first, _ = read_edition(ed, cache=cache)
    second, _ = read_edition(ed, cache=ParseCache(tmp_path / "cache"))
    assert cold.parts == first.parts == second.parts


def test_replaced_figure_file_is_a_figure_change(tmp_path):
    old = read(make_edition(tmp_path / "old", svg_label="旧"))
    new = read(make_edition(tmp_path / "new", svg_label="新"))
    changes = {c.new_ids[0]: c for c in compare(old, new).changes if c.new}
    assert changes["structure"].aspects == ("figure",) and changes["other"].aspects == ("figure",)
    data = to_data(compare(old, new))
    entry = next(e for e in data["changes"] if e["new_ids"] == ["structure"])
    assert entry["figures"]["old"][0]["src"] == entry["figures"]["new"][0]["src"] == "figures/layout.svg"
    assert entry["figures"]["old"][0]["sha256"] != entry["figures"]["new"][0]["sha256"]
    same = compare(old, old)
    assert all(c.kind == "unchanged" for c in same.changes)
    html = comparison.render_html(compare(old, new))
    row = lxml_html.fromstring(html).xpath("//tr[@id='row-structure']")[0]
    imgs = row.xpath(".//figure[contains(@class,'l-figure')]/img")
    assert len(imgs) == 2 and all(i.get("src").startswith("data:image/svg+xml;base64,") for i in imgs)
    assert {i.get("alt") for i in imgs} == {"三つの箱を横に並べた構成図"}


def test_footnote_box_and_cell_changes_show_inline(tmp_path):
    old = read(make_edition(tmp_path / "old"))
    changed = (A_MD.replace("図は簡略化したものである。", "図は考え方を示すため簡略化したものである。")
               .replace("住民票の写しは機密性3とする。", "住民票の写しの交付記録は機密性3とする。"))
    new_dir = make_edition(tmp_path / "new", changed)
    (new_dir / "b.md").write_text(B_MD.replace("[機密性3, 禁止,", "[機密性3, 原則禁止,"), encoding="utf-8")
    new = read(new_dir)
    cs = compare(old, new)
    by_id = {c.new_ids[0]: c for c in cs.changes if c.new}
    body = by_id["structure"]
    note = next(d for d in body.body if d.op != "equal")
    assert note.new.label == "注1　" and ("insert", "考え方を示すため") in note.runs
    example = next(d for d in body.commentary if d.op != "equal")
    assert example.new.label == "【例】" and ("insert", "の交付記録") in example.runs
    cell = next(d for d in by_id["app-classes"].body if d.op != "equal")
    assert cell.new.kind == "row" and ("insert", "原則") in cell.runs
    assert by_id["app-classes"].aspects == ("text",)


def test_search_and_xref_find_captions_and_footnotes(mini):
    site = html_site.Site(mini, nisc_pages=None)
    texts = {d.href: d.text for d in site.search_docs()}
    structure = texts[site.href_for("structure")]
    assert "図1　庁内の構成" in structure and "注1　図は簡略化したものである。" in structure
    assert "表1　分類と取扱い" in texts[site.href_for("app-classes")]
    assert find_clause(mini, "fig-layout").id == "structure"
    assert find_clause(mini, "表1").id == "app-classes"


# --------------------------------------------------------------------------------------------------------------------
# HTML


def test_single_page_figures_footnotes_boxes_and_merged_cells(mini):
    page = html_single.render(mini)
    root = lxml_html.fromstring(page)
    assert "<svg" not in page  # figures are never inlined
    fig = root.xpath("//figure[@id='fig-layout']")[0]
    img = fig.xpath("img")[0]
    assert img.get("alt") == "三つの箱を横に並べた構成図" and img.get("src").startswith("data:image/svg+xml;base64,")
    assert fig.xpath("string(figcaption)") == "図1庁内の構成"
    assert root.xpath("//a[@class='xref' and @href='#fig-layout']/text()") == ["図1"]
    # footnotes: a list at the end of the clause text, each with a link back to its first reference
    notes = root.xpath("//section[@id='structure']/aside[@class='footnotes']//li")
    assert [n.get("id") for n in notes] == ["fn-structure-1", "fn-structure-2"]
    for n in notes:
        back = n.xpath("a[@role='doc-backlink']/@href")[0]
        assert root.xpath(f"//*[@id='{back[1:]}']/@href") == [f"#{n.get('id')}"]
    # the 解説's reference has its own anchors (c.) and its own list
    assert root.xpath("//a[@id='ref-c.fn-structure-1']/@href") == ["#c.fn-structure-1"]
    assert root.xpath("//aside[contains(@class,'box-example')]/p[@class='box-title']/text()") == ["【例】"]
    assert root.xpath("//aside[contains(@class,'box-caution')]")
    table = root.xpath("//table[@id='tbl-classes']")[0]
    assert table.xpath("string(caption)") == "表1分類と取扱い"
    assert table.xpath("thead/tr[1]/th/@scope") == ["col", "colgroup"]
    assert table.xpath("thead/tr[1]/th[1]/@rowspan") == ["2"] and table.xpath("thead/tr[1]/th[2]/@colspan") == ["2"]
    assert table.xpath("tbody/tr/th[@scope='row']/text()") == ["機密性3", "機密性2"]
    assert table.xpath("tbody/tr[2]/td/@colspan") == ["2"]
    # 別紙 and 様式 follow the 編 they are listed after (the generated 解説 closes the edition, as in Word)
    order = [s.get("id") for s in root.xpath("//section[contains(@class,'level-1')]")]
    assert order.index("general") < order.index("app-classes") < order.index("form-request") < order.index("c.part")


def test_site_serves_figures_as_files(tmp_path, monkeypatch):
    ed = make_edition(tmp_path)
    site = html_site.Site(read(ed), nisc_pages=None).render_all()
    assert site["figures/layout.svg"] == (ed / "figures" / "layout.svg").read_bytes()
    pages = {k: v.decode() for k, v in site.items() if k.endswith(".html")}
    assert not any("<svg" in v for v in pages.values())
    chapter = lxml_html.fromstring(pages["structure.html"])
    assert chapter.xpath("//figure[@id='fig-layout']/img/@src") == ["figures/layout.svg"]
    assert "app-classes.html" in pages and "form-request.html" in pages


# --------------------------------------------------------------------------------------------------------------------
# Word


@pytest.fixture(scope="module")
def draft_docx(tmp_path_factory) -> bytes:
    out = tmp_path_factory.mktemp("docx")
    edition = editions.load_or_fail("draft", REPO / "guideline_src")
    docx.write(edition, out)
    return (out / "guideline.docx").read_bytes()


def test_docx_pictures_footnotes_boxes_and_merged_cells(draft_docx):
    z = zipfile.ZipFile(io.BytesIO(draft_docx))
    names = z.namelist()
    doc = etree.fromstring(z.read("word/document.xml"))
    ns = {"w": W[1:-1], "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
          "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
          "asvg": "http://schemas.microsoft.com/office/drawing/2016/SVG/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    descr = doc.xpath("//wp:docPr/@descr", namespaces=ns)
    assert len(descr) == 4 and descr[0].startswith("三つの領域を左から並べ")
    rels = etree.fromstring(z.read("word/_rels/document.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels}
    blip = doc.xpath("//a:blip", namespaces=ns)[0]
    png = target[blip.get(f"{{{ns['r']}}}embed")]
    svg = target[blip.xpath(".//asvg:svgBlip/@r:embed", namespaces=ns)[0]]
    assert png.endswith(".png") and z.read(f"word/{png}").startswith(b"\x89PNG")
    assert svg.endswith(".svg") and z.read(f"word/{svg}") == (
        REPO / "guideline_src" / "draft" / "figures" / "alpha-model.svg").read_bytes()
    # the caption paragraph follows the picture, which is kept with it
    fig_p = blip.xpath("ancestor::w:p", namespaces=ns)[0]
    assert fig_p.xpath("w:pPr/w:keepNext", namespaces=ns)
    assert "".join(fig_p.getnext().itertext()) == "図1　αモデルの構成"
    # footnotes
    assert "word/footnotes.xml" in names
    notes = etree.fromstring(z.read("word/footnotes.xml"))
    texts = ["".join(n.itertext()).strip() for n in notes.xpath("//w:footnote[not(@w:type)]", namespaces=ns)]
    assert texts[0] == "図は考え方を示すために簡略化したものであり、実際の機器構成や通信経路は団体ごとに異なる。"
    assert len(doc.xpath("//w:footnoteReference", namespaces=ns)) == len(texts) == 3
    # merged cells of 別紙1
    assert doc.xpath("//w:tc/w:tcPr/w:gridSpan[@w:val='3']", namespaces=ns)
    assert doc.xpath("//w:tc/w:tcPr/w:vMerge[@w:val='restart']", namespaces=ns)
    assert doc.xpath("//w:tc/w:tcPr/w:vMerge[not(@w:val)]", namespaces=ns)
    body = "".join(doc.itertext())
    assert "【例】" in body and "【参考】" in body and "表1　機密性の分類と取扱い制限" in body
    assert doc.xpath("//w:br[@w:type='page']", namespaces=ns)  # the {.pagebreak} before 様式第1号


def test_docx_is_byte_identical_across_builds(tmp_path):
    edition = editions.load_or_fail("draft", REPO / "guideline_src")
    assert docx.render_guideline(edition) == docx.render_guideline(edition)


@pytest.mark.needs_pandoc
def test_pandoc_reads_images_footnotes_and_merged_cells(draft_docx, tmp_path):
    path = tmp_path / "guideline.docx"
    path.write_bytes(draft_docx)
    html = subprocess.run(["pandoc", "-f", "docx", "-t", "html", str(path)], capture_output=True, text=True,
                          check=True).stdout
    assert len(re.findall(r"<img ", html)) == 4
    assert 'class="footnote' in html and "図は考え方を示すために簡略化したもの" in html
    assert re.search(r'<th[^>]*rowspan="2"', html) and re.search(r'<t[hd][^>]*colspan="3"', html)


# --------------------------------------------------------------------------------------------------------------------
# hostile figures


@pytest.mark.parametrize("svg, problem", [
    ('<svg xmlns="http://www.w3.org/2000/svg"><SCRIPT>x</SCRIPT></svg>', ""),  # XML is case-sensitive: not svg's
    ('<svg xmlns="http://www.w3.org/2000/svg"><script xlink:href="x.js" '
     'xmlns:xlink="http://www.w3.org/1999/xlink"/></svg>', "a script element"),
    ('<svg xmlns="http://www.w3.org/2000/svg" ONLOAD="x()"/>', "an event handler attribute ONLOAD"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><use href="data:image/svg+xml;base64,PHN2Zz4="/></svg>',
     "an external reference 'data:image/svg+xml;base64,PHN2Zz4='"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://x.invalid/a.css);</style></svg>',
     "an @import in a style"),
    ('<?xml-stylesheet href="https://x.invalid/a.css"?><svg xmlns="http://www.w3.org/2000/svg"/>',
     "a processing instruction"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><a href="#part"><rect width="1" height="1"/></a></svg>', ""),
    ('<html xmlns="http://www.w3.org/1999/xhtml"><body onload="x()"/></html>',
     "no <svg> root element in the SVG namespace"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><text>unclosed</svg>', "malformed XML"),
])
def test_svg_payloads(svg, problem):
    found = svg_problem(svg.encode())
    assert found.startswith(problem) if problem else found == ""


def test_uppercase_script_is_still_not_rendered_as_script(tmp_path):
    """<SCRIPT> is not an SVG script element (XML names are case-sensitive), and a figure is only ever shown
    through <img>, where no script runs at all."""
    ed = make_edition(tmp_path)
    (ed / "figures" / "layout.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                                              "<SCRIPT>alert(1)</SCRIPT></svg>", encoding="utf-8")
    page = html_single.render(read(ed))
    assert "alert(1)" not in page and "<SCRIPT" not in page


# --------------------------------------------------------------------------------------------------------------------
# the sample: build, diff, accessibility


@pytest.fixture(scope="module")
def draft_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("draft")
    build("draft", ["html"], out, quiet=True)
    return out / "draft" / "site"


def test_sample_diff_reports_the_figure_change(tmp_path):
    old = editions.load_or_fail("r5-03", REPO / "guideline_src")
    new = editions.load_or_fail("draft", REPO / "guideline_src")
    entry = next(e for e in to_data(compare(old, new))["changes"] if e["new_ids"] == ["gen-network-models"])
    assert "figure" in entry["aspects"]
    old_files = {f["src"]: f["sha256"] for f in entry["figures"]["old"]}
    new_files = {f["src"]: f["sha256"] for f in entry["figures"]["new"]}
    assert set(old_files) == {"figures/alpha-model.svg", "figures/beta-model.svg"}
    assert old_files["figures/alpha-model.svg"] != new_files["figures/alpha-model.svg"]


@pytest.mark.needs_chromium
@pytest.mark.slow
def test_axe_finds_no_violations_on_the_pages_with_the_new_constructs(draft_site):
    targets = [draft_site / name for name in ("gen-security-chapter.html", "kaisetsu-standards.html",
                                              "app-asset-handling.html", "form-exception-request.html")]
    assert all(t.is_file() for t in targets)
    with Chromium() as browser:
        results = browser.axe_violations_many(targets)
    failures = [f"{path.name}:\n{describe(v)}" for path, v in zip(targets, results) if v]
    assert not failures, "\n".join(failures)


def test_source_writer_round_trips_the_new_constructs(tmp_path):
    """markdown_source writes figures, footnotes, boxes, table blocks, page breaks and 別紙/様式 back so that they
    read as the same edition (what an importer and the Word round trip emit)."""
    from guideline.writers.edition.markdown_source import write_edition

    ed_dir = make_edition(tmp_path / "a")
    edition = read(ed_dir)
    out = tmp_path / "b" / "mini"
    write_edition(edition, out)
    shutil.copytree(ed_dir / "figures", out / "figures")
    shutil.copytree(tmp_path / "a" / "nisc", tmp_path / "b" / "nisc")
    again = read(out)

    def shape(ed):
        return [(c.id, c.kind, c.number, block_text(c.body + c.footnotes, ed, c), block_text(c.commentary, ed, c),
                 [type(b).__name__ for b in (*c.body, *c.commentary)]) for c in ed.clauses()]

    assert shape(again) == shape(edition)
    table = next(b for b in again.get("app-classes").body if isinstance(b, GridTable))
    original = next(b for b in edition.get("app-classes").body if isinstance(b, GridTable))
    assert (table.head, table.body, table.caption, table.ident, table.row_header) == (
        original.head, original.body, original.caption, original.ident, original.row_header)


# --------------------------------------------------------------------------------------------------------------------
# PDF (Typst)


def _struct_figures(pdf) -> list[str]:
    """The /Alt of every Figure element of a PDF's structure tree."""
    import pikepdf

    alts: list[str] = []

    def walk(node) -> None:
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
        elif isinstance(node, pikepdf.Dictionary):
            if node.get("/S") == "/Figure":
                alts.append(str(node.get("/Alt")))
            if "/K" in node:
                walk(node.K)

    walk(pdf.Root.StructTreeRoot)
    return alts


@pytest.mark.slow
def test_pdf_has_tagged_figures_footnotes_boxes_and_merged_tables(mini, tmp_path):
    import pikepdf

    from guideline.writers.edition import pdf

    data = pdf.data(mini)
    blocks = {b["t"]: b for c in data["clauses"] for b in c["blocks"]}
    assert blocks["figure"]["file"] == pdf.figure_file(mini.assets["figures/layout.svg"])
    assert blocks["grid"]["head"][0][0] == {"c": ["分類"], "rs": 2, "cs": 1}
    assert {"box", "pagebreak"} <= set(blocks)
    path = tmp_path / "mini.pdf"
    path.write_bytes(pdf.render(mini))
    with pikepdf.open(path) as doc:
        assert _struct_figures(doc) == ["三つの箱を横に並べた構成図", "二つ目の図の説明"]
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    for expected in ("図1", "庁内の構成", "注1", "図は簡略化したものである。", "表1分類と取扱い", "【注意】注意の本文。",
                     "別紙1情報資産の分類", "様式第1号申請書", "解説の本文注1。", "【例】住民票の写しは機密性3とする。"):
        assert expected in flat, expected
