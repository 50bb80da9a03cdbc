"""``guideline diff OLD NEW``: clause-level diff of two editions.

Without ``-o`` a readable summary goes to the terminal. With ``-o DIR`` the outputs are written into DIR (replaced
whole and atomically): changes.json, redline.html, comparison.html / .docx / .pdf (新旧対照表) and tracked.docx, the
change-set writers of :data:`guideline.writers.registry.CHANGES`.
"""
from __future__ import annotations

import datetime
import functools
import os
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import click

from guideline import gcscope
from guideline.commands.common import list_option
from guideline.diagnostics import UserError
from guideline.diff import compare
from guideline.diff.load import load_edition
from guideline.diff.matching import SIMILARITY_THRESHOLD
from guideline.fileio import atomic_directory, atomic_write
from guideline.progress import Progress
from guideline.vocabulary import ASPECT_JA, KIND_JA
from guideline.writers.changes import ChangeOptions
from guideline.writers.changes.changes_json import flatten
from guideline.writers.registry import CHANGES

ALL = tuple(CHANGES)


def _check_target(out: Path) -> None:
    """DIR is replaced whole: refuse a directory that holds something other than an earlier diff."""
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not any((out / w.file).is_file() for w in CHANGES.values()):
        raise UserError(f"{out} is not empty and holds no earlier diff; the output directory is replaced whole, "
                        "so give a new or dedicated directory (e.g. build/diff/OLD--NEW)")


def revision_date(date: str | None, changeset) -> datetime.datetime:
    """The date written on revisions: --date, else SOURCE_DATE_EPOCH, else the new edition's date (midnight UTC)."""
    if date:
        try:
            parsed = datetime.datetime.fromisoformat(date.replace("Z", "+00:00"))
        except ValueError:
            raise click.BadParameter(f"{date!r} is not an ISO date such as 2024-10-02 or 2024-10-02T09:00:00Z",
                                     param_hint="--date") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc)
    d = changeset.new.meta.date
    return datetime.datetime(d.year, d.month, d.day, tzinfo=datetime.timezone.utc)


def _in_parallel() -> bool:
    """Whether the slow outputs run beside the quick ones: on more than one core, unless GUIDELINE_WORKERS=1."""
    env = os.environ.get("GUIDELINE_WORKERS", "")
    if env.isdigit() and int(env) >= 1:
        return int(env) > 1
    return (os.cpu_count() or 1) > 1


class Background:
    """``fn()`` (returning bytes) run in a forked child process; :meth:`result` waits for it. Should the child fail
    for any reason, ``fn`` runs again here, so that its error is reported the ordinary way."""

    def __init__(self, fn):
        self.fn = fn
        ctx = get_context("fork")
        self._recv, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=self._child, args=(send,), daemon=True)
        with gcscope.frozen():  # the parent's objects stay out of the child's garbage collections
            self._proc.start()
        send.close()

    def _child(self, send) -> None:
        try:
            send.send_bytes(self.fn())
        except BaseException:  # noqa: BLE001 - the parent runs fn itself and reports
            pass
        finally:
            send.close()

    def result(self) -> bytes:
        try:
            data = self._recv.recv_bytes()
        except (EOFError, OSError):
            data = None
        self.close()
        return self.fn() if data is None else data

    def close(self) -> None:
        self._recv.close()
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join()


def write_outputs(cs, out: Path, formats: list[str], options: ChangeOptions = ChangeOptions(),
                  quiet: bool = False) -> list[Path]:
    """Write the chosen outputs (names in :data:`~guideline.writers.registry.CHANGES`) into ``out`` (replaced whole).

    The slow ones start first and run beside the rest, as their registry entry says: tracked.docx in a forked child
    process, the 新旧対照表 PDF (Typst lays out without holding the GIL) in a thread; the quick outputs are written
    meanwhile. GUIDELINE_WORKERS=1 does one thing at a time (the bytes are the same)."""
    _check_target(out)
    progress = Progress(quiet)
    writers = {fmt: CHANGES[fmt] for fmt in formats}
    pending: dict[str, Background | Future] = {}
    pool = None
    try:
        if _in_parallel():
            for fmt, w in writers.items():  # forked before any thread starts
                if w.runs == "process":
                    pending[fmt] = Background(functools.partial(w.render, cs, options))
            for fmt, w in writers.items():
                if w.runs == "thread":
                    pool = pool or ThreadPoolExecutor(1, thread_name_prefix="guideline-pdf")
                    pending[fmt] = pool.submit(w.render, cs, options)
        with atomic_directory(out) as tmp:
            for fmt, w in writers.items():
                if fmt not in pending:
                    with progress.step(f"diff: {w.file}"):
                        atomic_write(tmp / w.file, w.render(cs, options))
            for fmt, job in pending.items():  # last: they were made meanwhile
                with progress.step(f"diff: {writers[fmt].file}"):
                    atomic_write(tmp / writers[fmt].file, job.result())
    finally:
        for job in pending.values():
            if isinstance(job, Background):
                job.close()
        if pool is not None:
            pool.shutdown(wait=True)
    return [out / w.file for w in writers.values()]


# --------------------------------------------------------------------------------------------------------------------
# terminal summary

MARK = {"changed": "~", "added": "+", "deleted": "-", "split": "<", "merged": ">"}


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _excerpt(runs, width: int = 160) -> str:
    """A wdiff-style line around the changes: [-deleted-]{+inserted+}, long equal stretches shortened."""
    out = []
    for i, (op, text) in enumerate(runs):
        text = text.replace("\n", "⏎").replace("\t", " | ")
        if op == "equal":
            if len(text) > 24:
                head = text[:10] if i > 0 else ""
                tail = text[-10:] if i + 1 < len(runs) else ""
                text = f"{head}…{tail}"
            out.append(text)
        elif op == "delete":
            out.append(f"[-{text}-]")
        else:
            out.append(f"{{+{text}+}}")
    return _clip("".join(out), width)


