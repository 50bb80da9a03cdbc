"""The linter's text units, findings and the context rules work in.

The text of an edition is taken from the model, never from the Markdown: clause headings, clause text (例文), 解説
and whatever other text a block carries (table cells, list items, captions, notes). Blocks are walked generically
(every dataclass field holding inline runs or nested blocks), so a new kind of block is linted without changes here;
code blocks (the clause YAML) and IDs never are. Each run of inlines becomes a :class:`Unit`: its analysis text (a
cross-reference, inline code or placeholder stands as one :data:`MASK` character, so no rule reads a clause number
or an ID as prose) and a map from every character back to its file offset, found by aligning the text with the
source file. Characters that differ from the source (an escape, an entity, and the character after it) are mapped
to the nearest place and marked inexact, and a fix is never applied there.
"""
from __future__ import annotations

import bisect
import dataclasses
import hashlib
import re

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, get_args

from guideline import morph
from guideline.diagnostics import ERROR, WARNING, display_path
from guideline.model import (
    Clause,
    Code,
    CodeBlock,
    Edition,
    Emph,
    Inline,
    LineBreak,
    Link,
    Placeholder,
    Strong,
    Text,
    XRef,
)

MASK = "〓"  # stands for a cross-reference, inline code or a placeholder in the analysis text
# an address typed in the text (links are masked already): no rule reads inside it, and spaces around it stay
URL_RE = re.compile(r"(?:https?|mailto):[^\s\u3000、。（）「」]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_INLINE_TYPES = get_args(Inline)  # every inline node type of the model, including ones added later
_WINDOW = 400  # how far past the cursor the aligner looks for a text's source (escapes, markup in between)


class SourceFile:
    """A source file's text and line starts, for turning offsets into line:column (both 1-based, columns in
    characters)."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self.starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            self.starts.append(i + 1)
            i = find("\n", i + 1)

    def offset(self, line: int) -> int:
        return self.starts[min(max(line, 1), len(self.starts)) - 1]

    def line_col(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1


@dataclass(slots=True)
class Unit:
    """One run of text: a heading, a paragraph, a list item's paragraph, a table cell, a caption.

    ``kind`` is where it stands (``heading``, ``body`` for 例文/clause text, ``commentary`` for 解説, or the name
    of the clause field holding it); ``reibun`` is true inside the 例文 編. ``segments`` map text offsets to file
    offsets: ``(text offset, file offset, length, exact)``, sorted."""

    index: int
    path: str
    kind: str
    clause: Clause
    reibun: bool
    text: str
    segments: list[tuple[int, int, int, bool]]
    placeholders: list[tuple[int, str]] = field(default_factory=list)  # (text offset of the MASK, placeholder)
    masks: list[tuple[int, object]] = field(default_factory=list)  # (text offset, the masked inline node)

    def locate(self, offset: int) -> tuple[int, bool]:
        """The file offset of text offset ``offset`` and whether the character there is the source's own."""
        segs = self.segments
        if not segs:
            return 0, False
        i = bisect.bisect_right(segs, (offset, float("inf"))) - 1
        if i < 0:
            return segs[0][1], False
        start, foff, length, exact = segs[i]
        if offset < start + length:
            return foff + offset - start, exact
        return foff + length, False  # after the segment: the nearest place

    def exact_span(self, start: int, end: int) -> int | None:
        """The file offset of text ``[start, end)`` when the whole span is the source's own contiguous text."""
        f0, ok0 = self.locate(start)
        if not ok0 or end <= start:
            return None
        f1, ok1 = self.locate(end - 1)
        if ok1 and f1 - f0 == end - 1 - start:
            return f0
        return None


@dataclass(frozen=True, slots=True)
class Fix:
    """Replace ``old`` at ``offset`` of the file ``path`` with ``new``."""

    path: str
    offset: int
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    line: int
    col: int
    severity: str
    rule: str
    message: str
    end_line: int = 0
    end_col: int = 0
    fix: Fix | None = None

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}:{self.col}: {self.severity}: {self.rule}: {self.message}"

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.col, self.rule, self.message)


