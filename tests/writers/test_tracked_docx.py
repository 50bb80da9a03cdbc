"""tracked.docx: the new edition with every difference from the old one as Word revisions.

The round trip is checked two ways on every diff fixture (original → each variant) and on the sample pair
r5-03 → draft:

* with pandoc, an independent reader: ``--track-changes=accept`` gives the text of the new edition's guideline.docx,
  ``--track-changes=reject`` the old one's (after normalising whitespace; see the writer's docstring for what pandoc
  does not implement);
* on the XML, resolving the revisions the way Word does (removed content goes, a removed paragraph mark joins the
  paragraph to the next, removed rows go, ``w:pPrChange`` restores the old paragraph properties): every paragraph,
  with its style, equals the plain build's — including the title page, which pandoc does not print, and the header.

Plus the XML contract (unique ids, matching move ranges, author/date), the CLI options, determinism, and LibreOffice.
"""
from __future__ import annotations

import datetime
import difflib
import io
import re
import shutil
import subprocess
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO
from lxml import etree

from guideline import cli
from guideline.diff import compare
from guideline.reader import read_edition
from guideline.writers.changes import ChangeOptions, tracked_docx
from guideline.writers.edition import docx
from guideline.writers.edition import docx_ooxml as ox

W = ox.W
NS = {"w": ox.W_NS}
DIFF_EDITIONS = FIXTURES / "diff" / "src" / "editions"
VARIANTS = sorted(p.name for p in DIFF_EDITIONS.iterdir() if p.name != "original")
WHO, WHEN = "テスト担当", "2024-11-01T00:00:00Z"


REVISIONS = ("ins", "del", "moveFrom", "moveTo")
ID_ELEMENTS = ("ins", "del", "moveFrom", "moveTo", "pPrChange", "rPrChange", "moveFromRangeStart",
               "moveToRangeStart", "bookmarkStart", "commentRangeStart")


# --------------------------------------------------------------------------------------------------------------------
# readers


def read(path: Path):
    ed, report = read_edition(path)
    assert ed is not None and not report.errors, [str(d) for d in report.sorted()]
    return ed


def pandoc_lines(path: Path, *extra: str) -> list[str]:
    """pandoc's plain text, one entry per non-empty line, whitespace removed; pandoc's table rules dropped."""
    out = subprocess.run(["pandoc", "-f", "docx", "-t", "plain", "--wrap=none", *extra, str(path)],
                         capture_output=True, text=True, check=True).stdout
    return ["".join(line.split()) for line in out.split("\n") if not re.fullmatch(r"[\s-]*", line)]


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return etree.fromstring(zf.read(name))


def resolve(root: etree._Element, mode: str) -> list[tuple[str, str]]:
    """(style, text) of every paragraph once all revisions are accepted or rejected, as Word resolves them; table
    rows show as ("<tr>", "") followed by their cell paragraphs."""
    drop = ("del", "moveFrom") if mode == "accept" else ("ins", "moveTo")
    body = root.find(W + "body")
    out: list[tuple[str, str]] = []
    carry: list[str] = []

    def text(el) -> str:
        parts = []
        for c in el:
            tag = etree.QName(c).localname
            if tag in drop or tag == "pPr":
                continue
            if tag == "r":
                for x in c:
                    t = etree.QName(x).localname
                    if t in ("t", "delText"):
                        parts.append(x.text or "")
                    elif t == "tab":
                        parts.append("\t")
                    elif t == "br" and not x.attrib:
                        parts.append("\n")
            elif tag in ("hyperlink", "ins", "del", "moveFrom", "moveTo"):
                parts.append(text(c))
        return "".join(parts)

    def para(p) -> None:
        ppr = p.find(W + "pPr")
        style_el = p.find("w:pPr/w:pStyle", NS)
        if mode == "reject" and p.find("w:pPr/w:pPrChange", NS) is not None:
            style_el = p.find("w:pPr/w:pPrChange/w:pPr/w:pStyle", NS)
        style = style_el.get(W + "val") if style_el is not None else ""
        marks = {etree.QName(m).localname for m in ppr.findall("w:rPr/*", NS)} if ppr is not None else set()
        if marks & set(drop):
            carry.append(text(p))
            return
        out.append((style, "".join(carry) + text(p)))
        carry.clear()

    for el in (body if body is not None else root):
        if el.tag == W + "p":
            para(el)
        elif el.tag == W + "tbl":
            for tr in el.findall(W + "tr"):
                if {etree.QName(m).localname for m in tr.findall("w:trPr/*", NS)} & set(drop):
                    continue
                out.append(("<tr>", ""))
                for p in tr.iter(W + "p"):
                    para(p)
    if carry:
        out.append(("", "".join(carry)))
    return out


