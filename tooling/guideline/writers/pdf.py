"""The edition as a printable, tagged PDF (``guideline.pdf``), laid out by WeasyPrint from HTML and print CSS.

Title page, 目次 with page numbers, the parts, and 第N編 解説 generated from the 例文 part's commentary; A4, 明朝/ゴシック
Japanese fonts embedded, bookmarks for 編/章/節, running header, page numbers, PDF/UA-1 tags, document language ja.

Speed. WeasyPrint lays out only about 4-7 of these dense, tagged A4 pages per CPU second, so the body is cut into
*units* of at most about seven pages that each start on a new page (:func:`guideline.writers.pdf_html.plan_units`,
UNIT_CHARS) and are rendered as separate documents, cached under ``<out>/../.cache/pdf/`` by a hash of their HTML
(and of the print CSS): an edit to one clause re-renders one unit. Nothing in a unit's HTML depends on another
unit's pages: the page numbers are stamped on after joining, and the 目次 is a document of its own, rendered last
with the page numbers the units came out at (it is the only other document an edit that shifts pages re-renders).
Misses are laid out in worker processes (up to two) forked from a server process that imports WeasyPrint while the
edition is read (:func:`start_engine`). The joining (:class:`guideline.writers.pdf_merge.Merger`) stitches the tag
trees, named destinations and links together, builds the outline, stamps the page numbers and shares the fonts.
Because every unit starts a page anyway, the result is the same as one long rendering (``GUIDELINE_PDF_WORKERS=1``
renders in-process; the output is byte-identical, as it is whichever units came from the cache and in whatever
order they were joined).

A one-clause edit of the benchmark edition (bench/generate.py: 2,042 clauses, 480,000 characters, 672 pages in 116
units; ``make bench``'s pdf_incremental_s), in the order things happen (in-process times on the 2-core project
machine, 26 Nov 05:55, three runs):
- the fork server starts and imports WeasyPrint, its C bindings prebuilt (:mod:`guideline.writers.weasyprint_ffi`:
  ~0.4 s instead of ~0.8 s), pikepdf and this module; it can fork a worker 0.84-0.87 s after the start;
- meanwhile the edition is read (0.11 → 0.48-0.64 s: the reader's parse cache is warm but for the edited file) and
  the units' HTML is written and looked up, those of the most recently saved source files first
  (:func:`_newest_first`), so that the edited unit is submitted ~0.15 s after the reading; it waits for the server;
- the worker lays the unit out (0.9-1.1 s for its seven pages), embedding a stub for each font instead of
  subsetting it (:func:`guideline.writers.pdf_fonts.deferred_subsets`: ~0.15 CPU-s less a unit, as the joining makes
  one subset per font anyway), reads the widths and text of its fonts for the joining
  (:func:`guideline.writers.pdf_merge.font_metadata`) and has qpdf write it again with object streams
  (:func:`_repacked`, ~20 ms), which pikepdf opens in ~0.7 ms instead of ~5 ms;
- meanwhile the main process joins the 115 cached parts (0.7-0.9 CPU-s: opening them, copying their pages and tag
  trees) and inserts the laid-out unit at its place when it arrives (1.79-1.94 s after the start);
- finishing: the front matter, the page numbers, the outline, one subset per font, and writing with object streams
  (0.4-0.45 s, of which writing 0.23-0.25 s); the joined document is left to the end of the process instead of
  being freed (:func:`guideline.gcscope.keep_until_exit`).
That is 2.24-2.37 s in-process at that moment, bound by the worker's path: the server's start (WeasyPrint's import)
and the layout of the unit.
Each step, measured against the version before it (alternating runs unless said otherwise): the fork server, the
joined document left to the process end and the parts' compressed streams copied as they are, 7.00 → 5.56 s; the
cached parts joined during the layout instead of after it, 5.62 → 4.88 s; text hung on its structure element
without a ``Span`` per text box (:mod:`guideline.writers.pdf_tags`; the joined PDF 112,187 → 63,057 objects,
4.24 → 3.60 MB), and then without a bare ``Span`` or ``NonStruct`` per inline element or list marker (→ 39,319
objects, 3.19 MB; the main process's CPU for joining 1.2-1.6 → 0.7-1.3 s, for writing 0.54-0.66 → 0.30-0.42 s);
the fonts read as the parts come in (:class:`guideline.writers.pdf_merge.FontIndex`: finishing 0.77-0.84 →
0.47-0.50 CPU-s); the prebuilt C bindings and the first miss handed over before the rest of the HTML is written
(the worker starts at 1.13-1.21 s instead of 1.43-1.47 s); the repacked parts (joining 1.6-1.7 → 1.0-1.4 s); the
font stubs (8 alternating runs at 05:01: median 3.77 → 3.38 s; the benchmark's cache 55 → 6.8 MB; cold
72.5 → 59.0 s); the fonts' widths and text read by the workers (joining ~0.15-0.2 CPU-s less); no bare ``Div``
either (39,311 → 30,527 objects, 3.19 → 3.05 MB; writing ~0.29 → ~0.16 s).
``make bench`` of 05:28 (before the last two steps): median 2.97 s against the ≤ 3 s target; of 06:23, 3.05 s (five
runs: 2.59-3.28 s, the machine's run-to-run spread); it had measured
4.08-4.14 s at 04:05-04:10, partly because its memory sampling slowed what it sampled and the fork server's teardown
held the command's output pipe open ~0.18 s after the command ended (both mended). Updating the previous output in
place instead would make the file depend on the build history (an incrementally updated PDF differs from a fresh
build of the same source), which the rule "same source, same bytes" excludes.

Cold: 48.7 s wall / 93.2 CPU-s (``make bench`` of 26 Nov 06:23; 58.9 s / 110.9 CPU-s at 05:28 without the bare
``Div`` lifting; 83.8 s / 145.6 CPU-s at 04:05 before the font stubs): WeasyPrint's layout (~60% of a unit's time),
drawing (~13%) and style cascade (~10%) bound it, so the ≤ 15 s cold target is out of reach with WeasyPrint on two
cores (4.6 → 7.2 pages a CPU second). r5-03 (73 pages, 16 units): cold 8.3 s / 13.9 CPU-s before the stubs,
unchanged rebuild 0.75 s.

Trade-offs of the small units: every unit starts a new page (a 編, a 章, or a numbered item of a long 章), so the
benchmark edition prints ~7% more pages than one long rendering would, and each unit costs a fixed overhead (style
sheets, PDF writing; ~0.25 CPU-s with the font subsetting the stubs removed), which made the cold build 16% slower
than one long rendering before the stubs. UNIT_CHARS 16,000 (62 units of up to ~13 pages) gave a one-clause edit of
4.8 s / 5.7 CPU-s (load 1.5); the cap was chosen for the edit path.
Each part's tag tree becomes a ``Part`` of one ``Document``.

Determinism: no clock time anywhere. Dates come from ``edition.meta.date``; the file identifier is a hash of the
content (qpdf's deterministic ID); WeasyPrint's font subset tags are hashes too.
"""
from __future__ import annotations

