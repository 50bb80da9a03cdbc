"""The PDF edition (guideline.pdf, laid out by Typst), checked with real PDF readers: poppler's
pdffonts/pdftotext/pdfinfo and pikepdf.

r5-03 is built once for the module through the CLI; the fixture edition is used for everything that needs extra
builds.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, replace_in

from guideline import editions
from guideline.model import Placeholder, block_text, iter_inlines
from guideline.writers.edition import pdf

pytestmark = pytest.mark.needs_poppler


def run_cli(*args: str, env: dict | None = None, cwd: Path = REPO) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in ("GUIDELINE_SRC", "SOURCE_DATE_EPOCH")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "guideline", *args], capture_output=True, text=True, cwd=cwd,
                          env=full_env, timeout=600)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def r503(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("pdf-build")
    result = run_cli("build", "--edition", "r5-03", "--format", "pdf", "-o", str(out))
    assert result.returncode == 0, result.stderr
    path = out / "r5-03" / "guideline.pdf"
    assert result.stdout.strip().endswith(str(path))
    text = pdftotext(path)
    return {"out": out, "path": path, "bytes": path.read_bytes(), "text": text,
            "edition": editions.load_or_fail(str(REPO / "guideline_src" / "editions" / "r5-03"))}


# --------------------------------------------------------------------------------------------------------------------
# r5-03, built once


def test_fonts_are_embedded_japanese_fonts(r503):
    out = subprocess.run(["pdffonts", str(r503["path"])], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert rows, out
    names = [row[0] for row in rows]
    # columns from the right: object ID (2), uni, sub, emb
    assert all(row[-5] == "yes" and row[-4] == "yes" for row in rows), out  # embedded, subset
    assert all("CJK" in name or "IPAex" in name for name in names), out  # no Latin fallback font crept in
    assert len(names) == len(set(names)), out


def test_pdfinfo_tagged_a4_title_date_and_pdf_ua(r503):
    import pikepdf

    info = subprocess.run(["pdfinfo", str(r503["path"])], capture_output=True, text=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["Tagged"].strip() == "yes"
    assert "(A4)" in fields["Page size"]
    assert 40 <= int(fields["Pages"]) <= 400
    ed = r503["edition"]
    assert fields["Title"].strip() == ed.meta.display_name
    assert "Mar 31 00:00:00 2023" in fields["CreationDate"]  # the edition's date, not the clock
    with pikepdf.open(r503["path"]) as doc:
        xmp = doc.Root.Metadata.read_bytes().decode("utf-8")
        assert re.search(r"<pdfuaid:part>1</pdfuaid:part>|pdfuaid:part=\"1\"", xmp), xmp[:2000]
        assert str(doc.Root.Lang) == "ja"
        assert bool(doc.Root.ViewerPreferences.DisplayDocTitle)


def test_title_page_and_toc(r503):
    pages = r503["text"].split("\f")
    cover = squash(pages[0])
    ed = r503["edition"]
    assert squash(ed.meta.title) in cover and squash(ed.meta.label) in cover
    assert "令和5年3月31日" in cover and "確定版" in cover
    assert "サンプル" in cover and "公式" in cover  # sample notice
    assert not re.search(r"^\s*[-ivx]+\s*$", pages[0], re.M)  # no page number on the title page
    body_offset = next(i for i, p in enumerate(pages) if re.search(r"^-\s*1\s*-$", p, re.M))
    toc = "\n".join(pages[1:body_offset])
    assert squash("目次") in squash(toc)
    assert re.search(r"^i$", pages[1], re.M)  # roman page numbers in the front matter
    # every 章 of the 例文 part is listed with the page its heading is printed on
    checked = 0
    for chapter in ed.reibun.children:
        m = re.search(re.escape(chapter.number) + r"\s*" + re.escape(chapter.heading) + r"[\s．.]{3,}(\d+)", toc)
        assert m, f"{chapter.number} {chapter.heading} not in the 目次"
        printed = int(m.group(1))
        page = pages[body_offset + printed - 1]
        assert squash(chapter.number + chapter.heading) in squash(page), (printed, page[:200])
        assert re.search(rf"^-\s*{printed}\s*-$", page, re.M)
        checked += 1
    assert checked >= 2


def _plain_piece(edition, clause, blocks, length: int = 18) -> str:
    """A stretch of the clause's text without placeholders (they print in brackets)."""
    text = block_text(blocks, edition, clause)
    for node in iter_inlines(blocks):
        if isinstance(node, Placeholder):
            text = text.replace(node.text, "\n")
    pieces = sorted((p.strip() for p in re.split(r"[\n]", text)), key=len, reverse=True)
    return pieces[0][:length] if pieces and pieces[0] else ""


