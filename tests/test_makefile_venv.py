"""`make demo` / `make test` in a copied checkout: a `.venv` made for another path runs that other checkout's code (its
scripts' shebangs and the editable install name the path it was made in), so make removes it and builds it again
here (issue 23 item 13). Tested on a copy of the Makefile with a small stand-in `.venv`, through the check target
that `setup` runs first (a real rebuild takes minutes)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO

pytestmark = pytest.mark.needs_make


def checkout_with_venv(root: Path, made_in: Path) -> Path:
    """A checkout at ``root`` holding the Makefile and a stand-in .venv as `make setup` leaves it in ``made_in``."""
    root.mkdir(parents=True)
    shutil.copy(REPO / "Makefile", root / "Makefile")
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "guideline").write_text(f"#!{made_in}/.venv/bin/python\nimport sys\n", encoding="utf-8")
    site = root / ".venv" / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    (site / "__editable__.guideline-0.1.0.pth").write_text(f"{made_in}/tooling\n", encoding="utf-8")
    (root / ".venv" / ".installed-stamp").write_text("", encoding="utf-8")
    return root


def make_check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "venv-owner"], cwd=root, capture_output=True, text=True,
                          timeout=60)


def test_a_venv_of_this_checkout_is_kept(tmp_path):
    root = checkout_with_venv(tmp_path / "here", tmp_path / "here")
    proc = make_check(root)
    assert proc.returncode == 0, proc.stderr
    assert (root / ".venv" / ".installed-stamp").exists()
    assert "belongs to another checkout" not in proc.stdout


def test_a_copied_venv_is_removed_so_that_setup_rebuilds_it(tmp_path):
    original = tmp_path / "original"
    root = checkout_with_venv(tmp_path / "copy", original)
    proc = make_check(root)
    assert proc.returncode == 0, proc.stderr
    assert not (root / ".venv").exists()
    assert (f".venv belongs to another checkout (.venv/bin/guideline runs {original}/.venv/bin/python); "
            "rebuilding it here") in proc.stdout


def test_an_editable_install_of_another_checkout_is_found_too(tmp_path):
    root = checkout_with_venv(tmp_path / "copy", tmp_path / "copy")
    (root / ".venv" / "lib" / "python3.11" / "site-packages" / "__editable__.guideline-0.1.0.pth").write_text(
        f"{tmp_path}/original/tooling\n", encoding="utf-8")
    proc = make_check(root)
    assert not (root / ".venv").exists()
    assert f"the editable install points at {tmp_path}/original/tooling" in proc.stdout


def test_setup_runs_the_check_before_the_install():
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    setup = next(line for line in text.splitlines() if line.startswith("setup:"))
    assert setup.split(":", 1)[1].split().index("venv-owner") < setup.split(":", 1)[1].split().index("$(STAMP)")