import functools
import hashlib
import io
import json
import logging
import os
import subprocess
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from guideline import __version__, gcscope
from guideline.diagnostics import UserError
from guideline.fileio import atomic_write
from guideline.model import Edition
from guideline.writers import pdf_fonts, pdf_html, pdf_tags, weasyprint_ffi
from guideline.writers.pdf_engine import PRELOAD, _context, _workers, start_engine  # noqa: F401 - ours

# Japanese families the print CSS names (templates/pdf/print.css); one of them must be installed.
JAPANESE_FAMILIES = ("Noto Serif CJK JP", "Noto Sans CJK JP", "IPAexMincho", "IPAexGothic")
FONT_PACKAGES = "fonts-noto-cjk (or fonts-ipaexfont)"
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}
CACHE_FORMAT = "13"  # bump when the cached record or the rendering options change
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


@functools.lru_cache(maxsize=4)
def _stylesheet(text: str, base_url: str):
    weasyprint = weasyprint_ffi.import_weasyprint()

    return weasyprint.CSS(string=text, base_url=base_url)


def render_html(html: str, tagged: bool = True, stylesheet: str | None = None) -> dict:
    """Lay out and write one print HTML document; return the PDF and what the merge step needs to know.

    ``tagged`` False writes a plain PDF (for the page furniture, which is stamped on as an artifact).
    ``stylesheet``: CSS to apply as well (user origin), parsed once per process instead of once per document as a
    ``<style>`` element would be (the HTML is then written with ``inline_css=False``)."""
    weasyprint = weasyprint_ffi.import_weasyprint()

    _quiet_weasyprint()
    options = PDF_OPTIONS if tagged else {}
    base_url = str(pdf_html.templates_dir() / "pdf") + "/"
    sheets = [_stylesheet(stylesheet, base_url)] if stylesheet else []
    document = weasyprint.HTML(string=html, base_url=base_url).render(stylesheets=sheets, **options)
    anchors: dict[str, int] = {}
    bookmarks: list[list] = []
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, index)
        for level, label, (x, y), state in page.bookmarks:
            # CSS px from the top left → PDF points from the bottom left
            bookmarks.append([level, label, index, round(x * 0.75, 3), round((page.height - y) * 0.75, 3)])
    # tagged: text hangs on its paragraph, heading, cell or list body, not on a bare Span, NonStruct or Div (pdf_tags)
    # the fonts' subsets are made when the parts are joined (pdf_fonts.deferred_subsets)
    with pdf_fonts.deferred_subsets():
        data = document.write_pdf(finisher=pdf_tags.flatten_bare_tags if tagged else None, **options)
    data, fonts = _repacked(data)
    return {"pdf": data, "pages": len(document.pages), "anchors": anchors, "bookmarks": bookmarks, "fonts": fonts}


