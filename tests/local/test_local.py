"""`guideline local`: a municipality's policy from the guideline (init, check, build, articles numbering)."""
from __future__ import annotations

import re
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
    for sub in ("init", "check", "build", "rebase", "resolve", "diff", "align"):
        code, out, _ = run(capsys, "local", sub, "--help")
        assert code == 0 and "Examples:" in out and f"guideline local {sub}" in out



# --------------------------------------------------------------------------------------------------------------------
# rebase, resolve, diff


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def shape(ed) -> list[tuple]:
    return [(c.id, c.level, c.number, c.address, c.heading, block_text(c.body, ed, c)) for c in ed.clauses()]


def test_rebase_without_local_changes_equals_building_the_new_edition(in_repo, tmp_path, capsys):
    directory = make(capsys, tmp_path, style="articles")
    code, _, err = run(capsys, "local", "rebase", str(directory), "--to", "draft")
    assert code == 0, err
    fresh = tmp_path / "fresh"
    assert run(capsys, "local", "init", str(fresh), "--edition", "draft", "--name", "○○町", "--model", "beta-prime",
               "--style", "articles")[0] == 0
    fill(fresh)
    rebased, built = load_policy(directory), load_policy(fresh)
    assert shape(rebased) == shape(built)
    assert rebased.get("tech-dac-officer") is not None  # the new edition's text, not the old one's
    for d in (directory, fresh):
        assert run(capsys, "local", "build", str(d), "-o", str(tmp_path / f"out-{d.name}"), "-q")[0] == 0
    assert (tmp_path / "out-town" / "guideline.html").read_bytes() == \
        (tmp_path / "out-fresh" / "guideline.html").read_bytes()


OVERRIDES = {
    "phys-server-power": "##### 機器の電源 {#phys-server-power}\n\n情報システム管理者は、サーバに無停電電源装置を備える。\n",
    "org-ciso": "##### 最高情報セキュリティ責任者 {#org-ciso}\n\n{{○○副市長}}をCISOとし、町長を補佐させる。\n",
    "org-advisor": "##### 外部の助言者 {#org-advisor}\n\nCISOは、外部の専門家に助言を求めることができる。\n",
    "hr-training": "##### 研修 {#hr-training}\n\n全職員は、毎年度、情報セキュリティ研修を受講する。\n",
    "hr-password-management": "##### パスワード {#hr-password-management}\n\nパスワードは十二文字以上とする。\n",
    "hr-password-change": "##### パスワードの変更 {#hr-password-change}\n\n漏えいのおそれがあるときは直ちに変更する。\n",
}
LOCAL = {
    "town-usb": ("after: tech-auto-ident", "##### USBメモリ {#town-usb}\n\n支給品以外のUSBメモリは使わない。\n"),
    "town-drill": ("after: hr-emergency-drill", "##### 町の訓練 {#town-drill}\n\n{{本市}}は毎年訓練を行う。\n"),
}


def customised(capsys, tmp_path: Path) -> Path:
    directory = make(capsys, tmp_path)
    for cid, text in OVERRIDES.items():
        write_clause(directory, cid, text)
    for cid, (where, text) in LOCAL.items():
        write_clause(directory, cid, text)
    replace_in(directory / "local.yaml", "local: []\n",
               "local:\n" + "".join(f"  - {{id: {cid}, {where}}}\n" for cid, (where, _) in LOCAL.items()))
    replace_in(directory / "local.yaml", "omit: []\n", "omit:\n  - org-no-dual-roles\n  - tech-info-exchange\n")
    code, _, err = run(capsys, "local", "check", str(directory))
    assert code == 0, err
    return directory


