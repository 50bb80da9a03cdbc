"""Moving a local policy onto a new guideline edition, and resolving what a person must decide.

:func:`rebase` diffs the old base edition with the new one (:func:`guideline.diff.compare`, lineage included) and
carries the project across:

- a clause the municipality did not touch simply takes the new text (listed as ``updated`` when it changed);
- an override of a clause whose heading or text the guideline did not change is kept (moved to the new ID when the
  clause was renamed, ``replaces``); an override of a clause the guideline changed, split, merged or deleted is a
  **conflict**: the local text stays in ``clauses/<id>.md``, the three texts (old guideline, new guideline, local)
  with the guideline's inline diff go to ``conflicts/<id>.md``, and ``local.yaml`` lists it until
  :func:`resolve` (``guideline local resolve DIR ID --take new|local|edited``) settles it;
- omissions follow lineage (an omitted clause that was split leaves out its parts, a merge is left out when all its
  sources were), and are dropped with the clause when it is deleted;
- local clauses are never lost: one placed after or under a clause that was deleted moves to the nearest clause
  before it that survives;
- new clauses of the guideline that apply to the model are ``added``, deleted ones ``removed``;
- placeholders the new edition uses for the first time are added to ``local.yaml`` without a value.

The project as it stood goes to ``DIR/previous/`` (a complete project: the old side of ``guideline local diff``).
All of it is assembled in a copy of DIR that replaces DIR in one step, so a failing rebase changes nothing; the
conflicts are files in DIR, so they survive any restart.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from guideline import editions
from guideline.diagnostics import Report, UserError
from guideline.diff import Change, compare
from guideline.diff.inline import diff_texts, wdiff
from guideline.fileio import atomic_directory, atomic_write
from guideline.local.compose import applies, check_project
from guideline.local.project import (
    BASE,
    CLAUSES,
    CONFLICTS,
    FILE,
    PREVIOUS,
    Conflict,
    LocalClause,
    Project,
    base_root,
    copy_base,
    edition_hash,
    is_frozen,
    load,
    load_or_fail,
    placeholders_used,
    read_base,
    read_clauses,
    read_edition_at,
    render,
)
from guideline.model import Clause, Edition, block_text
from guideline.reader import read_fragment


@dataclass
class RebaseResult:
    """What a rebase did, by clause ID (the report JSON)."""

    old: str
    new: str
    updated: list[str] = field(default_factory=list)  # untouched clauses whose guideline text changed
    conflicts: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # overrides carried over unchanged
    renamed: dict[str, str] = field(default_factory=dict)  # old ID -> new ID of carried overrides and omissions
    moved_local: dict[str, str] = field(default_factory=dict)  # local clause -> its new anchor
    placeholders: list[str] = field(default_factory=list)  # new placeholders without a value

    def as_json(self) -> dict:
        return {"from": self.old, "to": self.new, "updated": self.updated, "conflicts": self.conflicts,
                "added": self.added, "removed": self.removed, "kept": self.kept, "renamed": self.renamed,
                "moved_local": self.moved_local, "placeholders_to_fill": self.placeholders}


def _guideline_changed(ch: Change) -> bool:
    """Whether the guideline's own words changed (heading or 例文; a 解説, number or mapping change is not)."""
    if ch.kind in ("split", "merged", "deleted", "added"):
        return True
    return ch.heading_changed or any(d.op != "equal" for d in ch.body)


def _policy_ids(edition: Edition, model: str, omit: set[str]) -> list[str]:
    """IDs of the clauses the policy takes from ``edition`` (model and omissions applied), in reading order."""
    out: list[str] = []

    def walk(c: Clause) -> None:
        for k in c.children:
            if k.id not in omit and applies(k, model):
                out.append(k.id)
                walk(k)

    walk(edition.reibun)
    return out


def _plain(clause: Clause) -> str:
    return f"{clause.heading}\n{block_text(clause.body)}".rstrip()


def _with_id(text: str, old_id: str, new_id: str) -> str:
    """A clause file's text with the ``{#id}`` of its heading changed."""
    return text.replace(f"{{#{old_id}", f"{{#{new_id}", 1)


