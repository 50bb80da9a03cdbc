"""Matching an existing policy's articles to guideline clauses (``guideline local align``).

A municipality that already has a policy gets a local project that reproduces it, and the list it wants most: the
guideline clauses its policy has no counterpart for (**gaps**).

The policy (an :class:`~guideline.model.Edition` read from DOCX, HTML or text) is matched against the guideline's
例文 as the municipality would have received it (its model's clauses, placeholders filled with the values the name
gives, 解説 left out), in two stages:

1. the diff's matcher (:func:`guideline.diff.matching.match`: identical text, then morpheme similarity ≥ its
   threshold, splits and merges), on the two editions with the policy's IDs kept apart from the guideline's;
2. for the articles still unpaired, the best remaining clause by :data:`BODY_WEIGHT` × morpheme similarity of the
   text (:func:`guideline.diff.inline.text_ratio`) + :data:`HEADING_WEIGHT` × that of the headings (a caption
   （目的） compared as 目的), among the few clauses that share the most character bigrams with it; pairs of at least
   :data:`MIN_SCORE`, best first.

The project written from it: a matched article whose wording differs becomes an override, an unmatched article a
local clause (after the clause matched to the article before it), and the gaps are left out (``omit:``) so that the
project builds the policy as it is; ``align-report.json`` lists ``matches`` ({article, clause_id, score}) and
``gaps``.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from guideline import jsontext
from guideline.diagnostics import Report
from guideline.diff.inline import text_ratio
from guideline.diff.matching import match
from guideline.importers.document import import_document
from guideline.local.compose import compose
from guideline.local.project import (
    CLAUSES,
    Clauses,
    LocalClause,
    Project,
    new_project,
    placeholders_used,
    write_new,
)
from guideline.model import Clause, Edition, Para, Placeholder, Text, XRef, block_text, iter_inlines
from guideline.writers.edition.markdown_source import clause_md

REPORT = "align-report.json"
BODY_WEIGHT = 0.8
HEADING_WEIGHT = 0.2
MIN_SCORE = 0.3
CANDIDATES = 8
COVERED = 0.6  # share of a sub-clause's character 4-grams in an article that make it part of that article
COVER_GRAM = 4
POLICY_PREFIX = "policy:"  # keeps the policy's IDs apart from the guideline's inside the matcher
CONTEXT = 6  # characters of text either side of a placeholder that locate its value in the policy
VALUE = r"([^\s、。「」（）〔〕]{1,20}?)"  # a placeholder's value: a name or title, no punctuation
NUMBER_RE = re.compile(r"^(第[0-9０-９〇一二三四五六七八九十百]+[条章節款目](?:の[0-9０-９]+)*)[ \u3000]*")
PARAGRAPH_NUMBER_RE = re.compile(r"^[0-9０-９]+\u3000", re.M)
PARAGRAPH_RE = re.compile(r"^[0-9０-９]+$")  # the number of a 項 (２), as opposed to a 号 ((1))
CAPTION_RE = re.compile(r"^[（(](.*)[）)]$")


@dataclass
class AlignResult:
    matches: list[dict] = field(default_factory=list)  # {article, clause_id, score, by}, in the policy's order
    unmatched: list[dict] = field(default_factory=list)  # {article, local_id}: the policy's own articles
    gaps: list[str] = field(default_factory=list)  # guideline clauses with no counterpart
    pairs: dict[str, str] = field(default_factory=dict)  # policy clause ID -> guideline clause ID
    covered: dict[str, str] = field(default_factory=dict)  # guideline sub-clause -> policy article holding its text

    def as_json(self) -> dict:
        return {"matches": self.matches, "gaps": self.gaps, "unmatched": self.unmatched,
                "counts": {"articles": len(self.matches) + len(self.unmatched), "matched": len(self.matches),
                           "unmatched": len(self.unmatched), "gaps": len(self.gaps)}}


def _heading(text: str) -> str:
    m = CAPTION_RE.match(text.strip())
    return m.group(1) if m else text.strip()


def _wording(text: str) -> str:
    """Text without the 項 numbers (２) that the articles style puts before an article's later paragraphs."""
    return PARAGRAPH_NUMBER_RE.sub("", text)


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _grams(text: str, n: int = 2) -> Counter:
    key = _key(text)
    return Counter(key[i:i + n] for i in range(len(key) - n + 1))


