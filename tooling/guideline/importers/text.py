"""Plain text → paragraph stream: UTF-8, UTF-16 or CP932 detected, one paragraph per line, PDF artefacts removed.

- Encoding: a BOM says UTF-8 or UTF-16; NUL bytes in every other position say UTF-16 without BOM; else UTF-8 if the
  bytes decode, else CP932 (Shift_JIS as Windows writes it). Anything else is refused with the encodings tried.
- Text extracted from a PDF carries page furniture: page numbers (``12``, ``- 12 -``, ``12/40``) and running headers
  or footers (a short line repeated on three or more pages, next to a page break or a page number). They are marked
  :data:`~guideline.importers.stream.FURNITURE` (left out, listed in the report).
- A PDF line wraps inside a sentence: a line that runs (nearly) to the document's full line width and does not end a
  sentence is joined with the next line unless that one opens a numbered construct.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from pathlib import Path

from guideline.diagnostics import UserError
from guideline.importers.recognise import recognise
from guideline.importers.stream import FURNITURE, SourcePara, normalise, text_inlines

MAX_TEXT_BYTES = 20 * 1024 * 1024
_PAGE_NUMBER = re.compile(r"^(?:[-－―‐−]\s*)?\d{1,4}(?:\s*[-－―‐−])?$|^\d{1,4}\s*/\s*\d{1,4}$|^[(（]\s*\d{1,4}\s*[)）]$")
_SENTENCE_END = tuple("。．.」）)】：:")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffe\uffff]")


def decode(data: bytes, where: str) -> tuple[str, str]:
    """(text, encoding name) of the bytes of a text file."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", where), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", where), "utf-16"
    sample = data[:4096]
    if len(sample) >= 4:
        odd_nul = sample[1::2].count(0) / max(1, len(sample[1::2]))
        even_nul = sample[0::2].count(0) / max(1, len(sample[0::2]))
        if odd_nul > 0.3 and even_nul < 0.05:
            return _strict(data, "utf-16-le", where), "utf-16-le"
        if even_nul > 0.3 and odd_nul < 0.05:
            return _strict(data, "utf-16-be", where), "utf-16-be"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # CP932, or UTF-16 without a BOM whose text has too little ASCII for NUL bytes to show: the reading with
    # the most plausible characters (kana, kanji, punctuation, ASCII, line ends) wins
    best: tuple[float, str, str] | None = None
    for encoding in ("cp932", "utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = _plausible(text)
        if best is None or score > best[0]:
            best = (score, text, encoding)
    if best is None or best[0] < 0.9:
        raise UserError(f"{where}: neither UTF-8, UTF-16 nor CP932 (Shift_JIS) text; save the file as UTF-8 and "
                        "import it again")
    return best[1], best[2]


def _plausible(text: str) -> float:
    sample = text[:4000]
    if not sample:
        return 0.0
    good = sum(1 for c in sample if c in "\n\r\t" or " " <= c <= "~" or "\u3000" <= c <= "\u30ff"
               or "\u4e00" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef" or c in "○●◎△□■◆◇・※―〜～")
    return good / len(sample)


def _strict(data: bytes, encoding: str, where: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UserError(f"{where}: not valid {encoding} text at byte {exc.start}; save the file as UTF-8") from None


def width(text: str) -> int:
    """Display width: full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def read_capped(path: Path, limit: int, what: str) -> bytes:
    """The bytes of ``path``, refused (before reading) when the file is larger than ``limit``."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise UserError(f"{path}: {size} bytes is more than the {limit} {what} import may have")
        return path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None


def read_text(path: Path) -> tuple[list[SourcePara], dict]:
    """The paragraph stream of a text file and what the reader found (encoding, furniture, joined lines)."""
    where = str(path)
    text, encoding = decode(read_capped(path, MAX_TEXT_BYTES, "a text"), where)
    return split_text(text), {"encoding": encoding}


def split_text(text: str) -> list[SourcePara]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    raw = [_CONTROL.sub("", line).replace("\t", " ").rstrip() for line in text.split("\n")]
    # a form feed is a page break: the line after it is a page's first line
    page_start = set()
    lines: list[str] = []
    for line in raw:
        if "\x0c" in line:
            before, _, after = line.rpartition("\x0c")
            if before.replace("\x0c", "").strip():
                lines.append(before.replace("\x0c", ""))
            page_start.add(len(lines))
            lines.append(after)
        else:
            lines.append(line)
    furniture = _furniture(lines, page_start)
    widths = sorted(width(ln.strip()) for i, ln in enumerate(lines) if ln.strip() and i not in furniture)
    full = widths[int(len(widths) * 0.9)] if len(widths) >= 10 else 0
    paras: list[SourcePara] = []
    pending: SourcePara | None = None
    pending_width = 0
    for i, line in enumerate(lines):
        stripped = line.strip(" \u3000")
        if i in furniture:
            paras.append(SourcePara(0, f"line {i + 1}", text_inlines(stripped), role=FURNITURE,
                                    role_detail=furniture[i], line=i + 1))
            continue
        if not stripped:
            pending = None
            continue
        if (pending is not None and full >= 40 and pending_width >= full * 0.85
                and not pending.text.endswith(_SENTENCE_END) and recognise(stripped) is None):
            pending.inlines = text_inlines(pending.text + stripped)
            pending.where = pending.where.split("-")[0] + f"-{i + 1}"
            pending_width = width(stripped)
            continue
        pending = SourcePara(0, f"line {i + 1}", text_inlines(stripped), line=i + 1)
        pending_width = width(line.rstrip())
        paras.append(pending)
    for n, p in enumerate(paras, 1):
        p.index = n
    return paras


def _furniture(lines: list[str], page_start: set[int]) -> dict[int, str]:
    """Line index → "page number" / "running header" for the page furniture of PDF-extracted text."""
    out: dict[int, str] = {}
    for i, line in enumerate(lines):
        if _PAGE_NUMBER.match(normalise(line)):
            out[i] = "page number"
    boundaries = set(page_start) | {i for i in out} | {i + 1 for i in out}
    if not boundaries:
        return out
    counts = Counter(_header_key(ln) for ln in lines if ln.strip())
    for i, line in enumerate(lines):
        key = _header_key(line)
        if i in out or not key or counts[key] < 3 or width(line.strip()) > 80 or recognise(line.strip()) is not None:
            continue
        if any(abs(i - b) <= 2 for b in boundaries):
            out[i] = "running header"
    return out


def _header_key(line: str) -> str:
    """A running header with the page number in it (``情報セキュリティ対策基準 3``) repeats up to its digits."""
    return re.sub(r"\d+", "#", normalise(line))


__all__ = ["read_text", "split_text", "decode", "width", "read_capped"]
