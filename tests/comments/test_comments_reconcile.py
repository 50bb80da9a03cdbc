"""comments reconcile: promised changes made, every change explained, anchors re-anchored or flagged."""
from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
from conftest import replace_in
from fixtures.comments.support import RECEIVED_CSV, run, setup_tree

from guideline.comments.reconcile import changed_clause_ids, changed_clause_ids_simple
from guideline.comments.store import load_round, save_comment
from guideline.reader import read_edition


@pytest.fixture
def tree(tmp_path, monkeypatch):
    src, comments = setup_tree(tmp_path, monkeypatch)
    r = run("comments", "import", RECEIVED_CSV, "--round", "t-public")
    assert "7 new" in r.out
    data = load_round("t-public", comments)
    # 001 asked for another CISO example and was accepted; 002 quoted a sentence of tech-dynamic-owner
    save_comment(data.directory, replace(data.comments["001"], disposition="修正あり", changed_clauses=("org-ciso",),
                                         summary="s", response="r", status="approved"))
    save_comment(data.directory, replace(data.comments["002"], quote="責任者を置く。", disposition="参考"))
    save_comment(data.directory, replace(data.comments["004"], anchor="manual", clauses=("org-committee",)))
    final = src / "editions" / "final"
    shutil.copytree(src / "editions" / "base", final)
    replace_in(final / "edition.yaml", "id: base", "id: final")
    return src, comments, final


def reconcile(final):
    return run("comments", "reconcile", "--round", "t-public", "--final", final, "-v")


def test_reconciles_when_the_promise_is_kept(tree):
    src, comments, final = tree
    replace_in(final / "a.md", "{{○○副市長}}を、CISOとする。", "{{○○副市長}}（又は{{○○部長}}）を、CISOとする。")
    r = reconcile(final)
    assert r.code == 0, r.text
    assert "base → final: 1 clause(s) changed, 1 修正あり comment(s), 1 promised change(s) found" in r.out
    assert "ok: comment 001: org-ciso (第2編第1章 1.(1)) text" in r.out
    assert "reconciled" in r.out


def test_missing_promised_change_fails_with_named_list(tree):
    src, comments, final = tree
    replace_in(final / "b.md", "方針を定める。", "方針を定め、公表する。")
    r = reconcile(final)
    assert r.code == 1
    assert "does NOT reconcile: 2 problem(s)" in r.out
    assert ("- comment 001 is 修正あり but its promised change in org-ciso (第2編第1章 1.(1)) is not in final: the "
            "clause is unchanged since base") in r.out
    assert ("- clause tech-dynamic-policy (第2編第1章 2.1.(1)②) changed (text) since base, but no comment or "
            "editorial note explains it") in r.out


def test_editorial_explanations(tree):
    src, comments, final = tree
    replace_in(final / "a.md", "{{○○副市長}}を、CISOとする。", "{{○○副市長}}等を、CISOとする。")
    replace_in(final / "b.md", "方針を定める。", "方針を定め、公表する。")
    replace_in(final / "a.md", "委員会を置く。", "情報セキュリティ委員会を置く。")
    r = reconcile(final)
    assert r.code == 1 and "org-committee" in r.out and "tech-dynamic-policy" in r.out
    # one explained in round.yaml, the other by a note written on the clause in the final edition
    with open(comments / "t-public" / "round.yaml", "a", encoding="utf-8") as fh:
        fh.write("editorial:\n  tech-dynamic-policy: 公表に関する規定の明確化（検討会の指摘）\n")
    replace_in(final / "a.md", "    relationship: intersects-with\n",
               "    relationship: intersects-with\nnote: 名称を正式名称に揃えた。\n")
    r = reconcile(final)
    assert r.code == 0, r.text


