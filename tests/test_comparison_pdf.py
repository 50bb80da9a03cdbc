"""新旧対照表 PDF laid out in parts (guideline.writers.comparison_pdf): cut by content, rendered in worker processes or
in-process with the same bytes, cached by part, joined with page numbers n / N, tags and destinations; read back with
pdfinfo/pdftotext (poppler) and pikepdf."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from guideline.diff import compare
from guideline.reader import read_edition
from guideline.writers import comparison, comparison_pdf

HERE = Path(__file__).resolve().parent
SRC = HERE / "fixtures" / "diff" / "src" / "editions"

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="needs pdftotext/pdfinfo (Debian package poppler-utils)")


@pytest.fixture(scope="module")
def changeset():
    old, _ = read_edition(SRC / "original")
    new, _ = read_edition(SRC / "combined")
    return compare(old, new)


@pytest.fixture(scope="module")
def table(changeset):
    return comparison.build(changeset)


@pytest.fixture(scope="module")
def parts(changeset, table, tmp_path_factory):
    """The PDF cut at every group of rows (size 1, every cut allowed), rendered by two workers into a cache."""
    cache = tmp_path_factory.mktemp("cache")
    htmls = comparison_pdf.documents(changeset, table, size=1, cut_every=1)
    data = comparison_pdf.render(changeset, table, cache_dir=cache, size=1, cut_every=1)
    path = tmp_path_factory.mktemp("pdf") / "comparison.pdf"
    path.write_bytes(data)
    return {"htmls": htmls, "data": data, "path": path, "cache": cache}


def pdfinfo(path: Path) -> str:
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout


def page_text(path: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def test_one_part_per_group_of_rows(table, parts):
    changes = sum(1 for r in table.rows if r.kind == "change")
    assert len(parts["htmls"]) == changes >= 5
    assert "新旧対照表" in parts["htmls"][0] and "（傍線部分は改正部分）" in parts["htmls"][0]
    assert all("（傍線部分は改正部分）" not in h for h in parts["htmls"][1:])
    assert "項番対応表" in parts["htmls"][-1] and all("項番対応表" not in h for h in parts["htmls"][:-1])
    assert all("<th scope=\"col\">改正後</th>" in h for h in parts["htmls"])  # column headings on every part


def test_pages_numbered_n_of_total_and_text_in_row_order(table, parts):
    info = pdfinfo(parts["path"])
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= len(parts["htmls"])  # every part starts a page
    assert re.search(r"Tagged:\s+yes", info)
    texts = [page_text(parts["path"], n) for n in range(1, pages + 1)]
    for n, text in enumerate(texts, start=1):
        footer = [line for line in text.splitlines() if line.strip()][-1]
        assert re.sub(r"\s+", "", footer) == f"{n}/{pages}", (n, footer)
    # the change rows come out in the table's order
    whole = re.sub(r"\s+", "", "".join(texts))
    needles = []
    for r in table.rows:
        if r.kind == "change":
            side = r.new if r.new and r.new[0].kind == "heading" else r.old
            needles.append(re.sub(r"\s+", "", side[0].text))
    positions = []
    start = 0
    for needle in needles:
        found = whole.find(needle, start)
        assert found >= 0, needle
        positions.append(found)
        start = found + 1
    assert positions == sorted(positions)


def test_same_bytes_in_process_and_from_the_cache(changeset, table, parts, monkeypatch, tmp_path):
    cache = parts["cache"]
    assert sorted(p.suffix for p in cache.iterdir()).count(".pdf") == len(parts["htmls"]) + 1  # + page numbers
    monkeypatch.setenv("GUIDELINE_PDF_WORKERS", "1")
    alone = comparison_pdf.render(changeset, table, cache_dir=None, size=1, cut_every=1)
    assert alone == parts["data"]
    monkeypatch.setenv("GUIDELINE_PDF_WORKERS", "2")
    pending = comparison_pdf.start(changeset, table, cache_dir=cache, size=1, cut_every=1)
    try:
        assert pending.todo == [] and pending.pool is None  # all parts from the cache: no worker started
        assert pending.result() == parts["data"]
    finally:
        pending.close()


def test_joined_structure_destinations_and_outline(table, parts):
    pikepdf = pytest.importorskip("pikepdf")
    pdf = pikepdf.open(io.BytesIO(parts["data"]))
    document = pdf.Root.StructTreeRoot.K[0]
    assert str(document.S) == "/Document"
    assert [str(k.S) for k in document.K] == ["/Part"] * len(parts["htmls"])
    names = [str(n) for n in pdf.Root.Names.Dests.Names[::2]]
    anchors = [r.anchor for r in table.rows if r.anchor]
    assert set(anchors) <= set(names) and names == sorted(names, key=lambda n: n.encode("utf-8"))
    with pdf.open_outline() as outline:
        tree = [(item.title, [child.title for child in item.children]) for item in outline.root]
    assert tree == [(table.title, ["項番対応表"])]  # as in one long document: the h2 below the h1
    for page in pdf.pages:  # the page number is a pagination artifact in a form of its own
        assert comparison_pdf.FOOTER_FORM in page.obj.Resources.XObject
        assert b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC" in page.obj.Contents[-1].read_bytes()


def test_cuts_follow_content_so_an_edit_changes_few_parts(changeset, table):
    before = comparison_pdf.documents(changeset, table, size=300, cut_every=2)
    assert 2 <= len(before) < sum(1 for r in table.rows if r.kind == "change")
    edited = comparison.build(changeset)
    change_rows = [r for r in edited.rows if r.kind == "change" and r.new]
    row = change_rows[len(change_rows) // 2]
    row.new[-1].segs.append(comparison.Seg("（追記）", "u"))
    after = comparison_pdf.documents(changeset, edited, size=300, cut_every=2)
    assert sum(1 for h in after if "（追記）" in h) == 1
    assert len(set(after) - set(before)) <= 2  # the edited part, and at most the one a moved cut joins it to
