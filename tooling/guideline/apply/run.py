"""One apply, without the command line: read the file, plan against the edition, render the new source texts."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from guideline.apply import docx_read, merge, patch
from guideline.model import Clause, Edition


def expected_notes(edition: Edition, kind: str):
    """``notes(clause) -> list[str]``: the generated paragraphs under a clause heading (対象モデル, 統一基準対応) as
    the Word writer makes them for a document of ``kind`` (reibun.docx prints no 統一基準対応)."""
    from guideline.writers import docx

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


def prepare(edition: Edition, doc: docx_read.WordDoc, *, force: bool = False) -> Prepared:
    kind = doc.kind or "guideline"
    plan = merge.plan(edition, doc, expected_notes(edition, kind), force=force)
    texts = {} if plan.conflicts else patch.render(edition, plan, merge.links_of(edition, kind))
    return Prepared(doc, plan, texts)
