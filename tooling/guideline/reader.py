"""Reader: an edition directory (edition.yaml + Markdown files) → :class:`~guideline.model.Edition`.

The reader never raises on bad input: every problem becomes a diagnostic with ``path:line`` in the returned
:class:`~guideline.diagnostics.Report`, and the reader goes on to find the rest. Callers must not write output when
the report has errors.
"""
from __future__ import annotations

import datetime
import difflib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Union

from guideline import figures, markup, nisc, parse_cache, yamlio
from guideline.diagnostics import ERROR, WARNING, Diagnostic, Loc, Report
from guideline.gcscope import fewer_collections
from guideline.model import (
    META_KEYS,
    NETWORK_MODELS,
    RELATIONSHIPS,
    Block,
    Clause,
    ClauseMeta,
    Edition,
    EditionMeta,
    Footnote,
    NiscCatalog,
    NiscMapping,
    Text,
)
from guideline.numbering import STYLES, number_tree

if TYPE_CHECKING:
    from markdown_it.token import Token

ID_RE = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
EDITION_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
CATALOG_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
HEADING_ATTR_RE = re.compile(r"^(?P<text>.*?)\s*\{(?P<attrs>[^{}]*)\}\s*$")
EDITION_KEYS = {
    "id": True, "title": True, "date": True, "status": True, "nisc_catalog": True, "files": True,
    "label": False, "sample": False, "reibun_part": False, "commentary_title": False, "previous": False,
    "numbering": False,
}
STATUSES = ("案", "確定")
MAX_FILE_BYTES = 64 * 1024 * 1024
CONTROL_RE = markup.CONTROL_RE


def explain_bad_id(ident: str) -> str:
    """Why an ID is malformed, in words that say what to write instead."""
    if not ident:
        return "the ID is empty"
    reasons = []
    if any(ord(c) > 127 for c in ident):
        reasons.append("it contains non-ASCII characters (Japanese text cannot be an ID: it must also work as an "
                       "HTML anchor and a Word bookmark name)")
    if any(c.isupper() for c in ident if ord(c) < 128):
        reasons.append("it contains upper-case letters")
    if len(ident) > 40:
        reasons.append(f"it is {len(ident)} characters long (at most 40)")
    elif len(ident) < 2:
        reasons.append("it is shorter than 2 characters")
    if ident[:1] and not ("a" <= ident[0] <= "z"):
        reasons.append("it does not start with a lower-case letter")
    bad = sorted({c for c in ident if ord(c) < 128 and not (c.islower() or c.isdigit() or c == "-")
                  and not c.isupper()})
    if bad:
        reasons.append("it contains " + " ".join(repr(c) for c in bad))
    return "; ".join(reasons) or "it does not match [a-z][a-z0-9-]{1,39}"


# --------------------------------------------------------------------------------------------------------------------
# edition.yaml


