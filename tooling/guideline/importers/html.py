"""HTML page → paragraph stream: a 例規集 page, a plain web page, or the single-page HTML our own build writes.

The page is parsed by lxml's HTML parser with network access off; nothing in it is executed or fetched. ``script``,
``style``, ``template``, ``iframe``, ``object`` and ``embed`` are dropped with their content (counted in the report),
event-handler attributes and ``javascript:`` links are ignored (only the text is read; links are kept only for
http(s) and mailto), remote images are never fetched (their alt text is kept; ``data:`` images and files beside the
page are read, size-capped and checked). Every block element (``p``, ``div`` with text, ``h1``–``h6``, ``li``,
``dt``/``dd``, ``pre``) is a paragraph, and so is every line of a block broken by ``<br>`` (例規集 pages write one 項
or 号 per line that way).

Markup our own writers put on the page is read back: ``section.clause`` levels and ids (heading level and anchor),
``span.num`` (the number), ``div.commentary`` (解説), ``nav.toc`` (目次), the site header (title, edition line,
sample notice), ``div.nisc`` / ``p.models`` (mapping notes, left out), ``span.placeholder``, ``aside.box`` (参考/例/注意),
footnote references and lists, table ``caption``s, figures.
"""
from __future__ import annotations

import binascii
import re
from base64 import b64decode
from itertools import islice
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes

from guideline.diagnostics import UserError
from guideline.figures import MAX_FIGURE_BYTES, jpeg_size, svg_problem
from guideline.importers.stream import (
    COMMENTARY,
    FRONT,
    FURNITURE,
    METADATA,
    TITLE,
    TOC,
    Figure,
    SourcePara,
    box_kind,
    mapping_meta,
    merge_inlines,
    span_grid,
    table_caption,
    take_figure_caption,
    trim_inlines,
    with_inner,
)
from guideline.importers.text import decode, read_capped
from guideline.model import FootnoteRef, Inline, Link, Placeholder, Strong, Table, Text, inline_text

MAX_HTML_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 200
DROP = {"script", "style", "template", "iframe", "object", "embed", "noscript", "svg", "math", "head", "title",
        "meta", "link", "button", "form", "input", "select", "textarea", "canvas", "audio", "video"}
BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "pre", "blockquote", "section", "article",
         "header", "footer", "nav", "main", "aside", "ul", "ol", "dl", "body", "html", "figure", "figcaption",
         "address", "center", "caption", "hr"}
STRONG = {"strong", "b"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


def _decode(data: bytes, where: str) -> str:
    m = _CHARSET.search(data[:4096])
    if m:
        name = m.group(1).decode("ascii", "replace").lower()
        name = {"shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
                "windows-31j": "cp932", "euc-jp": "euc_jp"}.get(name, name)
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data, where)[0]


