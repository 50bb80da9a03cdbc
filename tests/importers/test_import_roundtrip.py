"""Round trip (issue 18): every sample edition built to Word and to the single-page HTML, then imported, gives the
same clause tree (count, nesting, levels, headings, unnumbered flags), the same clause texts (whitespace removed) and
the same 解説 on the same clauses — the 第3編 解説 our writers generate is matched back to the 例文 by number. The IDs
come back too (the writers keep them as bookmarks and anchors), and so do the NISC mappings and network models
(printed as mapping notes).

The constructs of issue 17 come back as such from both formats, and every clause is compared by text, footnotes
and block structure: figures (alt text, 図N captions; from HTML decoded from their data: URIs), footnotes (also
from the page's footnote lists), 参考/例/注意 boxes, table blocks with their captions, and 別紙/様式 as appendix
parts with their own numbering, and {.pagebreak}."""
from __future__ import annotations

from pathlib import Path

import pytest
from import_support import REPO, load_checked, norm

from guideline import editions
from guideline.importers.document import import_document, write_result
from guideline.model import (Box, BulletList, Figure, GridTable, OrderedList, block_text, inline_text)

SAMPLES = sorted(p.parent.name for p in (REPO / "guideline_src").glob("*/*/edition.yaml")) + ["draft"]


@pytest.fixture(scope="module", params=sorted({*SAMPLES}))
def built(request, tmp_path_factory):
    from guideline.writers.edition import docx, html_single

    ed, report = editions.load(request.param, src=REPO / "guideline_src")
    assert ed is not None
    out = tmp_path_factory.mktemp(f"built-{request.param}")
    docx.write(ed, out)
    html_single.write(ed, out)
    return ed, out


def _shape(blocks) -> list:
    """What kind of block each is, with a box's kind, a figure's alt text and a table block's caption, nested."""
    out: list = []
    for b in blocks:
        if isinstance(b, Box):
            out.append(("Box", b.kind, _shape(b.blocks)))
        elif isinstance(b, Figure):
            out.append(("Figure", b.alt, inline_text(b.caption)))
        elif isinstance(b, GridTable):
            out.append(("GridTable", inline_text(b.caption), b.row_header, len(b.head), b.columns))
        elif isinstance(b, (BulletList, OrderedList)):
            out.append((type(b).__name__, [_shape(item) for item in b.items]))
        else:
            out.append(type(b).__name__)
    return out


def _compare(orig, imported) -> None:
    a, b = list(orig.clauses()), list(imported.clauses())
    assert [(c.id, c.level, c.heading, c.unnumbered) for c in a] == [(c.id, c.level, c.heading, c.unnumbered)
                                                                     for c in b]
    assert [orig.parent_of.get(c.id) for c in a] == [imported.parent_of.get(c.id) for c in b]
    for x, y in zip(a, b):
        assert norm(block_text(x.body, orig, x)) == norm(block_text(y.body, imported, y)), x.id
        assert (_shape(x.body), _shape(x.commentary)) == (_shape(y.body), _shape(y.commentary)), x.id
        # the 統一基準 mappings and network models printed by our writers come back as clause metadata
        assert [(m.nisc_id, m.relationship, m.rationale) for m in x.meta.nisc] == [
            (m.nisc_id, m.relationship, m.rationale) for m in y.meta.nisc], x.id
        assert x.meta.models == y.meta.models, x.id
        assert [norm(block_text(f.blocks, orig, x)) for f in x.footnotes] == [
            norm(block_text(f.blocks, imported, y)) for f in y.footnotes], x.id
        assert norm(block_text(x.commentary, orig, x)) == norm(block_text(y.commentary, imported, y)), x.id
    assert [c.address for c in a] == [c.address for c in b]


@pytest.mark.parametrize("name", ["guideline.docx", "guideline.html"])
def test_round_trip(built, name, tmp_path):
    orig, out = built
    result = import_document(out / name, edition_id="imported")
    assert not [p for p in result.paragraphs if p["status"] == "unplaced"]
    assert not [f for f in result.report["findings"] if f["kind"] == "numbering"]
    write_result(result, tmp_path / "imported")
    imported = load_checked(tmp_path / "imported", tmp_path)
    _compare(orig, imported)
    assert imported.meta.title == orig.meta.title
    assert imported.meta.reibun_part == orig.meta.reibun_part
    assert imported.meta.date == orig.meta.date
