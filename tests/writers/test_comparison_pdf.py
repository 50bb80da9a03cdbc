"""The 新旧対照表 PDF (comparison.pdf, laid out by Typst from the rows of guideline.writers.changes.comparison), read back with
pdfinfo/pdftotext (poppler) and pikepdf."""
from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from conftest import REPO

from guideline.diff import compare
from guideline.reader import read_edition
from guideline.writers.changes import comparison
from guideline.writers.changes.comparison import Line, Row, Seg, Table

SRC = REPO / "tests" / "fixtures" / "diff" / "src" / "editions"

pytestmark = pytest.mark.needs_poppler


@pytest.fixture(scope="module")
def changeset():
    old, _ = read_edition(SRC / "original")
    new, _ = read_edition(SRC / "combined")
    return compare(old, new)


@pytest.fixture(scope="module")
def table(changeset):
    return comparison.build(changeset)


@pytest.fixture(scope="module")
def built(changeset, table, tmp_path_factory):
    data = comparison.render_pdf(changeset, table=table)
    path = tmp_path_factory.mktemp("pdf") / "comparison.pdf"
    path.write_bytes(data)
    return {"data": data, "path": path}


def pdfinfo(path: Path) -> str:
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout


def page_texts(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [p for p in text.split("\f") if p.strip()]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_pages_numbered_n_of_total_headings_on_every_page_and_rows_in_order(table, built):
    info = pdfinfo(built["path"])
    assert re.search(r"Tagged:\s+yes", info)
    texts = page_texts(built["path"])
    pages = len(texts)
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) == pages
    for n, text in enumerate(texts, start=1):
        lines = [line for line in text.splitlines() if line.strip()]
        assert squash(lines[-1]) == f"{n}/{pages}", (n, lines[-1])
        assert "改正後" in text and "改正前" in text  # the column headings, repeated
    whole = squash("".join(texts))
    needles = []
    for r in table.rows:
        if r.kind == "change":
            side = r.new if r.new and r.new[0].kind == "heading" else r.old
            needles.append(squash(side[0].text))
    start = 0
    for needle in needles:
        found = whole.find(needle, start)
        assert found >= 0, needle
        start = found + 1
    for needle in ("新旧対照表（抄）", "（傍線部分は改正部分）", "（新設）", "（削除）", "（略）", "項番対応表"):
        assert needle in whole, needle


def test_tags_destinations_outline_and_pdf_ua(table, built):
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(built["data"]))
    assert str(pdf.Root.Lang) == "ja"
    assert "pdfuaid:part" in pdf.Root.Metadata.read_bytes().decode("utf-8")
    kids = pdf.Root.StructTreeRoot.K
    assert str((kids if isinstance(kids, pikepdf.Dictionary) else kids[0]).S) == "/Document"
    names = {str(n) for n in pdf.Root.Names.Dests.Names[::2]}
    anchors = [r.anchor for r in table.rows if r.anchor]
    assert anchors and set(anchors) <= names
    with pdf.open_outline() as outline:
        tree = [(item.title, [child.title for child in item.children]) for item in outline.root]
    assert tree == [(table.title, ["項番対応表"])]


def test_same_bytes_twice(changeset, table, built):
    assert comparison.render_pdf(changeset, table=table) == built["data"]


def _table(rows: list[Row]) -> Table:
    return Table(title="試験用　新旧対照表", editions_line="改正前：旧　改正後：新", rows=rows)


def _render(changeset, table: Table, tmp_path: Path, name: str = "t.pdf") -> list[str]:
    path = tmp_path / name
    path.write_bytes(comparison.render_pdf(changeset, table=table))
    return page_texts(path)


def test_a_split_row_never_leaves_a_heading_alone_at_the_bottom_of_a_page(changeset, tmp_path):
    """Rows long enough to break across pages, placed so that a heading would fall at the end of a page: the
    heading goes over with the text that follows it."""
    filler = [Line([Seg(f"前置きの行{i}。段落の本文をここに書く。")]) for i in range(40)]
    texts = None
    for count in range(26, 40):  # move the heading down the page line by line
        body = [Line([Seg("第{}項の本文。".format(i) * 6)]) for i in range(30)]
        rows = [Row("change", filler[:count], filler[:count], "changed", "row-a"),
                Row("change", [Line([Seg("(9)"), Seg("　"), Seg("見出しの行")], "heading"), *body],
                    [Line([Seg("(9)"), Seg("　"), Seg("見出しの行")], "heading"), *body], "changed", "row-b")]
        texts = _render(changeset, _table(rows), tmp_path)
        for text in texts:
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            content = lines[:-1]  # the page number last
            assert not content[-1].startswith("(9)"), (count, content[-3:])
    assert texts is not None and len(texts) >= 2


def test_list_labels_spaced_placeholders_marked_and_typst_markup_literal(changeset, tmp_path):
    place = Seg("本市", placeholder=True)  # what the shared rows carry for a {{placeholder}}
    hostile = '#read("/etc/passwd") $x$ <label> @ref back\\slash #{1+1}'
    rows = [Row("change", [Line([Seg("(ア)"), Seg("利用する者を定める。")], "item", 1, label=1),
                           Line([place, Seg("は、"), Seg(hostile, "u")])],
                [Line([Seg("（新設）")], "note")], "added", "row-x")]
    data = comparison.pdf_data(changeset, _table(rows))
    assert data["rows"][0]["cells"][0][1]["s"][0] == {"t": "本市", "m": "", "ph": True, "po": True, "pc": True}
    text = "".join(_render(changeset, _table(rows), tmp_path))
    assert re.search(r"\(ア\)\s+利用する者を定める。", text)
    assert "〔本市〕は、" in squash(text)
    assert squash(hostile) in squash(text) and "root:x" not in text