class _Walker:
    def __init__(self, where: str, page: "_Page | None" = None):
        self.where = where
        self.paras: list[SourcePara] = []
        self.inlines: list[Inline] = []
        self.page = page if page is not None else _Page(_Notes({}), None)  # shared with the walkers of inner elements
        self.notes: list[tuple[str, str]] = []  # footnotes referenced from the paragraph being read
        self.ctx: dict = {}
        self.start_line = 0
        self.dropped: dict[str, int] = {}
        self.ol_counters: list[int] = []

    # ---- paragraphs ---------------------------------------------------------------------------------------------

    def flush(self) -> None:
        inlines = merge_inlines(self.inlines)
        self.inlines = []
        if not inline_text(tuple(inlines)).strip():
            return
        ctx = self.ctx
        p = SourcePara(0, f"line {self.start_line}" if self.start_line else "html", inlines=trim_inlines(inlines),
                       style_level=ctx.get("level", 0), anchor=ctx.get("anchor", ""), role=ctx.get("role", "body"),
                       role_detail=ctx.get("detail", ""), bullet=ctx.get("bullet", False),
                       list_label=ctx.get("list_label", ""), line=self.start_line, notes=self.notes)
        self.notes = []
        if p.role == METADATA:
            p.meta = mapping_meta(p.text)
        if p.style_level or not take_figure_caption(self.paras, p):
            self.paras.append(p)
        # the anchor and the list label belong to the first paragraph of their element only
        self.ctx = {k: v for k, v in ctx.items() if k not in ("anchor", "list_label")}

    def add(self, node: Inline, line: int = 0) -> None:
        if not self.inlines and line:
            self.start_line = line
        self.inlines.append(node)

    # ---- the walk -----------------------------------------------------------------------------------------------

    def walk(self, el, depth: int = 0) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if not tag:  # comment or processing instruction
            self._tail(el)
            return
        if tag in DROP:
            self.dropped[tag] = self.dropped.get(tag, 0) + 1
            self._tail(el)
            return
        classes = set((el.get("class") or "").split())
        if "permalink" in classes or "skip-link" in classes or (
                "status" in classes and self.ctx.get("detail") == "edition header"):  # our header's 案 mark
            self._tail(el)
            return
        if depth > MAX_DEPTH:  # deeper than any real page: read the text, not the structure
            self.add(Text(" ".join(el.itertext())), el.sourceline or 0)
            self._tail(el)
            return
        if self.page.notes.is_list(el, tag, classes):
            self.flush()
            self._footnote_list(el)
            self._tail(el)
            return
        if (key := self.page.notes.reference(el, tag, classes)) is not None:
            self.add(FootnoteRef(key[0]), el.sourceline or 0)
            self.notes.append(key)
            self._tail(el)
            return
        if tag == "table":
            self.flush()
            self._table(el)
            self._tail(el)
            return
        if tag == "img":
            self.flush()
            alt = (el.get("alt") or "").strip()
            name, data = self.page.image((el.get("src") or "").strip(), el.sourceline or 0)
            self.paras.append(SourcePara(0, f"line {el.sourceline or 0}", figure=Figure(
                name=name, data=data, alt=alt, title=el.get("title") or ""), line=el.sourceline or 0))
            self._tail(el)
            return
        if tag == "div" and "page-break" in classes:  # our writers' {.pagebreak}
            self.flush()
            line = el.sourceline or 0
            self.paras.append(SourcePara(0, f"line {line} (page break)", page_break=True, line=line,
                                         role=self.ctx.get("role", "body")))
            self._tail(el)
            return
        if tag == "br":
            self.flush()
            self._tail(el)
            return
        if tag in ("aside", "div", "section") and (kind := _box_kind(el, classes)):
            self.flush()
            self._box(el, kind, depth)
            self._tail(el)
            return
        if tag == "div" and "nisc" in classes:  # our own 統一基準との対応 box: one mapping per item
            self.flush()
            self._nisc_box(el)
            self._tail(el)
            return
        if "item-body" in classes and not (el.text or "").strip() and len(el) and el[0].tag == "p":
            # our own list item holding more than a paragraph (a 号 with its ア イ): the label and the first
            # paragraph are one line, the blocks after it follow
            first = el[0]
            if first.text:
                self.add(Text(first.text), first.sourceline or 0)
            for child in first:
                self.walk(child, depth + 2)
            self._tail(first)
            self.flush()
            for child in el[1:]:
                self.walk(child, depth + 1)
            self._tail(el)
            return
        if tag in BLOCK and "item-body" not in classes:  # our own list item: label and body are one paragraph
            self.flush()
            saved = dict(self.ctx)
            self._enter(el, tag, classes)
            if el.text:
                self.add(Text(el.text), el.sourceline or 0)
            for child in el:
                self.walk(child, depth + 1)
            self.flush()
            self.ctx = saved
            if tag == "ol":
                self.ol_counters.pop()
            self._tail(el)
            return
        # inline elements
        if "placeholder" in classes:
            self.add(Placeholder(" ".join("".join(el.itertext()).split())), el.sourceline or 0)
            self._tail(el)
            return
        sub = _Walker(self.where, self.page)
        sub.ctx = {}
        if el.text:
            sub.inlines.append(Text(el.text))
        for child in el:
            sub.walk(child, depth + 1)
        self.notes.extend(sub.notes)
        if sub.paras:  # a block inside an inline element: keep what it holds as paragraphs of their own
            self.flush()
            self.paras.extend(sub.paras)
        kids = tuple(merge_inlines(sub.inlines))
        if tag in STRONG and kids:
            self.add(Strong(kids), el.sourceline or 0)
        elif tag == "a" and (el.get("href") or "").startswith(("http://", "https://", "mailto:")) and kids:
            self.add(Link(el.get("href"), kids), el.sourceline or 0)
        else:
            for k in kids:
                self.add(k, el.sourceline or 0)
        if "num" in classes or "label" in classes:
            self.add(Text("\u3000"))
        self._tail(el)

    def _tail(self, el) -> None:
        if el.tail and el.tail.strip():
            self.add(Text(el.tail), el.sourceline or 0)

    def _enter(self, el, tag: str, classes: set[str]) -> None:
        ctx = self.ctx
        if tag == "section" and "clause" in classes:
            level = next((int(c[6:]) for c in classes if c.startswith("level-") and c[6:].isdigit()), 0)
            ctx["section_level"] = level
            ctx["section_id"] = el.get("id") or ""
            if "commentary-part" in classes:
                ctx.pop("role", None)
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6") or "clause-heading" in classes:
            if ctx.get("role") in (TOC,):
                pass
            elif ctx.get("section_level"):
                ctx["level"] = ctx["section_level"]
                ctx["anchor"] = ctx.get("section_id", "")
            elif "doc-title" in classes:
                ctx["role"] = TITLE
            elif tag != "h1" or self._has_other_h1:
                ctx["level"] = int(tag[1]) if tag[0] == "h" else 6
                ctx["anchor"] = el.get("id") or ""
            else:
                ctx["role"] = TITLE
        elif el.get("id") and tag in ("p", "div") and not ctx.get("anchor"):
            ctx["anchor"] = el.get("id")
        if tag == "nav" and "toc" in classes:
            ctx["role"] = TOC
        if tag == "header" and "site-header" in classes:
            ctx["role"] = FRONT
            ctx["detail"] = "edition header"
        if tag == "footer":
            ctx["role"] = FURNITURE
            ctx["detail"] = "page footer"
        if "commentary" in classes:
            ctx["role"] = COMMENTARY
        if "models" in classes:
            ctx["role"] = METADATA
            ctx["detail"] = "mapping note written by a guideline build"
        if tag == "ul":
            ctx["bullet"] = True
        if tag == "ol":
            self.ol_counters.append(0)
            ctx["bullet"] = False
            ctx["in_ol"] = "labelled" not in classes  # our own lists carry their labels as text
        if tag == "li" and ctx.get("in_ol") and self.ol_counters:
            self.ol_counters[-1] += 1
            ctx["list_label"] = f"{self.ol_counters[-1]}."
        if tag == "li" and not ctx.get("bullet"):
            ctx["bullet"] = False

    _has_other_h1 = False

    def _nisc_box(self, box) -> None:
        line = box.sourceline or 0
        title = " ".join("".join(box.xpath("string(.//span[@class='nisc-title'])")).split())
        self.paras.append(SourcePara(0, f"line {line}", inlines=(Text(title or "統一基準との対応"),), role=METADATA,
                                     role_detail="mapping note written by a guideline build", line=line))
        for li in box.iter("li"):
            nid = "".join(li.xpath("string(.//span[@class='nisc-id'])")).strip()
            rel_el = li.xpath(".//span[@class='rel']")
            rel = rel_el[0].get("data-rel", "") if rel_el else ""
            rationale = " ".join("".join(li.xpath("string(.//span[@class='rationale'])")).split())
            meta = ("nisc", nid, rel, rationale) if nid and rel else ()
            self.paras.append(SourcePara(0, f"line {li.sourceline or line}", inlines=(Text(" ".join(
                " ".join(li.itertext()).split())),), role=METADATA, role_detail="mapping note written by a guideline "
                "build", meta=meta, line=li.sourceline or line))

    def _footnote_list(self, el) -> None:
        """A footnote list (our ``aside.footnotes``, pandoc's ``section.footnotes``): the notes a reference took are
        definitions already; a note nothing referenced stays a paragraph where it stands."""
        for li in el.iter("li"):
            if li.get("id") not in self.page.notes.used:
                label = " ".join("".join(li.xpath("string(.//*[contains(@class, 'fn-label')])")).split())
                self.add(Text(f"{label}\u3000{_note_text(li)}" if label else _note_text(li)), li.sourceline or 0)
                self.flush()

    def _box(self, el, kind: str, depth: int) -> None:
        """A 参考/例/注意 box (our ``aside.box``, or a block opening with a 【参考】 line): one entry holding its
        paragraphs, the title line left out."""
        sub = _Walker(self.where, self.page)
        sub._has_other_h1 = self._has_other_h1
        for child in el:
            sub.walk(child, depth + 1)
        sub.flush()
        inner = list(sub.paras)
        if inner and box_kind(inner[0].text):
            inner = inner[1:]
        line = el.sourceline or 0
        self.paras.append(SourcePara(0, f"line {line} (box 【{kind}】)", box=kind, inner=tuple(inner),
                                     role=self.ctx.get("role", "body"), line=line,
                                     notes=[n for p in with_inner(inner) for n in p.notes]))

    def _table(self, table) -> None:
        rows: list[list[tuple[tuple[Inline, ...], int, int]]] = []
        header_rows = 0
        first_th: list[bool] = []  # per row: its first cell is a th (a row header when every body row has one)
        notes: list[tuple[str, str]] = []  # footnotes referenced from the cells
        for tr in table.iter("tr"):
            cells = []
            is_head = tr.getparent() is not None and tr.getparent().tag == "thead"
            all_th = True
            for cell in tr:
                if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                    continue
                all_th = all_th and cell.tag.lower() == "th"
                if not cells:
                    first_th.append(cell.tag.lower() == "th")
                sub = _Walker(self.where, self.page)
                sub.walk(cell, 1)
                sub.flush()
                inl: list[Inline] = []
                for i, p in enumerate(sub.paras):
                    if i:
                        inl.append(Text(" "))
                    inl.extend(p.inlines if p.figure is None else (Text(p.figure.alt),))
                    notes.extend(p.notes)
                cells.append((tuple(merge_inlines(inl)), _span(cell.get("rowspan")), _span(cell.get("colspan"))))
            if not cells:
                continue
            if (is_head or all_th) and header_rows == len(rows):
                header_rows += 1
            rows.append(cells)
        if not rows:
            return
        caption: tuple[Inline, ...] = ()
        cap = table.find("caption")
        if cap is not None:
            sub = _Walker(self.where, self.page)
            sub.walk(cap, 1)
            sub.flush()
            inl: list[Inline] = []
            for i, p in enumerate(sub.paras):
                inl.extend((Text(" "), *p.inlines) if i else p.inlines)
                notes.extend(p.notes)
            caption = table_caption(inl)
        grid, merged = span_grid(rows)
        header = grid[0] if header_rows else tuple(() for _ in grid[0])
        body = grid[1:] if header_rows else grid
        if header_rows > 1:
            body = grid[1:]
        t = Table(header=header, rows=tuple(body))
        body_first = first_th[header_rows:]
        self.paras.append(SourcePara(0, f"line {table.sourceline or 0}", table=t,
                                     merged=tuple(rows) if merged or caption else (), header_rows=header_rows,
                                     caption=caption, row_header=bool(body_first) and all(body_first),
                                     anchor=table.get("id") or "" if (table.get("id") or "").startswith("tbl-") else "",
                                     notes=notes,
                                     role=self.ctx.get("role", "body"), line=table.sourceline or 0))


