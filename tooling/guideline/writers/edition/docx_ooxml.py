"""Low-level WordprocessingML (OOXML) building blocks for the Word writers, built with lxml.

Nothing here knows about the guideline model: these are element builders (runs, paragraphs, bookmarks, hyperlinks,
fields, tables), helpers for tracked revisions (``w:ins`` / ``w:del``) and the deterministic package writer.
:mod:`guideline.writers.edition.docx` turns the model into these elements; a tracked-changes writer reuses both.

Rules every builder here keeps:

* children are appended in the schema order of ECMA-376 (Word rejects a ``w:pPr`` or ``w:rPr`` out of order);
* text is cleaned of characters XML 1.0 cannot hold (they become U+FFFD) instead of failing;
* no random or clock-derived value ever enters the package: IDs come from a counter (:class:`Ids`), zip entries
  carry a fixed timestamp and are written in a fixed order.
"""
from __future__ import annotations

import io
import re
import zipfile
from typing import Callable, Iterable, Sequence

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_NS = "http://www.w3.org/XML/1998/namespace"
NSMAP = {"w": W_NS, "r": R_NS}

W = "{%s}" % W_NS
R = "{%s}" % R_NS
XML_SPACE = "{%s}space" % XML_NS


def w(tag: str) -> str:
    """Clark name of a ``w:`` element or attribute."""
    return W + tag


# A hook that receives a run (``w:r``) just built and returns what goes into the paragraph instead: the run itself,
# the run with more properties, or a wrapper such as ``w:ins`` holding it (see :func:`wrap_revision`).
RunHook = Callable[[etree._Element], etree._Element]
# A hook that receives the ``w:pPr`` of a paragraph just built (e.g. to mark its paragraph mark as inserted).
PprHook = Callable[[etree._Element], None]

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """Text with the characters XML 1.0 forbids replaced by U+FFFD."""
    return _INVALID_XML.sub("\ufffd", text)


class Ids:
    """One counter for every ``w:id`` in a document (bookmarks, revisions): Word needs them unique across kinds."""

    def __init__(self, start: int = 1):
        self._next = start

    def __call__(self) -> int:
        n = self._next
        self._next += 1
        return n


# ----------------------------------------------------------------------------------------------------------------------
# Runs

# ECMA-376 order of the children of w:rPr (CT_RPr): builders and hooks keep it with insert_ordered.
RPR_ORDER = ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline", "shadow",
             "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern",
             "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs",
             "em", "lang", "eastAsianLayout", "specVanish", "oMath")
# CT_PPr: the paragraph-mark w:rPr and w:sectPr come after these, w:pPrChange last.
PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
             "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
             "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
             "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
             "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange")
# The paragraph mark's run properties (CT_ParaRPr) start with the revision marks.
PARA_RPR_ORDER = ("ins", "del", "moveFrom", "moveTo", *RPR_ORDER)


def insert_ordered(parent: etree._Element, child: etree._Element, order: Sequence[str]) -> etree._Element:
    """Insert ``child`` into ``parent`` at its schema position (replacing an element of the same name): Word rejects
    a file whose property elements are out of the ECMA-376 order. The builders here and tracked_docx use it."""
    name = etree.QName(child).localname
    rank = order.index(name)
    for i, existing in enumerate(parent):
        other = etree.QName(existing).localname
        if other == name:
            parent.replace(existing, child)
            return child
        if other in order and order.index(other) > rank:
            parent.insert(i, child)
            return child
    parent.append(child)
    return child


def set_rpr(run: etree._Element, name: str, attrs: dict[str, str] | None = None) -> etree._Element:
    """Set a run property (``w:b``, ``w:highlight`` …) on a ``w:r``, in schema order; returns the property element."""
    rpr = run.find(W + "rPr")
    if rpr is None:
        rpr = etree.Element(W + "rPr")
        run.insert(0, rpr)
    prop = etree.Element(W + name)
    for k, v in (attrs or {}).items():
        prop.set(W + k, v)
    return insert_ordered(rpr, prop, RPR_ORDER)


