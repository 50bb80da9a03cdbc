"""Two ``guideline build`` runs into the same output directory at once (issue 9).

Every output is written atomically: files by rename, the site directory by one atomic exchange under an exclusive
``flock`` (``fileio.atomic_directory``). So concurrent builds all succeed, the later swap waits for the earlier one,
and the result is complete: byte-identical to a single build of the same source, or, when the two builds have
different sources, each output wholly one build's (a site never mixes pages of two builds).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import NEW_TEXT, OLD_TEXT, SRC, visible_files

from guideline import fileio

snapshot = visible_files


def start(tree: Path, edition: str, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "guideline", "build", "-e", edition, "-f", "html", "-o", str(out),
                             "-q"], cwd=tree, env=dict(os.environ, GUIDELINE_SRC=str(tree / "guideline_src")),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(procs: list[subprocess.Popen]) -> list[tuple[int, str]]:
    out = []
    for p in procs:
        code = p.wait(timeout=120)
        out.append((code, p.stderr.read().decode()))
        p.stderr.close()
    return out


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """The test edition ``base`` and a second copy of it (same id) with one clause reworded; a reference build of
    each, made alone."""
    root = tmp_path_factory.mktemp("concurrent")
    shutil.copytree(SRC, root / "guideline_src")
    editions = root / "guideline_src" / "editions"
    shutil.copytree(editions / "base", editions / "base-new")
    text = (editions / "base-new" / "a.md").read_text(encoding="utf-8")
    assert OLD_TEXT in text
    (editions / "base-new" / "a.md").write_text(text.replace(OLD_TEXT, NEW_TEXT), encoding="utf-8")
    refs = {}
    for name in ("base", "base-new"):
        assert finish([start(root, f"guideline_src/editions/{name}", root / f"ref-{name}")])[0][0] == 0
        refs[name] = snapshot(root / f"ref-{name}" / "base")
    assert refs["base"] != refs["base-new"] and len(refs["base"]) > 10
    return root, refs


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob(".*") if p.name != ".site.lock")


def test_concurrent_builds_of_one_source_all_succeed_and_equal_a_single_build(tree):
    root, refs = tree
    out = root / "same"
    for round_ in range(4):  # an empty output directory first, then replacing a complete one
        results = finish([start(root, "guideline_src/editions/base", out) for _ in range(3)])
        assert [code for code, _ in results] == [0, 0, 0], results
        assert snapshot(out / "base") == refs["base"], round_
        assert leftovers(out) == [], round_  # no temporary or half-swapped directory left behind


def test_concurrent_builds_of_two_sources_leave_each_output_wholly_one_build(tree):
    root, refs = tree
    out = root / "mixed"
    seen = set()
    for round_ in range(4):
        order = ["base", "base-new"] if round_ % 2 == 0 else ["base-new", "base"]
        results = finish([start(root, f"guideline_src/editions/{name}", out) for name in order])
        assert [code for code, _ in results] == [0, 0], results
        got = snapshot(out / "base")
        site = {k: v for k, v in got.items() if k.startswith("site/")}
        whole = [name for name in refs if site == {k: v for k, v in refs[name].items() if k.startswith("site/")}]
        assert len(whole) == 1, f"round {round_}: the site mixes pages of two builds"
        assert got["guideline.html"] in (refs["base"]["guideline.html"], refs["base-new"]["guideline.html"])
        assert set(got) == set(refs["base"])
        assert leftovers(out) == []
        seen.add(whole[0])
    print(f"sites that won: {sorted(seen)}")


def test_a_build_waits_while_another_holds_the_swap_lock(tree):
    """Hold the site's lock as a concurrent build would during its swap: the build assembles its site, then waits;
    the visible site stays the previous one; once the lock is released the build finishes and swaps in."""
    root, refs = tree
    out = root / "locked"
    assert finish([start(root, "guideline_src/editions/base", out)])[0][0] == 0
    site = out / "base" / "site"
    with fileio.directory_lock(site):
        proc = start(root, "guideline_src/editions/base-new", out)
        deadline = time.monotonic() + 60
        staged = []
        while time.monotonic() < deadline and proc.poll() is None:
            staged = [d for d in site.parent.glob(".site.*.tmp") if (d / "index.html").is_file()
                      and (d / "assets" / "site.js").is_file()]
            if staged:
                break
            time.sleep(0.02)
        assert staged, "the build never assembled its site"
        time.sleep(1.0)
        assert proc.poll() is None, "the build swapped its site while the lock was held"
        old_site = {k: v for k, v in snapshot(out / "base").items() if k.startswith("site/")}
        assert old_site == {k: v for k, v in refs["base"].items() if k.startswith("site/")}
    assert finish([proc])[0][0] == 0
    assert snapshot(out / "base") == refs["base-new"]
    assert leftovers(out) == []


def test_atomic_directory_swaps_are_serialised_in_process(tmp_path):
    """The same with threads racing inside one process, many times: every swap leaves a whole directory."""
    import threading

    target = tmp_path / "out"
    errors: list[BaseException] = []

    def writer(tag: str, barrier: threading.Barrier) -> None:
        try:
            with fileio.atomic_directory(target) as tmp:
                for i in range(20):
                    (tmp / f"{i:02d}.txt").write_text(tag, encoding="utf-8")
                barrier.wait()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    for round_ in range(25):
        barrier = threading.Barrier(3)
        threads = [threading.Thread(target=writer, args=(f"{round_}-{t}", barrier)) for t in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        texts = {p.read_text(encoding="utf-8") for p in target.iterdir()}
        assert len(texts) == 1 and len(list(target.iterdir())) == 20, (round_, texts)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "out"]
