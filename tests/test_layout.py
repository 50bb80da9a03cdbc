"""The tests mirror the package: tests of ``guideline/<sub>/`` live in ``tests/<sub>/``, so a newcomer finds a
module's tests where the module is, and a test directory never outlives the package it tests."""
from __future__ import annotations

from conftest import REPO

PACKAGE = REPO / "tooling" / "guideline"
TESTS = REPO / "tests"
NOT_TEST_DIRS = {"fixtures", "__pycache__"}


def subpackages() -> set[str]:
    return {p.parent.name for p in PACKAGE.glob("*/__init__.py")}


def test_every_test_directory_names_a_subpackage():
    dirs = {p.name for p in TESTS.iterdir() if p.is_dir() and p.name not in NOT_TEST_DIRS}
    assert dirs - subpackages() == set(), "a tests/ directory with no guideline/<name>/ package beside it"
    assert {"apply", "comments", "diff", "importers", "writers"} <= dirs  # the check above is not vacuous


def test_tests_of_a_subpackage_are_in_its_directory():
    """A top-level ``test_<sub>_*.py`` (test_apply_x.py, test_diff_y.py …) belongs in ``tests/<sub>/``."""
    prefixes = subpackages() | {"import"}
    misplaced = [p.name for p in TESTS.glob("test_*.py") for prefix in prefixes
                 if p.stem == f"test_{prefix}" or p.stem.startswith(f"test_{prefix}_")]
    assert misplaced == [], f"move these into tests/<subpackage>/: {misplaced}"


def test_each_test_directory_is_a_package():
    """``__init__.py`` in each directory gives its modules distinct names (tests/diff/test_x.py and
    tests/apply/test_x.py can coexist) while tests/ stays on sys.path for conftest and the shared helpers."""
    missing = [p.name for p in TESTS.iterdir()
               if p.is_dir() and p.name not in NOT_TEST_DIRS and not (p / "__init__.py").is_file()]
    assert missing == []
