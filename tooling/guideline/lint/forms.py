"""表記の統一: one word, one spelling across the edition.

Words are compared by morpheme (fugashi + unidic-lite): the lemma and its reading identify a word whatever its
spelling, so 及び/および, 行う/行なう, 全て/すべて, サーバ/サーバー, 取扱い/取り扱い are seen as one word without a
list of every variant. The chosen spelling comes from the project's ``lint.yaml`` (``forms:``) and from a built-in
starter dictionary of 公用文 forms (:data:`STARTER`, from 「公用文における漢字使用等について」(平成22年内閣訓令)
and 公用文作成の考え方（令和4年建議）「表記の原則」); a word with no chosen form that the edition spells two ways is reported
too. textlint needs a hand-written prh dictionary for the first and has no rule for the second that knows lemmas
(textlint-rule-ja-no-orthographic-variants is the nearest).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from guideline import morph
from guideline.lint.core import Lint, Unit
from guideline.lint.registry import rule

_KANJI_CONJ = "「公用文における漢字使用等について」1(2): 接続詞 及び・並びに・又は・若しくは are written in kanji"
_KANA_CONJ = "「公用文における漢字使用等について」1(2): other 接続詞 are written in kana"
_ADVERB = "「公用文における漢字使用等について」1(1)イ: 副詞 are written in kanji"
_KANA_ADVERB = "「公用文における漢字使用等について」1(1)イ ただし書: かなり・ふと・やはり・よほど in kana"
_FORMAL = "「公用文における漢字使用等について」1(2)カ: 形式名詞 (こと, とき, もの, とおり, わけ) in kana"
_AUX = "「公用文における漢字使用等について」1(2)カ: 補助動詞 (〜ていく, 〜てください …) in kana"
_KANA_WORD = "「公用文における漢字使用等について」1(2)カ: ある・いる・できる・ない・おそれ are written in kana"
_OKURI = "「公用文における漢字使用等について」2(2): 複合名詞 without the 送り仮名 of 通則2 許容"
_OKONAU = "送り仮名の付け方 通則1 本則: 行う (not 行なう)"

# (written form, condition, why, other spellings matched as text). Conditions: "" always; "start" at the start of a
# sentence or after 、 (a conjunction); "inside" not there (更に is the adverb, さらに、 the conjunction); "modifier" after a verb, adjective, auxiliary or 連体詞 (その時 → そのとき);
# "modifier-no" the same or after の (事故の時 → 事故のとき); "te" after て/で (〜て下さい → 〜てください); "alone" not
# followed by a noun (取扱方法, 取扱所 keep the 慣用 form of 通則7).
STARTER: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("及び", "", _KANJI_CONJ, ()), ("並びに", "", _KANJI_CONJ, ()), ("又は", "", _KANJI_CONJ, ()),
    ("若しくは", "", _KANJI_CONJ, ()),
    ("かつ", "", _KANA_CONJ, ()), ("ただし", "", _KANA_CONJ, ()), ("したがって", "start", _KANA_CONJ, ()),
    ("また", "start", _KANA_CONJ, ()),
    ("全て", "", _ADVERB, ()), ("既に", "", _ADVERB, ()), ("直ちに", "", _ADVERB, ()), ("更に", "inside", _ADVERB, ()),
    ("必ず", "", _ADVERB, ()), ("極めて", "", _ADVERB, ()), ("特に", "", _ADVERB, ()), ("常に", "", _ADVERB, ()),
    ("初めて", "", _ADVERB, ()), ("最も", "", _ADVERB, ()), ("例えば", "", _ADVERB, ()), ("再び", "", _ADVERB, ()),
    ("互いに", "", _ADVERB, ()), ("少なくとも", "", _ADVERB, ()),
    ("かなり", "", _KANA_ADVERB, ()), ("やはり", "", _KANA_ADVERB, ()), ("よほど", "", _KANA_ADVERB, ()),
    ("こと", "modifier-no", _FORMAL, ()), ("とき", "modifier-no", _FORMAL, ()), ("もの", "modifier", _FORMAL, ()),
    ("とおり", "modifier-no", _FORMAL, ()), ("わけ", "modifier", _FORMAL, ()),
    ("いく", "te", _AUX, ()), ("くる", "te", _AUX, ()), ("みる", "te", _AUX, ()), ("おく", "te", _AUX, ()),
    ("しまう", "te", _AUX, ()), ("いただく", "te", _AUX, ()), ("ください", "te", _AUX, ()),
    ("できる", "", _KANA_WORD, ()), ("ない", "", _KANA_WORD, ()), ("おそれ", "", _KANA_WORD, ()),
    ("行う", "", _OKONAU, ()),
    ("取扱い", "alone", _OKURI, ()), ("申込み", "alone", _OKURI, ()), ("打合せ", "alone", _OKURI, ()),
    ("問合せ", "alone", _OKURI, ()), ("手続", "alone", _OKURI, ()), ("取消し", "alone", _OKURI, ()),
    ("引継ぎ", "alone", _OKURI, ()), ("届出", "alone", _OKURI, ()),
)

# parts of speech whose spelling the variants rule compares (content words)
_CONTENT = frozenset({"名詞", "動詞", "形容詞", "副詞", "接続詞", "連体詞", "形状詞", "代名詞"})
_KANJI = re.compile(r"[\u3005\u3400-\u9fff\uf900-\ufaff]+")
_MODIFIER = frozenset({"動詞", "形容詞", "助動詞", "連体詞", "形状詞"})


@dataclass(frozen=True)
class Form:
    written: str
    morphs: tuple[morph.Morpheme, ...]
    when: str
    why: str
    others: tuple[str, ...]
    fixable: bool

    @property
    def keys(self) -> tuple[tuple[str, str], ...]:
        return tuple((m.lemma, m.reading) for m in self.morphs)


def chosen_forms(lint: Lint) -> list[Form]:
    """The project's forms, then the starter forms for words the project did not choose, longest first."""
    forms: list[Form] = []
    seen: set[tuple] = set()
    source = f"{lint.config.path or 'lint.yaml'} forms"
    entries = [(w, "", source, others) for w, others in lint.config.forms]
    if lint.config.starter:
        entries += list(STARTER)
    for written, when, why, others in entries:
        ms = tuple(m for m in morph.analyze(written) if m.pos1 != "空白")
        if not ms:
            continue
        key = tuple((m.lemma, m.reading) for m in ms)
        if key in seen:
            continue
        seen.add(key)
        forms.append(Form(written, ms, when, why, others, when == ""))
    forms.sort(key=lambda f: -len(f.morphs))
    return forms


