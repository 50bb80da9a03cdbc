"""Definitions and abbreviations: a term defined with （以下「X」という。）, in a definition sentence
(「この対策基準で管理区域とは、…をいう。」) or an abbreviation introduced as 最高情報セキュリティ責任者（CISO: …）
is used only after its definition, is used at all, is defined once, and replaces its long form afterwards.

Occurrences count only as whole words: they must start and end on morpheme boundaries and not run on into a
neighbouring noun (「職員等」 in 「会計年度任用職員等」 is part of a longer word; 「ID」 in 「IDS」 or in a URL is not
the abbreviation). 公用文作成の考え方「用語の使い方」（略語） (略語は、初出時に正式名称を示す); textlint has no counterpart.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from guideline.diagnostics import display_path
from guideline.lint.core import URL_RE, Lint, Unit
from guideline.lint.registry import rule

_DEF = re.compile(r"（以下(?:単に|これらを|総称して|併せて)?「([^「」（）]{1,40})」(?:又は「([^「」（）]{1,40})」)?という。?）")
_TOWA = re.compile(r"この(?:対策基準|基本方針|ガイドライン|規程|規則|節|章)(?:において|で)、?「?([^「」、。（）\s]{2,30}?)」?とは、")
_ABBR = re.compile(r"([^\s（）「」、。]{2,})（([A-Z][A-Za-z0-9&\-]{1,15})(?:[:：][^）]{0,80})?）")
_LONG_STOP = "、。「」（）\n"


@dataclass
class Definition:
    term: str
    unit: Unit
    start: int  # where the definition (the parenthesis, or the term in a とは sentence) starts
    end: int
    long_form: str = ""
    glossary: bool = False  # a sub-clause of a 定義 clause, its heading the term: defined for the text after it


def definitions(lint: Lint) -> list[Definition]:
    out = []
    for unit in lint.units:
        text = unit.text
        if unit.kind == "heading" and unit.clause.level > 1:
            parent = lint.edition.parent(unit.clause.id)
            if parent is not None and "定義" in parent.heading and 1 < len(text) <= 30 and "〓" not in text:
                out.append(Definition(text.strip(), unit, 0, len(text), glossary=True))
        if "以下" in text:
            for m in _DEF.finditer(text):
                j = m.start()
                k = j
                while k > 0 and text[k - 1] not in _LONG_STOP:
                    k -= 1
                long_form = text[k:j].strip()
                for g in (1, 2):
                    if m.group(g):
                        out.append(Definition(m.group(g), unit, m.start(), m.end(), long_form if g == 1 else ""))
        if "とは" in text:
            for m in _TOWA.finditer(text):
                out.append(Definition(m.group(1), unit, m.start(1), m.end()))
        if "（" in text:
            for m in _ABBR.finditer(text):
                out.append(Definition(m.group(2), unit, m.start(2), m.end()))
    return out


def _whole_words(lint: Lint, unit: Unit, term: str) -> list[int]:
    """Offsets where ``term`` stands as a whole word in the unit."""
    text = unit.text
    i = text.find(term)
    if i < 0:
        return []
    found = []
    ascii_term = term.isascii()
    urls = [(m.start(), m.end()) for m in URL_RE.finditer(text)] if ascii_term else []
    if not ascii_term:
        ms = lint.morphemes(unit)
        starts = {m.start: m for m in ms}
        ends = {m.end: m for m in ms}
    while i >= 0:
        j = i + len(term)
        if ascii_term:
            ok = not (i > 0 and text[i - 1].isascii() and text[i - 1].isalnum()) and \
                not (j < len(text) and text[j].isascii() and text[j].isalnum()) and \
                not any(a <= i < b for a, b in urls)
        else:
            before, after = ends.get(i), starts.get(j)
            first, last = starts.get(i), ends.get(j)
            ok = (i == 0 or before is not None) and (j == len(text) or after is not None) \
                and first is not None and last is not None
            if ok and before is not None and before.pos1 == "名詞":
                ok = False  # 任用職員等 is not 職員等
            if ok and after is not None and after.pos1 == "名詞" and last.pos1 in ("名詞", "接尾辞"):
                ok = False  # 管理区域内 is fine (接尾辞), 管理区域外部 is a longer noun
        if ok:
            found.append(i)
        i = text.find(term, i + 1)
    return found


def _occurrences(lint: Lint, term: str) -> list[tuple[Unit, int]]:
    out = []
    for unit in lint.units:
        if term in unit.text:
            out.extend((unit, i) for i in _whole_words(lint, unit, term))
    return out


def _analysis(lint: Lint):
    cache = getattr(lint, "_definitions", None)
    if cache is None:
        defs = definitions(lint)
        occ = {d.term: _occurrences(lint, d.term) for d in defs}
        cache = (defs, occ)
        lint._definitions = cache  # noqa: SLF001 - shared by the rules of this module within one run
    return cache


def _first(defs: list[Definition]) -> dict[str, Definition]:
    first: dict[str, Definition] = {}
    for d in defs:
        first.setdefault(d.term, d)
    return first


def _where(lint: Lint, d: Definition) -> str:
    path, line, _ = lint.where(d.unit, d.start)
    return f"{display_path(path)}:{line}"


@rule("def-used-before", "warning", "a defined term or abbreviation used before its definition",
      "公用文作成の考え方「用語の使い方」（略語は元の語を示してから用いる）; no textlint rule")
def used_before(lint: Lint) -> None:
    defs, occ = _analysis(lint)
    for term, d in _first(defs).items():
        if d.glossary:
            continue  # 定義 fixes the meaning for the text after it; the word itself is older than the definition
        enclosing = {c.id for c in lint.edition.ancestors(d.unit.clause.id)}
        for unit, i in occ[term]:
            if (unit.index, i) >= (d.unit.index, d.start):
                break
            if unit.kind == "heading" and (unit.clause is d.unit.clause or unit.clause.id in enclosing):
                continue  # the heading of the clause (or of a clause around it) names what the text defines
            lint.add(unit, i, i + len(term), f"「{term}」 is used before its definition at {_where(lint, d)}; "
                     "define it at its first use")
            break


@rule("def-unused", "warning", "a term defined with （以下「X」という。）, in a 定義 clause or as an abbreviation "
      "that is never used afterwards",
      "公用文作成の考え方「用語の使い方」（略語）; no textlint rule")
def unused(lint: Lint) -> None:
    defs, occ = _analysis(lint)
    for term, d in _first(defs).items():
        if not any((u.index, i) > (d.unit.index, d.end) or (u.index == d.unit.index and i >= d.end)
                   for u, i in occ[term]):
            if d.long_form or d.glossary or term.isascii():
                lint.add(d.unit, d.start, d.end, f"「{term}」 is defined here but never used afterwards; "
                         "drop the definition or use the term")


@rule("def-twice", "warning", "the same term defined twice", "公用文作成の考え方「用語の使い方」（略語）; no textlint rule")
def twice(lint: Lint) -> None:
    defs, _ = _analysis(lint)
    first = _first(defs)
    for d in defs:
        f = first[d.term]
        if d is not f and (d.unit.index, d.start) != (f.unit.index, f.start):
            lint.add(d.unit, d.start, d.end, f"「{d.term}」 is already defined at {_where(lint, f)}")


@rule("def-long-form", "warning", "the long form of a term used after the term was defined for it",
      "公用文作成の考え方「用語の使い方」（略語）; no textlint rule")
def long_form(lint: Lint) -> None:
    defs, _ = _analysis(lint)
    for term, d in _first(defs).items():
        long = d.long_form
        if len(long) < 6 or long == term:
            continue
        for unit in lint.units[d.unit.index:]:
            if long not in unit.text:
                continue
            for i in _whole_words(lint, unit, long):
                if unit is d.unit and i < d.end:
                    continue
                lint.add(unit, i, i + len(long), f"「{long}」 was defined as 「{term}」 at {_where(lint, d)}; write "
                         f"「{term}」")
