"""`guideline lint`: positions, exit codes, output formats, --fix, lint.yaml, and the sample editions.

The per-rule positive and negative cases live in the corpus (tests/fixtures/lint, test_lint_corpus.py)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import line_of, replace_in

from guideline.cli import cli
from guideline.diagnostics import UserError


def run(*args: str):
    return CliRunner().invoke(cli, ["lint", *args])


def test_fixture_edition_is_clean(edition_dir):
    result = run("--edition", str(edition_dir), "--strict")
    assert result.exit_code == 0, result.output
    assert "base: 0 errors, 0 warnings (" in result.output and result.output.endswith(" rules) (strict): ok\n")


@pytest.mark.parametrize("name", ["draft", "r5-03", "r6-an"])
def test_sample_editions_have_no_errors(in_repo, name):
    result = run("--edition", name, "--format", "json", "-q")
    data = json.loads(result.output)
    assert result.exit_code == 0, [f for f in data["findings"] if f["severity"] == "error"]
    assert data["errors"] == 0


def test_finding_points_at_the_character_in_the_source(edition_dir):
    a = edition_dir / "a.md"
    replace_in(a, "委員会を置く。", "委員会を**必ず**置く。ＩＤを確認する。")
    result = run("--edition", str(edition_dir))
    assert result.exit_code == 1
    line = line_of(a, "ＩＤを確認")
    col = a.read_text(encoding="utf-8").split("\n")[line - 1].index("ＩＤ") + 1
    assert f"a.md:{line}:{col}: error: width-alnum: full-width 'ＩＤ': write 'ID'\n" in result.output
    assert "base: 1 errors, 0 warnings" in result.output


def test_yaml_ids_and_code_are_never_linted(edition_dir):
    a = edition_dir / "a.md"
    replace_in(a, "rationale: 責任者の設置を求める点で対応する。", "rationale: ＩＤの設置を行なう。。")
    replace_in(a, "委員会を置く。", "委員会を置く。`ＩＤ`と[](#org-ciso)参照。")
    result = run("--edition", str(edition_dir), "--strict")
    assert result.exit_code == 0, result.output


def test_warnings_fail_only_with_strict(edition_dir):
    replace_in(edition_dir / "a.md", "委員会を置く。", "委員会を置く。詳細は6.2.(1)参照のこと。")
    assert run("--edition", str(edition_dir)).exit_code == 0
    result = run("--edition", str(edition_dir), "--strict")
    assert result.exit_code == 1
    assert "warning: ref-by-number: 「6.2.(1)」 is a typed clause number" in result.output


def test_unknown_rule_is_a_usage_error(edition_dir):
    result = run("--edition", str(edition_dir), "--rule", "no-such-rule")
    assert result.exit_code == 2
    assert "unknown rule or family: no-such-rule" in result.output


def test_fix_refuses_an_edition_from_git():
    result = run("--edition", "git:HEAD", "--fix")
    assert result.exit_code == 2 and "--fix rewrites source files" in result.output


def test_rule_selects_a_family_or_a_rule(edition_dir):
    replace_in(edition_dir / "a.md", "委員会を置く。", "委員会を置く。。ＩＤ")
    result = run("--edition", str(edition_dir), "--rule", "punct-double")
    assert "punct-double" in result.output and "width-alnum" not in result.output
    result = run("--edition", str(edition_dir), "--rule", "width")
    assert "punct-double" in result.output and "width-alnum" in result.output


def test_json_and_sarif(edition_dir, tmp_path):
    replace_in(edition_dir / "a.md", "委員会を置く。", "委員会を置く。ＩＤ")
    data = json.loads(run("--edition", str(edition_dir), "--format", "json", "-q").output)
    [f] = data["findings"]
    assert (f["rule"], f["severity"], f["fix"]) == ("width-alnum", "error", {"old": "ＩＤ", "new": "ID"})
    out = tmp_path / "lint.sarif"
    result = run("--edition", str(edition_dir), "--format", "sarif", "-o", str(out))
    assert result.exit_code == 1
    sarif = json.loads(out.read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    [res] = sarif["runs"][0]["results"]
    assert res["ruleId"] == "width-alnum" and res["level"] == "error"
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("a.md")
    assert res["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"] == "ID"
    ids = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {"width-alnum", "form-chosen", "def-used-before", "ref-by-number"} <= ids


def test_fix_rewrites_mechanical_findings_and_prints_them(edition_dir):
    a = edition_dir / "a.md"
    replace_in(a, "委員会を置く。", "委員会を置く。。ＩＤを確認し、点検を行なう。詳細は6.2.(1)参照。")
    before_yaml = a.read_text(encoding="utf-8").split("```")[1]
    result = run("--edition", str(edition_dir), "--fix")
    assert "fixed " in result.output and "'ＩＤ' -> 'ID'" in result.output and "'行なう' -> '行う'" in result.output
    text = a.read_text(encoding="utf-8")
    assert "委員会を置く。ID を確認し" not in text
    assert "委員会を置く。IDを確認し、点検を行う。詳細は6.2.(1)参照。" in text
    assert text.split("```")[1] == before_yaml
    assert result.exit_code == 0  # the reference stays a warning: it needs a person to pick the clause
    assert "ref-by-number" in result.output
    again = run("--edition", str(edition_dir), "--fix")
    assert "fixed " not in again.output


def test_lint_yaml_chooses_forms_and_severities(edition_dir):
    src = edition_dir.parent.parent
    replace_in(edition_dir / "a.md", "委員会を置く。", "委員会を置く。サーバーを置く。")
    (src / "lint.yaml").write_text("forms:\n  - サーバ\nrules:\n  ref-by-number: error\n", encoding="utf-8")
    result = run("--edition", str(edition_dir))
    assert result.exit_code == 1
    assert "error: form-chosen: 「サーバー」: write 「サーバ」" in result.output


def test_bad_lint_yaml_is_reported_with_its_line(edition_dir):
    src = edition_dir.parent.parent
    (src / "lint.yaml").write_text("forms: []\nrules:\n  no-such-rule: off\n", encoding="utf-8")
    result = run("--edition", str(edition_dir))
    assert isinstance(result.exception, UserError)  # printed as path:line: error: ... and exit 1 by guideline.cli.main
    assert str(result.exception).endswith("lint.yaml:3: error: rules: unknown rule 'no-such-rule'; "
                                          "`guideline lint --list-rules` lists them")


def test_list_rules_names_every_family():
    result = run("--list-rules")
    families = {line.split("\t")[2] for line in result.output.splitlines()}
    assert families == {"forms", "width", "definitions", "placeholders", "references", "sentences"}


def test_morphemes_come_from_the_cache_with_the_same_findings(edition_dir, tmp_path):
    from guideline import editions, lint, parse_cache

    replace_in(edition_dir / "a.md", "委員会を置く。", "委員会を置く。点検を行なう。サーバとサーバーを置く。")
    ed, _ = editions.load(str(edition_dir), validate=False)
    cold = parse_cache.ParseCache(tmp_path / "cache")
    first = lint.run(ed, cache=cold)
    assert {f.rule for f in first} == {"form-chosen", "form-variants"}
    assert cold.misses == 2 and cold.disk_hits == 0  # a.md and b.md
    parse_cache.clear_memory()
    warm = parse_cache.ParseCache(tmp_path / "cache")
    assert lint.run(ed, cache=warm) == first
    assert (warm.misses, warm.disk_hits) == (0, 2)


def test_morpheme_cache_payload_round_trips_and_refuses_other_shapes():
    from guideline import morph

    analyses = [morph.analyze("及びおよび行なう。"), [], morph.analyze("サーバ\nID")]
    assert morph.decode(json.loads(json.dumps(morph.encode(analyses)))) == analyses
    with pytest.raises((ValueError, TypeError, IndexError)):
        morph.decode({"kinds": [["x"]], "texts": [[0, 0]]})
    with pytest.raises((ValueError, TypeError, IndexError)):
        morph.decode({"kinds": [], "texts": [["0", 0]]})


def test_fix_never_touches_escapes_or_entities(edition_dir):
    a = edition_dir / "a.md"
    replace_in(a, "委員会を置く。", "委員会を置く。Ａ\\*Ｂ&amp;Ｃ、ＩＤ。")
    result = run("--edition", str(edition_dir), "--fix")
    text = a.read_text(encoding="utf-8")
    assert "\\*" in text and "&amp;" in text  # the source's escapes and entities are intact
    assert "、ID。" in text  # the run away from them was fixed
    line = line_of(a, "委員会を置く。")
    # what was not fixed is still reported, at its place in the source
    assert f"a.md:{line}:" in result.output and "width-alnum" in result.output
