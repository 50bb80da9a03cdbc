"""``tracked.docx``: the new edition exactly as ``guideline build --format docx`` makes it, with every difference from
the old edition as native Word revisions (「変更履歴」), rendered from the diff engine's :class:`ChangeSet`.

Accepting all changes gives the text of the new edition's ``guideline.docx``; rejecting all gives the old one's. Both
editions are laid out with the Word writer's builder, paired slot by slot from the ChangeSet (the writer diffs no text
itself), ordered with moves as ``w:moveFrom``/``w:moveTo``, and replayed run by run. The steps and the known limits
of the round trip through pandoc: docs/word-output.md.
"""
from __future__ import annotations

import copy
import datetime
import difflib
import io
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from guideline.diagnostics import UserError
from guideline.diff.changeset import ChangeSet, TextDiff, meta_key
from guideline.diff.inline import DELETE, INSERT, Runs, diff_texts
from guideline.diff.units import Unit, block_units
from guideline.model import Clause, Edition, XRef, iter_inlines
from guideline.wordview import fingerprint_part
from guideline.writers.changes import ChangeOptions
from guideline.writers.edition import docx
from guideline.writers.edition import docx_ooxml as ox
from guideline.writers.edition.docx_ooxml import NSMAP, W, XML_SPACE
from guideline.writers.edition.docx_styles import S

SETTINGS = "<w:trackRevisions/>"  # further edits in Word are tracked too
MOVE_REGIONS = ("body", "commentary")

# --------------------------------------------------------------------------------------------------------------------
# entry point


def render(changeset: ChangeSet, options: ChangeOptions = ChangeOptions()) -> bytes:
    """The bytes of ``tracked.docx``, with ``options.author`` and ``options.date`` on its revisions."""
    return _Tracked(changeset, options.author or default_author(changeset),
                    revision_date(options.date, changeset)).build()


def default_author(cs: ChangeSet) -> str:
    """The author of the revisions when none is given: the new edition's title."""
    return cs.new.meta.title or cs.new.meta.id


def revision_date(date: datetime.datetime | datetime.date | str | None, cs: ChangeSet) -> str:
    """``w:date`` (ISO 8601, UTC): the given date or datetime, else the new edition's date at 00:00:00Z."""
    if date is None:
        date = cs.new.meta.date
    if isinstance(date, str):
        try:
            date = datetime.datetime.fromisoformat(date.strip().replace("Z", "+00:00"))
        except ValueError:
            raise UserError(f"{date!r} is not an ISO date such as 2024-10-02 or 2024-10-02T09:00:00Z") from None
    if isinstance(date, datetime.datetime):
        if date.tzinfo is not None:
            date = date.astimezone(datetime.timezone.utc)
        return date.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{date.isoformat()}T00:00:00Z"


# --------------------------------------------------------------------------------------------------------------------
# atoms: one character of a paragraph with the run (and hyperlink) it came from


class _Atom:
    __slots__ = ("ch", "run", "link", "el")

    def __init__(self, ch: str, run=None, link=None, el=None):
        self.ch = ch  # one character ("\t" tab, "\n" line break, "\ufffc" other run content); "" for markers
        self.run = run  # the source w:r (its w:rPr is the formatting)
        self.link = link  # the source w:hyperlink, or None
        self.el = el  # a marker (bookmark) or a run child other than text, or _SEP


_SEP = object()  # between the cells of a table row
_OBJ = "\ufffc"


def _run_atoms(r, link, out: list) -> None:
    for c in r:
        tag = c.tag
        if tag == W + "rPr":
            continue
        if tag == W + "t" or tag == W + "delText":
            out.extend(_Atom(ch, r, link) for ch in (c.text or ""))
        elif tag == W + "tab":
            out.append(_Atom("\t", r, link))
        elif tag == W + "br" and not c.attrib:
            out.append(_Atom("\n", r, link))
        else:
            out.append(_Atom(_OBJ, r, link, c))


def _atoms(p) -> list[_Atom]:
    out: list[_Atom] = []
    for child in p:
        tag = child.tag
        if tag == W + "pPr":
            continue
        if tag == W + "r":
            _run_atoms(child, None, out)
        elif tag == W + "hyperlink":
            for r in child:
                if r.tag == W + "r":
                    _run_atoms(r, child, out)
                else:
                    out.append(_Atom("", el=r))
        else:
            out.append(_Atom("", el=child))
    return out


def _text_of(atoms: list[_Atom]) -> str:
    return "".join(a.ch for a in atoms)


_TEXT_TAGS = (W + "t", W + "delText", W + "tab", W + "br")


def _ptext(el) -> str:
    """The text of a paragraph or row, quickly (tabs and plain line breaks as characters)."""
    out = []
    for x in el.iter(*_TEXT_TAGS):
        tag = x.tag
        if tag == W + "tab":
            out.append("\t")
        elif tag == W + "br":
            if not x.attrib:
                out.append("\n")
        else:
            out.append(x.text or "")
    return "".join(out)


def _u2a(u: str, atoms: list[_Atom]) -> list[int]:
    """For each character of the unit text ``u``: the index of the atom showing it, -1 when none does (a soft-break
    space the paragraph does not have). Atoms no character maps to are "free" (labels, placeholder brackets)."""
    idx = [i for i, a in enumerate(atoms) if a.ch]
    d = "".join(atoms[i].ch for i in idx)
    if u == d:
        return idx
    out = [-1] * len(u)
    for a, b, size in difflib.SequenceMatcher(None, u, d, autojunk=False).get_matching_blocks():
        for k in range(size):
            out[a + k] = idx[b + k]
    return out


def _restrict(atoms: list[_Atom], u2a: list[int], lo: int, hi: int) -> tuple[list[_Atom], list[int]]:
    """The atoms of unit characters [lo, hi) (free atoms go with the next shown character; trailing ones with the
    last piece) and their u2a relative to ``lo``."""
    n = len(u2a)
    owner = [n] * len(atoms)
    a2u = {a: u for u, a in enumerate(u2a) if a >= 0}
    nxt = n
    for i in range(len(atoms) - 1, -1, -1):
        if i in a2u:
            nxt = a2u[i]
        owner[i] = nxt
    keep = [i for i in range(len(atoms)) if lo <= owner[i] < hi or (hi == n and owner[i] == n)]
    where = {old: new for new, old in enumerate(keep)}
    return [atoms[i] for i in keep], [where.get(u2a[u], -1) if u2a[u] >= 0 else -1 for u in range(lo, hi)]


