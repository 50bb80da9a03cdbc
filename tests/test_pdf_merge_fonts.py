"""Font sharing in the joined PDF (guideline.writers.pdf_merge): the fonts are read as the parts come in
(Merger.add, FontIndex) and shared when the document is finished; the result must be that of reading every page at
the end (share_fonts), whatever the order the parts came in.

The parts are the fixture edition's units, its 目次 and its page furniture, laid out in this process once for the
module; one test wraps a part's pages in form XObjects, so that its fonts are reached only through a form.
"""
from __future__ import annotations

import io
import shutil

import pikepdf
import pytest
from conftest import SRC
from fontTools.ttLib import TTFont
from pikepdf import Array, Dictionary, Name

from guideline import editions
from guideline.writers import pdf, pdf_fonts, pdf_html, pdf_merge

pytestmark = pytest.mark.skipif(shutil.which("fc-list") is None or not pdf_fonts.available(),
                                reason="needs fontconfig and libharfbuzz-subset")


@pytest.fixture(scope="module")
def parts() -> dict:
    """The fixture edition laid out as pdf.render does: its units, the page furniture, the 目次."""
    edition = editions.load_or_fail(str(SRC / "editions" / "base"))
    css = pdf_html.css()

    def render(html: str, tagged: bool = True) -> pdf.Rendered:
        return pdf.Rendered(**pdf.render_html(html, tagged, css))

    body = []
    for unit in pdf_html.plan_units(edition):
        writer = pdf_html.BodyWriter(edition, set(pdf_html.unit_anchors(unit)))
        body.append(render(pdf_html.document(edition, front=False, body=writer.unit(unit), stamped=True,
                                             inline_css=False)))
    stamp = render(pdf_html.stamp_document(edition, pdf_merge.FOOTER_CHARS, inline_css=False), tagged=False)
    front = render(pdf_html.document(edition, front=True, page_numbers=pdf.page_numbers(body), inline_css=False))
    assert len(body) == 3
    return {"edition": edition, "body": body, "front": front, "stamp": stamp}


def in_forms(r: pdf.Rendered) -> pdf.Rendered:
    """The part with each page's content drawn by a form XObject: its fonts are only in the forms' resources."""
    src = pikepdf.open(io.BytesIO(r.pdf))
    for page in src.pages:
        form = src.make_indirect(page.as_form_xobject())
        form.write(form.read_bytes())  # its content read now (it is read from the page's when saved otherwise)
        page.obj.Resources = Dictionary(XObject=Dictionary({"/Fm0": form}))
        page.obj.Contents = src.make_stream(b"q /Fm0 Do Q\n")
    buffer = io.BytesIO()
    src.save(buffer)
    return pdf.Rendered(buffer.getvalue(), r.pages, r.anchors, r.bookmarks)


def join(parts: dict, body: list, order: list[int], full_scan: bool = False) -> bytes:
    merger = pdf_merge.Merger()
    for i in order:
        merger.add(body[i], i)
    if full_scan:  # as if a part had a resource of the names finish adds: every page read at the end (share_fonts)
        merger.fonts.names.add(pdf_merge.FOOTER_FONT)
    return merger.finish(parts["edition"], parts["front"], parts["stamp"])


