"""``guideline comments``: consultation and public-comment rounds, from the received file to the published result."""
from __future__ import annotations

import contextlib
import datetime
import sys
from pathlib import Path

import click

from guideline import editions
from guideline.commands.common import list_option, print_report
from guideline.comments import csv_import, docx_import, reconcile
from guideline.comments import report as result_report
from guideline.comments import xlsx_import
from guideline.comments.anchor import Resolver
from guideline.comments.responses import export, import_responses
from guideline.comments.rows import import_table, load_mapping, merge
from guideline.comments.status import blockers, summary_lines
from guideline.comments.store import comments_root, list_rounds, load_round, transaction
from guideline.diagnostics import Report, UserError
from guideline.writers.registry import COMMENTS, write_results

EPILOG = """\b
Examples:
  guideline comments import comments/r6-public/source/received-cp932.csv --round r6-public
  guideline comments import reviewed-by-A市.docx --round r6-consultation --category 地方公共団体
  guideline comments export --round r6-public -o build/r6-public-responses.xlsx
  guideline comments import build/r6-public-responses.xlsx --round r6-public --responses
  guideline comments status
  guideline comments report --round r6-public -o build/comments/r6-public
  guideline comments reconcile --round r6-public --final draft
Records live in comments/<round-id>/ (docs/comments-format.md)."""


def _root(ctx: click.Context) -> Path | None:
    return (ctx.obj or {}).get("root")


def _load(ctx: click.Context, round_id: str):
    return load_round(round_id, _root(ctx))


def _all_or_none(data, dry_run: bool):
    """Every record (or answer) an import writes lands together, or none does; a dry run writes nothing."""
    if dry_run:
        return contextlib.nullcontext()
    return transaction(data)


def _edition(spec: str, what: str):
    try:
        return editions.load_or_fail(spec)
    except UserError as exc:
        raise UserError(f"{what}: {exc.message}", report=exc.report) from None


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--comments-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the rounds live (default: comments/ beside guideline_src, or $GUIDELINE_COMMENTS).")
@click.pass_context
def command(ctx: click.Context, comments_dir: Path | None) -> None:
    """Consultation and public comments: import, answer, report, reconcile."""
    ctx.obj = {"root": comments_dir}


# --------------------------------------------------------------------------------------------------------------------


@command.command("import", epilog="""\b
Examples:
  guideline comments import 意見一覧.csv --round r6-public
  guideline comments import 意見一覧.xlsx --round r6-public --mapping headers.yaml
  guideline comments import A市.docx --round r6-consultation --category 地方公共団体 --submitter A市
  guideline comments import responses.xlsx --round r6-public --responses
CSV may be UTF-8 (with or without BOM) or CP932; 該当箇所 is resolved to clause IDs of the round's edition and
what does not resolve is imported and flagged. Re-importing the same file changes nothing.
Exit status: 0 all rows imported, 1 some rows malformed or conflicting (the rest is imported).""")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--round", "round_id", required=True, help="Round id (directory under comments/).")
@click.option("--responses", is_flag=True, help="FILE is a response workbook made by 'comments export'.")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML file mapping our column headers to the file's (docs/comments-format.md).")
@click.option("--category", type=click.Choice(["個人", "法人・団体", "地方公共団体"]),
              help="提出者区分 for rows without one (DOCX: for all its comments).")
