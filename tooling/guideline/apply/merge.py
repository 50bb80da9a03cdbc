"""The clauses of an edited Word file against the edition's sources: what Word changed, what changed in the
source since the file was built, conflicts, and the clause order to write.

Three versions meet here: the file as built (its fingerprint per clause, :func:`guideline.wordview.fingerprint_part`),
the file as edited (:mod:`guideline.apply.docx_read`) and the sources now. A clause changed only in Word is applied;
one changed only in the source is left alone; one changed on both sides (differently) is a conflict. The clause order
is taken from Word when Word changed it (moves, level changes) and kept from the source otherwise; when both changed
the order, that is a conflict too. A file without fingerprints (made by an older build) is compared with the sources
as they are, and cannot show conflicts.
"""
from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field, replace

from guideline.apply.docx_read import WordClause, WordDoc
from guideline.model import Block, Clause, Edition, Figure, block_text, inline_text, iter_blocks
from guideline.numbering_articles import source_heading, source_paragraphs
from guideline.reader import ID_RE
from guideline.wordview import (
    ClauseView,
    clause_view,
    commentary_shown,
    map_blocks,
    round_trips,
    view_fingerprint,
)
from guideline.writers.edition.docx_parts import raster

ASPECTS = ("heading", "body", "commentary", "footnotes")


@dataclass
class Conflict:
    clause: str
    what: str  # heading, body, commentary, deleted, order
    source: str  # the text in the sources now
    word: str  # the text in the Word file


@dataclass
class Entry:
    """One clause of the new order: an existing clause (``word`` None when Word did not change it) or a new one."""

    id: str
    level: int
    existing: bool
    word: WordClause | None = None
    aspects: tuple[str, ...] = ()


@dataclass
class Plan:
    order: list[Entry]
    deleted: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    applied: dict[str, list[str]] = field(default_factory=dict)  # clause ID -> aspects changed
    conflicts: list[Conflict] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (clause ID or "", what)
    unchanged: int = 0
    doc_ids: list[str] = field(default_factory=list)  # the clause ID of each clause of the file (new ones: generated)

    @property
    def changes(self) -> bool:
        return bool(self.deleted or self.added or self.moved or self.applied)


def _blocks_text(blocks: tuple[Block, ...] | None, edition: Edition) -> str:
    return block_text(blocks or (), edition)


def _text_of(what: str, view: ClauseView, edition: Edition) -> str:
    if what == "heading":
        return view.heading
    if what == "body":
        return _blocks_text(view.body, edition)
    if what == "commentary":
        return _blocks_text(view.commentary, edition)
    if what == "footnotes":
        return "\n".join(f"[^{k + 1}]: {_blocks_text(f, edition)}" for k, f in enumerate(view.footnotes))
    return ""


def links_of(edition: Edition, kind: str) -> set[str] | None:
    """The clause IDs a document of ``kind`` links to (reibun.docx: only its own part's)."""
    if kind == "reibun" and edition.reibun is not None:
        return {c.id for c in edition.reibun.walk()}
    return None


def new_id(edition_ids: set[str], parent: str, heading: str) -> str:
    """An ID for a clause typed in Word: ``<parent>-new<N>`` (the first free N), within 40 characters."""
    stem = (parent or "clause")[:30].rstrip("-")
    n = 1
    while f"{stem}-new{n}" in edition_ids:
        n += 1
    ident = f"{stem}-new{n}"
    return ident if ID_RE.match(ident) else f"clause-new{n}"


@dataclass(frozen=True)
class WordContent:
    """What a clause says as read from a Word file: compared to tell an edited clause from an untouched one."""
    heading: str
    body: tuple[Block, ...]
    commentary: tuple[Block, ...] | None
    footnotes: tuple[tuple[Block, ...], ...] = ()


def word_content(wc: WordClause) -> WordContent:
    return WordContent(wc.heading, wc.body, wc.commentary, wc.footnotes)


