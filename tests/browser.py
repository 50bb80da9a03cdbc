"""Headless Chromium for tests: open built HTML pages and run axe-core on them.

Uses Debian's ``/usr/bin/chromium`` through Playwright (never a downloaded browser) and the axe-core script bundled
in the PyPI package ``axe-playwright-python``.

    from browser import Chromium, axe_violations, open_page

    @pytest.mark.needs_chromium                                       # skipped without Chromium, failed under CI
    def test_page_is_accessible(tmp_path):
        ...
        assert axe_violations(tmp_path / "out.html") == []           # one-off: uses a shared browser

    @pytest.fixture(scope="module")
    def chromium():
        with Chromium() as browser:                                   # one browser for the whole module
            yield browser

    def test_many(chromium):
        page = chromium.open_page(path)                               # a Playwright Page (closed by the caller)
        assert chromium.axe_violations(page) == []                    # or pass a path / URL
        page.close()

``axe_violations`` returns axe's violation dicts (``id``, ``impact``, ``help``, ``nodes`` …) for the rules tagged
``wcag2a`` and ``wcag2aa`` (JIS X 8341-3:2016 level AA); :func:`describe` turns them into a readable message.
"""
from __future__ import annotations

import atexit
import os
import shutil
from pathlib import Path
from typing import Iterable

import pytest

