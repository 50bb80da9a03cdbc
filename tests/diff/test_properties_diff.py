"""Properties of the clause diff on generated editions (hypothesis; issue 9).

Small editions are generated as source trees (``edition.yaml`` + Markdown with ``{#id}`` headings, bodies of
Japanese sentences, lists, tables, 解説 and metadata) and read with the real reader. B is made from A by random
edits: text and heading changes, added, deleted and moved clauses, sibling swaps (renumbering), splits and merges
with lineage metadata, ID changes with ``replaces``, metadata changes.

* ``diff(A, A)``: every clause is ``unchanged``, and every output is empty of changes (changes.json, redline.html,
  tracked.docx without a single revision).
* ``diff(A, B)``: every clause of A and of B is accounted for exactly once; change kinds agree with their sides; a
  clause ID present on both sides is one change; lineage metadata groups what it names.
* tracked.docx: accepting every revision (on the XML, implemented here: ``w:ins``/``w:del``/``w:moveFrom``/
  ``w:moveTo`` content, paragraph-mark and table-row revisions, ``w:pPrChange``, ``w:rPrChange``) gives the
  paragraphs (style and text) of B's own Word build, rejecting every revision gives A's; and the accepted text
  holds B's headings and paragraphs in reading order. One fixed case is checked with pandoc
  ``--track-changes=accept|reject`` as an independent reader.

Runs are derandomized with bounded example counts (``EXAMPLES``), so CI is reproducible.
"""
from __future__ import annotations

import copy
import io
import json
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree

from guideline.diff import compare
from guideline.writers.changes import changes_json
from guideline.reader import read_edition
from guideline.writers.changes import ChangeOptions, redline_html, tracked_docx
from guideline.writers.edition import docx

EXAMPLES = {"identity": 30, "accounting": 100, "tracked": 60}


def _settings(n: int):
    return settings(derandomize=True, max_examples=n, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
NS = {"w": W_NS}

# --------------------------------------------------------------------------------------------------------------------
# a small source-tree model and its Markdown

WORDS = ["情報資産", "職員", "管理者", "端末", "ネットワーク", "外部記録媒体", "アクセス権限", "委員会", "監査",
         "教育", "研修", "規程", "手順", "障害", "事故", "報告", "暗号化", "パスワード", "バックアップ", "ログ",
         "サーバ", "クラウド", "委託先", "住民", "個人情報", "機密性", "完全性", "可用性", "利用者", "点検"]
VERBS = ["を定める", "を管理する", "を確認する", "を記録する", "を報告する", "を見直す", "を実施する", "を制限する"]
HEADS = ["組織体制", "情報資産の分類", "物理的セキュリティ", "人的セキュリティ", "技術的セキュリティ", "運用",
         "外部委託", "評価・見直し", "例外措置", "法令遵守", "事故対応", "教育・訓練"]
MODELS = ["alpha", "alpha-prime", "beta", "beta-prime"]


@dataclass
class Rec:
    """One clause as written in the source: level, ID, heading, body paragraphs, an optional list and table,
    解説 paragraphs and metadata."""

    id: str
    level: int
    heading: str
    paras: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)
    commentary: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    split_from: str = ""
    merged_from: list[str] = field(default_factory=list)
    replaces: str = ""


def render(recs: list[Rec]) -> str:
    out = []
    for r in recs:
        out.append(f"{'#' * r.level} {r.heading} {{#{r.id}}}\n")
        meta = []
        if r.models:
            meta.append(f"models: [{', '.join(r.models)}]")
        if r.split_from:
            meta.append(f"split_from: {r.split_from}")
        if r.merged_from:
            meta.append(f"merged_from: [{', '.join(r.merged_from)}]")
        if r.replaces:
            meta.append(f"replaces: {r.replaces}")
        if meta:
            out.append("```yaml\n" + "\n".join(meta) + "\n```\n")
        out.extend(p + "\n" for p in r.paras)
        if r.items:
            out.append("".join(f"- {i}\n" for i in r.items))
        if r.table:
            rows = [r.table[0], ["---"] * len(r.table[0]), *r.table[1:]]
            out.append("".join("| " + " | ".join(row) + " |\n" for row in rows))
        if r.commentary:
            out.append("::: 解説\n" + "\n\n".join(r.commentary) + "\n:::\n")
    return "\n".join(out)


CATALOG = FIXTURES / "src" / "nisc" / "test-r7.yaml"


