"""guideline release: the bundle, its manifest and SHA256SUMS (checked with the real sha256sum), reproducibility
(two releases byte-identical, the second without the PDF cache and in another process), the refusals (strict check,
unreconciled round, personal data), atomicity under SIGKILL, and the 案 marking of a preview.

The source tree is a private copy of tests/fixtures/src with a second edition ``next`` (previous: base, one clause
reworded) and a round ``t-public`` on ``base`` whose 修正あり comment explains the change.
"""
from __future__ import annotations

import dataclasses
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from browser import Chromium, describe
from conftest import SRC, kill_group
from fixtures.comments.support import Run, env_for, run, snapshot

pytestmark = pytest.mark.needs_poppler

ROUND = """\
id: t-public
kind: public-comment
title: テスト用ガイドライン（案）に対する意見募集の結果
subject: テスト用ガイドライン（案）
organisation: テスト省 情報政策課
edition: base
period: {start: 2024-09-12, end: 2024-09-20}
published: 2024-09-12
result_date: 2024-10-02
"""
COMMENT_1 = """\
id: '001'
received: 2024-09-13
category: 個人
private:
  name: 山田 花子
  contact: hanako.yamada@example.jp
location: 第2編第1章 1.(2)
anchor: resolved
clauses:
  - org-committee
text: 委員会の名称を明確にしてほしい。連絡は hanako.yamada@example.jp まで。
summary: 委員会の名称を明確にすべきである。
response: 御意見を踏まえ、「情報セキュリティ委員会」と明記しました。
disposition: 修正あり
status: approved
changed_clauses:
  - org-committee
"""
COMMENT_2 = """\
id: '002'
received: 2024-09-14
category: 法人・団体
private:
  name: 一般社団法人テスト協会
  contact: 03-1234-5678
location: 全般
anchor: general
clauses: []
text: 賛成します。
summary: 改定に賛成する。
response: 賛同の御意見として承ります。
disposition: 参考
status: approved
changed_clauses: []
"""
PRIVATE = ("山田 花子", "山田花子", "hanako.yamada@example.jp", "一般社団法人テスト協会", "03-1234-5678")


def make_tree(root: Path) -> tuple[Path, Path]:
    """guideline_src (editions base and next) and comments/t-public under ``root``."""
    src = root / "guideline_src"
    shutil.copytree(SRC, src)
    nxt = src / "editions" / "next"
    shutil.copytree(src / "editions" / "base", nxt)
    y = (nxt / "edition.yaml").read_text(encoding="utf-8")
    y = (y.replace("id: base", "id: next").replace("label: テスト版", "label: テスト改定版")
         .replace("date: 2024-10-02", "date: 2024-12-01").replace("files:", "previous: base\nfiles:"))
    (nxt / "edition.yaml").write_text(y, encoding="utf-8")
    a = (nxt / "a.md").read_text(encoding="utf-8")
    (nxt / "a.md").write_text(a.replace("委員会を置く。", "情報セキュリティ委員会を置く。"), encoding="utf-8")
    rnd = root / "comments" / "t-public"
    rnd.mkdir(parents=True)
    (rnd / "round.yaml").write_text(ROUND, encoding="utf-8")
    (rnd / "001.yaml").write_text(COMMENT_1, encoding="utf-8")
    (rnd / "002.yaml").write_text(COMMENT_2, encoding="utf-8")
    return src, root / "comments"


def cli(*args: str) -> Run:
    return run(*args)


def guideline_exe() -> list[str]:
    return [sys.executable, "-m", "guideline"]


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("release")
    make_tree(root)
    mp = pytest.MonkeyPatch()
    for key, value in env_for(root).items():
        if key.startswith("GUIDELINE_"):
            mp.setenv(key, value)
    mp.delenv("GUIDELINE_PDF_CACHE", raising=False)
    mp.chdir(root)
    yield root
    mp.undo()


@pytest.fixture(scope="module")
def bundle(tree) -> tuple[Path, Run, float]:
    out = tree / "build" / "release"
    t0 = time.perf_counter()
    run = cli("release", "--edition", "next", "--round", "t-public", "-o", out)
    elapsed = time.perf_counter() - t0
    assert run.code == 0, run.text
    return out, run, elapsed


# --------------------------------------------------------------------------------------------------------------------


