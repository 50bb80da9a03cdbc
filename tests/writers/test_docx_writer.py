"""The Word writer: guideline.docx and reibun.docx, read back with pandoc, LibreOffice and the OOXML itself."""
from __future__ import annotations

import datetime
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, replace_in
from lxml import etree

from guideline.commands.build import build
from guideline.model import Placeholder, Table, XRef, block_text, iter_inlines, xref_label
from guideline.reader import read_edition
from guideline.writers.edition import docx
from guideline.writers.edition import docx_ooxml as ox
from guideline.writers.registry import BUILD_FORMATS, EDITION

R5_03 = REPO / "guideline_src" / "editions" / "r5-03"
W_NS = ox.W_NS
NS = {"w": W_NS}
W = ox.W



# --------------------------------------------------------------------------------------------------------------------
# helpers


def squash(text: str) -> str:
    """Text without whitespace (str.split also splits on the ideographic space) and without placeholder brackets."""
    return "".join(text.split()).replace(docx.PLACEHOLDER_OPEN, "").replace(docx.PLACEHOLDER_CLOSE, "")


def part_xml(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read(name))


def pandoc_text(path: Path, *extra: str) -> str:
    proc = subprocess.run(["pandoc", "-f", "docx", "-t", "plain", "--wrap=none", *extra, str(path)],
                          capture_output=True, text=True, check=True)
    return proc.stdout


def para_text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(W + "t"))


def style_by_id(styles: etree._Element, sid: str) -> etree._Element:
    el = styles.find(f"w:style[@w:styleId='{sid}']", NS)
    assert el is not None, f"no style {sid}"
    return el


def clause_lines(edition, clause, blocks) -> list[str]:
    return [line for line in (squash(x) for x in block_text(blocks, edition, clause).split("\n")) if line]


# --------------------------------------------------------------------------------------------------------------------
# fixtures: the sample edition r5-03 is built once for the module


@pytest.fixture(scope="module")
def r503():
    edition, report = read_edition(R5_03)
    assert edition is not None and not report.errors
    return edition


@pytest.fixture(scope="module")
def built(tmp_path_factory, r503):
    out = tmp_path_factory.mktemp("docx")
    paths = build(str(R5_03), ["docx"], out, quiet=True)
    target = out / "r5-03"
    assert sorted(paths) == [target / "guideline.docx", target / "reibun.docx"]
    return target


@pytest.fixture(scope="module")
def document(built):
    return part_xml(built / "guideline.docx", "word/document.xml")


@pytest.fixture(scope="module")
def styles(built):
    return part_xml(built / "guideline.docx", "word/styles.xml")


# --------------------------------------------------------------------------------------------------------------------
# content, read back by pandoc


def test_registered_as_build_format():
    assert [EDITION[name].load() for name in BUILD_FORMATS["docx"]] == [docx]


@pytest.mark.needs_pandoc
def test_pandoc_reads_every_clause_heading_body_and_commentary(built, r503):
    text = squash(pandoc_text(built / "guideline.docx"))
    missing = []
    for clause in r503.clauses():
        wanted = [squash(f"{clause.number}{clause.heading}")] + clause_lines(r503, clause, clause.body)
        missing += [(clause.id, w) for w in wanted if w not in text]
    assert missing == []
    # 第3編 解説 repeats the 例文 headings and prints every 解説, after the 例文 part
    commentary_start = text.index(squash(f"{r503.commentary_part_number}{r503.meta.commentary_title}"),
                                  text.index(squash("第2編情報セキュリティポリシー（例文）第1章")))
    tail = text[commentary_start:]
    with_commentary = [c for c in r503.reibun.walk() if c.commentary]
    assert len(with_commentary) > 50
    for clause in with_commentary:
        assert squash(f"{clause.number}{clause.heading}") in tail
        for line in clause_lines(r503, clause, clause.commentary):
            assert line in tail, (clause.id, line)


