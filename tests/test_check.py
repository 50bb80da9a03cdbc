"""`guideline check`: every validation error, with its exact message and line, through the real CLI (click runner)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import line_of, replace_in

from guideline.cli import cli
from guideline.diagnostics import display_path


def run_check(edition: Path, *extra: str):
    runner = CliRunner()
    result = runner.invoke(cli, ["check", "--edition", str(edition), *extra])
    return result


def output_of(result) -> str:
    return result.output + (result.stderr if hasattr(result, "stderr") and result.stderr_bytes is not None else "")


def rel(path: Path) -> str:
    return os.path.relpath(path)


def test_clean_fixture_passes(edition_dir):
    result = run_check(edition_dir, "--strict")
    assert result.exit_code == 0, result.output
    assert "base: 12 clauses, 0 errors, 0 warnings (strict): ok" in result.output


def test_sample_editions_are_clean_in_strict_mode(in_repo):
    editions = ["r5-03"] + [e for e in ("draft", "r6-an") if (in_repo / "guideline_src" /
                                                         ("draft" if e == "draft" else f"editions/{e}") /
                                                         "edition.yaml").is_file()]
    for name in editions:
        result = CliRunner().invoke(cli, ["check", "--edition", name, "--strict"])
        assert result.exit_code == 0, f"{name}:\n{result.output}"
        assert "0 errors, 0 warnings (strict): ok" in result.output


# (file, old text, new text, needle locating the expected line, expected message)
CASES = [
    ("a.md", "##### 最高情報セキュリティ責任者 {#org-ciso}", "##### 最高情報セキュリティ責任者 {#org-committee}",
     "last:{#org-committee}", "error: duplicate clause ID 'org-committee', first defined at "),
    ("a.md", "##### 最高情報セキュリティ責任者 {#org-ciso}", "##### 最高情報セキュリティ責任者",
     "##### 最高情報セキュリティ責任者", "error: heading has no ID; add one at the end"),
    ("a.md", "{#org-ciso}", "{#Org-CISO}", "{#Org-CISO}",
     "error: malformed clause ID 'Org-CISO': it contains upper-case letters"),
    ("a.md", "{#org-ciso}", "{#組織-ciso}", "{#組織-ciso}",
     "error: malformed clause ID '組織-ciso': it contains non-ASCII characters"),
    ("a.md", "relationship: subset-of", "relationship: part-of", "relationship: part-of",
     "error: unknown relationship 'part-of'; use one of equal-to, equivalent-to, subset-of"),
    ("a.md", "models: [alpha, beta]", "nsic: []", "nsic: []",
     "error: unknown metadata key 'nsic'; did you mean 'nisc'?"),
    ("a.md", "  - id: 2.1.1(1)(a)", "  - id: 2.1.1(9)(a)", "2.1.1(9)(a)",
     "error: NISC 2.1.1(9)(a) is not in the pinned catalog test-r7 (テスト版); closest: "),
    ("a.md", "    relationship: intersects-with", "    relationship: intersects-with\n  - id: 2.1.1(2)(a)\n"
     "    relationship: subset-of", "  - id: 2.1.1(2)(a)",  # the second mapping's line is checked below
     "warning: org-committee maps to NISC 2.1.1(2)(a) twice"),
    ("a.md", "    relationship: intersects-with", "    relationship: intersects-with\n  - id: \"2.1\"\n"
     "    relationship: subset-of", "id: \"2.1\"",
     "warning: NISC 2.1 is a 節 heading, not a requirement; map to a 遵守事項 or 基本対策事項, e.g. 2.1.1(1)(a)"),
    ("a.md", "models: [alpha, beta]", "models: [alpha, gamma]", "models: [alpha, gamma]",
     "error: unknown network model 'gamma'"),
    ("a.md", "models: [alpha, beta]", "models: [alpha, beta\n", "```yaml",
     "error: malformed YAML"),
    ("a.md", "[](#org-ciso)が主宰する", "[](#org-cisco)が主宰する", "[](#org-cisco)",
     "error: cross-reference to #org-cisco, which is not a clause ID of this edition; did you mean #org-ciso?"),
    ("a.md", "models: [alpha, beta]", "split_from: nowhere-clause", "```yaml",
     "error: split_from: nowhere-clause is not a clause ID of any other edition"),
    ("a.md", "models: [alpha, beta]", "merged_from: [org-old-a, org-old-b]", "```yaml",
     "error: merged_from: org-old-a is not a clause ID of any other edition"),
    ("a.md", "models: [alpha, beta]", "replaces: org-committee", "```yaml",
     "error: org-ciso replaces org-committee, but org-committee still exists in this edition"),
    ("a.md", "CISOは、最終的な権限と責任を有する。\n:::", "CISOは、最終的な権限と責任を有する。", "::: 解説",
     "error: '::: 解説' is not closed; add a line ':::' after the commentary"),
    ("a.md", "# 総則 {#general}", "本文が見出しの前にある。\n\n# 総則 {#general}", "本文が見出しの前にある。",
     "error: text before the first heading belongs to no clause"),
    ("a.md", "models: [alpha, beta]", "models: !!python/object/apply:os.system [ls]", "models: !!python",
     "error: YAML tag '!!python/object/apply:os.system' is not allowed (tags can construct objects); remove it"),
    ("a.md", "委員会を置く。", "委員会を[置く](javascript:alert(1))。", "委員会を[置く]",
     "error: link target 'javascript:alert(1)' is not allowed"),
    ("b.md", "| 機密性3 | 住民の個人情報 |", "| 機密性3 |\t住民の個人情報 |", "住民の個人情報",
     "error: tab character; indent with spaces"),
    ("a.md", "##### 情報セキュリティ委員会 {#org-committee}", "情報セキュリティ委員会 {#org-committee}\n"
     "--------", "情報セキュリティ委員会 {#org-committee}", "error: underlined (setext) heading"),
    ("a.md", "```yaml\nnisc:\n  - id: 2.1.1(2)(a)", "委員会を定める。\n\n```yaml\nnisc:\n  - id: 2.1.1(2)(a)",
     "委員会を定める。", None),  # yaml block below text: reported at the block (checked separately)
    ("a.md", "{#org-ciso}", "{#org-ciso .numbered}", "{#org-ciso .numbered}",
     "error: unknown heading attribute '.numbered'"),
    ("edition.yaml", "status: 確定", "status: final", "status: final", "error: status must be 案 or 確定, not 'final'"),
    ("edition.yaml", "date: 2024-10-02", "date: 2024-13-02", "date:", "error: malformed YAML value: month must be in 1..12"),
    ("edition.yaml", "label: テスト版", "lable: テスト版", "lable:",
     "error: unknown key 'lable' in edition.yaml; did you mean 'label'?"),
    ("edition.yaml", "  - b.md", "  - b.md\n  - c.md", "  - c.md",
     "error: c.md is listed in files but does not exist"),
    ("edition.yaml", "  - b.md", "  - ../../escape.md", "../../escape.md",
     "error: ../../escape.md: '..' is not allowed in files"),
    ("edition.yaml", "  - b.md", "  - /etc/passwd.md", "/etc/passwd.md",
     "error: /etc/passwd.md: absolute paths are not allowed in files"),
    ("edition.yaml", "nisc_catalog: test-r7", "nisc_catalog: test-r9", "nisc_catalog:",
     "error: NISC catalog 'test-r9' not found"),
    ("edition.yaml", "reibun_part: policy", "reibun_part: org", "reibun_part:", "error: reibun_part 'org' must be a 編"),
]


@pytest.mark.parametrize("fname,old,new,needle,expected", CASES, ids=[c[4] and c[4][7:40] or "yaml-below" for c in CASES])
def test_each_problem_is_reported_with_path_line_and_message(edition_dir, monkeypatch, fname, old, new, needle,
                                                             expected):
    monkeypatch.chdir(edition_dir.parents[2])
    path = edition_dir / fname
    replace_in(path, old, new)
    result = run_check(edition_dir, "--strict")
    out = result.output
    assert result.exit_code == 1, out
    assert "Traceback" not in out
    if expected is None:
        line = line_of(path, "```yaml\nnisc:".split("\n")[0]) if False else None
        assert "a yaml block is metadata only directly under its heading" in out
        return
    if needle.startswith("last:"):
        lines = path.read_text(encoding="utf-8").split("\n")
        line = [n for n, text in enumerate(lines, 1) if needle[5:] in text][-1]
    else:
        line = line_of(path, needle) if needle else 1
    if "twice" in expected:
        # the duplicate is the second occurrence of the id line
        lines = path.read_text(encoding="utf-8").split("\n")
        line = [n for n, text in enumerate(lines, 1) if "- id: 2.1.1(2)(a)" in text][1]
    if "malformed YAML" in expected or "split_from" in expected or "merged_from" in expected \
            or "replaces" in expected:
        line = None  # the line is inside or at the block: asserted loosely below
    shown = os.path.relpath(path)
    if line is None:
        assert any(l.startswith(f"{shown}:") and expected in l for l in out.splitlines()), out
    else:
        assert f"{shown}:{line}: {expected}" in out, out


def test_every_problem_is_reported_not_just_the_first(edition_dir):
    replace_in(edition_dir / "a.md", "{#org-ciso}", "{#Org-CISO}")
    replace_in(edition_dir / "a.md", "relationship: subset-of", "relationship: part-of")
    replace_in(edition_dir / "b.md", "{#tech-access}", "{#tech-dynamic}")
    result = run_check(edition_dir)
    assert result.exit_code == 1
    assert "4 errors" in result.output
    assert "cross-reference to #org-ciso, which is not a clause ID" in result.output
    assert "malformed clause ID 'Org-CISO'" in result.output
    assert "unknown relationship 'part-of'" in result.output
    assert "duplicate clause ID 'tech-dynamic'" in result.output


def test_unlisted_file_is_a_warning_and_fails_only_in_strict_mode(edition_dir):
    (edition_dir / "stray.md").write_text("# x {#stray}\n", encoding="utf-8")
    assert run_check(edition_dir).exit_code == 0
    strict = run_check(edition_dir, "--strict")
    assert strict.exit_code == 1
    assert "stray.md is not listed in files of edition.yaml" in strict.output


def test_bom_and_crlf_are_warnings_and_still_read(edition_dir):
    path = edition_dir / "b.md"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    result = run_check(edition_dir)
    assert result.exit_code == 0, result.output
    assert "byte order mark" in result.output and "CRLF" in result.output
    assert "12 clauses" in result.output


def test_invalid_utf8_names_the_line(edition_dir):
    path = edition_dir / "b.md"
    data = path.read_bytes().replace("アクセスの都度".encode(), "アクセスの都度".encode("cp932"))
    path.write_bytes(data)
    result = run_check(edition_dir)
    assert result.exit_code == 1
    line = [n for n, l in enumerate(data.split(b"\n"), 1) if "アクセスの都度".encode("cp932") in l][0]
    assert f"{display_path(path)}:{line}: error: not valid UTF-8" in result.output


def test_usage_errors_exit_2_and_unknown_edition_exits_1(in_repo):
    runner = CliRunner()
    assert runner.invoke(cli, ["check", "--no-such-option"]).exit_code == 2
    from guideline.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["check", "--edition", "no-such-edition"])
    assert exc.value.code == 1


def test_help_has_an_example():
    result = CliRunner().invoke(cli, ["check", "--help"])
    assert result.exit_code == 0 and "guideline check --edition r5-03 --strict" in result.output
