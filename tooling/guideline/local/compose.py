"""The municipality's policy as an :class:`~guideline.model.Edition`: the base edition's 例文 with the project applied.

What :func:`compose` does, in order: keeps the 例文 part (第2編) alone, under the municipality's title; leaves out the
clauses of other network models (their ``models`` metadata) and the clauses listed under ``omit:``; puts each
override's heading and text in place of the guideline's; inserts the local clauses where ``local:`` says; replaces
every placeholder with its value (a placeholder without one is an error, never a leftover 〔〕); drops what only the
guideline prints (解説, NISC mappings, the part's preface); and numbers the result, in the guideline's outline style or
as a 訓令 (:mod:`guideline.local.articles`). Every problem goes to the report as ``path:line`` with its fix; the
caller writes nothing when there is one.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from guideline.diagnostics import Loc, Report, UserError
from guideline.local import articles
from guideline.local.project import (
    CLAUSES,
    HEADING_PLACEHOLDER_RE,
    Clauses,
    Project,
    check_base,
    load_or_fail,
    read_base,
    read_clauses,
)
from guideline.model import (
    Block,
    BlockQuote,
    BulletList,
    Clause,
    ClauseMeta,
    Edition,
    EditionMeta,
    Emph,
    Inline,
    Link,
    OrderedList,
    Para,
    Placeholder,
    Strong,
    Table,
    Text,
    XRef,
    iter_inlines,
)
from guideline.numbering import number_tree

MAX_LEVEL = 6


def applies(clause: Clause, model: str) -> bool:
    """Whether a clause is part of a policy of this network model (no ``models`` metadata: every model)."""
    return not clause.meta.models or model in clause.meta.models


def policy_title(project: Project) -> str:
    return f"{project.name}情報セキュリティポリシー"


@dataclass
class _Ctx:
    project: Project
    clauses: Clauses
    report: Report
    after: dict[str, list]
    under: dict[str, list]
    placed: set[str]


def compose(base: Edition, project: Project, clauses: Clauses, report: Report, style: str | None = None
            ) -> Edition | None:
    """The policy of ``project`` on ``base``, numbered in ``style`` (default: the project's). None when the report
    has errors (they say what to fix)."""
    part = base.reibun
    assert part is not None  # project.read_edition_at refuses an edition without one
    _check_ids(base, project, clauses, report)
    ctx = _Ctx(project, clauses, report, {}, {}, set())
    for lc in project.local:
        if lc.id in clauses.local:
            (ctx.after if lc.after else ctx.under).setdefault(lc.after or lc.under, []).append(lc)
    composed = _clause(part, ctx)
    for lc in project.local:
        if lc.id in clauses.local and lc.id not in ctx.placed:
            anchor = lc.after or lc.under
            if base.get(anchor) is None and anchor not in clauses.local:
                report.error(lc.loc, f"local clause {lc.id}: {anchor!r} is no clause of {base.meta.id} or of this "
                                     "policy; place it after or under a clause that is")
            else:
                report.error(lc.loc, f"local clause {lc.id}: it is placed under {anchor!r}, which this policy leaves "
                                     "out (omit: or its network model); place it elsewhere")
    own = clauses.overrides.get(part.id)
    composed = Clause(id=composed.id, heading=own.heading if own else policy_title(project), level=1, loc=composed.loc,
                      body=own.body if own else (), children=composed.children, unnumbered=True)
    composed = _fill(composed, project, report)
    _check_xrefs(composed, base, project, report)
    if report.failed():
        return None
    style = style or project.style
    parts = articles.number_articles((composed,)) if style == "articles" else number_tree((composed,))
    meta = base.meta
    date = project.date or meta.date
    edition_meta = EditionMeta(
        id=f"local-{meta.id}", title=composed.heading, date=date if isinstance(date, datetime.date) else meta.date,
        status=project.status, nisc_catalog="", files=(), root=str(project.root),
        label=f"ガイドライン{meta.label or meta.id}準拠", sample=meta.sample, loc=project.loc())
    return Edition(meta=edition_meta, parts=parts, catalog=None)


def _check_ids(base: Edition, project: Project, clauses: Clauses, report: Report) -> None:
    for i, cid in enumerate(project.omit):
        clause = base.get(cid)
        if clause is None:
            report.error(project.loc("omit", i), f"omit: {cid!r} is no clause of {base.meta.id}; check the ID "
                                                 f"(guideline xref --clause {cid} -e {base.meta.id})")
        elif cid == base.meta.reibun_part:
            report.error(project.loc("omit", i), "omit: the 例文 part itself cannot be left out")
    for cid, own in clauses.overrides.items():
        clause = base.get(cid)
        if base.ancestors(cid)[:1] != [base.reibun] and cid != base.meta.reibun_part:
            report.error(own.loc, f"{cid!r} is not in the 例文 ({base.meta.reibun_part}); only the 例文 makes the "
                                  "policy, so this override has no effect; delete the file")
        elif cid in project.omit:
            report.warning(own.loc, f"{cid!r} is left out (omit:), so this override is not used; delete one of them")
        elif clause is not None and not applies(clause, project.model):
            report.warning(own.loc, f"{cid!r} is not a clause of the {project.model} model, so this override is not "
                                    "used; make it a local clause if the policy needs it")


def _meta(clause: Clause, own: Clause | None) -> ClauseMeta:
    """Only the lineage (which the diff of two policies reads); mappings and models are the guideline's business."""
    m = own.meta if own is not None and own.meta.loc is not None else clause.meta
    return ClauseMeta(split_from=m.split_from, merged_from=m.merged_from, replaces=m.replaces)


def _clause(c: Clause, ctx: _Ctx, level: int | None = None) -> Clause:
    own = ctx.clauses.overrides.get(c.id)
    level = c.level if level is None else level
    kids: list[Clause] = []
    for k in c.children:
        if k.id not in ctx.project.omit and applies(k, ctx.project.model):
            kids.append(_clause(k, ctx, level + (k.level - c.level)))
        for lc in ctx.after.get(k.id, ()):
            kids.extend(_local(lc, ctx, level + (k.level - c.level)))
    for lc in ctx.under.get(c.id, ()):
        kids.extend(_local(lc, ctx, kids[-1].level if kids else level + 1))
    src = own if own is not None else c
    return Clause(id=c.id, heading=src.heading, level=level, loc=src.loc, meta=_meta(c, own), body=src.body,
                  children=tuple(kids), unnumbered=c.unnumbered)


def _local(lc, ctx: _Ctx, level: int) -> list[Clause]:
    """A local clause (and its sub-clauses) at ``level``, with the local clauses placed after or under it."""
    src = ctx.clauses.local[lc.id]
    ctx.placed.add(lc.id)
    shift = level - src.level
    deepest = max(k.level for k in src.walk()) + shift
    if deepest > MAX_LEVEL:
        ctx.report.error(src.loc, f"local clause {lc.id} would sit at heading level {deepest} (deepest is "
                                  f"{MAX_LEVEL}); place it higher up (after: a clause of a higher level)")
        return []

    def shifted(c: Clause) -> Clause:
        kids: list[Clause] = []
        for k in c.children:
            kids.append(shifted(k))
        return Clause(id=c.id, heading=c.heading, level=c.level + shift, loc=c.loc, meta=_meta(c, None), body=c.body,
                      children=tuple(kids), unnumbered=c.unnumbered)

    out = shifted(src)
    nested = [_local(x, ctx, level + 1) for x in ctx.under.get(lc.id, ())]
    if nested:
        out = Clause(id=out.id, heading=out.heading, level=out.level, loc=out.loc, meta=out.meta, body=out.body,
                     children=out.children + tuple(c for group in nested for c in group), unnumbered=out.unnumbered)
    result = [out]
    for nxt in ctx.after.get(lc.id, ()):
        result.extend(_local(nxt, ctx, level))
    return result


# --------------------------------------------------------------------------------------------------------------------
# placeholders and cross-references


def _fill(part: Clause, project: Project, report: Report) -> Clause:
    """Every placeholder replaced by its value; each one without a value is reported once, where it is first used."""
    values = project.placeholders
    missing: dict[str, Loc] = {}

    def value(name: str, loc: Loc) -> str:
        v = values.get(name, "")
        if not v:
            missing.setdefault(name, loc)
        return v or name

    def inl(nodes: tuple[Inline, ...], loc: Loc) -> tuple[Inline, ...]:
        out: list[Inline] = []
        for n in nodes:
            if isinstance(n, Placeholder):
                n = Text(value(n.text, loc))
            elif isinstance(n, Strong):
                n = Strong(inl(n.children, loc))
            elif isinstance(n, Emph):
                n = Emph(inl(n.children, loc))
            elif isinstance(n, Link):
                n = Link(n.href, inl(n.children, loc))
            elif isinstance(n, XRef) and n.children:
                n = XRef(n.target, inl(n.children, loc))
            if isinstance(n, Text) and out and isinstance(out[-1], Text):
                out[-1] = Text(out[-1].text + n.text)  # one run of text, as the reader would have made it
            else:
                out.append(n)
        return tuple(out)

    def blocks(bs: tuple[Block, ...], loc: Loc) -> tuple[Block, ...]:
        out: list[Block] = []
        for b in bs:
            at = Loc(loc.path, getattr(b, "line", 0) or loc.line)
            if isinstance(b, Para):
                b = Para(inl(b.inlines, at), b.line)
            elif isinstance(b, BulletList):
                b = BulletList(tuple(blocks(item, at) for item in b.items), b.line)
            elif isinstance(b, OrderedList):
                b = OrderedList(tuple(blocks(item, at) for item in b.items), b.line)
            elif isinstance(b, Table):
                b = Table(tuple(inl(cell, at) for cell in b.header),
                          tuple(tuple(inl(cell, at) for cell in row) for row in b.rows), b.aligns, b.line)
            elif isinstance(b, BlockQuote):
                b = BlockQuote(blocks(b.blocks, at), b.line)
            out.append(b)
        return tuple(out)

    def clause(c: Clause) -> Clause:
        heading = HEADING_PLACEHOLDER_RE.sub(lambda m: value(m.group(1).strip(), c.loc), c.heading)
        return Clause(id=c.id, heading=heading, level=c.level, loc=c.loc, meta=c.meta, body=blocks(c.body, c.loc),
                      children=tuple(clause(k) for k in c.children), unnumbered=c.unnumbered)

    result = clause(part)
    for name, loc in missing.items():
        where = project.loc("placeholders", name) if name in values else project.loc("placeholders")
        report.error(where, f"placeholder 〔{name}〕 has no value (used at {loc}); give it one under placeholders: "
                            f"in local.yaml, e.g. {name}: …")
    return result


def _check_xrefs(part: Clause, base: Edition, project: Project, report: Report) -> None:
    present = {c.id for c in part.walk()}
    for c in part.walk():
        for node in iter_inlines(c.body):
            if isinstance(node, XRef) and node.target not in present:
                omitted = [a.id for a in (*base.ancestors(node.target), base.get(node.target))
                           if a is not None and a.id in project.omit]
                why = ("left out (omit:)" if omitted == [node.target] else f"left out with {omitted[0]} (omit:)") \
                    if omitted else "not in this policy (another network model, or outside the 例文)"
                report.error(c.loc, f"clause {c.id} refers to {node.target!r}, which is {why}; override {c.id} "
                                    f"({CLAUSES}/{c.id}.md) without the reference, or keep {node.target}")


# --------------------------------------------------------------------------------------------------------------------
# whole projects


def check_project(project: Project, base: Edition, report: Report, style: str | None = None) -> Edition | None:
    """Every problem of a project on its base edition (into ``report``); the composed policy when there is none.
    Open rebase conflicts are problems too: the policy is not finished until they are resolved."""
    check_base(project, report)
    clauses = read_clauses(project, base, report)
    for c in project.conflicts:
        report.error(c.loc, f"open conflict on {c.id} ({c.kind}) from the last rebase; read conflicts/{c.id}.md, "
                            f"then guideline local resolve {project.root} {c.id} --take new|local|edited")
    edition = compose(base, project, clauses, report, style)
    return None if report.failed() else edition


def load_policy(root, style: str | None = None) -> Edition:
    """The composed policy of the project in ``root``; UserError (with every problem) when it has problems."""
    project = load_or_fail(root)
    base = read_base(project)
    report = Report()
    edition = check_project(project, base, report, style)
    if edition is None:
        raise UserError(f"the policy in {root} has problems; fix them first (guideline local check {root})",
                        report=report)
    return edition
