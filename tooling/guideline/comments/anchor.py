"""該当箇所 as officials write it → clause IDs of the round's edition.

Accepted forms (full-width digits, brackets and dots, and kanji numerals in 第N編/第N章 are normalised first)::

    第2編第2章 6.2.(1)①      full address
    第2編第2章6.2.(1)        without the space
    6.2.(1)                  bare: must be unique in the edition, or unique within the round's default_prefix
    第3編第2章 6.2.(1)        the generated 解説 part: the same clause as in the 例文 part
    6.2.(1)、(2)  6.2.(1)①～③   lists and ranges; a bare (2) or ② continues the previous address
    6.2.(1)①(ア)             a list item: anchored to ① (the item is kept in the note)
    6.2.(1) 外部サービスの利用   number and heading: the number decides, a heading that does not fit is noted
    外部サービスの利用         a heading: exact, or unique partial match
    全体 / 全般 / 総論          a comment on the whole document: anchor "general"

What does not resolve comes back ``unresolved`` with the reason (and the candidates when it is ambiguous): the
importer keeps such comments and flags them for manual anchoring.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from guideline.model import Clause, Edition

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９（）．，　［］｛｝－―‐〜~",
    "0123456789()., []{}---～～",
)
_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CIRCLED = {chr(0x2460 + i): i + 1 for i in range(20)}
_CIRCLED.update({chr(0x3251 + i): i + 21 for i in range(15)})
_CIRCLED.update({chr(0x32B1 + i): i + 36 for i in range(15)})
_CIRCLED_OF = {v: k for k, v in _CIRCLED.items()}
_CIRCLED_CLASS = "".join(_CIRCLED)
GENERAL_WORDS = ("全体", "全般", "総論", "ガイドライン全体", "本ガイドライン全体", "全編", "その他全般")
PAGE_RE = re.compile(r"^(?:p\.?\s*\d+|P\.?\s*\d+|\d+\s*(?:ページ|頁)|ページ\s*\d+)")

_ADDRESS_RE = re.compile(
    r"""^
    (?:第(?P<part>\d+|[〇一二三四五六七八九十]+)編)?\s*
    (?:第(?P<chap>\d+|[〇一二三四五六七八九十]+)章)?\s*
    (?:(?P<l3>\d+)(?:\.(?P<l4>\d+))?\.?(?!\d))?\s*
    (?:\((?P<l5>\d+)\))?\s*
    (?P<l6>[""" + _CIRCLED_CLASS + r"""])?\s*
    (?P<item>\([ア-ン]{1,2}\)|[a-z]\))?
    (?P<rest>.*)$""",
    re.VERBOSE | re.DOTALL,
)
LEVELS = ("part", "chap", "l3", "l4", "l5", "l6")


@dataclass(frozen=True)
class Anchor:
    status: str  # resolved | general | unresolved
    clauses: tuple[str, ...] = ()
    note: str = ""


def normalise(text: str) -> str:
    text = text.translate(_FULLWIDTH)
    # NFKC would turn ① into 1, so only the ASCII-compatible letters (Ａ→A) are half-widthed, by hand
    text = "".join(chr(ord(ch) - 0xFEE0) if "Ａ" <= ch <= "ｚ" else ch for ch in text)
    return re.sub(r"\s+", " ", text).strip()


def _kanji_number(s: str) -> int:
    if s.isdigit():
        return int(s)
    if s == "十":
        return 10
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_KANJI_DIGITS.get(tens, 1) if tens else 1) * 10 + (_KANJI_DIGITS.get(ones, 0) if ones else 0)
    n = 0
    for ch in s:
        n = n * 10 + _KANJI_DIGITS[ch]
    return n


def parse(text: str) -> tuple[dict[str, int | None], str, str]:
    """(numbers by level, list item, remaining text) of one address; numbers absent are None."""
    m = _ADDRESS_RE.match(normalise(text))
    assert m is not None  # every part is optional
    nums: dict[str, int | None] = {}
    for key in LEVELS:
        v = m.group(key)
        if v is None:
            nums[key] = None
        elif key == "l6":
            nums[key] = _CIRCLED[v]
        else:
            nums[key] = _kanji_number(v)
    return nums, m.group("item") or "", m.group("rest").strip()


def clause_key(clause: Clause) -> dict[str, int | None]:
    nums, _, _ = parse(f"{clause.prefix}{clause.local}")
    return nums


def _strip_heading(text: str) -> str:
    text = normalise(text)
    text = re.sub(r"^[「『\"“]|[」』\"”]$", "", text)
    text = re.sub(r"(について|の項|関係|部分|箇所|の記載|の記述)$", "", text)
    return text.strip(" 「」『』")


def _heading_norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[（(][^（）()]*[）)]$", "", text)  # 最高情報セキュリティ責任者（CISO: …）
    return re.sub(r"[\s・･、,]", "", text)


class Resolver:
    """Resolves 該当箇所 against one edition. ``default_prefix`` (e.g. 第2編第2章) settles bare addresses."""

    def __init__(self, edition: Edition, default_prefix: str = ""):
        self.edition = edition
        self.clauses = [c for c in edition.clauses()]
        self.keys = {c.id: clause_key(c) for c in self.clauses}
        self.default = parse(default_prefix)[0] if default_prefix else {}
        reibun = edition.reibun
        self.reibun_part = self.keys[reibun.id]["part"] if reibun is not None else None
        m = re.match(r"第(\d+)編", edition.commentary_part_number)
        self.commentary_part = int(m.group(1)) if (m and reibun is not None) else None

    # ---------------------------------------------------------------------------------------------------------------
    def resolve(self, location: str) -> Anchor:
        text = normalise(location)
        if not text:
            return Anchor("unresolved", (), "該当箇所 is empty; anchor it by hand")
        if _strip_heading(text) in GENERAL_WORDS:
            return Anchor("general")
        found: list[str] = []
        notes: list[str] = []
        failed = False
        context: dict[str, int | None] = {}
        for segment in self._segments(text):
            ids, note, context = self._segment(segment, context)
            if note:
                notes.append(note)
            if not ids:
                failed = True
            for cid in ids:
                if cid not in found:
                    found.append(cid)
        status = "unresolved" if failed or not found else "resolved"
        return Anchor(status, tuple(found), "; ".join(notes))

    @staticmethod
    def _segments(text: str) -> list[str]:
        parts = [p.strip() for p in re.split(r"[、,;；]|及び|および|並びに|ならびに", text) if p.strip()]
        out: list[str] = []
        for part in parts:
            # ranges: 6.2.(1)～(3), ①～③
            m = re.match(r"^(.*?)(\((\d+)\)|([" + _CIRCLED_CLASS + r"]))\s*～\s*(\((\d+)\)|([" + _CIRCLED_CLASS
                         + r"]))$", part)
            if m:
                head = m.group(1)
                if m.group(3) and m.group(6):
                    lo, hi = int(m.group(3)), int(m.group(6))
                    if 0 < hi - lo < 50:
                        out.append(f"{head}({lo})")
                        out.extend(f"({n})" for n in range(lo + 1, hi + 1))
                        continue
                if m.group(4) and m.group(7):
                    lo, hi = _CIRCLED[m.group(4)], _CIRCLED[m.group(7)]
                    if 0 < hi - lo < 50:
                        out.append(f"{head}{_CIRCLED_OF[lo]}")
                        out.extend(_CIRCLED_OF[n] for n in range(lo + 1, hi + 1))
                        continue
            out.append(part)
        return out

    def _segment(self, segment: str, context: dict[str, int | None]) -> tuple[list[str], str, dict]:
        if PAGE_RE.match(segment):
            return [], f"{segment!r}: page numbers differ between formats; name the clause instead", context
        nums, item, rest = parse(segment)
        has_number = any(nums[k] is not None for k in LEVELS)
        if not has_number:
            return self._by_heading(segment, context)
        # a bare (2) or ② continues the address before it
        if nums["part"] is None and nums["chap"] is None and nums["l3"] is None and context:
            first = "l5" if nums["l5"] is not None else "l6"
            for key in LEVELS[: LEVELS.index(first)]:
                nums[key] = context.get(key)
        if nums["part"] is not None and nums["part"] == self.commentary_part and self.reibun_part is not None:
            nums["part"] = self.reibun_part  # 第3編 解説 repeats the 例文 numbers
        candidates = [c for c in self.clauses if self._matches(nums, self.keys[c.id])]
        if len(candidates) > 1 and self.default and nums["part"] is None and nums["chap"] is None:
            narrowed = [c for c in candidates
                        if all(self.default.get(k) is None or self.keys[c.id][k] == self.default[k]
                               for k in ("part", "chap"))]
            if narrowed:
                candidates = narrowed
        notes = []
        if item:
            notes.append(f"{segment!r}: list item {item} is anchored to its clause")
        if len(candidates) > 1 and rest:
            by_heading = [c for c in candidates if _heading_norm(_strip_heading(rest)) in _heading_norm(c.heading)]
            if len(by_heading) == 1:
                candidates = by_heading
        if len(candidates) == 1:
            clause = candidates[0]
            heading = _heading_norm(_strip_heading(rest)) if rest else ""
            if heading and heading not in _heading_norm(clause.heading) and _heading_norm(clause.heading) not in heading:
                notes.append(f"{segment!r}: the heading does not match {clause.address} {clause.heading}; check it")
            return [clause.id], "; ".join(notes), dict(self.keys[clause.id])
        if not candidates:
            notes.append(f"{segment!r}: no clause has this number in edition {self.edition.meta.id}")
            return [], "; ".join(notes), context
        shown = ", ".join(f"{c.address} ({c.id})" for c in candidates[:6])
        more = f" and {len(candidates) - 6} more" if len(candidates) > 6 else ""
        notes.append(f"{segment!r} is ambiguous: {shown}{more}; write the 編 and 章")
        return [], "; ".join(notes), context

    @staticmethod
    def _matches(query: dict[str, int | None], key: dict[str, int | None]) -> bool:
        for level in ("part", "chap"):
            if query[level] is not None and query[level] != key[level]:
                return False
        has_local = any(query[k] is not None for k in ("l3", "l4", "l5", "l6"))
        if not has_local:
            # 第2編第2章 → the 章 itself; 第2編 → the 編
            if query["chap"] is not None:
                return key["chap"] == query["chap"] and all(key[k] is None for k in ("l3", "l4", "l5", "l6"))
            return key["chap"] is None and all(key[k] is None for k in ("l3", "l4", "l5", "l6"))
        return all(query[k] == key[k] for k in ("l3", "l4", "l5", "l6"))

    def _by_heading(self, segment: str, context: dict) -> tuple[list[str], str, dict]:
        wanted = _heading_norm(_strip_heading(segment))
        if len(wanted) < 2:
            return [], f"{segment!r}: not an address or a heading of edition {self.edition.meta.id}", context
        exact = [c for c in self.clauses if _heading_norm(c.heading) == wanted]
        if len(exact) == 1:
            return [exact[0].id], "", dict(self.keys[exact[0].id])
        partial = exact or [c for c in self.clauses if len(wanted) >= 4 and wanted in _heading_norm(c.heading)]
        if len(partial) == 1:
            return [partial[0].id], "", dict(self.keys[partial[0].id])
        if partial:
            shown = ", ".join(f"{c.address} {c.heading} ({c.id})" for c in partial[:6])
            return [], f"{segment!r} matches several headings: {shown}; give the number", context
        return [], f"{segment!r}: not an address or a heading of edition {self.edition.meta.id}", context


def resolve(edition: Edition, location: str, default_prefix: str = "") -> Anchor:
    return Resolver(edition, default_prefix).resolve(location)
