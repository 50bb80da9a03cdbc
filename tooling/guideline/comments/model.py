"""Comment rounds and comment records (the contract is docs/comments-format.md).

A :class:`Round` is one consultation (意見照会) or public comment (意見募集) on one edition; a :class:`Comment` is one
opinion received in it. Records are immutable: commands build changed copies with :func:`dataclasses.replace` and the
store writes them back.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from guideline.diagnostics import Loc
from guideline.vocabulary import wareki

ROUND_KINDS = ("consultation", "public-comment", "other")
CATEGORIES = ("個人", "法人・団体", "地方公共団体")
DISPOSITIONS = ("修正あり", "修正なし", "参考", "対象外")
STATUSES = ("received", "triaged", "drafted", "approved", "published")
STATUS_JA = {"received": "受付", "triaged": "振分済", "drafted": "回答案", "approved": "決裁済", "published": "公表済"}
# how the comment is tied to the text
ANCHORS = ("resolved", "manual", "general", "unresolved")
# 修正の有無 column of the published table
DISPOSITION_MARK = {"修正あり": "有", "修正なし": "無", "参考": "無", "対象外": "－", "": ""}

COMMENT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
ROUND_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
RESERVED_IDS = {"round", "source"}


@dataclass(frozen=True, slots=True)
class Round:
    id: str
    kind: str
    title: str
    edition: str  # the consulted edition: a frozen edition id, a directory, or git:REF[:EDITION]
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    published: datetime.date | None = None  # the day the draft was put out (案の公示日)
    result_date: datetime.date | None = None  # the day the result is published; printed on the report
    subject: str = ""  # what was consulted on, as printed in the report
    organisation: str = ""  # who publishes the result
    default_prefix: str = ""  # 編/章 assumed for bare addresses such as "6.2.(1)" when they are ambiguous
    editorial: tuple[tuple[str, str], ...] = ()  # (clause id, reason): changes explained without a comment
    loc: Loc = Loc("", 0)

    def period_text(self) -> str:
        if self.period_start and self.period_end:
            return f"{wareki(self.period_start)}から{wareki(self.period_end)}まで"
        return ""


@dataclass(frozen=True, slots=True)
class Comment:
    id: str
    text: str  # the opinion verbatim (never changed after import)
    category: str = ""  # 個人 | 法人・団体 | 地方公共団体
    received: datetime.date | None = None
    name: str = ""  # PRIVATE: submitter's name or organisation
    contact: str = ""  # PRIVATE: address, e-mail, phone
    location: str = ""  # 該当箇所 as the submitter or staff wrote it
    clauses: tuple[str, ...] = ()  # clause IDs in the round's edition
    anchor: str = "unresolved"  # resolved | manual | general | unresolved
    anchor_note: str = ""  # why an anchor is unresolved, or the candidates of an ambiguous one
    quote: str = ""  # the passage commented on
    summary: str = ""  # 意見の概要 (published)
    response: str = ""  # 意見に対する考え方 (published)
    response_of: str = ""  # id of the comment whose response and disposition this one shares
    disposition: str = ""  # 修正あり | 修正なし | 参考 | 対象外
    status: str = "received"
    changed_clauses: tuple[str, ...] = ()  # clause IDs changed because of this comment
    source_file: str = ""  # where it was imported from (file name only)
    source_row: int = 0  # row (CSV/XLSX) or Word comment id (DOCX)
    loc: Loc = field(default=Loc("", 0), compare=False)

    # fields staff edit in the response workbook; everything else is owned by import
    EDITABLE = ("clauses", "summary", "response", "response_of", "disposition", "status", "changed_clauses")
    # fields that come from the submission; a re-import compares these
    ORIGINAL = ("text", "category", "received", "name", "contact", "location", "quote")
    # published in the result report
    PUBLISHED = ("summary", "response", "location")
    PRIVATE = ("name", "contact")

    def to_dict(self) -> dict[str, Any]:
        """The record as written to YAML, in a fixed key order; empty optional fields are left out."""
        out: dict[str, Any] = {"id": self.id}
        if self.received is not None:
            out["received"] = self.received
        out["category"] = self.category
        private = {k: v for k, v in (("name", self.name), ("contact", self.contact)) if v}
        if private:
            out["private"] = private
        out["location"] = self.location
        out["anchor"] = self.anchor
        out["clauses"] = list(self.clauses)
        if self.anchor_note:
            out["anchor_note"] = self.anchor_note
        if self.quote:
            out["quote"] = self.quote
        out["text"] = self.text
        out["summary"] = self.summary
        out["response"] = self.response
        if self.response_of:
            out["response_of"] = self.response_of
        out["disposition"] = self.disposition
        out["status"] = self.status
        out["changed_clauses"] = list(self.changed_clauses)
        if self.source_file:
            out["source"] = {"file": self.source_file, "row": self.source_row}
        return out

    def digest(self) -> str:
        """A short hash of the whole record: the response workbook carries it to detect edits since export."""
        data = self.to_dict()
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def original_key(self) -> tuple:
        return tuple(getattr(self, f) for f in self.ORIGINAL)


def sort_key(comment_id: str) -> tuple:
    """Natural order: 2 before 10, "A-2" before "A-10"."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", comment_id) if p)