def _merge_ops(runs: Runs, o_atoms: list[_Atom], o_u2a: list[int], n_atoms: list[_Atom],
               n_u2a: list[int]) -> list[tuple]:
    """Replay the ChangeSet runs over the atoms of both paragraphs: ``(op, old_atom, new_atom)`` with op ``eq``,
    ``del``, ``ins`` or ``mark`` (a bookmark of the new paragraph). Every atom of each side appears once, in order."""
    ops: list[tuple] = []
    st = {"po": 0, "pn": 0}
    lo, ln = len(o_u2a), len(n_u2a)

    def flush(o_to: int, n_to: int) -> None:
        po, pn = st["po"], st["pn"]
        o_to, n_to = max(o_to, po), max(n_to, pn)
        of = [a for a in o_atoms[po:o_to] if a.ch]
        nf_all = n_atoms[pn:n_to]
        st["po"], st["pn"] = o_to, n_to
        for a in nf_all:
            if not a.ch:
                ops.append(("mark", None, a))
        nf = [a for a in nf_all if a.ch]
        if not of and not nf:
            return
        if _text_of(of) == _text_of(nf):
            ops.extend(("eq", x, y) for x, y in zip(of, nf))
            return
        p = 0
        while p < len(of) and p < len(nf) and of[p].ch == nf[p].ch and of[p].ch.isspace():
            p += 1
        s = 0
        while (s < len(of) - p and s < len(nf) - p and of[-1 - s].ch == nf[-1 - s].ch
               and of[-1 - s].ch.isspace()):
            s += 1
        ops.extend(("eq", of[k], nf[k]) for k in range(p))
        ops.extend(("del", a, None) for a in of[p:len(of) - s])
        ops.extend(("ins", None, a) for a in nf[p:len(nf) - s])
        ops.extend(("eq", of[len(of) - s + k], nf[len(nf) - s + k]) for k in range(s))

    i = j = 0
    for op, text in runs:
        for _ in text:
            # free atoms standing before the next shown character of each side go first
            o_next = (o_u2a[i] if o_u2a[i] >= 0 else st["po"]) if i < lo else len(o_atoms)
            n_next = (n_u2a[j] if n_u2a[j] >= 0 else st["pn"]) if j < ln else len(n_atoms)
            flush(o_next, n_next)
            ao = o_u2a[i] if op != INSERT else -1
            an = n_u2a[j] if op != DELETE else -1
            if op != INSERT:
                i += 1
            if op != DELETE:
                j += 1
            if ao >= 0 and an >= 0:
                ops.append(("eq", o_atoms[ao], n_atoms[an]))
            elif ao >= 0:
                ops.append(("del", o_atoms[ao], None))
            elif an >= 0:
                ops.append(("ins", None, n_atoms[an]))
            if ao >= 0:
                st["po"] = ao + 1
            if an >= 0:
                st["pn"] = an + 1
    flush(len(o_atoms), len(n_atoms))
    return ops


def _runs_fit(runs: Runs, old: str, new: str) -> bool:
    return ("".join(t for o, t in runs if o != INSERT) == old
            and "".join(t for o, t in runs if o != DELETE) == new)


# --------------------------------------------------------------------------------------------------------------------
# slots: the paragraphs and tables of one edition's document, in order


@dataclass(eq=False)
class _Slot:
    pos: int
    el: etree._Element  # w:p or w:tbl
    region: str  # front | toc-head | toc | body | commentary
    cid: str = ""  # the clause it belongs to
    u: str | None = None  # the unit text the ChangeSet's runs refer to (None: the paragraph text)
    rows: tuple[Unit, ...] = ()  # for a table: its row units

    @property
    def is_table(self) -> bool:
        return self.el.tag == W + "tbl"


def _style(p) -> str:
    ps = p.find(f"{W}pPr/{W}pStyle")
    return ps.get(W + "val") if ps is not None else ""



def _is_field_run(r) -> bool:
    return r.tag == W + "r" and (r.find(W + "fldChar") is not None or r.find(W + "instrText") is not None)


