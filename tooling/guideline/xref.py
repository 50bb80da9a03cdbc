"""NISC cross-reference: lookup both ways, coverage of the 遵守事項, and the impact of a new NISC catalog edition.

Plain functions over the model returning frozen dataclasses; the commands (``guideline xref``, ``coverage``,
``impact``), the coverage writers, the OSCAL export and the site's NISC page all build on them. Nothing here prints
or writes files.
"""
from __future__ import annotations

import difflib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from guideline import editions, nisc
from guideline.diagnostics import Loc, Report, UserError, display_path
from guideline.model import Clause, Edition, NiscCatalog, NiscItem, NiscMapping

# --------------------------------------------------------------------------------------------------------------------
# Index


@dataclass(frozen=True)
class MappedClause:
    """One guideline clause's mapping to one NISC identifier."""

    clause_id: str
    address: str
    heading: str
    nisc_id: str
    relationship: str
    rationale: str
    loc: Loc

    @property
    def counts(self) -> bool:
        """Whether the mapping covers the NISC item (``no-relationship`` records a deliberate non-match)."""
        return self.relationship != "no-relationship"


def _mapped(clause: Clause, m: NiscMapping) -> MappedClause:
    return MappedClause(clause.id, clause.address, clause.heading, m.nisc_id, m.relationship, m.rationale, m.loc)


def mapping_index(edition: Edition) -> dict[str, tuple[MappedClause, ...]]:
    """NISC identifier → the clauses mapped to it, in reading order (a clause's repeated mapping counts once)."""
    index: dict[str, list[MappedClause]] = {}
    for clause in edition.clauses():
        seen: set[str] = set()
        for m in clause.meta.nisc:
            if m.nisc_id in seen:
                continue
            seen.add(m.nisc_id)
            index.setdefault(m.nisc_id, []).append(_mapped(clause, m))
    return {k: tuple(v) for k, v in index.items()}


def require_catalog(edition: Edition) -> NiscCatalog:
    if edition.catalog is None:
        raise UserError(f"edition {edition.meta.id} has no NISC catalog; set nisc_catalog in its edition.yaml",
                        loc=edition.meta.loc)
    return edition.catalog


# --------------------------------------------------------------------------------------------------------------------
# NISC identifier → clauses


@dataclass(frozen=True)
class NiscEntry:
    """A NISC item and the clauses mapped to it."""

    item: NiscItem
    label: str  # heading for display (遵守事項 borrow their 対策項目's)
    mappings: tuple[MappedClause, ...]


@dataclass(frozen=True)
class NiscLookup:
    query: str  # as typed
    normalized: str
    catalog_id: str
    catalog_edition: str
    entry: NiscEntry
    parents: tuple[NiscItem, ...]  # from the 部 down
    below: tuple[NiscEntry, ...]  # descendants: every child of a 対策項目; mapped ones only for 部/節/款
    note: str = ""  # e.g. that a sub-item (ア) was read as its 遵守事項

    @property
    def all_mappings(self) -> tuple[MappedClause, ...]:
        return self.entry.mappings + tuple(m for e in self.below for m in e.mappings)


# sub-items the catalog does not list: (ア) of a 遵守事項, a) of a 基本対策事項
_SUBITEM_RES = ((re.compile(r"^(.+\([a-z]+\))\([ア-ン]+\)$"), "遵守事項"),
                (re.compile(r"^(.+\(\d+\)-\d+)\(?[a-z]\)$"), "基本対策事項"))


def lookup_nisc(edition: Edition, query: str) -> NiscLookup:
    """The NISC item named by ``query`` (typed as officials do) and every clause mapped to it or below it.

    Raises UserError with the closest identifiers when the catalog has no such item.
    """
    catalog = require_catalog(edition)
    norm = nisc.normalize_id(query)
    note = ""
    item = catalog.get(norm)
    if item is None:
        # 遵守事項 sub-items (ア)(イ) and 基本対策事項 sub-items a) b) are not catalog entries: show their parent
        for pattern, kind in _SUBITEM_RES:
            m = pattern.match(norm)
            base = catalog.get(m.group(1)) if m else None
            if base is not None and base.kind == kind:
                item = base
                note = (f"{query.strip()}: the catalog lists no sub-items; showing {item.id}, the {item.kind} "
                        "that holds it")
                break
    if item is None:
        raise UserError(_unknown_nisc_message(catalog, query, norm))
    index = mapping_index(edition)
    entry = NiscEntry(item, catalog.label(item.id), index.get(item.id, ()))
    below = []
    for d in catalog.descendants(item.id):
        maps = index.get(d.id, ())
        if maps or item.kind == "対策項目":
            below.append(NiscEntry(d, catalog.label(d.id), maps))
    return NiscLookup(query, item.id, catalog.id, catalog.edition, entry, tuple(catalog.ancestors(item.id)),
                      tuple(below), note)


