"""Property of ``guideline apply`` (issue 19): the tracked.docx of ``diff A B``, applied to a copy of A's sources,
gives B: the same clause tree (levels in reading order), IDs (tracked.docx carries B's IDs as bookmarks), headings,
text and 解説 (compared in the canonical form Word can show, :mod:`guideline.wordview`). Editions and edits are
the generators of the diff property tests (tests/test_properties_diff.py)."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import event, given
from hypothesis import strategies as st

from guideline.apply import docx_read
from guideline.apply.run import prepare
from guideline.diff import compare
from guideline.reader import read_edition
from guideline.wordview import canonical_blocks
from guideline.writers import tracked_docx
from diff.test_properties_diff import _settings, edited, records, write_tree


def shape(ed) -> list[tuple]:
    return [(c.id, c.level, c.heading, canonical_blocks(c.body, None, ed, c),
             canonical_blocks(c.commentary, None, ed, c)) for c in ed.clauses()]


def apply_tracked(a, b, tmp: Path):
    tracked = tmp / "tracked.docx"
    tracked.write_bytes(tracked_docx.render(compare(a, b), author="t", date="2024-10-02"))
    prepared = prepare(a, docx_read.read(tracked))
    assert not prepared.plan.conflicts
    for path, text in prepared.texts.items():
        path.write_text(text, encoding="utf-8")
    after, report = read_edition(Path(a.meta.root))
    assert after is not None and not report.errors, [str(d) for d in report.errors]
    return after, prepared


@_settings(40)
@given(st.data())
def test_applying_the_tracked_docx_of_a_diff_to_a_gives_b(data):
    a_recs = data.draw(records())
    b_recs, edits = data.draw(edited(a_recs))
    with tempfile.TemporaryDirectory() as tmp:
        a, b = write_tree(Path(tmp), "a", a_recs), write_tree(Path(tmp), "b", b_recs)
        before = {p: p.read_text(encoding="utf-8") for p in Path(a.meta.root).iterdir()}
        after, prepared = apply_tracked(a, b, Path(tmp))
        for kind in edits:
            event(f"edit: {kind}")
        got, want = shape(after), shape(b)
        assert [x[:2] for x in got] == [x[:2] for x in want], edits
        assert got == want, (edits, [(g, w) for g, w in zip(got, want) if g != w][:2])
        if not edits or got == shape(a):
            assert not prepared.texts and before == {p: p.read_text(encoding="utf-8")
                                                     for p in Path(a.meta.root).iterdir()}
