"""When and how the PDF writer's worker processes start (:mod:`guideline.writers.pdf`), in a module that imports
nothing heavy: the command line starts the fork server (:func:`start_engine`) before it imports the command's
modules when the arguments ask for PDF (:func:`wants_pdf`, called by :func:`guideline.cli.run`), so that WeasyPrint's
import in the server (~0.6 s) overlaps Python's start, the command's imports and the reading of the edition.
"""
from __future__ import annotations

import functools
import os


def _workers(jobs: int) -> int:
    """Worker processes for ``jobs`` renderings at most; 0: render in this process (GUIDELINE_PDF_WORKERS=1)."""
    env = os.environ.get("GUIDELINE_PDF_WORKERS", "")
    if env.isdigit() and int(env) >= 1:
        wanted = int(env)
        if wanted == 1:
            return 0
    else:
        wanted = min(2, os.cpu_count() or 1)
    return max(1, min(wanted, jobs))


# The workers are forked from a "fork server" (multiprocessing's forkserver): a small process started once, which
# imports WeasyPrint (~1 s) before it forks any worker. Started early (start_engine, before the edition is read), the
# import overlaps the reading instead of delaying the first layout; every worker starts warm, however many there are
# and whenever they are started; and a worker holds nothing of the calling process (no copy of the edition).
# multiprocessing's rule for such workers applies to a script that calls render() itself: its main module is imported
# again in each worker, so it must keep its work under ``if __name__ == "__main__":`` (the console script does).
PRELOAD = ["guideline.writers.pdf_server"]


@functools.lru_cache(maxsize=1)
def _context():
    """The fork server's context, started; where it cannot start (no writable temporary directory for its socket),
    plain fork, with the workers importing WeasyPrint themselves."""
    from multiprocessing import forkserver, get_context  # here: every command line passes through wants_pdf

    ctx = get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    try:
        forkserver.ensure_running()
    except OSError as exc:
        import logging

        logging.getLogger("guideline.writers.pdf").warning("PDF workers forked directly (the fork server did not "
                                                           "start: %s)", exc)
        return get_context("fork")
    return ctx


def start_engine() -> None:
    """Start the fork server in the background (returns at once). Commands that may lay out PDF call this before
    they read their input; when nothing needs laying out after all, the server idles and exits with this process.
    Nothing happens when layout runs in this process (GUIDELINE_PDF_WORKERS=1)."""
    if _workers(2) != 0:
        _context()


def wants_pdf(argv: list[str]) -> bool:
    """Whether a ``guideline`` command line will lay out PDF, by its words alone (a wrong guess costs an idle
    server, or a start a little later): ``build`` with ``--format pdf`` or ``all``; ``diff`` writing files (``-o``)
    with the 新旧対照表 PDF among its formats (so by default); ``release``. Never with ``--help``, or with
    GUIDELINE_PDF_WORKERS=1 (no workers)."""
    words = [a for a in argv if not a.startswith("-")]
    if not words or any(a in ("-h", "--help") for a in argv) or _workers(2) == 0:
        return False
    command = words[0]
    if command == "release":
        return True
    formats: list[str] = []
    output = False
    for i, arg in enumerate(argv):
        value = None
        if arg in ("-f", "--format") and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--format="):
            value = arg.split("=", 1)[1]
        elif arg.startswith("-f") and len(arg) > 2 and not arg.startswith("--"):
            value = arg[2:]
        if value is not None:
            formats.extend(v.strip() for v in value.split(","))
        if arg in ("-o", "--output") or arg.startswith("--output=") or (arg.startswith("-o") and len(arg) > 2
                                                                            and not arg.startswith("--")):
            output = True
    if command == "build":
        return any(f in ("pdf", "all") for f in formats)
    if command == "diff":
        return output and (not formats or any(f in ("all", "comparison", "comparison-pdf") for f in formats))
    return False


__all__ = ["start_engine", "wants_pdf", "PRELOAD"]
