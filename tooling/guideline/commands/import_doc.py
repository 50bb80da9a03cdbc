"""``guideline import``: bring an existing guideline or policy (Word, HTML, text) into the source format."""
from __future__ import annotations

import re
from pathlib import Path

import click

from guideline.diagnostics import UserError, display_path
from guideline.importers.document import REPORT_NAME, import_document, write_result


@click.command(epilog="""\b
Examples:
  guideline import 情報セキュリティポリシー.docx -o guideline_src/editions/city-2024
  guideline import reiki/4010RG00000123.html -o imported --id city-policy
  guideline import policy.txt -o imported --from text --title 情報セキュリティ対策基準 --force
Writes edition.yaml, the Markdown files, figures/ and import-report.json (what became of every paragraph of the
source). Exit 0 when imported (unplaced paragraphs are listed), 1 when the input cannot be read, 2 on usage errors.""")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The new edition directory (must be empty or absent unless --force).")
@click.option("--id", "edition_id", default=None, metavar="ID", help="Edition id (default: from the file name).")
@click.option("--title", default=None, help="The document title (default: the title found in the source).")
@click.option("--from", "fmt", type=click.Choice(["auto", "docx", "html", "text"]), default="auto", show_default=True,
              help="Input format (auto: from the file name and its first bytes).")
@click.option("--force", is_flag=True, help="Replace an existing non-empty output directory.")
def command(source: Path, out_dir: Path, edition_id: str | None, title: str | None, fmt: str, force: bool) -> None:
    """Import a Word, HTML or text document as a new edition in the source format."""

    if edition_id is not None and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", edition_id):
        raise click.UsageError(f"--id {edition_id!r}: an edition id is lowercase letters, digits and '-'")
    if not source.exists():
        raise UserError(f"cannot read {display_path(source)}: no such file")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:
        raise click.UsageError(f"{display_path(out_dir)} exists and is not empty; choose a new directory or "
                               "pass --force to replace it")
    result = import_document(source, fmt=fmt, edition_id=edition_id, title=title)
    try:
        write_result(result, out_dir, force=force)
    except FileExistsError:
        raise click.UsageError(f"{display_path(out_dir)} exists and is not empty; pass --force to replace it") from None
    for line in result.summary():
        click.echo(line)
    click.echo(f"{display_path(out_dir)}: {len(result.files)} files and {REPORT_NAME} written")