# ----------------------------------------------------------------------------------------------------------------
# Extraction


class _Aligner:
    """Finds inline text in a source file in reading order, from a cursor that only moves forward."""

    def __init__(self, src: SourceFile, line: int):
        self.src = src
        self.cursor = self.origin = src.offset(line)

    def text(self, s: str, out: list, unit_off: int) -> None:
        src = self.src.text
        i = src.find(s, self.cursor, self.cursor + len(s) + _WINDOW)
        if i < 0 and self.cursor > self.origin:  # written before what came first in the model (a caption below)
            i = src.find(s, self.origin, self.cursor + len(s) + _WINDOW)
        if i >= 0:
            out.append((unit_off, i, len(s), True))
            self.cursor = i + len(s)
            return
        for k, ch in enumerate(s):  # escaped or decoded text: character by character; a character is exact
            j = src.find(ch, self.cursor, self.cursor + _WINDOW)  # when it follows the previous one directly
            exact = j == self.cursor and ch != "&" and not (j > 0 and src[j - 1] == "\\")  # not &amp; or \{
            if j >= 0:
                self.cursor = j + 1
            out.append((unit_off + k, max(self.cursor - 1, 0), 1, exact))

    def skip_past(self, marker: str) -> int:
        """Move past the next ``marker``; returns where it started (or the cursor)."""
        i = self.src.text.find(marker, self.cursor, self.cursor + _WINDOW)
        if i < 0:
            return self.cursor
        self.cursor = i + len(marker)
        return i


class _Builder:
    def __init__(self, aligner: _Aligner):
        self.al = aligner
        self.parts: list[str] = []
        self.length = 0
        self.segments: list[tuple[int, int, int, bool]] = []
        self.placeholders: list[tuple[int, str]] = []
        self.masks: list[tuple[int, object]] = []

    def add_text(self, s: str) -> None:
        if not s:
            return
        self.al.text(s, self.segments, self.length)
        self.parts.append(s)
        self.length += len(s)

    def add_mask(self, node: object, at: int) -> None:
        self.segments.append((self.length, at, 1, False))
        self.masks.append((self.length, node))
        if isinstance(node, Placeholder):
            self.placeholders.append((self.length, node.text))
        self.parts.append(MASK)
        self.length += 1

    def add_break(self) -> None:
        self.segments.append((self.length, self.al.cursor, 1, False))
        self.parts.append("\n")
        self.length += 1

    def inlines(self, nodes: tuple[Inline, ...]) -> None:
        al = self.al
        for node in nodes:
            if isinstance(node, Text):
                self.add_text(node.text)
            elif isinstance(node, (Strong, Emph)):
                self.inlines(node.children)
            elif isinstance(node, Link):
                self.inlines(node.children)
                al.skip_past(")")
            elif isinstance(node, XRef):
                if node.children:
                    self.inlines(node.children)
                    al.skip_past(f"(#{node.target})")
                else:
                    at = al.skip_past("[")
                    al.skip_past(f"(#{node.target})")
                    self.add_mask(node, at)
            elif isinstance(node, Placeholder):
                at = al.skip_past("{{")
                al.skip_past("}}")
                self.add_mask(node, at)
            elif isinstance(node, Code):
                at = al.skip_past("`")
                al.skip_past(node.text)
                self.add_mask(node, at)
            elif isinstance(node, LineBreak):
                self.add_break()
            elif getattr(node, "children", None):
                self.inlines(node.children)
            else:  # an inline without text of its own (a footnote mark): one masked character
                self.add_mask(node, al.cursor)


def _is_inline_run(value: object) -> bool:
    return isinstance(value, tuple) and bool(value) and all(isinstance(v, _INLINE_TYPES) for v in value)


# plain-string fields of a block that hold prose (not CodeBlock.text): a figure's alt text, a caption or title
_TEXT_FIELDS = ("alt", "caption", "title", "text")


