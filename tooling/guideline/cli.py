"""The ``guideline`` command. Subcommands live in ``guideline.commands.<name>`` and are imported on first use,
so that ``guideline check`` does not pay for the PDF or DOCX libraries."""
from __future__ import annotations

import atexit
import importlib
import os
import sys

import click

from guideline import __version__
from guideline.commands.common import print_report
from guideline.diagnostics import UserError

# name -> (module, short help). Each module defines a click command or group named ``command``.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("guideline.commands.check", "Validate an edition and report every problem as path:line."),
    "lint": ("guideline.commands.lint", "Editorial lint for 公用文 conventions: 表記ゆれ, width, definitions, references."),
    "build": ("guideline.commands.build", "Build an edition: HTML by default; Word and PDF with --format."),
    "diff": ("guideline.commands.diff", "Clause-level diff of two editions: 新旧対照表, tracked DOCX, redline, JSON."),
    "xref": ("guideline.commands.xref", "Look up a NISC identifier's guideline clauses, or a clause's NISC mappings."),
    "coverage": ("guideline.commands.coverage", "Coverage of the NISC 遵守事項 by the guideline, with the gaps."),
    "impact": ("guideline.commands.impact", "Clauses to review when the NISC catalog changes edition."),
    "export": ("guideline.commands.export", "Export the guideline (OSCAL catalog and mapping collection)."),
    "comments": ("guideline.commands.comments", "Consultation and public comments: import, answer, report, reconcile."),
    "freeze": ("guideline.commands.freeze", "Freeze the draft as a final edition under guideline_src/editions/<id>/."),
    "release": ("guideline.commands.release", "Build the verifiable publication bundle of an edition."),
    "apply": ("guideline.commands.apply", "Apply the edits of a Word file (built by this toolchain) to the sources."),
    "import": ("guideline.commands.import_doc", "Import a Word, HTML or text document as a new edition."),
    "local": ("guideline.commands.local", "A municipality's own policy from the guideline: init, build, rebase, diff."),
    "serve": ("guideline.commands.serve", "Preview an edition's HTML locally; rebuilds on save and reloads the page."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(COMMANDS[name][0])
        return module.command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


EPILOG = """\b
Examples:
  guideline check --edition draft --strict
  guideline build --edition draft --format html -o build/
Editions are named draft, an edition id (r5-03), a directory with an edition.yaml, or git:REF.
"""


@click.group(cls=LazyGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="guideline")
def cli() -> None:
    """Source, build, diff and comment toolchain for the 情報セキュリティポリシーガイドライン."""


def run() -> None:
    """The console script (``guideline``) and ``python -m guideline``: :func:`main`, then a quick exit.

    Tearing down the interpreter (freeing the model object by object, a last garbage collection) is a noticeable
    part of a short command on a large edition and serves nobody. Once the command is done, the output streams are
    flushed and the exit handlers run (temporary git exports are removed, logging is flushed), and the process ends
    without the teardown, as mypy does. Every file was already written atomically and closed by then.
    In-process callers (tests) use :func:`main`, which raises SystemExit as usual.
    """
    try:
        main()
        code: int | str | None = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    if os.environ.get("GUIDELINE_SLOW_EXIT"):  # the ordinary interpreter teardown, for debugging
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can reach the reader
            pass
    atexit._run_exitfuncs()  # noqa: SLF001 - the documented handlers of this process, run before os._exit
    os._exit(code)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="guideline", standalone_mode=False)
    except UserError as exc:
        print_report(exc.report)
        click.echo(str(exc), err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted; outputs written before the interruption are complete, nothing is half-written",
                   err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if os.environ.get("GUIDELINE_DEBUG"):
            raise
        click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("this is a bug in guideline; run again with GUIDELINE_DEBUG=1 for the traceback and report it",
                   err=True)
        sys.exit(70)
    sys.exit(0)
