"""``numbering: articles`` in edition.yaml: an edition numbered as a 訓令 (第N章/第N節/第N条, （見出し）, 項, 号, 附則),
read through the ordinary reader; and a wrong value of ``numbering:`` as a path:line error."""
from __future__ import annotations

from pathlib import Path

from guideline.model import OrderedList, block_text
from guideline.reader import read_edition

EDITION = """id: kitei
title: ○○市情報セキュリティ規程
date: 2024-09-11
status: 案
nisc_catalog: ""
numbering: {numbering}
files:
  - kitei.md
"""

SOURCE = """# ○○市情報セキュリティ規程 {#main .unnumbered}

## 総則 {#ch-1}

##### 目的 {#purpose}

この規程は、市の情報資産を守るために必要な事項を定める。

##### 定義 {#definitions}

この規程において、次の用語の意義は、次のとおりとする。

1. 情報資産　市が業務で扱う情報をいう。
2. 職員等　市の職員をいう。
    1. 常勤の職員
    2. 会計年度任用職員

## 組織体制 {#ch-2}

### 推進体制 {#ch-2-sec-1}

##### 最高責任者 {#ciso}

副市長をもって最高情報セキュリティ責任者とする。

最高情報セキュリティ責任者は、対策の全体を統括する。

最高情報セキュリティ責任者は、年に一度委員会に報告する。

### 連絡体制 {#ch-2-sec-2}

##### 連絡窓口 {#contact}

情報政策課に連絡窓口を置く。

###### 窓口の業務 {#contact-duty}

窓口は、事故の連絡を受ける。

###### 窓口の記録 {#contact-log}

窓口は、受けた連絡を記録する。

# 附則 {#suppl .unnumbered}

この規程は、令和6年10月1日から施行する。

# 附則（令和7年3月31日訓令第12号） {#suppl-2 .unnumbered}

この規程は、令和7年4月1日から施行する。

改正前の規程により行った承認は、改正後の規程により行ったものとみなす。

##### 経過措置 {#suppl-2-transition}

改正前の様式は、当分の間使うことができる。
"""


def _edition(tmp_path: Path, numbering: str = "articles"):
    root = tmp_path / "kitei"
    root.mkdir()
    (root / "edition.yaml").write_text(EDITION.format(numbering=numbering), encoding="utf-8")
    (root / "kitei.md").write_text(SOURCE, encoding="utf-8")
    return read_edition(root)


def test_articles_numbering_of_an_edition(tmp_path):
    ed, report = _edition(tmp_path)
    assert not report.errors, [str(d) for d in report.items]
    assert ed.meta.numbering == "articles"
    numbers = [(c.id, c.number, c.heading, c.address) for c in ed.clauses()]
    assert numbers == [
        ("main", "", "○○市情報セキュリティ規程", ""),
        ("ch-1", "第1章", "総則", "第1章"),
        ("purpose", "第1条", "（目的）", "第1条"),
        ("definitions", "第2条", "（定義）", "第2条"),
        ("ch-2", "第2章", "組織体制", "第2章"),
        ("ch-2-sec-1", "第1節", "推進体制", "第2章第1節"),
        ("ciso", "第3条", "（最高責任者）", "第3条"),  # 条 run on across 章 and 節
        ("ch-2-sec-2", "第2節", "連絡体制", "第2章第2節"),  # 節 count in their 章
        ("contact", "第4条", "（連絡窓口）", "第4条"),
        ("contact-duty", "(1)", "窓口の業務", "第4条第1号"),  # a clause below an 条 is its 号
        ("contact-log", "(2)", "窓口の記録", "第4条第2号"),
        ("suppl", "", "附則", "附則"),
        ("suppl-2", "", "附則（令和7年3月31日訓令第12号）", "附則（令和7年3月31日訓令第12号）"),
        # an 附則's articles are its own, from 第1条
        ("suppl-2-transition", "第1条", "（経過措置）", "附則（令和7年3月31日訓令第12号） 第1条"),
    ]
    # 項: an 条's second and later paragraphs
    assert block_text(ed.get("ciso").body).split("\n") == [
        "副市長をもって最高情報セキュリティ責任者とする。", "２　最高情報セキュリティ責任者は、対策の全体を統括する。",
        "３　最高情報セキュリティ責任者は、年に一度委員会に報告する。"]
    # 号 of an ordered list: (1) (2), ア イ below
    lists = [b for b in ed.get("definitions").body if isinstance(b, OrderedList)]
    assert lists[0].labels == ("(1)", "(2)") and lists[0].items[1][1].labels == ("ア", "イ")
    assert block_text(ed.get("definitions").body).split("\n")[1:] == [
        "(1)情報資産　市が業務で扱う情報をいう。", "(2)職員等　市の職員をいう。", "ア常勤の職員", "イ会計年度任用職員"]
    # the 項 of an 附則 without articles: numbered from 1 when there are two or more; one alone has no number
    assert block_text(ed.get("suppl").body) == "この規程は、令和6年10月1日から施行する。"
    assert block_text(ed.get("suppl-2").body).split("\n") == [
        "１　この規程は、令和7年4月1日から施行する。", "２　改正前の規程により行った承認は、改正後の規程により行ったものとみなす。"]


def test_outline_is_the_default_and_numbers_as_the_guideline(tmp_path):
    ed, report = _edition(tmp_path, "outline")
    assert not report.errors
    assert ed.meta.numbering == "outline"
    assert [c.number for c in ed.clauses()][:4] == ["", "第1章", "(1)", "(2)"]
    assert ed.get("purpose").heading == "目的"
    assert block_text(ed.get("definitions").body).split("\n")[1] == "(ア)情報資産　市が業務で扱う情報をいう。"
    assert block_text(ed.get("ciso").body).split("\n")[1] == "最高情報セキュリティ責任者は、対策の全体を統括する。"


def test_bogus_numbering_is_a_path_line_error(tmp_path):
    ed, report = _edition(tmp_path, "bogus")
    errors = [str(d) for d in report.errors]
    assert len(errors) == 1, errors
    path = str(tmp_path / "kitei" / "edition.yaml")
    assert errors[0].startswith(f"{path}:6: error: numbering must be outline or articles, not 'bogus'")
