"""comments import of a reviewed DOCX: Word comments → records anchored by the clause bookmarks around them.

The test DOCX is built here with python-docx (real w:comment parts via Document.add_comment) and lxml (bookmarks
named by clause ID, nested as the DOCX writer nests clauses), so the test does not depend on the DOCX writer."""
from __future__ import annotations

import datetime
import zipfile

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from fixtures.comments.support import SRC, run, setup_tree, tree_state

from guideline.comments.store import load_round
from guideline.model import block_text
from guideline.reader import read_edition


def _bookmark(kind: str, bid: int, name: str = ""):
    el = OxmlElement(f"w:bookmark{kind}")
    el.set(qn("w:id"), str(bid))
    if name:
        el.set(qn("w:name"), name)
    return el


def build_reviewed_docx(path, comments_on: dict[str, list[tuple[str, str]]], date="2024-09-15T09:30:00Z"):
    """A DOCX of the fixture edition: each clause is a heading paragraph plus one paragraph per body line, wrapped
    (with its sub-clauses) in a bookmark named by its ID. ``comments_on[clause_id]`` = [(line to comment, text)]."""
    ed, _ = read_edition(SRC / "editions" / "base")
    doc = Document()
    title = doc.add_paragraph()
    title_run = title.add_run("テスト用ガイドライン（表紙）")
    made = []
    counter = [0]

    def add(clause):
        counter[0] += 1
        bid = counter[0]
        head = doc.add_paragraph(f"{clause.number} {clause.heading}".strip())
        head._p.insert(0, _bookmark("Start", bid, clause.id))
        last = head
        for line in block_text(clause.body, ed, clause).split("\n"):
            if not line:
                continue
            para = doc.add_paragraph()
            r = para.add_run(line)
            for wanted, text in comments_on.get(clause.id, []):
                if wanted == line:
                    made.append(doc.add_comment(r, text=text, author="審査委員A", initials="A"))
            last = para
        for child in clause.children:
            last = add(child)
        last._p.append(_bookmark("End", bid))
        return last

    for part in ed.parts:
        add(part)
    made.append(doc.add_comment(title_run, text="表紙の表記を統一してください。", author="審査委員A"))
    for c in made:
        c._comment_elm.set(qn("w:date"), date)
    doc.save(path)
    return path


@pytest.fixture
def tree(tmp_path, monkeypatch):
    return setup_tree(tmp_path, monkeypatch)


def test_word_comments_become_anchored_records(tree, tmp_path):
    src, comments = tree
    path = build_reviewed_docx(tmp_path / "review-A.docx", {
        "org-ciso": [("○○副市長を、CISOとする。", "副市長以外も選べるようにしてください。\n例を追記願います。")],
        "tech-dynamic-owner": [("責任者を置く。第1編第1章参照。", "責任者の役割を例示してください。")],
    })
    r = run("comments", "import", path, "--round", "t-public", "--category", "法人・団体")
    assert r.code == 0, r.text
    data = load_round("t-public", comments)
    by_text = {c.text: c for c in data.comments.values()}
    ciso = by_text["副市長以外も選べるようにしてください。\n例を追記願います。"]
    assert ciso.clauses == ("org-ciso",) and ciso.anchor == "resolved"
    assert ciso.quote == "○○副市長を、CISOとする。"
    assert ciso.location == "第2編第1章 1.(1)"
    assert ciso.name == "審査委員A" and ciso.category == "法人・団体"
    assert ciso.received == datetime.date(2024, 9, 15)
    assert ciso.id.startswith("review-A-")
    # nested bookmarks (tech ⊃ tech-access ⊃ tech-dynamic ⊃ tech-dynamic-owner): the innermost wins
    owner = by_text["責任者の役割を例示してください。"]
    assert owner.clauses == ("tech-dynamic-owner",)
    # a comment outside every clause bookmark is imported and flagged, not dropped
    cover = by_text["表紙の表記を統一してください。"]
    assert cover.anchor == "unresolved" and "not inside any clause bookmark" in cover.anchor_note
    assert "need manual anchoring" in r.out
    # re-import: nothing changes
    before = tree_state(comments)
    r2 = run("comments", "import", path, "--round", "t-public", "--category", "法人・団体")
    assert "0 new, 3 unchanged" in r2.out
    assert tree_state(comments) == before


def test_comment_spanning_two_clauses(tree, tmp_path):
    src, comments = tree
    path = build_reviewed_docx(tmp_path / "span.docx", {})
    doc = Document(path)
    paras = {p.text: p for p in doc.paragraphs}
    first = paras["○○副市長を、CISOとする。"].runs[0]
    last = paras["委員会を置く。1.(1)が主宰する。"].runs[0]
    c = doc.add_comment([first, last], text="両項目にまたがる意見", author="B")
    c._comment_elm.set(qn("w:date"), "2024-09-16T00:00:00Z")
    doc.save(path)
    r = run("comments", "import", path, "--round", "t-public", "--category", "個人", "--id-prefix", "b")
    assert r.code == 0, r.text
    rec = next(x for x in load_round("t-public", comments).comments.values() if x.text == "両項目にまたがる意見")
    assert rec.clauses == ("org-ciso", "org-committee")
    assert "○○副市長を、CISOとする。" in rec.quote and "委員会を置く。" in rec.quote
    assert rec.id.startswith("b-")


