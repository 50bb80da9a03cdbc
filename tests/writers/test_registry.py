"""The writer registry: every entry names a module and function that exist with its group's signature, and what the
writers write is exactly what the registry says they make (the diff's directory check and the release rely on it)."""
from __future__ import annotations

import inspect
from pathlib import Path

from conftest import SRC

from guideline.commands.build import build
from guideline.commands.diff import write_outputs
from guideline.diff import compare
from guideline.reader import read_edition
from guideline.writers.changes import ChangeOptions
from guideline.writers.registry import BUILD_FORMATS, CHANGES, COMMENTS, COVERAGE, EDITION, build_writers


def test_every_entry_loads_with_its_groups_signature():
    for writer in EDITION.values():
        assert list(inspect.signature(writer.load().write).parameters) == ["edition", "out_dir"], writer.module
    for writer in CHANGES.values():
        fn = getattr(writer.load(), writer.function)
        params = list(inspect.signature(fn).parameters.values())
        assert params[1].name == "options" and params[1].default == ChangeOptions(), writer.module
    for writer in COVERAGE.values():
        assert list(inspect.signature(writer.load().render).parameters) == ["cov"], writer.module
    for writer in COMMENTS.values():
        fn = getattr(writer.load(), writer.function)
        assert list(inspect.signature(fn).parameters) == ["result"], writer.function
    assert {name for names in BUILD_FORMATS.values() for name in names} <= set(EDITION)


def test_build_makes_the_registered_files(tmp_path: Path):
    written = build(str(SRC / "editions" / "base"), sorted(BUILD_FORMATS), tmp_path, quiet=True)
    target = tmp_path / "base"
    made = sorted(p.name + ("/" if p.is_dir() else "") for p in target.iterdir() if not p.name.startswith("."))
    registered = sorted(f for w in build_writers(sorted(BUILD_FORMATS)) for f in w.files)
    assert made == [f for f in registered if f != "reibun.docx" or (target / f).exists()]
    assert {p.relative_to(target).parts[0] for p in written} <= {f.rstrip("/") for f in registered}


def test_oscal_makes_the_registered_files(tmp_path: Path):
    edition, _ = read_edition(SRC / "editions" / "base")
    written = EDITION["oscal"].write(edition, tmp_path)
    assert sorted(p.name for p in written) == sorted(EDITION["oscal"].files)


def test_diff_makes_the_registered_files(tmp_path: Path):
    edition, _ = read_edition(SRC / "editions" / "base")
    written = write_outputs(compare(edition, edition), tmp_path / "diff", list(CHANGES), quiet=True)
    assert sorted(p.name for p in (tmp_path / "diff").iterdir()) == sorted(w.file for w in CHANGES.values())
    assert [p.name for p in written] == [w.file for w in CHANGES.values()]
