"""Numbering recognition: one rule per construct, each a regular expression with a small spec in
tests/test_import_recognise.py (the way Lawtext's parser has one rule per construct, ``$article``, ``$paragraphItem``,
``$articleGroup``, ``$toc``, ``$supplProvision``, each with its own spec cases).

:func:`recognise` looks at the start of one paragraph and says which numbered construct it opens, if any: the kind,
its value (``第19条の2`` → ``(19, 2)``: a branch number is a second component, so 第19条の2 sorts after 第19条 as its
sibling), the label as written and the text after it. Both numbering families are recognised here; which reading
applies (is ``(1)`` a 号 or an outline item?) is decided by the structure builder, which knows the family and where
it is. Digits and parentheses may be full-width or half-width, ``第 1 章`` may carry the spaces of PDF extraction,
and the ``第`` may have been lost in extraction (``1章``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from guideline.numbering import circled

D = r"[0-9０-９]"
KANJI_DIGITS = "〇一二三四五六七八九"
KN = r"[〇一二三四五六七八九十百千]"
NUM = rf"(?:{D}+|{KN}+)"
SP = r"[ \t\u3000]"
LP = r"[(（]"
RP = r"[)）]"
AIUEO = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
CIRCLED = "".join(circled(n) for n in range(1, 51))

# kinds of the legal family's article groups, in nesting order, with their level in the source format
GROUP_KINDS = {"編": "hen", "章": "sho", "節": "setsu", "款": "kan", "目": "moku"}
APPENDIX_UNITS = {"別紙": "appendix", "様式": "form"}  # the model's Clause.kind of a 別紙 / 様式 part
STRUCTURAL = ("hen", "sho", "setsu", "kan", "moku", "jo")


@dataclass(frozen=True)
class Marker:
    kind: str  # hen sho setsu kan moku jo | dai dot dot2 bare paren-num circled | paren-kana kana paren-latin latin
    #            kanji | toc suppl caption commentary bullet | appendix form (別紙N, 様式第N号)
    value: tuple[int, ...] = ()
    label: str = ""  # as written: "第19条の2", "(1)", "ア"
    rest: str = ""  # the text after the label, separator removed
    extra: str = ""  # 抄 after a 附則 (an extract)


def to_int(text: str) -> int:
    """``12``, ``１２``, ``十二``, ``二十三``, ``百五`` → int (the numerals of article and item numbers)."""
    text = text.translate(_FULLWIDTH)
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in KANJI_DIGITS:
            current = current * 10 + KANJI_DIGITS.index(ch) if current else KANJI_DIGITS.index(ch)
        elif ch in "十百千":
            unit = {"十": 10, "百": 100, "千": 1000}[ch]
            total += (current or 1) * unit
            current = 0
    return total + current


_FULLWIDTH = str.maketrans("０１２３４５６７８９ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ",
                           "0123456789abcdefghijklmnopqrstuvwxyz")


def _branches(text: str) -> tuple[int, ...]:
    return tuple(to_int(n) for n in re.findall(rf"の{SP}*({NUM})", text))


# --- one rule per construct -----------------------------------------------------------------------------------------

_TOC = re.compile(rf"^目{SP}*次{SP}*$")
_SUPPL = re.compile(rf"^附{SP}*則{SP}*(?:{LP}(?P<rest>[^()（）]*){RP})?{SP}*(?P<tail>抄)?{SP}*$")  # 附則 抄: extract
_COMMENTARY = re.compile(rf"^(?:【{SP}*解{SP}*説{SP}*】|{LP}{SP}*解{SP}*説{SP}*{RP}|〔{SP}*解{SP}*説{SP}*〕){SP}*(?P<rest>.*)$")
# ``第`` may be lost in PDF extraction (``1 章 総則``): without it a space must follow the unit
_GROUP = re.compile(rf"^(?:第{SP}*(?P<n>{NUM}){SP}*(?P<unit>[編章節款])(?P<br>(?:{SP}*の{SP}*{NUM})*)(?:{SP}+|(?![ぁ-ん、。，,．件])|$)"
                    rf"|(?P<n2>{D}+){SP}*(?P<unit2>[編章節款])(?P<br2>(?:{SP}*の{SP}*{NUM})*)(?:{SP}+|$))(?P<rest>.*)$")
_ARTICLE = re.compile(rf"^(?:第{SP}*(?P<n>{NUM}){SP}*条(?P<br>(?:{SP}*の{SP}*{NUM})*)(?:{SP}+|(?![ぁ-ん、。，,．件約文項])|$)"
                      rf"|(?P<n2>{D}+){SP}*条(?P<br2>(?:{SP}*の{SP}*{NUM})*)(?:{SP}+|$))(?P<rest>.*)$")
# 別紙1 / 別紙第1 / 様式第1号 heading an appendix (a number is required: 「別紙のとおり」 is a sentence)
_APPENDIX = re.compile(rf"^(?P<unit>別紙|様式){SP}*(?:第{SP}*)?(?P<n>{NUM}){SP}*号?(?:{SP}+|$)(?P<rest>.*)$")
_CAPTION = re.compile(rf"^{LP}(?P<cap>[^()（）]{{2,40}}){RP}$")
_DAI = re.compile(rf"^第{SP}*(?P<n>{D}+|{KN}+)(?:{SP}+|$)(?P<rest>.*)$")
_DOT2 = re.compile(rf"^(?P<a>{D}{{1,3}})[.．](?P<b>{D}{{1,3}})(?:[.．](?!{D})|(?={SP}))(?:{SP}*)(?P<rest>.*)$")
_DOT = re.compile(rf"^(?P<n>{D}{{1,3}})[.．](?!{D})(?:{SP}*)(?P<rest>.*)$")
_BARE = re.compile(rf"^(?P<n>{D}{{1,3}})(?:{SP}+)(?P<rest>\S.*)$")
_BARE_TIGHT = re.compile(rf"^(?P<n>{D}{{1,2}})(?P<rest>[^\s0-9０-９.．、，,)）%％年月日条章節款編号項倍人名時分件回個つ].{{0,24}})$")
_PAREN_NUM = re.compile(rf"^{LP}(?P<n>{D}{{1,3}}){RP}{SP}*(?P<rest>.*)$")
_CIRCLED = re.compile(rf"^(?P<c>[{CIRCLED}]){SP}*(?P<rest>.*)$")
_PAREN_KANA = re.compile(rf"^{LP}(?P<k>[{AIUEO}]){RP}{SP}*(?P<rest>.*)$")
_KANA = re.compile(rf"^(?P<k>[{AIUEO}])(?:{SP}+)(?P<rest>\S.*)$")
_PAREN_LATIN = re.compile(rf"^{LP}(?P<k>[a-zａ-ｚ]){RP}{SP}*(?P<rest>.*)$")
_LATIN = re.compile(rf"^(?P<k>[a-zａ-ｚ])(?:[)）.．]{SP}*|{SP}+)(?P<rest>\S.*)$")
_KANJI = re.compile(rf"^(?P<n>{KN}{{1,3}})(?:{SP}+)(?P<rest>\S.*)$")
_BULLET = re.compile(rf"^(?:[・●■□◆◇]|○(?!○))(?:{SP}*)(?P<rest>.*)$")  # ○○市 is a name, not a bullet


def recognise(text: str) -> Marker | None:
    """The numbered construct ``text`` (one paragraph, leading spaces ignored) opens, or None."""
    s = text.strip(" \t\u3000")
    if not s:
        return None
    if m := _TOC.match(s):
        return Marker("toc", label=s)
    if m := _SUPPL.match(s):
        return Marker("suppl", label="附則", rest=(m.group("rest") or "").strip(), extra=m.group("tail") or "")
    if m := _APPENDIX.match(s):
        return Marker(APPENDIX_UNITS[m.group("unit")], (to_int(m.group("n")),), _label(s, m), m.group("rest").strip())
    if m := _COMMENTARY.match(s):
        return Marker("commentary", label="解説", rest=m.group("rest").strip())
    if m := _ARTICLE.match(s):
        return Marker("jo", _numbered(m), _label(s, m), m.group("rest").strip())
    if m := _GROUP.match(s):
        unit = m.group("unit") or m.group("unit2")
        if unit == "節" and m.group("rest").startswith(("約", "電", "度")):  # 節約, 節電, 節度: words
            return None
        return Marker(GROUP_KINDS[unit], _numbered(m), _label(s, m), m.group("rest").strip())
    if m := _PAREN_NUM.match(s):
        return Marker("paren-num", (int(m.group("n").translate(_FULLWIDTH)),), _label(s, m), m.group("rest"))
    if m := _PAREN_KANA.match(s):
        return Marker("paren-kana", (AIUEO.index(m.group("k")) + 1,), _label(s, m), m.group("rest"))
    if m := _PAREN_LATIN.match(s):
        k = m.group("k").translate(_FULLWIDTH)
        return Marker("paren-latin", (ord(k) - 96,), _label(s, m), m.group("rest"))
    if m := _CAPTION.match(s):
        return Marker("caption", label=s, rest=m.group("cap").strip())
    if m := _CIRCLED.match(s):
        return Marker("circled", (CIRCLED.index(m.group("c")) + 1,), _label(s, m), m.group("rest"))
    if m := _DAI.match(s):
        return Marker("dai", (to_int(m.group("n")),), _label(s, m), m.group("rest").strip())
    if m := _DOT2.match(s):
        return Marker("dot2", (int(m.group("a").translate(_FULLWIDTH)), int(m.group("b").translate(_FULLWIDTH))),
                      _label(s, m), m.group("rest"))
    if m := _DOT.match(s):
        return Marker("dot", (int(m.group("n").translate(_FULLWIDTH)),), _label(s, m), m.group("rest"))
    if m := _BARE.match(s):
        return Marker("bare", (int(m.group("n").translate(_FULLWIDTH)),), _label(s, m), m.group("rest"))
    if (m := _BARE_TIGHT.match(s)) and "。" not in s and "、" not in s:
        return Marker("bare", (int(m.group("n").translate(_FULLWIDTH)),), _label(s, m), m.group("rest"))
    if m := _KANA.match(s):
        return Marker("kana", (AIUEO.index(m.group("k")) + 1,), _label(s, m), m.group("rest"))
    if m := _LATIN.match(s):
        k = m.group("k").translate(_FULLWIDTH)
        return Marker("latin", (ord(k) - 96,), _label(s, m), m.group("rest"))
    if m := _KANJI.match(s):
        return Marker("kanji", (to_int(m.group("n")),), _label(s, m), m.group("rest"))
    if m := _BULLET.match(s):
        return Marker("bullet", label=s[:1], rest=m.group("rest"))
    return None


def _numbered(m: re.Match) -> tuple[int, ...]:
    n, br = (m.group("n"), m.group("br")) if m.group("n") else (m.group("n2"), m.group("br2"))
    return (to_int(n), *_branches(br or ""))


def _label(s: str, m: re.Match) -> str:
    return s[:m.start("rest")].strip(" \t\u3000")


# --- 目次 entries ---------------------------------------------------------------------------------------------------

_RANGE = re.compile(rf"{LP}{SP}*(?P<a>第{SP}*{NUM}{SP}*条(?:{SP}*の{SP}*{NUM})*)"
                    rf"(?:{SP}*(?P<sep>[―~\-－〜～‐–—・ー]){SP}*(?P<b>第{SP}*{NUM}{SP}*条(?:{SP}*の{SP}*{NUM})*))?"
                    rf"{SP}*{RP}{SP}*$")
_PAGE = re.compile(rf"(?:{SP}*[.．…‥・ 　]{{2,}}|{SP}+){D}+{SP}*$")


def article_value(text: str) -> tuple[int, ...]:
    m = _ARTICLE.match(text.strip())
    return _numbered(m) if m else ()


@dataclass(frozen=True)
class TocRange:
    """``(第5条―第15条)`` at the end of a 目次 entry: first and last article (``・`` joins exactly two)."""

    first: tuple[int, ...]
    last: tuple[int, ...]
    text: str


def toc_range(rest: str) -> tuple[str, TocRange | None]:
    """Split a 目次 entry's text into its heading and article range; a trailing page number is dropped."""
    rest = _PAGE.sub("", rest).strip()
    m = _RANGE.search(rest)
    if not m:
        return rest, None
    first = article_value(m.group("a"))
    last = article_value(m.group("b")) if m.group("b") else first
    return rest[:m.start()].strip(), TocRange(first, last, m.group(0).strip())


def value_label(kind: str, value: tuple[int, ...]) -> str:
    """How the source would write a number of this kind: (19, 2) as 第19条の2."""
    if not value:
        return ""
    branch = "".join(f"の{v}" for v in value[1:])
    if kind == "appendix":
        return f"別紙{value[0]}"
    if kind == "form":
        return f"様式第{value[0]}号"
    unit = {"hen": "編", "sho": "章", "setsu": "節", "kan": "款", "moku": "目", "jo": "条"}.get(kind)
    if unit:
        return f"第{value[0]}{unit}{branch}"
    if kind in ("dot",):
        return f"{value[0]}."
    if kind == "dot2":
        return ".".join(str(v) for v in value) + "."
    if kind in ("paren-num",):
        return f"({value[0]})"
    if kind == "circled":
        return circled(value[0])
    if kind == "dai":
        return f"第{value[0]}"
    if kind in ("kana", "paren-kana"):
        return AIUEO[value[0] - 1] if value[0] <= len(AIUEO) else str(value[0])
    return str(value[0])


__all__ = ["Marker", "recognise", "to_int", "toc_range", "TocRange", "article_value", "value_label", "STRUCTURAL", "APPENDIX_UNITS"]