_IMAGE_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/jpg": ".jpg", "image/svg+xml": ".svg",
                "image/gif": ".gif", "image/webp": ".webp", "image/bmp": ".bmp"}
_DATA_URI = re.compile(r"^data:(?P<type>[\w.+-]+/[\w.+-]+)?(?P<params>(?:;[^;,]*)*?),(?P<payload>.*)$", re.S | re.I)
_SCHEME = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")


# a data: URI longer than this is replaced by a stub before parsing (the parser refuses attribute values of ten
# million characters); the stub says how long it was, so that the report can say what was left out
MAX_DATA_URI_CHARS = 9_000_000
_DATA_RUN = re.compile(r"data:[^\s\"'<>]*", re.I)
_OVERSIZED = "application/x-oversized-data-uri"


def _stub_oversized(m: re.Match) -> str:
    n = len(m.group(0))
    return f"data:{_OVERSIZED};chars={n}," if n > MAX_DATA_URI_CHARS else m.group(0)


class _Page:
    """What the walkers of one page share: its footnotes, the folder its image files may be read from (None: no
    file is read), and what became of its images."""

    def __init__(self, notes: "_Notes", base: Path | None):
        self.notes = notes
        self.base = base
        self.neutralised: list[str] = []
        self.not_fetched = 0
        self.read = 0

    def image(self, src: str, line: int) -> tuple[str, bytes | None]:
        """(file name, bytes) of an ``<img src>``: a ``data:`` URI decoded, a file beside the page (or below it)
        read; anything over the network is never fetched (bytes None)."""
        where = f"line {line}: " if line else ""
        if src[:5].lower() == "data:":
            return self._data_uri(src, where)
        if not src or _SCHEME.match(src):
            self.not_fetched += 1  # remote (and file:) images are never fetched
            return Path(src.split("?")[0]).name or "image", None
        name = unquote(src.split("#")[0].split("?")[0])
        if self.base is None:
            self.not_fetched += 1
            return Path(name).name or "image", None
        try:
            path = (self.base / name).resolve()
            if self.base.resolve() not in path.parents:
                self.neutralised.append(f"{where}image {name[:60]} lies outside the page's folder; not read")
                return Path(name).name or "image", None
            if not path.is_file():
                self.not_fetched += 1
                return path.name, None
            if path.stat().st_size > MAX_FIGURE_BYTES:
                self.neutralised.append(f"{where}image {name[:60]} is over the {MAX_FIGURE_BYTES // 1048576} MB "
                                        "limit of a figure; not read")
                return path.name, None
            data = path.read_bytes()
        except (OSError, RuntimeError):
            self.not_fetched += 1
            return Path(name).name or "image", None
        ext = {".jpeg": ".jpg"}.get(path.suffix.lower(), path.suffix.lower())
        return self._checked(f"image{ext}", data, f"image {name[:60]}", where)

    def _data_uri(self, src: str, where: str) -> tuple[str, bytes | None]:
        m = _DATA_URI.match(src)
        kind = (m.group("type") or "").lower() if m else ""
        if kind == _OVERSIZED:
            chars = int(re.sub(r"\D", "", m.group("params")) or 0)
            self.neutralised.append(f"{where}a data: URI of {chars:,} characters is longer than the "
                                    f"{MAX_DATA_URI_CHARS:,} a page may embed; not decoded (put the image in a file "
                                    "beside the page)")
            return "data", None
        ext = _IMAGE_TYPES.get(kind)
        if m is None or ext is None:
            self.neutralised.append(f"{where}a data: URI of type {kind or '?'} is no image; not decoded")
            return "data", None
        payload = m.group("payload")  # at most MAX_DATA_URI_CHARS: under a figure's 10 MB once decoded
        base64 = ";base64" in m.group("params").lower()
        try:
            data = b64decode(payload, validate=False) if base64 else unquote_to_bytes(payload)
        except (ValueError, binascii.Error):
            self.neutralised.append(f"{where}a data: image that does not decode; left out")
            return "data", None
        return self._checked(f"image{ext}", data, "a data: image", where)

    def _checked(self, name: str, data: bytes, what: str, where: str) -> tuple[str, bytes | None]:
        """The image when it is what its type says (an SVG: a static drawing), else None and a report line."""
        ext = name[name.rfind("."):]
        problem = ""
        if ext == ".svg":
            bad = svg_problem(data)
            problem = f"an SVG with {bad}" if bad else ""
        elif ext == ".png" and not data.startswith(b"\x89PNG\r\n\x1a\n"):
            problem = "not a PNG"
        elif ext == ".jpg" and jpeg_size(data) is None:
            problem = "not a JPEG"
        if problem:
            self.neutralised.append(f"{where}{what} is {problem}; left out")
            return name, None
        self.read += 1
        return name, data