def test_text_has_every_heading_body_and_commentary(r503):
    ed = r503["edition"]
    text = squash(r503["text"])
    for clause in ed.clauses():
        assert squash(clause.number + clause.heading) in text, clause.id
    sample = [c for c in ed.clauses() if c.level >= 3 and c.body][::25]
    assert len(sample) >= 5
    for clause in sample:
        piece = _plain_piece(ed, clause, clause.body)
        assert squash(piece) in text, (clause.id, piece)
    commentary = [c for c in ed.reibun.walk() if c.commentary][::20]
    assert commentary
    for clause in commentary:
        piece = _plain_piece(ed, clause, clause.commentary)
        assert squash(piece) in text, (clause.id, piece)
    assert squash(ed.commentary_part_number + ed.meta.commentary_title) in text
    assert "統一基準との対応" in text
    # placeholders are bracketed; ordered-list labels are printed
    placeholders = {n.text for c in ed.clauses() for n in iter_inlines(c.body) if isinstance(n, Placeholder)}
    assert placeholders and all(f"〔{squash(p)}〕" in text for p in placeholders)
    assert "(ア)" in text


def test_japanese_line_breaking_and_list_markers(r503):
    lines = pdftotext(r503["path"], "-layout").splitlines()
    starts = [line.strip()[:1] for line in lines if line.strip()]
    assert len(starts) > 1000
    bad = [line for line in lines if line.strip() and line.strip()[0] in "、。，．）」』"]
    assert bad == []
    ends = [line for line in lines if line.strip() and line.rstrip()[-1] in "（「『"]
    assert ends == []
    # a list marker is followed by a space, not run into the text
    marked = [line.strip() for line in lines if re.match(r"\s*\([ア-ン]\)", line)]
    assert marked and all(re.match(r"\([ア-ン]\)\s", line) for line in marked), marked[:5]


def test_outline_has_every_clause(r503):
    import pikepdf

    ed = r503["edition"]
    with pikepdf.open(r503["path"]) as doc, doc.open_outline() as outline:
        entries: list[tuple[int, str]] = []

        def walk(items, depth):
            for item in items:
                entries.append((depth, item.title))
                walk(item.children, depth + 1)

        walk(outline.root, 0)
    titles = [t for _, t in entries]
    assert "目次" in titles
    for clause in ed.clauses():
        assert (f"{clause.number} {clause.heading}" if clause.number else clause.heading) in titles, clause.id
    assert f"{ed.commentary_part_number} {ed.meta.commentary_title}" in titles
    # nested as the clauses are: 編 at the top, 章 below
    depth = dict((t, d) for d, t in entries)
    part = ed.parts[0]
    assert depth[f"{part.number} {part.heading}"] == 0
    assert depth[f"{part.children[0].number} {part.children[0].heading}"] == 1


