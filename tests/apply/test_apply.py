"""``guideline apply`` (issue 19) on the fixture edition: guideline.docx / reibun.docx built by the writer, edited
the way Word writes files (runs split at every edit with w:rsid noise and w:proofErr, tracked insertions and
deletions with revision ids, a paragraph split by Enter, bookmarks pushed out of their heading, smart quotes), then
applied: only the edited clauses' lines change, conflicts stop everything, generated parts are read-only."""
from __future__ import annotations

import copy
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from fixtures.comments.support import run, setup_tree
from lxml import etree

from guideline.reader import read_edition
from guideline.writers.edition import docx

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
NS = {"w": W_NS}


class WordFile:
    """A built .docx opened for editing its document.xml as Word would."""

    def __init__(self, data: bytes):
        self.data = data
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            self.root = etree.fromstring(z.read("word/document.xml"))
        self.extra: dict[str, bytes] = {}
        self.rev = 100

    # --- finding
    def heading(self, cid: str):
        for b in self.root.iter(W + "bookmarkStart"):
            if b.get(W + "name") == cid:
                return b.getparent()
        raise AssertionError(cid)

    def after(self, cid: str, n: int = 0, style: str | None = None):
        """The n-th paragraph (or table) after the heading of ``cid`` (of ``style`` when given)."""
        el, k = self.heading(cid), -1
        while True:
            el = el.getnext()
            if style is None or _style(el) == style:
                k += 1
                if k == n:
                    return el

    # --- editing the way Word writes
    def rsid(self) -> str:
        self.rev += 1
        return f"00{self.rev:06X}"

    def retype(self, p, text: str) -> None:
        """Replace the paragraph's runs by ``text`` cut into several runs with rsid noise and proofing marks."""
        runs = p.findall("w:r", NS)
        rpr = runs[0].find("w:rPr", NS) if runs else None
        for r in p.findall("w:r", NS) + p.findall("w:proofErr", NS) + p.findall("w:hyperlink", NS):
            p.remove(r)
        p.set(W + "rsidR", self.rsid())
        cuts = [0, max(1, len(text) // 3), max(2, 2 * len(text) // 3), len(text)]
        for i in range(3):
            piece = text[cuts[i]:cuts[i + 1]]
            if not piece:
                continue
            if i == 1:
                etree.SubElement(p, W + "proofErr").set(W + "type", "spellStart")
            r = etree.SubElement(p, W + "r")
            r.set(W + "rsidR", self.rsid())
            r.set(W + "rsidRPr", self.rsid())
            if rpr is not None:
                r.append(copy.deepcopy(rpr))
            t = etree.SubElement(r, W + "t")
            t.text = piece
            if i == 1:
                etree.SubElement(p, W + "proofErr").set(W + "type", "spellEnd")

    def tracked(self, p, old: str, new: str, author: str = "審査委員A") -> None:
        """In paragraph p, mark ``old`` deleted and ``new`` inserted (tracked changes), as Word writes them: the run
        holding ``old`` is cut in place."""
        target = next(r for r in p.findall("w:r", NS) if old in "".join(r.itertext()))
        text = "".join(t.text or "" for t in target.iter(W + "t"))
        at = text.index(old)
        rpr = target.find("w:rPr", NS)

        def r(piece: str, tag: str = "t"):
            el = etree.Element(W + "r")
            el.set(W + "rsidR", self.rsid())
            if rpr is not None:
                el.append(copy.deepcopy(rpr))
            etree.SubElement(el, W + tag).text = piece
            return el

        def rev(kind: str, child):
            self.rev += 1
            el = etree.Element(W + kind)
            el.set(W + "id", str(self.rev))
            el.set(W + "author", author)
            el.set(W + "date", "2024-11-01T10:00:00Z")
            el.append(child)
            return el

        pieces = [r(text[:at]), rev("del", r(old, "delText")), rev("ins", r(new)), r(text[at + len(old):])]
        for el in pieces:
            target.addprevious(el)
        p.remove(target)

    def split(self, p, at_text: str) -> None:
        """Enter pressed before ``at_text``: the paragraph is cut in two (the run there cut in two, a hyperlink kept
        whole on its side), both keeping the paragraph's properties, the second with a new rsid."""
        text = "".join(t.text or "" for t in p.iter(W + "t"))
        at = text.index(at_text)
        second = copy.deepcopy(p)
        second.set(W + "rsidR", self.rsid())
        p.addnext(second)
        for para, keep_before in ((p, True), (second, False)):
            pos = 0
            for child in [c for c in para if c.tag != W + "pPr"]:
                n = len("".join(t.text or "" for t in child.iter(W + "t")))
                if child.tag == W + "r" and pos < at < pos + n:
                    t = child.find("w:t", NS)
                    t.text = t.text[:at - pos] if keep_before else t.text[at - pos:]
                elif (pos + n <= at) != keep_before and n:
                    para.remove(child)
                elif not n and child.tag != W + "r" and (pos <= at) != keep_before:
                    para.remove(child)
                pos += n

    def save(self, path: Path) -> Path:
        with zipfile.ZipFile(io.BytesIO(self.data)) as z, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for info in z.infolist():
                data = z.read(info.filename)
                if info.filename == "word/document.xml":
                    data = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)
                out.writestr(info, self.extra.pop(info.filename, data))
            for name, data in self.extra.items():
                out.writestr(name, data)
        return path


def _style(el) -> str:
    s = el.find("w:pPr/w:pStyle", NS)
    return s.get(W + "val") if s is not None else ""


@pytest.fixture
def tree(tmp_path, monkeypatch):
    src, comments = setup_tree(tmp_path, monkeypatch)
    return src / "editions" / "base"


def built(edition_dir: Path, name: str = "guideline.docx") -> WordFile:
    ed, report = read_edition(edition_dir)
    assert ed is not None and not report.errors
    return WordFile(docx.render_guideline(ed) if name == "guideline.docx" else docx.render_reibun(ed))


def snapshot(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir()) if p.is_file()}


