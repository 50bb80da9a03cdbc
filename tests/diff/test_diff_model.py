"""Invariants of the annotated ChangeSet that every renderer (and the Word tracked-changes writer) relies on:
accepting all insertions gives the new edition's text, rejecting them gives the old one's."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES

from guideline.diff import compare
from guideline.diff.inline import new_text, old_text
from guideline.diff.units import clause_text
from guideline.reader import read_edition

EDITIONS = FIXTURES / "diff" / "src" / "editions"
VARIANTS = sorted(p.name for p in EDITIONS.iterdir() if p.name != "original")


def check(cs) -> None:
    seen_new: list[str] = []
    seen_old: set[str] = set()
    for ch in cs.changes:
        assert [c.id for c in ch.new] == [c.id for c in ch.new if c.id not in seen_new]
        seen_new.extend(c.id for c in ch.new)
        seen_old.update(c.id for c in ch.old)
        new_texts = [clause_text(c, cs.new) for c in ch.new]
        old_texts = [clause_text(c, cs.old) for c in ch.old]
        for section in ("body", "commentary"):
            diffs = ch.units(section)
            want_new = [u for t in new_texts for u in getattr(t, section)]
            want_old = [u for t in old_texts for u in getattr(t, section)]
            got_new = _distinct([d.new for d in diffs if d.new is not None])
            got_old = _distinct([d.old for d in diffs if d.old is not None])
            assert got_new == want_new, (ch.new_ids, section)
            assert got_old == want_old, (ch.old_ids, section)
            for unit in want_new:
                assert "".join(new_text(d.runs) for d in diffs if d.new == unit) == unit.text
            for unit in want_old:
                assert "".join(old_text(d.runs) for d in diffs if d.old == unit) == unit.text
            # every diff with a new side is shown in the clause it belongs to
            assert all(d.host == d.new.clause_id for d in diffs if d.new is not None)
            assert all(d.host in ch.new_ids for d in diffs) if ch.new else all(d.host == "" for d in diffs)
        # headings: one diff per clause on each side
        assert [d.new.clause_id for d in ch.headings if d.new is not None] == list(ch.new_ids)
        assert sorted(d.old.clause_id for d in ch.headings if d.old is not None) == sorted(ch.old_ids)
        for d in ch.headings:
            if d.new is not None:
                assert new_text(d.runs) == d.new.text
            if d.old is not None:
                assert old_text(d.runs) == d.old.text
    assert seen_new == [c.id for c in cs.new.clauses()]
    assert seen_old == {c.id for c in cs.old.clauses()}


def _distinct(units):
    out = []
    for u in units:
        if not out or out[-1] is not u:
            out.append(u)
    return out


@pytest.fixture(scope="module")
def original():
    return read_edition(EDITIONS / "original")[0]


@pytest.mark.parametrize("variant", VARIANTS)
def test_fixture_variants(original, variant):
    new = read_edition(EDITIONS / variant)[0]
    check(compare(original, new))
    check(compare(new, original))  # and backwards: splits become merges, insertions deletions


def test_sample_editions(in_repo):
    from guideline.diff.load import load_edition

    old = load_edition("r5-03")
    new = load_edition("draft", catalog=old.catalog)
    check(compare(old, new))
    check(compare(new, old))