def _figures(wc: WordClause, now: ClauseView, edition: Edition, ignored: list[tuple[str, str]]) -> WordClause:
    """Figures whose picture is none of the clause's figure files (replaced or added in Word) are not taken from
    Word: figure files come from the edition's figures/ folder. Such a figure keeps the file of the clause's
    figure at the same place (its caption and alt text as edited); one without such a figure is left out. Both are
    reported. A picture that is the PNG the writer draws of an SVG figure (LibreOffice keeps only that) is the
    SVG's figure."""
    srcs = [b.src for part in (now.body, now.commentary or (), *now.footnotes) for b in iter_blocks(part)
            if isinstance(b, Figure)]
    if all(b.src in srcs for part in (wc.body, wc.commentary or (), *wc.footnotes) for b in iter_blocks(part)
           if isinstance(b, Figure)):
        return wc
    drawn: dict[str, str] = {}  # sha256 of the PNG drawn of an SVG figure -> that figure's canonical file
    by_digest = {f"sha256:{a.digest}": a for a in edition.assets.values()}
    for src in srcs:
        asset = by_digest.get(src)
        if asset is not None and asset.kind == "svg":
            png = raster(asset)
            if png is not None:
                drawn.setdefault("sha256:" + hashlib.sha256(png[0]).hexdigest(), src)
    seen = [0]

    def fix(b):
        if not isinstance(b, Figure):
            return b
        k = seen[0]
        seen[0] += 1
        if b.src in srcs:
            return b
        if b.src in drawn:
            return replace(b, src=drawn[b.src])
        caption = inline_text(b.caption) or b.alt[:40]
        if k < len(srcs):
            ignored.append((wc.id or "", f"the picture of the figure 「{caption}」 was replaced in Word: figure files "
                                         "are not taken from Word (its caption and alt text are); put the new file "
                                         "in the edition's figures/ folder and change the figure's path in the "
                                         "source"))
            return replace(b, src=srcs[k])
        ignored.append((wc.id or "", f"a picture added in Word (「{caption}」) is not taken: put the file in the "
                                     "edition's figures/ folder and add the figure to the source"))
        return None

    return replace(wc, body=map_blocks(wc.body, fix),
                   commentary=map_blocks(wc.commentary, fix) if wc.commentary is not None else None,
                   footnotes=tuple(map_blocks(f, fix) for f in wc.footnotes))


def _as_source(edition: Edition, clause: Clause | None, wc: WordClause) -> WordClause:
    """A clause as read from Word, as the source holds it: in an edition numbered as articles, the （） around an
    条's caption and the 項 numbers (２　…) of its paragraphs, and of an 附則's, are computed, so they are taken off
    (compared with the build as shown, written back without them). ``clause`` is None for a clause new in Word."""
    if edition.meta.numbering != "articles":
        return wc
    article = clause.number.endswith("条") if clause is not None else wc.level == 5
    part = wc.level == 1 and (clause is None or (clause.unnumbered and not clause.kind))
    if not (article or part):
        return wc
    return replace(wc, heading=source_heading(wc.heading) if article else wc.heading,
                   body=source_paragraphs(wc.body, first=part))