def test_docx_needs_a_category_outside_consultations(tree, tmp_path):
    path = build_reviewed_docx(tmp_path / "x.docx", {})
    r = run("comments", "import", path, "--round", "t-public")
    assert r.code == 1 and "--category" in r.err


def _rewrite(src, dest, name, fn):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, fn(data) if info.filename == name else data)
    return dest


def test_docx_with_external_entity_is_refused(tree, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-VALUE", encoding="utf-8")
    good = build_reviewed_docx(tmp_path / "good.docx", {"org-ciso": [("○○副市長を、CISOとする。", "&e;")]})

    def inject(data: bytes) -> bytes:
        doctype = f'<!DOCTYPE w:comments [<!ENTITY e SYSTEM "file://{secret}">]>'.encode()
        data = data.replace(b"&amp;e;", b"&e;")
        return data.replace(b"?>", b"?>" + doctype, 1)

    bad = _rewrite(good, tmp_path / "xxe.docx", "word/comments.xml", inject)
    r = run("comments", "import", bad, "--round", "t-public", "--category", "個人")
    assert r.code == 1 and "DOCTYPE" in r.err
    assert "TOPSECRET" not in r.text
    assert not any("TOPSECRET" in p.read_text(encoding="utf-8") for p in (tmp_path / "comments").rglob("*.yaml"))


def test_docx_entity_is_not_expanded_by_the_parser(tmp_path):
    """Even below the DOCTYPE refusal, the parser itself neither resolves entities nor fetches anything."""
    from lxml import etree

    from guideline.comments.safezip import safe_parser

    secret = tmp_path / "s.txt"
    secret.write_text("TOPSECRET", encoding="utf-8")
    xml = f'<!DOCTYPE r [<!ENTITY e SYSTEM "file://{secret}">]><r>&e;</r>'.encode()
    root = etree.fromstring(xml, parser=safe_parser())
    assert "TOPSECRET" not in etree.tostring(root).decode()


def test_docx_zip_bomb_is_refused(tree, tmp_path):
    good = build_reviewed_docx(tmp_path / "good.docx", {})
    bomb = _rewrite(good, tmp_path / "bomb.docx", "word/document.xml",
                    lambda data: data.replace(b"</w:body>", b"<w:p>" + b" " * (20 * 1024 * 1024) + b"</w:p></w:body>"))
    assert bomb.stat().st_size < 2 * 1024 * 1024
    r = run("comments", "import", bomb, "--round", "t-public", "--category", "個人")
    assert r.code == 1 and "zip bomb" in r.err


def test_not_a_docx(tree, tmp_path):
    path = tmp_path / "fake.docx"
    path.write_bytes(b"PK\x03\x04 not really")
    r = run("comments", "import", path, "--round", "t-public", "--category", "個人")
    assert r.code == 1 and "not a DOCX file" in r.err


def test_comments_on_a_docx_from_our_writer(tree, tmp_path):
    """Integration with `guideline build --format docx`: its bookmarks sit on the clause headings, and the generated
    解説 part has none — comments in the body text and in the 解説 still find their clause."""
    from guideline.writers.edition import docx as writer
    ed, _ = read_edition(SRC / "editions" / "base")
    paths = writer.write(ed, tmp_path / "build")
    path = next(p for p in paths if p.name == "guideline.docx")
    doc = Document(path)
    wanted = {"を、CISOとする。": "例文への意見", "CISOは、最終的な権限と責任を有する。": "解説への意見",
              "テスト用ガイドライン": "表紙への意見"}
    done = set()
    for para in doc.paragraphs:
        for run_ in para.runs:
            if run_.text in wanted and run_.text not in done:
                c = doc.add_comment(run_, text=wanted[run_.text], author="C")
                c._comment_elm.set(qn("w:date"), "2024-09-18T00:00:00Z")
                done.add(run_.text)
    assert done == set(wanted), done
    doc.save(tmp_path / "reviewed.docx")
    r = run("comments", "import", tmp_path / "reviewed.docx", "--round", "t-public", "--category", "個人")
    assert r.code == 0, r.text
    recs = {c.text: c for c in load_round("t-public", tree[1]).comments.values()}
    assert recs["例文への意見"].clauses == ("org-ciso",)
    assert recs["例文への意見"].quote == "を、CISOとする。"
    assert recs["解説への意見"].clauses == ("org-ciso",)  # 第3編第1章 1.(1) is the 例文 clause 1.(1)
    assert recs["表紙への意見"].anchor == "unresolved"
