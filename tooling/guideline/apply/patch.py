"""The new source text of an edition after an apply, touching only the lines of the clauses that changed.

Each Markdown file is a preamble followed by clause *regions*: a clause's heading line up to the next heading line
(its metadata, text, 解説 and the blank lines after them). The new file is the regions in the new clause order:

* an unchanged clause's region is copied byte for byte (moved with the clause when it moved);
* a clause whose level changed gets its heading line's ``#`` run rewritten, nothing else;
* a changed heading rewrites the heading text on the heading line; its ``{#id ...}`` attributes stay as written;
* changed text or 解説 is patched block by block: the blocks Word left as they were keep their source lines (and the
  blank lines between them); lists are patched item by item; only new or changed blocks and items are written anew
  (:mod:`guideline.writers.markdown_source`); the YAML block stays as written;
* a new clause is written as the source format has it, with its generated ID; a deleted clause's region goes.

A clause moved before the start of its file's successor moves into the file where its new neighbours are. A region
whose layout is unusual (text after the 解説 container, two containers) gets its text and 解説 written anew below
its heading and YAML lines.
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path

from guideline.apply.merge import Entry, Plan
from guideline.diagnostics import UserError
from guideline.markup import COMMENTARY
from guideline.model import (
    Block,
    BulletList,
    Clause,
    Edition,
    OrderedList,
    Para,
    Table,
    Text,
    XRef,
    inline_text,
    iter_inlines,
    xref_label,
)
from guideline.wordview import canonical_blocks
from guideline.writers.markdown_source import block_md, blocks_md, inlines_md

_HEADING_LINE = re.compile(r"^(#{1,6})([ \t]+)(.*?)([ \t]*\{[^{}]*\}[ \t]*)$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_OPEN = re.compile(rf"^ {{0,3}}:{{3,}}\s*{COMMENTARY}\s*$")
_CLOSE = re.compile(r"^ {0,3}:{3,}\s*$")
_MARKER = re.compile(r"^( {0,3})([-*+]|\d{1,9}[.)])([ \t]+)")


def _blank(line: str) -> bool:
    return not line.strip()


def _strip_blank_tail(lines: list[str]) -> tuple[list[str], list[str]]:
    k = len(lines)
    while k and _blank(lines[k - 1]):
        k -= 1
    return lines[:k], lines[k:]


def _ensure_nl(text: str) -> str:
    return text if text.endswith("\n") or not text else text + "\n"


def heading_line(level: int, heading: str, attrs: str) -> str:
    text = inlines_md((Text(heading),)) if heading else ""
    return "#" * level + (f" {text}" if text else "") + attrs + "\n"


class _Source:
    """One clause's source lines and where its parts sit in them."""

    def __init__(self, clause: Clause, lines: list[str]):
        self.clause = clause
        self.lines = lines
        self.at = clause.loc.line

    def idx(self, line: int) -> int:
        return line - self.at


def _restore_xrefs(block: Block, originals: dict[str, XRef]) -> Block:
    """Cross-references written with their own link text keep it (Word shows only the computed label); one the file
    shows as plain text (reibun.docx: a target outside the 例文 part), keyed by its label, is a cross-reference
    again where that label still stands."""
    if not originals:
        return block
    labels = {k: v for k, v in originals.items() if not k.startswith("#")}

    def text(node: Text) -> list:
        out: list = [node]
        for label, xref in labels.items():
            if not label:
                continue
            nxt = []
            for piece in out:
                if isinstance(piece, Text) and label in piece.text:
                    before, _, after = piece.text.partition(label)
                    nxt += [x for x in (Text(before) if before else None, xref, Text(after) if after else None) if x]
                else:
                    nxt.append(piece)
            out = nxt
        return out

    def inl(nodes):
        out = []
        for n in nodes:
            if isinstance(n, Text):
                out.extend(text(n))
            elif isinstance(n, XRef) and not n.children and "#" + n.target in originals:
                out.append(originals["#" + n.target])
            elif hasattr(n, "children") and not isinstance(n, XRef):
                out.append(type(n)(*[inl(getattr(n, f)) if f == "children" else getattr(n, f)
                                     for f in n.__dataclass_fields__]))
            else:
                out.append(n)
        return tuple(out)

    if isinstance(block, Para):
        return Para(inl(block.inlines))
    if isinstance(block, (BulletList, OrderedList)):
        return type(block)(tuple(tuple(_restore_xrefs(b, originals) for b in item) for item in block.items))
    if isinstance(block, Table):
        return Table(tuple(inl(c) for c in block.header), tuple(tuple(inl(c) for c in r) for r in block.rows),
                     block.aligns)
    return block


