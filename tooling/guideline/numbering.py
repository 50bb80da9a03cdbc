"""Display numbers computed from position: 第2編, 第2章, 6., 6.2., (1), ①, and (ア) for list items.

Numbering is a pure function of the tree's shape (levels, order, ``unnumbered`` flags): it never looks at IDs or
text, and inserting a clause renumbers its followers.
"""
from __future__ import annotations

from guideline.model import Clause
from guideline.vocabulary import chapter_label, part_label

_KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
_LATIN = "abcdefghijklmnopqrstuvwxyz"


def circled(n: int) -> str:
    """① … ⑳, ㉑ … ㊿; beyond 50 a parenthesised number (Unicode has no more circled digits)."""
    if 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if 21 <= n <= 35:
        return chr(0x3251 + n - 21)
    if 36 <= n <= 50:
        return chr(0x32B1 + n - 36)
    return f"({n})"


def _sequence(alphabet: str, i: int) -> str:
    """0 → first letter; past the end: アア, アイ … (bijective base-len numbering)."""
    n = i + 1
    out = ""
    while n > 0:
        n, r = divmod(n - 1, len(alphabet))
        out = alphabet[r] + out
    return out


def list_label(depth: int, index: int) -> str:
    """Label of item ``index`` (0-based) of an ordered list at nesting ``depth`` (0 = outermost): (ア), a), i)…"""
    if depth == 0:
        return f"({_sequence(_KATAKANA, index)})"
    if depth == 1:
        return f"{_sequence(_LATIN, index)})"
    return f"{index + 1})"


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


def number_tree(parts: tuple[Clause, ...]) -> tuple[Clause, ...]:
    """Return the parts with ``number``, ``prefix`` and ``local`` filled in on every clause."""

    def visit(clauses: tuple[Clause, ...], prefix: str, local_parts: dict[int, str]) -> tuple[Clause, ...]:
        counters: dict[int, int] = {}
        out = []
        for clause in clauses:
            if clause.unnumbered:
                num = ""
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
            children = visit(clause.children, my_prefix, my_local)
            # dataclasses.replace, spelled out (twice as quick; 2,000 clauses per edition read)
            out.append(Clause(id=clause.id, heading=clause.heading, level=clause.level, loc=clause.loc,
                              meta=clause.meta, body=clause.body, commentary=clause.commentary, children=children,
                              unnumbered=clause.unnumbered, number=num, prefix=my_prefix, local=local))
        return tuple(out)

    return visit(parts, "", {})


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
