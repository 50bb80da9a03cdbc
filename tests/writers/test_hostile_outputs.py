"""Hostile content is inert in the Word, PDF and diff outputs too (issue 9; HTML pages: tests/test_hostile_html.py).

The same hostile edition as tests/test_hostile_html.py (script, event-handler, ``javascript:`` and CSS payloads in
clause text, headings, metadata, tables, 解説, edition.yaml and the NISC catalog) is built as Word and PDF, and diffed
against a revision that adds, changes and deletes payload-bearing clauses. Then, with independent readers:

- every DOCX (guideline.docx, reibun.docx, comparison.docx, tracked.docx): no macro, embedded object, altChunk,
  attached template or external relationship other than http(s)/mailto hyperlinks; no field but the ones our writers
  emit (no INCLUDETEXT/INCLUDEPICTURE/DDE/LINK); pandoc reads the payloads back as plain text;
- every PDF (guideline.pdf, comparison.pdf), opened with pikepdf: no JavaScript, launch, form-submit, import, remote
  go-to or embedded-file object, URI actions only http(s)/mailto; pdftotext shows the payloads as text;
- the HTML diff outputs (redline.html, comparison.html): no element, handler, style or URL scheme from the input
  (lxml), the payload still shown as text.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import lxml.etree
import lxml.html
import pytest

from guideline import editions
from guideline.commands.build import build
from writers.test_hostile_html import BAD_SCHEME, CATALOG, EDITION_YAML, SMUGGLED, SOURCE, URL_ATTRS

pytestmark = [pytest.mark.needs_pandoc, pytest.mark.needs_poppler]

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
SAFE_LINK = re.compile(r"^(https?://|mailto:)", re.I)
OUR_FIELDS = {"TOC", "PAGE", "NUMPAGES", "SECTIONPAGES", "PAGEREF", "REF", "HYPERLINK", "STYLEREF"}
BAD_PDF_KEYS = ("/JavaScript", "/JS", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE", "/EmbeddedFile",
                "/RichMedia", "/AA", "/OpenAction")
NEW_PAYLOAD = '<script>alert("revised")</script>'
ADDED_PAYLOAD = '<img src=x onerror=alert("added")>'


def revised(source: str) -> str:
    """The revision: one payload-bearing sentence changed, one clause with a new payload added, one deleted."""
    text = source.replace('<script>alert("body")</script>と', NEW_PAYLOAD + "と", 1)
    assert text != source
    text = text.replace("### 組織 <script>alert(\"h3\")</script> {#org}",
                        f"### 追加 {ADDED_PAYLOAD} {{#added}}\n\n{ADDED_PAYLOAD}を新設する。\n\n"
                        "### 組織 <script>alert(\"h3\")</script> {#org}", 1)
    assert "{#added}" in text
    return text


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hostile-out")
    src = root / "src"
    (src / "nisc").mkdir(parents=True)
    (src / "nisc" / "hostile-cat.yaml").write_text(CATALOG, encoding="utf-8")
    for name, text in (("hostile", SOURCE), ("hostile2", revised(SOURCE))):
        ed = src / name
        ed.mkdir()
        (ed / "edition.yaml").write_text(EDITION_YAML.replace("id: hostile", f"id: {name}"), encoding="utf-8")
        (ed / "a.md").write_text(text, encoding="utf-8")
        edition, report = editions.load(str(ed), src)
        assert edition is not None and not report.errors, [str(d) for d in report.items]
    build(str(src / "hostile"), ["docx", "pdf"], root / "build", quiet=True)
    run = subprocess.run([sys.executable, "-m", "guideline", "diff", "-q", str(src / "hostile"),
                          str(src / "hostile2"), "-o", str(root / "diff")],
                         capture_output=True, text=True, timeout=600, env={**os.environ, "GUIDELINE_SRC": str(src)})
    assert run.returncode == 0, run.stderr
    found = {p.name: p for p in [*(root / "build" / "hostile").iterdir(), *(root / "diff").iterdir()] if p.is_file()}
    for name in ("guideline.docx", "reibun.docx", "guideline.pdf", "comparison.docx", "tracked.docx",
                 "comparison.pdf", "redline.html", "comparison.html"):
        assert name in found, f"{name} was not written: {sorted(found)}"
    return found


def _docx_text(path: Path, *extra: str) -> str:
    conv = subprocess.run(["pandoc", *extra, "-f", "docx", "-t", "plain", "--wrap=none", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert conv.returncode == 0, conv.stderr
    return conv.stdout


@pytest.mark.parametrize("name", ["guideline.docx", "reibun.docx", "comparison.docx", "tracked.docx"])
def test_word_files_carry_no_active_content(outputs, name):
    path = outputs[name]
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert not [n for n in names if re.search(r"vbaProject|\.bin$|embeddings/|activeX|oleObject", n, re.I)], names
        types = z.read("[Content_Types].xml").decode("utf-8")
        assert "macroEnabled" not in types and "aFChunk" not in types and "oleObject" not in types
        links = 0
        for rels in (n for n in names if n.endswith(".rels")):
            for rel in lxml.etree.fromstring(z.read(rels)).iter(REL + "Relationship"):
                kind = rel.get("Type").rsplit("/", 1)[-1]
                assert kind not in ("attachedTemplate", "aFChunk", "oleObject", "package", "subDocument",
                                    "frame", "vbaProject"), (rels, kind)
                if rel.get("TargetMode") == "External":
                    assert kind == "hyperlink" and SAFE_LINK.match(rel.get("Target")), (rels, rel.get("Target"))
                    links += 1
                assert not BAD_SCHEME.match(rel.get("Target")), (rels, rel.get("Target"))
        for part in (n for n in names if n.startswith("word/") and n.endswith(".xml")):
            root = lxml.etree.fromstring(z.read(part))
            instr = "".join(t.text or "" for t in root.iter(W + "instrText"))
            fields = [f.get(W + "instr") for f in root.iter(W + "fldSimple")]
            for code in re.findall(r"(?:^|\s)([A-Z]{2,})\b", instr) + [f.split()[0] for f in fields if f.split()]:
                if code.isupper() and len(code) > 2 and code not in ("MERGEFORMAT",):
                    assert code in OUR_FIELDS, f"{name}/{part}: field {code}"
    if name in ("guideline.docx", "reibun.docx"):
        text = _docx_text(path)
        assert '<script>alert("commentary-3")</script>' in text or '<iframe srcdoc=' in text
    if name == "guideline.docx":
        assert '<script>alert("body")</script>' in text and '<img src=x onerror=alert("img")>' in text
        assert links >= 1  # the https link of the source is kept, as a hyperlink
    if name == "tracked.docx":
        accepted = _docx_text(path, "--track-changes=accept")
        rejected = _docx_text(path, "--track-changes=reject")
        assert NEW_PAYLOAD in accepted and ADDED_PAYLOAD in accepted
        assert '<script>alert("body")</script>' in rejected and ADDED_PAYLOAD not in rejected
    if name == "comparison.docx":
        text = _docx_text(path)
        assert NEW_PAYLOAD in text and '<script>alert("body")</script>' in text


@pytest.mark.parametrize("name", ["guideline.pdf", "comparison.pdf"])
def test_pdfs_carry_no_actions_or_scripts(outputs, name):
    import pikepdf

    path = outputs[name]
    uris = 0
    def dicts(obj, depth=0):
        """The dictionaries in one indirect object, its direct sub-objects included (annotation actions are)."""
        if depth > 20:
            return
        if isinstance(obj, pikepdf.Dictionary):
            yield obj
            children = obj.values()
        elif isinstance(obj, pikepdf.Array):
            children = list(obj)
        else:
            return
        for child in children:
            if isinstance(child, pikepdf.Object) and not child.is_indirect:
                yield from dicts(child, depth + 1)

    with pikepdf.open(path) as pdf:
        for top in pdf.objects:
            if isinstance(top, pikepdf.Stream):
                top = top.stream_dict
            for obj in dicts(top):
                for key in BAD_PDF_KEYS:
                    assert key not in obj, f"{name}: {key} in object {top.objgen}"
                if obj.get("/S") == pikepdf.Name("/URI"):
                    uri = str(obj.get("/URI"))
                    assert SAFE_LINK.match(uri), f"{name}: URI action {uri!r}"
                    uris += 1
                assert obj.get("/S") not in (pikepdf.Name("/JavaScript"), pikepdf.Name("/Launch"))
        assert "/Names" not in pdf.Root or "/JavaScript" not in pdf.Root.Names
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          timeout=120).stdout
    flat = re.sub(r"\s+", "", text)
    if name == "guideline.pdf":
        assert uris >= 1  # the https link of the source is a link
        assert re.sub(r"\s+", "", '<script>alert("body")</script>') in flat
        assert re.sub(r"\s+", "", '<img src=x onerror=alert("img")>') in flat
    else:
        assert re.sub(r"\s+", "", NEW_PAYLOAD) in flat and re.sub(r"\s+", "", ADDED_PAYLOAD) in flat


@pytest.mark.parametrize("name", ["redline.html", "comparison.html"])
def test_diff_html_outputs_are_inert(outputs, name):
    raw = outputs[name].read_text(encoding="utf-8")
    doc = lxml.html.document_fromstring(raw)
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        assert tag not in SMUGGLED - {"b"}, f"{name}: <{tag}> from the input became an element"
        for attr, value in el.attrib.items():
            attr = attr.lower()
            assert not attr.startswith("on") and attr not in ("style", "srcdoc"), f"{name}: <{tag} {attr}={value!r}>"
            if attr in URL_ATTRS:
                assert not BAD_SCHEME.match(value), f"{name}: <{tag} {attr}={value!r}>"
        if tag == "script":
            assert "alert(" not in (el.text or ""), f"{name}: a script carries input text"
            assert not el.get("src") or not BAD_SCHEME.match(el.get("src"))
        if tag == "style":
            css = (el.text or "").replace(" ", "")
            for payload in ("body{display:none}", "*{display:none}", "*{color:red}", "alert("):
                assert payload not in css, f"{name}: input CSS {payload!r} became part of a stylesheet"
    def without(tag: str) -> str:
        copy = lxml.html.document_fromstring(raw)
        for el in list(copy.iter(tag)):
            el.drop_tree()
        for el in list(copy.iter("script", "style")) + copy.find_class("vh"):  # vh: "削除：" for screen readers
            el.drop_tree()
        return copy.text_content()

    # the redline marks words inside a sentence: the new text is the page without <del>, the old without <ins>
    assert NEW_PAYLOAD in without("del") and ADDED_PAYLOAD in without("del")
    assert '<script>alert("body")</script>' in without("ins")
