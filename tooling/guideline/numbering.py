"""Display numbers computed from position: 第2編, 第2章, 6., 6.2., (1), ①, and (ア) for list items.

Numbering is a pure function of the tree's shape (levels, order, ``unnumbered`` flags): it never looks at IDs or
text, and inserting a clause renumbers its followers. An edition chooses its style in ``edition.yaml``
(``numbering:``, :data:`STYLES`): ``outline``, the guideline's own, or ``articles``, a 訓令's 第N章/第N条 with 項 and
号 (:mod:`guideline.numbering_articles`, see :func:`number_tree`).
"""
from __future__ import annotations

from dataclasses import replace

from guideline.model import (
    BlockQuote,
    Box,
    BulletList,
    Clause,
    Figure,
    Footnote,
    FootnoteRef,
    GridTable,
    OrderedList,
    iter_blocks,
    iter_inlines,
)
from guideline.numbering_articles import ARTICLE, item_label, number_articles, paragraphs, with_numbers
from guideline.vocabulary import chapter_label, list_label, part_label

STYLES = ("outline", "articles")  # the values of ``numbering:`` in edition.yaml; the first is the default
# the role of each heading level in an edition numbered as articles (levels 5 and 6 are 条 and the 号 below)
ARTICLE_GROUPS = {2: "章", 3: "節", 4: "款"}


def circled(n: int) -> str:
    """① … ⑳, ㉑ … ㊿; beyond 50 a parenthesised number (Unicode has no more circled digits)."""
    if 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if 21 <= n <= 35:
        return chr(0x3251 + n - 21)
    if 36 <= n <= 50:
        return chr(0x32B1 + n - 36)
    return f"({n})"


def label(level: int, n: int, section_base: str = "") -> str:
    """The label of the n-th (1-based) numbered clause at ``level``.

    ``section_base`` is the label of the nearest level-3 ancestor (``6.``) used by level 4 (``6.2.``).
    """
    if level == 1:
        return part_label(n)
    if level == 2:
        return chapter_label(n)
    if level == 3:
        return f"{n}."
    if level == 4:
        return f"{section_base}{n}." if section_base else f"{n}."
    if level == 5:
        return f"({n})"
    if level == 6:
        return circled(n)
    raise ValueError(f"no numbering for heading level {level}")


def appendix_label(kind: str, n: int) -> str:
    """別紙1 for the n-th appendix, 様式第1号 for the n-th form."""
    return f"別紙{n}" if kind == "appendix" else f"様式第{n}号"


def number_tree(parts: tuple[Clause, ...], style: str = "outline") -> tuple[Clause, ...]:
    """Return the parts with ``number``, ``prefix`` and ``local`` filled in on every clause, and the figures (図N),
    tables with captions (表N) and footnotes (注N) numbered through the edition in reading order.

    ``style`` is one of :data:`STYLES`; for ``articles`` see :func:`number_articles_tree`."""
    if style == "articles":
        return number_articles_tree(parts)
    content = {"figure": 0, "table": 0, "footnote": 0}

    def visit(clauses: tuple[Clause, ...], prefix: str, local_parts: dict[int, str]) -> tuple[Clause, ...]:
        counters: dict[object, int] = {}
        out = []
        for clause in clauses:
            if clause.unnumbered:
                num = ""
            elif clause.kind:
                counters[clause.kind] = counters.get(clause.kind, 0) + 1
                num = appendix_label(clause.kind, counters[clause.kind])
            else:
                counters[clause.level] = counters.get(clause.level, 0) + 1
                num = label(clause.level, counters[clause.level], local_parts.get(3, ""))
            # what the address of this clause (and of its descendants) consists of
            if clause.level <= 2:
                my_prefix = prefix + num
                my_local: dict[int, str] = {}
            else:
                my_prefix = prefix
                my_local = {k: v for k, v in local_parts.items() if k < clause.level}
                if num:
                    my_local[clause.level] = num
            local = _join_local(my_local)
            body, commentary, footnotes = clause.body, clause.commentary, clause.footnotes
            if _has_numbered(body) or _has_numbered(commentary):
                body, commentary = _number_blocks(body, content), _number_blocks(commentary, content)
            if footnotes:
                footnotes = _number_footnotes(body + commentary, footnotes, content)
            children = visit(clause.children, my_prefix, my_local)
            # dataclasses.replace, spelled out (twice as quick; 2,000 clauses per edition read)
            out.append(Clause(id=clause.id, heading=clause.heading, level=clause.level, loc=clause.loc,
                              meta=clause.meta, body=body, commentary=commentary, children=children,
                              unnumbered=clause.unnumbered, footnotes=footnotes, kind=clause.kind, number=num,
                              prefix=my_prefix, local=local))
        return tuple(out)

    return visit(parts, "", {})


