"""``guideline coverage``: every NISC 遵守事項 with the guideline clauses mapped to it, and the gaps."""
from __future__ import annotations

from pathlib import Path

import click

from guideline import editions, xref
from guideline.commands.common import edition_option
from guideline.fileio import atomic_write
from guideline.writers.registry import COVERAGE


@click.command(epilog="""\b
Examples:
  guideline coverage --edition r5-03 --format xlsx -o coverage.xlsx
  guideline coverage --format csv -o coverage.csv      # UTF-8 with BOM, CRLF: opens in Japanese Excel
  guideline coverage --format html -o coverage.html
Without -o a summary per 部 is printed. A 遵守事項 counts as covered when a clause maps to it with a relationship
other than no-relationship; the format is taken from the file name when --format is not given.""")
@edition_option
@click.option("--format", "-f", "fmt", type=click.Choice(sorted(COVERAGE)), default=None,
              help="Output format (default: from the extension of -o).")
@click.option("--output", "-o", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Output file.")
def command(edition: str, fmt: str | None, out: Path | None) -> None:
    """Coverage of the NISC 遵守事項 by the guideline: mapped clauses, relationships, gaps by 部 and 節."""
    if fmt is None and out is not None:
        fmt = out.suffix.lstrip(".").lower() or None
        if fmt not in COVERAGE:
            raise click.UsageError(f"cannot tell the format from {out.name!r}; add --format "
                                   f"{'|'.join(sorted(COVERAGE))}")
    if fmt is not None and out is None:
        raise click.UsageError(f"--format {fmt} needs an output file: -o coverage.{fmt}")
    ed = editions.load_or_fail(edition)
    cov = xref.coverage(ed)
    if out is None:
        click.echo(summary_text(cov))
        return
    path = atomic_write(out, COVERAGE[fmt].load().render(cov))
    click.echo(f"{path}: {cov.total} 遵守事項, {cov.covered} covered, {cov.uncovered} gaps")


def summary_text(cov: xref.Coverage) -> str:
    lines = [f"{cov.edition_id}: 統一基準 {cov.catalog_id}（{cov.catalog_edition}）の遵守事項 {cov.total}件のうち "
             f"{cov.covered}件に対応あり、{cov.uncovered}件が未対応（{cov.percent}%）"]
    for p in cov.parts:
        lines.append(f"  {p.item.id} {p.item.heading}: {p.covered}/{p.total}（未対応 {p.uncovered}）")
        for s in p.sections:
            lines.append(f"    {s.item.id} {s.item.heading}: {s.covered}/{s.total}（未対応 {s.uncovered}）")
    if cov.unknown:
        lines.append(f"  mappings to identifiers missing from {cov.catalog_id}: {len(cov.unknown)}")
    return "\n".join(lines)