def _unknown_nisc_message(catalog: NiscCatalog, query: str, norm: str) -> str:
    close = nisc.suggest(catalog, norm, n=5)
    hint = f"; closest: {', '.join(close)}" if close else ""
    if not nisc.is_wellformed(norm):
        return (f"{query.strip()!r} is not a NISC identifier; write it like 7.3.1(1)(a), 7.3.1(2)-1 or 7.3.1(1) "
                f"(full-width digits and brackets are fine){hint}")
    return f"NISC {norm} is not in the catalog {catalog.id} ({catalog.edition}){hint}"


# --------------------------------------------------------------------------------------------------------------------
# Clause → NISC identifiers


@dataclass(frozen=True)
class ClauseMapping:
    nisc_id: str
    relationship: str
    rationale: str
    loc: Loc
    item: NiscItem | None  # None when the catalog does not hold the identifier
    label: str
    parents: tuple[NiscItem, ...]


@dataclass(frozen=True)
class ClauseEntry:
    clause_id: str
    address: str
    heading: str
    loc: Loc
    mappings: tuple[ClauseMapping, ...]


@dataclass(frozen=True)
class ClauseLookup:
    query: str
    catalog_id: str
    catalog_edition: str
    entry: ClauseEntry
    below: tuple[ClauseEntry, ...]  # sub-clauses that carry mappings

    @property
    def all_mappings(self) -> tuple[ClauseMapping, ...]:
        return self.entry.mappings + tuple(m for e in self.below for m in e.mappings)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def find_clause(edition: Edition, query: str) -> Clause:
    """A clause by stable ID (``org-ciso``, ``#org-ciso``), by display address (``第2編第2章 1.(1)``), or by a figure
    or table it holds (``fig-alpha-model``, ``図3``, ``表1``)."""
    q = query.strip().lstrip("#")
    clause = edition.get(q) or edition.get(q.lower())
    if clause is not None:
        return clause
    label = edition.labels.get(q) or edition.labels.get(q.lower())
    if label is not None:
        return edition.by_id[label.clause_id]
    squashed = _squash(q)
    if squashed:
        for c in edition.clauses():
            if c.address and _squash(c.address) == squashed:
                return c
        for label in edition.labels.values():
            if _squash(label.number) == squashed:
                return edition.by_id[label.clause_id]
    close = difflib.get_close_matches(q.lower(), list(edition.by_id), n=5, cutoff=0.6)
    hint = f"; closest: {', '.join(close)}" if close else "; give a clause ID such as org-ciso or an address"
    raise UserError(f"no clause {query.strip()!r} in edition {edition.meta.id}{hint}")


def _clause_entry(edition: Edition, clause: Clause) -> ClauseEntry:
    catalog = edition.catalog
    maps = []
    for m in clause.meta.nisc:
        item = catalog.get(m.nisc_id) if catalog is not None else None
        label = catalog.label(m.nisc_id) if catalog is not None else ""
        parents = tuple(catalog.ancestors(m.nisc_id)) if catalog is not None and item is not None else ()
        maps.append(ClauseMapping(m.nisc_id, m.relationship, m.rationale, m.loc, item, label, parents))
    return ClauseEntry(clause.id, clause.address, clause.heading, clause.loc, tuple(maps))


def lookup_clause(edition: Edition, query: str) -> ClauseLookup:
    catalog = require_catalog(edition)
    clause = find_clause(edition, query)
    below = tuple(_clause_entry(edition, c) for c in clause.walk() if c is not clause and c.meta.nisc)
    return ClauseLookup(query, catalog.id, catalog.edition, _clause_entry(edition, clause), below)


# --------------------------------------------------------------------------------------------------------------------
# Coverage of the 遵守事項


@dataclass(frozen=True)
class CoverageRow:
    item: NiscItem  # a 遵守事項
    part: NiscItem | None  # its 部
    section: NiscItem | None  # its 節
    measure: NiscItem | None  # its 対策項目
    label: str
    mappings: tuple[MappedClause, ...]  # direct mappings, including no-relationship ones

    @property
    def covered(self) -> bool:
        return any(m.counts for m in self.mappings)