CHROMIUM = os.environ.get("GUIDELINE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
WCAG_AA_TAGS = ("wcag2a", "wcag2aa")


def _available() -> str:
    """Why Chromium tests cannot run here ('' when they can)."""
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"needs headless Chromium at {CHROMIUM} (Debian package chromium)"
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError:
        return "needs the Python packages playwright and axe-playwright-python (pip install -e '.[test]')"
    return ""


SKIP_REASON = _available()


def to_url(path_or_url: str | os.PathLike[str]) -> str:
    """A file path becomes a file:// URL (a fragment or query after '#'/'?' in a string path is kept)."""
    s = os.fspath(path_or_url)
    if "://" in s:
        return s
    suffix = ""
    for sep in ("?", "#"):
        if sep in s and not Path(s).exists():
            s, rest = s.split(sep, 1)
            suffix = sep + rest + suffix
    return Path(s).resolve().as_uri() + suffix


class Chromium:
    """One headless Chromium. Use as a context manager, or call :meth:`close`."""

    def __init__(self, viewport: tuple[int, int] = (1280, 900)):
        from playwright.sync_api import sync_playwright

        if SKIP_REASON:
            raise RuntimeError(SKIP_REASON)
        self._pw = sync_playwright().start()
        try:
            self.browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except BaseException:
            self._pw.stop()
            raise
        self.viewport = viewport

    def __enter__(self) -> "Chromium":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._pw is not None:
            try:
                self.browser.close()
            finally:
                self._pw.stop()
                self._pw = None

    def open_page(self, path_or_url: str | os.PathLike[str], viewport: tuple[int, int] | None = None,
                  wait_until: str = "load"):
        """Open a page (file path or URL) in a fresh context; the caller closes it (``page.close()``)."""
        width, height = viewport or self.viewport
        # a page of its own context: closing the page closes the context
        page = self.browser.new_page(viewport={"width": width, "height": height}, locale="ja-JP")
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors  # uncaught script errors on the page, for assertions
        page.goto(to_url(path_or_url), wait_until=wait_until)
        return page

    def axe_violations(self, target, tags: Iterable[str] = WCAG_AA_TAGS) -> list[dict]:
        """axe-core violations of a page object, a file path or a URL, for rules with any of ``tags``."""
        return self.axe_violations_many([target], tags)[0]

    def axe_violations_many(self, targets: Iterable, tags: Iterable[str] = WCAG_AA_TAGS,
                            parallel: int = 2) -> list[list[dict]]:
        """Violations of each target (page objects, paths or URLs), in the order given.

        ``parallel`` lanes run at once, each a page (renderer process) of its own that navigates from one target
        to the next (a new renderer per page would cost about a CPU second more each). The largest files start
        first and a lane takes the next target as soon as it is done, so one big page does not hold up the rest.
        """
        import time

        targets = list(targets)
        order = sorted(range(len(targets)), key=lambda i: -_size(targets[i]))
        results: dict[int, list[dict]] = {}
        lanes: list = []  # our own pages, reused
        free: list = []
        running: dict[int, object] = {}  # target index -> page
        finished: set[int] = set()

        try:
            while order or running:
                while order and len(running) < max(1, parallel):
                    i = order.pop(0)
                    target = targets[i]
                    if hasattr(target, "evaluate"):
                        page = target
                    elif free:
                        page = free.pop()
                        page.goto(to_url(target))
                    else:
                        page = self.open_page(target)
                        lanes.append(page)
                    page._guideline_listener = (lambda msg, i=i: finished.add(i) if msg.text == _AXE_DONE else None)
                    page.on("console", page._guideline_listener)
                    running[i] = page
                    _start_axe(page, tags)
                done = [i for i in running if i in finished]
                if not done:
                    time.sleep(0.02)
                    next(iter(running.values())).wait_for_timeout(30)  # lets Playwright deliver the events
                    continue
                for i in done:
                    page = running.pop(i)
                    outcome = page.evaluate("() => window.__guidelineAxe")
                    page.remove_listener("console", page._guideline_listener)
                    if page in lanes:
                        free.append(page)
                    if "error" in outcome:
                        raise RuntimeError(f"axe-core failed on {targets[i]}: {outcome['error']}")
                    results[i] = list(outcome["violations"])
        finally:
            for page in lanes:
                page.close()
        return [results[i] for i in range(len(targets))]


_AXE_DONE = "__guideline_axe_done__"


def _size(target) -> int:
    try:
        return Path(os.fspath(target)).stat().st_size
    except (TypeError, OSError):
        return 0


def _start_axe(page, tags: Iterable[str]) -> None:
    """Inject axe-core (bundled with axe-playwright-python) and start it without waiting for the result; the page
    logs ``_AXE_DONE`` on its console when the result is in ``window.__guidelineAxe``."""
    from axe_playwright_python.base import AXE_SCRIPT

    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    options = {"runOnly": {"type": "tag", "values": list(tags)}, "resultTypes": ["violations"]}
    page.evaluate("([options, done]) => { axe.run(document, options).then("
                  "r => { window.__guidelineAxe = {violations: r.violations}; console.log(done); }, "
                  "e => { window.__guidelineAxe = {error: String(e)}; console.log(done); }); }",
                  [options, _AXE_DONE])


_shared: Chromium | None = None


def shared() -> Chromium:
    """A browser shared by the whole test process (closed at exit)."""
    global _shared
    if _shared is None:
        _shared = Chromium()
        atexit.register(_close_shared)
    return _shared


def _close_shared() -> None:
    global _shared
    if _shared is not None:
        try:
            _shared.close()
        finally:
            _shared = None


def open_page(path_or_url: str | os.PathLike[str], browser: Chromium | None = None, **kwargs):
    """Open a page in ``browser`` (default: the shared one); close it with ``page.close()``."""
    return (browser or shared()).open_page(path_or_url, **kwargs)


def axe_violations(path_or_url, browser: Chromium | None = None, tags: Iterable[str] = WCAG_AA_TAGS) -> list[dict]:
    """axe-core WCAG 2.0 A/AA violations of a page (path, URL or an open Playwright page)."""
    return (browser or shared()).axe_violations(path_or_url, tags)


def describe(violations: list[dict]) -> str:
    """Violations as readable lines: rule, impact, help, and the first offending elements."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v.get('impact')}): {v.get('help')}")
        for node in v.get("nodes", [])[:5]:
            lines.append(f"    {node.get('target')}: {(node.get('failureSummary') or '').splitlines()[-1:]}")
    return "\n".join(lines)