def changed_lines(before: dict[str, bytes], d: Path) -> dict[str, tuple[list[str], list[str]]]:
    """Per file, the lines only in the old and only in the new text (by difflib)."""
    import difflib

    out = {}
    for name, old in before.items():
        new = (d / name).read_bytes()
        if new == old:
            continue
        a, b = old.decode().split("\n"), new.decode().split("\n")
        gone, came = [], []
        for op, a0, a1, b0, b1 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if op != "equal":
                gone += a[a0:a1]
                came += b[b0:b1]
        out[name] = (gone, came)
    return out


# ----------------------------------------------------------------------------------------------------------------------
# plain and tracked edits


def test_unedited_file_changes_nothing(tree, tmp_path):
    before = snapshot(tree)
    for name in ("guideline.docx", "reibun.docx"):
        res = run("apply", built(tree, name).save(tmp_path / name), "--edition", "base")
        assert res.code == 0, res.text
        assert "0 clause change(s)" in res.out
    assert snapshot(tree) == before


def test_plain_edit_with_word_noise_touches_only_that_line(tree, tmp_path):
    before = snapshot(tree)
    wf = built(tree)
    wf.retype(wf.after("org-ciso", 1), "〔○○副市長〕を、“最高責任者”として置く。")  # after the 対象モデル note
    res = run("apply", wf.save(tmp_path / "e.docx"), "--edition", "base")
    assert res.code == 0, res.text
    assert "changed: org-ciso: body" in res.out
    assert changed_lines(before, tree) == {"a.md": (["{{○○副市長}}を、CISOとする。"],
                                                    ["{{○○副市長}}を、“最高責任者”として置く。"])}


