"""The edition as a printable, tagged PDF (``guideline.pdf``), laid out by WeasyPrint from HTML and print CSS.

Title page, 目次 with page numbers, the parts, and 第N編 解説 generated from the 例文 part's commentary; A4, 明朝/ゴシック
Japanese fonts embedded, bookmarks for 編/章/節, running header, page numbers, PDF/UA-1 tags, document language ja.

Speed. WeasyPrint lays out roughly ten pages a second on one core, so the body is cut into *units* that each start
on a new page (:func:`guideline.writers.pdf_html.plan_units`) and rendered as separate documents: in two worker
processes, and cached under ``<out>/../.cache/pdf/`` by a hash of their HTML, so an edit to one clause re-renders
one unit. The parts are joined by :mod:`guideline.writers.pdf_merge`, which also stitches the tag trees, named
destinations and links together, builds the outline, stamps the page numbers, and renders the 目次 last with the
page numbers the units came out at. Because every unit starts a page anyway, the result is the same as one long
rendering (set ``GUIDELINE_PDF_WORKERS=1`` to render in-process; the output is byte-identical).

Measured on the 2-core project machine (shared, load average 7-15 during the runs; CPU seconds are the steadier
figure): WeasyPrint manages only about 4-5 of these dense, tagged A4 pages per CPU second.
r5-03 (71 pages, 1.35 MB): cold 16 CPU-s (30 s wall under load), unchanged rebuild 2.1 s, one-clause edit 7.7 s
wall / 3.5 CPU-s. A 416-page synthetic edition (r5-03 with the 対策基準 repeated): cold 103 CPU-s, unchanged rebuild
5.8 s wall / 2.8 CPU-s, one-clause edit 12.9 s wall / 5.8 CPU-s, 3.4 MB. So the cold target (≤ 15 s for ~400
pages) is out of reach with WeasyPrint on two cores; the edit path is bounded by one unit's layout (~3 CPU-s for a
dozen pages) plus reading the edition and joining (~2.5 CPU-s). Trade-offs of the joining: every unit starts a
new page (a 編, a 章, or a numbered item of a long 章), and each part's tag tree becomes a ``Part`` of one
``Document``.

Determinism: no clock time anywhere. Dates come from ``edition.meta.date``; the file identifier is a hash of the
content (qpdf's deterministic ID); WeasyPrint's font subset tags are hashes too.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from guideline import __version__
from guideline.diagnostics import UserError
from guideline.fileio import atomic_write
from guideline.model import Edition
from guideline.writers import pdf_html

# Japanese families the print CSS names (templates/pdf/print.css); one of them must be installed.
JAPANESE_FAMILIES = ("Noto Serif CJK JP", "Noto Sans CJK JP", "IPAexMincho", "IPAexGothic")
FONT_PACKAGES = "fonts-noto-cjk (or fonts-ipaexfont)"
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}
CACHE_FORMAT = "6"  # bump when the cached record or the rendering options change
CACHE_MAX_AGE = 30 * 24 * 3600  # cache entries unused this long are removed
FILENAME = "guideline.pdf"

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------------------------------------------------
# Fonts


def japanese_fonts() -> list[str]:
    """``family<TAB>file`` of every installed font in JAPANESE_FAMILIES, as fontconfig sees it (sorted).

    Raises UserError naming the Debian package when none is installed: rendering on would draw tofu or, worse,
    Chinese glyph shapes from a fallback font.
    """
    try:
        result = subprocess.run(["fc-list", ":lang=ja", "family", "file"], capture_output=True, text=True,
                                timeout=120, check=False)
    except FileNotFoundError:
        raise UserError("fc-list not found: the PDF needs fontconfig and a Japanese font; install the Debian "
                        f"packages fontconfig and {FONT_PACKAGES}") from None
    except subprocess.TimeoutExpired:
        raise UserError("fc-list did not answer within 120 s; check the fontconfig setup") from None
    found = []
    for line in result.stdout.splitlines():
        path, _, families = line.partition(": ")
        names = {name.strip().rstrip(":") for name in families.split(",")}
        for family in JAPANESE_FAMILIES:
            if family in names:
                found.append(f"{family}\t{path.strip()}")
    if not found:
        raise UserError("no Japanese font for the PDF: fontconfig finds none of "
                        + ", ".join(JAPANESE_FAMILIES) + f"; install the Debian package {FONT_PACKAGES} "
                        "(e.g. sudo apt-get install fonts-noto-cjk) and build again")
    return sorted(set(found))


def _fonts_fingerprint(fonts: list[str]) -> str:
    parts = []
    for entry in fonts:
        path = entry.split("\t", 1)[1]
        try:
            st = os.stat(path)
            parts.append(f"{entry}\t{st.st_size}\t{int(st.st_mtime)}")
        except OSError:
            parts.append(entry)
    return "\n".join(parts)


# --------------------------------------------------------------------------------------------------------------------
# Rendering one document (runs in worker processes)


def _quiet_weasyprint() -> None:
    # WeasyPrint logs every CSS property it does not support; keep real errors only.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)


def render_html(html: str, tagged: bool = True) -> dict:
    """Lay out and write one print HTML document; return the PDF and what the merge step needs to know.

    ``tagged`` False writes a plain PDF (for the page furniture, which is stamped on as an artifact)."""
    import weasyprint

    _quiet_weasyprint()
    options = PDF_OPTIONS if tagged else {}
    document = weasyprint.HTML(string=html, base_url=str(pdf_html.templates_dir() / "pdf") + "/").render(**options)
    anchors: dict[str, int] = {}
    bookmarks: list[list] = []
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, index)
        for level, label, (x, y), state in page.bookmarks:
            # CSS px from the top left → PDF points from the bottom left
            bookmarks.append([level, label, index, round(x * 0.75, 3), round((page.height - y) * 0.75, 3)])
    data = document.write_pdf(**options)
    return {"pdf": data, "pages": len(document.pages), "anchors": anchors, "bookmarks": bookmarks}


# --------------------------------------------------------------------------------------------------------------------
# Cache


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    anchors: dict[str, int]
    bookmarks: list[list]


class Cache:
    """Rendered documents by content hash: ``<key>.pdf`` plus ``<key>.json`` (page count, anchors, bookmarks)."""

    def __init__(self, directory: Path | None, salt: str):
        self.dir = directory
        self.salt = salt
        self.hits = 0
        self.misses = 0

    def key(self, html: str, tagged: bool = True) -> str:
        h = hashlib.sha256()
        options = json.dumps(PDF_OPTIONS if tagged else {}, sort_keys=True)
        for part in (CACHE_FORMAT, __version__, self.salt, options, html):
            h.update(part.encode("utf-8"))
            h.update(b"\0")
        return h.hexdigest()

    def get(self, key: str) -> Rendered | None:
        if self.dir is None:
            return None
        try:
            meta = json.loads((self.dir / f"{key}.json").read_text(encoding="utf-8"))
            data = (self.dir / f"{key}.pdf").read_bytes()
        except (OSError, ValueError):
            return None
        if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
            return None
        now = time.time()
        for suffix in (".json", ".pdf"):
            try:
                os.utime(self.dir / f"{key}{suffix}", (now, now))
            except OSError:
                pass
        self.hits += 1
        return Rendered(data, meta["pages"], meta["anchors"], meta["bookmarks"])

    def put(self, key: str, r: Rendered) -> None:
        if self.dir is None:
            return
        try:
            atomic_write(self.dir / f"{key}.pdf", r.pdf)
            meta = {"sha256": hashlib.sha256(r.pdf).hexdigest(), "pages": r.pages, "anchors": r.anchors,
                    "bookmarks": r.bookmarks}
            atomic_write(self.dir / f"{key}.json", json.dumps(meta, ensure_ascii=False, sort_keys=True))
        except UserError as exc:  # an unwritable cache must not fail the build
            log.warning("PDF cache not written: %s", exc)

    def prune(self) -> None:
        if self.dir is None or not self.dir.is_dir():
            return
        limit = time.time() - CACHE_MAX_AGE
        for path in self.dir.iterdir():
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
            except OSError:
                pass


# --------------------------------------------------------------------------------------------------------------------
# The whole edition


def _workers(jobs: int) -> int:
    env = os.environ.get("GUIDELINE_PDF_WORKERS", "")
    if env.isdigit() and int(env) >= 1:
        wanted = int(env)
    else:
        wanted = min(2, os.cpu_count() or 1)
    return max(1, min(wanted, jobs))


def _render_all(jobs: list[tuple[str, bool]], cache: Cache, stats: dict) -> list[Rendered]:
    """Render (html, tagged) jobs: from the cache where possible, the rest in worker processes, largest first."""
    keys = [cache.key(html, tagged) for html, tagged in jobs]
    out: list[Rendered | None] = [cache.get(k) for k in keys]
    todo = [i for i, r in enumerate(out) if r is None]
    cache.misses += len(todo)
    if not todo:
        return out  # type: ignore[return-value]
    import weasyprint  # noqa: F401 - imported before the workers fork, so that they start warm

    workers = _workers(len(todo))
    stats["rendered"] = stats.get("rendered", 0) + len(todo)
    if workers <= 1:
        for i in todo:
            out[i] = Rendered(**render_html(*jobs[i]))
            cache.put(keys[i], out[i])
    else:
        todo.sort(key=lambda i: -len(jobs[i][0]))
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork"),
                                 initializer=_quiet_weasyprint) as pool:
            futures = {i: pool.submit(render_html, *jobs[i]) for i in todo}
            for i in todo:
                out[i] = Rendered(**futures[i].result())
                cache.put(keys[i], out[i])
    return out  # type: ignore[return-value]


def _weasyprint_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("weasyprint")
    except PackageNotFoundError:
        raise UserError("WeasyPrint is not installed: run pip install -e . in the virtualenv") from None


def cache_dir(out_dir: Path) -> Path | None:
    if os.environ.get("GUIDELINE_PDF_CACHE", "1") == "0":
        return None
    return Path(out_dir).parent / ".cache" / "pdf"


def render(edition: Edition, cache_directory: Path | None = None, stats: dict | None = None) -> bytes:
    """The finished PDF of an edition, as bytes."""
    from guideline.writers import pdf_merge

    stats = {} if stats is None else stats
    fonts = japanese_fonts()
    cache = Cache(cache_directory, salt=f"weasyprint {_weasyprint_version()}\n{_fonts_fingerprint(fonts)}")

    units = pdf_html.plan_units(edition)
    htmls = []
    for unit in units:
        writer = pdf_html.BodyWriter(edition, set(pdf_html.unit_anchors(unit)))
        htmls.append(pdf_html.document(edition, front=False, body=writer.unit(unit), stamped=True))
    stamp_html = pdf_html.stamp_document(edition, pdf_merge.FOOTER_CHARS)
    *body, stamp = _render_all([*((html, True) for html in htmls), (stamp_html, False)], cache, stats)

    # The 目次 needs the page every entry landed on: body pages are numbered from 1.
    page_of: dict[str, int] = {}
    offset = 0
    for r in body:
        for name, index in r.anchors.items():
            page_of.setdefault(name, offset + index + 1)
        offset += r.pages
    front_html = pdf_html.document(edition, front=True, page_numbers=page_of)
    (front,) = _render_all([(front_html, True)], cache, stats)

    stats.update(units=len(units), body_pages=offset, front_pages=front.pages, cache_hits=cache.hits,
                 cache_misses=cache.misses)
    data = pdf_merge.merge(edition, front, body, stamp, cache.dir)
    cache.prune()
    return data


def write(edition: Edition, out_dir: Path) -> list[Path]:
    out_dir = Path(out_dir)
    data = render(edition, cache_dir(out_dir))
    return [atomic_write(out_dir / FILENAME, data)]


__all__ = ["write", "render", "japanese_fonts", "render_html", "FILENAME"]
