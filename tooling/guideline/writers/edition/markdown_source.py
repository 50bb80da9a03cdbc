"""The model back as source files: ``edition.yaml`` and Markdown in the format of docs/source-format.md.

``read_edition(write_edition(ed))`` gives ``ed`` back clause for clause — IDs, headings, levels, ``.unnumbered``,
metadata, text, 解説 and the order of everything — up to source locations (tests/test_properties_reader.py).
Clauses go back to the file they were read from (``clause.loc``), so ``a.md``/``b.md`` stay ``a.md``/``b.md``; a
model made in memory gets one file per 編 (``01-<part-id>.md``).

What the source format cannot say is not kept: which of ``-``/``*`` or ``*``/``_`` a list or emphasis used, tight or
loose lists, the start number of an ordered list, indented versus fenced code, entities versus characters,
several 解説 containers in one clause (they are written as one). Text is escaped so that it reads back as the same
text: every ASCII character that Markdown could take as markup is backslash-escaped, and so is a character at the
start of a line that would begin a block (``#``, ``-``, ``1.``, ``>``, ``:::`` ...).
"""
from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

import yaml

from guideline.fileio import atomic_write
from guideline.model import (
    Block,
    BlockQuote,
    Box,
    BulletList,
    Cell,
    Clause,
    ClauseMeta,
    Code,
    CodeBlock,
    Edition,
    EditionMeta,
    Emph,
    Figure,
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
)
from guideline.markup import COMMENTARY, PAGEBREAK

_ESCAPE_ALWAYS = set("\\`*_[]<&|!{}")  # "!" only matters before "[" (an image), but text can end in it;
# braces so that text never reads back as a placeholder or a malformed one
_LINE_START_RE = re.compile(r"^(?:[#>+=~:-]|\d{1,9}[.)])")


# --------------------------------------------------------------------------------------------------------------------
# inlines


def _escape_text(text: str) -> str:
    return "".join("\\" + c if c in _ESCAPE_ALWAYS else c for c in text)