def font_uses(pdf_file) -> list[tuple[object, object, set[int]]]:
    """(font dictionary key, Type0 font, glyph ids it draws) for every Tf of every page and form XObject drawn."""
    uses = []

    def walk(content, resources, seen: set):
        fonts = resources.get("/Font", Dictionary())
        xobjects = resources.get("/XObject", Dictionary())
        current = None
        for operands, operator in pikepdf.parse_content_stream(content):
            op = str(operator)
            if op == "Tf":
                current = (operands[0], fonts[operands[0]], set())
                uses.append(current)
            elif op in ("Tj", "TJ", "'", '"'):
                strings = [v for v in (operands[-1] if op == "TJ" else [operands[-1]]) if isinstance(v, pikepdf.String)]
                for s in strings:
                    data = bytes(s)
                    current[2].update(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
            elif op == "Do":
                form = xobjects[operands[0]]
                if form.get("/Subtype") == Name.Form and form.objgen not in seen:
                    walk(form, form.get("/Resources", resources), seen | {form.objgen})

    for page in pdf_file.pages:
        walk(page, page.obj.Resources, set())
    return uses


def drawn_outlines(font) -> tuple[set[int], set[int]]:
    """(glyph ids with an outline, glyph ids in the font) of a Type0 font's embedded program, read by fontTools;
    fails on a stub (pdf_fonts.deferred_subsets) or anything else that is not a font."""
    program = program_of(font)
    assert pdf_fonts.stub_name(program) is None, str(font.BaseFont)
    parsed = TTFont(io.BytesIO(program))
    order = parsed.getGlyphOrder()
    outlined = set()
    if "CFF " in parsed:
        charstrings = parsed["CFF "].cff.topDictIndex[0].CharStrings
        for gid, name in enumerate(order):
            charstring = charstrings[name]
            charstring.decompile()
            if any(op in charstring.program for op in ("rmoveto", "hmoveto", "vmoveto")):
                outlined.add(gid)
    else:
        glyf = parsed["glyf"]
        outlined = {gid for gid, name in enumerate(order) if glyf[name].numberOfContours != 0}
    return outlined, set(range(len(order)))


def check_fonts(data: bytes) -> set[str]:
    """One font object per BaseFont over every page and form, whose /W and ToUnicode cover every glyph drawn
    with it, and whose program is a real font holding the outline of every glyph drawn but white space; the
    BaseFonts."""
    joined = pikepdf.open(io.BytesIO(data))
    objects: dict[str, set] = {}
    drawn: dict[tuple, set[int]] = {}
    fonts = {}
    for _, font, gids in font_uses(joined):
        if font.get("/Subtype") != Name.Type0:
            continue
        objects.setdefault(str(font.BaseFont), set()).add(font.objgen)
        drawn.setdefault(font.objgen, set()).update(gids)
        fonts[font.objgen] = font
    assert objects
    for base, numbers in objects.items():
        assert len(numbers) == 1, (base, numbers)
    for objgen, gids in drawn.items():
        font = fonts[objgen]
        widths = pdf_merge._widths(font.DescendantFonts[0].get("/W", []))
        to_unicode = pdf_merge._to_unicode(font.ToUnicode)
        assert gids <= set(widths), (str(font.BaseFont), gids - set(widths))
        assert gids <= set(to_unicode), (str(font.BaseFont), gids - set(to_unicode))
        outlined, present = drawn_outlines(font)
        inked = {g for g in gids if bytes.fromhex(to_unicode[g]).decode("utf-16-be").strip()}
        assert inked and inked <= outlined, (str(font.BaseFont), {g: to_unicode[g] for g in inked - outlined})
        assert gids <= present
    return set(objects)


def test_fonts_read_as_parts_come_in_are_those_of_reading_every_page_at_the_end(parts):
    body = parts["body"]
    in_order = join(parts, body, [0, 1, 2])
    assert join(parts, body, [0, 1, 2], full_scan=True) == in_order
    # the first and the middle part added last: their objects renumbered into the gaps left for them (Merger._move)
    assert join(parts, body, [2, 1, 0]) == in_order
    assert join(parts, body, [0, 2, 1]) == in_order
    bases = check_fonts(in_order)
    # the 目次's fonts, the running header's and the page number's are the body's: one object each
    joined = pikepdf.open(io.BytesIO(in_order))
    front = pikepdf.open(io.BytesIO(parts["front"].pdf))
    assert {str(f.BaseFont) for f in front.pages[0].Resources.Font.values()} & bases
    number_font = joined.pages[parts["front"].pages].Resources.Font[pdf_merge.FOOTER_FONT]
    assert str(number_font.BaseFont) in bases
    by_base = {str(f.BaseFont): f.objgen for _, f, _ in font_uses(joined) if f.get("/Subtype") == Name.Type0}
    assert number_font.objgen == by_base[str(number_font.BaseFont)]


def test_a_font_reached_only_through_a_form_is_shared(parts):
    body = list(parts["body"])
    body[1] = in_forms(body[1])
    wrapped = pikepdf.open(io.BytesIO(body[1].pdf))
    assert all("/Font" not in page.Resources for page in wrapped.pages)
    in_order = join(parts, body, [0, 1, 2])
    check_fonts(in_order)
    assert join(parts, body, [0, 1, 2], full_scan=True) == in_order
    assert join(parts, body, [0, 2, 1]) == in_order  # added last, renumbered
    assert join(parts, body, [1, 2, 0]) == in_order


def test_share_fonts_given_what_was_read_when_the_parts_came_in(parts):
    """share_fonts(out, cache, merger.fonts) reads again only what changed since (as comparison_pdf's page numbers:
    each page's resources replaced, a form with fonts of its own added): the bytes of reading everything."""
    results = []
    for known in (False, True):
        merger = pdf_merge.Merger()
        for i, r in enumerate(parts["body"]):
            merger.add(r, i)
        out = merger.out
        stamp = pikepdf.open(io.BytesIO(parts["stamp"].pdf))
        form = out.copy_foreign(stamp.make_indirect(stamp.pages[1].as_form_xobject()))
        for page in out.pages:
            resources = Dictionary({key: value for key, value in page.obj.Resources.items()})
            resources.XObject = Dictionary({**{k: v for k, v in page.obj.Resources.XObject.items()}, "/GLnum": form})
            page.obj.Resources = resources
            page.obj.Contents = Array([*([page.obj.Contents] if isinstance(page.obj.Contents, pikepdf.Stream)
                                         else page.obj.Contents), out.make_stream(b"q /GLnum Do Q\n")])
        assert pdf_merge.share_fonts(out, None, merger.fonts if known else None) >= 1
        results.append(pdf_merge.save(out))
    assert results[0] == results[1]
    check_fonts(results[0])


def _font(doc, widths: list, cmap: dict[int, str]):
    entries = "".join(f"<{g:04x}> <{t}>\n" for g, t in cmap.items())
    to_unicode = doc.make_stream(f"{len(cmap)} beginbfchar\n{entries}endbfchar\n".encode())
    cid = Dictionary(Type=Name.Font, Subtype=Name.CIDFontType0, BaseFont=Name("/AAAAAA+Test"), W=Array(widths),
                     FontDescriptor=Dictionary(Type=Name.FontDescriptor, FontName=Name("/AAAAAA+Test")))
    return doc.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type0, BaseFont=Name("/AAAAAA+Test"),
                                        Encoding=Name("/Identity-H"), DescendantFonts=Array([cid]),
                                        ToUnicode=to_unicode))