def test_rebase_never_loses_a_local_clause_or_an_override(in_repo, tmp_path, capsys):
    import json

    directory = customised(capsys, tmp_path)
    report_file = tmp_path / "rebase.json"
    code, _, err = run(capsys, "local", "rebase", str(directory), "--to", "draft", "--report", str(report_file))
    assert code == 0, err
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report["kept"] == ["phys-server-power"]
    assert sorted(report["conflicts"]) == ["hr-password-management", "hr-training", "org-advisor", "org-ciso"]
    assert "tech-dac-officer" in report["added"] and "resil-alpha-prime" not in report["added"]  # α' only
    assert "tech-auto-ident" in report["removed"] and "org-advisor" in report["removed"]
    assert "tech-info-exchange" not in report["removed"]  # it was left out already
    assert "bp-measures" in report["updated"] and "org-ciso" not in report["updated"]
    assert report["moved_local"] == {"town-usb": "after: tech-remote-access"}
    # every override's text is still in clauses/ (kept or under conflict), every local clause is still placed
    files = {p.stem: p.read_text(encoding="utf-8") for p in (directory / "clauses").glob("*.md")}
    for cid, text in OVERRIDES.items():
        body = text.split("\n\n", 1)[1]
        assert any(body in t for t in files.values()), cid
    assert "パスワードは十二文字以上" in files["hr-password-management"]
    assert "直ちに変更する" in files["hr-password-management"]  # merged: both local texts under the new clause
    assert "{#hr-password-management}" in files["hr-password-management"]
    text = (directory / "local.yaml").read_text(encoding="utf-8")
    assert "edition: draft" in text and "{id: town-usb, after: tech-remote-access}" in text
    assert "{id: town-drill, after: hr-emergency-drill}" in text
    assert "  - tech-info-exchange\n" not in text and "  - org-no-dual-roles\n" in text  # deleted: dropped
    page = (directory / "conflicts" / "org-ciso.md").read_text(encoding="utf-8")
    assert "## 旧ガイドライン（r5-03: org-ciso）" in page and "## 新ガイドライン（draft: org-ciso）" in page
    assert "{+" in page and "町長を補佐させる" in page
    # settle every conflict keeping the local text: nothing of the municipality's is lost
    for cid in report["conflicts"]:
        assert run(capsys, "local", "resolve", str(directory, ), cid, "--take", "local")[0] == 0
    assert run(capsys, "local", "check", str(directory))[0] == 0
    ed = load_policy(directory)
    for cid in (*LOCAL, "org-advisor"):
        assert ed.get(cid) is not None, cid
    assert block_text(ed.get("org-ciso").body) == "副町長をCISOとし、町長を補佐させる。"
    assert ed.parent("org-advisor").id == "org" and ed.get("town-usb") is not None
    assert not (directory / "conflicts").exists()


@pytest.mark.slow
def test_conflicts_survive_a_restart_and_each_take_does_what_it_says(in_repo, tmp_path, capsys):
    import subprocess
    import sys

    directory = customised(capsys, tmp_path)

    def cli(*args: str) -> subprocess.CompletedProcess:  # a new process: only what is on disk carries over
        return subprocess.run([sys.executable, "-m", "guideline", "local", *args], capture_output=True, text=True,
                              cwd=REPO)

    assert run(capsys, "local", "rebase", str(directory), "--to", "draft")[0] == 0
    checked = cli("check", str(directory))
    assert checked.returncode == 1
    assert "open conflict on org-ciso (changed)" in checked.stderr
    assert cli("resolve", str(directory), "org-ciso", "--take", "new").returncode == 0
    code, _, err = run(capsys, "local", "build", str(directory), "-o", str(tmp_path / "out"))
    assert code == 1 and "open conflict on hr-training (split)" in err and "org-ciso" not in err
    assert not (tmp_path / "out").exists()
    code, _, err = run(capsys, "local", "rebase", str(directory), "--to", "draft")
    assert code == 1 and "open conflicts" in err
    write_clause(directory, "hr-training", "##### 研修 {#hr-training}\n\n全職員は、毎年度、研修を二回受講する。\n")
    assert run(capsys, "local", "resolve", str(directory), "hr-training", "--take", "edited")[0] == 0
    assert run(capsys, "local", "resolve", str(directory), "org-advisor", "--take", "new")[0] == 0
    code, _, err = run(capsys, "local", "check", str(directory))
    assert code == 1 and "hr-password-management" in err and "hr-training" not in err
    assert run(capsys, "local", "resolve", str(directory), "hr-password-management", "--take", "local")[0] == 0
    assert run(capsys, "local", "check", str(directory))[0] == 0
    ed = load_policy(directory)
    assert "最高情報セキュリティアドバイザー" in block_text(ed.get("org-ciso").body)  # the draft's new sentence
    assert block_text(ed.get("hr-training").body) == "全職員は、毎年度、研修を二回受講する。"
    assert ed.get("org-advisor") is None and ed.get("hr-training-plan") is not None
    code, _, err = run(capsys, "local", "resolve", str(directory), "org-ciso", "--take", "new")
    assert code == 1 and "no open conflict" in err