def first_difference(expected: list, got: list) -> str:
    return "\n".join(list(difflib.unified_diff([repr(x) for x in expected], [repr(x) for x in got], "expected",
                                               "got", lineterm="", n=2))[:40])


def ids_and_ranges(roots: list[etree._Element]) -> None:
    """w:id unique over every revision, range, bookmark and comment element of the package; ends match starts; every
    moveFrom range has exactly one moveTo range of the same name; moved run content sits inside its ranges."""
    ids: list[str] = []
    for root in roots:
        for tag in ID_ELEMENTS:
            ids.extend(e.get(W + "id") for e in root.iter(W + tag))
    assert all(i and i.isdigit() for i in ids)
    dupes = sorted({i for i in ids if ids.count(i) > 1}, key=int)
    assert not dupes, f"duplicate w:id {dupes[:10]}"
    for root in roots:
        for kind in ("bookmark", "moveFromRange", "moveToRange"):
            starts = [e.get(W + "id") for e in root.iter(W + f"{kind}Start")]
            ends = [e.get(W + "id") for e in root.iter(W + f"{kind}End")]
            assert sorted(starts) == sorted(ends), kind
        names = {e.get(W + "name") for e in root.iter(W + "bookmarkStart")}
        anchors = {h.get(W + "anchor") for h in root.iter(W + "hyperlink") if h.get(W + "anchor")}
        assert anchors <= names, f"links to missing bookmarks: {sorted(anchors - names)[:5]}"
        assert not [h for h in root.iter(W + "hyperlink")
                    if any(a.tag in (W + "del", W + "moveFrom") for a in h.iterancestors())]
        from_names = [e.get(W + "name") for e in root.iter(W + "moveFromRangeStart")]
        to_names = [e.get(W + "name") for e in root.iter(W + "moveToRangeStart")]
        assert len(set(from_names)) == len(from_names) and sorted(from_names) == sorted(to_names)
        open_ranges = {"moveFrom": set(), "moveTo": set()}
        for e in root.iter():
            if not isinstance(e.tag, str):
                continue
            name = etree.QName(e).localname
            for kind in ("moveFrom", "moveTo"):
                if name == f"{kind}RangeStart":
                    open_ranges[kind].add(e.get(W + "id"))
                elif name == f"{kind}RangeEnd":
                    open_ranges[kind].discard(e.get(W + "id"))
                elif name == kind and e.getparent().tag != W + "rPr":
                    assert open_ranges[kind], f"w:{kind} outside a {kind} range"


def revisions(root: etree._Element) -> list[etree._Element]:
    return [e for tag in (*REVISIONS, "pPrChange", "rPrChange") for e in root.iter(W + tag)]


# --------------------------------------------------------------------------------------------------------------------
# module fixtures: every docx built once, pandoc run once per file (in parallel)


