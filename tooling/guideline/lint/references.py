"""Fragile references: prose that points at another clause by its position or number (「前項」「(3)の規定」
「6.2.(1)参照」). Numbers are computed from position and change when clauses are inserted or moved; a
cross-reference written as ``[](#clause-id)`` shows the target's current number and survives renumbering
(docs/source-format.md). Cross-references are masked in the analysis text, so ``[](#org-ciso)参照`` is never read as
a number here. References to laws (個人情報保護法第66条) and to other standards (統一基準 2.1.1(1)) are stable and
are not reported. textlint has no counterpart: it cannot tell a link from a typed number.
"""
from __future__ import annotations

import re

from guideline.lint.core import Lint
from guideline.lint.registry import rule

_N = "[0-9０-９]"
_RELATIVE = re.compile(r"(?:前各?[項号]|次[項号]|同[項号]|前[0-9０-９二三]+[項号])(?![目番])")  # not 前項目
_ADDRESS = re.compile(
    rf"(?<![A-Za-z0-9.０-９／/_-])(?:第{_N}+編(?:第{_N}+章)?\s?|第{_N}+章\s?)?"
    rf"(?:(?:{_N}+[.．]){{1,3}}(?:[（(]{_N}{{1,2}}[）)])?[①-⑳]?|[（(]{_N}{{1,2}}[）)][①-⑳]?|第{_N}+[編章節])"
    r"(?=(?:を)?参照|の規定|に規定|に定め|に掲げ|のとおり|に基づ|で定め)")
# a number that belongs to another document: a law or a standard
_EXTERNAL = re.compile(r"(?:法|令|条例|規則|規程|統一基準|基準群|NISC|JIS|ISO|IEC|SP|ガイドライン|マニュアル|通知|"
                       r"要綱|要領|指針)(?:の)?\s?$")


@rule("ref-relative", "warning", "a reference by position (前項, 次号, 同項): link the clause with [](#clause-id)",
      "公用文作成の考え方「伝わる公用文のために」; docs/source-format.md cross-references; no textlint rule")
def relative(lint: Lint) -> None:
    for unit in lint.units:
        if unit.kind == "heading":
            continue
        for m in _RELATIVE.finditer(unit.text):
            lint.add(unit, m.start(), m.end(), f"「{m.group()}」 points at a clause by position, which changes when "
                     "clauses move; link it as [](#clause-id)")


@rule("ref-by-number", "warning", "a clause referenced by its typed number (6.2.(1)参照, (3)の規定): link it with "
      "[](#clause-id)", "docs/source-format.md cross-references; no textlint rule")
def by_number(lint: Lint) -> None:
    for unit in lint.units:
        text = unit.text
        for m in _ADDRESS.finditer(text):
            if _EXTERNAL.search(text, max(0, m.start() - 12), m.start()):
                continue
            lint.add(unit, m.start(), m.end(), f"「{m.group().strip()}」 is a typed clause number, which goes stale "
                     "when clauses are renumbered; link the clause as [](#clause-id)")
