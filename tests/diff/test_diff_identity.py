"""diff(A, A) reports nothing changed, for every sample edition (lineage metadata must not re-report old splits)."""
from __future__ import annotations

import pytest

from guideline import editions
from guideline.diff.changeset import compare


@pytest.mark.parametrize("name", ["r5-03", "r6-an", "draft"])
def test_an_edition_compared_with_itself_is_unchanged(in_repo, name):
    ed = editions.load_or_fail(name)
    cs = compare(ed, ed)
    kinds = {c.kind for c in cs.changes}
    assert kinds == {"unchanged"}, [(c.kind, c.old_ids, c.new_ids) for c in cs.changes if c.kind != "unchanged"]
    assert len(cs.changes) == sum(1 for _ in ed.clauses())


def test_split_is_reported_against_the_edition_before_it(in_repo):
    cs = compare(editions.load_or_fail("r5-03"), editions.load_or_fail("r6-an"))
    splits = [c for c in cs.changes if c.kind == "split"]
    assert [(c.old_ids, c.new_ids) for c in splits] == [(("hr-training",), ("hr-training", "hr-training-plan"))]
