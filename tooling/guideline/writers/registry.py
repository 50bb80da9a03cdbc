"""Every writer by name, with the files it makes: ``guideline build``, ``diff``, ``coverage``, ``export``, ``local``,
``serve`` and ``release`` look writers up here instead of naming modules or special-casing one.

One signature per group:

- an edition writer (``EDITION``): ``write(edition, out_dir) -> list[Path]``, the files written;
- a change-set writer (``CHANGES``): ``render(changeset, options: ChangeOptions) -> str | bytes``, one file each;
- a coverage writer (``COVERAGE``): ``render(coverage) -> bytes``, one file;
- a comment-result writer (``COMMENTS``): ``render(result) -> str | bytes``, one file each.

A writer's module is imported when it is first used: importing all of them takes over a second, which
``guideline build --format html`` should not spend.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from guideline.fileio import atomic_directory, atomic_write
from guideline.model import Edition
from guideline.writers.changes import ChangeOptions

if TYPE_CHECKING:  # importing the diff engine or the comments is not needed to name a writer
    from guideline.comments.report import Result
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


@dataclass(frozen=True)
class ResultWriter:
    """A file of a comment round's result: the function of ``module`` that renders it and the file it goes to."""

    module: str
    function: str
    file: str

    def load(self) -> ModuleType:
        return importlib.import_module(self.module)

    def render(self, result: Result) -> str | bytes:
        return getattr(self.load(), self.function)(result)


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

# ``guideline comments report --format``, in the order written; release publishes html, docx and pdf
COMMENTS: dict[str, ResultWriter] = {
    fmt: ResultWriter("guideline.writers.comments.result", f"render_{fmt}", f"result.{fmt}")
    for fmt in ("html", "docx", "pdf", "csv", "xlsx")
}


def build_writers(formats: list[str] | tuple[str, ...]) -> list[Writer]:
    """The edition writers of ``guideline build --format`` names, in order."""
    return [EDITION[name] for fmt in formats for name in BUILD_FORMATS[fmt]]


def write_change(name: str, changeset: ChangeSet, out_dir: Path, options: ChangeOptions = ChangeOptions()) -> Path:
    """Write one change-set output into ``out_dir``; returns its path."""
    writer = CHANGES[name]
    return atomic_write(Path(out_dir) / writer.file, writer.render(changeset, options))


def write_results(result: Result, out_dir: Path, formats: tuple[str, ...] | list[str]) -> list[Path]:
    """Write the chosen files of a comment round's result into ``out_dir`` (replaced whole, atomically)."""
    out_dir = Path(out_dir)
    with atomic_directory(out_dir) as tmp:
        for fmt in formats:
            data = COMMENTS[fmt].render(result)
            (tmp / COMMENTS[fmt].file).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return [out_dir / COMMENTS[fmt].file for fmt in formats]
