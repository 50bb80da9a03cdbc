"""Sentence hygiene: long sentences, a particle typed twice (をを, のの), 並びに/若しくは without the 及び/又は they
group, and です・ます mixed with である in one 例文 clause.

公用文作成の考え方（令和4年建議）「伝わる公用文のために」(一文を短く; 文体を混在させない)
and the 法令 usage of 及び/並びに and 又は/若しくは (並びに and 若しくは only join groups that contain 及び and 又は);
the textlint counterparts are ja-technical-writing sentence-length, no-doubled-joshi, no-mix-dearu-desumasu.
"""
from __future__ import annotations

import re

from guideline.lint.core import MASK, Lint, sentences
from guideline.lint.registry import rule

_PARTICLES = frozenset("をのがにはでへとも")
_DESUMASU = re.compile(r"(?:です|ます|ました|でした|ません|ましょう|ください)[）」]*。$")


@rule("sentence-length", "warning", "a sentence longer than lint.yaml's sentence_length (150 characters)",
      "公用文作成の考え方「伝わる公用文のために」（一文を短く）; textlint ja-technical-writing sentence-length (100)")
def length(lint: Lint) -> None:
    limit = lint.config.sentence_length
    for unit in lint.units:
        if unit.kind == "heading" or len(unit.text) <= limit:
            continue
        text = unit.text
        for start, end in sentences(text):
            n = end - start - text.count(" ", start, end) - text.count("\n", start, end)
            if n > limit:
                lint.add(unit, start, end, f"sentence of {n} characters (lint.yaml sentence_length: {limit}); "
                         "split it")


@rule("particle-doubled", "error", "the same particle twice in a row (をを, のの)",
      "textlint ja-technical-writing no-doubled-joshi / ja-no-successive-word", fixable=True)
def doubled_particle(lint: Lint) -> None:
    for unit in lint.units:
        text = unit.text
        if not any(text.count(p + p) for p in _PARTICLES):
            continue
        ms = lint.morphemes(unit)
        for a, b in zip(ms, ms[1:]):
            if (a.pos1 == "助詞" and b.pos1 == "助詞" and a.surface == b.surface and a.end == b.start
                    and a.surface in _PARTICLES):
                lint.add(unit, a.start, b.end, f"particle 「{a.surface}」 twice; delete one", fix=a.surface)


@rule("conj-nesting", "warning", "並びに without a 及び (or 若しくは without a 又は) in the sentence",
      "法令用語の用法 (公用文作成の考え方「用語の使い方」): 並びに joins groups made with 及び, 若しくは groups inside 又は")
def conjunction_nesting(lint: Lint) -> None:
    for unit in lint.units:
        text = unit.text
        if "並びに" not in text and "若しくは" not in text:
            continue
        for start, end in sentences(text):
            s = text[start:end]
            for upper, lower in (("並びに", "及び"), ("若しくは", "又は")):
                i = s.find(upper)
                if i >= 0 and lower not in s:
                    lint.add(unit, start + i, start + i + len(upper),
                             f"「{upper}」 joins groups that contain 「{lower}」; with no 「{lower}」 in this sentence "
                             f"write 「{lower}」")


@rule("style-mix", "warning", "です・ます and である styles mixed in one 例文 clause",
      "公用文作成の考え方「伝わる公用文のために」（文体）; textlint ja-technical-writing no-mix-dearu-desumasu")
def style_mix(lint: Lint) -> None:
    by_clause: dict[str, list] = {}
    for unit in lint.units:
        if unit.reibun and unit.kind == "body":
            by_clause.setdefault(unit.clause.id, []).append(unit)
    for units in by_clause.values():
        polite, plain = [], []
        for unit in units:
            text = unit.text
            for start, end in sentences(text):
                s = text[start:end].rstrip()
                if not s.endswith("。") or s.replace(MASK, "").strip("。") == "":
                    continue
                (polite if _DESUMASU.search(s) else plain).append((unit, start, end))
        if polite and plain:
            minority, style = (polite, "です・ます") if len(polite) <= len(plain) else (plain, "である")
            other = "である" if style == "です・ます" else "です・ます"
            for unit, start, end in minority:
                lint.add(unit, start, end, f"{style} style in a 例文 clause written in {other} style; use one style")