def test_a_failing_rebase_or_resolve_changes_nothing(in_repo, tmp_path, capsys):
    directory = customised(capsys, tmp_path)
    before = snapshot(directory)
    code, _, err = run(capsys, "local", "rebase", str(directory), "--to", "no-such-edition")
    assert code == 1 and "no edition 'no-such-edition'" in err
    assert snapshot(directory) == before
    write_clause(directory, "org-ciso", "##### 最高情報セキュリティ責任者 {#org-ciso}\n\n本文。\n\n# 編 {#x}\n")
    before = snapshot(directory)
    code, _, err = run(capsys, "local", "rebase", str(directory), "--to", "draft")
    assert code == 1 and "org-ciso.md" in err
    assert snapshot(directory) == before
    write_clause(directory, "org-ciso", OVERRIDES["org-ciso"])
    assert run(capsys, "local", "rebase", str(directory), "--to", "draft")[0] == 0
    write_clause(directory, "hr-training", "##### 研修 {#other-id}\n\n本文。\n")
    before = snapshot(directory)
    code, _, err = run(capsys, "local", "resolve", str(directory), "hr-training", "--take", "edited")
    assert code == 1 and "hr-training" in err
    assert snapshot(directory) == before


def test_local_diff_writes_the_municipalitys_comparison_table_numbered_as_published(in_repo, tmp_path, capsys):
    directory = customised(capsys, tmp_path)
    replace_in(directory / "local.yaml", "style: outline", "style: articles")
    assert run(capsys, "local", "rebase", str(directory), "--to", "draft")[0] == 0
    for cid in ("org-ciso", "org-advisor", "hr-training", "hr-password-management"):
        assert run(capsys, "local", "resolve", str(directory), cid, "--take", "local")[0] == 0
    out = tmp_path / "diff"
    code, stdout, err = run(capsys, "local", "diff", str(directory), "-o", str(out), "--format", "html,docx,json")
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["changes.json", "comparison.docx", "comparison.html"]
    html = (out / "comparison.html").read_text(encoding="utf-8")
    assert "○○町情報セキュリティポリシー" in html and "改正後" in html and "改正前" in html
    assert re.search(r"第[0-9]+条", html) and "第2章" in html and "（新設）" in html
    assert "2.1.(1)" not in html  # numbered as a 訓令, not as the guideline
    code, _, err = run(capsys, "local", "diff", str(tmp_path / "fresh-none"), "-o", str(tmp_path / "d2"))
    assert code == 1


SAMPLE = REPO / "examples" / "local" / "sample-town"