def test_tag_tree_links_and_named_destinations(r503):
    import pikepdf

    ed = r503["edition"]
    with pikepdf.open(r503["path"]) as doc:
        assert bool(doc.Root.MarkInfo.Marked)
        root = doc.Root.StructTreeRoot
        kinds = set()
        stack = [root.K]
        while stack:
            el = stack.pop()
            for kid in el if isinstance(el, pikepdf.Array) else [el]:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    kinds.add(str(kid.S))
                    if "/K" in kid:
                        stack.append(kid.K)
        assert {"/Document", "/H1", "/H2", "/H3", "/P", "/L", "/LI", "/Lbl", "/LBody", "/Link"} <= kinds, kinds
        names = doc.Root.Names.Dests.Names
        dests = {str(names[i]) for i in range(0, len(names), 2)}
        # one named destination per clause (guideline.pdf#<id>), and per clause of the 解説 part (c.<id>)
        assert {c.id for c in ed.clauses()} <= dests
        assert {"c." + c.id for c in ed.reibun.walk() if c.commentary} <= dests
        links = 0
        for page in doc.pages:
            for annot in page.obj.get("/Annots", []):
                action = annot.get("/A", {})
                if action.get("/S") == pikepdf.Name.URI:
                    assert re.match(r"(https?://|mailto:)", str(action.URI))
                else:
                    links += 1
        toc_rows = sum(1 for c in ed.clauses() if c.level <= 3)
        xrefs = sum(1 for c in ed.clauses() for n in iter_inlines(c.body) if type(n).__name__ == "XRef")
        assert links >= toc_rows + xrefs and xrefs > 5  # 目次 entries and cross-references


def test_two_builds_are_byte_identical(r503, tmp_path):
    again = run_cli("build", "--edition", "r5-03", "--format", "pdf", "-o", str(tmp_path))
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "r5-03" / "guideline.pdf").read_bytes() == r503["bytes"]
    assert re.search(rb"/ID ?\[ ?<([0-9a-f]{32,})>", r503["bytes"])


def test_nisc_box_is_never_alone_at_the_top_of_a_page(r503):
    """The 統一基準との対応 box stays on the page of the text above it: no page's text starts with it."""
    pages = r503["text"].split("\f")
    for n, page in enumerate(pages[3:], 4):
        lines = [line for line in page.splitlines() if line.strip()]
        body = lines[1:] if lines else []  # the first line is the running header
        assert not (body and body[0].startswith("統一基準との対応")), f"page {n} starts with the box"


# --------------------------------------------------------------------------------------------------------------------
# The small fixture edition


def test_source_date_epoch_and_fixture_text(src_copy, tmp_path):
    env = {"GUIDELINE_SRC": str(src_copy)}
    result = run_cli("build", "--edition", "base", "--format", "pdf", "-o", str(tmp_path / "a"), env=env)
    assert result.returncode == 0, result.stderr
    path = tmp_path / "a" / "base" / "guideline.pdf"
    text = squash(pdftotext(path))
    assert "最高情報セキュリティ責任者" in text and "〔○○副市長〕を、CISOとする。" in text
    assert "CISOは、最終的な権限と責任を有する。" in text  # 解説
    fixed = run_cli("build", "--edition", "base", "--format", "pdf", "-o", str(tmp_path / "b"),
                    env={**env, "SOURCE_DATE_EPOCH": "1700000000"})
    assert fixed.returncode == 0, fixed.stderr
    info = subprocess.run(["pdfinfo", str(tmp_path / "b" / "base" / "guideline.pdf")], capture_output=True,
                          text=True).stdout
    assert "Nov 14" in info and "2023" in info


def test_missing_japanese_font_is_a_user_error(src_copy, tmp_path):
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                    f"<cachedir>{tmp_path / 'fc-cache'}</cachedir>\n</fontconfig>\n", encoding="utf-8")
    result = run_cli("build", "--edition", "base", "--format", "pdf", "-o", str(tmp_path / "out"),
                     env={"GUIDELINE_SRC": str(src_copy), "FONTCONFIG_FILE": str(conf)})
    assert result.returncode == 1, result.stderr
    assert "fonts-noto-cjk" in result.stderr and "Noto Serif CJK JP" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "base" / "guideline.pdf").exists()


HOSTILE = ['#read("/etc/passwd")', '#import "lib.typ": x', "$x^2$", "<label>", "@ref", "back\\slash",
           "#set page(fill: red)", "]) #panic(\"x\") [", "// not a comment", "#{1+1}"]


