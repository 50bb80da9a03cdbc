"""The result of a round as published (行政手続法 §43): one row per comment — 番号 | 該当箇所 | 意見の概要 |
意見に対する考え方 | 修正の有無 — in the order of the text, with the facts of the round above it. The files (HTML, DOCX,
PDF, and CSV, XLSX for internal use) are written by :mod:`guideline.writers.comments.result`.

Only these fields are published: 該当箇所 (clause addresses in the consulted edition), 意見の概要 and
意見に対する考え方. The comment text and the private submitter fields never enter any output, and :func:`build`
refuses while a published field holds an e-mail address, a phone number or a private value.
"""
from __future__ import annotations

from dataclasses import dataclass

from guideline.comments.model import CATEGORIES, DISPOSITION_MARK, Comment, sort_key
from guideline.comments.status import blockers, displayed_location, submitters
from guideline.comments.store import RoundData
from guideline.diagnostics import UserError
from guideline.model import Edition
from guideline.vocabulary import wareki


@dataclass(frozen=True)
class Row:
    number: int
    comment: Comment
    location: str
    summary: str
    response: str
    mark: str
    disposition: str
    changed: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    data: RoundData
    edition: Edition | None
    rows: tuple[Row, ...]
    draft: bool

    @property
    def title(self) -> str:
        return self.data.round.title

    def facts(self) -> list[tuple[str, str]]:
        r = self.data.round
        out = []
        if r.subject:
            out.append(("案件名", r.subject))
        if r.published:
            out.append(("案の公示日", wareki(r.published)))
        label = "意見照会期間" if r.kind == "consultation" else "意見募集期間"
        if r.period_text():
            out.append((label, r.period_text()))
        subs = submitters(self.data)
        split = "、".join(f"{k} {subs[k]}" for k in CATEGORIES if subs.get(k))
        out.append(("意見提出者数", f"{sum(subs.values())}（{split}）" if split else "0"))
        out.append(("意見数", f"{len(self.rows)}件"))
        if r.result_date:
            out.append(("結果の公示日", wareki(r.result_date)))
        return out

    @property
    def sample(self) -> bool:
        return bool(self.edition is not None and self.edition.meta.sample)


def build(data: RoundData, edition: Edition | None, draft: bool = False) -> Result:
    """The rows to publish, in the order of the text (comments on the whole document first); refuses while personal
    data sits in a published field, and (unless ``draft``) while anything else blocks publication."""
    problems = blockers(data, edition)
    personal = [b for b in problems if b.personal]
    if personal:
        raise UserError("refusing to publish: personal data in published fields:\n  "
                        + "\n  ".join(str(b) for b in personal))
    if problems and not draft:
        ids = sorted({b.comment for b in problems})
        raise UserError(f"refusing to publish: {len(problems)} problem(s) in {len(ids)} comment(s) block publication "
                        "(see guideline comments status; --draft writes a marked draft anyway):\n  "
                        + "\n  ".join(str(b) for b in problems[:40])
                        + (f"\n  … and {len(problems) - 40} more" if len(problems) > 40 else ""))
    order = {c.id: i for i, c in enumerate(edition.clauses())} if edition is not None else {}

    def key(c: Comment) -> tuple:
        if c.anchor == "general":
            return (0, 0)
        positions = [order[x] for x in c.clauses if x in order]
        return (1, min(positions)) if positions else (2, 0)

    comments = sorted(data.comments.values(), key=lambda c: (key(c), sort_key(c.id)))
    rows = []
    for n, c in enumerate(comments, 1):
        lead = data.lead(c)
        rows.append(Row(n, c, displayed_location(c, edition), c.summary, lead.response,
                        DISPOSITION_MARK.get(lead.disposition, ""), lead.disposition, lead.changed_clauses))
    return Result(data, edition, tuple(rows), draft)