def test_sample_town_is_clean_and_the_demo_rebases_a_copy(in_repo, tmp_path, capsys):
    before = snapshot(SAMPLE)
    assert run(capsys, "local", "check", str(SAMPLE))[0] == 0
    ed = load_policy(SAMPLE)
    assert ed.parts[0].heading == "○○町情報セキュリティポリシー" and ed.get("town-shared-office") is not None
    assert ed.get("org-no-dual-roles") is None and ed.get("resil-beta-prime") is not None
    assert ed.get("org-ciso").number == "第1条"
    # what make demo does, on a copy
    import shutil

    town = tmp_path / "sample-town"
    shutil.copytree(SAMPLE, town)
    code, _, err = run(capsys, "local", "rebase", str(town), "--to", "draft")
    assert code == 0 and "conflict: org-ciso" in err
    assert run(capsys, "local", "resolve", str(town), "org-ciso", "--take", "local")[0] == 0
    assert run(capsys, "local", "diff", str(town), "-o", str(tmp_path / "diff"), "--format", "html")[0] == 0
    html = (tmp_path / "diff" / "comparison.html").read_text(encoding="utf-8")
    assert "（新設）" in html and "動的なアクセス制御" in html and "○○町情報セキュリティポリシー" in html
    assert snapshot(SAMPLE) == before


def test_a_base_edition_changed_since_init_is_a_warning_and_a_rebase_onto_it_records_it(in_repo, tmp_path, capsys):
    directory = make(capsys, tmp_path)
    text = (directory / "local.yaml").read_text(encoding="utf-8")
    real = text.split("sha256: ", 1)[1].split("\n", 1)[0]
    replace_in(directory / "local.yaml", real, "0123" * 16)  # digits alone: still read as the text written
    code, _, err = run(capsys, "local", "check", str(directory))
    assert code == 0 and "warning: the base edition 'r5-03' has changed since this policy was made" in err
    assert run(capsys, "local", "rebase", str(directory), "--to", "r5-03")[0] == 0
    assert f"sha256: {real}\n" in (directory / "local.yaml").read_text(encoding="utf-8")
    assert "warning" not in run(capsys, "local", "check", str(directory))[2]


def test_local_diff_against_a_git_revision_of_the_project(in_repo, tmp_path, capsys):
    import shutil
    import subprocess

    town = tmp_path / "repo" / "town"
    shutil.copytree(SAMPLE, town)
    git = ["git", "-C", str(tmp_path / "repo"), "-c", "user.email=t@example.invalid", "-c", "user.name=t"]
    subprocess.run([*git[:3], "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "決裁済み"], check=True)
    replace_in(town / "clauses" / "org-ciso.md", "教育長がその職務", "総務課長がその職務")
    out = tmp_path / "diff"
    code, _, err = run(capsys, "local", "diff", str(town), "--against", "git:HEAD", "-o", str(out), "--format",
                       "html")
    assert code == 0, err
    html = (out / "comparison.html").read_text(encoding="utf-8")
    assert '<span class="u">総務課長</span>がその職務' in html and '<span class="u">教育長</span>がその職務' in html
    code, _, err = run(capsys, "local", "diff", str(town), "--against", "git:no-such-rev", "-o", str(out))
    assert code == 1 and "git:no-such-rev" in err


def test_rebase_follows_a_clause_renamed_by_replaces(in_repo, tmp_path, capsys):
    import json

    directory = make(capsys, tmp_path)
    write_clause(directory, "tech-io-data", "###### 入出力データ {#tech-io-data}\n\n入力データは二人で確かめる。\n")
    replace_in(directory / "local.yaml", "omit: []\n", "omit:\n  - tech-io-data\n")
    # an override and an omission of the same clause is pointless but allowed (a warning); both must follow it
    code, _, err = run(capsys, "local", "rebase", str(directory), "--to", "draft", "--report", str(tmp_path / "r.json"))
    assert code == 0, err
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["renamed"] == {"tech-io-data": "tech-data-validation"}
    assert report["conflicts"] == [] and report["kept"] == ["tech-data-validation"]  # only its 解説 and number changed
    moved = (directory / "clauses" / "tech-data-validation.md").read_text(encoding="utf-8")
    assert "{#tech-data-validation}" in moved and "二人で確かめる" in moved
    assert not (directory / "clauses" / "tech-io-data.md").exists()
    assert "  - tech-data-validation\n" in (directory / "local.yaml").read_text(encoding="utf-8")
