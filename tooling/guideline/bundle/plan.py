"""What a release will publish, checked before a single byte is written: the edition passes ``check --strict``, the
previous edition reads, every named comment round reconciles with the edition and can be published; the private
fields of those rounds (to scan for), the frozen editions of the history page and the source revision."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from guideline import editions
from guideline.bundle.revision import source_revision
from guideline.comments import reconcile as rec
from guideline.comments import report as comment_report
from guideline.comments.privacy import private_values
from guideline.comments.store import comments_root as default_comments_root
from guideline.comments.store import list_rounds, load_round
from guideline.diagnostics import UserError
from guideline.diff.load import load_edition
from guideline.model import Edition
from guideline.reader import read_edition


@dataclass
class Plan:
    """Everything checked before a single byte is written."""

    spec: str
    edition: Edition
    previous: Edition | None
    rounds: list  # [(RoundData, consulted Edition, report.Result)]
    history: list[Edition]
    secrets: dict[str, str]
    sources: list[Path]  # files searched to locate personal data: edition sources and comment records
    revision: dict


def _strict(spec: str, src: Path | None) -> Edition:
    edition, report = editions.load(spec, src)
    if edition is None or report.failed(strict=True):
        n = len(report.errors) + len(report.warnings)
        raise UserError(f"edition {spec!r} does not pass guideline check --strict ({n} problem(s) above); "
                        "a release is built only from a clean edition", report=report)
    return edition


def plan(spec: str, previous: str | None, round_ids: list[str], src: Path | None = None,
         comments_root: Path | None = None) -> Plan:
    """Check what a release of ``spec`` publishes and gather it; the first problem stops it (UserError)."""
    src = src or editions.source_root()
    edition = _strict(spec, src)
    prev_spec = previous or edition.meta.previous
    prev_ed = None
    if prev_spec:
        if prev_spec in (spec, edition.meta.id):
            raise UserError(f"--previous {prev_spec!r} is the edition being released")
        try:
            prev_ed = load_edition(prev_spec)
        except UserError as exc:
            raise UserError(f"previous edition: {exc.message}", report=exc.report) from None

    croot = comments_root or default_comments_root()
    rounds = []
    secrets: dict[str, str] = {}
    sources = [Path(edition.meta.root) / f for f in edition.meta.files]
    for rid in dict.fromkeys(round_ids):
        data = load_round(rid, croot)
        try:
            consulted = editions.load_or_fail(data.round.edition, src)
        except UserError as exc:
            raise UserError(f"round {rid}: its edition {data.round.edition!r}: {exc.message}",
                            report=exc.report) from None
        siblings = [load_round(other, croot) for other in list_rounds(croot) if other != rid]
        siblings = [s for s in siblings if s.round.edition == data.round.edition]
        outcome = rec.reconcile(data, consulted, edition, siblings)
        if outcome.failed:
            lines = rec.lines(data, consulted, edition, outcome)
            raise UserError(f"round {rid} does not reconcile with {edition.meta.id}; the release would publish "
                            "answers that the text does not keep:\n  " + "\n  ".join(lines))
        try:
            result = comment_report.build(data, consulted, draft=False)
        except UserError as exc:
            raise UserError(f"round {rid}: {exc.message}", report=exc.report) from None
        rounds.append((data, consulted, result))
        for c in data.ordered():
            for piece in private_values(c.name, ""):
                secrets.setdefault(piece, f"private name of comment {rid}/{c.id}")
            for piece in private_values("", c.contact):
                secrets.setdefault(piece, f"private contact of comment {rid}/{c.id}")
            if c.loc.path:
                sources.append(Path(c.loc.path))
    history = history_editions(src, edition)
    rev = source_revision(spec, [src, croot])
    return Plan(spec, edition, prev_ed, rounds, history, secrets, sources, rev)


def history_editions(src: Path, edition: Edition) -> list[Edition]:
    """The frozen editions dated on or before ``edition`` (and ``edition`` itself), oldest first.

    Later editions are left out so that the bundle of an edition does not change when newer ones are frozen."""
    found: dict[str, Edition] = {}
    for eid in editions.list_editions(src):
        if eid == edition.meta.id:
            continue
        other, report = read_edition(src / "editions" / eid)
        if other is None or report.failed():
            raise UserError(f"edition {eid!r} (for the history page) has problems; fix them first "
                            f"(guideline check --edition {eid})", report=report)
        if other.meta.date <= edition.meta.date:
            found[eid] = other
    ordered = sorted(found.values(), key=lambda e: (e.meta.date, e.meta.id))
    return [*ordered, edition]
