"""Join separately rendered WeasyPrint PDFs into one tagged document (pikepdf / qpdf).

What a plain page concatenation would lose, and how it is kept:

- **Tags** (PDF/UA): WeasyPrint builds one ``Document`` structure element per file whose kids are per-page elements,
  and a parent tree keyed by page (``/StructParents``) and by link annotation (``/StructParent``). Each file's
  ``Document`` becomes a ``Part`` below one joint ``Document``; parent-tree keys are shifted by a per-file offset.
- **Links**: a link to an anchor in another file was written as ``https://anchor.invalid/#<id>`` (WeasyPrint drops
  links it cannot resolve) and becomes a named-destination link again; the named destinations of all files are
  merged into one sorted name tree.
- **Outline**: rebuilt from the bookmarks each file reported (level, label, page, position), nested by level.
- **Page furniture**: the running header (title, label, status) is laid out once by WeasyPrint and stamped on every
  body page as a form XObject; the page number ``- n -`` is set with the digit glyphs of that same small document.
  Both are marked as pagination artifacts (WeasyPrint's own margin boxes are left out of the part documents, which
  also saves a sixth of the layout time). The front matter carries its own roman numbers. Page labels match.
- **Fonts**: every file uses the same fonts, each with its own glyphs; WeasyPrint keeps original glyph IDs in
  subsets, so :func:`share_fonts` gives each font one subset covering all pages. The parts rendered by
  :func:`guideline.writers.pdf.render_html` embed a stub instead of a subset (:func:`guideline.writers.pdf_fonts.
  deferred_subsets`): a font only one part uses, or whose parts cannot be merged, gets a subset of its own glyphs.
  :class:`Merger` reads a part's fonts as the part is added (:class:`FontIndex`: each font's /W widths and ToUnicode
  text merged into its font's, the font dictionaries using it noted); :meth:`Merger.finish` reads only what it brings
  itself (the front matter, the page-number font and the header form) before it writes the shared subsets.
- **Metadata**: title, dates, language, XMP (PDF/UA identification) come from the front matter file; the file
  identifier is a hash of the content (deterministic).

:class:`Merger` takes the body parts one at a time, in any order, each at its position, so that
:func:`guideline.writers.pdf.render` joins every cached part while the missing ones are laid out and inserts each
of those as it arrives; the front matter (its 目次 needs every body page number) is joined last and inserted before
the body. The output does not depend on the order: what the joint document takes from the parts in order
(parent-tree keys, the Document's kids, named destinations, first pages) is assigned in position order once all are
in, and a part inserted before parts already joined takes the object numbers it would have had joined in order
(qpdf's writer orders the objects in each object stream by them, and :func:`share_fonts` keeps the font with the
lowest: :meth:`Merger._move`, ~0.05-0.1 s for a 7-page part). Joining costs about 2 CPU-s for 670 pages in 118
parts, in roughly equal shares: parsing the parts, copying pages and tag trees, font sharing, and writing with object
streams; on an edit all but the writing and the sharing itself run while the edited unit is laid out. Reading the
fonts as the parts come in moved ~0.2-0.3 CPU-s of font sharing (walking 672 pages' resources and forms, parsing
345 fonts' /W arrays and ToUnicode CMaps, merging them, fontconfig's look-up of the font files) out of
:meth:`Merger.finish` into :meth:`Merger.add` (each part's add ~2-3 ms longer), and filling the gap left for the
edited unit with placeholders (:data:`GAP`) took ~0.1 CPU-s off writing. Benchmark edit, the same bytes, medians of
runs on a busy two-core machine: finish 0.77-0.84 → 0.47-0.48 CPU-s; the font sharing in it 0.20-0.25 → 0.011-0.014
s, writing 0.41-0.48 → 0.34-0.36 s.
"""
from __future__ import annotations

import bisect
import io
import logging
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from guideline.model import Edition
from guideline.writers.pdf_html import EXTERNAL_ANCHOR

if TYPE_CHECKING:  # pragma: no cover
    from guideline.writers.pdf import Rendered

log = logging.getLogger(__name__)

# Where the body page numbers go (must agree with @page margins in templates/pdf/print.css).
MM = 72 / 25.4
MARGIN_LEFT = 22 * MM
MARGIN_RIGHT = 20 * MM
FOOTER_BASELINE = 12 * MM  # above the bottom edge
FOOTER_SIZE = 9.0
FOOTER_FONT = "/GLpn"
HEADER_FORM = "/GLhead"
FOOTER_CHARS = "- 0123456789"


