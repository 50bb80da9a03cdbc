"""Pairing the clauses of two editions (what makes this a clause diff rather than a text diff).

Stages, each working only on the clauses the earlier stages left unpaired:

1. **lineage** – ``split_from`` / ``merged_from`` metadata of the new edition groups clauses into splits and merges;
   ``replaces`` pairs a clause with its former ID;
2. **id** – the same stable ID on both sides;
3. **text** – identical normalised text (heading, body and commentary; an ID that was changed without ``replaces``);
4. **similarity** – morpheme-level similarity ≥ :data:`SIMILARITY_THRESHOLD`, best pairs first. Candidates come from
   an inverted index of character bigrams (rare bigrams only), so the stage stays near-linear: only a handful of
   candidates per clause ever reach ``difflib``;
5. **split/merge without lineage** – a clause whose partner's unpaired neighbouring sibling(s) on the other side
   consist mostly (≥ :data:`GROUP_COVERAGE` of their content morphemes) of the text the partner lost, and together
   with the partner match the clause closely (multiset Dice over content morphemes ≥ :data:`GROUP_THRESHOLD`),
   becomes a split or merge; so does an unpaired clause that a run of unpaired neighbouring clauses on the other
   side matches that closely.

The thresholds were measured on the sample editions; see docs/diff-format.md.
"""
from __future__ import annotations

import operator
from collections import Counter, defaultdict
from dataclasses import dataclass

from guideline.diff.inline import content_tokens, ratio, tokenize
from guideline.diff.units import ClauseText, clause_text
from guideline.model import Clause, Edition

SIMILARITY_THRESHOLD = 0.65
GROUP_THRESHOLD = 0.8
GROUP_COVERAGE = 0.5
MIN_TOKENS = 4  # clauses with fewer content morphemes (a heading alone) never pair by similarity
CANDIDATES = 8  # clauses per clause that reach difflib in the similarity stage
MIN_DICE = 0.2  # bigram Dice coefficient below which a candidate is not worth difflib


def _TOKENS(text: str) -> tuple[str, ...]:
    return content_tokens(text)


@dataclass(frozen=True, slots=True)
class Match:
    """One pairing: clause IDs on each side (in reading order), how it was found, and the score when computed."""

    old_ids: tuple[str, ...]
    new_ids: tuple[str, ...]
    matched_by: str | None  # id | text | similarity | lineage | None (added / deleted)
    similarity: float | None = None


class Side:
    """One edition's clauses in reading order with their texts, parents and sibling neighbours: what the matcher
    works on, and what :mod:`guideline.diff.changeset` reads again (texts, reading order) to build the changes, so
    that the clause texts are computed once."""

    def __init__(self, edition: Edition):
        self.edition = edition
        self.clauses: list[Clause] = list(edition.clauses())
        self.index = {c.id: i for i, c in enumerate(self.clauses)}
        self.texts: dict[str, ClauseText] = {c.id: clause_text(c, edition) for c in self.clauses}
        self._grams: dict[str, Counter] = {}
        self.siblings: dict[str, tuple[str | None, str | None]] = {}
        for parent in [None, *self.clauses]:
            kids = edition.parts if parent is None else parent.children
            for k, child in enumerate(kids):
                prev = kids[k - 1].id if k > 0 else None
                nxt = kids[k + 1].id if k + 1 < len(kids) else None
                self.siblings[child.id] = (prev, nxt)

    def key(self, cid: str) -> str:
        return self.texts[cid].key

    def tokens(self, cid: str) -> tuple[str, ...]:
        return _TOKENS(self.key(cid))

    def grams(self, cid: str) -> Counter:
        hit = self._grams.get(cid)
        if hit is None:
            hit = self._grams[cid] = _bigrams(self.key(cid))
        return hit


def _bigrams(text: str) -> Counter:
    grams = Counter(map(operator.add, text, text[1:]))
    for gram in [g for g in grams if "\n" in g]:
        del grams[gram]
    return grams


def match(old: Edition | Side, new: Edition | Side, threshold: float = SIMILARITY_THRESHOLD,
          group_threshold: float = GROUP_THRESHOLD) -> list[Match]:
    """Pair the clauses of ``old`` and ``new`` (editions, or their :class:`Side` when the caller keeps it); every
    clause appears in exactly one :class:`Match`.

    The result is in no particular order (:mod:`guideline.diff.changeset` orders it).
    """
    o = old if isinstance(old, Side) else Side(old)
    n = new if isinstance(new, Side) else Side(new)
    return _Matcher(o, n, threshold, group_threshold).run()


