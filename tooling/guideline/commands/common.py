"""Options shared by several subcommands."""
from __future__ import annotations

import click

from guideline.diagnostics import Report

edition_option = click.option(
    "--edition", "-e", "edition", default="draft", show_default=True, metavar="EDITION",
    help="draft, an edition id (r5-03), a directory holding an edition.yaml, or git:REF[:EDITION].",
)


def list_option(*decls: str, choices: tuple[str, ...] | None = None, groups: dict[str, tuple[str, ...]] | None = None,
                default: tuple[str, ...] = (), what: str = "value", metavar: str = "LIST", help: str = "",
                note: str = ""):
    """A click option that takes a list both ways, like every list option of this CLI: comma-separated
    (``-f html,docx``) and repeated (``-f html -f docx``), or both at once.

    ``choices``: the accepted names (None: any); ``groups``: names that stand for several (``all``); ``what`` names a
    value in the error (``unknown format 'bogus'; choose from ...``, exit 2); ``note`` follows the names in the help. The command receives the names in the
    order given, each once, or ``default`` when the option is not used."""
    groups = groups or {}

    def split(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
        chosen: list[str] = []
        for value in values:
            for name in (n.strip() for n in value.split(",")):
                if not name:
                    continue
                if name in groups:
                    chosen.extend(groups[name])
                elif choices is None or name in choices:
                    chosen.append(name)
                else:
                    raise click.BadParameter(f"unknown {what} {name!r}; choose from "
                                             f"{', '.join([*groups, *choices])}", ctx=ctx, param=param)
        return tuple(dict.fromkeys(chosen)) or default

    names = ", ".join([*groups, *(choices or ())])
    text = help + (f": {names}" if names else "") + (f" ({note})" if note else "")
    option = click.option(*decls, multiple=True, metavar=metavar, callback=split,
                          help=f"{text}; comma-separated, or the option repeated.")

    def decorate(f):
        f = option(f)
        f.__click_params__[-1].takes_lists = True  # marks the option for the test that every list option is one
        return f

    return decorate


def print_report(report: Report | None, strict: bool = False) -> None:
    """Every diagnostic of ``report`` on stderr, one ``path:line: message`` line each, in file order."""
    if report is None:
        return
    for d in report.sorted():
        click.echo(str(d), err=True)
