"""Killing ``guideline build`` at random points (SIGKILL to its whole process group, PDF workers included) leaves
the previous outputs intact: every visible output file is, byte for byte, either the previous build's or the new
build's, whole; the HTML site is never a mixture of the two builds; a Word file opens in pandoc and a PDF in
poppler. The next build completes and gives exactly what an uninterrupted build gives.

The edition is the small test fixture (tests/fixtures/src, edition ``base``) with one clause reworded between the
"previous" and the "new" build, so that old and new outputs differ.
"""
from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import NEW_TEXT, OLD_TEXT, SRC, kill_group, visible_files

pytestmark = [pytest.mark.needs_poppler, pytest.mark.needs_pandoc]

snapshot = visible_files


def build(src: Path, out: Path, **kwargs) -> subprocess.Popen:
    env = dict(os.environ, GUIDELINE_SRC=str(src))
    return subprocess.Popen([sys.executable, "-m", "guideline", "build", "--edition", "base", "--format", "all",
                             "-o", str(out)], env=env, cwd=src.parent, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)


def finish(proc: subprocess.Popen) -> None:
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """(source tree, previous outputs, new outputs, seconds a whole new build takes)."""
    root = tmp_path_factory.mktemp("interrupt")
    src = root / "guideline_src"
    shutil.copytree(SRC, src)
    a_md = src / "editions" / "base" / "a.md"
    text = a_md.read_text(encoding="utf-8")
    assert OLD_TEXT in text
    finish(build(src, root / "old"))
    a_md.write_text(text.replace(OLD_TEXT, NEW_TEXT, 1), encoding="utf-8")
    t0 = time.monotonic()
    finish(build(src, root / "new"))
    seconds = time.monotonic() - t0
    old, new = snapshot(root / "old" / "base"), snapshot(root / "new" / "base")
    assert old.keys() == new.keys() and old != new
    return src, old, new, seconds


def test_killed_builds_leave_whole_files_and_a_whole_site(builds, tmp_path):
    src, old, new, seconds = builds
    out = tmp_path / "build"
    target = out / "base"
    target.mkdir(parents=True)
    for rel, data in old.items():  # the previous build's outputs, as an editor has them
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        (target / rel).write_bytes(data)
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    # early (reading), middle and late moments of a build without cache; the PDF cache fills as runs go on
    points = sorted(rng.uniform(0.3, max(0.6, seconds * f)) for f in (0.3, 0.6, 0.9, 1.0))
    log = []
    for delay in points:
        proc = build(src, out)
        time.sleep(delay)
        finished = kill_group(proc)
        now = snapshot(target)
        log.append((round(delay, 2), "finished first" if finished else "killed",
                    sorted(k for k in now if now[k] == new[k] and old[k] != new[k])))
        assert now.keys() == old.keys(), (seed, log)
        for rel, data in now.items():
            assert data in (old[rel], new[rel]), (seed, log, rel)
        site = {rel: now[rel] == new[rel] for rel in now if rel.startswith("site/") and old[rel] != new[rel]}
        assert len(set(site.values())) <= 1, ("the site mixes two builds", seed, log, site)
        for rel in now:
            if rel.endswith(".docx"):
                conv = subprocess.run(["pandoc", "-f", "docx", "-t", "plain", str(target / rel)], capture_output=True,
                                      text=True, timeout=120)
                assert conv.returncode == 0 and "委員会を置" in conv.stdout, (seed, log, rel)
            elif rel.endswith(".pdf"):
                conv = subprocess.run(["pdftotext", str(target / rel), "-"], capture_output=True, text=True,
                                      timeout=120)
                assert conv.returncode == 0 and "委員会を置" in conv.stdout.replace("\n", ""), (seed, log)
    print(f"kill points (seed {seed}): {log}")
    assert any(kind == "killed" for _, kind, _ in log), ("no run was interrupted", log)
    # the next build is complete and equal to an uninterrupted one
    finish(build(src, out))
    assert snapshot(target) == new
