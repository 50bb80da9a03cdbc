"""A local preview of an edition's HTML that rebuilds on save and reloads the open pages (``guideline serve``).

How it works:

- :class:`Preview` builds the ``html`` format (the writers of ``guideline build --format html``: ``guideline.html``
  and ``site/``) in this process into a fresh directory under a private work directory (``build/.serve/...``), one
  directory per build. Serving switches to a new directory only when its build succeeded, so a page is never read
  from a half-written build and broken sources leave the last good build on screen.
- A watcher thread polls the modification times of the edition's ``.md``/``.yaml`` files and of its NISC catalog
  every :data:`POLL_INTERVAL` seconds (no extra dependency; a poll of a dozen files costs microseconds) and rebuilds
  the HTML on a change. What did not change is not computed again: the reader takes each file's parse result from
  the parse cache (:mod:`guideline.parse_cache`, in memory: only the saved file is parsed again), the NISC catalog
  is kept while its file is unchanged, and the search index is patched for the clauses whose text changed
  (:mod:`guideline.writers.edition.search_index`); the pages themselves are rendered anew each time.
- The PDF preview (``/guideline.pdf``, shown with reloading by ``/guideline.pdf.html``) is made only once asked
  for: :class:`PdfPreview` keeps a ``typst.Compiler`` alive (:class:`guideline.writers.edition.typst_pdf.LiveCompiler`) and,
  from then on, every build hands it the edition it read; Typst lays it out again in a thread of its own (it runs
  without the GIL, beside the HTML writers), reusing what did not change. The preview is untagged and not
  rewritten (``guideline build --format pdf`` makes the real file), so that an edit shows in it quickly
  (``serve_pdf_latency_s`` in ``make bench``).
- :class:`Handler` serves the current build with ``http.server`` on a loopback address, at the URLs the site has
  when published (the site's files at the root, the single-file HTML at ``/guideline.html``). Into every HTML page it
  serves (never into the files on disk) it puts a ``<script>`` that long-polls ``/__reload``: the request returns
  as soon as the build counter moves, and the page reloads. While the sources are broken, every page carries an
  overlay listing the problems as ``path:line: severity: message``; a page asked for before any build succeeded is
  an error page with the same overlay.
- The same script asks ``/__lint`` for the editorial lint of the build it shows (``guideline lint``, computed on the
  first request for a build and kept for it; not during the rebuild, so lint never delays a preview) and lists the
  findings, ``path:line:col: severity: rule-id: message``, in a panel beside the check problems.

Nothing here is meant to face a network: the server refuses non-loopback addresses and requests whose ``Host`` is
not a loopback name (DNS rebinding), lists no directories, and serves nothing outside the build directory.
"""
from __future__ import annotations

import gc
import html
import http.server
import ipaddress
import json
import os
import re
import shutil
import socket
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from guideline import editions, gcscope, lint, nisc, parse_cache
from guideline.diagnostics import ERROR, WARNING, Report, UserError, display_path
from guideline.lint import config as lint_config
from guideline.reader import read_edition, read_edition_meta
from guideline.validate import validate
from guideline.writers.edition import pdf
from guideline.writers.edition.typst_pdf import LiveCompiler
from guideline.writers.registry import build_writers

POLL_INTERVAL = 0.1  # seconds between two looks at the sources' modification times (a dozen stat calls)
SETTLE = 0.05  # after a change, wait until the files stop changing for this long (editors save in steps)
SETTLE_MAX = 20  # ... but at most this many times
LONG_POLL = 25.0  # seconds a /__reload request waits for a new build before answering "no change"
KEEP_BUILDS = 3  # build directories kept (requests in flight may still read the previous one)
WATCH_SUFFIXES = (".md", ".yaml", ".yml")
RELOAD_PATH = "/__reload"
RELOAD_JS = "/__reload.js"
LINT_PATH = "/__lint"
PDF_PATH = "/guideline.pdf"
PDF_PAGE = "/guideline.pdf.html"
SINGLE_PAGE = "/guideline.html"  # the single-file HTML; every other path is a file of the site, served at the root
FORMER_SITE = "/site"  # where the site was served before: redirected to the root

