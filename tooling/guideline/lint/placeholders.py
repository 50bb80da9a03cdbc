"""Placeholders (``{{本市}}``): typed wrong, spelled two ways, or used outside the 例文.

A placeholder is text a municipality replaces when it adopts the 例文; in 解説 or in 第1編 it is usually a slip
(write 本市 or 地方公共団体), unless it is quoted to show the convention (「{{本市}}」). Malformed braces are found by
:func:`guideline.markup.malformed_placeholders`, the same function ``guideline check`` uses. No textlint rule knows
this project's placeholder syntax.
"""
from __future__ import annotations

import unicodedata
from collections import Counter

from guideline.lint.core import Lint
from guideline.lint.registry import rule
from guideline.markup import malformed_placeholders


def normal(text: str) -> str:
    """A placeholder's spelling with width, spaces and the circle variants (〇 ◯ ○) made equal."""
    return unicodedata.normalize("NFKC", text).replace(" ", "").replace("〇", "○").replace("◯", "○")


@rule("placeholder-malformed", "error", "a placeholder typed wrong: {{本市}, {本市}}, {{本市, full-width ｛｛本市｝｝",
      "this project's placeholder convention (docs/source-format.md); the detection `guideline check` uses",
      fixable=True)
def malformed(lint: Lint) -> None:
    for unit in lint.units:
        text = unit.text
        if "{" not in text and "｛" not in text:
            continue
        for bad in malformed_placeholders(text):
            end = bad.start + len(bad.text)
            if unit.exact_span(bad.start, end) is None:
                continue  # written with escapes (\{) in the source: ordinary text, as for check
            lint.add(unit, bad.start, end, bad.message(), fix=bad.fix)


@rule("placeholder-spelling", "warning", "the same placeholder spelled two ways ({{○○課長}} / {{〇〇課長}})",
      "this project's placeholder convention (docs/source-format.md); no textlint rule")
def spelling(lint: Lint) -> None:
    spellings: dict[str, Counter] = {}
    for unit in lint.units:
        for _, text in unit.placeholders:
            spellings.setdefault(normal(text), Counter())[text] += 1
    for unit in lint.units:
        for off, text in unit.placeholders:
            c = spellings[normal(text)]
            top = c.most_common(1)[0][0]
            if len(c) > 1 and text != top:
                lint.add(unit, off, off + 1, f"placeholder {{{{{text}}}}} is written {{{{{top}}}}} elsewhere "
                         f"({c[top]} times); write it one way")


@rule("placeholder-outside-reibun", "warning", "a placeholder outside the 例文 (in 解説 or another 編)",
      "this project's placeholder convention (docs/source-format.md); no textlint rule")
def outside_reibun(lint: Lint) -> None:
    for unit in lint.units:
        if unit.reibun and unit.kind in ("body", "heading"):
            continue
        for off, text in unit.placeholders:
            t = unit.text
            if off > 0 and t[off - 1] == "「" and t[off + 1:off + 2] == "」":
                continue  # 「{{本市}}」 quoted to show the convention
            where = "解説" if unit.kind == "commentary" else "text outside the 例文 編"
            lint.add(unit, off, off + 1, f"placeholder {{{{{text}}}}} in {where}; placeholders belong to the 例文 "
                     "(write the plain word here)")
