"""Markdown → model blocks, on markdown-it-py tokens (which carry their source line map).

Only the subset documented in docs/source-format.md is turned into structure; raw HTML is disabled (shown as text),
and links other than ``#clause-id``, http(s) and mailto are kept as plain text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from guideline.model import (
    Block,
    BlockQuote,
    BulletList,
    Code,
    CodeBlock,
    Emph,
    Inline,
    LineBreak,
    Link,
    OrderedList,
    Para,
    Placeholder,
    Strong,
    Table,
    Text,
    XRef,
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


def _validate_commentary(params: str, *args) -> bool:
    return params.strip() == COMMENTARY


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.container import container_plugin

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    # Accept every link target at parse time so that the converter can report a disallowed scheme
    # (javascript:, data:, file:) as an error instead of silently leaving the Markdown as text.
    md.validateLink = lambda url: True
    md.use(container_plugin, name=COMMENTARY, validate=_validate_commentary)
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
                elif len(inner) == 1 and isinstance(inner[0], Text) and inner[0].text.startswith("^"):
                    # [^1] with a "[^1]: ..." line is a reference link to the note's text: footnote syntax
                    problems.append((line, f"footnotes ([{inner[0].text}]) are not supported; write the note in "
                                           "the text or in the 解説, and delete the '[" + inner[0].text
                                           + "]: ...' line"))
                    parent.extend(inner)
                else:
                    problems.append((line, f"link target {as_typed(href)!r} is not allowed; link to a clause as "
                                           "(#clause-id) or to an http(s) address"))
                    parent.extend(inner)
        elif t == "image":
            problems.append((line, "images are not supported in clause text; describe the figure in words"))
            top.append(Text(tok.content))
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


def _find_close(tokens: list[Token], i: int, end: int) -> int:
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
                                       f"the only container is '::: {COMMENTARY}' closed by ':::'"))
            out.append(Para(convert_inlines(inline.children, line, problems), line))
            i = _find_close(tokens, i, end) + 1
        elif t in ("bullet_list_open", "ordered_list_open"):
            close = _find_close(tokens, i, end)
            items: list[tuple[Block, ...]] = []
            j = i + 1
            while j < close:
                if tokens[j].type == "list_item_open":
                    item_close = _find_close(tokens, j, close)
                    item_blocks, _ = _blocks(tokens, j + 1, item_close, base, problems)
                    items.append(item_blocks)
                    j = item_close + 1
                else:
                    j += 1
            cls = BulletList if t == "bullet_list_open" else OrderedList
            out.append(cls(tuple(items), line))
            i = close + 1
        elif t == "table_open":
            close = _find_close(tokens, i, end)
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
        elif t in ("fence", "code_block"):
            out.append(CodeBlock(tok.content, tok.info.strip(), line))
            i += 1
        elif t == "blockquote_open":
            close = _find_close(tokens, i, end)
            inner, _ = _blocks(tokens, i + 1, close, base, problems)
            out.append(BlockQuote(inner, line))
            i = close + 1
        elif t == "html_block":  # not produced with html disabled
            out.append(Para((Text(tok.content),), line))
            i += 1
        elif t == "hr":
            i += 1
        elif tok.nesting == 1:  # a container we do not know: keep its content
            close = _find_close(tokens, i, end)
            inner, _ = _blocks(tokens, i + 1, close, base, problems)
            out.extend(inner)
            i = close + 1
        else:
            i += 1
    return tuple(out), i