class _Layout:
    """One edition laid out by the Word builder, as slots keyed for pairing."""

    def __init__(self, edition: Edition, b: docx.DocxBuilder, side: str,
                 same_as: "dict[str, list] | None" = None, units_of: "dict[tuple[str, str], tuple] | None" = None):
        """``same_as``: for the old side, the new side's elements of the clauses that render the same in both
        editions (:func:`same_rendering`), by ID; they are copied instead of laid out again."""
        self.edition = edition
        self.side = side
        self.same_as = same_as or {}
        self.els: dict[str, list] = {}  # clause id -> its elements as laid out (the new side)
        self.units_of: dict[tuple[str, str], tuple] = {} if units_of is None else units_of  # (section, id) -> units
        self.copied: dict[int, tuple] = {}  # id(a copy of a new-side element) -> (the copy, that element)
        self.slots: list[_Slot] = []
        self.front: dict[str, _Slot] = {}
        self.toc: dict[str, _Slot] = {}
        self.toc_extra: dict[str, _Slot] = {}
        self.toc_title: _Slot | None = None
        self.head: dict[str, _Slot] = {}
        self.models: dict[str, _Slot] = {}
        self.notes: dict[str, list[tuple[str, _Slot]]] = {}
        self.units: dict[tuple, object] = {}  # (section, clause id, path, kind) -> slot | (table slot, row)
        self.after: dict[int, _Slot] = {}  # id(table slot) -> the empty paragraph after it
        self.chead: dict[str, _Slot] = {}
        self.ctitle: _Slot | None = None
        self.misc: dict[str, _Slot] = {}
        self._front(b)
        self._toc(b)
        for part in edition.parts:
            for clause in part.walk():
                self._clause(b, clause)
        self._commentary(b)
        meta = edition.meta
        self.header = ox.paragraph(S.header, [ox.run(meta.title), ox.tab_run(), ox.run(b.header_status())])

    def add(self, el, region: str, cid: str = "", u: str | None = None, rows: tuple = ()) -> _Slot:
        s = _Slot(len(self.slots), el, region, cid, u, rows)
        self.slots.append(s)
        return s

    def _front(self, b: docx.DocxBuilder) -> None:
        for p in b.title_page():
            s = self.add(p, "front")
            self.front.setdefault(_style(p), s)

    def _toc(self, b: docx.DocxBuilder) -> None:
        ed = self.edition
        els = b.toc(ed.parts, extra=b.commentary_toc_entries())
        self.misc["toc-heading"] = self.add(els[0], "toc-head")
        entries = els[1:]
        for p in (entries[0], entries[-1]) if entries else ():
            for r in [r for r in p if _is_field_run(r)]:
                p.remove(r)
        ids = [c.id for part in ed.parts for c in part.walk() if c.level <= 3]
        extra = _commentary_toc_ids(ed)
        keyed = len(entries) == len(ids) + len(extra)
        for k, p in enumerate(entries):
            if keyed and k < len(ids):
                cl = ed.by_id[ids[k]]
                self.toc[cl.id] = self.add(p, "toc", cl.id, u=cl.heading)
            elif keyed and extra[k - len(ids)] is None:
                self.toc_title = self.add(p, "toc")
            elif keyed:
                cl = ed.by_id[extra[k - len(ids)]]
                self.toc_extra[cl.id] = self.add(p, "toc", cl.id, u=cl.heading)
            else:
                self.add(p, "toc")

    def _clause(self, b: docx.DocxBuilder, clause: Clause) -> None:
        same = self.same_as.get(clause.id)
        if same is not None:  # as the new side shows it, less the heading's bookmark (only the new side has one)
            els = [copy.deepcopy(el) for el in same]
            for mark in els[0].findall(W + "bookmarkStart") + els[0].findall(W + "bookmarkEnd"):
                els[0].remove(mark)
            self.copied.update((id(c), (c, el)) for c, el in zip(els, same))
        else:
            els = b.clause_to_elements(clause, with_children=False, bookmarks=self.side == "new")
            if self.side == "new":
                self.els[clause.id] = els
        nm = 1 if clause.meta.models else 0
        nn = len(clause.meta.nisc)
        self.head[clause.id] = self.add(els[0], "body", clause.id, u=clause.heading)
        if nm:
            self.models[clause.id] = self.add(els[1], "body", clause.id)
        body = els[1 + nm:len(els) - nn]
        self._blocks(body, clause, "body", "body")
        self.notes[clause.id] = [(m.nisc_id, self.add(p, "body", clause.id))
                                 for m, p in zip(clause.meta.nisc, els[len(els) - nn:])]

    def _blocks(self, els: list, clause: Clause, section: str, region: str) -> None:
        """Slots for the paragraphs/tables of a clause's 例文 or 解説, keyed by the diff engine's units."""
        # a clause copied from the new side (same blocks, same shown text) has the new side's units
        units = self.units_of.get((section, clause.id)) if section == "body" and clause.id in self.same_as else None
        if units is None:
            units = block_units(clause, section, self.edition)
        if self.side == "new":
            self.units_of[(section, clause.id)] = units
        plan: list[tuple] = []
        ui = 0
        ok = True
        for el in els:
            if el.tag == W + "tbl":
                n = len(el.findall(W + "tr"))
                rows = units[ui:ui + n]
                if len(rows) != n or any(u.kind != "row" for u in rows):
                    ok = False
                    break
                plan.append((el, tuple(rows)))
                ui += n
            elif el.tag == W + "p" and _style(el) == S.table_after and plan and plan[-1][0].tag == W + "tbl":
                plan.append((el, "after"))
            else:
                if ui >= len(units) or units[ui].kind == "row" or el.tag != W + "p":
                    ok = False
                    break
                plan.append((el, units[ui]))
                ui += 1
        if not ok or ui != len(units):
            for el in els:
                self.add(el, region, clause.id)
            return
        last_table = None
        for el, what in plan:
            if isinstance(what, tuple):
                last_table = self.add(el, region, clause.id, rows=what)
                for r, u in enumerate(what):
                    self.units[(section, clause.id, u.path, u.kind)] = (last_table, r)
            elif what == "after":
                self.after[id(last_table)] = self.add(el, region, clause.id)
            else:
                self.units[(section, clause.id, what.path, what.kind)] = self.add(el, region, clause.id, u=what.text)

    def _commentary(self, b: docx.DocxBuilder) -> None:
        ed = self.edition
        els = b.commentary_part()
        if not els:
            return
        self.ctitle = self.add(els[0], "commentary")
        order = [c for c in _commentary_clauses(ed)]
        groups: list[list] = []
        for el in els[1:]:
            if el.tag == W + "p" and _style(el).startswith("Heading"):
                groups.append([el])
            elif groups:
                groups[-1].append(el)
            else:
                groups.append([None, el])
        if len(groups) != len(order) or any(g[0] is None for g in groups):
            for el in els[1:]:
                self.add(el, "commentary")
            return
        for clause, g in zip(order, groups):
            self.chead[clause.id] = self.add(g[0], "commentary", clause.id, u=clause.heading)
            self._blocks(g[1:], clause, "commentary", "commentary")


def same_rendering(ch, cs: ChangeSet) -> bool:
    """Whether an unchanged clause lays out the same in both editions (so the old side can copy the new side's
    paragraphs, which is most of the old edition). ``unchanged``
    already means the same ID, number, heading, 例文 (with cross-references shown alike), 解説 and mappings; what else
    goes into the paragraphs is compared here: the level (indents), the 統一基準 headings of the mappings (taken from
    each edition's catalog), and whether each cross-reference target exists on both sides (a link or plain text)."""
    if ch.kind != "unchanged" or len(ch.old) != 1 or len(ch.new) != 1:
        return False
    a, b = ch.old[0], ch.new[0]
    if a.id != b.id or a.level != b.level or a.number != b.number or a.heading != b.heading:
        return False
    if meta_key(a) != meta_key(b):  # mappings in another order are no change to the diff, but are on the page
        return False
    if not _same_blocks(a.body, b.body):  # formatting too (bold, links, placeholders), which units do not show
        return False
    oc, nc = cs.old.catalog, cs.new.catalog
    if oc is not nc and any((oc.label(m.nisc_id) if oc is not None else "") !=
                            (nc.label(m.nisc_id) if nc is not None else "") for m in b.meta.nisc):
        return False
    return all((n.target in cs.old.by_id) == (n.target in cs.new.by_id)
               for n in iter_inlines(b.body) if isinstance(n, XRef))


def _same_blocks(xs: tuple, ys: tuple) -> bool:
    """Blocks equal in everything but their source lines."""
    if len(xs) != len(ys):
        return False
    for x, y in zip(xs, ys):
        if type(x) is not type(y):
            return False
        for name in x.__slots__:
            if name == "line":
                continue
            u, v = getattr(x, name), getattr(y, name)
            if name == "items":
                if len(u) != len(v) or not all(_same_blocks(i, j) for i, j in zip(u, v)):
                    return False
            elif name == "blocks":
                if not _same_blocks(u, v):
                    return False
            elif u != v:
                return False
    return True


def _commentary_toc_ids(ed: Edition) -> list[str | None]:
    """The clause IDs of the 目次 entries of the 解説 part, after its title (None), as the Word writer lists them."""
    reibun = ed.reibun
    if reibun is None or not reibun.has_commentary:
        return []
    out: list[str | None] = [None]

    def visit(c: Clause) -> None:
        if c.level > 3 or not c.has_commentary:
            return
        out.append(c.id)
        for ch in c.children:
            visit(ch)

    for ch in reibun.children:
        visit(ch)
    return out


def _commentary_clauses(ed: Edition) -> list[Clause]:
    """The clauses of the 解説 part in order (every clause below the 例文 part with 解説 in its subtree)."""
    reibun = ed.reibun
    out: list[Clause] = []
    if reibun is None:
        return out

    def visit(c: Clause) -> None:
        if not c.has_commentary:
            return
        out.append(c)
        for ch in c.children:
            visit(ch)

    for ch in reibun.children:
        visit(ch)
    return out


# --------------------------------------------------------------------------------------------------------------------
# items: what the document shows, one paragraph (or table) each, paired or one-sided


