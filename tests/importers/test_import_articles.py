"""An imported 訓令 is numbered as a 訓令 (``numbering: articles``): built, every output shows the source's own
第N章/第N節/第N条, （見出し）, 項 and 号 numbers, which the edition computes from position; where the source's numbers
are not positional (a branch number, a skipped number), the report names every clause whose number changes."""
from __future__ import annotations

import html
import json
import re
import subprocess

import pytest
from import_support import FIXTURES, load_checked, norm, run

from guideline.importers.document import import_document, write_result
from guideline.model import block_text
from guideline.writers.edition import docx, html_single

CLEAN = FIXTURES / "kunrei-clean.txt"  # a 訓令 without branch or skipped numbers


def _squash(text: str) -> str:
    return "".join(text.split())


def _expected_lines() -> list[str]:
    """Each 項 and 号 line of the fixture as the built edition must show it (whitespace aside): ``2 責任者は…`` as
    ``２責任者は…``, ``(1) …`` and ``ア …`` with their label."""
    out = []
    for line in CLEAN.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"^([0-9]) (.+)$", line):
            out.append(_squash(chr(ord("０") + int(m.group(1))) + m.group(2)))
        elif m := re.match(r"^(\([0-9]\)|[アイ]) (.+)$", line):
            out.append(_squash(m.group(1) + m.group(2)))
    return out


@pytest.fixture
def clean(tmp_path, capsys):
    out = tmp_path / "kitei"
    code, _, stderr = run(capsys, "import", str(CLEAN), "-o", str(out), "--id", "kitei")
    assert code == 0, stderr
    report = json.loads((out / "import-report.json").read_text(encoding="utf-8"))
    return out, report, load_checked(out, tmp_path)


def test_numbers_are_the_sources_where_it_has_no_branch_or_skip(clean):
    out, report, ed = clean
    assert "numbering: articles" in (out / "edition.yaml").read_text(encoding="utf-8").splitlines()
    assert report["edition"]["numbering"] == "articles" and ed.meta.numbering == "articles"
    numbered = [(n["clause"], n["source"], n["computed"]) for n in report["numbers"] if n["computed"]]
    assert len(numbered) == 11 and all(source == computed for _, source, computed in numbered), numbered
    assert not [f for f in report["findings"] if f["kind"] == "numbering"]
    assert [(c.id, c.number, c.heading, c.address) for c in ed.clauses() if c.number.endswith("条")] == [
        ("art-1", "第1条", "（目的）", "第1条"), ("art-2", "第2条", "（用語）", "第2条"),
        ("art-3", "第3条", "（責任者）", "第3条"), ("art-4", "第4条", "（台帳）", "第4条"),
        ("art-5", "第5条", "（持出しの許可）", "第5条"),
        ("suppl-art-1", "第1条", "（施行期日）", "附則 第1条"), ("suppl-art-2", "第2条", "（経過措置）", "附則 第2条")]
    text = _squash("\n".join(block_text(c.body) for c in ed.clauses()))
    for line in _expected_lines():  # 項 ２ ３, 号 (1) (2) (3), ア イ, the 附則's 項 １ ２
        assert line in text
    # the source holds no number: the Markdown has bare paragraphs and a list
    md = "".join(p.read_text(encoding="utf-8") for p in out.glob("*.md"))
    assert "\n責任者は、年に一度" in md and "\n1. 情報資産の名称" in md and "２" not in md


def test_built_html_shows_the_numbers(clean, tmp_path, capsys):
    out, _, _ = clean
    src = tmp_path / "check_src" / "editions" / "kitei"  # where load_checked placed it, beside the catalog
    code, _, stderr = run(capsys, "build", "--edition", str(src), "--format", "html", "-o", str(tmp_path / "b"))
    assert code == 0, stderr
    page = (tmp_path / "b" / "kitei" / "guideline.html").read_text(encoding="utf-8")
    text = _squash(html.unescape(re.sub(r"<[^>]+>", " ", page)))
    for shown in ("第1章総則", "第1条（目的）", "第2章管理", "第1節管理の体制", "第3条（責任者）", "第2節持出し",
                  "第5条（持出しの許可）", "附則", "第1条（施行期日）", "第2条（経過措置）"):
        assert shown in text
    for line in _expected_lines():
        assert line in text