def _xrefs(blocks: tuple[Block, ...], links: set[str] | None, edition: Edition, clause: Clause) -> dict[str, XRef]:
    """The cross-references of a clause's source that Word cannot give back: ``"#target"`` → one written with its
    own text, ``label`` → one the file shows as plain text (its target is not in the file)."""
    out: dict[str, XRef] = {}
    for node in iter_inlines(blocks):
        if not isinstance(node, XRef):
            continue
        if links is not None and node.target not in links:
            label = inline_text(node.children) if node.children else xref_label(node.target, edition, clause)
            out.setdefault(label, node)
        elif node.children:
            out.setdefault("#" + node.target, node)
    return out


class Patcher:
    def __init__(self, edition: Edition, links: set[str] | None):
        self.edition = edition
        self.links = links

    def canon(self, block: Block, clause: Clause) -> tuple[Block, ...]:
        return canonical_blocks((block,), self.links, self.edition, clause)

    # ---------------------------------------------------------------------------------------------------------------
    # blocks

    def spans(self, src: _Source, blocks: tuple[Block, ...], end: int) -> list[tuple[list[str], list[str]]] | None:
        """(lines, blank lines after) of each block, the last one ending before line index ``end``."""
        starts = [src.idx(b.line) for b in blocks]
        if any(s <= 0 for s in starts) or starts != sorted(starts) or (starts and starts[-1] >= end):
            return None
        out = []
        for k, s in enumerate(starts):
            e = starts[k + 1] if k + 1 < len(starts) else end
            out.append(_strip_blank_tail(src.lines[s:e]))
        return out

    def patch_blocks(self, src: _Source, old: tuple[Block, ...], spans, new: tuple[Block, ...]) -> str | None:
        """The new text of a run of blocks: unchanged blocks keep their lines. None: cannot align (regenerate)."""
        clause = src.clause
        olds = [self.canon(b, clause) for b in old]
        if any(len(c) != 1 for c in olds):
            return None
        olds1 = [c[0] for c in olds]
        originals = _xrefs(old, self.links, self.edition, clause)
        pieces: list[tuple[str, int | None]] = []  # (text without trailing newline, original index)
        sm = difflib.SequenceMatcher(None, olds1, list(new), autojunk=False)
        for op, a0, a1, b0, b1 in sm.get_opcodes():
            if op == "equal":
                for k in range(a0, a1):
                    pieces.append(("".join(spans[k][0]).rstrip("\n"), k))
                continue
            if op == "replace" and a1 - a0 == b1 - b0:
                for k, j in zip(range(a0, a1), range(b0, b1)):
                    text = self.patch_list(src, old[k], spans[k][0], olds1[k], new[j], originals)
                    if text is None:
                        text = block_md(_restore_xrefs(new[j], originals))
                    pieces.append((text, None))
                continue
            for j in range(b0, b1):
                pieces.append((block_md(_restore_xrefs(new[j], originals)), None))
        out = []
        for i, (text, k) in enumerate(pieces):
            if i:
                prev = pieces[i - 1][1]
                if prev is not None and k is not None and k == prev + 1:
                    out.append("\n" + "".join(spans[prev][1]))
                else:
                    out.append("\n\n")
            out.append(text)
        return "".join(out)

    def patch_list(self, src: _Source, block: Block, lines: list[str], old: Block, new: Block,
                   originals: dict[str, XRef]) -> str | None:
        """A list whose items changed: unchanged items keep their lines."""
        if not isinstance(block, (BulletList, OrderedList)) or type(old) is not type(new):
            return None
        assert isinstance(old, (BulletList, OrderedList)) and isinstance(new, (BulletList, OrderedList))
        if any(not item for item in block.items) or not lines:
            return None
        first = _MARKER.match(lines[0])
        if first is None:
            return None
        starts = [src.idx(item[0].line) - src.idx(block.line) for item in block.items]
        if starts[0] != 0 or starts != sorted(starts) or starts[-1] >= len(lines):
            return None
        item_text = []
        for k, s in enumerate(starts):
            e = starts[k + 1] if k + 1 < len(starts) else len(lines)
            body, _ = _strip_blank_tail(lines[s:e])
            item_text.append("".join(body).rstrip("\n"))
        tight = all(not _blank(x) for x in lines)
        indent, marker = first.group(1), first.group(2)
        sm = difflib.SequenceMatcher(None, list(old.items), list(new.items), autojunk=False)
        out = []
        for op, a0, a1, b0, b1 in sm.get_opcodes():
            if op == "equal":
                out += item_text[a0:a1]
                continue
            for j in range(b0, b1):
                n = len(out) + 1
                mark = marker if isinstance(new, BulletList) else f"{n}{marker[-1]}"
                body = blocks_md(tuple(_restore_xrefs(b, originals) for b in new.items[j]))
                pad = " " * (len(indent) + len(mark) + 1)
                text = "\n".join([indent + mark + " " + body.split("\n")[0]] +
                                 [(pad + x) if x else "" for x in body.split("\n")[1:]])
                out.append(text)
        return ("\n" if tight else "\n\n").join(out)

    # ---------------------------------------------------------------------------------------------------------------
    # one clause

    def region(self, entry: Entry, clause: Clause, lines: list[str]) -> list[str]:
        """The clause's new region text, as lines."""
        lines = list(lines)
        m = _HEADING_LINE.match(lines[0].rstrip("\n")) if lines else None
        wc = entry.word
        if entry.level != clause.level or "heading" in entry.aspects:
            heading = wc.heading if wc is not None and "heading" in entry.aspects else clause.heading
            attrs = m.group(4) if m else f" {{#{clause.id}}}"
            lines[0] = heading_line(entry.level, heading, attrs)
        if wc is None or not ({"body", "commentary"} & set(entry.aspects)):
            return lines
        src = _Source(clause, lines)
        new_body = wc.body if "body" in entry.aspects else None
        new_comm = wc.commentary if "commentary" in entry.aspects else None
        patched = self._patch_text(src, new_body, new_comm)
        if patched is not None:
            return patched
        return self._regenerate(src, clause, new_body, new_comm)

    def _meta_end(self, src: _Source) -> int:
        meta = src.clause.meta.loc
        if meta is None:
            return 1
        y = src.idx(meta.line)
        if not (0 < y < len(src.lines)):
            return 1
        fence = _FENCE.match(src.lines[y])
        if fence is None:
            return 1
        char, n = fence.group(1)[0], len(fence.group(1))
        for j in range(y + 1, len(src.lines)):
            stripped = src.lines[j].strip()
            if stripped and set(stripped) == {char} and len(stripped) >= n:
                return j + 1
        return len(src.lines)

    def _container(self, src: _Source) -> tuple[int, int] | None:
        comm = src.clause.commentary
        if not comm:
            return None
        c0, c1 = src.idx(comm[0].line), src.idx(comm[-1].line)
        opens = [j for j in range(c0 - 1, 0, -1) if _OPEN.match(src.lines[j])]
        closes = [j for j in range(c1 + 1, len(src.lines)) if _CLOSE.match(src.lines[j])]
        if not opens or not closes:
            return None
        copen, cclose = opens[0], closes[0]
        if any(_OPEN.match(src.lines[j]) for j in range(copen + 1, cclose)):
            return None  # two containers
        return copen, cclose

    def _patch_text(self, src: _Source, new_body, new_comm) -> list[str] | None:
        clause, lines = src.clause, src.lines
        meta_end = self._meta_end(src)
        cont = self._container(src)
        if clause.commentary and cont is None:
            return None
        body_idx = [src.idx(b.line) for b in clause.body]
        if any(i < meta_end for i in body_idx):
            return None
        if cont is not None and any(i > cont[0] for i in body_idx):
            return None
        end = cont[0] if cont is not None else len(lines)
        text_end = end
        while text_end > meta_end and _blank(lines[text_end - 1]):
            text_end -= 1
        out_lines = lines
        # 解説 first (it sits below the text, so the text's indexes stay valid)
        if new_comm is not None:
            out_lines = self._patch_commentary(src, cont, text_end, new_comm)
            if out_lines is None:
                return None
        if new_body is not None:
            if clause.body:
                spans = self.spans(src, clause.body, text_end)
                if spans is None:
                    return None
                text = self.patch_blocks(src, clause.body, spans, new_body)
                if text is None:
                    return None
                start = body_idx[0]
                replacement = [text + "\n"] if text else []
                if not text:  # the text went: drop the blank line after it too
                    stop = text_end
                    while stop < len(out_lines) and _blank(out_lines[stop]) and stop < end:
                        stop += 1
                    return out_lines[:start] + out_lines[stop:]
                return out_lines[:start] + replacement + out_lines[text_end:]
            if new_body:
                text = blocks_md(new_body)
                at = meta_end
                before = [] if at > 0 and _blank(out_lines[at - 1]) else ["\n"]
                after = ["\n"] if at >= len(out_lines) or not _blank(out_lines[at]) else []
                if at >= len(out_lines):
                    after = []
                return out_lines[:at] + before + [text + "\n"] + after + out_lines[at:]
        return out_lines

    def _patch_commentary(self, src: _Source, cont, text_end: int, new_comm) -> list[str] | None:
        clause, lines = src.clause, src.lines
        if cont is None:
            if not new_comm:
                return lines
            inner = blocks_md(new_comm)
            block = [f"::: {COMMENTARY}\n", inner + "\n", ":::\n"]
            at = text_end
            return lines[:at] + ["\n"] + block + lines[at:]
        copen, cclose = cont
        if not new_comm:
            start = copen
            while start > 1 and _blank(lines[start - 1]):
                start -= 1
            return lines[:start] + lines[cclose + 1:] if start >= text_end else lines[:copen] + lines[cclose + 1:]
        inner_end = cclose
        while inner_end > copen + 1 and _blank(lines[inner_end - 1]):
            inner_end -= 1
        spans = self.spans(src, clause.commentary, inner_end)
        if spans is None:
            return None
        text = self.patch_blocks(src, clause.commentary, spans, new_comm)
        if text is None:
            return None
        start = src.idx(clause.commentary[0].line)
        return lines[:start] + [text + "\n"] + lines[inner_end:]

    def _regenerate(self, src: _Source, clause: Clause, new_body, new_comm) -> list[str]:
        """Heading and YAML lines as written, then the text and 解説 written anew."""
        meta_end = self._meta_end(src)
        head = src.lines[:meta_end]
        body = new_body if new_body is not None else clause.body
        comm = new_comm if new_comm is not None else clause.commentary
        parts = []
        if body:
            parts.append(blocks_md(body))
        if comm:
            parts.append(f"::: {COMMENTARY}\n{blocks_md(comm)}\n:::")
        tail = "\n\n".join(parts)
        _, blanks = _strip_blank_tail(src.lines)
        out = _strip_blank_tail(head)[0] + (["\n", tail + "\n"] if tail else [])
        return out + (blanks or [])

    # ---------------------------------------------------------------------------------------------------------------
    # a new clause

    def new_region(self, entry: Entry) -> list[str]:
        wc = entry.word
        assert wc is not None
        parts = [heading_line(entry.level, wc.heading, f" {{#{entry.id}}}").rstrip("\n")]
        if wc.body:
            parts.append(blocks_md(wc.body))
        if wc.commentary:
            parts.append(f"::: {COMMENTARY}\n{blocks_md(wc.commentary)}\n:::")
        return ["\n\n".join(parts) + "\n"]


