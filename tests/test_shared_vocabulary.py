"""One form for the words every output shares (issue 23 items 9 and 12): dates in 和暦 from one function, change
kinds from one table, and the sides of a comparison named so that two states of one edition cannot be confused."""
from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from guideline import vocabulary

PACKAGE = REPO / "tooling" / "guideline"
DIFF_SRC = REPO / "tests" / "fixtures" / "diff" / "src"


def run(*args: str, src: Path, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = {**os.environ, "GUIDELINE_SRC": str(src)}
    return subprocess.run([sys.executable, "-m", "guideline", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300)


def test_wareki():
    assert vocabulary.wareki(datetime.date(2024, 10, 2)) == "令和6年10月2日"
    assert vocabulary.wareki(datetime.date(2019, 5, 1)) == "令和元年5月1日"
    assert vocabulary.wareki(datetime.date(2019, 4, 30)) == "平成31年4月30日"
    assert vocabulary.wareki(datetime.date(1989, 1, 8)) == "平成元年1月8日"
    assert vocabulary.wareki(datetime.date(1900, 1, 1)) == "1900年1月1日"


def test_dates_and_kind_labels_are_written_in_one_place():
    """No module but vocabulary.py spells a date as 年月日 or defines the change-kind labels."""
    date_form = re.compile(r"年\{[^}]*month")
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "vocabulary.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not date_form.search(text), f"{path.relative_to(REPO)} formats a Japanese date itself"
        for table in ("KIND_JA", "ASPECT_JA"):
            assert not re.search(rf"^\s*{table}\s*=", text, re.M), f"{path.relative_to(REPO)} defines {table}"
        assert not re.search(r"\"第\{[^}]*\}編\"", text), f"{path.relative_to(REPO)} writes a 編 label itself"
    for path in sorted((REPO / "templates").rglob("*.j2")):
        assert "date.isoformat()" not in path.read_text(encoding="utf-8"), \
            f"{path.relative_to(REPO)} shows an ISO date to readers"


def test_site_single_html_and_release_show_the_same_date(tmp_path):
    src = REPO / "tests" / "fixtures" / "src"
    proc = run("build", "--edition", "base", "--format", "html", "-o", str(tmp_path / "out"), src=src)
    assert proc.returncode == 0, proc.stderr
    site = (tmp_path / "out" / "base" / "site" / "index.html").read_text(encoding="utf-8")
    single = (tmp_path / "out" / "base" / "guideline.html").read_text(encoding="utf-8")
    for page in (site, single):
        assert "令和6年10月2日" in page
        assert "2024年10月2日" not in page and "（2024-10-02）" not in page


@pytest.mark.needs_git
def test_diff_against_git_names_the_revision_on_the_old_side(tmp_path):
    proc = run("diff", "git:HEAD:original", "combined", "--brief", src=DIFF_SRC)
    assert proc.returncode == 0, proc.stderr
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=True).stdout.strip()
    assert proc.stdout.splitlines()[0] == (f"original [git:HEAD {commit}]（原版） → combined（複合改正版）: "
                                           "21 → 21 clauses")
    out = tmp_path / "diff"
    proc = run("diff", "git:HEAD:original", "combined", "-o", str(out), "--format", "comparison-html,redline",
               src=DIFF_SRC)
    assert proc.returncode == 0, proc.stderr
    comparison = (out / "comparison.html").read_text(encoding="utf-8")
    redline = (out / "redline.html").read_text(encoding="utf-8")
    assert f"改正前：原版［git:HEAD {commit}］（令和" in comparison, comparison[:2000]
    assert f"原版［git:HEAD {commit}］ → 複合改正版" in redline
