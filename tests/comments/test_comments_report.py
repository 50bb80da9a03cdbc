"""comments report and status: the published result in HTML/DOCX/PDF (+ CSV/XLSX), escaping, personal data, refusal."""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import lxml.html
import pytest
from fixtures.comments.support import RECEIVED_CSV, run, setup_tree
from openpyxl import load_workbook

from guideline.comments.store import load_round, save_comment

XSS_SUMMARY = "<script>document.title='pwned'</script>責任者の役割を明確にしてほしい。"
XSS_RESPONSE = ('御意見ありがとうございます。<img src=x onerror="document.title=\'pwned\'">'
                '<a href="javascript:document.title=\'pwned\'">詳細</a><svg onload=alert(1)>')
PRIVATE = ("山田　太郎", "山田", "taro.yamada@example.jp", "一般社団法人テスト協会", "03-1234-5678", "佐藤花子",
           "hanako@example.org", "テスト自治体協議会", "090-9876-5432")


def make_ready(comments: Path) -> None:
    """Answer every imported comment of t-public (as staff would, through the records)."""
    data = load_round("t-public", comments)
    answers = {
        "001": dict(summary="CISOを副市長に限定せず、他の例も示してほしい。",
                    response="御指摘を踏まえ、CISOの例示を追加します。", disposition="修正あり",
                    changed_clauses=("org-ciso",)),
        "002": dict(summary=XSS_SUMMARY, response=XSS_RESPONSE, disposition="参考"),
        "003": dict(summary="全体として分かりやすくなった。", response="賛同の御意見として承ります。",
                    disposition="修正なし"),
        "004": dict(summary="=HYPERLINK(\"http://evil.example/\") 記載箇所の確認を求める意見。",
                    response="-1 御指摘の箇所は第2編第1章 1.(2)と理解しました。", disposition="修正なし",
                    clauses=("org-committee",), anchor="manual"),
        "005": dict(summary="委員会の構成員を例示してほしい。", response="", response_of="001"),
        "007": dict(summary="信用情報の評価頻度を示してほしい。", response="各団体の実情に応じて定めるものです。",
                    disposition="対象外"),
        "009": dict(summary="@二つの項目に共通する意見。", response="+ 御意見として承ります。", disposition="参考"),
    }
    for cid, fields in answers.items():
        save_comment(data.directory, replace(data.comments[cid], status="approved", **fields))


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    """The t-public round imported from the received CSV and answered (built once per module)."""
    tmp = tmp_path_factory.mktemp("prepared")
    with pytest.MonkeyPatch.context() as mp:
        src, comments = setup_tree(tmp, mp)
        run("comments", "import", RECEIVED_CSV, "--round", "t-public")
        make_ready(comments)
    return comments / "t-public"


@pytest.fixture(scope="module")
def published(tmp_path_factory, prepared):
    tmp = tmp_path_factory.mktemp("report")
    with pytest.MonkeyPatch.context() as mp:
        src, comments = setup_tree(tmp, mp, rounds=())
        shutil.copytree(prepared, comments / "t-public")
        r = run("comments", "report", "--round", "t-public", "-o", tmp / "out")
        assert r.code == 0, r.text
        yield tmp / "out", r, comments


def test_writes_every_format(published):
    out, r, _ = published
    assert sorted(p.name for p in out.iterdir()) == ["result.csv", "result.docx", "result.html", "result.pdf",
                                                     "result.xlsx"]
    assert "7 comment(s) in the result" in r.err


def test_html_content_and_counts(published):
    out, _, _ = published
    doc = lxml.html.fromstring(out.joinpath("result.html").read_bytes())
    assert doc.get("lang") == "ja"
    assert doc.findtext(".//h1") == "テスト用ガイドライン（案）に対する意見募集の結果"
    facts = dict(zip([dt.text_content() for dt in doc.iter("dt")], [dd.text_content() for dd in doc.iter("dd")]))
    assert facts["意見募集期間"] == "令和6年9月12日から令和6年9月20日まで"
    assert facts["意見提出者数"] == "7（個人 5、法人・団体 2）"
    assert facts["意見数"] == "7件"
    assert [th.text_content() for th in doc.iter("th")] == ["番号", "該当箇所", "意見の概要", "意見に対する考え方",
                                                           "修正の有無"]
    rows = [[td.text_content() for td in tr.iter("td")] for tr in doc.iter("tr") if tr.find("td") is not None]
    assert len(rows) == 7
    assert rows[0][:2] == ["1", "全般"]  # comments on the whole document first, then in the order of the text
    assert [r[1] for r in rows[1:]] == ["第2編第1章 1.(1)", "第2編第1章 1.(2)", "第2編第1章 1.(2)",
                                        "第2編第1章 2.1.(1)", "第2編第1章 2.1.(1)①",
                                        "第2編第1章 2.1.(1)①、第2編第1章 2.1.(1)②"]
    by_summary = {r[2]: r for r in rows}
    assert by_summary["CISOを副市長に限定せず、他の例も示してほしい。"][4] == "有"
    # a comment sharing another's answer shows that answer and its disposition
    assert by_summary["委員会の構成員を例示してほしい。"][3:] == ["御指摘を踏まえ、CISOの例示を追加します。", "有"]
    assert by_summary["信用情報の評価頻度を示してほしい。"][4] == "－"
    assert "サンプル" in doc.text_content()  # the fixture edition is sample text