def read_edition_meta(root: Path, report: Report) -> EditionMeta | None:
    path = root / "edition.yaml"
    spath = str(path)
    if not path.is_file():
        report.error(Loc(str(root), 0), "no edition.yaml here; an edition directory needs an edition.yaml "
                                        "(see docs/source-format.md)")
        return None
    text = _read_text(path, report)
    if text is None:
        return None
    try:
        doc = yamlio.load(text)
    except yamlio.YamlProblem as exc:
        report.error(Loc(spath, exc.line), exc.message)
        return None
    data = doc.data
    if not isinstance(data, dict):
        report.error(Loc(spath, 1), "edition.yaml must be a mapping with the keys "
                                    + ", ".join(k for k, req in EDITION_KEYS.items() if req))
        return None
    ok = True
    for key in data:
        if key not in EDITION_KEYS:
            close = [k for k in EDITION_KEYS if _similar(str(key), k)]
            hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(EDITION_KEYS)}"
            report.error(Loc(spath, doc.line(key)), f"unknown key {key!r} in edition.yaml{hint}")
            ok = False
    for key, required in EDITION_KEYS.items():
        if required and key not in data:
            report.error(Loc(spath, 1), f"edition.yaml lacks the required key {key!r}")
            ok = False
    if not ok and not all(k in data for k, req in EDITION_KEYS.items() if req):
        return None

    def text_of(key: str) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            report.error(Loc(spath, doc.line(key)), f"{key!r} must be text")
            return ""
        return str(value)

    ident = text_of("id")
    if not EDITION_ID_RE.match(ident):
        report.error(Loc(spath, doc.line("id")), f"edition id {ident!r} must match [a-z0-9][a-z0-9-]* (e.g. r5-03)")
    date = data.get("date")
    if isinstance(date, str):
        try:
            date = datetime.date.fromisoformat(date)
        except ValueError:
            date = None
    if not isinstance(date, datetime.date) or isinstance(date, datetime.datetime):
        report.error(Loc(spath, doc.line("date")), "date must be an ISO date such as 2024-10-02")
        date = datetime.date(1970, 1, 1)
    status = text_of("status")
    if status not in STATUSES:
        report.error(Loc(spath, doc.line("status")), f"status must be 案 or 確定, not {status!r}")
    files = data.get("files")
    file_list: list[str] = []
    if not isinstance(files, list) or not files:
        report.error(Loc(spath, doc.line("files")), "files must be a non-empty list of Markdown file names")
    else:
        for i, name in enumerate(files):
            loc = Loc(spath, doc.line("files", i))
            if not isinstance(name, str) or not name.strip():
                report.error(loc, "each entry of files must be a file name")
                continue
            problem = _unsafe_path(root, name)
            if problem:
                report.error(loc, problem)
                continue
            if name in file_list:
                report.error(loc, f"{name} is listed twice")
                continue
            file_list.append(name)
    catalog_id = text_of("nisc_catalog")
    if catalog_id and not CATALOG_ID_RE.match(catalog_id):  # it names a file: nisc/<id>.yaml
        report.error(Loc(spath, doc.line("nisc_catalog")), f"nisc_catalog {catalog_id!r} must be a catalog id such "
                                                           "as nisc-r7 (no '/' or '..')")
        catalog_id = ""
    sample = data.get("sample", False)
    if not isinstance(sample, bool):
        report.error(Loc(spath, doc.line("sample")), "sample must be true or false")
        sample = bool(sample)
    numbering = text_of("numbering") or STYLES[0]
    if numbering not in STYLES:
        report.error(Loc(spath, doc.line("numbering")), f"numbering must be {' or '.join(STYLES)}, not "
                                                        f"{numbering!r} (outline: 第N編/第N章/1./(1); articles: "
                                                        "第N章/第N条 as a 訓令)")
        numbering = STYLES[0]
    return EditionMeta(
        id=ident,
        title=text_of("title"),
        date=date,
        status=status,
        nisc_catalog=catalog_id,
        files=tuple(file_list),
        root=str(root),
        label=text_of("label"),
        sample=sample,
        reibun_part=text_of("reibun_part"),
        commentary_title=text_of("commentary_title"),
        previous=text_of("previous"),
        loc=Loc(spath, 1),
        numbering=numbering,
    )


