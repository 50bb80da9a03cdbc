"""``guideline import`` of plain text (issue 18): encodings, both numbering families, 目次, 附則, 解説, PDF
artefacts, and the command's contract (report, exit codes, --force, nothing half-written)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from import_support import FIXTURES, load_checked, run, tree

from guideline.importers.document import import_document
from guideline.model import block_text

OUTLINE = """情報セキュリティ基本方針

１　目的
この基本方針は、本市の情報資産を守るため、対策の基本を定める。

２　定義
この方針において、次の用語の意義は、次のとおりとする。
(1) ネットワーク
機器をつなぐ通信網をいう。
(2) 情報システム
情報を処理する仕組みをいう。
ア　ハードウェア
イ　ソフトウェア

３　適用範囲 この基本方針は、全ての職員に適用する。
【解説】
本項は、基本方針の適用の範囲を示す。
"""


def _import(tmp_path: Path, capsys, name: str, data: bytes, *extra: str) -> tuple[dict, object]:
    src = tmp_path / name
    src.write_bytes(data)
    out = tmp_path / "out"
    code, stdout, stderr = run(capsys, "import", str(src), "-o", str(out), *extra)
    assert code == 0, stderr
    report = json.loads((out / "import-report.json").read_text(encoding="utf-8"))
    return report, load_checked(out, tmp_path)


def test_outline_text(tmp_path, capsys):
    report, ed = _import(tmp_path, capsys, "kihon.txt", OUTLINE.encode("utf-8"))
    assert report["family"] == "outline" and report["encoding"] == "utf-8"
    assert tree(ed) == [
        (0, 1, "情報セキュリティ基本方針", "第1編"),
        (1, 3, "目的", "1."),
        (1, 3, "定義", "2."),
        (2, 5, "ネットワーク", "(1)"),
        (2, 5, "情報システム", "(2)"),
        (1, 3, "適用範囲", "3."),
    ]
    system = ed.get("joho-shisutemu")
    assert block_text(system.body) == "情報を処理する仕組みをいう。\n(ア)ハードウェア\n(イ)ソフトウェア"
    scope = ed.get("tekiyo-hani")  # heading running into the first sentence, split at the space
    assert block_text(scope.body) == "この基本方針は、全ての職員に適用する。"
    assert block_text(scope.commentary) == "本項は、基本方針の適用の範囲を示す。"
    statuses = {p["status"] for p in report["paragraphs"]}
    assert statuses == {"placed", "title"}
    assert len(report["paragraphs"]) == len([ln for ln in OUTLINE.splitlines() if ln.strip()])


def test_ids_are_stable_and_readable(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text(OUTLINE, encoding="utf-8")
    first = import_document(src)
    second = import_document(src)
    ids = [c.id for c in first.edition.clauses()]
    assert ids == [c.id for c in second.edition.clauses()]
    assert ids == ["joho-sekyuriti-kihon-hoshin", "mokuteki", "teigi", "nettowaku", "joho-shisutemu", "tekiyo-hani"]
    assert first.files == second.files


def test_colliding_headings_get_distinct_ids(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("方針\n1 目的\n本文。\n2 目的\n本文。\n3 目的\n本文。\n", encoding="utf-8")
    ids = [c.id for c in import_document(src).edition.clauses()]
    assert ids[1:] == ["mokuteki", "mokuteki-2", "mokuteki-3"]


@pytest.mark.parametrize("encoding", ["cp932", "utf-16", "utf-16-le", "utf-8-sig"])
def test_encodings_with_fullwidth_comma(tmp_path, capsys, encoding):
    text = OUTLINE.replace("、", "，")
    report, ed = _import(tmp_path, capsys, "kihon.txt", text.encode(encoding))
    assert report["encoding"] in (encoding, "utf-16")
    body = block_text(ed.get("mokuteki").body)
    assert body == "この基本方針は，本市の情報資産を守るため，対策の基本を定める。"


def test_legal_family(tmp_path, capsys):
    report, ed = _import(tmp_path, capsys, "kunrei.txt", (FIXTURES / "kunrei.txt").read_bytes(), "--id", "city")
    assert report["family"] == "legal"
    assert ed.meta.title == "○○市情報セキュリティ対策規程"
    assert ed.meta.label == "令和6年9月11日 訓令第44号" and ed.meta.date.isoformat() == "2024-09-11"
    assert [(c.id, c.level, c.heading) for c in ed.clauses() if c.level <= 3] == [
        ("main", 1, "○○市情報セキュリティ対策規程"),
        ("ch-1", 2, "総則"),
        ("ch-2", 2, "組織体制"),
        ("ch-2-sec-1", 3, "推進体制"),
        ("ch-2-sec-2", 3, "連絡体制"),
        ("ch-3", 2, "情報資産の管理"),
        ("ch-3-2", 2, "外部サービスの利用"),  # 第3章の2: a sibling chapter
        ("suppl", 1, "附則"),
        ("suppl-2", 1, "附則（令和7年3月31日訓令第12号）"),
    ]
    ch3 = ed.get("ch-3")
    assert [(c.id, c.heading) for c in ch3.children] == [("art-8", "（分類）"), ("art-9", "（管理）"), ("art-9-2", "（持出し）")]
    assert ed.get("suppl").unnumbered and ed.get("suppl-2").unnumbered
    art3 = ed.get("art-3")  # caption above the article; a 項 as the second paragraph, numbered by position
    assert art3.heading == "（最高責任者）" and art3.number == "第3条"
    assert block_text(art3.body) == "副市長をもって最高情報セキュリティ責任者とする。\n２　最高情報セキュリティ責任者は、対策の全体を統括する。"
    assert block_text(ed.get("art-8").body).split("\n")[1:] == ["(1)機密性3の情報資産", "(2)機密性2の情報資産"]
    # the 項 of the second 附則 (1, 2 in the source) are numbered from 1 as it has two
    assert block_text(ed.get("suppl-2").body).split("\n") == [
        "１　この訓令は、令和7年4月1日から施行する。", "２　改正前の規程により行った承認は、改正後の規程により行ったものとみなす。"]
    # every article after the skipped 第7条 and the branch numbers is numbered by position, and the report says so
    assert [(c.id, c.number) for c in ed.clauses() if c.level == 5][6:] == [
        ("art-8", "第7条"), ("art-9", "第8条"), ("art-9-2", "第9条"), ("art-9-3", "第10条")]
    differences = [(f["clause"], f["source"], f["computed"]) for f in report["findings"]
                   if f["kind"] == "numbering" and f.get("computed") and f.get("clause")]
    assert differences == [("art-8", "第8条", "第7条"), ("art-9", "第9条", "第8条"), ("art-9-2", "第9条の2", "第9条"),
                           ("ch-3-2", "第3章の2", "第4章"), ("art-9-3", "第9条の3", "第10条")]
    messages = [f["message"] for f in report["findings"]]
    assert "目次 gives 第2章第2節 連絡体制 第6条―第7条; the body has 第6条 (1 article)" in messages
    assert any(m.startswith("branch number 第9条の2: a sibling after 第9条") for m in messages)
    assert any(m.startswith("branch number 第3章の2: a sibling after 第3章") for m in messages)
    assert any(m.startswith("第8条 skips a number after 第6条") for m in messages)
    assert not any("第3章 情報資産の管理" in m for m in messages)  # its range 第8条―第9条の2 matches the body
    toc = [p for p in report["paragraphs"] if p["status"] == "toc"]
    assert len(toc) == 8
    numbers = {n["clause"]: n["source"] for n in report["numbers"]}
    assert numbers["art-9-2"] == "第9条の2" and numbers["ch-3-2"] == "第3章の2"


def test_pdf_extracted_text(tmp_path, capsys):
    report, ed = _import(tmp_path, capsys, "pdf.txt", (FIXTURES / "pdf-extract.txt").read_bytes())
    furniture = [(p["text"], p["reason"]) for p in report["paragraphs"] if p["status"] == "furniture"]
    assert furniture == [("情報セキュリティ対策基準", "running header"), ("- 1 -", "page number")] * 1 + [
        ("情報セキュリティ対策基準", "running header"), ("- 2 -", "page number"),
        ("情報セキュリティ対策基準", "running header"), ("- 3 -", "page number")]
    assert [(c.level, c.heading) for c in ed.clauses()][1:4] == [
        (3, "組織体制"), (5, "最高情報セキュリティ責任者"), (5, "統括情報セキュリティ責任者")]
    ciso = ed.get("saiko-joho-sekyuriti-sekinin")
    # the wrapped line is joined back into one sentence
    assert block_text(ciso.body) == ("副市長を最高情報セキュリティ責任者とし、本市の全ての情報資産の管理及び情報セキュリ"
                                     "ティ対策に関する最終的な権限と責任を持たせる。")
    assert not any(p["status"] == "unplaced" for p in report["paragraphs"])


def test_skipped_number_is_reported(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("方針\n1 目的\n本文。\n3 範囲\n本文。\n", encoding="utf-8")
    result = import_document(src)
    assert any(f["message"] == "3 skips a number after 1; the computed number differs" for f in result.report["findings"])
    assert any(f.get("computed") == "2." and f.get("source") == "3" for f in result.report["findings"])


# --- the command's contract -----------------------------------------------------------------------------------------


def test_unreadable_input_exit_1_and_nothing_written(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x82\xa0\xff\xfe\x80\x81\xfc\xfc" * 3)
    out = tmp_path / "out"
    code, _, err = run(capsys, "import", str(bad), "-o", str(out))
    assert code == 1 and "bad.txt" in err and "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".out.*"))


def test_missing_input_exit_1(tmp_path, capsys):
    code, _, err = run(capsys, "import", str(tmp_path / "none.txt"), "-o", str(tmp_path / "out"))
    assert code == 1 and "none.txt" in err


def test_usage_errors_exit_2(tmp_path, capsys):
    src = tmp_path / "a.txt"
    src.write_text(OUTLINE, encoding="utf-8")
    assert run(capsys, "import", str(src))[0] == 2
    assert run(capsys, "import", str(src), "-o", str(tmp_path / "o"), "--from", "pdf")[0] == 2
    assert run(capsys, "import", str(src), "-o", str(tmp_path / "o"), "--id", "Bad Id")[0] == 2


def test_existing_directory_needs_force(tmp_path, capsys):
    src = tmp_path / "a.txt"
    src.write_text(OUTLINE, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.md").write_text("mine", encoding="utf-8")
    code, _, err = run(capsys, "import", str(src), "-o", str(out))
    assert code == 2 and "--force" in err
    assert (out / "keep.md").read_text(encoding="utf-8") == "mine"
    code, stdout, _ = run(capsys, "import", str(src), "-o", str(out), "--force")
    assert code == 0 and not (out / "keep.md").exists() and (out / "edition.yaml").is_file()
    assert "6 clauses" in stdout


def test_help_has_an_example(capsys):
    code, out, _ = run(capsys, "import", "--help")
    assert code == 0 and "guideline import" in out and "import-report.json" in out


def test_separate_kaisetsu_part_is_attached_by_number(tmp_path, capsys):
    report, ed = _import(tmp_path, capsys, "c.txt", (FIXTURES / "kaisetsu-part.txt").read_bytes())
    assert [c.id for c in ed.clauses()] == ["reibun", "kihon-hoshin", "mokuteki", "tekiyo-hani", "shokuin-hani"]
    assert ed.meta.reibun_part == "reibun"
    assert block_text(ed.get("mokuteki").commentary) == "目的を明らかにすることで、方針の位置付けが定まる。"
    assert block_text(ed.get("shokuin-hani").commentary) == "任用の形態を問わない趣旨である。"
    assert ed.get("tekiyo-hani").commentary == ()
    unplaced = [(p["where"], p["reason"]) for p in report["paragraphs"] if p["status"] == "unplaced"]
    assert unplaced == [("line 17", "heading of the 解説 part with no matching clause"),
                        ("line 18", "解説 under (2): the 例文 has no clause with this number")]


def test_reversed_outline_variant_nests_as_written(tmp_path):
    """One city puts (1) above 1.; 1目的 has no space; the nesting follows the document."""
    src = tmp_path / "v.txt"
    src.write_text("対策基準\n(1) 組織体制\n1. 責任者\n副市長を責任者とする。\n2. 委員会\n委員会を置く。\n(2) 情報資産\n1目的\n"
                   "情報資産を分類する。\n", encoding="utf-8")
    ed = import_document(src).edition
    assert [(c.level, c.heading, c.number) for c in ed.clauses()][1:] == [
        (5, "組織体制", "(1)"), (6, "責任者", "①"), (6, "委員会", "②"), (5, "情報資産", "(2)"), (6, "目的", "①")]


def test_failure_while_writing_leaves_the_old_directory(tmp_path, monkeypatch):
    from guideline import jsontext
    from guideline.importers.document import write_result

    src = tmp_path / "a.txt"
    src.write_text(OUTLINE, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.md").write_text("mine", encoding="utf-8")
    result = import_document(src)

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(jsontext, "dumps", boom)
    with pytest.raises(OSError):
        write_result(result, out, force=True)
    assert [p.name for p in out.iterdir()] == ["keep.md"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # the half-built copy is gone


def test_markdown_in_the_source_stays_text(tmp_path, capsys):
    lines = ["[a](javascript:alert(1)) と書く。", "::: 解説", "# 見出しではない", "<script>x</script>", "- 箇条ではない、"]
    report, ed = _import(tmp_path, capsys, "md.txt", ("方針\n1 目的\n" + "\n".join(lines) + "\n").encode("utf-8"))
    assert block_text(ed.get("mokuteki").body).split("\n") == lines
    assert ed.get("mokuteki").commentary == ()


def test_spread_short_headings_are_closed_up(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("規程\n第 1 章 総　則\n第1条 この規程は、基本を定める。\n第2条 職員は、これを守る。\n第2章 情報 資産の管理\n"
                   "第3条 管理者を置く。\n", encoding="utf-8")
    ed = import_document(src).edition
    assert [c.heading for c in ed.clauses() if c.level == 2] == ["総則", "情報 資産の管理"]
