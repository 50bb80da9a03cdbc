"""`guideline check` messages a new user meets first: each names the place, says what is wrong in the user's own
text (never an encoded form) and gives a fix that works when pasted (issue 23)."""
from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from conftest import line_of, replace_in

from guideline.cli import cli
from guideline.diagnostics import display_path


def check(edition: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", "--edition", str(edition), *extra])
    return result.exit_code, result.output


def rel(path: Path) -> str:
    return display_path(path)


def test_missing_id_suggestion_is_free_and_passes_when_pasted(edition_dir):
    a = edition_dir / "a.md"
    replace_in(a, "##### 情報セキュリティ委員会 {#org-committee}",
               "##### 生成AIサービスの利用\n\n生成AIを使う。\n\n##### 情報セキュリティ委員会 {#org-committee}")
    code, out = check(edition_dir)
    assert code == 1
    line = line_of(a, "##### 生成AIサービスの利用")
    m = re.search(rf"{re.escape(rel(a))}:{line}: error: heading has no ID; add one at the end, e\.g\. "
                  r"'(##### 生成AIサービスの利用 \{#([a-z0-9-]+)\})'", out)
    assert m, out
    suggested_heading, suggested = m.group(1), m.group(2)
    assert suggested not in ("org-ciso", "org-committee")
    replace_in(a, "##### 生成AIサービスの利用", suggested_heading)
    code, out = check(edition_dir, "--strict")
    assert code == 0, out


def test_missing_id_suggestions_never_repeat_an_existing_or_suggested_id(edition_dir):
    a = edition_dir / "a.md"
    replace_in(a, "##### 情報セキュリティ委員会 {#org-committee}",
               "##### 第一の項目\n\n文。\n\n##### 第二の項目\n\n文。\n\n##### 情報セキュリティ委員会 {#org-committee}")
    code, out = check(edition_dir)
    ids = re.findall(r"heading has no ID; add one at the end, e\.g\. '##### [^']* \{#([a-z0-9-]+)\}'", out)
    assert len(ids) == 2 and len(set(ids)) == 2, out
    existing = set(re.findall(r"\{#([a-z0-9-]+)\}", a.read_text() + (edition_dir / "b.md").read_text()))
    assert not set(ids) & existing


def test_malformed_placeholders_are_errors_with_line_and_fix(edition_dir):
    a = edition_dir / "a.md"
    replace_in(a, "{{○○副市長}}を、CISOとする。",
               "{{○○副市長}}を、CISOとする。\n{{本市}の長と{本市}}の職員。\n\n｛｛本市｝｝の規程。")
    code, out = check(edition_dir, "--strict")
    assert code == 1, out
    first, second = line_of(a, "{{本市}の長"), line_of(a, "｛｛本市｝｝")
    assert (f"{rel(a)}:{first}: error: malformed placeholder '{{{{本市}}'; write '{{{{本市}}}}'"
            in out), out
    assert f"{rel(a)}:{first}: error: malformed placeholder '{{本市}}}}'; write '{{{{本市}}}}'" in out, out
    assert (f"{rel(a)}:{second}: error: malformed placeholder '｛｛本市｝｝' (full-width braces); write "
            "'{{本市}}'" in out), out


def test_braces_in_a_heading_are_heading_text(edition_dir):
    """A heading is plain text (no placeholders are read in it): its braces are no malformed placeholder."""
    replace_in(edition_dir / "a.md", "##### 情報セキュリティ委員会 {#org-committee}",
               "##### 委員会 {{ 及び {本市}} {#org-committee}")
    code, out = check(edition_dir, "--strict")
    assert code == 0, out


def test_malformed_placeholder_finder():
    from guideline.markup import malformed_placeholders

    assert malformed_placeholders("{{本市}}と{{○○課}}") == []
    assert malformed_placeholders("集合 {a} の要素") == []  # single braces are ordinary text
    found = malformed_placeholders("甲{{本市}乙{本市}}丙｛｛本市｝｝丁{{本市")
    assert [(f.text, f.fix) for f in found] == [
        ("{{本市}", "{{本市}}"), ("{本市}}", "{{本市}}"), ("｛｛本市｝｝", "{{本市}}"), ("{{本市", "{{本市}}")]
    assert [f.start for f in found] == [1, 7, 13, 20]


def test_unclosed_yaml_fence_names_its_line_and_loses_no_clause(edition_dir):
    a = edition_dir / "a.md"
    code, out = check(edition_dir)
    clauses = re.search(r"(\d+) clauses", out).group(1)
    text = a.read_text(encoding="utf-8")
    start = text.index("models: [alpha, beta]\n```\n") + len("models: [alpha, beta]\n")
    a.write_text(text[:start] + text[start + 4:], encoding="utf-8")  # the closing ``` of org-ciso's metadata
    code, out = check(edition_dir)
    assert code == 1
    opening = line_of(a, "```yaml")
    assert (f"{rel(a)}:{opening}: error: the code block opened with '```yaml' here is not closed before the "
            f"heading at line {line_of(a, '##### 情報セキュリティ委員会')}; add a line '```' where the block ends") in out, out
    assert "could not find expected" not in out
    assert f"{clauses} clauses" in out, out


def test_footnote_and_link_messages_show_text_as_typed(edition_dir):
    a = edition_dir / "a.md"
    replace_in(a, "{{○○副市長}}を、CISOとする。",
               "{{○○副市長}}を、CISOとする。[^1] [別紙](別紙.md) [](#本市)\n\n[^1]: 注記の本文。")
    code, out = check(edition_dir)
    assert code == 1
    assert "%E" not in out, out
    line = line_of(a, "[^1] [別紙]")
    assert "[^1]" not in out, out  # a footnote with its definition in the clause is fine (docs/source-format.md)
    assert f"{rel(a)}:{line}: error: link target '別紙.md' is not allowed" in out, out
    assert f"{rel(a)}:{line}: error: cross-reference to #本市, which is not a clause ID" in out, out


def test_yaml_mapping_error_says_the_likely_cause_and_shows_the_line(edition_dir):
    a = edition_dir / "a.md"
    replace_in(a, "    relationship: subset-of\n", "    relationship: subset-of\n      rationale: 理由\n")
    code, out = check(edition_dir)
    assert code == 1
    line = line_of(a, "      rationale: 理由")
    m = re.search(rf"{re.escape(rel(a))}:{line}: error: malformed YAML: mapping values are not allowed in this "
                  r"context(.*)", out)
    assert m, out
    hint = m.group(1)
    assert "'      rationale: 理由'" in hint, hint
    assert "indent" in hint and "space after ':'" in hint, hint
