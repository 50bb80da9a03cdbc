from __future__ import annotations

from pathlib import Path

import click

from guideline import editions
from guideline.commands.common import edition_option, list_option
from guideline.progress import Progress
from guideline.writers.registry import BUILD_FORMATS, Writer, build_writers


def build(edition_spec: str, formats: list[str], out: Path, quiet: bool = False) -> list[Path]:
    writers = build_writers(formats)
    ed = editions.load_or_fail(edition_spec)
    return write_edition(ed, writers, Path(out) / ed.meta.id, quiet)


def write_edition(ed, writers: list[Writer], target: Path, quiet: bool = False) -> list[Path]:
    """Write an edition (any :class:`~guideline.model.Edition`, e.g. a municipality's policy) with the edition
    ``writers`` of the registry into ``target``; returns the files written."""
    progress = Progress(quiet)
    written: list[Path] = []
    for writer in writers:
        with progress.step(f"{ed.meta.id}: {writer.name}"):
            written.extend(writer.write(ed, target))
    return written


@click.command(epilog="""\b
Examples:
  guideline build --edition draft --format html -o build/
  guideline build --edition r5-03 --format all -o build/
  guideline build --format html,docx               # the same as --format html --format docx
Outputs go to OUT/<edition-id>/.""")
@edition_option
@list_option("--format", "-f", "formats", choices=tuple(BUILD_FORMATS),
             groups={"all": tuple(sorted(BUILD_FORMATS))}, default=("html",), what="format", help="What to build",
             note="default html")
@click.option("--output", "-o", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("build"),
              show_default=True, help="Output directory.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
def command(edition: str, formats: tuple[str, ...], out: Path, quiet: bool) -> None:
    """Build an edition as HTML (the default; --format docx, pdf or all for Word and PDF) into OUT/<edition-id>/."""
    written = build(edition, list(formats), out, quiet)
    for path in written:
        click.echo(str(path))