CLIENT_JS = """\
// guideline serve: reload this page when the preview has been rebuilt (injected by the preview server only).
(function () {
  var me = document.currentScript;
  var seen = me ? me.getAttribute("data-generation") : "";
  var what = me && me.getAttribute("data-what") ? "&what=" + me.getAttribute("data-what") : "";
  function poll() {
    fetch("/__reload?since=" + encodeURIComponent(seen) + what, {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (d) { if (d.generation !== seen) { location.reload(); } else { poll(); } })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
  fetch("/__lint?generation=" + encodeURIComponent(seen), {cache: "no-store"})
    .then(function (r) { return r.json(); })
    .then(function (d) {
      if (d.generation !== seen || !d.findings || !d.findings.length) { return; }
      var box = document.createElement("details");
      box.id = "guideline-serve-lint";
      box.setAttribute("lang", "ja");
      box.setAttribute("style", "position:fixed;z-index:2147483646;bottom:0;right:0;max-width:60vw;max-height:45vh;"
        + "overflow:auto;margin:0;padding:.4em .8em;background:#fffbe6;color:#1a1a1a;border:2px solid #b38600;"
        + "font:14px/1.5 sans-serif;text-align:left");
      var summary = document.createElement("summary");
      summary.textContent = "校正 (guideline lint): エラー " + d.errors + "件・警告 " + d.warnings + "件";
      var pre = document.createElement("pre");
      pre.setAttribute("style", "white-space:pre-wrap;margin:.4em 0 0;font:13px/1.5 monospace");
      pre.textContent = d.findings.join("\\n");
      box.appendChild(summary);
      box.appendChild(pre);
      document.body.appendChild(box);
    })
    .catch(function () {});
})();
"""

OVERLAY_STYLE = ("position:fixed;z-index:2147483647;top:0;left:0;right:0;max-height:60vh;overflow:auto;margin:0;"
                 "padding:0.8em 1.2em;background:#fff4f4;color:#1a1a1a;border-bottom:4px solid #b00020;"
                 "box-shadow:0 2px 10px rgba(0,0,0,.35);font:15px/1.6 sans-serif;text-align:left")


def is_loopback(host: str) -> bool:
    """True for ``localhost`` (and ``*.localhost``) and for addresses in 127.0.0.0/8 or ``::1``."""
    host = host.strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_of(header: str) -> str:
    """The host part of a ``Host`` header: ``127.0.0.1:8000`` → ``127.0.0.1``, ``[::1]:80`` → ``::1``."""
    header = header.strip()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


@dataclass(frozen=True)
class State:
    """What the server shows: the last good build (``root``) and the outcome of the latest build."""

    tag: str  # changes with every finished build, good or bad: "<server token>.<counter>"
    root: Path | None  # directory of the last good build (holds guideline.html and site/), None before the first
    errors: tuple[str, ...]  # problems of the latest build ("path:line: error: message"); empty when it succeeded
    warnings: tuple[str, ...]
    seconds: float  # duration of the latest build (wall clock)
    cpu_seconds: float  # CPU time the latest build took (the same on an idle machine; wall time grows with load)
    edition_id: str


@dataclass(frozen=True)
class PdfState:
    """The PDF preview: the last good PDF and the outcome of the latest layout."""

    tag: str
    pdf: bytes | None
    errors: tuple[str, ...]
    seconds: float


