"""The response workbook: export with drop-downs and a hidden hash, import back by id, conflicts, formula cells."""
from __future__ import annotations

import zipfile

import pytest
from fixtures.comments.support import RECEIVED_CSV, run, setup_tree, tree_state
from openpyxl import load_workbook

from guideline.comments.responses import COLUMNS
from guideline.comments.store import load_round

HEADERS = [h for h, _, _, _ in COLUMNS]


@pytest.fixture
def tree(tmp_path, monkeypatch):
    src, comments = setup_tree(tmp_path, monkeypatch)
    r = run("comments", "import", RECEIVED_CSV, "--round", "t-public")
    assert "7 new" in r.out
    return src, comments


def _export(tmp_path, name="resp.xlsx"):
    path = tmp_path / name
    r = run("comments", "export", "--round", "t-public", "-o", path)
    assert r.code == 0, r.text
    return path


def _col(ws, header):
    return [c.value for c in ws[1]].index(header) + 1


def _row(ws, cid):
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value == cid:
            return r
    raise AssertionError(cid)


def test_export_has_dropdowns_hidden_hash_and_safe_cells(tree, tmp_path):
    src, comments = tree
    path = _export(tmp_path)
    wb = load_workbook(path)
    ws = wb["回答"]
    assert [c.value for c in ws[1]] == HEADERS
    assert ws.max_row == 8  # header + 7 comments
    lists = {str(dv.sqref)[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    disp, stat = ws.cell(1, _col(ws, "修正の有無")).column_letter, ws.cell(1, _col(ws, "状況")).column_letter
    assert lists[disp] == '"修正あり,修正なし,参考,対象外"'
    assert lists[stat] == '"received,triaged,drafted,approved,published"'
    digest_letter = ws.cell(1, _col(ws, "照合値")).column_letter
    assert ws.column_dimensions[digest_letter].hidden
    data = load_round("t-public", comments)
    assert ws.cell(_row(ws, "004"), _col(ws, "照合値")).value == data.comments["004"].digest()
    # formula-looking cells are text with a leading apostrophe, never formulas
    text_col = _col(ws, "意見")
    for cid in ("004", "009"):
        cell = ws.cell(_row(ws, cid), text_col)
        assert cell.data_type == "s" and cell.value.startswith("'") and cell.value[1] in "=@"
    # the private fields are not in the workbook at all
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    for secret in ("山田　太郎", "taro.yamada@example.jp", "一般社団法人テスト協会", "03-1234-5678", "佐藤花子"):
        assert secret not in xml
    # same records → byte-identical workbook
    again = _export(tmp_path, "again.xlsx")
    assert again.read_bytes() == path.read_bytes()


def test_import_back_updates_only_editable_fields(tree, tmp_path):
    src, comments = tree
    path = _export(tmp_path)
    wb = load_workbook(path)
    ws = wb["回答"]
    r1, r2 = _row(ws, "001"), _row(ws, "002")
    ws.cell(r1, _col(ws, "意見の概要")).value = "CISOを副市長に限らないでほしい。"
    ws.cell(r1, _col(ws, "意見に対する考え方")).value = "御指摘を踏まえ、例示を追加します。"
    ws.cell(r1, _col(ws, "修正の有無")).value = "修正あり"
    ws.cell(r1, _col(ws, "状況")).value = "drafted"
    ws.cell(r1, _col(ws, "修正した条項")).value = "org-ciso, org-committee"
    ws.cell(r1, _col(ws, "意見")).value = "勝手に書き換えた意見"  # must be ignored
    ws.cell(r2, _col(ws, "意見の概要")).value = "'=1+1 で始まる概要"  # our own neutralising apostrophe comes off
    ws.cell(r2, _col(ws, "同一回答")).value = "1"
    wb.save(path)
    before = load_round("t-public", comments).comments
    r = run("comments", "import", path, "--round", "t-public", "--responses")
    assert r.code == 0, r.text
    assert "row 2: 001: 意見の概要, 意見に対する考え方, 修正の有無, 状況, 修正した条項" in r.out
    assert "row 3: 002: 意見の概要, 同一回答" in r.out
    assert "2 comment(s) updated, 5 unchanged, 0 conflict(s), 0 row(s) rejected" in r.out
    assert "resp.xlsx:2: warning: row 2: comment 001: the 意見 cell was edited" in r.err
    after = load_round("t-public", comments).comments
    c1 = after["001"]
    assert c1.text == before["001"].text  # the original is never touched
    assert (c1.summary, c1.disposition, c1.status, c1.changed_clauses) == (
        "CISOを副市長に限らないでほしい。", "修正あり", "drafted", ("org-ciso", "org-committee"))
    assert after["002"].summary == "=1+1 で始まる概要" and after["002"].response_of == "001"
    for cid in ("003", "004", "005", "007", "009"):
        assert after[cid] == before[cid]
    # the same workbook again: nothing to do, nothing written
    state = tree_state(comments)
    r = run("comments", "import", path, "--round", "t-public", "--responses")
    assert "0 comment(s) updated, 7 unchanged" in r.out and r.code == 0
    assert tree_state(comments) == state


def test_conflict_when_the_record_changed_since_export(tree, tmp_path):
    src, comments = tree
    first = _export(tmp_path, "alice.xlsx")
    second = _export(tmp_path, "bob.xlsx")
    for path, text in ((first, "アリスの回答"), (second, "ボブの回答")):
        wb = load_workbook(path)
        ws = wb["回答"]
        ws.cell(_row(ws, "003"), _col(ws, "意見に対する考え方")).value = text
        if text == "ボブの回答":
            ws.cell(_row(ws, "005"), _col(ws, "意見に対する考え方")).value = "ボブが答えた別の意見"
        wb.save(path)
    r = run("comments", "import", first, "--round", "t-public", "--responses")
    assert r.code == 0
    r = run("comments", "import", second, "--round", "t-public", "--responses")
    assert r.code == 1
    assert ("bob.xlsx:4: error: row 4: conflict: comment 003 was changed in the records since this workbook was "
            "exported") in r.err
    assert "row 6: 005: 意見に対する考え方" in r.out  # the other rows are applied
    data = load_round("t-public", comments)
    assert data.comments["003"].response == "アリスの回答"
    assert data.comments["005"].response == "ボブが答えた別の意見"


def test_bad_values_are_rejected_by_row(tree, tmp_path):
    src, comments = tree
    path = _export(tmp_path)
    wb = load_workbook(path)
    ws = wb["回答"]
    ws.cell(_row(ws, "001"), _col(ws, "修正の有無")).value = "たぶん"
    ws.cell(_row(ws, "002"), _col(ws, "同一回答")).value = "999"
    ws.cell(_row(ws, "003"), _col(ws, "修正した条項")).value = "第2編 1.(1)"
    ws.cell(_row(ws, "005"), _col(ws, "意見の概要")).value = "連絡先は 045-123-4567 です"
    ws.append(["777", None, None, None, None, "x"])
    wb.save(path)
    r = run("comments", "import", path, "--round", "t-public", "--responses")
    assert r.code == 1
    assert "resp.xlsx:2: error: row 2: comment 001: 修正の有無 'たぶん' must be one of" in r.err
    assert "row 3: comment 002: 同一回答 '999' is not another comment of this round" in r.err
    assert "row 4: comment 003: 修正した条項: 第2編, 1.(1) are not clause IDs" in r.err
    assert "row 9: comment '777' is not in round t-public" in r.err
    # personal data in a summary is accepted but warned about (the report will refuse it)
    assert "row 6: comment 005: 意見の概要 contains personal data (045-123-4567)" in r.err
    assert load_round("t-public", comments).comments["001"].disposition == ""


def test_not_our_workbook(tree, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["番号", "意見"])
    path = tmp_path / "other.xlsx"
    wb.save(path)
    r = run("comments", "import", path, "--round", "t-public", "--responses")
    assert r.code == 1 and "not a workbook made by guideline comments export" in r.err


def test_anchoring_by_hand_in_the_workbook(tree, tmp_path):
    src, comments = tree
    path = _export(tmp_path)
    wb = load_workbook(path)
    ws = wb["回答"]
    col = _col(ws, "条項ID")
    assert ws.cell(_row(ws, "003"), col).value == "全般"
    assert ws.cell(_row(ws, "004"), col).value is None  # p.12 did not resolve
    ws.cell(_row(ws, "004"), col).value = "org-committee"
    ws.cell(_row(ws, "007"), col).value = "全般"
    wb.save(path)
    r = run("comments", "import", path, "--round", "t-public", "--responses")
    assert r.code == 0, r.text
    assert "row 5: 004: 条項ID, 該当箇所の対応付け" in r.out
    data = load_round("t-public", comments)
    assert (data.comments["004"].anchor, data.comments["004"].clauses) == ("manual", ("org-committee",))
    assert data.comments["004"].anchor_note == ""
    assert (data.comments["007"].anchor, data.comments["007"].clauses) == ("general", ())