def test_typst_markup_in_the_source_prints_literally(edition_dir, tmp_path):
    """Text that would be Typst markup or code prints as it is: in a heading, a paragraph, a list, a table, a
    placeholder, a NISC rationale and the edition's title."""
    payload = "　".join(HOSTILE)
    replace_in(edition_dir / "a.md", "## 目的 {#gen-purpose}", f"## 目的 {HOSTILE[0]} {HOSTILE[2]} {{#gen-purpose}}")
    replace_in(edition_dir / "a.md", "本ガイドラインの目的を定める。", "本ガイドラインの目的を定める。" + payload)
    ed = editions.load_or_fail(str(edition_dir))
    data = pdf.render(ed)
    out = tmp_path / "hostile.pdf"
    out.write_bytes(data)
    flat = squash(pdftotext(out))
    for piece in HOSTILE:
        assert squash(piece) in flat, piece
    assert squash(f"目的 {HOSTILE[0]} {HOSTILE[2]}") in flat
    assert "root:x:0" not in flat and "2" + squash(HOSTILE[-1]) not in flat


def test_data_is_plain_json_with_marked_inlines(edition_dir):
    replace_in(edition_dir / "edition.yaml", "status: 確定", "status: 案")
    replace_in(edition_dir / "edition.yaml", "sample: true", "sample: false")
    ed = editions.load_or_fail(str(edition_dir))
    d = pdf.data(ed)
    json.dumps(d)  # plain data
    meta = d["meta"]
    assert meta["draft"] and meta["running_status"] == "【案】" and meta["state"] == "案（確定版ではありません）"
    assert not meta["sample"]
    anchors = [c["anchor"] for c in d["clauses"]]
    assert len(anchors) == len(set(anchors))
    assert [a for a in anchors if not a.startswith("c.")] == [c.id for c in ed.clauses()]
    # heading levels in the tag tree never skip one
    depths = [c["depth"] for c in d["clauses"]]
    assert depths[0] == 1 and all(b <= a + 1 for a, b in zip(depths, depths[1:]))
    flat = json.dumps(d, ensure_ascii=False)
    assert '{"ph": "○○副市長"}' in flat
    assert '{"ref": "org-ciso"' in flat


def test_a_character_without_a_glyph_does_not_stop_the_pdf(edition_dir, tmp_path, caplog):
    """An emoji (no glyph in the Japanese fonts; PDF/UA-1 forbids an empty box) is laid out anyway, without the
    PDF/UA claim, and the warning says so."""
    import pikepdf

    replace_in(edition_dir / "a.md", "本ガイドラインの目的を定める。", "本ガイドラインの目的を定める。\U0001F600")
    ed = editions.load_or_fail(str(edition_dir))
    with caplog.at_level("WARNING"):
        data = pdf.render(ed)
    assert "could not be displayed" in caplog.text and "PDF/UA-1" in caplog.text
    out = tmp_path / "emoji.pdf"
    out.write_bytes(data)
    assert "本ガイドラインの目的を定める。" in squash(pdftotext(out))
    with pikepdf.open(out) as doc:
        assert bool(doc.Root.MarkInfo.Marked)
        assert "pdfuaid" not in doc.Root.Metadata.read_bytes().decode("utf-8")


def test_live_compiler_after_edits_and_trims_equals_a_fresh_build(edition_dir):
    """serve's live compiler: laid out again after an edit (and after trimming Typst's memo cache), the PDF is the
    one a fresh build of the edited sources gives."""
    from guideline.writers.edition import typst_pdf

    live = typst_pdf.LiveCompiler(pdf.TEMPLATE)
    try:
        ed = editions.load_or_fail(str(edition_dir))
        first = live.compile(pdf.data(ed), ed.meta.date)
        assert typst_pdf.finish(first) == pdf.render(ed)
        live.trim()
        replace_in(edition_dir / "a.md", "本ガイドラインの目的を定める。", "本ガイドラインの目的を改めて定める。")
        edited = editions.load_or_fail(str(edition_dir))
        again = live.compile(pdf.data(edited), edited.meta.date)
        live.trim()
        assert again != first and typst_pdf.finish(again) == pdf.render(edited)
        preview = live.compile(pdf.data(edited), edited.meta.date, preview=True)
        assert preview.startswith(b"%PDF") and b"/StructTreeRoot" not in preview
    finally:
        live.close()