@pytest.mark.slow
@pytest.mark.needs_pandoc
@pytest.mark.needs_poppler
def test_built_word_and_pdf_show_the_numbers(clean, tmp_path, capsys):
    out, _, _ = clean
    src = tmp_path / "check_src" / "editions" / "kitei"
    code, _, stderr = run(capsys, "build", "--edition", str(src), "--format", "docx,pdf", "-o", str(tmp_path / "b"))
    assert code == 0, stderr
    built = tmp_path / "b" / "kitei"
    word = _squash(subprocess.run(["pandoc", "-f", "docx", "-t", "plain", "--wrap=none", str(built / "guideline.docx")],
                                  capture_output=True, text=True, check=True).stdout)
    pdf = _squash(subprocess.run(["pdftotext", str(built / "guideline.pdf"), "-"], capture_output=True, text=True,
                                 check=True).stdout)
    for text in (word, pdf):
        for shown in ("第1条（目的）", "第3条（責任者）", "第2節持出し", "第1条（施行期日）"):
            assert shown in text
        for line in _expected_lines():
            assert line in text


def test_branch_and_skipped_numbers_are_reported_clause_by_clause(tmp_path, capsys):
    """第19条の2 style branch numbers and a skipped number: the computed numbers shift, and every shifted clause is
    in the report with both numbers."""
    src = tmp_path / "kunrei.txt"
    src.write_text(CLEAN.read_text(encoding="utf-8").replace("第4条 管理者は", "第3条の2 管理者は")
                   .replace("第5条 情報資産を", "第7条 情報資産を").replace("3 責任者に事故", "4 責任者に事故"),
                   encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, _ = run(capsys, "import", str(src), "-o", str(out))
    assert code == 0
    report = json.loads((out / "import-report.json").read_text(encoding="utf-8"))
    shifted = [(f["clause"], f["source"], f["computed"]) for f in report["findings"]
               if f["kind"] == "numbering" and "computed" in f and f.get("clause", "").startswith("art-")]
    assert ("art-3-2", "第3条の2", "第4条") in shifted and ("art-7", "第7条", "第5条") in shifted
    paragraphs = [f["message"] for f in report["findings"] if "paragraph" in f["message"]]
    assert paragraphs == ["line 16: 第3条: paragraph 3 is numbered 4 in the source; computed: ３"]
    assert "the source numbers this clause 第3条の2; computed: 第4条" in stdout


@pytest.mark.parametrize("name", ["guideline.html", "guideline.docx"])
def test_our_own_build_imports_back(clean, tmp_path, name):
    """The single-page HTML and the Word file built from an imported 訓令 import back as the same edition: 第1条　（目的）
    is the article 目的 (the caption shown in its heading), ２　… a 項 paragraph, (2) with its ア イ a list item with
    its list, and the edition is numbered ``articles`` again, so that it builds with the same numbers."""
    out, first_report, first = clean
    built = tmp_path / "built"
    html_single.write(first, built)
    docx.write(first, built)
    result = import_document(built / name, edition_id="kitei")
    assert result.report["family"] == "legal" and result.report["edition"]["numbering"] == "articles"
    assert not [p for p in result.paragraphs if p["status"] == "unplaced"]
    assert not [f for f in result.report["findings"] if f["kind"] in ("numbering", "heading")], \
        result.report["findings"]
    again_dir = tmp_path / "again" / "kitei"
    write_result(result, again_dir)
    again = load_checked(again_dir, tmp_path / "again")
    a, b = list(first.clauses()), list(again.clauses())
    assert [(c.id, c.level, c.heading, c.unnumbered, first.parent_of.get(c.id)) for c in a] == [
        (c.id, c.level, c.heading, c.unnumbered, again.parent_of.get(c.id)) for c in b]
    assert [norm(block_text(c.body, first, c)) for c in a] == [norm(block_text(c.body, again, c)) for c in b]
    assert [(c.number, c.address) for c in a] == [(c.number, c.address) for c in b]
    assert again.meta.numbering == "articles" and (again.meta.title, again.meta.label, again.meta.date) == (
        first.meta.title, first.meta.label, first.meta.date)
    # the sources hold no number, as the first import's: the same Markdown, file by file
    for md in sorted(out.glob("*.md")):
        assert (again_dir / md.name).read_text(encoding="utf-8") == md.read_text(encoding="utf-8"), md.name
    # built again, the page shows the same numbers: 第N条（見出し）, 項 ２ ３, 号 (1) (2) and ア イ
    rebuilt = tmp_path / "rebuilt"
    html_single.write(again, rebuilt)
    assert (rebuilt / "guideline.html").read_text(encoding="utf-8") == (built / "guideline.html").read_text(
        encoding="utf-8")