def _code_span(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (
        text.startswith(" ") and text.endswith(" ") and text.strip()) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def inlines_md(nodes: tuple[Inline, ...], in_table: bool = False, outer: str = "") -> str:
    """Inline nodes as Markdown.

    Emphasis is written with ``*`` unless that would join two delimiter runs, then with ``_``: ``**a****b**`` is
    one run of text but ``**a**__b__`` two strong spans, and ``***a***`` reads as emphasis around strong while
    ``**_a_**`` is strong around emphasis. ``outer`` is the delimiter of an emphasis whose only content these
    nodes are. Emphasis that CommonMark cannot delimit at all (``a**`code`**b``: a delimiter between a letter and
    punctuation; ``*a*_b_c``: two emphases in a row inside a word) reads back as text with the asterisks."""
    out: list[str] = []
    prev_char = outer[-1:] if len(nodes) == 1 else ""
    for node in nodes:
        if isinstance(node, (Strong, Emph)):
            mark = "**" if isinstance(node, Strong) else "*"
            if prev_char == "*" and not (outer == "*" and isinstance(node, Strong)):  # ***a***: em around strong
                mark = mark.replace("*", "_")
            out.append(f"{mark}{inlines_md(node.children, in_table, outer=mark)}{mark}")
            prev_char = mark[0]
            continue
        prev_char = ""
        if isinstance(node, Text):
            out.append(_escape_text(node.text))
        elif isinstance(node, Code):
            span = _code_span(node.text)
            out.append(span.replace("|", "\\|") if in_table else span)
        elif isinstance(node, Placeholder):
            out.append("{{" + _escape_text(node.text) + "}}")
        elif isinstance(node, XRef):
            out.append(f"[{inlines_md(node.children, in_table)}](#{node.target})")
        elif isinstance(node, Link):
            out.append(f"[{inlines_md(node.children, in_table)}](<{node.href}>)")
        elif isinstance(node, LineBreak):
            out.append("\\\n" if node.hard else "\n")
        elif isinstance(node, FootnoteRef):
            out.append(f"[^{node.key}]")
    return "".join(out)


def _guard_line_starts(text: str) -> str:
    """Escape what would start a block at the beginning of a line (``# x``, ``- x``, ``1. x``, ``:::``...)."""

    def guard(line: str) -> str:
        m = _LINE_START_RE.match(line)
        if not m:
            return line
        at = m.end() - 1  # the character that makes it markup: '#', or the '.' of '1.'
        return line[:at] + "\\" + line[at:]

    return "\n".join(guard(line) for line in text.split("\n"))


def para_md(inlines: tuple[Inline, ...]) -> str:
    return _guard_line_starts(inlines_md(inlines))


# --------------------------------------------------------------------------------------------------------------------
# blocks


def _indent(text: str, first: str, rest: str) -> str:
    lines = text.split("\n")
    return "\n".join([first + lines[0]] + [(rest + line) if line else "" for line in lines[1:]])


def _fence_for(text: str, info: str) -> str:
    char = "~" if "`" in info else "`"
    longest = max((len(m) for m in re.findall(rf"^ {{0,3}}({re.escape(char)}+)", text, re.M)), default=0)
    return char * max(3, longest + 1)


def _list_md(block: BulletList | OrderedList, marker_kind: int) -> str:
    items = []
    for n, item in enumerate(block.items, 1):
        if isinstance(block, BulletList):
            marker = "-*+"[marker_kind % 3]
        else:
            marker = f"{n}{'.)'[marker_kind % 2]}"
        body = blocks_md(item)
        items.append(_indent(body, marker + " ", " " * (len(marker) + 1)) if body else marker)
    tight = all(len(item) <= 1 and all(isinstance(b, Para) for b in item) for item in block.items)
    return ("\n" if tight else "\n\n").join(items)


def _table_md(table: Table) -> str:
    def row(cells) -> str:
        return "| " + " | ".join(inlines_md(c, in_table=True) for c in cells) + " |"

    rule = {"left": ":---", "right": "---:", "center": ":---:"}
    aligns = [rule.get(table.aligns[i] if i < len(table.aligns) else "", "---") for i in range(len(table.header))]
    lines = [row(table.header), "|" + "|".join(aligns) + "|"]
    lines.extend(row(r) for r in table.rows)
    return "\n".join(lines)


def block_md(block: Block, marker_kind: int = 0) -> str:
    if isinstance(block, Para):
        return para_md(block.inlines)
    if isinstance(block, (BulletList, OrderedList)):
        return _list_md(block, marker_kind)
    if isinstance(block, Table):
        return _table_md(block)
    if isinstance(block, CodeBlock):
        fence = _fence_for(block.text, block.info)
        text = block.text if block.text.endswith("\n") or not block.text else block.text + "\n"
        return f"{fence}{block.info}\n{text}{fence}"
    if isinstance(block, BlockQuote):
        inner = blocks_md(block.blocks)
        return "\n".join(("> " + line) if line else ">" for line in inner.split("\n")) if inner else ">"
    if isinstance(block, Figure):
        title = inline_plain(block.caption).replace("\\", "\\\\").replace('"', '\\"')
        ident = f"{{#{block.ident}}}" if block.ident else ""
        return f'![{_escape_text(block.alt)}](<{block.src}> "{title}"){ident}'
    if isinstance(block, Box):
        return container_md(block.kind, blocks_md(block.blocks))
    if isinstance(block, GridTable):
        return grid_table_md(block)
    if isinstance(block, PageBreak):
        return PAGEBREAK
    raise TypeError(f"unknown block {type(block).__name__}")


def footnote_md(key: str, blocks: tuple[Block, ...]) -> str:
    """A footnote definition: ``[^key]: text``, its further lines indented by four spaces."""
    return _indent(blocks_md(blocks), f"[^{key}]: ", "    ")


def inline_plain(nodes: tuple[Inline, ...]) -> str:
    """A figure caption (the image title, which is plain text apart from placeholders) as written."""
    return "".join("{{" + n.text + "}}" if isinstance(n, Placeholder) else getattr(n, "text", "") for n in nodes)


def container_md(name: str, inner: str) -> str:
    """``::: name`` … ``:::``, with more colons than any container inside it."""
    longest = max((len(m) for m in re.findall(r"^ {0,3}(:{3,})", inner, re.M)), default=2)
    marker = ":" * max(3, longest + 1)
    return f"{marker} {name}\n{inner}\n{marker}"


def grid_cell_data(c: Cell) -> str | dict:
    """A cell of a ``table`` block as its YAML data: the text, or a mapping with its spans."""
    text = inlines_md(c.inlines)
    if c.rowspan == 1 and c.colspan == 1:
        return text
    out: dict = {"text": text}
    if c.rowspan > 1:
        out["rowspan"] = c.rowspan
    if c.colspan > 1:
        out["colspan"] = c.colspan
    return out


def grid_row_md(row: tuple[Cell, ...]) -> str:
    """One row of a ``table`` block on one line, in YAML flow style: ``[a, {text: b, colspan: 2}]``."""
    return yaml.dump([grid_cell_data(c) for c in row], Dumper=yaml.SafeDumper, allow_unicode=True,
                     default_flow_style=True, width=1 << 20, sort_keys=False).strip()


def grid_table_md(table: GridTable) -> str:
    """A fenced ``table`` block (docs/source-format.md): YAML with caption, head, body and row_header."""
    data: dict = {"caption": inlines_md(table.caption)}
    if table.row_header:
        data["row_header"] = True
    if table.head:
        data["head"] = [[grid_cell_data(c) for c in row] for row in table.head]
    data["body"] = [[grid_cell_data(c) for c in row] for row in table.body]
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100)
    fence = _fence_for(text, "table")
    info = f"table {{#{table.ident}}}" if table.ident else "table"
    return f"{fence}{info}\n{text}{fence}"


