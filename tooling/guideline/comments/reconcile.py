"""Reconcile a round with the final text: promised changes made, changes explained, anchors still valid.

Against the clause diff from the round's consulted edition to the final one:

1. every ``修正あり`` comment names the clauses changed because of it (``changed_clauses``), and each of them really
   changed (text, heading or mappings — renumbering alone is not a change);
2. every clause that changed is explained by a ``修正あり`` comment of a round on the same consulted edition, by an
   ``editorial`` entry of such a round, or by an editorial ``note:`` written on the clause in the final edition;
3. comments that are not ``修正あり`` promise no changes;
4. every anchor still holds: the clause exists in the final edition (or a clause there ``replaces``, was
   ``split_from`` or ``merged_from`` it — re-anchored), and the quoted passage is still in it, was changed as the
   comment promised, or is found in exactly one other clause (re-anchored). Otherwise the anchor is flagged.

Anything that does not reconcile is listed; the command exits 1.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from guideline.comments.model import Comment
from guideline.comments.store import RoundData
from guideline.diff import compare
from guideline.model import Clause, Edition, block_text



def changed_clause_ids_simple(old: Edition, new: Edition) -> dict[str, str]:
    """Clause ID → kind of change, comparing heading and text by ID (what :func:`changed_clause_ids` starts from).

    Kinds: ``added``, ``deleted``, ``heading``, ``text``. Renumbering is not a change."""
    out: dict[str, str] = {}
    for clause in new.clauses():
        before = old.get(clause.id)
        if before is None:
            out[clause.id] = "added"
        elif _norm(before.heading) != _norm(clause.heading):
            out[clause.id] = "heading"
        elif _clause_text(old, before) != _clause_text(new, clause):
            out[clause.id] = "text"
    for clause in old.clauses():
        if new.get(clause.id) is None:
            out[clause.id] = "deleted"
    return out


def changed_clause_ids(old: Edition, new: Edition) -> dict[str, str]:
    """Clause ID (of either edition) → kind of change, from the clause diff engine (:mod:`guideline.diff`).

    Kinds: ``added``, ``deleted``, ``split``, ``merged``, ``text``, ``heading``, ``metadata`` (NISC mappings, models or
    tags; an editorial note alone is not a change of the guideline). Unchanged and renumbered-only clauses are absent.
    """
    by_id = changed_clause_ids_simple(old, new)
    out: dict[str, str] = {}
    for ch in compare(old, new).changes:
        if ch.kind == "unchanged":
            continue
        if ch.kind in ("added", "deleted", "split", "merged"):
            # lineage metadata (split_from, merged_from) can group clauses that kept their ID and their text: for
            # reconciling, such a clause changed only if it is new, gone, or its own text differs
            for cid in (*ch.new_ids, *ch.old_ids):
                if cid in by_id or old.get(cid) is None or new.get(cid) is None:
                    out.setdefault(cid, ch.kind)
            continue
        # text and heading changes come from the by-ID comparison below, which reads cross-references by target
        # ID (the engine sees "1.(1)" become "2.(1)" when a target is renumbered); the engine adds mappings
        if "metadata" in ch.aspects and (ch.meta.nisc_changes or ch.meta.models or ch.meta.tags):
            for cid in (*ch.new_ids, *ch.old_ids):
                out.setdefault(cid, by_id.get(cid, "metadata"))
    for cid, kind in by_id.items():
        out.setdefault(cid, kind)
    return out


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _clause_text(edition: Edition, clause: Clause) -> str:
    """Text for comparing: cross-references by target ID, so that renumbering their targets is no change."""
    return _norm(block_text(clause.body) + "\n" + block_text(clause.commentary))


def _searchable(edition: Edition, clause: Clause) -> str:
    """Text as a reader sees it (cross-references as numbers), for finding a quoted passage."""
    return _norm(clause.heading + "\n" + block_text(clause.body, edition, clause) + "\n"
                 + block_text(clause.commentary, edition, clause))


@dataclass
class Outcome:
    changed: dict[str, str] = field(default_factory=dict)
    ok: list[str] = field(default_factory=list)
    reanchored: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.problems)


def _addr(edition: Edition, cid: str) -> str:
    clause = edition.get(cid)
    if clause is None:
        return cid
    shown = clause.address or clause.heading
    return f"{cid} ({shown})"


def reconcile(data: RoundData, consulted: Edition, final: Edition, siblings: list[RoundData],
              changes: dict[str, str] | None = None) -> Outcome:
    """``siblings``: the other rounds on the same consulted edition (their 修正あり comments explain changes too)."""
    out = Outcome()
    changes = changed_clause_ids(consulted, final) if changes is None else changes
    out.changed = changes

    def where(cid: str) -> str:
        return _addr(final, cid) if final.get(cid) is not None else _addr(consulted, cid)

    # what explains each changed clause
    explained: dict[str, list[str]] = {}
    for rd in [data, *siblings]:
        prefix = "" if rd is data else f"{rd.round.id}/"
        for c in rd.ordered():
            lead = rd.lead(c)
            if lead is c and lead.disposition == "修正あり":
                for cid in lead.changed_clauses:
                    explained.setdefault(cid, []).append(f"comment {prefix}{c.id}")
        for cid, reason in rd.round.editorial:
            explained.setdefault(cid, []).append(f"editorial note in {rd.round.id}/round.yaml ({reason})")
    for clause in final.clauses():
        before = consulted.get(clause.id)
        if clause.meta.note and (before is None or before.meta.note != clause.meta.note):
            explained.setdefault(clause.id, []).append(f"editorial note on the clause ({clause.meta.note})")

    # 1 and 3: promised changes
    for c in data.ordered():
        lead = data.lead(c)
        if lead is not c:
            continue
        if c.disposition == "修正あり":
            if not c.changed_clauses:
                out.problems.append(f"comment {c.id} is 修正あり but names no changed clauses (changed_clauses: [])")
                continue
            for cid in c.changed_clauses:
                if consulted.get(cid) is None and final.get(cid) is None:
                    out.problems.append(f"comment {c.id} is 修正あり and names clause {cid!r}, which is in neither "
                                        f"{consulted.meta.id} nor {final.meta.id}")
                elif cid not in changes:
                    out.problems.append(f"comment {c.id} is 修正あり but its promised change in {where(cid)} is not "
                                        f"in {final.meta.id}: the clause is unchanged since {consulted.meta.id}")
                else:
                    out.ok.append(f"comment {c.id}: {where(cid)} {changes[cid]}")
        elif c.changed_clauses:
            out.problems.append(f"comment {c.id} is {c.disposition or 'without disposition'} but lists changed "
                                f"clauses ({', '.join(c.changed_clauses)}); make it 修正あり or clear the list")

    # 2: every change explained
    for cid, kind in sorted(changes.items(), key=lambda kv: _order_key(final, consulted, kv[0])):
        if cid not in explained:
            out.problems.append(f"clause {where(cid)} changed ({kind}) since {consulted.meta.id}, but no comment or "
                                "editorial note explains it (add it to a 修正あり comment's changed_clauses, to "
                                "editorial: in round.yaml, or a note: on the clause)")

    # 4: anchors
    lineage: dict[str, list[str]] = {}
    for clause in final.clauses():
        for old_id in (clause.meta.replaces, clause.meta.split_from, *clause.meta.merged_from):
            if old_id:
                lineage.setdefault(old_id, []).append(clause.id)
    for c in data.ordered():
        if c.anchor == "unresolved":
            out.problems.append(f"comment {c.id}: not anchored (該当箇所 {c.location!r}); anchor it by hand")
            continue
        lead = data.lead(c)
        promised = set(lead.changed_clauses) if lead.disposition == "修正あり" else set()
        for cid in c.clauses:
            _check_anchor(c, cid, consulted, final, changes, promised, lineage, explained, out)
    return out


def _order_key(final: Edition, consulted: Edition, cid: str) -> tuple:
    for i, clause in enumerate(final.clauses()):
        if clause.id == cid:
            return (0, i)
    for i, clause in enumerate(consulted.clauses()):
        if clause.id == cid:
            return (1, i)
    return (2, 0)


def _check_anchor(c: Comment, cid: str, consulted: Edition, final: Edition, changes: dict[str, str],
                  promised: set[str], lineage: dict[str, list[str]], explained: dict[str, list[str]],
                  out: Outcome) -> None:
    before = consulted.get(cid)
    if before is None:
        out.problems.append(f"comment {c.id}: anchored to {cid!r}, which is not in the consulted edition "
                            f"{consulted.meta.id}")
        return
    target = final.get(cid)
    if target is None:
        heirs = lineage.get(cid, [])
        if heirs:
            out.reanchored.append(f"comment {c.id}: {_addr(consulted, cid)} is now "
                                  + ", ".join(_addr(final, h) for h in heirs))
            return
        if cid in promised:
            return  # deleted because of this very comment
        out.problems.append(f"comment {c.id}: clause {_addr(consulted, cid)} is gone from {final.meta.id} and no "
                            "clause there replaces it; re-anchor the comment")
        return
    quote = _norm(c.quote)
    if not quote:
        return
    if quote not in _searchable(consulted, before):
        out.problems.append(f"comment {c.id}: the quoted passage {c.quote[:30]!r} is not in "
                            f"{_addr(consulted, cid)} even in {consulted.meta.id}; fix the quote or the anchor")
        return
    if quote in _searchable(final, target):
        return
    if cid in promised:
        return  # the passage was changed as the comment asked
    elsewhere = [cl for cl in final.clauses() if cl.id != cid and quote in _searchable(final, cl)]
    if len(elsewhere) == 1:
        out.reanchored.append(f"comment {c.id}: the quoted passage moved from {_addr(final, cid)} to "
                              f"{_addr(final, elsewhere[0].id)}")
        return
    if cid in changes and cid in explained:
        out.warnings.append(f"comment {c.id}: its quoted passage is no longer in {_addr(final, cid)}, changed by "
                            f"{'; '.join(explained[cid])}")
        return
    out.problems.append(f"comment {c.id}: its quoted passage {c.quote[:30]!r} is no longer in {_addr(final, cid)} "
                        "and not found elsewhere; re-anchor the comment")


def lines(data: RoundData, consulted: Edition, final: Edition, outcome: Outcome, verbose: bool = False) -> list[str]:
    promised = sum(1 for c in data.ordered() if data.lead(c) is c and c.disposition == "修正あり")
    head = (f"reconcile {data.round.id}: {consulted.meta.id} → {final.meta.id}: {len(outcome.changed)} clause(s) "
            f"changed, {promised} 修正あり comment(s), {len(outcome.ok)} promised change(s) found")
    out = [head]
    if verbose:
        out.extend(f"  ok: {x}" for x in outcome.ok)
    out.extend(f"  re-anchored: {x}" for x in outcome.reanchored)
    out.extend(f"  warning: {x}" for x in outcome.warnings)
    if outcome.problems:
        out.append(f"does NOT reconcile: {len(outcome.problems)} problem(s)")
        out.extend(f"  - {x}" for x in outcome.problems)
    else:
        out.append("reconciled: every promised change is in the text and every change is explained")
    return out
