"""The search index's fast paths (normalisation by translation table, bigrams by runs, postings patched from the last
build) give exactly what the plain definitions give."""
from __future__ import annotations

import dataclasses
import random
import unicodedata

from guideline.writers.edition import search_index as si

SAMPLES = [
    "ﾊﾟｽﾜｰﾄﾞ", "パスワード", "ハ\u309aスワード", "ﾃﾞｰﾀﾍﾞｰｽ", "ＡＢＣ１２３（注）", "Ⅻ章①", "ﬁle", "㍻", "ｶﾞ", "ﾞ",
    "\u1100\u1161\u11a8", "\u1100 \u1161", "e\u0301cole", "Ａ\u0301", "İstanbul", "ß", "ΣΑΣ", "\u3000全角空白\u3000",
    "タブ\tと\n改行", "ノー\u00a0ブレーク", "〔本市〕の{{最高情報セキュリティ責任者}}は、", "", "a", "ℌ𝔢𝔩𝔩𝔬",
    "\u0915\u093f", "\u0b47\u0b3e", "한국어 텍스트", "가\u11a8",
]


def _bigrams_reference(text: str) -> set[str]:
    out = set()
    for a, b in zip(text, text[1:]):
        if not (a.isspace() or b.isspace()):
            out.add(a + b)
    return out


def test_normalize_equals_the_cluster_definition():
    rng = random.Random(3)
    pool = "".join(SAMPLES)
    texts = list(SAMPLES) + ["".join(rng.choice(pool) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    for text in texts:
        expected = "".join(unicodedata.normalize("NFKC", c) for c in si.clusters(text)).lower()
        assert si.normalize(text) == expected, repr(text)
        assert si.normalize_clusters(text) == expected
    assert si.normalize("ﾊﾟｽﾜｰﾄﾞ") == "パスワード"
    assert si.normalize("ＡＢＣ（注）") == "abc(注)"


def test_bigrams_equal_the_pairwise_definition():
    rng = random.Random(4)
    pool = "".join(SAMPLES) + " \u3000\n\t\u00a0\u2028\x1c"
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 30)))
        assert si.bigrams(text) == _bigrams_reference(text), repr(text)
    assert si.bigrams("機密性 確保") == {"機密", "密性", "確保"}


def test_postings_encoding_round_trip():
    for numbers in ([], [0], [0, 1, 2], [5, 40, 1295, 1296, 100000], list(range(0, 50000, 7))):
        encoded = si.encode_postings(numbers)
        assert si.decode_postings(encoded) == numbers
        assert encoded == ",".join(_base36(b - a) for a, b in zip([0, *numbers[:-1]], numbers))


def _base36(n: int) -> str:
    digits = ""
    while True:
        n, r = divmod(n, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[r] + digits
        if not n:
            return digits


def _docs(rng: random.Random, n: int) -> list[si.SearchDoc]:
    words = ["機密性", "完全性", "可用性", "パスワード", "ﾊﾟｽﾜｰﾄﾞ", "情報資産", "管理者", "ＵＳＢ", "外部記録媒体", "訓練"]
    return [si.SearchDoc(f"p.html#c{i}", f"第{i}項", rng.choice(words), "、".join(rng.sample(words, 3)))
            for i in range(n)]


def test_incremental_build_equals_building_from_scratch():
    rng = random.Random(5)
    docs = _docs(rng, 300)
    si.forget()
    assert si.build(docs) == si.build_plain(docs)
    for step in range(40):
        docs = list(docs)
        kind = step % 5
        if kind == 4:  # a clause added: another number of documents
            docs.insert(rng.randrange(len(docs)), _docs(rng, 1)[0])
        else:
            for _ in range(1 if kind < 2 else 100 if kind == 3 else 5):
                i = rng.randrange(len(docs))
                text = "" if rng.random() < 0.2 else docs[i].text + rng.choice(["新語", "追記", "ゼロトラスト", "、訓練"])
                docs[i] = dataclasses.replace(docs[i], text=text)
        assert si.build(docs) == si.build_plain(docs), step
    other = _docs(random.Random(6), len(docs))  # another edition of the same size
    assert si.build(other) == si.build_plain(other)
    assert si.build([]) == si.build_plain([]) == {"v": si.FORMAT_VERSION, "docs": [], "grams": {}}
