"""Problems found in user input, reported as ``path:line: severity: message``.

Every reader and checker collects :class:`Diagnostic` records into a :class:`Report` instead of raising, so that a
user sees every problem at once. :class:`UserError` is for the one fatal problem that stops a command (a missing
edition, an output that cannot be written); the CLI prints it without a traceback and exits 1.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Iterable

ERROR = "error"
WARNING = "warning"


def display_path(path: str | os.PathLike[str]) -> str:
    """A path as the user should see it: relative to the working directory when it lies below it."""
    p = os.fspath(path)
    try:
        rel = os.path.relpath(p)
    except ValueError:  # different drive (Windows)
        return p
    return p if rel.startswith("..") else rel


@dataclass(frozen=True, slots=True)
class Loc:
    """A place in a source file: the path as given and a 1-based line (0 when the whole file is meant)."""

    path: str
    line: int = 0

    def __str__(self) -> str:
        shown = display_path(self.path)
        return f"{shown}:{self.line}" if self.line else shown


@dataclass(frozen=True, slots=True)
class Diagnostic:
    loc: Loc
    severity: str
    message: str

    def __str__(self) -> str:
        return f"{self.loc}: {self.severity}: {self.message}"


@dataclass
class Report:
    """Collected diagnostics, in the order found; sorted for output by file and line."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, loc: Loc, message: str) -> None:
        self.items.append(Diagnostic(loc, ERROR, message))

    def warning(self, loc: Loc, message: str) -> None:
        self.items.append(Diagnostic(loc, WARNING, message))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self.items.extend(other)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == WARNING]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))

    def sorted(self) -> list[Diagnostic]:
        seen: set[Diagnostic] = set()
        out = []
        for d in sorted(self.items, key=lambda d: (d.loc.path, d.loc.line, d.severity != ERROR)):
            if d not in seen:
                seen.add(d)
                out.append(d)
        return out


class UserError(Exception):
    """A fatal problem the user can fix; printed as ``error: message`` (with location when known), exit 1."""

    def __init__(self, message: str, loc: Loc | None = None, report: Report | None = None):
        super().__init__(message)
        self.message = message
        self.loc = loc
        self.report = report

    def __str__(self) -> str:
        return f"{self.loc}: error: {self.message}" if self.loc else f"error: {self.message}"
