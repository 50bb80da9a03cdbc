"""Options shared by several subcommands."""
from __future__ import annotations

import time

import click

edition_option = click.option(
    "--edition", "-e", "edition", default="draft", show_default=True, metavar="EDITION",
    help="draft, an edition id (r5-03), a directory holding an edition.yaml, or git:REF[:EDITION].",
)


class Progress:
    """Terse progress lines on stderr: 'html ... done in 0.42 s'."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet

    def step(self, label: str):
        progress = self

        class _Step:
            def __enter__(self):
                self.t0 = time.perf_counter()
                if not progress.quiet:
                    click.echo(f"{label} ...", err=True, nl=False)
                return self

            def __exit__(self, exc_type, exc, tb):
                if not progress.quiet:
                    if exc_type is None:
                        click.echo(f" done in {time.perf_counter() - self.t0:.2f} s", err=True)
                    else:
                        click.echo(" failed", err=True)
                return False

        return _Step()
