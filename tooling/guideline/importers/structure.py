"""Paragraph stream → clause tree: the numbering families, 目次, 附則, 解説, title and instrument line.

The builder reads the stream once, in order, keeping a stack of open clauses:

- **Family.** Two or more ``第N条`` paragraphs (or headings) outside a 目次 make the document one of the legal family (訓令, 規程):
  第N編/章/節/款 open article groups, ``（見出し）`` is the caption of the next 第N条, a bare ``2`` at a line start
  inside an article (or an 附則) is a 項, ``(1)``/``一`` a 号 and ``ア`` / ``(ア)`` below it. The edition is numbered
  ``articles`` (:mod:`guideline.numbering_articles`), which computes those numbers, so they are taken off the text:
  a 項 is a paragraph, 号 and their subdivisions the items of an ordered list; where the computed number differs
  from the source's, :meth:`Builder._check_items` says so. Otherwise it is the outline family of the guideline: 第N編, 第N章, ``1.``/``1``/``第1``,
  ``1.1.``, ``(1)``, ``①`` are clauses; ``(ア)``/``ア`` and ``a``/``(a)`` are list items of the clause text.
- **Levels.** Each numbering style has a preferred level (第N章 → 2, ``1.`` → 3, ``(1)`` → 5 ...). A style seen for
  the first time inside another becomes its child; a style already open closes back to it and becomes its sibling;
  so a reversed variant (``(1)`` above ``1.``) nests as written. Branch numbers (第19条の2, 第3章の2) are siblings.
- **Headings.** A Word heading style or HTML heading says "heading"; otherwise a numbered paragraph is a heading when
  its text is short and ends no sentence, a heading running into the first sentence (``1 目的 この方針は…。``) is
  split at the space, and a numbered sentence becomes a clause with an empty heading and that sentence as its text.
  Where a numbering style appears on styled headings, unstyled paragraphs with that style are text.
- **目次.** ``目次`` (or the input's TOC styles) starts entries that are left out and kept for the cross-check; they
  end where an entry repeats (the body's first heading) or a paragraph is no entry.
- **解説.** ``【解説】`` / ``（解説）`` (or a 解説 style/class) turns the following paragraphs into the current clause's
  commentary; a 編 whose heading says 解説 and that repeats the numbering of another 編 is matched to it number by
  number and its text attached as commentary (the 第3編 that our own Word and HTML outputs generate).
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from guideline.importers import recognise as rz
from guideline.importers.recognise import APPENDIX_UNITS, Marker, recognise
from guideline.importers.stream import (
    COMMENTARY,
    FRONT,
    FURNITURE,
    METADATA,
    TITLE,
    TOC,
    SourcePara,
    normalise,
    text_inlines,
)
from guideline.model import Inline, Strong, Text
from guideline.numbering_articles import fullwidth, item_label

LEGAL = "legal"
OUTLINE = "outline"
OUTLINE_LEVEL = {"hen": 1, "sho": 2, "setsu": 3, "kan": 4, "moku": 4, "dai": 3, "dot": 3, "bare": 3, "dot2": 4,
                 "paren-num": 5, "circled": 6, "bold": 3}
LEGAL_LEVEL = {"hen": 1, "sho": 2, "setsu": 3, "kan": 4, "moku": 4, "jo": 5}
SAME_STYLE = {"dot": "n", "bare": "n", "dai": "n"}  # 1. / 1 / 第1 are one style: a document mixes them at one level
GROUPS = ("hen", "sho", "setsu", "kan", "moku")  # always close back to a group of their own rank or above
LIST_DEPTH = {"paren-kana": 0, "kana": 0, "paren-latin": 1, "latin": 1}
LEGAL_ITEM_DEPTH = {"paren-num": 0, "kanji": 0, "kana": 1, "paren-kana": 2}  # 号 (1) / 一, 細分 ア, (ア)
_INSTRUMENT = re.compile(r"(?:(?:明治|大正|昭和|平成|令和)\s*(?:元|\d+)\s*年\s*\d+\s*月\s*\d+\s*日|\d{4}年\s*\d+\s*月\s*\d+\s*日)"
                         r".{0,30}?(?:訓令|規程|規則|要綱|庁達|告示|達|条例)(?:甲|乙)?\s*第\s*\d+\s*号"
                         r"|^[^。]{0,20}(?:訓令|規程|規則|要綱|庁達|告示)(?:甲|乙)?\s*第\s*\d+\s*号\s*$")
_ERAS = {"明治": 1867, "大正": 1911, "昭和": 1925, "平成": 1988, "令和": 2018}
_DATE = re.compile(r"(明治|大正|昭和|平成|令和)\s*(元|\d+)\s*年\s*(\d+)\s*月\s*(\d+)\s*日"
                   r"|(\d{4})\s*(?:年\s*(\d+)\s*月\s*(\d+)\s*日|-(\d\d)-(\d\d)\b)")
_DATE_ONLY = re.compile(r"^(?:(?:明治|大正|昭和|平成|令和)\s*(?:元|\d+)|\d{4})\s*年\s*\d+\s*月\s*\d+\s*日$")
HEADING_MAX = 50
APPENDIX_KINDS = tuple(APPENDIX_UNITS.values())  # 別紙, 様式: parts of their own kind (model.APPENDIX_KINDS)


@dataclass
class Node:
    """A clause being built."""

    kind: str  # a marker kind, "part", "suppl", or "unnumbered"
    level: int
    heading: str = ""
    value: tuple[int, ...] = ()
    label: str = ""  # the source's number as written
    anchor: str = ""
    unnumbered: bool = False
    para: SourcePara | None = None
    pieces: list = field(default_factory=list)  # ("para"|"item"|"bullet"|"table"|"figure", ...)
    commentary: list = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)
    parent: "Node | None" = None
    id: str = ""
    commentary_part: bool = False
    caption: bool = False  # the heading came from a （見出し） caption
    meta: list = field(default_factory=list)  # ("nisc", id, relationship, rationale) / ("models", names)

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()

    @property
    def where(self) -> str:
        return self.para.where if self.para is not None else ""


@dataclass
class TocEntry:
    marker: Marker
    heading: str
    range: rz.TocRange | None
    para: SourcePara


@dataclass
class Placement:
    """What became of one source paragraph."""

    para: SourcePara
    status: str  # placed | toc | furniture | title | instrument | front | metadata | unplaced
    node: Node | None = None
    as_: str = ""  # heading | text | commentary | list-item | table | figure
    reason: str = ""


@dataclass
class Built:
    parts: list[Node]
    family: str
    title: str
    instrument: str
    front: list[str]
    toc: list[TocEntry]
    placements: list[Placement]
    findings: list[dict]  # numbering and 目次 findings for the report
    commentary_target: Node | None = None
    commentary_part_heading: str = ""


def detect_family(paras: list[SourcePara]) -> str:
    """LEGAL when two or more paragraphs open a 第N条: typed ones, or headings (our own build of an edition numbered
    ``articles``) unless 号 ``(1)`` are headings too (a policy built with ``guideline local build --style articles``
    makes its 号 clauses: it is read as the outline it was composed from)."""
    typed = headings = 0
    item_headings = False
    for p in paras:
        if p.role in (TOC, FURNITURE, METADATA):
            continue
        m = recognise(p.text)
        if m is None:
            continue
        if m.kind == "jo":
            typed += not p.style_level
            headings += bool(p.style_level)
            if typed >= 2:
                return LEGAL
        elif p.style_level and m.kind in LEGAL_ITEM_DEPTH:
            item_headings = True
    return LEGAL if typed + headings >= 2 and not item_headings else OUTLINE


def wareki_date(text: str) -> str:
    """The first date in ``text`` (和暦 or 西暦) as ISO ``YYYY-MM-DD``, or ""."""
    m = _DATE.search(normalise(text))
    if not m:
        return ""
    if m.group(1):
        year = _ERAS[m.group(1)] + (1 if m.group(2) == "元" else int(m.group(2)))
        month, day = int(m.group(3)), int(m.group(4))
    else:
        year = int(m.group(5))
        month, day = (int(m.group(6)), int(m.group(7))) if m.group(6) else (int(m.group(8)), int(m.group(9)))
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return ""


class Builder:
    def __init__(self, paras: list[SourcePara], family: str | None = None, title: str | None = None,
                 fallback_title: str = ""):
        self.paras = paras
        self.family = family or detect_family(paras)
        self.title = title or ""
        self.title_given = bool(title)
        self.fallback_title = fallback_title
        self.instrument = ""
        self.instrument_date = ""
        self.front: list[str] = []
        self.parts: list[Node] = []
        self.stack: list[Node] = []  # open clauses below the current part
        self.part: Node | None = None
        self.placements: list[Placement] = []
        self.toc: list[TocEntry] = []
        self.toc_mode = False
        self.toc_first: tuple | None = None
        self.commentary_mode = False
        self.pending_caption: tuple[str, SourcePara] | None = None
        self.seen_heading = False
        self.suppl_count = 0
        self.findings: list[dict] = []
        self.source_numbers: dict[int, Marker] = {}  # id(para) → the 項 or 号 number it had (legal family)
        # numbering styles that appear on styled headings: unstyled paragraphs with them are text
        self.styled_kinds: set[str] = set()
        self.style_levels: dict[int, int] = {}
        # a document with no heading styles at all marks its headings by bold type
        self.no_styles = not any(p.style_level for p in paras)
        counts: dict[int, dict[int, int]] = {}
        for p in paras:
            if p.style_level and p.role not in (TOC, TITLE, FRONT, FURNITURE, METADATA):
                m = recognise(p.text)
                if m is not None and m.kind in OUTLINE_LEVEL:
                    self.styled_kinds.add(m.kind)
                    lvl = self._pref(m.kind)
                    counts.setdefault(p.style_level, {}).setdefault(lvl, 0)
                    counts[p.style_level][lvl] += 1
        for style_level, by_level in counts.items():
            self.style_levels[style_level] = max(by_level, key=lambda k: by_level[k])

    # ---- bookkeeping --------------------------------------------------------------------------------------------

    def place(self, p: SourcePara, status: str, node: Node | None = None, as_: str = "", reason: str = "") -> None:
        self.placements.append(Placement(p, status, node, as_, reason))

    def _pref(self, kind: str) -> int:
        table = LEGAL_LEVEL if self.family == LEGAL else OUTLINE_LEVEL
        return table.get(kind, 0)

    @property
    def current(self) -> Node | None:
        return self.stack[-1] if self.stack else self.part

    def _ensure_part(self, p: SourcePara | None, heading: str = "", anchor: str = "") -> Node:
        """The part text and clauses go into; the first one (named ``heading``, else by the title) when none is
        open yet."""
        if self.part is None:
            heading = heading or self.title or self.fallback_title or "本則"
            # a 訓令's 本則 is no 編: unnumbered, its 条 numbered from 第1条 (numbering: articles)
            self.part = Node("part", 1, heading=heading, para=None, anchor=anchor, unnumbered=self.family == LEGAL)
            self.parts.append(self.part)
            self.stack = []
        return self.part

    # ---- the walk -----------------------------------------------------------------------------------------------

    def run(self) -> Built:
        for p in self.paras:
            self.feed(p)
        if self.pending_caption is not None:
            cap, cp = self.pending_caption
            self._text(cp, cp.inlines)
            self.pending_caption = None
        target, heading = self._attach_commentary_parts()
        self._check_toc()
        self._check_sequences()
        if self.family == LEGAL:
            self._check_items()
        return Built(self.parts, self.family, self.title, self.instrument, self.front, self.toc, self.placements,
                     self.findings, target, heading)

    def feed(self, p: SourcePara) -> None:
        if p.role == FURNITURE:
            if p.role_detail == "page footer":
                self.front.append(p.text.strip())  # a page footer may date the document
            self.place(p, "furniture", reason=p.role_detail or "page furniture")
            return
        if p.role == METADATA:
            node = self.current if p.meta else None
            if node is not None:
                node.meta.append(p.meta)
            self.place(p, "metadata", node, "metadata" if node is not None else "",
                       reason=p.role_detail or "mapping note written by a guideline build")
            return
        if p.role == TITLE:
            if not self.title_given and not self.title:
                self.title = p.text.strip()
            self.place(p, "title")
            return
        if p.role == FRONT:
            self.front.append(p.text.strip())
            if not self.instrument and _INSTRUMENT.search(normalise(p.text)):
                self.instrument = p.text.strip()
                self.place(p, "instrument")
            else:
                self.place(p, "front", reason=p.role_detail)
            return
        if p.role == TOC:
            m = recognise(p.text)
            if m is not None and m.kind not in ("toc",):
                heading, rng = rz.toc_range(m.rest)
                self.toc.append(TocEntry(m, heading, rng, p))
            self.place(p, "toc")
            return
        if p.page_break and self.part is None:
            self.place(p, "furniture", reason="page break above the first heading")
            return
        if p.table is not None or p.figure is not None or p.box or p.page_break:
            self._ensure_part(p)
            self._block(p)
            if p.merged and not p.caption:
                self.findings.append({"kind": "table", "clause": self.current,
                                      "message": f"{p.where}: a table with merged cells is written as a table block "
                                                 "captioned （表題なし）; give it its caption"})
            if p.figure is not None and p.figure.data is not None and not p.figure.name.lower().endswith(
                    (".png", ".jpg", ".jpeg", ".svg")):
                self.findings.append({"kind": "figure", "clause": self.current,
                                      "message": f"{p.where}: an image of a type the source format does not take "
                                                 f"({p.figure.name.rsplit('.', 1)[-1]}); convert it to PNG or SVG"})
            if p.figure is not None and not p.figure.alt:
                self.findings.append({"kind": "figure", "clause": self.current,
                                      "message": f"{p.where}: an image without alternative text; a placeholder alt "
                                                 "text was written, describe the image there"})
            return
        text = p.text.strip()
        if not text:
            self.place(p, "front", reason="empty paragraph")
            return
        m = recognise(text)
        if self.toc_mode:
            if self._toc_entry(p, m):
                return
            self.toc_mode = False
        if m is not None and m.kind == "toc":
            self.toc_mode = True
            self.toc_first = None
            self.place(p, "toc", reason="目次 heading")
            return
        # the title and the instrument line above the first heading
        if not self.seen_heading and not p.style_level and (m is None or m.kind in ("bullet",)):
            if _INSTRUMENT.search(normalise(text)) and not self.instrument and len(text) <= 80:
                self.instrument = f"{self.instrument_date} {text}" if self.instrument_date and not wareki_date(text) \
                    else text
                self.place(p, "instrument")
                return
            if _DATE_ONLY.match(normalise(text)) and not self.instrument:
                self.instrument_date = text  # the instrument's date on a line of its own above its number
                self.place(p, "instrument", reason="date of the instrument")
                return
            if (not self.title and not self.title_given and self.part is None and len(text) <= 80
                    and not text.endswith("。")):
                self.title = text
                self.place(p, "title")
                return
        if m is not None and m.kind == "suppl":
            self._suppl(p, m)
            return
        if m is not None and m.kind in APPENDIX_KINDS and _heading_like(m.rest) and (
                not p.style_level or self.style_levels.get(p.style_level, p.style_level) == 1):
            self._appendix(p, m)
            return
        if m is not None and m.kind == "commentary":
            self.commentary_mode = True
            node = self._ensure_part(p) if self.current is None else self.current
            if m.rest:
                node.commentary.append(("para", text_inlines(m.rest), p))
                self.place(p, "placed", node, "commentary")
            else:
                self.place(p, "placed", node, "commentary", reason="解説 marker")
            return
        if p.role == COMMENTARY:
            node = self.current or self._ensure_part(p)
            node.commentary.append(("para", p.inlines, p))
            self.place(p, "placed", node, "commentary")
            return
        if p.bullet or p.list_label:  # a list item by markup: its text may start like a heading, it is none
            self._flush_caption()
            shown = recognise(f"{p.list_label}\u3000{text}") if p.list_label and self.family == LEGAL else None
            if shown is not None and self._numbered_text(p, shown, p.inlines):  # Word's automatic 号 numbers
                return
            self._text(p, p.inlines, None if p.list_label else m)
            return
        if self.family == LEGAL:
            self._legal(p, m)
        else:
            self._outline(p, m)

    # ---- 目次 -----------------------------------------------------------------------------------------------------

    def _toc_entry(self, p: SourcePara, m: Marker | None) -> bool:
        if m is None or m.kind not in ("hen", "sho", "setsu", "kan", "moku", "suppl", "dai", "dot", "dot2", "bare",
                                       "paren-num", "circled", *APPENDIX_KINDS):
            return False
        key = (m.kind, m.value)
        if self.toc_first is not None and key == self.toc_first:
            return False  # the body's first heading repeats the first entry
        if self.toc_first is None:
            self.toc_first = key
        heading, rng = rz.toc_range(m.rest)
        self.toc.append(TocEntry(m, heading, rng, p))
        self.place(p, "toc")
        return True

    # ---- 附則 -----------------------------------------------------------------------------------------------------

    def _suppl(self, p: SourcePara, m: Marker) -> None:
        self._flush_caption()
        self.suppl_count += 1
        heading = "附則" + (f"（{m.rest}）" if m.rest else "") + (f"　{m.extra}" if m.extra else "")
        node = Node("suppl", 1, heading=heading, label="附則", unnumbered=True, para=p, anchor=p.anchor)
        self.parts.append(node)
        self.part = node
        self.stack = []
        self.seen_heading = True
        self.commentary_mode = False
        self.place(p, "placed", node, "heading")

    # ---- 別紙 / 様式 ----------------------------------------------------------------------------------------------

    def _appendix(self, p: SourcePara, m: Marker) -> None:
        """別紙N / 様式第N号: a part of its own kind after the 編, numbered on its own (it never counts as a 編)."""
        self._flush_caption()
        self.seen_heading = True
        self.commentary_mode = False
        node = Node(m.kind, 1, heading=m.rest or m.label, value=m.value, label=m.label, para=p, anchor=p.anchor)
        self.parts.append(node)
        self.part = node
        self.stack = []
        self.place(p, "placed", node, "heading")

    # ---- legal family ---------------------------------------------------------------------------------------------

    def _legal(self, p: SourcePara, m: Marker | None) -> None:
        if m is None and p.style_level == 1 and self.part is None:
            # a heading of the top level above the first article (our build's 本則 heading, the title): the 本則
            self.seen_heading = True
            self.place(p, "placed", self._ensure_part(p, p.text.strip(), p.anchor), "heading")
            return
        if m is not None and m.kind == "caption":
            self._flush_caption()
            self.pending_caption = (m.rest, p)
            return
        if m is not None and m.kind in LEGAL_LEVEL:
            self.seen_heading = True
            self.commentary_mode = False
            level = LEGAL_LEVEL[m.kind]
            caption = None
            if m.kind == "jo" and self.pending_caption is not None:
                caption = self.pending_caption
                self.pending_caption = None
            else:
                self._flush_caption()
            if level == 1:
                self._new_part(Node(m.kind, 1, heading=m.rest or m.label, value=m.value, label=m.label, para=p,
                                    anchor=p.anchor), p)
                return
            self._ensure_part(p)
            while self.stack and self.stack[-1].level >= level:
                self.stack.pop()
            heading, body = m.rest, ""
            if m.kind == "jo":
                heading, body = "", m.rest
                shown = recognise(m.rest) if m.rest else None
                if caption is not None:
                    heading = caption[0]
                elif shown is not None and shown.kind == "caption":
                    heading, body = shown.rest, ""  # 第1条　（目的）: the caption in the heading, as we build it
                elif m.rest and len(m.rest) <= 30 and not m.rest.endswith("。") and "、" not in m.rest:
                    heading, body = m.rest, ""  # 第1条 対象範囲: the caption on the article line
            derived = not heading
            node = Node(m.kind, level, heading=heading or derive_heading(body) or m.label, value=m.value,
                        label=m.label, para=p, anchor=p.anchor, caption=caption is not None)
            self._attach(node)
            if derived:
                self.findings.append({"kind": "heading", "clause": node, "source": m.label,
                                      "message": f"{m.label} has no caption; heading taken from its first words: "
                                                 f"{node.heading}" if body else
                                                 f"{m.label} has no heading and no text; its number stands as the "
                                                 "heading"})
            if caption is not None:
                self.place(caption[1], "placed", node, "heading", reason="（見出し） caption")
            self.place(p, "placed", node, "heading" if not body else "heading+text")
            if body:
                node.pieces.append(("para", _strip_label(p.inlines, m.label) or text_inlines(body), p))
            return
        self._flush_caption()
        if m is not None and self._numbered_text(p, m, _strip_label(p.inlines, m.label) or text_inlines(m.rest)):
            return
        self._text(p, p.inlines, m)

    def _numbered_text(self, p: SourcePara, m: Marker, inlines: tuple[Inline, ...]) -> bool:
        """A 項 (``2``) or 号 (``(1)``, ``一``, ``ア``, ``(ア)``) of an article or 附則, placed without its number
        (the edition computes it; the source's is kept for :meth:`_check_items`). False for anything else."""
        node = self.current
        if self.commentary_mode or node is None or not _holds_items(node):
            return False
        if m.kind == "bare" and m.value:
            self.source_numbers[id(p)] = m
            self._text(p, inlines)
            return True
        if m.kind in LEGAL_ITEM_DEPTH:
            self.source_numbers[id(p)] = m
            node.pieces.append(("item", LEGAL_ITEM_DEPTH[m.kind], inlines, p))
            self.place(p, "placed", node, "list-item")
            return True
        return False

    def _flush_caption(self) -> None:
        if self.pending_caption is not None:
            cap, cp = self.pending_caption
            self.pending_caption = None
            self._text(cp, cp.inlines)

    # ---- outline family -------------------------------------------------------------------------------------------

    def _outline(self, p: SourcePara, m: Marker | None) -> None:
        level_pref = OUTLINE_LEVEL.get(m.kind, 0) if m is not None else 0
        styled = p.style_level > 0
        if m is not None and level_pref and (styled or m.kind in GROUPS or m.kind not in self.styled_kinds):
            heading, body = self._split_heading(p, m)
            if heading is not None:
                self._open(p, m, heading, body)
                return
        if styled and (m is None or not level_pref):
            # a styled heading without a number: an unnumbered clause at the style's level
            level = self.style_levels.get(p.style_level, p.style_level)
            level = max(1, min(6, level))
            self._open_unnumbered(p, level)
            return
        if (m is None and self.no_styles and p.bold and p.role == "body" and len(p.text.strip()) <= 40
                and not p.text.strip().endswith(("。", "．")) and self.seen_heading | (self.title != "")):
            # a bold line without a number in a document without styles: an unnumbered heading, nested like a
            # numbering style of its own (bold lines are siblings of each other)
            self._open(p, Marker("bold", (), "", p.text.strip()), p.text.strip(), "")
            return
        self._text(p, p.inlines, m)

    def _split_heading(self, p: SourcePara, m: Marker) -> tuple[str | None, str]:
        rest = m.rest.strip()
        if m.kind in GROUPS and not p.style_level and not _heading_like(rest):
            return None, ""  # 「第2編第2章 7.4.(1)により…による。」: a sentence starting with a reference, no 編
        if p.style_level or m.kind in GROUPS or p.bold:
            return rest, ""
        if len(rest) <= HEADING_MAX and not rest.endswith(("。", "．")):
            return rest, ""
        run_in = re.match(r"^([^\s、。，,]{1,25})[ \u3000]+(\S.*)$", rest)
        if run_in:
            return run_in.group(1), run_in.group(2)
        return "", rest

    def _open(self, p: SourcePara, m: Marker, heading: str, body: str) -> None:
        self.seen_heading = True
        self.commentary_mode = False
        pref = OUTLINE_LEVEL[m.kind]
        unnumbered = m.kind == "bold"
        if pref == 1:
            self._new_part(Node(m.kind, 1, heading=heading or m.label, value=m.value, label=m.label, para=p,
                                anchor=p.anchor), p)
            return
        self._ensure_part(p)
        if m.kind in GROUPS:
            while self.stack and (self.stack[-1].kind not in GROUPS or self.stack[-1].level >= pref):
                self.stack.pop()
            level = pref
        else:
            style = SAME_STYLE.get(m.kind, m.kind)
            same = [i for i, n in enumerate(self.stack) if SAME_STYLE.get(n.kind, n.kind) == style]
            if same:
                del self.stack[same[-1]:]
            parent_level = self.stack[-1].level if self.stack else 1
            level = max(pref, parent_level + 1)
        if level > 6:
            self._text(p, p.inlines, m, reason=f"{m.label} is nested deeper than the six heading levels")
            return
        node = Node(m.kind, level, heading=heading or derive_heading(body) or m.label, value=m.value, label=m.label,
                    para=p, anchor=p.anchor, unnumbered=unnumbered)
        self._attach(node)
        if not heading:
            self.findings.append({"kind": "heading", "clause": node, "source": m.label,
                                  "message": f"{m.label} has no heading of its own; heading taken from its first "
                                             f"words: {node.heading}"})
        self.place(p, "placed", node, "heading" if not body else "heading+text")
        if body:
            node.pieces.append(("para", text_inlines(body), p))

    def _new_part(self, node: Node, p: SourcePara) -> None:
        """A 編: the stack starts again below it. A 編 whose heading says 解説, after another 編, may be a 解説 part
        repeating that 編's numbering (checked when the tree is complete)."""
        if self.family != LEGAL and "解説" in node.heading and self.parts:
            node.commentary_part = True
        self.parts.append(node)
        self.part = node
        self.stack = []
        self.place(p, "placed", node, "heading")

    def _open_unnumbered(self, p: SourcePara, level: int) -> None:
        self.seen_heading = True
        self.commentary_mode = False
        node = Node("unnumbered", level, heading=p.text.strip(), unnumbered=True, para=p, anchor=p.anchor)
        if level == 1:
            self._new_part(node, p)
            return
        self._ensure_part(p)
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()
        self._attach(node)
        self.place(p, "placed", node, "heading")

    def _attach(self, node: Node) -> None:
        parent = self.stack[-1] if self.stack else self.part
        assert parent is not None
        node.parent = parent
        parent.children.append(node)
        self.stack.append(node)

    # ---- text -----------------------------------------------------------------------------------------------------

    def _text(self, p: SourcePara, inlines: tuple[Inline, ...], m: Marker | None = None, reason: str = "") -> None:
        node = self.current
        if node is None:
            node = self._ensure_part(p)
        target = node.commentary if self.commentary_mode else node.pieces
        as_ = "commentary" if self.commentary_mode else "text"
        if m is not None and self.family == OUTLINE and m.kind in LIST_DEPTH and not self.commentary_mode:
            target.append(("item", LIST_DEPTH[m.kind], _strip_label(inlines, m.label) or text_inlines(m.rest), p))
            self.place(p, "placed", node, "list-item", reason=reason)
            return
        if (m is not None and m.kind == "bullet") or p.bullet:
            body = _strip_label(inlines, m.label) if m is not None and m.kind == "bullet" else inlines
            target.append(("bullet", body, p))
            self.place(p, "placed", node, "list-item" if not self.commentary_mode else "commentary", reason=reason)
            return
        if p.list_label:
            inlines = (Text(p.list_label + "\u3000"), *inlines)
        target.append(("para", inlines, p))
        self.place(p, "placed", node, as_, reason=reason)

    def _block(self, p: SourcePara) -> None:
        node = self.current or self._ensure_part(p)
        target = node.commentary if (self.commentary_mode or p.role == COMMENTARY) else node.pieces
        piece = _block_piece(p)
        target.append(piece)
        self.place(p, "placed", node, piece[0])

    # ---- 解説 parts -------------------------------------------------------------------------------------------------

    def _attach_commentary_parts(self) -> tuple[Node | None, str]:
        """Match each 解説 編 to the 編 whose numbering it repeats; its text becomes those clauses' commentary."""
        cparts = [p for p in self.parts if p.commentary_part]
        if not cparts:
            return None, ""
        others = [p for p in self.parts if not p.commentary_part]
        target_used: Node | None = None
        heading = ""
        for cpart in cparts:
            keys = {_path_key(n): n for n in cpart.walk() if n is not cpart}
            best, best_hits = None, 0
            for other in others:
                index = {_path_key(n): n for n in other.walk() if n is not other}
                hits = sum(1 for k in keys if k in index)
                if hits > best_hits:
                    best, best_hits = other, hits
            if best is None:
                cpart.commentary_part = False  # nothing to attach to: kept as an ordinary 編
                continue
            index = {_path_key(n): n for n in best.walk() if n is not best}
            index[()] = best
            moved = {}
            for n in cpart.walk():
                key = _path_key(n) if n is not cpart else ()
                dest = index.get(key)
                blocks = [("para", x[1], x[2]) if x[0] in ("para",) else x for x in (*n.pieces, *n.commentary)]
                if dest is None:
                    for piece in blocks:
                        self._replace(piece[-1], Placement(piece[-1], "unplaced",
                                                           reason=f"解説 under {n.label or n.heading}: the 例文 has "
                                                                  "no clause with this number"))
                    if n is not cpart and n.para is not None:
                        self._replace(n.para, Placement(n.para, "unplaced",
                                                        reason="heading of the 解説 part with no matching clause"))
                    continue
                if blocks:
                    dest.commentary.extend(blocks)
                    for piece in blocks:
                        moved[id(piece[-1])] = dest
                if n.para is not None:
                    self._replace(n.para, Placement(n.para, "placed", dest, "commentary-heading",
                                                    reason="heading of the 解説 part, matched by number"))
            for pl in self.placements:
                if id(pl.para) in moved:
                    pl.node, pl.as_, pl.status = moved[id(pl.para)], "commentary", "placed"
            self.parts.remove(cpart)
            target_used = best
            heading = cpart.heading
        return target_used, heading

    def _replace(self, para: SourcePara, placement: Placement) -> None:
        for i, pl in enumerate(self.placements):
            if pl.para is para:
                self.placements[i] = placement
                return

    # ---- checks ---------------------------------------------------------------------------------------------------

    def _check_toc(self) -> None:
        """Every group of the 目次 with an article range against the articles the body has under that group."""
        if not self.toc:
            return
        groups: dict[tuple, Node] = {}
        for part in self.parts:
            for n in part.walk():
                if n.kind in ("sho", "setsu", "kan", "moku"):
                    groups.setdefault(_group_key(n), n)
        for entry in self.toc:
            if entry.range is None or entry.marker.kind not in ("sho", "setsu", "kan", "moku"):
                continue
            key = _toc_key(self.toc, entry)
            node = groups.get(key)
            label = ("".join(rz.value_label(k, v) for k, v in key) + " " + entry.heading).strip()
            if node is None:
                self.findings.append({"kind": "toc", "toc": label, "range": entry.range.text,
                                      "message": f"目次 lists {label} {entry.range.text}; the body has no such group"})
                continue
            arts = [n.value for n in node.walk() if n.kind == "jo"]
            part = node
            while part.parent is not None:
                part = part.parent
            first, last = entry.range.first, entry.range.last
            in_range = [n.value for n in part.walk() if n.kind == "jo" and first <= n.value <= last]
            if arts and arts == in_range and arts[0] == first and arts[-1] == last:
                continue
            listed = (f"{rz.value_label('jo', first)}―{rz.value_label('jo', last)}" if first != last
                      else rz.value_label("jo", first))
            body = (f"{rz.value_label('jo', arts[0])}―{rz.value_label('jo', arts[-1])}" if len(arts) > 1 else
                    rz.value_label("jo", arts[0]) if arts else "no article")
            self.findings.append({
                "kind": "toc", "clause": node, "toc": label, "range": entry.range.text,
                "body_articles": len(arts), "body_range": body,
                "message": f"目次 gives {label} {listed}; the body has {body} ({len(arts)} "
                           f"article{'s' if len(arts) != 1 else ''})"})

    def _check_sequences(self) -> None:
        """Numbers the source skips, repeats or branches: the computed numbers would differ there."""
        if self.family == LEGAL:
            for part in self.parts:
                articles = [n for n in part.walk() if n.kind == "jo"]
                self._sequence(articles, "article")
                for n in part.walk():
                    kids = [c for c in n.children if c.kind in GROUPS]
                    self._sequence(kids, "group")
        else:
            for part in self.parts:
                for n in part.walk():
                    by_kind: dict[str, list[Node]] = {}
                    for c in n.children:
                        if c.value and c.kind != "unnumbered":
                            by_kind.setdefault(SAME_STYLE.get(c.kind, c.kind), []).append(c)
                    for kids in by_kind.values():
                        self._sequence(kids, "clause")

    def _check_items(self) -> None:
        """Every 項 and 号 whose number, as the edition computes it from position, is not the source's: a 項 is the
        article's n-th paragraph (numbered from the second on; in an 附則 without articles from the first, when it
        has two or more), a 号 the n-th item of its list at its depth; and once, that 号 written 一, 二 are shown
        (1), (2)."""
        kanji = 0
        for part in self.parts:
            for n in part.walk():
                if _holds_items(n):
                    self._check_paragraphs(n)
                    kanji += self._check_list_items(n)
        if kanji:
            self.findings.append({"kind": "numbering", "source": "一", "computed": "(1)",
                                  "message": f"{kanji} 号 written 一, 二 … are numbered (1), (2) … (the 横書き form)"})

    def _check_paragraphs(self, n: Node) -> None:
        paras = [piece[2] for piece in n.pieces if piece[0] == "para"]
        for k, para in enumerate(paras, 1):
            m = self.source_numbers.get(id(para))
            computed = fullwidth(k) if k >= 2 or (n.level == 1 and len(paras) >= 2) else ""
            written = m.label if m is not None else ""
            if (m.value[0] if m is not None else 0) != (k if computed else 0):
                source = f"is numbered {written} in the source" if written else "has no 項 number in the source"
                self.findings.append({"kind": "numbering", "clause": n, "source": written, "computed": computed,
                                      "message": f"{para.where}: {n.label or n.heading}: paragraph {k} {source}; "
                                                 f"computed: {computed or 'none'}"})

    def _check_list_items(self, n: Node) -> int:
        runs: list[list] = [[]]
        for piece in n.pieces:
            if piece[0] == "item":
                runs[-1].append(piece)
            elif runs[-1]:
                runs.append([])
        kanji = 0
        for run in runs:
            if not run:
                continue
            base = min(piece[1] for piece in run)  # the list's outer items (blocks_of nests the deeper ones)
            count: dict[int, int] = {}
            for _, depth, _, para in run:
                rel = depth - base
                count = {d: c for d, c in count.items() if d <= rel}
                count[rel] = count.get(rel, 0) + 1
                m = self.source_numbers.get(id(para))
                if m is None:
                    continue
                kanji += m.kind == "kanji"
                label = item_label(rel, count[rel])
                if m.value[0] != count[rel] or LEGAL_ITEM_DEPTH[m.kind] != rel:
                    self.findings.append({"kind": "numbering", "clause": n, "source": m.label, "computed": label,
                                          "message": f"{para.where}: {n.label or n.heading}: item {m.label} is "
                                                     f"numbered {label} by its position"})
        return kanji

    def _sequence(self, nodes: list[Node], what: str) -> None:
        prev: tuple[int, ...] | None = None
        for n in nodes:
            v = n.value if n.kind != "dot2" else n.value[1:]
            if prev is None:
                if v and v[0] != 1 and len(v) == 1:
                    self.findings.append({"kind": "numbering", "clause": n, "source": n.label,
                                          "message": f"{n.label} is the first of its kind here; the computed "
                                                     "numbering starts at 1"})
            else:
                if len(v) > 1:
                    if v[0] == prev[0] and (v[1:] == (2,) if len(prev) == 1 else v[1] == prev[1] + 1):
                        self.findings.append({"kind": "numbering", "clause": n, "source": n.label,
                                              "message": f"branch number {n.label}: a sibling after "
                                                         f"{_prev_label(n, prev)}; the computed numbering counts it "
                                                         "as the next number and shifts the followers"})
                    else:
                        self.findings.append({"kind": "numbering", "clause": n, "source": n.label,
                                              "message": f"{n.label} does not follow {_prev_label(n, prev)}"})
                elif v[0] != prev[0] + 1:
                    why = "repeats" if v[0] == prev[0] else ("skips a number after" if v[0] > prev[0] + 1
                                                              else "goes back after")
                    self.findings.append({"kind": "numbering", "clause": n, "source": n.label,
                                          "message": f"{n.label} {why} {_prev_label(n, prev)}; the computed "
                                                     "number differs"})
            prev = v


def _block_piece(p: SourcePara) -> tuple:
    """A table, figure, box or page break entry as a piece: ("table", Table, p), ("figure", Figure, p),
    ("box", pieces, p), ("pagebreak", None, p)."""
    if p.table is not None:
        return ("table", p.table, p)
    if p.box:
        return ("box", box_pieces(p.inner), p)
    if p.page_break:
        return ("pagebreak", None, p)
    return ("figure", p.figure, p)


def box_pieces(paras: tuple[SourcePara, ...]) -> list:
    """The paragraphs of a box as pieces of clause text: list items, bullets, tables, figures, nested boxes and
    paragraphs. Nothing in a box opens a clause, whatever number it starts with."""
    out: list = []
    for p in paras:
        block = p.table is not None or p.figure is not None or p.box or p.page_break
        m = recognise(p.text) if not block else None
        if block:
            out.append(_block_piece(p))
        elif m is not None and m.kind in LIST_DEPTH and not p.bullet:
            out.append(("item", LIST_DEPTH[m.kind], _strip_label(p.inlines, m.label) or text_inlines(m.rest), p))
        elif p.bullet or (m is not None and m.kind == "bullet"):
            out.append(("bullet", _strip_label(p.inlines, m.label) if m is not None and m.kind == "bullet" and
                        not p.bullet else p.inlines, p))
        else:
            out.append(("para", ((Text(p.list_label + "\u3000"),) if p.list_label else ()) + tuple(p.inlines), p))
    return out


def _heading_like(text: str) -> bool:
    """Text after a number that can be a heading: short, and no sentence."""
    text = text.strip()
    return len(text) <= HEADING_MAX and not text.endswith(("。", "．"))


def _holds_items(n: Node) -> bool:
    """Whether the edition numbers the paragraphs of ``n`` as 項 (an article, an unnumbered part: the 本則, an 附則)."""
    return n.kind == "jo" or (n.level == 1 and n.unnumbered)


def derive_heading(text: str) -> str:
    """A heading for a clause the source gives none (an article without caption): its text up to the first
    comma or full stop, at most 20 characters (cut with …)."""
    head = re.split(r"[、。，,．]", text.strip(), maxsplit=1)[0].strip()
    return head if len(head) <= 20 else head[:20] + "…"


def _prev_label(n: Node, prev: tuple[int, ...]) -> str:
    kind = n.kind if n.kind != "dot2" else "paren-num"
    if n.kind == "dot2":
        return ".".join(str(x) for x in (n.value[0], *prev))
    return rz.value_label(kind, prev)


def _path_key(n: Node) -> tuple:
    """The numbers from the 章 down to ``n``: how a 解説 part that repeats the numbering names a clause."""
    out = []
    while n is not None and n.level > 1:
        out.append((n.kind, n.value, "" if n.value else n.heading))
        n = n.parent
    return tuple(reversed(out))


def _group_key(n: Node) -> tuple:
    out = []
    while n is not None and n.level > 1:
        if n.kind in ("sho", "setsu", "kan", "moku"):
            out.append((n.kind, n.value))
        n = n.parent
    return tuple(reversed(out))


def _toc_key(entries: list[TocEntry], entry: TocEntry) -> tuple:
    """The group path of a 目次 entry: the entries above it of a higher rank."""
    rank = ("hen", "sho", "setsu", "kan", "moku")
    i = entries.index(entry)
    key = [(entry.marker.kind, entry.marker.value)]
    r = rank.index(entry.marker.kind)
    for prev in reversed(entries[:i]):
        k = prev.marker.kind
        if k in rank and rank.index(k) < r and k != "hen":
            key.append((k, prev.marker.value))
            r = rank.index(k)
    return tuple(reversed(key))


def _strip_label(inlines: tuple[Inline, ...], label: str) -> tuple[Inline, ...]:
    """The inlines without the number at their start (``label`` as written) and the separator after it."""
    out: list[Inline] = []
    todo = label
    stripping = True
    for node in inlines:
        if stripping:
            text = node.text if isinstance(node, Text) else (
                "".join(c.text for c in node.children if isinstance(c, Text)) if isinstance(node, Strong) else None)
            if text is None:
                stripping = False
                out.append(node)
                continue
            s = text.lstrip(" \u3000\t")
            common = 0
            while common < len(todo) and common < len(s) and (s[common] == todo[common]):
                common += 1
            todo = todo[common:]
            s = s[common:]
            if not todo:
                s = s.lstrip(" \u3000\t")
                stripping = False
            if s:
                out.append(Text(s) if isinstance(node, Text) else Strong((Text(s),)))
            continue
        out.append(node)
    return tuple(out)


def build(paras: list[SourcePara], family: str | None = None, title: str | None = None,
          fallback_title: str = "") -> Built:
    """The clause tree of a paragraph stream; ``title`` is the user's (--title), ``fallback_title`` names the part
    when the document shows no title (the file name)."""
    return Builder(paras, family, title, fallback_title).run()


__all__ = ["build", "box_pieces", "Built", "Node", "Placement", "TocEntry", "detect_family", "wareki_date", "LEGAL", "OUTLINE"]