def _repacked(data: bytes) -> tuple[bytes, dict[str, list]]:
    """The document as qpdf writes it: the same objects (those reachable), renumbered, in object streams with a
    cross-reference stream; the streams' data as it is. pikepdf opens such a file in ~0.7 ms instead of the ~5 ms
    WeasyPrint's own layout takes it (measured on the benchmark's parts, 460 KB on average), and joining opens every
    part: 116 of them for the benchmark edition. With it, what the joining reads of the fonts
    (:func:`guideline.writers.pdf_merge.font_metadata`), read here beside the joining instead of in it (~3 ms a
    part)."""
    import pikepdf

    from guideline.writers import pdf_merge

    with pikepdf.open(io.BytesIO(data)) as doc:
        fonts = pdf_merge.font_metadata(doc)
        out = io.BytesIO()
        doc.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                 stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue(), fonts


# --------------------------------------------------------------------------------------------------------------------
# Cache


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    anchors: dict[str, int]
    bookmarks: list[list]
    fonts: dict[str, list] | None = None  # pdf_merge.font_metadata of the PDF, if known


class Cache:
    """Rendered documents by content hash: ``<key>.pdf`` plus ``<key>.json`` (page count, anchors, bookmarks)."""

    def __init__(self, directory: Path | None, salt: str):
        self.dir = directory
        self.salt = salt
        self.hits = 0
        self.misses = 0

    def key(self, html: str, tagged: bool = True, stylesheet: str | None = None) -> str:
        h = hashlib.sha256()
        options = json.dumps(PDF_OPTIONS if tagged else {}, sort_keys=True)
        for part in (CACHE_FORMAT, __version__, self.salt, options, html, *((stylesheet,) if stylesheet else ())):
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
        return Rendered(data, meta["pages"], meta["anchors"], meta["bookmarks"], meta.get("fonts"))

    def put(self, key: str, r: Rendered) -> None:
        if self.dir is None:
            return
        try:
            atomic_write(self.dir / f"{key}.pdf", r.pdf)
            meta = {"sha256": hashlib.sha256(r.pdf).hexdigest(), "pages": r.pages, "anchors": r.anchors,
                    "bookmarks": r.bookmarks, "fonts": r.fonts}
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


# The fork server and the number of workers live in guideline.writers.pdf_engine (which imports nothing heavy, so
# that the command line can start the server first: guideline.cli.run).


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """Up to ``workers`` processes for :func:`render_html`, forked from the fork server as jobs are submitted."""
    ctx = _context()
    init = _quiet_weasyprint if ctx.get_start_method() == "forkserver" else _warm_worker
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init)


def _warm_worker() -> None:
    _quiet_weasyprint()
    weasyprint_ffi.import_weasyprint()  # a forked worker: while the parent process joins the cached parts