def _conflict_page(project: Project, conflict: Conflict, old_base: Edition, new_base: Edition,
                   local_text: str) -> str:
    olds = [old_base.get(i) for i in conflict.old_ids]
    old_text = "\n\n".join(_plain(c) for c in olds if c is not None)
    new_clause = new_base.get(conflict.id)
    new_text = _plain(new_clause) if new_clause is not None else ""
    what = {"changed": "本団体が改めた条項を、ガイドラインも改正しました。",
            "deleted": "本団体が改めた条項を、ガイドラインは削除しました。",
            "split": "本団体が改めた条項を、ガイドラインは分割しました。",
            "merged": "本団体が改めた条項を、ガイドラインは統合しました。"}[conflict.kind]
    lines = [f"# 競合 {conflict.id}（{conflict.kind}）", "", what, "",
             f"## 旧ガイドライン（{old_base.meta.id}: {'、'.join(conflict.old_ids)}）", "", old_text or "（なし）", "",
             f"## 新ガイドライン（{new_base.meta.id}: {conflict.id if new_clause is not None else '削除'}）", "",
             new_text or "（削除）", "",
             "## ガイドラインの改正箇所（[-削除-]{+追加+}）", "", wdiff(diff_texts(old_text, new_text)), "",
             f"## 本団体の条文（{CLAUSES}/{conflict.id}.md）", "", local_text.rstrip(), "",
             "## 解決の方法", "",
             f"- 新ガイドラインの条文を採る: guideline local resolve {project.root} {conflict.id} --take new",
             f"- 本団体の条文のままとする: guideline local resolve {project.root} {conflict.id} --take local",
             f"- {CLAUSES}/{conflict.id}.md を書き直して採る: "
             f"guideline local resolve {project.root} {conflict.id} --take edited", ""]
    return "\n".join(lines)


def _copy_project(src: Path, dest: Path, *, skip: tuple[str, ...] = ()) -> None:
    for entry in src.iterdir():
        if entry.name in skip or entry.name.startswith("."):
            continue
        if entry.is_dir():
            shutil.copytree(entry, dest / entry.name, symlinks=False)
        else:
            shutil.copyfile(entry, dest / entry.name)


def _anchor_survivor(old_base: Edition, cid: str, new_id_of: dict[str, str]) -> tuple[str, str]:
    """Where to put something that stood after/under the deleted clause ``cid``: ("after", X) for the nearest
    earlier sibling that survives, else ("under", X) for the nearest surviving ancestor."""
    parent = old_base.parent(cid)
    while parent is not None:
        kids = [k.id for k in parent.children]
        for prev in reversed(kids[:kids.index(cid)]):
            if prev in new_id_of:
                return "after", new_id_of[prev]
        if parent.id in new_id_of:
            return "under", new_id_of[parent.id]
        cid, parent = parent.id, old_base.parent(parent.id)
    return "under", old_base.meta.reibun_part


