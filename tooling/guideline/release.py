"""The publication bundle of an edition (``guideline release``): everything a municipality downloads, with a
manifest and checksums so that anyone can verify that what they have is what was published.

Layout of the bundle (``OUT/``)::

    index.html                 download page: every file with size and SHA-256, summary of what changed
    history.html               every frozen edition with its date and the diffs between consecutive editions
    site/                      the HTML site
    guideline.pdf  guideline.docx  reibun.docx
    comparison.pdf  comparison.docx  comparison.html  changes.json      新旧対照表 against the previous edition
    comments/<round>/result.html|docx|pdf                               the published results of the named rounds
    oscal/catalog.json  oscal/nisc-catalog.json  oscal/mapping.json
    diffs/<old>--<new>/comparison.html                                  for each pair of consecutive editions
    manifest.json              edition, files (size, SHA-256), tool version, source revision
    SHA256SUMS                 ``sha256sum -c SHA256SUMS`` checks every file (manifest.json included)

Guarantees:

- refused before anything is written when the edition fails ``check --strict``, a named round does not reconcile
  or cannot be published, and refused before the swap when personal data (e-mail addresses, phone numbers, postal
  codes, the private submitter fields of the named rounds) appears in any produced text output;
- reproducible: no clock time anywhere; dates come from the edition metadata (or SOURCE_DATE_EPOCH where the
  writers use it), files are listed in sorted order;
- atomic: the bundle is assembled in a temporary sibling directory and swapped in whole
  (:func:`guideline.fileio.atomic_directory`); a build killed at any point leaves the previous bundle intact, and
  the next release removes what the killed one left behind.

This module is the pipeline, read top to bottom; the steps and their helpers are in :mod:`guideline.bundle`.
"""
from __future__ import annotations

from pathlib import Path

from guideline.bundle import steps
from guideline.bundle.files import remove_hidden
from guideline.bundle.personal_data import PersonalDataScanner
from guideline.bundle.plan import Plan, plan
from guideline.bundle.target import check_target, output_lock, recover
from guideline.fileio import atomic_directory
from guideline.progress import Progress

__all__ = ["Plan", "build", "plan"]


def build(p: Plan, out: Path, quiet: bool = False) -> dict:
    """Build the bundle planned by :func:`plan` into ``out`` (replaced whole, atomically). Returns the manifest."""
    out = Path(out)
    progress = Progress(quiet)
    check_target(out)
    with output_lock(out):
        for line in recover(out):
            progress.say(f"release: {line}")
        with atomic_directory(out) as tmp:
            bundle = steps.Bundle(p, tmp, PersonalDataScanner(p.secrets))

            def step(label: str, write, *args) -> None:
                with progress.step(f"release {p.edition.meta.id}: {label}"):
                    write(bundle, *args)
                    bundle.scan_new()

            step("site/", steps.site)
            step("guideline.docx, reibun.docx", steps.word)
            step("guideline.pdf", steps.pdf)
            if p.previous is not None:
                step(f"新旧対照表 {p.previous.meta.id} → {p.edition.meta.id}", steps.comparison)
            for data, _consulted, result in p.rounds:
                step(f"comments/{data.round.id}/", steps.comment_results, data.round.id, result)
            step("oscal/", steps.oscal)
            step(f"history ({len(p.history)} edition(s))", steps.history)
            remove_hidden(tmp)
            with progress.step(f"release {p.edition.meta.id}: index.html, manifest.json, SHA256SUMS"):
                manifest = steps.seal(bundle)
    return manifest
