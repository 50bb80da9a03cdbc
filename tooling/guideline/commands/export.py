"""``guideline export``: the guideline in exchange formats (OSCAL)."""
from __future__ import annotations

from pathlib import Path

import click

from guideline import editions
from guideline.commands.common import edition_option
from guideline.writers.registry import EDITION


@click.group(epilog="""\b
Examples:
  guideline export oscal --edition r5-03 -o build/oscal/""")
def command() -> None:
    """Export the guideline in exchange formats."""


@command.command("oscal", epilog="""\b
Examples:
  guideline export oscal -o build/oscal/
  guideline export oscal --edition r5-03 -o build/oscal-r5-03/
Writes catalog.json (the guideline as an OSCAL 1.2 catalog), nisc-catalog.json (the pinned NISC catalog, so that
mapping targets resolve) and mapping.json (an OSCAL mapping collection with the NIST IR 8477 relationships).
UUIDs and dates derive from the edition: the same edition gives the same bytes.""")
@edition_option
@click.option("--output", "-o", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Output directory (created if missing; the three files in it are replaced).")
def oscal(edition: str, out: Path) -> None:
    """Write the guideline as an OSCAL catalog and its NISC mappings as an OSCAL mapping collection."""
    ed = editions.load_or_fail(edition)
    for path in EDITION["oscal"].write(ed, out):
        click.echo(str(path))
