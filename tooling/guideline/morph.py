"""Japanese morphemes from fugashi + unidic-lite, shared by the inline diff and the editorial linter.

One tagger per process (loading the dictionary takes a moment). :func:`analyze` gives each morpheme with its offset
in the text and the UniDic fields the linter reasons with: the part of speech, the lemma and its reading (so that
及び/および, 行う/行なう, サーバ/サーバー are recognised as one word written two ways) and the base orthography.
"""
from __future__ import annotations

import csv
from typing import NamedTuple

_tagger = None


def tagger():
    """The process's fugashi tagger (unidic-lite), created on first use."""
    global _tagger
    if _tagger is None:
        import fugashi

        _tagger = fugashi.Tagger()
    return _tagger


class Morpheme(NamedTuple):
    """One morpheme at ``start`` of the analysed text (a named tuple: a large edition has ~270,000).
    ``lemma``/``reading`` identify the word whatever its spelling (UniDic lemma and lemma reading), ``base`` is
    its dictionary form as written (orthBase)."""

    start: int
    surface: str
    pos1: str
    pos2: str
    ctype: str
    cform: str
    lemma: str
    reading: str
    base: str

    @property
    def end(self) -> int:
        return self.start + len(self.surface)


# UniDic feature columns: pos1 pos2 pos3 pos4 cType cForm lForm lemma orth pron orthBase ...
_POS1, _POS2, _CTYPE, _CFORM, _LFORM, _LEMMA, _BASE = 0, 1, 4, 5, 6, 7, 10


def _fields(raw: str) -> list[str]:
    f = raw.split(",", 11)
    if len(f) == 12 and raw.find('"', 0, len(raw) - len(f[11])) >= 0:  # a quoted field among those read here
        return next(csv.reader([raw]))
    return f


def analyze(text: str) -> list[Morpheme]:
    """The morphemes of ``text`` with their offsets; whitespace is skipped, line breaks split the analysis."""
    out: list[Morpheme] = []
    tag = tagger()
    offset = 0
    for segment in text.split("\n"):
        pos = offset
        for word in tag(segment):
            pos += len(word.white_space)
            surface = word.surface
            if segment.startswith(surface, pos - offset):
                f = _fields(word.feature_raw)
                if len(f) > _BASE:
                    lemma = f[_LEMMA]
                    if "-" in lemma:  # サーバー-server: the lemma without its origin
                        lemma = lemma.split("-", 1)[0] or lemma
                    m = Morpheme(pos, surface, f[_POS1], f[_POS2], f[_CTYPE], f[_CFORM], lemma, f[_LFORM], f[_BASE])
                else:  # an unknown word: only the part of speech
                    m = Morpheme(pos, surface, f[_POS1], f[_POS2] if len(f) > 1 else "", "*", "*", surface, "", surface)
                out.append(m)
                pos += len(surface)
            else:  # the tagger dropped or changed characters: resynchronise on the next occurrence
                found = segment.find(surface, pos - offset)
                if found < 0:
                    break
                pos = offset + found + len(surface)
        offset += len(segment) + 1
    return out


def encode(analyses: list[list[Morpheme]]) -> dict:
    """Analyses as plain JSON data for a cache: a table of distinct morphemes (without their offsets) and, per
    text, pairs of offset and table index. A large edition has ~270,000 morphemes of ~10,000 kinds."""
    table: dict[tuple, int] = {}
    texts = []
    for ms in analyses:
        flat = []
        for m in ms:
            kind = m[1:]
            i = table.get(kind)
            if i is None:
                i = table[kind] = len(table)
            flat.append(m[0])
            flat.append(i)
        texts.append(flat)
    return {"kinds": [list(k) for k in table], "texts": texts}


def decode(data: dict) -> list[list[Morpheme]]:
    """The analyses :func:`encode` wrote; raises ValueError, TypeError or IndexError on anything else."""
    kinds = [tuple(str(x) for x in k) for k in data["kinds"]]
    if any(len(k) != len(Morpheme._fields) - 1 for k in kinds):
        raise ValueError("morpheme table of another shape")
    out = []
    new = tuple.__new__  # what Morpheme._make does, without a call per morpheme
    for flat in data["texts"]:
        if not all(type(x) is int for x in flat):
            raise TypeError("morpheme offsets and indexes are integers")
        out.append([new(Morpheme, (flat[j], *kinds[flat[j + 1]])) for j in range(0, len(flat), 2)])
    return out
