"""Reading and writing comment rounds: ``comments/<round-id>/round.yaml`` and one ``<comment-id>.yaml`` per comment.

One file per comment keeps git diffs small and merge conflicts rare when several staff answer at once. Files are
written atomically and only when their content changes, so re-running an import leaves the tree untouched. Every
problem in a record is reported as ``path:line: message``.
"""
from __future__ import annotations

import contextlib
import datetime
import io
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

from guideline import yamlio
from guideline.comments.model import (
    ANCHORS,
    CATEGORIES,
    COMMENT_ID_RE,
    DISPOSITIONS,
    RESERVED_IDS,
    ROUND_ID_RE,
    ROUND_KINDS,
    STATUSES,
    Comment,
    Round,
    sort_key,
)
from guideline.diagnostics import Loc, Report, UserError
from guideline import fileio
from guideline.editions import source_root
from guideline.fileio import atomic_write

ROUND_FILE = "round.yaml"
ROUND_KEYS = {
    "id": True, "kind": True, "title": True, "edition": True, "period": False, "published": False,
    "result_date": False, "subject": False, "organisation": False, "default_prefix": False, "editorial": False,
}
COMMENT_KEYS = {
    "id", "received", "category", "private", "location", "anchor", "clauses", "anchor_note", "quote", "text",
    "summary", "response", "response_of", "disposition", "status", "changed_clauses", "source",
}
HEADER = "# comment record: see docs/comments-format.md. private: is never published.\n"


def comments_root(start: str | os.PathLike[str] | None = None) -> Path:
    """The ``comments`` directory: $GUIDELINE_COMMENTS, else ``comments/`` beside ``guideline_src``."""
    env = os.environ.get("GUIDELINE_COMMENTS")
    if env:
        return Path(env)
    return source_root(start).parent / "comments"


@dataclass
class RoundData:
    round: Round
    directory: Path
    comments: dict[str, Comment] = field(default_factory=dict)

    def ordered(self) -> list[Comment]:
        return [self.comments[k] for k in sorted(self.comments, key=sort_key)]

    def lead(self, comment: Comment) -> Comment:
        """The comment whose response and disposition ``comment`` uses (itself unless it has ``response_of``)."""
        if comment.response_of and comment.response_of in self.comments:
            return self.comments[comment.response_of]
        return comment


# --------------------------------------------------------------------------------------------------------------------
# reading


def round_dir(round_id: str, root: Path | None = None) -> Path:
    root = root if root is not None else comments_root()
    if not ROUND_ID_RE.match(round_id):
        raise UserError(f"round id {round_id!r} must match [a-z0-9][a-z0-9-]* (e.g. r6-public)")
    return root / round_id


def list_rounds(root: Path | None = None) -> list[str]:
    root = root if root is not None else comments_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if not p.name.startswith(".") and (p / ROUND_FILE).is_file())


def load_round(round_id: str, root: Path | None = None) -> RoundData:
    """Read a round and all its comments; every problem found stops with a UserError carrying the full report."""
    directory = round_dir(round_id, root)
    report = Report()
    if not (directory / ROUND_FILE).is_file():
        known = ", ".join(list_rounds(directory.parent)) or "none yet"
        raise UserError(f"no round {round_id!r}: {directory / ROUND_FILE} does not exist (known rounds: {known}); "
                        "create it as described in docs/comments-format.md")
    rnd = _read_round(directory / ROUND_FILE, report)
    data = RoundData(rnd if rnd is not None else Round(round_id, "other", "", ""), directory)
    if rnd is not None and rnd.id != round_id:
        report.error(rnd.loc if rnd.loc.line else Loc(str(directory / ROUND_FILE), 1),
                     f"id {rnd.id!r} differs from the directory name {round_id!r}")
    for path in sorted(directory.glob("*.yaml")):
        if path.name == ROUND_FILE:
            continue
        comment = read_comment(path, report)
        if comment is None:
            continue
        if comment.id in data.comments:
            report.error(comment.loc, f"comment id {comment.id!r} is used twice")
            continue
        data.comments[comment.id] = comment
    for c in data.comments.values():
        if c.response_of:
            lead = data.comments.get(c.response_of)
            if lead is None:
                report.error(c.loc, f"response_of names {c.response_of!r}, which is not a comment of this round")
            elif lead.response_of:
                report.error(c.loc, f"response_of names {lead.id!r}, which itself shares the response of "
                                    f"{lead.response_of!r}; name {lead.response_of!r} directly")
            elif lead.id == c.id:
                report.error(c.loc, "response_of names the comment itself")
    if report.errors:
        raise UserError(f"round {round_id!r} has problems in its records; fix them first", report=report)
    return data