def _digits_font(pdf):
    """(font dictionary, {char: glyph id}, {glyph id: width}) of the font that sets FOOTER_CHARS on page 2 of the
    furniture document (pdf_html.stamp_document)."""
    fonts = pdf.pages[1].Resources.Font
    for name in sorted(fonts.keys()):
        font = fonts[name]
        if "/ToUnicode" not in font or "/DescendantFonts" not in font:
            continue
        gid_of: dict[str, int] = {}
        cmap = font.ToUnicode.read_bytes().decode("latin-1")
        for glyph, text in re.findall(r"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>", cmap):
            gid_of.setdefault(bytes.fromhex(text).decode("utf-16-be", "replace"), int(glyph, 16))
        if all(c in gid_of for c in FOOTER_CHARS):
            return font, gid_of, _widths(font.DescendantFonts[0].get("/W", []))
    raise ValueError("the page-number font is missing from the furniture document")


def _furniture_stream(text: str, gid_of: dict[str, int], widths: dict[int, float], page_width: float) -> bytes:
    """Content drawn after a body page's own content: the header form and the page number, each an artifact."""
    gids = [gid_of[c] for c in text if c in gid_of]
    width = sum(widths.get(g, 1000.0) for g in gids) * FOOTER_SIZE / 1000
    left = MARGIN_LEFT + (page_width - MARGIN_LEFT - MARGIN_RIGHT - width) / 2
    hexgids = "".join(f"{g:04x}" for g in gids)
    return (f"Q\n/Artifact <</Type /Pagination /Subtype /Header>> BDC\nq {HEADER_FORM} Do Q\nEMC\n"
            f"/Artifact <</Type /Pagination /Subtype /Footer>> BDC\nq 0 g BT {FOOTER_FONT} {FOOTER_SIZE:g} Tf "
            f"1 0 0 1 {left:.3f} {FOOTER_BASELINE:.3f} Tm <{hexgids}> Tj ET Q\nEMC\n").encode("ascii")


def _widths(w) -> dict[int, float]:
    """A CIDFont /W array as {glyph id: width}."""
    tokens = re.findall(rb"\[|\]|[-+]?\d*\.?\d+", w.unparse(resolved=True) if hasattr(w, "unparse") else b"[]")
    widths: dict[int, float] = {}
    i = 1  # tokens[0] is the outer "["
    while i < len(tokens) - 1:
        start = int(tokens[i])
        if tokens[i + 1] == b"[":
            j = i + 2
            k = 0
            while tokens[j] != b"]":
                widths[start + k] = float(tokens[j])
                j += 1
                k += 1
            i = j + 1
        else:  # c_first c_last w
            for g in range(start, int(tokens[i + 1]) + 1):
                widths[g] = float(tokens[i + 2])
            i += 3
    return widths


def _width_array(widths: dict[int, float]):
    from pikepdf import Array

    out = Array()
    run: list = []
    previous = None
    for gid in sorted(widths):
        if previous is None or gid != previous + 1:
            if run:
                out.append(run[0])
                out.append(Array(run[1:]))
            run = [gid]
        value = widths[gid]
        run.append(int(value) if float(value).is_integer() else value)
        previous = gid
    if run:
        out.append(run[0])
        out.append(Array(run[1:]))
    return out


def _to_unicode(stream) -> dict[int, str]:
    """A ToUnicode CMap's bfchar entries as {glyph id: UTF-16BE text in lower-case hex} (kept as hex: decoding
    tens of thousands of entries per build would cost more than the rest of font sharing)."""
    text = stream.read_bytes().decode("latin-1")
    out: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, flags=re.S):
        for glyph, uni in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            out.setdefault(int(glyph, 16), uni.lower())
    return out


def font_metadata(doc) -> dict[str, list]:
    """What :class:`FontIndex` reads of each font of a document's pages (and of the forms they draw), for a worker
    to read beside the joining: BaseFont → [[glyph id, width, …], [glyph id, UTF-16BE hex, …]] (flat lists: JSON
    for the cache). Fonts :class:`FontIndex` does not take or cannot read, and any BaseFont two font objects have,
    are left out (read when joined)."""
    index = FontIndex()
    index.add_pages(doc.pages)
    return {base: [[v for item in group.widths.items() for v in item],
                   [v for gid, (_, text) in group.to_unicode.items() for v in (gid, text)]]
            for base, group in sorted(index.groups.items()) if len(group.fonts) == 1 and group.error is None}