def run(text: str, style: str = "", *, bold: bool = False, italic: bool = False,
        props: Sequence[tuple[str, dict[str, str]]] = (), hook: RunHook | None = None) -> etree._Element:
    """A ``w:r`` with text; ``style`` is a character style ID. Newlines become ``w:br``, tabs ``w:tab``.

    ``props`` are further run properties as ``(name, attributes)``, e.g. ``("highlight", {"val": "yellow"})``;
    ``hook`` sees the finished run and returns what goes into the paragraph."""
    r = etree.Element(W + "r")
    if style or bold or italic:
        rpr = etree.SubElement(r, W + "rPr")
        if style:
            etree.SubElement(rpr, W + "rStyle").set(W + "val", style)
        if bold:
            etree.SubElement(rpr, W + "b")
        if italic:
            etree.SubElement(rpr, W + "i")
    for name, attrs in props:
        set_rpr(r, name, attrs)
    text = clean(text)
    if "\n" in text or "\t" in text:
        for piece in re.split(r"([\n\t])", text):
            if piece == "\n":
                etree.SubElement(r, W + "br")
            elif piece == "\t":
                etree.SubElement(r, W + "tab")
            elif piece:
                _text(r, piece)
    elif text:
        _text(r, text)
    return hook(r) if hook is not None else r


def _text(r: etree._Element, text: str) -> None:
    t = etree.SubElement(r, W + "t")
    t.text = text
    if text[0] == " " or text[-1] == " " or "  " in text:
        t.set(XML_SPACE, "preserve")


def tab_run(hook: RunHook | None = None) -> etree._Element:
    r = etree.Element(W + "r")
    etree.SubElement(r, W + "tab")
    return hook(r) if hook is not None else r


def break_run(kind: str = "page", hook: RunHook | None = None) -> etree._Element:
    """A run holding a page (or column) break."""
    r = etree.Element(W + "r")
    etree.SubElement(r, W + "br").set(W + "type", kind)
    return hook(r) if hook is not None else r


def field_runs(instr: str, result: str = "", hook: RunHook | None = None,
               result_runs: Iterable[etree._Element] = (), dirty: bool = False) -> list[etree._Element]:
    """A complex field (``w:fldChar`` begin/separate/end) with instruction ``instr`` and a cached result.

    ``dirty`` asks Word to recompute the field when the document opens."""

    def char(kind: str) -> etree._Element:
        r = etree.Element(W + "r")
        fc = etree.SubElement(r, W + "fldChar")
        fc.set(W + "fldCharType", kind)
        if kind == "begin" and dirty:
            fc.set(W + "dirty", "true")
        return hook(r) if hook is not None else r

    instr_run = etree.Element(W + "r")
    it = etree.SubElement(instr_run, W + "instrText")
    it.text = f" {instr} "
    it.set(XML_SPACE, "preserve")
    out = [char("begin"), hook(instr_run) if hook is not None else instr_run, char("separate")]
    out.extend(result_runs)
    if result:
        out.append(run(result, hook=hook))
    out.append(char("end"))
    return out


def hyperlink_anchor(anchor: str, children: Iterable[etree._Element]) -> etree._Element:
    """An internal link to the bookmark ``anchor``."""
    h = etree.Element(W + "hyperlink")
    h.set(W + "anchor", anchor)
    h.set(W + "history", "1")
    h.extend(children)
    return h


def hyperlink_external(rel_id: str, children: Iterable[etree._Element]) -> etree._Element:
    h = etree.Element(W + "hyperlink")
    h.set(R + "id", rel_id)
    h.set(W + "history", "1")
    h.extend(children)
    return h


def bookmark(name: str, bid: int) -> tuple[etree._Element, etree._Element]:
    """(``w:bookmarkStart``, ``w:bookmarkEnd``) for bookmark ``name`` with the document-unique id ``bid``."""
    start = etree.Element(W + "bookmarkStart")
    start.set(W + "id", str(bid))
    start.set(W + "name", name)
    end = etree.Element(W + "bookmarkEnd")
    end.set(W + "id", str(bid))
    return start, end


# ----------------------------------------------------------------------------------------------------------------------
# Paragraphs


