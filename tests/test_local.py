"""`guideline local`: a municipality's policy from the guideline (init, check, build, articles numbering)."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, line_of, replace_in

from guideline.cli import main
from guideline.diagnostics import UserError
from guideline.local.compose import load_policy
from guideline.model import Para, Placeholder, block_text, iter_inlines

PLACEHOLDERS = {"○○部長": "総務部長", "○○課長": "総務課長"}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def fill(directory: Path, values: dict[str, str] = PLACEHOLDERS) -> None:
    for key, value in values.items():
        replace_in(directory / "local.yaml", f"  {key}:\n", f"  {key}: {value}\n")


def make(capsys, tmp_path: Path, edition: str = "r5-03", model: str = "beta-prime", name: str = "○○町",
         style: str = "outline") -> Path:
    directory = tmp_path / "town"
    code, _, err = run(capsys, "local", "init", str(directory), "--edition", edition, "--name", name, "--model",
                       model, "--style", style)
    assert code == 0, err
    fill(directory)
    return directory


def write_clause(directory: Path, clause_id: str, text: str) -> Path:
    path = directory / "clauses" / f"{clause_id}.md"
    path.write_text(text, encoding="utf-8")
    return path


def add_local(directory: Path, entry: str) -> None:
    replace_in(directory / "local.yaml", "local: []\n", f"local:\n  - {entry}\n")


def test_init_prefills_from_the_name_and_leaves_the_rest_empty(in_repo, tmp_path, capsys):
    directory = tmp_path / "town"
    code, out, err = run(capsys, "local", "init", str(directory), "--edition", "r5-03", "--name", "○○町",
                         "--model", "beta-prime")
    assert code == 0, err
    text = (directory / "local.yaml").read_text(encoding="utf-8")
    assert "  本市: 本町\n" in text and "  ○○副市長: 副町長\n" in text
    assert "  ○○部長:\n" in text and "  ○○課長:\n" in text
    assert "model: beta-prime" in text and "edition: r5-03" in text and "sha256: " in text
    assert "○○部長" in err  # told what to fill in
    assert (directory / "clauses").is_dir()
    assert not (directory / "base").exists()  # a frozen edition is named, not copied
    code, out, err = run(capsys, "local", "check", str(directory))
    assert code == 1
    assert f"local.yaml:{line_of(directory / 'local.yaml', '○○部長:')}: error: placeholder 〔○○部長〕 has no value" in err


def test_init_refuses_a_directory_that_is_not_empty(in_repo, tmp_path, capsys):
    (tmp_path / "town").mkdir()
    (tmp_path / "town" / "x.txt").write_text("x")
    code, _, err = run(capsys, "local", "init", str(tmp_path / "town"), "--edition", "r5-03", "--name", "○○市")
    assert code == 1 and "not empty" in err
    assert sorted(p.name for p in (tmp_path / "town").iterdir()) == ["x.txt"]


def test_init_of_the_draft_keeps_a_copy_of_it(in_repo, tmp_path, capsys):
    directory = make(capsys, tmp_path, edition="draft", name="○○村")
    assert (directory / "base" / "edition.yaml").is_file()
    assert (directory / "base" / "nisc" / "nisc-r7.yaml").is_file()
    text = (directory / "local.yaml").read_text(encoding="utf-8")
    assert "本市: 本村" in text and "副村長" in text
    assert run(capsys, "local", "check", str(directory))[0] == 0


def test_build_fills_placeholders_filters_models_and_keeps_no_commentary(in_repo, tmp_path, capsys):
    directory = make(capsys, tmp_path)
    ed = load_policy(directory)
    ids = {c.id for c in ed.clauses()}
    assert "resil-beta-prime" in ids and "resil-internet-beta" in ids  # β' clauses kept
    assert "resil-lgwan-mail" not in ids and "resil-lgwan-internet-access" not in ids  # α only: left out
    assert "part-general" not in ids and ed.parts[0].heading == "○○町情報セキュリティポリシー"
    for c in ed.clauses():
        assert not c.commentary and not c.meta.nisc
        assert not any(isinstance(n, Placeholder) for n in iter_inlines(c.body))
    ciso = ed.get("org-ciso")
    assert block_text(ciso.body).startswith("副町長をCISOとする。CISOは、本町が保有する")
    out = tmp_path / "out"
    code, stdout, err = run(capsys, "local", "build", str(directory), "-o", str(out), "--format", "html", "-q")
    assert code == 0, err
    html = (out / "guideline.html").read_text(encoding="utf-8")
    assert "副町長をCISOとする" in html and "○○町情報セキュリティポリシー" in html
    assert "{{" not in html and 'class="placeholder"' not in html


def test_a_model_alpha_policy_keeps_the_alpha_clauses(in_repo, tmp_path, capsys):
    directory = make(capsys, tmp_path, model="alpha")
    ids = {c.id for c in load_policy(directory).clauses()}
    assert "resil-lgwan-mail" in ids and "resil-beta-prime" not in ids and "resil-internet-beta" not in ids


def test_check_reports_unknown_ids_missing_local_ids_and_references_to_omitted_clauses(in_repo, tmp_path, capsys):
    directory = make(capsys, tmp_path)
    replace_in(directory / "local.yaml", "omit: []\n", "omit:\n  - no-such-clause\n  - bp-threats\n")
    write_clause(directory, "no-such-thing", "##### 何か {#no-such-thing}\n\n本文。\n")
    write_clause(directory, "town-extra", "##### 見出しだけ\n\n本文。\n")
    add_local(directory, "{id: town-extra, after: org-ciso}")
    code, _, err = run(capsys, "local", "check", str(directory))
    assert code == 1
    yaml_path = directory / "local.yaml"
    assert f"local.yaml:{line_of(yaml_path, '- no-such-clause')}: error: omit: 'no-such-clause' is no clause" in err
    assert "no-such-thing.md:1: error: 'no-such-thing' is no clause of the base edition r5-03" in err
    assert "town-extra.md:1: error:" in err and "{#" in err  # the heading has no ID
    assert "clause bp-measures refers to 'bp-threats', which is left out (omit:)" in err
    assert "clauses/bp-measures.md" in err  # the fix: override the referring clause


def test_override_and_local_clause_are_in_place_and_renumbered(in_repo, tmp_path, capsys):
    directory = make(capsys, tmp_path)
    write_clause(directory, "org-ciso", "##### 最高情報セキュリティ責任者 {#org-ciso}\n\n"
                                        "{{○○副市長}}をCISOとし、町長がこれを任命する。\n")
    write_clause(directory, "town-drill", "##### 町独自の訓練 {#town-drill}\n\n"
                                          "{{本市}}は、毎年度、全職員を対象とする標的型メール訓練を行う。\n")
    add_local(directory, "{id: town-drill, after: hr-emergency-drill}")
    replace_in(directory / "local.yaml", "omit: []\n", "omit:\n  - org-no-dual-roles\n")
    assert run(capsys, "local", "check", str(directory))[0] == 0
    ed = load_policy(directory)
    assert block_text(ed.get("org-ciso").body) == "副町長をCISOとし、町長がこれを任命する。"
    drill = ed.get("town-drill")
    assert block_text(drill.body) == "本町は、毎年度、全職員を対象とする標的型メール訓練を行う。"
    assert ed.parent(drill.id).id == "hr-training-section" and ed.get("hr-emergency-drill").number == "(2)"
    assert drill.number == "(3)" and ed.get("hr-training-attendance").number == "(4)"
    assert ed.get("org-no-dual-roles") is None and ed.get("org-csirt").number == "(8)"


def test_articles_style_numbers_like_a_kunrei_without_branch_numbers(in_repo, tmp_path, capsys):
    directory = make(capsys, tmp_path, style="articles")
    plain = load_policy(directory)
    assert plain.get("bp-purpose").number == "第1条" and plain.get("bp-purpose").heading == "（目的）"
    assert plain.get("bp-def-network").address == "情報セキュリティ基本方針 第2条第1号"
    assert plain.get("org").number == "第1章" and plain.get("org-ciso").number == "第1条"
    assert plain.get("asset-classification").local == "第2章第1節"
    csirt = plain.get("org-csirt").number
    # leave one clause out and add one: followers renumber, no 第N条の2
    replace_in(directory / "local.yaml", "omit: []\n", "omit:\n  - org-chief-officer\n")
    write_clause(directory, "town-cio", "##### 情報化推進監 {#town-cio}\n\n情報化推進監を置く。\n")
    add_local(directory, "{id: town-cio, after: org-ciso}")
    ed = load_policy(directory)
    assert ed.get("town-cio").number == "第2条" and ed.get("org-security-officer").number == "第3条"
    assert ed.get("org-csirt").number == csirt
    numbers = [c.number for c in ed.clauses() if c.number.endswith("条")]
    assert numbers == [f"第{n}条" for n in range(1, 11)] + [f"第{n}条" for n in range(1, len(numbers) - 9)]
    assert not any("の" in n for n in numbers)
    # 項: the second paragraph of an article carries its number; 号 restart in each article
    analysis = ed.get("hr-incident-analysis")
    texts = [block_text((b,)) for b in analysis.body if isinstance(b, Para)]
    assert len(texts) >= 2 and not texts[0].startswith("１") and texts[1].startswith("２\u3000")
    assert [c.number for c in ed.get("asset-responsibility").walk()] == ["第15条", "(1)", "(2)"]
    assert [c.number for c in ed.get("asset-use").walk()] == ["第19条", "(1)", "(2)", "(3)"]
    # a cross-reference reads the article number
    assert "第3条に掲げる脅威" in block_text(ed.get("bp-measures").body, ed, ed.get("bp-measures"))
    # --style overrides local.yaml
    assert load_policy(directory, "outline").get("org-ciso").number == "(1)"


def test_build_writes_nothing_when_a_placeholder_has_no_value(in_repo, tmp_path, capsys):
    directory = make(capsys, tmp_path)
    replace_in(directory / "local.yaml", "  ○○課長: 総務課長\n", "  ○○課長:\n")
    out = tmp_path / "out"
    code, _, err = run(capsys, "local", "build", str(directory), "-o", str(out))
    assert code == 1 and "placeholder 〔○○課長〕 has no value" in err
    assert not out.exists()
    with pytest.raises(UserError):
        load_policy(directory)


def test_local_help_has_examples(capsys):
    for sub in ("init", "check", "build"):
        code, out, _ = run(capsys, "local", sub, "--help")
        assert code == 0 and "Examples:" in out and f"guideline local {sub}" in out

