"""One apply, without the command line: read the file, plan against the edition, render the new source texts."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from guideline.apply import docx_read, merge, patch
from guideline.model import Clause, Edition
from guideline.wordview import round_trips
from guideline.writers.edition import docx


def expected_notes(edition: Edition, kind: str):
    """``notes(clause) -> list[str]``: the generated paragraphs under a clause heading (対象モデル, 統一基準対応) as
    the Word writer makes them for a document of ``kind`` (reibun.docx prints no 統一基準対応)."""
    builder = docx.DocxBuilder(edition)
    w_t = "{%s}t" % docx.NSMAP["w"]

    def notes(clause: Clause) -> list[str]:
        els = builder.models_note(clause)
        if kind != "reibun":
            els += builder.mapping_notes(clause)
        return ["".join(t.text or "" for t in el.iter(w_t)) for el in els]

    return notes


@dataclass
class Prepared:
    doc: docx_read.WordDoc
    plan: merge.Plan
    texts: dict[Path, str]  # the source files whose text changes, with their new text (empty on conflicts)


def fresh_views(edition: Edition, kind: str) -> dict[str, merge.WordContent]:
    """How a file built from the edition now reads back, for the clauses whose Word form does not read back as their
    source (blocks the canonical form does not know: :func:`guideline.wordview.round_trips`). Such a clause that
    reads the same in the edited file was not edited there, and is not reported."""
    if all(round_trips(c, constructs=True) for c in edition.by_id.values()):
        return {}
    data = docx.render_reibun(edition) if kind == "reibun" else docx.render_guideline(edition)
    if data is None:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fresh.docx"
        path.write_bytes(data)
        fresh = docx_read.read(path)
    return {c.id: merge.word_content(c) for c in fresh.clauses
            if c.id in edition.by_id and not round_trips(edition.by_id[c.id], constructs=True)}


def prepare(edition: Edition, doc: docx_read.WordDoc, *, force: bool = False) -> Prepared:
    kind = doc.kind or "guideline"
    plan = merge.plan(edition, doc, expected_notes(edition, kind), force=force, fresh=fresh_views(edition, kind))
    texts = {} if plan.conflicts else patch.render(edition, plan, merge.links_of(edition, kind))
    return Prepared(doc, plan, texts)