def test_html_escapes_untrusted_text(published):
    out, _, _ = published
    raw = out.joinpath("result.html").read_text(encoding="utf-8")
    doc = lxml.html.fromstring(raw.encode())
    assert doc.findall(".//script") == [] and doc.findall(".//img") == [] and doc.findall(".//svg") == []
    assert [a.get("href") for a in doc.iter("a")] == []
    assert not [k for el in doc.iter() if isinstance(el.tag, str) for k in el.attrib if k.lower().startswith("on")]
    text = doc.text_content()
    assert XSS_SUMMARY in text and "<img src=x onerror=" in text  # shown as text, exactly
    assert "default-src 'none'" in raw  # and the page may not run or load anything anyway


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.needs_chromium
def test_html_runs_nothing_in_a_browser(published):
    out, _, _ = published
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--virtual-time-budget=2000", "--dump-dom",
         out.joinpath("result.html").as_uri()], capture_output=True, text=True, timeout=60)
    dom = lxml.html.fromstring(proc.stdout.encode())
    assert dom.findtext(".//title") == "テスト用ガイドライン（案）に対する意見募集の結果"  # not 'pwned'
    assert dom.findall(".//script") == [] and dom.findall(".//img") == []
    assert "<script>document.title='pwned'</script>" in dom.text_content()


def _outputs_text(out: Path) -> dict[str, str]:
    texts = {"html": out.joinpath("result.html").read_text(encoding="utf-8"),
             "csv": out.joinpath("result.csv").read_bytes().decode("utf-8-sig")}
    for name in ("docx", "xlsx"):
        with zipfile.ZipFile(out / f"result.{name}") as z:
            texts[name] = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    if shutil.which("pdftotext"):
        texts["pdf"] = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out / "result.pdf"), "-"],
                                      capture_output=True, text=True, check=True).stdout
    return texts


def test_no_private_data_in_any_output(published):
    out, _, comments = published
    texts = _outputs_text(out)
    data = load_round("t-public", comments)
    assert any(c.name for c in data.comments.values())  # the records do hold private data
    for fmt, text in texts.items():
        for secret in PRIVATE:
            assert secret not in text, (fmt, secret)
        assert not re.search(r"[\w.]+@example\.(jp|org)", text), fmt
        # the comment text itself is not published: only the staff's summary
        assert "問合せは" not in text and "12ページの記載について" not in text, fmt


@pytest.mark.needs_poppler
def test_pdf_uses_the_japanese_serif_and_holds_the_table(published):
    out, _, _ = published
    fonts = subprocess.run(["pdffonts", str(out / "result.pdf")], capture_output=True, text=True, check=True).stdout
    assert "Noto-Serif-CJK-JP" in fonts or "NotoSerifCJK" in fonts.replace(" ", "")
    text = _outputs_text(out)["pdf"]
    assert "意見募集の結果" in text and "意見に対する考え方" in text
    assert "CISOを副市長に限定せず" in text.replace("\n", "")
    # comment text is data to Typst, never markup: "=" (heading), "+"/"-" (list), "@" (reference) and the HTML
    # payloads print as typed
    flat = re.sub(r"\s+", "", text)
    for typed in ('=HYPERLINK("http://evil.example/")', "-1御指摘の箇所は", "@二つの項目に共通する意見。",
                  "+御意見として承ります。", "<script>document.title='pwned'</script>"):
        assert typed in flat, typed


@pytest.mark.needs_pandoc
def test_docx_reads_back_with_pandoc(published):
    out, _, _ = published
    md = subprocess.run(["pandoc", "-f", "docx", "-t", "html", str(out / "result.docx")], capture_output=True,
                        text=True, check=True).stdout
    doc = lxml.html.fromstring(md)
    rows = [[c.text_content().strip() for c in tr if c.tag in ("td", "th")] for tr in doc.iter("tr")]
    assert rows[0] == ["番号", "該当箇所", "意見の概要", "意見に対する考え方", "修正の有無"]
    assert len(rows) == 8
    assert ["2", "第2編第1章 1.(1)", "CISOを副市長に限定せず、他の例も示してほしい。",
            "御指摘を踏まえ、CISOの例示を追加します。", "有"] in rows
    assert any(XSS_SUMMARY in " ".join(r) for r in rows)  # text, not markup
    with zipfile.ZipFile(out / "result.docx") as z:
        styles = z.read("word/styles.xml").decode()
    assert 'w:eastAsia="Noto Serif CJK JP"' in styles and 'w:eastAsia="ja-JP"' in styles