def rebase(root: Path, to: str) -> RebaseResult:
    """Rebase the project in ``root`` onto edition ``to``; DIR is replaced whole on success, untouched on failure."""
    project = load_or_fail(root)
    if project.conflicts:
        raise UserError(f"{root} has {len(project.conflicts)} open conflicts from the last rebase "
                        f"({', '.join(c.id for c in project.conflicts)}); resolve them first "
                        f"(guideline local resolve {root} ID --take new|local|edited)")
    old_base = read_base(project)
    report = Report()
    if check_project(project, old_base, report) is None:
        raise UserError(f"the policy in {root} has problems; fix them before rebasing (guideline local check {root})",
                        report=report)
    clauses = read_clauses(project, old_base, Report())
    new_root = editions.resolve(to)
    new_base = read_edition_at(new_root, to)
    cs = compare(old_base, new_base)
    by_old = cs.by_old_id()
    result = RebaseResult(old_base.meta.id, new_base.meta.id)
    new_ids = {c.id for c in new_base.clauses()}
    new_id_of: dict[str, str] = {}  # old ID -> the new clause that continues it (one-to-one or merged into)
    for ch in cs.changes:
        if ch.old and ch.new and (len(ch.new) == 1 or ch.kind == "changed"):
            for c in ch.old:
                new_id_of[c.id] = ch.new[0].id
        elif ch.kind == "split":
            new_id_of[ch.old[0].id] = ch.old[0].id if ch.old[0].id in new_ids else ch.new[0].id

    # overrides
    conflicts: list[Conflict] = []
    files: dict[str, str] = {}  # clauses/<id>.md of the new project -> text
    conflict_pages: dict[str, str] = {}
    merged_into: dict[str, list[str]] = {}
    for cid in sorted(clauses.overrides):
        text = project.clause_file(cid).read_text(encoding="utf-8")
        ch = by_old[cid]
        if not _guideline_changed(ch):
            target = ch.new[0].id
            files[target] = _with_id(text, cid, target)
            result.kept.append(target)
            if target != cid:
                result.renamed[cid] = target
            continue
        if ch.kind == "deleted":
            conflicts.append(Conflict(cid, "deleted", (cid,)))
            files[cid] = text
        elif ch.kind == "merged":
            target = ch.new[0].id
            merged_into.setdefault(target, []).append(cid)
            files[target] = (files[target].rstrip("\n") + "\n\n" + text.split("\n", 1)[1].lstrip("\n")
                             if target in files else _with_id(text, cid, target))
        else:
            target = new_id_of.get(cid, cid)
            conflicts.append(Conflict(target, ch.kind, (cid,)))
            files[target] = _with_id(text, cid, target)
    for target, olds in merged_into.items():
        conflicts.append(Conflict(target, "merged", tuple(olds)))
    for c in conflicts:
        conflict_pages[c.id] = _conflict_page(project, c, old_base, new_base, files[c.id])
    result.conflicts = [c.id for c in conflicts]

    # omissions
    omit: list[str] = []
    for cid in project.omit:
        ch = by_old[cid]
        if ch.kind == "deleted":
            continue
        if ch.kind == "merged":
            if all(o in project.omit for o in ch.old_ids):
                omit.append(ch.new[0].id)
            continue
        for n in ch.new_ids:
            if n != cid:
                result.renamed[cid] = n
            omit.append(n)
    omit = list(dict.fromkeys(omit))

    # local clauses: never lost; re-anchored when their anchor went away
    local: list[LocalClause] = []
    for lc in project.local:
        kind, anchor = ("after", lc.after) if lc.after else ("under", lc.under)
        if anchor not in clauses.local:
            if anchor in new_id_of:
                anchor = new_id_of[anchor]
            else:
                kind, anchor = _anchor_survivor(old_base, anchor, new_id_of)
            if anchor != (lc.after or lc.under):
                result.moved_local[lc.id] = f"{kind}: {anchor}"
        local.append(LocalClause(lc.id, anchor if kind == "after" else "", anchor if kind == "under" else ""))
        files[lc.id] = project.clause_file(lc.id).read_text(encoding="utf-8")

    # what the policy gains and loses
    old_policy = _policy_ids(old_base, project.model, set(project.omit))
    new_policy = set(_policy_ids(new_base, project.model, set(omit)))
    carried = set()
    for oid in old_policy:
        ch = by_old[oid]
        carried.update(ch.new_ids)
        if ch.kind == "deleted" or not (set(ch.new_ids) & new_policy):
            result.removed.append(oid)
        elif oid not in clauses.overrides and _guideline_changed(ch):
            result.updated.extend(n for n in ch.new_ids if n in new_policy and n not in result.updated)
    result.added = [c for c in _policy_ids(new_base, project.model, set(omit)) if c not in carried]

    placeholders = dict(project.placeholders)
    for name in placeholders_used(new_base.reibun):
        if name not in placeholders:
            placeholders[name] = ""
    result.placeholders = [k for k, v in placeholders.items() if not v]

    new_project = Project(root=project.root, name=project.name, kind=project.kind, model=project.model,
                          base_edition=new_base.meta.id, base_sha256=edition_hash(new_root), style=project.style,
                          status=project.status, date=project.date, placeholders=placeholders, omit=omit,
                          local=local, conflicts=conflicts)
    old_base_dir = base_root(project)
    with atomic_directory(root) as tmp:
        previous = tmp / PREVIOUS
        previous.mkdir()
        _copy_project(root, previous, skip=(PREVIOUS, CONFLICTS, BASE))
        if (root / BASE).is_dir():
            shutil.copytree(root / BASE, previous / BASE)
        elif not is_frozen(project.base_edition):
            copy_base(old_base_dir, previous / BASE)
        _copy_project(root, tmp, skip=(PREVIOUS, CONFLICTS, BASE, CLAUSES, FILE))
        (tmp / CLAUSES).mkdir()
        for cid, text in sorted(files.items()):
            atomic_write(tmp / CLAUSES / f"{cid}.md", text)
        if conflict_pages:
            (tmp / CONFLICTS).mkdir()
            for cid, page in sorted(conflict_pages.items()):
                atomic_write(tmp / CONFLICTS / f"{cid}.md", page)
        if not is_frozen(to):
            copy_base(new_root, tmp / BASE)
        atomic_write(tmp / FILE, render(new_project))
    return result


