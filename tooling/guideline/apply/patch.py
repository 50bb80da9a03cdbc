"""The new source text of an edition after an apply, touching only the lines of the clauses that changed.

Each Markdown file is a preamble followed by clause *regions*: a clause's heading line up to the next heading line
(its metadata, text, 解説 and the blank lines after them). The new file is the regions in the new clause order:

* an unchanged clause's region is copied byte for byte (moved with the clause when it moved);
* a clause whose level changed gets its heading line's ``#`` run rewritten, nothing else;
* a changed heading rewrites the heading text on the heading line; its ``{#id ...}`` attributes stay as written;
* changed text or 解説 is patched block by block: the blocks Word left as they were keep their source lines (and the
  blank lines between them); lists are patched item by item; only new or changed blocks and items are written anew
  (:mod:`guideline.writers.edition.markdown_source`); the YAML block stays as written;
* a new clause is written as the source format has it, with its generated ID; a deleted clause's region goes.

A clause moved before the start of its file's successor moves into the file where its new neighbours are. A region
whose layout is unusual (text after the 解説 container, two containers) gets its text and 解説 written anew below
its heading and YAML lines.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import replace
from pathlib import Path

import yaml

from guideline.apply.merge import Entry, Plan
from guideline.diagnostics import UserError
from guideline.markup import COMMENTARY
from guideline.model import (
    Block,
    BulletList,
    Clause,
    Edition,
    Figure,
    FootnoteRef,
    GridTable,
    OrderedList,
    Text,
    XRef,
    inline_text,
    iter_blocks,
    iter_inlines,
    xref_label,
)
from guideline.wordview import canonical_blocks, footnote_order, is_linked, map_blocks, map_inlines
from guideline.writers.edition.markdown_source import (
    block_md,
    blocks_md,
    container_md,
    footnote_md,
    grid_row_md,
    inlines_md,
)

_HEADING_LINE = re.compile(r"^(#{1,6})([ \t]+)(.*?)([ \t]*\{[^{}]*\}[ \t]*)$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_OPEN = re.compile(rf"^ {{0,3}}:{{3,}}\s*{COMMENTARY}\s*$")
_CLOSE = re.compile(r"^ {0,3}:{3,}\s*$")
_MARKER = re.compile(r"^( {0,3})([-*+]|\d{1,9}[.)])([ \t]+)")
_GRID_KEY = re.compile(r"^[a-z_]+:")
_GRID_ROW = re.compile(r"^(\s*)- \[.*\]\s*$")
_NOTE = re.compile(r"^\[\^[^\]\s]+\]:")


def _colons(line: str) -> int:
    return len(line.strip()) - len(line.strip().lstrip(":"))


def _note_end(lines: list[str], at: int) -> int:
    """The index after a footnote definition starting at ``at``: its line and the lines indented under it."""
    end = at + 1
    j = end
    while j < len(lines):
        if lines[j].startswith("    ") and lines[j].strip():
            end = j = j + 1
        elif _blank(lines[j]):
            j += 1
        else:
            break
    return end


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
    shows as plain text (reibun.docx: a target outside the 例文 part; a figure's 図N), keyed by its label, is a
    cross-reference again where that label still stands."""
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

    return map_inlines((block,), inl)[0]


def _xrefs(blocks: tuple[Block, ...], links: set[str] | None, edition: Edition, clause: Clause) -> dict[str, XRef]:
    """The cross-references of a clause's source that Word cannot give back: ``"#target"`` → one written with its
    own text, ``label`` → one the file shows as plain text (its target is not in the file)."""
    out: dict[str, XRef] = {}
    for node in iter_inlines(blocks):
        if not isinstance(node, XRef):
            continue
        if not is_linked(node.target, links, edition):
            label = inline_text(node.children) if node.children else xref_label(node.target, edition, clause)
            out.setdefault(label, node)
        elif node.children:
            out.setdefault("#" + node.target, node)
    return out