@pytest.mark.needs_pandoc
def test_reibun_docx_holds_the_reibun_part_only(built, r503):
    text = squash(pandoc_text(built / "reibun.docx"))
    reibun = r503.reibun
    for clause in reibun.walk():
        assert squash(f"{clause.number}{clause.heading}") in text
        for line in clause_lines(r503, clause, clause.body):
            assert line in text, (clause.id, line)
    # no 解説
    commentary_lines = {line for c in reibun.walk() for line in clause_lines(r503, c, c.commentary)}
    assert commentary_lines and not [line for line in commentary_lines if line in text]
    assert squash(r503.meta.commentary_title) not in text
    # no 第1編 (its headings and text, where they are not also 例文 text)
    first = r503.parts[0]
    assert first.number == "第1編" and squash(first.heading) not in text
    general = [line for c in first.walk() for line in [squash(c.heading), *clause_lines(r503, c, c.body)]
               if len(line) > 8]
    assert general and [line for line in general if line in text] == []
    # no NISC mapping notes
    assert "【統一基準" not in text and "【統一基準" in squash(pandoc_text(built / "guideline.docx"))
    # bookmarks only for the 例文 part; references out of it stay text
    doc = part_xml(built / "reibun.docx", "word/document.xml")
    names = {b.get(W + "name") for b in doc.iter(W + "bookmarkStart")}
    assert names == {c.id for c in reibun.walk()}
    anchors = {h.get(W + "anchor") for h in doc.iter(W + "hyperlink")}
    assert anchors <= names


# --------------------------------------------------------------------------------------------------------------------
# Word structure


def test_styles_have_japanese_fonts_and_language(styles):
    fonts = {f for f, *_ in docx.st.FONT_TABLE}
    defaults = styles.find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    assert defaults.find("w:rFonts", NS).get(W + "eastAsia") in fonts
    assert defaults.find("w:lang", NS).get(W + "eastAsia") == "ja-JP"
    normal = style_by_id(styles, "Normal")
    assert normal.find("w:rPr/w:rFonts", NS).get(W + "eastAsia") == docx.st.MINCHO
    assert normal.find("w:rPr/w:lang", NS).get(W + "eastAsia") == "ja-JP"
    for n in range(1, 7):
        heading = style_by_id(styles, f"Heading{n}")
        assert heading.find("w:name", NS).get(W + "val") == f"heading {n}"
        assert heading.find("w:rPr/w:rFonts", NS).get(W + "eastAsia") == docx.st.GOTHIC
        assert heading.find("w:pPr/w:outlineLvl", NS).get(W + "val") == str(n - 1)
    assert style_by_id(styles, "Title").find("w:rPr/w:rFonts", NS).get(W + "eastAsia") == docx.st.GOTHIC
    box = style_by_id(styles, docx.S.commentary)
    assert box.find("w:name", NS).get(W + "val") == "解説"
    assert {e.tag for e in box.find("w:pPr/w:pBdr", NS)} == {W + s for s in ("top", "left", "bottom", "right")}
    assert box.find("w:pPr/w:shd", NS).get(W + "fill") not in (None, "auto", "FFFFFF")
    assert style_by_id(styles, docx.S.mapping).find("w:rPr/w:sz", NS).get(W + "val") == "16"
    assert style_by_id(styles, docx.S.table).get(W + "type") == "table"
    assert style_by_id(styles, docx.S.placeholder).get(W + "type") == "character"


def test_a4_page_margins_header_and_footer(built, document, r503):
    sect = document.find("w:body/w:sectPr", NS)
    size = sect.find("w:pgSz", NS)
    assert (size.get(W + "w"), size.get(W + "h")) == ("11906", "16838")
    margins = sect.find("w:pgMar", NS)
    for side in ("top", "bottom", "left", "right"):
        assert 1417 <= int(margins.get(W + side)) <= 1701  # 25–30 mm
    header = "".join(part_xml(built / "guideline.docx", "word/header1.xml").itertext())
    assert r503.meta.title in header and "【確定】" in header and r503.meta.label in header
    footer = part_xml(built / "guideline.docx", "word/footer1.xml")
    assert [t.text.strip() for t in footer.iter(W + "instrText")] == ["PAGE"]
    assert sect.find("w:titlePg", NS) is not None  # no header on the title page


def test_every_clause_is_a_bookmarked_heading_with_its_number(document, styles, r503):
    starts = list(document.iter(W + "bookmarkStart"))
    names = [b.get(W + "name") for b in starts]
    assert sorted(names) == sorted(c.id for c in r503.clauses())
    ids = [b.get(W + "id") for b in starts]
    assert len(set(ids)) == len(ids)
    assert sorted(e.get(W + "id") for e in document.iter(W + "bookmarkEnd")) == sorted(ids)
    by_name = dict(zip(names, starts))
    for clause in r503.clauses():
        p = by_name[clause.id].getparent()
        assert p.find("w:pPr/w:pStyle", NS).get(W + "val") == f"Heading{clause.level}"
        want = f"{clause.number}{docx.HEADING_SEP}{clause.heading}" if clause.number else clause.heading
        assert para_text(p) == want
    assert {f"Heading{c.level}" for c in r503.clauses()} == {f"Heading{n}" for n in (1, 2, 3, 4, 5, 6)}