class Extractor:
    """Turns an edition into units in reading order."""

    def __init__(self, edition: Edition, files: dict[str, SourceFile]):
        self.edition = edition
        self.files = files
        self.units: list[Unit] = []

    def source(self, path: str) -> SourceFile | None:
        src = self.files.get(path)
        if src is None:
            try:
                text = Path(path).read_text(encoding="utf-8-sig").replace("\r\n", "\n")
            except (OSError, UnicodeDecodeError):
                return None
            src = self.files[path] = SourceFile(path, text)
        return src

    def run(self) -> list[Unit]:
        reibun_id = self.edition.meta.reibun_part
        for part in self.edition.parts:
            for clause in part.walk():
                self.clause(clause, part.id == reibun_id)
        return self.units

    def _unit(self, b: _Builder, path: str, kind: str, clause: Clause, reibun: bool) -> None:
        text = "".join(b.parts)
        if text.strip():
            self.units.append(Unit(len(self.units), path, kind, clause, reibun, text, b.segments, b.placeholders,
                                   b.masks))

    def clause(self, clause: Clause, reibun: bool) -> None:
        path = clause.loc.path
        src = self.source(path)
        if src is None:
            return
        b = _Builder(_Aligner(src, clause.loc.line))
        b.al.skip_past("#")
        b.add_text(clause.heading)
        self._unit(b, path, "heading", clause, reibun)
        for f in dataclasses.fields(clause):
            if f.name == "children":
                continue
            value = getattr(clause, f.name)
            if isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]) \
                    and not _is_inline_run(value):
                kind = "body" if f.name == "body" else f.name
                for block in value:
                    self.block(block, src, path, kind, clause, reibun)

    def block(self, block: object, src: SourceFile, path: str, kind: str, clause: Clause, reibun: bool) -> None:
        if isinstance(block, CodeBlock) or not dataclasses.is_dataclass(block):
            return
        al = _Aligner(src, getattr(block, "line", 0) or clause.loc.line)
        self._walk(block, al, path, kind, clause, reibun)

    def _walk(self, block: object, al: _Aligner, path: str, kind: str, clause: Clause, reibun: bool) -> None:
        if isinstance(block, CodeBlock):
            return
        for f in dataclasses.fields(block):
            value = getattr(block, f.name)
            if isinstance(value, str) and f.name in _TEXT_FIELDS and value.strip():
                b = _Builder(al)
                b.add_text(value)
                self._unit(b, path, kind, clause, reibun)
            elif isinstance(value, tuple):
                self._value(value, al, path, kind, clause, reibun)

    def _value(self, value: tuple, al: _Aligner, path: str, kind: str, clause: Clause, reibun: bool) -> None:
        if _is_inline_run(value):
            b = _Builder(al)
            b.inlines(value)
            self._unit(b, path, kind, clause, reibun)
            return
        for item in value:
            if isinstance(item, tuple):
                self._value(item, al, path, kind, clause, reibun)
            elif dataclasses.is_dataclass(item) and not isinstance(item, _INLINE_TYPES):
                line = getattr(item, "line", 0)
                sub = _Aligner(al.src, line) if line else al
                self._walk(item, sub, path, kind, clause, reibun)
                if sub is not al and sub.cursor > al.cursor:
                    al.cursor = sub.cursor


# ----------------------------------------------------------------------------------------------------------------
# The context rules run in


@dataclass(frozen=True)
class Config:
    """What lint.yaml sets (see :mod:`guideline.lint.config`)."""

    forms: tuple = ()  # chosen forms: (written form, tuple of other spellings it replaces)
    severity: dict = field(default_factory=dict)  # rule id -> error | warning | off
    sentence_length: int = 150
    spacing: str = "none"  # none | always: a space between Japanese and alphanumerics
    starter: bool = True  # use the built-in 公用文 forms
    path: str = ""


