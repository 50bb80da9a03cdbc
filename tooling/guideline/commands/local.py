"""``guideline local``: a municipality's own policy made from the guideline and kept current (docs/local.md)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from guideline import jsontext
from guideline.commands.build import write_edition
from guideline.commands.common import print_report
from guideline.commands.diff import write_outputs
from guideline.diagnostics import Report, UserError
from guideline.diff import compare
from guideline.fileio import atomic_write
from guideline.local.align import REPORT, align_project
from guideline.local.compose import check_project, load_policy
from guideline.local.project import PREVIOUS, from_git, init_project, load, load_or_fail, read_base
from guideline.local.rebase import rebase, resolve
from guideline.writers.changes import ChangeOptions
from guideline.writers.registry import build_writers

EPILOG = """\b
Examples:
  guideline local init my-town --edition r5-03 --name ○○町 --model beta-prime
  guideline local check my-town
  guideline local build my-town -o build/my-town --format all --style articles
  guideline local rebase my-town --to draft --report build/rebase.json
  guideline local resolve my-town org-ciso --take local
  guideline local diff my-town -o build/my-town-diff
  guideline local align policy.docx -o my-town --edition draft --name ○○町
See docs/local.md."""

MODELS = ("alpha", "alpha-prime", "beta", "beta-prime")
BUILD_FORMATS = ("html", "docx", "pdf")


def _new_project_options(fn):
    """--edition, --name, --model, --kind: what a new project (init, align) is made from."""
    for option in reversed((
        click.option("--edition", "-e", "edition", required=True, metavar="EDITION",
                     help="The guideline edition the policy follows: r5-03, draft, a directory, git:REF."),
        click.option("--name", required=True, help="The municipality, as printed in the title: ○○町."),
        click.option("--model", type=click.Choice(MODELS), default="alpha", show_default=True,
                     help="The 三層の対策 network model; clauses of other models are left out."),
        click.option("--kind", type=click.Choice(["市", "町", "村", "県", "都", "道", "府", "区"]), default=None,
                     help="市/町/村/県…, when the name does not end in it (gives 〔本市〕 its value)."),
    )):
        fn = option(fn)
    return fn


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
def command() -> None:
    """A municipality's own policy from the guideline: init, check, build, rebase, resolve, diff, align."""


@command.command("init", epilog="""\b
Examples:
  guideline local init my-town --edition r5-03 --name ○○町 --model beta-prime
  guideline local init my-city --edition draft --name ○○市 --style articles
Writes DIR/local.yaml (fill in the empty placeholders) and DIR/clauses/ (overrides, local clauses).""")
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@_new_project_options
@click.option("--style", type=click.Choice(["outline", "articles"]), default="outline", show_default=True,
              help="How the policy is numbered: the guideline's outline, or as a 訓令 (第N条).")
def init_cmd(directory: Path, edition: str, name: str, model: str, kind: str | None, style: str) -> None:
    """Create a local policy project in DIR from a guideline edition."""
    project = init_project(directory, edition, name, model, kind or "", style)
    click.echo(str(directory / "local.yaml"))
    empty = [k for k, v in project.placeholders.items() if not v]
    if empty:
        click.echo(f"fill in placeholders: {'、'.join(empty)} (in {directory / 'local.yaml'})", err=True)


@command.command("check", epilog="""\b
Examples:
  guideline local check my-town
Exit status: 0 clean, 1 problems found, 2 usage error.""")
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--quiet", "-q", is_flag=True, help="Print only the problems, no summary line.")
def check_cmd(directory: Path, quiet: bool) -> None:
    """Report every problem of a local policy as path:line: message."""
    report = Report()
    project = load(directory, report)
    edition = None
    if project is not None:
        edition = check_project(project, read_base(project), report)
    print_report(report)
    if not quiet:
        clauses = sum(1 for _ in edition.clauses()) if edition is not None else 0
        status = "FAILED" if report.failed() else "ok"
        click.echo(f"{directory}: {clauses} clauses, {len(report.errors)} errors, {len(report.warnings)} warnings: "
                   f"{status}")
    if report.failed():
        sys.exit(1)


@command.command("build", epilog="""\b
Examples:
  guideline local build my-town -o build/my-town
  guideline local build my-town -o build/my-town --format all --style articles
Outputs go to OUT/ (guideline.html, site/, guideline.docx, guideline.pdf).""")
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--output", "-o", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output directory.")
@click.option("--format", "-f", "fmt", type=click.Choice([*BUILD_FORMATS, "all"]), default="html",
              show_default=True, help="What to build; 'all' builds every format.")