@dataclass(frozen=True)
class GroupCoverage:
    """Counts for one 部 or 節; ``gaps`` are the unmapped 遵守事項 in catalog order."""

    item: NiscItem
    total: int
    covered: int
    gaps: tuple[str, ...]
    sections: tuple["GroupCoverage", ...] = ()

    @property
    def uncovered(self) -> int:
        return self.total - self.covered

    @property
    def percent(self) -> int:
        return round(100 * self.covered / self.total) if self.total else 0


@dataclass(frozen=True)
class Coverage:
    edition_id: str
    edition_title: str
    edition_label: str
    edition_date: str
    sample: bool
    catalog_id: str
    catalog_title: str
    catalog_edition: str
    rows: tuple[CoverageRow, ...]
    parts: tuple[GroupCoverage, ...]
    unknown: tuple[MappedClause, ...] = field(default=())  # mappings to identifiers the catalog lacks

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def covered(self) -> int:
        return sum(1 for r in self.rows if r.covered)

    @property
    def uncovered(self) -> int:
        return self.total - self.covered

    @property
    def percent(self) -> int:
        return round(100 * self.covered / self.total) if self.total else 0


def _ancestor_of_kind(parents: list[NiscItem], kind: str) -> NiscItem | None:
    for p in parents:
        if p.kind == kind:
            return p
    return None


def coverage(edition: Edition) -> Coverage:
    """Every 遵守事項 of the pinned catalog with the clauses mapped to it, and the counts per 部 and 節."""
    catalog = require_catalog(edition)
    index = mapping_index(edition)
    rows: list[CoverageRow] = []
    for item in catalog.items:
        if item.kind != "遵守事項":
            continue
        parents = catalog.ancestors(item.id)
        rows.append(CoverageRow(item, _ancestor_of_kind(parents, "部"), _ancestor_of_kind(parents, "節"),
                                _ancestor_of_kind(parents, "対策項目"), catalog.label(item.id),
                                index.get(item.id, ())))
    parts: list[GroupCoverage] = []
    for part in (i for i in catalog.items if i.kind == "部"):
        in_part = [r for r in rows if r.part is not None and r.part.id == part.id]
        sections = []
        for sec in (catalog.by_id[c] for c in catalog.children_of.get(part.id, ())):
            if sec.kind != "節":
                continue
            in_sec = [r for r in in_part if r.section is not None and r.section.id == sec.id]
            sections.append(_group(sec, in_sec))
        parts.append(_group(part, in_part, tuple(sections)))
    unknown = tuple(m for nid, maps in index.items() if nid not in catalog.by_id for m in maps)
    meta = edition.meta
    return Coverage(meta.id, meta.title, meta.label, meta.date.isoformat(), meta.sample, catalog.id, catalog.title,
                    catalog.edition, tuple(rows), tuple(parts),
                    tuple(sorted(unknown, key=lambda m: (m.loc.path, m.loc.line))))


def _group(item: NiscItem, rows: list[CoverageRow], sections: tuple[GroupCoverage, ...] = ()) -> GroupCoverage:
    covered = sum(1 for r in rows if r.covered)
    gaps = tuple(r.item.id for r in rows if not r.covered)
    return GroupCoverage(item, len(rows), covered, gaps, sections)


# --------------------------------------------------------------------------------------------------------------------
# Impact of a new NISC catalog edition


@dataclass(frozen=True)
class Renamed:
    old: NiscItem
    new: NiscItem
    via: str = ""  # "" when matched by its heading, else the renamed ancestor it moved with


@dataclass(frozen=True)
class HeadingChange:
    old: NiscItem
    new: NiscItem


@dataclass(frozen=True)
class ImpactReason:
    nisc_id: str  # the identifier the clause maps to (in the old catalog)
    relationship: str
    change: str  # removed | renamed | heading-changed | parent-heading-changed | added-nearby
    related: str  # the changed identifier (new id for renamed, added id for added-nearby, 対策項目 for parent)
    message: str
    loc: Loc = Loc("", 0)  # where the mapping is written


@dataclass(frozen=True)
class AffectedClause:
    clause_id: str
    address: str
    heading: str
    loc: Loc
    reasons: tuple[ImpactReason, ...]


@dataclass(frozen=True)
class Impact:
    old_id: str
    old_edition: str
    new_id: str
    new_edition: str
    edition_id: str
    added: tuple[NiscItem, ...]
    removed: tuple[NiscItem, ...]
    renamed: tuple[Renamed, ...]
    changed: tuple[HeadingChange, ...]
    affected: tuple[AffectedClause, ...]
    not_in_old: tuple[MappedClause, ...] = ()  # mappings that name identifiers the old catalog lacks