class _Notes:
    """The footnotes of a page: the definitions its footnote lists hold (by the id of their ``li``), and the key
    (1, 2 …, in reading order) of each one a reference took."""

    def __init__(self, definitions: dict[str, str]):
        self.definitions = definitions
        self.used: dict[str, str] = {}

    @staticmethod
    def is_list(el, tag: str, classes: set[str]) -> bool:
        return tag in ("aside", "section", "div", "ol") and (
            "footnotes" in classes or el.get("role") in ("doc-endnotes", "doc-footnotes"))

    def reference(self, el, tag: str, classes: set[str]) -> tuple[str, str] | None:
        """(key, text) when ``el`` is a reference to a footnote of the page (``sup.fnref``, ``a[role=doc-noteref]``,
        a ``sup`` holding a link to a footnote), else None."""
        if tag == "sup":
            link = next(el.iter("a"), None)
        elif tag == "a" and (el.get("role") == "doc-noteref" or "footnote-ref" in classes):
            link = el
        else:
            return None
        target = (link.get("href") or "")[1:] if link is not None and (link.get("href") or "").startswith("#") else ""
        if target not in self.definitions:
            return None
        key = self.used.setdefault(target, str(len(self.used) + 1))
        return key, self.definitions[target]

    @classmethod
    def of(cls, root) -> "_Notes":
        """The definitions of every footnote list on the page: each ``li`` with an id, its text without the
        number label and the back link."""
        definitions: dict[str, str] = {}
        for el in root.iter():
            if isinstance(el.tag, str) and cls.is_list(el, el.tag.lower(), set((el.get("class") or "").split())):
                for li in el.iter("li"):
                    if li.get("id"):
                        definitions.setdefault(li.get("id"), _note_text(li))
        return cls(definitions)


