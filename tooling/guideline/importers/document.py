"""The import entry point: :func:`import_document` reads a Word, HTML or text document into an :class:`ImportResult`
(the Edition model, its source files and the import report) without writing anything; :func:`write_result` writes
it as a new edition directory, whole or not at all.

Other commands (``local align``) call :func:`import_document` and use ``result.edition`` (the numbered model, with
IDs) and ``result.paragraphs`` (what became of every source paragraph: the clause ID it went to, or why not).
"""
from __future__ import annotations

import datetime
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from guideline import jsontext
from guideline.diagnostics import UserError, display_path
from guideline.fileio import new_sibling, swap_directory
from guideline.importers import edition as ed
from guideline.importers.docx import read_docx
from guideline.importers.html import read_html
from guideline.importers.stream import SourcePara, with_inner
from guideline.importers.structure import build, wareki_date
from guideline.importers.text import read_text
from guideline.model import Edition
from guideline.writers.edition.markdown_source import render_files

FORMATS = ("docx", "html", "text")
REPORT_NAME = "import-report.json"


@dataclass
class ImportResult:
    """An imported document: the edition (numbered model), its files, the report and a short summary."""

    edition: Edition
    files: dict[str, str | bytes]  # relative path → content: edition.yaml, the .md files, figures/*
    report: dict
    paragraphs: list[dict] = field(default_factory=list)  # one entry per source paragraph (also in report)

    def summary(self) -> list[str]:
        r = self.report
        counts = r["counts"]
        lines = [f"{r['source']}: {r['format']} ({r['family']} numbering), {counts['clauses']} clauses, "
                 f"{counts['paragraphs']} paragraphs: " + ", ".join(f"{v} {k}" for k, v in sorted(counts['by_status'].items()))]
        for p in self.paragraphs:
            if p["status"] == "unplaced":
                lines.append(f"  unplaced: {p['where']}: {p['text'][:40]} ({p['reason']})")
        for f in r["findings"]:
            lines.append(f"  {f['kind']}: {f['message']}")
        word = r.get("word")
        if word:
            tc = word["tracked_changes"]
            if tc["insertions"] or tc["deletions"]:
                lines.append(f"  tracked changes accepted: {tc['insertions']} insertions, {tc['deletions']} deletions")
            if word["comments"]:
                lines.append(f"  {word['comments']} Word comments ignored")
        for note in r.get("neutralised", []):
            lines.append(f"  neutralised: {note}")
        return lines