def write_tree(root: Path, name: str, recs: list[Rec]):
    if not (root / "nisc").is_dir():
        (root / "nisc").mkdir()
        shutil.copy(CATALOG, root / "nisc" / "test-r7.yaml")
    d = root / name
    d.mkdir(parents=True)
    (d / "edition.yaml").write_text(
        f"id: {name}\ntitle: 生成されたガイドライン\nlabel: {name}版\ndate: 2024-10-02\nstatus: 案\n"
        f"nisc_catalog: test-r7\nreibun_part: {recs[0].id}\nfiles:\n  - a.md\n", encoding="utf-8")
    (d / "a.md").write_text(render(recs), encoding="utf-8")
    ed, report = read_edition(d)
    assert ed is not None and not report.errors, ([str(x) for x in report.errors], render(recs))
    return ed



def edited_pair(data):
    """Draw an edition A and an edited B from it: their records, the edits made, and both read as editions."""
    a_recs = data.draw(records())
    b_recs, edits = data.draw(edited(a_recs))
    with tempfile.TemporaryDirectory() as tmp:
        a, b = write_tree(Path(tmp), "a", a_recs), write_tree(Path(tmp), "b", b_recs)
    return a_recs, b_recs, edits, a, b


# --------------------------------------------------------------------------------------------------------------------
# strategies

sentence = st.builds(lambda ws, v: "、".join(ws) + v + "。", st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
                     st.sampled_from(VERBS))
paragraph = st.lists(sentence, min_size=1, max_size=3).map("".join)


@st.composite
def records(draw) -> list[Rec]:
    n = draw(st.integers(2, 9))
    levels = [1]
    for _ in range(n - 1):  # often a sibling of the clause before (so swaps and merges find partners)
        same = levels[-1] > 1 and draw(st.booleans())
        levels.append(levels[-1] if same else draw(st.sampled_from([2, 3, 3, 4, 5, 5, 6])))
    ids = draw(st.lists(st.from_regex(r"[a-z][a-z0-9]{2,8}", fullmatch=True), min_size=n, max_size=n, unique=True))
    recs = []
    for level, ident in zip(levels, ids):
        recs.append(Rec(
            id=ident, level=level, heading=draw(st.sampled_from(HEADS)) + draw(st.sampled_from(["", "の基本", "等"])),
            paras=draw(st.lists(paragraph, min_size=0 if level < 3 else 1, max_size=3)),
            items=draw(st.one_of(st.just([]), st.lists(sentence, min_size=1, max_size=3))),
            table=draw(st.one_of(st.just([]), st.lists(st.lists(st.sampled_from(WORDS), min_size=2, max_size=2),
                                                       min_size=2, max_size=3))),
            commentary=draw(st.one_of(st.just([]), st.lists(paragraph, min_size=1, max_size=2))),
            models=draw(st.lists(st.sampled_from(MODELS), unique=True, max_size=2)),
        ))
    return recs


def subtree_end(recs: list[Rec], i: int) -> int:
    j = i + 1
    while j < len(recs) and recs[j].level > recs[i].level:
        j += 1
    return j


EDITS = ["text", "heading", "add", "delete", "move", "swap", "split", "split", "merge", "merge", "replaces",
         "metadata"]