def _note_text(li) -> str:
    skip = {"fn-label", "fn-back", "footnote-back"}
    parts: list[str] = []
    stack = [(li, False)]
    while stack:
        el, done = stack.pop()
        if done:
            if el is not li and el.tail:
                parts.append(el.tail)
            continue
        stack.append((el, True))
        if isinstance(el.tag, str) and (skip & set((el.get("class") or "").split()) or el.get("role") == "doc-backlink"):
            continue
        if el.text and isinstance(el.tag, str):
            parts.append(el.text)
        for child in reversed(el):
            stack.append((child, False))
    return " ".join("".join(parts).split())


def _box_kind(el, classes: set[str]) -> str:
    """参考/例/注意 when ``el`` is a box: our writer's ``aside.box`` (its aria-label names the kind), or any block
    whose first child is a 【参考】 title line."""
    first = next((c for c in el if isinstance(c.tag, str)), None)
    # the first few text nodes of the first child only: a page's body is often one big div
    kind = box_kind("".join(islice(first.itertext(), 4))) if first is not None else ""
    if not kind and "box" in classes:
        kind = box_kind(f"【{el.get('aria-label') or ''}】")
    return kind


def _span(value) -> int:
    try:
        return max(1, min(int(value or 1), 100))
    except ValueError:
        return 1