class Renderer:
    """Renders jobs (the arguments of :func:`render_html`) through the cache. Misses are laid out in worker
    processes, so that the calling process can go on (joining the parts it already has) while it waits. The pool
    is made at the first submit that misses, for up to two workers (GUIDELINE_PDF_WORKERS), no more than the jobs
    of that submit or, when jobs are submitted a few at a time, ``jobs`` (how many may come in all). A worker
    starts when a job finds no idle one (forked directly, without the fork server: all at once): an edit that misses
    one unit starts one worker, not one per core. Workers come warm from the fork server (:func:`worker_pool`).
    With GUIDELINE_PDF_WORKERS=1 everything is laid out in this process.
    """

    def __init__(self, cache: Cache, stats: dict, jobs: int | None = None):
        self.cache = cache
        self.stats = stats
        self.pool: ProcessPoolExecutor | None = None
        self.workers = 0
        self.jobs = jobs  # how many jobs may come in all, when they are submitted a few at a time
        self.handovers: list[threading.Thread] = []

    def __enter__(self) -> "Renderer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (jobs submitted after this are laid out in this process)."""
        for handover in self.handovers:
            handover.join()
        self.handovers.clear()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def submit(self, jobs: list[tuple]) -> list:
        """Start the jobs (largest misses first); returns one handle per job for :meth:`result`."""
        keys = [self.cache.key(*job) for job in jobs]
        handles: list = [self.cache.get(k) for k in keys]
        todo = [i for i, r in enumerate(handles) if r is None]
        self.cache.misses += len(todo)
        self.stats["rendered"] = self.stats.get("rendered", 0) + len(todo)
        if todo and self.pool is None and self.workers == 0:
            self.workers = _workers(max(len(todo), self.jobs or 0))
            if self.workers:
                self.pool = worker_pool(self.workers)
            else:
                self.workers = -1  # in this process, from now on
        misses = sorted(todo, key=lambda i: -len(jobs[i][0]))
        if self.pool is None:
            for i in misses:
                handles[i] = (keys[i], None, jobs[i])
            return handles
        # Handing a job to the pool starts a worker, which waits until the fork server (started with the command)
        # has imported WeasyPrint (~0.4 s): the jobs are handed over by a thread, and this
        # process goes on meanwhile (joining the cached parts).
        futures = [Future() for _ in misses]
        for i, future in zip(misses, futures):
            handles[i] = (keys[i], future, None)
        handover = threading.Thread(target=self._hand_over, args=(list(zip(futures, [jobs[i] for i in misses])),),
                                    name="pdf-handover", daemon=True)
        self.handovers.append(handover)
        handover.start()
        return handles

    def _hand_over(self, work: list[tuple[Future, tuple]]) -> None:
        for outer, job in work:
            try:
                inner = self.pool.submit(render_html, *job)
            except BaseException as exc:  # noqa: BLE001 - e.g. the pool was shut down: the caller sees it
                outer.set_exception(exc)
                continue
            inner.add_done_callback(functools.partial(_pass_on, outer))

    def completed(self, handles: dict[int, object]):
        """``(index, Rendered)`` of each of ``handles`` (by index) as it is done: those laid out by a worker in the
        order they finish, after the others (cached, or laid out in this process there and then)."""
        from concurrent.futures import as_completed

        waiting = {h[1]: i for i, h in handles.items() if not isinstance(h, Rendered) and h[1] is not None}
        for i, handle in handles.items():
            if isinstance(handle, Rendered) or handle[1] is None:
                yield i, self.result(handle)
        for future in as_completed(waiting):
            yield waiting[future], self.result(handles[waiting[future]])

    def result(self, handle) -> Rendered:
        if isinstance(handle, Rendered):
            return handle
        key, future, job = handle
        rendered = Rendered(**(future.result() if future is not None else render_html(*job)))
        self.cache.put(key, rendered)
        return rendered


def _pass_on(outer: Future, inner: Future) -> None:
    """Give ``outer`` the outcome of ``inner`` (a worker's future)."""
    if inner.cancelled():
        outer.set_exception(RuntimeError("the PDF worker's job was cancelled"))
    elif inner.exception() is not None:
        outer.set_exception(inner.exception())
    else:
        outer.set_result(inner.result())


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


def rendering_salt() -> str:
    """What a rendered document depends on besides its HTML and style sheet (the :class:`Cache` salt of every PDF
    writer): WeasyPrint's version, the installed Japanese fonts (a UserError naming the package to install when
    there is none) and whether the font subsets are left to the joining (:func:`pdf_fonts.cache_salt`)."""
    return f"weasyprint {_weasyprint_version()}\n{_fonts_fingerprint(japanese_fonts())}\n{pdf_fonts.cache_salt()}"