def _text(value: Any) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return str(value)


def _date(value: Any) -> datetime.date | None | bool:
    """A date, None when absent, False when malformed."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return False
    return False


def _read_yaml(path: Path, report: Report) -> yamlio.Located | None:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        report.error(Loc(str(path), 0), f"cannot read: {exc.strerror or exc}")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        report.error(Loc(str(path), line), "not UTF-8 text; records are UTF-8")
        return None
    try:
        return yamlio.load(text.replace("\r\n", "\n"))
    except yamlio.YamlProblem as exc:
        report.error(Loc(str(path), exc.line), exc.message)
        return None


def _read_round(path: Path, report: Report) -> Round | None:
    doc = _read_yaml(path, report)
    if doc is None:
        return None
    sp = str(path)
    data = doc.data
    if not isinstance(data, dict):
        report.error(Loc(sp, 1), "round.yaml must be a mapping with the keys id, kind, title, edition")
        return None
    for key in data:
        if key not in ROUND_KEYS:
            report.error(Loc(sp, doc.line(key)), f"unknown key {key!r} in round.yaml; known keys: {', '.join(ROUND_KEYS)}")
    for key, required in ROUND_KEYS.items():
        if required and not data.get(key):
            report.error(Loc(sp, 1), f"round.yaml lacks the required key {key!r}")
    values: dict[str, Any] = {}
    for key in ("id", "kind", "title", "edition", "subject", "organisation", "default_prefix"):
        v = _text(data.get(key))
        if v is None:
            report.error(Loc(sp, doc.line(key)), f"{key!r} must be text")
            v = ""
        values[key] = v.strip()
    if values["id"] and not ROUND_ID_RE.match(values["id"]):
        report.error(Loc(sp, doc.line("id")), f"round id {values['id']!r} must match [a-z0-9][a-z0-9-]*")
    if values["kind"] and values["kind"] not in ROUND_KINDS:
        report.error(Loc(sp, doc.line("kind")), f"kind must be one of {', '.join(ROUND_KINDS)}, not {values['kind']!r}")
    dates: dict[str, datetime.date | None] = {}
    period = data.get("period") or {}
    if not isinstance(period, dict):
        report.error(Loc(sp, doc.line("period")), "period must be a mapping with start: and end: dates")
        period = {}
    for key, value, line in (
        ("period_start", period.get("start"), doc.line("period", "start")),
        ("period_end", period.get("end"), doc.line("period", "end")),
        ("published", data.get("published"), doc.line("published")),
        ("result_date", data.get("result_date"), doc.line("result_date")),
    ):
        d = _date(value)
        if d is False:
            report.error(Loc(sp, line), f"{key.replace('period_', 'period ')} must be an ISO date such as 2024-09-12")
            d = None
        dates[key] = d  # type: ignore[assignment]
    if dates["period_start"] and dates["period_end"] and dates["period_start"] > dates["period_end"]:
        report.error(Loc(sp, doc.line("period")), "the period ends before it starts")
    editorial: list[tuple[str, str]] = []
    ed = data.get("editorial") or {}
    if not isinstance(ed, dict):
        report.error(Loc(sp, doc.line("editorial")), "editorial must map clause IDs to the reason of their change")
        ed = {}
    for cid, reason in ed.items():
        if not isinstance(reason, str) or not reason.strip():
            report.error(Loc(sp, doc.line("editorial", cid)), f"editorial: {cid!r} needs a reason (text)")
            continue
        editorial.append((str(cid), reason.strip()))
    return Round(id=values["id"], kind=values["kind"], title=values["title"], edition=values["edition"],
                 subject=values["subject"], organisation=values["organisation"],
                 default_prefix=values["default_prefix"], editorial=tuple(editorial), loc=Loc(sp, 1), **dates)


def read_comment(path: Path, report: Report) -> Comment | None:
    doc = _read_yaml(path, report)
    if doc is None:
        return None
    sp = str(path)
    data = doc.data
    if not isinstance(data, dict):
        report.error(Loc(sp, 1), "a comment record must be a mapping (see docs/comments-format.md)")
        return None
    ok = True

    def err(key: Any, message: str, *sub: Any) -> None:
        nonlocal ok
        ok = False
        report.error(Loc(sp, doc.line(key, *sub)), message)

    for key in data:
        if key not in COMMENT_KEYS:
            err(key, f"unknown key {key!r}; known keys: {', '.join(sorted(COMMENT_KEYS))}")

    def text(key: str, *sub: Any, source: dict | None = None) -> str:
        holder = data if source is None else source
        v = _text(holder.get(sub[-1] if sub else key))
        if v is None:
            err(key, f"{'.'.join([key, *map(str, sub)])} must be text", *sub)
            return ""
        return v

    def id_list(key: str) -> tuple[str, ...]:
        v = data.get(key) or []
        if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
            err(key, f"{key} must be a list of clause IDs")
            return ()
        return tuple(v)

    cid = text("id").strip()
    if not cid:
        err("id", "the record has no id")
    elif not COMMENT_ID_RE.match(cid) or cid in RESERVED_IDS:
        err("id", f"comment id {cid!r} must match [A-Za-z0-9][A-Za-z0-9_-]* and not be 'round' or 'source'")
    elif path.stem != cid:
        err("id", f"id {cid!r} differs from the file name {path.name}; the file must be named {cid}.yaml")
    if "text" not in data:
        err("id", "the record has no text: (the comment as received)")
    received = _date(data.get("received"))
    if received is False:
        err("received", "received must be an ISO date such as 2024-09-12")
        received = None
    private = data.get("private") or {}
    if not isinstance(private, dict):
        err("private", "private must be a mapping with name: and contact:")
        private = {}
    for key in private:
        if key not in ("name", "contact"):
            err("private", f"unknown key {key!r} under private; known: name, contact", key)
    category = text("category")
    if category and category not in CATEGORIES:
        err("category", f"category must be one of {', '.join(CATEGORIES)}, not {category!r}")
    anchor = text("anchor") or "unresolved"
    if anchor not in ANCHORS:
        err("anchor", f"anchor must be one of {', '.join(ANCHORS)}, not {anchor!r}")
    disposition = text("disposition")
    if disposition and disposition not in DISPOSITIONS:
        err("disposition", f"disposition must be one of {', '.join(DISPOSITIONS)}, not {disposition!r}")
    status = text("status") or "received"
    if status not in STATUSES:
        err("status", f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    source = data.get("source") or {}
    if not isinstance(source, dict):
        err("source", "source must be a mapping with file: and row:")
        source = {}
    row = source.get("row", 0)
    if not isinstance(row, int) or isinstance(row, bool):
        err("source", "source.row must be a number", "row")
        row = 0
    clauses = id_list("clauses")
    if anchor in ("resolved", "manual") and not clauses:
        err("anchor", f"anchor is {anchor!r} but clauses is empty; list the clause IDs or set anchor: unresolved")
    comment = Comment(
        id=cid, text=text("text"), category=category, received=received,  # type: ignore[arg-type]
        name=text("private", "name", source=private), contact=text("private", "contact", source=private),
        location=text("location"), clauses=clauses, anchor=anchor, anchor_note=text("anchor_note"),
        quote=text("quote"), summary=text("summary"), response=text("response"),
        response_of=text("response_of").strip(), disposition=disposition, status=status,
        changed_clauses=id_list("changed_clauses"), source_file=text("source", "file", source=source),
        source_row=row, loc=Loc(sp, 1),
    )
    return comment if ok else None


# --------------------------------------------------------------------------------------------------------------------
# writing


def _yaml() -> YAML:
    y = YAML(typ="rt", pure=True)
    y.width = 4096  # never fold long Japanese lines: one line of text stays one line of diff
    y.indent(mapping=2, sequence=4, offset=2)
    y.allow_unicode = True
    return y


def _literal(value: Any) -> Any:
    if isinstance(value, str) and "\n" in value and _literal_safe(value):
        # a literal block keeps line breaks as written: one line of text is one line of diff
        return LiteralScalarString(value)
    if isinstance(value, dict):
        return {k: _literal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_literal(v) for v in value]
    return value


def _literal_safe(value: str) -> bool:
    """Literal blocks cannot carry trailing blanks, CRs or a leading space reliably; such text stays quoted."""
    if any(ch in value for ch in "\r\x85\u2028\u2029\ufeff"):
        return False
    if value[:1] in (" ", "\t") or value != value.strip("\n") + ("\n" if value.endswith("\n") else ""):
        return False
    return not any(line != line.rstrip(" \t\r") for line in value.split("\n"))


def dump_comment(comment: Comment) -> str:
    buf = io.StringIO()
    _yaml().dump(_literal(comment.to_dict()), buf)
    return HEADER + buf.getvalue()


_CONTROL = {c: None for c in [*range(0, 9), 11, 12, *range(14, 32), 127, 0xFEFF, 0xFFFE, 0xFFFF]}
_BREAKS = str.maketrans({"\x85": "\n", "\u2028": "\n", "\u2029": "\n", "\x0b": "\n", "\x0c": "\n"})


def normalise_text(value: str) -> str:
    """How text from a submission is stored: LF line ends, no control characters (other than tab), no trailing
    blanks on lines, no leading or trailing blank lines. Applied once, at import; the result round-trips exactly."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").translate(_BREAKS).translate(_CONTROL)
    value = "".join(ch for ch in value if not 0xD800 <= ord(ch) <= 0xDFFF)
    return "\n".join(line.rstrip(" \t") for line in value.split("\n")).strip("\n")