@st.composite
def edited(draw, a: list[Rec]) -> tuple[list[Rec], list[str]]:
    """B: A after 1–4 random edits; returns the records and the edits made."""
    b = copy.deepcopy(a)
    old_ids = {r.id for r in a}
    lineage_done: set[str] = set()
    done = []
    fresh = iter(f"new{k}" for k in range(100))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(EDITS))
        i = draw(st.integers(1, len(b) - 1)) if len(b) > 1 else 0
        r = b[i]
        if kind == "text":
            if r.paras and draw(st.booleans()):
                k = draw(st.integers(0, len(r.paras) - 1))
                op = draw(st.sampled_from(["word", "append", "drop", "replace"]))
                if op == "word":
                    w = draw(st.sampled_from(WORDS))
                    r.paras[k] = re.sub("|".join(WORDS), w, r.paras[k], count=1)
                elif op == "append":
                    r.paras[k] += draw(sentence)
                elif op == "drop":
                    del r.paras[k]
                else:
                    r.paras[k] = draw(paragraph)
            elif r.items:
                r.items[draw(st.integers(0, len(r.items) - 1))] = draw(sentence)
            else:
                r.paras.append(draw(paragraph))
        elif kind == "heading":
            r.heading = draw(st.sampled_from(HEADS)) + "の見直し"
        elif kind == "add":
            b.insert(draw(st.integers(1, len(b))), Rec(next(fresh), draw(st.sampled_from([2, 3, 5, 6])),
                                                       draw(st.sampled_from(HEADS)) + "（新設）",
                                                       paras=[draw(paragraph)]))
        elif kind == "delete" and len(b) > 2:
            del b[i:subtree_end(b, i)]
        elif kind == "move" and len(b) > 2:
            block = b[i:subtree_end(b, i)]
            del b[i:subtree_end(b, i)]
            b[draw(st.integers(1, len(b))):0] = block
        elif kind == "swap":
            j = subtree_end(b, i)
            if j < len(b) and b[j].level == r.level:
                b[i:subtree_end(b, j)] = b[j:subtree_end(b, j)] + b[i:j]
        elif kind == "split":
            can = [k for k, x in enumerate(b) if k and x.id in old_ids and x.id not in lineage_done
                   and len(x.paras) >= 2]
            if not can:
                continue
            i = draw(st.sampled_from(can))
            r = b[i]
            k = draw(st.integers(1, len(r.paras) - 1))
            piece = Rec(next(fresh), r.level, r.heading + "（分割）", paras=r.paras[k:], split_from=r.id)
            del r.paras[k:]
            b.insert(subtree_end(b, i), piece)
            lineage_done.add(r.id)
        elif kind == "merge":  # two neighbouring leaf siblings become one
            can = [k for k in range(1, len(b) - 1) if b[k + 1].level == b[k].level and subtree_end(b, k) == k + 1
                   and subtree_end(b, k + 1) == k + 2 and {b[k].id, b[k + 1].id} <= old_ids
                   and not {b[k].id, b[k + 1].id} & lineage_done]
            if not can:
                continue
            i = draw(st.sampled_from(can))
            r, j = b[i], i + 1
            r.paras += b[j].paras
            r.merged_from = [r.id, b[j].id]
            lineage_done |= {r.id, b[j].id}
            del b[j]
        elif kind == "replaces" and r.id in old_ids and r.id not in lineage_done:
            lineage_done.add(r.id)
            r.replaces, r.id = r.id, next(fresh)
        elif kind == "metadata":
            r.models = [m for m in MODELS if m not in r.models][:1]
        done.append(kind)
    return b, done


# --------------------------------------------------------------------------------------------------------------------
# accepting and rejecting Word revisions, on the XML

def resolve_revisions(root: etree._Element, mode: str) -> etree._Element:
    """A copy of a WordprocessingML part with every revision accepted (``mode="accept"``) or rejected."""
    root = copy.deepcopy(root)
    gone, kept = (("del", "moveFrom"), ("ins", "moveTo")) if mode == "accept" else (("ins", "moveTo"),
                                                                                     ("del", "moveFrom"))

    def local(el) -> str:
        return etree.QName(el).localname if isinstance(el.tag, str) else ""

    # table rows inserted (reject) or deleted (accept) go
    for tr in list(root.iter(W + "tr")):
        if any(local(m) in gone for m in tr.findall("w:trPr/*", NS)):
            tr.getparent().remove(tr)
    # paragraph properties: accept keeps the new ones, reject restores the old ones
    for change in list(root.iter(W + "pPrChange")):
        ppr = change.getparent()
        if mode == "reject":
            old = change.find(W + "pPr")
            keep = [c for c in ppr if local(c) in ("rPr", "sectPr")]
            for c in list(ppr):
                ppr.remove(c)
            for c in (list(old) if old is not None else []):
                ppr.append(c)
            for c in keep:
                ppr.append(c)
        else:
            ppr.remove(change)
    # run properties
    for change in list(root.iter(W + "rPrChange")):
        rpr = change.getparent()
        if mode == "reject" and rpr.getparent() is not None and local(rpr.getparent()) == "r":
            old = change.find(W + "rPr")
            for c in list(rpr):
                rpr.remove(c)
            for c in (list(old) if old is not None else []):
                rpr.append(c)
        else:
            rpr.remove(change)
    # removed content goes, kept content is unwrapped (deleted text becomes text again on reject)
    for el in list(root.iter(*(W + g for g in gone))):
        parent = el.getparent()
        if parent is not None and local(parent) not in ("rPr", "trPr"):
            parent.remove(el)
    for el in list(root.iter(*(W + k for k in kept))):
        parent = el.getparent()
        if parent is None or local(parent) in ("rPr", "trPr"):
            continue
        i = parent.index(el)
        for c in reversed(list(el)):
            parent.insert(i, c)
        parent.remove(el)
    if mode == "reject":
        for t in root.iter(W + "delText"):
            t.tag = W + "t"
    for name in ("moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd"):
        for el in list(root.iter(W + name)):
            el.getparent().remove(el)
    # a removed paragraph mark joins the paragraph with the next one in reading order (its content goes to the
    # front of that paragraph, which keeps its own properties)
    # (the document's final paragraph mark cannot be removed: Word leaves that paragraph, emptied, in place)
    paras = list(root.iter(W + "p"))
    for k, p in enumerate(paras):
        marks = p.findall("w:pPr/w:rPr/*", NS)
        if any(local(m) in gone for m in marks) and k + 1 < len(paras):
            nxt = paras[k + 1]
            at = 1 if nxt.find(W + "pPr") is not None else 0
            for c in reversed([c for c in p if local(c) != "pPr"]):
                nxt.insert(at, c)
            p.getparent().remove(p)
            continue
        for m in marks:
            if local(m) in kept or local(m) in gone:
                m.getparent().remove(m)
    for trpr in root.iter(W + "trPr"):
        for m in list(trpr):
            if local(m) in kept:
                trpr.remove(m)
    return root


