"""``guideline apply`` on an edition numbered as articles (an imported 訓令): the Word file shows 第3条　（責任者） and
項 numbers ２　…, which the source does not hold; edits come back without them, and unedited clauses stay as they are."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from import_support import FIXTURES, REPO, run

from guideline import editions
from guideline.importers.document import import_document, write_result
from guideline.writers.edition import docx


def _edition(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / "nisc").mkdir(parents=True)
    (src / "nisc" / "nisc-r7.yaml").write_bytes((REPO / "guideline_src" / "nisc" / "nisc-r7.yaml").read_bytes())
    root = src / "editions" / "kitei"
    write_result(import_document(FIXTURES / "kunrei-clean.txt", edition_id="kitei"), root)
    (root / "import-report.json").unlink()
    return root


def _edited_docx(root: Path, path: Path, *changes: tuple[str, str]) -> Path:
    edition = editions.load_or_fail(str(root), root.parents[1])
    data = docx.render_guideline(edition)
    zin = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            body = zin.read(item.filename)
            if item.filename == "word/document.xml":
                text = body.decode("utf-8")
                for old, new in changes:
                    assert old in text
                    text = text.replace(old, new)
                body = text.encode("utf-8")
            zout.writestr(item, body)
    path.write_bytes(buf.getvalue())
    return path


def _sources(root: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(root.glob("*.md"))}


def test_unedited_articles_file_changes_nothing(tmp_path, capsys):
    root = _edition(tmp_path)
    before = _sources(root)
    code, out, err = run(capsys, "apply", str(_edited_docx(root, tmp_path / "same.docx")), "-e", str(root))
    assert code == 0, err
    assert _sources(root) == before


def test_edits_come_back_without_the_computed_numbers(tmp_path, capsys):
    root = _edition(tmp_path)
    wf = _edited_docx(root, tmp_path / "edited.docx", ("（責任者）", "（管理責任者）"), ("年に一度", "年に二度"),
                      ("施行前にされた", "施行の前にされた"))
    code, out, err = run(capsys, "apply", str(wf), "-e", str(root))
    assert code == 0, err
    text = "".join(_sources(root).values())
    assert "##### 管理責任者 {#art-3}" in text  # the caption without the （） the build shows
    assert "\n責任者は、年に二度管理の状況を村長に報告する。\n" in text  # the 項 without its ２
    assert "\nこの訓令の施行の前にされた許可は、なお従前の例による。\n" in text  # an 附則's 項 without its ２
    assert "２" not in text and "（管理責任者）" not in text
    edition = editions.load_or_fail(str(root), root.parents[1])
    art3 = edition.get("art-3")
    assert (art3.number, art3.heading) == ("第3条", "（管理責任者）")