def save_comment(directory: Path, comment: Comment) -> bool:
    """Write the record if its content changed; True when the file was written."""
    path = directory / f"{comment.id}.yaml"
    text = dump_comment(comment)
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except OSError:
        pass
    atomic_write(path, text)
    return True


@contextlib.contextmanager
def transaction(data: RoundData):
    """Every record one command writes lands together, or none does: a command killed at any point leaves the round
    as it was before, never a part of an import.

    The round directory is copied (hard links: unchanged files keep their inode and mtime) into a hidden sibling
    ``.ROUND.XXXX.tmp``; ``data.directory`` points there while the command writes; at the end, if anything was
    written, the copy is swapped in with one atomic exchange (:func:`guideline.fileio.swap_directory`). The round's
    lock (``.ROUND.lock`` beside it) is held throughout and the records are read again under it, so two imports into
    one round run one after the other and the second sees the first one's records (a differing comment with the same
    id is a conflict, not an overwrite); copies left by killed runs are removed under the lock."""
    directory = data.directory
    with fileio.directory_lock(directory):
        fileio.recover_leftovers(directory, lambda p: (p / ROUND_FILE).is_file(), "round")
        tmp = fileio.new_sibling(directory)
        try:
            shutil.copytree(directory, tmp, dirs_exist_ok=True, copy_function=_link_or_copy)
            before = _snapshot(tmp)
            # another command may have changed the round since it was read: start from what is on disk now
            data.comments = load_round(directory.name, directory.parent).comments
            data.directory = tmp
            try:
                yield data
            finally:
                data.directory = directory
            if _snapshot(tmp) != before:
                fileio.swap_directory(tmp, directory, locked=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _snapshot(directory: Path) -> dict[str, int]:
    return {str(p.relative_to(directory)): p.stat().st_ino for p in directory.rglob("*")}


def dump_round(rnd: Round) -> str:
    data: dict[str, Any] = {"id": rnd.id, "kind": rnd.kind, "title": rnd.title}
    if rnd.subject:
        data["subject"] = rnd.subject
    if rnd.organisation:
        data["organisation"] = rnd.organisation
    data["edition"] = rnd.edition
    if rnd.period_start or rnd.period_end:
        data["period"] = {k: v for k, v in (("start", rnd.period_start), ("end", rnd.period_end)) if v}
    if rnd.published:
        data["published"] = rnd.published
    if rnd.result_date:
        data["result_date"] = rnd.result_date
    if rnd.default_prefix:
        data["default_prefix"] = rnd.default_prefix
    if rnd.editorial:
        data["editorial"] = dict(rnd.editorial)
    buf = io.StringIO()
    _yaml().dump(data, buf)
    return buf.getvalue()


def save_round(directory: Path, rnd: Round) -> Path:
    return atomic_write(directory / ROUND_FILE, dump_round(rnd))


__all__ = ["RoundData", "comments_root", "load_round", "save_comment", "save_round", "dump_comment",
           "dump_round", "read_comment", "list_rounds", "round_dir", "normalise_text", "transaction",
           "CATEGORIES", "DISPOSITIONS", "STATUSES"]