def blocks_md(blocks: tuple[Block, ...]) -> str:
    """Blocks separated by blank lines; two lists in a row get different markers so that they stay two lists."""
    parts: list[str] = []
    prev: Block | None = None
    kind = 0
    for block in blocks:
        if isinstance(block, (BulletList, OrderedList)):
            kind = kind + 1 if type(prev) is type(block) else 0
        parts.append(block_md(block, kind))
        prev = block
    return "\n\n".join(parts)


# --------------------------------------------------------------------------------------------------------------------
# metadata and clauses


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)  # "nisc:\n  - id: ..." as in docs/source-format.md


def _represent_list(dumper: yaml.SafeDumper, data: list):
    flow = all(isinstance(x, str) for x in data)  # models: [alpha, beta]; nisc mappings stay in block style
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def _yaml(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                     width=100)


def meta_data(meta: ClauseMeta) -> dict:
    data: dict = {}
    if meta.nisc:
        data["nisc"] = []
        for m in meta.nisc:
            entry = {"id": m.nisc_id, "relationship": m.relationship}
            if m.rationale:
                entry["rationale"] = m.rationale
            data["nisc"].append(entry)
    if meta.models:
        data["models"] = list(meta.models)
    if meta.split_from:
        data["split_from"] = meta.split_from
    if meta.merged_from:
        data["merged_from"] = list(meta.merged_from)
    if meta.replaces:
        data["replaces"] = meta.replaces
    if meta.note:
        data["note"] = meta.note
    if meta.tags:
        data["tags"] = list(meta.tags)
    return data


def clause_md(clause: Clause) -> str:
    """The clause's own block: heading, metadata, text, 解説 (not its sub-clauses)."""
    attrs = f"#{clause.id}" + (" .unnumbered" if clause.unnumbered else "") + (f" .{clause.kind}" if clause.kind else "")
    parts = ["#" * clause.level + (f" {clause.heading}" if clause.heading else "") + f" {{{attrs}}}"]
    data = meta_data(clause.meta)
    if data:
        parts.append("```yaml\n" + _yaml(data) + "```")
    if clause.body:
        parts.append(blocks_md(clause.body))
    for fn in clause.footnotes:
        parts.append(footnote_md(fn.key, fn.blocks))
    if clause.commentary:
        parts.append(container_md(COMMENTARY, blocks_md(clause.commentary)))
    return "\n\n".join(parts) + "\n"


def edition_yaml(meta: EditionMeta, files: list[str]) -> str:
    data: dict = {"id": meta.id, "title": meta.title}
    if meta.label:
        data["label"] = meta.label
    data["date"] = meta.date
    data["status"] = meta.status
    data["sample"] = meta.sample
    data["nisc_catalog"] = meta.nisc_catalog
    for key in ("reibun_part", "commentary_title", "previous"):
        if getattr(meta, key):
            data[key] = getattr(meta, key)
    if meta.numbering != "outline":
        data["numbering"] = meta.numbering
    return _yaml(data) + "files:\n" + "".join(f"  - {_scalar(name)}\n" for name in files)


def _scalar(value: str) -> str:
    """One YAML scalar on one line (quoted only when YAML needs it)."""
    return yaml.safe_dump(value, allow_unicode=True, width=1 << 20).removesuffix("\n...\n").rstrip("\n")


# --------------------------------------------------------------------------------------------------------------------
# files


def _source_name(clause: Clause, root: str) -> str:
    """The file a clause was read from, relative to the edition directory, when that is a plain relative .md path."""
    if not clause.loc.path or not root:
        return ""
    try:
        rel = os.path.relpath(clause.loc.path, root)
    except ValueError:
        return ""
    rel = PurePosixPath(*Path(rel).parts).as_posix()
    if rel.startswith(("/", "..")) or ".." in PurePosixPath(rel).parts or not rel.endswith(".md"):
        return ""
    return rel


def render_files(edition: Edition) -> dict[str, str]:
    """``{file name: text}`` for the edition: ``edition.yaml`` first, then the Markdown files in reading order."""
    chunks: dict[str, list[str]] = {}
    order: list[str] = []
    current = ""
    for index, part in enumerate(edition.parts, 1):
        for clause in part.walk():
            name = _source_name(clause, edition.meta.root)
            if not name and clause is part:  # made in memory: one file per 編
                name = f"{index:02d}-{part.id}.md"
            if name and name != current:
                if name in chunks:  # the same file again after another one: never overwrite, start a new file
                    stem, n = name[:-3], 2
                    while f"{stem}-{n}.md" in chunks:
                        n += 1
                    name = f"{stem}-{n}.md"
                chunks[name] = []
                order.append(name)
                current = name
            chunks[current].append(clause_md(clause))
    files = {"edition.yaml": edition_yaml(edition.meta, order)}
    for name in order:
        files[name] = "\n".join(chunks[name])
    return files


def write_edition(edition: Edition, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write ``edition.yaml`` and the Markdown files into ``out_dir`` (each file atomically); returns the paths."""
    out = Path(out_dir)
    return [atomic_write(out / name, text) for name, text in render_files(edition).items()]


write = write_edition  # the writer interface of guideline.writers: write(edition, out_dir) -> list[Path]
