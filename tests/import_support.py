"""Helpers of the import tests (issue 18): run the command in-process, and read an imported edition back through
the ordinary reader and checker."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from guideline import editions
from guideline.cli import main
from guideline.model import Edition, block_text

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "import"


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def load_checked(edition_dir: Path, tmp_path: Path) -> Edition:
    """The imported edition placed under a guideline_src/editions/ with the shipped catalog, read and checked
    strictly (what `guideline check --strict` does): it must pass."""
    src = tmp_path / "check_src"
    if not (src / "nisc").is_dir():
        (src / "nisc").mkdir(parents=True)
        shutil.copy(REPO / "guideline_src" / "nisc" / "nisc-r7.yaml", src / "nisc" / "nisc-r7.yaml")
    dest = src / "editions" / edition_dir.name
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(edition_dir, dest)
    ed, report = editions.load(str(dest), src=src)
    assert ed is not None, [str(d) for d in report.items]
    assert not report.failed(strict=True), [str(d) for d in report.items]
    return ed


def tree(ed: Edition) -> list[tuple]:
    """(depth, level, heading, number) of every clause, in reading order."""
    out = []

    def walk(clauses, depth):
        for c in clauses:
            out.append((depth, c.level, c.heading, c.number))
            walk(c.children, depth + 1)

    walk(ed.parts, 0)
    return out


def norm(text: str) -> str:
    return "".join(text.split())


def texts(ed: Edition) -> dict[str, tuple[str, str]]:
    """address/heading path → (whitespace-free body text, whitespace-free 解説)."""
    out = {}
    for c in ed.clauses():
        key = "/".join(a.heading for a in ed.ancestors(c.id)) + "/" + c.heading
        out[key] = (norm(block_text(c.body, ed, c)), norm(block_text(c.commentary, ed, c)))
    return out
