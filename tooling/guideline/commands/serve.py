"""``guideline serve``: preview an edition's HTML (and, once asked for, its PDF) on this computer; rebuilt on every
save, open pages reload."""
from __future__ import annotations

import contextlib
import faulthandler
import re
import shutil
import signal
import tempfile
import threading
from pathlib import Path

import click

from guideline import serve
from guideline.commands.common import edition_option
from guideline.diagnostics import display_path


def _log(message: str) -> None:
    click.echo(message, err=True)


def run(edition: str, host: str, port: int, build_dir: Path) -> None:
    made = [d for d in (Path(build_dir), Path(build_dir) / ".serve") if not d.exists()]
    base = Path(build_dir) / ".serve"
    base.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", edition).strip("-.") or "edition"
    workdir = Path(tempfile.mkdtemp(prefix=f"{name[-40:]}-", dir=base))
    server = None
    preview = None
    previous_term = previous_int = None
    try:
        preview = serve.Preview(edition, workdir, log=_log)
        server = serve.make_server(preview, host, port)  # before the build: a taken port fails at once
        baseline = preview.fingerprint()
        state = preview.build()  # a save during this build differs from the baseline: the watcher rebuilds
        if state.errors:
            _log(f"{edition}: {len(state.errors)} problem(s); the pages show them until the sources are fixed:\n  "
                 + "\n  ".join(state.errors))
        else:
            _log(f"{edition} ({display_path(preview.edition_dir)}): built in {state.seconds:.2f} s "
                 f"({state.cpu_seconds:.2f} s CPU)")
        preview.start_watching(baseline)
        if threading.current_thread() is threading.main_thread():
            def on_term(signum, frame):
                raise KeyboardInterrupt
            previous_term = signal.signal(signal.SIGTERM, on_term)
            # Ctrl-C stops the server even when it was started from a shell script in the background, which starts
            # its commands with SIGINT ignored (Python then leaves it ignored)
            previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
            if hasattr(signal, "SIGUSR1"):  # kill -USR1 PID: every thread's stack on stderr (a server that hangs)
                faulthandler.register(signal.SIGUSR1, all_threads=True)
        click.echo(f"serving {edition} at {serve.url_of(server)} (watching {display_path(preview.edition_dir)}; "
                   "Ctrl-C to stop)")
        click.get_text_stream("stdout").flush()
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        stopped = True
    else:
        stopped = False
    finally:
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)
        if previous_int is not None:
            signal.signal(signal.SIGINT, previous_int)
        if preview is not None:
            preview.stop()
        if server is not None:
            server.server_close()
        shutil.rmtree(workdir, ignore_errors=True)
        for directory in (base, *reversed(made)):  # left empty: another preview may still use .serve
            with contextlib.suppress(OSError):
                directory.rmdir()
    if stopped:
        _log("stopped")


@click.command(epilog="""\b
Examples:
  guideline serve                                  # the draft at http://127.0.0.1:8000/
  guideline serve --edition r5-03 --port 8001
  guideline serve --port 0                         # any free port; the URL is printed
The site is served at the root as it is published: http://127.0.0.1:8000/ is its index,
/standards.html and the other pages beside it; http://127.0.0.1:8000/guideline.html is the single-file
HTML (addresses under /site/ redirect to the root).
Edit and save any file of the edition: the open pages reload within about a second.
The PDF preview is at /guideline.pdf.html (laid out by Typst at the first visit, again on every save).
Problems in the sources appear on the pages as path:line: message, over the last good build.
Ctrl-C (or kill -INT / -TERM PID) stops it; kill -USR1 PID writes every thread's stack to stderr.
The server listens on the loopback interface only; it is a preview, not a web server for publishing
(guideline build --format html writes the site for that).""")
@edition_option
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="TCP port (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Loopback address to listen on (127.0.0.1, ::1 or localhost).")
@click.option("--build-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("build"),
              show_default=True, help="The preview builds into BUILD_DIR/.serve/ (removed on exit).")
def command(edition: str, port: int, host: str, build_dir: Path) -> None:
    """Preview an edition's HTML locally; rebuilds on save and reloads open pages."""
    if not serve.is_loopback(host):
        raise click.BadParameter(f"{host!r} is not a loopback address; the preview server is for this computer "
                                 "only (127.0.0.1, ::1 or localhost)", param_hint="--host")
    run(edition, host, port, build_dir)