def _to_unicode_cmap(mapping: dict[int, str]) -> bytes:
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap", b"/CIDSystemInfo",
             b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def", b"1 begincodespacerange", b"<0000> <ffff>",
             b"endcodespacerange"]
    items = sorted(mapping.items())
    for i in range(0, len(items), 100):
        batch = items[i:i + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        for glyph, text in batch:
            lines.append(f"<{glyph:04x}> <{text}>".encode())
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


def copy_catalog(out, head) -> None:
    """The joined document's language, tagging flag, title display, XMP metadata and document information, taken
    from ``head`` (the first part rendered by WeasyPrint)."""
    from pikepdf import Dictionary, String

    out.Root.Lang = String(str(head.Root.get("/Lang", "ja")) or "ja")
    out.Root.MarkInfo = Dictionary(Marked=True)
    out.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    if "/Metadata" in head.Root:
        out.Root.Metadata = out.copy_foreign(head.Root.Metadata)
    info = Dictionary()
    for key, value in head.docinfo.items():
        info[key] = value
    out.trailer.Info = out.make_indirect(info)


def add_outline(out, bookmarks: list[tuple], closed_from_level: int | None = None) -> None:
    """The outline of ``out`` from ``(level, label, page index, x, y)`` bookmarks, nested by level; items at
    ``closed_from_level`` or deeper start closed."""
    import pikepdf

    with out.open_outline() as outline:
        stack: list[tuple[int, list]] = [(0, outline.root)]
        for level, label, page_index, x, y in bookmarks:
            while stack[-1][0] >= level:
                stack.pop()
            item = pikepdf.OutlineItem(label, page_index, pikepdf.PageLocation.XYZ, left=x, top=y, zoom=0)
            if closed_from_level is not None:
                item.is_closed = level >= closed_from_level
            stack[-1][1].append(item)
            stack.append((level, item.children))


def share_fonts(out, cache: Path | None = None, fonts: FontIndex | None = None) -> int:
    """Replace the parts' subsets of each font by one subset covering all pages; returns how many fonts were shared.

    Only fonts in the form WeasyPrint writes them (Type0, Identity-H, one CIDFont with an OpenType or TrueType
    program) take part; any surprise leaves a font's subsets as they are (a font's /W or ToUnicode that cannot be
    read, too). Every page of ``out`` is read, with the form XObjects it draws; ``fonts``, if given, is what was read
    of ``out`` before (:attr:`Merger.fonts` once the parts are in), and the resource and font dictionaries and forms
    it read are not read again: right as long as none of those font dictionaries has been changed since (pages may
    have been given other resource dictionaries, new forms and new font dictionaries). Once per document.
    """
    fonts = FontIndex() if fonts is None else fonts
    if not fonts.enabled:
        return 0
    fonts.add_pages(out.pages)
    return fonts.share(cache)


class _Group:
    """The fonts of one BaseFont (the subsets of one font, one per part) and the union of what they hold."""

    __slots__ = ("fonts", "widths", "to_unicode", "last", "error", "postscript", "stubs")

    def __init__(self):
        self.fonts: dict[tuple[int, int], object] = {}  # objgen → Type0 font dictionary
        self.widths: dict[int, float] = {}  # glyph id → width (every font gives a glyph the same width, or error)
        # glyph id → (objgen, UTF-16BE hex) of the font with the lowest number that maps it: the same text as
        # reading the fonts in the order of their numbers, whatever the order they come in
        self.to_unicode: dict[int, tuple[tuple[int, int], str]] = {}
        self.last = (-1, -1)  # the highest objgen merged so far
        self.error: Exception | None = None  # why the fonts cannot be shared (no more are read then)
        self.postscript: tuple[tuple[int, int], str] | None = None  # (objgen, PostScript name) of the first font
        self.stubs: set[tuple[int, int]] = set()  # fonts whose program is a stub (pdf_fonts.deferred_subsets)

    def add(self, objgen: tuple[int, int], font, known: list | None = None) -> None:
        """``known``: the font's entry in :func:`font_metadata` (else its /W and ToUnicode are read here)."""
        stub = _stub(font)
        if not self.fonts:
            self._locate(objgen, font, stub)
        self.fonts[objgen] = font
        if stub is not None:
            self.stubs.add(objgen)
        if self.error is not None:
            return
        try:
            if known is not None:
                flat_widths, flat_text = known
                widths = dict(zip(flat_widths[::2], flat_widths[1::2]))
                to_unicode = dict(zip(flat_text[::2], flat_text[1::2]))
            else:
                widths = _widths(font.DescendantFonts[0].get("/W", []))
                to_unicode = _to_unicode(font.ToUnicode)
            merged = self.widths
            for gid, w in widths.items():
                if merged.setdefault(gid, w) != w:
                    raise ValueError(f"glyph {gid} has two widths")
        except Exception as exc:  # noqa: BLE001 - anything unexpected: the subsets stay as they are
            self.error = exc
            return
        mapping = self.to_unicode
        if objgen > self.last:  # the usual case: numbered after the fonts merged so far
            self.last = objgen
            for gid, text in to_unicode.items():
                if gid not in mapping:
                    mapping[gid] = (objgen, text)
        else:
            for gid, text in to_unicode.items():
                current = mapping.get(gid)
                if current is None or current[0] > objgen:
                    mapping[gid] = (objgen, text)

    def _locate(self, objgen: tuple[int, int], font, stub: str | None) -> None:
        """The PostScript name of the first font (``stub``: the one its stub names) and its file (fontconfig, cached
        by pdf_fonts.font_file): what :meth:`FontIndex.share` looks up for the font kept, usually this one."""
        from guideline.writers import pdf_fonts

        try:
            name = stub if stub is not None else pdf_fonts.postscript_name(_program(font)[1].read_bytes())
            self.postscript = (objgen, name)
            pdf_fonts.font_file(name)
        except Exception:  # noqa: BLE001 - read again when shared, where it counts
            pass


def _program(font):
    """(key, stream) of a Type0 font's embedded program."""
    descriptor = font.DescendantFonts[0].FontDescriptor
    kind = "/FontFile3" if "/FontFile3" in descriptor else "/FontFile2"
    return kind, descriptor[kind]


def _stub(font) -> str | None:
    """The PostScript name a font's stub program stands for (pdf_fonts.deferred_subsets); None for a real one."""
    from guideline.writers import pdf_fonts

    try:
        _, program = _program(font)
        if int(program.get("/Length", 0)) > 512:  # a stub is a few dozen bytes; a subset, kilobytes
            return None
        return pdf_fonts.stub_name(program.read_bytes())
    except Exception:  # noqa: BLE001 - not in the form WeasyPrint writes: not a stub
        return None


def _fill_stub(font, cache: Path | None) -> None:
    """Give a font whose program is a stub its own subset (its glyphs: those its /W gives widths)."""
    from guideline.diagnostics import UserError
    from guideline.writers import pdf_fonts

    postscript = _stub(font)
    glyphs = set(_widths(font.DescendantFonts[0].get("/W", [])))
    data = pdf_fonts.union_subset(postscript, glyphs, cache) if postscript else None
    if data is None:
        where = f" (delete {cache} and build again)" if cache is not None else ""
        raise UserError(f"PDF: the font {postscript!r} cannot be embedded: its file is no longer where fontconfig "
                        f"found it when the pages were laid out{where}")
    kind, program = _program(font)
    program.write(data)
    if kind == "/FontFile2":
        program.Length1 = len(data)


class FontIndex:
    """What :func:`share_fonts` needs, gathered page by page as they come in: the Type0/Identity-H fonts (by object
    number) reached from the pages' /Font resources and those of the form XObjects they draw, grouped by BaseFont,
    each read once as it is reached (its /W widths and ToUnicode text merged into its group's), and the (font
    dictionary, key) pairs that use each; :meth:`share` then writes one subset per group.

    The bytes are those of reading every page once all are in, provided that the object numbers of the pages read
    are final (:meth:`Merger._move` renumbers a part before it is read) and that no font dictionary entry read is
    replaced afterwards (:meth:`Merger.finish` checks its two names, FOOTER_FONT and HEADER_FORM)."""

    def __init__(self):
        from guideline.writers import pdf_fonts

        self.enabled = pdf_fonts.available()
        self.groups: dict[str, _Group] = {}  # BaseFont → its fonts
        self.users: dict[tuple[int, int], list] = {}  # font objgen → [(font dictionary, key)]
        self.read: set = set()  # objgens of the resource and font dictionaries and forms read
        self.names: set[str] = set()  # the keys of the font and XObject dictionaries read

    def _first(self, obj) -> bool:
        """Whether ``obj`` is read for the first time (a direct object cannot tell: it is read every time)."""
        if not obj.is_indirect:
            return True
        if obj.objgen in self.read:
            return False
        self.read.add(obj.objgen)
        return True

    def add_pages(self, pages, known: dict[str, list] | None = None) -> None:
        """``known``: :func:`font_metadata` of the document the pages come from, if known."""
        if not self.enabled:
            return
        for page in pages:
            resources = page.obj.get("/Resources")
            if resources is None or not self._first(resources):
                continue
            self.add_fonts(resources.get("/Font"), known)
            for name, xobject in resources.get("/XObject", {}).items():  # e.g. the stamped header, with its fonts
                self.names.add(name)
                self.add_form(xobject, known)

    def add_form(self, xobject, known: dict[str, list] | None = None) -> None:
        from pikepdf import Name

        if self.enabled and xobject.get("/Subtype") == Name.Form and "/Resources" in xobject and self._first(xobject):
            self.add_fonts(xobject.Resources.get("/Font"), known)

    def add_fonts(self, fonts, known: dict[str, list] | None = None) -> None:
        if fonts is None or not self.enabled or not self._first(fonts):
            return
        for key in list(fonts.keys()):
            self.names.add(key)
            self.add_use(fonts[key], [(fonts, key)], known)

    def add_use(self, font, users: list, known: dict[str, list] | None = None) -> None:
        """``font`` as the value of each (font dictionary, key) of ``users``; ``known`` as for :meth:`add_pages`."""
        from pikepdf import Name

        if not self.enabled or not font.is_indirect or font.get("/Subtype") != Name.Type0 \
                or font.get("/Encoding") != Name("/Identity-H"):
            return
        objgen = font.objgen
        using = self.users.get(objgen)
        if using is not None:
            using += users
            return
        self.users[objgen] = list(users)
        base = str(font.BaseFont)
        group = self.groups.get(base)
        if group is None:
            group = self.groups[base] = _Group()
        group.add(objgen, font, known.get(base) if known else None)

    def share(self, cache: Path | None = None) -> int:
        """One subset per group of two fonts or more; how many were shared. A font with a stub for its program
        that is not shared (alone in its group, or its group's subsets could not be merged) gets its own subset."""
        shared = 0
        for base, group in sorted(self.groups.items()):
            if self._share(base, group, cache):
                shared += 1
            else:
                for objgen in sorted(group.stubs):
                    _fill_stub(group.fonts[objgen], cache)
        return shared

    def _share(self, base: str, group: _Group, cache: Path | None) -> bool:
        """One subset of the union of the group's glyphs in the first font, which the others' users are pointed
        to; False (nothing changed) when the group has one font or its fonts cannot be merged."""
        from guideline.writers import pdf_fonts

        if len(group.fonts) < 2:
            return False
        if group.error is not None:
            log.debug("font %s not shared: %s", base, group.error)
            return False
        # The one kept (and first to name a glyph) is the first by object number, that is of the first part in
        # position order, the front matter's last (Merger numbers the objects so, whatever the order of adding).
        numbers = sorted(group.fonts)
        keep = group.fonts[numbers[0]]
        try:
            kind, program = _program(keep)
            widths = group.widths
            if group.postscript is not None and group.postscript[0] == numbers[0]:
                postscript = group.postscript[1]
            else:
                postscript = pdf_fonts.postscript_name(program.read_bytes())
            # Same BaseFont = same font: WeasyPrint derives the subset tag from the font description.
            data = pdf_fonts.union_subset(postscript, set(widths), cache)
        except (ValueError, KeyError, AttributeError, IndexError) as exc:
            log.debug("font %s not shared: %s", base, exc)
            return False
        if data is None:
            return False
        cid = keep.DescendantFonts[0]
        program.write(data)
        if kind == "/FontFile2":
            program.Length1 = len(data)
        cid.W = _width_array(widths)
        bbox = cid.FontDescriptor.FontBBox
        cid.FontDescriptor.FontBBox = [bbox[0], bbox[1], max(widths.values(), default=0), bbox[3]]
        keep.ToUnicode.write(_to_unicode_cmap({gid: text for gid, (_, text) in group.to_unicode.items()}))
        for objgen in numbers[1:]:
            for fonts_dict, key in self.users[objgen]:
                fonts_dict[key] = keep
        return True


@dataclass
class _Part:
    """A part in the joint document, and what it brings to the parts of it assigned in position order."""
    r: "Rendered"
    src: object  # the opened part, kept open until the file is saved (pages are copied lazily)
    pages: list  # its pages in the joint document
    dests: dict[str, object]  # its named destinations
    element: object | None  # its Document element, now a Part (None: an untagged file)
    pairs: list  # its parent tree's (key, value) pairs, keys as the part numbers them
    keys: int  # parent-tree keys it uses (its highest key + 1)
    base: int = 0  # the offset its pages' and annotations' keys carry so far


# Object numbers left free for a part that is still missing when parts after it are added (Merger._move): the
# benchmark's parts take up to ~1,500 (8 pages). qpdf's writer keeps its table of objects in a vector indexed by
# object number only while the numbers in use have holes of less than a tenth of the objects (QPDF::tableSize), in
# a map beyond, which makes saving the benchmark edition 0.1-0.2 s slower: the 6,700-7,500 numbers a part leaves
# unused in its gap were just over that. So a gap's numbers are taken by empty placeholder objects when it is left
# (Merger._leave_gap, ~20 ms, while the missing part is laid out), which the part's objects replace; the rest are
# referred to by nothing and not written. Only the first FILLED_GAPS gaps (~2 MB each): when many parts are missing
# at once, their gaps stay empty and the map is used.
GAP = 8192
FILLED_GAPS = 4


class Merger:
    """Joins the body parts as they become available, in any order, each at its position (so that joining overlaps
    the rendering of the parts still missing, wherever they are), then the front matter, which is laid out last but
    goes first.

    The bytes do not depend on the order the parts came in. Pages go in at their position; parent-tree keys, the
    joint Document's kids, named destinations and first pages are assigned in position order once every part is in
    (:meth:`structure`, :attr:`parts`); a part added after parts that follow it is given the object numbers it
    would have had added in order (:meth:`_move`), which qpdf orders object streams by and :func:`share_fonts`
    chooses the font to keep by."""

    def __init__(self, cache: Path | None = None):
        import pikepdf
        from pikepdf import Array, Dictionary, Name

        self.cache = cache
        self.out = pikepdf.new()
        self.struct_root = self.out.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        self.document = self.out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document,
                                                          P=self.struct_root, K=Array()))
        self.struct_root.K = Array([self.document])
        self.body: list[tuple[int, _Part]] = []  # (position, part), by position
        self.gaps: dict[int, int] = {}  # missing position → the first object number left free for it
        self.filled = 0  # gaps filled with placeholders so far
        self.front: _Part | None = None
        self.dests: dict[str, object] = {}  # named destinations of all parts, merged by structure()
        self.opened: list = []  # every file read (the page furniture too), kept open until the file is saved
        self.fonts = FontIndex()  # the fonts of the parts in, read as they come (finish shares them)

    @property
    def parts(self) -> list[tuple["Rendered", int]]:
        """The body parts in position order, and the index of their first page among the body pages."""
        out = []
        first = 0
        for _, part in self.body:
            out.append((part.r, first))
            first += len(part.pages)
        return out

    @property
    def sources(self) -> list:
        """The opened parts in position order: the body, then the front matter."""
        return [part.src for _, part in self.body] + ([self.front.src] if self.front else [])

    def add(self, r: "Rendered", position: int | None = None) -> None:
        """Add a body part at ``position`` (0, 1, 2 …, each once, in any order; default: after the last one): its
        pages go after those of the parts before it that are in."""
        if position is None:
            position = self.body[-1][0] + 1 if self.body else 0
        index = bisect.bisect(self.body, position, key=lambda item: item[0])
        if index and self.body[index - 1][0] == position:
            raise ValueError(f"a part was added at position {position} already")
        present = {p for p, _ in self.body}
        for missing in range(position):  # they come later, but their objects go before this part's
            if missing not in present and missing not in self.gaps:
                self.gaps[missing] = self._leave_gap()
        before = [part for _, part in self.body[:index]]
        # Keys as if the parts in were all there is: right for a part added in order (the usual case, done while
        # missing parts are laid out); structure() shifts the parts after a missing one once it is in.
        at, base = sum(len(p.pages) for p in before), sum(p.keys for p in before)
        part = self._add(r, at, base, self.gaps.pop(position, None))
        if part is None:  # too large for its gap (never seen): join everything again, in order
            parts = [(p, q.r) for p, q in self.body] + [(position, r)]
            self.__init__(self.cache)
            for p, rendered in sorted(parts, key=lambda item: item[0]):
                self.add(rendered, p)
            return
        self.body.insert(index, (position, part))

    def _add(self, r: "Rendered", at: int, base: int, into: int | None = None) -> _Part | None:
        """Copy a part's pages (inserted at page index ``at``), destinations and tags, its parent-tree keys shifted
        by ``base`` for now, its objects renumbered from ``into`` if given; None: they did not fit in the gap."""
        import pikepdf
        from pikepdf import Name

        out = self.out
        src = pikepdf.open(io.BytesIO(r.pdf))
        self.opened.append(src)
        first = self._next_number() if into is not None else 0
        with warnings.catch_warnings():  # named destinations are merged below
            warnings.simplefilter("ignore")
            if at == len(out.pages):
                out.pages.extend(src.pages)
            else:
                for i, page in enumerate(src.pages):
                    out.pages.insert(at + i, page)
        part = _Part(r, src, out.pages[at:at + len(src.pages)], {}, None, [], 0)
        names = src.Root.get("/Names")
        if names is not None and "/Dests" in names:
            copied = out.copy_foreign(src.make_indirect(names.Dests.Names))
            for i in range(0, len(copied), 2):
                part.dests.setdefault(str(copied[i]), copied[i + 1])
        src_root = src.Root.get("/StructTreeRoot")
        if src_root is not None:
            root = out.copy_foreign(src_root)
            # The part's Document element becomes a Part below the joint Document. Everything below it keeps its
            # parent, including the elements of WeasyPrint's margin boxes, which point at it without being its kids.
            part.element = root.K[0]
            part.element.S = Name.Part
            part.element.P = self.document
            pairs = root.ParentTree.Nums
            part.pairs = [(int(pairs[i]), pairs[i + 1]) for i in range(0, len(pairs), 2)]
            part.keys = max((key for key, _ in part.pairs), default=-1) + 1
        if into is not None:
            end = self._next_number() - 1
            if end - first > GAP:
                return None
            self._move(part, at, range(first, end), into)
        self._shift(part, base)
        self.fonts.add_pages(part.pages, r.fonts)  # numbered as they stay
        return part

    def _next_number(self) -> int:
        """The number the next new object gets (this one, referred to by nothing, is not written)."""
        from pikepdf import Dictionary

        return self.out.make_indirect(Dictionary()).objgen[0] + 1

    def _leave_gap(self) -> int:
        """Leave GAP object numbers for a missing part (placeholders, if not too many gaps are); the first of them."""
        from pikepdf import Dictionary

        out = self.out
        first = self._next_number()
        if self.filled < FILLED_GAPS:
            self.filled += 1
            for n in range(first, first + GAP):
                out._replace_object((n, 0), Dictionary())
        out._replace_object((first + GAP, 0), Dictionary())  # new objects are numbered after this one
        return first

    def _move(self, part: _Part, at: int, numbers: range, into: int) -> None:
        """Renumber the objects just copied for ``part`` from ``into`` on, in the same order.

        qpdf's writer numbers the objects afresh in the order it meets them, but it puts each run of about a
        hundred objects it meets in an object stream, ordered by their numbers here. So that a part added after
        parts that follow it gives the same bytes, its objects take the numbers of the gap left for it before those
        parts were added, in the order they were copied, as if it had been added in order. Streams are never in an
        object stream and keep their numbers. The objects are rewritten with references to the new numbers, and the
        pages replaced in the page tree."""
        import pikepdf
        from pikepdf import Array, Dictionary, Page, Stream

        out = self.out
        with pikepdf.explicit_conversion():  # values copied as they are (reals not rounded through Decimal)
            objects = [(n, out.get_object((n, 0))) for n in numbers]
            moved = {}
            for n, obj in objects:
                if obj is not None and not isinstance(obj, Stream):
                    out._replace_object((into + n - numbers.start, 0), Dictionary())
                    moved[n] = out.get_object((into + n - numbers.start, 0))

            def ref(value):
                return moved.get(value.objgen[0], value) if value.is_indirect else direct(value)

            def direct(value):
                if isinstance(value, Array):
                    return Array([ref(v) for v in value])
                if isinstance(value, Dictionary):
                    return Dictionary({k: ref(v) for k, v in value.items()})
                return pikepdf.Object.parse(value.unparse(resolved=True)) if value.is_indirect else value

            for n, obj in objects:
                if n in moved:
                    out._replace_object(moved[n].objgen, direct(obj))
                elif isinstance(obj, Stream):
                    for key, value in obj.stream_dict.items():
                        obj.stream_dict[key] = ref(value)
            part.element = None if part.element is None else ref(part.element)
            part.pairs = [(key, ref(value)) for key, value in part.pairs]
            part.dests = {name: ref(dest) for name, dest in part.dests.items()}
            part.pages = [Page(moved[page.obj.objgen[0]]) for page in part.pages]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i, page in enumerate(part.pages):
                del out.pages[at + i]
                out.pages.insert(at + i, page)

    @staticmethod
    def _shift(part: _Part, base: int) -> None:
        """Give a part's pages and link annotations the parent-tree keys of offset ``base``."""
        from pikepdf import Array

        delta = base - part.base
        part.base = base
        if not delta:
            return
        for page in part.pages:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + delta
            for annot in page.obj.get("/Annots", Array()):
                if "/StructParent" in annot:
                    annot.StructParent = int(annot.StructParent) + delta

    def structure(self) -> None:
        """The joint tag tree and the merged named destinations, once every part is in, in position order: the
        body parts, then the front matter (added last: its keys come after the body's; its Part comes first). The
        first part that names a destination wins."""
        from pikepdf import Array, Dictionary

        parts = [part for _, part in self.body] + ([self.front] if self.front else [])
        nums: list = []
        self.dests = {}
        base = 0
        for part in parts:
            self._shift(part, base)
            for key, value in part.pairs:
                nums += (key + base, value)
            base += part.keys
            for name, dest in part.dests.items():
                self.dests.setdefault(name, dest)
        elements = [part.element for part in [*parts[len(self.body):], *parts[:len(self.body)]]]
        self.document.K = Array([e for e in elements if e is not None])
        self.struct_root.ParentTree = self.out.make_indirect(Dictionary(Nums=Array(nums)))
        self.struct_root.ParentTreeNextKey = base
        self.out.Root.StructTreeRoot = self.struct_root

    def destinations(self) -> None:
        """The parts' named destinations as one name tree (sorted by their UTF-8 bytes, as a name tree requires)."""
        from pikepdf import Array, Dictionary, String

        names_array = Array()
        for name in sorted(self.dests, key=lambda n: n.encode("utf-8")):
            names_array.append(String(name))
            names_array.append(self.dests[name])
        self.out.Root.Names = Dictionary(Dests=self.out.make_indirect(Dictionary(Names=names_array)))

    def finish(self, edition: Edition, front: "Rendered", stamp: "Rendered") -> bytes:
        """Put the front matter first, stitch links, stamp page furniture, build the outline; the PDF's bytes."""
        import pikepdf
        from pikepdf import Array, Dictionary, Name, String

        out = self.out
        self.front = self._add(front, 0, sum(part.keys for _, part in self.body))
        front_src = self.front.src
        front_pages = len(self.front.pages)
        self.structure()

        # Named destinations and cross-file links.
        dests = self.dests
        self.destinations()
        for page in out.pages:
            for annot in page.obj.get("/Annots", Array()):
                action = annot.get("/A")
                if action is None or action.get("/S") != Name.URI:
                    continue
                uri = str(action.URI)
                if uri.startswith(EXTERNAL_ANCHOR) and uri[len(EXTERNAL_ANCHOR):] in dests:
                    target = uri[len(EXTERNAL_ANCHOR):]
                    del annot.A
                    annot.Dest = String(target)
                    annot.Contents = String(target)

        # Running header and page number on the body pages, as pagination artifacts.
        stamp_pdf = pikepdf.open(io.BytesIO(stamp.pdf))
        self.opened.append(stamp_pdf)
        font, gid_of, widths = _digits_font(stamp_pdf)
        font = out.copy_foreign(font)
        header = out.copy_foreign(stamp_pdf.pages[0].as_form_xobject())
        opening = out.make_stream(b"q\n")
        users = []  # the font dictionaries FOOTER_FONT goes in
        for number, page in enumerate(out.pages[front_pages:], start=1):
            resources = page.obj.Resources
            if "/Font" not in resources:
                resources.Font = Dictionary()
            fonts = resources.Font
            fonts[FOOTER_FONT] = font
            users.append((fonts, FOOTER_FONT))
            if "/XObject" not in resources:
                resources.XObject = Dictionary()
            resources.XObject[HEADER_FORM] = header
            box = [float(v) for v in page.obj.MediaBox]
            stamp_stream = out.make_stream(_furniture_stream(f"- {number} -", gid_of, widths, box[2] - box[0]))
            contents = page.obj.Contents
            existing = list(contents) if isinstance(contents, Array) else [contents]
            page.obj.Contents = Array([opening, *existing, stamp_stream])

        # Outline.
        bookmarks = []
        for part, first in [(front, 0)] + [(r, first + front_pages) for r, first in self.parts]:
            for level, label, index, x, y in part.bookmarks:
                bookmarks.append((int(level), str(label), first + int(index), float(x), float(y)))
        add_outline(out, bookmarks, closed_from_level=2)

        # Catalog and document information.
        copy_catalog(out, front_src)
        out.Root.PageMode = Name.UseOutlines
        out.Root.PageLabels = Dictionary(Nums=Array([0, Dictionary(S=Name.r), front_pages, Dictionary(S=Name.D)]))

        if FOOTER_FONT in self.fonts.names or HEADER_FORM in self.fonts.names:  # a part's own resource replaced
            share_fonts(out, self.cache)
        else:
            self.fonts.add_form(header)
            self.fonts.add_use(font, users)
            self.fonts.share(self.cache)
        return save(out)


def save(out) -> bytes:
    """The joined document's bytes: object streams, a content-derived file identifier. Streams the parts already
    compressed are copied as they are (``stream_decode_level`` none); qpdf's default would inflate and deflate every
    page's content again, half of the 1.5 s a 670-page save took. Streams written here are compressed."""
    import pikepdf

    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True, compress_streams=True, min_version="1.7",
             object_stream_mode=pikepdf.ObjectStreamMode.generate, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return buffer.getvalue()


def merge(edition: Edition, front: "Rendered", body: list["Rendered"], stamp: "Rendered",
          cache: Path | None = None) -> bytes:
    """The joined PDF of the front matter, the body parts in order, and the page furniture."""
    merger = Merger(cache)
    for r in body:
        merger.add(r)
    return merger.finish(edition, front, stamp)