def test_tracked_changes_and_enter_split_a_paragraph(tree, tmp_path):
    before = snapshot(tree)
    wf = built(tree)
    p = wf.after("org-committee", 0)
    assert "委員会を置く。" in "".join(p.itertext())
    wf.tracked(p, "置く。", "置き、年に一回開催する。")
    # and a tracked formatting change (the paragraph re-justified): listed, ignored
    change = etree.SubElement(p.find("w:pPr", NS), W + "pPrChange")
    change.set(W + "id", "99")
    change.set(W + "author", "審査委員A")
    etree.SubElement(change, W + "pPr")
    res = run("apply", wf.save(tmp_path / "e.docx"), "--edition", "base")
    assert res.code == 0, res.text
    assert "tracked change in org-committee: insert by 審査委員A 2024-11-01T10:00:00Z: '置き、年に一回開催する。'" in res.out
    assert "ignored: org-committee: 1 tracked formatting change(s)" in res.out
    gone, came = changed_lines(before, tree)["a.md"]
    assert gone == ["委員会を置く。[](#org-ciso)が主宰する。"]
    assert came == ["委員会を置き、年に一回開催する。[](#org-ciso)が主宰する。"]

    # then Enter in the middle of the same paragraph: two paragraphs, the cross-reference kept
    before = snapshot(tree)
    wf = built(tree)
    p = wf.after("org-committee", 0)
    wf.split(p, "一回")
    res = run("apply", wf.save(tmp_path / "e2.docx"), "--edition", "base")
    assert res.code == 0, res.text
    gone, came = changed_lines(before, tree)["a.md"]
    assert gone == ["委員会を置き、年に一回開催する。[](#org-ciso)が主宰する。"]
    assert came == ["委員会を置き、年に", "", "一回開催する。[](#org-ciso)が主宰する。"]


def test_list_item_added_and_table_cell_edited(tree, tmp_path):
    before = snapshot(tree)
    wf = built(tree)
    item = wf.after("org-committee", 2)  # (イ) 監査結果を確認する。
    assert "監査結果" in "".join(item.itertext())
    new = copy.deepcopy(item)
    item.addnext(new)
    wf.retype(new, "(ウ)\t記録を保存する。")
    tbl = wf.after("tech-dynamic-owner", 1)
    assert tbl.tag == W + "tbl"
    cell_p = tbl.findall("w:tr", NS)[1].findall("w:tc", NS)[1].find("w:p", NS)
    wf.retype(cell_p, "住民の個人情報（マイナンバーを含む）")
    res = run("apply", wf.save(tmp_path / "e.docx"), "--edition", "base")
    assert res.code == 0, res.text
    lines = changed_lines(before, tree)
    assert lines["a.md"] == ([], ["3. 記録を保存する。"])
    assert lines["b.md"] == (["| 機密性3 | 住民の個人情報 |"], ["| 機密性3 | 住民の個人情報（マイナンバーを含む） |"])
    text = (tree / "a.md").read_text(encoding="utf-8")
    assert "1. 方針を決定する。\n2. 監査結果を確認する。\n3. 記録を保存する。\n" in text


def test_new_heading_deleted_clause_and_moved_clause(tree, tmp_path):
    before = snapshot(tree)
    wf = built(tree)
    # a new 項 typed after org-committee's text, in the Heading 5 style, with a hand-typed number
    last = wf.after("org-committee", 3)  # the 統一基準対応 note closes the clause
    assert _style(last) == "MappingNote"
    head = copy.deepcopy(wf.heading("org-committee"))
    for b in head.findall("w:bookmarkStart", NS) + head.findall("w:bookmarkEnd", NS):
        head.remove(b)
    wf.retype(head, "(5)\u3000情報セキュリティ監査")
    body = copy.deepcopy(wf.after("org-committee", 0))
    wf.retype(body, "監査を年に一回行う。")
    last.addnext(head)
    head.addnext(body)
    # tech-dynamic-policy deleted: its heading and text
    h = wf.heading("tech-dynamic-policy")
    for el in [h.getnext(), h]:
        el.getparent().remove(el)
    # tech-dynamic-owner moved after tech-dynamic-policy's place: before tech-dynamic (up one level) is not
    # asked; instead org-committee is moved before org-ciso (heading and its paragraphs, in one piece)
    start = wf.heading("org-committee")
    piece = [start]
    el = start.getnext()
    while _style(el) != "Heading5" and _style(el) != "Heading3":
        piece.append(el)
        el = el.getnext()
    anchor = wf.heading("org-ciso")
    for el in piece:
        anchor.addprevious(el)
    res = run("apply", wf.save(tmp_path / "e.docx"), "--edition", "base", "--json")
    assert res.code == 0, res.text
    data = json.loads(res.out)
    assert data["added"] == ["org-new1"]
    assert data["deleted"] == ["tech-dynamic-policy"]
    assert "org-committee" in data["moved"]
    assert [i["clause"] for i in data["ignored"]] == ["org-new1"] and "「(5)」" in data["ignored"][0]["what"]
    ed, report = read_edition(tree)
    assert not report.errors
    org = ed.get("org")
    assert [c.id for c in org.children] == ["org-committee", "org-ciso", "org-new1"]
    assert ed.get("org-new1").heading == "情報セキュリティ監査" and ed.get("tech-dynamic-policy") is None
    # the moved clause's lines are the same lines, in a new place
    old_a = before["a.md"].decode()
    committee = old_a[old_a.index("##### 情報セキュリティ委員会"):]
    committee = committee[:committee.index("\n#", 1) + 1] if "\n#" in committee[1:] else committee
    assert committee.strip() in (tree / "a.md").read_text(encoding="utf-8")