def _condition(when: str, ms: list[morph.Morpheme], i: int, k: int) -> bool:
    if not when:
        return True
    if when == "alone":
        nxt = ms[i + k] if i + k < len(ms) else None
        return nxt is None or nxt.start != ms[i + k - 1].end or nxt.pos1 not in ("名詞", "接尾辞")
    prev = ms[i - 1] if i > 0 and ms[i - 1].end == ms[i].start else None
    if when in ("start", "inside"):
        at_start = i == 0 or ms[i - 1].pos1 == "補助記号" or prev is None
        return at_start if when == "start" else not at_start
    if prev is None:
        return False
    if when == "te":  # 〜て置く, but not 〜として置く (として is a particle there)
        before = ms[i - 2] if i > 1 else None
        return prev.surface in ("て", "で") and before is not None and before.pos1 in _MODIFIER and not (
            before.lemma == "為る" and i > 2 and ms[i - 3].surface in ("と", "に"))
    if when == "modifier":
        return prev.pos1 in _MODIFIER
    if when == "modifier-no":
        return prev.pos1 in _MODIFIER or prev.surface == "の"
    return False


def _fix(ms: list[morph.Morpheme], form: Form) -> str | None:
    """The window rewritten in the chosen form, when that is mechanical: unconjugated, or a conjugated single word
    whose stem alone differs (行なっ → 行っ)."""
    if all(m.surface == m.base for m in ms):
        return form.written
    if len(ms) == 1 and len(form.morphs) == 1:
        old, new = ms[0].base, form.morphs[0].base
        k = 0
        while k < min(len(old), len(new)) and old[-1 - k] == new[-1 - k]:
            k += 1
        old_stem, new_stem = old[:len(old) - k], new[:len(new) - k]
        if old_stem and ms[0].surface.startswith(old_stem):
            return new_stem + ms[0].surface[len(old_stem):]
    return None


@rule("form-chosen", "error", "a word not written in the form this edition chose (lint.yaml forms, or the built-in "
      "公用文 forms: 及び, 又は, 並びに, 若しくは, 行う, こと, とき …)",
      "公用文における漢字使用等について; 公用文作成の考え方「表記の原則」; textlint-rule-prh (a hand-written dictionary)",
      fixable=True)
