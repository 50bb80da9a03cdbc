"""Print HTML for the PDF edition: the front matter (title page, 目次) and the body, cut into page-break units.

The body is a sequence of *units*. Every unit starts on a new page (a 編, a 章, or — inside a long 章 — a numbered
item), so a unit's layout never depends on what comes before it. That is what lets :mod:`guideline.writers.pdf`
render groups of units in separate processes, cache them by content, and concatenate the pages: the result is the
same page for page as rendering everything in one go.

Clause content (paragraphs, lists, tables, placeholders, cross-references, NISC mappings) is rendered by
:class:`guideline.render_html.HtmlRenderer`; this module only lays out the structure around it.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from guideline import __version__
from guideline.model import Clause, Edition, block_text
from guideline.render_html import HtmlRenderer, attr, jinja_env, templates_dir

COMMENTARY_ANCHOR = "c."  # same anchors as the single-page HTML (writers/html_single.py)
COMMENTARY_PART_ID = "c.part"
TOC_ID = "toc"
# Links to anchors that live in another render group are written with this prefix; the merge step turns them back
# into internal links (WeasyPrint drops links to anchors it cannot see).
EXTERNAL_ANCHOR = "https://anchor.invalid/#"

# A clause whose printed size (characters of text below it) exceeds this is cut into units at its children, and a
# run of small siblings sharing a unit is cut before it would exceed it. ~1,100 characters fill an A4 page, so a
# unit holds about seven pages at most: re-rendering the unit of an edited clause takes about a CPU second. Smaller
# units would cost more than they save: every unit is a document of its own (~0.2 CPU-s of fixed cost: fonts,
# styles, PDF writing) and ends on a part-filled page.
UNIT_CHARS = 8_000


@dataclass
class Unit:
    """A run of clauses that starts on a new page. ``heads`` are ancestors whose heading (and text above their first
    child) open the unit; ``clauses`` are rendered whole."""

    key: str  # stable name: the ID of the unit's first clause (c.<id> in the 解説 part)
    commentary: bool
    heads: list[Clause] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)
    commentary_head: bool = False  # the unit opens the generated 解説 part (its 第N編 heading)


def _own_size(clause: Clause, commentary: bool) -> int:
    """Characters a clause prints itself (heading, text, NISC notes), children excluded."""
    total = len(clause.heading) + 20 + len(block_text(clause.commentary if commentary else clause.body))
    if not commentary:
        total += 60 * len(clause.meta.nisc)
    return total


def _size(clause: Clause, commentary: bool) -> int:
    return sum(_own_size(c, commentary) for c in clause.walk())


def has_commentary(clause: Clause) -> bool:
    return any(c.commentary for c in clause.walk())


def _commentary_children(clause: Clause) -> list[Clause]:
    return [c for c in clause.children if has_commentary(c)]


def plan_units(edition: Edition, limit: int | None = None) -> list[Unit]:
    """Cut the body into units: every 編 and 章 starts a page; clauses larger than ``limit`` characters
    (UNIT_CHARS) are split further at their children, and a run of small siblings sharing a unit stops before it
    would grow past ``limit``. So a unit is at most about ``limit`` characters unless one clause without children
    is larger on its own."""
    limit = UNIT_CHARS if limit is None else limit
    units: list[Unit] = []
    sizes: dict[tuple[int, bool], int] = {}

    def size(clause: Clause, commentary: bool) -> int:
        key = (id(clause), commentary)
        if key not in sizes:
            sizes[key] = _own_size(clause, commentary) + sum(size(k, commentary) for k in clause.children)
        return sizes[key]

    def children_of(clause: Clause, commentary: bool) -> list[Clause]:
        return _commentary_children(clause) if commentary else list(clause.children)

    def visit(clause: Clause, heads: list[Clause], commentary: bool, opens_part: bool = False) -> None:
        kids = children_of(clause, commentary)
        split = clause.level <= 2 or size(clause, commentary) > limit
        if not split or not kids:
            _add(units, clause, heads, commentary, opens_part)
            return
        own = heads + [clause]
        # 章 start pages, and so do children too large for one unit; small children share the page run of the
        # sibling before them (unless that sibling was itself cut up, or the run would grow past the limit).
        can_append = False
        run = 0  # characters in the unit a small child would join
        for i, kid in enumerate(kids):
            kid_size = size(kid, commentary)
            big = kid.level <= 2 or kid_size > limit
            if i > 0 and not big and can_append and run + kid_size <= limit:
                units[-1].clauses.append(kid)
                run += kid_size
                continue
            before = len(units)
            visit(kid, own if i == 0 else [], commentary, opens_part and i == 0)
            can_append = len(units) == before + 1 and len(units[-1].clauses) == 1 and units[-1].clauses[0] is kid
            run = kid_size + (sum(_own_size(h, commentary) for h in own) if i == 0 else 0)

    for part in edition.parts:
        visit(part, [], False)
    reibun = edition.reibun
    if reibun is not None and has_commentary(reibun):
        kids = _commentary_children(reibun)
        for i, kid in enumerate(kids):
            visit(kid, [], True, opens_part=(i == 0))
    return units


def unit_size(unit: Unit) -> int:
    """The printed size of a unit in characters (as plan_units measures it)."""
    return sum(_own_size(h, unit.commentary) for h in unit.heads) \
        + sum(_size(c, unit.commentary) for c in unit.clauses)


def _add(units: list[Unit], clause: Clause, heads: list[Clause], commentary: bool, opens_part: bool) -> None:
    key = (COMMENTARY_ANCHOR if commentary else "") + clause.id
    units.append(Unit(key=key, commentary=commentary, heads=list(heads), clauses=[clause],
                      commentary_head=opens_part))


def unit_anchors(unit: Unit) -> list[str]:
    """Every anchor a unit defines."""
    prefix = COMMENTARY_ANCHOR if unit.commentary else ""
    out = [COMMENTARY_PART_ID] if unit.commentary_head else []
    out += [prefix + h.id for h in unit.heads]
    for c in unit.clauses:
        for d in c.walk():
            if not unit.commentary or has_commentary(d):
                out.append(prefix + d.id)
    return out


# ----------------------------------------------------------------------------------------------------------------
# Body HTML


class BodyWriter:
    def __init__(self, edition: Edition, local_anchors: set[str] | None = None):
        self.edition = edition
        self.local = local_anchors
        self.r = HtmlRenderer(edition, href_for=self.href)

    def href(self, anchor: str) -> str:
        if self.local is None or anchor in self.local:
            return "#" + anchor
        return EXTERNAL_ANCHOR + anchor

    def heading(self, clause: Clause, commentary: bool, open_section: bool) -> str:
        anchor = (COMMENTARY_ANCHOR if commentary else "") + clause.id
        level = min(clause.level, 6)
        cls = f"clause level-{clause.level}" + (" commentary" if commentary else "")
        out = [f'<section class="{cls}" id="{attr(anchor)}">'] if open_section else []
        label = attr(self.r.plain_heading(clause))
        out.append(f'<h{level} class="clause-heading" data-label="{label}">{self.r.heading_text(clause)}</h{level}>')
        return "\n".join(out)

    def own_content(self, clause: Clause, commentary: bool) -> str:
        if commentary:
            return f'<div class="clause-body commentary-text">{self.r.blocks(clause.commentary, clause)}</div>' \
                if clause.commentary else ""
        parts = [self.r.models(clause), self.r.blocks(clause.body, clause), self.r.mappings(clause)]
        inner = "\n".join(p for p in parts if p)
        return f'<div class="clause-body">{inner}</div>' if inner else ""

    def clause(self, clause: Clause, commentary: bool) -> str:
        out = [self.heading(clause, commentary, True), self.own_content(clause, commentary)]
        for kid in clause.children:
            if commentary and not has_commentary(kid):
                continue
            out.append(self.clause(kid, commentary))
        out.append("</section>")
        return "\n".join(p for p in out if p)

    def unit(self, unit: Unit) -> str:
        out = []
        closes = 0
        if unit.commentary_head:
            title = self.edition.meta.commentary_title or "解説"
            number = self.edition.commentary_part_number
            out.append(f'<section class="clause level-1 commentary-part" id="{COMMENTARY_PART_ID}">'
                       f'<h1 class="clause-heading" data-label="{attr(number + " " + title)}">'
                       f'<span class="num">{escape(number)}</span>{escape(title)}</h1>')
            closes += 1
        for head in unit.heads:
            out.append(self.heading(head, unit.commentary, True))
            out.append(self.own_content(head, unit.commentary))
            closes += 1
        for c in unit.clauses:
            out.append(self.clause(c, unit.commentary))
        out.append("</section>" * closes)
        return f'<div class="unit" data-unit="{attr(unit.key)}">' + "\n".join(p for p in out if p) + "</div>"


# ----------------------------------------------------------------------------------------------------------------
# Front matter


def title_lines(title: str) -> list[str]:
    """The title page's title in lines: a long title breaks after its first 「における」 (the phrase boundary a
    ministry cover would use) instead of wherever the line happens to fill."""
    head, sep, tail = title.partition("における")
    if sep and head and tail and len(title) > 20:
        return [head + sep, tail]
    return [title]


def toc_entries(edition: Edition) -> list[dict]:
    """目次 rows: 編, 章 and numbered items (level ≤ 3), in the 例文 parts and the generated 解説 part."""
    rows: list[dict] = []

    def add(clause: Clause, commentary: bool) -> None:
        anchor = (COMMENTARY_ANCHOR if commentary else "") + clause.id
        rows.append({"anchor": anchor, "level": clause.level, "number": clause.number, "heading": clause.heading})
        for kid in clause.children:
            if kid.level <= 3 and (not commentary or has_commentary(kid)):
                add(kid, commentary)

    for part in edition.parts:
        add(part, False)
    reibun = edition.reibun
    if reibun is not None and has_commentary(reibun):
        rows.append({"anchor": COMMENTARY_PART_ID, "level": 1, "number": edition.commentary_part_number,
                     "heading": edition.meta.commentary_title or "解説"})
        for kid in _commentary_children(reibun):
            add(kid, True)
    return rows


@functools.lru_cache(maxsize=4)
def _load(directory: str):
    template = jinja_env().get_template("pdf/guideline.html.j2")
    css = (Path(directory) / "pdf" / "print.css").read_text(encoding="utf-8")
    return template, css


def _template():
    return _load(str(templates_dir()))[0]


def css() -> str:
    return _load(str(templates_dir()))[1]


def document(edition: Edition, *, front: bool, body: str = "", page_numbers: dict[str, int] | None = None,
             stamped: bool = False, stamp: str = "", inline_css: bool = True) -> str:
    """A complete print HTML document.

    ``front`` adds the title page and the 目次. With ``page_numbers`` (anchor → printed page) the 目次 prints those
    numbers (the body lives in other documents); without, it uses target-counter() on the same document.
    ``stamped`` leaves the body pages' running header and page number out: they are stamped on after merging.
    ``stamp`` makes the furniture document instead (see :func:`stamp_document`).
    ``inline_css`` False leaves the print CSS (:func:`css`) out: the caller passes it to WeasyPrint as a parsed
    stylesheet (user origin: the rules left in the document, which only switch margin boxes off, still win).
    """
    from guideline.writers.docx import wareki  # the Word title page's date

    meta = edition.meta
    rows = toc_entries(edition) if front else []
    for row in rows:
        if page_numbers is None:
            row["href"], row["page"] = "#" + row["anchor"], None
        else:
            row["href"] = EXTERNAL_ANCHOR + row["anchor"]
            row["page"] = page_numbers.get(row["anchor"], "")
    return _template().render(
        edition=meta,
        date_ja=wareki(meta.date),
        title_lines=title_lines(meta.title),
        date_iso=meta.date.isoformat(),
        front=front,
        toc=rows,
        body=body,
        css=css() if inline_css else "",
        stamped=stamped,
        stamp=stamp,
        version=__version__,
    )


def stamp_document(edition: Edition, digits: str, inline_css: bool = True) -> str:
    """Two pages of page furniture: page 1 shows only the running header of a body page (it is stamped on every
    body page), page 2 the characters page numbers are made of, set in the page-number font (their glyphs are
    used to stamp the numbers)."""
    return document(edition, front=False, stamp=digits, inline_css=inline_css)
