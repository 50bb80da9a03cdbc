"""Every writer by name, with the files it makes: ``guideline build``, ``diff``, ``coverage``, ``export``, ``local``,
``serve`` and ``release`` look writers up here instead of naming modules or special-casing one.

One signature per group:

- an edition writer (``EDITION``): ``write(edition, out_dir) -> list[Path]``, the files written;
- a change-set writer (``CHANGES``): ``render(changeset, options: ChangeOptions) -> str | bytes``, one file each;
- a coverage writer (``COVERAGE``): ``render(coverage) -> bytes``, one file.

A writer's module is imported when it is first used: importing all of them takes over a second, which
``guideline build --format html`` should not spend.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from guideline.fileio import atomic_write
from guideline.model import Edition
from guideline.writers.changes import ChangeOptions

if TYPE_CHECKING:  # importing the diff engine is not needed to name a writer
    from guideline.diff.changeset import ChangeSet


@dataclass(frozen=True)
class Writer:
    """A writer module and the files it makes in its output directory (``site/`` is a directory)."""

    module: str
    files: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.module.rsplit(".", 1)[-1]

    def load(self) -> ModuleType:
        return importlib.import_module(self.module)

    def write(self, edition: Edition, out_dir: Path) -> list[Path]:
        """Edition writers: write into ``out_dir``; returns the files written."""
        return self.load().write(edition, out_dir)


@dataclass(frozen=True)
class ChangeWriter:
    """A change-set output: the function of ``module`` that renders it, the file it goes to, and how ``diff`` runs
    it beside the others: ``process`` in a forked child, ``thread`` in a thread (Typst lays out without the GIL), or
    in turn."""

    module: str
    function: str
    file: str
    runs: str = ""

    def load(self) -> ModuleType:
        return importlib.import_module(self.module)

    def render(self, changeset: ChangeSet, options: ChangeOptions) -> str | bytes:
        return getattr(self.load(), self.function)(changeset, options)


EDITION: dict[str, Writer] = {
    "html_single": Writer("guideline.writers.edition.html_single", ("guideline.html",)),
    "html_site": Writer("guideline.writers.edition.html_site", ("site/",)),
    "docx": Writer("guideline.writers.edition.docx", ("guideline.docx", "reibun.docx")),
    "pdf": Writer("guideline.writers.edition.pdf", ("guideline.pdf",)),
    "oscal": Writer("guideline.writers.edition.oscal", ("catalog.json", "nisc-catalog.json", "mapping.json")),
}

# ``guideline build --format``: format name -> the edition writers that make it
BUILD_FORMATS: dict[str, tuple[str, ...]] = {"html": ("html_single", "html_site"), "pdf": ("pdf",), "docx": ("docx",)}

CHANGES: dict[str, ChangeWriter] = {
    "json": ChangeWriter("guideline.writers.changes.changes_json", "render", "changes.json"),
    "redline": ChangeWriter("guideline.writers.changes.redline_html", "render", "redline.html"),
    "comparison-html": ChangeWriter("guideline.writers.changes.comparison", "render_html", "comparison.html"),
    "comparison-docx": ChangeWriter("guideline.writers.changes.comparison", "render_docx", "comparison.docx"),
    "comparison-pdf": ChangeWriter("guideline.writers.changes.comparison", "render_pdf", "comparison.pdf", "thread"),
    "tracked": ChangeWriter("guideline.writers.changes.tracked_docx", "render", "tracked.docx", "process"),
}

COVERAGE: dict[str, Writer] = {
    fmt: Writer(f"guideline.writers.coverage.{fmt}", (f"nisc-coverage.{fmt}",))
    for fmt in ("csv", "html", "json", "xlsx")
}


def build_writers(formats: list[str] | tuple[str, ...]) -> list[Writer]:
    """The edition writers of ``guideline build --format`` names, in order."""
    return [EDITION[name] for fmt in formats for name in BUILD_FORMATS[fmt]]


def write_change(name: str, changeset: ChangeSet, out_dir: Path, options: ChangeOptions = ChangeOptions()) -> Path:
    """Write one change-set output into ``out_dir``; returns its path."""
    writer = CHANGES[name]
    return atomic_write(Path(out_dir) / writer.file, writer.render(changeset, options))
