"""The annotated change model: every pairing of clauses between two editions, with everything a writer renders.

:func:`compare` runs the matcher (:mod:`guideline.diff.matching`), then annotates every pairing with its kind,
aspects and morpheme-level inline runs (:mod:`guideline.diff.inline`). Writers (``changes.json``, the HTML redline,
the 新旧対照表, Word tracked changes) only *render* a :class:`ChangeSet`; none of them diffs anything itself.
"""
from __future__ import annotations

import bisect
import difflib
from collections import Counter
from dataclasses import dataclass, field

from guideline.diff import inline, matching
from guideline.diff.inline import DELETE, EQUAL, INSERT, Runs
from guideline.diff.units import ClauseText, Unit, clause_text
from guideline.figures import figure_files
from guideline.gcscope import fewer_collections
from guideline.model import Clause, Edition, NiscMapping

KINDS = ("unchanged", "changed", "added", "deleted", "split", "merged")
ASPECTS = ("text", "figure", "heading", "number", "moved", "metadata")
UNIT_PAIR_THRESHOLD = 0.4  # bigram Dice at which two differing paragraphs count as one edited paragraph
PIECES_THRESHOLD = 0.7  # bigram Dice of one paragraph with 2–4 joined ones for a paragraph split/merge
MAX_PIECES = 4


@dataclass(frozen=True, slots=True)
class TextDiff:
    """The inline diff of one text unit (a heading, paragraph, list-item paragraph, table row or code block).

    ``op``: ``equal`` (same text), ``changed`` (edited: ``runs`` holds equal/delete/insert), ``insert`` (only in the
    new edition) or ``delete`` (only in the old one).
    ``old`` / ``new``: the :class:`~guideline.diff.units.Unit` on each side (None on the side that lacks it); a
    unit's ``clause_id`` says which clause it belongs to, its ``path`` where it sits in that clause's blocks.
    ``runs``: ``(op, text)`` pairs over the unit text (labels such as ``(ア)`` excluded; compare ``old.label`` and
    ``new.label``), deletion before insertion; the equal+delete runs join to the old text, equal+insert to the new.
    ``host``: the ID of the new-edition clause in which this unit is shown (for a deleted unit of a split or merge:
    the clause that holds the text before it); empty for units of a deleted clause.
    ``joined``: ``""`` for a one-to-one pairing; ``"split"`` when one old unit became several consecutive new units
    (each piece is its own TextDiff sharing the same ``old``; ``runs`` cover that piece, the pieces' equal+delete runs
    join to the old text); ``"merge"`` when several old units became one new unit (pieces share ``new``). Every
    piece after the first stands for a paragraph mark inserted (split) or deleted (merge) before it.
    """

    op: str
    old: Unit | None
    new: Unit | None
    runs: Runs
    host: str = ""
    joined: str = ""

    @property
    def label_changed(self) -> bool:
        return self.old is not None and self.new is not None and self.old.label != self.new.label


@dataclass(frozen=True, slots=True)
class MetaDiff:
    """Changes of a clause's metadata: NISC mappings (by catalog ID), network models, tags, editorial note."""

    nisc_added: tuple[NiscMapping, ...] = ()
    nisc_removed: tuple[NiscMapping, ...] = ()
    nisc_changed: tuple[tuple[NiscMapping, NiscMapping], ...] = ()  # (old, new): relationship or rationale changed
    models: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # (old, new) when they differ
    tags: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    note: tuple[str, str] | None = None

    @property
    def empty(self) -> bool:
        return not (self.nisc_added or self.nisc_removed or self.nisc_changed or self.models or self.tags
                    or self.note)

    @property
    def nisc_changes(self) -> bool:
        return bool(self.nisc_added or self.nisc_removed or self.nisc_changed)


