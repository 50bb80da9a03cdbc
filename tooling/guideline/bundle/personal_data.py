"""The personal-data scan of a bundle: e-mail addresses, phone numbers and postal codes (the comments package's
patterns) and the private submitter fields of the published comment rounds, in every file produced; each finding
reported at the source lines that hold it."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from guideline.bundle.text import text_of
from guideline.comments import privacy
from guideline.diagnostics import Loc, Report

# identifiers that look like digits and dashes in places (UUIDs, hashes) are not phone numbers
NOT_TEXT = re.compile(r"\b[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\b|\b[0-9a-fA-F]{16,}\b")
_SPACE = re.compile(r"\s+")


@dataclass
class Finding:
    value: str
    kind: str  # e-mail address / phone number / postal code / private field of a comment
    files: list[str] = field(default_factory=list)
    origin: str = ""  # e.g. "comment r6-public/012 (private name)"


class PersonalDataScanner:
    """Scans produced files for e-mail addresses, phone numbers and postal codes (the comments package's patterns)
    and for the private submitter fields of the named rounds."""

    def __init__(self, secrets: dict[str, str] | None = None):
        self.secrets = {s: origin for s, origin in (secrets or {}).items() if len(_SPACE.sub("", s)) >= 2}
        self.findings: dict[tuple[str, str], Finding] = {}

    def scan(self, root: Path, rel: str, text_override: list[str] | None = None) -> None:
        texts = text_override if text_override is not None else text_of(root / rel)
        if not texts:
            return
        for text in texts:
            text = NOT_TEXT.sub(" ", text)
            for value in privacy.find(text):
                self._add(value, _kind(value), rel)
            squeezed = _SPACE.sub("", text)
            for secret, origin in self.secrets.items():
                if secret in text or _SPACE.sub("", secret) in squeezed:
                    self._add(secret, "private field of a comment", rel, origin)

    def _add(self, value: str, kind: str, rel: str, origin: str = "") -> None:
        f = self.findings.setdefault((kind, value), Finding(value, kind, origin=origin))
        if rel not in f.files:
            f.files.append(rel)

    def report(self, sources: list[Path]) -> Report:
        """Every finding as ``path:line: error:`` at the source lines that hold it (or without a line)."""
        report = Report()
        for f in sorted(self.findings.values(), key=lambda f: (f.kind, f.value)):
            shown = ", ".join(f.files[:6]) + (f" and {len(f.files) - 6} more" if len(f.files) > 6 else "")
            origin = f" — {f.origin}" if f.origin else ""
            message = f"personal data would be published: {f.kind} {f.value!r}{origin} in {shown}"
            locs = list(_locate(f.value, sources))
            if not locs:
                report.error(Loc("<release>", 0), message)
            for loc in locs:
                report.error(loc, message)
        return report


def _kind(value: str) -> str:
    if "@" in value or "＠" in value:
        return "e-mail address"
    if "〒" in value:
        return "postal code"
    return "phone number"


def _locate(value: str, sources: list[Path]) -> Iterator[Loc]:
    for path in sources:
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
        except OSError:
            continue
        for n, line in enumerate(lines, 1):
            if value in line:
                yield Loc(str(path), n)