def summary_lines(cs, verbose: bool = True) -> list[str]:
    o, n = cs.old.meta, cs.new.meta
    counts = cs.summary()
    lines = [
        f"{o.id}{o.origin and f' [{o.origin}]'}（{o.label or o.title}） → "
        f"{n.id}{n.origin and f' [{n.origin}]'}（{n.label or n.title}）: "
        f"{sum(1 for _ in cs.old.clauses())} → {sum(1 for _ in cs.new.clauses())} clauses",
        "  " + " · ".join(f"{KIND_JA[k]} {counts[k]}" for k in ("changed", "added", "deleted", "split", "merged",
                                                               "unchanged")),
    ]
    if not cs.differs:
        lines.append("  no differences")
        return lines
    lines.append("")
    for ch in cs.changes:
        if ch.kind == "unchanged":
            continue
        side = ch.new or ch.old
        number = ch.new[0].address if ch.new else ch.old[0].address
        heading = side[0].heading
        detail = ""
        if ch.kind == "changed":
            detail = "・".join(ASPECT_JA[a] for a in ch.aspects)
            if "number" in ch.aspects or "moved" in ch.aspects:
                detail += f"  {ch.old[0].address} → {ch.new[0].address}"
        elif ch.kind in ("split", "merged"):
            detail = f"{'、'.join(ch.old_ids)} → {'、'.join(ch.new_ids)}"
        elif ch.kind == "deleted":
            detail = f"(旧 {ch.old[0].id})"
        else:
            detail = f"({ch.new[0].id})"
        lines.append(f"{MARK[ch.kind]} {number or '—'} {_clip(heading, 40)}  [{KIND_JA[ch.kind]}] {detail}".rstrip())
        if verbose and ch.kind in ("changed", "split", "merged"):
            if ch.heading_changed and ch.kind == "changed":
                lines.append("    見出し: " + _excerpt(tuple(map(tuple, flatten(ch.headings)))))
            for label, diffs in (("本文", ch.body), ("解説", ch.commentary)):
                if any(d.op != "equal" for d in diffs):
                    lines.append(f"    {label}: " + _excerpt(tuple(map(tuple, flatten(diffs)))))
            md = ch.meta
            for m in md.nisc_added:
                lines.append(f"    統一基準 +{m.nisc_id} ({m.relationship})")
            for m in md.nisc_removed:
                lines.append(f"    統一基準 -{m.nisc_id} ({m.relationship})")
            for a, b in md.nisc_changed:
                lines.append(f"    統一基準 ~{b.nisc_id} ({a.relationship} → {b.relationship})")
    return lines


@click.command(epilog="""\b
Examples:
  guideline diff r5-03 draft                      # summary on the terminal
  guideline diff r5-03 draft -o build/diff/r5-03--draft
  guideline diff git:HEAD~1 draft -o build/diff/last-commit --format json,redline
  guideline diff r5-03 draft -o out --columns old-new --author 事務局
Formats: json (changes.json), redline (redline.html), comparison (comparison.html/.docx/.pdf,
the 新旧対照表; or one of comparison-html, comparison-docx, comparison-pdf), tracked (tracked.docx), all.
Editions are named draft, an edition id (r5-03), a directory with an edition.yaml, or git:REF[:EDITION].""")
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("--output", "-o", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write the outputs into this directory (replaced whole). Without it: summary on the terminal.")
@list_option("--format", "-f", "formats", choices=ALL, default=ALL, what="format",
             groups={"all": ALL, "comparison": ("comparison-html", "comparison-docx", "comparison-pdf")},
             help="Outputs to write", note="default all")
@click.option("--columns", type=click.Choice(["new-old", "old-new"]), default="new-old", show_default=True,
              help="Column order of the 新旧対照表: 改正後|改正前 (new-old) or 改正前|改正後.")
@click.option("--author", default=None, help="Author of the Word revisions in tracked.docx (default: the new "
                                             "edition's title).")
@click.option("--date", default=None, help="Date of the Word revisions (ISO; default SOURCE_DATE_EPOCH or the new "
                                           "edition's date).")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=None,
              help="Similarity threshold for pairing clauses whose ID changed (default: the measured 0.65).")
@click.option("--brief", is_flag=True, help="Terminal summary: one line per change, no inline text.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
def command(old: str, new: str, out: Path | None, formats: tuple[str, ...], columns: str, author: str | None,
            date: str | None, threshold: float | None, brief: bool, quiet: bool) -> None:
    """Clause-level diff of two editions: 新旧対照表, tracked DOCX, HTML redline, JSON."""
    chosen = list(formats)
    old_ed = load_edition(old)
    new_ed = load_edition(new, catalog=old_ed.catalog)
    cs = compare(old_ed, new_ed, threshold if threshold is not None else SIMILARITY_THRESHOLD)
    if out is None:
        for line in summary_lines(cs, verbose=not brief):
            click.echo(line)
        return
    options = ChangeOptions(columns, author, revision_date(date, cs))
    written = write_outputs(cs, out, chosen, options, quiet=quiet)
    for path in written:
        click.echo(str(path))
    if not quiet:
        counts = cs.summary()
        click.echo(", ".join(f"{k} {v}" for k, v in counts.items()), err=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(command())