@dataclass(frozen=True)
class Change:
    """One pairing of clauses: the unit of ``changes.json`` and of every redline.

    ``kind``: ``unchanged`` | ``changed`` | ``added`` | ``deleted`` | ``split`` (one old clause → several new) |
    ``merged`` (several old → one new).
    ``old`` / ``new``: the clauses on each side, in reading order (empty on the side that lacks them).
    ``aspects`` (for ``changed``; empty otherwise): a subset of ``text`` (body or commentary), ``figure`` (a figure
    file replaced, added or removed, by its content), ``heading``,
    ``number`` (display address), ``moved`` (other parent, or order among siblings changed beyond renumbering),
    ``metadata`` (NISC mappings, models, tags, note), in that order.
    ``matched_by``: ``id`` | ``text`` | ``similarity`` | ``lineage`` (None for added/deleted); ``similarity``: the
    score that made a similarity match (None otherwise).
    ``headings``: one :class:`TextDiff` per clause position: for a plain pairing one (old heading → new heading);
    for a split/merge the clauses are aligned (same ID first, else first with first) and the others are pure
    insertions/deletions. Added clauses have insert diffs, deleted clauses delete diffs, unchanged ones equal diffs.
    ``body`` / ``commentary``: :class:`TextDiff` for the 例文 and the 解説, aligned unit by unit over the
    concatenation of the group's clauses (so text that moves between the parts of a split reads as unchanged).
    ``meta``: the metadata changes (mappings of an added clause count as added, of a deleted one as removed).
    """

    kind: str
    old: tuple[Clause, ...]
    new: tuple[Clause, ...]
    aspects: tuple[str, ...]
    matched_by: str | None
    similarity: float | None
    headings: tuple[TextDiff, ...]
    body: tuple[TextDiff, ...]
    commentary: tuple[TextDiff, ...]
    meta: MetaDiff = field(default_factory=MetaDiff)

    @property
    def old_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.old)

    @property
    def new_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.new)

    @property
    def old_numbers(self) -> tuple[str, ...]:
        return tuple(c.address for c in self.old)

    @property
    def new_numbers(self) -> tuple[str, ...]:
        return tuple(c.address for c in self.new)

    @property
    def anchor(self) -> str:
        """A stable HTML anchor for this change: the first new ID, else the first old ID (prefixed ``del-``)."""
        return f"chg-{self.new[0].id}" if self.new else f"chg-del-{self.old[0].id}"

    @property
    def text_changed(self) -> bool:
        return any(d.op != EQUAL for d in (*self.body, *self.commentary))

    @property
    def heading_changed(self) -> bool:
        return any(d.op != EQUAL for d in self.headings)

    def units(self, section: str) -> tuple[TextDiff, ...]:
        return self.body if section == "body" else self.commentary


@dataclass(frozen=True)
class ChangeSet:
    """All pairings of two editions, in the order of the new edition; deleted clauses stand where they stood in the
    old one (after the change holding the nearest preceding surviving, unmoved old clause). Every clause of either
    edition is in exactly one :class:`Change`.

    Rendering recipe (what the redline does, and what a Word tracked-changes writer needs): walk ``changes`` in
    order. For a change with new clauses, emit each new clause in turn: its heading from the ``headings`` diff whose
    ``new`` unit belongs to it (plus, for a merge, the deleted headings whose ``host`` is it), then the ``body`` and
    ``commentary`` diffs whose ``host`` is it, in order. For a deleted change, emit its old clauses with every unit
    deleted. Guarantees (tested in tests/test_diff_model.py): per change, the ``new`` units of the diffs, in order
    and without repeats, are exactly the new clauses' units, and likewise the ``old`` units the old clauses' units;
    the equal+insert runs of the diffs sharing a ``new`` unit join to its text, the equal+delete runs of the diffs
    sharing an ``old`` unit to its text. Accepting every insertion and rejecting every deletion therefore yields the
    new edition's text, and the reverse the old edition's.
    """

    old: Edition
    new: Edition
    changes: tuple[Change, ...]
    threshold: float

    def summary(self) -> dict[str, int]:
        counts = Counter(c.kind for c in self.changes)
        return {k: counts.get(k, 0) for k in KINDS}

    def by_new_id(self) -> dict[str, Change]:
        return {c.id: ch for ch in self.changes for c in ch.new}

    def by_old_id(self) -> dict[str, Change]:
        return {c.id: ch for ch in self.changes for c in ch.old}

    @property
    def differs(self) -> bool:
        return any(c.kind != "unchanged" for c in self.changes)