def _similar(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.75


def _unsafe_path(root: Path, name: str) -> str:
    """Why a listed file name is not acceptable (empty when it is)."""
    if os.path.isabs(name) or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return f"{name}: absolute paths are not allowed in files; list paths relative to the edition directory"
    parts = Path(name).parts
    if ".." in parts:
        return f"{name}: '..' is not allowed in files; every file must lie inside the edition directory"
    if "\x00" in name or CONTROL_RE.search(name):
        return f"{name!r}: control characters are not allowed in file names"
    if not name.endswith(".md"):
        return f"{name}: only Markdown files (.md) can be listed"
    full = root / name
    try:
        resolved = full.resolve()
        if root.resolve() not in resolved.parents:
            return f"{name}: resolves outside the edition directory (a symbolic link?); copy the file in instead"
    except (OSError, RuntimeError):
        return f"{name}: cannot be resolved (a symbolic link loop?)"
    return ""


# --------------------------------------------------------------------------------------------------------------------
# Markdown files


def _read_bytes(path: Path, report: Report) -> bytes | None:
    """A file's bytes (None, with an error, when it is too large or cannot be read)."""
    spath = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            report.error(Loc(spath, 0), f"file is {size // 1048576} MB; the limit is {MAX_FILE_BYTES // 1048576} MB "
                                        "per file: split it into several files")
            return None
        return path.read_bytes()
    except OSError as exc:
        report.error(Loc(spath, 0), f"cannot read: {exc.strerror or exc}")
        return None


def _read_text(path: Path, report: Report) -> str | None:
    raw = _read_bytes(path, report)
    return None if raw is None else _decode_text(raw, str(path), report)


def _decode_text(raw: bytes, spath: str, report) -> str | None:
    """A file's bytes as text with LF line ends; problems (BOM, CRLF, encoding, control characters) to ``report``."""
    if raw.startswith(b"\xef\xbb\xbf"):
        report.warning(Loc(spath, 1), "file starts with a byte order mark (BOM); save it as UTF-8 without BOM")
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        report.error(Loc(spath, line), f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8 "
                                       "(a file saved by Excel or Notepad as Shift_JIS/CP932 must be converted)")
        return None
    if "\r" in text:
        first = text[: text.index("\r")].count("\n") + 1
        report.warning(Loc(spath, first), "file has CRLF (Windows) line ends; save it with LF line ends")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        report.error(Loc(spath, line), "file contains a NUL character; is it a binary file?")
        return None
    bad = CONTROL_RE.search(text)
    if bad:
        line = text[: bad.start()].count("\n") + 1
        report.error(Loc(spath, line), f"control character U+{ord(bad.group()):04X}; delete it (invisible "
                                       "characters cannot be written to Word or XML)")
        text = CONTROL_RE.sub("\ufffd", text)  # keep reading for other problems, never echo them to a terminal
    return text


def _too_deep(tokens: list[Token]) -> Token | None:
    """The first container opened at markdown-it's nesting limit (its content, and the rest of the file, are lost)."""
    limit = markup.parser().options["maxNesting"]
    for tok in tokens:
        if tok.nesting == 1 and tok.level >= limit - 1 and (
                tok.type in ("blockquote_open", "list_item_open") or tok.type.startswith("container_")):
            return tok
    return None


def _fence_closed(tok: Token, lines: list[str]) -> bool:
    """Whether a fenced code block ends with its closing marker (markdown-it closes it silently at the end)."""
    if not tok.map or not tok.markup:
        return True
    last = tok.map[1] - 1  # 0-based index of the block's last line
    if last <= tok.map[0] or last >= len(lines):
        return False
    closing = lines[last]
    indent = len(closing) - len(closing.lstrip(" "))
    marks = closing.strip()
    return indent <= 3 and len(marks) >= len(tok.markup) and set(marks) == {tok.markup[0]}


_HEADING_WITH_ID_RE = re.compile(r"^#{1,6}[ ].*\{[^{}]*#[A-Za-z][^{}]*\}[ ]*$")


def _parse_cutting_fences(lines: list[str]) -> tuple[list[Token], dict[int, int]]:
    """The file's tokens, with every top-level code block that swallowed a clause heading (an unclosed fence runs
    on to the next bare fence line, usually the end of the next clause's metadata) cut before that heading, so that
    the clauses after it are still read. Returns (tokens, {opening line of a cut block: line of the heading})."""
    tokens: list[Token] = []
    cuts: dict[int, int] = {}
    start = 0
    while True:
        # blank lines in front keep the token line maps equal to file lines
        part = markup.parse("\n" * start + "\n".join(lines[start:]))
        cut = None
        for tok in part:
            if tok.type == "fence" and tok.level == 0 and tok.map:
                for offset, text in enumerate(tok.content.split("\n")):
                    if _HEADING_WITH_ID_RE.match(text):
                        cut = (tok.map[0], tok.map[0] + 1 + offset)
                        break
            if cut:
                break
        if cut is None:
            tokens.extend(part)
            return tokens, cuts
        opening, heading = cut
        cuts[opening + 1] = heading + 1
        tokens.extend(markup.parse("\n" * start + "\n".join(lines[start:heading])))
        start = heading


# One file is read in two steps. :func:`parse_file` is the stateless part: the file's bytes → a tuple of events
# (:data:`ParseEvent`: diagnostics, headings, top-level blocks) in the order the reader meets them; it depends on the
# bytes alone, so its result is cached (:mod:`guideline.parse_cache`, through :data:`EVENTS`). :meth:`_EditionReader.
# replay` then applies the events to the reader's state — the heading stack carried across files, the clause IDs
# seen so far — adding the diagnostics that depend on that state. A :class:`~guideline.diagnostics.Diagnostic` among
# the events is one found about the file itself (encoding, tabs, placeholders typed wrong).


@dataclass(frozen=True, slots=True)
class ParsedHeading:
    """A heading line as written. ``before`` and ``after`` are the diagnostics found about it before and after the
    duplicate-ID check, which happens (against the IDs of the edition so far) only when ``check_duplicate`` is true,
    i.e. when the ID is well-formed; an empty ``ident`` is a heading without an ID, reported once the edition is read
    (with a suggestion of a free ID). ``kind``: from the classes .appendix and .form."""

    line: int
    level: int
    ident: str
    unnumbered: bool
    text: str
    before: tuple[Diagnostic, ...]
    check_duplicate: bool
    after: tuple[Diagnostic, ...]
    kind: Literal["", "appendix", "form"]


@dataclass(frozen=True, slots=True)
class ParsedSpan:
    """One top-level Markdown block (a paragraph, list, fence or 解説 container) as model blocks. ``inside``:
    headings found inside it (they are not clauses). The rest is used only when the span belongs to a clause:
    ``unclosed``, an unclosed fence; ``kind``: "body", "commentary", "yaml" (clause metadata: ``meta`` and the
    ``meta_diagnostics`` found reading it) or "yaml-unclosed"; ``closing``: an unclosed 解説 container;
    ``problems``: found while converting ``blocks``."""

    line: int
    inside: tuple[Diagnostic, ...]
    unclosed: Diagnostic | None
    kind: Literal["body", "commentary", "yaml", "yaml-unclosed"]
    blocks: tuple[Block, ...]
    meta: ClauseMeta | None
    meta_diagnostics: tuple[Diagnostic, ...]
    closing: Diagnostic | None
    problems: tuple[Diagnostic, ...]


ParseEvent = Union[Diagnostic, ParsedHeading, ParsedSpan]

_ORPHAN = "text before the first heading belongs to no clause; move it below a heading"


class _Sink:
    """Collects the diagnostics of one file among its events (the ``report`` of the stateless part)."""

    def __init__(self, events: list):
        self.events = events

    def error(self, loc: Loc, message: str) -> None:
        self.events.append(Diagnostic(loc, ERROR, message))

    def warning(self, loc: Loc, message: str) -> None:
        self.events.append(Diagnostic(loc, WARNING, message))


def parse_file(raw: bytes, spath: str) -> tuple[ParseEvent, ...]:
    """The stateless part of reading one Markdown file (its bytes; ``spath`` is the path shown in locations)."""
    events: list[ParseEvent] = []
    sink = _Sink(events)
    text = _decode_text(raw, spath, sink)
    if text is None:
        return tuple(events)
    if not text.strip():
        sink.warning(Loc(spath, 1), "file is empty; remove it from files in edition.yaml or add clauses")
        return tuple(events)
    lines = text.split("\n")
    for n, line in enumerate(lines, 1):
        if "\t" in line:
            sink.error(Loc(spath, n), "tab character; indent with spaces (a tab changes the meaning of Markdown "
                                      "indentation)")
    try:
        tokens, cut_fences = _parse_cutting_fences(lines)
    except RecursionError:
        sink.error(Loc(spath, 1), "the Markdown is nested too deeply to read")
        return tuple(events)
    # placeholders typed wrong, on the lines whose text is Markdown (not code, not a heading: headings are text)
    literal = {n for tok in tokens if tok.type in ("fence", "code_block", "heading_open") and tok.map
               for n in range(tok.map[0] + 1, tok.map[1] + 1)}
    for n, line in enumerate(lines, 1):
        if ("{" in line or "｛" in line) and n not in literal:
            for wrong in markup.malformed_placeholders(line):
                sink.error(Loc(spath, n), wrong.message())
    deep = _too_deep(tokens)
    if deep is not None:  # markdown-it silently drops everything from there to the end of the file
        sink.error(Loc(spath, (deep.map[0] + 1) if deep.map else 1),
                   "lists or quotes nested too deeply: the rest of the file would not be read; flatten the nesting")
    i, n_tok = 0, len(tokens)
    while i < n_tok:
        tok = tokens[i]
        line = (tok.map[0] + 1) if tok.map else 1
        if tok.type == "heading_open":
            events.append(_heading_event(spath, tok, tokens[i + 1], line))
            i += 3
            continue
        close = markup.find_close(tokens, i, n_tok)
        span = tokens[i : close + 1]
        i = close + 1
        inside: list = []
        for inner in span[1:]:
            if inner.type == "heading_open":
                iline = (inner.map[0] + 1) if inner.map else line
                where = "a 解説 container" if tok.type == markup.COMMENTARY_OPEN else "a list or quote"
                hint = (f" (is the '::: {markup.COMMENTARY}' opened at line {line} closed with ':::'?)"
                        if tok.type == markup.COMMENTARY_OPEN else "")
                inside.append(Diagnostic(Loc(spath, iline), ERROR,
                                         f"heading inside {where} is not read as a clause{hint}"))
        problems = markup.Problems()
        here = Loc(spath, line)
        unclosed = None
        if line in cut_fences:
            opened = tok.markup + tok.info.strip()
            unclosed = Diagnostic(here, ERROR, f"the code block opened with {opened!r} here is not closed before "
                                               f"the heading at line {cut_fences[line]}; add a line {tok.markup!r} "
                                               "where the block ends")
        elif tok.type == "fence" and not _fence_closed(tok, lines):  # it ran to the end of the file
            unclosed = Diagnostic(here, ERROR, f"code block opened with {tok.markup!r} is not closed; add a line "
                                               f"{tok.markup!r} after it")
        blocks: tuple[Block, ...] = ()
        meta, meta_diags, closing = None, (), None
        if tok.type == "fence" and tok.info.strip() == "yaml":
            if unclosed is not None:
                kind = "yaml-unclosed"  # reported as unclosed: its "YAML" is the rest of the file
            else:
                kind = "yaml"
                found: list = []
                meta = _meta(_Sink(found), spath, tok, line)
                meta_diags = tuple(found)
        elif tok.type == markup.COMMENTARY_OPEN:
            kind = "commentary"
            end_index = tok.map[1] if tok.map else len(lines)  # 0-based line of the closing marker
            closing_line = lines[end_index].strip() if end_index < len(lines) else ""
            if closing_line != ":::" and not re.fullmatch(r":{3,}", closing_line):
                closing = Diagnostic(here, ERROR, f"'::: {markup.COMMENTARY}' is not closed; add a line ':::' "
                                                  "after the commentary")
            blocks = markup.convert_blocks(span[1:-1], 1, problems)
        else:
            kind = "body"
            blocks = markup.convert_blocks(span, 1, problems)
        events.append(ParsedSpan(line, tuple(inside), unclosed, kind, blocks, meta, meta_diags, closing,
                                 tuple(Diagnostic(Loc(spath, pline), ERROR, message) for pline, message in problems)))
    return tuple(events)


def _heading_event(spath: str, tok: Token, inline: Token, line: int) -> ParsedHeading:
    level = int(tok.tag[1])
    here = Loc(spath, line)
    before: list[Diagnostic] = []
    after: list[Diagnostic] = []
    if tok.markup in ("=", "-"):
        before.append(Diagnostic(here, ERROR, "underlined (setext) heading; write it as '" + "#" * level
                                 + " heading {#clause-id}' on one line"))
    raw = inline.content.strip()
    m = HEADING_ATTR_RE.match(raw)
    ident, unnumbered, text, kind = "", False, raw, ""
    check = False
    if not m:
        pass  # no ID: reported by the edition reader, which can suggest one that is free in the whole edition
    else:
        text = m.group("text").strip()
        for attr in m.group("attrs").split():
            if attr.startswith("#"):
                if ident:
                    before.append(Diagnostic(here, ERROR, "heading has two IDs; keep one"))
                else:
                    ident = attr[1:]
            elif attr == ".unnumbered":
                unnumbered = True
            elif attr in (".appendix", ".form"):
                if level != 1:
                    before.append(Diagnostic(here, ERROR, f"{attr} marks a 別紙 or 様式 part and belongs on a '# ' "
                                                          "heading"))
                elif kind:
                    before.append(Diagnostic(here, ERROR, "heading is marked both .appendix and .form; keep one"))
                else:
                    kind = attr[1:]
            else:
                before.append(Diagnostic(here, ERROR, f"unknown heading attribute {attr!r}; only '#id', "
                                                      "'.unnumbered', '.appendix' and '.form' are read"))
        if not ident:
            pass  # reported with a free ID to paste, as for a heading without attributes
        elif not ID_RE.match(ident):
            before.append(Diagnostic(here, ERROR, f"malformed clause ID {ident!r}: {explain_bad_id(ident)}; IDs "
                                                  "match [a-z][a-z0-9-]{1,39}, e.g. org-ciso"))
        else:
            check = True
    if not text:
        after.append(Diagnostic(here, ERROR, "heading has no text"))
    return ParsedHeading(line, level, ident, unnumbered, text, tuple(before), check, tuple(after), kind)


def _meta(report, spath: str, tok: Token, line: int) -> ClauseMeta:
    first = line + 1  # the line after the opening fence
    loc0 = Loc(spath, line)
    try:
        doc = yamlio.load(tok.content, first_line=first)
    except yamlio.YamlProblem as exc:
        report.error(Loc(spath, exc.line), exc.message)
        return ClauseMeta(loc=loc0)
    data = doc.data
    if data is None:
        return ClauseMeta(loc=loc0)
    if not isinstance(data, dict):
        report.error(loc0, "clause metadata must be a mapping such as 'nisc: [...]'")
        return ClauseMeta(loc=loc0)
    at = lambda *path: Loc(spath, doc.line(*path))  # noqa: E731
    fields: dict = {"loc": loc0}
    for key, value in data.items():
        if key not in META_KEYS:
            close = [k for k in META_KEYS if _similar(str(key), k)]
            hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(META_KEYS)}"
            report.error(at(key), f"unknown metadata key {key!r}{hint}")
            continue
        if key == "nisc":
            fields["nisc"] = _mappings(report, value, at, doc)
        elif key in ("models", "merged_from", "tags"):
            items = value if isinstance(value, list) else None
            if items is None or not all(isinstance(v, str) for v in items):
                report.error(at(key), f"{key} must be a list of strings, e.g. {key}: [a, b]")
                continue
            if key == "models":
                for i, v in enumerate(items):
                    if v not in NETWORK_MODELS:
                        report.error(at(key, i), f"unknown network model {v!r}; use " + ", ".join(NETWORK_MODELS))
            if key == "merged_from":
                for i, v in enumerate(items):
                    if not ID_RE.match(v):
                        report.error(at(key, i), f"merged_from: {v!r} is not a clause ID")
                if len(items) < 2:
                    report.error(at(key), "merged_from names the two or more clauses that were merged")
            fields[key] = tuple(items)
        elif key in ("split_from", "replaces", "note"):
            if not isinstance(value, str) or not value.strip():
                report.error(at(key), f"{key} must be a single text value")
                continue
            if key != "note" and not ID_RE.match(value):
                report.error(at(key), f"{key}: {value!r} is not a clause ID")
            fields[key] = value.strip()
    return ClauseMeta(**fields)