# --------------------------------------------------------------------------------------------------------------------
# files


def render(edition: Edition, plan: Plan, links: set[str] | None) -> dict[Path, str]:
    """``{path: new text}`` of every source file whose text changes."""
    root = Path(edition.meta.root).resolve()
    files = [root / name for name in edition.meta.files]
    texts = {p: p.read_text(encoding="utf-8") for p in files if p.is_file()}
    lines = {p: t.splitlines(keepends=True) for p, t in texts.items()}
    by_file: dict[Path, list[Clause]] = {p: [] for p in files}
    for c in edition.clauses():
        path = Path(c.loc.path).resolve()
        if path not in by_file:  # never drop a clause whose lines cannot be found
            raise UserError(f"{c.loc}: clause {c.id} is not in a file listed in {root / 'edition.yaml'}; "
                            "apply cannot place its lines")
        by_file[path].append(c)
    regions: dict[str, list[str]] = {}
    file_of: dict[str, int] = {}
    orig_next: dict[str, str | None] = {}
    preamble: dict[Path, list[str]] = {}
    for fi, path in enumerate(files):
        cl = sorted(by_file[path], key=lambda c: c.loc.line)
        ls = lines.get(path, [])
        preamble[path] = ls[:cl[0].loc.line - 1] if cl else ls
        for k, c in enumerate(cl):
            end = cl[k + 1].loc.line - 1 if k + 1 < len(cl) else len(ls)
            regions[c.id] = ls[c.loc.line - 1:end]
            file_of[c.id] = fi
            orig_next[c.id] = cl[k + 1].id if k + 1 < len(cl) else None
    patcher = Patcher(edition, links)
    assigned: list[list[tuple[str, list[str]]]] = [[] for _ in files]
    cur = 0
    for entry in plan.order:
        if entry.existing:
            clause = edition.by_id[entry.id]
            fi = file_of.get(entry.id, cur)
            cur = max(cur, fi)
            text = patcher.region(entry, clause, regions.get(entry.id, []))
        else:
            text = patcher.new_region(entry)
        assigned[cur].append((entry.id, text))
    out: dict[Path, str] = {}
    for fi, path in enumerate(files):
        pieces = list(preamble.get(path, []))
        seq = assigned[fi]
        for k, (cid, text) in enumerate(seq):
            body = "".join(text)
            nxt = seq[k + 1][0] if k + 1 < len(seq) else None
            if nxt is not None and orig_next.get(cid, "") != nxt:
                body = _ensure_nl(body)
                if not body.endswith("\n\n"):
                    body += "\n"
            pieces.append(body)
        new = "".join(pieces)
        if new != texts.get(path, ""):
            out[path] = new
    return out