def test_bundle_contents_and_pages(bundle):
    out, run, _ = bundle
    files = snapshot(out)
    expected = {"index.html", "history.html", "manifest.json", "SHA256SUMS", "guideline.pdf", "guideline.docx",
                "reibun.docx", "comparison.pdf", "comparison.docx", "comparison.html", "changes.json",
                "comments/t-public/result.html", "comments/t-public/result.docx", "comments/t-public/result.pdf",
                "oscal/catalog.json", "oscal/mapping.json", "oscal/nisc-catalog.json", "site/index.html",
                "diffs/base--next/comparison.html"}
    assert expected <= set(files), expected - set(files)
    # the internal comment exports are not published; nothing hidden is published
    assert not any(name.endswith(("result.csv", "result.xlsx")) for name in files)
    assert not [p for p in out.rglob(".*")]
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".release.") and p.is_dir()]
    assert "31 files" in run.out or re.search(r"\d+ files", run.out)
    assert "release next: guideline.pdf ... done" in run.err  # progress per step

    manifest = json.loads(files["manifest.json"])
    assert manifest["edition"] == {"id": "next", "title": "テスト用ガイドライン", "label": "テスト改定版",
                                   "date": "2024-12-01", "status": "確定", "sample": True, "previous": "base"}
    assert manifest["preview"] is False and manifest["rounds"] == ["t-public"]
    assert manifest["source"] == {"revision": "unknown", "dirty": None}  # the tree is not a git work tree
    from guideline import __version__

    assert manifest["tool"] == {"name": "guideline", "version": __version__}
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json", "SHA256SUMS"}
    import hashlib

    for path, entry in listed.items():
        assert entry["size"] == len(files[path]) and entry["sha256"] == hashlib.sha256(files[path]).hexdigest()

    index = files["index.html"].decode()
    for path, entry in listed.items():
        if path != "index.html":
            assert f'href="{path}"' in index and entry["sha256"] in index, path
    assert '<html lang="ja">' in index and 'href="history.html"' in index
    # one-screen summary of what changed: counts per kind from changes.json, the top changed section
    changes = json.loads(files["changes.json"])
    assert changes["summary"]["changed"] == 1
    assert re.search(r'<span class="n">1</span>変更', index)
    assert re.search(r'<span class="n">11</span>変更なし', index)
    assert "第2編第1章 1." in index and "組織体制" in index
    assert "案（プレビュー）" not in index

    history = files["history.html"].decode()
    assert 'href="diffs/base--next/comparison.html"' in history
    assert history.index("テスト改定版") < history.index("テスト版<")  # newest first
    assert 'aria-current="true"' in history
    diff_page = files["diffs/base--next/comparison.html"].decode()
    assert "情報セキュリティ" in diff_page


def test_sha256sum_and_verify(bundle, tmp_path):
    out, _, _ = bundle
    proc = subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=out, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    n_files = sum(1 for p in out.rglob("*") if p.is_file())
    ok_lines = [ln for ln in proc.stdout.splitlines() if ln.endswith(": OK")]
    assert len(ok_lines) == n_files - 1  # every file but SHA256SUMS itself, manifest.json included
    assert "manifest.json: OK" in proc.stdout
    assert cli("release", "--verify", out).code == 0

    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    with open(copy / "guideline.docx", "ab") as fh:
        fh.write(b"x")
    (copy / "extra.txt").write_text("not published", encoding="utf-8")
    proc = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=copy, capture_output=True, text=True)
    assert proc.returncode == 1 and "guideline.docx: FAILED" in proc.stdout
    run = cli("release", "--verify", copy)
    assert run.code == 1
    assert "guideline.docx: size" in run.err and "extra.txt: not listed in manifest.json" in run.err


def test_no_private_data_in_any_output(bundle):
    from guideline.bundle.text import text_of

    out, _, _ = bundle
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        texts = text_of(path) or [path.read_bytes().decode("latin-1")]
        for text in texts:
            squeezed = re.sub(r"\s+", "", text)
            for value in PRIVATE:
                assert value not in text and re.sub(r"\s+", "", value) not in squeezed, (path, value)
    # the result report does publish the answer (so the scan above looked at real text)
    assert "御意見を踏まえ、「情報セキュリティ委員会」と明記" in re.sub(r"\s+", "", "".join(
        text_of(out / "comments/t-public/result.pdf")))