def detect_format(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix in (".docx", ".docm", ".dotx"):
        return "docx"
    if suffix in (".html", ".htm", ".xhtml"):
        return "html"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    sniff = head[:2048].lstrip().lower()
    if sniff.startswith((b"<!doctype html", b"<html")) or b"<body" in sniff:
        return "html"
    return "text"


def read_stream(path: Path, fmt: str = "auto") -> tuple[list[SourcePara], dict, str]:
    """The paragraph stream of ``path`` and what the reader says about the input; the format used."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise UserError(f"cannot read {display_path(path)}: {exc.strerror or exc}") from None
    if fmt == "auto":
        fmt = detect_format(path, head)
    if fmt == "docx":
        paras, info = read_docx(path)
    elif fmt == "html":
        paras, info = read_html(path)
    else:
        paras, info = read_text(path)
    return paras, info, fmt


def import_document(path: str | os.PathLike[str], fmt: str = "auto", edition_id: str | None = None,
                    title: str | None = None) -> ImportResult:
    """Read ``path`` and build the edition; raises :class:`UserError` when the input cannot be read."""
    path = Path(path)
    if fmt not in ("auto", *FORMATS):
        raise UserError(f"unknown input format {fmt!r}; use one of auto, {', '.join(FORMATS)}")
    paras, info, fmt = read_stream(path, fmt)
    built = build(paras, title=title, fallback_title=path.stem)
    title = title or built.title or path.stem
    ed.assign_ids(built.parts, built.family)
    if not built.parts:
        raise UserError(f"{display_path(path)}: no text found to import")
    figures = ed.figure_files(paras)
    date, date_from = _date(built, info, path)
    label = built.instrument
    edition_id = edition_id or _default_id(path)
    source = ed.source_edition(built, edition_id, title, date, label, {k: v[0] for k, v in figures.items()})
    edition = ed.numbered(source)

    files: dict[str, str | bytes] = dict(render_files(source))
    for name, data in figures.values():
        files[name] = data
    paragraphs = _paragraph_entries(built)
    findings = []
    for f in built.findings:
        entry = {k: v for k, v in f.items() if k != "clause"}
        if f.get("clause") is not None:
            entry["clause"] = f["clause"].id
        findings.append(entry)
    findings.extend(ed.number_differences(built, edition))
    by_status: dict[str, int] = {}
    for p in paragraphs:
        by_status[p["status"]] = by_status.get(p["status"], 0) + 1
    report = {
        "source": path.name,
        "format": fmt,
        "family": built.family,
        "edition": {"id": edition_id, "title": title, "label": label, "date": date.isoformat(), "date_from": date_from,
                    "reibun_part": edition.meta.reibun_part, "numbering": edition.meta.numbering},
        "counts": {"paragraphs": len(paragraphs), "clauses": sum(1 for _ in edition.clauses()), "by_status": by_status},
        "paragraphs": paragraphs,
        "numbers": ed.report_numbers(built, edition),
        "findings": findings,
        "toc": [{"where": e.para.where, "label": e.marker.label, "heading": e.heading,
                 "range": e.range.text if e.range else ""} for e in built.toc],
        "files": sorted(files),
        "figures": [{"file": files_name, "alt": _alt_of(paras, key)} for key, (files_name, _) in figures.items()],
    }
    for key in ("encoding", "word", "neutralised", "html"):
        if key in info:
            report[key] = info[key]
    return ImportResult(edition, files, report, paragraphs)


def _alt_of(paras: list[SourcePara], key: int) -> str:
    for p in with_inner(paras):
        if p.figure is not None and id(p.figure) == key:
            return p.figure.alt
    return ""


def _paragraph_entries(built) -> list[dict]:
    out = []
    for pl in sorted(built.placements, key=lambda x: x.para.index):
        entry = {"index": pl.para.index, "where": pl.para.where, "text": pl.para.text.strip()[:60],
                 "status": pl.status}
        if pl.node is not None:
            entry["clause"] = pl.node.id
        if pl.as_:
            entry["as"] = pl.as_
        if pl.reason:
            entry["reason"] = pl.reason
        out.append(entry)
    return out


def _date(built, info: dict, path: Path) -> tuple[datetime.date, str]:
    for text, where in ((built.instrument, "instrument line"), *((f, "front matter") for f in built.front)):
        iso = wareki_date(text) if text else ""
        if iso:
            return datetime.date.fromisoformat(iso), where
    if info.get("date"):
        return datetime.date.fromisoformat(info["date"]), info.get("date_from", "document properties")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).date(), "SOURCE_DATE_EPOCH"
    mtime = path.stat().st_mtime
    return datetime.datetime.fromtimestamp(mtime, datetime.timezone.utc).date(), "file modification time"


def _default_id(path: Path) -> str:
    base = re.sub(r"[^a-z0-9-]+", "-", path.stem.lower()).strip("-")
    if not base or not base[0].isalnum():
        base = "imported"
    return base[:40]


def write_result(result: ImportResult, out_dir: str | os.PathLike[str], force: bool = False) -> Path:
    """Write the edition and ``import-report.json`` into ``out_dir``, atomically (assembled beside it, then swapped
    in). An existing non-empty ``out_dir`` is replaced only with ``force``."""
    target = Path(out_dir)
    if target.exists() and not target.is_dir():
        raise UserError(f"{display_path(target)} exists and is not a directory")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise FileExistsError(str(target))
    tmp = new_sibling(target)
    try:
        for name, data in result.files.items():
            dest = tmp / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, str):
                dest.write_text(data, encoding="utf-8", newline="\n")
            else:
                dest.write_bytes(data)
        (tmp / REPORT_NAME).write_text(jsontext.dumps(result.report) + "\n", encoding="utf-8")
        for dirpath, _dirnames, filenames in os.walk(tmp):
            os.chmod(dirpath, 0o755)
            for name in filenames:
                os.chmod(os.path.join(dirpath, name), 0o644)
        swap_directory(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


__all__ = ["import_document", "write_result", "ImportResult", "FORMATS", "REPORT_NAME", "read_stream"]
