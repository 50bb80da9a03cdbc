"""The clause diff on the Sphinx-versioning-style fixture set: one original edition and one variant per edit kind
(tests/fixtures/diff/src/editions/*), each asserting the exact changes.json entries."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES

from guideline.diff import compare
from guideline.writers.changes.changes_json import dumps, to_data
from guideline.reader import read_edition

EDITIONS = FIXTURES / "diff" / "src" / "editions"
P = "第2編第1章 "  # address prefix of every 対策基準 clause in the fixtures


@pytest.fixture(scope="module")
def original():
    ed, report = read_edition(EDITIONS / "original")
    assert not report.errors
    return ed


def diff(original, variant: str) -> dict:
    new, report = read_edition(EDITIONS / variant)
    assert not report.errors, report.sorted()
    return to_data(compare(original, new))


def interesting(data: dict) -> list[dict]:
    """Entries that are not plain unchanged pairings by the same ID."""
    return [e for e in data["changes"] if e["kind"] != "unchanged" or e["old_ids"] != e["new_ids"]]


def entry(kind, old_ids, new_ids, old_numbers, new_numbers, old_headings=None, new_headings=None, aspects=(),
          matched_by="id", similarity=None, inline=None, metadata=None) -> dict:
    old_numbers = [P + n for n in old_numbers]
    new_numbers = [P + n for n in new_numbers]
    return {
        "kind": kind, "old_ids": list(old_ids), "new_ids": list(new_ids),
        "old_number": old_numbers[0] if old_numbers else None, "new_number": new_numbers[0] if new_numbers else None,
        "old_numbers": old_numbers, "new_numbers": new_numbers,
        "old_heading": old_headings, "new_heading": new_headings,
        "aspects": list(aspects), "matched_by": matched_by, "similarity": similarity, "inline": inline,
        "metadata": metadata, "figures": None,
    }


def renumbered(cid, heading, old, new) -> dict:
    return entry("changed", [cid], [cid], [old], [new], heading, heading, ["number"])


def summary(**counts) -> dict:
    base = {"unchanged": 0, "changed": 0, "added": 0, "deleted": 0, "split": 0, "merged": 0}
    base.update(counts)
    return base


def test_identical_editions_are_all_unchanged(original):
    data = to_data(compare(original, original))
    assert data["summary"] == summary(unchanged=21)
    assert interesting(data) == []
    assert [e["new_ids"][0] for e in data["changes"]] == [c.id for c in original.clauses()]


def test_text_edit_is_one_replaced_word(original):
    data = diff(original, "text-edit")
    assert data["summary"] == summary(unchanged=19, changed=2)
    assert interesting(data) == [
        entry("changed", ["org-ciso"], ["org-ciso"], ["1.(1)"], ["1.(1)"], "最高情報セキュリティ責任者",
              "最高情報セキュリティ責任者", ["text"],
              inline={"heading": None, "text": None, "commentary": [
                  ["equal", "CISOは、"], ["insert", "令和六年度から"], ["equal", "最終的な権限と責任を有する。"]]}),
        entry("changed", ["tech-logging"], ["tech-logging"], ["3.1.(2)"], ["3.1.(2)"], "ログの取得", "ログの取得",
              ["text"],
              inline={"heading": None, "commentary": None, "text": [
                  ["equal", "情報システム管理者は、各種ログを取得し、一定期間保存しなければならない。ログの取得項目は、"
                            "調達仕様書に"],
                  ["delete", "記載"], ["insert", "明記"], ["equal", "するものとする。"]]}),
    ]


def test_insertion_renumbers_followers(original):
    data = diff(original, "insert")
    assert data["summary"] == summary(unchanged=19, changed=2, added=1)
    assert interesting(data) == [
        entry("added", [], ["org-audit-chief"], [], ["1.(2)"], None, "情報セキュリティ監査統括責任者",
              matched_by=None),
        renumbered("org-chief", "統括情報セキュリティ責任者", "1.(2)", "1.(3)"),
        renumbered("org-committee", "情報セキュリティ委員会", "1.(3)", "1.(4)"),
    ]


def test_deletion_stands_where_it_stood(original):
    data = diff(original, "delete")
    assert data["summary"] == summary(unchanged=19, changed=1, deleted=1)
    assert interesting(data) == [
        entry("deleted", ["org-chief"], [], ["1.(2)"], [], "統括情報セキュリティ責任者", None, matched_by=None),
        renumbered("org-committee", "情報セキュリティ委員会", "1.(3)", "1.(2)"),
    ]
    ids = [(e["old_ids"], e["new_ids"]) for e in data["changes"]]
    assert ids.index((["org-chief"], [])) == ids.index((["org-ciso"], ["org-ciso"])) + 1


def test_move_to_another_section(original):
    data = diff(original, "move")
    assert data["summary"] == summary(unchanged=20, changed=1)
    assert interesting(data) == [
        entry("changed", ["tech-logging"], ["tech-logging"], ["3.1.(2)"], ["3.2.(2)"], "ログの取得", "ログの取得",
              ["number", "moved"]),
    ]
    # in the order of the new edition: after the clause it now follows
    ids = [e["new_ids"] for e in data["changes"]]
    assert ids.index(["tech-logging"]) == ids.index(["tech-incident"]) + 1


SPLIT_INLINE = {
    "heading": [["equal", "情報資産の管理"], ["insert", "\n情報資産の持ち出し"]],
    "text": [["equal", "情報資産の管理責任者を定め、台帳により管理する。"], ["insert", "\n"],
             ["equal", "情報資産を外部に持ち出す場合は、情報セキュリティ管理者の許可を得なければならない。"]],
    "commentary": None,
}


@pytest.mark.parametrize("variant, matched_by, similarity", [("split-lineage", "lineage", None),
                                                             ("split", "similarity", 0.9333)])
def test_split(original, variant, matched_by, similarity):
    data = diff(original, variant)
    assert data["summary"] == summary(unchanged=18, changed=2, split=1)
    assert interesting(data) == [
        entry("split", ["assets-mgmt"], ["assets-mgmt", "assets-takeout"], ["2.(2)"], ["2.(2)", "2.(3)"],
              "情報資産の管理", "情報資産の管理", matched_by=matched_by, similarity=similarity, inline=SPLIT_INLINE),
        renumbered("assets-disposal", "記録媒体の廃棄", "2.(3)", "2.(4)"),
        renumbered("assets-disposal-record", "廃棄の記録", "2.(4)", "2.(5)"),
    ]


MERGE_INLINE = {
    "heading": [["equal", "記録媒体の廃棄"], ["insert", "及び記録"], ["delete", "\n廃棄の記録"]],
    "text": [["equal", "記録媒体を廃棄する場合は、記録されている情報を復元できないよう消去しなければならない。"],
             ["delete", "\n"],
             ["equal", "記録媒体を廃棄した場合は、廃棄の日時、担当者及び処理内容を記録しなければならない。"]],
    "commentary": None,
}


@pytest.mark.parametrize("variant, matched_by, similarity", [("merge-lineage", "lineage", None),
                                                             ("merge", "similarity", 0.9655)])
def test_merge(original, variant, matched_by, similarity):
    data = diff(original, variant)
    assert data["summary"] == summary(unchanged=19, merged=1)
    assert interesting(data) == [
        entry("merged", ["assets-disposal", "assets-disposal-record"], ["assets-media-disposal"], ["2.(3)", "2.(4)"],
              ["2.(3)"], "記録媒体の廃棄", "記録媒体の廃棄及び記録", matched_by=matched_by, similarity=similarity,
              inline=MERGE_INLINE),
    ]


@pytest.mark.parametrize("variant, matched_by", [("id-change", "text"), ("id-replaces", "lineage")])
def test_id_change_without_text_change(original, variant, matched_by):
    data = diff(original, variant)
    assert data["summary"] == summary(unchanged=21)
    assert interesting(data) == [
        entry("unchanged", ["tech-dynamic-policy"], ["tech-dyn-policy"], ["3.1.(1)②"], ["3.1.(1)②"], "方針", "方針",
              matched_by=matched_by),
    ]


def test_mapping_only_change(original):
    data = diff(original, "mapping-change")
    assert data["summary"] == summary(unchanged=20, changed=1)
    assert interesting(data) == [
        entry("changed", ["org-committee"], ["org-committee"], ["1.(3)"], ["1.(3)"], "情報セキュリティ委員会",
              "情報セキュリティ委員会", ["metadata"],
              metadata={"nisc": {
                  "added": [{"id": "2.1.1(1)-1", "relationship": "intersects-with", "rationale": ""}],
                  "removed": [],
                  "changed": [{"id": "2.1.1(2)(a)",
                               "old": {"id": "2.1.1(2)(a)", "relationship": "intersects-with", "rationale": ""},
                               "new": {"id": "2.1.1(2)(a)", "relationship": "subset-of",
                                       "rationale": "委員会の設置を求める点で対応する。"}}]}}),
    ]


def test_heading_change(original):
    data = diff(original, "heading-change")
    assert data["summary"] == summary(unchanged=20, changed=1)
    assert interesting(data) == [
        entry("changed", ["tech-dynamic"], ["tech-dynamic"], ["3.1.(1)"], ["3.1.(1)"], "動的なアクセス制御",
              "動的なアクセス制御の実装", ["heading"],
              inline={"heading": [["equal", "動的なアクセス制御"], ["insert", "の実装"]], "text": None,
                      "commentary": None}),
    ]


def test_every_clause_is_in_exactly_one_entry(original):
    for variant in sorted(p.name for p in EDITIONS.iterdir()):
        new, _ = read_edition(EDITIONS / variant)
        data = to_data(compare(original, new))
        old_ids = [i for e in data["changes"] for i in e["old_ids"]]
        new_ids = [i for e in data["changes"] for i in e["new_ids"]]
        assert sorted(old_ids) == sorted(c.id for c in original.clauses()), variant
        assert new_ids == [c.id for c in new.clauses()], variant  # the new edition's order
        assert sum(data["summary"].values()) == len(data["changes"])


def test_json_is_deterministic_and_sorted(original):
    new, _ = read_edition(EDITIONS / "split")
    a = dumps(compare(original, new))
    b = dumps(compare(original, new))
    assert a == b
    assert a.index('"changes"') < a.index('"new"') < a.index('"old"') < a.index('"summary"')
    assert '"similarity_threshold": 0.65' in a


def test_sample_editions_have_every_kind(in_repo):
    """r5-03 → draft (the sample revision): at least one entry of every kind, and the lineage recognised."""
    from guideline import editions

    old = editions.load_or_fail("r5-03")
    new = editions.load_or_fail("draft")
    cs = compare(old, new)
    counts = cs.summary()
    assert all(counts[k] >= 1 for k in counts), counts
    kinds = {(c.kind, c.matched_by) for c in cs.changes}
    assert ("split", "lineage") in kinds and ("merged", "lineage") in kinds
    aspects = {a for c in cs.changes for a in c.aspects}
    assert aspects == {"text", "figure", "heading", "number", "moved", "metadata"}
