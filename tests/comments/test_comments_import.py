"""comments import: CSV encodings, quoted line breaks, malformed rows, idempotence, header mapping, XLSX, anchoring."""
from __future__ import annotations

import codecs
import datetime
import zipfile

import pytest
from fixtures.comments.support import RECEIVED_CSV, read_received, run, setup_tree, tree_state, write_csv

from guideline.comments.store import load_round


@pytest.fixture
def tree(tmp_path, monkeypatch):
    return setup_tree(tmp_path, monkeypatch)


def test_cp932_crlf_multiline_and_malformed_rows(tree):
    src, comments = tree
    r = run("comments", "import", RECEIVED_CSV, "--round", "t-public")
    assert r.code == 1, r.text  # two malformed rows: reported, everything else imported
    assert "read as cp932" in r.err
    # row numbers are the spreadsheet rows; the line is where the row starts (rows 2 and 6 hold line breaks)
    assert "received-cp932.csv:10: error: row 7: 意見 is empty; row skipped" in r.err
    assert "received-cp932.csv:12: error: row 9: 受付日 '2024/13/45' is not a date" in r.err
    assert "7 new, 0 unchanged, 0 conflicting, 2 malformed row(s) skipped" in r.out
    data = load_round("t-public", comments)
    assert sorted(data.comments) == ["001", "002", "003", "004", "005", "007", "009"]
    c1 = data.comments["001"]
    assert c1.text == "CISOを副市長に限る必要はないと考えます。\n「{{○○副市長}}」以外の例も示してください。"
    assert (c1.received, c1.category, c1.name, c1.contact) == (
        datetime.date(2024, 9, 12), "個人", "山田　太郎", "taro.yamada@example.jp")
    assert (c1.anchor, c1.clauses) == ("resolved", ("org-ciso",))  # 第２編第１章　１．（１） in full width
    assert data.comments["002"].category == "法人・団体"  # 法人
    assert data.comments["003"].received == datetime.date(2024, 9, 14)  # 令和6年9月14日
    assert data.comments["003"].anchor == "general"
    assert data.comments["005"].text == "委員会の構成員を例示してほしい。\n\n（例：各部局長）"
    assert data.comments["007"].clauses == ("tech-dynamic",)  # by heading
    assert data.comments["009"].clauses == ("tech-dynamic-owner", "tech-dynamic-policy")  # ①～②
    # p.12 does not resolve: imported and flagged, never dropped
    c4 = data.comments["004"]
    assert c4.anchor == "unresolved" and c4.clauses == () and "page numbers" in c4.anchor_note
    assert "need manual anchoring" in r.out and "004" in r.out
    assert (comments / "t-public" / "004.yaml").is_file()
    assert c4.text.startswith('=HYPERLINK("http://evil.example/","click")')  # kept verbatim


def test_reimport_changes_nothing(tree):
    src, comments = tree
    run("comments", "import", RECEIVED_CSV, "--round", "t-public")
    before = tree_state(comments)
    r = run("comments", "import", RECEIVED_CSV, "--round", "t-public")
    assert "0 new, 7 unchanged, 0 conflicting, 2 malformed" in r.out
    assert tree_state(comments) == before  # not even an mtime moved


@pytest.mark.parametrize("encoding,newline", [("utf-8", "\n"), ("utf-8-sig", "\r\n"), ("utf-16", "\r\n"),
                                              ("cp932", "\n")])
def test_encodings_give_the_same_records(tree, tmp_path, encoding, newline):
    src, comments = tree
    path = write_csv(tmp_path / f"in-{encoding}.csv", read_received(), encoding, newline)
    if encoding == "utf-8-sig":
        assert path.read_bytes().startswith(codecs.BOM_UTF8)
    r = run("comments", "import", path, "--round", "t-public")
    assert "7 new" in r.out, r.text
    data = load_round("t-public", comments)
    assert data.comments["001"].text.endswith("以外の例も示してください。")
    assert data.comments["001"].name == "山田　太郎"
    # the same content from the committed CP932 file is "unchanged": the encoding does not leak into records
    r2 = run("comments", "import", RECEIVED_CSV, "--round", "t-public")
    assert "0 new, 7 unchanged" in r2.out, r2.text


