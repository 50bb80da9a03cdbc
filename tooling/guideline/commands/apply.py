"""``guideline apply``: edits made in Word to a file this toolchain built flow back into the edition's Markdown."""
from __future__ import annotations

import difflib
import json
import os
import shutil
import sys
from pathlib import Path

import click

from guideline import editions, fileio
from guideline.apply import docx_read, merge
from guideline.apply.run import prepare
from guideline.commands.common import print_report
from guideline.comments import docx_import
from guideline.comments.rows import merge as merge_comments
from guideline.comments.store import load_round, transaction
from guideline.diagnostics import Report, UserError
from guideline.reader import read_edition
from guideline.validate import validate

EPILOG = """\b
Examples:
  guideline apply build/draft/guideline.docx                 # edited in Word, with or without tracked changes
  guideline apply reviewed.docx --edition draft --dry-run    # print the source diff, write nothing
  guideline apply build/diff/tracked.docx --edition r5-03    # a diff's tracked.docx, onto its old side
  guideline apply reviewed.docx --round r6-consultation      # and its Word comments into that comment round
Tracked changes are applied as accepted. Only the lines of changed clauses change; headings typed in a clause
heading style become new clauses with a generated ID. Numbers and the 統一基準対応 box are generated: edits to
them are ignored and reported. A clause changed both in Word and in the source since the file was built is a
conflict: nothing is written (exit 1) unless --force (Word wins). See docs/word-roundtrip.md.
Exit status: 0 applied (or nothing to apply), 1 conflicts or the result would not pass guideline check, 2 usage."""


def _stage(root: Path, texts: dict[Path, str]) -> Path:
    """A copy of the edition directory (hard links) with the new texts written: swapped in whole, or dropped."""
    tmp = fileio.new_sibling(root)
    try:
        shutil.copytree(root, tmp, dirs_exist_ok=True, copy_function=_link_or_copy, symlinks=True)
        for path, text in texts.items():
            fileio.atomic_write(tmp / path.relative_to(root), text)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _diff(root: Path, texts: dict[Path, str]) -> str:
    out = []
    base = root.parent
    for path, text in sorted(texts.items()):
        old = path.read_text(encoding="utf-8") if path.is_file() else ""
        rel = path.relative_to(base).as_posix()
        out.extend(difflib.unified_diff(old.splitlines(keepends=True), text.splitlines(keepends=True),
                                        f"a/{rel}", f"b/{rel}"))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out)


@click.command(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--edition", "-e", "edition_spec", default=None, metavar="EDITION",
              help="The edition whose sources to change (default: the one the file was built from, else draft); "
                   "a directory edition, not git:REF.")
@click.option("--dry-run", is_flag=True, help="Print the source diff that would be written; write nothing.")
@click.option("--round", "round_id", default=None, help="Import the file's Word comments into this comment round.")
@click.option("--category", type=click.Choice(["個人", "法人・団体", "地方公共団体"]), default=None,
              help="With --round: 提出者区分 of the comments (default: 地方公共団体 for a consultation round).")
@click.option("--force", is_flag=True, help="Apply despite conflicts (the Word side wins) or an edition mismatch.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def command(file: Path, edition_spec: str | None, dry_run: bool, round_id: str | None, category: str | None,
            force: bool, as_json: bool) -> None:
    """Apply the edits of a Word file (built by this toolchain) to the edition's Markdown sources."""
    doc = docx_read.read(file)
    spec = edition_spec or (doc.edition if doc.edition and _known(doc.edition) else "draft")
    if spec.startswith("git:"):
        raise UserError(f"--edition {spec}: apply writes into an edition directory; a git:REF edition is read-only")
    root = editions.resolve(spec, editions.source_root()).resolve()
    # one apply at a time per edition, from reading its sources to swapping in the new ones; copies left by a killed
    # apply are removed first
    with fileio.directory_lock(root):
        fileio.recover_leftovers(root, lambda p: (p / "edition.yaml").is_file(), "edition copy")
        code = _apply(file, doc, spec, root, dry_run=dry_run, force=force, as_json=as_json, round_id=round_id,
                      category=category)
    sys.exit(code)