EMPTY_META_DIFF = MetaDiff()

# ----------------------------------------------------------------------------------------------------------------------


@fewer_collections()
def compare(old: Edition, new: Edition, threshold: float = matching.SIMILARITY_THRESHOLD) -> ChangeSet:
    """Diff two editions clause by clause."""
    o, n = matching.Side(old), matching.Side(new)
    matches = matching.match(o, n, threshold)
    new_of_old: dict[str, set[str]] = {}
    for m in matches:
        for oid in m.old_ids:
            new_of_old.setdefault(oid, set()).update(m.new_ids)
    moved = _moved(old, new, matches, new_of_old)
    built = [_change(m, o, n, moved) for m in matches]
    return ChangeSet(old, new, tuple(_order(built, o, n)), threshold)


def _change(m: matching.Match, o: matching.Side, n: matching.Side, moved: set[str]) -> Change:
    olds = tuple(o.edition.by_id[i] for i in m.old_ids)
    news = tuple(n.edition.by_id[i] for i in m.new_ids)
    otexts = [o.texts[c.id] for c in olds]
    ntexts = [n.texts[c.id] for c in news]
    headings = _heading_diffs(olds, news, otexts, ntexts)
    body = _align([u for t in otexts for u in t.body], [u for t in ntexts for u in t.body], news)
    commentary = _align([u for t in otexts for u in t.commentary], [u for t in ntexts for u in t.commentary], news)
    meta = _meta_diff(olds, news)
    aspects: list[str] = []
    if not olds:
        kind = "added"
    elif not news:
        kind = "deleted"
    elif len(olds) > 1:
        kind = "merged"
    elif len(news) > 1:
        kind = "split"
    else:
        a, b = olds[0], news[0]
        if any(d.op != EQUAL for d in (*body, *commentary)):
            aspects.append("text")
        if figure_files(a, o.edition) != figure_files(b, n.edition):
            aspects.append("figure")
        if any(d.op != EQUAL for d in headings):
            aspects.append("heading")
        if a.address != b.address:
            aspects.append("number")
        if b.id in moved:
            aspects.append("moved")
        if not meta.empty:
            aspects.append("metadata")
        kind = "changed" if aspects else "unchanged"
    return Change(kind, olds, news, tuple(aspects), m.matched_by, m.similarity, headings, body, commentary, meta)


def _diff(a: Unit | None, b: Unit | None, host: str) -> TextDiff:
    if a is None:
        assert b is not None
        return TextDiff(INSERT, None, b, ((INSERT, b.text),) if b.text else (), host)
    if b is None:
        return TextDiff(DELETE, a, None, ((DELETE, a.text),) if a.text else (), host)
    if a.text == b.text and a.label == b.label:
        return TextDiff(EQUAL, a, b, ((EQUAL, a.text),) if a.text else (), host)
    return TextDiff("changed", a, b, inline.diff_texts(a.text, b.text), host)


def _heading_diffs(olds, news, otexts: list[ClauseText], ntexts: list[ClauseText]) -> tuple[TextDiff, ...]:
    """Align the clauses of a group: same ID first, else first with first; the rest are insertions/deletions."""
    if not olds:
        return tuple(_diff(None, t.heading, c.id) for c, t in zip(news, ntexts))
    if not news:
        return tuple(_diff(t.heading, None, "") for t in otexts)
    pairs: dict[int, int] = {}  # new index -> old index
    old_pos = {c.id: i for i, c in enumerate(olds)}
    for j, c in enumerate(news):
        if c.id in old_pos:
            pairs[j] = old_pos[c.id]
    if not pairs:
        pairs[0] = 0
    out: list[TextDiff] = []
    used = set(pairs.values())
    pending = [i for i in range(len(olds)) if i not in used]
    for j, c in enumerate(news):
        if j in pairs:
            i = pairs[j]
            # deleted headings of old clauses that came before this one stand before it
            while pending and pending[0] < i:
                out.append(_diff(otexts[pending.pop(0)].heading, None, c.id))
            out.append(_diff(otexts[i].heading, ntexts[j].heading, c.id))
        else:
            out.append(_diff(None, ntexts[j].heading, c.id))
    last = news[-1].id
    for i in pending:
        out.append(_diff(otexts[i].heading, None, last))
    return tuple(out)


