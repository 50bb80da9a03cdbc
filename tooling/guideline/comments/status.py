"""Where a round stands: counts by status, disposition and submitter category, and what blocks publication."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from guideline.comments.model import CATEGORIES, DISPOSITIONS, STATUSES, Comment
from guideline.comments.privacy import find as find_personal
from guideline.comments.privacy import private_values
from guideline.comments.store import RoundData
from guideline.model import Edition

READY = ("approved", "published")
PUBLISHED_NAMES = {"summary": "意見の概要", "response": "意見に対する考え方", "location": "該当箇所"}


@dataclass(frozen=True)
class Blocker:
    comment: str
    message: str
    personal: bool = False  # personal data in a published field: the report refuses even a draft

    def __str__(self) -> str:
        return f"{self.comment}: {self.message}"


def displayed_location(comment: Comment, edition: Edition | None) -> str:
    """該当箇所 as the result table prints it: the clause addresses in the consulted edition."""
    if comment.anchor == "general":
        return "全般"
    if comment.clauses and edition is not None:
        shown = []
        for cid in comment.clauses:
            clause = edition.get(cid)
            if clause is None:
                shown.append(cid)
            else:
                shown.append(clause.address or clause.heading)
        return "、".join(shown)
    return comment.location


def personal_data(data: RoundData, comment: Comment, edition: Edition | None) -> list[Blocker]:
    """E-mail addresses, phone numbers and private-field values in the fields the report publishes."""
    out = []
    lead = data.lead(comment)
    fields = {"summary": comment.summary, "response": lead.response,
              "location": displayed_location(comment, edition)}
    secrets = set(private_values(comment.name, comment.contact))
    if lead is not comment:
        secrets |= set(private_values(lead.name, lead.contact))
    for fld, value in fields.items():
        found = find_personal(value)
        hits = [s for s in sorted(secrets) if s in value]
        if found:
            out.append(Blocker(comment.id, f"{PUBLISHED_NAMES[fld]} contains personal data ({', '.join(found)}); "
                                           "remove it before publication", personal=True))
        if hits:
            out.append(Blocker(comment.id, f"{PUBLISHED_NAMES[fld]} contains the submitter's private "
                                           f"{'name or contact'} ({', '.join(hits)}); remove it", personal=True))
    return out


def blockers(data: RoundData, edition: Edition | None) -> list[Blocker]:
    out: list[Blocker] = []
    for c in data.ordered():
        lead = data.lead(c)
        if c.anchor == "unresolved":
            note = f" ({c.anchor_note})" if c.anchor_note else ""
            out.append(Blocker(c.id, f"not anchored: 該当箇所 {c.location!r} did not resolve{note}; set clauses: and "
                                     "anchor: manual (or anchor: general)"))
        if edition is not None:
            for cid in c.clauses:
                if edition.get(cid) is None:
                    out.append(Blocker(c.id, f"clause {cid!r} is not in the consulted edition {edition.meta.id}"))
        if not c.summary:
            out.append(Blocker(c.id, "no 意見の概要 (summary)"))
        if c.response_of and c.response:
            out.append(Blocker(c.id, f"has its own response and shares the response of {c.response_of}; keep one"))
        if not lead.response:
            out.append(Blocker(c.id, "no 意見に対する考え方 (response)"))
        if not lead.disposition:
            out.append(Blocker(c.id, "no 修正の有無 (disposition)"))
        elif lead.disposition == "修正あり" and not lead.changed_clauses:
            out.append(Blocker(c.id, "修正あり but no changed_clauses: name the clauses changed because of it"))
        if c.status not in READY:
            out.append(Blocker(c.id, f"status is {c.status} (needs approved)"))
        out.extend(personal_data(data, c, edition))
    return out


def counts(data: RoundData) -> dict[str, Counter]:
    comments = list(data.comments.values())
    dispositions = Counter(data.lead(c).disposition or "(未定)" for c in comments)
    return {
        "status": Counter(c.status for c in comments),
        "disposition": dispositions,
        "category": Counter(c.category or "(未設定)" for c in comments),
        "anchor": Counter(c.anchor for c in comments),
    }


def submitters(data: RoundData) -> Counter:
    """Submissions by category: a submitter (category + name + contact) counts once, however many comments it sent;
    a comment without a name counts as its own submission."""
    seen: set[tuple] = set()
    out: Counter = Counter()
    for c in data.ordered():
        key = (c.category, c.name.strip(), c.contact.strip()) if c.name.strip() else ("#", c.id)
        if key in seen:
            continue
        seen.add(key)
        out[c.category] += 1
    return out


def summary_lines(data: RoundData, edition: Edition | None, limit: int = 0) -> list[str]:
    r = data.round
    c = counts(data)
    lines = [f"round {r.id} ({r.kind}) on edition {r.edition}: {len(data.comments)} comments"]

    def row(name: str, order: tuple[str, ...]) -> str:
        counter = c[name]
        keys = [k for k in order if counter.get(k)] + sorted(k for k in counter if k not in order)
        return ", ".join(f"{k} {counter[k]}" for k in keys) or "-"

    lines.append(f"  status:      {row('status', STATUSES)}")
    lines.append(f"  disposition: {row('disposition', DISPOSITIONS)}")
    lines.append(f"  category:    {row('category', CATEGORIES)}")
    lines.append(f"  anchors:     {row('anchor', ('resolved', 'manual', 'general', 'unresolved'))}")
    subs = submitters(data)
    lines.append(f"  submitters:  {sum(subs.values())} ({', '.join(f'{k} {subs[k]}' for k in CATEGORIES if subs.get(k))})")
    blocked = blockers(data, edition)
    if blocked:
        ids = sorted({b.comment for b in blocked})
        lines.append(f"blocks publication: {len(blocked)} problem(s) in {len(ids)} comment(s)")
        shown = blocked if not limit else blocked[:limit]
        lines.extend(f"  {b}" for b in shown)
        if len(shown) < len(blocked):
            lines.append(f"  … and {len(blocked) - len(shown)} more (use --all)")
    else:
        lines.append("ready to publish: nothing blocks the result report")
    return lines
