"""``guideline serve``: the real server as a subprocess on a free loopback port, on a private copy of the fixture
edition. A saved edit shows up in the fetched page; broken sources show ``path:line`` in an overlay over the last good
build; fixing them recovers; Ctrl-C (SIGINT) exits cleanly and removes the private build directory.

The 1 s target of issue 8 is measured by ``make bench`` (serve_latency_s); the bound asserted here is generous because
test machines are loaded. The measured latency is printed (``pytest -s``) and recorded as a junit property.
"""
from __future__ import annotations

import http.client
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser import Chromium
from click.testing import CliRunner
from conftest import REPO, SRC, line_of, replace_in

from guideline import editions, serve
from guideline.cli import cli
from guideline.diagnostics import UserError
from guideline.render_html import stylesheet
from guideline.writers.edition import html_site
from guideline.writers.registry import build_writers

GUIDELINE = Path(sys.executable).with_name("guideline")
START_TIMEOUT = 120.0  # import + first build on a heavily loaded machine
EDIT_TIMEOUT = 10.0  # a saved edit must be visible within this (the target, 1 s, is measured by the benchmark)
ORIGINAL = "CISOとする。"


@dataclass
class Server:
    proc: subprocess.Popen
    url: str
    cwd: Path
    src: Path
    stderr: Path

    @property
    def edition_dir(self) -> Path:
        return self.src / "editions" / "base"

    def log(self) -> str:
        return self.stderr.read_text(encoding="utf-8", errors="replace")


def start_server(tmp: Path, src: Path, *args: str, sigint_ignored: bool = False) -> Server:
    """Start ``guideline serve --port 0`` in ``tmp`` on the source tree ``src``; wait for its URL line.
    ``sigint_ignored``: start it the way a shell script starts a command in the background (SIGINT ignored)."""
    stderr = tmp / "serve.stderr"
    env = dict(os.environ, GUIDELINE_SRC=str(src), PYTHONUNBUFFERED="1")
    err_fh = open(stderr, "wb")
    ignore = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if sigint_ignored else None
    proc = subprocess.Popen([str(GUIDELINE), "serve", "--edition", "base", "--port", "0", *args], cwd=tmp, env=env,
                            stdout=subprocess.PIPE, stderr=err_fh, preexec_fn=ignore)
    err_fh.close()
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(raw) for raw in proc.stdout], daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5).decode("utf-8", "replace")
        except queue.Empty:
            if proc.poll() is not None:
                break
            continue
        if line.startswith("serving "):
            url = next(w for w in line.split() if w.startswith("http://"))
            return Server(proc, url, tmp, src, stderr)
    stop(proc)
    raise AssertionError(f"the server did not start: {stderr.read_text(encoding='utf-8', errors='replace')}")