def _pandoc_all(jobs: dict) -> dict:
    if shutil.which("pandoc") is None:
        return {}
    with ThreadPoolExecutor(4) as ex:
        futures = {k: ex.submit(pandoc_lines, path, *args) for k, (path, args) in jobs.items()}
        return {k: f.result() for k, f in futures.items()}


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    """Per variant: the changeset, tracked.docx bytes and path, the plain builds of both editions, pandoc texts."""
    tmp = tmp_path_factory.mktemp("tracked")
    original = read(DIFF_EDITIONS / "original")
    old_docx = tmp / "original.docx"
    old_docx.write_bytes(docx.render_guideline(original))
    out: dict = {"original": original, "old_docx": old_docx}
    jobs = {("old",): (old_docx, ())}
    for name in VARIANTS:
        new = read(DIFF_EDITIONS / name)
        cs = compare(original, new)
        data = tracked_docx.render(cs, ChangeOptions(author=WHO, date=WHEN))
        path = tmp / f"{name}.tracked.docx"
        path.write_bytes(data)
        new_docx = tmp / f"{name}.docx"
        new_docx.write_bytes(docx.render_guideline(new))
        out[name] = {"cs": cs, "data": data, "path": path, "new_docx": new_docx}
        jobs[(name, "accept")] = (path, ("--track-changes=accept",))
        jobs[(name, "reject")] = (path, ("--track-changes=reject",))
        jobs[(name, "new")] = (new_docx, ())
    out["pandoc"] = _pandoc_all(jobs)
    return out


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """r5-03 → draft, built once."""
    old, _ = read_edition(REPO / "guideline_src" / "editions" / "r5-03")
    new, report = read_edition(REPO / "guideline_src" / "draft")
    assert new is not None and not report.errors, report.errors
    tmp = tmp_path_factory.mktemp("tracked-sample")
    cs = compare(old, new)
    t0 = time.perf_counter()
    data = tracked_docx.render(cs, ChangeOptions(author=WHO, date=WHEN))
    seconds = time.perf_counter() - t0
    path = tmp / "tracked.docx"
    path.write_bytes(data)
    old_docx, new_docx = tmp / "r5-03.docx", tmp / "draft.docx"
    old_docx.write_bytes(docx.render_guideline(old))
    new_docx.write_bytes(docx.render_guideline(new))
    texts = _pandoc_all({"accept": (path, ("--track-changes=accept",)), "reject": (path, ("--track-changes=reject",)),
                         "new": (new_docx, ()), "old": (old_docx, ())})
    return {"cs": cs, "data": data, "path": path, "old_docx": old_docx, "new_docx": new_docx, "pandoc": texts,
            "seconds": seconds}


# --------------------------------------------------------------------------------------------------------------------
# round trip


@pytest.mark.needs_pandoc
@pytest.mark.parametrize("variant", VARIANTS)
def test_pandoc_accept_gives_new_and_reject_gives_old(fixtures, variant):
    texts = fixtures["pandoc"]
    accepted, rejected = texts[(variant, "accept")], texts[(variant, "reject")]
    assert accepted == texts[(variant, "new")], first_difference(texts[(variant, "new")], accepted)
    assert rejected == texts[("old",)], first_difference(texts[("old",)], rejected)


@pytest.mark.parametrize("variant", VARIANTS)
def test_resolving_revisions_gives_every_paragraph_and_style_of_both_builds(fixtures, variant):
    f = fixtures[variant]
    tracked = part(f["data"], "word/document.xml")
    new = resolve(part(f["new_docx"].read_bytes(), "word/document.xml"), "accept")
    old = resolve(part(fixtures["old_docx"].read_bytes(), "word/document.xml"), "accept")
    accepted, rejected = resolve(tracked, "accept"), resolve(tracked, "reject")
    assert accepted == new, first_difference(new, accepted)
    assert rejected == old, first_difference(old, rejected)
    header = part(f["data"], "word/header1.xml")
    assert resolve(header, "accept") == resolve(part(f["new_docx"].read_bytes(), "word/header1.xml"), "accept")
    assert resolve(header, "reject") == resolve(part(fixtures["old_docx"].read_bytes(), "word/header1.xml"), "accept")


@pytest.mark.parametrize("variant", VARIANTS)
def test_ids_unique_ranges_matched_author_and_date(fixtures, variant):
    data = fixtures[variant]["data"]
    doc, header = part(data, "word/document.xml"), part(data, "word/header1.xml")
    ids_and_ranges([doc, header])
    revs = revisions(doc) + revisions(header)
    assert revs and all(e.get(W + "author") == WHO and e.get(W + "date") == WHEN for e in revs)
    assert doc.find(".//w:del//w:t", NS) is None and doc.find(".//w:ins//w:delText", NS) is None
    assert part(data, "word/settings.xml").find("w:trackRevisions", NS) is not None


# --------------------------------------------------------------------------------------------------------------------
# what each kind of change looks like


def heading_p(doc: etree._Element, clause_id: str) -> etree._Element:
    bm = doc.find(f".//w:bookmarkStart[@w:name='{clause_id}']", NS)
    assert bm is not None, clause_id
    return bm.getparent()


def runs_of(p: etree._Element) -> list[tuple[str, str]]:
    """(how, text) per run in order: how is the revision wrapper (ins/del/moveFrom/moveTo) or '' for plain."""
    out = []
    for r in p.iter(W + "r"):
        parent = r.getparent()
        how = etree.QName(parent).localname if etree.QName(parent).localname in REVISIONS else ""
        out.append((how, "".join(t.text or "" for t in r if etree.QName(t).localname in ("t", "delText"))))
    return out