def test_undecodable_file_is_refused_with_line(tree, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes("番号,意見\n1,ok\n".encode("utf-8") + b"2,\x82\xff\xfe\n")
    r = run("comments", "import", path, "--round", "t-public")
    assert r.code == 1
    assert "neither UTF-8 nor CP932" in r.err and "line 3" in r.err


def test_changed_row_is_a_conflict_not_an_overwrite(tree, tmp_path):
    src, comments = tree
    run("comments", "import", RECEIVED_CSV, "--round", "t-public")
    rows = read_received()
    rows[2][6] = "書き換えられた意見"  # row 3 = 番号 2
    path = write_csv(tmp_path / "changed.csv", rows)
    r = run("comments", "import", path, "--round", "t-public")
    assert r.code == 1
    assert "changed.csv:4: error: comment 002 already exists in round t-public with a different 意見" in r.err
    assert load_round("t-public", comments).comments["002"].text.endswith("責任者の役割を明確にしてほしい。")


def test_mapping_file_for_other_headers(tree, tmp_path):
    src, comments = tree
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  番号: 受付No\n  意見: ご意見の内容\n  連絡先: [メール, 電話]\n"
                       "categories:\n  事業者: 法人・団体\n", encoding="utf-8")
    rows = [["受付No", "区分", "メール", "電話", "該当箇所", "ご意見の内容"],
            ["21", "事業者", "a@example.jp", "03-0000-1111", "第2編第1章 1.(2)", "意見A"],
            ["22", "個人", "", "", "1.(1)", "意見B"]]
    path = write_csv(tmp_path / "other.csv", rows, "utf-8")
    r = run("comments", "import", path, "--round", "t-public", "--mapping", mapping)
    assert r.code == 0, r.text
    data = load_round("t-public", comments)
    assert data.comments["021"].category == "法人・団体"
    assert data.comments["021"].contact == "a@example.jp\n03-0000-1111"
    assert data.comments["021"].clauses == ("org-committee",)
    # without the mapping the file has no 番号 column: the command says which headers it found
    r = run("comments", "import", path, "--round", "t-public")
    assert r.code == 1 and "no column 番号" in r.err and "受付No" in r.err


def test_bad_mapping_file_reports_line(tree, tmp_path):
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  番号: No\n  御意見: text\n", encoding="utf-8")
    r = run("comments", "import", RECEIVED_CSV, "--round", "t-public", "--mapping", mapping)
    assert r.code == 1 and "map.yaml:3: error: '御意見' is not one of our headers" in r.err


def test_xlsx_import_with_dates_and_numbers(tree, tmp_path):
    from openpyxl import Workbook

    src, comments = tree
    wb = Workbook()
    ws = wb.active
    ws.append(["No.", "受付日", "提出者区分", "氏名・団体名", "連絡先", "該当箇所", "意見内容"])
    ws.append([31, datetime.datetime(2024, 9, 13, 10, 5), "地方公共団体", "A市", "", "第3編第1章 1.(1)", "解説への意見"])
    ws.append([32, None, "個人", "", "", "", "該当箇所なし"])
    ws.append([None, None, None, None, None, None, None])
    ws.append([None, "2024-09-14", "個人", "", "", "1.(1)", "番号がない"])
    path = tmp_path / "in.xlsx"
    wb.save(path)
    r = run("comments", "import", path, "--round", "t-public")
    assert r.code == 1 and "in.xlsx:5: error: row 5: 番号 is empty" in r.err, r.text
    data = load_round("t-public", comments)
    c = data.comments["031"]
    assert c.received == datetime.date(2024, 9, 13) and c.category == "地方公共団体"
    assert c.clauses == ("org-ciso",)  # 第3編 (the generated 解説) is the same clause as in 第2編
    assert data.comments["032"].anchor == "unresolved"


def test_xlsx_with_doctype_is_refused(tree, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["番号", "意見"])
    wb.active.append([1, "x"])
    good = tmp_path / "good.xlsx"
    wb.save(good)
    bad = tmp_path / "xxe.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/sharedStrings.xml" or info.filename == "xl/worksheets/sheet1.xml":
                doctype = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                data = data.replace(b"?>", b"?>" + doctype, 1) if data.startswith(b"<?xml") else doctype + data
            zout.writestr(info, data)
    r = run("comments", "import", bad, "--round", "t-public", "--category", "個人")
    assert r.code == 1 and "DOCTYPE" in r.err
    assert "root:" not in r.text


def test_zip_bomb_is_refused_before_unpacking(tree, tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * (20 * 1024 * 1024) + b"/>")
    assert bomb.stat().st_size < 1024 * 1024
    r = run("comments", "import", bomb, "--round", "t-public")
    assert r.code == 1 and "zip bomb" in r.err


def test_dry_run_writes_nothing(tree):
    src, comments = tree
    before = tree_state(comments)
    r = run("comments", "import", RECEIVED_CSV, "--round", "t-public", "--dry-run")
    assert "would create: 001, 002, 003, 004, 005, 007, 009" in r.out
    assert tree_state(comments) == before


def test_unknown_round_names_the_known_ones(tree):
    r = run("comments", "import", RECEIVED_CSV, "--round", "nope")
    assert r.code == 1 and "no round 'nope'" in r.err and "t-public" in r.err


def test_malformed_record_reported_with_line(tree):
    src, comments = tree
    run("comments", "import", RECEIVED_CSV, "--round", "t-public")
    path = comments / "t-public" / "002.yaml"
    text = path.read_text(encoding="utf-8").replace("status: received", "status: done")
    path.write_text(text, encoding="utf-8")
    line = next(i for i, ln in enumerate(text.split("\n"), 1) if ln.startswith("status:"))
    r = run("comments", "status", "--round", "t-public")
    assert r.code == 1
    assert f"002.yaml:{line}: error: status must be one of received, triaged, drafted, approved, published" in r.err
