"""The steps of a release, in the order :func:`guideline.release.build` runs them, each writing one part of the bundle
into its temporary directory through the writers of :mod:`guideline.writers.registry`: the site, Word, PDF, the
新旧対照表 against the previous edition, the comment results, OSCAL, the history page, and last :func:`seal` (index
page, manifest.json, SHA256SUMS). :meth:`Bundle.scan_new` scans what each step wrote for personal data."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from guideline.bundle.files import bundle_files, remove_hidden
from guideline.bundle.manifest import MANIFEST, SUMS, file_entries, file_entry, make_manifest, sums_text, verify
from guideline.bundle.pages import HISTORY, INDEX, HistoryEntry, diff_dir, render_history, render_index
from guideline.bundle.personal_data import PersonalDataScanner
from guideline.bundle.plan import Plan
from guideline.diagnostics import UserError
from guideline.diff import ChangeSet, compare
from guideline.fileio import atomic_write
from guideline.writers.changes import ChangeOptions
from guideline.writers.registry import CHANGES, EDITION, write_change, write_results

PUBLISHED_REPORT_FORMATS = ("html", "docx", "pdf")  # result.csv / result.xlsx are for internal use only
HEX64 = re.compile(r"\b[0-9a-f]{64}\b")


@dataclass
class Bundle:
    """The bundle being assembled in ``root``: the plan, the scanner, and what a step leaves for later ones."""

    plan: Plan
    root: Path
    scanner: PersonalDataScanner
    seen: set[str] = field(default_factory=set)  # files scanned so far
    changeset: ChangeSet | None = None  # previous edition → this one (history page, index page)
    changes: dict | None = None  # its changes.json (index page)

    def scan_new(self) -> None:
        """Scan the files written since the last scan; personal data in any of them stops the release."""
        files = bundle_files(self.root)
        for rel in files:
            if rel not in self.seen:
                self.scanner.scan(self.root, rel)
        if self.scanner.findings:
            raise UserError("refusing to release: personal data would be published (nothing was replaced; "
                            "remove it from the sources or the comment records)",
                            report=self.scanner.report(self.plan.sources))
        self.seen = set(files)


def site(b: Bundle) -> None:
    EDITION["html_site"].write(b.plan.edition, b.root)


def word(b: Bundle) -> None:
    EDITION["docx"].write(b.plan.edition, b.root)


def pdf(b: Bundle) -> None:
    EDITION["pdf"].write(b.plan.edition, b.root)


def comparison(b: Bundle) -> None:
    """changes.json and the 新旧対照表 (HTML, Word, PDF) of the previous edition → this one."""
    b.changeset = compare(b.plan.previous, b.plan.edition)
    for name in ("json", "comparison-html", "comparison-docx", "comparison-pdf"):
        write_change(name, b.changeset, b.root)
    b.changes = json.loads((b.root / CHANGES["json"].file).read_text(encoding="utf-8"))


def comment_results(b: Bundle, round_id: str, result) -> None:
    """The published result of one comment round (``comments/<round>/``)."""
    write_results(result, b.root / "comments" / round_id, PUBLISHED_REPORT_FORMATS)


def oscal(b: Bundle) -> None:
    EDITION["oscal"].write(b.plan.edition, b.root / "oscal")


def history(b: Bundle) -> None:
    """history.html and the 新旧対照表 (HTML) between each two consecutive editions of it."""
    p, entries = b.plan, []
    for i, e in enumerate(p.history):
        entry = HistoryEntry(e.meta.id, e.meta.label, e.meta.date, e.meta.status, current=e is p.edition)
        if i:
            old = p.history[i - 1]
            cs = b.changeset if (b.changeset is not None and p.previous is not None
                                 and p.previous.meta.id == old.meta.id) else compare(old, e)
            rel = f"{diff_dir(old.meta.id, e.meta.id)}/comparison.html"
            atomic_write(b.root / rel, CHANGES["comparison-html"].render(cs, ChangeOptions()))
            entry = HistoryEntry(entry.id, entry.label, entry.date, entry.status, entry.current, old.meta.id, rel)
        entries.append(entry)
    atomic_write(b.root / HISTORY, render_history(p, entries))


def seal(b: Bundle) -> dict:
    """The index page (scanned before it is written), manifest.json and SHA256SUMS, then a verification of the whole
    bundle; returns the manifest. Nothing is written into the bundle after this."""
    tmp, p, scanner = b.root, b.plan, b.scanner
    files = file_entries(tmp)
    index = render_index(p, files, b.changes, b.changeset)
    scanner.scan(tmp, INDEX, [HEX64.sub("", index)])
    if scanner.findings:
        raise UserError("refusing to release: personal data would be published", report=scanner.report(p.sources))
    atomic_write(tmp / INDEX, index)
    remove_hidden(tmp)
    listed = file_entries(tmp)  # nothing but manifest.json and SHA256SUMS is written after this
    manifest = make_manifest(p, listed)
    atomic_write(tmp / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=False) + "\n")
    remove_hidden(tmp)
    atomic_write(tmp / SUMS, sums_text([*listed, file_entry(tmp, MANIFEST)]))
    remove_hidden(tmp)
    problems = verify(tmp)
    if problems:  # pragma: no cover - a bug, not a user error
        raise RuntimeError("the bundle does not verify before publication: " + "; ".join(problems[:5]))
    return manifest
