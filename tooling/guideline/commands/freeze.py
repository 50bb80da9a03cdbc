"""``guideline freeze``: copy the draft into ``guideline_src/editions/<id>/`` as a frozen edition (status 確定).

Only the keys ``id``, ``date``, ``status`` (and ``label`` when given) of edition.yaml are rewritten, in place: every
other line, comment and the key order stay as they were. The copy is assembled in a hidden temporary directory beside
the target and renamed into place, so the edition appears whole or not at all; an existing edition is never replaced.
"""
from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import click
import yaml

from guideline import editions, yamlio
from guideline.diagnostics import Loc, Report, UserError, display_path
from guideline.reader import read_edition_meta

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
FINAL = "確定"
REWRITTEN = ("id", "date", "status", "label")


def _scalar(value: str) -> str:
    """``value`` as a YAML scalar: plain when it reads back unchanged as a string, else double-quoted."""
    if value and "\n" not in value and value == value.strip():
        try:
            if yaml.safe_load(f"k: {value}") == {"k": value} and "#" not in value:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)


def _format(key: str, value: str) -> str:
    """The date stays a plain ISO date (a YAML date, as the format asks); everything else via :func:`_scalar`."""
    if key == "date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    return _scalar(value)


def _split_comment(rest: str) -> tuple[str, str]:
    """(value, comment) of what follows ``key:`` — the comment keeps its leading spaces."""
    stripped = rest.lstrip()
    if stripped[:1] in ("'", '"'):
        quote = stripped[0]
        i = 1
        while i < len(stripped):
            if stripped[i] == "\\" and quote == '"':
                i += 2
                continue
            if stripped[i] == quote:
                if quote == "'" and stripped[i + 1:i + 2] == "'":
                    i += 2
                    continue
                break
            i += 1
        offset = len(rest) - len(stripped) + i + 1
        tail = rest[offset:]
        m = re.match(r"^\s+#.*$", tail)
        return (rest[:offset], tail) if m else (rest, "")
    m = re.search(r"\s+#.*$", rest)
    return (rest[:m.start()], rest[m.start():]) if m else (rest, "")


def rewrite_edition_yaml(text: str, values: dict[str, str], path: str = "edition.yaml") -> str:
    """``text`` with the top-level ``key: value`` lines of ``values`` replaced (a trailing comment is kept in its
    column where it fits); a key that is missing is added after ``date:``. Indented continuation lines of a
    replaced multi-line value are dropped."""
    key_re = re.compile(r"^(?P<head>(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*:)(?P<rest>(?:\s.*)?)$")
    out: list[str] = []
    done: set[str] = set()
    skipping = False
    for line in text.split("\n"):
        if skipping and line[:1] in (" ", "\t"):
            continue
        skipping = False
        m = key_re.match(line)
        if not m or m.group("key") not in values or m.group("key") in done:
            out.append(line)
            continue
        key = m.group("key")
        value, comment = _split_comment(m.group("rest"))
        gap = re.match(r"^\s*", value).group(0) or " "
        new = f"{m.group('head')}{gap}{_format(key, values[key])}"
        if comment:
            hash_col = len(line) - len(comment.lstrip())
            new += " " * max(1, hash_col - len(new)) + comment.lstrip()
        out.append(new)
        done.add(key)
        skipping = value.strip()[:1] in ("|", ">") or value.strip() == ""
    missing = [k for k in values if k not in done]
    if missing:
        at = next((i for i, ln in enumerate(out) if re.match(r"^date\s*:", ln)), None)
        if at is None:
            raise UserError(f"{path}: cannot place {', '.join(missing)}: no top-level date: line")
        out[at + 1:at + 1] = [f"{k}: {_format(k, values[k])}" for k in missing]
    return "\n".join(out)


def _verify_rewrite(old_text: str, new_text: str, values: dict[str, str], path: str) -> None:
    """The rewrite changed exactly the given keys: everything else reads back the same, in the same order."""
    try:
        before = yamlio.load(old_text).data
        after = yamlio.load(new_text).data
    except yamlio.YamlProblem as exc:
        raise UserError(f"cannot rewrite edition.yaml safely: {exc.message}", loc=Loc(path, exc.line)) from None
    expected = dict(before)
    for k, v in values.items():
        expected[k] = v
    norm = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in after.items()}
    want = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in expected.items()}
    if (norm != want or [k for k in after if k in before] != [k for k in before]
            or not isinstance(after.get("date"), datetime.date)):
        raise UserError(f"cannot rewrite {path} safely (the result would read differently); "
                        "simplify its id/date/status/label lines", loc=Loc(path, 1))


