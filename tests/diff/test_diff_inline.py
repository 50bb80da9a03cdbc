"""Morpheme-level inline diff of Japanese text."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from guideline.diff.inline import diff_texts, new_text, old_text, tokenize, wdiff


def test_replaced_word_reads_as_one_word():
    # a character diff would give 仕様書に{+明+}記[-載-]
    assert wdiff(diff_texts("調達仕様書に記載する。", "調達仕様書に明記する。")) == "調達仕様書に[-記載-]{+明記+}する。"


def test_changed_numeral_is_one_token():
    assert diff_texts("令和五年三月", "令和六年三月") == (("equal", "令和"), ("delete", "五"), ("insert", "六"),
                                                      ("equal", "年三月"))


def test_changes_split_only_by_a_particle_merge():
    assert wdiff(diff_texts("情報の管理を行う。", "データの保護を行う。")) == "[-情報の管理-]{+データの保護+}を行う。"
    # a content word in between keeps them apart
    assert wdiff(diff_texts("情報の管理と文書の管理", "資料の管理と記録の管理")) == \
        "[-情報-]{+資料+}の管理と[-文書-]{+記録+}の管理"


def test_deletion_comes_before_insertion():
    runs = diff_texts("講ずるものとする。", "講じなければならない。")
    assert [op for op, _ in runs] == ["delete", "insert", "equal"]
    assert runs[0] == ("delete", "講ずるものとする")


def test_frequent_particles_are_not_junk_in_long_texts():
    # with autojunk the particle の (in >1% of 200+ tokens) becomes junk and the diff degrades to a rewrite
    old = "。".join(f"第{i}の項目の内容の確認" for i in range(60)) + "。"
    new = old.replace("第30の項目", "第30の事項")
    runs = diff_texts(old, new)
    assert [(op, t) for op, t in runs if op != "equal"] == [("delete", "項目"), ("insert", "事項")]


def test_tokens_keep_whitespace_tabs_and_newlines():
    tokens, _ = tokenize("区分\t例\n  行 ")
    assert "".join(tokens) == "区分\t例\n  行 "
    assert "\t" in tokens and "\n" in tokens


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="のはをに、。情報資産管理記載明記する しなければならない令和五六年\t\nabc", max_size=60),
       st.text(alphabet="のはをに、。情報資産管理記載明記する しなければならない令和五六年\t\nabc", max_size=60))
def test_runs_rebuild_both_texts(a, b):
    runs = diff_texts(a, b)
    assert old_text(runs) == a and new_text(runs) == b
    assert all(text for _, text in runs)
    assert all(x[0] != y[0] for x, y in zip(runs, runs[1:]))  # neighbouring runs differ in op
