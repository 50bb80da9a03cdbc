"""The tag tree of WeasyPrint's PDFs with text hung directly on its structure elements (guideline.writers.pdf_tags).

Checked on real WeasyPrint output, read back with pikepdf and poppler: the text is the same, no text ``Span`` is
left, and the parent tree maps every marked-content ID drawn on a page to the element that holds that ID.
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess

import pydyf
import pytest

from guideline.writers import pdf_tags

pikepdf = pytest.importorskip("pikepdf")
weasyprint = pytest.importorskip("weasyprint")

HTML = """<!DOCTYPE html><html lang="ja"><head><style>
body { font-family: "Noto Serif CJK JP", "IPAexMincho", serif; font-size: 10.5pt; }
</style></head><body>
<main><section><h2 id="s1">第1章 組織体制</h2>
<p>CISOは、<strong>全ての</strong>ネットワーク及び情報システムの情報セキュリティ対策に関する最終決定権限を有する。
この文は何行かに折り返されるように長くしてある。情報セキュリティ管理者は、所管する課室等の対策を統括する。</p>
<p>詳しくは<a href="#s2">第2章</a>を参照すること。</p>
<div class="clause-body"><div class="note">直接の文。<div>入れ子の区画にある文。</div></div>
<ul><li>方針を決定する。</li><li>監査結果を<em>確認</em>する。</li></ul></div>
<table><thead><tr><th>区分</th><th>内容</th></tr></thead>
<tbody><tr><td>機密性3</td><td>行政事務で取り扱う情報のうち秘密文書に相当するもの</td></tr></tbody></table>
</section>
<section style="break-before: page"><h2 id="s2">第2章 情報資産の分類</h2><p>機密性、完全性及び可用性により分類する。</p></section>
</main></body></html>"""


def render(finisher=None) -> bytes:
    document = weasyprint.HTML(string=HTML).render(pdf_variant="pdf/ua-1")
    return document.write_pdf(pdf_variant="pdf/ua-1", finisher=finisher)


@pytest.fixture(scope="module")
def pdfs() -> dict:
    counts: list[int] = []
    flat = render(lambda d, p: counts.append(pdf_tags.flatten_bare_tags(d, p)))
    return {"plain": render(), "flat": render(pdf_tags.flatten_bare_tags), "flat_again": flat, "lifted": counts[0]}


def _elements(doc) -> list:
    """Every structure element reachable from the root, depth first."""
    out = []

    def walk(el) -> None:
        if not isinstance(el, pikepdf.Dictionary) or el.get("/Type") != pikepdf.Name.StructElem:
            return
        out.append(el)
        kids = el.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
            walk(kid)

    root = doc.Root.StructTreeRoot
    for kid in root.K if isinstance(root.K, pikepdf.Array) else [root.K]:
        walk(kid)
    return out


def _drawn_mcids(page) -> list[int]:
    data = b"".join(s.read_bytes() for s in (page.Contents if isinstance(page.Contents, pikepdf.Array)
                                             else [page.Contents]))
    return [int(m) for m in re.findall(rb"/MCID (\d+)", data)]


def _check_parent_tree(data: bytes) -> tuple[int, int]:
    """Every MCID drawn on a page maps (parent tree) to an element that lists it as a kid on that page.
    Returns (MCIDs checked, Span and NonStruct elements left)."""
    doc = pikepdf.open(io.BytesIO(data))
    nums = doc.Root.StructTreeRoot.ParentTree.Nums
    tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    checked = 0
    for page in doc.pages:
        mapping = tree[int(page.obj.StructParents)]
        for mcid in _drawn_mcids(page):
            owner = mapping[mcid]
            kids = owner.K if isinstance(owner.K, pikepdf.Array) else [owner.K]
            direct = [int(k) for k in kids if isinstance(k, int)] if owner.get("/Pg") is not None and \
                owner.Pg.objgen == page.obj.objgen else []
            via_mcr = [int(k.MCID) for k in kids if isinstance(k, pikepdf.Dictionary) and k.get("/MCID") is not None
                       and k.Pg.objgen == page.obj.objgen]
            assert mcid in direct + via_mcr, (mcid, owner.S)
            checked += 1
    elements = _elements(doc)
    for el in elements:  # every element names as its parent the element (or root) that lists it as a kid
        kids = el.K if isinstance(el.K, pikepdf.Array) else [el.K]
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.StructElem:
                assert kid.P.objgen == el.objgen, (kid.S, el.S)
    spans = [el for el in elements if el.S in (pikepdf.Name.Span, pikepdf.Name.NonStruct, pikepdf.Name.Div)]
    return checked, len(spans)


def test_text_spans_are_lifted_and_the_parent_tree_follows(pdfs):
    checked_plain, spans_plain = _check_parent_tree(pdfs["plain"])
    checked_flat, spans_flat = _check_parent_tree(pdfs["flat"])
    # every text box was a Span, each list marker a NonStruct, each <div> a Div: all of them went
    assert spans_plain >= 15 and spans_plain == pdfs["lifted"]
    assert spans_flat == 0
    assert checked_flat == checked_plain >= 15
    assert pdfs["flat"] == pdfs["flat_again"]  # deterministic


def test_fewer_objects_reach_the_joined_file(pdfs):
    def reachable(data: bytes) -> int:
        src = pikepdf.open(io.BytesIO(data))
        out = pikepdf.new()
        out.Root.Tags = out.copy_foreign(src.Root.StructTreeRoot)
        return len(out.objects)

    assert reachable(pdfs["flat"]) < reachable(pdfs["plain"]) - pdfs["lifted"] // 2


def test_headings_links_lists_and_tables_keep_their_elements(pdfs):
    def kinds(data: bytes) -> dict:
        out: dict = {}
        doc = pikepdf.open(io.BytesIO(data))
        for el in _elements(doc):
            out[str(el.S)] = out.get(str(el.S), 0) + 1
        return out

    plain, flat = kinds(pdfs["plain"]), kinds(pdfs["flat"])
    neutral = ("/Span", "/NonStruct", "/Div")
    assert plain.get("/NonStruct") and plain.get("/Span") and plain.get("/Div", 0) >= 3
    assert {k: v for k, v in plain.items() if k not in neutral} == {k: v for k, v in flat.items() if k not in neutral}
    for tag in ("/H2", "/P", "/Link", "/L", "/LI", "/Table", "/TH", "/TD"):
        assert flat.get(tag), tag


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
def test_text_reads_the_same(pdfs, tmp_path):
    texts = []
    for name in ("plain", "flat"):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(pdfs[name])
        texts.append(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                    check=True).stdout)
    assert texts[0] == texts[1] and "最終決定権限" in texts[0] and "入れ子の区画" in texts[0]


def _skeleton(parent_tree: bool = True):
    """A hand-made pydyf document with two pages, a parent tree and a structure tree root; and a maker of
    structure elements in it."""
    doc = pydyf.PDF()
    pages = [pydyf.Dictionary({"Type": "/Page"}), pydyf.Dictionary({"Type": "/Page"})]
    for page in pages:
        doc.add_object(page)
    tree = pydyf.Dictionary({"Nums": pydyf.Array()})
    doc.add_object(tree)
    root = pydyf.Dictionary({"Type": "/StructTreeRoot"})
    if parent_tree:
        root["ParentTree"] = tree.reference
    doc.add_object(root)
    doc.catalog["StructTreeRoot"] = root.reference

    def element(kind: str, parent, kids: list, page: int = 0, extra: dict | None = None):
        el = pydyf.Dictionary({"Type": "/StructElem", "S": kind, "K": pydyf.Array(kids),
                               "Pg": pages[page].reference, "P": parent.reference, **(extra or {})})
        doc.add_object(el)
        parent["K"] = parent.get("K", pydyf.Array())
        parent["K"].append(el.reference)
        return el

    return doc, tree, root, element


def _tiny(extra: dict | None = None, same_page: bool = True, parent_tree: bool = True):
    """root → P → Span(MCID 0) on page object 1 (or 2)."""
    doc, tree, root, element = _skeleton(parent_tree)
    para = element("/P", root, [])
    span = element("/Span", para, [0], 0 if same_page else 1, extra)
    tree["Nums"].extend([0, pydyf.Array([span.reference])])
    return doc, para, span, tree


def test_lifting_a_span_by_hand():
    doc, para, span, tree = _tiny()
    assert pdf_tags.flatten_bare_tags(None, doc) == 1
    assert list(para["K"]) == [0]
    assert list(tree["Nums"][1]) == [para.reference]
    assert dict(span) == {}


@pytest.mark.parametrize("case", ["language", "other page", "no parent tree"])
def test_spans_that_say_something_or_cannot_be_followed_stay(case):
    doc, para, span, tree = _tiny(extra={"Lang": pydyf.String("en")} if case == "language" else None,
                                  same_page=case != "other page", parent_tree=case != "no parent tree")
    before = (list(para["K"]), dict(span), list(tree["Nums"][1]))
    assert pdf_tags.flatten_bare_tags(None, doc) == 0
    assert (list(para["K"]), dict(span), list(tree["Nums"][1])) == before


def _nested(outer_extra: dict | None = None):
    """root → P → Span[NonStruct[0, 1], 2, NonStruct[3]] on one page, the parent tree naming the innermost element
    of each MCID."""
    doc, tree, root, element = _skeleton()
    para = element("/P", root, [])
    span = element("/Span", para, [], extra=outer_extra)
    first = element("/NonStruct", span, [0, 1])
    span["K"].append(2)
    second = element("/NonStruct", span, [3])
    tree["Nums"].extend([0, pydyf.Array([first.reference, first.reference, span.reference, second.reference])])
    return doc, para, span, tree


def test_nested_bare_elements_go_innermost_first_and_keep_the_order_of_the_text():
    doc, para, span, tree = _nested()
    assert pdf_tags.flatten_bare_tags(None, doc) == 3
    assert list(para["K"]) == [0, 1, 2, 3]
    assert list(tree["Nums"][1]) == [para.reference] * 4
    assert dict(span) == {}


def test_a_span_that_says_something_keeps_the_text_of_its_bare_kids():
    doc, para, span, tree = _nested({"Lang": pydyf.String("en")})
    assert pdf_tags.flatten_bare_tags(None, doc) == 2
    assert list(para["K"]) == [span.reference]
    assert list(span["K"]) == [0, 1, 2, 3]
    assert list(tree["Nums"][1]) == [span.reference] * 4


def test_an_element_with_a_marked_content_reference_stays():
    doc, para, span, tree = _tiny()
    span["K"] = pydyf.Array([pydyf.Dictionary({"Type": "/MCR", "MCID": 0})])
    before = (list(para["K"]), list(tree["Nums"][1]))
    assert pdf_tags.flatten_bare_tags(None, doc) == 0
    assert (list(para["K"]), list(tree["Nums"][1])) == before


def test_a_bare_div_hands_its_elements_and_text_to_its_parent():
    """root → Sect → Div[P[0], 1, Div[2, P[3]]]: the Divs go, the paragraphs name the Sect as their parent, the
    MCIDs of the Divs map to the Sect; a Div with attributes, or holding anything else, stays."""
    doc, tree, root, element = _skeleton()
    sect = element("/Sect", root, [])
    outer = element("/Div", sect, [])
    first = element("/P", outer, [0])
    outer["K"].append(1)
    inner = element("/Div", outer, [2])
    last = element("/P", inner, [3])
    tree["Nums"].extend([0, pydyf.Array([first.reference, outer.reference, inner.reference, last.reference])])
    assert pdf_tags.flatten_bare_tags(None, doc) == 2
    assert list(sect["K"]) == [first.reference, 1, 2, last.reference]
    assert first["P"] == last["P"] == sect.reference
    assert list(tree["Nums"][1]) == [first.reference, sect.reference, sect.reference, last.reference]
    assert dict(outer) == dict(inner) == {}

    doc, tree, root, element = _skeleton()
    sect = element("/Sect", root, [])
    labelled = element("/Div", sect, [], extra={"Lang": pydyf.String("en")})
    para = element("/P", labelled, [0])
    holder = element("/Div", sect, [pydyf.Dictionary({"Type": "/MCR", "MCID": 1})])
    adopting = element("/Div", sect, [2])
    stray = pydyf.Dictionary({"Type": "/StructElem", "S": "/P", "K": pydyf.Array([3]), "P": adopting.reference})
    doc.add_object(stray)  # names the Div as its parent without being its kid, as WeasyPrint's margin boxes do
    tree["Nums"].extend([0, pydyf.Array([para.reference, holder.reference, adopting.reference, stray.reference])])
    assert pdf_tags.flatten_bare_tags(None, doc) == 0
    assert list(sect["K"]) == [labelled.reference, holder.reference, adopting.reference]
    assert para["P"] == labelled.reference and list(adopting["K"]) == [2]
