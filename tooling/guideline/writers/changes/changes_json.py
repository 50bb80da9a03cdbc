"""``changes.json``: the ChangeSet as a JSON contract (documented in docs/diff-format.md).

Deterministic: keys sorted, entries in the ChangeSet's order, no timestamps; UTF-8 without ASCII escaping.
"""
from __future__ import annotations

from guideline import jsontext
from guideline.diff.changeset import Change, ChangeSet, TextDiff
from guideline.diff.inline import DELETE, EQUAL, INSERT, Run, coalesce
from guideline.figures import figure_files
from guideline.gcscope import fewer_collections
from guideline.model import Edition, NiscMapping
from guideline.writers.changes import ChangeOptions

FORMAT_VERSION = 1


def edition_meta(edition: Edition) -> dict:
    m = edition.meta
    return {
        "id": m.id,
        "title": m.title,
        "label": m.label,
        "date": m.date.isoformat(),
        "status": m.status,
        "sample": m.sample,
        "nisc_catalog": m.nisc_catalog,
        "clauses": sum(1 for _ in edition.clauses()),
    }


def flatten(diffs: tuple[TextDiff, ...]) -> list[Run]:
    """Unit diffs as one run sequence over the units' texts (labels included) joined by newlines.

    Joining the equal and delete runs gives the old text, joining the equal and insert runs the new one.
    """
    runs: list[Run] = []
    had_old = had_new = False
    prev_old = prev_new = None
    for d in diffs:
        fresh_old = d.old is not None and d.old is not prev_old  # pieces of a split share their old unit
        fresh_new = d.new is not None and d.new is not prev_new  # pieces of a merge share their new unit
        sep_old = had_old and fresh_old
        sep_new = had_new and fresh_new
        if sep_old and sep_new:
            runs.append((EQUAL, "\n"))
        elif sep_old:
            runs.append((DELETE, "\n"))
        elif sep_new:
            runs.append((INSERT, "\n"))
        old_label = d.old.label if fresh_old else ""
        new_label = d.new.label if fresh_new else ""
        if fresh_old and fresh_new and old_label == new_label:
            runs.append((EQUAL, old_label))
        else:
            runs.append((DELETE, old_label))
            runs.append((INSERT, new_label))
        runs.extend(d.runs)
        had_old = had_old or d.old is not None
        had_new = had_new or d.new is not None
        prev_old, prev_new = (d.old if d.old is not None else prev_old), (d.new if d.new is not None else prev_new)
    return [list(r) for r in coalesce(runs)]


def _mapping(m: NiscMapping) -> dict:
    return {"id": m.nisc_id, "relationship": m.relationship, "rationale": m.rationale}


def metadata(ch: Change) -> dict | None:
    md = ch.meta
    if md.empty:
        return None
    out: dict = {}
    if md.nisc_changes:
        out["nisc"] = {
            "added": [_mapping(m) for m in md.nisc_added],
            "removed": [_mapping(m) for m in md.nisc_removed],
            "changed": [{"id": b.nisc_id, "old": _mapping(a), "new": _mapping(b)} for a, b in md.nisc_changed],
        }
    if md.models is not None:
        out["models"] = {"old": list(md.models[0]), "new": list(md.models[1])}
    if md.tags is not None:
        out["tags"] = {"old": list(md.tags[0]), "new": list(md.tags[1])}
    if md.note is not None:
        out["note"] = {"old": md.note[0], "new": md.note[1]}
    return out


def entry(ch: Change, old: Edition | None = None, new: Edition | None = None) -> dict:
    """One change as JSON; ``old`` and ``new`` (the editions) give the figure files of the aspect ``figure``."""
    inline = None
    if ch.kind in ("changed", "split", "merged") and (ch.heading_changed or ch.text_changed):
        body = [d for d in ch.body]
        inline = {
            "heading": flatten(ch.headings) if ch.heading_changed else None,
            "text": flatten(tuple(body)) if any(d.op != EQUAL for d in ch.body) else None,
            "commentary": flatten(ch.commentary) if any(d.op != EQUAL for d in ch.commentary) else None,
        }
    return {
        "kind": ch.kind,
        "old_ids": list(ch.old_ids),
        "new_ids": list(ch.new_ids),
        "old_number": ch.old[0].address if ch.old else None,
        "new_number": ch.new[0].address if ch.new else None,
        "old_numbers": list(ch.old_numbers),
        "new_numbers": list(ch.new_numbers),
        "old_heading": ch.old[0].heading if ch.old else None,
        "new_heading": ch.new[0].heading if ch.new else None,
        "aspects": list(ch.aspects),
        "matched_by": ch.matched_by,
        "similarity": ch.similarity,
        "inline": inline,
        "metadata": metadata(ch) if ch.kind != "unchanged" else None,
        "figures": figures(ch, old, new) if "figure" in ch.aspects and old and new else None,
    }


def figures(ch: Change, old: Edition, new: Edition) -> dict:
    """The figure files of the clause on each side, by path and SHA-256 (for the aspect ``figure``)."""
    def side(clauses, edition) -> list[dict]:
        return [{"src": src, "sha256": digest} for c in clauses for src, digest in figure_files(c, edition)]

    return {"old": side(ch.old, old), "new": side(ch.new, new)}


def to_data(cs: ChangeSet) -> dict:
    return {
        "format": FORMAT_VERSION,
        "old": edition_meta(cs.old),
        "new": edition_meta(cs.new),
        "similarity_threshold": cs.threshold,
        "summary": cs.summary(),
        "changes": [entry(ch, cs.old, cs.new) for ch in cs.changes],
    }


@fewer_collections()
def dumps(cs: ChangeSet) -> str:
    return jsontext.dumps(to_data(cs), indent=1) + "\n"  # json.dumps(…, ensure_ascii=False, sort_keys=True, indent=1)


def render(cs: ChangeSet, options: ChangeOptions = ChangeOptions()) -> str:
    """changes.json (the options change nothing in it)."""
    return dumps(cs)
