"""Fuzzing the comment importers (issue 9): ``guideline comments import`` on mutated CSV, XLSX and DOCX files and on
mutated response workbooks (``--responses``).

Valid files are built here, then mutated by a seeded generator (the seed and case number are in every failure
message, and the failing input is kept under the test's tmp directory): truncation, flipped/inserted/deleted bytes,
wrong encodings and BOMs, NULs, formula cells, huge cells, unbalanced quotes, ragged rows; for the zip formats also
broken or missing members, corrupt compressed data, DOCTYPEs, malformed XML, wrong cell types, out-of-range shared
strings, odd sheet shapes. For every case:

* the command ends with exit status 0 or 1 (or click's 2), never an internal error or a traceback;
* every error line names the input file (``path:line``, ``path:part`` or ``error: path: ...``);
* the round stays loadable, and holds either its old records or old plus whole new records: nothing half-written,
  no staging copy left behind.

The run is bounded (``CASES`` per importer) and reproducible (fixed seeds).
"""
from __future__ import annotations

import codecs
import csv
import io
import random
import re
import shutil
import warnings
import zipfile
from pathlib import Path

import pytest
from fixtures.comments.support import HERE, RECEIVED_CSV, read_received, run, setup_tree

from guideline.comments.store import load_round

CASES = {"csv": 150, "xlsx": 80, "docx": 60, "responses": 40}
ROUND = "t-public"
ERROR_LINE = re.compile(r"(^|: )error: ")


@pytest.fixture
def tree(tmp_path, monkeypatch):
    return setup_tree(tmp_path, monkeypatch)


def reset(comments: Path, seed_records: dict[str, bytes] | None = None) -> None:
    shutil.rmtree(comments / ROUND)
    shutil.copytree(HERE / "rounds" / ROUND, comments / ROUND)
    for name, blob in (seed_records or {}).items():
        (comments / ROUND / name).write_bytes(blob)


def records(comments: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((comments / ROUND).glob("*.yaml"))}


def check(comments: Path, path: Path, label: str, *extra: str, before: dict[str, bytes] | None = None) -> int:
    """Run one import and assert the invariants; returns the exit status."""
    before = records(comments) if before is None else before
    r = run("comments", "import", path, "--round", ROUND, *extra)
    where = f"{label}: input kept at {path}\n{r.text[-3000:]}"
    assert r.code in (0, 1, 2), where
    assert "internal error" not in r.text and "Traceback" not in r.text, where
    for line in r.err.splitlines():
        if ERROR_LINE.search(line):
            assert path.name in line, f"error line without the file's name: {line!r}\n{where}"
    if r.code == 1:
        assert any(ERROR_LINE.search(line) for line in r.err.splitlines()), where
    data = load_round(ROUND, comments)  # loadable
    after = records(comments)
    for name, blob in before.items():  # old records untouched (imports add; --responses may update whole records)
        if "--responses" not in extra:
            assert after.get(name) == blob, f"{name} changed\n{where}"
    assert len(data.comments) == len(after) - 1  # every file is a whole, readable record (round.yaml aside)
    assert sorted(p.name for p in comments.iterdir()) in ([ROUND], [f".{ROUND}.lock", ROUND]), where
    return r.code


# --------------------------------------------------------------------------------------------------------------------
# generic byte mutations

def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        pos = rng.randrange(len(data) + 1) if data else 0
        if op == 0 and data:  # truncate
            del data[pos:]
        elif op == 1 and data:  # flip bytes
            for _ in range(rng.randint(1, 8)):
                i = rng.randrange(len(data))
                data[i] ^= 1 << rng.randrange(8)
        elif op == 2:  # insert random bytes
            data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 3 and data:  # delete a chunk
            del data[pos:pos + rng.randint(1, 64)]
        elif op == 4 and data:  # duplicate a chunk
            chunk = data[pos:pos + rng.randint(1, 200)]
            data[pos:pos] = chunk
        elif op == 5:  # NUL, CR, BOMs, surrogate-ish bytes
            data[pos:pos] = rng.choice([b"\x00", b"\r", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b"\xed\xa0\x80",
                                        b"\xff\xfe\x00", b'"', b"\n\n"])
        elif op == 6 and data:  # swap two halves
            data = data[pos:] + data[:pos]
    return bytes(data)