class _Matcher:
    def __init__(self, o: Side, n: Side, threshold: float, group_threshold: float):
        self.o, self.n = o, n
        self.threshold = threshold
        self.group_threshold = group_threshold
        self.old_free = set(o.index)
        self.new_free = set(n.index)
        self.matches: list[Match] = []
        self.pair_of_new: dict[str, int] = {}  # new id -> index in matches (1:1 pairs eligible for grouping)
        self.pair_of_old: dict[str, int] = {}

    # ----------------------------------------------------------------------------------------------------------------
    def run(self) -> list[Match]:
        self._lineage()
        self._by_id()
        self._by_text()
        self._by_similarity()
        self._groups()
        for cid in sorted(self.old_free, key=self.o.index.__getitem__):
            self.matches.append(Match((cid,), (), None))
        for cid in sorted(self.new_free, key=self.n.index.__getitem__):
            self.matches.append(Match((), (cid,), None))
        return self.matches

    def _add(self, old_ids, new_ids, by: str, sim: float | None = None, groupable: bool = False) -> None:
        old_ids = tuple(sorted(old_ids, key=self.o.index.__getitem__))
        new_ids = tuple(sorted(new_ids, key=self.n.index.__getitem__))
        self.old_free.difference_update(old_ids)
        self.new_free.difference_update(new_ids)
        self.matches.append(Match(old_ids, new_ids, by, None if sim is None else round(sim, 4)))
        if groupable and len(old_ids) == 1 and len(new_ids) == 1:
            self.pair_of_old[old_ids[0]] = len(self.matches) - 1
            self.pair_of_new[new_ids[0]] = len(self.matches) - 1

    # 1. lineage ------------------------------------------------------------------------------------------------------
    def _lineage(self) -> None:
        o, n = self.o, self.n
        splits: dict[str, list[str]] = defaultdict(list)
        for c in n.clauses:
            if c.meta.split_from and c.meta.split_from in o.index and c.meta.split_from != c.id:
                splits[c.meta.split_from].append(c.id)
        for src, parts in sorted(splits.items(), key=lambda kv: o.index[kv[0]]):
            if src not in self.old_free:
                continue
            # only parts that are new relative to OLD: a part whose ID OLD already has pairs by ID (diffing two
            # editions that both come after the split must not report the split again)
            group = [p for p in parts if p in self.new_free and p not in o.index]
            if not group:
                continue
            if src in n.index and src in self.new_free and src not in group:
                group.append(src)  # the original keeps its ID and part of its text
            if group:
                self._add([src], group, "lineage")
        for c in n.clauses:
            if not c.meta.merged_from or c.id not in self.new_free:
                continue
            olds = [m for m in c.meta.merged_from if m in self.old_free and (m not in n.index or m == c.id)]
            if c.id in self.old_free and c.id not in olds:
                olds.append(c.id)  # the merged clause keeps one of the old IDs
            if len(olds) >= 1 and (len(olds) > 1 or olds[0] != c.id):
                self._add(olds, [c.id], "lineage")
        for c in n.clauses:
            r = c.meta.replaces
            if r and c.id in self.new_free and r in self.old_free and r not in n.index:
                self._add([r], [c.id], "lineage")

    # 2. stable id ----------------------------------------------------------------------------------------------------
    def _by_id(self) -> None:
        for c in self.n.clauses:
            if c.id in self.new_free and c.id in self.old_free:
                self._add([c.id], [c.id], "id", groupable=True)

    # 3. identical normalised text -----------------------------------------------------------------------------------
    def _by_text(self) -> None:
        by_key: dict[str, list[str]] = defaultdict(list)
        for c in self.o.clauses:
            if c.id in self.old_free:
                by_key[self.o.key(c.id)].append(c.id)
        for c in self.n.clauses:
            if c.id not in self.new_free:
                continue
            olds = by_key.get(self.n.key(c.id))
            if olds:
                self._add([olds.pop(0)], [c.id], "text", groupable=True)

    # 4. similarity ----------------------------------------------------------------------------------------------------
    def _candidates(self, olds: list[str], news: list[str]) -> list[tuple[float, int, int, str, str]]:
        """(−score, old index, new index, old id, new id) for candidate pairs scoring ≥ threshold."""
        if not olds or not news:
            return []
        grams = {cid: self.o.grams(cid) for cid in olds}
        df: Counter = Counter()
        for g in grams.values():
            df.update(g.keys())
        cap = max(20, len(olds) // 20)  # bigrams in more clauses than this say nothing about which clause
        postings: dict[str, list[str]] = defaultdict(list)
        for cid in olds:
            for g in grams[cid]:
                if df[g] <= cap:
                    postings[g].append(cid)
        sizes = {cid: max(1, sum(grams[cid].values())) for cid in olds}
        out = []
        for nid in news:
            ng = self.n.grams(nid)
            nsize = max(1, sum(ng.values()))
            shared: Counter = Counter()
            for g, cnt in ng.items():
                for oid in postings.get(g, ()):
                    shared[oid] += min(cnt, grams[oid][g])
            ranked = sorted(((2 * s / (sizes[oid] + nsize), oid) for oid, s in shared.items()),
                            key=lambda t: (-t[0], self.o.index[t[1]]))
            ntok = self.n.tokens(nid)
            if len(ntok) < MIN_TOKENS:
                continue
            for dice, oid in ranked[:CANDIDATES]:
                if dice < MIN_DICE:
                    break
                otok = self.o.tokens(oid)
                if len(otok) < MIN_TOKENS:
                    continue
                score = ratio(otok, ntok)
                if score >= self.threshold:
                    out.append((-score, self.o.index[oid], self.n.index[nid], oid, nid))
        out.sort()
        return out

    def _by_similarity(self) -> None:
        olds = [c.id for c in self.o.clauses if c.id in self.old_free]
        news = [c.id for c in self.n.clauses if c.id in self.new_free]
        for neg, _, _, oid, nid in self._candidates(olds, news):
            if oid in self.old_free and nid in self.new_free:
                self._add([oid], [nid], "similarity", -neg, groupable=True)

    # 5. splits and merges without lineage ----------------------------------------------------------------------------
    def _groups(self) -> None:
        # split: one old clause ≈ a run of neighbouring new siblings
        self._grow(self.o, self.n, self.new_free, self.pair_of_old, split=True)
        # merge: a run of neighbouring old siblings ≈ one new clause
        self._grow(self.n, self.o, self.old_free, self.pair_of_new, split=False)

    def _grow(self, one: Side, many: Side, many_free: set[str], pair_of_one: dict[str, int], split: bool) -> None:
        one_free = self.old_free if split else self.new_free
        for c in one.clauses:
            cid = c.id
            if cid in pair_of_one:
                m = self.matches[pair_of_one[cid]]
                if m is None:
                    continue
                seeds = [(m.new_ids if split else m.old_ids)[0]]
            elif cid in one_free:
                seeds = self._free_seeds(one, many, cid, many_free)
            else:
                continue
            seeds = [sd for sd in seeds
                     if any(nb is not None and nb in many_free for nb in many.siblings.get(sd, (None, None)))]
            if not seeds:
                continue
            best = None
            target = one.tokens(cid)
            for seed in seeds:
                group, score, base = self._extend(seed, target, many, many_free)
                if len(group) > 1 and score >= self.group_threshold:
                    if best is None or score > best[1]:
                        best = (group, score)
            if best is None:
                continue
            group, score = best
            if cid in pair_of_one:
                idx = pair_of_one.pop(cid)
                m = self.matches[idx]
                partner = (m.new_ids if split else m.old_ids)[0]
                (self.pair_of_new if split else self.pair_of_old).pop(partner, None)
                self.matches[idx] = None  # type: ignore[call-overload]
                (self.new_free if split else self.old_free).add(partner)
                (self.old_free if split else self.new_free).add(cid)
            if split:
                self._add([cid], group, "similarity", score)
            else:
                self._add(group, [cid], "similarity", score)
        self.matches = [m for m in self.matches if m is not None]
        self._reindex()

    def _reindex(self) -> None:
        self.pair_of_old.clear()
        self.pair_of_new.clear()
        for i, m in enumerate(self.matches):
            if m.matched_by in ("id", "text", "similarity") and len(m.old_ids) == 1 and len(m.new_ids) == 1:
                self.pair_of_old[m.old_ids[0]] = i
                self.pair_of_new[m.new_ids[0]] = i

    def _free_seeds(self, one: Side, many: Side, cid: str, many_free: set[str]) -> list[str]:
        """Unpaired clauses on the other side that share rare bigrams with ``cid`` (a few best)."""
        mine = one.grams(cid)
        scored = []
        for other in many_free:
            theirs = many.grams(other)
            shared = sum((mine & theirs).values())
            if shared:
                scored.append((-shared / max(1, sum(theirs.values())), many.index[other], other))
        scored.sort()
        return [s[2] for s in scored[:3]]

    def _extend(self, seed: str, target: tuple[str, ...], many: Side, many_free: set[str]
                ) -> tuple[list[str], float, float]:
        """Grow a run of siblings around ``seed`` (only unpaired ones join) while the match to ``target`` improves.

        Scores are multiset Dice coefficients over content morphemes: order-insensitive, because the parts of a
        split need not keep the old order (the 解説 of the first part, say, stands before the second part)."""
        group = [seed]
        if not any(nb is not None and nb in many_free for nb in many.siblings.get(seed, (None, None))):
            return group, 0.0, 0.0
        want = Counter(target)
        have = Counter(many.tokens(seed))
        base = score = _bag_dice(want, have)
        while True:
            improved = False
            for side in (1, 0):  # try the next sibling first, then the previous one
                edge = group[-1] if side else group[0]
                neighbour = many.siblings.get(edge, (None, None))[side]
                if neighbour is None or neighbour not in many_free or neighbour in group:
                    continue
                bag = Counter(many.tokens(neighbour))
                # the neighbour must consist mostly of text that the group so far does not account for
                leftover = want - have
                covered = sum((leftover & bag).values()) / max(1, sum(bag.values()))
                trial_bag = have + bag
                s = _bag_dice(want, trial_bag)
                if covered >= GROUP_COVERAGE and s > score:
                    group = group + [neighbour] if side else [neighbour] + group
                    have, score, improved = trial_bag, s, True
                    break
            if not improved:
                return group, score, base


def _bag_dice(a: Counter, b: Counter) -> float:
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 1.0