@dataclass(eq=False)
class _Item:
    old: _Slot | None
    new: _Slot | None
    runs: Runs | None = None  # over the unit texts (None: diff the paragraph texts)
    piece: int = 0  # index of a split/merge piece
    old_range: tuple[int, int] | None = None  # the part of the old unit text this piece covers (split)
    new_range: tuple[int, int] | None = None  # ... of the new unit text (merge)
    old_mark: bool = True  # the old document has a paragraph mark after this item
    new_mark: bool = True
    weight: float = 1.0
    rows: list = field(default_factory=list)  # for a pair of tables: row items

    @property
    def old_pos(self):
        if self.old is None:
            return None
        return (self.old.pos, self.piece if self.old_range is not None else 0)

    @property
    def new_pos(self):
        if self.new is None:
            return None
        return (self.new.pos, self.piece if self.new_range is not None else 0)

    @property
    def region(self) -> str:
        return (self.new or self.old).region


@dataclass(eq=False)
class _RowItem:
    old: tuple | None  # (w:tr, row unit) of the old table
    new: tuple | None
    runs: Runs | None
    old_pos: tuple | None = None
    new_pos: tuple | None = None
    weight: float = 1.0


def _order(items: list) -> list[tuple[str, object, bool]]:
    """Merge the items into one sequence keeping old order among old sides and new order among new sides.

    Pairs on a heaviest increasing subsequence of old positions (in new order) stay pairs; the others are displaced
    (shown at both places). Returns ``(where, item, displaced)`` with where ``pair``, ``old`` or ``new``."""
    pairs = sorted((it for it in items if it.old_pos is not None and it.new_pos is not None), key=lambda it: it.new_pos)
    ranks = {p: r + 1 for r, p in enumerate(sorted(it.old_pos for it in pairs))}
    n = len(ranks)
    tree: list[tuple[float, int]] = [(0.0, -1)] * (n + 1)
    best = [0.0] * len(pairs)
    prev = [-1] * len(pairs)
    for k, it in enumerate(pairs):
        r = ranks[it.old_pos]
        q, i = (0.0, -1), r - 1
        while i > 0:
            if tree[i] > q:
                q = tree[i]
            i -= i & -i
        best[k] = q[0] + it.weight
        prev[k] = q[1]
        i = r
        while i <= n:
            if (best[k], k) > tree[i]:
                tree[i] = (best[k], k)
            i += i & -i
    keep: set[int] = set()
    if pairs:
        k = max(range(len(pairs)), key=lambda x: (best[x], -x))
        while k >= 0:
            keep.add(k)
            k = prev[k]
    anchors = [it for k, it in enumerate(pairs) if k in keep]
    displaced = {id(it) for k, it in enumerate(pairs) if k not in keep}
    olds = sorted((it for it in items if it.old_pos is not None and (it.new_pos is None or id(it) in displaced)),
                  key=lambda it: it.old_pos)
    news = sorted((it for it in items if it.new_pos is not None and (it.old_pos is None or id(it) in displaced)),
                  key=lambda it: it.new_pos)
    out: list[tuple[str, object, bool]] = []
    oi = ni = 0
    for a in anchors:
        while oi < len(olds) and olds[oi].old_pos < a.old_pos:
            out.append(("old", olds[oi], id(olds[oi]) in displaced))
            oi += 1
        while ni < len(news) and news[ni].new_pos < a.new_pos:
            out.append(("new", news[ni], id(news[ni]) in displaced))
            ni += 1
        out.append(("pair", a, False))
    out.extend(("old", it, id(it) in displaced) for it in olds[oi:])
    out.extend(("new", it, id(it) in displaced) for it in news[ni:])
    return out


# --------------------------------------------------------------------------------------------------------------------
# the document

# how each op shows in each rendering mode: None = plain run, "skip" = not shown, else the revision element
_MODES = {
    "inplace": {"eq": None, "del": "del", "ins": "ins"},
    "delete": {"eq": "del", "del": "del", "ins": "skip"},
    "insert": {"eq": "ins", "del": "skip", "ins": "ins"},
    "moveFrom": {"eq": "moveFrom", "del": "del", "ins": "skip"},
    "moveTo": {"eq": "moveTo", "del": "skip", "ins": "ins"},
}
_OLD_SIDE = ("del", "moveFrom")