class Lint:
    """One run: the units, the configuration, morphemes per unit, and the findings so far."""

    def __init__(self, edition: Edition, config: Config, units: list[Unit], files: dict[str, SourceFile]):
        self.edition = edition
        self.config = config
        self.units = units
        self.files = files
        self.findings: list[Finding] = []
        self._morphs: dict[int, list[morph.Morpheme]] = {}
        self.current_rule = ""
        self.current_severity = WARNING

    def analyse_all(self, cache) -> None:
        """Morphemes of every unit, file by file through ``cache`` (a :class:`guideline.parse_cache.ParseCache`,
        kind ``lint-morph``): keyed by the units' texts and the analyser, so an unchanged file is not tagged again
        (tagging is most of a lint run)."""
        by_path: dict[str, list[Unit]] = {}
        for unit in self.units:
            by_path.setdefault(unit.path, []).append(unit)
        salt = _analyser_salt()
        for path, units in by_path.items():
            data = salt + "\x1e".join(u.text for u in units).encode("utf-8")
            analyses = cache.get("lint-morph", data, path, lambda units=units: [morph.analyze(u.text) for u in units],
                                 lambda result, _path: morph.encode(result),
                                 lambda payload, _path: morph.decode(payload))
            if len(analyses) == len(units):
                for unit, ms in zip(units, analyses):
                    self._morphs[unit.index] = ms

    def morphemes(self, unit: Unit) -> list[morph.Morpheme]:
        hit = self._morphs.get(unit.index)
        if hit is None:
            hit = self._morphs[unit.index] = morph.analyze(unit.text)
        return hit

    def where(self, unit: Unit, offset: int) -> tuple[str, int, int]:
        foff, _ = unit.locate(offset)
        line, col = self.files[unit.path].line_col(foff)
        return unit.path, line, col

    def add(self, unit: Unit, start: int, end: int, message: str, fix: str | None = None,
            severity: str | None = None) -> None:
        """A finding of the running rule over text ``[start, end)`` of ``unit``; ``fix`` replaces that text."""
        path, line, col = self.where(unit, start)
        _, end_line, end_col = self.where(unit, max(end - 1, start))
        repair = None
        if fix is not None:
            at = unit.exact_span(start, end)
            if at is not None:
                repair = Fix(path, at, unit.text[start:end], fix)
        self.findings.append(Finding(path, line, col, severity or self.current_severity, self.current_rule,
                                     message, end_line, end_col + 1, repair))

    def add_at(self, path: str, line: int, col: int, message: str, severity: str | None = None) -> None:
        self.findings.append(Finding(path, line, col, severity or self.current_severity, self.current_rule, message,
                                     line, col))


_salt: bytes | None = None


def _analyser_salt() -> bytes:
    """What the morphemes of a text depend on besides the text: the analyser's code and dictionary versions."""
    global _salt
    if _salt is None:
        from importlib import metadata

        parts = [Path(morph.__file__).read_bytes()]
        for dist in ("fugashi", "unidic-lite"):
            try:
                parts.append(f"{dist}={metadata.version(dist)}".encode())
            except metadata.PackageNotFoundError:
                parts.append(f"{dist}=?".encode())
        _salt = hashlib.sha256(b"\0".join(parts)).hexdigest().encode() + b"\n"
    return _salt


def extract(edition: Edition) -> tuple[list[Unit], dict[str, SourceFile]]:
    files: dict[str, SourceFile] = {}
    units = Extractor(edition, files).run()
    return units, files


_SENTENCE_MARKS = re.compile("[「（『」）』。\n]")


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """Sentence spans of a unit's text: up to and including 。, or a line, or the end (brackets are not split)."""
    start = 0
    depth = 0
    n = len(text)
    for m in _SENTENCE_MARKS.finditer(text):
        ch = m.group()
        i = m.start()
        if ch in "「（『":
            depth += 1
        elif ch in "」）』":
            if depth:
                depth -= 1
        elif ch == "\n" or depth == 0:
            end = i + 1 if ch == "。" else i
            if text[start:end].strip():
                yield start, end
            start = i + 1
            if ch == "\n":
                depth = 0
    if start < n and text[start:].strip():
        yield start, n
