from __future__ import annotations

import sys

import click

from guideline import editions
from guideline.commands.common import edition_option, print_report


@click.command(epilog="""\b
Examples:
  guideline check                      # the draft
  guideline check --edition r5-03 --strict
  guideline check --edition path/to/edition
Exit status: 0 clean, 1 problems found, 2 usage error.""")
@edition_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors (use before freezing or releasing).")
@click.option("--quiet", "-q", is_flag=True, help="Print only the problems, no summary line.")
def command(edition: str, strict: bool, quiet: bool) -> None:
    """Validate an edition and report every problem as path:line: message."""
    ed, report = editions.load(edition)
    print_report(report, strict)
    n_err, n_warn = len(report.errors), len(report.warnings)
    if not quiet:
        clauses = sum(1 for _ in ed.clauses()) if ed is not None else 0
        name = ed.meta.id if ed is not None else edition
        status = "FAILED" if report.failed(strict) else "ok"
        click.echo(f"{name}: {clauses} clauses, {n_err} errors, {n_warn} warnings"
                   f"{' (strict)' if strict else ''}: {status}")
    if report.failed(strict):
        sys.exit(1)
