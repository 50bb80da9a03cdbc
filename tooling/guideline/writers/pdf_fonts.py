"""One font subset per font for a PDF joined from separately rendered parts (see :mod:`guideline.writers.pdf_merge`).

Each WeasyPrint file embeds its own subset of every font it uses; joined, a 400-page edition would carry dozens of
copies of the same fonts' fixed overhead. WeasyPrint subsets with HarfBuzz keeping the *original* glyph IDs
(``HB_SUBSET_FLAGS_RETAIN_GIDS``), so the text of every part addresses the same glyph numbers: one subset of the
original font file holding the union of the glyphs serves them all. This module finds the original font file
through fontconfig by its PostScript name, subsets it with libharfbuzz-subset (the library WeasyPrint uses, loaded
through cffi) and returns the font program. Anything unexpected returns ``None`` and the caller keeps the parts'
own subsets: the PDF is then larger, never wrong.
"""
from __future__ import annotations

import functools
import logging
import subprocess

log = logging.getLogger(__name__)

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
hb_blob_t *hb_blob_create_from_file(const char *file_name);
hb_blob_t *hb_blob_create(const char *data, unsigned int length, int mode, void *user_data, void *destroy);
void hb_blob_destroy(hb_blob_t *blob);
const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
void hb_face_destroy(hb_face_t *face);
unsigned int hb_face_get_glyph_count(const hb_face_t *face);
hb_blob_t *hb_face_reference_blob(hb_face_t *face);
unsigned int hb_ot_name_get_utf8(hb_face_t *face, unsigned int name_id, const void *language,
                                 unsigned int *text_size, char *text);
hb_subset_input_t *hb_subset_input_create_or_fail(void);
void hb_subset_input_destroy(hb_subset_input_t *input);
hb_set_t *hb_subset_input_glyph_set(hb_subset_input_t *input);
hb_set_t *hb_subset_input_set(hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags(hb_subset_input_t *input, unsigned int value);
void hb_set_add(hb_set_t *set, unsigned int codepoint);
void hb_set_add_range(hb_set_t *set, unsigned int first, unsigned int last);
hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
"""
# hb_subset_flags_t and hb_subset_sets_t (stable ABI values from hb-subset.h)
NO_HINTING, RETAIN_GIDS, DESUBROUTINIZE, PASSTHROUGH_UNRECOGNIZED = 0x1, 0x2, 0x4, 0x20
SETS_DROP_TABLE_TAG = 3
HB_MEMORY_MODE_READONLY = 1
# The tables WeasyPrint drops from subsets (weasyprint/pdf/fonts.py).
DROP_TABLES = ("BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT", "SVG ")
POSTSCRIPT_NAME_ID = 6


@functools.lru_cache(maxsize=1)
def _hb():
    from cffi import FFI

    ffi = FFI()
    ffi.cdef(_CDEF)
    hb = ffi.dlopen("libharfbuzz.so.0")
    hbs = ffi.dlopen("libharfbuzz-subset.so.0")
    return ffi, hb, hbs


def _tag(name: str) -> int:
    a, b, c, d = (ord(ch) for ch in name)
    return (a << 24) | (b << 16) | (c << 8) | d


def _face_from_bytes(data: bytes):
    ffi, hb, _ = _hb()
    buf = ffi.from_buffer(data)
    blob = hb.hb_blob_create(ffi.cast("const char *", buf), len(data), HB_MEMORY_MODE_READONLY, ffi.NULL, ffi.NULL)
    face = hb.hb_face_create(blob, 0)
    hb.hb_blob_destroy(blob)
    return face, buf  # keep buf alive as long as the face


def _postscript_name(face) -> str:
    ffi, hb, _ = _hb()
    size = ffi.new("unsigned int *", 256)
    text = ffi.new("char[256]")
    hb.hb_ot_name_get_utf8(face, POSTSCRIPT_NAME_ID, ffi.NULL, size, text)
    return ffi.string(text).decode("utf-8", "replace")


def postscript_name(font_program: bytes) -> str:
    _, hb, _ = _hb()
    face, keep = _face_from_bytes(font_program)
    try:
        return _postscript_name(face)
    finally:
        hb.hb_face_destroy(face)
        del keep


@functools.lru_cache(maxsize=32)
def font_file(postscript: str) -> tuple[str, int] | None:
    """(path, face index) of the installed font with this PostScript name, via fontconfig."""
    if not postscript or any(c in postscript for c in ":=\\\n"):
        return None
    try:
        result = subprocess.run(["fc-list", "--format=%{file}\t%{index}\n", f":postscriptname={postscript}"],
                                capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = []
    for line in result.stdout.splitlines():
        path, _, index = line.partition("\t")
        if path and index.strip().isdigit():
            found.append((path, int(index.strip())))
    return sorted(found)[0] if found else None


def union_subset(postscript: str, glyphs: set[int]) -> bytes | None:
    """The original font of that PostScript name, subset to ``glyphs`` with their original glyph IDs kept."""
    located = font_file(postscript)
    if located is None or not glyphs:
        return None
    path, index = located
    ffi, hb, hbs = _hb()
    blob = hb.hb_blob_create_from_file(path.encode())
    face = hb.hb_face_create(blob, index)
    hb.hb_blob_destroy(blob)
    try:
        if _postscript_name(face) != postscript or hb.hb_face_get_glyph_count(face) <= max(glyphs):
            return None
        # Pass 1 as WeasyPrint: keep the glyphs at their original IDs, drop layout tables, no subroutines.
        first = hbs.hb_subset_input_create_or_fail()
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
        if kept == ffi.NULL:
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
        if final == ffi.NULL:
            return None
        try:
            out_blob = hb.hb_face_reference_blob(final)
            length = ffi.new("unsigned int *")
            data = hb.hb_blob_get_data(out_blob, length)
            result = bytes(ffi.buffer(data, length[0])) if length[0] else None
            hb.hb_blob_destroy(out_blob)
            return result
        finally:
            hb.hb_face_destroy(final)
    finally:
        hb.hb_face_destroy(face)


def available() -> bool:
    try:
        _hb()
        return True
    except Exception as exc:  # noqa: BLE001 - missing library or cffi: fall back to per-part subsets
        log.debug("font sharing unavailable: %s", exc)
        return False