class _Tracked:
    def __init__(self, cs: ChangeSet, author: str, date: str):
        self.cs = cs
        self.author = author
        self.date = date
        self.b = docx.DocxBuilder(cs.new)
        # the old side keeps its cross-reference styling (as in its own build); links never reach deleted or
        # moved-from content, whose targets may not exist in this document
        self.ob = docx.DocxBuilder(cs.old, share_with=self.b)
        self.ids = self.b.ids
        self._rpr_keys: dict[int, tuple] = {}
        self._join: set[int] = set()
        self.counts: dict[str, int] = {}

    # ---------------------------------------------------------------------------------------------------------------

    def build(self) -> bytes:
        cs = self.cs
        self.new = _Layout(cs.new, self.b, "new")
        same = {ch.old[0].id: self.new.els[ch.new[0].id] for ch in cs.changes
                if same_rendering(ch, cs) and ch.new[0].id in self.new.els}
        self.old = _Layout(cs.old, self.ob, "old", same_as=same, units_of=self.new.units_of)
        items = self._items()
        seq = _order(items)
        body = self._assemble(seq)
        data = self.b.package(body, subject=f"{cs.old.meta.display_name} → {cs.new.meta.display_name} 変更履歴",
                              settings_extra=SETTINGS,
                              # the old side's fingerprints: `guideline apply` takes the file to the old edition
                              fingerprints=fingerprint_part(cs.old, cs.old.clauses(), "tracked", None))
        return self._replace_header(data)

    # ---------------------------------------------------------------------------------------------------------------
    # pairing

    def _items(self) -> list[_Item]:
        o, n = self.old, self.new
        used: set[int] = set()
        items: list[_Item] = []
        moved = self._moved_ids()

        def pair(a: _Slot | None, b: _Slot | None, runs: Runs | None = None) -> None:
            if a is None or b is None or id(a) in used or id(b) in used:
                return
            used.add(id(a))
            used.add(id(b))
            items.append(_Item(a, b, runs, weight=0.001 if b.cid in moved else 1.0))

        for role, s in n.front.items():
            pair(o.front.get(role), s)
        pair(o.misc.get("toc-heading"), n.misc.get("toc-heading"))
        pair(o.toc_title, n.toc_title)
        pair(o.ctitle, n.ctitle)
        for ch in self.cs.changes:
            for d in ch.headings:
                if d.old is None or d.new is None:
                    continue
                oid, nid = d.old.clause_id, d.new.clause_id
                pair(o.head.get(oid), n.head.get(nid), d.runs)
                pair(o.toc.get(oid), n.toc.get(nid), d.runs)
                pair(o.toc_extra.get(oid), n.toc_extra.get(nid), d.runs)
                pair(o.chead.get(oid), n.chead.get(nid), d.runs)
                pair(o.models.get(oid), n.models.get(nid))
                on, nn = o.notes.get(oid, []), n.notes.get(nid, [])
                sm = difflib.SequenceMatcher(None, [k for k, _ in on], [k for k, _ in nn], autojunk=False)
                for a, b, size in sm.get_matching_blocks():
                    for k in range(size):
                        pair(on[a + k][1], nn[b + k][1])
            for section, diffs in (("body", ch.body), ("commentary", ch.commentary)):
                self._unit_items(section, diffs, items, used, moved)
        for side, layout in (("old", o), ("new", n)):
            for s in layout.slots:
                if id(s) in used:
                    continue
                if side == "old":
                    items.append(_Item(s, None))
                else:
                    items.append(_Item(None, s, weight=0.001 if s.cid in moved else 1.0))
        return items

    def _moved_ids(self) -> set[str]:
        out: set[str] = set()
        for ch in self.cs.changes:
            if "moved" in ch.aspects:
                for c in ch.new:
                    out.update(x.id for x in c.walk())
        return out

    def _unit_items(self, section: str, diffs: tuple[TextDiff, ...], items: list, used: set, moved: set) -> None:
        o, n = self.old, self.new

        def key(u: Unit) -> tuple:
            return (section, u.clause_id, u.path, u.kind)

        tables: dict[tuple[int, int], list] = {}
        table_slots: dict[int, _Slot] = {}
        row_diffs: list[tuple] = []
        k = 0
        while k < len(diffs):
            d = diffs[k]
            if (d.old is not None and d.old.kind == "row") or (d.new is not None and d.new.kind == "row"):
                row_diffs.append((o.units.get(key(d.old)) if d.old else None,
                                  n.units.get(key(d.new)) if d.new else None, d))
                k += 1
                continue
            if d.joined:
                # the pieces of one split (same old unit) or merge (same new unit)
                same = (lambda x: x.joined == "split" and x.old == d.old) if d.joined == "split" else \
                    (lambda x: x.joined == "merge" and x.new == d.new)
                group = [d]
                while k + len(group) < len(diffs) and same(diffs[k + len(group)]):
                    group.append(diffs[k + len(group)])
                k += len(group)
                self._piece_items(group, [o.units.get(key(x.old)) for x in group],
                                  [n.units.get(key(x.new)) for x in group], items, used, moved)
                continue
            k += 1
            a = o.units.get(key(d.old)) if d.old is not None else None
            b = n.units.get(key(d.new)) if d.new is not None else None
            if isinstance(a, _Slot) and isinstance(b, _Slot) and id(a) not in used and id(b) not in used:
                used.add(id(a))
                used.add(id(b))
                items.append(_Item(a, b, d.runs, weight=0.001 if b.cid in moved else 1.0))
        # tables: pair two tables when their rows pair only with each other and they have as many columns
        partners: dict[int, set[int]] = {}
        for a, b, d in row_diffs:
            if isinstance(a, tuple) and isinstance(b, tuple):
                table_slots[id(a[0])] = a[0]
                table_slots[id(b[0])] = b[0]
                partners.setdefault(id(a[0]), set()).add(id(b[0]))
                partners.setdefault(id(b[0]), set()).add(id(a[0]))
        for a, b, d in row_diffs:
            if not (isinstance(a, tuple) and isinstance(b, tuple)):
                continue
            ta, tb = a[0], b[0]
            if (partners[id(ta)] != {id(tb)} or partners[id(tb)] != {id(ta)} or id(ta) in used or id(tb) in used
                    or _ncols(ta.el) != _ncols(tb.el)):
                continue
            tables.setdefault((id(ta), id(tb)), [])
        for a, b, d in row_diffs:
            ta = a[0] if isinstance(a, tuple) else None
            tb = b[0] if isinstance(b, tuple) else None
            for (ia, ib), rows in tables.items():
                if (ta is not None and id(ta) == ia) or (tb is not None and id(tb) == ib):
                    if (ta is not None and id(ta) != ia) or (tb is not None and id(tb) != ib):
                        continue
                    ra = (ta.el.findall(W + "tr")[a[1]], ta.rows[a[1]]) if ta is not None else None
                    rb = (tb.el.findall(W + "tr")[b[1]], tb.rows[b[1]]) if tb is not None else None
                    rows.append(_RowItem(ra, rb, d.runs if ra and rb else None,
                                         (a[1], 0) if ra else None, (b[1], 0) if rb else None))
                    break
        for (ia, ib), rows in tables.items():
            ta, tb = table_slots[ia], table_slots[ib]
            # rows the diffs did not mention (should not happen): shown deleted / inserted
            seen_a = {r.old_pos[0] for r in rows if r.old_pos}
            seen_b = {r.new_pos[0] for r in rows if r.new_pos}
            for r, tr in enumerate(ta.el.findall(W + "tr")):
                if r not in seen_a:
                    rows.append(_RowItem((tr, ta.rows[r]), None, None, (r, 0), None))
            for r, tr in enumerate(tb.el.findall(W + "tr")):
                if r not in seen_b:
                    rows.append(_RowItem(None, (tr, tb.rows[r]), None, None, (r, 0)))
            used.add(ia)
            used.add(ib)
            items.append(_Item(ta, tb, rows=rows, weight=0.001 if tb.cid in moved else 1.0))
            aa, ab = o.after.get(ia), n.after.get(ib)
            if aa is not None and ab is not None and id(aa) not in used and id(ab) not in used:
                used.add(id(aa))
                used.add(id(ab))
                items.append(_Item(aa, ab, weight=0.001 if ab.cid in moved else 1.0))

    def _piece_items(self, group: list[TextDiff], olds: list, news: list, items: list, used: set,
                     moved: set) -> None:
        if any(not isinstance(s, _Slot) for s in (*olds, *news)) or any(id(s) in used for s in (*olds, *news)):
            return
        split = group[0].joined == "split"
        offset = 0
        made = []
        for k, (d, a, b) in enumerate(zip(group, olds, news)):
            last = k == len(group) - 1
            if split:
                length = sum(len(t) for op, t in d.runs if op != INSERT)
                it = _Item(a, b, d.runs, piece=k, old_range=(offset, offset + length), old_mark=last)
            else:
                length = sum(len(t) for op, t in d.runs if op != DELETE)
                it = _Item(a, b, d.runs, piece=k, new_range=(offset, offset + length), new_mark=last)
            it.weight = 0.001 if b.cid in moved else 1.0
            offset += length
            made.append(it)
        items.extend(made)
        for s in (*olds, *news):
            used.add(id(s))

    # ---------------------------------------------------------------------------------------------------------------
    # ops of one paragraph pair

    def _side(self, slot: _Slot, rng: tuple[int, int] | None) -> tuple[list[_Atom], list[int], str]:
        atoms = _atoms(slot.el)
        u = slot.u if slot.u is not None else _text_of(atoms)
        u2a = _u2a(u, atoms)
        if rng is not None:
            atoms, u2a = _restrict(atoms, u2a, *rng)
            u = u[rng[0]:rng[1]]
        return atoms, u2a, u

    def _pair_ops(self, it: _Item) -> list[tuple]:
        oa, ou2a, ou = self._side(it.old, it.old_range)
        na, nu2a, nu = self._side(it.new, it.new_range)
        runs = it.runs
        if it.old.u is None or it.new.u is None or runs is None:
            # derived text (notes, title page …): the engine's morpheme diff over the paragraph texts
            ou, nu = _text_of(oa), _text_of(na)
            ou2a = [i for i, a in enumerate(oa) if a.ch]
            nu2a = [i for i, a in enumerate(na) if a.ch]
            runs = diff_texts(ou, nu)
        if not _runs_fit(runs, ou, nu):  # never expected: replace the whole text rather than guess
            runs = tuple(x for x in ((DELETE, ou), (INSERT, nu)) if x[1])
        return _merge_ops(runs, oa, ou2a, na, nu2a)

    # ---------------------------------------------------------------------------------------------------------------
    # elements

    def _rev(self, kind: str) -> etree._Element:
        el = etree.Element(W + kind)
        el.set(W + "id", str(self.ids()))
        el.set(W + "author", self.author)
        el.set(W + "date", self.date)
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return el

    def _rpr_key(self, r) -> bytes:
        hit = self._rpr_keys.get(id(r))
        if hit is None or hit[0] is not r:
            rpr = r.find(W + "rPr")
            # the run is kept with its key: an id() is only unique while its lxml proxy lives
            hit = (r, etree.tostring(rpr) if rpr is not None else b"")
            self._rpr_keys[id(r)] = hit
        return hit[1]

    def _make_run(self, src, atoms: list[_Atom], kind: str | None, rprc) -> etree._Element:
        r = etree.Element(W + "r")
        if src is not None:
            rpr = src.find(W + "rPr")
            if rpr is not None:
                r.append(copy.deepcopy(rpr))
        if rprc is not None:
            rpr = r.find(W + "rPr")
            if rpr is None:
                rpr = etree.SubElement(r, W + "rPr")
            change = self._rev("rPrChange")
            inner = etree.SubElement(change, W + "rPr")
            old = rprc.find(W + "rPr")
            if old is not None:
                inner.extend(copy.deepcopy(c) for c in old)
            rpr.append(change)
        text_tag = W + "delText" if kind == "del" else W + "t"
        buf: list[str] = []

        def flush() -> None:
            if buf:
                t = etree.SubElement(r, text_tag)
                t.text = "".join(buf)
                if t.text != t.text.strip(" ") or "  " in t.text:
                    t.set(XML_SPACE, "preserve")
                buf.clear()

        for a in atoms:
            if a.ch == "\t":
                flush()
                etree.SubElement(r, W + "tab")
            elif a.ch == "\n":
                flush()
                etree.SubElement(r, W + "br")
            elif a.ch == _OBJ and a.el is not None and a.el is not _SEP:
                flush()
                el = copy.deepcopy(a.el)
                if kind == "del" and el.tag == W + "instrText":
                    el.tag = W + "delInstrText"
                r.append(el)
            else:
                buf.append(a.ch)
        flush()
        return r

    def _content(self, ops: list[tuple], mode: str) -> list[etree._Element]:
        """Runs (in revision wrappers and hyperlinks) for ops shown in ``mode``."""
        how = _MODES[mode]
        groups: list = []
        for op, ao, an in ops:
            if op == "mark":
                if mode in ("inplace", "insert", "moveTo"):
                    groups.append(("mark", an.el))
                continue
            kind = how[op]
            if kind == "skip":
                continue
            atom = ao if kind in _OLD_SIDE else an
            link = atom.link if kind not in _OLD_SIDE else None
            rprc = None
            if op == "eq" and kind is None and ao.run is not None and an.run is not None and \
                    self._rpr_key(ao.run) != self._rpr_key(an.run):
                rprc = ao.run
            k = (id(link), kind, id(atom.run), id(rprc))
            if groups and groups[-1][0] == "run" and groups[-1][1] == k:
                groups[-1][2].append(atom)
            else:
                groups.append(("run", k, [atom], link, kind, atom.run, rprc))
        out: list[etree._Element] = []
        link_src = None
        link_el = None
        wrap = None  # (kind, element, parent)
        for g in groups:
            if g[0] == "mark":
                out.append(copy.deepcopy(g[1]))
                link_src = link_el = wrap = None
                continue
            _, _, atoms, link, kind, src, rprc = g
            r = self._make_run(src, atoms, kind, rprc)
            if link is None:
                parent = None
                link_src = link_el = None
            else:
                if link_src is not link:
                    link_el = etree.Element(W + "hyperlink", attrib=dict(link.attrib))
                    out.append(link_el)
                    link_src = link
                    wrap = None
                parent = link_el
            if kind is None:
                (out.append if parent is None else parent.append)(r)
                wrap = None
                continue
            if wrap is not None and wrap[0] == kind and wrap[2] is parent:
                wrap[1].append(r)
                continue
            w = self._rev(kind)
            w.append(r)
            (out.append if parent is None else parent.append)(w)
            wrap = (kind, w, parent)
        return out

    def _paragraph(self, new_src, old_src, content: list, mark: str | None) -> etree._Element:
        base = new_src if new_src is not None else old_src
        p = etree.Element(W + "p")
        src_ppr = base.find(W + "pPr")
        ppr = copy.deepcopy(src_ppr) if src_ppr is not None else etree.Element(W + "pPr")
        if new_src is not None and old_src is not None:
            self._ppr_change(ppr, old_src.find(W + "pPr"))
        if mark:
            ox.mark_paragraph(mark, self.ids, self.author, self.date)(ppr)
            self.counts[f"paragraph mark {mark}"] = self.counts.get(f"paragraph mark {mark}", 0) + 1
        if len(ppr):
            p.append(ppr)
        p.extend(content)
        return p

    def _ppr_change(self, ppr, old_ppr) -> None:
        def key(x) -> list[bytes]:
            if x is None:
                return []
            return [etree.tostring(c) for c in x if c.tag not in (W + "rPr", W + "sectPr", W + "pPrChange")]

        if old_ppr is not None and etree.tostring(ppr) == etree.tostring(old_ppr):
            return
        if key(ppr) == key(old_ppr):
            return
        change = self._rev("pPrChange")
        inner = etree.SubElement(change, W + "pPr")
        if old_ppr is not None:
            inner.extend(copy.deepcopy(c) for c in old_ppr if c.tag not in (W + "rPr", W + "sectPr", W + "pPrChange"))
        ox.insert_ordered(ppr, change, ox.PPR_ORDER)

    # ---------------------------------------------------------------------------------------------------------------
    # rendering entries

    def _render(self, where: str, it: _Item, mode: str) -> list[etree._Element]:
        """The elements of one entry: ``mode`` is inplace (a pair in place), delete/moveFrom (old side),
        insert/moveTo (new side)."""
        if it.rows or (it.old is not None and it.old.is_table) or (it.new is not None and it.new.is_table):
            return [self._table(it, mode)]
        old_mark, new_mark = it.old_mark, it.new_mark
        if mode == "inplace":
            whole = it.old_range is None and it.new_range is None and old_mark and new_mark
            copied = self.old.copied.get(id(it.old.el))  # (the entry keeps the copy alive: its id is its own)
            if whole and copied is not None and copied[1] is it.new.el:
                return [it.new.el]  # the old paragraph is a copy of this one (text and properties alike)
            if whole and _ptext(it.old.el) == _ptext(it.new.el):
                # unchanged text: the new paragraph as it is (formatting changes noted on the paragraph)
                p = it.new.el
                ppr = p.find(W + "pPr")
                if ppr is None:
                    ppr = etree.Element(W + "pPr")
                    p.insert(0, ppr)
                self._ppr_change(ppr, it.old.el.find(W + "pPr"))
                if len(ppr) == 0:
                    p.remove(ppr)
                return [p]
            ops = self._pair_ops(it)
            mark = {(True, True): None, (False, True): "ins", (True, False): "del"}.get((old_mark, new_mark), "join")
            return [self._finish(self._paragraph(it.new.el, it.old.el, self._content(ops, mode), mark), mark)]
        if mode in ("delete", "moveFrom"):
            mark = ("del" if mode == "delete" else "moveFrom") if old_mark else "join"
            content = self._content(self._pair_ops(it), mode) if it.new is not None else \
                self._wrap_whole(it.old.el, "del")
            return [self._finish(self._paragraph(None, it.old.el, content, mark), mark)]
        mark = ("ins" if mode == "insert" else "moveTo") if new_mark else "join"
        content = self._content(self._pair_ops(it), mode) if it.old is not None else \
            self._wrap_whole(it.new.el, "ins")
        return [self._finish(self._paragraph(it.new.el, None, content, mark), mark)]

    def _wrap_whole(self, p, kind: str) -> list[etree._Element]:
        """The content of a paragraph shown on one side only: its runs in ``w:ins``/``w:del`` (consecutive runs in
        one wrapper; deleted text as ``w:delText``; hyperlinks and bookmarks kept for insertions only)."""
        out: list[etree._Element] = []

        def wrap_into(parent_list, runs) -> None:
            w = None
            for r in runs:
                if r.tag != W + "r":
                    w = None
                    if kind == "ins":
                        parent_list.append(r)
                    continue
                if kind == "del":
                    ox.mark_deleted(r)
                if w is None:
                    w = self._rev(kind)
                    parent_list.append(w)
                w.append(r)

        pending: list = []
        for child in list(p):
            if child.tag == W + "pPr":
                continue
            if child.tag == W + "hyperlink":
                wrap_into(out, pending)
                pending = []
                if kind == "del":
                    wrap_into(out, list(child))
                else:
                    h = etree.Element(W + "hyperlink", attrib=dict(child.attrib))
                    kids: list = []
                    wrap_into(kids, list(child))
                    h.extend(kids)
                    out.append(h)
            else:
                pending.append(child)
        wrap_into(out, pending)
        return out

    def _finish(self, p, mark: str | None):
        if mark == "join":
            self._join.add(id(p))
        return p

    def _table(self, it: _Item, mode: str) -> etree._Element:
        src = it.new if it.new is not None else it.old
        tbl = etree.Element(W + "tbl")
        for child in src.el:
            if child.tag != W + "tr":
                tbl.append(copy.deepcopy(child))
        if it.rows:
            rows = [(w, r) for w, r, _ in _order(it.rows)]
        elif it.new is not None and mode not in ("delete", "moveFrom"):
            rows = [("new", _RowItem(None, (tr, None), None)) for tr in it.new.el.findall(W + "tr")]
        else:
            rows = [("old", _RowItem((tr, None), None, None)) for tr in it.old.el.findall(W + "tr")]
        for where, r in rows:
            tbl.extend(self._row(where, r, mode))
        return tbl

    def _row(self, where: str, r: _RowItem, mode: str) -> list[etree._Element]:
        old_view = mode in ("delete", "moveFrom")
        new_view = mode in ("insert", "moveTo")
        if where == "pair" and not old_view and not new_view:
            if _ptext(r.old[0]) == _ptext(r.new[0]):
                return [copy.deepcopy(r.new[0])]
            cells = self._row_ops(r)
            if cells is None:  # cell boundaries moved: the old row deleted, the new one inserted
                return [self._whole_row(r.old[0], "delete"), self._whole_row(r.new[0], "insert")]
            return [self._row_el(r.new[0], cells, "inplace", None)]
        if where == "pair" or (where == "old" and r.old) or (where == "new" and r.new):
            if old_view or (where == "old" and not new_view):
                return self._side_row(r, r.old, mode == "moveFrom", "moveFrom", "delete", "del")
            return self._side_row(r, r.new, mode == "moveTo", "moveTo", "insert", "ins")
        return []

    def _side_row(self, r: _RowItem, rows, moved: bool, move: str, whole: str, mark: str) -> list[etree._Element]:
        """One side of a row: a moved row with both sides marked cell by cell when its cells still line up, else
        the whole row deleted or inserted."""
        if rows is None:
            return []
        if moved and r.old is not None and r.new is not None:
            cells = self._row_ops(r)
            if cells is not None:
                return [self._row_el(rows[0], cells, move, mark)]
        return [self._whole_row(rows[0], whole)]

    def _row_atoms(self, tr) -> list[_Atom]:
        out: list[_Atom] = []
        for k, tc in enumerate(tr.findall(W + "tc")):
            if k:
                out.append(_Atom("\t", el=_SEP))
            for p in tc.findall(W + "p"):
                out.extend(_atoms(p))
        return out

    def _row_ops(self, r: _RowItem) -> list[list[tuple]] | None:
        oa = self._row_atoms(r.old[0])
        na = self._row_atoms(r.new[0])
        ou, nu = r.old[1].text, r.new[1].text
        runs = r.runs if r.runs is not None and _runs_fit(r.runs, ou, nu) else diff_texts(ou, nu)
        ops = _merge_ops(runs, oa, _u2a(ou, oa), na, _u2a(nu, na))
        cells: list[list[tuple]] = [[]]
        for op in ops:
            ao, an = op[1], op[2]
            if (ao is not None and ao.el is _SEP) or (an is not None and an.el is _SEP):
                if op[0] != "eq" or ao.el is not _SEP or an.el is not _SEP:
                    return None
                cells.append([])
            else:
                cells[-1].append(op)
        if len(cells) != len(r.new[0].findall(W + "tc")) or len(cells) != len(r.old[0].findall(W + "tc")):
            return None
        return cells

    def _row_el(self, tr_src, cells: list[list[tuple]], mode: str, row_mark: str | None) -> etree._Element:
        tr = etree.Element(W + "tr")
        for child in tr_src:
            if child.tag == W + "trPr":
                trpr = copy.deepcopy(child)
                if row_mark:
                    trpr.append(self._rev(row_mark))
                tr.append(trpr)
        for tc_src, ops in zip(tr_src.findall(W + "tc"), cells):
            tc = etree.SubElement(tr, W + "tc")
            tcpr = tc_src.find(W + "tcPr")
            if tcpr is not None:
                tc.append(copy.deepcopy(tcpr))
            p_src = tc_src.find(W + "p")
            tc.append(self._paragraph(p_src, None, self._content(ops, mode), None))
        return tr

    def _whole_row(self, tr_src, mode: str) -> etree._Element:
        op = "del" if mode == "delete" else "ins"
        tr = etree.Element(W + "tr")
        for child in tr_src:
            if child.tag == W + "trPr":
                trpr = copy.deepcopy(child)
                trpr.append(self._rev(op))
                tr.append(trpr)
            elif child.tag == W + "tc":
                tc = etree.SubElement(tr, W + "tc")
                for x in child:
                    if x.tag == W + "p":
                        tc.append(self._paragraph(x, None, self._wrap_whole(copy.deepcopy(x), op), None))
                    else:
                        tc.append(copy.deepcopy(x))
        return tr

    # ---------------------------------------------------------------------------------------------------------------
    # assembly: entries in order, move ranges, joins, the TOC field

    def _assemble(self, seq: list[tuple[str, object, bool]]) -> list[etree._Element]:
        rendered: list[list[etree._Element]] = []
        info: list[tuple[str, str, bool, object]] = []  # (where, region, displaced-move, item)
        for where, it, displaced in seq:
            region = it.region
            move = displaced and region in MOVE_REGIONS
            if where == "pair":
                mode = "inplace"
            elif where == "old":
                mode = "moveFrom" if move else "delete"
            else:
                mode = "moveTo" if move else "insert"
            rendered.append(self._render(where, it, mode))
            info.append((where, region, move, it))
        self._move_ranges(rendered, info)
        body: list[etree._Element] = []
        toc_first = toc_last = None
        pending: list[etree._Element] = []
        for els, (where, region, move, it) in zip(rendered, info):
            for el in els:
                if pending and el.tag == W + "p":
                    ppr = el.find(W + "pPr")
                    at = 1 if ppr is not None else 0
                    for k, child in enumerate(pending):
                        el.insert(at + k, child)
                    pending = []
                if el.tag == W + "p" and id(el) in self._join:
                    pending.extend(c for c in el if c.tag != W + "pPr")
                    continue
                if pending:  # a joined paragraph before a table: keep it, its mark inserted
                    body.append(self._orphan(pending))
                    pending = []
                body.append(el)
                if region == "toc" and el.tag == W + "p":
                    toc_first = toc_first if toc_first is not None else el
                    toc_last = el
        if pending:
            body.append(self._orphan(pending))
        self._toc_field(body, toc_first, toc_last)
        return body

    def _orphan(self, content: list) -> etree._Element:
        p = etree.Element(W + "p")
        ppr = etree.SubElement(p, W + "pPr")
        ox.mark_paragraph("ins", self.ids, self.author, self.date)(ppr)
        p.extend(content)
        return p

    def _move_ranges(self, rendered: list[list], info: list[tuple]) -> None:
        """Group displaced pairs shown consecutively at both places into named move ranges."""
        at_old: dict[int, int] = {}
        at_new: dict[int, int] = {}
        for k, (where, region, move, it) in enumerate(info):
            if move:
                (at_old if where == "old" else at_new)[id(it)] = k
        order = sorted(at_new, key=at_new.__getitem__)
        groups: list[list[int]] = []
        for key in order:
            if key not in at_old:
                continue
            if groups:
                last = groups[-1][-1]
                if at_new[key] == at_new[last] + 1 and at_old[key] == at_old[last] + 1:
                    groups[-1].append(key)
                    continue
            groups.append([key])
        for g in groups:
            name = f"move{self.counts.get('move', 0) + 1}"
            self.counts["move"] = self.counts.get("move", 0) + 1
            for side, at in (("moveFrom", at_old), ("moveTo", at_new)):
                first = rendered[at[g[0]]]
                last = rendered[at[g[-1]]]
                if not first or not last:
                    continue
                rid = self.ids()
                start = etree.Element(W + f"{side}RangeStart")
                start.set(W + "id", str(rid))
                start.set(W + "author", self.author)
                start.set(W + "date", self.date)
                start.set(W + "name", name)
                end = etree.Element(W + f"{side}RangeEnd")
                end.set(W + "id", str(rid))
                head, tail = first[0], last[-1]
                if head.tag == W + "p":
                    ppr = head.find(W + "pPr")
                    head.insert(1 if ppr is not None else 0, start)
                else:
                    first.insert(0, start)
                if tail.tag == W + "p":
                    tail.append(end)
                else:
                    last.append(end)

    def _toc_field(self, body: list, first, last) -> None:
        runs = ox.field_runs(docx.TOC_INSTR, dirty=True)
        end = runs.pop()
        if first is None:
            heading = next((i for i, el in enumerate(body) if el.tag == W + "p" and _style(el) == S.toc_heading),
                           None)
            if heading is None:
                return
            p = ox.paragraph(S.toc(1), [*runs, end])
            body.insert(heading + 1, p)
            return
        ppr = first.find(W + "pPr")
        at = 1 if ppr is not None else 0
        for k, r in enumerate(runs):
            first.insert(at + k, r)
        last.append(end)

    # ---------------------------------------------------------------------------------------------------------------
    # the running header

    def _replace_header(self, data: bytes) -> bytes:
        oh, nh = self.old.header, self.new.header
        oa, na = _atoms(oh), _atoms(nh)
        ou, nu = _text_of(oa), _text_of(na)
        if ou == nu:
            return data
        ops = _merge_ops(diff_texts(ou, nu), oa, list(range(len(oa))), na, list(range(len(na))))
        p = self._paragraph(nh, oh, self._content(ops, "inplace"), None)
        root = etree.Element(W + "hdr", nsmap=NSMAP)
        root.append(p)
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = [(name, zf.read(name)) for name in zf.namelist()]
        parts = [(name, ox.xml_bytes(root) if name == "word/header1.xml" else blob) for name, blob in parts]
        return ox.zip_package(parts)


def _ncols(tbl) -> int:
    tr = tbl.find(W + "tr")
    return len(tr.findall(W + "tc")) if tr is not None else 0