class PdfPreview:
    """The PDF of the edition, laid out again by a live Typst compiler whenever :meth:`submit` hands it a newer
    edition (in a thread of its own; editions that arrive while one is laid out are coalesced to the newest)."""

    def __init__(self, token: str, log: Callable[[str], None]):
        self._token = token
        self.log = log
        self._cond = threading.Condition()
        self._pending = None  # the newest edition not laid out yet
        self._counter = 0
        self._state = PdfState(f"{token}.pdf0", None, (), 0.0)
        self.initial = self._state.tag
        self._compiler = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="guideline-serve-pdf", daemon=True)
        self._thread.start()

    @property
    def state(self) -> PdfState:
        with self._cond:
            return self._state

    def submit(self, edition) -> None:
        with self._cond:
            self._pending = edition
            self._cond.notify_all()

    def wait_change(self, since: str | None, timeout: float) -> PdfState:
        """The state once its tag differs from ``since`` (None: once a first layout is done), or after ``timeout``."""
        since = self.initial if since is None else since
        with self._cond:
            self._cond.wait_for(lambda: self._state.tag != since or self._closed, timeout=timeout)
            return self._state

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._closed)
                if self._closed:
                    return
                edition, self._pending = self._pending, None
            t0 = time.perf_counter()
            data, errors = None, []
            try:
                if self._compiler is None:
                    self._compiler = LiveCompiler(pdf.TEMPLATE)
                data = self._compiler.compile(pdf.data(edition), edition.meta.date, what=pdf.FILENAME,
                                              preview=True, files=pdf.files(edition))
            except UserError as exc:
                errors = [str(exc)]
            except Exception as exc:  # noqa: BLE001 - a bug in the writer must not stop the preview
                errors = [f"internal error: {type(exc).__name__}: {exc} (a bug in guideline; run guideline build "
                          "--format pdf with GUIDELINE_DEBUG=1 for the traceback and report it)"]
            seconds = time.perf_counter() - t0
            with self._cond:
                self._counter += 1
                self._state = PdfState(f"{self._token}.pdf{self._counter}", data if data is not None
                                       else self._state.pdf, tuple(errors), seconds)
                self._cond.notify_all()
            if errors:
                self.log(f"PDF preview: {errors[0]}")
            else:
                self.log(f"PDF preview laid out in {seconds:.2f} s")
            if self._compiler is not None:
                self._compiler.trim()  # keeps the memory of many edits bounded (LiveCompiler.trim)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout=5)
        if self._compiler is not None and not self._thread.is_alive():
            self._compiler.close()