def test_cross_references_are_internal_links_showing_the_number(document, r503):
    links: dict[str, set[str]] = {}
    for h in document.iter(W + "hyperlink"):
        if h.get(W + "anchor"):
            links.setdefault(h.get(W + "anchor"), set()).add("".join(t.text for t in h.iter(W + "t")))
    names = {b.get(W + "name") for b in document.iter(W + "bookmarkStart")}
    assert set(links) <= names
    xrefs = [(c, x) for c in r503.clauses() for x in iter_inlines(c.body) if isinstance(x, XRef) and not x.children]
    assert len(xrefs) >= 5
    for clause, x in xrefs:
        assert xref_label(x.target, r503, clause) in links[x.target], x.target
    # a reference inside one 章 is local ("1.(1)"), into another 章 the full address
    labels = {xref_label(x.target, r503, c) for c, x in xrefs}
    assert any(label.startswith("第") for label in labels)


def test_toc_field_and_update_on_open(built, document):
    instr = [t.text for t in document.iter(W + "instrText")]
    assert instr == [' TOC \\o "1-3" \\h \\z \\u ']
    settings = part_xml(built / "guideline.docx", "word/settings.xml")
    assert settings.find("w:updateFields", NS).get(W + "val") == "true"
    toc_entries = [p for p in document.iter(W + "p")
                   if (s := p.find("w:pPr/w:pStyle", NS)) is not None and s.get(W + "val").startswith("TOC")
                   and s.get(W + "val") != docx.S.toc_heading]
    assert "第2編\u3000情報セキュリティポリシー（例文）" in [para_text(p) for p in toc_entries]


def test_placeholders_lists_and_tables(document, r503):
    placeholders = [r for r in document.iter(W + "r")
                    if (s := r.find("w:rPr/w:rStyle", NS)) is not None and s.get(W + "val") == docx.S.placeholder]
    expected = [x.text for c in r503.clauses() for x in iter_inlines(c.body) if isinstance(x, Placeholder)]
    expected += [x.text for c in r503.reibun.walk() for x in iter_inlines(c.commentary) if isinstance(x, Placeholder)]
    assert sorted(para_text(r) for r in placeholders) == sorted(f"〔{t}〕" for t in expected)
    assert all(r.find("w:rPr/w:highlight", NS).get(W + "val") == "yellow" for r in placeholders)
    # ordered-list labels are text, never Word numbering
    texts = [para_text(p) for p in document.iter(W + "p")]
    assert any(t.startswith("(ア)") for t in texts) and any(t.startswith("(イ)") for t in texts)
    assert document.find(".//w:numPr", NS) is None
    # every Markdown table is a Word table with a repeating header row
    tables = [b for c in r503.clauses() for b in c.body if isinstance(b, Table)]
    tables += [b for c in r503.reibun.walk() for b in c.commentary if isinstance(b, Table)]
    word_tables = document.findall(".//w:tbl", NS)
    assert len(word_tables) == len(tables) >= 2
    for tbl, table in zip(word_tables, tables):
        rows = tbl.findall("w:tr", NS)
        assert len(rows) == 1 + len(table.rows)
        assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
        assert len(rows[0].findall("w:tc", NS)) == len(table.header)
        assert sum(int(g.get(W + "w")) for g in tbl.findall("w:tblGrid/w:gridCol", NS)) <= docx.st.TEXT_W


def test_title_page_sample_notice(document, r503):
    first = [para_text(p) for p in document.find("w:body", NS)[:6]]
    assert first[0] == r503.meta.title and first[1] == r503.meta.label
    assert "令和5年3月31日" in first and "（確定版）" in first
    assert any("サンプル" in t and "公式" in t for t in first)


def test_core_properties_and_zip_are_deterministic(tmp_path, built):
    again = build(str(R5_03), ["docx"], tmp_path, quiet=True)
    for path in again:
        assert path.read_bytes() == (built / path.name).read_bytes(), path.name
    with zipfile.ZipFile(built / "guideline.docx") as zf:
        assert zf.namelist()[0] == "[Content_Types].xml"
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
        xml = zf.read("word/document.xml").decode()
    assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2023-03-31T00:00:00Z</dcterms:created>" in core
    assert "rsid" not in xml