def _dice(a: Counter, b: Counter) -> float:
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 0.0


def _has_text(c: Clause) -> bool:
    return bool(c.body)


def _renamed(part: Clause) -> Clause:
    return Clause(id=POLICY_PREFIX + part.id, heading=_heading(part.heading), level=part.level, loc=part.loc,
                  body=part.body, children=tuple(_renamed(k) for k in part.children), unnumbered=part.unnumbered,
                  number=part.number, prefix=part.prefix, local=part.local)


def guideline_policy(base: Edition, project: Project, omit: list[str] | None = None) -> Edition:
    """The guideline's 例文 as the municipality received it: its model, the placeholders it can fill from its name
    filled (the rest read as their own names), no 解説, numbered in the project's style (so that 「第3条に掲げる」
    reads the same on both sides), ``omit`` left out (numbered as the policy is) when that composes."""
    values = {name: project.placeholders.get(name) or name for name in placeholders_used(base.reibun)}
    filled = Project(root=project.root, name=project.name, kind=project.kind, model=project.model,
                     base_edition=project.base_edition, placeholders=values, style=project.style, omit=omit or [])
    edition = compose(base, filled, Clauses(), Report())
    if edition is None:  # ``omit`` leaves out a clause that another refers to: compare with the whole text
        return guideline_policy(base, project)
    return normalized(edition, {})[0]  # captions （目的） as headings 目的, as the policy's are read


def _text(c: Clause) -> str:
    return f"{c.heading}\n{block_text(c.body)}"


def _deep(c: Clause) -> str:
    """The clause with its sub-clauses as one text: what a policy that writes the 号 inside its article has."""
    return "\n".join(_text(k) for k in c.walk())


def _contained(part: Counter, whole: Counter) -> float:
    """The share of ``part``'s character n-grams found in ``whole``."""
    total = sum(part.values())
    return sum((part & whole).values()) / total if total else 0.0


def align(policy: Edition, base: Edition, project: Project, labels: dict[str, str] | None = None) -> AlignResult:
    """Pair the policy's articles (clauses with text) with the guideline's clauses; see the module docstring.
    ``labels``: the policy's own numbers by clause ID (else its computed addresses)."""
    guide = guideline_policy(base, project)
    theirs = Edition(meta=policy.meta, parts=tuple(_renamed(p) for p in policy.parts))
    articles = [c for c in theirs.clauses() if _has_text(c)]
    ours = [c for c in guide.clauses() if _has_text(c)]
    pair: dict[str, tuple[str, float, str]] = {}  # policy id -> (guideline id, score, by)
    taken: set[str] = set()
    texts_o = {c.id: _text(c) for c in ours}
    texts_p = {c.id: _text(c) for c in articles}
    for m in match(guide, theirs):
        olds = [o for o in m.old_ids if o in texts_o]
        news = [n for n in m.new_ids if n in texts_p]
        if len(olds) == 1 and len(news) == 1 and m.matched_by is not None:
            score = m.similarity if m.similarity is not None else text_ratio(texts_o[olds[0]], texts_p[news[0]])
            pair[news[0]] = (olds[0], score, m.matched_by)
            taken.add(olds[0])
    free = [c for c in ours if c.id not in taken]
    grams_o = {c.id: _grams(texts_o[c.id]) for c in free}
    deep_o = {c.id: _deep(c) for c in free if c.children}
    deep_grams = {cid: _grams(text) for cid, text in deep_o.items()}
    candidates: list[tuple[float, int, str, str, str]] = []
    order = {c.id: i for i, c in enumerate(ours)}
    for a in articles:
        if a.id in pair:
            continue
        ga = _grams(texts_p[a.id])
        near = sorted(free, key=lambda c: -max(_dice(ga, grams_o[c.id]), _dice(ga, deep_grams.get(c.id, Counter())))
                      )[:CANDIDATES]
        theirs_body = block_text(a.body)
        for c in near:
            body, how = text_ratio(block_text(c.body), theirs_body), "best"
            if c.id in deep_o:
                deep = text_ratio(deep_o[c.id].split("\n", 1)[1], theirs_body)
                if deep > body:
                    body, how = deep, "best-with-items"
            head = text_ratio(c.heading, a.heading) if c.heading and a.heading else 0.0
            score = BODY_WEIGHT * body + HEADING_WEIGHT * head
            if score >= MIN_SCORE:
                candidates.append((score, order[c.id], a.id, c.id, how))
    for score, _, aid, cid, how in sorted(candidates, key=lambda t: (-t[0], t[1], t[2])):
        if aid in pair or cid in taken:
            continue
        pair[aid] = (cid, score, how)
        taken.add(cid)
    # sub-clauses of a paired clause whose text the policy's article holds (its 号 written inside it)
    covered: dict[str, str] = {}
    for aid, (cid, _, _) in pair.items():
        whole = _grams(texts_p[aid], COVER_GRAM)
        for k in guide.get(cid).walk():
            if k.id != cid and k.id not in taken and _has_text(k) and \
                    _contained(_grams(block_text(k.body), COVER_GRAM), whole) >= COVERED:
                covered[k.id] = aid[len(POLICY_PREFIX):]
    result = AlignResult()
    n_local = 0
    for a in articles:
        own = a.id[len(POLICY_PREFIX):]
        number = (labels or {}).get(own) or a.address
        label = f"{number}（{a.heading}）" if number and a.heading else number or a.heading or own
        if a.id in pair:
            cid, score, by = pair[a.id]
            result.matches.append({"article": label, "clause_id": cid, "score": round(score, 3), "by": by})
            result.pairs[own] = cid
        else:
            n_local += 1
            result.unmatched.append({"article": label, "local_id": f"own-{n_local:03d}", "policy_id": own})
    result.gaps = [c.id for c in ours if c.id not in taken and c.id not in covered]
    result.covered = covered
    return result