def leftover_revisions(root: etree._Element) -> list[str]:
    names = ("ins", "del", "moveFrom", "moveTo", "pPrChange", "rPrChange", "delText", "moveFromRangeStart",
             "moveToRangeStart")
    return [etree.QName(el).localname for el in root.iter(*(W + n for n in names))]


def paragraphs(root: etree._Element) -> list[tuple[str, str]]:
    """(style, text) of every paragraph in document order; table rows as ("<tr>", "")."""
    out = []
    for el in root.iter(W + "p", W + "tr"):
        if el.tag == W + "tr":
            out.append(("<tr>", ""))
            continue
        style = el.find("w:pPr/w:pStyle", NS)
        text = []
        for node in el.iter(W + "t", W + "tab", W + "br", W + "delText"):
            tag = etree.QName(node).localname
            if node.getparent().tag == W + "tabs":  # a tab stop of the paragraph's properties, not a character
                continue
            text.append(node.text or "" if tag in ("t", "delText") else "\t" if tag == "tab" else "\n")
        out.append((style.get(W + "val") if style is not None else "", "".join(text)))
    return out


def final_mark_removed(root: etree._Element, mode: str) -> bool:
    """Whether the document's last paragraph has its mark inserted (reject) or deleted (accept)."""
    last = list(root.iter(W + "p"))[-1]
    gone = ("del", "moveFrom") if mode == "accept" else ("ins", "moveTo")
    return any(etree.QName(m).localname in gone for m in last.findall("w:pPr/w:rPr/*", NS))


KNOWN = {"final-mark": 0}


def same_paragraphs(tracked: etree._Element, mode: str, got: list, want: list) -> bool:
    """``got == want``, allowing one known writer limit: when the last paragraph of the whole document is wholly
    inserted (reject) or deleted (accept), tracked.docx marks *its* paragraph mark as the revision; the final mark
    of a document cannot be removed, so Word (and this resolver) leave one empty paragraph at the end. (Reported to
    the owner of writers/changes/tracked_docx.py: the revision belongs on the preceding paragraph's mark.)"""
    if got == want:
        return True
    if got[:-1] == want and got[-1][1] == "" and final_mark_removed(tracked, mode):
        KNOWN["final-mark"] += 1
        return True
    return False


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(name))


def first_difference(want: list, got: list) -> str:
    import difflib

    return "\n".join(list(difflib.unified_diff([repr(x) for x in want], [repr(x) for x in got], "want", "got",
                                                lineterm="", n=1))[:30])


def in_order(needles: list[str], haystack: list[str]) -> str | None:
    """None when every needle is found in a haystack entry, in order; else the first one missing."""
    k = 0
    for needle in needles:
        while k < len(haystack) and needle not in haystack[k]:
            k += 1
        if k == len(haystack):
            return needle
    return None


def model_texts(ed) -> tuple[list[str], list[str]]:
    """The headings and the body paragraph texts of an edition, in reading order."""
    from guideline.model import Para

    heads, paras = [], []
    for c in ed.clauses():
        heads.append(c.heading)
        for block in c.body:
            if isinstance(block, Para):
                paras.append("".join(getattr(x, "text", "") for x in block.inlines))
    return heads, paras


