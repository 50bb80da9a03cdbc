"""``guideline comments import`` killed at random points (SIGKILL, issue 9): the round is always either exactly as
before the import or exactly as after a complete one, never a part of it, and always loadable; the next import
finishes the job and removes what the killed ones left behind. Two imports into one round at once lose nothing."""
from __future__ import annotations

import contextlib
import csv
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import kill_group
from fixtures.comments.support import HERE, RECEIVED_CSV, SRC, env_for, snapshot

from guideline.comments.store import list_rounds, load_round

ROWS = 300


def make_tree(root: Path) -> Path:
    shutil.copytree(SRC, root / "guideline_src")
    (root / "comments").mkdir()
    shutil.copytree(HERE / "rounds" / "t-public", root / "comments" / "t-public")
    return root


def cli(tree: Path, *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "guideline", "comments", *args], cwd=tree, env=env_for(tree),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True, **kw)


def big_csv(path: Path, first: int, rows: int = ROWS, text: str = "意見その{}です。") -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["番号", "受付日", "提出者区分", "氏名・団体名", "連絡先", "該当箇所", "意見"])
        for i in range(first, first + rows):
            w.writerow([i, "2024/9/12", "個人", "山田", "x@example.jp", "第２編第１章　１．（１）", text.format(i) * 3])
    return path


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    """A tree holding the old state (the received sample imported), and the new state made by an unkilled import."""
    base = make_tree(tmp_path_factory.mktemp("interrupt"))
    run = subprocess.run([sys.executable, "-m", "guideline", "comments", "import", str(RECEIVED_CSV), "--round",
                          "t-public"], cwd=base, env=env_for(base), capture_output=True, text=True)
    assert run.returncode == 1 and "7 new" in run.stdout, run.stderr  # two rows of the sample are malformed
    csv_path = big_csv(base / "big.csv", 1001)
    ref = tmp_path_factory.mktemp("interrupt-ref")
    shutil.copytree(base, ref, dirs_exist_ok=True)
    done = subprocess.run([sys.executable, "-m", "guideline", "comments", "import", str(csv_path), "--round",
                           "t-public"], cwd=ref, env=env_for(ref), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return base, csv_path, snapshot(base / "comments" / "t-public"), snapshot(ref / "comments" / "t-public")


def test_kill_mid_import_leaves_the_round_old_or_new_never_partial(trees):
    tree, csv_path, old, new = trees
    assert len(new) == len(old) + ROWS
    comments = tree / "comments"
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    # two random moments, and a moment when the import has provably written part of its records
    points = [("random", rng.uniform(0.2, 1.5)), ("random", rng.uniform(0.5, 3.0)), ("mid-write", ROWS // 2)]
    killed = []
    for kind, at in points:
        proc = cli(tree, "import", str(csv_path), "--round", "t-public")
        staged = 0
        try:
            if kind == "mid-write":  # wait until the staging copy holds half of the new records
                deadline = time.monotonic() + 60
                while staged < len(old) + at and proc.poll() is None and time.monotonic() < deadline:
                    for d in comments.glob(".t-public.*.tmp"):
                        with contextlib.suppress(OSError):
                            staged = sum(1 for p in d.iterdir() if p.suffix == ".yaml")
                    time.sleep(0.01)
            else:
                time.sleep(at)
        finally:
            finished = kill_group(proc)
        state = snapshot(comments / "t-public")
        killed.append((kind, round(at, 2), "finished" if finished else "killed", "new" if state == new else
                       "old" if state == old else f"PARTIAL ({len(state)} files)"))
        assert state in (old, new), (seed, killed)
        assert list_rounds(comments) == ["t-public"]  # leftovers never show as a round
        data = load_round("t-public", comments)  # loadable
        assert len(data.comments) in (7, 7 + ROWS)
        if state == new:  # a run finished before its kill: start the next one from the old state again
            shutil.rmtree(comments / "t-public")
            (comments / "t-public").mkdir()
            for name, blob in old.items():
                (comments / "t-public" / name).parent.mkdir(parents=True, exist_ok=True)
                (comments / "t-public" / name).write_bytes(blob)
    print(f"kill points (seed {seed}): {killed}")
    assert killed[-1][2:] == ("killed", "old"), killed  # the kill really hit half-way through the writes
    assert any(p.name.endswith(".tmp") for p in comments.iterdir())  # and left its staging copy behind
    # the next import completes, gives exactly the state of an uninterrupted one and cleans up
    run = subprocess.run([sys.executable, "-m", "guideline", "comments", "import", str(csv_path), "--round",
                          "t-public"], cwd=tree, env=env_for(tree), capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert snapshot(comments / "t-public") == new
    assert sorted(p.name for p in comments.iterdir()) == [".t-public.lock", "t-public"]



def test_two_imports_into_one_round_at_once_lose_nothing(tmp_path):
    """Two imports of different rows, and one with a conflicting row, started together: both sets of records are
    there afterwards, and the conflict is reported rather than overwriting."""
    tree = make_tree(tmp_path)
    a = big_csv(tmp_path / "a.csv", 1, 40)
    b = big_csv(tmp_path / "b.csv", 41, 40)
    c = big_csv(tmp_path / "c.csv", 1, 1, text="別の意見{}。")  # id 001 again, other text
    procs = [cli(tree, "import", str(p), "--round", "t-public") for p in (a, b, c)]
    codes, errs = [], []
    for proc in procs:
        codes.append(proc.wait(timeout=120))
        errs.append(proc.stderr.read().decode())
        proc.stderr.close()
    data = load_round("t-public", tree / "comments")
    assert sorted(data.comments) == [f"{i:03d}" for i in range(1, 81)], errs
    assert codes[1] == 0, errs
    # a and c both bring 001: whichever ran second reports the conflict and writes nothing for it
    won = "a" if data.comments["001"].text.startswith("意見その1です") else "c"
    assert data.comments["001"].text.startswith("意見その1です" if won == "a" else "別の意見1。"), data.comments["001"]
    loser = 2 if won == "a" else 0
    assert codes[loser] == 1 and "comment 001 already exists" in errs[loser], (codes, errs)
    assert codes[2 - loser] == 0, (codes, errs)