def stop(proc: subprocess.Popen, timeout: float = 30.0) -> int:
    """Ctrl-C the server; kill it when it does not exit in time. Returns the exit status."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGUSR1)  # the server writes every thread's stack to its stderr first
            time.sleep(1)
            proc.kill()
            proc.wait(timeout=timeout)
    return proc.returncode


def fetch(url: str, timeout: float = 30.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def raw_get(server: Server, path: str, host: str | None = None) -> tuple[int, str]:
    """GET with an exact request path and Host header (urllib would normalise both)."""
    parts = urllib.parse.urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", host or parts.netloc)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


def poll_until(check, timeout: float, what: str):
    """Call ``check()`` every 50 ms until it returns something true; the value and the seconds it took."""
    t0 = time.monotonic()
    last = None
    while time.monotonic() - t0 < timeout:
        last = check()
        if last:
            return last, time.monotonic() - t0
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {timeout} s")


def generation(server: Server) -> dict:
    return json.loads(fetch(server.url + "__reload")[1])


@pytest.fixture(scope="module")
def page() -> str:
    """The site page (and anchor) that holds clause org-ciso, as the site writer names it."""
    edition = editions.load_or_fail("base", SRC)
    return html_site.href_map(edition)("org-ciso").split("#")[0]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Server:
    tmp = tmp_path_factory.mktemp("serve")
    src = tmp / "guideline_src"
    shutil.copytree(SRC, src)
    srv = start_server(tmp, src)
    try:
        yield srv
    finally:
        stop(srv.proc)


def test_serves_the_site_with_the_reload_script_only_in_served_pages(server: Server, page: str):
    with urllib.request.urlopen(server.url, timeout=30) as resp:  # / is the site's index, as published
        assert resp.url == server.url
        assert "表紙・目次" in resp.read().decode("utf-8")
    status, body = fetch(server.url + page)
    assert status == 200
    assert ORIGINAL in body or "保存した編集" in body
    state = generation(server)
    assert state["ok"] is True and state["edition"] == "base" and state["errors"] == []
    assert f'<script src="/__reload.js" data-generation="{state["generation"]}" defer></script></body>' in body
    status, script = fetch(server.url + "__reload.js")
    assert status == 200 and "location.reload()" in script and "/__reload?since=" in script
    # the built files on disk are untouched: the script exists only in what the server sends
    built = list((server.cwd / "build" / ".serve").glob(f"*/build-*/site/{page}"))
    assert built, "the preview builds into build/.serve/"
    for path in built:
        text = path.read_text(encoding="utf-8")
        assert "</body>" in text and "__reload" not in text
    # assets are served as they are
    status, css = fetch(server.url + "assets/site.css")
    assert status == 200 and css == stylesheet("site/site.css") and "aside.box" in css


def test_every_page_at_one_url_scheme(server: Server, page: str):
    """The site at the root as it is published (/, /standards.html, /assets/...), the single file at /guideline.html;
    the former /site/... addresses redirect there."""
    for path in ("", "index.html", page, "assets/site.css", "guideline.html"):
        status, _ = fetch(server.url + path)
        assert status == 200, path
    assert ORIGINAL in fetch(server.url + "guideline.html")[1] or "保存した編集" in fetch(server.url + page)[1]
    with urllib.request.urlopen(server.url + "site/" + page, timeout=30) as resp:
        assert resp.url == server.url + page
    status, _ = raw_get(server, "/site/" + page)
    assert status == 301
    assert fetch(server.url + "nonesuch.html")[0] == 404
    help_text = CliRunner().invoke(cli, ["serve", "--help"]).output
    assert "http://127.0.0.1:8000/guideline.html" in help_text and "/standards.html" in help_text


def test_saved_edit_shows_then_errors_overlay_then_recovers(server: Server, page: str, record_property):
    a_md = server.edition_dir / "a.md"
    url = server.url + page
    before = generation(server)["generation"]

    # 1. a saved edit appears in the page
    marker = f"保存した編集{time.monotonic_ns()}。"
    replace_in(a_md, ORIGINAL, ORIGINAL + marker)
    body, latency = poll_until(lambda: (lambda r: r[0] == 200 and marker in r[1] and r[1])(fetch(url)),
                               EDIT_TIMEOUT, "the saved edit in the served page")
    record_property("serve_latency_s", round(latency, 3))
    print(f"\nserve: saved edit visible after {latency:.2f} s")
    assert "guideline-serve-errors" not in body
    after = generation(server)
    assert after["generation"] != before and after["ok"] is True
    # a page that was open before the edit is told to reload at once (long poll answers immediately)
    t0 = time.monotonic()
    status, answer = fetch(server.url + "__reload?since=" + urllib.parse.quote(before))
    assert status == 200 and json.loads(answer)["generation"] == after["generation"]
    assert time.monotonic() - t0 < 5

    # 2. a broken source: the overlay names path:line, the last good build stays on screen
    original = a_md.read_text(encoding="utf-8")
    replace_in(a_md, "{#org-committee}", "{#org-ciso}")
    line = line_of(a_md, "情報セキュリティ委員会 {#org-ciso}")
    body, _ = poll_until(lambda: (lambda r: "guideline-serve-errors" in r[1] and r[1])(fetch(url)), EDIT_TIMEOUT,
                         "the error overlay")
    overlay = body[body.index('id="guideline-serve-errors"'):body.index("</details></div>")]
    assert f"a.md:{line}: error: duplicate clause ID &#x27;org-ciso&#x27;" in overlay
    assert marker in body  # the last good build, under the overlay
    state = generation(server)
    assert state["ok"] is False and any(f"a.md:{line}: error:" in e for e in state["errors"])
    assert "problem(s); still serving the last good build" in server.log()

    # 3. fixed: the overlay goes away
    a_md.write_text(original.replace(marker, "修正後の文。"), encoding="utf-8")
    body, _ = poll_until(lambda: (lambda r: "修正後の文。" in r[1] and "guideline-serve-errors" not in r[1] and r[1])(
        fetch(url)), EDIT_TIMEOUT, "recovery after the fix")
    assert generation(server)["ok"] is True
    assert server.proc.poll() is None, "the server survived the broken sources"


def fetch_bytes(url: str, timeout: float = 120.0) -> tuple[int, str, bytes, dict]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read(), dict(exc.headers)


def pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode("utf-8")


@pytest.mark.needs_poppler
def test_pdf_preview_is_laid_out_again_on_save(server: Server):
    """/guideline.pdf is the edition's PDF (made at the first request, by a live Typst compiler); a saved edit is
    in it once the long poll of /__reload?what=pdf answers; /guideline.pdf.html shows it and reloads."""
    status, ctype, data, headers = fetch_bytes(server.url + "guideline.pdf")
    assert status == 200 and ctype == "application/pdf" and data.startswith(b"%PDF")
    assert "最高情報セキュリティ責任者" in pdf_text(data)
    since = headers["X-Generation"]
    status, page_html = fetch(server.url + "guideline.pdf.html")
    assert status == 200 and '<embed src="/guideline.pdf?v=' in page_html and 'data-what="pdf"' in page_html
    b_md = server.edition_dir / "b.md"
    marker = f"PDF編集{time.monotonic_ns() % 100000}"
    replace_in(b_md, "方針を定める。", f"方針を定める。{marker}。")
    status, answer = fetch(server.url + "__reload?what=pdf&since=" + urllib.parse.quote(since), timeout=120)
    state = json.loads(answer)
    assert status == 200 and state["ok"] and state["generation"] != since
    status, _, data, headers = fetch_bytes(server.url + "guideline.pdf")
    assert headers["X-Generation"] == state["generation"]
    assert marker in pdf_text(data).replace("\n", "")
    assert "PDF preview laid out in" in server.log()


@pytest.mark.needs_chromium
def test_open_page_in_chromium_reloads_itself_and_shows_the_overlay(server: Server, page: str):
    """The injected script really reloads an open page (no navigation by the test), in headless Chromium."""
    a_md = server.edition_dir / "a.md"
    original = a_md.read_text(encoding="utf-8")
    marker = f"ブラウザで見る編集{time.monotonic_ns()}"

    def page_text(tab) -> str:
        try:
            return tab.evaluate("document.body ? document.body.innerText : ''")
        except Exception:  # noqa: BLE001 - the page is reloading: its context was just replaced
            return ""

    with Chromium() as chromium:
        tab = chromium.open_page(server.url + page)
        try:
            # a flag on the old document: a reloaded page is a new document without it (a Playwright "load"
            # event can arrive after the new text is already readable, so it is not a reliable witness)
            tab.evaluate("window.__beforeEdit = true")
            assert "CISO" in page_text(tab)
            a_md.write_text(original.replace(ORIGINAL, ORIGINAL + marker, 1), encoding="utf-8")
            poll_until(lambda: marker in page_text(tab), EDIT_TIMEOUT, "the open page showing the edit")
            assert tab.evaluate("window.__beforeEdit === undefined"), "the page reloaded itself"
            assert tab.url.endswith("/" + page), "the page stayed where the reader was"
            a_md.write_text(original.replace("{#org-committee}", "{#org-ciso}", 1), encoding="utf-8")
            poll_until(lambda: "ソースに問題があります" in page_text(tab), EDIT_TIMEOUT, "the overlay in the open page")
            overlay = tab.locator("#guideline-serve-errors")
            assert overlay.is_visible() and "a.md:" in overlay.inner_text()
            assert tab.get_attribute("#guideline-serve-errors", "role") == "alert"
            a_md.write_text(original, encoding="utf-8")
            poll_until(lambda: "ソースに問題があります" not in page_text(tab) and marker not in page_text(tab)
                       and "CISO" in page_text(tab), EDIT_TIMEOUT, "the open page after the fix")
            assert tab.js_errors == []
        finally:
            a_md.write_text(original, encoding="utf-8")
            tab.close()


def test_refuses_foreign_hosts_traversal_and_listings(server: Server):
    assert raw_get(server, "/index.html")[0] == 200
    assert raw_get(server, "/index.html", host="localhost")[0] == 200
    status, body = raw_get(server, "/index.html", host="attacker.example:8000")  # DNS rebinding
    assert status == 403 and "loopback" in body
    assert raw_get(server, "/../../../../etc/passwd")[0] == 404
    assert raw_get(server, "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd")[0] == 404
    status, body = raw_get(server, "/assets/")
    assert status == 404 and "site.css" not in body
    assert raw_get(server, "/no-such-page.html")[0] == 404


def test_broken_from_the_start_then_fixed_then_ctrl_c(tmp_path: Path, page: str):
    src = tmp_path / "guideline_src"
    shutil.copytree(SRC, src)
    b_md = src / "editions" / "base" / "b.md"
    text = b_md.read_text(encoding="utf-8")
    first_heading = next(line for line in text.splitlines() if line.startswith("#"))
    broken_heading = first_heading.split("{#")[0] + "{#org-ciso}"
    b_md.write_text(text.replace(first_heading, broken_heading, 1), encoding="utf-8")
    line = line_of(b_md, broken_heading)
    srv = start_server(tmp_path, src)
    try:
        status, body = fetch(srv.url + page)
        assert status == 503
        assert f"b.md:{line}: error: duplicate clause ID" in body and "guideline-serve-errors" in body
        assert "/__reload.js" in body  # the error page reloads itself once the sources are fixed
        b_md.write_text(text, encoding="utf-8")
        body, _ = poll_until(lambda: (lambda r: r[0] == 200 and r[1])(fetch(srv.url + page)), EDIT_TIMEOUT,
                             "the first good build")
        assert ORIGINAL in body and "guideline-serve-errors" not in body
    finally:
        code = stop(srv.proc)
    assert code == 0, srv.log()
    assert srv.log().rstrip().endswith("stopped")
    assert not (tmp_path / "build" / ".serve").exists(), "the private build directory is removed on exit"


@pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="POSIX signals")
def test_sigusr1_writes_the_threads_stacks_and_ctrl_c_stops_even_from_a_background_script(tmp_path: Path,
                                                                                            page: str):
    src = tmp_path / "guideline_src"
    shutil.copytree(SRC, src)
    srv = start_server(tmp_path, src, sigint_ignored=True)
    try:
        assert fetch(srv.url + page)[0] == 200  # answering: the main thread is in serve_forever, past the URL line
        srv.proc.send_signal(signal.SIGUSR1)
        poll_until(lambda: "in serve_forever" in srv.log(), 10, "the stack dump")
        dump = srv.log()
        assert "most recent call first" in dump and dump.count("hread 0x") >= 2  # the server and the watcher
        assert fetch(srv.url + page)[0] == 200  # still serving
    finally:
        code = stop(srv.proc)
    assert code == 0, srv.log()
    assert srv.log().rstrip().endswith("stopped")


def test_port_in_use_is_a_clear_error(tmp_path: Path):
    preview = serve.Preview("base", tmp_path / "work", src=SRC)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(UserError) as info:
            serve.make_server(preview, "127.0.0.1", port)
    assert str(info.value).startswith(f"error: cannot listen on 127.0.0.1:{port}: ")
    assert "--port 0" in str(info.value)
    with pytest.raises(UserError, match="not a loopback address"):
        serve.make_server(preview, "0.0.0.0", 0)


def test_help_and_loopback_only():
    runner = CliRunner()
    result = runner.invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output and "guideline serve --edition r5-03 --port 8001" in result.output
    result = runner.invoke(cli, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "'0.0.0.0' is not a loopback address" in result.output
    result = runner.invoke(cli, ["serve", "--host", "192.168.1.10"])
    assert result.exit_code == 2


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_rebuild_parses_only_the_saved_file_and_equals_a_fresh_build(tmp_path: Path, monkeypatch):
    """In-process: after an edit the preview parses one file again (the others come from the parse cache), patches
    the search index, and still writes exactly what a build from scratch without any cache writes."""
    from guideline.parse_cache import clear_memory
    from guideline.writers.edition import search_index

    # as in `guideline serve`, whose server threads keep the reader from parsing in a forked child
    # (ParseCache.fill); without other threads in the test process it would, and the counts below would differ
    monkeypatch.setenv("GUIDELINE_READ_WORKERS", "1")
    src = tmp_path / "guideline_src"
    shutil.copytree(SRC, src)
    preview = serve.Preview("base", tmp_path / "work", src=src)
    cache = preview.parse_cache
    state = preview.build()
    assert not state.errors and state.root is not None
    n_md = len(list((src / "editions" / "base").glob("*.md")))
    assert (cache.misses, cache.hits) == (n_md + 1, 0)  # every Markdown file and the NISC catalog, once
    assert (tmp_path / "build" / ".cache" / "parse").is_dir()  # beside the copied source root (no git here)
    replace_in(src / "editions" / "base" / "a.md", ORIGINAL, "CISOとする。保存した追記である。")
    state = preview.build()
    assert not state.errors
    assert (cache.misses, cache.hits) == (n_md + 2, n_md - 1)  # a.md again; b.md from memory (catalog reused)
    served = _tree(state.root)
    assert "保存した追記" in served["site/" + html_site.href_map(editions.load_or_fail("base", src))("org-ciso")
                                 .split("#")[0]].decode("utf-8")
    assert "保存した追記".encode() in served["site/assets/search-index.js"]

    monkeypatch.setenv("GUIDELINE_PARSE_CACHE", "0")  # from scratch: no parse cache, no memory of earlier indexes
    clear_memory()
    search_index.forget()
    edition = editions.load_or_fail("base", src)
    fresh = tmp_path / "fresh"
    for writer in build_writers(["html"]):
        writer.write(edition, fresh)
    assert _tree(fresh) == served


def test_lint_findings_are_served_beside_the_check_problems(tmp_path: Path, monkeypatch):
    """In-process: /__lint answers the lint of the build a page shows (computed on request, never during a rebuild),
    and the page script lists it; a page of an older build gets the current build's tag and no findings."""
    monkeypatch.setenv("GUIDELINE_READ_WORKERS", "1")
    src = tmp_path / "guideline_src"
    shutil.copytree(SRC, src)
    replace_in(src / "editions" / "base" / "a.md", ORIGINAL, "CISOとする。ＩＤを確認する。")
    preview = serve.Preview("base", tmp_path / "work", src=src)
    state = preview.build()
    assert preview._lint is None  # noqa: SLF001 - the rebuild itself does not lint
    server = serve.make_server(preview, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = serve.url_of(server)
        data = json.loads(fetch(f"{url}__lint?generation={state.tag}")[1])
        assert data["generation"] == state.tag and (data["errors"], data["warnings"]) == (1, 0)
        [finding] = data["findings"]
        assert finding.endswith(": error: width-alnum: full-width 'ＩＤ': write 'ID'") and "a.md:" in finding
        stale = json.loads(fetch(f"{url}__lint?generation=old")[1])
        assert stale == {"generation": state.tag, "findings": [], "errors": 0, "warnings": 0}
        script = fetch(url + "__reload.js")[1]
        assert "/__lint?generation=" in script and "textContent" in script and "innerHTML" not in script
        assert 'd.findings.join("\\n")' in script  # an escaped line break: a raw one breaks the whole script
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.needs_chromium
def test_open_page_lists_the_lint_findings_in_a_panel(tmp_path: Path, page: str):
    """The page script asks /__lint and shows the findings as text in a panel (headless Chromium)."""
    src = tmp_path / "guideline_src"
    shutil.copytree(SRC, src)
    replace_in(src / "editions" / "base" / "a.md", ORIGINAL, "CISOとする。ＩＤを<b>確認</b>する。")
    srv = start_server(tmp_path, src)
    try:
        with Chromium() as chromium:
            tab = chromium.open_page(srv.url + page)
            try:
                panel = tab.locator("#guideline-serve-lint")
                panel.wait_for(state="attached", timeout=EDIT_TIMEOUT * 1000)
                text = panel.inner_text()
                assert "校正 (guideline lint): エラー 1件・警告 0件" in text
                tab.click("#guideline-serve-lint summary")
                assert "error: width-alnum: full-width 'ＩＤ': write 'ID'" in panel.inner_text()
                assert tab.evaluate("document.querySelector('#guideline-serve-lint b')") is None
                assert tab.js_errors == []
            finally:
                tab.close()
    finally:
        stop(srv.proc)