def test_reproducible_across_processes_and_without_pdf_cache(bundle, tree):
    out, _, first_time = bundle
    second = tree / "build2" / "release"
    env = env_for(tree, GUIDELINE_PDF_CACHE="0", PYTHONHASHSEED="12345")
    t0 = time.perf_counter()
    proc = subprocess.run([*guideline_exe(), "release", "--edition", "next", "--round", "t-public", "-o",
                           str(second), "-q"], cwd=tree, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    a, b = snapshot(out), snapshot(second)
    assert sorted(a) == sorted(b)
    differing = [name for name in a if a[name] != b[name]]
    assert differing == [], f"not byte-identical: {differing}"
    print(f"release: {len(a)} files, {sum(map(len, a.values()))} bytes; first {first_time:.1f} s, "
          f"second (no PDF cache) {time.perf_counter() - t0:.1f} s")


def test_preview_of_a_draft_is_marked(bundle):
    """An edition with status 案 is released as a preview: marked on the download and history pages and in the
    manifest (rendered from the same plan with only the status changed)."""
    from guideline.bundle import manifest, pages
    from guideline.bundle.plan import plan as make_plan

    plan = make_plan("next", None, [])
    draft = dataclasses.replace(plan.edition, meta=dataclasses.replace(plan.edition.meta, status="案"))
    plan = dataclasses.replace(plan, edition=draft, history=[*plan.history[:-1], draft])
    out, _, _ = bundle
    index = pages.render_index(plan, manifest.file_entries(out), None, None)
    assert "案（プレビュー）" in index and "<title>【案】" in index and '<span class="status">案</span>' in index
    assert "前の版が指定されていない" in index
    assert manifest.make_manifest(plan, [])["preview"] is True
    history = pages.render_history(plan, [pages.HistoryEntry("next", "テスト改定版", draft.meta.date, "案", True)])
    assert "案（プレビュー）" in history and "<td>案</td>" in history


@pytest.mark.needs_chromium
def test_download_and_history_pages_are_accessible(bundle):
    """axe-core (WCAG 2.0 A/AA = JIS X 8341-3 AA) on both pages, the full file list opened."""
    out, _, _ = bundle
    with Chromium() as browser:
        page = browser.open_page(out / "index.html")
        page.evaluate("document.getElementById('all-files').open = true")
        assert page.locator("#all-files table tbody tr").count() == len(json.loads(
            (out / "manifest.json").read_text(encoding="utf-8"))["files"]) - 1  # all but index.html itself
        violations = browser.axe_violations(page)
        page.close()
        assert violations == [], describe(violations)
        violations = browser.axe_violations(out / "history.html")
        assert violations == [], describe(violations)


# --------------------------------------------------------------------------------------------------------------------
# refusals


@pytest.fixture
def broken(tmp_path, monkeypatch):
    """A fresh private tree (to break) with a finished release in build/release (to prove it survives)."""
    root = tmp_path / "t"
    make_tree(root)
    for key, value in env_for(root).items():
        if key.startswith("GUIDELINE_"):
            monkeypatch.setenv(key, value)
    monkeypatch.chdir(root)
    previous = root / "build" / "release"
    previous.mkdir(parents=True)
    (previous / "manifest.json").write_text('{"files": []}\n', encoding="utf-8")
    (previous / "SHA256SUMS").write_text("", encoding="utf-8")
    return root


def _unchanged(root: Path) -> None:
    out = root / "build" / "release"
    assert sorted(p.name for p in out.iterdir()) == ["SHA256SUMS", "manifest.json"]
    assert [p.name for p in (root / "build").iterdir() if p.name.startswith(".release.") and p.is_dir()] == []


def test_refuses_edition_failing_strict_check(broken):
    stray = broken / "guideline_src" / "editions" / "next" / "notes.md"
    stray.write_text("# メモ {#memo}\n", encoding="utf-8")
    run = cli("release", "--edition", "next", "-o", "build/release")
    assert run.code == 1
    assert "does not pass guideline check --strict" in run.err
    assert "notes.md" in run.err and "not listed in files" in run.err
    _unchanged(broken)


def test_refuses_round_that_does_not_reconcile(broken):
    rec = broken / "comments" / "t-public" / "002.yaml"
    text = rec.read_text(encoding="utf-8")
    text = text.replace("disposition: 参考", "disposition: 修正あり").replace("changed_clauses: []",
                                                                        "changed_clauses:\n  - org-ciso")
    rec.write_text(text, encoding="utf-8")
    run = cli("release", "--edition", "next", "--round", "t-public", "-o", "build/release")
    assert run.code == 1
    assert "round t-public does not reconcile with next" in run.err
    assert "comment 002 is 修正あり but its promised change" in run.err
    _unchanged(broken)


def test_refuses_unknown_round(broken):
    run = cli("release", "--edition", "next", "--round", "nope", "-o", "build/release")
    assert run.code == 1 and "no round 'nope'" in run.err
    _unchanged(broken)


def test_refuses_personal_data_in_published_text(broken):
    """An e-mail address and a submitter's private name planted in the guideline text itself (the comment report's
    own check cannot see these): found in the produced outputs, reported at their source lines."""
    a = broken / "guideline_src" / "editions" / "next" / "a.md"
    text = a.read_text(encoding="utf-8").replace(
        "情報セキュリティ委員会を置く。",
        "情報セキュリティ委員会を置く。事務局は山田 花子（iinkai@example.lg.jp）とする。")
    a.write_text(text, encoding="utf-8")
    line = next(n for n, ln in enumerate(text.split("\n"), 1) if "iinkai@" in ln)
    run = cli("release", "--edition", "next", "--round", "t-public", "-o", "build/release")
    assert run.code == 1, run.text
    assert "refusing to release: personal data would be published" in run.err
    assert f"a.md:{line}: error: personal data would be published: e-mail address 'iinkai@example.lg.jp'" in run.err
    assert "private field of a comment '山田 花子' — private name of comment t-public/001" in run.err
    assert "site/standards.html" in run.err
    _unchanged(broken)


def test_refuses_to_replace_a_directory_that_is_not_a_release(broken):
    other = broken / "build" / "mine"
    other.mkdir()
    (other / "keep.txt").write_text("x", encoding="utf-8")
    run = cli("release", "--edition", "next", "-o", other)
    assert run.code == 1 and "holds no earlier release" in run.err
    assert (other / "keep.txt").read_text(encoding="utf-8") == "x"


# --------------------------------------------------------------------------------------------------------------------
# atomicity


def test_kill_mid_build_leaves_previous_release_intact(bundle, tree):
    """SIGKILL the release (its whole process group) at random points and right before the swap: every time the
    previous bundle is whole and verifies, nothing else appears under the visible name; the next release cleans up
    the leftovers. (The target sits beside the first bundle so that the PDF cache is warm and a run is short.)"""
    from guideline.bundle.manifest import verify

    parent = bundle[0].parent
    target = parent / "killed"
    shutil.copytree(bundle[0], target)
    before = snapshot(target)
    inode = target.stat().st_ino
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    # two random moments, and the moment the last stage (index, manifest, checksums, swap) starts
    points: list[tuple[str, float]] = [("random", rng.uniform(0.5, 2.0)), ("random", rng.uniform(2.0, 6.0)),
                                       ("before swap", 0.0)]

    def visible() -> list[str]:
        return sorted(p.name for p in parent.iterdir() if p.name.startswith("killed") or p.name.startswith(".killed")
                      and p.is_dir())

    killed = []
    for kind, delay in points:
        proc = subprocess.Popen([*guideline_exe(), "release", "--edition", "next", "--round", "t-public", "-o",
                                 str(target)], cwd=tree, env=env_for(tree), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True)
        try:
            if kind == "before swap":  # the progress line of the last stage is printed when it starts
                seen = b""
                while b"index.html, manifest.json, SHA256SUMS ..." not in seen:
                    chunk = os.read(proc.stderr.fileno(), 256)
                    if not chunk:
                        break
                    seen += chunk
            else:
                time.sleep(delay)
        finally:
            finished = kill_group(proc)
        swapped = target.stat().st_ino != inode
        killed.append((kind, round(delay, 2), "finished first" if finished else "killed",
                       "after the swap" if swapped else "before the swap"))
        inode = target.stat().st_ino
        assert verify(target) == [], (seed, killed)
        check = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=target, capture_output=True)
        assert check.returncode == 0, (seed, killed)
        assert snapshot(target) == before, (seed, killed)  # the very same bundle, nothing added
        assert [n for n in visible() if not n.startswith(".")] == ["killed"]
    print(f"kill points (seed {seed}): {killed}")
    assert killed[-1][2:] == ("killed", "before the swap")
    assert any(n.startswith(".killed.") for n in visible())  # a half-built bundle was really left behind
    # the next release completes and removes what the killed ones left behind
    run = subprocess.run([*guideline_exe(), "release", "--edition", "next", "--round", "t-public", "-o",
                          str(target), "-q"], cwd=tree, env=env_for(tree), capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert verify(target) == []
    assert visible() == ["killed"]


def test_recover_restores_a_release_caught_between_the_two_renames(tmp_path):
    """A kill between the two renames of the swap leaves OUT missing and the old bundle at .OUT.*.old: the next
    release puts it back before anything else."""
    from guideline.bundle.target import recover

    old = tmp_path / ".release.abc.old"
    old.mkdir()
    (old / "manifest.json").write_text("{}", encoding="utf-8")
    stale = tmp_path / ".release.def.tmp"
    stale.mkdir()
    (stale / "half.pdf").write_bytes(b"%PDF")
    done = recover(tmp_path / "release")
    assert (tmp_path / "release" / "manifest.json").is_file()
    assert not old.exists() and not stale.exists()
    assert len(done) == 2
