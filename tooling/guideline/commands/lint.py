from __future__ import annotations

import sys
from pathlib import Path

import click

from guideline import editions, lint
from guideline.commands.common import edition_option, list_option, print_report
from guideline.fileio import atomic_write
from guideline.lint import config as lint_config
from guideline.lint import fix as lint_fix
from guideline.lint import output as lint_output


@click.command(epilog="""\b
Examples:
  guideline lint                                 # the draft, every rule
  guideline lint --edition r5-03 --strict        # warnings fail too
  guideline lint --rule forms --rule width-alnum # a family and a rule
  guideline lint --fix                           # apply the mechanical fixes, print them
  guideline lint --format sarif -o lint.sarif    # for code scanning in CI
  guideline lint --list-rules
Findings are path:line:col: severity: rule-id: message. The edition's choices (表記の統一, rule severities, sentence
length) live in guideline_src/lint.yaml; docs/lint.md describes every rule.
Exit status: 0 clean, 1 errors found (or warnings with --strict), 2 usage error.""")
@edition_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True,
              help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the findings to this file (atomically) instead of standard output.")
@click.option("--fix", is_flag=True, help="Apply the mechanical fixes (width, spacing, the chosen form) to the "
              "source files and print each change; the rest stays a finding.")
@list_option("--rule", "rules", metavar="RULE", what="rule",
             help="Run only these rules or rule families (guideline lint --list-rules)")
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The lint configuration (default: lint.yaml in the edition's guideline_src).")
@click.option("--list-rules", is_flag=True, help="List the rules (ID, severity, family, fixable, summary), then exit.")
@click.option("--quiet", "-q", is_flag=True, help="No summary line.")
def command(edition: str, fmt: str, output: Path | None, fix: bool, rules: tuple[str, ...], strict: bool,
            config_path: Path | None, list_rules: bool, quiet: bool) -> None:
    """Editorial lint for 公用文 conventions: 表記ゆれ, width, definitions, placeholders, references, sentences."""
    registry = lint.all_rules()
    if list_rules:
        for r in registry.values():
            click.echo(f"{r.id}\t{r.severity}\t{r.family}\t{'fixable' if r.fixable else '-'}\t{r.summary}")
        return
    only = None
    if rules:
        only, unknown = lint.select(rules)
        if unknown:
            raise click.UsageError(f"unknown rule or family: {', '.join(unknown)}; see guideline lint --list-rules")
    if fix and edition.startswith("git:"):
        raise click.UsageError("--fix rewrites source files: give an edition in the working tree, not git:REF")
    root = editions.resolve(edition)
    cfg_path = config_path or (editions.real_source_root(root) or editions.source_root()) / "lint.yaml"
    if config_path is not None and not config_path.is_file():
        raise click.UsageError(f"no configuration file {config_path}")
    cfg = lint_config.load(cfg_path, set(registry))

    def read():
        ed, report = editions.load(str(root), validate=False)
        if ed is None:
            print_report(report)
            click.echo(f"{edition}: the edition cannot be read; fix the problems above", err=True)
            sys.exit(1)
        return ed, report

    ed, report = read()
    findings = lint.run(ed, cfg, only)
    if fix:
        for f in lint_fix.apply(findings):
            click.echo(f"fixed {f.path}:{f.line}:{f.col}: {f.rule}: {f.fix.old!r} -> {f.fix.new!r}", err=True)
        ed, report = read()
        findings = lint.run(ed, cfg, only)
    if fmt == "json":
        text = lint_output.as_json(findings, ed.meta.id)
    elif fmt == "sarif":
        text = lint_output.sarif(findings, registry if only is None else
                                 {k: v for k, v in registry.items() if k in only})
    else:
        text = lint_output.text(findings)
    if output is not None:
        atomic_write(output, text)
    else:
        click.echo(text, nl=False)
    n_err = sum(1 for f in findings if f.severity == "error")
    n_warn = len(findings) - n_err
    failed = n_err > 0 or (strict and n_warn > 0)
    if not quiet:
        if report.errors:
            click.echo(f"note: the edition has {len(report.errors)} reading errors; see guideline check", err=True)
        units = "rules: " + ", ".join(sorted(only)) if only is not None else f"{len(registry)} rules"
        click.echo(f"{ed.meta.id}: {n_err} errors, {n_warn} warnings ({units}){' (strict)' if strict else ''}: "
                   f"{'FAILED' if failed else 'ok'}", err=True)
    if failed:
        sys.exit(1)
