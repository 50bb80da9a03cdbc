"""Width and spacing: half-width alphanumerics, full-width katakana and parentheses, no stray spaces, no doubled
punctuation. All are mechanical and fixable with ``--fix``.

公用文作成の考え方（令和4年建議）「表記の原則」 ask for consistent notation of 算用数字 and ローマ字 and of 符号;
the corresponding textlint rules are preset-jtf-style 2.1.8 算用数字 / 2.1.9 アルファベット (half-width),
2.1.5 カタカナ (full-width), 4.3.1 丸かっこ, 3.1.1 全角文字と半角文字の間 and preset-ja-spacing
ja-space-between-half-and-full-width / ja-no-space-between-full-width; doubled punctuation is
ja-technical-writing's no-doubled-punctuation territory (textlint-rule-ja-no-successive-word).
"""
from __future__ import annotations

import re
import unicodedata

from guideline.lint.core import URL_RE, Lint
from guideline.lint.registry import rule

_JA = "\u3005\u3006\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff"  # kana, kanji, 々〆, ー
_FULL_ALNUM = re.compile(r"[Ａ-Ｚａ-ｚ０-９]+")
_HALF_KANA = re.compile(r"[\uff61-\uff9f]+")
_HALF_PARENS = re.compile(r"\(([^()\n]{0,80})\)")
_HAS_JA = re.compile(f"[{_JA}]")
_SPACE_JA_ALNUM = re.compile(f"(?<=[{_JA}])[ \u3000]+(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])[ \u3000]+(?=[{_JA}])")
_NO_SPACE_JA_ALNUM = re.compile(f"(?<=[{_JA}])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[{_JA}])")
_SPACE_JA_JA = re.compile(f"(?<=[{_JA}、。「」（）])[ \u3000]+(?=[{_JA}「」（）])")
_DOUBLE_PUNCT = re.compile(r"[、。，．][、。，．]+")
_LABEL_BEFORE = re.compile(r"第[0-9０-９一二三四五六七八九十]+[編章節款条項号]$")  # 「第1編 総則」: a label, then its title


@rule("width-alnum", "error", "full-width Latin letters and digits: write them half-width",
      "公用文作成の考え方「表記の原則」（数字・ローマ字）; textlint preset-jtf-style 2.1.8, 2.1.9", fixable=True)
def full_width_alnum(lint: Lint) -> None:
    _normalise_runs(lint, _FULL_ALNUM, "full-width")


def _normalise_runs(lint: Lint, pattern: re.Pattern, what: str) -> None:
    """Report each run of ``pattern`` with its NFKC form (the other width) as the fix."""
    for unit in lint.units:
        for m in pattern.finditer(unit.text):
            other = unicodedata.normalize("NFKC", m.group())
            lint.add(unit, m.start(), m.end(), f"{what} {m.group()!r}: write {other!r}", fix=other)


@rule("width-kana", "error", "half-width katakana: write it full-width",
      "公用文作成の考え方「表記の原則」; textlint preset-jtf-style 2.1.5, ja-technical-writing no-hankaku-kana", fixable=True)
def half_width_kana(lint: Lint) -> None:
    _normalise_runs(lint, _HALF_KANA, "half-width katakana")


@rule("width-paren", "warning", "half-width parentheses around Japanese text: write （ ）",
      "公用文作成の考え方「表記の原則」（符号の使い方）; textlint preset-jtf-style 4.3.1", fixable=True)
def half_width_parens(lint: Lint) -> None:
    for unit in lint.units:
        for m in _HALF_PARENS.finditer(unit.text):
            if _HAS_JA.search(m.group(1)):
                lint.add(unit, m.start(), m.end(), f"half-width parentheses around Japanese text in {m.group()!r}; "
                         "write （ ）", fix=f"（{m.group(1)}）")


@rule("space-ja-alnum", "warning", "a space between Japanese and alphanumerics (or none, as lint.yaml's spacing "
      "says)", "textlint preset-ja-spacing ja-space-between-half-and-full-width; preset-jtf-style 3.1.1",
      fixable=True)
def space_ja_alnum(lint: Lint) -> None:
    always = lint.config.spacing == "always"
    for unit in lint.units:
        if always:
            for m in _NO_SPACE_JA_ALNUM.finditer(unit.text):
                i = m.start()
                lint.add(unit, i - 1, i + 1, "no space between Japanese and alphanumerics; this edition puts one "
                         "(lint.yaml: spacing: always)", fix=unit.text[i - 1] + " " + unit.text[i])
        else:
            urls = [(u.start(), u.end()) for u in URL_RE.finditer(unit.text)] if "@" in unit.text or ":" in \
                unit.text else []
            for m in _SPACE_JA_ALNUM.finditer(unit.text):
                if any(a <= m.end() and m.start() <= b for a, b in urls):
                    continue  # the space that ends or starts a typed address
                lint.add(unit, m.start(), m.end(), "space between Japanese and alphanumerics; delete it "
                         "(lint.yaml spacing: always asks for one)", fix="")


@rule("space-ja", "warning", "a space between Japanese characters", "textlint preset-ja-spacing "
      "ja-no-space-between-full-width; preset-jtf-style 3.1.2", fixable=True)
def space_between_japanese(lint: Lint) -> None:
    for unit in lint.units:
        for m in _SPACE_JA_JA.finditer(unit.text):
            if _LABEL_BEFORE.search(unit.text, max(0, m.start() - 8), m.start()) or m.end() - m.start() > 1:
                continue  # a label and its title, or a blank to fill in (「　　年　　月　　日」 in a form)
            lint.add(unit, m.start(), m.end(), "space between Japanese characters; delete it", fix="")


@rule("punct-double", "error", "doubled punctuation (。。 、、 、。)",
      "公用文作成の考え方「表記の原則」（句読点）; textlint ja-technical-writing ja-no-successive-word", fixable=True)
def doubled_punctuation(lint: Lint) -> None:
    for unit in lint.units:
        for m in _DOUBLE_PUNCT.finditer(unit.text):
            run = m.group()
            keep = "。" if "。" in run else ("．" if "．" in run else run[0])
            lint.add(unit, m.start(), m.end(), f"doubled punctuation {run!r}; write {keep!r}", fix=keep)