# --------------------------------------------------------------------------------------------------------------------
# CSV

FORMULAS = ['=cmd|\' /C calc\'!A0', '=HYPERLINK("http://evil.example/","x")', "+1+1", "-2+3", "@SUM(A1)",
            "\t=1", "\r=1", "=1" * 1000]


def csv_case(rng: random.Random, rows: list[list[str]]) -> bytes:
    rows = [list(r) for r in rows]
    for _ in range(rng.choice([0, 0, 1, 2, 3])):
        kind = rng.randrange(9)
        r = rng.randrange(len(rows))
        c = rng.randrange(len(rows[r])) if rows[r] else 0
        if kind == 0 and rows[r]:
            rows[r][c] = rng.choice(FORMULAS)
        elif kind == 1 and rows[r]:
            rows[r][c] = rng.choice(["意", "a", "\n", '"']) * rng.choice([10_000, 300_000])  # huge cell
        elif kind == 2:
            rows[r] = rows[r] + ["余分"] * rng.randint(1, 5)  # ragged row
        elif kind == 3:
            rows[r] = rows[r][: rng.randrange(len(rows[r]) + 1)]
        elif kind == 4:
            rows.insert(r, [])
        elif kind == 5 and r > 0:
            rows[r][0] = rng.choice(["", "0", "-1", "999999999999999999999", "１２", "a/b", "../x", ".", "con",
                                     "round", "1e5", "NaN"])
        elif kind == 6 and r > 0 and len(rows[r]) > 1:
            rows[r][1] = rng.choice(["令和99年99月99日", "R0.0.0", "9999/99/99", "2024-02-30", "45000", "0",
                                     "-1", "1e400", "H元.1.8", "令和元年5月1日"])
        elif kind == 7:
            rows = rows[:1]  # header only
        elif kind == 8:
            rows[0] = [rng.choice(["番号", "意見", "", "番号"]) for _ in rows[0]]  # odd headers
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator=rng.choice(["\r\n", "\n", "\r"]),
               delimiter=rng.choice([",", ",", "\t"])).writerows(rows)
    text = buf.getvalue()
    mode = rng.randrange(3)  # 0: readable encodings only; 1: any encoding; 2: bytes mutated too
    encoding = rng.choice(["cp932", "utf-8", "utf-8-sig", "utf-16"] if mode == 0 else
                          ["cp932", "utf-8", "utf-16-le", "utf-16-be", "latin-1", "euc_jp", "iso2022_jp"])
    data = text.encode(encoding, errors="replace")
    return mutate_bytes(rng, data) if mode == 2 else data


def test_csv_import_fuzz(tree, tmp_path):
    _, comments = tree
    rng = random.Random(9001)
    rows = clean_rows()
    codes = []
    for i in range(CASES["csv"]):
        reset(comments)
        path = tmp_path / f"case-{i:03d}.csv"
        path.write_bytes(RECEIVED_CSV.read_bytes() if i == 0 else csv_case(rng, rows))
        codes.append(check(comments, path, f"csv case {i} (seed 9001)"))
        path.unlink()
    assert codes[0] == 1 and codes.count(0) + codes.count(1) == len(codes)
    assert codes.count(0) >= 10  # the mutations leave many files valid: the fuzz also covers the success path
    print(f"csv: {len(codes)} cases, exit 0: {codes.count(0)}, exit 1: {codes.count(1)}")


# --------------------------------------------------------------------------------------------------------------------
# zip formats: member-level mutations

