"""Mutated inputs for ``guideline import`` (issue 18): the fixture documents with lines deleted, repeated, cut or
with stray numbering lines inserted (text, HTML), and with their document.xml cut and spliced (Word). Every case
either imports into an edition that `guideline check --strict` accepts or is refused with a UserError — never an
internal error. Seeded and bounded (the seed and case number are in every failure)."""
from __future__ import annotations

import io
import random
import sys
import zipfile

import pytest
from import_support import FIXTURES, load_checked

from guideline.diagnostics import UserError
from guideline.importers.document import import_document, write_result

sys.path.insert(0, str(FIXTURES))
import docx_fixtures  # noqa: E402

SEED = 18
CASES = 40
STRAY = ["第1条", "附則", "附　則　抄", "目次", "（解説）", "【解説】", "第3章の2", "(1)", "① ", "第2編 解説", "1.1.",
         "<table><tr><td rowspan=9>x</td></tr></table>", "<div>", "第99条の99の9 x", "（見出し）", "ア", "- 3 -"]


def _mutate_text(rng: random.Random, data: bytes) -> bytes:
    lines = data.decode("utf-8").split("\n")
    for _ in range(rng.randint(1, 8)):
        j = rng.randrange(len(lines))
        op = rng.randrange(4)
        if op == 0:
            del lines[j]
        elif op == 1:
            lines.insert(j, rng.choice(lines))
        elif op == 2:
            lines[j] = lines[j][: rng.randrange(len(lines[j]) + 1)]
        else:
            lines.insert(j, rng.choice(STRAY))
    return "\n".join(lines).encode("utf-8")


def _mutate_docx(rng: random.Random, data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        files = {n: z.read(n) for n in z.namelist()}
    doc = bytearray(files["word/document.xml"])
    for _ in range(rng.randint(1, 4)):
        pos = rng.randrange(len(doc))
        doc[pos:pos + rng.randint(0, 20)] = rng.choice(
            [b"", b"<w:p>", b"</w:p>", "<w:r><w:t>第1条</w:t></w:r>".encode(), bytes([rng.randrange(256)])])
    files["word/document.xml"] = bytes(doc)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, content in files.items():
            z.writestr(name, content)
    return buf.getvalue()


def _seeds() -> dict[str, bytes]:
    return {"kunrei.txt": (FIXTURES / "kunrei.txt").read_bytes(),
            "kunrei.html": (FIXTURES / "kunrei.html").read_bytes(),
            "pdf.txt": (FIXTURES / "pdf-extract.txt").read_bytes(),
            "kaisetsu.txt": (FIXTURES / "kaisetsu-part.txt").read_bytes(),
            "auto.docx": docx_fixtures.auto_numbered(), "plain.docx": docx_fixtures.no_styles()}


@pytest.mark.parametrize("case", range(CASES))
def test_mutated_input_imports_cleanly_or_is_refused(tmp_path, case):
    rng = random.Random(f"{SEED}-{case}")
    name, data = rng.choice(sorted(_seeds().items()))
    data = _mutate_docx(rng, data) if name.endswith(".docx") else _mutate_text(rng, data)
    src = tmp_path / name
    src.write_bytes(data)
    try:
        result = import_document(src, edition_id="mutated")
    except UserError as exc:
        assert name in str(exc), f"seed {SEED} case {case}: {exc}"
        return
    write_result(result, tmp_path / "mutated")
    load_checked(tmp_path / "mutated", tmp_path)
    assert len(result.paragraphs) == result.report["counts"]["paragraphs"]