def chosen_form(lint: Lint) -> None:
    forms = chosen_forms(lint)
    index: dict[tuple[str, str], list[Form]] = {}
    for form in forms:
        index.setdefault(form.keys[0], []).append(form)
    lemmas = {key[0] for key in index}
    for unit in lint.units:
        ms = lint.morphemes(unit)
        claimed = 0  # morphemes before this index belong to a form already matched
        for i, m in enumerate(ms):
            if i < claimed or m.lemma not in lemmas:
                continue
            for form in index.get((m.lemma, m.reading), ()):
                k = len(form.morphs)
                window = ms[i:i + k]
                if len(window) < k or any(window[j].end != window[j + 1].start for j in range(k - 1)):
                    continue
                if any((w.lemma, w.reading) != key for w, key in zip(window, form.keys)):
                    continue
                if k == 1 and form.morphs[0].pos1 != m.pos1 and m.pos1 not in ("副詞", "接続詞", "名詞"):
                    continue
                if any(w.ctype != f.ctype for w, f in zip(window, form.morphs)):
                    continue  # 行える is not a spelling of 行う
                if not _condition(form.when, ms, i, k):
                    break
                claimed = i + k
                if all(w.base == f.base for w, f in zip(window, form.morphs)):
                    break
                start, end = window[0].start, window[-1].end
                written = unit.text[start:end]
                if unicodedata.normalize("NFKC", written) == unicodedata.normalize("NFKC", form.written):
                    break  # a width difference: the width rules report it
                fix = _fix(window, form) if form.fixable else None
                lint.add(unit, start, end, f"「{written}」: write 「{form.written}」 ({form.why})", fix=fix)
                break
        for form in forms:
            for other in form.others:
                _explicit(lint, unit, ms, other, form)


def _explicit(lint: Lint, unit: Unit, ms: list[morph.Morpheme], other: str, form: Form) -> None:
    text = unit.text
    i = text.find(other)
    if i < 0:
        return
    starts = {m.start for m in ms}
    ends = {m.end for m in ms}
    while i >= 0:
        j = i + len(other)
        if i in starts and j in ends:
            lint.add(unit, i, j, f"「{other}」: write 「{form.written}」 ({form.why})", fix=form.written)
        i = text.find(other, j)


@rule("form-variants", "warning", "a word this edition writes two ways (kana/kanji, okurigana, long vowel) with no "
      "form chosen in lint.yaml", "公用文作成の考え方「表記の原則」（表記の統一）; textlint-rule-ja-no-orthographic-variants")
def variants(lint: Lint) -> None:
    chosen = {f.keys[0] for f in chosen_forms(lint) if len(f.morphs) == 1}
    raw: Counter = Counter()  # (lemma, reading, pos1, ctype, base) -> count
    for unit in lint.units:
        raw.update(m[6:9] + m[2:3] + m[4:5] for m in lint.morphemes(unit)
                   if m.pos1 in _CONTENT and m.reading and m.pos2 != "数詞")
    counts: dict[tuple, Counter] = {}
    for (lemma, reading, base, pos1, ctype), n in raw.items():
        counts.setdefault((lemma, reading, pos1, ctype), Counter())[unicodedata.normalize("NFKC", base)] += n
    varied = {k: c for k, c in counts.items() if len(c) > 1 and (k[0], k[1]) not in chosen}
    if not varied:
        return
    lemmas = {k[0] for k in varied}
    for unit in lint.units:
        for m in lint.morphemes(unit):
            if m.lemma not in lemmas:
                continue
            c = varied.get((m.lemma, m.reading, m.pos1, m.ctype))
            if c is None:
                continue
            base = unicodedata.normalize("NFKC", m.base)
            top, top_n = c.most_common(1)[0]
            if base == top or _different_kanji(base, top):
                continue
            lint.add(unit, m.start, m.end, f"「{m.surface}」 is written 「{top}」 {top_n} times in this edition "
                     f"({base}: {c[base]}); choose one in lint.yaml forms:")


def _different_kanji(a: str, b: str) -> bool:
    """異字同訓 (合わせる/併せる, 上げる/挙げる): two kanji spellings of one reading are two words, not a variant."""
    ka, kb = "".join(_KANJI.findall(a)), "".join(_KANJI.findall(b))
    return bool(ka and kb and ka != kb)


@rule("form-kitei", "error", "規程 (a set of rules) used as the verb 規定する (to provide)",
      "公用文 usage: 規程 is a body of rules (文書管理規程), 規定 a provision and the verb 規定する", fixable=True)
def kitei(lint: Lint) -> None:
    for unit in lint.units:
        if "規程" not in unit.text:
            continue
        ms = lint.morphemes(unit)
        for i, m in enumerate(ms[:-1]):
            nxt = ms[i + 1]
            if m.surface == "規程" and nxt.start == m.end and nxt.lemma == "為る":
                lint.add(unit, m.start, m.end, "「規程」 names a set of rules; the verb is 「規定する」", fix="規定")
