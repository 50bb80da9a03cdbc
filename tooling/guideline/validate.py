"""Checks that need the whole edition (and its neighbours): NISC mappings, cross-references, lineage.

The reader already reports everything that one clause shows on its own (IDs, YAML, keys, values).
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Iterator

from guideline import nisc, yamlio
from guideline.diagnostics import Loc, Report
from guideline.model import (
    HEADING_KINDS,
    Block,
    BlockQuote,
    Box,
    BulletList,
    Clause,
    Edition,
    Figure,
    Footnote,
    FootnoteRef,
    GridTable,
    OrderedList,
    Para,
    Table,
    XRef,
    iter_blocks,
    iter_inlines,
)

_HEADING_ID_RE = re.compile(r"^#{1,6}\s.*\{[^{}]*#([a-z][a-z0-9-]{1,39})[^{}]*\}\s*$", re.M)


def validate(edition: Edition, report: Report, src: Path | None = None) -> Report:
    check_structure(edition, report)
    check_mappings(edition, report)
    check_xrefs(edition, report)
    check_labels(edition, report)
    check_footnotes(edition, report)
    check_lineage(edition, report, src)
    return report


def check_structure(edition: Edition, report: Report) -> None:
    meta = edition.meta
    if meta.reibun_part:
        part = edition.get(meta.reibun_part)
        loc = Loc(meta.loc.path, yamlio.key_line(meta.loc.path, "reibun_part"))
        if part is None:
            report.error(loc, f"reibun_part {meta.reibun_part!r} is not a clause ID of this edition")
        elif part.level != 1:
            report.error(loc, f"reibun_part {meta.reibun_part!r} must be a 編 (a '# ' heading)")


def check_mappings(edition: Edition, report: Report) -> None:
    catalog = edition.catalog
    for clause in edition.clauses():
        seen: dict[str, Loc] = {}
        for m in clause.meta.nisc:
            if m.nisc_id in seen:
                report.warning(m.loc, f"{clause.id} maps to NISC {m.nisc_id} twice (first at line "
                                      f"{seen[m.nisc_id].line}); keep one mapping")
                continue
            seen[m.nisc_id] = m.loc
            if catalog is None or not nisc.is_wellformed(m.nisc_id):
                continue
            item = catalog.get(m.nisc_id)
            if item is None:
                close = nisc.suggest(catalog, m.nisc_id)
                hint = f"; closest: {', '.join(close)}" if close else ""
                report.error(m.loc, f"NISC {m.nisc_id} is not in the pinned catalog {catalog.id} "
                                    f"({catalog.edition}){hint}")
            elif item.kind in HEADING_KINDS:
                kids = [k for k in catalog.descendants(item.id) if k.kind in ("遵守事項", "基本対策事項")][:3]
                hint = f", e.g. {', '.join(k.id for k in kids)}" if kids else ""
                report.warning(m.loc, f"NISC {m.nisc_id} is a {item.kind} heading, not a requirement; map to a "
                                      f"遵守事項 or 基本対策事項{hint}")


def _blocks_with_lines(blocks: tuple[Block, ...]) -> Iterator[tuple[int, Block]]:
    for b in blocks:
        yield getattr(b, "line", 0), b
        if isinstance(b, (BulletList, OrderedList)):
            for item in b.items:
                yield from _blocks_with_lines(item)
        elif isinstance(b, (BlockQuote, Box, Footnote)):
            yield from _blocks_with_lines(b.blocks)


def check_xrefs(edition: Edition, report: Report) -> None:
    ids = edition.by_id
    labels = edition.labels
    for clause in edition.clauses():
        for blocks in (clause.body, clause.commentary, clause.footnotes):
            for line, block in _blocks_with_lines(blocks):
                if not isinstance(block, (Para, Table, Figure, GridTable)):
                    continue
                for node in iter_inlines((block,)):
                    if isinstance(node, XRef) and node.target not in ids and node.target not in labels:
                        close = _closest(node.target, [*ids, *labels])
                        hint = f"; did you mean #{close}?" if close else ""
                        report.error(Loc(clause.loc.path, line or clause.loc.line),
                                     f"cross-reference to #{node.target}, which is not a clause ID of this "
                                     f"edition{hint}")


def check_labels(edition: Edition, report: Report) -> None:
    """Figure and table IDs are unique among themselves and the clause IDs (a reference must mean one thing)."""
    seen: dict[str, str] = {}
    for clause in edition.clauses():
        if not (clause.body or clause.commentary or clause.footnotes):
            continue
        for b in iter_blocks(clause.body + clause.commentary + clause.footnotes):
            if not isinstance(b, (Figure, GridTable)) or not b.ident:
                continue
            here = Loc(clause.loc.path, b.line or clause.loc.line)
            what = "figure" if isinstance(b, Figure) else "table"
            if b.ident in edition.by_id:
                other = edition.by_id[b.ident]
                report.error(here, f"{what} ID {b.ident!r} is already the ID of a clause ({other.loc}); give the "
                                   f"{what} an ID of its own")
            elif b.ident in seen:
                report.error(here, f"duplicate {what} ID {b.ident!r}, first used at {seen[b.ident]}; give this "
                                   f"{what} an ID of its own")
            else:
                seen[b.ident] = str(here)


def check_footnotes(edition: Edition, report: Report) -> None:
    """Each [^key] has its definition in the same clause, and each definition is referenced there."""
    for clause in edition.clauses():
        refs: dict[str, int] = {}
        for blocks in (clause.body, clause.commentary, clause.footnotes):
            for line, block in _blocks_with_lines(blocks):
                if isinstance(block, Footnote) and block.line and blocks is not clause.footnotes:
                    report.error(Loc(clause.loc.path, block.line), f"footnote [^{block.key}] is defined inside a "
                                                                   "list, quote or box; define it on a line of its "
                                                                   "own at the clause's top level")
                if not isinstance(block, (Para, Table, Figure, GridTable)):
                    continue
                for node in iter_inlines((block,)):
                    if isinstance(node, FootnoteRef):
                        refs.setdefault(node.key, line or clause.loc.line)
        defined: dict[str, int] = {}
        for fn in clause.footnotes:
            if fn.key in defined:
                report.error(Loc(clause.loc.path, fn.line), f"footnote [^{fn.key}] is defined twice in this clause "
                                                             f"(first at line {defined[fn.key]}); keep one")
                continue
            defined[fn.key] = fn.line
            if fn.key not in refs:
                report.error(Loc(clause.loc.path, fn.line), f"footnote [^{fn.key}] is defined but not referenced "
                                                             f"in this clause; reference it as [^{fn.key}] or "
                                                             "delete it")
        for key, line in refs.items():
            if key not in defined:
                report.error(Loc(clause.loc.path, line), f"footnote [^{key}] is not defined in this clause; add a "
                                                         f"line '[^{key}]: text' to the clause")


def _closest(word: str, choices: list[str]) -> str:
    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.7)
    return found[0] if found else ""


def other_edition_ids(edition: Edition, src: Path | None) -> dict[str, set[str]]:
    """IDs of every other edition under ``src`` (by a fast scan of headings), keyed by edition directory name."""
    out: dict[str, set[str]] = {}
    if src is None:
        return out
    here = Path(edition.meta.root).resolve()
    candidates = [src / "draft", *sorted((src / "editions").glob("*"))] if (src / "editions").is_dir() \
        else [src / "draft"]
    for root in candidates:
        if not (root / "edition.yaml").is_file() or root.resolve() == here:
            continue
        try:
            files = yamlio.load((root / "edition.yaml").read_text(encoding="utf-8")).data.get("files") or []
        except Exception:  # another edition's problems are reported when that edition is checked
            continue
        ids: set[str] = set()
        for name in files if isinstance(files, list) else ():
            if Path(str(name)).is_absolute() or ".." in Path(str(name)).parts:
                continue  # never read outside the source tree; that edition's own check reports the name
            try:
                ids.update(_HEADING_ID_RE.findall((root / str(name)).read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError, ValueError):  # ValueError: a NUL in the name
                continue
        out[root.name if root.name != "draft" else "draft"] = ids
    return out


def tree_of(edition: Edition) -> Path | None:
    """The source tree an edition belongs to: the parent of draft/ or of editions/<id>/, if it lies in one."""
    root = Path(edition.meta.root).resolve()
    if root.parent.name == "editions":
        return root.parent.parent
    if (root.parent / "editions").is_dir() or root.name == "draft":
        return root.parent
    return None


def check_lineage(edition: Edition, report: Report, src: Path | None) -> None:
    lineage: list[tuple[Clause, str, str]] = []
    for clause in edition.clauses():
        m = clause.meta
        if m.split_from:
            lineage.append((clause, "split_from", m.split_from))
        for target in m.merged_from:
            lineage.append((clause, "merged_from", target))
        if m.replaces:
            lineage.append((clause, "replaces", m.replaces))
    if not lineage:
        return
    others = other_edition_ids(edition, tree_of(edition) or src)
    previous = edition.meta.previous
    if previous and previous in others:
        known = others[previous]
        where = f"the previous edition {previous}"
    else:
        known = set().union(*others.values()) if others else set()
        where = "any other edition"
    for clause, key, target in lineage:
        loc = clause.meta.loc or clause.loc
        if target == clause.id and key == "replaces":
            report.error(loc, f"{clause.id} replaces itself; 'replaces' names the clause's former ID")
            continue
        if key == "replaces" and target in edition.by_id:
            report.error(loc, f"{clause.id} replaces {target}, but {target} still exists in this edition "
                              "(a lineage cycle or a leftover clause); remove one of them")
            continue
        if target not in known and target not in edition.by_id:
            report.error(loc, f"{key}: {target} is not a clause ID of {where}; lineage names IDs of the previous "
                              "edition")