def rezip(rng: random.Random, data: bytes, xml_mutations) -> bytes:
    """Rewrite the archive with one or more members broken."""
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        members = [(info, zin.read(info)) for info in zin.infolist()]
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(members))
        info, blob = members[i]
        op = rng.randrange(8)
        if op == 0:
            del members[i]  # a missing part
        elif op == 1:
            members[i] = (info, blob[: rng.randrange(len(blob) + 1)])  # truncated XML
        elif op == 2:
            members[i] = (info, mutate_bytes(rng, blob))
        elif op == 3:
            doctype = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaaaa">]>'
            members[i] = (info, blob.replace(b"?>", b"?>" + doctype, 1) if blob.startswith(b"<?xml")
                          else doctype + blob)
        elif op == 4:
            members.append((zipfile.ZipInfo(info.filename), blob))  # the same name twice
        elif op == 5:
            members[i] = (info, blob.decode("utf-8", "replace").encode(rng.choice(["utf-16", "cp932"]), "replace"))
        else:
            members[i] = (info, xml_mutations(rng, info.filename, blob))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", rng.choice([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])) as zout, \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name": intended
        for info, blob in members:
            zi = zipfile.ZipInfo(info.filename, info.date_time)
            zi.compress_type = zout.compression
            zout.writestr(zi, blob)
    data = out.getvalue()
    if rng.random() < 0.25:  # corrupt the compressed stream or the central directory
        data = mutate_bytes(rng, data)
    return data


XLSX_SUBS = [  # (pattern, replacements): one is applied to one part
    (r'<v>\d+</v>', ["<v>99999</v>", "<v>-1</v>", "<v>abc</v>", "<v></v>", "<v>1e999</v>"]),
    (r' t="s"', [' t="d"', ' t="b"', ' t="e"', ' t="n"', ' t="inlineStr"', ' t="str"', ' t="zz"']),
    (r'<dimension ref="[^"]*"/>', ['<dimension ref="A1:XFD1048576"/>', '<dimension ref="Z9:A1"/>']),
    (r' r="(\d+)"', [' r="0"', ' r="-1"', ' r="1048577"', ' r="x"', ' r="1"']),
    (r' r="([A-Z]+)(\d+)"', [' r="A0"', ' r="ZZZZ1"', ' r="1A"', ' r=""']),
    (r'<c ', ['<c><f>HYPERLINK("http://evil.example/")</f></c><c ']),
    (r'<sheetData>', ['<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>' + "長" * 40000 + '</t></is></c></row>']),
    (r'<sheet ', ['<sheet name="空" sheetId="9" r:id="rId99"/><sheet ']),
    (r'</sheetData>', ['<row r="70000"><c r="XFD70000"><v>1</v></c></row></sheetData>']),
    (r'<sheetData>.*</sheetData>', ['<sheetData/>', '<sheetData><row/></sheetData>']),
    (r'<si>', ['<si><t>\u0007\u001b</t></si><si>', '']),
]


def xlsx_xml(rng: random.Random, name: str, blob: bytes) -> bytes:
    pattern, repls = rng.choice(XLSX_SUBS)
    return re.sub(pattern, rng.choice(repls), blob.decode("utf-8", "replace"), count=rng.choice([1, 0]),
                  flags=re.S).encode("utf-8")


