"""Personal data that must never reach a published output: e-mail addresses and phone numbers in free text, and
whatever is in a record's private fields."""
from __future__ import annotations

import re

# full-width ASCII (U+FF01–FF5E) and the dashes people type in phone numbers, one character for one
_WIDE = {**{cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)},
         **{ord(c): "-" for c in "ー―‐−–—"}, 0x3000: " "}

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
PHONE_RE = re.compile(
    r"(?<![\d\-.])(?:"
    r"\+81[\s\-]?\d{1,4}[\s\-]?\d{1,4}[\s\-]?\d{3,4}"  # +81 3 1234 5678
    r"|0\d{1,4}[\-\s]\d{1,4}[\-\s]\d{3,4}"  # 03-1234-5678, 090-1234-5678
    r"|\(0\d{1,4}\)\s?\d{1,4}[\-\s]?\d{3,4}"  # (03)1234-5678
    r"|0\d{1,4}\(\d{1,4}\)\d{3,4}"  # 03(1234)5678
    r"|0[5-9]0\d{8}|0\d{9}"  # 09012345678, 0312345678
    r")(?![\d\-])"
)
POSTAL_RE = re.compile(r"〒\s?\d{3}-?\d{4}")


def find(text: str) -> list[str]:
    """The e-mail addresses, phone numbers and postal codes in ``text`` (as written, in order)."""
    if not text:
        return []
    wide = text.translate(_WIDE)
    assert len(wide) == len(text)  # the translation is one character for one, so spans map back
    found = []
    for rx in (EMAIL_RE, PHONE_RE, POSTAL_RE):
        for m in rx.finditer(wide):
            found.append((m.start(), text[m.start():m.end()]))
    return [s for _, s in sorted(found)]


def private_values(name: str, contact: str) -> list[str]:
    """The pieces of the private fields worth searching for in published text (2 characters or more)."""
    out = []
    for value in (name, contact):
        for piece in re.split(r"[\n\r\t,、;；/／]+", value or ""):
            piece = piece.strip()
            if len(piece) >= 2:
                out.append(piece)
    return out


def redact(text: str) -> str:
    """Replace personal data in ``text`` with ［個人情報削除］ (for suggested summaries)."""
    for value in sorted(set(find(text)), key=len, reverse=True):
        text = text.replace(value, "［個人情報削除］")
    return text