def _mark_title(paras: list[SourcePara], page_title: str) -> None:
    """The paragraph that repeats the page's <title> (例規集 pages add the site's name to it) is the title, and what
    stands above it is the site's navigation."""
    if any(p.role == TITLE for p in paras):
        return
    want = "".join(page_title.split())
    if not want:
        return
    for k, p in enumerate(paras[:50]):
        text = "".join(p.text.split())
        if text and p.table is None and (text == want or (len(text) >= 4 and want.startswith(text))):
            for q in paras[:k]:
                if q.role == "body":
                    q.role, q.role_detail = FRONT, "page navigation above the title"
            p.role = TITLE
            return


def read_html(path: Path) -> tuple[list[SourcePara], dict]:
    where = str(path)
    return parse_html(_decode(read_capped(path, MAX_HTML_BYTES, "an HTML"), where), where, path.parent)


def parse_html(text: str, where: str = "html", base: Path | None = None) -> tuple[list[SourcePara], dict]:
    """The paragraph stream of an HTML page; ``base`` is the folder image files named by the page are read from
    (None: none is read)."""
    from lxml import etree, html

    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    text = _DATA_RUN.sub(_stub_oversized, text)
    parser = html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, huge_tree=False,
                             recover=True)
    try:
        root = html.document_fromstring(text, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise UserError(f"{where}: not a readable HTML page ({exc})") from None
    for err in parser.error_log:
        if "Excessive depth" in err.message:
            raise UserError(f"{where}: elements nested deeper than the HTML parser's limit ({err.message.split(',')[0]}); "
                            "refused: no real page nests that deep") from None
        if err.type_name == "ERR_RESOURCE_LIMIT":
            raise UserError(f"{where}: a text or attribute longer than the HTML parser's limit "
                            f"({err.message.split(',')[0]}); refused: split the page") from None
    w = _Walker(where, _Page(_Notes.of(root), base))
    w._has_other_h1 = len(root.findall(".//h1")) > 1
    body = root.find("body")
    w.walk(body if body is not None else root)
    w.flush()
    _mark_title(w.paras, root.findtext(".//title") or "")
    for n, p in enumerate(w.paras, 1):
        p.index = n
    info: dict = {"html": {"images": w.page.read, "images_not_fetched": w.page.not_fetched,
                           "footnotes": len(w.page.notes.used)}}
    neutralised = []
    for tag in ("script", "iframe", "object", "embed", "template", "form"):  # (a stylesheet is inert here)
        count = sum(1 for _ in root.iter(tag))
        if count:
            neutralised.append(f"{count} <{tag}> element{'s' if count > 1 else ''} dropped unread")
    handlers = sum(1 for el in root.iter() if isinstance(el.tag, str)
                   for name in el.attrib if name.lower().startswith("on"))
    if handlers:
        neutralised.append(f"{handlers} event-handler attribute{'s' if handlers > 1 else ''} ignored")
    scripted = sum(1 for el in root.iter("a") if (el.get("href") or "").strip().lower().startswith(
        ("javascript:", "vbscript:", "data:")))
    if scripted:
        neutralised.append(f"{scripted} javascript:/data: link{'s' if scripted > 1 else ''} kept as text only")
    neutralised.extend(w.page.neutralised)
    if neutralised:
        info["neutralised"] = neutralised
    return w.paras, info


__all__ = ["read_html", "parse_html"]