def plan(edition: Edition, doc: WordDoc, expected_notes, *, force: bool = False,
         fresh: dict[str, WordContent] | None = None) -> Plan:
    """Compare the file with the edition. ``expected_notes(clause) -> list[str]``: the generated paragraphs the
    writer puts under a clause heading (統一基準対応, 対象モデル), to tell edits of that read-only box. ``fresh``: how
    the clauses that do not round-trip read back from a file built from the edition now (``run.fresh_views``)."""
    kind = doc.kind or ("guideline" if any(c.commentary is not None for c in doc.clauses) else "reibun")
    links = links_of(edition, kind)
    shown = commentary_shown(edition, kind)
    built = {cid: (level, fp) for cid, level, fp in doc.built} if doc.built is not None else None
    out = Plan(order=[], ignored=list(doc.ignored))
    formats: dict[str, int] = {}
    for rev in doc.revisions:
        if rev.kind == "format":
            formats[rev.clause] = formats.get(rev.clause, 0) + 1
    for cid, n in formats.items():
        out.ignored.append((cid, f"{n} tracked formatting change(s): the source keeps only bold and italic (as text "
                                 "is read), fonts, sizes, colours and paragraph layout come from the build"))
    ids = set(edition.by_id)
    in_doc = {c.id for c in doc.clauses if c.id}

    # ------------------------------------------------------------------------------------------------------------
    # content, clause by clause
    changed: dict[str, tuple[WordClause, tuple[str, ...]]] = {}
    for wc in doc.clauses:
        if wc.typed_labels:
            out.ignored.append((wc.id or "", "list labels typed by hand (numbers are computed): "
                                + "、".join(wc.typed_labels)))
        if wc.id is None or wc.id not in ids:
            if wc.notes:
                out.ignored.append((wc.id or "", f"metadata: the 統一基準対応/対象モデル box under the new heading "
                                                 f"「{wc.heading}」 is read-only in Word; the new clause gets no "
                                                 "nisc/models metadata: write them in its YAML block"))
            continue
        clause = edition.by_id[wc.id]
        want_notes = expected_notes(clause)
        if wc.notes != want_notes:
            out.ignored.append((wc.id, _notes_message(kind)))
        with_comm = wc.id in shown
        now = clause_view(clause, edition, links, with_comm)
        wc = _figures(wc, now, edition, out.ignored)
        word = ClauseView(wc.id, wc.level, wc.heading, wc.body, (wc.commentary or ()) if with_comm else None,
                          wc.footnotes)
        fp_built = built.get(wc.id, (0, ""))[1] if built is not None else ""
        if fp_built:
            word_changed = view_fingerprint(word) != fp_built
            src_changed = view_fingerprint(now) != fp_built
        else:
            word_changed, src_changed = word != now, False
        aspects = tuple(a for a in ASPECTS if getattr(word, a) != getattr(now, a)) if word_changed else ()
        if not aspects:
            continue
        if not round_trips(clause, constructs=True) and ({"body", "commentary", "footnotes"} & set(aspects)):
            if not src_changed and (fresh or {}).get(wc.id) == word_content(wc):
                continue  # reads as a file built from the source now: not edited in Word
            out.ignored.append((wc.id, "the clause holds content the Word round trip cannot write back: its edits "
                                       "in Word were not applied; make them in the source"))
            aspects = tuple(a for a in aspects if a == "heading")
            if not aspects:
                continue
        if src_changed and not force:
            for a in aspects:
                out.conflicts.append(Conflict(wc.id, a, _text_of(a, now, edition), _text_of(a, word, edition)))
            continue
        changed[wc.id] = (_as_source(edition, clause, wc), aspects)

    # ------------------------------------------------------------------------------------------------------------
    # deletions: clauses the file was built with (or, without fingerprints, of the parts it shows) that are gone
    if built is not None:
        scope = [cid for cid in built if cid in ids]
    else:
        parts = {p.id for p in edition.parts if any(c.id in in_doc for c in p.walk())}
        scope = [c.id for p in edition.parts if p.id in parts for c in p.walk()]
    for cid in scope:
        if cid in in_doc:
            continue
        clause = edition.by_id[cid]
        if built is not None and not force:
            now = clause_view(clause, edition, links, cid in shown)
            if view_fingerprint(now) != built[cid][1]:
                out.conflicts.append(Conflict(cid, "deleted", f"{clause.heading}\n{_blocks_text(now.body, edition)}",
                                              "(deleted in Word)"))
                continue
        out.deleted.append(cid)
    deleted = set(out.deleted)

    # ------------------------------------------------------------------------------------------------------------
    # order
    cur = [(c.id, c.level) for c in edition.clauses()]
    doc_known = [(wc.id, wc.level) for wc in doc.clauses if wc.id in ids]
    if built is not None:
        common = {cid for cid, _ in doc_known} & set(built)
        built_seq = [(cid, lv) for cid, (lv, _) in built.items() if cid in common]
        word_struct = [x for x in doc_known if x[0] in common] != built_seq
        src_struct = [x for x in cur if x[0] in common] != built_seq
    else:
        known = {cid for cid, _ in doc_known}
        word_struct = doc_known != [x for x in cur if x[0] in known]
        src_struct = False
    if word_struct and src_struct and not force:
        known = {cid for cid, _ in doc_known}
        if doc_known != [x for x in cur if x[0] in known]:
            out.conflicts.append(Conflict("", "order", _outline(edition, [x for x in cur if x[0] in known]),
                                          _outline(edition, doc_known)))
            word_struct = False

    taken = set(ids) - deleted
    entries_new: dict[int, Entry] = {}
    id_at: list[str] = []
    used_ids = set(ids)
    for k, wc in enumerate(doc.clauses):
        if wc.id in ids:
            id_at.append(wc.id)
            continue
        parent = next((id_at[j] for j in range(k - 1, -1, -1) if doc.clauses[j].level < wc.level), "")
        ident = wc.id if wc.id and wc.id not in used_ids else new_id(used_ids, parent, wc.heading)
        used_ids.add(ident)
        id_at.append(ident)
        entries_new[k] = Entry(ident, wc.level, False, _as_source(edition, None, wc), ASPECTS)
        out.added.append(ident)
    if word_struct:
        order: list[Entry] = []
        for k, wc in enumerate(doc.clauses):
            if k in entries_new:
                order.append(entries_new[k])
            else:
                w, aspects = changed.get(wc.id, (None, ()))
                order.append(Entry(wc.id, wc.level, True, w, aspects))
        # clauses added to the source since the build (not in the file) stay after their source predecessor
        placed = {e.id for e in order}
        prev = None
        for c in edition.clauses():
            if c.id not in placed and c.id in taken:
                at = next((i + 1 for i, e in enumerate(order) if e.id == prev), 0)
                order.insert(at, Entry(c.id, c.level, True))
                placed.add(c.id)
            if c.id in placed:
                prev = c.id
    else:
        order = []
        for c in edition.clauses():
            if c.id in deleted:
                continue
            w, aspects = changed.get(c.id, (None, ()))
            order.append(Entry(c.id, c.level, True, w, aspects))
        # clauses typed in Word go after the clause they follow in the file
        placed = {e.id for e in order}
        for k in sorted(entries_new):
            anchor = next((id_at[j] for j in range(k - 1, -1, -1) if id_at[j] in placed), None)
            at = next((i + 1 for i, e in enumerate(order) if e.id == anchor), 0)
            order.insert(at, entries_new[k])
            placed.add(entries_new[k].id)
    out.order = order
    out.doc_ids = id_at
    for e in order:
        if e.existing and e.aspects:
            out.applied[e.id] = list(e.aspects)
    cur_ids = [c.id for c in edition.clauses() if c.id not in deleted]
    new_ids = [e.id for e in order if e.existing]
    sm = difflib.SequenceMatcher(None, cur_ids, new_ids, autojunk=False)
    stable = {cur_ids[b.a + i] for b in sm.get_matching_blocks() for i in range(b.size)}
    levels = {c.id: c.level for c in edition.clauses()}
    out.moved = [e.id for e in order if e.existing and (e.id not in stable or e.level != levels[e.id])]
    out.unchanged = sum(1 for e in order if e.existing and not e.aspects and e.id not in out.moved)
    return out


