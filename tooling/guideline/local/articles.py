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
"""
from __future__ import annotations

from guideline.model import Clause, Para, Text

CONTAINERS = ("章", "節", "款", "目")
KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
ITEM_SEP = "\u3000"  # between a 項 number and its text, as in print


def number_articles(parts: tuple[Clause, ...]) -> tuple[Clause, ...]:
    """The parts with ``number``/``prefix``/``local`` set in the 訓令 style (see the module docstring); 条 headings
    become captions （目的）, and 条 paragraphs after the first carry their 項 number."""
    out = []
    for part in parts:
        docs = tuple(_document(d) if not d.unnumbered or d.children else _plain(d, d.heading, "")
                     for d in part.children)
        out.append(_with(part, number="", prefix="", local="", children=docs))
    return tuple(out)


def _with(c: Clause, **changes) -> Clause:
    fields = dict(id=c.id, heading=c.heading, level=c.level, loc=c.loc, meta=c.meta, body=c.body,
                  commentary=c.commentary, children=c.children, unnumbered=c.unnumbered, number=c.number,
                  prefix=c.prefix, local=c.local)
    fields.update(changes)
    return Clause(**fields)


def _plain(c: Clause, prefix: str, local: str) -> Clause:
    return _with(c, number="", prefix=prefix, local=local,
                 children=tuple(_plain(k, prefix, local) for k in c.children))


def _levels(doc: Clause) -> list[int]:
    return sorted({c.level for c in doc.walk() if c is not doc})


def _document(doc: Clause) -> Clause:
    levels = _levels(doc)
    if not levels:
        return _with(doc, number="", prefix=doc.heading, local="")
    if len(levels) == 1:
        article_level = levels[0]
    else:
        article_level = levels[-2]
    kinds = {lv: CONTAINERS[min(i, len(CONTAINERS) - 1)] for i, lv in enumerate(lv for lv in levels
                                                                               if lv < article_level)}
    prefix = doc.heading
    counter = {"条": 0}

    def visit(c: Clause, parent_role: str, containers: dict[str, int], path: str) -> Clause:
        """``containers``: the counters of 章/節/… among siblings; ``path``: the container address above."""
        if c.unnumbered:
            return _plain(c, prefix, path)
        if parent_role in ("条", "号", "細分"):
            raise AssertionError("handled by item()")  # pragma: no cover
        role = kinds.get(c.level, "条") if c.level < article_level else "条"
        if role != "条" and not c.children:
            role = "条"
        if role == "条":
            counter["条"] += 1
            number = f"第{counter['条']}条"
            items = _items(c.children, number, prefix)
            return _with(c, heading=f"（{c.heading}）" if c.heading else "", number=number, prefix=prefix,
                         local=number, body=_paragraphs(c.body), children=items)
        containers[role] = containers.get(role, 0) + 1
        number = f"第{containers[role]}{role}"
        local = path + number
        inner: dict[str, int] = {}
        kids = tuple(visit(k, role, inner, local) for k in c.children)
        return _with(c, number=number, prefix=prefix, local=local, children=kids)

    top: dict[str, int] = {}
    kids = tuple(visit(k, "document", top, "") for k in doc.children)
    return _with(doc, number="", prefix=prefix, local="", children=kids)


def _items(children: tuple[Clause, ...], article: str, prefix: str, depth: int = 0) -> tuple[Clause, ...]:
    """号 (1) (2) … below an 条; 細分 ア イ … below a 号 (and below those, (ア) …)."""
    out = []
    n = 0
    for c in children:
        if c.unnumbered:
            out.append(_plain(c, prefix, article))
            continue
        n += 1
        if depth == 0:
            number, local = f"({n})", f"{article}第{n}号"
        elif depth == 1:
            number = KATAKANA[(n - 1) % len(KATAKANA)]
            local = article + number
        else:
            number = f"({KATAKANA[(n - 1) % len(KATAKANA)]})"
            local = article + number
        out.append(_with(c, number=number, prefix=prefix, local=local,
                         children=_items(c.children, local, prefix, depth + 1)))
    return tuple(out)


def _paragraphs(body: tuple) -> tuple:
    """An 条's paragraphs at the top of its text after the first become its 項: 2, 3 … in front of them."""
    out = []
    n = 0
    for block in body:
        if isinstance(block, Para):
            n += 1
            if n >= 2:
                inlines = block.inlines
                if inlines and isinstance(inlines[0], Text):
                    inlines = (Text(f"{_fullwidth(n)}{ITEM_SEP}{inlines[0].text}"), *inlines[1:])
                else:
                    inlines = (Text(f"{_fullwidth(n)}{ITEM_SEP}"), *inlines)
                block = Para(inlines, block.line)
        out.append(block)
    return tuple(out)


def _fullwidth(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