class Preview:
    """Builds an edition's HTML into ``workdir`` on demand and tracks which build is served."""

    def __init__(self, spec: str, workdir: Path, src: Path | None = None,
                 log: Callable[[str], None] | None = None):
        self.spec = spec
        self.src = src or editions.source_root()
        self.edition_dir = editions.resolve(spec, self.src)  # UserError when there is no such edition
        self.workdir = Path(workdir)
        self.log = log or (lambda message: None)
        self._token = f"{os.getpid():x}{time.monotonic_ns():x}"
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._counter = 0
        self._state = State(f"{self._token}.0", None, (), (), 0.0, 0.0, "")
        self._builds: list[Path] = []  # good build directories, oldest first
        self._catalog_key: tuple | None = None
        self._catalog = None
        self._catalog_path: Path | None = None
        self._watcher: threading.Thread | None = None
        self._edition = None  # the last edition read (with or without check errors), for lint
        self._edition_tag = ""
        self._lint_lock = threading.Lock()
        self._lint: tuple[str, tuple[str, ...], int] | None = None  # (tag, findings, errors) of the last lint
        self.parse_cache = parse_cache.default_for(self.edition_dir)  # parse results kept between builds
        self._pdf: PdfPreview | None = None
        self._edition = None  # the edition of the last good build (what the PDF preview starts from)
        self._find_catalog()

    def _find_catalog(self):
        """The edition's metadata; sets the NISC catalog file to watch (None when there is none to find)."""
        meta = read_edition_meta(self.edition_dir, Report())
        self._catalog_path = None
        if meta is not None and meta.nisc_catalog:
            self._catalog_path = nisc.find_catalog_file(self.edition_dir, meta.nisc_catalog)
        return meta

    # state ---------------------------------------------------------------------------------------------------------
    @property
    def state(self) -> State:
        with self._cond:
            return self._state

    def wait_change(self, since: str, timeout: float) -> State:
        """The state once its tag differs from ``since`` (or after ``timeout`` seconds, or at shutdown)."""
        with self._cond:
            self._cond.wait_for(lambda: self._state.tag != since or self._stop.is_set(), timeout=timeout)
            return self._state

    def pdf(self) -> PdfPreview:
        """The PDF preview, started at the first call with the edition of the last good build."""
        with self._cond:
            if self._pdf is None:
                self._pdf = PdfPreview(self._token, self.log)
                if self._edition is not None:
                    self._pdf.submit(self._edition)
            return self._pdf

    # sources -------------------------------------------------------------------------------------------------------
    def fingerprint(self) -> tuple:
        """(path, mtime, size) of every watched file: the edition's .md/.yaml files and its NISC catalog."""
        entries = []
        for dirpath, dirnames, filenames in os.walk(self.edition_dir):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in filenames:
                if name.startswith(".") or not name.endswith(WATCH_SUFFIXES):
                    continue
                entries.append(os.path.join(dirpath, name))
        if self._catalog_path is not None:
            entries.append(str(self._catalog_path))
        out = []
        for path in sorted(set(entries)):
            try:
                st = os.stat(path)
            except OSError:
                continue
            out.append((path, st.st_mtime_ns, st.st_size))
        return tuple(out)

    def _load(self):
        """Read and check the edition like ``editions.load`` does, reusing the NISC catalog while its file is
        unchanged (reading the catalog is a tenth of a rebuild)."""
        catalog = None
        self._find_catalog()
        path = self._catalog_path
        try:
            st = path.stat() if path is not None else None
        except OSError:
            st = None
        if st is not None:
            key = (str(path), st.st_mtime_ns, st.st_size)
            if key == self._catalog_key:
                catalog = self._catalog
            else:
                probe = Report()
                loaded = nisc.load_catalog(path, probe, self.parse_cache)
                # only a catalog read without any remark is reused; otherwise the reader reads and reports on it
                if loaded is not None and not probe.items:
                    self._catalog_key, self._catalog, catalog = key, loaded, loaded
        edition, report = read_edition(self.edition_dir, catalog=catalog, cache=self.parse_cache)
        if edition is not None:
            validate(edition, report, self.src)
        return edition, report

    # building ------------------------------------------------------------------------------------------------------
    def build(self) -> State:
        """Build once; on success serve the new build, on failure keep the last good one and record the problems.

        The cyclic garbage collector is paused during the build: each build makes a new edition and new pages, so
        a collection would otherwise walk the whole heap in the middle of nearly every build. :meth:`watch` collects once the sources are quiet again."""
        with gcscope.paused():
            return self._build()

    def _build(self) -> State:
        t0, c0 = time.perf_counter(), time.thread_time()
        errors: list[str] = []
        warnings: list[str] = []
        target: Path | None = None
        edition_id = self._state.edition_id
        edition = None
        try:
            edition, report = self._load()
            warnings = [str(d) for d in report.sorted() if d.severity == WARNING]
            if edition is None or report.failed():
                errors = [str(d) for d in report.sorted() if d.severity == ERROR]
                errors = errors or [f"{display_path(self.edition_dir)}: error: the edition cannot be read"]
            else:
                edition_id = edition.meta.id
                with self._cond:
                    self._edition = edition
                    if self._pdf is not None:  # laid out by its thread, beside the HTML writers
                        self._pdf.submit(edition)
                self.workdir.mkdir(parents=True, exist_ok=True)
                target = Path(tempfile.mkdtemp(prefix="build-", dir=self.workdir))
                for writer in build_writers(["html"]):
                    writer.write(edition, target)
        except UserError as exc:
            if exc.report is not None:
                errors = [str(d) for d in exc.report.sorted() if d.severity == ERROR]
            errors.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug in a writer must not stop the preview
            errors = [f"internal error: {type(exc).__name__}: {exc} (a bug in guideline; "
                      "run guideline build with GUIDELINE_DEBUG=1 for the traceback and report it)"]
        if errors and target is not None:
            shutil.rmtree(target, ignore_errors=True)
            target = None
        seconds, cpu = time.perf_counter() - t0, time.thread_time() - c0
        with self._cond:
            self._counter += 1
            root = target if target is not None else self._state.root
            if target is not None:
                self._builds.append(target)
            self._state = State(f"{self._token}.{self._counter}", root, tuple(errors), tuple(warnings), seconds,
                                cpu, edition_id)
            self._edition, self._edition_tag = edition, self._state.tag
            stale, self._builds = self._builds[:-KEEP_BUILDS], self._builds[-KEEP_BUILDS:]
            self._cond.notify_all()
        for old in stale:
            shutil.rmtree(old, ignore_errors=True)
        return self._state

    def lint(self, tag: str) -> tuple[str, tuple[str, ...], int]:
        """``(tag, findings, errors)`` of ``guideline lint`` on the edition of the build ``tag``; for another tag
        (the page is out of date and about to reload) the current build's tag and no findings."""
        with self._lint_lock:
            with self._cond:
                edition, current = self._edition, self._edition_tag
            if tag != current or edition is None:
                return current, (), 0
            if self._lint is not None and self._lint[0] == tag:
                return self._lint
            try:
                cfg = lint_config.load((editions.real_source_root(self.edition_dir) or self.src) / "lint.yaml",
                                       set(lint.all_rules()))
                found = lint.run(edition, cfg)
                result = (tag, tuple(str(f) for f in found), sum(1 for f in found if f.severity == ERROR))
            except UserError as exc:
                result = (tag, (str(exc),), 1)
            except Exception as exc:  # noqa: BLE001 - a bug in a rule must not stop the preview
                result = (tag, (f"internal error in guideline lint: {type(exc).__name__}: {exc}",), 1)
            self._lint = result
            return result

    def watch(self, baseline: tuple) -> None:
        """Rebuild whenever the fingerprint moves away from ``baseline``; returns when :meth:`stop` is called."""
        last = baseline
        collect = False
        while not self._stop.wait(POLL_INTERVAL):
            now = self.fingerprint()
            if now == last:
                if collect:  # the first quiet poll after a build (the pages have been fetched by now)
                    gc.collect()
                    collect = False
                continue
            for _ in range(SETTLE_MAX):
                if self._stop.wait(SETTLE):
                    return
                again = self.fingerprint()
                if again == now:
                    break
                now = again
            changed = sorted({p for p, *_ in set(now) ^ set(last)})
            last = now
            state = self.build()
            collect = True
            names = ", ".join(display_path(p) for p in changed[:3]) + (" …" if len(changed) > 3 else "")
            if state.errors:
                self.log(f"{names}: {len(state.errors)} problem(s); still serving the last good build:\n  "
                         + "\n  ".join(state.errors))
            else:
                self.log(f"{names}: rebuilt in {state.seconds:.2f} s ({state.cpu_seconds:.2f} s CPU)")

    def start_watching(self, baseline: tuple) -> None:
        self._watcher = threading.Thread(target=self.watch, args=(baseline,), name="guideline-serve-watch",
                                         daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
            pdf_preview = self._pdf
        if pdf_preview is not None:
            pdf_preview.close()
        if self._watcher is not None and self._watcher is not threading.current_thread():
            self._watcher.join(timeout=5)  # a build in progress is abandoned (the thread is a daemon)


# --------------------------------------------------------------------------------------------------------------------
# HTTP


def overlay_html(state: State) -> str:
    items = "\n".join(html.escape(e) for e in state.errors)
    shown = "最後に成功したビルドを表示しています。" if state.root is not None else "まだ表示できるビルドがありません。"
    return (f'<div id="guideline-serve-errors" role="alert" lang="ja" style="{OVERLAY_STYLE}">'
            f'<details open><summary style="cursor:pointer;font-weight:bold;color:#b00020">'
            f"ソースに問題があります（{len(state.errors)}件）。保存し直すと自動で再表示します。{shown}</summary>"
            f'<pre style="white-space:pre-wrap;margin:.5em 0 0;font:14px/1.5 monospace">{items}</pre>'
            "</details></div>")


def inject(page: bytes, state: State) -> bytes:
    """A served HTML page: the reload script before ``</body>`` and, when the latest build failed, the overlay."""
    text = page.decode("utf-8", "replace")
    if state.errors:
        m = re.search(r"<body\b[^>]*>", text, re.I)
        at = m.end() if m else 0
        text = text[:at] + overlay_html(state) + text[at:]
    script = f'<script src="{RELOAD_JS}" data-generation="{html.escape(state.tag)}" defer></script>'
    at = text.lower().rfind("</body>")
    text = text[:at] + script + text[at:] if at >= 0 else text + script
    return text.encode("utf-8")


def pdf_page(state: PdfState) -> bytes:
    """The page that shows the PDF preview and reloads when it has been laid out again."""
    errors = "".join(f"<li>{html.escape(e)}</li>" for e in state.errors)
    problems = f'<ul role="alert" style="color:#b00020">{errors}</ul>' if errors else ""
    body = ("<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>PDFプレビュー</title>"
            "<style>html,body{height:100%;margin:0}embed{width:100%;height:100%;border:0}</style></head><body>"
            f'{problems}<embed src="{PDF_PATH}?v={html.escape(state.tag)}" type="application/pdf">'
            f'<script src="{RELOAD_JS}" data-generation="{html.escape(state.tag)}" data-what="pdf" defer></script>'
            "</body></html>\n")
    return body.encode("utf-8")


def error_page(state: State) -> bytes:
    body = ("<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>ビルドできません</title></head>"
            "<body><main style=\"padding:70vh 1.2em 1em\"><p>ソースを直して保存すると、このページは自動で再表示されます。"
            "</p></main></body></html>\n")
    return inject(body.encode("utf-8"), state)


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the current build of ``preview`` (set by :func:`make_server`)."""

    preview: Preview
    server_version = "guideline-serve"

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass  # one line per request would drown the build messages

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        self._handle(head=False)

    def do_HEAD(self) -> None:
        self._handle(head=True)

    def list_directory(self, path):
        self.send_error(404, "no directory listings")
        return None

    def _send(self, status: int, ctype: str, body: bytes, head: bool, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _handle(self, head: bool) -> None:
        host = self.headers.get("Host")
        if host is not None and not is_loopback(_host_of(host)):
            self.send_error(403, "the preview server answers only to loopback host names (localhost, 127.0.0.1)")
            return
        url = urllib.parse.urlsplit(self.path)
        if url.path == RELOAD_PATH and urllib.parse.parse_qs(url.query).get("what") == ["pdf"]:
            since = urllib.parse.parse_qs(url.query).get("since", [None])[0]
            pdf_preview = self.preview.pdf()
            pstate = pdf_preview.wait_change(since, LONG_POLL) if since is not None else pdf_preview.state
            body = json.dumps({"generation": pstate.tag, "ok": not pstate.errors, "errors": list(pstate.errors),
                               "pdf_s": round(pstate.seconds, 3)}, ensure_ascii=False).encode("utf-8")
            self._send(200, "application/json; charset=utf-8", body, head)
            return
        if url.path in (PDF_PATH, PDF_PAGE):
            if self.preview.state.root is None:  # nothing read successfully yet: nothing to lay out
                self._send(503, "text/html; charset=utf-8", error_page(self.preview.state), head)
                return
            pstate = self.preview.pdf().wait_change(None, LONG_POLL * 4)
            if url.path == PDF_PAGE:
                self._send(200, "text/html; charset=utf-8", pdf_page(pstate), head)
            elif pstate.pdf is None:
                self._send(503, "text/plain; charset=utf-8",
                           ("\n".join(pstate.errors) or "the PDF preview is not ready").encode("utf-8"), head)
            else:
                self._send(200, "application/pdf", pstate.pdf, head, {"X-Generation": pstate.tag})
            return
        if url.path == RELOAD_PATH:
            since = urllib.parse.parse_qs(url.query).get("since", [None])[0]
            state = self.preview.wait_change(since, LONG_POLL) if since is not None else self.preview.state
            body = json.dumps({"generation": state.tag, "ok": not state.errors, "errors": list(state.errors),
                               "warnings": list(state.warnings), "build_s": round(state.seconds, 3),
                               "build_cpu_s": round(state.cpu_seconds, 3), "edition": state.edition_id},
                              ensure_ascii=False).encode("utf-8")
            self._send(200, "application/json; charset=utf-8", body, head)
            return
        if url.path == LINT_PATH:
            wanted = urllib.parse.parse_qs(url.query).get("generation", [""])[0]
            tag, findings, errors = self.preview.lint(wanted)
            body = json.dumps({"generation": tag, "findings": list(findings), "errors": errors,
                               "warnings": len(findings) - errors}, ensure_ascii=False).encode("utf-8")
            self._send(200, "application/json; charset=utf-8", body, head)
            return
        if url.path == RELOAD_JS:
            self._send(200, "text/javascript; charset=utf-8", CLIENT_JS.encode("utf-8"), head)
            return
        if url.path == FORMER_SITE or url.path.startswith(FORMER_SITE + "/"):
            moved = (url.path[len(FORMER_SITE):] or "/") + (f"?{url.query}" if url.query else "")
            self._send(301, "text/plain; charset=utf-8", b"", head, {"Location": moved})
            return
        state = self.preview.state
        if state.root is None:
            self._send(503, "text/html; charset=utf-8", error_page(state), head)
            return
        # one URL scheme, the published one: the site at the root, the single file beside it
        single = url.path == SINGLE_PAGE and not (state.root / "site" / SINGLE_PAGE[1:]).exists()
        self.directory = str(state.root if single else state.root / "site")
        fs_path = self.translate_path(self.path)
        if os.path.isdir(fs_path):
            if not url.path.endswith("/"):
                self._send(301, "text/plain; charset=utf-8", b"", head, {"Location": url.path + "/"})
                return
            fs_path = os.path.join(fs_path, "index.html")
        if not os.path.isfile(fs_path):
            self.send_error(404, "no such page in this build")
            return
        if fs_path.endswith(".html"):
            try:
                with open(fs_path, "rb") as fh:
                    page = fh.read()
            except OSError:
                self.send_error(404, "no such page in this build")
                return
            self._send(200, "text/html; charset=utf-8", inject(page, state), head)
            return
        if head:
            super().do_HEAD()
        else:
            super().do_GET()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Server6(_Server):
    address_family = socket.AF_INET6


def make_server(preview: Preview, host: str, port: int) -> http.server.ThreadingHTTPServer:
    if not is_loopback(host):
        raise UserError(f"{host} is not a loopback address: the preview server is for this computer only "
                        "(use 127.0.0.1, ::1 or localhost); to publish, run guideline build and serve build/ "
                        "with a web server")
    handler = type("PreviewHandler", (Handler,), {"preview": preview})
    cls = _Server6 if ":" in host else _Server
    try:
        return cls((host.strip("[]"), port), handler)
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}; choose another --port "
                        "(--port 0 takes any free one)") from None


def url_of(server: http.server.HTTPServer) -> str:
    host, port = server.server_address[:2]
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{port}/"