def number_articles_tree(parts: tuple[Clause, ...]) -> tuple[Clause, ...]:
    """The parts numbered as a 訓令: ``##`` 第N章, ``###`` 第N節, ``####`` 第N款, ``#####`` 第N条 (with its
    （見出し） caption and 項 2, 3 …), ``######`` its 号 (1) (2) and ア below; ordered lists are labelled (1), ア, (ア).

    条 run on through the 本則: the first part, or the first run of numbered parts (第N編). Every later unnumbered
    part (a 附則) numbers its own 条 from 第1条 and carries its heading as the address prefix; its paragraphs are
    its 項, numbered 1, 2 … when there are two or more. 別紙 and 様式 are numbered as in the outline style."""
    out = []
    counter: dict[str, int] = {}
    parts_seen = 0
    kinds: dict[str, int] = {}
    numbered_run = False
    for i, part in enumerate(parts):
        if part.kind:
            kinds[part.kind] = kinds.get(part.kind, 0) + 1
            number = appendix_label(part.kind, kinds[part.kind])
            counter, prefix, numbered_run = {}, number, False
        elif part.unnumbered:
            number = ""
            counter, prefix, numbered_run = {}, ("" if i == 0 else part.heading), False
        else:
            parts_seen += 1
            number = part_label(parts_seen)
            if not numbered_run:
                counter, prefix = {}, ("" if i == 0 else number)
            numbered_run = True
        children = number_articles(part.children, _article_role, prefix, counter)
        body = paragraphs(part.body, first=True) if part.unnumbered and not part.kind else part.body
        out.append(with_numbers(part, number=number, prefix=number or prefix, local="", body=body,
                                children=children))
    return _number_content(tuple(out))


def _article_role(c: Clause) -> str:
    return ARTICLE_GROUPS.get(c.level, ARTICLE)


def _number_content(parts: tuple[Clause, ...]) -> tuple[Clause, ...]:
    """図N, 表N and 注N through the edition in reading order, and the labels of ordered lists (1), ア, (ア)."""
    content = {"figure": 0, "table": 0, "footnote": 0}

    def visit(c: Clause) -> Clause:
        body, commentary, footnotes = _label_lists(c.body), _label_lists(c.commentary), c.footnotes
        if _has_numbered(body) or _has_numbered(commentary):
            body, commentary = _number_blocks(body, content), _number_blocks(commentary, content)
        if footnotes:
            footnotes = _number_footnotes(body + commentary, footnotes, content)
        return with_numbers(c, body=body, commentary=commentary, footnotes=footnotes,
                            children=tuple(visit(k) for k in c.children))

    return tuple(visit(p) for p in parts)


def _label_lists(blocks: tuple, depth: int = 0) -> tuple:
    """Every ordered list in ``blocks`` with its labels (:func:`guideline.numbering_articles.item_label`); the depth
    counts the ordered lists around it."""
    if not any(isinstance(b, (BulletList, OrderedList, BlockQuote, Box)) for b in blocks):
        return blocks
    out = []
    for b in blocks:
        if isinstance(b, OrderedList):
            b = replace(b, labels=tuple(item_label(depth, n) for n in range(1, len(b.items) + 1)),
                        items=tuple(_label_lists(item, depth + 1) for item in b.items))
        elif isinstance(b, BulletList):
            b = replace(b, items=tuple(_label_lists(item, depth) for item in b.items))
        elif isinstance(b, (BlockQuote, Box)):
            b = replace(b, blocks=_label_lists(b.blocks, depth))
        out.append(b)
    return tuple(out)


def ordered_labels(block: OrderedList, depth: int) -> tuple[str, ...]:
    """The labels of an ordered list's items at nesting ``depth``: those numbering gave it, else (ア), a) …"""
    return block.labels or tuple(list_label(depth, i) for i in range(len(block.items)))


def _has_numbered(blocks) -> bool:
    return bool(blocks) and any(isinstance(b, (Figure, GridTable)) for b in iter_blocks(blocks))


def _number_blocks(blocks: tuple, counters: dict[str, int]) -> tuple:
    """The blocks with 図N / 表N filled in, continuing ``counters``."""
    out = []
    for b in blocks:
        if isinstance(b, Figure):
            counters["figure"] += 1
            b = replace(b, number=f"図{counters['figure']}")
        elif isinstance(b, GridTable):
            counters["table"] += 1
            b = replace(b, number=f"表{counters['table']}")
        elif isinstance(b, (BulletList, OrderedList)):
            b = replace(b, items=tuple(_number_blocks(item, counters) for item in b.items))
        elif isinstance(b, (BlockQuote, Box)):
            b = replace(b, blocks=_number_blocks(b.blocks, counters))
        out.append(b)
    return tuple(out)


def _number_footnotes(blocks: tuple, footnotes: tuple[Footnote, ...], counters: dict[str, int]) -> tuple:
    """The clause's footnotes numbered, and ordered, by their first reference (unreferenced ones last)."""
    order: list[str] = []
    for node in iter_inlines(blocks + footnotes):
        if isinstance(node, FootnoteRef) and node.key not in order:
            order.append(node.key)
    rank = {key: i for i, key in enumerate(order)}
    ranked = sorted(range(len(footnotes)), key=lambda i: (rank.get(footnotes[i].key, len(order)), i))
    numbers: dict[int, int] = {}
    for i in ranked:
        counters["footnote"] += 1
        numbers[i] = counters["footnote"]
    return tuple(replace(footnotes[i], number=numbers[i]) for i in ranked)


def _join_local(parts: dict[int, str]) -> str:
    """6. + 6.2. + (1) + ① → 6.2.(1)①: a level-4 label already contains its level-3 label."""
    out = []
    if 4 in parts:
        out.append(parts[4])
    elif 3 in parts:
        out.append(parts[3])
    for level in (5, 6):
        if level in parts:
            out.append(parts[level])
    return "".join(out)