def _mappings(report, value, at, doc: yamlio.Located) -> tuple[NiscMapping, ...]:
    if not isinstance(value, list):
        report.error(at("nisc"), "nisc must be a list of mappings, each with id and relationship")
        return ()
    out = []
    for i, raw in enumerate(value):
        loc = at("nisc", i)
        if not isinstance(raw, dict):
            report.error(loc, "each nisc mapping is a mapping with id, relationship and optional rationale")
            continue
        unknown = [k for k in raw if k not in ("id", "relationship", "rationale")]
        for k in unknown:
            report.error(at("nisc", i, k), f"unknown key {k!r} in a nisc mapping; use id, relationship, rationale")
        ident = raw.get("id")
        if ident is not None and not isinstance(ident, (dict, list)):
            ident = doc.text("nisc", i, "id") or ident  # as written: 2.10 must not become 2.1
        rel = raw.get("relationship")
        if not isinstance(ident, (str, int, float)) or isinstance(ident, bool) or not str(ident).strip():
            report.error(loc, "nisc mapping lacks id (a catalog identifier such as 7.3.1(1)(a))")
            continue
        norm = nisc.normalize_id(str(ident))
        if not nisc.is_wellformed(norm):
            report.error(at("nisc", i, "id"), f"{ident!r} is not a NISC identifier; write it like "
                                              "7.3.1(1)(a), 7.3.1(2)-1 or 7.3.1(1)")
        if rel is None:
            report.error(loc, f"nisc mapping {norm} lacks relationship; use one of " + ", ".join(RELATIONSHIPS))
            rel = ""
        elif rel not in RELATIONSHIPS:
            report.error(at("nisc", i, "relationship"), f"unknown relationship {rel!r}; use one of "
                                                        + ", ".join(RELATIONSHIPS))
        rationale = raw.get("rationale") or ""
        if not isinstance(rationale, str):
            report.error(at("nisc", i, "rationale"), "rationale must be text")
            rationale = str(rationale)
        out.append(NiscMapping(norm, str(rel), rationale.strip(), loc))
    return tuple(out)


