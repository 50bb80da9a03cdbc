"""``guideline apply`` on Word files edited and saved by LibreOffice (headless, driven through UNO by
tests/fixtures/lo_edit.py): its runs, revision marks (one per typed character), rsids, renamed style IDs and moved
bookmarks are what a reviewer's copy really looks like. Tracked and plain edits; only the edited clauses' lines
change."""
from __future__ import annotations

import difflib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO
from fixtures.comments.support import run, setup_tree

from guideline.reader import read_edition
from guideline.writers.edition import docx

LO_EDIT = FIXTURES / "lo_edit.py"


pytestmark = [pytest.mark.slow, pytest.mark.needs_uno]


def lo_edit(src: Path, dst: Path, spec: dict, tmp: Path) -> Path:
    edits = tmp / "edits.json"
    edits.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run(["/usr/bin/python3", str(LO_EDIT), str(src), str(dst), str(edits), str(tmp / "lo-profile")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and dst.is_file(), proc.stderr
    return dst


def diff_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    a, b = before.split("\n"), after.split("\n")
    gone, came = [], []
    for op, a0, a1, b0, b1 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            gone += a[a0:a1]
            came += b[b0:b1]
    return gone, came


@pytest.fixture
def tree(tmp_path, monkeypatch):
    src, _ = setup_tree(tmp_path, monkeypatch)
    return src / "editions" / "base"


def test_tracked_edits_saved_by_libreoffice(tree, tmp_path):
    ed, _ = read_edition(tree)
    built = tmp_path / "guideline.docx"
    built.write_bytes(docx.render_guideline(ed))
    spec = {"track": True, "author": "審査委員B", "ops": [
        {"op": "replace", "find": "委員会を置く。", "with": "委員会を置き、年に一回開催する。"},
        {"op": "split", "find": "信用情報を評価"},
        {"op": "append", "after": "監査結果を確認する。", "text": "(ウ)\t記録を保存する。"},
        {"op": "cell", "table": 0, "cell": "B2", "text": "住民の個人情報（マイナンバーを含む）"},
        {"op": "append", "after": "方針を定める。", "text": "例外措置", "style_of": "最高情報セキュリティ責任者"},
        {"op": "append", "after": "例外措置", "text": "例外を認める場合は“記録”する。", "style_of": "方針を定める"},
    ]}
    edited = lo_edit(built, tmp_path / "edited.docx", spec, tmp_path)
    before = {p.name: p.read_text(encoding="utf-8") for p in tree.glob("*.md")}
    res = run("apply", edited, "--edition", "base")
    assert res.code == 0, res.text
    assert "insert by 審査委員B" in res.out and "'(ウ)記録を保存する。'" in res.out
    assert "added: tech-access-new1" in res.out
    a = diff_lines(before["a.md"], (tree / "a.md").read_text(encoding="utf-8"))
    b = diff_lines(before["b.md"], (tree / "b.md").read_text(encoding="utf-8"))
    assert a == (["委員会を置く。[](#org-ciso)が主宰する。"],
                 ["委員会を置き、年に一回開催する。[](#org-ciso)が主宰する。", "3. 記録を保存する。"])
    assert b[0] == ["アクセスの都度、信用情報を評価する。", "| 機密性3 | 住民の個人情報 |"]
    assert [x for x in b[1] if x] == ["アクセスの都度、", "信用情報を評価する。", "| 機密性3 | 住民の個人情報（マイナンバーを含む） |",
                                      "##### 例外措置 {#tech-access-new1}", "例外を認める場合は“記録”する。"]
    assert (tree / "b.md").read_text(encoding="utf-8").endswith(
        "方針を定める。\n\n##### 例外措置 {#tech-access-new1}\n\n例外を認める場合は“記録”する。\n")
    after, report = read_edition(tree)
    assert not report.errors and after.get("tech-access-new1").level == 5
    assert run("check", "--edition", "base").code == 0


def test_plain_edits_in_reibun_docx_saved_by_libreoffice(tree, tmp_path):
    ed, _ = read_edition(tree)
    built = tmp_path / "reibun.docx"
    built.write_bytes(docx.render_reibun(ed))
    spec = {"track": False, "ops": [
        {"op": "replace", "find": "責任者を置く。", "with": "責任者を一人置く。"},
    ]}
    edited = lo_edit(built, tmp_path / "edited.docx", spec, tmp_path)
    before = (tree / "b.md").read_text(encoding="utf-8")
    a_before = (tree / "a.md").read_bytes()
    res = run("apply", edited, "--edition", "base")
    assert res.code == 0, res.text
    assert "changed: tech-dynamic-owner: body" in res.out
    assert diff_lines(before, (tree / "b.md").read_text(encoding="utf-8")) == (
        ["責任者を置く。[](#gen-purpose)参照。"], ["責任者を一人置く。[](#gen-purpose)参照。"])
    assert (tree / "a.md").read_bytes() == a_before


def test_tracked_edits_in_a_box_a_table_block_and_a_footnote_saved_by_libreoffice(tmp_path, monkeypatch):
    """The sample draft's constructs edited in LibreOffice with changes recorded: a sentence of the 参考 box in a
    解説, a cell of the 別紙's merged-cell table and a footnote's text. Only their lines change; the cell spans, the
    IDs and the footnote's key stay; the picture LibreOffice writes back is still known as the figure's file."""
    src = tmp_path / "guideline_src"
    shutil.copytree(REPO / "guideline_src", src, ignore=shutil.ignore_patterns(".*"))
    monkeypatch.setenv("GUIDELINE_SRC", str(src))
    monkeypatch.chdir(tmp_path)
    draft = src / "draft"
    ed, _ = read_edition(draft)
    built = tmp_path / "guideline.docx"
    built.write_bytes(docx.render_guideline(ed))
    spec = {"track": True, "author": "審査委員E", "ops": [
        {"op": "replace", "find": "最も高い分類に合わせて", "with": "最も高い分類に一律に合わせて"},
        {"op": "replace", "find": "必要最小限とし記録する", "with": "必要最小限とし台帳に記録する"},
        {"op": "replace", "find": "実際の機器構成や通信経路は", "with": "実際の機器構成、通信経路等は"},
    ]}
    edited = lo_edit(built, tmp_path / "edited.docx", spec, tmp_path)
    before = {p.name: p.read_text(encoding="utf-8") for p in draft.glob("*.md")}
    res = run("apply", edited, "--edition", "draft")
    assert res.code == 0, res.text
    # the box sits in the generated 解説 part, whose headings carry no bookmark: listed under the clause matched
    assert "tracked change in asset-confidentiality-examples: insert by 審査委員E" in res.out
    assert "tracked change in app-asset-handling: insert by 審査委員E" in res.out
    assert "tracked change in gen-network-models: insert by 審査委員E" in res.out
    assert "ignored" not in res.out, res.out
    after = {p.name: p.read_text(encoding="utf-8") for p in draft.glob("*.md")}
    changed = {name: diff_lines(before[name], after[name]) for name in before if before[name] != after[name]}
    assert sorted(changed) == ["10-soku.md", "21-kijun-1-3.md", "90-besshi.md"]
    assert changed["10-soku.md"] == (
        ["[^figure-simplified]: 図は考え方を示すために簡略化したものであり、実際の機器構成や通信経路は団体ごとに異なる。"],
        ["[^figure-simplified]: 図は考え方を示すために簡略化したものであり、実際の機器構成、通信経路等は団体ごとに異なる。"])
    gone, came = changed["21-kijun-1-3.md"]
    assert len(gone) == 1 and came == [gone[0].replace("最も高い分類に合わせて", "最も高い分類に一律に合わせて")]
    gone, came = changed["90-besshi.md"]
    assert len(gone) == len(came) == 1 and "必要最小限とし記録する" in gone[0]
    assert came[0].startswith("  - [機密性3, 住民の個人情報、入札予定価格, 必要最小限とし台帳に記録する, ")
    assert run("check", "--edition", "draft", "--strict").code == 0
