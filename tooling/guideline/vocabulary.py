"""The Japanese words every output shares: dates in 和暦, change kinds, edition status, part, chapter and list labels.

One home so that the site, the Word and PDF files, the 新旧対照表, the release page and the comment reports name the
same thing the same way (the ministry publishes dates as 令和6年10月2日). It imports nothing of the package: the
model, the numbering and every writer may use it.
"""
from __future__ import annotations

import datetime

# (first day, era name), newest first; a date before the oldest is written in 西暦
_ERAS = ((datetime.date(2019, 5, 1), "令和"), (datetime.date(1989, 1, 8), "平成"), (datetime.date(1926, 12, 25), "昭和"))

# what a change is called, by ChangeSet kind
KIND_JA = {"changed": "変更", "added": "新設", "deleted": "削除", "split": "分割", "merged": "統合",
           "unchanged": "変更なし"}
KIND_ORDER = ("changed", "added", "deleted", "split", "merged", "unchanged")
# what changed in a changed clause, by ChangeSet aspect
ASPECT_JA = {"text": "本文", "figure": "図", "heading": "見出し", "number": "番号", "moved": "移動",
             "metadata": "統一基準との対応等"}

# the status of an edition as the title page says it
STATUS_TITLE = {"案": "（案）", "確定": "（確定版）"}

# the brackets of a placeholder ({{本市}} → 〔本市〕) where the output cannot shade it alone
PLACEHOLDER_OPEN, PLACEHOLDER_CLOSE = "〔", "〕"

# the labels of ordered list items: (ア)(イ)… at the first nesting level, a) b)… at the second
_KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
_LATIN = "abcdefghijklmnopqrstuvwxyz"

# the two sides of a 新旧対照表
OLD_LABEL, NEW_LABEL = "改正前", "改正後"


def wareki(date: datetime.date) -> str:
    """A date as the ministry publishes it: 令和6年10月2日 (元年 for an era's first year; 西暦 before 昭和)."""
    for start, name in _ERAS:
        if date >= start:
            year = date.year - start.year + 1
            return f"{name}{'元' if year == 1 else year}年{date.month}月{date.day}日"
    return f"{date.year}年{date.month}月{date.day}日"


def part_label(n: int) -> str:
    """The label of the n-th 編: 第2編."""
    return f"第{n}編"


def chapter_label(n: int) -> str:
    """The label of the n-th 章 of a 編: 第2章."""
    return f"第{n}章"


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