def mark(p: etree._Element) -> str:
    m = p.find("w:pPr/w:rPr/*", NS)
    return etree.QName(m).localname if m is not None and etree.QName(m).localname in REVISIONS else ""


def paragraphs_with(doc: etree._Element, text: str) -> list[etree._Element]:
    return [p for p in doc.iter(W + "p") if text in "".join(t.text or "" for t in p.iter(W + "t", W + "delText"))]


def test_text_edit_is_a_morpheme_replacement_deletion_first(fixtures):
    doc = part(fixtures["text-edit"]["data"], "word/document.xml")
    p = paragraphs_with(doc, "調達仕様書に")[0]
    rs = [x for x in runs_of(p) if x[0]]
    assert rs == [("del", "記載"), ("ins", "明記")]
    # the same edit in the 解説: 令和六年度から inserted inside the commentary paragraph
    (c,) = [p for p in paragraphs_with(doc, "最終的な権限と責任を有する") if p.find("w:pPr/w:pStyle", NS)
            .get(W + "val") == "Commentary"]
    assert ("ins", "令和六年度から") in runs_of(c) and mark(c) == ""


def test_inserted_clause_and_renumbering(fixtures):
    doc = part(fixtures["insert"]["data"], "word/document.xml")
    new = heading_p(doc, "org-audit-chief")
    assert mark(new) == "ins" and {how for how, _ in runs_of(new)} == {"ins"}
    body = new.getnext()
    assert mark(body) == "ins" and "".join(t for _, t in runs_of(body)) == "〔○○部長〕を、情報セキュリティ監査統括責任者とする。"
    # the follower changed its number only: a tracked replacement of the number text
    assert [x for x in runs_of(heading_p(doc, "org-chief")) if x[0]] == [("del", "(2)"), ("ins", "(3)")]
    # and in the 目次? level-5 clauses are not listed; the 解説 part lists only clauses with 解説
    assert not [p for p in paragraphs_with(doc, "情報セキュリティ監査統括責任者") if mark(p) != "ins"
                and p is not body]


def test_deleted_clause_stands_where_it_stood_with_deleted_marks(fixtures):
    doc = part(fixtures["delete"]["data"], "word/document.xml")
    (h,) = [p for p in paragraphs_with(doc, "統括情報セキュリティ責任者") if p.find("w:pPr/w:pStyle", NS) is not None
            and p.find("w:pPr/w:pStyle", NS).get(W + "val") == "Heading5"]
    assert mark(h) == "del" and runs_of(h) == [("del", "(2)　"), ("del", "統括情報セキュリティ責任者")]
    assert h.find(".//w:bookmarkStart", NS) is None  # the old clause has no bookmark in the new document
    body = h.getnext()
    assert mark(body) == "del" and all(how == "del" for how, _ in runs_of(body))
    # between the CISO clause (before it in the old edition) and the committee heading, renumbered (3) → (2)
    committee = heading_p(doc, "org-committee")
    assert body.getnext() is committee
    assert [x for x in runs_of(committee) if x[0]] == [("del", "(3)"), ("ins", "(2)")]


def test_move_to_another_section_uses_named_move_ranges(fixtures):
    doc = part(fixtures["move"]["data"], "word/document.xml")
    (start_from,) = doc.iter(W + "moveFromRangeStart")
    (start_to,) = doc.iter(W + "moveToRangeStart")
    assert start_from.get(W + "name") == start_to.get(W + "name")
    to_heading = heading_p(doc, "tech-logging")
    assert start_to.getparent() is to_heading and mark(to_heading) == "moveTo"
    assert [how for how, _ in runs_of(to_heading)] == ["moveTo", "moveTo"]
    from_heading = start_from.getparent()
    assert mark(from_heading) == "moveFrom" and [t for _, t in runs_of(from_heading)] == ["(2)　", "ログの取得"]
    order = list(doc.iter(W + "p"))
    # old place: in 3.1 アクセス制御 before 3.2 運用管理; new place: after 障害対応 in 3.2
    assert order.index(from_heading) < order.index(heading_p(doc, "tech-ops")) < order.index(to_heading)
    assert order.index(heading_p(doc, "tech-incident")) < order.index(to_heading)
    # the moved text itself stays w:t inside w:moveFrom
    assert doc.find(".//w:moveFrom/w:r/w:t", NS) is not None