def page_numbers(body: list[Rendered]) -> dict[str, int]:
    """The printed page of every anchor of the body parts (in order): body pages are numbered from 1."""
    page_of: dict[str, int] = {}
    offset = 0
    for r in body:
        for name, index in r.anchors.items():
            page_of.setdefault(name, offset + index + 1)
        offset += r.pages
    return page_of


def render(edition: Edition, cache_directory: Path | None = None, stats: dict | None = None) -> bytes:
    """The finished PDF of an edition, as bytes."""
    from guideline.writers import pdf_merge

    stats = {} if stats is None else stats
    cache = Cache(cache_directory, salt=rendering_salt())

    units = pdf_html.plan_units(edition)
    css = pdf_html.css()
    stamp_html = pdf_html.stamp_document(edition, pdf_merge.FOOTER_CHARS, inline_css=False)
    with Renderer(cache, stats, jobs=len(units) + 1) as renderer:
        # Units are looked up one by one as their HTML is written until one misses, which goes to a worker at once
        # (an edit's unit starts laying out while the HTML of the other units is written), the units of the most
        # recently saved source files first (where an edit is); the rest go together (their misses largest first).
        by_position: dict[int, object] = {}
        later: list[tuple[int, tuple]] = []
        missed = False
        for i in _newest_first(units):
            writer = pdf_html.BodyWriter(edition, set(pdf_html.unit_anchors(units[i])))
            job = (pdf_html.document(edition, front=False, body=writer.unit(units[i]), stamped=True,
                                     inline_css=False), True, css)
            if missed:
                later.append((i, job))
            else:
                (by_position[i],) = renderer.submit([job])
                missed = not isinstance(by_position[i], Rendered)
        *rest, stamp_handle = renderer.submit([job for _, job in later] + [(stamp_html, False, css)])
        by_position.update(zip((i for i, _ in later), rest))
        handles = [by_position[i] for i in range(len(units))]
        # With one part missing (an edit) or a single worker, every cached part is joined while the missing ones
        # are laid out, and each goes in at its place when it arrives; with more (a cold build), joining
        # waits until the workers are gone: the joined document grows to ~0.5 GB for 600 pages, too much to hold
        # beside two busy workers. The output does not depend on the order the parts are joined in.
        merger = pdf_merge.Merger(cache.dir)
        misses = sum(not isinstance(h, Rendered) for h in handles)
        progressive = renderer.pool is not None and (renderer.workers == 1 or misses == 1)
        if progressive:  # the cached parts first, in order, then each missing one as it arrives
            done: dict[int, Rendered] = {}
            for i, r in renderer.completed(dict(enumerate(handles))):
                done[i] = r
                merger.add(r, i)
            body = [done[i] for i in range(len(handles))]
        else:
            body = [renderer.result(h) for h in handles]
        # The 目次 needs the page every entry landed on
        front_html = pdf_html.document(edition, front=True, page_numbers=page_numbers(body), inline_css=False)
        (front_handle,) = renderer.submit([(front_html, True, css)])
        front = renderer.result(front_handle)
        stamp = renderer.result(stamp_handle)

    if not progressive:
        for r in body:
            merger.add(r)
    stats.update(units=len(units), body_pages=sum(r.pages for r in body), front_pages=front.pages,
                 cache_hits=cache.hits, cache_misses=cache.misses)
    data = merger.finish(edition, front, stamp)
    gcscope.keep_until_exit(merger)
    cache.prune()
    return data


def _newest_first(units: list) -> list[int]:
    """The positions of ``units``, those whose clauses come from the most recently modified source files first,
    else in order: the order their HTML is written and looked up in (the output does not depend on it)."""
    def modified(path: str) -> int:
        try:
            return os.stat(path).st_mtime_ns
        except OSError:
            return 0

    paths = [{c.loc.path for c in (*u.heads, *u.clauses)} for u in units]
    mtimes = {path: modified(path) for path in set().union(*paths)}
    return sorted(range(len(units)), key=lambda i: -max((mtimes[p] for p in paths[i]), default=0))


def write(edition: Edition, out_dir: Path) -> list[Path]:
    out_dir = Path(out_dir)
    data = render(edition, cache_dir(out_dir))
    return [atomic_write(out_dir / FILENAME, data)]


__all__ = ["write", "render", "japanese_fonts", "render_html", "FILENAME"]
