"""Numbering as a 訓令 or 規程 is published: 第N章 / 第N節 / 第N条 with （見出し） captions, 項 and 号.

The pieces both users share: :func:`guideline.numbering.number_tree` for an edition whose ``edition.yaml`` says
``numbering: articles`` (an imported 訓令), and :mod:`guideline.local.articles` for a municipality's policy built
with ``--style articles``. They differ only in which clauses are 章/節/款 and which are 条, so the caller passes
that as ``role``; everything else is here:

- 条 run on through the clauses numbered together (across 章 and 節); 章, 節, 款 count among their siblings;
- an 条's heading becomes its caption （目的）, and its second and later paragraphs are its 項, numbered 2, 3 …;
- below an 条, clauses are its 号 ``(1)`` (restarting in each 条), below a 号 its 細分 ``ア``, then ``(ア)``; the
  same labels number the ordered lists of an edition numbered this way (:func:`item_label`);
- numbers are by position only: a clause left out or added renumbers its followers, and there are no branch
  numbers (第3条の2).
"""
from __future__ import annotations

from typing import Callable

from guideline.model import Clause, Para, Text

CONTAINERS = ("章", "節", "款", "目")
KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
ITEM_SEP = "\u3000"  # between a 項 number and its text, as in print
ARTICLE = "条"


def with_numbers(c: Clause, **changes) -> Clause:
    """``c`` with some fields replaced (the numbers, usually)."""
    fields = dict(id=c.id, heading=c.heading, level=c.level, loc=c.loc, meta=c.meta, body=c.body,
                  commentary=c.commentary, children=c.children, unnumbered=c.unnumbered, footnotes=c.footnotes,
                  kind=c.kind, number=c.number, prefix=c.prefix, local=c.local)
    fields.update(changes)
    return Clause(**fields)


def plain(c: Clause, prefix: str, local: str) -> Clause:
    """An unnumbered clause and everything below it: no numbers, the address of where it stands."""
    return with_numbers(c, number="", prefix=prefix, local=local,
                        children=tuple(plain(k, prefix, local) for k in c.children))


def item_label(depth: int, n: int) -> str:
    """The label of the n-th (1-based) 号 (depth 0: ``(1)``), 細分 (depth 1: ``ア``) or item below (``(ア)``)."""
    if depth == 0:
        return f"({n})"
    kana = KATAKANA[(n - 1) % len(KATAKANA)]
    return kana if depth == 1 else f"({kana})"


def number_articles(clauses: tuple[Clause, ...], role: Callable[[Clause], str], prefix: str,
                    counter: dict[str, int]) -> tuple[Clause, ...]:
    """Number ``clauses`` (siblings, in order) and all below them as the body of one 規程.

    ``role(clause)`` says whether a clause is an 条 (:data:`ARTICLE`) or a group (one of :data:`CONTAINERS`);
    it is asked for the clauses above the 条 only. ``counter["条"]`` carries the article count on, so that the
    caller decides where 条 numbering starts again (each document of a policy, each 附則). ``prefix`` goes into
    every address; ``local`` is the group path (第2章第1節) or the article path (第5条第2号).
    """
    def visit(c: Clause, containers: dict[str, int], path: str) -> Clause:
        """``containers``: the counters of 章/節/… among siblings; ``path``: the group address above."""
        if c.unnumbered:
            return plain(c, prefix, path)
        kind = role(c)
        if kind == ARTICLE:
            counter[ARTICLE] = counter.get(ARTICLE, 0) + 1
            number = f"第{counter[ARTICLE]}条"
            items = number_items(c.children, number, prefix)
            return with_numbers(c, heading=f"（{c.heading}）" if c.heading else "", number=number, prefix=prefix,
                                local=number, body=paragraphs(c.body), children=items)
        containers[kind] = containers.get(kind, 0) + 1
        number = f"第{containers[kind]}{kind}"
        local = path + number
        inner: dict[str, int] = {}
        kids = tuple(visit(k, inner, local) for k in c.children)
        return with_numbers(c, number=number, prefix=prefix, local=local, children=kids)

    top: dict[str, int] = {}
    return tuple(visit(c, top, "") for c in clauses)


def number_items(children: tuple[Clause, ...], article: str, prefix: str, depth: int = 0) -> tuple[Clause, ...]:
    """号 (1) (2) … below an 条; 細分 ア イ … below a 号 (and below those, (ア) …)."""
    out = []
    n = 0
    for c in children:
        if c.unnumbered:
            out.append(plain(c, prefix, article))
            continue
        n += 1
        number = item_label(depth, n)
        local = f"{article}第{n}号" if depth == 0 else article + number
        out.append(with_numbers(c, number=number, prefix=prefix, local=local,
                                children=number_items(c.children, local, prefix, depth + 1)))
    return tuple(out)


def paragraph_numbers(body: tuple, first: bool = False) -> list[str]:
    """The 項 number of each block of ``body`` ("" for none): the paragraphs at its top level are its 項, numbered
    from the second on (an 条's first paragraph carries the 条's number), or with ``first`` from the first on when
    there are two or more (the 項 of a 附則 without articles). Lists, tables and figures are no 項."""
    count = sum(1 for b in body if isinstance(b, Para))
    out = []
    n = 0
    for block in body:
        label = ""
        if isinstance(block, Para):
            n += 1
            if n >= 2 or (first and count >= 2):
                label = fullwidth(n)
        out.append(label)
    return out


def paragraphs(body: tuple, first: bool = False) -> tuple:
    """``body`` with its 項 numbers (:func:`paragraph_numbers`) written in front of the paragraphs: ２　…"""
    out = []
    for block, label in zip(body, paragraph_numbers(body, first)):
        if label:
            inlines = block.inlines
            if inlines and isinstance(inlines[0], Text):
                inlines = (Text(f"{label}{ITEM_SEP}{inlines[0].text}"), *inlines[1:])
            else:
                inlines = (Text(f"{label}{ITEM_SEP}"), *inlines)
            block = Para(inlines, block.line)
        out.append(block)
    return tuple(out)


def source_heading(heading: str) -> str:
    """An 条's heading as the source holds it: its caption without the （） that :func:`number_articles` adds."""
    return heading[1:-1] if len(heading) > 2 and heading.startswith("（") and heading.endswith("）") else heading


def source_paragraphs(body: tuple, first: bool = False) -> tuple:
    """``body`` as the source holds it: the 項 numbers that :func:`paragraphs` writes (２　…) taken off again (for
    text read back from a built file, e.g. ``guideline apply``). Only a number equal to the one computed for that
    paragraph is taken off, so a paragraph that merely starts with a digit keeps it."""
    out = []
    for block, label in zip(body, paragraph_numbers(body, first)):
        if label and block.inlines and isinstance(block.inlines[0], Text):
            head = block.inlines[0].text
            for written in (label, label.translate(_ASCII)):
                if head.startswith(written) and head[len(written):len(written) + 1] in (ITEM_SEP, " "):
                    rest = head[len(written) + 1:].lstrip(" " + ITEM_SEP)
                    block = Para(((Text(rest),) if rest else ()) + block.inlines[1:], block.line)
                    break
        out.append(block)
    return tuple(out)


_ASCII = str.maketrans("０１２３４５６７８９", "0123456789")


def fullwidth(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))


__all__ = ["number_articles", "number_items", "paragraphs", "paragraph_numbers", "source_heading", "source_paragraphs",
           "item_label", "with_numbers", "plain", "fullwidth", "CONTAINERS", "KATAKANA", "ITEM_SEP", "ARTICLE"]