@click.option("--sheet", help="XLSX: the sheet to read (default: the first).")
@click.option("--submitter", default="", help="DOCX: the submitter (private; default: each comment's author).")
@click.option("--id-prefix", default="", help="DOCX: prefix of the comment ids (default: from the file name).")
@click.option("--received", type=click.DateTime(["%Y-%m-%d"]), help="DOCX: received date when comments carry none.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.pass_context
def import_cmd(ctx, file: Path, round_id: str, responses: bool, mapping: Path | None, category: str | None,
               sheet: str | None, submitter: str, id_prefix: str, received: datetime.datetime | None,
               dry_run: bool) -> None:
    """Import received comments (CSV, XLSX, DOCX with Word comments) or answered responses (XLSX)."""
    data = _load(ctx, round_id)
    report = Report()
    suffix = file.suffix.lower()
    if responses:
        if suffix != ".xlsx":
            raise UserError(f"{file}: --responses reads the .xlsx workbook made by 'guideline comments export'")

        with _all_or_none(data, dry_run):
            result = import_responses(file, data, report, write=not dry_run)
        print_report(report)
        for row, cid, fields in result.changed:
            click.echo(f"row {row}: {cid}: {', '.join(fields)}{' (dry run)' if dry_run else ''}")
        click.echo(f"{len(result.changed)} comment(s) updated, {result.unchanged} unchanged, "
                   f"{len(result.conflicts)} conflict(s), {result.rejected} row(s) rejected")
        if result.failed:
            sys.exit(1)
        return

    edition = _edition(data.round.edition, f"round {round_id}'s edition")
    default_category = category or ("地方公共団体" if data.round.kind == "consultation" else "")
    if suffix == ".docx":
        if not default_category:
            raise UserError("DOCX comments carry no submitter category: give --category")
        incoming = docx_import.read(file, edition, report, default_category, submitter, id_prefix,
                                    received.date() if received else None)
        with _all_or_none(data, dry_run):
            result = merge(data, incoming, report, write=not dry_run)
    else:
        if suffix == ".xlsx":
            table = xlsx_import.read(file, sheet)
        elif suffix in (".csv", ".tsv", ".txt"):
            table = csv_import.read(file)
        else:
            raise UserError(f"{file}: import reads .csv, .xlsx or .docx files")
        resolver = Resolver(edition, data.round.default_prefix)
        columns = load_mapping(mapping)
        with _all_or_none(data, dry_run):
            result = import_table(table, data, resolver, columns, report, default_category, write=not dry_run)
        if table.encoding:
            click.echo(f"{file}: read as {table.encoding}, {len(table.rows)} data row(s)", err=True)
    print_report(report)
    if result.created:
        click.echo(("would create: " if dry_run else "created: ") + ", ".join(result.created))
    for line in result.lines():
        click.echo(line)
    if result.failed:
        sys.exit(1)


@command.command("export", epilog="""\b
Examples:
  guideline comments export --round r6-public -o build/r6-public-responses.xlsx
Fill in 意見の概要, 意見に対する考え方, 修正の有無, 状況 (and 修正した条項), then:
  guideline comments import build/r6-public-responses.xlsx --round r6-public --responses""")
@click.option("--round", "round_id", required=True, help="Round id.")
@click.option("--output", "-o", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .xlsx workbook to write.")
@click.pass_context
def export_cmd(ctx, round_id: str, out: Path) -> None:
    """Export a round to an Excel workbook for staff to answer (drop-down lists, conflict check on import)."""
    if out.suffix.lower() != ".xlsx":
        raise UserError(f"{out}: the response workbook is an .xlsx file")
    data = _load(ctx, round_id)
    path, n = export(data, out)
    click.echo(f"{path}: {n} comment(s)")


@command.command("status", epilog="""\b
Examples:
  guideline comments status
  guideline comments status --round r6-public --all
Exit status: 0; with --strict, 1 when something blocks publication.""")
@click.option("--round", "round_id", help="One round (default: all).")
@click.option("--all", "show_all", is_flag=True, help="List every blocking problem, not the first 20.")
@click.option("--strict", is_flag=True, help="Exit 1 when anything blocks publication.")
@click.pass_context
def status_cmd(ctx, round_id: str | None, show_all: bool, strict: bool) -> None:
    """Counts by status, disposition and category, and what blocks publication."""
    root = _root(ctx) or comments_root()
    ids = [round_id] if round_id else list_rounds(root)
    if not ids:
        click.echo(f"no rounds in {root}")
        return
    blocked = False
    for i, rid in enumerate(ids):
        data = _load(ctx, rid)
        try:
            edition = editions.load_or_fail(data.round.edition)
        except UserError as exc:
            click.echo(f"warning: round {rid}: {exc.message}", err=True)
            edition = None
        if i:
            click.echo("")
        for line in summary_lines(data, edition, limit=0 if show_all else 20):
            click.echo(line)
        blocked = blocked or bool(blockers(data, edition))
    if strict and blocked:
        sys.exit(1)


@command.command("report", epilog="""\b
Examples:
  guideline comments report --round r6-public -o build/comments/r6-public
  guideline comments report --round r6-public -o /tmp/check --draft --format html
Writes result.html, result.docx, result.pdf (and result.csv, result.xlsx for internal use) into DIR.
Refuses (exit 1, naming the comments) while a published field holds personal data, and while anything else
blocks publication unless --draft.""")
@click.option("--round", "round_id", required=True, help="Round id.")
@click.option("--output", "-o", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output directory (replaced whole).")
@list_option("--format", "-f", "formats", choices=tuple(COMMENTS), default=("all",),
             groups={"all": ("all",)}, what="format", help="Formats to write", note="default all")
@click.option("--draft", is_flag=True, help="Write a marked internal draft even if answers are missing.")
@click.pass_context
def report_cmd(ctx, round_id: str, out: Path, formats: tuple[str, ...], draft: bool) -> None:
    """Write the result to publish: title, period, counts and the table of comments and answers."""
    data = _load(ctx, round_id)
    edition = _edition(data.round.edition, f"round {round_id}'s edition")
    result = result_report.build(data, edition, draft=draft)
    chosen = tuple(f for f in COMMENTS if "all" in formats or f in formats)
    for path in write_results(result, out, chosen):
        click.echo(str(path))
    click.echo(f"{len(result.rows)} comment(s) in the result{' (draft)' if draft else ''}", err=True)


@command.command("reconcile", epilog="""\b
Examples:
  guideline comments reconcile --round r6-public --final draft
  guideline comments reconcile --round r6-consultation --final git:HEAD --verbose
Exit status: 0 reconciled, 1 with the list of what does not reconcile.""")
@click.option("--round", "round_id", required=True, help="Round id.")
@click.option("--final", "final_spec", required=True, metavar="EDITION",
              help="The edition after the changes: draft, an edition id, a directory or git:REF.")
@click.option("--verbose", "-v", is_flag=True, help="Also list every promised change that was found.")
@click.pass_context
def reconcile_cmd(ctx, round_id: str, final_spec: str, verbose: bool) -> None:
    """Check the final text against the round: promised changes made, every change explained, anchors valid."""
    data = _load(ctx, round_id)
    consulted = _edition(data.round.edition, f"round {round_id}'s edition")
    final = _edition(final_spec, "--final")
    root = _root(ctx) or comments_root()
    siblings = []
    for rid in list_rounds(root):
        if rid == round_id:
            continue
        other = load_round(rid, root)
        if other.round.edition == data.round.edition:
            siblings.append(other)
    outcome = reconcile.reconcile(data, consulted, final, siblings)
    for line in reconcile.lines(data, consulted, final, outcome, verbose):
        click.echo(line)
    if outcome.failed:
        sys.exit(1)
