"""The edition as Word files: ``guideline.docx`` (the whole guideline, with 目次, mapping notes and the generated 解説
part) and ``reibun.docx`` (第2編 例文 alone, placeholders highlighted, as a municipality's starting file).

WordprocessingML is built directly with lxml on fixed styles and zipped deterministically, so the same edition gives
byte-identical files; numbers are text (never Word auto-numbering) and every clause heading carries a bookmark named
its ID. :class:`DocxBuilder` turns model pieces into elements without writing files, with :class:`Marks` hooks that
``tracked_docx`` uses to wrap runs in revisions. The structure and a sketch of that reuse: docs/word-output.md.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from lxml import etree

from guideline.fileio import atomic_write
from guideline.model import (
    NETWORK_MODELS,
    Block,
    BlockQuote,
    Box,
    BulletList,
    Clause,
    Code,
    CodeBlock,
    Edition,
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
    inline_text,
    grid_layout,
    xref_label,
)
from guideline.numbering import ordered_labels
from guideline.render_html import RELATIONSHIP_JA
from guideline.vocabulary import STATUS_TITLE, wareki  # wareki: also the PDF title page's date (writers.pdf)
from guideline.writers.edition import docx_parts
from guideline.writers.edition import docx_styles as st
from guideline.writers.edition.docx_ooxml import (
    NSMAP,
    PprHook,
    RunHook,
    W,
    Ids,
    bookmark,
    break_run,
    field_runs,
    hyperlink_anchor,
    hyperlink_external,
    paragraph,
    run,
    set_ppr,
    tab_run,
    xml_bytes,
    zip_package,
)
from guideline.writers.edition.docx_styles import CHAR, S, TEXT_W
from guideline.wordview import PLACEHOLDER_CLOSE, PLACEHOLDER_OPEN, fingerprint_part, is_ascii_word

SAMPLE_NOTICE = ("この文書はサンプルです。本プロジェクトが公開情報をもとに独自の文言で作成したものであり、"
                 "総務省の公式の「地方公共団体における情報セキュリティポリシーに関するガイドライン」ではありません。"
                 "ガイドラインとして使用しないでください。")
HEADING_SEP = "\u3000"  # between a display number and the heading text, as in print
TOC_INSTR = r'TOC \o "1-3" \h \z \u'


@dataclass(frozen=True)
class Marks:
    """Hooks applied to every run and every paragraph property block a builder method produces."""

    run: RunHook | None = None
    ppr: PprHook | None = None


NO_MARKS = Marks()


@dataclass(frozen=True)
class _Fmt:
    style: str = ""
    bold: bool = False
    italic: bool = False


def heading_left(level: int) -> int:
    """Left indent of a clause heading (the Heading 5/6 styles carry it too)."""
    return {5: CHAR, 6: 2 * CHAR}.get(level, 0)


def body_left(level: int) -> int:
    """Left indent of a clause's text: one character in from its heading (編 and 章 text starts at the margin)."""
    return heading_left(level) + (CHAR if level >= 3 else 0)