def test_a_glyphs_text_is_the_lowest_numbered_fonts_whatever_the_order_read():
    doc = pikepdf.new()
    fonts = [_font(doc, [5, [500, 600]], {5: "3042", 6: "3044"}),
             _font(doc, [5, [500], 7, [700]], {5: "ff21", 7: "3046"}),
             _font(doc, [6, [600, 700]], {6: "ff22", 7: "ff23"})]
    results = []
    for order in ([0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]):
        group = pdf_merge._Group()
        for i in order:
            group.add(fonts[i].objgen, fonts[i])
        assert group.error is None
        results.append(({g: t for g, (_, t) in group.to_unicode.items()}, group.widths))
    assert results[0] == ({5: "3042", 6: "3044", 7: "3046"}, {5: 500.0, 6: 600.0, 7: 700.0})
    assert all(r == results[0] for r in results)


def test_fonts_that_disagree_or_cannot_be_read_are_left_as_they_are():
    doc = pikepdf.new()
    first = _font(doc, [5, [500]], {5: "3042"})
    index = pdf_merge.FontIndex()
    users = [Dictionary({"/F0": first}), Dictionary({"/F1": _font(doc, [5, [510]], {5: "3042"})})]  # two widths
    for fonts in users:
        index.add_fonts(fonts)
    assert isinstance(index.groups["/AAAAAA+Test"].error, ValueError)
    broken = _font(doc, [5, [500]], {5: "3042"})
    broken.DescendantFonts[0].W = Array([5, 6])  # c_first c_last without the width
    other = pdf_merge.FontIndex()
    other.add_fonts(Dictionary({"/F0": first, "/F2": broken}))
    assert other.groups["/AAAAAA+Test"].error is not None
    assert index.share() == 0 and other.share() == 0
    assert users[1]["/F1"].objgen != first.objgen


def test_gaps_left_for_missing_parts_are_filled_and_the_bytes_stay(parts, monkeypatch):
    """The numbers of a gap left for a missing part are taken by placeholders (qpdf's writer keeps its object table
    in a vector only while the numbers in use have few holes), which are never written: the same bytes, however many
    gaps are filled."""
    body = parts["body"]
    in_order = join(parts, body, [0, 1, 2])
    merger = pdf_merge.Merger()
    merger.add(body[2], 2)
    assert set(merger.gaps) == {0, 1} and merger.filled == 2
    assert all(merger.out.get_object((n, 0)) is not None
               for first in merger.gaps.values() for n in range(first, first + pdf_merge.GAP))
    merger.add(body[0], 0)
    merger.add(body[1], 1)
    assert merger.finish(parts["edition"], parts["front"], parts["stamp"]) == in_order
    monkeypatch.setattr(pdf_merge, "FILLED_GAPS", 1)  # the second gap left empty
    assert join(parts, body, [2, 1, 0]) == in_order


def program_of(font) -> bytes:
    return pdf_merge._program(font)[1].read_bytes()


def part_programs(data: bytes) -> dict[str, bytes]:
    """BaseFont → embedded font program of every font on the pages of a PDF."""
    doc = pikepdf.open(io.BytesIO(data))
    return {str(font.BaseFont): program_of(font) for page in doc.pages for font in page.Resources.Font.values()}


def test_parts_embed_stubs_and_the_joined_document_one_real_subset_per_font(parts):
    """A part laid out for joining embeds a stub per font (pdf_fonts.deferred_subsets: the subsetting is left to
    the joining); the joined document holds real subsets, with the outline of every glyph drawn."""
    for r in parts["body"]:
        programs = part_programs(r.pdf)
        assert programs and all(pdf_fonts.stub_name(program) for program in programs.values())
        assert all(len(program) < 100 for program in programs.values())
    bases = check_fonts(join(parts, parts["body"], [0, 1, 2]))
    assert any("Serif" in base for base in bases) and any("Sans" in base for base in bases)