def test_edits_to_the_mapping_box_and_numbers_are_ignored(tree, tmp_path):
    before = snapshot(tree)
    wf = built(tree)
    notes = [el for el in wf.root.iter(W + "p") if _style(el) == "MappingNote"]
    assert notes
    wf.retype(notes[-1], "【統一基準 9.9.9(9)】書き換えた対応")
    h = wf.heading("org-ciso")
    runs = h.findall("w:r", NS)
    runs[0].find("w:t", NS).text = "(7)\u3000"
    res = run("apply", wf.save(tmp_path / "e.docx"), "--edition", "base")
    assert res.code == 0, res.text
    assert "ignored: " in res.out and "統一基準対応" in res.out
    assert "the number 「(7)」" in res.out
    assert snapshot(tree) == before


# ----------------------------------------------------------------------------------------------------------------------
# conflicts, dry run


def test_conflict_stops_everything_and_force_applies(tree, tmp_path):
    wf = built(tree)
    wf.retype(wf.after("org-ciso", 1), "〔○○副市長〕を、CISOとして置く。")
    wf.retype(wf.after("tech-dynamic", 0), "アクセスの都度、信用情報を評価し、記録する。")
    path = wf.save(tmp_path / "e.docx")
    a = tree / "a.md"
    a.write_text(a.read_text(encoding="utf-8").replace("を、CISOとする。", "を、CISO（最高責任者）とする。"),
                 encoding="utf-8")
    before = snapshot(tree)
    res = run("apply", path, "--edition", "base")
    assert res.code == 1
    assert "conflict: org-ciso: body changed in Word and in the source" in res.out
    assert "CISO（最高責任者）とする。" in res.out and "CISOとして置く。" in res.out
    assert snapshot(tree) == before  # nothing written, not even the clause without a conflict
    res = run("apply", path, "--edition", "base", "--force")
    assert res.code == 0, res.text
    text = a.read_text(encoding="utf-8")
    assert "{{○○副市長}}を、CISOとして置く。" in text
    assert "信用情報を評価し、記録する。" in (tree / "b.md").read_text(encoding="utf-8")


def test_source_changes_since_the_build_are_kept(tree, tmp_path):
    wf = built(tree)
    wf.retype(wf.after("tech-dynamic", 0), "アクセスの都度、信用情報を評価し、記録する。")
    path = wf.save(tmp_path / "e.docx")
    a = tree / "a.md"
    a.write_text(a.read_text(encoding="utf-8").replace("を、CISOとする。", "を、CISO（最高責任者）とする。"),
                 encoding="utf-8")
    res = run("apply", path, "--edition", "base")
    assert res.code == 0, res.text
    assert "CISO（最高責任者）とする。" in a.read_text(encoding="utf-8")
    assert "信用情報を評価し、記録する。" in (tree / "b.md").read_text(encoding="utf-8")


