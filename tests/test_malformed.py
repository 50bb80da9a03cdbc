"""The malformed-sources corpus (issue 9): every broken edition under tests/fixtures/malformed/ is refused calmly.

For each case in tests/fixtures/malformed/cases.yaml:

- ``guideline check`` (in-process through the real ``guideline.cli.main``, and for a sample also as a subprocess of
  ``.venv/bin/guideline``) exits as the manifest says and prints each expected ``path:line: severity: message``;
- ``guideline build`` runs as a subprocess of the real CLI for EVERY case: same exit code, no output written on
  failure, ``guideline.html`` written on success;
- nothing prints a traceback or "internal error".

Symlinks, a directory named ``dir.md``, the 10 MB clause and the 10,000 clauses are made at test time in a temporary
copy of the corpus (the copy is also the working directory, so paths print as ``<case>/a.md:7``).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from guideline.cli import main as cli_main

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "fixtures" / "malformed"
MANIFEST = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))["cases"]
CASES = sorted(MANIFEST)
GUIDELINE = Path(sys.executable).parent / "guideline"  # the installed console script, as users run it
CLI = [str(GUIDELINE)] if GUIDELINE.exists() else [sys.executable, "-m", "guideline"]
SECRET = "SECRET-OUTSIDE-THE-TREE"
# a sample of the check runs also goes through a real subprocess (the rest run in-process: same code, no startup)
SUBPROCESS_CHECKS = {name for i, name in enumerate(CASES) if i % 10 == 0 or MANIFEST[name].get("setup")}


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GUIDELINE_SRC", "GUIDELINE_DEBUG")}
    env["PYTHONHASHSEED"] = "0"
    return env


# ----------------------------------------------------------------------------------------------- test-time setups

def _outside_file(root: Path) -> Path:
    target = root.parent / "outside" / "secret.md"
    target.parent.mkdir(exist_ok=True)
    target.write_text(f"# 秘密 {{#secret}}\n\n{SECRET}\n", encoding="utf-8")
    return target


def setup_symlink_outside(case: Path) -> None:
    os.symlink(_outside_file(case.parent), case / "outside.md")


def setup_symlink_dir_outside(case: Path) -> None:
    os.symlink(_outside_file(case.parent).parent, case / "sub", target_is_directory=True)


def setup_symlink_loop(case: Path) -> None:
    os.symlink("loop2.md", case / "loop.md")
    os.symlink("loop.md", case / "loop2.md")


def setup_directory(case: Path) -> None:
    (case / "dir.md").mkdir()


def _edition_yaml(ident: str) -> str:
    return (f"id: {ident}\ntitle: 生成した版\ndate: 2024-10-02\nstatus: 案\nsample: true\nnisc_catalog: test-r7\n"
            "files:\n  - a.md\n")


def setup_huge_clause(case: Path) -> None:
    """One clause of 10 MB: 4,000 paragraphs of Japanese text."""
    case.mkdir()
    (case / "edition.yaml").write_text(_edition_yaml("huge-clause"), encoding="utf-8")
    line = "これは非常に長い条文の本文である。情報セキュリティの確保のため、{{本市}}は必要な措置を講ずる。\n"
    para = line * 20 + "\n"
    count = 10 * 1024 * 1024 // len(para.encode("utf-8")) + 1
    text = "# 総則 {#general}\n\n## 長い条 {#long}\n\n" + para * count
    (case / "a.md").write_text(text, encoding="utf-8")
    assert (case / "a.md").stat().st_size >= 10 * 1024 * 1024


def setup_many_clauses(case: Path) -> None:
    """10,000 level-3 clauses in 10 章 (plus the 編 and the 章: 10,011)."""
    case.mkdir()
    (case / "edition.yaml").write_text(_edition_yaml("many-clauses"), encoding="utf-8")
    out = ["# 編 {#part}\n\n"]
    for c in range(10):
        out.append(f"## 章{c} {{#ch-{c}}}\n\n")
        out.extend(f"### 条{i} {{#c{c}-{i}}}\n\n本文{i}。[](#c{c}-0)参照。\n\n" for i in range(1000))
    (case / "a.md").write_text("".join(out), encoding="utf-8")


def setup_sparse_65mb(case: Path) -> None:
    """65 MB of nothing: a sparse file costs no disk and no time, and must be refused by its size alone."""
    with open(case / "a.md", "wb") as fh:
        fh.truncate(65 * 1024 * 1024)


SETUPS = {
    "sparse-65mb": setup_sparse_65mb,
    "symlink-outside": setup_symlink_outside,
    "symlink-dir-outside": setup_symlink_dir_outside,
    "symlink-loop": setup_symlink_loop,
    "directory": setup_directory,
    "huge-clause": setup_huge_clause,
    "many-clauses": setup_many_clauses,
}


# ------------------------------------------------------------------------------------------------------- fixtures

class Corpus:
    def __init__(self, root: Path, builds: Path, pool: ThreadPoolExecutor):
        self.root = root
        self.builds = builds
        self.pool = pool
        self.build_runs: dict[str, Future] = {}
        self.check_runs: dict[str, Future] = {}

    def edition(self, name: str) -> str:
        return MANIFEST[name].get("edition", name)

    def run(self, *args: str) -> tuple[int, str, float]:
        """Run the real CLI; returns (exit code, stdout + stderr, CPU seconds of the process).

        CPU time rather than wall time: a quadratic blow-up or a hang shows in it even on a busy machine."""
        with tempfile.TemporaryFile() as out:
            proc = subprocess.Popen([*CLI, *args], cwd=self.root, env=_env(), stdout=out, stderr=out,
                                    stdin=subprocess.DEVNULL)
            watchdog = threading.Timer(300, proc.kill)  # a hang fails the test instead of the whole run
            watchdog.start()
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            finally:
                watchdog.cancel()
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            text = out.read().decode("utf-8", "replace")
        return proc.returncode, text, usage.ru_utime + usage.ru_stime


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Corpus:
    base = tmp_path_factory.mktemp("malformed")
    root = base / "malformed"
    shutil.copytree(CORPUS, root, symlinks=False)  # dereferences nisc/test-r7.yaml
    for name, case in MANIFEST.items():
        if case.get("setup"):
            SETUPS[case["setup"]](root / name)
    builds = base / "build"
    pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2))
    c = Corpus(root, builds, pool)
    # the slow ones first, so that they overlap with everything else
    for name in sorted(CASES, key=lambda n: not MANIFEST[n].get("setup", "").endswith(("clause", "clauses"))):
        c.build_runs[name] = pool.submit(c.run, "build", "--edition", c.edition(name), "-o", str(builds / name),
                                         "--quiet")
        if name in SUBPROCESS_CHECKS:
            c.check_runs[name] = pool.submit(c.run, "check", "--edition", c.edition(name))
    yield c
    pool.shutdown(wait=True, cancel_futures=True)


def check_in_process(root: Path, edition: str, monkeypatch) -> tuple[int, str]:
    monkeypatch.chdir(root)
    monkeypatch.delenv("GUIDELINE_SRC", raising=False)
    monkeypatch.delenv("GUIDELINE_DEBUG", raising=False)
    runner = CliRunner()
    code = 0
    with runner.isolation() as (_out, _err, both):
        try:
            cli_main(["check", "--edition", edition])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, both.getvalue().decode("utf-8", "replace")


def assert_calm(name: str, code: int, output: str, what: str) -> None:
    case = MANIFEST[name]
    assert "Traceback" not in output, f"{what} {name}: traceback\n{output}"
    assert "internal error" not in output, f"{what} {name}: internal error\n{output}"
    assert SECRET not in output, f"{what} {name}: text from outside the source tree was read\n{output}"
    assert code == case["exit"], f"{what} {name}: exit {code}, expected {case['exit']}\n{output}"


# ---------------------------------------------------------------------------------------------------------- tests

def test_corpus_is_large_and_every_case_is_a_directory():
    assert len(CASES) >= 50
    for name in CASES:
        case = MANIFEST[name]
        assert set(case) <= {"about", "exit", "expect", "edition", "setup"}, name
        assert case["exit"] in (0, 1) and case["expect"] and case["about"], name
        assert (CORPUS / name).is_dir() or case.get("setup") in ("huge-clause", "many-clauses"), name
        assert case.get("setup") is None or case["setup"] in SETUPS, name
    listed = set(CASES) | {"nisc"}
    on_disk = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    assert on_disk <= listed, f"case directories missing from cases.yaml: {sorted(on_disk - listed)}"


@pytest.mark.parametrize("name", CASES)
def test_check(corpus, monkeypatch, name):
    code, output = check_in_process(corpus.root, corpus.edition(name), monkeypatch)
    assert_calm(name, code, output, "check")
    for expected in MANIFEST[name]["expect"]:
        assert expected in output, f"check {name}: missing {expected!r}\n{output}"
    if name in corpus.check_runs:  # the same through the installed console script
        code2, output2, _ = corpus.check_runs[name].result()
        assert_calm(name, code2, output2, "check (subprocess)")
        assert sorted(output2.splitlines()) == sorted(output.splitlines())


@pytest.mark.parametrize("name", CASES)
def test_build(corpus, name):
    code, output, seconds = corpus.build_runs[name].result()
    assert_calm(name, code, output, "build")
    out = corpus.builds / name
    written = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    if MANIFEST[name]["exit"] == 0:
        pages = [p for p in written if p.name == "guideline.html"]
        assert len(pages) == 1, f"build {name}: {written}"
        html = pages[0].read_text(encoding="utf-8")
        assert "<script>alert" not in html  # raw HTML is shown as text (tests/test_hostile_html.py goes further)
    else:
        assert written == [], f"build {name} failed but wrote {written}"
        for expected in MANIFEST[name]["expect"]:
            if ": error: " in expected:  # build prints the same problems before refusing
                assert expected in output, f"build {name}: missing {expected!r}\n{output}"
        assert "has problems; fix them first" in output or "error: no edition" in output, output
    assert seconds < 30, f"build {name} took {seconds:.1f} s of CPU"


def test_no_yaml_tag_was_executed(corpus):
    for future in corpus.build_runs.values():
        future.result()
    assert not list(corpus.root.rglob("PWNED*")) and not list(REPO.glob("PWNED*"))
