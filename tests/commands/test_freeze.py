"""guideline freeze: a successful freeze of the real draft into a private copy of guideline_src, and the refusals
(existing edition, strict check failure, bad id, date before the previous edition) — each leaving editions/ as it
was, with no temporary directory behind."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO
from fixtures.comments.support import run

from guideline.commands.freeze import rewrite_edition_yaml


def cli(*args: str) -> tuple[int, str]:
    result = run(*args)
    return result.code, result.text


def tree_state(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture
def real_src(tmp_path, monkeypatch) -> Path:
    """A private copy of the repository's guideline_src (never the real one)."""
    src = tmp_path / "guideline_src"
    shutil.copytree(REPO / "guideline_src", src, ignore=shutil.ignore_patterns(".*"))
    monkeypatch.setenv("GUIDELINE_SRC", str(src))
    monkeypatch.chdir(tmp_path)
    return src


@pytest.fixture
def small_src(src_copy, monkeypatch) -> Path:
    """The fixture tree with a draft made from editions/base (status 案)."""
    draft = src_copy / "draft"
    shutil.rmtree(draft, ignore_errors=True)  # absent in a fresh clone (git keeps no empty dirs)
    shutil.copytree(src_copy / "editions" / "base", draft)
    y = (draft / "edition.yaml").read_text(encoding="utf-8")
    y = y.replace("id: base", "id: draft   # the draft").replace("status: 確定", "status: 案")
    (draft / "edition.yaml").write_text(y, encoding="utf-8")
    monkeypatch.setenv("GUIDELINE_SRC", str(src_copy))
    monkeypatch.chdir(src_copy.parent)
    return src_copy


def no_temporaries(src: Path) -> None:
    assert [p.name for p in (src / "editions").iterdir() if p.name.startswith(".")] == []


def test_freeze_the_real_draft(real_src):
    before = tree_state(real_src)
    draft_yaml = (real_src / "draft" / "edition.yaml").read_text(encoding="utf-8")
    code, text = cli("freeze", "--id", "r6-10", "--date", "2024-10-02", "--label", "令和6年10月版（サンプル）")
    assert code == 0, text
    new = real_src / "editions" / "r6-10"
    assert "frozen from draft as r6-10" in text
    # every file copied byte for byte, except edition.yaml
    draft_files = {k[len("draft/"):]: v for k, v in before.items() if k.startswith("draft/")}
    frozen = tree_state(new)
    assert set(frozen) == set(draft_files)
    assert all(frozen[k] == v for k, v in draft_files.items() if k != "edition.yaml")
    # edition.yaml: only id, date, status, label changed; comments, order and every other line kept
    old_lines = draft_yaml.split("\n")
    new_lines = frozen["edition.yaml"].decode("utf-8").split("\n")
    assert len(old_lines) == len(new_lines)
    changed = [(a, b) for a, b in zip(old_lines, new_lines) if a != b]
    assert [b for _, b in changed] == ["id: r6-10", "label: 令和6年10月版（サンプル）", "status: 確定"]
    assert "date: 2024-10-02" in new_lines  # the draft's date already was 2024-10-02: unchanged line
    # the draft and the other editions are untouched; the new edition passes the strict check on its own
    assert tree_state(real_src) == {**before, **{f"editions/r6-10/{k}": v for k, v in frozen.items()}}
    code, text = cli("check", "--edition", "r6-10", "--strict")
    assert code == 0 and re.search(r"r6-10: \d+ clauses, 0 errors, 0 warnings \(strict\): ok", text), text
    from guideline.editions import list_editions, load_or_fail

    assert "r6-10" in list_editions(real_src)
    meta = load_or_fail("r6-10").meta
    assert (meta.id, meta.status, meta.date.isoformat(), meta.previous) == ("r6-10", "確定", "2024-10-02", "r5-03")
    no_temporaries(real_src)

    # freezing the same id again is refused and changes nothing
    state = tree_state(real_src)
    code, text = cli("freeze", "--id", "r6-10", "--date", "2024-10-03")
    assert code == 1 and "edition 'r6-10' already exists" in text
    assert tree_state(real_src) == state


def test_refuses_an_existing_edition(small_src):
    state = tree_state(small_src)
    code, text = cli("freeze", "--id", "base", "--date", "2024-12-01")
    assert code == 1 and "edition 'base' already exists" in text and "never overwritten" in text
    assert tree_state(small_src) == state


def test_refuses_while_strict_check_fails(small_src):
    (small_src / "draft" / "memo.md").write_text("# メモ {#memo}\n", encoding="utf-8")
    state = tree_state(small_src)
    code, text = cli("freeze", "--id", "t2", "--date", "2024-12-01")
    assert code == 1
    assert "draft does not pass guideline check --strict" in text
    assert "memo.md" in text and "not listed in files" in text  # the problem is named
    assert not (small_src / "editions" / "t2").exists()
    assert tree_state(small_src) == state
    no_temporaries(small_src)


def test_refuses_a_date_before_the_previous_edition(small_src):
    y = small_src / "draft" / "edition.yaml"
    y.write_text(y.read_text(encoding="utf-8").replace("files:", "previous: base\nfiles:"), encoding="utf-8")
    code, text = cli("freeze", "--id", "t2", "--date", "2024-01-01")
    assert code == 1 and "before the date of the previous edition base (2024-10-02)" in text
    assert not (small_src / "editions" / "t2").exists()
    no_temporaries(small_src)


@pytest.mark.parametrize("bad", ["draft", "R6", "-x", "a_b", "../x"])
def test_refuses_bad_ids(small_src, bad):
    code, text = cli("freeze", "--id", bad, "--date", "2024-12-01")
    assert code == 2 and "an edition id is [a-z0-9][a-z0-9-]*" in text
    assert sorted(p.name for p in (small_src / "editions").iterdir()) == ["base"]


def test_small_freeze_keeps_comment_columns_and_quotes_labels(small_src):
    code, text = cli("freeze", "--id", "t2", "--date", "2024-12-01", "--label", "改定版: #2")
    assert code == 0, text
    y = (small_src / "editions" / "t2" / "edition.yaml").read_text(encoding="utf-8")
    assert "id: t2      # the draft\n" in y  # the comment stays in its column
    assert 'label: "改定版: #2"\n' in y and "date: 2024-12-01\n" in y and "status: 確定\n" in y
    from guideline.editions import load_or_fail

    meta = load_or_fail("t2").meta
    assert (meta.label, meta.status, str(meta.date)) == ("改定版: #2", "確定", "2024-12-01")


def test_rewrite_adds_a_missing_label_after_date_and_drops_block_continuations():
    text = "id: draft\ntitle: T\ndate: 2024-01-01\nstatus: >-\n  案\nfiles:\n  - a.md\n"
    out = rewrite_edition_yaml(text, {"id": "x", "date": "2024-02-02", "status": "確定", "label": "L"})
    assert out == "id: x\ntitle: T\ndate: 2024-02-02\nlabel: L\nstatus: 確定\nfiles:\n  - a.md\n"
