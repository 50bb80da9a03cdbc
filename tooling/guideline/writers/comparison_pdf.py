"""The 新旧対照表 as PDF (``comparison.pdf``): laid out by WeasyPrint in parts, in worker processes, with a cache.

WeasyPrint lays out the comparison table at about ten landscape pages per CPU second, and the table of a large
revision runs to dozens of pages, so the PDF is the slowest output of ``guideline diff``. Here:

- The rows are cut into *parts* of roughly :data:`PART_CHARS` characters of HTML, only between two groups of rows
  (a group is the （略） and context rows that lead up to one change row, and that row), and only before a group whose
  HTML hashes to a multiple of :data:`CUT_EVERY` (or once a part has grown to twice the size): the cuts depend on the
  rows' content, not on their position, so an edit to one clause changes one part and the cuts after it fall where
  they fell before. Each part is a document of its own that starts on a new page with the column headings; the title
  and caption open the first part, the 項番対応表 closes the last.
- :func:`start` looks the parts up in a cache of rendered documents (:class:`guideline.writers.pdf.Cache`, by a hash
  of their HTML) and hands the rest to worker processes at once (``GUIDELINE_PDF_WORKERS``, default 2; 1 renders
  in-process), so that the caller writes its other outputs while they lay out; :meth:`Pending.result` joins them.
- The page numbers （n / N） cannot be laid out by the parts (each would count from 1): the parts are rendered
  without them, and a document of N empty pages carrying only the footer of ``comparison.css`` is laid out once the
  page count is known (cached too) and its pages are stamped onto the parts' pages as pagination artifacts.
- :func:`merge` joins the parts with pikepdf: each part's tag tree (PDF/UA) becomes a ``Part`` of one ``Document``,
  named destinations (the row ids) and the outline are merged, fonts are shared
  (:func:`guideline.writers.pdf_merge.share_fonts`), and the file is saved deterministically: the same bytes with
  one or two workers, cached or not.
"""
from __future__ import annotations

import hashlib
import io
import logging
from pathlib import Path

from guideline import __version__
from guideline.diff.changeset import ChangeSet
from guideline.render_html import jinja_env

log = logging.getLogger(__name__)

PART_CHARS = 32_000  # HTML characters per part (≈ 10 landscape pages)
CUT_EVERY = 4  # a part may end before one group in CUT_EVERY (by content hash), or anywhere at twice PART_CHARS
FORMAT = "comparison-pdf 3"  # bump when the parts' rendering changes in a way their HTML does not show
# The parts leave the footer out; the page-number document keeps it (comparison.css: @bottom-center).
PART_CSS = "\n@page { @bottom-center { content: none; } }\n"
FOOTER_FORM = "/GLfoot"


# --------------------------------------------------------------------------------------------------------------------
# Parts


def _groups(table, rows: list[dict]) -> list[list[dict]]:
    groups: list[list[dict]] = []
    current: list[dict] = []
    for row, html_row in zip(table.rows, rows):
        current.append(html_row)
        if row.kind == "change":
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _row_text(r: dict) -> str:
    return r["attrs"] + "".join(r["cells"])


def split(table, rows: list[dict], size: int = PART_CHARS, cut_every: int = CUT_EVERY) -> list[list[dict]]:
    """The rows cut into parts (see the module documentation); at least one part, possibly empty."""
    parts: list[list[dict]] = []
    current: list[dict] = []
    weight = 0
    for group in _groups(table, rows):
        text = "".join(_row_text(r) for r in group)
        cut_here = int.from_bytes(hashlib.sha1(text.encode("utf-8")).digest()[:4], "big") % cut_every == 0
        if current and (weight >= 2 * size or (weight >= size and cut_here)):
            parts.append(current)
            current, weight = [], 0
        current.extend(group)
        weight += len(text)
    parts.append(current)
    return parts


def documents(cs: ChangeSet, table, columns: str = "new-old", size: int = PART_CHARS,
              cut_every: int = CUT_EVERY) -> list[str]:
    """The HTML of each part, in order."""
    from guideline.writers import comparison

    parts = split(table, comparison.row_dicts(table, columns), size, cut_every)
    template = jinja_env().get_template("diff/comparison-part.html.j2")
    style = comparison.css() + PART_CSS
    sample = cs.old.meta.sample or cs.new.meta.sample
    return [template.render(table=table, heads=comparison.heads(columns), rows=rows, caption=comparison.CAPTION,
                            css=style, version=__version__, sample=sample, new_first=columns == "new-old",
                            first=i == 0, last=i == len(parts) - 1)
            for i, rows in enumerate(parts)]


def pages_document(pages: int) -> str:
    """N empty pages with the footer of comparison.css (page n of N)."""
    from guideline.writers import comparison

    return jinja_env().get_template("diff/comparison-pages.html.j2").render(css=comparison.css(), pages=pages)


# --------------------------------------------------------------------------------------------------------------------
# Rendering