EVENTS = parse_cache.RecordCodec("md", tuple[ParseEvent, ...], bare=(Text,))  # how a file's events are cached


@dataclass(frozen=True, slots=True)
class _MissingId:
    """A heading without an ID, reported once the edition is read (with an ID to paste that no clause uses)."""

    loc: Loc
    heading: ParsedHeading
    base: str  # the ID stem of its neighbours


@dataclass
class _Builder:
    id: str
    heading: str
    level: int
    loc: Loc
    unnumbered: bool
    kind: str = ""
    meta: ClauseMeta = field(default_factory=ClauseMeta)
    body: list[Block] = field(default_factory=list)
    commentary: list[Block] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    children: list[Clause] = field(default_factory=list)

    def add(self, target: list[Block], blocks: tuple[Block, ...]) -> None:
        """Blocks to the text or 解説; footnote definitions among them go to the clause's footnotes."""
        for b in blocks:
            (self.footnotes if type(b) is Footnote else target).append(b)

    def build(self) -> Clause:
        return Clause(
            id=self.id, heading=self.heading, level=self.level, loc=self.loc, meta=self.meta,
            body=tuple(self.body), commentary=tuple(self.commentary), children=tuple(self.children),
            unnumbered=self.unnumbered, footnotes=tuple(self.footnotes), kind=self.kind,
        )


