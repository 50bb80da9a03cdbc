"""Shared fixtures: the small test source tree under tests/fixtures/src and ways to make broken copies of it."""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SRC = FIXTURES / "src"


@pytest.fixture
def src_copy(tmp_path: Path) -> Path:
    """A private copy of tests/fixtures/src (editions/base + nisc/test-r7.yaml)."""
    dest = tmp_path / "guideline_src"
    shutil.copytree(SRC, dest)
    return dest


@pytest.fixture
def edition_dir(src_copy: Path) -> Path:
    return src_copy / "editions" / "base"


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def in_repo(monkeypatch):
    """Run with the repository as working directory and its guideline_src as source root."""
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("GUIDELINE_SRC", raising=False)
    return REPO


def line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in {path}")


os.environ.setdefault("PYTHONHASHSEED", "0")


# a reworded sentence of the fixture's org-committee clause, for tests that need two different builds
OLD_TEXT = "委員会を置く。"
NEW_TEXT = "委員会を置き、年に一回以上開催する。"


def visible_files(directory: Path) -> dict[str, bytes]:
    """The files under ``directory`` a reader sees (no dot-prefixed lock or temporary names), by relative path."""
    out = {}
    for p in sorted(directory.rglob("*")):
        rel = p.relative_to(directory)
        if p.is_file() and not any(part.startswith(".") for part in rel.parts):
            out[rel.as_posix()] = p.read_bytes()
    return out


def kill_group(proc: subprocess.Popen) -> bool:
    """SIGKILL ``proc``'s whole process group (started with ``start_new_session=True``), reap it and close its
    stderr pipe. True if it had already finished before the kill."""
    finished = proc.poll() is not None
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    proc.stderr.close()
    return finished