def freeze(edition_id: str, date: datetime.date, label: str | None = None, src: Path | None = None,
           source: str = "draft") -> Path:
    """Freeze ``source`` (the draft) as ``editions/<edition_id>``; returns the new edition directory."""
    src = src or editions.source_root()
    if not ID_RE.match(edition_id) or edition_id == "draft" or len(edition_id) > 64:
        raise click.BadParameter(f"{edition_id!r}: an edition id is [a-z0-9][a-z0-9-]* (e.g. r6-10), not 'draft'",
                                 param_hint="--id")
    target = src / "editions" / edition_id
    if target.exists() or target.is_symlink():
        raise UserError(f"edition {edition_id!r} already exists ({display_path(target)}); a frozen edition is never "
                        "overwritten: choose another id")
    draft_root = editions.resolve(source, src)
    edition, report = editions.load(source, src)
    if edition is None or report.failed(strict=True):
        raise UserError(f"{source} does not pass guideline check --strict ({len(report.items)} problem(s) above); "
                        "fix them before freezing", report=report)
    base = src / "editions"
    base.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{edition_id}.", suffix=".freeze-tmp", dir=base))
    try:
        copy = tmp / "edition"

        def ignore(directory: str, names: list[str]) -> list[str]:
            return [n for n in names if n.startswith(".") or n == "__pycache__"]

        shutil.copytree(draft_root, copy, symlinks=False, ignore=ignore)
        yaml_path = copy / "edition.yaml"
        old_text = yaml_path.read_text(encoding="utf-8")
        values = {"id": edition_id, "date": date.isoformat(), "status": FINAL}
        if label is not None:
            values["label"] = label
        shown = str(draft_root / "edition.yaml")
        new_text = rewrite_edition_yaml(old_text, values, shown)
        _verify_rewrite(old_text, new_text, values, shown)
        yaml_path.write_text(new_text, encoding="utf-8")
        # the copy itself must pass too (e.g. a date before the previous edition's is caught here)
        frozen, report = editions.load(str(copy), src)
        if frozen is None or report.failed(strict=True):
            raise UserError(f"the frozen copy of {source} as {edition_id} does not pass guideline check --strict",
                            report=_relocate(report, copy, target))
        prev_dir = base / frozen.meta.previous if frozen.meta.previous else None
        if prev_dir is not None and (prev_dir / "edition.yaml").is_file():
            pm = read_edition_meta(prev_dir, Report())
            if pm is not None and pm.date > date:
                raise UserError(f"--date {date.isoformat()} is before the date of the previous edition "
                                f"{frozen.meta.previous} ({pm.date.isoformat()})")
        for dirpath, dirnames, filenames in os.walk(copy):
            os.chmod(dirpath, 0o755)
            for name in filenames:
                os.chmod(os.path.join(dirpath, name), 0o644)
        try:
            # rename(2) onto an existing non-empty directory fails: a concurrent freeze cannot be overwritten
            os.rename(copy, target)
        except OSError as exc:
            raise UserError(f"cannot create {display_path(target)}: {exc.strerror or exc}"
                            + (" (it appeared meanwhile)" if target.exists() else "")) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _relocate(report: Report, copy: Path, target: Path) -> Report:
    """Diagnostics of the temporary copy, shown at the paths the edition will have."""
    out = Report()
    for d in report.items:
        path = d.loc.path
        if path.startswith(str(copy)):
            path = str(target) + path[len(str(copy)):]
        out.items.append(type(d)(Loc(path, d.loc.line), d.severity, d.message))
    return out


@click.command(epilog="""\b
Examples:
  guideline freeze --id r6-10 --date 2024-10-02
  guideline freeze --id r6-10 --date 2024-10-02 --label 令和6年10月版
Copies guideline_src/draft/ to guideline_src/editions/<id>/ and sets id, date and status 確定 (and label) in its
edition.yaml, keeping everything else. Refuses (exit 1) when the edition exists or the draft fails
`guideline check --strict`.""")
@click.option("--id", "edition_id", required=True, metavar="ID", help="The new edition id, e.g. r6-10.")
@click.option("--date", "date", required=True, type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="The date of the edition (printed on it, used for reproducible builds).")
@click.option("--label", default=None, help="How the edition is named in print, e.g. 令和6年10月版 (default: keep).")
def command(edition_id: str, date: datetime.datetime, label: str | None) -> None:
    """Freeze the draft as a final edition (status 確定) under guideline_src/editions/<id>/."""
    target = freeze(edition_id, date.date(), label)
    click.echo(f"{display_path(target)}: frozen from draft as {edition_id} ({date.date().isoformat()}, {FINAL})")
    click.echo(f"next: set `previous: {edition_id}` in the draft's edition.yaml when work on the next revision starts",
               err=True)