def test_draft_status_in_header_and_title(edition_dir, tmp_path):
    replace_in(edition_dir / "edition.yaml", "status: 確定", "status: 案")
    edition, report = read_edition(edition_dir)
    assert not report.errors and edition.meta.status == "案"
    paths = docx.write(edition, tmp_path)
    assert [p.name for p in paths] == ["guideline.docx", "reibun.docx"]
    for path in paths:
        header = "".join(part_xml(path, "word/header1.xml").itertext())
        assert "【案】" in header and "確定" not in header
        body = [para_text(p) for p in part_xml(path, "word/document.xml").iter(W + "p")]
        assert "（案）" in body[:5]


def test_wareki():
    assert docx.wareki(datetime.date(2023, 3, 31)) == "令和5年3月31日"
    assert docx.wareki(datetime.date(2019, 5, 1)) == "令和元年5月1日"
    assert docx.wareki(datetime.date(2019, 4, 30)) == "平成31年4月30日"


# --------------------------------------------------------------------------------------------------------------------
# reuse: the builder's hooks make tracked changes (what tracked.docx will build on)


@pytest.mark.needs_pandoc
def test_builder_hooks_make_tracked_revisions_pandoc_reads(edition_dir, tmp_path):
    edition, _ = read_edition(edition_dir)
    b = docx.DocxBuilder(edition)
    who, when = "test", "2024-10-02T00:00:00Z"
    ins = docx.Marks(run=ox.wrap_revision("ins", b.ids, who, when), ppr=ox.mark_paragraph("ins", b.ids, who, when))
    dele = docx.Marks(run=ox.wrap_revision("del", b.ids, who, when), ppr=ox.mark_paragraph("del", b.ids, who, when))
    body = []
    for clause in edition.clauses():
        if clause.id == "gen-purpose":  # a reworded paragraph, runs from a word diff
            body.append(b.clause_heading_p(clause))
            body.append(b.text_paragraph(clause, [ox.run("目的を"), ox.run("定める", hook=dele.run),
                                                  ox.run("明記する", hook=ins.run), ox.run("。")]))
            continue
        marks = ins if clause.id == "org-committee" else dele if clause.id == "tech-dynamic-policy" else docx.NO_MARKS
        body += b.clause_to_elements(clause, with_children=False, marks=marks)
    # a clause of another (old) edition deleted: a second builder sharing the id counter, without bookmarks
    old, _ = read_edition(edition_dir)
    old_b = docx.DocxBuilder(old, share_with=b, link_targets=())
    body += old_b.clause_to_elements(old.get("org-ciso"), bookmarks=False, marks=dele)
    path = tmp_path / "tracked.docx"
    path.write_bytes(b.package(body, settings_extra='<w:revisionView w:insDel="1"/><w:trackRevisions/>'))
    doc = part_xml(path, "word/document.xml")
    all_ids = [e.get(W + "id") for tag in ("bookmarkStart", "ins", "del") for e in doc.iter(W + tag)]
    assert len(all_ids) == len(set(all_ids)) > 20
    names = [e.get(W + "name") for e in doc.iter(W + "bookmarkStart")]
    assert sorted(names) == sorted(c.id for c in edition.clauses())
    text = "".join(doc.itertext())
    assert text.count("CISOとする") == 2
    assert doc.find(".//w:del//w:t", NS) is None and doc.find(".//w:del//w:delText", NS) is not None
    accepted = squash(pandoc_text(path, "--track-changes=accept"))
    rejected = squash(pandoc_text(path, "--track-changes=reject"))
    assert "委員会を置く。1.(1)が主宰する。" in accepted and "(ア)方針を決定する。" in accepted
    assert "委員会を置く" not in rejected and "方針を決定する" not in rejected
    assert "方針を定める。" in rejected and "方針を定める。" not in accepted
    assert "目的を明記する。" in accepted and "目的を定める。" in rejected and "明記" not in rejected
    assert accepted.count("CISOとする") == 1 and rejected.count("CISOとする") == 2


# --------------------------------------------------------------------------------------------------------------------
# LibreOffice renders it (once: it takes a few seconds)


@pytest.mark.needs_libreoffice
@pytest.mark.slow
def test_libreoffice_converts_to_pdf_with_japanese_text(built, tmp_path, r503):
    profile = tmp_path / "lo-profile"
    proc = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(built / "guideline.docx")],
                          capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "guideline.pdf"
    assert proc.returncode == 0 and pdf.is_file(), proc.stderr
    text = squash(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    ciso = r503.get("org-ciso")
    assert squash(ciso.heading) in text
    assert clause_lines(r503, ciso, ciso.body)[0][:30] in text
    assert squash(r503.meta.commentary_title) in text
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                              text=True).stdout).group(1))
    assert pages > 30
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "NotoSerifCJK" in fonts and "NotoSansCJK" in fonts  # 明朝 body, ゴシック headings: the named faces