class DocxBuilder:
    """Builds WordprocessingML elements for one edition.

    ``link_targets`` are the clause IDs that have a bookmark in the document being built (cross-references to others
    are written as plain text); default: every clause of the edition.
    """

    def __init__(self, edition: Edition, *, link_targets: Iterable[str] | None = None,
                 share_with: "DocxBuilder | None" = None):
        self.edition = edition
        self.link_targets = set(edition.by_id) if link_targets is None else set(link_targets)
        if share_with is not None:
            # a second builder writing into the same document (e.g. the old edition's deleted clauses): one id
            # counter and one table of external links, so that ids stay unique and links resolve in the package
            self.ids = share_with.ids
            self._external = share_with._external
            self.parts = share_with.parts
        else:
            self.ids = Ids()
            self._external: dict[str, str] = {}  # url -> relationship id, in first-use order
            self.parts = docx_parts.Parts()  # pictures and footnotes, shared like the ids

    # ---------------------------------------------------------------------------------------------------------------
    # inlines

    def inlines_to_runs(self, nodes: tuple[Inline, ...], context: Clause | None = None, marks: Marks = NO_MARKS,
                        fmt: _Fmt = _Fmt()) -> list[etree._Element]:
        """Runs (and hyperlinks holding runs) for inline nodes; ``context`` is the clause they belong to."""
        out: list[etree._Element] = []
        hook = marks.run
        for i, node in enumerate(nodes):
            if isinstance(node, Text):
                if node.text:
                    out.append(run(node.text, fmt.style, bold=fmt.bold, italic=fmt.italic, hook=hook))
            elif isinstance(node, Strong):
                out.extend(self.inlines_to_runs(node.children, context, marks,
                                                _Fmt(fmt.style, True, fmt.italic)))
            elif isinstance(node, Emph):
                out.extend(self.inlines_to_runs(node.children, context, marks, _Fmt(fmt.style, fmt.bold, True)))
            elif isinstance(node, Code):
                out.append(run(node.text, S.inline_code, bold=fmt.bold, hook=hook))
            elif isinstance(node, Placeholder):
                out.append(self.placeholder_run(node.text, hook))
            elif isinstance(node, XRef):
                xfmt = _Fmt(S.xref, fmt.bold, fmt.italic)
                if node.children:
                    runs = self.inlines_to_runs(node.children, context, marks, xfmt)
                else:
                    label = xref_label(node.target, self.edition, context)
                    runs = [run(label, xfmt.style, bold=fmt.bold, italic=fmt.italic, hook=hook)]
                if node.target in self.link_targets:
                    out.append(hyperlink_anchor(node.target, runs))
                else:  # the target is not in this document: the label stays, without a link
                    for r in runs:
                        _drop_style(r, S.xref)
                    out.extend(runs)
            elif isinstance(node, Link):
                rid = self._external.setdefault(node.href, f"rIdLink{len(self._external) + 1}")
                runs = self.inlines_to_runs(node.children, context, marks, _Fmt(S.hyperlink, fmt.bold, fmt.italic))
                out.append(hyperlink_external(rid, runs))
            elif isinstance(node, FootnoteRef):
                out.append(self._footnote_ref(node.key, context, marks))
            elif isinstance(node, LineBreak):
                if node.hard:
                    out.append(run("\n", fmt.style, hook=hook))
                else:  # a soft break joins Japanese text directly; between Latin words it is a space
                    before = inline_text(nodes[i - 1:i])[-1:] if i else ""
                    after = inline_text(nodes[i + 1:i + 2])[:1]
                    if is_ascii_word(before) and is_ascii_word(after):
                        out.append(run(" ", fmt.style, hook=hook))
        return out

    def _footnote_ref(self, key: str, context: Clause | None, marks: Marks) -> etree._Element:
        """A real Word footnote at the first reference to it in the document; later references repeat its number
        (Word numbers footnotes in document order, as they are made here)."""
        fn = next((f for f in context.footnotes if f.key == key), None) if context is not None else None
        if fn is None:
            return run(f"[^{key}]", hook=marks.run)
        ident = (context.id, fn.number)
        number = self.parts.footnote_number(ident)
        if number is None:
            paragraphs = self.blocks_to_paragraphs(fn.blocks, context, first_line=0)
            number = self.parts.add_footnote(ident, paragraphs)
            r = etree.Element(W + "r")
            rpr = etree.SubElement(r, W + "rPr")
            etree.SubElement(rpr, W + "rStyle").set(W + "val", S.footnote_reference)
            etree.SubElement(r, W + "footnoteReference").set(W + "id", str(number))
            return marks.run(r) if marks.run is not None else r
        return run(str(number), S.footnote_reference, hook=marks.run)

    def placeholder_run(self, text: str, hook: RunHook | None = None) -> etree._Element:
        """〔text〕 in the プレースホルダー style, highlighted."""
        return run(f"{PLACEHOLDER_OPEN}{text}{PLACEHOLDER_CLOSE}", S.placeholder,
                   props=(("highlight", {"val": "yellow"}),), hook=hook)

    # ---------------------------------------------------------------------------------------------------------------
    # blocks

    def blocks_to_paragraphs(self, blocks: tuple[Block, ...], context: Clause | None = None, *, left: int = 0,
                             first_line: int = CHAR, commentary: bool = False, depth: int = 0,
                             marks: Marks = NO_MARKS) -> list[etree._Element]:
        """``w:p`` and ``w:tbl`` elements for blocks, text indented ``left`` twips (first lines ``first_line`` more).

        ``commentary`` uses the 解説 box styles; ``depth`` is the ordered-list nesting (labels (ア) → a) → 1)).
        """
        out: list[etree._Element] = []
        body_style = S.commentary if commentary else S.body
        list_style = S.commentary_list if commentary else S.list_item
        for b in blocks:
            if isinstance(b, Para):
                out.append(paragraph(body_style, self.inlines_to_runs(b.inlines, context, marks), left=left,
                                     first_line=first_line, hook=marks.ppr))
            elif isinstance(b, (BulletList, OrderedList)):
                ordered = isinstance(b, OrderedList)
                hang = (3 if depth == 0 else 2) * CHAR if ordered else CHAR + CHAR // 2
                labels = ordered_labels(b, depth) if ordered else ("・",) * len(b.items)
                for item, label in zip(b.items, labels):
                    out.extend(self._list_item(item, label, context, left=left, hang=hang, style=list_style,
                                               commentary=commentary,
                                               depth=depth + 1 if ordered else depth, marks=marks))
            elif isinstance(b, Table):
                out.append(self.table(b, context, left=left, marks=marks))
                # a little space below; Word also needs a paragraph between two tables or it joins them
                out.append(paragraph(S.table_after, hook=marks.ppr))
            elif isinstance(b, CodeBlock):
                out.append(paragraph(S.code_block, [run(b.text.rstrip("\n"), hook=marks.run)], left=left,
                                     first_line=0, hook=marks.ppr))
            elif isinstance(b, BlockQuote):
                out.extend(self.blocks_to_paragraphs(b.blocks, context, left=left + 2 * CHAR, first_line=first_line,
                                                     commentary=commentary, depth=depth, marks=marks))
            elif isinstance(b, Figure):
                out.extend(self.figure(b, context, left=left, marks=marks))
            elif isinstance(b, Box):
                out.append(self.box(b, context, left=left, depth=depth, marks=marks))
                out.append(paragraph(S.table_after, hook=marks.ppr))
            elif isinstance(b, GridTable):
                out.append(paragraph(S.caption, [run(f"{b.number}{HEADING_SEP}", hook=marks.run),
                                                 *self.inlines_to_runs(b.caption, context, marks)],
                                     left=left, hook=marks.ppr))
                out.append(self.grid_table(b, context, left=left, marks=marks))
                out.append(paragraph(S.table_after, hook=marks.ppr))
            elif isinstance(b, PageBreak):
                out.append(paragraph(S.normal, [break_run("page", marks.run)], hook=marks.ppr))
        return out

    def figure(self, fig: Figure, context: Clause | None = None, *, left: int = 0,
               marks: Marks = NO_MARKS) -> list[etree._Element]:
        """The picture (its description is the alt text; an SVG carries a PNG for Word before 2016) kept with its
        caption paragraph 「図3　…」."""
        asset = self.edition.assets.get(fig.src)
        caption = [run(f"{fig.number}{HEADING_SEP}", hook=marks.run), *self.inlines_to_runs(fig.caption, context,
                                                                                              marks)]
        if asset is None:
            pic = [run(fig.alt, hook=marks.run)]
        else:
            pic = [self.parts.picture(asset, fig.alt, TEXT_W - left, marks.run)]
        return [paragraph(S.figure, pic, left=left, keep_next=True, hook=marks.ppr),
                paragraph(S.caption, caption, left=left, jc="center", hook=marks.ppr)]

    def box(self, b: Box, context: Clause | None = None, *, left: int = 0, depth: int = 0,
            marks: Marks = NO_MARKS) -> etree._Element:
        """【参考】, 【例】, 【注意】: a one-cell bordered table holding the title and the box's blocks."""
        width = TEXT_W - left
        tbl = _table_frame(width, left, [width], header_look=False)
        tr = etree.SubElement(tbl, W + "tr")
        etree.SubElement(etree.SubElement(tr, W + "trPr"), W + "cantSplit")  # the box stays on one page
        tc = etree.SubElement(tr, W + "tc")
        tcpr = etree.SubElement(tc, W + "tcPr")
        _set(etree.SubElement(tcpr, W + "tcW"), w=str(width), type="dxa")
        fill = "FFF8E5" if b.kind == "注意" else "F4F6F9"
        _set(etree.SubElement(tcpr, W + "shd"), val="clear", color="auto", fill=fill)
        tc.append(paragraph(S.box_title, [run(f"【{b.kind}】", hook=marks.run)], keep_next=True, hook=marks.ppr))
        inner = self.blocks_to_paragraphs(b.blocks, context, left=0, first_line=CHAR, depth=depth, marks=marks)
        tc.extend(inner or [paragraph(S.body, hook=marks.ppr)])
        if inner and inner[-1].tag != W + "p":  # a cell must end with a paragraph
            tc.append(paragraph(S.table_after, hook=marks.ppr))
        return tbl

    def grid_table(self, table: GridTable, context: Clause | None = None, *, left: int = 0,
                   marks: Marks = NO_MARKS) -> etree._Element:
        """A table with merged cells: ``w:gridSpan`` across columns, ``w:vMerge`` down rows; header rows repeat on
        every page, and the first column is bold when it holds row headers."""
        ncols = max(table.columns, 1)
        width = TEXT_W - left
        rows = (*table.head, *table.body)
        layout = grid_layout(table)
        longest = [1] * ncols
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if cell.colspan == 1:
                    col = layout[r][c]
                    longest[col] = max(longest[col], len(inline_text(cell.inlines)))
        weights = [n ** 0.5 for n in longest]
        floor = width // (ncols * 6)
        cols = [max(floor, int(width * w / sum(weights))) for w in weights]
        cols[-1] += width - sum(cols)
        tbl = _table_frame(width, left, cols, header_look=False)
        nhead = len(table.head)
        covered: dict[tuple[int, int], int] = {}  # (row, col) -> colspan of the cell merged down over it
        for r, row in enumerate(rows):
            header = r < nhead
            tr = etree.SubElement(tbl, W + "tr")
            trpr = etree.SubElement(tr, W + "trPr")
            etree.SubElement(trpr, W + "cantSplit")
            if header:
                etree.SubElement(trpr, W + "tblHeader")
            starts = {layout[r][c]: cell for c, cell in enumerate(row)}
            col = 0
            while col < ncols:
                tc = etree.SubElement(tr, W + "tc")
                tcpr = etree.SubElement(tc, W + "tcPr")
                if (r, col) in covered:  # continues a cell merged down from a row above
                    span = covered[(r, col)]
                    _set(etree.SubElement(tcpr, W + "tcW"), w=str(sum(cols[col:col + span])), type="dxa")
                    if span > 1:
                        etree.SubElement(tcpr, W + "gridSpan").set(W + "val", str(span))
                    etree.SubElement(tcpr, W + "vMerge")
                    tc.append(paragraph(S.table_text, hook=marks.ppr))
                    col += span
                    continue
                cell = starts.get(col)
                span = cell.colspan if cell is not None else 1
                _set(etree.SubElement(tcpr, W + "tcW"), w=str(sum(cols[col:col + span])), type="dxa")
                if span > 1:
                    etree.SubElement(tcpr, W + "gridSpan").set(W + "val", str(span))
                if cell is not None and cell.rowspan > 1:
                    etree.SubElement(tcpr, W + "vMerge").set(W + "val", "restart")
                    for dr in range(1, cell.rowspan):
                        covered[(r + dr, col)] = span
                row_head = table.row_header and not header and col == 0
                if header or row_head:
                    _set(etree.SubElement(tcpr, W + "shd"), val="clear", color="auto",
                         fill="D9D9D9" if header else "F2F2F2")
                inlines = cell.inlines if cell is not None else ()
                tc.append(paragraph(S.table_heading if header else S.table_text,
                                    self.inlines_to_runs(inlines, context, marks, _Fmt(bold=header or row_head)),
                                    hook=marks.ppr))
                col += span
        return tbl

    def _list_item(self, item: tuple[Block, ...], label: str, context: Clause | None, *, left: int, hang: int,
                   style: str, commentary: bool, depth: int, marks: Marks) -> list[etree._Element]:
        text_left = left + hang
        out: list[etree._Element] = []
        rest = item
        if item and isinstance(item[0], Para):
            content = [run(label, hook=marks.run), tab_run(marks.run),
                       *self.inlines_to_runs(item[0].inlines, context, marks)]
            rest = item[1:]
        else:  # an item that does not start with a paragraph: its label stands alone
            content = [run(label, hook=marks.run)]
        out.append(paragraph(style, content, left=text_left, hanging=hang, tabs=(text_left,), hook=marks.ppr))
        if rest:
            out.extend(self.blocks_to_paragraphs(rest, context, left=text_left, first_line=0, commentary=commentary,
                                                 depth=depth, marks=marks))
        return out

    def table(self, table: Table, context: Clause | None = None, *, left: int = 0,
              marks: Marks = NO_MARKS) -> etree._Element:
        """A real Word table in the ガイドライン表 style; the header row repeats on every page."""
        ncols = max([len(table.header), *(len(r) for r in table.rows)] or [1])
        width = TEXT_W - left
        cols = _column_widths(table, ncols, width)
        tbl = _table_frame(width, left, cols, header_look=True)

        def row(cells: tuple[tuple[Inline, ...], ...], header: bool) -> None:
            tr = etree.SubElement(tbl, W + "tr")
            trpr = etree.SubElement(tr, W + "trPr")
            etree.SubElement(trpr, W + "cantSplit")
            if header:
                etree.SubElement(trpr, W + "tblHeader")
            for i in range(ncols):
                tc = etree.SubElement(tr, W + "tc")
                tcpr = etree.SubElement(tc, W + "tcPr")
                _set(etree.SubElement(tcpr, W + "tcW"), w=str(cols[i]), type="dxa")
                if header:
                    _set(etree.SubElement(tcpr, W + "shd"), val="clear", color="auto", fill="D9D9D9")
                cell = cells[i] if i < len(cells) else ()
                align = table.aligns[i] if i < len(table.aligns) else ""
                jc = {"left": "left", "right": "right", "center": "center"}.get(align, "")
                fmt = _Fmt(bold=header)
                tc.append(paragraph(S.table_heading if header else S.table_text,
                                    self.inlines_to_runs(cell, context, marks, fmt), jc=jc, hook=marks.ppr))

        if table.header:
            row(table.header, True)
        for r in table.rows:
            row(r, False)
        return tbl

    # ---------------------------------------------------------------------------------------------------------------
    # clauses

    def heading_runs(self, clause: Clause, marks: Marks = NO_MARKS) -> list[etree._Element]:
        """The number (if any) and the heading text, as separate runs."""
        runs = []
        if clause.number:
            runs.append(run(clause.number + HEADING_SEP, hook=marks.run))
        runs.append(run(clause.heading, hook=marks.run))
        return runs

    def clause_heading_p(self, clause: Clause, *, bookmark_id: bool = True, marks: Marks = NO_MARKS,
                         level: int | None = None) -> etree._Element:
        """The heading paragraph (Heading N) of a clause, wrapped in a bookmark named its ID when ``bookmark_id``."""
        content = self.heading_runs(clause, marks)
        if bookmark_id:
            start, end = bookmark(clause.id, self.ids())
            content = [start, *content, end]
        return paragraph(S.heading(level or clause.level), content, hook=marks.ppr)

    def models_note(self, clause: Clause, marks: Marks = NO_MARKS) -> list[etree._Element]:
        if not clause.meta.models:
            return []
        names = "・".join(NETWORK_MODELS[m] for m in clause.meta.models if m in NETWORK_MODELS)
        return [paragraph(S.mapping, [run(f"【対象モデル】{names}", hook=marks.run)],
                          left=body_left(clause.level), hook=marks.ppr)]

    def mapping_notes(self, clause: Clause, marks: Marks = NO_MARKS) -> list[etree._Element]:
        """One small 統一基準対応 paragraph per NISC mapping (none when the clause has no mappings)."""
        catalog = self.edition.catalog
        out = []
        for m in clause.meta.nisc:
            heading = catalog.label(m.nisc_id) if catalog is not None else ""
            rel = RELATIONSHIP_JA.get(m.relationship, m.relationship)
            text = f"【統一基準 {m.nisc_id}】{heading}　［{rel}］" if heading else f"【統一基準 {m.nisc_id}】［{rel}］"
            if m.rationale:
                text += f"　{m.rationale}"
            out.append(paragraph(S.mapping, [run(text, hook=marks.run)], left=body_left(clause.level),
                                 hook=marks.ppr))
        return out

    def clause_to_elements(self, clause: Clause, *, notes: bool = True, models: bool = True,
                           with_children: bool = True, bookmarks: bool = True,
                           marks: Marks = NO_MARKS) -> list[etree._Element]:
        """A clause as it stands in its part: heading (bookmarked unless ``bookmarks`` is false — a second copy of a
        clause must not repeat its bookmark), 対象モデル, 例文, mapping notes, then its sub-clauses."""
        out = [self.clause_heading_p(clause, bookmark_id=bookmarks, marks=marks)]
        if models:
            out.extend(self.models_note(clause, marks))
        out.extend(self.blocks_to_paragraphs(clause.body, clause, left=body_left(clause.level), marks=marks))
        if notes and clause.meta.nisc:
            notes_p = self.mapping_notes(clause, marks)
            # the notes stay on the page of the text they annotate
            for p in [out[-1], *notes_p[:-1]]:
                if p.tag == W + "p":
                    set_ppr(p, etree.Element(W + "keepNext"))
            out.extend(notes_p)
        if with_children:
            for child in clause.children:
                out.extend(self.clause_to_elements(child, notes=notes, models=models, bookmarks=bookmarks,
                                                   marks=marks))
        return out

    def text_paragraph(self, clause: Clause, content: Iterable[etree._Element], *, commentary: bool = False,
                       marks: Marks = NO_MARKS) -> etree._Element:
        """A paragraph of a clause's text made of ready runs (e.g. from a word diff), styled and indented like the
        paragraphs :meth:`blocks_to_paragraphs` makes for that clause."""
        return paragraph(S.commentary if commentary else S.body, content, left=body_left(clause.level),
                         first_line=CHAR, hook=marks.ppr)

    def commentary_part(self, marks: Marks = NO_MARKS) -> list[etree._Element]:
        """第N編 解説: the 例文 part's structure under the same numbers, each clause's 解説 in the 解説 box style."""
        reibun = self.edition.reibun
        if reibun is None or not reibun.has_commentary:
            return []
        title = self.edition.meta.commentary_title or "解説"
        number = self.edition.commentary_part_number
        out = [paragraph(S.heading(1), [run(number + HEADING_SEP, hook=marks.run), run(title, hook=marks.run)],
                         hook=marks.ppr)]
        for child in reibun.children:
            if child.has_commentary:
                out.extend(self.commentary_clause(child, marks))
        return out

    def commentary_clause(self, clause: Clause, marks: Marks = NO_MARKS) -> list[etree._Element]:
        out = [self.clause_heading_p(clause, bookmark_id=False, marks=marks)]
        out.extend(self.blocks_to_paragraphs(clause.commentary, clause, left=body_left(clause.level),
                                             commentary=True, marks=marks))
        for child in clause.children:
            if child.has_commentary:
                out.extend(self.commentary_clause(child, marks))
        return out

    # ---------------------------------------------------------------------------------------------------------------
    # front matter

    def title_page(self, title: str = "", subtitle: str = "", marks: Marks = NO_MARKS) -> list[etree._Element]:
        """Title, label, （案）/（確定版）, the date in 和暦, and the sample notice for sample editions."""
        meta = self.edition.meta
        h = marks.run
        out = [paragraph(S.title, [run(title or meta.title, hook=h)], hook=marks.ppr)]
        sub = subtitle or meta.label
        if sub:
            out.append(paragraph(S.subtitle, [run(sub, hook=h)], hook=marks.ppr))
        out.append(paragraph(S.title_status, [run(STATUS_TITLE.get(meta.status, f"（{meta.status}）"), hook=h)],
                             hook=marks.ppr))
        out.append(paragraph(S.title_date, [run(wareki(meta.date), hook=h)], hook=marks.ppr))
        if meta.sample:
            out.append(paragraph(S.sample_notice, [run(f"【サンプル】{SAMPLE_NOTICE}", hook=h)], hook=marks.ppr))
        return out

    def toc(self, parts: Iterable[Clause], extra: Iterable[tuple[int, str]] = (),
            marks: Marks = NO_MARKS) -> list[etree._Element]:
        """目次: a ``TOC \\o "1-3" \\h \\z \\u`` field, pre-filled with the headings (levels 1–3) so that readers which
        do not update fields still show a contents list; Word refills it (with page numbers) when the file opens.

        ``extra`` are further (level, text) entries without links (the generated 解説 part)."""
        entries: list[etree._Element] = []
        for part in parts:
            for clause in part.walk():
                if clause.level > 3:
                    continue
                runs = self.heading_runs(clause, marks)
                content = [hyperlink_anchor(clause.id, runs)] if clause.id in self.link_targets else runs
                entries.append(paragraph(S.toc(clause.level), content, hook=marks.ppr))
        for level, text in extra:
            entries.append(paragraph(S.toc(level), [run(text, hook=marks.run)], hook=marks.ppr))
        begin = field_runs(TOC_INSTR, hook=marks.run, dirty=True)
        end = begin.pop()  # the fldChar end goes after the last entry
        if entries:
            first = entries[0]
            at = 1 if first.find(W + "pPr") is not None else 0
            for i, r in enumerate(begin):
                first.insert(at + i, r)
            entries[-1].append(end)
        else:
            entries = [paragraph(S.toc(1), [*begin, end], hook=marks.ppr)]
        heading = paragraph(S.toc_heading, [run("目次", hook=marks.run)], page_break_before=True, hook=marks.ppr)
        return [heading, *entries]

    def commentary_toc_entries(self) -> list[tuple[int, str]]:
        reibun = self.edition.reibun
        if reibun is None or not reibun.has_commentary:
            return []
        title = self.edition.meta.commentary_title or "解説"
        out = [(1, f"{self.edition.commentary_part_number}{HEADING_SEP}{title}")]

        def visit(clause: Clause) -> None:
            if clause.level > 3 or not clause.has_commentary:
                return
            out.append((clause.level, f"{clause.number}{HEADING_SEP}{clause.heading}" if clause.number
                        else clause.heading))
            for child in clause.children:
                visit(child)

        for child in reibun.children:
            visit(child)
        return out

    # ---------------------------------------------------------------------------------------------------------------
    # package

    def header_status(self) -> str:
        """The right-hand side of the running header: label and 【案】/【確定】 (and 【サンプル】 for sample text)."""
        meta = self.edition.meta
        text = f"{meta.label}　【{meta.status}】" if meta.label else f"【{meta.status}】"
        if meta.sample and "サンプル" not in meta.label:
            text += "【サンプル】"
        return text

    def package(self, body: list[etree._Element], *, header: str = "", subject: str = "",
                settings_extra: str = "", fingerprints: bytes = b"") -> bytes:
        """The .docx bytes: ``body`` elements, then the section (A4; a running header with the title, label and
        案/確定 on every page but the title page; page numbers in the footer). ``fingerprints``: the clause
        fingerprint part (:func:`guideline.wordview.fingerprint_part`) that ``guideline apply`` reads back."""
        meta = self.edition.meta
        doc = etree.Element(W + "document", nsmap=NSMAP)
        body_el = etree.SubElement(doc, W + "body")
        body_el.extend(body)
        body_el.append(etree.fromstring(st.sect_pr_xml()))
        header_p = paragraph(S.header, [run(header or meta.title), tab_run(), run(self.header_status())])
        footer_p = paragraph(S.footer, field_runs("PAGE", "1"))
        extra_types, extra_rels, extra_parts = self.parts.package_parts(
            [(rid, url) for url, rid in self._external.items()])
        parts = [
            ("[Content_Types].xml", st.content_types(bool(fingerprints), extra_types).encode("utf-8")),
            ("_rels/.rels", st.PACKAGE_RELS.encode("utf-8")),
            ("docProps/core.xml", st.core_xml(meta.display_name, subject or meta.title, meta.date,
                                              f"{meta.id} {meta.status}")),
            ("docProps/app.xml", st.app_xml()),
            ("word/document.xml", xml_bytes(doc)),
            ("word/_rels/document.xml.rels", st.document_rels_xml([(rid, url) for url, rid in self._external.items()],
                                                                  bool(fingerprints), extra_rels)),
            ("word/styles.xml", st.styles_xml()),
            ("word/settings.xml", st.settings_xml(settings_extra)),
            ("word/fontTable.xml", st.font_table_xml()),
            ("word/header1.xml", _hdr_ftr("hdr", [header_p])),
            ("word/header2.xml", _hdr_ftr("hdr", [paragraph(S.header)])),
            ("word/footer1.xml", _hdr_ftr("ftr", [footer_p])),
            ("word/footer2.xml", _hdr_ftr("ftr", [paragraph(S.footer)])),
            *extra_parts,
        ]
        if fingerprints:
            guid = hashlib.sha256(fingerprints).hexdigest()[:32].upper()
            parts += [("customXml/item1.xml", fingerprints),
                      ("customXml/itemProps1.xml", st.custom_xml_props(
                          f"{guid[:8]}-{guid[8:12]}-{guid[12:16]}-{guid[16:20]}-{guid[20:]}")),
                      ("customXml/_rels/item1.xml.rels", st.CUSTOM_XML_RELS)]
        return zip_package(parts)