class _EditionReader:
    def __init__(self, meta: EditionMeta, report: Report, cache: parse_cache.ParseCache | None = None):
        self.meta = meta
        self.report = report
        self.cache = cache if cache is not None else parse_cache.ParseCache(None, enabled=False)
        self.stack: list[_Builder] = []
        self.parts: list[Clause] = []
        self.seen_ids: dict[str, Loc] = {}
        self.fragment = False  # read_fragment: the first heading may be of any level
        self.missing_ids: list[_MissingId] = []

    # structure -----------------------------------------------------------------------------------------------------
    def _close_to(self, level: int) -> None:
        while self.stack and self.stack[-1].level >= level:
            done = self.stack.pop().build()
            if self.stack:
                self.stack[-1].children.append(done)
            else:
                self.parts.append(done)

    def finish(self) -> tuple[Clause, ...]:
        self._close_to(1)
        self._report_missing_ids()
        return tuple(self.parts)

    def _report_missing_ids(self) -> None:
        """Headings without an ID, each with an ID to paste that no clause of the edition (nor another suggestion)
        uses: a suggestion that is taken would only turn this error into a duplicate-ID error."""
        taken = set(self.seen_ids)
        for missing in self.missing_ids:
            heading = missing.heading
            ident = suggest_id(missing.base, heading.text, taken)
            taken.add(ident)
            attrs = f"#{ident}" + (" .unnumbered" if heading.unnumbered else "")
            self.report.error(missing.loc, "heading has no ID; add one at the end, e.g. '" + "#" * heading.level
                                           + f" {heading.text} "
                                   f"{{{attrs}}}' (lower-case letters, digits and hyphens; an ID never changes "
                                   "once published, so choose one that says what the clause is about)")

    # one file ------------------------------------------------------------------------------------------------------
    def read_file(self, path: Path, raw: bytes | None = None) -> None:
        """Read one listed file (``raw``: its bytes when the caller has read them already)."""
        spath = str(path)
        raw = raw if raw is not None else _read_bytes(path, self.report)
        if raw is None:
            return
        events = self.cache.get(EVENTS.kind, raw, spath, lambda: parse_file(raw, spath), EVENTS.encode,
                                EVENTS.decode)
        self.replay(spath, events)

    def replay(self, spath: str, events: tuple[ParseEvent, ...]) -> None:
        """Apply the events of one file (see :func:`parse_file`) to the edition read so far."""
        expect_meta = False
        reported_orphan = False
        found = self.report.items  # diagnostics in the order met
        for ev in events:
            t = type(ev)
            if t is Diagnostic:
                found.append(ev)
            elif t is ParsedHeading:
                self._heading(spath, ev)
                expect_meta = True
            else:
                found.extend(ev.inside)
                if not self.stack:
                    if not reported_orphan:
                        self.report.error(Loc(spath, ev.line), _ORPHAN)
                        reported_orphan = True
                    continue
                current = self.stack[-1]
                if ev.unclosed is not None:
                    found.append(ev.unclosed)
                kind = ev.kind
                if kind == "yaml":
                    if expect_meta and current.meta.loc is None:
                        found.extend(ev.meta_diagnostics)
                        current.meta = ev.meta
                    else:
                        self.report.error(Loc(spath, ev.line), "a yaml block is metadata only directly under its "
                                                               "heading (blank lines only in between); move it up "
                                                               "or remove it")
                elif kind == "commentary":
                    if ev.closing is not None:
                        found.append(ev.closing)
                    current.add(current.commentary, ev.blocks)
                elif kind == "body":
                    current.add(current.body, ev.blocks)
                found.extend(ev.problems)
                expect_meta = False

    def _heading(self, spath: str, heading: ParsedHeading) -> None:
        loc = Loc(spath, heading.line)
        ident, level = heading.ident, heading.level
        self.report.extend(heading.before)
        if heading.check_duplicate:
            if ident in self.seen_ids:
                self.report.error(loc, f"duplicate clause ID {ident!r}, first defined at {self.seen_ids[ident]}; "
                                       "give this clause an ID of its own")
            else:
                self.seen_ids[ident] = loc
        self.report.extend(heading.after)
        self._close_to(level)
        if not ident:
            self.missing_ids.append(_MissingId(loc, heading, self._neighbour_base()))
        if not self.stack and level != 1 and not self.fragment:
            self.report.error(loc, f"a level-{level} heading needs a '# ' (編) heading above it; the first heading "
                                   "of an edition must be a 編")
        self.stack.append(_Builder(ident or f"?{heading.line}", heading.text, level, loc, heading.unnumbered,
                                   heading.kind))


    def _neighbour_base(self) -> str:
        """The ID stem a new clause at this place most likely shares: the previous sibling's ID without its last
        word (org-ciso → org), else the parent's ID."""
        parent = self.stack[-1] if self.stack else None
        siblings = [c.id for c in (parent.children if parent else self.parts) if ID_RE.match(c.id)]
        if siblings and "-" in siblings[-1]:
            return siblings[-1].rsplit("-", 1)[0]
        if parent is not None and ID_RE.match(parent.id):
            return parent.id
        return siblings[-1] if siblings else "clause"


