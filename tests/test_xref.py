"""NISC cross-reference: identifiers as officials type them, lookup both ways, impact of a catalog revision, and the
mapping checks of `guideline check` — on the sample edition r5-03 and on small fixtures, through the real CLI."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, line_of, replace_in

from guideline import editions, nisc, xref
from guideline.cli import main
from guideline.diagnostics import UserError, display_path

IMPACT = FIXTURES / "nisc-impact"


@pytest.fixture(scope="module")
def r503():
    ed, report = editions.load("r5-03", src=REPO / "guideline_src")
    assert ed is not None and not report.errors
    return ed


def run(capsys, *args: str) -> tuple[int, str, str]:
    """The real entry point (guideline.cli.main): exit status, stdout, stderr."""
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


# --------------------------------------------------------------------------------------------------------------------
# identifiers


@pytest.mark.parametrize("typed,expected", [
    ("7.3.1(1)", "7.3.1(1)"),
    ("7.3.1（1）", "7.3.1(1)"),
    ("７．３．１（１）", "7.3.1(1)"),
    ("７．３．１（１）（ａ）", "7.3.1(1)(a)"),
    ("7.3.1（１）（Ａ）", "7.3.1(1)(a)"),
    (" 7.3.1 (1) (a) ", "7.3.1(1)(a)"),
    ("7.3.1\u3000(1)", "7.3.1(1)"),
    ("7.3.1(1)－1", "7.3.1(1)-1"),
    ("7.3.1(1)ー1", "7.3.1(1)-1"),
    ("7.3.1(1)–1", "7.3.1(1)-1"),
    ("7.3.1(1)−1", "7.3.1(1)-1"),
    ("7.3.1.(1)", "7.3.1(1)"),
    ("7.3.1(1)a", "7.3.1(1)(a)"),
    ("7.3.1⑴", "7.3.1(1)"),
    ("NISC 7.3.1(1)", "7.3.1(1)"),
    ("統一基準 7.3.1(1)(a)", "7.3.1(1)(a)"),
    ("7.3.", "7.3"),
    ("７", "7"),
])
def test_normalize_id_reads_identifiers_as_officials_type_them(typed, expected):
    assert nisc.normalize_id(typed) == expected
    assert nisc.is_wellformed(nisc.normalize_id(typed))


@pytest.mark.parametrize("typed", ["foo", "7-3", "7.3.1(1)(ア)", "", "7.3.1((1)"])
def test_malformed_identifiers_stay_malformed(typed):
    assert not nisc.is_wellformed(nisc.normalize_id(typed))


def test_suggestions_prefer_the_same_branch_and_shape(r503):
    cat = r503.catalog
    assert nisc.suggest(cat, "2.1.1(9)(a)") == ["2.1.1(8)(a)", "2.1.1(8)(b)", "2.1.1(7)(a)"]
    assert nisc.suggest(cat, "7.3.1(1)(b)")[:2] == ["7.3.1(1)(a)", "7.3.1(1)"]
    assert nisc.suggest(cat, "2.1.1(1)-9")[0] == "2.1.1(1)-1"
    assert nisc.suggest(cat, "7.9.1(1)")[0].startswith("7.3.")
    assert nisc.suggest(cat, "zzz") == []


# --------------------------------------------------------------------------------------------------------------------
# NISC → clauses


@pytest.mark.parametrize("typed", ["2.1.1(1)(a)", "２．１．１（１）（ａ）", "2.1.1（1）(a)", "2.1.1(1)a"])
def test_lookup_finds_org_ciso_however_typed(r503, typed):
    found = xref.lookup_nisc(r503, typed)
    assert found.normalized == "2.1.1(1)(a)"
    assert found.entry.item.kind == "遵守事項"
    assert [p.id for p in found.parents] == ["2", "2.1", "2.1.1", "2.1.1(1)"]
    (m,) = found.entry.mappings
    assert (m.clause_id, m.address, m.relationship) == ("org-ciso", "第2編第2章 1.(1)", "equivalent-to")
    assert m.heading.startswith("最高情報セキュリティ責任者")
    assert m.rationale == "組織の情報セキュリティ対策を総括する責任者を一人置くという要求が一致する。"
    assert m.loc.line == line_of(Path(m.loc.path), "- id: 2.1.1(1)(a)")


def test_a_measure_query_lists_its_requirements_and_their_clauses(r503):
    found = xref.lookup_nisc(r503, "２．１．１（１）")
    assert found.entry.item.kind == "対策項目" and found.entry.mappings == ()
    below = {e.item.id: [(m.clause_id, m.relationship) for m in e.mappings] for e in found.below}
    assert below == {"2.1.1(1)(a)": [("org-ciso", "equivalent-to")],
                     "2.1.1(1)-1": [("org-ciso", "intersects-with")],
                     "2.1.1(1)(b)": [("org-chief-officer", "intersects-with")]}
    # every child is listed for a 対策項目, mapped or not
    gaps = xref.lookup_nisc(r503, "7.3.1(1)")
    assert [(e.item.id, e.mappings) for e in gaps.below] == [("7.3.1(1)(a)", ())]


def test_a_subitem_is_read_as_its_requirement_with_a_note(r503):
    found = xref.lookup_nisc(r503, "2.1.1(1)(a)(ア)")
    assert found.entry.item.id == "2.1.1(1)(a)"
    assert "lists no sub-items; showing 2.1.1(1)(a)" in found.note


def test_unknown_and_malformed_identifiers_name_the_closest(r503):
    with pytest.raises(UserError) as exc:
        xref.lookup_nisc(r503, "2.1.1(9)(a)")
    assert exc.value.message == ("NISC 2.1.1(9)(a) is not in the catalog nisc-r7 (令和7年度版); closest: "
                                 "2.1.1(8)(a), 2.1.1(8)(b), 2.1.1(7)(a), 2.1.1(7)(b), 2.1.1(7)(c)")
    with pytest.raises(UserError) as exc:
        xref.lookup_nisc(r503, "7.3.1(1)(ア)")  # (ア) under a 対策項目 is no sub-item
    assert "is not in the catalog" not in exc.value.message and "not a NISC identifier" in exc.value.message


def test_cli_xref_text_and_json(capsys, in_repo):
    code, out, err = run(capsys, "xref", "--edition", "r5-03", "２．１．１（１）（ａ）")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "2.1.1(1)(a)  遵守事項  最高情報セキュリティ責任者及び最高情報セキュリティ副責任者の設置（遵守事項）"
    assert "  上位: 2 情報セキュリティ対策の基本的枠組み › 2.1 導入・計画 › 2.1.1 組織・体制の整備 › 2.1.1(1) " \
           "最高情報セキュリティ責任者及び最高情報セキュリティ副責任者の設置" in lines
    assert "    org-ciso  第2編第2章 1.(1)  最高情報セキュリティ責任者（CISO: Chief Information Security Officer）" in lines
    assert "      関係: equivalent-to（同等）" in lines

    code, out, err = run(capsys, "xref", "-e", "r5-03", "--json", "7.3.1（1）")
    assert code == 0, err
    data = json.loads(out)
    assert data["nisc"]["id"] == "7.3.1(1)" and data["nisc"]["kind"] == "対策項目"
    assert data["nisc"]["heading"] == "動的なアクセス制御における責任者の設置"
    assert [p["id"] for p in data["nisc"]["parents"]] == ["7", "7.3", "7.3.1"]
    assert data["below"] == [{"id": "7.3.1(1)(a)", "kind": "遵守事項", "heading": "",
                              "label": "動的なアクセス制御における責任者の設置（遵守事項）", "clauses": []}]


def test_cli_xref_unknown_id_exits_1_with_suggestions_and_no_traceback(capsys, in_repo):
    code, out, err = run(capsys, "xref", "-e", "r5-03", "2.1.1(9)(a)")
    assert code == 1 and out == ""
    assert err.strip() == ("error: NISC 2.1.1(9)(a) is not in the catalog nisc-r7 (令和7年度版); closest: "
                           "2.1.1(8)(a), 2.1.1(8)(b), 2.1.1(7)(a), 2.1.1(7)(b), 2.1.1(7)(c)")
    code, out, err = run(capsys, "xref", "-e", "r5-03", "--clause", "org-cis")
    assert code == 1 and "error: no clause 'org-cis' in edition r5-03; closest: org-ciso" in err
    assert "Traceback" not in err
    code, _, err = run(capsys, "xref", "-e", "r5-03")
    assert code == 2 and "give either a NISC identifier" in err


def test_reverse_lookup_by_id_and_by_address(capsys, in_repo, r503):
    by_id = xref.lookup_clause(r503, "org-ciso")
    by_address = xref.lookup_clause(r503, "第２編第２章　１．（１）")
    assert by_id == xref.ClauseLookup(by_id.query, *[getattr(by_address, f) for f in
                                                      ("catalog_id", "catalog_edition", "entry", "below")])
    assert [(m.nisc_id, m.relationship, m.item.kind) for m in by_id.entry.mappings] == [
        ("2.1.1(1)(a)", "equivalent-to", "遵守事項"), ("2.1.1(1)-1", "intersects-with", "基本対策事項")]
    code, out, err = run(capsys, "xref", "-e", "r5-03", "--clause", "#org-ciso", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["clause"] == "org-ciso" and data["address"] == "第2編第2章 1.(1)"
    assert data["nisc"][0]["id"] == "2.1.1(1)(a)" and data["nisc"][0]["in_catalog"] is True
    assert data["nisc"][0]["parents"][-1] == {"id": "2.1.1(1)", "kind": "対策項目",
                                              "heading": "最高情報セキュリティ責任者及び最高情報セキュリティ副責任者の設置"}
    # a chapter without mappings of its own lists its sub-clauses' mappings
    chapter = xref.lookup_clause(r503, "standards")
    assert chapter.entry.mappings == () and len(chapter.all_mappings) == sum(
        len(c.meta.nisc) for c in r503.get("standards").walk())


def test_every_mapping_of_r503_is_found_from_both_sides(r503):
    index = xref.mapping_index(r503)
    pairs = {(c.id, m.nisc_id) for c in r503.clauses() for m in c.meta.nisc}
    assert pairs == {(m.clause_id, nid) for nid, maps in index.items() for m in maps}
    assert len(pairs) == 298


def test_xref_on_the_draft(in_repo):
    ed, report = editions.load("draft", src=REPO / "guideline_src")
    assert ed is not None and not report.errors, report.errors
    found = xref.lookup_nisc(ed, "2.1.1(1)(a)")
    assert any(m.clause_id == "org-ciso" for m in found.entry.mappings)


def test_help_of_every_command_has_an_example(capsys):
    for args, example in ((["xref"], "guideline xref --clause org-ciso --json"),
                          (["coverage"], "guideline coverage --edition r5-03 --format xlsx -o coverage.xlsx"),
                          (["impact"], "guideline impact --from nisc-r7 --to nisc-r8 --edition draft"),
                          (["export", "oscal"], "guideline export oscal --edition r5-03 -o build/oscal-r5-03/")):
        code, out, _ = run(capsys, *args, "--help")
        assert code == 0 and example in out


# --------------------------------------------------------------------------------------------------------------------
# impact of a catalog revision


@pytest.fixture(scope="module")
def impact_edition():
    ed, report = editions.load(str(IMPACT / "editions" / "e1"), src=IMPACT)
    assert ed is not None and not report.errors, [str(d) for d in report.items]
    return ed


def test_compare_catalogs_finds_every_kind_of_change(impact_edition):
    old = xref.resolve_catalog("impact-old", impact_edition, src=IMPACT)
    new = xref.resolve_catalog(str(IMPACT / "nisc" / "impact-new.yaml"))
    added, removed, renamed, changed = xref.compare_catalogs(old, new)
    assert [i.id for i in added] == ["2.1.1(1)(b)", "2.1.2", "2.2", "2.2.1", "2.2.1(1)", "2.2.1(1)(a)",
                                     "7.3.1", "7.3.1(1)", "7.3.1(1)(a)"]
    assert [i.id for i in removed] == ["2.1.1(3)", "2.1.1(3)(a)"]
    assert [(r.old.id, r.new.id, r.via) for r in renamed] == [
        ("2.1.1(2)", "2.1.2(1)", ""), ("2.1.1(2)(a)", "2.1.2(1)(a)", "2.1.1(2)"),
        ("7.3.1", "7.3.2", ""), ("7.3.1(1)", "7.3.2(1)", ""),
        ("7.3.1(1)(a)", "7.3.2(1)(a)", "7.3.1(1)"), ("7.3.1(1)-1", "7.3.2(1)-1", "7.3.1(1)")]
    assert [(c.old.id, c.old.heading, c.new.heading) for c in changed] == [
        ("2.1", "導入・計画", "導入・計画及び体制"),
        ("2.1.1(1)", "最高情報セキュリティ責任者の設置", "最高情報セキュリティ責任者及び副責任者の設置")]
    # nothing changes between a catalog and itself
    assert xref.compare_catalogs(old, old) == ([], [], [], [])


def test_impact_lists_every_clause_to_review_with_the_mapping_line(impact_edition):
    old = xref.resolve_catalog("impact-old", impact_edition, src=IMPACT)
    new = xref.resolve_catalog("impact-new", impact_edition, src=IMPACT)
    result = xref.impact(impact_edition, old, new)
    got = {a.clause_id: [(r.nisc_id, r.change, r.related) for r in a.reasons] for a in result.affected}
    assert got == {
        "org-ciso": [("2.1.1(1)(a)", "parent-heading-changed", "2.1.1(1)"),
                     ("2.1.1(1)(a)", "added-nearby", "2.1.1(1)(b)")],
        "org-committee": [("2.1.1(2)(a)", "renamed", "2.1.2(1)(a)")],
        "org-audit": [("2.1.1(3)(a)", "removed", "2.1.1(3)(a)")],
        "tech-dynamic": [("7.3.1(1)(a)", "renamed", "7.3.2(1)(a)"), ("7.3.1(1)-1", "renamed", "7.3.2(1)-1")],
    }
    src = IMPACT / "editions" / "e1" / "a.md"
    (audit,) = [a for a in result.affected if a.clause_id == "org-audit"]
    assert audit.reasons[0].loc.line == line_of(src, "- id: 2.1.1(3)(a)")
    assert audit.loc.line == line_of(src, "{#org-audit}")
    assert "review-self-check" not in got and "tech-notice" not in got  # unchanged / unmapped


def test_cli_impact_text_json_and_errors(capsys, monkeypatch):
    monkeypatch.chdir(IMPACT)
    monkeypatch.setenv("GUIDELINE_SRC", str(IMPACT))
    code, out, err = run(capsys, "impact", "--from", "impact-old", "--to", "nisc/impact-new.yaml",
                         "--edition", "editions/e1")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "統一基準 impact-old（旧版） → impact-new（新版）; clauses of e1"
    assert "removed (2):" in lines and "renamed (6):" in lines and "heading changed (2):" in lines
    assert "  7.3.1  款  ゼロトラストアーキテクチャの基本方針  (identifier reused: its former item was renamed)" in lines
    assert "  2.1.1(2)(a) → 2.1.2(1)(a)  遵守事項  (with 2.1.1(2))" in lines
    assert "clauses to review (4):" in lines
    line = line_of(IMPACT / "editions" / "e1" / "a.md", "- id: 2.1.1(3)(a)")
    assert (f"    editions/e1/a.md:{line}: 2.1.1(3)(a) (equal-to): 2.1.1(3)(a) was removed in impact-new: remap the "
            "clause or drop the mapping") in lines
    # --from defaults to the catalog the edition pins; JSON
    code, out, err = run(capsys, "impact", "--to", "impact-new", "-e", "editions/e1", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["from"] == {"id": "impact-old", "edition": "旧版"}
    assert [c["clause"] for c in data["clauses"]] == ["org-ciso", "org-committee", "org-audit", "tech-dynamic"]
    assert data["renamed"][0] == {"from": "2.1.1(2)", "to": "2.1.2(1)", "kind": "対策項目",
                                  "heading": "情報セキュリティ委員会の設置", "with": None}
    # errors: unknown catalog, broken catalog
    code, out, err = run(capsys, "impact", "--to", "impact-r99", "-e", "editions/e1")
    assert code == 1 and "error: no NISC catalog 'impact-r99'" in err and "known: impact-new, impact-old" in err


def test_cli_impact_reports_a_broken_catalog_with_path_and_line(capsys, tmp_path, monkeypatch):
    src = tmp_path / "src"
    shutil.copytree(IMPACT, src)
    monkeypatch.chdir(src)
    monkeypatch.setenv("GUIDELINE_SRC", str(src))
    replace_in(src / "nisc" / "impact-new.yaml", 'kind: 款, heading: "委員会"', 'kind: 小節, heading: "委員会"')
    code, out, err = run(capsys, "impact", "--to", "impact-new", "-e", "editions/e1")
    assert code == 1 and "Traceback" not in err
    line = line_of(src / "nisc" / "impact-new.yaml", "kind: 小節")
    assert f"nisc/impact-new.yaml:{line}: error: unknown kind '小節'" in err
    assert "the NISC catalog" in err and "has problems" in err


# --------------------------------------------------------------------------------------------------------------------
# guideline check: the mapping checks (validate.check_mappings)


def check(capsys, edition_dir: Path) -> tuple[int, list[str]]:
    code, out, err = run(capsys, "check", "--edition", str(edition_dir))
    return code, (out + err).splitlines()


def test_check_warns_about_headings_and_duplicates_and_errs_on_unknown_ids(capsys, edition_dir, monkeypatch):
    monkeypatch.chdir(edition_dir.parents[2])
    a = edition_dir / "a.md"
    replace_in(a, "    relationship: intersects-with", "    relationship: intersects-with\n"
               "  - id: \"2\"\n    relationship: subset-of\n"
               "  - id: \"2.1\"\n    relationship: subset-of\n"
               "  - id: ２．１．１\n    relationship: subset-of\n"
               "  - id: 2.1.1(2)\n    relationship: subset-of\n"
               "  - id: 2.1.1（2）(a)\n    relationship: equal-to\n"
               "  - id: 2.1.1(2)(b)\n    relationship: subset-of\n"
               "  - id: 9.9.9(9)(z)\n    relationship: subset-of")
    code, lines = check(capsys, edition_dir)
    shown = display_path(a)
    text = a.read_text(encoding="utf-8").split("\n")

    def line(needle: str, nth: int = 0) -> int:
        return [n for n, t in enumerate(text, 1) if needle in t][nth]

    assert code == 1
    part_line, section_line = '- id: "2"', '- id: "2.1"'
    heading_hint = "map to a 遵守事項 or 基本対策事項, e.g. 2.1.1(1)(a), 2.1.1(1)-1, 2.1.1(2)(a)"
    expected = [
        f"{shown}:{line(part_line)}: warning: NISC 2 is a 部 heading, not a requirement; {heading_hint}",
        f"{shown}:{line(section_line)}: warning: NISC 2.1 is a 節 heading, not a requirement; {heading_hint}",
        f"{shown}:{line('- id: ２．１．１')}: warning: NISC 2.1.1 is a 款 heading, not a requirement; {heading_hint}",
        f"{shown}:{line('- id: 2.1.1（2）(a)')}: warning: org-committee maps to NISC 2.1.1(2)(a) twice (first at "
        f"line {line('- id: 2.1.1(2)(a)')}); keep one mapping",
        f"{shown}:{line('- id: 2.1.1(2)(b)')}: error: NISC 2.1.1(2)(b) is not in the pinned catalog test-r7 "
        "(テスト版); closest: 2.1.1(2)(a), 2.1.1(2), 2.1.1(1)(a)",
        f"{shown}:{line('- id: 9.9.9(9)(z)')}: error: NISC 9.9.9(9)(z) is not in the pinned catalog test-r7 "
        "(テスト版)",
    ]
    for e in expected:
        assert e in lines, "\n".join(lines)
    # a 対策項目 is a requirement heading that may be mapped: no diagnostic at 2.1.1(2)
    measure = [n for n, t in enumerate(text, 1) if t.strip() == "- id: 2.1.1(2)"][0]
    assert not any(d.startswith(f"{shown}:{measure}:") for d in lines)
    assert "base: 12 clauses, 2 errors, 4 warnings: FAILED" in lines


def test_check_is_clean_for_the_impact_fixture_and_r503(capsys, in_repo):
    code, out, err = run(capsys, "check", "--strict", "--edition", str(IMPACT / "editions" / "e1"))
    assert code == 0, err
    code, out, err = run(capsys, "check", "--strict", "--edition", "r5-03")
    assert code == 0, err