@click.option("--style", type=click.Choice(["outline", "articles"]), default=None,
              help="Numbering: the guideline's outline, or as a 訓令 (第N章/第N条, 項, 号). Default: style: in "
                   "local.yaml.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
def build_cmd(directory: Path, out: Path, fmt: str, style: str | None, quiet: bool) -> None:
    """Build the municipality's policy (HTML, Word, PDF)."""
    writers = build_writers(sorted(BUILD_FORMATS) if fmt == "all" else [fmt])
    edition = load_policy(directory, style)
    for path in write_edition(edition, writers, out, quiet):
        click.echo(str(path))


@command.command("rebase", epilog="""\b
Examples:
  guideline local rebase my-town --to draft
  guideline local rebase my-town --to r6-03 --report build/my-town-rebase.json
Clauses the municipality overrode that the guideline also changed become conflicts (conflicts/<id>.md);
settle each with guideline local resolve. Exit status: 0 done (conflicts may be open), 1 failed (DIR unchanged).""")
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--to", "to", required=True, metavar="EDITION", help="The new guideline edition (draft, an id, a "
                                                                   "directory, git:REF).")
@click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write what changed as JSON (updated, conflicts, added, removed, …).")
def rebase_cmd(directory: Path, to: str, report_file: Path | None) -> None:
    """Move the policy onto a new guideline edition; conflicts are left for local resolve."""
    result = rebase(directory, to)
    if report_file is not None:
        atomic_write(report_file, jsontext.dumps(result.as_json()) + "\n")
        click.echo(str(report_file))
    click.echo(f"{result.old} → {result.new}: updated {len(result.updated)}, added {len(result.added)}, "
               f"removed {len(result.removed)}, overrides kept {len(result.kept)}, conflicts {len(result.conflicts)}",
               err=True)
    for cid in result.conflicts:
        click.echo(f"conflict: {cid} (see {directory / 'conflicts' / (cid + '.md')})", err=True)
    if result.placeholders:
        click.echo(f"fill in placeholders: {'、'.join(result.placeholders)}", err=True)


@command.command("resolve", epilog="""\b
Examples:
  guideline local resolve my-town org-ciso --take new      # the guideline's new text
  guideline local resolve my-town org-ciso --take local    # keep clauses/org-ciso.md as it was
  guideline local resolve my-town org-ciso --take edited   # after rewriting clauses/org-ciso.md""")
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.argument("clause_id", metavar="ID")
@click.option("--take", required=True, type=click.Choice(["new", "local", "edited"]),
              help="Which text the clause keeps.")
def resolve_cmd(directory: Path, clause_id: str, take: str) -> None:
    """Settle one conflict left by local rebase."""
    click.echo(resolve(directory, clause_id, take))


DIFF_FORMATS = {"html": "comparison-html", "docx": "comparison-docx", "pdf": "comparison-pdf", "json": "json"}


@command.command("diff", epilog="""\b
Examples:
  guideline local diff my-town -o build/my-town-diff          # before → after the last rebase
  guideline local diff my-town --against git:v2024 -o build/d # against the policy as committed at v2024
  guideline local diff my-town --against old-copy -o build/d  # against another copy of the project
Writes comparison.html/.docx/.pdf (the 新旧対照表), numbered the way the policy is published (style: in local.yaml).""")
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--against", "against", default=None, metavar="REF",
              help="The old policy: a local policy directory, or git:REV for DIR as it stood at a git revision "
                   "(default: DIR/previous, kept by the last rebase).")
@click.option("--output", "-o", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output directory (replaced whole).")
@click.option("--format", "-f", "formats", default="html,docx,pdf", show_default=True, metavar="LIST",
              help="Comma-separated: html, docx, pdf (the 新旧対照表), json (changes.json).")
@click.option("--style", type=click.Choice(["outline", "articles"]), default=None,
              help="Numbering of both policies (default: style: in local.yaml).")
@click.option("--columns", type=click.Choice(["new-old", "old-new"]), default="new-old", show_default=True,
              help="Column order: 改正後|改正前 (new-old) or 改正前|改正後.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
def diff_cmd(directory: Path, against: str | None, out: Path, formats: str, style: str | None, columns: str,
             quiet: bool) -> None:
    """The municipality's own 新旧対照表: its old policy against its new one."""
    chosen = []
    for name in (n.strip() for n in formats.split(",")):
        if name not in DIFF_FORMATS:
            raise click.BadParameter(f"unknown format {name!r}; choose from {', '.join(DIFF_FORMATS)}",
                                     param_hint="--format")
        chosen.append(DIFF_FORMATS[name])
    if against is None:
        old_dir = directory / PREVIOUS
    elif against.startswith("git:"):
        old_dir = from_git(directory, against[4:])
    else:
        old_dir = Path(against)
    if not (old_dir / "local.yaml").is_file():
        raise UserError(f"no old policy to compare with: {old_dir} holds no local.yaml (it is kept by guideline "
                        "local rebase; or give --against DIR)")
    style = style or load_or_fail(directory).style
    cs = compare(load_policy(old_dir, style), load_policy(directory, style))
    for path in write_outputs(cs, out, chosen, ChangeOptions(columns=columns), quiet=quiet):
        click.echo(str(path))


@command.command("align", epilog="""\b
Examples:
  guideline local align our-policy.docx -o my-town --edition draft --name ○○町 --model beta
  guideline local align reiki.html -o my-city --edition r5-03 --name ○○市 --style outline
Writes DIR (a local policy project that reproduces the policy) and DIR/align-report.json: matches
[{article, clause_id, score}] and gaps (guideline clauses the policy has no counterpart for).""")
@click.argument("policy", metavar="POLICY", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "-o", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The local policy directory to create (new or empty).")
@_new_project_options
@click.option("--style", type=click.Choice(["outline", "articles"]), default="articles", show_default=True,
              help="How the policy is numbered when built again.")
def align_cmd(policy: Path, out: Path, edition: str, name: str, model: str, kind: str | None, style: str) -> None:
    """Match an existing policy's articles to guideline clauses; list what it lacks (gaps)."""
    result = align_project(policy, out, edition, name, model, kind or "", style)
    click.echo(str(out / REPORT))
    counts = result.as_json()["counts"]
    click.echo(f"{counts['articles']} articles: {counts['matched']} matched, {counts['unmatched']} the policy's own; "
               f"{counts['gaps']} guideline clauses with no counterpart (gaps)", err=True)
