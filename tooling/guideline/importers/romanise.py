"""Readable clause IDs from Japanese headings: 情報セキュリティ基本方針 → ``joho-sekyuriti-kihon-hoshin``.

Words and their readings come from the morphological analyser the diff already uses (fugashi with unidic-lite); the
katakana reading is written in Hepburn-like romaji with long vowels shortened (ジョウホウ → joho). When the analyser
is not installed, :func:`slug` returns "" and the caller falls back to an ID made of the numbering path.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_KANA = {
    "ア": "a", "イ": "i", "ウ": "u", "エ": "e", "オ": "o", "カ": "ka", "キ": "ki", "ク": "ku", "ケ": "ke", "コ": "ko",
    "サ": "sa", "シ": "shi", "ス": "su", "セ": "se", "ソ": "so", "タ": "ta", "チ": "chi", "ツ": "tsu", "テ": "te",
    "ト": "to", "ナ": "na", "ニ": "ni", "ヌ": "nu", "ネ": "ne", "ノ": "no", "ハ": "ha", "ヒ": "hi", "フ": "fu",
    "ヘ": "he", "ホ": "ho", "マ": "ma", "ミ": "mi", "ム": "mu", "メ": "me", "モ": "mo", "ヤ": "ya", "ユ": "yu",
    "ヨ": "yo", "ラ": "ra", "リ": "ri", "ル": "ru", "レ": "re", "ロ": "ro", "ワ": "wa", "ヲ": "o", "ン": "n",
    "ガ": "ga", "ギ": "gi", "グ": "gu", "ゲ": "ge", "ゴ": "go", "ザ": "za", "ジ": "ji", "ズ": "zu", "ゼ": "ze",
    "ゾ": "zo", "ダ": "da", "ヂ": "ji", "ヅ": "zu", "デ": "de", "ド": "do", "バ": "ba", "ビ": "bi", "ブ": "bu",
    "ベ": "be", "ボ": "bo", "パ": "pa", "ピ": "pi", "プ": "pu", "ペ": "pe", "ポ": "po", "ヴ": "vu",
    "ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o", "ヮ": "wa",
}
_SMALL_VOWELS = {"ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o"}
_YOON = {"ャ": "ya", "ュ": "yu", "ョ": "yo"}
_SKIP_POS = ("助詞", "助動詞", "補助記号", "記号", "空白")
MAX_WORDS = 4
MAX_LEN = 28


def kana_romaji(kana: str) -> str:
    out: list[str] = []
    double = False
    for ch in kana:
        if ch == "ッ":
            double = True
            continue
        if ch == "ー":
            continue  # long vowels are shortened: コンピューター → konpyuta
        if ch in _YOON and out and out[-1].endswith("i"):
            prev = out.pop()
            if prev.endswith(("shi", "chi", "ji")):
                out.append(prev[:-1] + _YOON[ch][1:])  # sha, cho, ju
            else:
                out.append(prev[:-1] + _YOON[ch])  # kya, ryo
            continue
        if ch in _SMALL_VOWELS and out and len(out[-1]) > 1:
            prev = out.pop()
            out.append(prev[:-1] + _SMALL_VOWELS[ch])  # ティ → ti, ファ → fa
            continue
        roman = _KANA.get(ch, "")
        if double and roman:
            roman = roman[0] + roman
        double = False
        out.append(roman)
    text = "".join(out)
    return re.sub(r"([aeiou])\1+|ou", lambda m: m.group(0)[0], text)  # joho, not jouhou


@lru_cache(maxsize=1)
def _tagger():
    try:
        import fugashi

        return fugashi.Tagger()
    except Exception:  # noqa: BLE001 - no analyser (or no dictionary): IDs fall back to numbering paths
        return None


def slug(heading: str) -> str:
    """A short lowercase ASCII slug of a heading, or "" when none can be made."""
    text = unicodedata.normalize("NFKC", heading)
    tagger = _tagger()
    if tagger is None or not text.strip():
        return ""
    words: list[str] = []
    for word in tagger(text):
        pos = word.feature.pos1 or ""
        if pos in _SKIP_POS:
            continue
        surface = word.surface
        if re.fullmatch(r"[A-Za-z0-9]+", surface):
            roman = surface.lower()
        else:
            reading = word.feature.kana or ""
            if not reading or reading == "*":
                reading = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in surface)
            roman = kana_romaji(reading)
        roman = re.sub(r"[^a-z0-9]", "", roman)
        if roman:
            words.append(roman)
        if len(words) >= MAX_WORDS:
            break
    out = ""
    for w in words:
        candidate = f"{out}-{w}" if out else w
        if len(candidate) > MAX_LEN:
            break
        out = candidate
    if not out or not out[0].isalpha():
        return ""
    return out


__all__ = ["slug", "kana_romaji"]