class Patcher:
    def __init__(self, edition: Edition, links: set[str] | None):
        self.edition = edition
        self.links = links
        self.by_digest = {f"sha256:{a.digest}": a.src for a in edition.assets.values()}
        self.notes: dict[str, str] = {}  # the clause being patched: canonical footnote key → source key
        self.figures: dict[str, tuple[str, str]] = {}  # canonical figure file → (source path, ID)
        self.grids: dict[int, str] = {}  # id() of a table block read from Word → the source ID it keeps
        self.order: dict[str, str] = {}  # the clause's footnote keys → their canonical keys

    def originals(self, clause: Clause) -> dict[str, XRef]:
        return _xrefs(clause.body + clause.commentary + tuple(b for f in clause.footnotes for b in f.blocks),
                      self.links, self.edition, clause)

    def restored(self, blocks: tuple[Block, ...], clause: Clause) -> tuple[Block, ...]:
        originals = self.originals(clause)
        return tuple(self.restore(b, originals) for b in blocks)

    def canon(self, block: Block, clause: Clause) -> tuple[Block, ...]:
        return canonical_blocks((block,), self.links, self.edition, clause, notes=self.order)

    def restore(self, block: Block, originals: dict[str, XRef]) -> Block:
        """A block read from Word as the source writes it: cross-references, footnote keys, figure files and the
        IDs of figures and table blocks as in the source."""
        notes = self.notes

        def keys(nodes):
            return tuple(FootnoteRef(notes.get(n.key, n.key)) if isinstance(n, FootnoteRef) else
                         replace(n, children=keys(n.children)) if getattr(n, "children", None) else n
                         for n in nodes)

        def ids(b: Block) -> Block:
            if isinstance(b, Figure):
                src, ident = self.figures.get(b.src, (self.by_digest.get(b.src, b.src), ""))
                return replace(b, src=src, ident=b.ident or ident)
            if isinstance(b, GridTable):
                return replace(b, ident=b.ident or self.grids.get(id(b), ""))
            return b

        block = map_blocks((block,), ids)[0]
        return map_inlines((_restore_xrefs(block, originals),), keys)[0]

    def prepare(self, clause: Clause, wc) -> list[tuple[str, tuple[Block, ...] | None]]:
        """Per clause: how the Word file's footnote keys, figures and table blocks map to the source's; the
        footnote definitions to write: (source key, new blocks; None to delete), new ones with new keys."""
        with_comm = wc is not None and wc.commentary is not None
        self.order = footnote_order(clause, with_comm)
        src_blocks = clause.body + clause.commentary + tuple(b for f in clause.footnotes for b in f.blocks)
        self.figures = {}
        for b in iter_blocks(src_blocks):
            if isinstance(b, Figure):
                canon = canonical_blocks((b,), self.links, self.edition, clause)[0]
                self.figures.setdefault(canon.src, (b.src, b.ident))
        self.notes, self.grids = {}, {}
        if wc is None:
            return []
        word_blocks = wc.body + (wc.commentary or ()) + tuple(b for f in wc.footnotes for b in f)
        grids_src = [b for b in iter_blocks(src_blocks) if isinstance(b, GridTable)]
        grids_word = [b for b in iter_blocks(word_blocks) if isinstance(b, GridTable)]
        if len(grids_src) == len(grids_word):
            self.grids = {id(w): g.ident for w, g in zip(grids_word, grids_src)}
        defs = {f.key: f for f in clause.footnotes}
        src_keys = [k for k in self.order if k in defs]
        now = [canonical_blocks(defs[k].blocks, self.links, self.edition, clause, notes=self.order) for k in src_keys]
        new = list(wc.footnotes)
        changes: list[tuple[str, tuple[Block, ...] | None]] = []
        mapped: set[str] = set()
        taken = {f.key for f in clause.footnotes}
        sm = difflib.SequenceMatcher(None, now, new, autojunk=False)
        for op, a0, a1, b0, b1 in sm.get_opcodes():
            pairs = list(zip(range(a0, a1), range(b0, b1))) if op in ("equal", "replace") else []
            for i, j in pairs:
                self.notes[str(j + 1)] = src_keys[i]
                mapped.add(src_keys[i])
                if op == "replace":
                    changes.append((src_keys[i], new[j]))
            for j in range(b0 + len(pairs), b1):
                n = 1
                while f"note{n}" in taken:
                    n += 1
                taken.add(f"note{n}")
                self.notes[str(j + 1)] = f"note{n}"
                changes.append((f"note{n}", new[j]))
        changes += [(k, None) for k in src_keys if k not in mapped]
        return changes

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
        originals = self.originals(clause)
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
                        text = self.patch_grid(spans[k][0], olds1[k], new[j], originals)
                    if text is None:
                        text = self.figure_md("".join(spans[k][0]), self.restore(new[j], originals))
                    pieces.append((text, None))
                continue
            for j in range(b0, b1):
                pieces.append((block_md(self.restore(new[j], originals)), None))
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
                body = blocks_md(tuple(self.restore(b, originals) for b in new.items[j]))
                pad = " " * (len(indent) + len(mark) + 1)
                text = "\n".join([indent + mark + " " + body.split("\n")[0]] +
                                 [(pad + x) if x else "" for x in body.split("\n")[1:]])
                out.append(text)
        return ("\n" if tight else "\n\n").join(out)

    def figure_md(self, was: str, block: Block) -> str:
        """A block as the source format writes it; a figure whose path the line had without angle brackets keeps
        it so (only its alt text or caption changed)."""
        text = block_md(block)
        if isinstance(block, Figure) and f"]({block.src} " in was:
            text = text.replace(f"](<{block.src}> ", f"]({block.src} ", 1)
        return text

    def patch_grid(self, lines: list[str], old: Block, new: Block, originals: dict[str, XRef]) -> str | None:
        """A ``table`` block whose cells or caption changed: when each of its rows is one line (``- [a, b]``), only
        the lines of changed, added or removed rows (and the caption line) are written anew."""
        if not isinstance(old, GridTable) or not isinstance(new, GridTable):
            return None
        if (old.row_header, old.columns, bool(old.head)) != (new.row_header, new.columns, bool(new.head)):
            return None
        sections: dict[str, list[int]] = {}
        current = ""
        caption_at = None
        for i, line in enumerate(lines[1:-1], start=1):
            if _GRID_KEY.match(line):
                current = line.split(":", 1)[0]
                if current == "caption":
                    caption_at = i
                if current in ("head", "body"):
                    if line.split(":", 1)[1].strip():
                        return None  # rows written on the key's line
                    sections[current] = []
                continue
            if current in ("head", "body"):
                if _GRID_ROW.match(line):
                    sections[current].append(i)
                elif line.strip():
                    return None  # a row over several lines
        if caption_at is None or len(sections.get("head", [])) != len(old.head) or \
                len(sections.get("body", [])) != len(old.body):
            return None
        full = self.restore(new, originals)
        assert isinstance(full, GridTable)
        out = list(lines)
        if old.caption != new.caption:
            out[caption_at] = yaml.dump({"caption": inlines_md(full.caption)}, Dumper=yaml.SafeDumper,
                                        allow_unicode=True, width=1 << 20).strip() + "\n"
        replaced: dict[int, list[str]] = {}
        for name, olds, news, news_md in (("head", old.head, new.head, full.head),
                                          ("body", old.body, new.body, full.body)):
            at = sections.get(name, [])
            if not at:
                continue
            indent = _GRID_ROW.match(lines[at[0]]).group(1)
            sm = difflib.SequenceMatcher(None, list(olds), list(news), autojunk=False)
            for op, a0, a1, b0, b1 in sm.get_opcodes():
                if op == "equal":
                    continue
                rows = [f"{indent}- {grid_row_md(news_md[j])}\n" for j in range(b0, b1)]
                if a0 < a1:
                    replaced[at[a0]] = rows
                    for k in range(a0 + 1, a1):
                        replaced[at[k]] = []
                else:  # rows added: after the row before them (or before the first row)
                    anchor = at[a0 - 1] if a0 else at[0]
                    mine = replaced.get(anchor, [out[anchor]])
                    replaced[anchor] = mine + rows if a0 else rows + mine
        result = []
        for i, line in enumerate(out):
            result += replaced.get(i, [line])
        return "".join(result).rstrip("\n")

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
        if wc is None or not ({"body", "commentary", "footnotes"} & set(entry.aspects)):
            return lines
        notes = self.prepare(clause, wc)
        src = _Source(clause, lines)
        new_body = wc.body if "body" in entry.aspects else None
        new_comm = wc.commentary if "commentary" in entry.aspects else None
        patched = self._patch_text(src, new_body, new_comm)
        if patched is None:
            patched = self._regenerate(src, clause, new_body, new_comm)
        return self._patch_notes(patched, clause, notes)

    def _patch_notes(self, lines: list[str], clause: Clause,
                     changes: list[tuple[str, tuple[Block, ...] | None]]) -> list[str]:
        """Footnote definitions changed in place, deleted with their blank line, new ones after the last one (or
        after the text, before the 解説)."""
        lines = list(lines)
        for key, blocks in changes:
            at = next((i for i, x in enumerate(lines) if x.startswith(f"[^{key}]:")), None)
            text = footnote_md(key, self.restored(blocks, clause)) + "\n" if blocks is not None else ""
            if at is None:
                if blocks is None:
                    continue
                defs = [i for i, x in enumerate(lines) if _NOTE.match(x)]
                if defs:
                    end = _note_end(lines, defs[-1])
                    lines[end:end] = ["\n", text]
                    continue
                end = next((i for i, x in enumerate(lines) if _OPEN.match(x)), len(lines))
                while end > 1 and _blank(lines[end - 1]):
                    end -= 1
                lines[end:end] = ["\n", text]
                continue
            end = _note_end(lines, at)
            if blocks is not None:
                lines[at:end] = [text]
                continue
            if end < len(lines) and _blank(lines[end]):
                end += 1
            elif at > 0 and _blank(lines[at - 1]):
                at -= 1
            del lines[at:end]
        return lines

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
        if not opens:
            return None
        closes = [j for j in range(c1 + 1, len(src.lines))
                  if _CLOSE.match(src.lines[j]) and _colons(src.lines[j]) >= _colons(src.lines[opens[0]])]
        if not closes:
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
        notes = sorted(src.idx(f.line) for f in clause.footnotes)
        body_notes = [d for d in notes if meta_end <= d < end]
        if body_notes:  # footnote definitions below the text stay as they are (patched after)
            if body_idx and body_notes[0] < body_idx[-1]:
                return None
            end = body_notes[0]
        text_end = end
        while text_end > meta_end and _blank(lines[text_end - 1]):
            text_end -= 1
        out_lines = lines
        # 解説 first (it sits below the text, so the text's indexes stay valid)
        if new_comm is not None:
            out_lines = self._patch_commentary(src, cont, text_end, new_comm, notes)
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
                text = blocks_md(self.restored(new_body, clause))
                at = meta_end
                before = [] if at > 0 and _blank(out_lines[at - 1]) else ["\n"]
                after = ["\n"] if at >= len(out_lines) or not _blank(out_lines[at]) else []
                if at >= len(out_lines):
                    after = []
                return out_lines[:at] + before + [text + "\n"] + after + out_lines[at:]
        return out_lines

    def _patch_commentary(self, src: _Source, cont, text_end: int, new_comm, notes: list[int]) -> list[str] | None:
        clause, lines = src.clause, src.lines
        if cont is None:
            if not new_comm:
                return lines
            block = [container_md(COMMENTARY, blocks_md(self.restored(new_comm, clause))) + "\n"]
            at = text_end
            return lines[:at] + ["\n"] + block + lines[at:]
        copen, cclose = cont
        if not new_comm:
            start = copen
            while start > 1 and _blank(lines[start - 1]):
                start -= 1
            return lines[:start] + lines[cclose + 1:] if start >= text_end else lines[:copen] + lines[cclose + 1:]
        inner_end = cclose
        inner_notes = [d for d in notes if copen < d < cclose]
        if inner_notes:
            if inner_notes[0] < src.idx(clause.commentary[-1].line):
                return None
            inner_end = inner_notes[0]
        while inner_end > copen + 1 and _blank(lines[inner_end - 1]):
            inner_end -= 1
        spans = self.spans(src, clause.commentary, inner_end)
        if spans is None:
            return None
        text = self.patch_blocks(src, clause.commentary, spans, new_comm)
        if text is None:
            return None
        start = src.idx(clause.commentary[0].line)
        out = lines[:start] + [text + "\n"] + lines[inner_end:]
        need = max((len(m) for m in re.findall(r"^ {0,3}(:{3,})", text, re.M)), default=2) + 1
        if _colons(lines[copen]) < need:  # a box came into the 解説: its container needs more colons than it
            shift = len(out) - len(lines)
            out[copen] = out[copen].replace(":" * _colons(lines[copen]), ":" * need, 1)
            out[cclose + shift] = out[cclose + shift].replace(":" * _colons(lines[cclose]), ":" * need, 1)
        return out

    def _regenerate(self, src: _Source, clause: Clause, new_body, new_comm) -> list[str]:
        """Heading and YAML lines as written, then the text and 解説 written anew."""
        meta_end = self._meta_end(src)
        head = src.lines[:meta_end]
        body = self.restored(new_body, clause) if new_body is not None else clause.body
        comm = self.restored(new_comm, clause) if new_comm is not None else clause.commentary
        parts = []
        if body:
            parts.append(blocks_md(body))
        parts += [footnote_md(f.key, f.blocks) for f in clause.footnotes]  # patched after, by their keys
        if comm:
            parts.append(container_md(COMMENTARY, blocks_md(comm)))
        tail = "\n\n".join(parts)
        _, blanks = _strip_blank_tail(src.lines)
        out = _strip_blank_tail(head)[0] + (["\n", tail + "\n"] if tail else [])
        return out + (blanks or [])

    # ---------------------------------------------------------------------------------------------------------------
    # a new clause

    def new_region(self, entry: Entry) -> list[str]:
        wc = entry.word
        assert wc is not None
        kind = " .appendix" if wc.number.startswith("別紙") else " .form" if wc.number.startswith("様式") else ""
        parts = [heading_line(entry.level, wc.heading, f" {{#{entry.id}{kind if entry.level == 1 else ''}}}")
                 .rstrip("\n")]
        self.order, self.figures, self.grids = {}, {}, {}
        self.notes = {str(k + 1): f"note{k + 1}" for k in range(len(wc.footnotes))}
        if wc.body:
            parts.append(blocks_md(tuple(self.restore(b, {}) for b in wc.body)))
        parts += [footnote_md(f"note{k + 1}", tuple(self.restore(b, {}) for b in f))
                  for k, f in enumerate(wc.footnotes)]
        if wc.commentary:
            parts.append(container_md(COMMENTARY, blocks_md(tuple(self.restore(b, {}) for b in wc.commentary))))
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
