"""Word comments in a reviewed copy of our DOCX → comment records.

A Word comment (``w:comment`` in ``word/comments.xml``) is anchored in ``word/document.xml`` by
``w:commentRangeStart``/``w:commentRangeEnd`` (or only a ``w:commentReference``). The record is anchored to the clause
the commented text belongs to: the innermost bookmark named by a clause ID that encloses the comment's start (a
bookmark around the whole clause), else the clause of the last heading before it (its bookmark, or the address its
heading numbers spell — so comments in the generated 解説 part, or in a DOCX made by other means, anchor too), plus any
clause that starts inside the commented range. The commented passage becomes the quote.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from guideline.comments.anchor import Resolver
from guideline.comments.model import COMMENT_ID_RE, Comment
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


_HEADING_STYLE = re.compile(r"^(?:heading|見出し)\s*(\d)$", re.IGNORECASE)
_LABEL = re.compile(r"^\s*(第\d+編|第\d+章|\d+\.(?:\d+\.)?|\(\d+\)|[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf])")


class _Walker:
    """Walks document.xml in reading order and tracks, at every point, the clause the text belongs to:

    1. the innermost clause bookmark that is open there (a bookmark around the whole clause), else
    2. the clause of the last heading before it: the clause bookmark in or at that heading, or — for headings that
       carry none (the generated 解説 part, a document not made by our writer) — the clause whose address the heading
       numbers spell (第3編第1章 1.(1) → the 例文 clause 1.(1)); a heading that resolves to nothing ends the clause.
    """

    def __init__(self, clause_ids: set[str], resolver):
        self.clause_ids = clause_ids
        self.resolver = resolver
        self.spans: dict[str, _Span] = {}
        self.open_marks: list[tuple[str, str]] = []  # (bookmark id, clause id) in opening order
        self.section: str | None = None
        self.numbers: dict[int, str] = {}

    def current(self) -> list[str]:
        if self.open_marks:
            return [self.open_marks[-1][1]]
        return [self.section] if self.section else []

    def _entered(self, clause_id: str) -> None:
        for span in self.spans.values():
            if not span.open:
                continue
            if not "".join(span.text).strip():
                span.start_clauses = [clause_id]  # the selection began just before the clause
            elif clause_id not in span.inner_clauses:
                span.inner_clauses.append(clause_id)

    def _text(self, value: str) -> None:
        for span in self.spans.values():
            if span.open:
                span.text.append(value)

    def _heading(self, p: etree._Element) -> None:
        style = p.find(f"{q('pPr')}/{q('pStyle')}")
        outline = p.find(f"{q('pPr')}/{q('outlineLvl')}")
        level = 0
        m = _HEADING_STYLE.match(_attr(style, "val")) if style is not None else None
        if m:
            level = int(m.group(1))
        elif outline is not None and _attr(outline, "val").isdigit():
            level = int(_attr(outline, "val")) + 1
        if not level:
            return
        marks = [_attr(b, "name") for b in p.iter(q("bookmarkStart")) if _attr(b, "name") in self.clause_ids]
        text = "".join(t.text or "" for t in p.iter(q("t")))
        label = _LABEL.match(text)
        self.numbers = {k: v for k, v in self.numbers.items() if k < level}
        if label:
            self.numbers[level] = label.group(1)
        if marks:
            self.section = marks[0]
            return
        self.section = None
        if self.resolver is None or not label:
            return
        head = "".join(self.numbers.get(k, "") for k in (1, 2))
        local = self.numbers.get(4) or self.numbers.get(3, "")
        local += "".join(self.numbers.get(k, "") for k in (5, 6))
        anchor = self.resolver.resolve(f"{head} {local}".strip())
        if anchor.status == "resolved" and len(anchor.clauses) == 1:
            self.section = anchor.clauses[0]
            self._entered(self.section)

    def visit(self, el: etree._Element) -> None:
        tag = el.tag
        if tag == q("p"):
            self._heading(el)
        elif tag == q("bookmarkStart"):
            name = _attr(el, "name")
            if name in self.clause_ids:
                self.open_marks.append((_attr(el, "id"), name))
                self.section = name
                self._entered(name)
            return
        elif tag == q("bookmarkEnd"):
            bid = _attr(el, "id")
            for i in range(len(self.open_marks) - 1, -1, -1):
                if self.open_marks[i][0] == bid:
                    del self.open_marks[i]
                    break
            return
        elif tag == q("commentRangeStart"):
            span = self.spans.setdefault(_attr(el, "id"), _Span())
            span.start_clauses = self.current()
            span.open = span.seen = True
            return
        elif tag == q("commentRangeEnd"):
            self.spans.setdefault(_attr(el, "id"), _Span()).open = False
            return
        elif tag == q("commentReference"):
            span = self.spans.setdefault(_attr(el, "id"), _Span())
            if not span.seen:  # a comment without a range: anchored where its mark stands
                span.start_clauses = self.current()
                span.seen = True
            return
        elif tag in (q("delText"), q("instrText")):
            return  # deleted text and field codes are not what the reader saw
        elif tag == q("t"):
            self._text(el.text or "")
            return
        elif tag == q("tab"):
            self._text("\t")
            return
        elif tag in (q("br"), q("cr")):
            self._text("\n")
            return
        for child in el:
            self.visit(child)
        if tag == q("p"):
            self._text("\n")


def _walk(document: etree._Element, clause_ids: set[str], resolver=None) -> dict[str, _Span]:
    walker = _Walker(clause_ids, resolver)
    walker.visit(document)
    return walker.spans


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
    spans = _walk(document, clause_ids, Resolver(edition))
    prefix = prefix or default_prefix(path)
    out: list[tuple[Comment, Loc]] = []
    seen: dict[str, int] = {}
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
        cid = f"{prefix}-{number:02d}" if number >= 0 else f"{prefix}-m{-number}"
        if not COMMENT_ID_RE.match(cid):
            report.error(loc, f"Word comment {wid}: the record id {cid[:60]!r} is not usable (letters, digits, - and _, "
                              "at most 40 characters; shorten --id-prefix); skipped")
            continue
        if cid in seen:
            report.error(loc, f"Word comment {wid}: id {cid} is already used by the comment at line {seen[cid]} of "
                              "this file; skipped")
            continue
        seen[cid] = loc.line
        comment = Comment(
            id=cid,
            text=text, category=category, received=date, name=submitter or _attr(el, "author"), contact="",
            location=location, clauses=tuple(clauses), anchor=anchor, anchor_note=note, quote=quote,
            source_file=path.name, source_row=number,
        )
        out.append((comment, loc))
    return out