TAKES = ("new", "local", "edited")


def resolve(root: Path, clause_id: str, take: str) -> str:
    """Settle the open conflict on ``clause_id``: ``new`` drops the local text (the guideline's new text is used),
    ``local`` keeps ``clauses/<id>.md`` as it was, ``edited`` takes that file as the person rewrote it (it must
    read cleanly). An override of a deleted clause kept with ``local``/``edited`` becomes a local clause where the
    deleted clause stood. Returns a line saying what was done; DIR is replaced whole, or untouched on failure."""
    report = Report()
    project = load(root, report)
    if project is None:
        raise UserError(f"{root / FILE} has problems; fix them first", report=report)
    conflict = next((c for c in project.conflicts if c.id == clause_id), None)
    if conflict is None:
        open_ids = ", ".join(c.id for c in project.conflicts) or "none"
        raise UserError(f"no open conflict on {clause_id!r} in {root} (open: {open_ids})")
    path = project.clause_file(clause_id)
    if take in ("local", "edited"):
        if not path.is_file():
            raise UserError(f"{path} is missing; write the clause there, or resolve with --take new")
        clauses = read_fragment(path, report)
        if report.failed() or not clauses or clauses[0].id != clause_id:
            if not report.failed():
                report.error(clauses[0].loc if clauses else project.loc(), f"the file must start with the heading "
                                                                           f"of clause {{#{clause_id}}}")
            raise UserError(f"{path} does not read as the clause {clause_id}; fix it first", report=report)
    remaining = [c for c in project.conflicts if c.id != clause_id]
    local = list(project.local)
    done = {"new": "the guideline's new text is used", "local": "the local text is kept",
            "edited": "the edited text is used"}[take]
    if conflict.kind == "deleted" and take != "new":
        base = read_base(project)
        prev_project = load_or_fail(root / PREVIOUS) if (root / PREVIOUS / FILE).is_file() else None
        old_base = read_base(prev_project) if prev_project is not None else None
        if old_base is not None and old_base.get(clause_id) is not None:
            new_ids = {c.id for c in base.clauses()}
            kind, anchor = _anchor_survivor(old_base, clause_id, {i: i for i in new_ids})
        else:
            kind, anchor = "under", base.meta.reibun_part
        local.append(LocalClause(clause_id, anchor if kind == "after" else "", anchor if kind == "under" else ""))
        done += f"; it is now a local clause ({kind}: {anchor})"
    project.conflicts = remaining
    project.local = local
    with atomic_directory(root) as tmp:
        _copy_project(root, tmp, skip=(FILE,))
        if take == "new":
            (tmp / CLAUSES / f"{clause_id}.md").unlink(missing_ok=True)
        (tmp / CONFLICTS / f"{clause_id}.md").unlink(missing_ok=True)
        if (tmp / CONFLICTS).is_dir() and not any((tmp / CONFLICTS).iterdir()):
            (tmp / CONFLICTS).rmdir()
        atomic_write(tmp / FILE, render(project))
    return f"{clause_id}: {done}; {len(remaining)} conflicts open"