def test_dry_run_prints_the_diff_and_writes_nothing(tree, tmp_path):
    before = snapshot(tree)
    wf = built(tree)
    wf.retype(wf.after("tech-dynamic", 0), "アクセスの都度、信用情報を評価し、記録する。")
    res = run("apply", wf.save(tmp_path / "e.docx"), "--edition", "base", "--dry-run")
    assert res.code == 0, res.text
    assert "-アクセスの都度、信用情報を評価する。\n+アクセスの都度、信用情報を評価し、記録する。\n" in res.out
    assert "b/base/b.md" in res.out and "would change: tech-dynamic: body" in res.out
    assert snapshot(tree) == before
    assert not [p for p in tree.parent.iterdir() if p.name.startswith(".base.") and p.is_dir()]


def test_wrong_edition_is_refused(tree, tmp_path):
    shutil.copytree(tree, tree.parent / "other")
    (tree.parent / "other" / "edition.yaml").write_text(
        (tree / "edition.yaml").read_text(encoding="utf-8").replace("id: base", "id: other"), encoding="utf-8")
    res = run("apply", built(tree).save(tmp_path / "e.docx"), "--edition", "other")
    assert res.code == 1 and "built from edition 'base', not 'other'" in res.err


# ----------------------------------------------------------------------------------------------------------------------
# comments


