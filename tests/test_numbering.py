from __future__ import annotations

import pytest

from guideline.diagnostics import Loc
from guideline.model import Clause
from guideline.numbering import circled, label, number_tree
from guideline.vocabulary import list_label


def test_labels():
    assert [label(1, 2), label(2, 3), label(3, 6), label(4, 2, "6."), label(5, 1), label(6, 1)] == \
        ["第2編", "第3章", "6.", "6.2.", "(1)", "①"]
    assert [circled(1), circled(20), circled(21), circled(35), circled(36), circled(50), circled(51)] == \
        ["①", "⑳", "㉑", "㉟", "㊱", "㊿", "(51)"]
    assert [list_label(0, 0), list_label(0, 1), list_label(0, 45), list_label(0, 46), list_label(1, 0),
            list_label(1, 26), list_label(2, 4)] == ["(ア)", "(イ)", "(ン)", "(アア)", "a)", "aa)", "5)"]
    with pytest.raises(ValueError):
        label(7, 1)


def _c(cid: str, level: int, *children: Clause, unnumbered: bool = False) -> Clause:
    return Clause(id=cid, heading=cid, level=level, loc=Loc("x.md", 1), children=children, unnumbered=unnumbered)


def test_number_tree_is_positional_and_pure():
    tree = (_c("p", 1, _c("c", 2, _c("s", 3, _c("i", 5, _c("u", 6), _c("v", 6))),
                           _c("t", 3, _c("x", 4, _c("y", 5)), _c("z", 4)))),)
    numbered = number_tree(tree)
    flat = {c.id: c.address for c in numbered[0].walk()}
    assert flat == {"p": "第1編", "c": "第1編第1章", "s": "第1編第1章 1.", "i": "第1編第1章 1.(1)",
                    "u": "第1編第1章 1.(1)①", "v": "第1編第1章 1.(1)②", "t": "第1編第1章 2.",
                    "x": "第1編第1章 2.1.", "y": "第1編第1章 2.1.(1)", "z": "第1編第1章 2.2."}
    assert number_tree(tree) == numbered  # same structure, same numbers
    # IDs play no part: renaming every clause changes no number
    renamed = (_c("q", 1, _c("d", 2, _c("e", 3, _c("f", 5, _c("g", 6), _c("h", 6))),
                               _c("j", 3, _c("k", 4, _c("l", 5)), _c("m", 4)))),)
    assert [c.address for c in number_tree(renamed)[0].walk()] == list(flat.values())


def test_numbering_keeps_every_other_field_of_a_clause():
    """number_tree builds each clause again field by field (not with dataclasses.replace): a field added to Clause
    must be added there too, which this test asks for."""
    from dataclasses import fields

    from guideline.diagnostics import Loc
    from guideline.model import Clause, ClauseMeta, Para, Text

    assert {f.name for f in fields(Clause)} == {"id", "heading", "level", "loc", "meta", "body", "commentary",
                                                "children", "unnumbered", "footnotes", "kind", "number", "prefix",
                                                "local"}
    kid = Clause("kid", "子", 2, Loc("a.md", 9), unnumbered=True)
    part = Clause("p", "編", 1, Loc("a.md", 3), ClauseMeta(note="n"), (Para((Text("本文"),)),),
                  (Para((Text("解説"),)),), (kid,), kind="appendix")
    (numbered,) = number_tree((part,))
    for f in fields(Clause):
        if f.name not in ("number", "prefix", "local", "children"):
            assert getattr(numbered, f.name) == getattr(part, f.name), f.name
    assert numbered.number == "別紙1" and numbered.children[0].unnumbered and numbered.children[0].number == ""