def project_files(policy: Edition, base: Edition, project: Project, result: AlignResult
                  ) -> tuple[Project, dict[str, str]]:
    """The local project that reproduces the policy: (project with omit/local set, clauses/<id>.md texts).

    Gaps, and sub-clauses whose text the policy writes inside their parent's article, are left out; a matched
    article becomes an override when its wording differs from the guideline's, or when the guideline's text refers
    to a clause left out (the policy's own text has no such reference)."""
    guide = guideline_policy(base, project)
    order = [c.id for c in guide.clauses()]
    matched = set(result.pairs.values())
    omit: list[str] = []
    for gid in sorted({*result.gaps, *result.covered}, key=order.index):
        clause = guide.get(gid)
        if not any(k.id in matched for k in clause.walk()) and not any(a.id in omit for a in guide.ancestors(gid)):
            omit.append(gid)
    left_out = {k.id for gid in omit for k in guide.get(gid).walk()}
    guide = guideline_policy(base, project, omit)
    files: dict[str, str] = {}
    by_policy = {c.id: c for c in policy.clauses()}
    for own, cid in result.pairs.items():
        mine, theirs = guide.get(cid), by_policy[own]
        heading = _heading(theirs.heading) or mine.heading
        refers = any(isinstance(n, XRef) and n.target in left_out for n in iter_inlines(mine.body))
        if refers or _wording(block_text(theirs.body)) != _wording(block_text(mine.body, guide, mine)) or \
                heading != mine.heading:
            files[cid] = clause_md(Clause(id=cid, heading=heading, level=mine.level, loc=mine.loc, body=theirs.body))
    local: list[LocalClause] = []
    previous = ""
    first_doc = base.reibun.children[0].id if base.reibun.children else base.reibun.id
    unmatched = {u["policy_id"]: u["local_id"] for u in result.unmatched}
    for c in policy.clauses():
        if c.id in result.pairs:
            previous = result.pairs[c.id]
        elif c.id in unmatched:
            lid = unmatched[c.id]
            level = guide.get(previous).level if previous else 3
            files[lid] = clause_md(Clause(id=lid, heading=_heading(c.heading) or lid, level=level, loc=c.loc,
                                          body=c.body))
            local.append(LocalClause(lid, after=previous) if previous else LocalClause(lid, under=first_doc))
    aligned = Project(root=project.root, name=project.name, kind=project.kind, model=project.model,
                      base_edition=project.base_edition, base_sha256=project.base_sha256, style=project.style,
                      placeholders=project.placeholders, omit=omit, local=local)
    return aligned, files


