"""Every PDF of the project is laid out by Typst (the ``typst`` wheel) from data: a fixed template under
``templates/pdf/*.typ`` reads ``data.json`` with ``json(...)`` and lays it out, as the HTML writers' Jinja
templates do. Text from sources or comments is never parsed as Typst markup (the templates show it as strings).

- The compile root is a temporary directory holding only the templates and ``data.json``; no package is ever
  downloaded (no ``@preview`` imports), no file outside the root can be read.
- Fonts: the Japanese families are located through fontconfig (``fc-list``) and handed to Typst as a folder of
  links to exactly those files (Typst's own system-font scan is off), so the PDF depends on nothing else; a clear
  error names the missing families and the Debian package.
- Output: PDF/UA-1 (tagged, document language ja, title, XMP), fonts subset and embedded, the creation date from
  the edition (or ``SOURCE_DATE_EPOCH``), then written again by qpdf (pikepdf) with object streams, deterministically:
  the same data gives the same bytes.
"""
from __future__ import annotations

import atexit
import datetime
import functools
import io
import json
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from guideline.diagnostics import UserError
from guideline.render_html import templates_dir

SERIF = ("Noto Serif CJK JP", "IPAexMincho")
SANS = ("Noto Sans CJK JP", "IPAexGothic")
MONO = ("Noto Sans Mono CJK JP",)
FONT_PACKAGES = "fonts-noto-cjk (or fonts-ipaexfont)"
PDF_STANDARDS = ["ua-1"]

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------------------------------------------------
# Fonts


def japanese_fonts() -> list[str]:
    """``family<TAB>file`` of every installed font of the families the templates name, as fontconfig sees it
    (sorted). Raises UserError naming the families and the Debian package when no 明朝 or no ゴシック is installed:
    laying out on would draw tofu or Chinese glyph shapes."""
    try:
        result = subprocess.run(["fc-list", ":lang=ja", "family", "file"], capture_output=True, text=True,
                                timeout=120, check=False)
    except FileNotFoundError:
        raise UserError("fc-list not found: the PDF needs fontconfig and a Japanese font; install the Debian "
                        f"packages fontconfig and {FONT_PACKAGES}") from None
    except subprocess.TimeoutExpired:
        raise UserError("fc-list did not answer within 120 s; check the fontconfig setup") from None
    wanted = (*SERIF, *SANS, *MONO)
    found = set()
    for line in result.stdout.splitlines():
        path, _, families = line.partition(": ")
        names = {name.strip().rstrip(":") for name in families.split(",")}
        for family in wanted:
            if family in names:
                found.add(f"{family}\t{path.strip()}")
    have = {entry.split("\t", 1)[0] for entry in found}
    missing = [group for group in (SERIF, SANS) if not have & set(group)]
    if missing:
        names = " and ".join(" or ".join(f"'{f}'" for f in group) for group in missing)
        raise UserError(f"no Japanese font for the PDF: fontconfig finds no {names}; install the Debian package "
                        f"{FONT_PACKAGES} (e.g. sudo apt-get install fonts-noto-cjk) and build again")
    return sorted(found)


@functools.lru_cache(maxsize=2)
def _fonts(entries: tuple[str, ...]):
    """A ``typst.Fonts`` of exactly these font files (a folder of links to them, kept for the process)."""
    import typst

    folder = Path(tempfile.mkdtemp(prefix="guideline-fonts-"))
    atexit.register(shutil.rmtree, folder, True)
    for i, path in enumerate(sorted({e.split("\t", 1)[1] for e in entries})):
        link = folder / f"{i:02d}-{Path(path).name}"
        try:
            link.symlink_to(path)
        except OSError:
            shutil.copyfile(path, link)
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(folder)])


def fonts():
    """The fonts every PDF is laid out with (UserError when the Japanese ones are missing)."""
    return _fonts(tuple(japanese_fonts()))


# --------------------------------------------------------------------------------------------------------------------
# Compiling


def timestamp(date: datetime.date | None) -> int:
    """The PDF's creation date: ``SOURCE_DATE_EPOCH`` when set, else midnight UTC of ``date`` (never the clock)."""
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if env.isdigit():
        return int(env)
    date = date or datetime.date(2000, 1, 1)
    return int(datetime.datetime(date.year, date.month, date.day, tzinfo=datetime.timezone.utc).timestamp())


def template_files() -> list[Path]:
    return sorted((templates_dir() / "pdf").glob("*.typ"))