def make_xlsx(rng: random.Random | None, rows: list[list], path: Path) -> Path:
    """The rows as a workbook; with ``rng``, in one of several sheet shapes and with some cells replaced."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    if rng is None:
        for row in rows:
            ws.append(row)
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"  # text that starts with = (as Excel keeps '=...): not a formula
        wb.save(path)
        return path
    shape = rng.randrange(6)
    if shape == 1:
        for _ in range(rng.randint(1, 4)):
            ws.append([])  # header lower down
    if shape == 2:
        wb.remove(ws)
        ws = wb.create_sheet("意見")
        wb.create_sheet("空のシート", 0)  # the first sheet is empty
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            if cell.data_type == "f":
                cell.data_type = "s"  # the sample's =HYPERLINK text stays text
        if rng.random() < 0.2 and row:
            cell = ws.cell(row=ws.max_row, column=rng.randrange(len(row)) + 1)
            cell.value = rng.choice([*FORMULAS, 3.5, True, -1, 1e300, "意" * 40000])  # formulas stay formulas
    if shape == 3:
        ws.merge_cells("A2:C3")
    if shape == 4:
        ws.cell(row=2, column=200, value="遠いセル")
    if shape == 5:
        wb.create_sheet("後ろ").append(["番号", "意見"])
    wb.save(path)
    return path


def clean_rows() -> list[list[str]]:
    """The received sample without its two deliberately malformed rows (empty 意見, impossible date)."""
    rows = read_received()
    return [r for r in rows if r[0] not in ("6", "8")]


def xlsx_rows() -> list[list]:
    rows = clean_rows()
    out = [rows[0]]
    for r in rows[1:]:
        r = list(r)
        if r and r[0].isdigit():
            r[0] = int(r[0])
        out.append(r)
    return out


def test_xlsx_import_fuzz(tree, tmp_path):
    _, comments = tree
    rng = random.Random(9002)
    rows = xlsx_rows()
    codes = []
    for i in range(CASES["xlsx"]):
        reset(comments)
        path = tmp_path / f"case-{i:03d}.xlsx"
        if i == 0:
            make_xlsx(None, rows, path)
        else:
            make_xlsx(rng, rows, path)
        if i % 4:  # every fourth case only varies the sheet shape and the cells
            path.write_bytes(rezip(rng, path.read_bytes(), xlsx_xml) if rng.random() < 0.8
                             else mutate_bytes(rng, path.read_bytes()))
        codes.append(check(comments, path, f"xlsx case {i} (seed 9002)"))
        path.unlink()
    assert codes[0] == 0 and codes.count(0) + codes.count(1) == len(codes)
    print(f"xlsx: {len(codes)} cases, exit 0: {codes.count(0)}, exit 1: {codes.count(1)}")


# --------------------------------------------------------------------------------------------------------------------
# DOCX with Word comments

DOCX_SUBS = [
    (r'w:id="(\d+)"', ['w:id="x"', 'w:id="-3"', 'w:id=""', 'w:id="1"', 'w:id="' + '9' * 120 + '"', 'w:id="０"']),
    (r'<w:commentRangeEnd [^>]*/>', [""]),
    (r'<w:commentRangeStart [^>]*/>', [""]),
    (r'<w:bookmarkEnd [^>]*/>', [""]),
    (r'w:name="[^"]*"', ['w:name=""', 'w:name="org-ciso"', 'w:name="../x"']),
    (r'w:date="[^"]*"', ['w:date="yesterday"', 'w:date="2024-13-45T00:00:00Z"', 'w:date=""']),
    (r'<w:t>', ['<w:t>' + "長" * 50000, '<w:t>&#x7;&#x1b;', '<w:t>\u0085\u2028']),
    (r'<w:p>', ['<w:p>' + '<w:r>' * 3000 + '</w:r>' * 3000,  # deeper than libxml2 allows: refused
                '<w:p>' + '<w:sdt><w:sdtContent>' * 120 + '</w:sdtContent></w:sdt>' * 120]),
    (r'<w:pStyle w:val="[^"]*"/>', ['<w:pStyle w:val="Heading9"/>', '<w:pStyle w:val="見出し 1"/>']),
    (r'<w:comment ', ['<w:comment w:id="1" w:author="B"><w:p><w:r><w:t>重複</w:t></w:r></w:p></w:comment><w:comment ',
                      '<w:comment w:id="7"/><w:comment ']),
]


def docx_xml(rng: random.Random, name: str, blob: bytes) -> bytes:
    pattern, repls = rng.choice(DOCX_SUBS)
    return re.sub(pattern, rng.choice(repls), blob.decode("utf-8", "replace"), count=rng.choice([1, 0])).encode()


def rewrite_member(data: bytes, name: str, fn) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            blob = zin.read(info)
            zout.writestr(info.filename, fn(blob) if info.filename == name else blob)
    return out.getvalue()


def reviewed_docx(tmp_path: Path) -> bytes:
    from comments.test_comments_docx import build_reviewed_docx

    return build_reviewed_docx(tmp_path / "review.docx", {
        "org-ciso": [("○○副市長を、CISOとする。", "副市長以外も選べるようにしてください。")],
        "tech-dynamic-owner": [("責任者を置く。第1編第1章参照。", "責任者の役割を例示してください。")],
    }).read_bytes()


def test_docx_every_targeted_mutation(tree, tmp_path):
    """Each DOCX mutation, applied everywhere it matches, in document.xml and in comments.xml."""
    _, comments = tree
    good = reviewed_docx(tmp_path)
    n = 0
    messages = []
    for part in ("word/document.xml", "word/comments.xml"):
        for pattern, repls in DOCX_SUBS:
            for repl in repls:
                data = rewrite_member(good, part, lambda b: re.sub(pattern, repl, b.decode()).encode())
                if data == good:
                    continue
                reset(comments)
                path = tmp_path / f"targeted-{n:02d}.docx"
                path.write_bytes(data)
                check(comments, path, f"{part}: {pattern} -> {repl[:40]!r}", "--category", "法人・団体")
                messages.append(run("comments", "import", path, "--round", ROUND, "--dry-run", "--category",
                                    "個人").err)
                n += 1
    text = "\n".join(messages)
    assert "is not usable (letters, digits" in text  # a 120-digit w:id: reported, not a 'file name too long'
    assert "is already used by the comment at line" in text  # two comments with one id in one file
    assert "Excessive depth" in text  # nesting past libxml2's limit: refused as malformed XML, no recursion
    print(f"docx targeted: {n} cases")


def test_docx_import_fuzz(tree, tmp_path):
    _, comments = tree
    rng = random.Random(9003)
    good = reviewed_docx(tmp_path)
    codes = []
    for i in range(CASES["docx"]):
        reset(comments)
        path = tmp_path / f"case-{i:03d}.docx"
        if i == 0:
            data = good
        elif i % 5 == 0:
            data = mutate_bytes(rng, good)
        else:
            data = rezip(rng, good, docx_xml)
        path.write_bytes(data)
        codes.append(check(comments, path, f"docx case {i} (seed 9003)", "--category", "法人・団体"))
        path.unlink()
    assert codes[0] == 0 and codes.count(0) + codes.count(1) == len(codes)
    print(f"docx: {len(codes)} cases, exit 0: {codes.count(0)}, exit 1: {codes.count(1)}")


def test_xlsx_every_targeted_mutation(tree, tmp_path):
    """Each XLSX mutation, applied everywhere it matches, in the sheet, the shared strings and the workbook part."""
    _, comments = tree
    good = make_xlsx(None, xlsx_rows(), tmp_path / "good.xlsx").read_bytes()
    n = 0
    for part in ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml"):
        for pattern, repls in XLSX_SUBS:
            for repl in repls:
                data = rewrite_member(good, part, lambda b: re.sub(pattern, repl, b.decode(), flags=re.S).encode())
                if data == good:
                    continue
                reset(comments)
                path = tmp_path / f"targeted-{n:02d}.xlsx"
                path.write_bytes(data)
                check(comments, path, f"{part}: {pattern} -> {repl[:40]!r}")
                n += 1
    assert n >= 25
    print(f"xlsx targeted: {n} cases")


# --------------------------------------------------------------------------------------------------------------------
# response workbooks (comments import --responses)

RESPONSE_VALUES = ["", "=1+1", "@x", "反映", "不反映", "対応済", "??", "意" * 40000, "001", "999", "org-ciso, x",
                   3.5, True, -1]


def test_responses_import_fuzz(tree, tmp_path):
    from openpyxl import load_workbook

    _, comments = tree
    received = tmp_path / "clean.csv"
    with open(received, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(clean_rows())
    assert run("comments", "import", received, "--round", ROUND).code == 0
    exported = tmp_path / "responses.xlsx"
    assert run("comments", "export", "--round", ROUND, "-o", exported).code == 0
    base_records = records(comments)
    rng = random.Random(9004)
    codes = []
    for i in range(CASES["responses"]):
        reset(comments, base_records)
        path = tmp_path / f"resp-{i:03d}.xlsx"
        if i % 3 == 2:
            path.write_bytes(rezip(rng, exported.read_bytes(), xlsx_xml))
        else:
            wb = load_workbook(exported)
            ws = wb.active
            for _ in range(rng.randint(1, 6)):
                cell = ws.cell(row=rng.randint(1, ws.max_row + 2), column=rng.randint(1, ws.max_column + 1))
                cell.value = rng.choice(RESPONSE_VALUES)
            if rng.random() < 0.2:
                ws.delete_rows(1)  # no header
            if rng.random() < 0.2:
                ws.delete_cols(rng.randint(1, ws.max_column))
            wb.save(path)
        codes.append(check(comments, path, f"responses case {i} (seed 9004)", "--responses",
                           before=base_records))
        path.unlink()
    assert codes.count(0) + codes.count(1) == len(codes) and codes.count(0) >= 3
    print(f"responses: {len(codes)} cases, exit 0: {codes.count(0)}, exit 1: {codes.count(1)}")


# --------------------------------------------------------------------------------------------------------------------
# the bugs the fuzzing found, pinned


def test_truncated_utf16_csv_is_a_message_not_a_crash(tree, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_bytes("番号,意見\r\n1,あ\r\n".encode("utf-16") + b"\x02")  # odd length: a half character at the end
    r = run("comments", "import", path, "--round", ROUND, "--category", "個人")
    assert r.code == 1 and "odd.csv: error: the file starts with a UTF-16 byte order mark but byte" in r.err, r.text


def test_damaged_zip_member_is_a_message_not_a_crash(tree, tmp_path):
    good = make_xlsx(None, xlsx_rows(), tmp_path / "good.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(good)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 10:start + 40] = bytes(30)  # the deflate stream of the sheet, zeroed
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data))
    r = run("comments", "import", path, "--round", ROUND)
    assert r.code == 1 and "damaged.xlsx: part xl/worksheets/sheet1.xml of the XLSX is damaged" in r.err, r.text


def test_workbook_without_sheets_is_a_message_not_a_crash(tree, tmp_path):
    good = make_xlsx(None, xlsx_rows(), tmp_path / "good.xlsx").read_bytes()
    data = rewrite_member(good, "xl/workbook.xml", lambda b: re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", b))
    path = tmp_path / "nosheet.xlsx"
    path.write_bytes(data)
    r = run("comments", "import", path, "--round", ROUND)
    assert r.code == 1 and "nosheet.xlsx" in r.err and "no sheet" in r.err, r.text


def test_member_lying_about_its_size_is_never_unpacked_past_it(tree, tmp_path):
    """A sheet that unpacks to 20 MB but declares 100 kB (so neither the size nor the ratio check sees it): reading
    stops at the declared size and the member is refused as damaged; nothing near 20 MB is ever produced."""
    import struct

    good = make_xlsx(None, xlsx_rows(), tmp_path / "good.xlsx").read_bytes()
    big = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' \
          + b" " * (20 * 1024 * 1024) + b"</worksheet>"
    data = bytearray(rewrite_member(good, "xl/worksheets/sheet1.xml", lambda _: big))
    name = b"xl/worksheets/sheet1.xml"
    declared = 100 * 1024
    central = data.find(b"PK\x01\x02")
    while central != -1:  # patch the uncompressed size in this member's central directory entry
        n = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46:central + 46 + n] == name:
            struct.pack_into("<I", data, central + 24, declared)
        central = data.find(b"PK\x01\x02", central + 4)
    local = data.find(b"PK\x03\x04")
    while local != -1:  # and in its local header
        n = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30:local + 30 + n] == name:
            struct.pack_into("<I", data, local + 22, declared)
        local = data.find(b"PK\x03\x04", local + 4)
    path = tmp_path / "liar.xlsx"
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as z:
        assert z.getinfo(name.decode()).file_size == declared
    r = run("comments", "import", path, "--round", ROUND)
    assert r.code == 1 and "liar.xlsx: part xl/worksheets/sheet1.xml of the XLSX is damaged" in r.err, r.text
