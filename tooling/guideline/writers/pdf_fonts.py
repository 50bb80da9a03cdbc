"""One font subset per font for a PDF joined from separately rendered parts (see :mod:`guideline.writers.pdf_merge`).

Each WeasyPrint file embeds its own subset of every font it uses; joined, a 400-page edition would carry dozens of
copies of the same fonts' fixed overhead. WeasyPrint subsets with HarfBuzz keeping the *original* glyph IDs
(``HB_SUBSET_FLAGS_RETAIN_GIDS``), so the text of every part addresses the same glyph numbers: one subset of the
original font file holding the union of the glyphs serves them all. This module finds the original font file
through fontconfig by its PostScript name, subsets it with libharfbuzz-subset (the library WeasyPrint uses, loaded
through ctypes) and returns the font program. Anything unexpected returns ``None`` and the caller keeps the parts'
own subsets: the PDF is then larger, never wrong.

Deferred subsets (:func:`deferred_subsets`): as every part's subsets are replaced when the parts are joined, a part
rendered for joining embeds a *stub* in place of each font program: the font's sfnt version, :data:`STUB_MAGIC`
and its PostScript name, a few dozen bytes. HarfBuzz's subsetting of a Noto CJK face costs ~0.05-0.07 CPU-s a font
and a part uses three or four, which was ~10-15% of laying out a seven-page part (12 benchmark parts: 15.0-16.2 →
13.4-13.5 CPU-s). The joining then subsets every font once (:meth:`guideline.writers.pdf_merge.FontIndex.share`),
a font only one part uses, or one whose parts' subsets cannot be merged, with just its own glyphs. A font is
stubbed only when that is sure to work: an outline font with glyphs for all its text (no .notdef stand-ins), not
variable, without colour or bitmap glyphs, whose PostScript name fontconfig finds; any other is subset as usual.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import subprocess
import threading
from pathlib import Path

from guideline.diagnostics import UserError
from guideline.fileio import atomic_write

log = logging.getLogger(__name__)

# hb_subset_flags_t and hb_subset_sets_t (stable ABI values from hb-subset.h)
NO_HINTING, RETAIN_GIDS, DESUBROUTINIZE, PASSTHROUGH_UNRECOGNIZED = 0x1, 0x2, 0x4, 0x20
SETS_DROP_TABLE_TAG = 3
HB_MEMORY_MODE_READONLY = 1
# The tables WeasyPrint drops from subsets (weasyprint/pdf/fonts.py).
DROP_TABLES = ("BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT", "SVG ")
POSTSCRIPT_NAME_ID = 6
SUBSET_FORMAT = "1"
# What follows the 4-byte sfnt version in a font program that stands for a subset made when parts are joined.
STUB_MAGIC = b"\0guideline deferred subset 1\0"


@functools.lru_cache(maxsize=1)
def _hb():
    """libharfbuzz and libharfbuzz-subset through ctypes (only opaque pointers and integers cross the boundary)."""
    import ctypes

    hb = ctypes.CDLL("libharfbuzz.so.0")
    hbs = ctypes.CDLL("libharfbuzz-subset.so.0")
    P, U, I = ctypes.c_void_p, ctypes.c_uint, ctypes.c_int
    signatures = {
        (hb, "hb_blob_create_from_file"): (P, [ctypes.c_char_p]),
        (hb, "hb_blob_create"): (P, [ctypes.c_char_p, U, I, P, P]),
        (hb, "hb_blob_destroy"): (None, [P]),
        (hb, "hb_blob_get_data"): (P, [P, ctypes.POINTER(U)]),
        (hb, "hb_face_create"): (P, [P, U]),
        (hb, "hb_face_destroy"): (None, [P]),
        (hb, "hb_face_get_glyph_count"): (U, [P]),
        (hb, "hb_face_reference_blob"): (P, [P]),
        (hb, "hb_ot_name_get_utf8"): (U, [P, U, P, ctypes.POINTER(U), ctypes.c_char_p]),
        (hb, "hb_set_add"): (None, [P, U]),
        (hb, "hb_set_add_range"): (None, [P, U, U]),
        (hbs, "hb_subset_input_create_or_fail"): (P, []),
        (hbs, "hb_subset_input_destroy"): (None, [P]),
        (hbs, "hb_subset_input_glyph_set"): (P, [P]),
        (hbs, "hb_subset_input_set"): (P, [P, I]),
        (hbs, "hb_subset_input_set_flags"): (None, [P, U]),
        (hbs, "hb_subset_or_fail"): (P, [P, P]),
    }
    for (lib, name), (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    return ctypes, hb, hbs


def _tag(name: str) -> int:
    a, b, c, d = (ord(ch) for ch in name)
    return (a << 24) | (b << 16) | (c << 8) | d


def _postscript_name(face) -> str:
    ctypes, hb, _ = _hb()
    size = ctypes.c_uint(256)
    text = ctypes.create_string_buffer(256)
    hb.hb_ot_name_get_utf8(face, POSTSCRIPT_NAME_ID, None, ctypes.byref(size), text)
    return text.value.decode("utf-8", "replace")


def stub_program(sfnt_version: bytes, postscript: str) -> bytes:
    """The stand-in for a font program to be subset when the parts are joined (see the module's text)."""
    return sfnt_version[:4] + STUB_MAGIC + postscript.encode("utf-8")


def stub_name(font_program: bytes) -> str | None:
    """The PostScript name a stub stands for; None for a real font program."""
    if font_program[4:4 + len(STUB_MAGIC)] != STUB_MAGIC:
        return None
    return font_program[4 + len(STUB_MAGIC):].decode("utf-8", "replace")


def postscript_name(font_program: bytes) -> str:
    stubbed = stub_name(font_program)
    if stubbed is not None:
        return stubbed
    _, hb, _ = _hb()
    blob = hb.hb_blob_create(font_program, len(font_program), HB_MEMORY_MODE_READONLY, None, None)
    face = hb.hb_face_create(blob, 0)
    hb.hb_blob_destroy(blob)
    try:
        return _postscript_name(face)
    finally:
        hb.hb_face_destroy(face)


@functools.lru_cache(maxsize=1)
def installed_fonts() -> dict[str, tuple[str, int]]:
    """PostScript name → (path, face index) of every font fontconfig lists (the first path in sorted order when two
    files have one name): one ``fc-list`` of ~15 ms per process, which the PDF fork server makes before it forks
    the workers (:mod:`guideline.writers.pdf_server`)."""
    try:
        result = subprocess.run(["fc-list", "--format=%{postscriptname}\t%{file}\t%{index}\n"],
                                capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    found: dict[str, tuple[str, int]] = {}
    for line in result.stdout.splitlines():
        name, _, rest = line.partition("\t")
        path, _, index = rest.partition("\t")
        if name and path and index.strip().isdigit():
            entry = (path, int(index.strip()))
            if name not in found or entry < found[name]:
                found[name] = entry
    return found


def font_file(postscript: str) -> tuple[str, int] | None:
    """(path, face index) of the installed font with this PostScript name, via fontconfig."""
    return installed_fonts().get(postscript) if postscript else None


def union_subset(postscript: str, glyphs: set[int], cache: Path | None = None) -> bytes | None:
    """The original font of that PostScript name, subset to ``glyphs`` with their original glyph IDs kept.

    With ``cache`` (a directory), results are kept there by a hash of the font file and the glyph set.
    """
    located = font_file(postscript)
    if located is None or not glyphs:
        return None
    path, index = located
    cached = None
    if cache is not None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        h = hashlib.sha256(f"{SUBSET_FORMAT}\0{postscript}\0{path}\0{index}\0{st.st_size}\0{int(st.st_mtime)}\0"
                           .encode())
        h.update(",".join(map(str, sorted(glyphs))).encode())
        cached = cache / f"font-{h.hexdigest()}.bin"
        try:
            data = cached.read_bytes()
            os.utime(cached)
            return data
        except OSError:
            pass
    data = _subset(path, index, postscript, glyphs)
    if data is not None and cached is not None:
        try:
            atomic_write(cached, data)
        except UserError:
            pass
    return data


def _subset(path: str, index: int, postscript: str, glyphs: set[int]) -> bytes | None:
    ctypes, hb, hbs = _hb()
    blob = hb.hb_blob_create_from_file(path.encode())
    face = hb.hb_face_create(blob, index)
    hb.hb_blob_destroy(blob)
    try:
        if _postscript_name(face) != postscript or hb.hb_face_get_glyph_count(face) <= max(glyphs):
            return None
        # Pass 1 as WeasyPrint: keep the glyphs at their original IDs, drop layout tables, no subroutines.
        first = hbs.hb_subset_input_create_or_fail()
        if not first:
            return None
        try:
            gids = hbs.hb_subset_input_glyph_set(first)
            for g in sorted(glyphs):
                hb.hb_set_add(gids, g)
            hbs.hb_subset_input_set_flags(first, RETAIN_GIDS | PASSTHROUGH_UNRECOGNIZED | DESUBROUTINIZE)
            drop = hbs.hb_subset_input_set(first, SETS_DROP_TABLE_TAG)
            for name in DROP_TABLES:
                hb.hb_set_add(drop, _tag(name))
            kept = hbs.hb_subset_or_fail(face, first)
        finally:
            hbs.hb_subset_input_destroy(first)
        if not kept:
            return None
        # Pass 2: cut the empty glyphs after the last one used.
        second = hbs.hb_subset_input_create_or_fail()
        try:
            hb.hb_set_add_range(hbs.hb_subset_input_glyph_set(second), 0, max(glyphs))
            hbs.hb_subset_input_set_flags(second, PASSTHROUGH_UNRECOGNIZED | DESUBROUTINIZE | NO_HINTING)
            final = hbs.hb_subset_or_fail(kept, second)
        finally:
            hbs.hb_subset_input_destroy(second)
            hb.hb_face_destroy(kept)
        if not final:
            return None
        try:
            out_blob = hb.hb_face_reference_blob(final)
            length = ctypes.c_uint(0)
            data = hb.hb_blob_get_data(out_blob, ctypes.byref(length))
            result = ctypes.string_at(data, length.value) if data and length.value else None
            hb.hb_blob_destroy(out_blob)
            return result
        finally:
            hb.hb_face_destroy(final)
    finally:
        hb.hb_face_destroy(face)


def _may_stub(font) -> bool:
    """Whether a WeasyPrint ``Font`` is of a kind :func:`_stub_for` may give a stub (its glyphs are not known yet):
    an outline font, not variable, without colour glyphs."""
    try:
        return not (font.bitmap or font.png or font.svg or font.colr or "fvar" in font.tables)
    except AttributeError:  # another WeasyPrint: subset as usual
        return False


def _stub_for(font, to_unicode: dict, ffi) -> bytes | None:
    """A stub for WeasyPrint's ``Font`` when its subset can be made when the parts are joined, else None."""
    try:
        if not to_unicode or not _may_stub(font) or font.missing or max(to_unicode) >= font.glyph_count:
            return None
        postscript = _postscript_name(int(ffi.cast("uintptr_t", font.hb_face)))
        cff = "CFF " in font.tables or "CFF2" in font.tables
    except AttributeError:
        return None
    if not postscript or font_file(postscript) is None:
        return None
    return stub_program(b"OTTO" if cff else b"\0\1\0\0", postscript)


_deferring = threading.local()
# A WeasyPrint Font's file_content while it is not read: the font file (a Noto CJK collection is 20-25 MB) is copied
# into Python only for a font that is subset as usual.
_PENDING = b"\0guideline: font data not read\0"


@functools.lru_cache(maxsize=1)
def _install() -> bool:
    """WeasyPrint's ``Font`` adapted, once per process, for :func:`deferred_subsets`: while it is active in the
    calling thread, ``clean`` (which subsets) makes a stub instead where it can, and ``__init__`` does not copy the
    font file (``get_hb_object_data``), which only ``clean`` would have read then. False (nothing changed) when
    WeasyPrint's fonts module does not have the shape this was written for (WeasyPrint 62-70)."""
    from weasyprint.pdf import fonts as weasyprint_fonts
    from weasyprint.text.ffi import ffi

    font_class = weasyprint_fonts.Font
    if not (callable(getattr(font_class, "clean", None)) and callable(getattr(weasyprint_fonts, "get_hb_object_data",
                                                                               None))):
        return False
    original_init, original_clean = font_class.__init__, font_class.clean
    read = weasyprint_fonts.get_hb_object_data

    def get_hb_object_data(hb_object, *args, **kwargs):
        if not args and not kwargs and getattr(_deferring, "in_init", False):
            return _PENDING
        return read(hb_object, *args, **kwargs)

    def init(font, *args, **kwargs):
        _deferring.in_init = getattr(_deferring, "active", False)
        try:
            original_init(font, *args, **kwargs)
        finally:
            _deferring.in_init = False
        if font.file_content is _PENDING and not _may_stub(font):
            font.file_content = read(font.hb_face)

    def clean(font, to_unicode, hinting):
        program = _stub_for(font, to_unicode, ffi) if getattr(_deferring, "active", False) else None
        if program is None:
            if font.file_content is _PENDING:
                font.file_content = read(font.hb_face)
            return original_clean(font, to_unicode, hinting)
        font.file_content = program
        return None

    weasyprint_fonts.get_hb_object_data = get_hb_object_data
    font_class.__init__ = init
    font_class.clean = clean
    return True


@contextlib.contextmanager
def deferred_subsets():
    """While active (in the calling thread), WeasyPrint's ``write_pdf`` embeds stubs instead of font subsets where
    it can (see the module's text). The document must then be joined by :class:`guideline.writers.pdf_merge.Merger`,
    which makes the subsets; where it could not (:func:`available` is false), this does nothing."""
    if not available() or not _install():
        yield
        return
    _deferring.active = True
    try:
        yield
    finally:
        _deferring.active = False


def cache_salt() -> str:
    """What a cached part depends on here: whether it holds stubs (the cache must not mix the two)."""
    return "font subsets: " + ("deferred" if available() else "own")


def available() -> bool:
    try:
        _hb()
        return True
    except (OSError, AttributeError) as exc:  # missing library or symbol: keep the per-part subsets
        log.debug("font sharing unavailable: %s", exc)
        return False