def suggest_id(base: str, heading: str, taken: set[str]) -> str:
    """A well-formed clause ID not in ``taken``: ``base`` with the heading's Latin words (生成AIサービス → org-ai), or
    ``base`` with the first free number."""
    words = re.findall(r"[a-z][a-z0-9]*", unicodedata.normalize("NFKC", heading).lower())
    candidates = []
    if words:
        candidates.append(f"{base}-{'-'.join(words)}"[:40].rstrip("-"))
    candidates.extend(f"{base[:36]}-{n}" for n in range(2, 10_000))
    return next(c for c in candidates if c not in taken and ID_RE.match(c))


@fewer_collections()
def read_edition(root: str | os.PathLike[str], report: Report | None = None,
                 catalog: NiscCatalog | None = None,
                 cache: parse_cache.ParseCache | None = None) -> tuple[Edition | None, Report]:
    """Read the edition in directory ``root``. Returns (edition or None, report).

    ``cache``: where per-file parse results are kept (default: :func:`guideline.parse_cache.default_for` ``root``,
    i.e. memory and ``build/.cache/parse/`` beside the source root; off with ``GUIDELINE_PARSE_CACHE=0``). The result
    is the same with or without it."""
    report = report if report is not None else Report()
    root = Path(root)
    meta = read_edition_meta(root, report)
    if meta is None:
        return None, report
    cache = cache if cache is not None else parse_cache.default_for(root)
    reader = _EditionReader(meta, report, cache)
    # The listed files are read once, here, and parsed on two cores ahead of the reading where the cache misses
    # (ParseCache.fill); one that is missing, too large or unreadable is reported below, in order, by read_file.
    sources: dict[str, bytes] = {}
    for name in meta.files:
        raw = _read_bytes(root / name, Report())
        if raw is not None:
            sources[name] = raw
    cache.fill(EVENTS.kind, [(raw, str(root / name)) for name, raw in sources.items()], parse_file, EVENTS.encode,
               EVENTS.decode)
    for name in meta.files:
        path = root / name
        if not path.is_file():
            report.error(Loc(str(meta.loc.path), _listed_line(meta, name)),
                         f"{name} is listed in files but does not exist; create it or remove it from the list")
            continue
        reader.read_file(path, sources.pop(name, None))
    listed = {os.path.normpath(n) for n in meta.files}
    for extra in sorted(root.rglob("*.md")):
        rel = os.path.normpath(os.path.relpath(extra, root))
        if rel not in listed:
            report.warning(Loc(str(extra), 0), f"{rel} is not listed in files of edition.yaml and is not read; "
                                               "add it to files or delete it")
    parts = number_tree(reader.finish(), meta.numbering)
    if catalog is None and meta.nisc_catalog:
        cat_path = nisc.find_catalog_file(root, meta.nisc_catalog)
        if cat_path is None:
            report.error(Loc(meta.loc.path, yamlio.key_line(meta.loc.path, "nisc_catalog")),
                         f"NISC catalog {meta.nisc_catalog!r} not found: expected nisc/{meta.nisc_catalog}.yaml in "
                         "guideline_src/ (or a directory above the edition)")
        else:
            catalog = nisc.load_catalog(cat_path, report, cache)
    if not parts and not report.errors:
        report.error(meta.loc, "the edition has no clauses")
    assets = figures.read_assets(root, parts, report)
    return Edition(meta=meta, parts=parts, catalog=catalog, assets=assets), report


def read_fragment(path: str | os.PathLike[str], report: Report) -> tuple[Clause, ...]:
    """Read one Markdown file of clauses that is not an edition: a municipality's clause override or local clause
    (``guideline local``). Same format as an edition's files, but the first heading may be of any level; the
    clauses at the top of the file are returned with their sub-clauses, unnumbered (their numbers come from where
    they are placed). Problems go to ``report`` as ``path:line``."""
    path = Path(path)
    meta = EditionMeta(id="fragment", title="", date=datetime.date(1970, 1, 1), status="案", nisc_catalog="",
                       files=(path.name,), root=str(path.parent), loc=Loc(str(path), 0))
    reader = _EditionReader(meta, report)
    reader.fragment = True
    reader.read_file(path)
    return reader.finish()


def _listed_line(meta: EditionMeta, name: str) -> int:
    try:
        with open(meta.loc.path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if name in line:
                    return n
    except OSError:
        pass
    return 1