def test_split_inserts_a_paragraph_mark_and_merge_deletes_one(fixtures):
    doc = part(fixtures["split"]["data"], "word/document.xml")
    first = heading_p(doc, "assets-mgmt").getnext()
    assert "".join(t for _, t in runs_of(first)) == "情報資産の管理責任者を定め、台帳により管理する。"
    assert mark(first) == "ins" and mark(heading_p(doc, "assets-takeout")) == "ins"
    second = heading_p(doc, "assets-takeout").getnext()
    assert mark(second) == "" and {how for how, _ in runs_of(second)} == {""}

    doc = part(fixtures["merge"]["data"], "word/document.xml")
    merged = heading_p(doc, "assets-media-disposal")
    assert [x for x in runs_of(merged) if x[0]] == [("ins", "及び記録")]
    first = merged.getnext()
    assert mark(first) == "del" and {how for how, _ in runs_of(first)} == {""}
    gone = first.getnext()  # the old heading of the second clause, deleted between the two pieces
    assert mark(gone) == "del" and [t for _, t in runs_of(gone)] == ["(4)　", "廃棄の記録"]
    last = gone.getnext()
    assert mark(last) == "" and "".join(t for _, t in runs_of(last)).startswith("記録媒体を廃棄した場合は")


def test_heading_mapping_table_and_id_changes(fixtures):
    doc = part(fixtures["heading-change"]["data"], "word/document.xml")
    assert [x for x in runs_of(heading_p(doc, "tech-dynamic")) if x[0]] == [("ins", "の実装")]
    toc = [p for p in paragraphs_with(doc, "動的なアクセス制御") if p.find("w:pPr/w:pStyle", NS) is not None
           and p.find("w:pPr/w:pStyle", NS).get(W + "val").startswith("TOC")]
    assert toc == []  # level 5: not in the 目次 (levels 1–3)

    doc = part(fixtures["mapping-change"]["data"], "word/document.xml")
    (note,) = paragraphs_with(doc, "【統一基準 2.1.1(1)-1】")
    assert mark(note) == "ins" and {how for how, _ in runs_of(note)} == {"ins"}
    (changed,) = paragraphs_with(doc, "【統一基準 2.1.1(2)(a)】")
    kinds = [how for how, _ in runs_of(changed)]
    assert "del" in kinds and "ins" in kinds and mark(changed) == ""

    doc = part(fixtures["combined"]["data"], "word/document.xml")
    (cell,) = [p for p in paragraphs_with(doc, "住民の個人情報") if p.getparent().tag == W + "tc"]
    assert runs_of(cell) == [("", "住民の個人情報"), ("ins", "、税情報")]

    for name in ("id-change", "id-replaces"):  # an ID change alone changes nothing the reader sees
        doc = part(fixtures[name]["data"], "word/document.xml")
        changed_styles = {p.find("w:pPr/w:pStyle", NS).get(W + "val")
                          for p in doc.iter(W + "p") if p.find(".//w:ins", NS) is not None}
        assert changed_styles == {"Subtitle"}  # the edition label on the title page


def test_title_page_and_running_header_show_the_label_change(fixtures):
    data = fixtures["combined"]["data"]
    doc = part(data, "word/document.xml")
    (sub,) = [p for p in doc.iter(W + "p") if p.find("w:pPr/w:pStyle[@w:val='Subtitle']", NS) is not None]
    assert runs_of(sub) == [("del", "原版"), ("ins", "複合改正版")]
    header = part(data, "word/header1.xml")
    assert ("del", "原版") in runs_of(header) and ("ins", "複合改正版") in runs_of(header)


# --------------------------------------------------------------------------------------------------------------------
# the sample pair r5-03 → draft


@pytest.mark.needs_pandoc
def test_sample_pandoc_round_trip(sample):
    texts = sample["pandoc"]
    assert texts["accept"] == texts["new"], first_difference(texts["new"], texts["accept"])
    assert texts["reject"] == texts["old"], first_difference(texts["old"], texts["reject"])
    assert len(texts["new"]) > 1000 and len(texts["old"]) > 1000 and texts["new"] != texts["old"]


