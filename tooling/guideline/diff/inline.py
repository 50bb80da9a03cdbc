"""Morpheme-level inline diff for Japanese text.

Japanese has no spaces: a character diff splits words (``仕様書に{+明+}記[-載-]``) and a whitespace diff sees a
sentence as one word. Texts are cut into morphemes with fugashi + unidic-lite, so that ``記載→明記`` reads as one
replaced word and ``令和五年→令和六年`` as one changed numeral. Changed stretches separated only by particles or
punctuation (``情報の管理→データの保護``) merge into one change. A replacement is always given as the deletion first,
then the insertion.

Diffs run per text unit of one matched clause, never over whole documents (``difflib`` is quadratic), with
``autojunk=False`` (otherwise frequent tokens such as の, は, を become "junk" in sequences of 200+ tokens).
"""
from __future__ import annotations

import difflib
import re
from typing import Sequence

from guideline import morph

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
Run = tuple[str, str]  # (op, text), op one of equal | insert | delete
Runs = tuple[Run, ...]

# unidic part-of-speech (pos1) values that may separate two changes without stopping them from merging
_BOUNDARY_POS = frozenset({"助詞", "補助記号", "空白"})
# never merge across these: they separate table cells and lines
_HARD = frozenset({"\t", "\n"})
_HARD_RE = re.compile(r"([\t\n])")
# an equal stretch of at most this many boundary tokens between two changes is absorbed into them
MERGE_GAP = 2

_cache: dict[str, tuple[tuple[str, ...], tuple[bool, ...]]] = {}
_content_cache: dict[str, tuple[str, ...]] = {}
_CACHE_MAX = 200_000


def tokenize(text: str) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    """Morphemes of ``text`` (their concatenation is ``text``) and, per morpheme, whether it is a particle,
    punctuation or whitespace (a "boundary" that does not stop two changes from merging). Cached per text."""
    hit = _cache.get(text)
    if hit is not None:
        return hit
    tokens: list[str] = []
    boundary: list[bool] = []
    tagger = morph.tagger()
    for segment in _HARD_RE.split(text):
        if not segment:
            continue
        if segment in _HARD:
            tokens.append(segment)
            boundary.append(False)
            continue
        seg_tokens: list[str] = []
        seg_boundary: list[bool] = []
        for word in tagger(segment):
            ws = word.white_space
            if ws:
                seg_tokens.append(ws)
                seg_boundary.append(True)
            seg_tokens.append(word.surface)
            # feature_raw starts with pos1 ("助詞,格助詞,..."); much faster than the parsed word.feature
            seg_boundary.append(word.feature_raw.split(",", 1)[0] in _BOUNDARY_POS)
        joined = "".join(seg_tokens)
        if joined != segment:  # trailing whitespace or anything the tagger dropped: keep the text exact
            if segment.startswith(joined):
                seg_tokens.append(segment[len(joined):])
                seg_boundary.append(True)
            else:
                seg_tokens = list(segment)
                seg_boundary = [not c.isalnum() for c in segment]
        tokens.extend(seg_tokens)
        boundary.extend(seg_boundary)
    result = (tuple(tokens), tuple(boundary))
    if len(_cache) >= _CACHE_MAX:
        _cache.clear()
    _cache[text] = result
    return result


def content_tokens(text: str) -> tuple[str, ...]:
    """The morphemes of ``text`` without particles, punctuation and whitespace (what the matcher compares)."""
    hit = _content_cache.get(text)
    if hit is None:
        tokens, boundary = tokenize(text)
        hit = tuple(t for t, b in zip(tokens, boundary) if not b)
        if len(_content_cache) >= _CACHE_MAX:
            _content_cache.clear()
        _content_cache[text] = hit
    return hit


def ratio(a: Sequence[str], b: Sequence[str]) -> float:
    """difflib's similarity ratio of two token sequences (1.0 for two empty ones)."""
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def text_ratio(a: str, b: str) -> float:
    """Morpheme-level similarity of two texts."""
    return ratio(tokenize(a)[0], tokenize(b)[0])


def coalesce(runs: list[Run]) -> Runs:
    """Join neighbouring runs of the same op, drop empty ones."""
    out: list[Run] = []
    for op, text in runs:
        if not text:
            continue
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))
    return tuple(out)


def diff_texts(old: str, new: str) -> Runs:
    """Inline runs turning ``old`` into ``new``: equal, delete and insert, deletion before insertion.

    Joining the equal and delete runs gives ``old``; joining the equal and insert runs gives ``new``.
    """
    if old == new:
        return ((EQUAL, old),) if old else ()
    if not old:
        return ((INSERT, new),)
    if not new:
        return ((DELETE, old),)
    a, a_bound = tokenize(old)
    b, b_bound = tokenize(new)
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    # segments: [is_change, i1, i2, j1, j2]
    segs: list[list] = []
    for tag, i1, i2, j1, j2 in ops:
        change = tag != "equal"
        if segs and segs[-1][0] == change:
            segs[-1][2], segs[-1][4] = i2, j2
        else:
            segs.append([change, i1, i2, j1, j2])
    # absorb short equal stretches made only of particles/punctuation that sit between two changes
    merged: list[list] = []
    k = 0
    while k < len(segs):
        seg = segs[k]
        if (not seg[0] and merged and merged[-1][0] and k + 1 < len(segs) and segs[k + 1][0]
                and 0 < seg[2] - seg[1] <= MERGE_GAP
                and all(a_bound[i] and a[i] not in _HARD for i in range(seg[1], seg[2]))):
            nxt = segs[k + 1]
            merged[-1][2], merged[-1][4] = nxt[2], nxt[4]
            k += 2
            continue
        merged.append(list(seg))
        k += 1
    runs: list[Run] = []
    for change, i1, i2, j1, j2 in merged:
        if change:
            runs.append((DELETE, "".join(a[i1:i2])))
            runs.append((INSERT, "".join(b[j1:j2])))
        else:
            runs.append((EQUAL, "".join(a[i1:i2])))
    return coalesce(runs)


def old_text(runs: Runs) -> str:
    return "".join(t for op, t in runs if op != INSERT)


def new_text(runs: Runs) -> str:
    return "".join(t for op, t in runs if op != DELETE)


def wdiff(runs: Runs) -> str:
    """Runs as ``[-deleted-]{+inserted+}`` text (for the terminal)."""
    out = []
    for op, text in runs:
        if op == EQUAL:
            out.append(text)
        elif op == DELETE:
            out.append(f"[-{text}-]")
        else:
            out.append(f"{{+{text}+}}")
    return "".join(out)
