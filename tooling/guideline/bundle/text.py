"""The readable text of a produced file, for the personal-data scan: HTML and other text files as written and without
tags, JSON's strings, the XML parts of Word and Excel files, a PDF through ``pdftotext`` (poppler-utils)."""
from __future__ import annotations

import contextlib
import html as htmllib
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Iterator

from guideline.diagnostics import UserError

TEXT_SUFFIXES = {".html", ".htm", ".json", ".csv", ".txt", ".js", ".css", ".xml", ".svg", ".md"}
ZIP_SUFFIXES = {".docx", ".xlsx"}


def _xml_text(name: str, blob: bytes) -> str:
    """The text nodes of an OOXML part, paragraphs and cells apart (a blank line between them, so that numbers in
    neighbouring cells never join into a phone number); for relationship parts, the link targets (mailto:)."""
    text = blob.decode("utf-8", "replace")
    if name.endswith(".rels"):
        return "\n\n".join(htmllib.unescape(t) for t in re.findall(r'\bTarget="([^"]*)"', text))
    text = re.sub(r"</(?:w:p|a:p|si|c|row|text:p|dc:[a-z]+|cp:[a-zA-Z]+|dcterms:[a-zA-Z]+)>|<w:br\b[^>]*/>|"
                  r"<w:tab\s*/>|<w:cr\s*/>", "\n\n", text)
    return htmllib.unescape(re.sub(r"<[^>]+>", "", text))


def pdf_text(path: Path) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        raise UserError(f"cannot check {path.name} for personal data: pdftotext is not installed "
                        "(Debian package poppler-utils)")
    # -raw: content-stream order, so the text of a table cell stays together (layout order interleaves columns)
    proc = subprocess.run([exe, "-q", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=600,
                          check=False)
    if proc.returncode != 0:
        raise UserError(f"cannot check {path.name} for personal data: pdftotext failed "
                        f"({proc.stderr.decode('utf-8', 'replace').strip() or proc.returncode})")
    return proc.stdout.decode("utf-8", "replace")


def text_of(path: Path) -> list[str] | None:
    """The readable text of an output as the versions worth scanning, or None for files that hold no text."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        raw = path.read_bytes().decode("utf-8", "replace")
        out = [htmllib.unescape(raw)]
        if suffix in (".html", ".htm", ".xml", ".svg"):
            out.append(htmllib.unescape(re.sub(r"<[^>]+>", "", raw)))
        if suffix == ".json":
            with contextlib.suppress(ValueError):
                out.append("\n".join(_json_strings(json.loads(raw))))
        return out
    if suffix in ZIP_SUFFIXES:
        parts = []
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.filename.endswith((".xml", ".rels")):
                    parts.append(_xml_text(info.filename, zf.read(info)))
        return ["\n\n".join(parts)]
    if suffix == ".pdf":
        text = pdf_text(path)
        # a phone number or address broken over two lines after a hyphen or a dot
        return [text, re.sub(r"(?<=[\-.@])\n", "", text)]
    return None


def _json_strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)