# --------------------------------------------------------------------------------------------------------------------
# properties

@_settings(EXAMPLES["identity"])
@given(records())
def test_diff_of_an_edition_with_itself_is_empty(recs):
    with tempfile.TemporaryDirectory() as tmp:
        a = write_tree(Path(tmp), "a", recs)
        cs = compare(a, a)
        assert [c.kind for c in cs.changes] == ["unchanged"] * len(list(a.clauses()))
        assert all(not c.aspects and c.old_ids == c.new_ids for c in cs.changes)
        data = json.loads(changes_json.dumps(cs))
        entries = data.get("changes", [])
        assert all(e["kind"] == "unchanged" for e in entries), [e for e in entries if e["kind"] != "unchanged"]
        html = redline_html.render(cs)
        assert html.count("<ins") == html.count("<del") == 1  # only the legend's 表示の見方 sample
        tracked = tracked_docx.render(cs, ChangeOptions(author="t", date="2024-10-02"))
        for name in ("word/document.xml", "word/header1.xml"):
            assert leftover_revisions(part(tracked, name)) == [], name
        assert paragraphs(part(tracked, "word/document.xml")) == paragraphs(
            part(docx.render_guideline(a), "word/document.xml"))


@_settings(EXAMPLES["accounting"])
@given(st.data())
def test_every_clause_is_accounted_for_exactly_once(data):
    a_recs, b_recs, edits, a, b = edited_pair(data)
    cs = compare(a, b)
    a_ids, b_ids = [c.id for c in a.clauses()], [c.id for c in b.clauses()]
    old_seen = [i for ch in cs.changes for i in ch.old_ids]
    new_seen = [i for ch in cs.changes for i in ch.new_ids]
    assert sorted(old_seen) == sorted(a_ids), edits
    assert sorted(new_seen) == sorted(b_ids), edits
    for ch in cs.changes:
        n_old, n_new = len(ch.old), len(ch.new)
        expected = {"unchanged": (1, 1), "changed": (1, 1), "added": (0, 1), "deleted": (1, 0)}.get(ch.kind)
        if expected:
            assert (n_old, n_new) == expected, (ch.kind, ch.old_ids, ch.new_ids, edits)
        elif ch.kind == "split":
            assert n_old == 1 and n_new >= 2, (ch.old_ids, ch.new_ids, edits)
        else:
            assert ch.kind == "merged" and n_old >= 2 and n_new == 1, (ch.kind, ch.old_ids, ch.new_ids, edits)
        assert (ch.kind == "changed") == bool(ch.aspects), (ch.kind, ch.aspects)
    by_old, by_new = cs.by_old_id(), cs.by_new_id()
    for i in set(a_ids) & set(b_ids):
        assert by_old[i] is by_new[i], (i, edits)
    for r in b_recs:  # lineage metadata groups what it names
        if r.split_from in by_old:
            assert by_new[r.id] is by_old[r.split_from] and by_new[r.id].kind == "split", (r.id, edits)
        for m in r.merged_from:
            if m in by_old:
                assert by_old[m] is by_new[r.id] and by_new[r.id].kind == "merged", (r.id, edits)
        if r.replaces in by_old:
            assert by_old[r.replaces] is by_new[r.id], (r.id, edits)
    if not edits:
        assert not cs.differs
    for kind in sorted({c.kind for c in cs.changes}):
        event(f"change kind: {kind}")  # shown by --hypothesis-show-statistics


@_settings(EXAMPLES["tracked"])
@given(st.data())
def test_accepting_tracked_changes_gives_b_and_rejecting_gives_a(data):
    _, _, edits, a, b = edited_pair(data)
    cs = compare(a, b)
    for kind in sorted({c.kind for c in cs.changes}):
        event(f"change kind: {kind}")
    tracked = tracked_docx.render(cs, ChangeOptions(author="t", date="2024-10-02"))
    plain = {"a": docx.render_guideline(a), "b": docx.render_guideline(b)}
    for name in ("word/document.xml", "word/header1.xml"):
        doc = part(tracked, name)
        accepted, rejected = resolve_revisions(doc, "accept"), resolve_revisions(doc, "reject")
        assert leftover_revisions(accepted) == [] and leftover_revisions(rejected) == []
        for mode, got, ed in (("accept", accepted, "b"), ("reject", rejected, "a")):
            want = paragraphs(part(plain[ed], name))
            assert same_paragraphs(doc, mode, paragraphs(got), want), (name, mode, edits, first_difference(
                want, paragraphs(got)))
        if name == "word/document.xml":
            for ed, resolved in ((b, accepted), (a, rejected)):
                texts = [t for _, t in paragraphs(resolved)]
                heads, paras = model_texts(ed)
                assert in_order(heads, texts) is None, (in_order(heads, texts), edits)
                assert in_order(paras, texts) is None, (in_order(paras, texts), edits)