def infer_placeholders(base: Edition, policy: Edition, result: AlignResult) -> dict[str, str]:
    """Placeholder values read off the policy: where a matched guideline clause has 〔○○部長〕 between two stretches
    of text, the policy's words between the same stretches (the value found most often wins)."""
    votes: dict[str, Counter] = {}
    by_policy = {c.id: c for c in policy.clauses()}
    for own, cid in result.pairs.items():
        clause = base.get(cid)
        if clause is None:
            continue
        theirs = block_text(by_policy[own].body)
        for block in clause.body:
            inlines = getattr(block, "inlines", None)
            if not inlines:
                continue
            for i, node in enumerate(inlines):
                if not isinstance(node, Placeholder):
                    continue
                before = "".join(n.text for n in inlines[:i] if isinstance(n, Text))[-CONTEXT:]
                after = "".join(n.text for n in inlines[i + 1:] if isinstance(n, Text))[:CONTEXT]
                if not before and not after:
                    continue
                start = re.escape(before) if before else r"(?:^|(?<=[\s、。」）]))"
                found = re.search(start + VALUE + re.escape(after), theirs, re.M)
                if found and "〔" not in found.group(1):
                    votes.setdefault(node.text, Counter())[found.group(1)] += 1
    return {name: counter.most_common(1)[0][0] for name, counter in sorted(votes.items())}


def read_policy(path) -> tuple[Edition, dict[str, str]]:
    """An existing policy (DOCX, HTML or text) as an Edition, through ``guideline import``'s entry point, with the
    numbers its clauses carry in the source (clause ID -> 第3条); see :func:`normalized`."""
    imported = import_document(path)
    labels = {n["clause"]: n["source"] for n in imported.report.get("numbers", ()) if n.get("source")}
    return normalized(imported.edition, labels)


def normalized(policy: Edition, labels: dict[str, str]) -> tuple[Edition, dict[str, str]]:
    """The policy as articles: a heading that starts with its number (``第3条　（目的）``) gives the number to
    ``labels`` and keeps the caption (目的); a 項 read as a sub-clause (numbered ``２``) goes back into its article's
    text, where a 訓令 has it."""
    labels = dict(labels)

    def clause(c: Clause) -> Clause:
        heading = c.heading.strip()
        m = NUMBER_RE.match(heading)
        if m and heading[m.end():].strip():
            labels.setdefault(c.id, m.group(1))
            heading = heading[m.end():]
        body = list(c.body)
        kids = []
        for k in c.children:
            if PARAGRAPH_RE.match(labels.get(k.id, "")) and not k.children:
                body.extend(k.body or (Para((Text(k.heading),)),))
            else:
                kids.append(clause(k))
        return Clause(id=c.id, heading=_heading(heading), level=c.level, loc=c.loc, meta=c.meta, body=tuple(body),
                      children=tuple(kids), unnumbered=c.unnumbered, number=c.number, prefix=c.prefix, local=c.local)

    return Edition(meta=policy.meta, parts=tuple(clause(p) for p in policy.parts)), labels


def align_project(policy_path, target, edition_spec: str, name: str, model: str, kind: str = "",
                  style: str = "articles") -> AlignResult:
    """Read the policy at ``policy_path``, align it with ``edition_spec`` and write the local project that
    reproduces it into ``target`` (new or empty), with ``align-report.json``. Returns the alignment."""
    project, root, base = new_project(Path(target), edition_spec, name, model, kind, style)
    policy, labels = read_policy(policy_path)
    result = align(policy, base, project, labels)
    for key, value in infer_placeholders(base, policy, result).items():
        if not project.placeholders.get(key):
            project.placeholders[key] = value
    aligned, files = project_files(policy, base, project, result)
    texts = {f"{CLAUSES}/{cid}.md": text for cid, text in files.items()}
    texts[REPORT] = jsontext.dumps(result.as_json()) + "\n"
    write_new(aligned, edition_spec, root, texts)
    return result