def paragraph(style: str = "", content: Iterable[etree._Element] = (), *, left: int | None = None,
              hanging: int | None = None, first_line: int | None = None, jc: str = "",
              tabs: Sequence[int] = (), keep_next: bool = False, page_break_before: bool = False,
              hook: PprHook | None = None) -> etree._Element:
    """A ``w:p`` with paragraph style ID ``style``; indents in twips (1/20 pt) as direct formatting."""
    p = etree.Element(W + "p")
    ppr = etree.SubElement(p, W + "pPr")
    if style:
        etree.SubElement(ppr, W + "pStyle").set(W + "val", style)
    if keep_next:
        etree.SubElement(ppr, W + "keepNext")
    if page_break_before:
        etree.SubElement(ppr, W + "pageBreakBefore")
    if tabs:
        tabs_el = etree.SubElement(ppr, W + "tabs")
        for pos in tabs:
            t = etree.SubElement(tabs_el, W + "tab")
            t.set(W + "val", "left")
            t.set(W + "pos", str(pos))
    if left is not None or hanging is not None or first_line is not None:
        ind = etree.SubElement(ppr, W + "ind")
        if left is not None:
            ind.set(W + "left", str(left))
        if hanging is not None:
            ind.set(W + "hanging", str(hanging))
        elif first_line is not None:
            ind.set(W + "firstLine", str(first_line))
    if jc:
        etree.SubElement(ppr, W + "jc").set(W + "val", jc)
    if hook is not None:
        hook(ppr)
    if len(ppr) == 0:
        p.remove(ppr)
    p.extend(content)
    return p


def set_ppr(p: etree._Element, child: etree._Element) -> etree._Element:
    """Put ``child`` into the paragraph's ``w:pPr`` at its schema position."""
    ppr = p.find(W + "pPr")
    if ppr is None:
        ppr = etree.Element(W + "pPr")
        p.insert(0, ppr)
    return insert_ordered(ppr, child, PPR_ORDER)


# ----------------------------------------------------------------------------------------------------------------------
# Tracked revisions (for writers that show changes; the plain writer never uses them)


def mark_deleted(r: etree._Element) -> etree._Element:
    """Turn a run's ``w:t``/``w:instrText`` into ``w:delText``/``w:delInstrText`` (required inside ``w:del``)."""
    for t in r.iter(W + "t"):
        t.tag = W + "delText"
    for t in r.iter(W + "instrText"):
        t.tag = W + "delInstrText"
    return r


def revision(kind: str, rid: int, author: str, date: str, children: Iterable[etree._Element] = ()) -> etree._Element:
    """A ``w:ins`` / ``w:del`` / ``w:moveFrom`` / ``w:moveTo`` element holding ``children``."""
    el = etree.Element(W + kind)
    el.set(W + "id", str(rid))
    el.set(W + "author", author)
    el.set(W + "date", date)
    for child in children:
        if kind in ("del", "moveFrom") and child.tag == W + "r":
            mark_deleted(child)
        el.append(child)
    return el


def wrap_revision(kind: str, ids: Ids, author: str, date: str) -> RunHook:
    """A :data:`RunHook` that wraps every run in its own ``w:ins``/``w:del`` (text of deleted runs → delText)."""

    def hook(r: etree._Element) -> etree._Element:
        return revision(kind, ids(), author, date, [r])

    return hook


def mark_paragraph(kind: str, ids: Ids, author: str, date: str) -> PprHook:
    """A :data:`PprHook` that marks the paragraph mark as inserted or deleted (``w:pPr/w:rPr/w:ins``)."""

    def hook(ppr: etree._Element) -> None:
        rpr = ppr.find(W + "rPr")
        if rpr is None:
            rpr = insert_ordered(ppr, etree.Element(W + "rPr"), PPR_ORDER)
        mark = etree.Element(W + kind)
        mark.set(W + "id", str(ids()))
        mark.set(W + "author", author)
        mark.set(W + "date", date)
        insert_ordered(rpr, mark, PARA_RPR_ORDER)

    return hook


def chain_runs(*hooks: RunHook | None) -> RunHook | None:
    """Several run hooks applied in order (None when there are none)."""
    real = [h for h in hooks if h is not None]
    if not real:
        return None
    if len(real) == 1:
        return real[0]

    def hook(r: etree._Element) -> etree._Element:
        for h in real:
            r = h(r)
        return r

    return hook


# ----------------------------------------------------------------------------------------------------------------------
# Serialisation and the package


def xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# The fixed timestamp of every zip entry (zip cannot store dates before 1980).
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def zip_package(parts: Sequence[tuple[str, bytes]]) -> bytes:
    """The zip bytes of an OPC package: entries in the given order, fixed timestamps and attributes, deflated."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return buf.getvalue()