def test_a_font_of_one_part_only_gets_a_subset_of_its_own(parts):
    """A font that no other part shares is not merged with anything: its stub is replaced by a subset of its own
    glyphs (pdf_merge._fill_stub)."""
    merger = pdf_merge.Merger()
    merger.add(parts["body"][1], 0)
    assert all(len(group.fonts) == 1 and group.stubs for group in merger.fonts.groups.values())
    assert pdf_merge.share_fonts(merger.out, None, merger.fonts) == 0
    check_fonts(pdf_merge.save(merger.out))


def test_a_stub_whose_font_is_gone_fails_naming_the_font(parts, monkeypatch, tmp_path):
    from guideline.diagnostics import UserError

    merger = pdf_merge.Merger(tmp_path)
    merger.add(parts["body"][1], 0)
    monkeypatch.setattr(pdf_fonts, "installed_fonts", lambda: {})  # as if the font file had been removed since
    with pytest.raises(UserError, match=r"font 'NotoS\w+CJKjp-\w+' cannot be embedded.*delete .* build again"):
        pdf_merge.share_fonts(merger.out, tmp_path, merger.fonts)


def test_only_fonts_that_can_be_subset_when_joined_get_stubs():
    """A font drawing a character it lacks (a .notdef stand-in) keeps WeasyPrint's own subset; outside
    deferred_subsets (and in another thread while it is active) WeasyPrint subsets as it always does."""
    import threading

    import weasyprint

    css = pdf_html.css()
    plain = '<html lang="ja"><body><main><p>{}</p></main></body></html>'
    lacking = pdf.Rendered(**pdf.render_html(plain.format("本文\ue000です"), False, css))
    programs = part_programs(lacking.pdf)
    (serif,) = [base for base in programs if "Serif" in base]  # the body's font, which lacks U+E000
    assert pdf_fonts.stub_name(programs[serif]) is None and len(programs[serif]) > 1000
    merger = pdf_merge.Merger()
    merger.add(lacking, 0)
    merger.add(pdf.Rendered(**pdf.render_html(plain.format("本文です"), False, css)), 1)  # stubs, same font
    pdf_merge.share_fonts(merger.out, None, merger.fonts)  # the union is refused (a glyph id past the font's)
    joined = pikepdf.open(io.BytesIO(pdf_merge.save(merger.out)))
    for page in joined.pages:
        for font in page.Resources.Font.values():
            drawn_outlines(font)  # real fonts, no stub left

    def outside() -> bytes:
        return weasyprint.HTML(string=plain.format("本文です")).write_pdf()

    from_thread: list[bytes] = []
    with pdf_fonts.deferred_subsets():
        thread = threading.Thread(target=lambda: from_thread.append(outside()))
        thread.start()
        thread.join()
    for data in (outside(), from_thread[0]):
        programs = part_programs(data)
        assert programs and all(len(program) > 1000 and not pdf_fonts.stub_name(program)
                                for program in programs.values())


def test_what_the_workers_read_of_the_fonts_is_what_joining_would_read(parts, monkeypatch):
    """The parts carry their fonts' widths and text (pdf_merge.font_metadata, read by the worker that laid them
    out), which joining takes instead of reading the fonts again; with or without it, the bytes are the same."""
    body = parts["body"]
    assert all(r.fonts and all(widths and text and len(widths) % 2 == 0 for widths, text in r.fonts.values())
               for r in body)
    assert max(len(widths) for r in body for widths, _ in r.fonts.values()) > 100
    blind = [pdf.Rendered(r.pdf, r.pages, r.anchors, r.bookmarks) for r in body]
    calls = []
    read_widths = pdf_merge._widths
    monkeypatch.setattr(pdf_merge, "_widths", lambda w: calls.append(1) or read_widths(w))
    expected = join(parts, blind, [0, 1, 2])
    read_blind = len(calls)
    calls.clear()
    assert join(parts, body, [0, 1, 2]) == expected
    assert read_blind >= sum(len(r.fonts) for r in body) and len(calls) <= read_blind - sum(len(r.fonts) for r in body)
    assert join(parts, blind, [2, 0, 1]) == join(parts, body, [1, 2, 0])
    doc = pikepdf.open(io.BytesIO(body[0].pdf))
    font = next(iter(doc.pages[0].Resources.Font.values()))
    widths, text = body[0].fonts[str(font.BaseFont)]
    assert dict(zip(widths[::2], widths[1::2])) == pdf_merge._widths(font.DescendantFonts[0].W)
    assert dict(zip(text[::2], text[1::2])) == pdf_merge._to_unicode(font.ToUnicode)