def _notes_message(kind: str) -> str:
    if kind == "tracked":  # the box shows the diff's new side: its mappings changed, which Word cannot carry
        return ("metadata: the 統一基準対応/対象モデル box shows other nisc/models metadata than the clause's YAML "
                "here (in a diff's tracked.docx: the new edition's); it is read-only in Word and not applied: "
                "change the clause's YAML block in the source")
    return ("metadata: edits to the generated 統一基準対応/対象モデル box are not applied (it is made from the "
            "clause's YAML metadata, read-only in Word): change the clause's YAML block in the source")


def _outline(edition: Edition, seq: list[tuple[str, int]]) -> str:
    return "\n".join("  " * (lv - 1) + cid for cid, lv in seq)


def numbers_typed(doc: WordDoc, before: Edition, after: Edition | None, doc_ids: list[str]) -> list[tuple[str, str]]:
    """Heading numbers the file shows that are neither the clause's number before nor after the apply: typed or
    changed by hand in Word, and ignored (numbers are computed). ``doc_ids``: :attr:`Plan.doc_ids`."""
    out = []
    for k, wc in enumerate(doc.clauses):
        if not wc.number:
            continue
        cid = doc_ids[k] if k < len(doc_ids) else ""
        known = set()
        for ed in (before, after):
            c = ed.get(cid) if ed is not None and cid else None
            if c is not None and c.number:
                known.add(_digits(c.number))
        if _digits(wc.number) not in known:
            out.append((cid, f"the number 「{wc.number}」 typed before the heading 「{wc.heading}」 is ignored "
                             "(numbers are computed from the clause's position)"))
    return out


def _digits(number: str) -> str:
    return re.sub(r"\s", "", number.translate(str.maketrans("０１２３４５６７８９．（）", "0123456789.()")))