def _apply(file: Path, doc, spec: str, root: Path, *, dry_run: bool, force: bool, as_json: bool,
           round_id: str | None, category: str | None) -> int:
    edition = editions.load_or_fail(spec)
    if doc.edition and doc.edition != edition.meta.id and not force:
        raise UserError(f"{file}: built from edition {doc.edition!r}, not {edition.meta.id!r}; give --edition "
                        f"{doc.edition} (or --force to apply it to {edition.meta.id!r} anyway)")
    if doc.built is None:
        click.echo(f"warning: {file} carries no build fingerprints (built by an older version, or not by "
                   "guideline build): conflicts with source changes since it was built cannot be detected", err=True)
    prepared = prepare(edition, doc, force=force)
    plan, texts = prepared.plan, prepared.texts
    result = {"file": str(file), "edition": edition.meta.id, "document": doc.kind or "unknown",
              "applied": plan.applied, "added": plan.added, "deleted": plan.deleted, "moved": plan.moved,
              "conflicts": [vars(c) for c in plan.conflicts], "revisions": [vars(r) for r in doc.revisions],
              "comments": doc.comments, "written": [], "check": "not run"}
    if plan.conflicts:
        result["ignored"] = [{"clause": c, "what": w} for c, w in plan.ignored]
        _report(result, as_json, dry_run)
        return 1
    after = None
    problems = Report()
    tmp = _stage(root, texts) if texts else None
    try:
        if tmp is not None:
            after, problems = read_edition(tmp)
            if after is not None:
                validate(after, problems, editions.source_root())
        plan.ignored += merge.numbers_typed(doc, edition, after, plan.doc_ids)
        result["ignored"] = [{"clause": c, "what": w} for c, w in plan.ignored]
        result["files"] = sorted(str(p) for p in texts)
        result["check"] = "failed" if problems.errors else "ok" if tmp is not None else "not run"
        if dry_run:
            if as_json:
                result["diff"] = _diff(root, texts)
            else:
                click.echo(_diff(root, texts), nl=False)
            _report(result, as_json, dry_run)
            for d in problems.sorted():
                click.echo(str(d).replace(tmp.name, root.name), err=True)
            return 0
        if problems.errors:
            for d in problems.sorted():  # named by the real files; the lines are those of the text not written
                click.echo(str(d).replace(tmp.name, root.name), err=True)
            _report(result, as_json, dry_run)
            click.echo("the applied sources would not pass guideline check (above, with the line numbers of the "
                       "text that would have been written); nothing was written", err=True)
            return 1
        if tmp is not None:
            fileio.swap_directory(tmp, root, locked=True)  # every file of the edition changes at once, or none
            tmp = None
            result["written"] = result["files"]
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    if round_id:
        result["comments_imported"] = _comments(file, edition, round_id, category)
    _report(result, as_json, dry_run)
    return 0


def _known(edition_id: str) -> bool:
    try:
        editions.resolve(edition_id, editions.source_root())
        return True
    except UserError:
        return False


def _comments(file: Path, edition, round_id: str, category: str | None) -> list[str]:
    """The file's Word comments into round ``round_id`` by the comment importer, anchored by clause."""
    data = load_round(round_id)
    category = category or ("地方公共団体" if data.round.kind == "consultation" else "")
    if not category:
        raise UserError("Word comments carry no submitter category: give --category with --round")
    report = Report()
    incoming = docx_import.read(file, edition, report, category)
    with transaction(data):
        result = merge_comments(data, incoming, report)
    print_report(report)
    return list(result.created)


def _report(result: dict, as_json: bool, dry_run: bool) -> None:
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1, sort_keys=True))
        return
    verb = "would change" if dry_run else "changed"
    for cid, aspects in sorted(result["applied"].items()):
        click.echo(f"{verb}: {cid}: {', '.join(aspects)}")
    for key, label in (("added", "added"), ("deleted", "deleted"), ("moved", "moved")):
        for cid in result[key]:
            click.echo(f"{label}: {cid}")
    for item in result.get("ignored", []):
        click.echo(f"ignored: {item['clause'] + ': ' if item['clause'] else ''}{item['what']}")
    for c in result["conflicts"]:
        click.echo(f"conflict: {c['clause'] or '(clause order)'}: {c['what']} changed in Word and in the source "
                   "since the file was built")
        click.echo("  source:  " + c["source"].replace("\n", "\n           "))
        click.echo("  word:    " + c["word"].replace("\n", "\n           "))
    revs = result["revisions"]
    for r in revs:
        where = f" in {r['clause']}" if r["clause"] else ""
        text = f": {r['text']!r}" if r["text"] else ""
        click.echo(f"tracked change{where}: {r['kind']} by {r['author'] or '?'} {r['date']}{text}")
    imported = result.get("comments_imported")
    if imported is not None:
        click.echo(f"comments: {len(imported)} imported ({result['comments']} in the file)")
    elif result["comments"]:
        click.echo(f"comments: {result['comments']} in the file, not imported (give --round R to import them)")
    n = len(result["applied"]) + len(result["added"]) + len(result["deleted"]) + len(result["moved"])
    if result["conflicts"]:
        click.echo(f"{len(result['conflicts'])} conflict(s): nothing written; resolve them in the source or Word, "
                   "or run again with --force (the Word side wins)", err=True)
    elif dry_run:
        click.echo(f"{n} clause change(s) would be written to {len(result.get('files', []))} file(s) (dry run)")
    else:
        click.echo(f"{n} clause change(s) written to {len(result['written'])} file(s); guideline check: "
                   f"{result['check']}")
