"""Markdown → model blocks, on markdown-it-py tokens (which carry their source line map).

Only the subset documented in docs/source-format.md is turned into structure; raw HTML is disabled (shown as text),
and links other than ``#clause-id``, http(s) and mailto are kept as plain text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from guideline import yamlio
from guideline.model import (
    BOX_KINDS,
    FIGURE_TYPES,
    Block,
    BlockQuote,
    Box,
    BulletList,
    Cell,
    Code,
    CodeBlock,
    Emph,
    Figure,
    Footnote,
    FootnoteRef,
    GridTable,
    Inline,
    LineBreak,
    Link,
    OrderedList,
    PageBreak,
    Para,
    Placeholder,
    Strong,
    Table,
    Text,
    XRef,
    place_cells,
)

if TYPE_CHECKING:  # markdown-it is imported when a file is parsed: a run served by the parse cache never needs it
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

COMMENTARY = "解説"
COMMENTARY_OPEN = f"container_{COMMENTARY}_open"
COMMENTARY_CLOSE = f"container_{COMMENTARY}_close"
PLACEHOLDER_RE = re.compile(r"\{\{([^{}\n]{1,80})\}\}")
# C0/C1 control characters other than tab and LF, and the non-characters XML refuses: they cannot be written to
# Word or XML, and printed in a diagnostic they would drive the user's terminal (yamlio has the same set)
CONTROL_RE = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# a run of braces (half- or full-width, as an IME types them) around placeholder-like text, and a lone opening pair
_BRACED_RE = re.compile(r"([{｛]+)([^{}｛｝\n]{1,80})([}｝]+)|([{｛]{2})([^{}｛｝\n]{1,80})")
_CODE_SPAN_RE = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)")
_ESCAPE_RE = re.compile(r"\\[!-/:-@\[-`{-~｛｝]")  # a backslash escape: the character is text, not markup
MAX_INLINE_DEPTH = 20  # like markdown-it's maxNesting; emphasis pairs are matched after its check, so we cap here
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


BOX_OPEN = {f"container_{kind}_open": kind for kind in BOX_KINDS}
PAGEBREAK = "{.pagebreak}"
FIGURE_DIR = "figures/"
ID_RE = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
_FIGURE_ATTR_RE = re.compile(r"^\{#([^{}\s]*)\}$")
_TABLE_INFO_RE = re.compile(r"^table(?:\s+\{#([^{}\s]*)\})?$")
TABLE_KEYS = ("caption", "head", "body", "row_header")
MAX_SPAN = 100


def _validate_commentary(params: str, *args) -> bool:
    return params.strip() == COMMENTARY


def _validator(kind: str):
    return lambda params, *args: params.strip() == kind


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.container import container_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    # Accept every link target at parse time so that the converter can report a disallowed scheme
    # (javascript:, data:, file:) as an error instead of silently leaving the Markdown as text.
    md.validateLink = lambda url: True
    md.use(container_plugin, name=COMMENTARY, validate=_validate_commentary)
    for kind in BOX_KINDS:
        md.use(container_plugin, name=kind, validate=_validator(kind))
    # footnote definitions stay where they are written (the reader gives them to their clause); every [^key] is a
    # reference, so that validate can report one whose definition is missing
    md.use(footnote_plugin, inline=False, move_to_end=False, always_match_refs=True)
    return md


def parse(text: str) -> list[Token]:
    return parser().parse(text)


class Problems(list):
    """(line, message) pairs found while converting; the reader turns them into diagnostics."""


@dataclass(frozen=True, slots=True)
class BadPlaceholder:
    """A placeholder typed wrong: ``text`` as typed, at offset ``start`` of the scanned text, and the ``fix``."""

    start: int
    text: str
    fix: str
    full_width: bool

    def message(self) -> str:
        """The diagnostic, in the words ``check`` and the linter use."""
        why = " (full-width braces)" if self.full_width else ""
        return (f"malformed placeholder {self.text!r}{why}; write {self.fix!r} (two half-width braces on each "
                "side)")


def malformed_placeholders(text: str) -> list[BadPlaceholder]:
    """Placeholders typed wrong in a line of Markdown source: ``{{本市}``, ``{本市}}``, ``{{本市`` and full-width
    ``｛｛本市｝｝`` (offsets are of ``text``).

    ``{{本市}}`` is the only placeholder form; single braces (``{a}``), escaped braces (``\\{``) and code spans are
    ordinary text. Public so that ``check`` (the reader scans every line outside code blocks) and the editorial
    linter find the same mistakes."""
    blanked = _ESCAPE_RE.sub("  ", text)  # same lengths: offsets stay those of text
    blanked = _CODE_SPAN_RE.sub(lambda m: " " * len(m.group()), blanked)
    found = []
    for m in _BRACED_RE.finditer(blanked):
        opening, closing = (m.group(1), m.group(3) or "") if m.group(1) else (m.group(4), "")
        inner = text[m.start(2):m.end(2)] if m.group(1) else text[m.start(5):m.end(5)]
        full_width = "｛" in opening or "｝" in closing
        if full_width:
            wrong = max(len(opening), len(closing)) >= 2
        else:  # {{{a}} and {{a}}} read as a placeholder beside a brace: only a pair without its partner is wrong
            wrong = (len(opening), len(closing)) in ((2, 1), (1, 2), (2, 0))
        if wrong:
            found.append(BadPlaceholder(m.start(), text[m.start():m.end()], "{{" + inner.strip() + "}}", full_width))
    return found


def _text_nodes(text: str) -> list[Inline]:
    out: list[Inline] = []
    pos = 0
    for m in PLACEHOLDER_RE.finditer(text):
        if m.start() > pos:
            out.append(Text(text[pos : m.start()]))
        out.append(Placeholder(m.group(1).strip()))
        pos = m.end()
    if pos < len(text):
        out.append(Text(text[pos:]))
    return out


def _merge_text(nodes: list[Inline]) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + node.text)
        elif isinstance(node, Text) and not node.text:
            continue
        else:
            out.append(node)
    return tuple(out)


def as_typed(href: str) -> str:
    """A link target as the user typed it: markdown-it percent-encodes targets (``別紙`` → ``%E5%88%A5%E7%B4%99``)."""
    return parser().normalizeLinkText(href)


def convert_inlines(children: list[Token] | None, line: int, problems: Problems) -> tuple[Inline, ...]:
    """Inline tokens → inline nodes. Placeholders are split out of text here."""
    stack: list[tuple[str, object, list[Inline]]] = [("root", None, [])]
    for tok in children or []:
        t = tok.type
        top = stack[-1][2]
        if t == "text":
            bad = CONTROL_RE.search(tok.content)  # only through a character reference such as &#12;
            if bad:
                problems.append((line, f"character reference to the control character U+{ord(bad.group()):04X}; "
                                       "delete it"))
            top.extend(_text_nodes(CONTROL_RE.sub("\ufffd", tok.content)))
        elif t == "softbreak":
            top.append(LineBreak(False))
        elif t == "hardbreak":
            top.append(LineBreak(True))
        elif t == "code_inline":
            top.append(Code(tok.content))
        elif t in ("strong_open", "em_open", "link_open") and len(stack) > MAX_INLINE_DEPTH:
            # ``*****…x…*****`` nests thousands deep; a model that deep overflows every recursive writer
            if not any(kind == "flat" for kind, _, _ in stack):
                problems.append((line, f"emphasis or links nested more than {MAX_INLINE_DEPTH} deep; "
                                       "simplify the markup"))
            stack.append(("flat", None, []))
        elif t in ("strong_open", "em_open"):
            stack.append((t, None, []))
        elif t == "link_open":
            stack.append((t, str(tok.attrs.get("href", "")), []))
        elif t in ("strong_close", "em_close", "link_close"):
            kind, data, nodes = stack.pop()
            parent = stack[-1][2]
            inner = _merge_text(nodes)
            if kind == "flat":
                parent.extend(inner)
            elif kind == "strong_open":
                parent.append(Strong(inner))
            elif kind == "em_open":
                parent.append(Emph(inner))
            else:
                href = str(data)
                if href.startswith("#"):
                    parent.append(XRef(as_typed(href[1:]), inner))
                elif href.lower().startswith(_SAFE_SCHEMES):
                    parent.append(Link(href, inner))
                else:
                    problems.append((line, f"link target {as_typed(href)!r} is not allowed; link to a clause as "
                                           "(#clause-id) or to an http(s) address"))
                    parent.extend(inner)
        elif t == "image":
            problems.append((line, "an image must stand alone in its paragraph as a figure: "
                                   '![alt](figures/name.svg "caption"){#fig-id}'))
            top.append(Text(tok.content))
        elif t == "footnote_ref":
            top.append(FootnoteRef(str(tok.meta.get("label", ""))))
        elif t == "html_inline":  # not produced with html disabled, kept for safety
            top.append(Text(tok.content))
        else:
            top.append(Text(tok.content))
    while len(stack) > 1:  # unbalanced (cannot happen with markdown-it output, but never lose text)
        _, _, nodes = stack.pop()
        stack[-1][2].extend(nodes)
    return _merge_text(stack[0][2])


def _line(tok: Token, base: int) -> int:
    return (tok.map[0] + base) if tok.map else base


def convert_blocks(tokens: list[Token], base: int, problems: Problems) -> tuple[Block, ...]:
    """Block tokens (a balanced run) → blocks. ``base`` turns token line maps into file lines (map + base)."""
    blocks, _ = _blocks(tokens, 0, len(tokens), base, problems)
    return blocks


def find_close(tokens: list[Token], i: int, end: int) -> int:
    """Index of the token closing tokens[i] (matching nesting)."""
    depth = 0
    for j in range(i, end):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return end - 1


def _blocks(tokens: list[Token], i: int, end: int, base: int, problems: Problems) -> tuple[tuple[Block, ...], int]:
    out: list[Block] = []
    while i < end:
        tok = tokens[i]
        t = tok.type
        line = _line(tok, base)
        if t == "paragraph_open":
            inline = tokens[i + 1]
            content = inline.content
            if content.startswith(":::"):
                problems.append((line, f"unknown or malformed container {content.splitlines()[0]!r}; "
                                       f"the containers are '::: {COMMENTARY}', "
                                       + ", ".join(f"'::: {k}'" for k in BOX_KINDS) + ", closed by ':::'"))
            children = inline.children or []
            if content.strip() == PAGEBREAK:
                out.append(PageBreak(line))
            elif children and children[0].type == "image" and _figure_shape(children):
                out.append(_figure(children, line, problems))
            else:
                out.append(Para(convert_inlines(children, line, problems), line))
            i = find_close(tokens, i, end) + 1
        elif t in ("bullet_list_open", "ordered_list_open"):
            close = find_close(tokens, i, end)
            items: list[tuple[Block, ...]] = []
            j = i + 1
            while j < close:
                if tokens[j].type == "list_item_open":
                    item_close = find_close(tokens, j, close)
                    item_blocks, _ = _blocks(tokens, j + 1, item_close, base, problems)
                    items.append(item_blocks)
                    j = item_close + 1
                else:
                    j += 1
            cls = BulletList if t == "bullet_list_open" else OrderedList
            out.append(cls(tuple(items), line))
            i = close + 1
        elif t == "table_open":
            close = find_close(tokens, i, end)
            header: list[tuple[Inline, ...]] = []
            rows: list[tuple[tuple[Inline, ...], ...]] = []
            aligns: list[str] = []
            in_head = False
            row: list[tuple[Inline, ...]] = []
            for j in range(i + 1, close):
                tt = tokens[j].type
                if tt == "thead_open":
                    in_head = True
                elif tt == "thead_close":
                    in_head = False
                elif tt == "tr_open":
                    row = []
                elif tt == "tr_close":
                    if in_head:
                        header = row
                    else:
                        rows.append(tuple(row))
                elif tt in ("th_open", "td_open"):
                    if in_head:
                        style = str(tokens[j].attrs.get("style", ""))
                        aligns.append(style.replace("text-align:", "") if style else "")
                elif tt == "inline":
                    row.append(convert_inlines(tokens[j].children, _line(tokens[j], base), problems))
            out.append(Table(tuple(header), tuple(rows), tuple(aligns), line))
            i = close + 1
        elif t == "fence" and tok.info.strip().split(" ")[0] == "table":
            out.append(_grid_table(tok, line, problems))
            i += 1
        elif t in ("fence", "code_block"):
            out.append(CodeBlock(tok.content, tok.info.strip(), line))
            i += 1
        elif t in BOX_OPEN:
            close = find_close(tokens, i, end)
            inner, _ = _blocks(tokens, i + 1, close, base, problems)
            out.append(Box(BOX_OPEN[t], inner, line))
            i = close + 1
        elif t == "footnote_reference_open":
            close = find_close(tokens, i, end)
            inner, _ = _blocks(tokens, i + 1, close, base, problems)
            out.append(Footnote(str(tok.meta.get("label", "")), inner, line))
            i = close + 1
        elif t == "blockquote_open":
            close = find_close(tokens, i, end)
            inner, _ = _blocks(tokens, i + 1, close, base, problems)
            out.append(BlockQuote(inner, line))
            i = close + 1
        elif t == "html_block":  # not produced with html disabled
            out.append(Para((Text(tok.content),), line))
            i += 1
        elif t == "hr":
            i += 1
        elif tok.nesting == 1:  # a container we do not know: keep its content
            close = find_close(tokens, i, end)
            inner, _ = _blocks(tokens, i + 1, close, base, problems)
            out.extend(inner)
            i = close + 1
        else:
            i += 1
    return tuple(out), i


# figures ------------------------------------------------------------------------------------------------------------


def _figure_shape(children: list[Token]) -> bool:
    """Whether a paragraph is a figure: one image, optionally followed by ``{#fig-id}``."""
    if len(children) == 1:
        return True
    return len(children) == 2 and children[1].type == "text" and bool(_FIGURE_ATTR_RE.match(children[1].content))


def figure_path_problem(src: str) -> str:
    """Why a figure path is not acceptable as written (empty when it is); the file itself is checked by the reader."""
    if src.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", src) or ".." in src.split("/") or "\\" in src \
            or not src.startswith(FIGURE_DIR) or src == FIGURE_DIR or "\x00" in src:
        return (f"figure path {src} must lie in the edition's figures/ folder (no '..', no absolute paths)")
    ext = src[src.rfind("."):].lower() if "." in src.rsplit("/", 1)[-1] else ""
    if ext not in FIGURE_TYPES:
        return f"figure {src}: unsupported type; use SVG (.svg), PNG (.png) or JPEG (.jpg)"
    return ""


def _figure(children: list[Token], line: int, problems: Problems) -> Figure:
    img = children[0]
    src = str(img.attrs.get("src", ""))
    alt = CONTROL_RE.sub("\ufffd", img.content).strip()
    title = CONTROL_RE.sub("\ufffd", str(img.attrs.get("title", "") or "")).strip()
    ident = ""
    if len(children) == 2:
        ident = _FIGURE_ATTR_RE.match(children[1].content).group(1)
        if not ID_RE.match(ident):
            problems.append((line, f"malformed figure ID {ident!r}; IDs match [a-z][a-z0-9-]{{1,39}}, e.g. "
                                   "fig-alpha-model"))
            ident = ""
    problem = figure_path_problem(src)
    if problem:
        problems.append((line, problem))
    if not alt:
        problems.append((line, f"figure {src} has no alternative text; write what the figure shows between ![ and ]"))
    return Figure(src, alt, _merge_text(_text_nodes(title)), ident, line)


# tables with merged cells -------------------------------------------------------------------------------------------


def _grid_table(tok: Token, line: int, problems: Problems) -> Block:
    """A fenced ``table`` block (YAML: caption, head, body, row_header) → :class:`GridTable`; problems name the row."""
    m = _TABLE_INFO_RE.match(tok.info.strip())
    ident = ""
    if m is None:
        problems.append((line, f"table: the info string must be 'table' or 'table {{#tbl-id}}', not "
                               f"{tok.info.strip()!r}"))
    elif m.group(1) is not None:
        ident = m.group(1)
        if not ID_RE.match(ident):
            problems.append((line, f"malformed table ID {ident!r}; IDs match [a-z][a-z0-9-]{{1,39}}, e.g. "
                                   "tbl-asset-classes"))
            ident = ""
    empty = GridTable((), (), (), 0, ident, False, line)
    try:
        doc = yamlio.load(tok.content, first_line=line + 1)
    except yamlio.YamlProblem as exc:
        problems.append((exc.line, f"table: {exc.message}"))
        return empty
    data = doc.data
    if not isinstance(data, dict):
        problems.append((line, "table: the block must be a mapping with caption, head and body"))
        return empty
    ok = True
    for key in data:
        if key not in TABLE_KEYS:
            problems.append((doc.line(key), f"table: unknown key {key!r}; use " + ", ".join(TABLE_KEYS)))
            ok = False
    caption = data.get("caption")
    if not isinstance(caption, str) or not caption.strip():
        problems.append((doc.line("caption") if "caption" in data else line, "table: caption is required (text)"))
        ok = False
        caption = ""
    row_header = data.get("row_header", False)
    if not isinstance(row_header, bool):
        problems.append((doc.line("row_header"), "table: row_header must be true or false"))
        ok, row_header = False, False
    sections: dict[str, tuple[tuple[Cell, ...], ...]] = {}
    widths: list[tuple[int, int, str, int]] = []  # (line, width, section, row number)
    for section in ("head", "body"):
        rows = data.get(section, [] if section == "head" else None)
        if rows is None:
            problems.append((line, "table: body is required (a list of rows)"))
            ok = False
            continue
        if not isinstance(rows, list) or (section == "body" and not rows):
            problems.append((doc.line(section), f"table: {section} must be a list of rows, each a list of cells"))
            ok = False
            continue
        out_rows: list[tuple[Cell, ...]] = []
        cells_ok = True
        for r, row in enumerate(rows):
            rline = doc.line(section, r)
            if not isinstance(row, list) or not row:
                problems.append((rline, f"table: {section} row {r + 1} must be a list of cells"))
                ok = cells_ok = False
                continue
            cells: list[Cell] = []
            for c, raw in enumerate(row):
                cell = _cell(raw, rline, f"{section} row {r + 1} cell {c + 1}", problems)
                if cell is None:
                    ok = cells_ok = False
                    continue
                cells.append(cell)
            out_rows.append(tuple(cells))
        sections[section] = tuple(out_rows)
        if cells_ok:
            width = _check_grid(sections[section], section, [doc.line(section, r) for r in range(len(rows))],
                                problems)
            if width is None:
                ok = False
            elif width:
                widths.append((doc.line(section), width, section, 0))
    if ok and len({w for _, w, _, _ in widths}) > 1:
        (l1, w1, s1, _), (l2, w2, s2, _) = widths[0], widths[1]
        problems.append((l2, f"table: {s2} is {w2} columns wide, {s1} is {w1}; make them the same width"))
        ok = False
    if not ok:
        return empty
    columns = widths[0][1] if widths else 0
    cap = convert_inlines(_inline_tokens(caption.strip()), line, problems)
    return GridTable(cap, sections.get("head", ()), sections.get("body", ()), columns, ident, row_header, line)


def _inline_tokens(text: str) -> list[Token]:
    toks = parser().parseInline(text)
    return toks[0].children if toks else []


def _cell(raw, line: int, where: str, problems: Problems) -> Cell | None:
    spans = {"rowspan": 1, "colspan": 1}
    if isinstance(raw, dict):
        for key in raw:
            if key not in ("text", "rowspan", "colspan"):
                problems.append((line, f"table: {where}: unknown key {key!r}; a cell has text, rowspan, colspan"))
                return None
        for key in ("rowspan", "colspan"):
            value = raw.get(key, 1)
            if type(value) is not int or not 1 <= value <= MAX_SPAN:
                problems.append((line, f"table: {where}: {key} must be a whole number from 1 to {MAX_SPAN}"))
                return None
            spans[key] = value
        raw = raw.get("text", "")
    if isinstance(raw, bool) or raw is None or not isinstance(raw, (str, int, float)):
        problems.append((line, f"table: {where} must be text or a mapping {{text: …, rowspan: N, colspan: N}}"))
        return None
    text = CONTROL_RE.sub("\ufffd", str(raw))
    return Cell(convert_inlines(_inline_tokens(text), line, problems), spans["rowspan"], spans["colspan"])


def _check_grid(rows: tuple[tuple[Cell, ...], ...], section: str, lines: list[int], problems: Problems) -> int | None:
    """The width of a section's grid, or None after reporting a ragged row or a span past its end (model.place_cells)."""
    starts, problem = place_cells(rows)
    if problem is not None:
        r, message = problem
        if message.startswith("has "):
            problems.append((lines[r], f"table: {section} row {r + 1} {message}; count the cells covered by "
                                       "rowspan/colspan"))
        elif "past the last row" in message:
            problems.append((lines[r], f"table: {section} row {r + 1}: {message} of {section}; reduce its rowspan"))
        else:
            problems.append((lines[r], f"table: {section} row {r + 1}: {message}; check rowspan and colspan"))
        return None
    return max((c + cell.colspan for row, cols in zip(rows, starts) for c, cell in zip(cols, row)), default=0)