def _cache(directory: Path | None):
    from guideline.writers import pdf

    return pdf.Cache(directory, salt=f"{FORMAT}\n{pdf.rendering_salt()}")


class Pending:
    """Parts of one comparison PDF being rendered (through :class:`guideline.writers.pdf.Renderer`: the cache, then
    worker processes, largest first); :meth:`result` waits for them and returns the joined PDF."""

    def __init__(self, htmls: list[str], cache_dir: Path | None):
        from guideline.writers.pdf import Renderer

        self.cache = _cache(cache_dir)
        self.renderer = Renderer(self.cache, {})
        self.handles = self.renderer.submit([(h,) for h in htmls])

    @property
    def todo(self) -> list[int]:
        """The parts not found in the cache."""
        from guideline.writers.pdf import Rendered

        return [i for i, h in enumerate(self.handles) if not isinstance(h, Rendered)]

    @property
    def pool(self):
        return self.renderer.pool

    def result(self) -> bytes:
        parts = [self.renderer.result(h) for h in self.handles]
        # the page numbers are laid out (by a worker, when there are any) while the parts are joined here
        (numbers,) = self.renderer.submit([(pages_document(sum(p.pages for p in parts)), False)])
        data = merge(parts, lambda: self.renderer.result(numbers), self.cache.dir)
        self.close()
        self.cache.prune()
        return data

    def close(self) -> None:
        self.renderer.close()


def start(cs: ChangeSet, table, columns: str = "new-old", cache_dir: Path | None = None,
          size: int = PART_CHARS, cut_every: int = CUT_EVERY) -> Pending:
    """Begin rendering the comparison PDF (parts not in the cache go to worker processes at once)."""
    return Pending(documents(cs, table, columns, size, cut_every), cache_dir)


def render(cs: ChangeSet, table, columns: str = "new-old", cache_dir: Path | None = None,
           size: int = PART_CHARS, cut_every: int = CUT_EVERY) -> bytes:
    """The finished PDF (what :func:`start` and :meth:`Pending.result` make), as bytes."""
    pending = start(cs, table, columns, cache_dir, size, cut_every)
    try:
        return pending.result()
    finally:
        pending.close()


# --------------------------------------------------------------------------------------------------------------------
# Joining


def merge(parts: list, numbers, cache: Path | None = None) -> bytes:
    """One tagged PDF from the rendered parts, with page ``n`` of ``numbers`` (a rendered document, or a function
    returning one, called once the parts are joined) stamped on page n as an artifact."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    from guideline.writers.pdf_merge import Merger, add_outline, copy_catalog, save, share_fonts

    merger = Merger(cache)  # pages, tag trees (each part's Document a Part of one Document) and destinations
    for r in parts:
        merger.add(r)
    out = merger.out
    for src in merger.sources:
        src_root = src.Root.get("/StructTreeRoot")
        if src_root is not None and "/RoleMap" in src_root:
            merger.struct_root.RoleMap = out.copy_foreign(src_root).RoleMap  # the copy made when the part was added
            break
    merger.structure()
    if merger.dests:
        merger.destinations()

    # Page numbers: page n of the numbers document, drawn over page n as a pagination artifact.
    numbers_pdf = pikepdf.open(io.BytesIO((numbers() if callable(numbers) else numbers).pdf))
    if len(numbers_pdf.pages) != len(out.pages):
        raise ValueError(f"page-number document has {len(numbers_pdf.pages)} pages for {len(out.pages)}")
    opening = out.make_stream(b"q\n")
    closing = out.make_stream(b"Q\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\n"
                              b"q " + FOOTER_FORM.encode("ascii") + b" Do Q\nEMC\n")
    for page, furniture in zip(out.pages, numbers_pdf.pages):
        # made indirect first: copy_foreign maps every direct (0, 0) object to one copy
        form = out.copy_foreign(numbers_pdf.make_indirect(furniture.as_form_xobject()))
        # WeasyPrint shares one resource dictionary between the pages of a document: each page gets its own
        resources = Dictionary({key: value for key, value in page.obj.Resources.items()})
        xobjects = resources.get("/XObject")
        resources.XObject = Dictionary({key: value for key, value in xobjects.items()} if xobjects else {})
        resources.XObject[FOOTER_FORM] = form
        page.obj.Resources = resources
        contents = page.obj.Contents
        existing = list(contents) if isinstance(contents, Array) else [contents]
        page.obj.Contents = Array([opening, *existing, closing])

    bookmarks = []
    for part, first in merger.parts:
        for level, label, index, x, y in part.bookmarks:
            bookmarks.append((int(level), str(label), first + int(index), float(x), float(y)))
    if bookmarks:
        add_outline(out, bookmarks)

    copy_catalog(out, merger.sources[0])
    if bookmarks:
        out.Root.PageMode = Name.UseOutlines

    share_fonts(out, cache, merger.fonts)  # the parts' fonts were read as they were added
    return save(out)