COMMENTS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:comment w:id="0" w:author="A" w:date="2024-09-15T09:30:00Z"><w:p><w:r><w:t>CISOの任命方法を明記されたい。</w:t></w:r></w:p></w:comment>
</w:comments>""".encode("utf-8")


def _with_comment(wf: WordFile, cid: str) -> None:
    p = wf.after(cid, 1)
    start = etree.Element(W + "commentRangeStart")
    start.set(W + "id", "0")
    p.insert(1, start)
    end = etree.SubElement(p, W + "commentRangeEnd")
    end.set(W + "id", "0")
    ref = etree.SubElement(etree.SubElement(p, W + "r"), W + "commentReference")
    ref.set(W + "id", "0")
    wf.extra["word/comments.xml"] = COMMENTS


def test_comments_are_counted_or_imported_into_a_round(tree, tmp_path):
    wf = built(tree)
    _with_comment(wf, "org-ciso")
    path = wf.save(tmp_path / "e.docx")
    res = run("apply", path, "--edition", "base")
    assert res.code == 0, res.text
    assert "comments: 1 in the file, not imported" in res.out
    res = run("apply", path, "--edition", "base", "--round", "t-public", "--category", "個人")
    assert res.code == 0, res.text
    assert "comments: 1 imported" in res.out
    from guideline.comments.store import load_round

    data = load_round("t-public")
    made = [c for c in data.comments.values() if c.id.startswith("e-")]
    assert len(made) == 1 and made[0].clauses == ("org-ciso",) and "任命方法" in made[0].text


# ----------------------------------------------------------------------------------------------------------------------
# hostile files


def _rezip(src: bytes, path: Path, change) -> Path:
    with zipfile.ZipFile(io.BytesIO(src)) as z, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
        for name, data in change(parts).items():
            out.writestr(name, data)
    return path


@pytest.mark.parametrize("case", ["macro", "template", "doctype", "not-zip"])
def test_hostile_docx_is_refused_without_traceback(tree, tmp_path, case):
    data = built(tree).data
    before = snapshot(tree)
    if case == "macro":
        path = _rezip(data, tmp_path / "m.docx", lambda p: {**p, "word/vbaProject.bin": b"\0" * 10})
    elif case == "template":
        rels = b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rT" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="http://example.invalid/t.dotm" TargetMode="External"/></Relationships>'
        path = _rezip(data, tmp_path / "t.docx", lambda p: {**p, "word/_rels/settings.xml.rels": rels})
    elif case == "doctype":
        def add_doctype(p):
            doc = p["word/document.xml"].replace(b"?>", b'?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', 1)
            return {**p, "word/document.xml": doc}
        path = _rezip(data, tmp_path / "d.docx", add_doctype)
    else:
        path = tmp_path / "n.docx"
        path.write_bytes(b"PK\x03\x04 not really a zip")
    res = run("apply", path, "--edition", "base")
    assert res.code == 1, res.text
    assert "Traceback" not in res.text and "internal error" not in res.text
    assert str(path) in res.err
    assert snapshot(tree) == before


# ----------------------------------------------------------------------------------------------------------------------
# a diff's tracked.docx, moved bookmarks, interruption


def test_tracked_docx_of_a_diff_applied_to_its_old_side(tree, tmp_path):
    new = tree.parent / "next"
    shutil.copytree(tree, new)
    (new / "edition.yaml").write_text((tree / "edition.yaml").read_text(encoding="utf-8").replace("id: base", "id: next"),
                                      encoding="utf-8")
    b = new / "b.md"
    b.write_text(b.read_text(encoding="utf-8").replace("信用情報を評価する。", "信用情報を継続的に評価する。")
                 .replace("###### 方針 {#tech-dynamic-policy}\n\n方針を定める。\n", ""), encoding="utf-8")
    res = run("diff", "base", "next", "-o", tmp_path / "diff", "--format", "tracked")
    if res.code == 2:  # no --format option: build every output
        res = run("diff", "base", "next", "-o", tmp_path / "diff")
    assert res.code == 0, res.text
    res = run("apply", tmp_path / "diff" / "tracked.docx", "--edition", "base", "--json")
    assert res.code == 0, res.text
    data = json.loads(res.out)
    assert data["document"] == "tracked" and data["applied"] == {"tech-dynamic": ["body"]}
    assert data["deleted"] == ["tech-dynamic-policy"]
    assert (tree / "b.md").read_text(encoding="utf-8") == b.read_text(encoding="utf-8")


def test_bookmark_pushed_out_of_its_heading_still_names_the_clause(tree, tmp_path):
    wf = built(tree)
    h = wf.heading("org-committee")
    body = wf.after("org-committee", 0)
    mark = h.find("w:bookmarkStart", NS)
    h.remove(mark)
    empty = etree.Element(W + "p")  # Enter at the start of the heading: the bookmark stays in the empty paragraph
    empty.append(mark)
    h.addprevious(empty)
    wf.retype(body, "委員会を置く。")
    before = snapshot(tree)
    res = run("apply", wf.save(tmp_path / "e.docx"), "--edition", "base", "--json")
    assert res.code == 0, res.text
    data = json.loads(res.out)
    assert data["added"] == [] and data["deleted"] == []
    assert data["applied"] == {"org-committee": ["body"]}
    gone, came = changed_lines(before, tree)["a.md"]
    assert (gone, came) == (["委員会を置く。[](#org-ciso)が主宰する。"], ["委員会を置く。"])


def test_an_interrupted_apply_leaves_the_old_sources(tree, tmp_path, monkeypatch):
    from guideline import fileio

    wf = built(tree)
    wf.retype(wf.after("tech-dynamic", 0), "アクセスの都度、信用情報を評価し、記録する。")
    path = wf.save(tmp_path / "e.docx")
    before = snapshot(tree)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(fileio, "swap_directory", killed)
        res = run("apply", path, "--edition", "base")
    assert res.code == 130
    assert snapshot(tree) == before
    assert sorted(p.name for p in tree.parent.iterdir() if p.is_dir()) == ["base"]
    # a copy left by a killed run (kill -9 between staging and swapping) is removed by the next apply
    (tree.parent / ".base.leftover.tmp").mkdir()
    res = run("apply", path, "--edition", "base")
    assert res.code == 0, res.text
    assert "信用情報を評価し、記録する。" in (tree / "b.md").read_text(encoding="utf-8")
    assert sorted(p.name for p in tree.parent.iterdir() if p.is_dir()) == ["base"]


def test_clauses_with_content_apply_cannot_write_are_left_alone(tree, tmp_path, monkeypatch):
    """A clause holding blocks the canonical form does not know (figures, boxes, footnotes as other writers add
    them) is never rewritten from Word: its edits are reported as ignored."""
    from dataclasses import dataclass, replace

    from guideline import wordview
    from guideline.apply import merge

    @dataclass(frozen=True)
    class Odd:
        line: int = 0

    ed, _ = read_edition(tree)
    ciso = ed.get("org-ciso")
    assert wordview.round_trips(ciso)
    assert not wordview.round_trips(replace(ciso, body=(*ciso.body, Odd())))
    monkeypatch.setattr(merge, "round_trips", lambda clause, **kw: clause.id != "org-ciso")
    wf = built(tree)
    wf.retype(wf.after("org-ciso", 1), "〔○○副市長〕を、CISOとして置く。")
    before = snapshot(tree)
    res = run("apply", wf.save(tmp_path / "e.docx"), "--edition", "base")
    assert res.code == 0, res.text
    assert "ignored: org-ciso: the clause holds content the Word round trip cannot write back" in res.out
    assert snapshot(tree) == before


def test_a_result_that_would_fail_check_is_not_written(tree, tmp_path):
    """Deleting in Word a clause that another clause cross-references would leave a dangling [](#org-ciso):
    the check runs on the staged sources, says why, and nothing is written."""
    wf = built(tree)
    h = wf.heading("org-ciso")
    el = h
    doomed = []
    while True:
        doomed.append(el)
        el = el.getnext()
        if _style(el).startswith("Heading"):
            break
    for el in doomed:
        el.getparent().remove(el)
    before = snapshot(tree)
    res = run("apply", wf.save(tmp_path / "e.docx"), "--edition", "base")
    assert res.code == 1
    assert "org-ciso" in res.err and "would not pass guideline check" in res.err and "nothing was written" in res.err
    assert "base/a.md:" in res.err and ".tmp" not in res.err
    assert snapshot(tree) == before
    assert sorted(p.name for p in tree.parent.iterdir() if p.is_dir()) == ["base"]


def test_a_relative_source_root_works(tree, tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDELINE_SRC", "guideline_src")  # setup_tree made tmp_path the working directory
    wf = built(tree)
    wf.retype(wf.after("tech-dynamic", 0), "アクセスの都度、信用情報を評価し、記録する。")
    res = run("apply", wf.save(tmp_path / "e.docx"), "--edition", "base")
    assert res.code == 0, res.text
    assert "信用情報を評価し、記録する。" in (tree / "b.md").read_text(encoding="utf-8")
    assert "{{○○副市長}}を、CISOとする。" in (tree / "a.md").read_text(encoding="utf-8")


def test_a_clause_with_a_box_is_silent_unless_edited(tree, tmp_path):
    """A clause holding a 参考 box: unedited in Word it is not reported; a paragraph edited beside the box changes
    that line alone, the box's lines stay as written."""
    a = tree / "a.md"
    a.write_text(a.read_text(encoding="utf-8").replace(
        "{{○○副市長}}を、CISOとする。\n", "{{○○副市長}}を、CISOとする。\n\n::: 参考\n副市長が兼ねる例が多い。\n:::\n", 1),
        encoding="utf-8")
    before = snapshot(tree)
    res = run("apply", built(tree).save(tmp_path / "same.docx"), "--edition", "base")
    assert res.code == 0, res.text
    assert "0 clause change(s)" in res.out and "ignored" not in res.out
    wf = built(tree)
    wf.retype(wf.after("org-ciso", 1), "〔○○副市長〕を、CISOとして置く。")
    res = run("apply", wf.save(tmp_path / "edited.docx"), "--edition", "base")
    assert res.code == 0, res.text
    assert "changed: org-ciso: body" in res.out and "ignored" not in res.out
    assert changed_lines(before, tree) == {"a.md": (["{{○○副市長}}を、CISOとする。"], ["{{○○副市長}}を、CISOとして置く。"])}
    assert "::: 参考\n副市長が兼ねる例が多い。\n:::\n" in a.read_text(encoding="utf-8")