def test_sample_resolves_to_both_builds(sample):
    tracked = part(sample["data"], "word/document.xml")
    new = resolve(part(sample["new_docx"].read_bytes(), "word/document.xml"), "accept")
    old = resolve(part(sample["old_docx"].read_bytes(), "word/document.xml"), "accept")
    assert resolve(tracked, "accept") == new, first_difference(new, resolve(tracked, "accept"))
    assert resolve(tracked, "reject") == old, first_difference(old, resolve(tracked, "reject"))
    ids_and_ranges([tracked, part(sample["data"], "word/header1.xml")])
    assert sample["seconds"] < 20


def test_sample_every_change_kind_is_a_revision(sample):
    doc = part(sample["data"], "word/document.xml")
    cs = sample["cs"]
    heads = {e.get(W + "name"): e.getparent() for e in doc.iter(W + "bookmarkStart")}
    assert set(heads) == {c.id for c in cs.new.clauses()}
    seen = set()
    for ch in cs.changes:
        if ch.kind == "added":
            for c in ch.new:
                assert mark(heads[c.id]) == "ins", c.id
            seen.add("added")
        elif ch.kind == "deleted":
            old = ch.old[0]
            hits = [p for p in paragraphs_with(doc, old.heading) if mark(p) == "del"
                    and old.number in "".join(t for _, t in runs_of(p))]
            assert hits, old.id
            seen.add("deleted")
        elif ch.kind == "changed" and ch.aspects == ("number",) and ch.old[0].number != ch.new[0].number:
            rs = [x for x in runs_of(heads[ch.new[0].id]) if x[0]]
            assert rs == [("del", ch.old[0].number), ("ins", ch.new[0].number)], ch.new[0].id
            seen.add("renumbered")
        elif ch.kind == "changed" and "moved" in ch.aspects:
            assert mark(heads[ch.new[0].id]) == "moveTo", ch.new[0].id
            seen.add("moved")
        elif ch.kind == "changed" and "heading" in ch.aspects:
            assert any(how in ("ins", "del") for how, _ in runs_of(heads[ch.new[0].id])), ch.new[0].id
    assert {"added", "deleted", "renumbered"} <= seen


def test_render_is_deterministic(fixtures, sample):
    cs = fixtures["combined"]["cs"]
    assert tracked_docx.render(cs, ChangeOptions(author=WHO, date=WHEN)) == fixtures["combined"]["data"]
    assert tracked_docx.render(sample["cs"], ChangeOptions(author=WHO, date=WHEN)) == sample["data"]


# --------------------------------------------------------------------------------------------------------------------
# the command line


def run_cli(*args: str) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(list(args))
    assert exc.value.code == 0


def test_cli_author_and_date_options_and_defaults(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    old, new = DIFF_EDITIONS / "original", DIFF_EDITIONS / "combined"
    run_cli("diff", str(old), str(new), "-o", str(tmp_path / "a"), "--format", "tracked", "-q",
            "--author", "事務局", "--date", "2024-11-01T09:00:00+09:00")
    doc = part((tmp_path / "a" / "tracked.docx").read_bytes(), "word/document.xml")
    revs = revisions(doc)
    assert revs and {(e.get(W + "author"), e.get(W + "date")) for e in revs} == {("事務局", "2024-11-01T00:00:00Z")}
    run_cli("diff", str(old), str(new), "-o", str(tmp_path / "b"), "--format", "tracked", "-q")
    data = (tmp_path / "b" / "tracked.docx").read_bytes()
    meta = read(new).meta
    expected = (meta.title, f"{meta.date.isoformat()}T00:00:00Z")
    assert {(e.get(W + "author"), e.get(W + "date")) for e in revisions(part(data, "word/document.xml"))} == {expected}
    run_cli("diff", str(old), str(new), "-o", str(tmp_path / "c"), "--format", "tracked", "-q")
    assert (tmp_path / "c" / "tracked.docx").read_bytes() == data
    capsys.readouterr()


def test_revision_date_forms():
    cs = compare(read(DIFF_EDITIONS / "original"), read(DIFF_EDITIONS / "text-edit"))
    assert tracked_docx.revision_date(None, cs) == "2024-10-02T00:00:00Z"
    assert tracked_docx.revision_date(datetime.date(2025, 1, 2), cs) == "2025-01-02T00:00:00Z"
    assert tracked_docx.revision_date("2025-01-02T18:30:00+09:00", cs) == "2025-01-02T09:30:00Z"
    assert tracked_docx.revision_date("2025-01-02", cs) == "2025-01-02T00:00:00Z"
    with pytest.raises(Exception, match="not an ISO date"):
        tracked_docx.revision_date("yesterday", cs)


# --------------------------------------------------------------------------------------------------------------------
# LibreOffice opens it (once)


@pytest.mark.needs_libreoffice
@pytest.mark.slow
def test_libreoffice_opens_and_shows_both_sides(fixtures, tmp_path):
    src = fixtures["combined"]["path"]
    profile = tmp_path / "lo-profile"
    proc = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(src)], capture_output=True, text=True, timeout=180)
    pdf = tmp_path / (src.stem + ".pdf")
    assert proc.returncode == 0 and pdf.is_file(), proc.stderr
    text = "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                  check=True).stdout.split())
    # with changes shown, both the inserted and the deleted words are on the page
    assert "本市の" in text and "最終決定的な権限" in text and "複合改正版" in text and "原版" in text