def test_non_accepted_comment_cannot_promise(tree):
    src, comments, final = tree
    replace_in(final / "a.md", "{{○○副市長}}を、CISOとする。", "{{○○副市長}}等を、CISOとする。")
    data = load_round("t-public", comments)
    save_comment(data.directory, replace(data.comments["003"], disposition="修正なし", changed_clauses=("org-ciso",)))
    r = reconcile(final)
    assert r.code == 1
    assert "comment 003 is 修正なし but lists changed clauses (org-ciso)" in r.out


def test_quote_moved_is_reanchored_and_missing_clause_flagged(tree):
    src, comments, final = tree
    replace_in(final / "a.md", "{{○○副市長}}を、CISOとする。", "{{○○副市長}}等を、CISOとする。")
    # the sentence 002 quoted moves from tech-dynamic-owner to tech-dynamic-policy (both edits explained)
    replace_in(final / "b.md", "責任者を置く。[](#gen-purpose)参照。", "[](#gen-purpose)参照。")
    replace_in(final / "b.md", "方針を定める。", "責任者を置く。方針を定める。")
    with open(comments / "t-public" / "round.yaml", "a", encoding="utf-8") as fh:
        fh.write("editorial:\n  tech-dynamic-owner: 移動\n  tech-dynamic-policy: 移動\n  org-committee: 削除\n")
    r = reconcile(final)
    assert r.code == 0, r.text
    assert ("re-anchored: comment 002: the quoted passage moved from tech-dynamic-owner (第2編第1章 2.1.(1)①) to "
            "tech-dynamic-policy (第2編第1章 2.1.(1)②)") in r.out
    # org-committee (anchor of 004 and 005) disappears without a successor: flagged
    text = (final / "a.md").read_text(encoding="utf-8")
    (final / "a.md").write_text(text[: text.index("##### 情報セキュリティ委員会")], encoding="utf-8")
    r = reconcile(final)
    assert r.code == 1
    assert ("- comment 004: clause org-committee (第2編第1章 1.(2)) is gone from final and no clause there "
            "replaces it; re-anchor the comment") in r.out


def test_unresolved_anchor_does_not_reconcile(tree):
    src, comments, final = tree
    replace_in(final / "a.md", "{{○○副市長}}を、CISOとする。", "{{○○副市長}}等を、CISOとする。")
    data = load_round("t-public", comments)
    save_comment(data.directory, replace(data.comments["004"], anchor="unresolved", clauses=()))
    r = reconcile(final)
    assert r.code == 1 and "- comment 004: not anchored (該当箇所 'p.12'); anchor it by hand" in r.out


def test_renumbering_alone_is_no_change(src_copy):
    base, _ = read_edition(src_copy / "editions" / "base")
    final = src_copy / "editions" / "final"
    shutil.copytree(src_copy / "editions" / "base", final)
    replace_in(final / "edition.yaml", "id: base", "id: final")
    replace_in(final / "a.md", "### 組織体制 {#org}", "### 新しい章 {#org-new}\n\n新設。\n\n### 組織体制 {#org}")
    new, report = read_edition(final)
    assert not report.errors
    assert new.get("org-ciso").address != base.get("org-ciso").address  # renumbered
    assert changed_clause_ids_simple(base, new) == {"org-new": "added"}
    assert changed_clause_ids(base, new) == {"org-new": "added"}


def test_mapping_change_counts_and_note_alone_does_not(src_copy):
    base, _ = read_edition(src_copy / "editions" / "base")
    final = src_copy / "editions" / "final"
    shutil.copytree(src_copy / "editions" / "base", final)
    replace_in(final / "edition.yaml", "id: base", "id: final")
    replace_in(final / "a.md", "    relationship: intersects-with\n", "    relationship: subset-of\n")
    replace_in(final / "b.md", "    relationship: subset-of\n```\n\nアクセスの都度",
               "    relationship: subset-of\nnote: 表現を確認した。\n```\n\nアクセスの都度")
    new, report = read_edition(final)
    assert not report.errors, report.items
    assert changed_clause_ids(base, new) == {"org-committee": "metadata"}