def resolve_catalog(spec: str, edition: Edition | None = None, src: Path | None = None) -> NiscCatalog:
    """A catalog named by id (``guideline_src/nisc/<id>.yaml``, or beside the edition) or by a YAML file path."""
    candidates: list[Path] = []
    as_path = Path(spec)
    if spec.endswith((".yaml", ".yml")) or os.sep in spec or "/" in spec:
        candidates.append(as_path)
    else:
        candidates.append((src or editions.source_root()) / "nisc" / f"{spec}.yaml")
        if edition is not None:
            found = nisc.find_catalog_file(edition.meta.root, spec)
            if found is not None:
                candidates.append(found)
    path = next((c for c in candidates if c.is_file()), None)
    if path is None:
        base = (src or editions.source_root()) / "nisc"
        known = sorted(p.stem for p in base.glob("*.yaml")) if base.is_dir() else []
        choices = f" (known: {', '.join(known)})" if known else ""
        raise UserError(f"no NISC catalog {spec!r}: give a catalog id under {display_path(base)}{choices} or the "
                        "path of a catalog YAML file")
    report = Report()
    catalog = nisc.load_catalog(path, report)
    if catalog is None or report.errors:
        raise UserError(f"the NISC catalog {path} has problems; fix them first", report=report)
    return catalog


def _ordered(catalog: NiscCatalog, ids: set[str]) -> list[NiscItem]:
    return [i for i in catalog.items if i.id in ids]


def compare_catalogs(old: NiscCatalog, new: NiscCatalog) -> tuple[list[NiscItem], list[NiscItem], list[Renamed],
                                                                    list[HeadingChange]]:
    """(added, removed, renamed, heading-changed) between two catalog editions.

    Renamed: the same kind and the same (non-empty) heading under another identifier, when that pairing is unique.
    An identifier may be reused: when 7.3.1 moves to 7.3.2 and a new 7.3.1 is inserted, old 7.3.1 is *renamed* to
    7.3.2 and the new 7.3.1 is *added*. The items below a renamed item that keep their relative identifier and kind
    move with it (7.3.1(1)(a) → 7.3.2(1)(a)); 遵守事項 and 基本対策事項 have no headings of their own, so this is
    how they are followed.
    """
    both = set(old.by_id) & set(new.by_id)
    differs = {i for i in both if old.by_id[i].heading.strip() != new.by_id[i].heading.strip()
               or old.by_id[i].kind != new.by_id[i].kind}
    old_side = (set(old.by_id) - both) | differs
    new_side = (set(new.by_id) - both) | differs

    def key(i: NiscItem) -> tuple[str, str]:
        return (i.kind, i.heading.strip())

    by_key_old: dict[tuple[str, str], list[NiscItem]] = {}
    by_key_new: dict[tuple[str, str], list[NiscItem]] = {}
    for i in _ordered(old, old_side):
        if i.heading.strip():
            by_key_old.setdefault(key(i), []).append(i)
    for i in _ordered(new, new_side):
        if i.heading.strip():
            by_key_new.setdefault(key(i), []).append(i)
    renamed: dict[str, Renamed] = {}
    for k, olds in by_key_old.items():
        news = by_key_new.get(k, [])
        if len(olds) == 1 and len(news) == 1 and olds[0].id != news[0].id:
            renamed[olds[0].id] = Renamed(olds[0], news[0])
    # items below a renamed item move with it; parents come first in catalog order, so one pass in order suffices
    targets = {r.new.id for r in renamed.values()}
    for item in old.items:
        if item.id in renamed:
            continue
        for anc in reversed(old.ancestors(item.id)):  # nearest renamed ancestor
            r = renamed.get(anc.id)
            if r is None:
                continue
            if item.id.startswith(anc.id):
                new_id = r.new.id + item.id[len(anc.id):]
                target = new.get(new_id)
                if target is not None and target.kind == item.kind and new_id not in targets:
                    renamed[item.id] = Renamed(item, target, via=r.via or anc.id)
                    targets.add(new_id)
            break
    renamed_list = [renamed[i.id] for i in old.items if i.id in renamed]
    removed = [i for i in old.items if i.id not in renamed and (i.id not in both or i.id in targets)]
    added = [i for i in new.items if i.id not in targets and (i.id not in both or i.id in renamed)]
    heading_changes = [HeadingChange(old.by_id[i.id], i) for i in new.items
                       if i.id in differs and i.id not in renamed and i.id not in targets]
    heading_changes += [HeadingChange(r.old, r.new) for r in renamed_list
                        if r.via and (r.old.heading.strip() != r.new.heading.strip())]
    return added, removed, renamed_list, heading_changes


