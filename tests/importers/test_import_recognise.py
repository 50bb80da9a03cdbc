"""Numbering recognition, one rule per construct (issue 18): each case is a paragraph and what it opens.

Like Lawtext's parser specs, every construct has its own small cases: article groups, articles with branch numbers,
captions, 項, 号, 附則, 目次 and its ranges, and the outline family's styles, in full-width and half-width forms.
"""
from __future__ import annotations

import pytest

from guideline.importers.recognise import article_value, recognise, to_int, toc_range

CASES = [
    # legal family: article groups (編 章 節 款), with branch numbers and PDF spacing
    ("第1章 総則", "sho", (1,), "総則"),
    ("第１章　総則", "sho", (1,), "総則"),
    ("第 1 章 総則", "sho", (1,), "総則"),
    ("第3章の2　外部サービスの利用", "sho", (3, 2), "外部サービスの利用"),
    ("第2節 連絡体制", "setsu", (2,), "連絡体制"),
    ("第1款 通則", "kan", (1,), "通則"),
    ("第2編 情報セキュリティポリシー", "hen", (2,), "情報セキュリティポリシー"),
    ("1 章 総則", "sho", (1,), "総則"),  # 第 lost in PDF extraction
    # articles
    ("第1条 この規程は、", "jo", (1,), "この規程は、"),
    ("第十二条　職員は、", "jo", (12,), "職員は、"),
    ("第19条の2 前条の規定", "jo", (19, 2), "前条の規定"),
    ("第67条の8", "jo", (67, 8), ""),
    ("第二十三条の三 委員会", "jo", (23, 3), "委員会"),
    # captions, 附則, 目次, 解説
    ("（目的）", "caption", (), "目的"),
    ("(適用範囲)", "caption", (), "適用範囲"),
    ("附則", "suppl", (), ""),
    ("附　則（令和7年3月31日訓令第12号）", "suppl", (), "令和7年3月31日訓令第12号"),
    ("附　則　抄", "suppl", (), ""),
    ("附　則　（平成11年7月16日訓令第2号）　抄", "suppl", (), "平成11年7月16日訓令第2号"),
    ("目次", "toc", (), ""),
    ("目　次", "toc", (), ""),
    ("【解説】", "commentary", (), ""),
    ("（解説）本項は", "commentary", (), "本項は"),
    # 項 and 号 (the builder decides which reading applies)
    ("2 前項の規定にかかわらず", "bare", (2,), "前項の規定にかかわらず"),
    ("２　前項の", "bare", (2,), "前項の"),
    ("一 情報資産", "kanji", (1,), "情報資産"),
    ("十一 その他", "kanji", (11,), "その他"),
    # outline family
    ("1. 目的", "dot", (1,), "目的"),
    ("１．目的", "dot", (1,), "目的"),
    ("1目的", "bare", (1,), "目的"),
    ("第1 目的", "dai", (1,), "目的"),
    ("6.2. 情報資産の管理", "dot2", (6, 2), "情報資産の管理"),
    ("6.2 情報資産の管理", "dot2", (6, 2), "情報資産の管理"),
    ("(1) ネットワーク", "paren-num", (1,), "ネットワーク"),
    ("（12）ネットワーク", "paren-num", (12,), "ネットワーク"),
    ("① 端末", "circled", (1,), "端末"),
    ("⑮端末", "circled", (15,), "端末"),
    ("(ア) 外部", "paren-kana", (1,), "外部"),
    ("（イ）外部", "paren-kana", (2,), "外部"),
    ("ウ　外部", "kana", (3,), "外部"),
    ("a) 記録", "latin", (1,), "記録"),
    ("(b) 記録", "paren-latin", (2,), "記録"),
    ("・ 箇条", "bullet", (), "箇条"),
]

NOT_MARKERS = [
    "第3条件を満たす",  # 条件 is a word, not 第3条
    "10人以上の職員",  # a number running into text
    "アクセス制御を行う。",  # ア starting a word
    "この規程は、市の情報資産を守る。",
    "2024年4月1日から施行する。",
    "附則第2項の規定により、なお従前の例による。",  # a sentence naming a 附則, not one
]


@pytest.mark.parametrize(("text", "kind", "value", "rest"), CASES)
def test_construct(text, kind, value, rest):
    m = recognise(text)
    assert m is not None, text
    assert (m.kind, m.value, m.rest) == (kind, value, rest)


@pytest.mark.parametrize("text", NOT_MARKERS)
def test_not_a_construct(text):
    m = recognise(text)
    assert m is None or m.kind not in ("jo", "sho", "kana", "bare", "dot", "suppl"), (text, m)


def test_label_is_as_written():
    assert recognise("第１９条の２　職員").label == "第１９条の２"
    assert recognise("（１）　職員").label == "（１）"


@pytest.mark.parametrize(("text", "value"), [("1", 1), ("１２", 12), ("十", 10), ("十二", 12), ("二十三", 23),
                                            ("百五", 105), ("三百二十", 320)])
def test_numerals(text, value):
    assert to_int(text) == value


@pytest.mark.parametrize(("entry", "heading", "first", "last"), [
    ("組織体制(第5条―第15条)", "組織体制", (5,), (15,)),
    ("組織体制（第5条～第15条）", "組織体制", (5,), (15,)),
    ("組織体制(第5条-第15条)", "組織体制", (5,), (15,)),
    ("組織体制（第5条－第15条）", "組織体制", (5,), (15,)),
    ("組織体制(第5条〜第12条の3)", "組織体制", (5,), (12, 3)),
    ("組織体制(第12条・第13条)", "組織体制", (12,), (13,)),
    ("雑則(第20条)", "雑則", (20,), (20,)),
])
def test_toc_ranges(entry, heading, first, last):
    h, rng = toc_range(entry)
    assert h == heading and rng is not None and (rng.first, rng.last) == (first, last)


def test_toc_entry_without_range_drops_page_number():
    assert toc_range("組織体制 ……… 12") == ("組織体制", None)


def test_article_value_orders_branches_as_siblings():
    assert article_value("第19条") < article_value("第19条の2") < article_value("第20条")
