"""A local policy project on disk: ``local.yaml``, ``clauses/<id>.md``, and the base edition it was made from.

``local.yaml`` (written by ``guideline local init``, edited by the municipality)::

    name: ○○町                 # the municipality, printed in the title
    kind: 町                   # 市 町 村 県 都 道 府 区: gives 〔本市〕 its value (本町)
    model: beta-prime          # alpha | alpha-prime | beta | beta-prime: clauses of other models are left out
    style: articles            # outline (the guideline's numbers) | articles (第N条, as a 訓令)
    base:
      edition: r5-03           # the guideline edition the policy follows
      sha256: 3f…              # of that edition's files, so that a changed base is noticed
    placeholders:              # a value for every {{placeholder}} of the edition's 例文
      本市: 本町
      ○○副市長: 副町長
    omit: [org-no-dual-roles]  # guideline clauses the policy leaves out
    local:                     # the municipality's own clauses, each in clauses/<id>.md
      - {id: town-telework, after: hr-private-devices}   # or under: <clause-id> (as its last sub-clause)
    conflicts: []              # open conflicts of the last rebase (guideline local resolve)

The base edition is read from ``DIR/base/`` when the project keeps a copy there (made for editions that are not
frozen, such as the draft), else by its id, whose files must still have the recorded hash.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from guideline import editions, nisc, yamlio
from guideline.diagnostics import Loc, Report, UserError
from guideline.fileio import atomic_directory, atomic_write
from guideline.model import NETWORK_MODELS, Clause, Edition, Placeholder, iter_inlines
from guideline.reader import ID_RE, read_edition, read_edition_meta, read_fragment

FILE = "local.yaml"
CLAUSES = "clauses"
BASE = "base"
PREVIOUS = "previous"  # the project as it stood before the last rebase (the old side of ``local diff``)
CONFLICTS = "conflicts"  # DIR/conflicts/<id>.md: the three texts of an open conflict, for a person to read
KINDS = ("市", "町", "村", "県", "都", "道", "府", "区")
STYLES = ("outline", "articles")
STATUSES = ("案", "確定")
CONFLICT_KINDS = ("changed", "deleted", "split", "merged")
HEADING_PLACEHOLDER_RE = re.compile(r"\{\{([^{}]+)\}\}")  # a placeholder in a heading (kept as text there)
KEYS = ("name", "kind", "model", "style", "status", "date", "base", "placeholders", "omit", "local", "conflicts")


@dataclass(frozen=True)
class LocalClause:
    """Where a local clause goes: right after the clause ``after``, or as the last sub-clause of ``under``."""

    id: str
    after: str = ""
    under: str = ""
    loc: Loc = Loc("", 0)


@dataclass(frozen=True)
class Conflict:
    """An override the guideline also changed (or deleted, split, merged), waiting for ``local resolve``.

    ``id``: the clause the resolution applies to (the new edition's ID; the old one for a deleted clause);
    ``old_ids``: the overridden clauses of the old edition it comes from."""

    id: str
    kind: str
    old_ids: tuple[str, ...] = ()
    loc: Loc = Loc("", 0)


@dataclass
class Project:
    root: Path
    name: str
    kind: str
    model: str
    base_edition: str
    base_sha256: str = ""
    style: str = "outline"
    status: str = "案"
    date: datetime.date | None = None
    placeholders: dict[str, str] = field(default_factory=dict)
    omit: list[str] = field(default_factory=list)
    local: list[LocalClause] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    lines: dict[tuple, int] = field(default_factory=dict)  # where each key of local.yaml stands

    @property
    def path(self) -> Path:
        return self.root / FILE

    def loc(self, *key) -> Loc:
        """``local.yaml:line`` of a key path such as ("placeholders", "本市")."""
        while key and key not in self.lines:
            key = key[:-1]
        return Loc(str(self.path), self.lines.get(key, 1))

    def clause_file(self, clause_id: str) -> Path:
        return self.root / CLAUSES / f"{clause_id}.md"

    @property
    def local_ids(self) -> list[str]:
        return [lc.id for lc in self.local]


def home_word(kind: str) -> str:
    """How the 例文's 〔本市〕 reads for a municipality of this kind: 町 → 本町."""
    return f"本{kind}" if kind in KINDS else ""


def placeholders_used(part: Clause) -> dict[str, Loc]:
    """Every placeholder in the text and headings below ``part``, with where it first occurs."""
    found: dict[str, Loc] = {}
    for clause in part.walk():
        for name in HEADING_PLACEHOLDER_RE.findall(clause.heading):
            found.setdefault(name.strip(), clause.loc)
        for node in iter_inlines(clause.body):
            if isinstance(node, Placeholder):
                found.setdefault(node.text, clause.loc)
    return found


def kind_of(name: str) -> str:
    """The municipality type from its name when it ends in one (○○町 → 町), else ""."""
    return name[-1] if name and name[-1] in KINDS else ""


# --------------------------------------------------------------------------------------------------------------------
# local.yaml


def load(root: str | os.PathLike[str], report: Report) -> Project | None:
    """Read ``root/local.yaml``; problems go to ``report`` as ``local.yaml:line``. None when it cannot be used."""
    root = Path(root)
    path = root / FILE
    if not path.is_file():
        raise UserError(f"{root} is not a local policy project (no {FILE}); create one with "
                        f"guideline local init {root} --edition r5-03 --name ○○町")
    try:
        text = path.read_text(encoding="utf-8")
        doc = yamlio.load(text)
    except UnicodeDecodeError:
        report.error(Loc(str(path), 1), "not UTF-8 text; save it as UTF-8")
        return None
    except yamlio.YamlProblem as exc:
        report.error(Loc(str(path), exc.line), exc.message)
        return None
    data = doc.data
    at = lambda *key: Loc(str(path), doc.line(*key))  # noqa: E731
    if not isinstance(data, dict):
        report.error(at(), "local.yaml must be a mapping (name:, model:, base: …)")
        return None
    ok = True
    for key in data:
        if key not in KEYS:
            report.error(at(key), f"unknown key {key!r}; the keys are {', '.join(KEYS)}")
            ok = False

    def text_of(key: str, required: bool = True, default: str = "") -> str:
        nonlocal ok
        value = data.get(key)
        if value is None:
            if required:
                report.error(at(), f"{key}: is missing; add it")
                ok = False
            return default
        if not isinstance(value, str) or not value.strip():
            report.error(at(key), f"{key}: must be a non-empty text")
            ok = False
            return default
        return value.strip()

    name = text_of("name")
    kind = text_of("kind", required=False, default=kind_of(name))
    if kind and kind not in KINDS:
        report.error(at("kind"), f"kind: {kind!r} is not one of {' '.join(KINDS)}")
        ok = False
    model = text_of("model")
    if model and model not in NETWORK_MODELS:
        report.error(at("model"), f"model: {model!r} is not one of {', '.join(NETWORK_MODELS)}")
        ok = False
    style = text_of("style", required=False, default="outline")
    if style not in STYLES:
        report.error(at("style"), f"style: {style!r} is not one of {', '.join(STYLES)}")
        ok = False
    status = text_of("status", required=False, default="案")
    if status not in STATUSES:
        report.error(at("status"), f"status: {status!r} is not one of {' '.join(STATUSES)}")
        ok = False
    date = data.get("date")
    if date is not None and not isinstance(date, datetime.date):
        report.error(at("date"), "date: must be an ISO date such as 2025-04-01")
        ok = False
        date = None
    base = data.get("base")
    base_edition = sha = ""
    if not isinstance(base, dict) or not isinstance(base.get("edition"), str):
        report.error(at("base"), "base: must hold edition: <edition id> (and sha256:)")
        ok = False
    else:
        base_edition = base["edition"]
        sha = doc.text("base", "sha256") or ""  # as written: a hash of digits alone would read as a number
        for key in base:
            if key not in ("edition", "sha256"):
                report.error(at("base", key), f"unknown key base.{key}; base holds edition and sha256")
                ok = False
    placeholders: dict[str, str] = {}
    raw = data.get("placeholders") or {}
    if not isinstance(raw, dict):
        report.error(at("placeholders"), "placeholders: must map each placeholder to its value (本市: 本町)")
        ok = False
    else:
        for key, value in raw.items():
            if value is None:
                value = ""
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                report.error(at("placeholders", key), f"placeholders.{key}: give a text")
                ok = False
                continue
            placeholders[str(key)] = str(value)
    omit = _id_list(data, "omit", at, report)
    local: list[LocalClause] = []
    raw_local = data.get("local") or []
    if not isinstance(raw_local, list):
        report.error(at("local"), "local: must be a list of {id: …, after: …} or {id: …, under: …}")
        ok = False
    else:
        for i, item in enumerate(raw_local):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                report.error(at("local", i), "a local clause needs id: (and after: or under:); give it an ID such "
                                             "as town-telework, the same as in its clauses/<id>.md heading")
                ok = False
                continue
            unknown = [k for k in item if k not in ("id", "after", "under")]
            if unknown:
                report.error(at("local", i, unknown[0]), f"unknown key {unknown[0]!r}; a local clause has id, "
                                                         "after or under")
                ok = False
            if not ID_RE.match(item["id"]) or item["id"] in [lc.id for lc in local]:
                report.error(at("local", i, "id"), f"local clause ID {item['id']!r} must be new and look like "
                                                  "town-telework (a-z, 0-9, -; 2 to 40 characters)")
                ok = False
            after, under = str(item.get("after") or ""), str(item.get("under") or "")
            if bool(after) == bool(under):
                report.error(at("local", i), f"local clause {item['id']}: give exactly one of after: <clause-id> "
                                             "or under: <clause-id>")
                ok = False
            local.append(LocalClause(item["id"], after, under, at("local", i)))
    conflicts: list[Conflict] = []
    raw_conf = data.get("conflicts") or []
    if not isinstance(raw_conf, list):
        report.error(at("conflicts"), "conflicts: is written by guideline local rebase; do not edit it")
        ok = False
    else:
        for i, item in enumerate(raw_conf):
            if not isinstance(item, dict) or item.get("kind") not in CONFLICT_KINDS or \
                    not isinstance(item.get("id"), str):
                report.error(at("conflicts", i), "malformed conflict entry (written by guideline local rebase); "
                                                 "restore local.yaml from the rebase")
                ok = False
                continue
            olds = item.get("old_ids") or []
            conflicts.append(Conflict(item["id"], item["kind"], tuple(str(x) for x in olds), at("conflicts", i)))
    if not ok:
        return None
    return Project(root=root, name=name, kind=kind, model=model, base_edition=base_edition, base_sha256=sha,
                   style=style, status=status, date=date, placeholders=placeholders, omit=omit, local=local,
                   conflicts=conflicts, lines=dict(doc.lines))


def _id_list(data: dict, key: str, at, report: Report) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        report.error(at(key), f"{key}: must be a list of clause IDs")
        return []
    return list(value)


def load_or_fail(root: str | os.PathLike[str]) -> Project:
    report = Report()
    project = load(root, report)
    if project is None or report.failed():
        raise UserError(f"{Path(root) / FILE} has problems; fix them first", report=report)
    return project


def _q(text: str) -> str:
    """A YAML scalar for text: plain when safe, else double-quoted (JSON escapes are valid YAML)."""
    if text and re.fullmatch(r"[^\s:#\[\]{},&*!|>'\"%@`\-?][^:#\[\]{},]*", text) and text == text.strip() \
            and text.lower() not in ("true", "false", "null", "yes", "no", "on", "off", "~") \
            and not re.fullmatch(r"[0-9.+\-eE_:]+", text):
        return text
    return json.dumps(text, ensure_ascii=False)


def render(project: Project) -> str:
    """local.yaml as text: the keys in a fixed order, so that the same project always gives the same bytes."""
    out = ["# guideline local policy project (docs/local.md). Edit name, model, style, placeholders, omit, local;",
           "# base and conflicts are written by guideline local init/rebase/resolve.",
           f"name: {_q(project.name)}"]
    if project.kind:
        out.append(f"kind: {_q(project.kind)}")
    out += [f"model: {project.model}", f"style: {project.style}", f"status: {project.status}"]
    if project.date is not None:
        out.append(f"date: {project.date.isoformat()}")
    out += ["base:", f"  edition: {_q(project.base_edition)}"]
    if project.base_sha256:
        out.append(f"  sha256: {project.base_sha256}")
    if project.placeholders:
        out.append("placeholders:")
        out += [f"  {_q(k)}: {_q(v) if v else ''}".rstrip() for k, v in project.placeholders.items()]
    else:
        out.append("placeholders: {}")
    out.append("omit:" + ("" if project.omit else " []"))
    out += [f"  - {cid}" for cid in project.omit]
    out.append("local:" + ("" if project.local else " []"))
    for lc in project.local:
        where = f"after: {lc.after}" if lc.after else f"under: {lc.under}"
        out.append(f"  - {{id: {lc.id}, {where}}}")
    out.append("conflicts:" + ("" if project.conflicts else " []"))
    for c in project.conflicts:
        olds = ", ".join(c.old_ids)
        out.append(f"  - {{id: {c.id}, kind: {c.kind}, old_ids: [{olds}]}}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------------------------------
# clause files


@dataclass
class Clauses:
    """The clause files of a project: overrides of guideline clauses and local clauses, by ID."""

    overrides: dict[str, Clause] = field(default_factory=dict)
    local: dict[str, Clause] = field(default_factory=dict)


def read_clauses(project: Project, base: Edition, report: Report) -> Clauses:
    """Read ``clauses/*.md``: a file whose ID the base edition has is an override (one clause, no sub-clauses); a
    file listed under ``local:`` is a local clause (it may have sub-clauses). Anything else is an error."""
    out = Clauses()
    folder = project.root / CLAUSES
    listed = set(project.local_ids)
    files = sorted(folder.glob("*.md")) if folder.is_dir() else []
    for path in files:
        clauses = read_fragment(path, report)
        if not clauses:
            if not any(d.loc.path == str(path) for d in report.errors):
                report.error(Loc(str(path), 1), "no clause heading; start the file with the clause's heading line, "
                                                "e.g. ##### 見出し {#clause-id}")
            continue
        first = clauses[0]
        if len(clauses) > 1:
            report.error(clauses[1].loc, "one clause per file (sub-clauses only below it, with more #); move this "
                                         f"clause to {CLAUSES}/{clauses[1].id}.md")
        if first.id.startswith("?") or not ID_RE.match(first.id):
            continue  # the reader reported the missing or malformed {#id}
        if first.id != path.stem:
            report.error(first.loc, f"the clause ID {first.id!r} differs from the file name; rename the file to "
                                    f"{first.id}.md or fix the {{#id}}")
            continue
        if first.id in listed:
            if base.get(first.id) is not None:
                report.error(first.loc, f"local clause {first.id!r} has the ID of a clause of {base.meta.id}; give "
                                        "it an ID of its own (in the file name, the heading and local.yaml)")
                continue
            out.local[first.id] = first
        elif base.get(first.id) is not None:
            if first.children:
                report.error(first.children[0].loc, "an override holds one clause; override a sub-clause in its "
                                                    f"own file {CLAUSES}/{first.children[0].id}.md")
            out.overrides[first.id] = first
        else:
            report.error(first.loc, f"{first.id!r} is no clause of the base edition {base.meta.id}; if it is a "
                                    f"local clause, list it in local.yaml under local: with after: or under:")
    for lc in project.local:
        if lc.id not in out.local and not project.clause_file(lc.id).is_file():
            report.error(lc.loc, f"local clause {lc.id!r} has no file; write it as {CLAUSES}/{lc.id}.md")
    return out


# --------------------------------------------------------------------------------------------------------------------
# the base edition


def figure_names(root: Path) -> list[str]:
    """The files of an edition's ``figures/`` folder (its drawings, docs/source-format.md), relative to the edition;
    a symbolic link is left out (the reader refuses one leading outside)."""
    folder = Path(root) / "figures"
    if not folder.is_dir():
        return []
    return sorted(p.relative_to(root).as_posix() for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def edition_hash(root: str | os.PathLike[str]) -> str:
    """SHA-256 over an edition's edition.yaml and its listed files (names and bytes, in order)."""
    root = Path(root)
    meta = read_edition_meta(root, Report())
    digest = hashlib.sha256()
    names = ["edition.yaml", *(meta.files if meta is not None else ()), *figure_names(root)]
    for name in names:
        digest.update(name.encode("utf-8") + b"\0")
        try:
            digest.update((root / name).read_bytes())
        except OSError:
            digest.update(b"\1missing")
        digest.update(b"\0")
    return digest.hexdigest()


def is_frozen(spec: str, src: Path | None = None) -> bool:
    """A frozen edition id (``guideline_src/editions/<id>/``): its files never change, so an id is enough."""
    src = src or editions.source_root()
    return not spec.startswith("git:") and spec != "draft" and (src / "editions" / spec / "edition.yaml").is_file()


def copy_base(edition_root: Path, target: Path) -> None:
    """Copy an edition's files (and its NISC catalog) into ``target`` (a project's ``base/``)."""
    meta = read_edition_meta(edition_root, Report())
    if meta is None:
        raise UserError(f"{edition_root}: cannot read edition.yaml")
    target.mkdir(parents=True, exist_ok=True)
    for name in ("edition.yaml", *meta.files, *figure_names(edition_root)):
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(edition_root / name, dest)
    if meta.nisc_catalog:
        cat = nisc.find_catalog_file(edition_root, meta.nisc_catalog)
        if cat is not None:
            (target / "nisc").mkdir(exist_ok=True)
            shutil.copyfile(cat, target / "nisc" / cat.name)


def base_root(project: Project) -> Path:
    """The directory of the base edition: the project's copy, else the edition by id."""
    copy = project.root / BASE
    if (copy / "edition.yaml").is_file():
        return copy
    return editions.resolve(project.base_edition)


def check_base(project: Project, report: Report) -> None:
    """A warning when the base edition's files are no longer those the policy was made from (a frozen edition
    corrected since): the policy builds on the current text, but a rebase compares from it, not from the old one."""
    root = base_root(project)
    if project.base_sha256 and root != project.root / BASE and edition_hash(root) != project.base_sha256:
        report.warning(project.loc("base", "sha256"),
                       f"the base edition {project.base_edition!r} has changed since this policy was made from it "
                       f"(other sha256); check its changes, then record it with guideline local rebase "
                       f"{project.root} --to {project.base_edition}")


def read_base(project: Project) -> Edition:
    return read_edition_at(base_root(project), project.base_edition)


def read_edition_at(root: Path, name: str) -> Edition:
    edition, report = read_edition(root)
    if edition is None or report.failed():
        raise UserError(f"edition {name!r} has problems; fix them first (guideline check --edition {name})",
                        report=report)
    if edition.reibun is None:
        raise UserError(f"edition {name!r} names no 例文 part (reibun_part: in edition.yaml); a local policy is made "
                        "from the 例文")
    return edition


def deputy_word(kind: str) -> str:
    """The CISO of the 例文 (〔○○副市長〕) for a municipality of this kind: 副町長, 副知事 for a prefecture."""
    if kind in ("県", "都", "道", "府"):
        return "副知事"
    return f"副{kind}長" if kind in KINDS else ""


def new_project(target: Path, edition_spec: str, name: str, model: str, kind: str = "",
                style: str = "outline") -> tuple[Project, Path, Edition]:
    """A project about to be created in ``target`` (new or empty): local.yaml's content with a value for every
    placeholder of the 例文 (本市 and 副市長 prefilled from the municipality's kind, the rest empty), the base
    edition's directory and the edition."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UserError(f"{target} exists and is not empty; give a new directory for the local policy")
    kind = kind or kind_of(name)
    if not kind:
        raise UserError(f"cannot tell from {name!r} whether it is a 市, 町, 村 or 県; give --kind 市|町|村|県|…")
    root = editions.resolve(edition_spec)
    base = read_edition_at(root, edition_spec)
    guesses = {"本市": home_word(kind), "○○副市長": deputy_word(kind)}
    project = Project(root=target, name=name, kind=kind, model=model, base_edition=base.meta.id,
                      base_sha256=edition_hash(root), style=style,
                      placeholders={p: guesses.get(p, "") for p in placeholders_used(base.reibun)})
    return project, root, base


def write_new(project: Project, edition_spec: str, edition_root: Path, files: dict[str, str] | None = None) -> None:
    """Create the project's directory whole: local.yaml, clauses/ (with ``files``: relative path -> text), and a
    copy of the base edition in base/ when it is not a frozen edition."""
    with atomic_directory(project.root) as tmp:
        (tmp / CLAUSES).mkdir()
        atomic_write(tmp / CLAUSES / ".keep", "")
        for name, text in sorted((files or {}).items()):
            atomic_write(tmp / name, text)
        if not is_frozen(edition_spec):
            copy_base(edition_root, tmp / BASE)
        atomic_write(tmp / FILE, render(project))


def init_project(target: Path, edition_spec: str, name: str, model: str, kind: str = "",
                 style: str = "outline") -> Project:
    """Create a local policy project in ``target`` (see :func:`new_project`) with no overrides yet."""
    project, root, _ = new_project(target, edition_spec, name, model, kind, style)
    write_new(project, edition_spec, root)
    return project



def from_git(directory: Path, ref: str) -> Path:
    """The project in ``directory`` as it stood at git revision ``ref`` (``git:REF`` on the command line), in a
    temporary directory removed when the process ends."""
    return editions.export_at(Path(directory).resolve(), ref, f"git:{ref}")
