"""Writers of a change set (:class:`guideline.diff.ChangeSet`): what ``guideline diff`` and ``release`` publish —
changes.json, the HTML redline, the 新旧対照表 (HTML, Word, PDF) and the Word file with tracked changes. Each renders
one file as ``render(changeset, options) -> str | bytes`` (:mod:`guideline.writers.registry`)."""
from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class ChangeOptions:
    """What a reader of the change-set outputs may choose; every writer takes all of it and uses what concerns it."""

    columns: str = "new-old"  # 新旧対照表: 改正後|改正前 (new-old) or 改正前|改正後 (old-new)
    author: str | None = None  # tracked.docx: author of the revisions (None: the new edition's title)
    date: datetime.datetime | datetime.date | str | None = None  # tracked.docx: revision date (None: new edition's)
