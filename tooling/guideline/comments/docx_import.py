"""Word comments in a reviewed copy of our DOCX → comment records.

Our DOCX writer puts a bookmark named by the clause ID around each clause. A Word comment (``w:comment`` in
``word/comments.xml``) is anchored in ``word/document.xml`` by ``w:commentRangeStart``/``w:commentRangeEnd`` (or only a
``w:commentReference``); the record is anchored to the innermost clause bookmark open where the comment starts (and
any clause whose bookmark starts inside the commented range), and the commented passage becomes the quote.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from guideline.comments.model import Comment
from guideline.comments.safezip import SafeZip
from guideline.comments.store import normalise_text
from guideline.diagnostics import Loc, Report, UserError
from guideline.model import Edition

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass
class _Span:
    start_clauses: list[str] = field(default_factory=list)
    inner_clauses: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    open: bool = False
    seen: bool = False


def _attr(el: etree._Element, name: str) -> str:
    return el.get(q(name)) or ""


def _walk(document: etree._Element, clause_ids: set[str]) -> dict[str, _Span]:
    spans: dict[str, _Span] = {}
    open_marks: list[tuple[str, str]] = []  # (bookmark id, clause id) in opening order

    def current() -> list[str]:
        return [open_marks[-1][1]] if open_marks else []

    def visit(el: etree._Element) -> None:
        tag = el.tag
        if tag == q("bookmarkStart"):
            name = _attr(el, "name")
            if name in clause_ids:
                open_marks.append((_attr(el, "id"), name))
                for span in spans.values():
                    if not span.open:
                        continue
                    if not "".join(span.text).strip():
                        span.start_clauses = [name]  # the selection began just before the clause's bookmark
                    elif name not in span.inner_clauses:
                        span.inner_clauses.append(name)
            return
        if tag == q("bookmarkEnd"):
            bid = _attr(el, "id")
            for i in range(len(open_marks) - 1, -1, -1):
                if open_marks[i][0] == bid:
                    del open_marks[i]
                    break
            return
        if tag == q("commentRangeStart"):
            span = spans.setdefault(_attr(el, "id"), _Span())
            span.start_clauses = current()
            span.open = span.seen = True
            return
        if tag == q("commentRangeEnd"):
            span = spans.setdefault(_attr(el, "id"), _Span())
            span.open = False
            return
        if tag == q("commentReference"):
            span = spans.setdefault(_attr(el, "id"), _Span())
            if not span.seen:  # a comment without a range: anchored where its mark stands
                span.start_clauses = current()
                span.seen = True
            return
        if tag in (q("delText"), q("instrText")):
            return  # deleted text and field codes are not what the reader saw
        if tag == q("t"):
            for span in spans.values():
                if span.open:
                    span.text.append(el.text or "")
            return
        if tag == q("tab"):
            for span in spans.values():
                if span.open:
                    span.text.append("\t")
            return
        if tag in (q("br"), q("cr")):
            for span in spans.values():
                if span.open:
                    span.text.append("\n")
            return
        for child in el:
            visit(child)
        if tag == q("p"):
            for span in spans.values():
                if span.open:
                    span.text.append("\n")

    visit(document)
    return spans


def _comment_text(el: etree._Element) -> str:
    paras = []
    for p in el.iter(q("p")):
        parts = []
        for node in p.iter(q("t"), q("tab"), q("br"), q("cr")):
            if node.tag == q("t"):
                parts.append(node.text or "")
            elif node.tag == q("tab"):
                parts.append("\t")
            else:
                parts.append("\n")
        paras.append("".join(parts))
    return normalise_text("\n".join(paras))


def default_prefix(path: Path) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(path).stem).strip("-_")
    return (stem or "docx")[:30]


def read(path: Path, edition: Edition, report: Report, category: str, submitter: str = "",
         prefix: str = "", received: datetime.date | None = None) -> list[tuple[Comment, Loc]]:
    path = Path(path)
    with SafeZip(path, "DOCX") as z:
        if "word/document.xml" not in z.names:
            raise UserError(f"{path}: not a Word document (no word/document.xml)")
        document = z.xml("word/document.xml")
        comments_xml = z.xml("word/comments.xml") if "word/comments.xml" in z.names else None
    if comments_xml is None:
        return []
    clause_ids = {c.id for c in edition.clauses()}
    spans = _walk(document, clause_ids)
    prefix = prefix or default_prefix(path)
    out: list[tuple[Comment, Loc]] = []
    for el in comments_xml.iter(q("comment")):
        wid = _attr(el, "id")
        loc = Loc(f"{path}:word/comments.xml", el.sourceline or 0)
        if not re.fullmatch(r"-?\d+", wid):
            report.error(loc, f"Word comment with id {wid!r}: not a number; skipped")
            continue
        text = _comment_text(el)
        if not text:
            report.warning(loc, f"Word comment {wid} is empty; skipped")
            continue
        span = spans.get(wid)
        clauses: list[str] = []
        if span is not None:
            for cid in [*span.start_clauses, *span.inner_clauses]:
                if cid not in clauses:
                    clauses.append(cid)
        quote = normalise_text("".join(span.text)) if span is not None else ""
        date = received
        raw_date = _attr(el, "date")
        if raw_date:
            try:
                date = datetime.date.fromisoformat(raw_date[:10])
            except ValueError:
                report.warning(loc, f"Word comment {wid}: date {raw_date!r} is not ISO 8601; using --received")
        if clauses:
            anchor, note = "resolved", ""
            location = "、".join(edition.by_id[c].address or edition.by_id[c].heading for c in clauses)
        else:
            anchor = "unresolved"
            note = ("the comment is not inside any clause bookmark (was the file made by guideline build?)"
                    if span is not None else "the comment has no mark in the document text")
            location = ""
        number = int(wid)
        comment = Comment(
            id=f"{prefix}-{number:02d}" if number >= 0 else f"{prefix}-m{-number}",
            text=text, category=category, received=date, name=submitter or _attr(el, "author"), contact="",
            location=location, clauses=tuple(clauses), anchor=anchor, anchor_note=note, quote=quote,
            source_file=path.name, source_row=number,
        )
        out.append((comment, loc))
    return out