def _grams(text: str) -> Counter:
    return Counter(text[i:i + 2] for i in range(len(text) - 1)) if len(text) > 1 else Counter(text)


def _dice(a: Counter, b: Counter) -> float:
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 1.0


def _align(old_units: list[Unit], new_units: list[Unit], news: tuple[Clause, ...]) -> tuple[TextDiff, ...]:
    """Pair the units of two clause texts (equal keys first, then similar units in order) and diff each pair."""
    if not old_units and not new_units:
        return ()
    first_host = news[0].id if news else ""
    if len(old_units) == len(new_units) and all(
            a.text == b.text and a.label == b.label and a.kind == b.kind for a, b in zip(old_units, new_units)):
        return tuple(TextDiff(EQUAL, a, b, ((EQUAL, a.text),) if a.text else (), b.clause_id)
                     for a, b in zip(old_units, new_units))
    pairs: list = []
    sm = difflib.SequenceMatcher(None, [(u.kind, u.key) for u in old_units], [(u.kind, u.key) for u in new_units],
                                 autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            pairs.extend(zip(old_units[i1:i2], new_units[j1:j2]))
        else:
            pairs.extend(_pair_similar(old_units[i1:i2], new_units[j1:j2]))
    out: list[TextDiff] = []
    # hosts of deleted units: the clause of the nearest preceding unit with a new side, else the first one
    host = first_host
    for a, b in pairs:
        if isinstance(b, list):
            for d in _split_pieces(a, b):
                out.append(d)
            host = b[-1].clause_id
        elif isinstance(a, list):
            assert b is not None
            out.extend(_merge_pieces(a, b))
            host = b.clause_id
        else:
            if b is not None:
                host = b.clause_id
            out.append(_diff(a, b, host if news else ""))
    return tuple(out)


def _cut(runs: Runs, lengths: list[int], consumed_by: tuple[str, ...]) -> list[list[tuple[str, str]]]:
    """Cut runs into pieces whose ``consumed_by`` runs total ``lengths``; other runs stay with the current piece."""
    pieces: list[list[tuple[str, str]]] = [[] for _ in lengths]
    k, room = 0, lengths[0]
    for op, text in runs:
        if op not in consumed_by:
            pieces[k].append((op, text))
            continue
        while text:
            while room == 0 and k + 1 < len(lengths):
                k += 1
                room = lengths[k]
            take = text if k + 1 == len(lengths) else text[:room]
            pieces[k].append((op, take))
            room -= len(take)
            text = text[len(take):]
    return pieces


def _split_pieces(a: Unit, bs: list[Unit]) -> list[TextDiff]:
    runs = inline.diff_texts(a.text, "".join(b.text for b in bs))
    pieces = _cut(runs, [len(b.text) for b in bs], (EQUAL, INSERT))
    return [TextDiff("changed", a, b, inline.coalesce(p), b.clause_id, "split") for b, p in zip(bs, pieces)]


def _merge_pieces(as_: list[Unit], b: Unit) -> list[TextDiff]:
    runs = inline.diff_texts("".join(a.text for a in as_), b.text)
    pieces = _cut(runs, [len(a.text) for a in as_], (EQUAL, DELETE))
    return [TextDiff("changed", a, b, inline.coalesce(p), b.clause_id, "merge") for a, p in zip(as_, pieces)]


def _pair_similar(olds: list[Unit], news: list[Unit]) -> list:
    """Monotone alignment of two runs of differing units maximising total bigram similarity (small DP).

    Items are (old, new) pairs with None on a missing side, (old, [new, ...]) for a paragraph split and
    ([old, ...], new) for a paragraph merge."""
    if not olds or not news:
        return [(a, None) for a in olds] + [(None, b) for b in news]
    if len(olds) * len(news) > 40_000:  # pathological: pair in order
        k = min(len(olds), len(news))
        return (list(zip(olds[:k], news[:k])) + [(a, None) for a in olds[k:]] + [(None, b) for b in news[k:]])
    og = [_grams(u.key) for u in olds]
    ng = [_grams(u.key) for u in news]
    m, n = len(olds), len(news)
    score = [[0.0] * (n + 1) for _ in range(m + 1)]
    # back: (di, dj): (1, 1) pair, (1, 0) old deleted, (0, 1) new inserted, (1, k) split, (k, 1) merge
    back = [[(0, 0)] * (n + 1) for _ in range(m + 1)]
    for i in range(m, -1, -1):
        for j in range(n, -1, -1):
            if i == m and j == n:
                continue
            best, how = -1.0, (0, 0)
            if i < m and score[i + 1][j] > best:
                best, how = score[i + 1][j], (1, 0)
            if j < n and score[i][j + 1] > best:
                best, how = score[i][j + 1], (0, 1)
            if i < m and j < n and _compatible(olds[i], news[j]):
                s = _dice(og[i], ng[j])
                if s >= UNIT_PAIR_THRESHOLD and score[i + 1][j + 1] + s > best:
                    best, how = score[i + 1][j + 1] + s, (1, 1)
                # one paragraph split into k, or k merged into one: scored per unit covered
                for k in range(2, MAX_PIECES + 1):
                    if j + k <= n and all(_compatible(olds[i], b) for b in news[j:j + k]):
                        s = _dice(og[i], _grams("".join(b.key for b in news[j:j + k])))
                        if s >= PIECES_THRESHOLD and score[i + 1][j + k] + s * (k + 1) / 2 > best:
                            best, how = score[i + 1][j + k] + s * (k + 1) / 2, (1, k)
                    if i + k <= m and all(_compatible(a, news[j]) for a in olds[i:i + k]):
                        s = _dice(_grams("".join(a.key for a in olds[i:i + k])), ng[j])
                        if s >= PIECES_THRESHOLD and score[i + k][j + 1] + s * (k + 1) / 2 > best:
                            best, how = score[i + k][j + 1] + s * (k + 1) / 2, (k, 1)
            score[i][j], back[i][j] = best, how
    out: list = []
    i = j = 0
    while i < m or j < n:
        di, dj = back[i][j]
        if (di, dj) == (1, 0):
            out.append((olds[i], None))
        elif (di, dj) == (0, 1):
            out.append((None, news[j]))
        elif (di, dj) == (1, 1):
            out.append((olds[i], news[j]))
        elif di == 1:
            out.append((olds[i], list(news[j:j + dj])))
        else:
            out.append((list(olds[i:i + di]), news[j]))
        i, j = i + di, j + dj
    # show deletions before insertions inside a run of unpaired units
    return _deletions_first(out)


def _compatible(a: Unit, b: Unit) -> bool:
    return a.kind == b.kind or {a.kind, b.kind} <= {"para", "item"}


def _deletions_first(pairs: list[tuple[Unit | None, Unit | None]]) -> list[tuple[Unit | None, Unit | None]]:
    out: list[tuple[Unit | None, Unit | None]] = []
    ins: list[tuple[Unit | None, Unit | None]] = []
    for p in pairs:
        if p[0] is None:
            ins.append(p)
        elif p[1] is None:
            out.append(p)
        else:
            out.extend(ins)
            ins = []
            out.append(p)
    return out + ins


def meta_key(c: Clause) -> tuple:
    """A clause's metadata as compared: the mappings in order (ID, relationship, rationale), models, tags, note."""
    m = c.meta
    return (tuple((x.nisc_id, x.relationship, x.rationale) for x in m.nisc), m.models, m.tags, m.note)


def _meta_diff(olds: tuple[Clause, ...], news: tuple[Clause, ...]) -> MetaDiff:
    if len(olds) == 1 and len(news) == 1 and meta_key(olds[0]) == meta_key(news[0]):
        return EMPTY_META_DIFF
    def mappings(cs):
        out: dict[str, NiscMapping] = {}
        for c in cs:
            for mp in c.meta.nisc:
                out.setdefault(mp.nisc_id, mp)
        return out

    a, b = mappings(olds), mappings(news)
    added = tuple(b[k] for k in b if k not in a)
    removed = tuple(a[k] for k in a if k not in b)
    changed = tuple((a[k], b[k]) for k in b if k in a and (a[k].relationship, a[k].rationale)
                    != (b[k].relationship, b[k].rationale))
    if not olds or not news:
        return MetaDiff(added, removed, changed)

    def joined(attr: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(x for c in (olds if attr.startswith("o") else news)
                                   for x in getattr(c.meta, attr[2:])))

    models = (joined("o:models"), joined("n:models"))
    tags = (joined("o:tags"), joined("n:tags"))
    note = ("\n".join(c.meta.note for c in olds if c.meta.note), "\n".join(c.meta.note for c in news if c.meta.note))
    return MetaDiff(added, removed, changed,
                    models if models[0] != models[1] else None,
                    tags if tags[0] != tags[1] else None,
                    note if note[0] != note[1] else None)


def _lis(seq: list[int]) -> set[int]:
    """Positions (indices into ``seq``) of one longest strictly increasing subsequence (the first found)."""
    tails: list[int] = []
    tails_at: list[int] = []
    prev = [-1] * len(seq)
    for k, v in enumerate(seq):
        p = bisect.bisect_left(tails, v)
        if p == len(tails):
            tails.append(v)
            tails_at.append(k)
        else:
            tails[p] = v
            tails_at[p] = k
        prev[k] = tails_at[p - 1] if p > 0 else -1
    keep: set[int] = set()
    k = tails_at[-1] if tails_at else -1
    while k >= 0:
        keep.add(k)
        k = prev[k]
    return keep


def _moved(old: Edition, new: Edition, matches: list[matching.Match], new_of_old: dict[str, set[str]]) -> set[str]:
    """New IDs of 1:1 pairings whose parent changed, or whose order among their siblings changed."""
    moved: set[str] = set()
    partner: dict[str, str] = {}
    for m in matches:
        if len(m.old_ids) == 1 and len(m.new_ids) == 1:
            partner[m.new_ids[0]] = m.old_ids[0]
    old_rank: dict[str, int] = {}
    for parent in [None, *old.clauses()]:
        kids = old.parts if parent is None else parent.children
        for k, c in enumerate(kids):
            old_rank[c.id] = k
    same_parent: dict[str | None, list[str]] = {}
    for nid, oid in partner.items():
        po = old.parent_of.get(oid)
        pn = new.parent_of.get(nid)
        if (po is None) != (pn is None) or (po is not None and pn not in new_of_old.get(po, ())):
            moved.add(nid)
        else:
            same_parent.setdefault(pn, []).append(nid)
    new_rank: dict[str, int] = {}
    for parent in [None, *new.clauses()]:
        kids = new.parts if parent is None else parent.children
        for k, c in enumerate(kids):
            new_rank[c.id] = k
    for pn, nids in same_parent.items():
        nids.sort(key=new_rank.__getitem__)
        seq = [old_rank[partner[nid]] for nid in nids]
        keep = _lis(seq)
        moved.update(nid for k, nid in enumerate(nids) if k not in keep)
    return moved


def _order(changes: list[Change], o: matching.Side, n: matching.Side) -> list[Change]:
    """New-edition order; each deleted clause after the change of the nearest preceding surviving old clause."""
    with_new = sorted((c for c in changes if c.new), key=lambda c: n.index[c.new[0].id])
    deleted = sorted((c for c in changes if not c.new), key=lambda c: o.index[c.old[0].id])
    change_of_old = {cl.id: ch for ch in with_new for cl in ch.old}
    after: dict[int, list[Change]] = {}
    leading: list[Change] = []
    for d in deleted:
        anchor = None
        for k in range(o.index[d.old[0].id] - 1, -1, -1):
            ch = change_of_old.get(o.clauses[k].id)
            if ch is not None and "moved" not in ch.aspects:
                anchor = ch
                break
        if anchor is None:
            leading.append(d)
        else:
            after.setdefault(id(anchor), []).append(d)
    out = list(leading)
    for ch in with_new:
        out.append(ch)
        out.extend(after.get(id(ch), ()))
    return out
