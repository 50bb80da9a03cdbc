"""``guideline apply`` on the constructs of the sample draft (issue 19): figures with their captions and alt text,
参考/例/注意 boxes, footnotes and ``table`` blocks with merged cells, edited in a built guideline.docx the way Word
writes (runs split with rsid noise and proofing marks, tracked insertions and deletions inside a footnote, a box and
a table cell): each edit changes exactly its own source lines, IDs, figure files and cell spans stay, and the result
passes ``guideline check --strict``."""
from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import REPO
from fixtures.comments.support import run
from lxml import etree

from apply.test_apply import NS, W, WordFile, changed_lines
from guideline import editions
from guideline.writers.edition import docx


@pytest.fixture(scope="module")
def draft_docx() -> bytes:
    ed, report = editions.load("draft", src=REPO / "guideline_src")
    assert ed is not None and not report.errors
    return docx.render_guideline(ed)


@pytest.fixture
def draft(tmp_path, monkeypatch) -> Path:
    src = tmp_path / "guideline_src"
    shutil.copytree(REPO / "guideline_src", src, ignore=shutil.ignore_patterns(".*"))
    monkeypatch.setenv("GUIDELINE_SRC", str(src))
    monkeypatch.chdir(tmp_path)
    return src / "draft"


def snapshot(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.glob("*.md"))}


class Notes:
    """The footnotes part of a WordFile, edited like its body and saved with it."""

    def __init__(self, wf: WordFile):
        self.wf = wf
        with zipfile.ZipFile(io.BytesIO(wf.data)) as z:
            self.root = etree.fromstring(z.read("word/footnotes.xml"))

    def para(self, text: str):
        return next(p for p in self.root.iter(W + "p") if text in "".join(p.itertext()))

    def save(self) -> None:
        self.wf.extra["word/footnotes.xml"] = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8",
                                                             standalone=True)


def para(wf: WordFile, text: str):
    return next(p for p in wf.root.iter(W + "p") if text in "".join(p.itertext()))


def text_of(p) -> str:
    return "".join(t.text or "" for t in p.iter(W + "t"))


def test_an_unedited_draft_applies_as_a_no_op(draft, draft_docx, tmp_path):
    before = snapshot(draft)
    res = run("apply", WordFile(draft_docx).save(tmp_path / "same.docx"), "--edition", "draft")
    assert res.code == 0, res.text
    assert "0 clause change(s)" in res.out and "ignored" not in res.out
    assert snapshot(draft) == before


