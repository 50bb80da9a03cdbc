"""``guideline lint --fix``: apply the mechanical fixes of findings to the source files.

Only fixes whose text was mapped exactly to the source are offered (see :class:`guideline.lint.core.Unit`); each is
checked against the file as it is on disk, overlapping fixes keep the first, and every file is written atomically
after all edits are worked out, so an interrupted run leaves each file either as it was or fully fixed.
"""
from __future__ import annotations

from pathlib import Path

from guideline.diagnostics import UserError
from guideline.fileio import atomic_write
from guideline.lint.core import Finding, Fix


def apply(findings: list[Finding]) -> list[Finding]:
    """Apply the fixes of ``findings``; returns the findings whose fix was applied, in file order."""
    by_path: dict[str, list[tuple[Fix, Finding]]] = {}
    for f in findings:
        if f.fix is not None:
            by_path.setdefault(f.fix.path, []).append((f.fix, f))
    plans: list[tuple[Path, str, list[Finding]]] = []
    for path, fixes in sorted(by_path.items()):
        try:
            raw = Path(path).read_bytes()
            text = raw.decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"cannot read {path} to fix it: {exc}") from None
        if "\r" in text:
            continue  # positions were taken on LF text; a CRLF file is left to `guideline check`'s warning
        fixes.sort(key=lambda pair: (pair[0].offset, pair[1].sort_key()))
        pieces: list[str] = []
        applied: list[Finding] = []
        pos = 0
        for fix, finding in fixes:
            if fix.offset < pos or text[fix.offset:fix.offset + len(fix.old)] != fix.old:
                continue  # overlaps an earlier fix, or the file changed since it was read
            pieces.append(text[pos:fix.offset])
            pieces.append(fix.new)
            pos = fix.offset + len(fix.old)
            applied.append(finding)
        if applied:
            pieces.append(text[pos:])
            bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
            plans.append((Path(path), bom + "".join(pieces), applied))
    done: list[Finding] = []
    for path, new_text, applied in plans:
        atomic_write(path, new_text)
        done.extend(applied)
    return done
