"""Shared fixtures: the small test source tree under tests/fixtures/src and ways to make broken copies of it."""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from browser import SKIP_REASON as CHROMIUM_MISSING

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


def _has_uno() -> bool:
    if shutil.which("soffice") is None or not Path("/usr/bin/python3").exists():
        return False
    return subprocess.run(["/usr/bin/python3", "-c", "import uno"], capture_output=True).returncode == 0


# marker -> () -> why the tool is missing ('' when present). Declared in pyproject.toml; make test installs them all.
_NEEDS = {
    "needs_pandoc": lambda: "" if shutil.which("pandoc") else "needs pandoc (Debian package pandoc)",
    "needs_poppler": lambda: "" if shutil.which("pdftotext") and shutil.which("pdffonts")
    else "needs pdftotext and pdffonts (Debian package poppler-utils)",
    "needs_libreoffice": lambda: "" if shutil.which("soffice") else "needs soffice (Debian package libreoffice-writer)",
    "needs_uno": lambda: "" if _has_uno() else "needs LibreOffice and /usr/bin/python3 with uno (Debian python3-uno)",
    "needs_chromium": lambda: CHROMIUM_MISSING,
    "needs_git": lambda: "" if shutil.which("git") else "needs git (Debian package git)",
    "needs_make": lambda: "" if shutil.which("make") else "needs make (Debian package make)",
}
_missing: dict[str, str] = {}


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a test whose ``needs_*`` tool is missing on a developer's machine, but fail it under CI (``CI`` set):
    there ``make test`` has installed every tool, so a missing one means the checks would silently not run."""
    for mark in item.iter_markers():
        if mark.name in _NEEDS:
            if mark.name not in _missing:
                _missing[mark.name] = _NEEDS[mark.name]()
            why = _missing[mark.name]
            if why and os.environ.get("CI"):
                pytest.fail(f"{why}; CI must have it: run scripts/install-system-deps.sh", pytrace=False)
            if why:
                pytest.skip(why)