def test_csv_and_xlsx_neutralise_formulas(published):
    out, _, _ = published
    import csv
    import io

    rows = list(csv.reader(io.StringIO(out.joinpath("result.csv").read_bytes().decode("utf-8-sig"), newline="")))
    cells = [c for row in rows for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=HYPERLINK(\"http://evil.example/\") 記載箇所の確認を求める意見。" in cells
    assert "'-1 御指摘の箇所は第2編第1章 1.(2)と理解しました。" in cells and "'@二つの項目に共通する意見。" in cells
    ws = load_workbook(out / "result.xlsx")["結果"]
    values = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c for c in values if c.data_type == "f"]
    assert not [c for c in values if isinstance(c.value, str) and c.value[:1] in ("=", "+", "-", "@")]


def test_same_records_same_bytes(published, tmp_path):
    out, _, comments = published
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GUIDELINE_COMMENTS", str(comments))
        mp.setenv("GUIDELINE_SRC", str(comments.parent / "guideline_src"))
        r = run("comments", "report", "--round", "t-public", "-o", tmp_path / "again")
    assert r.code == 0, r.text
    for name in ("result.html", "result.docx", "result.pdf", "result.csv", "result.xlsx"):
        assert (tmp_path / "again" / name).read_bytes() == (out / name).read_bytes(), name


# --------------------------------------------------------------------------------------------------------------------
# refusal and status


@pytest.fixture
def ready(tmp_path, monkeypatch, prepared):
    src, comments = setup_tree(tmp_path, monkeypatch, rounds=())
    shutil.copytree(prepared, comments / "t-public")
    return comments


def _edit(comments: Path, cid: str, **fields) -> None:
    data = load_round("t-public", comments)
    save_comment(data.directory, replace(data.comments[cid], **fields))


@pytest.mark.parametrize("field,value,found", [
    ("summary", "詳細は 090-9876-5432 まで連絡が欲しいとの意見。", "090-9876-5432"),
    ("summary", "ｔａｒｏ＠example.jp に回答を求める意見。", "ｔａｒｏ＠example.jp"),
    ("response", "連絡先 03（1234）5678 に回答します。", "03（1234）5678"),
])
def test_report_refuses_personal_data_in_published_fields(ready, tmp_path, field, value, found):
    _edit(ready, "003", **{field: value})
    r = run("comments", "report", "--round", "t-public", "-o", tmp_path / "out", "--draft")
    assert r.code == 1
    assert "refusing to publish: personal data" in r.err and f"003: " in r.err and found in r.err
    assert not (tmp_path / "out").exists()


def test_report_refuses_a_private_name_in_a_summary(ready, tmp_path):
    _edit(ready, "002", summary="一般社団法人テスト協会から、責任者の役割の明確化を求める意見。")
    r = run("comments", "report", "--round", "t-public", "-o", tmp_path / "out")
    assert r.code == 1 and "002: 意見の概要 contains the submitter's private" in r.err


def test_report_refuses_while_blocked_unless_draft(ready, tmp_path):
    _edit(ready, "007", status="drafted", response="")
    r = run("comments", "report", "--round", "t-public", "-o", tmp_path / "out")
    assert r.code == 1 and "007: status is drafted (needs approved)" in r.err and "007: no 意見に対する考え方" in r.err
    r = run("comments", "report", "--round", "t-public", "-o", tmp_path / "draft", "--draft", "-f", "html")
    assert r.code == 0, r.text
    assert "案（内部確認用）" in (tmp_path / "draft" / "result.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in (tmp_path / "draft").iterdir()) == ["result.html"]


def test_status_counts_and_blockers(ready):
    r = run("comments", "status", "--round", "t-public")
    assert r.code == 0
    assert "round t-public (public-comment) on edition base: 7 comments" in r.out
    assert "status:      approved 7" in r.out
    assert "disposition: 修正あり 2, 修正なし 2, 参考 2, 対象外 1" in r.out  # 005 shares 001's answer
    assert "submitters:  7 (個人 5, 法人・団体 2)" in r.out
    assert "ready to publish" in r.out
    _edit(ready, "001", changed_clauses=())
    _edit(ready, "009", anchor="unresolved", clauses=())
    r = run("comments", "status", "--round", "t-public", "--strict")
    assert r.code == 1
    assert "001: 修正あり but no changed_clauses" in r.out
    assert "009: not anchored" in r.out


def test_every_dangerous_first_character_is_neutralised():
    import csv
    import io

    from guideline.comments.output import csv_bytes, neutralise, unneutralise

    payloads = ["=1+1", "+1", "-1", "@SUM(A1)", "\tcmd", "\r=x", "普通の文", "'quoted"]
    for p in payloads:
        assert unneutralise(str(neutralise(p))) == p
    cells = next(csv.reader(io.StringIO(csv_bytes(payloads, [])[3:].decode("utf-8"), newline="")))
    assert cells[:6] == ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tcmd", "'\r=x"]
    assert cells[6:] == ["普通の文", "'quoted"]