def impact(edition: Edition, old: NiscCatalog, new: NiscCatalog) -> Impact:
    """What changed between two catalog editions and every clause of ``edition`` whose mappings touch a change."""
    added, removed, renamed, changes = compare_catalogs(old, new)
    removed_ids = {i.id for i in removed}
    renamed_by_old = {r.old.id: r for r in renamed}
    changed_by_id = {c.old.id: c for c in changes}
    # an added 遵守事項/基本対策事項 is "nearby" for clauses mapped to its 対策項目 or to that 対策項目's other items
    nearby: dict[str, list[str]] = {}
    for a in added:
        parent = new.get(a.parent)
        if parent is None or parent.kind != "対策項目":
            continue
        old_parent = next((r.old.id for r in renamed if r.new.id == parent.id), None)
        if old_parent is None:
            same = old.get(parent.id)
            if same is None or parent.id in renamed_by_old or same.kind != parent.kind:
                continue  # a new 対策項目 (or one reusing an identifier): no clause maps to it yet
            old_parent = parent.id
        for sibling in [old_parent, *old.children_of.get(old_parent, ())]:
            nearby.setdefault(sibling, []).append(a.id)

    affected: list[AffectedClause] = []
    not_in_old: list[MappedClause] = []
    for clause in edition.clauses():
        reasons: list[ImpactReason] = []
        seen: set[str] = set()
        for m in clause.meta.nisc:
            nid = m.nisc_id
            if nid in seen:
                continue
            seen.add(nid)
            item = old.get(nid)
            if item is None:
                not_in_old.append(_mapped(clause, m))
                continue
            found: list[tuple[str, str, str]] = []  # (change, related, message)
            if nid in removed_ids:
                found.append(("removed", nid, f"{nid} was removed in {new.id}: remap the clause or drop the mapping"))
            if nid in renamed_by_old:
                r = renamed_by_old[nid]
                found.append(("renamed", r.new.id, f"{nid} is now {r.new.id}: change the mapping's id"))
            if nid in changed_by_id:
                c = changed_by_id[nid]
                found.append(("heading-changed", c.new.id, f"heading of {nid} changed: {c.old.heading or '（なし）'} "
                                                           f"→ {c.new.heading or '（なし）'}; review the relationship"))
            parent = old.get(item.parent) if item.parent else None
            if parent is not None and parent.kind == "対策項目" and parent.id in changed_by_id:
                c = changed_by_id[parent.id]
                found.append(("parent-heading-changed", parent.id,
                              f"heading of its 対策項目 {parent.id} changed: {c.old.heading} → {c.new.heading}; "
                              "review the relationship"))
            for added_id in nearby.get(nid, ()):
                a = new.by_id[added_id]
                found.append(("added-nearby", added_id, f"{added_id} ({a.kind}) was added under {a.parent}: "
                                                        "consider mapping the clause to it"))
            reasons.extend(ImpactReason(nid, m.relationship, change, related, message, m.loc)
                           for change, related, message in found)
        if reasons:
            affected.append(AffectedClause(clause.id, clause.address, clause.heading, clause.loc, tuple(reasons)))
    return Impact(old.id, old.edition, new.id, new.edition, edition.meta.id, tuple(added), tuple(removed),
                  tuple(renamed), tuple(changes), tuple(affected), tuple(not_in_old))


# --------------------------------------------------------------------------------------------------------------------
# Small helpers shared by the writers


def nisc_oscal_id(nisc_id: str) -> str:
    """A NISC identifier as an OSCAL id (an XML NCName): ``7.3.1(1)(a)`` → ``nisc-7.3.1_1_a``, ``7.3.1(1)-1`` →
    ``nisc-7.3.1_1-1``. Reversible: ``(`` becomes ``_`` and ``)`` is dropped (every ``)`` is followed by ``(``,
    ``-`` or the end)."""
    return "nisc-" + nisc_id.replace("(", "_").replace(")", "")


def neutralize_cell(value: str) -> str:
    """A spreadsheet cell that Excel would read as a formula (= + - @, also after a tab or CR) is prefixed ``'``."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value