def fixed_pair() -> tuple[list[Rec], list[Rec]]:
    """One pair with every kind of edit, for the independent reader."""
    P = ["情報資産を分類し、管理者を定める。", "職員は、端末の利用状況を記録する。", "委託先の監査を実施する。",
         "バックアップを定期的に取得する。", "事故の報告手順を定める。", "研修を年に一回実施する。"]
    a = [Rec("policy", 1, "情報セキュリティ対策基準"),
         Rec("org", 3, "組織体制", paras=[P[0]], commentary=["管理者の役割を示す。"]),
         Rec("org-ciso", 5, "最高情報セキュリティ責任者", paras=[P[1], P[2]], items=["端末を管理する。", "ログを確認する。"]),
         Rec("org-chief", 5, "統括責任者", paras=[P[3]]),
         Rec("org-admin", 5, "管理者", paras=[P[4]]),
         Rec("ops", 3, "運用", paras=[P[5]], models=["alpha"]),
         Rec("ops-log", 5, "ログの取得", paras=["ログを一年間保存する。"]),
         Rec("ops-old", 5, "旧規定", paras=["廃止される規定である。"])]
    b = copy.deepcopy(a)
    b[1].paras[0] = "情報資産を分類し、管理者及び担当者を定める。"  # text
    b[2].paras = [P[1]]  # split: org-ciso keeps its first paragraph, the second goes to a new clause
    b.insert(3, Rec("org-ciso-audit", 5, "監査", paras=[P[2]], split_from="org-ciso"))
    b[4].paras = [P[3], P[4]]  # merge org-chief + org-admin
    b[4].merged_from = ["org-chief", "org-admin"]
    del b[5]
    b[5].heading = "運用管理"  # heading
    b[5].models = ["alpha", "beta"]  # metadata
    ops_log = b.pop(6)  # move ops-log before ops (into org)
    b.insert(5, ops_log)
    b = [r for r in b if r.id != "ops-old"]  # delete
    b.append(Rec("ops-new", 5, "新設規定", paras=["クラウドの利用を制限する。"]))  # add
    return a, b


def pandoc_lines(path: Path, *extra: str) -> list[str]:
    out = subprocess.run(["pandoc", "-f", "docx", "-t", "plain", "--wrap=none", *extra, str(path)],
                         capture_output=True, text=True, check=True).stdout
    return ["".join(line.split()) for line in out.split("\n") if not re.fullmatch(r"[\s-]*", line)]


@pytest.mark.needs_pandoc
def test_pandoc_accept_and_reject_agree_on_a_fixed_case(tmp_path):
    a_recs, b_recs = fixed_pair()
    a, b = write_tree(tmp_path, "a", a_recs), write_tree(tmp_path, "b", b_recs)
    cs = compare(a, b)
    assert {c.kind for c in cs.changes} >= {"changed", "added", "deleted", "split", "merged"}
    paths = {"tracked": tmp_path / "tracked.docx", "a": tmp_path / "a.docx", "b": tmp_path / "b.docx"}
    paths["tracked"].write_bytes(tracked_docx.render(cs, ChangeOptions(author="t", date="2024-10-02")))
    paths["a"].write_bytes(docx.render_guideline(a))
    paths["b"].write_bytes(docx.render_guideline(b))
    accepted = pandoc_lines(paths["tracked"], "--track-changes=accept")
    rejected = pandoc_lines(paths["tracked"], "--track-changes=reject")
    assert accepted == pandoc_lines(paths["b"]), first_difference(pandoc_lines(paths["b"]), accepted)
    assert rejected == pandoc_lines(paths["a"]), first_difference(pandoc_lines(paths["a"]), rejected)
    assert accepted != rejected
    # and this file's resolver agrees with pandoc on the same file
    doc = part(paths["tracked"].read_bytes(), "word/document.xml")
    for mode, ed in (("accept", "b"), ("reject", "a")):
        want = paragraphs(part(paths[ed].read_bytes(), "word/document.xml"))
        assert same_paragraphs(doc, mode, paragraphs(resolve_revisions(doc, mode)), want), mode