# --------------------------------------------------------------------------------------------------------------------
# the old side's unchanged clauses are copied from the new side's layout


def test_copying_unchanged_clauses_gives_the_bytes_of_laying_out_both_sides(fixtures, tmp_path, monkeypatch):
    """Clauses that lay out the same in both editions are copied to the old side instead of laid out again; the
    document must be byte-identical to laying out every clause of both. The variant shifts every source line, makes
    one clause bold without changing its text (unchanged to the diff, but not the same paragraphs) and gives the
    edition a catalog whose heading for a mapped clause differs (so its 統一基準 note differs)."""
    variant = tmp_path / "variant"
    shutil.copytree(DIFF_EDITIONS / "original", variant)
    a = variant / "a.md"
    text = a.read_text(encoding="utf-8")
    assert "委員会を置く。" in text
    text = text.replace("本ガイドラインの目的を定める。", "本ガイドラインの目的を定める。\n\n\n")
    text = text.replace("委員会を置く。", "**委員会**を置く。")
    a.write_text(text, encoding="utf-8")
    catalog = (FIXTURES / "diff" / "src" / "nisc" / "test-r7.yaml").read_text(encoding="utf-8")
    assert "最高情報セキュリティ責任者の設置" in catalog
    (variant / "nisc").mkdir()
    (variant / "nisc" / "test-r7.yaml").write_text(
        catalog.replace("最高情報セキュリティ責任者の設置", "最高情報セキュリティ責任者の任命"), encoding="utf-8")
    cases = [compare(fixtures["original"], read(variant)), fixtures["combined"]["cs"]]
    for cs in cases:
        verdicts: dict[str, bool] = {}
        same = tracked_docx.same_rendering

        def counted(ch, changeset, same=same, verdicts=verdicts):
            verdicts[ch.new[0].id if ch.new else ch.old[0].id] = result = same(ch, changeset)
            return result

        monkeypatch.setattr(tracked_docx, "same_rendering", counted)
        copied = tracked_docx.render(cs, ChangeOptions(author=WHO, date=WHEN))
        monkeypatch.setattr(tracked_docx, "same_rendering", lambda ch, changeset: False)
        laid_out = tracked_docx.render(cs, ChangeOptions(author=WHO, date=WHEN))
        monkeypatch.setattr(tracked_docx, "same_rendering", same)
        assert copied == laid_out
        unchanged = [ch.new[0].id for ch in cs.changes if ch.kind == "unchanged"]
        assert sum(verdicts.values()) >= len(unchanged) - 3 > 0
    variant_verdicts = {ch.new[0].id: ch.kind for ch in cases[0].changes if ch.new}
    assert variant_verdicts["org-committee"] == "unchanged" and variant_verdicts["org-ciso"] == "unchanged"
    cs = cases[0]
    by_id = {ch.new[0].id: ch for ch in cs.changes if ch.new}
    assert not tracked_docx.same_rendering(by_id["org-committee"], cs)  # bold
    assert not tracked_docx.same_rendering(by_id["org-ciso"], cs)  # catalog heading
    assert tracked_docx.same_rendering(by_id["gen-purpose"], cs)  # only its lines moved