def write_root(root: Path, data: dict, files: dict[str, bytes] | None = None) -> None:
    """Lay out a compile root: the templates, ``data.json`` and ``files`` (relative path → bytes: the figures,
    already checked by the reader); nothing else is readable by the document."""
    for path in template_files():
        shutil.copyfile(path, root / path.name)
    (root / "data.json").write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    for rel, content in (files or {}).items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_bytes() != content:
            target.write_bytes(content)


def _error(exc: Exception, what: str) -> UserError:
    message = getattr(exc, "message", "") or str(exc)
    hints = getattr(exc, "hints", None) or []
    text = f"{what}: Typst could not lay out the PDF: {message}"
    if hints:
        text += " (" + "; ".join(hints) + ")"
    return UserError(text)


def _missing_glyph(exc: Exception) -> bool:
    """PDF/UA-1 forbids text drawn without a glyph (tofu): Typst refuses a character no font has (an emoji)."""
    return "could not be displayed with font" in (getattr(exc, "message", "") or str(exc))


def _compile(run, what: str) -> bytes:
    """``run(standards)``, as PDF/UA-1; a character no font can draw (an emoji in a public comment) must not stop
    the output: it is laid out again without the PDF/UA claim (still tagged), with a warning naming the character."""
    import typst

    try:
        return run(PDF_STANDARDS)
    except typst.TypstError as exc:
        if not _missing_glyph(exc):
            raise _error(exc, what) from None
        message = getattr(exc, "message", "") or str(exc)
    log.warning("%s: %s; written without the PDF/UA-1 claim (the character shows as an empty box): replace it in "
                "the source", what, message)
    try:
        return run([])
    except typst.TypstError as exc:
        raise _error(exc, what) from None


def finish(data: bytes) -> bytes:
    """Typst's PDF written again by qpdf with object streams and a content-derived file ID: the same pages, tags
    and text, about half the size, deterministic."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as doc:
        out = io.BytesIO()
        doc.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                 compress_streams=True, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()


def compile_pdf(template: str, data: dict, date: datetime.date | None, what: str = "PDF",
                files: dict[str, bytes] | None = None) -> bytes:
    """The PDF of ``templates/pdf/<template>`` laid out with ``data`` and ``files`` (a fresh compile root)."""
    import typst

    font_set = fonts()
    with tempfile.TemporaryDirectory(prefix="guideline-typst-") as tmp:
        root = Path(tmp)
        write_root(root, data, files)
        pdf = _compile(lambda standards: typst.compile(
            str(root / template), root=str(root), font_paths=font_set, ignore_system_fonts=True,
            pdf_standards=standards, timestamp=timestamp(date)), what)
    return finish(pdf)


class LiveCompiler:
    """A ``typst.Compiler`` kept alive over a fixed compile root, for ``guideline serve``: each :meth:`compile`
    writes the new ``data.json`` and Typst lays out again incrementally (what did not change is reused).

    Typst's memo cache is global to the process and drops an entry only once it went unused for 10 compilations,
    so without care every edit leaves its stale layout behind and the process grows edit by edit. :meth:`trim`
    (called once the result is delivered) compiles an empty document :data:`AGE_COMPILES` times: what the last
    layout made stale ages out, what the next layout reuses stays (it is younger than 10)."""

    AGE_COMPILES = 8

    def __init__(self, template: str):
        import typst

        self.dir = tempfile.TemporaryDirectory(prefix="guideline-typst-live-")
        self.root = Path(self.dir.name)
        self.template = template
        write_root(self.root, {})
        (self.root / "empty.typ").write_text("", encoding="utf-8")
        self.compiler = typst.Compiler(str(self.root / template), root=str(self.root), font_paths=fonts(),
                                       ignore_system_fonts=True)
        self._empty = typst.Compiler(str(self.root / "empty.typ"), root=str(self.root), font_paths=fonts(),
                                     ignore_system_fonts=True)

    def trim(self) -> None:
        for _ in range(self.AGE_COMPILES):
            self._empty.compile()

    def compile(self, data: dict, date: datetime.date | None, what: str = "PDF", preview: bool = False,
                files: dict[str, bytes] | None = None) -> bytes:
        """The PDF laid out with ``data``. ``preview``: untagged and without PDF/UA (a third quicker to write out),
        and not rewritten by :func:`finish`: for looking at, not for publishing."""
        import typst

        write_root(self.root, data, files)
        if preview:
            try:
                return self.compiler.compile(pdf_tags=False, timestamp=timestamp(date))
            except typst.TypstError as exc:
                raise _error(exc, what) from None
        return _compile(lambda standards: self.compiler.compile(pdf_standards=standards, timestamp=timestamp(date)),
                        what)

    def close(self) -> None:
        self.dir.cleanup()
