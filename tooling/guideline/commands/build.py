from __future__ import annotations

import importlib
from pathlib import Path

import click

from guideline import editions
from guideline.commands.common import Progress, edition_option, list_option

# format name -> writer modules; each module has write(edition, out_dir) -> list[Path]
FORMATS: dict[str, tuple[str, ...]] = {
    "html": ("guideline.writers.edition.html_single", "guideline.writers.edition.html_site"),
    "pdf": ("guideline.writers.edition.pdf",),
    "docx": ("guideline.writers.edition.docx",),
}


def build(edition_spec: str, formats: list[str], out: Path, quiet: bool = False) -> list[Path]:
    modules = writer_modules(formats)
    ed = editions.load_or_fail(edition_spec)
    return write_edition(ed, modules, Path(out) / ed.meta.id, quiet)


def writer_modules(formats: list[str]) -> list:
    """The writer modules of ``formats``."""
    return [importlib.import_module(name) for fmt in formats for name in FORMATS[fmt]]


def write_edition(ed, modules: list, target: Path, quiet: bool = False) -> list[Path]:
    """Write an edition (any :class:`~guideline.model.Edition`, e.g. a municipality's policy) with the writer
    ``modules`` into ``target``; returns the files written."""
    progress = Progress(quiet)
    written: list[Path] = []
    for module in modules:
        with progress.step(f"{ed.meta.id}: {module.__name__.rsplit('.', 1)[-1]}"):
            written.extend(module.write(ed, target))
    return written


@click.command(epilog="""\b
Examples:
  guideline build --edition draft --format html -o build/
  guideline build --edition r5-03 --format all -o build/
  guideline build --format html,docx               # the same as --format html --format docx
Outputs go to OUT/<edition-id>/.""")
@edition_option
@list_option("--format", "-f", "formats", choices=tuple(FORMATS), groups={"all": tuple(sorted(FORMATS))},
             default=("html",), what="format", help="What to build", note="default html")
@click.option("--output", "-o", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("build"),
              show_default=True, help="Output directory.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
def command(edition: str, formats: tuple[str, ...], out: Path, quiet: bool) -> None:
    """Build an edition as HTML (the default; --format docx, pdf or all for Word and PDF) into OUT/<edition-id>/."""
    written = build(edition, list(formats), out, quiet)
    for path in written:
        click.echo(str(path))