def _hdr_ftr(kind: str, paragraphs: list[etree._Element]) -> bytes:
    root = etree.Element(W + kind, nsmap=NSMAP)
    root.extend(paragraphs)
    return xml_bytes(root)


def _set(el: etree._Element, **attrs: str) -> etree._Element:
    for k, v in attrs.items():
        el.set(W + k, v)
    return el


def _drop_style(r: etree._Element, style: str) -> None:
    """Remove character style ``style`` from a run (possibly wrapped by a hook)."""
    for rs in r.iter(W + "rStyle"):
        if rs.get(W + "val") == style:
            rpr = rs.getparent()
            rpr.remove(rs)
            if len(rpr) == 0:
                rpr.getparent().remove(rpr)



def _table_frame(width: int, left: int, cols: list[int], *, header_look: bool) -> etree._Element:
    """An empty ``w:tbl`` in the ガイドライン表 style: fixed layout, its width, indent and column grid.
    ``header_look``: Word's look flag for a styled first row (pipe tables); table blocks mark their head rows."""
    tbl = etree.Element(W + "tbl")
    tpr = etree.SubElement(tbl, W + "tblPr")
    etree.SubElement(tpr, W + "tblStyle").set(W + "val", S.table)
    _set(etree.SubElement(tpr, W + "tblW"), w=str(width), type="dxa")
    _set(etree.SubElement(tpr, W + "tblInd"), w=str(left), type="dxa")
    etree.SubElement(tpr, W + "tblLayout").set(W + "type", "fixed")
    _set(etree.SubElement(tpr, W + "tblLook"), val="0420" if header_look else "0000", firstRow="1" if header_look
         else "0", lastRow="0", firstColumn="0", lastColumn="0", noHBand="1", noVBand="1")
    grid = etree.SubElement(tbl, W + "tblGrid")
    for c in cols:
        etree.SubElement(grid, W + "gridCol").set(W + "w", str(c))
    return tbl

