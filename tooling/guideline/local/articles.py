"""Numbering a policy as a 訓令 is published: 第N章 / 第N節 / 第N条 with （見出し） captions, 項 and 号.

The 例文 part holds documents (基本方針, 対策基準: its level-2 clauses), each numbered on its own from 第1条, as
separate 規程 are. Inside a document the heading levels in use are, from the deepest up: 号, 条, then 章, 節, 款, 目
(the outline ``1. / 1.1. / (1) / ①`` of 対策基準 becomes 章 / 節 / 条 / 号; the shallower ``1. / (1)`` of 基本方針
becomes 条 / 号). A 章 or 節 with no sub-clauses is an 条 itself; a clause below an 条 is a 号 (``(1)``, the 横書き
convention), below a 号 a 細分 (``ア``). 条 run on through the document across 章 and 節; 号 restart in each 条. An
条's second and later paragraphs are its 項, numbered 2, 3 …. Numbers are by position only, so a clause left out
or added renumbers its followers and there are no branch numbers (第3条の2).

Addresses: ``prefix`` is the document's title and ``local`` the article path (第5条第2号), so a cross-reference in
the same document reads 第5条第2号 and one into the other document 情報セキュリティ対策基準 第5条第2号.

Which clause is a document, a group or an 条 is decided here; the numbering itself is the core's
(:mod:`guideline.numbering_articles`), shared with editions whose ``edition.yaml`` says ``numbering: articles``.
"""
from __future__ import annotations

from guideline.model import Clause
from guideline.numbering_articles import ARTICLE, CONTAINERS, number_articles as number_body, plain, with_numbers


def number_articles(parts: tuple[Clause, ...]) -> tuple[Clause, ...]:
    """The parts with ``number``/``prefix``/``local`` set in the 訓令 style (see the module docstring); 条 headings
    become captions （目的）, and 条 paragraphs after the first carry their 項 number."""
    out = []
    for part in parts:
        docs = tuple(_document(d) if not d.unnumbered or d.children else plain(d, d.heading, "")
                     for d in part.children)
        out.append(with_numbers(part, number="", prefix="", local="", children=docs))
    return tuple(out)


def _levels(doc: Clause) -> list[int]:
    return sorted({c.level for c in doc.walk() if c is not doc})


def _document(doc: Clause) -> Clause:
    """One document (基本方針, 対策基準) numbered from 第1条: the deepest level but one holds its 条 (the only
    level, when it has one), the levels above are 章, 節, 款, 目 in order, and a group with no sub-clauses is an
    条 itself."""
    levels = _levels(doc)
    if not levels:
        return with_numbers(doc, number="", prefix=doc.heading, local="")
    article_level = levels[0] if len(levels) == 1 else levels[-2]
    kinds = {lv: CONTAINERS[min(i, len(CONTAINERS) - 1)] for i, lv in enumerate(lv for lv in levels
                                                                               if lv < article_level)}

    def role(c: Clause) -> str:
        kind = kinds.get(c.level, ARTICLE) if c.level < article_level else ARTICLE
        return kind if kind == ARTICLE or c.children else ARTICLE

    kids = number_body(doc.children, role, doc.heading, {ARTICLE: 0})
    return with_numbers(doc, number="", prefix=doc.heading, local="", children=kids)