def test_edits_in_every_construct_touch_exactly_their_lines(draft, draft_docx, tmp_path):
    wf = WordFile(draft_docx)
    # a 参考 box inside a 解説: retyped with Word's noise (its 表1 is a cross-reference in the source)
    box = para(wf, "一つの文書に分類の異なる情報が混在する")
    wf.retype(box, text_of(box).replace("最も高い分類に合わせて", "最も高い分類に一律に合わせて"))
    # a figure: the caption retyped, the alt text of another edited (Word: 代替テキスト)
    cap = para(wf, "ローカルブレイクアウト）の構成")
    wf.retype(cap, text_of(cap).replace("（ローカルブレイクアウト）", "（ローカルブレイクアウト方式）"))
    pr = next(d for d in wf.root.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")
              if (d.get("descr") or "").startswith("三つの領域を左から並べ"))
    pr.set("descr", "三つの領域を左から並べた構成図")
    # a table block: one cell retyped, another changed with tracked changes
    cell = para(wf, "必要最小限とし記録する")
    wf.retype(cell, "必要最小限とし、台帳に記録する")
    wf.tracked(para(wf, "許可・不許可"), "許可・不許可", "許可・不許可（いずれかに○）", author="審査委員C")
    # a footnote: a tracked change inside it
    notes = Notes(wf)
    wf.tracked(notes.para("図は考え方を示すために簡略化"), "簡略化したもの", "模式的に示したもの", author="審査委員D")
    notes.save()
    before = snapshot(draft)
    res = run("apply", wf.save(tmp_path / "edited.docx"), "--edition", "draft")
    assert res.code == 0, res.text
    assert res.out.splitlines()[:4] == ["changed: app-asset-handling: body",
                                        "changed: asset-confidentiality-examples: commentary",
                                        "changed: form-exception-request: body",
                                        "changed: gen-network-models: body, footnotes"]
    assert ("tracked change in form-exception-request: insert by 審査委員C 2024-11-01T10:00:00Z: "
            "'許可・不許可（いずれかに○）'") in res.out
    assert "tracked change in gen-network-models: delete by 審査委員D 2024-11-01T10:00:00Z: '簡略化したもの'" in res.out
    assert "ignored" not in res.out
    changed = changed_lines(before, draft)
    assert sorted(changed) == ["10-soku.md", "21-kijun-1-3.md", "90-besshi.md"]
    gone, came = changed["10-soku.md"]
    assert len(gone) == 3 and gone[0].startswith("![三つの領域を左から並べ、業務端末を")
    assert gone[1].startswith("![αモデルの構成に加え、") and gone[2].startswith("[^figure-simplified]: 図は")
    assert came[0] == '![三つの領域を左から並べた構成図](figures/alpha-model.svg "αモデルの構成"){#fig-alpha-model}'
    assert came[1].endswith('](figures/alpha-prime-model.svg "α\'モデル（ローカルブレイクアウト方式）の構成"){#fig-alpha-prime-model}')
    assert came[1].split("](")[0] == gone[1].split("](")[0]  # the alt text as it was
    assert came[2] == "[^figure-simplified]: 図は考え方を示すために模式的に示したものであり、実際の機器構成や通信経路は団体ごとに異なる。"
    gone, came = changed["21-kijun-1-3.md"]
    assert len(gone) == len(came) == 1
    assert came[0] == gone[0].replace("最も高い分類に合わせて", "最も高い分類に一律に合わせて")
    assert came[0].endswith("[](#tbl-asset-handling)を参照。")  # the 表1 Word shows is the cross-reference again
    assert changed["90-besshi.md"] == (
        ['  - [機密性3, 住民の個人情報、入札予定価格, 必要最小限とし記録する, "暗号化し{{情報セキュリティ管理者}}の許可を得る", 原則禁止]',
         '  - [許可欄, CISO, 許可・不許可, "\u3000\u3000年\u3000\u3000月\u3000\u3000日"]'],
        ["  - [機密性3, 住民の個人情報、入札予定価格, 必要最小限とし、台帳に記録する, '暗号化し{{情報セキュリティ管理者}}の許可を得る', 原則禁止]",
         "  - [許可欄, CISO, 許可・不許可（いずれかに○）, \u3000\u3000年\u3000\u3000月\u3000\u3000日]"])
    ed, report = editions.load("draft", src=draft.parent)
    table = next(b for b in ed.get("app-asset-handling").body if hasattr(b, "head"))
    assert [(c.rowspan, c.colspan) for c in table.head[0]] == [(2, 1), (2, 1), (1, 3)]
    assert table.ident == "tbl-asset-handling" and table.row_header
    assert run("check", "--edition", "draft", "--strict").code == 0


def test_a_deleted_footnote_reference_removes_its_definition_and_a_replaced_picture_is_reported(
        draft, draft_docx, tmp_path):
    wf = WordFile(draft_docx)
    p = para(wf, "各モデルの構成を")
    ref = next(r for r in p.iter(W + "r") if r.find("w:footnoteReference", NS) is not None)
    ref.getparent().remove(ref)
    # the first figure's picture swapped for another file's (Word: 図の変更)
    with zipfile.ZipFile(io.BytesIO(draft_docx)) as z:
        media = sorted(n for n in z.namelist() if n.startswith("word/media/") and n.endswith(".svg"))
        wf.extra[media[0]] = z.read(media[0]).replace(b"</svg>", b"<!-- new drawing --></svg>")
    before = snapshot(draft)
    res = run("apply", wf.save(tmp_path / "edited.docx"), "--edition", "draft")
    assert res.code == 0, res.text
    assert "changed: gen-network-models: body, footnotes" in res.out
    assert ("ignored: gen-network-models: the picture of the figure 「αモデルの構成」 was replaced in Word: figure files "
            "are not taken from Word") in res.out
    gone, came = changed_lines(before, draft)["10-soku.md"]
    assert sorted(gone) == ["", "[^figure-simplified]: 図は考え方を示すために簡略化したものであり、実際の機器構成や通信経路は団体ごとに異なる。",
                            "各モデルの構成を[](#fig-alpha-model)から[](#fig-beta-prime-model)に示す[^figure-simplified]。"]
    assert "異なる。\n\n[^lbo-terms]: ローカルブレイクアウトの" not in (draft / "10-soku.md").read_text(encoding="utf-8")
    assert "前提となる。\n\n[^lbo-terms]: ローカルブレイクアウトの" in (draft / "10-soku.md").read_text(encoding="utf-8")
    assert came == ["各モデルの構成を[](#fig-alpha-model)から[](#fig-beta-prime-model)に示す。"]
    assert run("check", "--edition", "draft", "--strict").code == 0