def _column_widths(table: Table, ncols: int, width: int) -> list[int]:
    """Column widths (twips) summing to ``width``: proportional to the square root of the longest cell text, so that
    a short 区分 column does not take a third of the page, and at least one sixth of an equal share."""
    longest = [1] * ncols
    for r in (table.header, *table.rows):
        for i, cell in enumerate(r[:ncols]):
            longest[i] = max(longest[i], len(inline_text(cell)))
    weights = [n ** 0.5 for n in longest]
    total = sum(weights)
    floor = width // (ncols * 6)
    widths = [max(floor, int(width * w / total)) for w in weights]
    widths[-1] += width - sum(widths)
    return widths



# --------------------------------------------------------------------------------------------------------------------
# The two documents


def render_guideline(edition: Edition) -> bytes:
    """guideline.docx: title page, 目次, every part, then the generated 解説 part."""
    b = DocxBuilder(edition)
    body = b.title_page()
    body += b.toc(edition.parts, extra=b.commentary_toc_entries())
    for part in edition.parts:
        body += b.clause_to_elements(part)
    body += b.commentary_part()
    return b.package(body, fingerprints=fingerprint_part(edition, edition.clauses(), "guideline", None))


def render_reibun(edition: Edition) -> bytes | None:
    """reibun.docx: the 例文 part alone (no mapping notes, no 解説); None when the edition names no 例文 part."""
    reibun = edition.reibun
    if reibun is None:
        return None
    b = DocxBuilder(edition, link_targets=[c.id for c in reibun.walk()])
    title = f"{reibun.number}{HEADING_SEP}{reibun.heading}" if reibun.number else reibun.heading
    body = b.title_page(title=title, subtitle=edition.meta.display_name)
    body.append(paragraph(S.front_note, [
        run("この文書は、ガイドラインの例文を各団体が自らの情報セキュリティポリシーを策定する際のひな形として編集できるよう"
            "にしたものである。"),
        b.placeholder_run("本市"),
        run("のように〔〕で囲み色を付けた語句は、各団体の実情に合わせて置き換える。"),
    ]))
    body += b.toc([reibun])
    body += b.clause_to_elements(reibun, notes=False, models=True)
    links = {c.id for c in reibun.walk()}
    return b.package(body, header=title, subject=title,
                     fingerprints=fingerprint_part(edition, reibun.walk(), "reibun", links))


def write(edition: Edition, out_dir: Path) -> list[Path]:
    out = Path(out_dir)
    paths = [atomic_write(out / "guideline.docx", render_guideline(edition))]
    reibun = render_reibun(edition)
    if reibun is not None:
        paths.append(atomic_write(out / "reibun.docx", reibun))
    return paths
