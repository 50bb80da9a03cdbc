"""The edition as a multi-page, accessible, searchable HTML site (``<out>/site/``).

Pages, in reading order (previous/next links follow it):

- ``index.html``: title page and full table of contents;
- one page per 編 (``<part-id>.html``): its own text, clauses that sit outside any 章, the list of its 章;
- one page per 章 (``<chapter-id>.html``), holding the whole 章 — a 編 without 章 is one page;
- ``kaisetsu.html`` and one ``kaisetsu-<chapter-id>.html`` per 章 of the generated 第N編 解説, built from the
  commentary of the 例文 part exactly like the single page does (anchors ``c.<clause-id>``);
- ``search.html`` (static bigram search, see :mod:`guideline.writers.edition.search_index`) and the NISC index
  pages (``nisc.html``, :mod:`guideline.writers.edition.site_nisc`), wrapped in the same page template.

Every clause is a ``<section id="<clause-id>">``; a link to a clause from anywhere is ``<page>.html#<clause-id>``
(:meth:`Site.href_for`). NISC mappings link to ``nisc.html#nisc-<nisc-id>``. The whole site is assembled in a
temporary directory and swapped in (``fileio.atomic_directory``), so a killed build leaves the previous site whole.
Output depends on the edition alone (no clock): two builds are byte-identical.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Callable

from guideline import __version__
from guideline.diagnostics import UserError
from guideline.fileio import atomic_directory
from guideline.model import Clause, Edition, block_text
from guideline.render_html import HtmlRenderer, attr, figure_file, jinja_env, stylesheet, templates_dir
from guideline.vocabulary import STATUS_TITLE, wareki
from guideline.writers.edition import search_index, site_nisc
from guideline.writers.edition.html_single import COMMENTARY_ANCHOR, heading_tag

SITE_DIR = "site"
ASSET_DIR = "assets"
ASSETS = ("site.css", "site.js", "search.js")
SEARCH_INDEX_FILE = "search-index.js"
NISC_PAGE = "nisc.html"
RESERVED = ("index.html", "search.html", NISC_PAGE, "kaisetsu.html")


def nisc_href(nisc_id: str) -> str:
    """Where a NISC identifier is explained: ``nisc.html#nisc-7.3.1(1)(a)`` (the id verbatim after ``nisc-``)."""
    return f"{NISC_PAGE}#nisc-{nisc_id}"



def _chapters(part: Clause) -> list[Clause]:
    return [c for c in part.children if c.level == 2]


@dataclass
class Page:
    filename: str
    title: str  # plain heading without number
    number: str = ""  # 第2編, 第2章 … ("" for pages that are not clauses)
    kind: str = "extra"  # index | part | chapter | kaisetsu | kaisetsu-chapter | search | extra
    clause: Clause | None = None
    parent: "Page | None" = None
    children: list["Page"] = field(default_factory=list)
    kicker: str = ""  # the line above the h1 (the 編 a 章 belongs to)

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}".strip()


class Site:
    """The page plan of one edition, and the renderer for its pages."""

    def __init__(self, edition: Edition,
                 nisc_pages: Callable[[Edition, Callable[[str], str]], list[tuple[str, str, str]]] | None
                 = site_nisc.pages):
        """``nisc_pages``: the NISC index pages as (filename, title, main HTML), given the edition and
        :meth:`href_for`; None leaves them out."""
        self.edition = edition
        self.meta = edition.meta
        self.page_of: dict[str, str] = {}  # clause id -> page filename (例文/本文)
        self.commentary_page_of: dict[str, str] = {}  # clause id -> page filename of its 解説 (anchor c.<id>)
        self.sequence: list[Page] = []  # reading order, for previous/next
        self.top: list[Page] = []  # nav roots
        self._taken: set[str] = set(RESERVED)
        self.renderer = HtmlRenderer(edition, href_for=self.href_for, figure_src=figure_file)
        self.index = Page("index.html", "表紙・目次", kind="index")
        self.search = Page("search.html", "サイト内検索", kind="search")
        self.sequence.append(self.index)
        self._plan_parts()
        self._plan_commentary()
        self.extra_pages: list[tuple[Page, str]] = []  # (page, main_html) from other modules (NISC index)
        self._nisc_pages = nisc_pages
        self._template = jinja_env().get_template("site/page.html.j2")

    # plan ----------------------------------------------------------------------------------------------------------
    def _filename(self, stem: str) -> str:
        name, n = f"{stem}.html", 1
        while name in self._taken:
            n += 1
            name = f"{stem}-{n}.html"
        self._taken.add(name)
        return name

    def _plan_parts(self) -> None:
        for part in self.edition.parts:
            page = Page(self._filename(part.id), part.heading, part.number, "part", part)
            self.top.append(page)
            self.sequence.append(page)
            chapters = _chapters(part)
            for clause in part.walk():
                self.page_of[clause.id] = page.filename
            for chapter in chapters:
                sub = Page(self._filename(chapter.id), chapter.heading, chapter.number, "chapter", chapter, page,
                           kicker=page.label)
                page.children.append(sub)
                self.sequence.append(sub)
                for clause in chapter.walk():
                    self.page_of[clause.id] = sub.filename

    def _plan_commentary(self) -> None:
        reibun = self.edition.reibun
        self.kaisetsu: Page | None = None
        if reibun is None or not reibun.has_commentary:
            return
        title = self.meta.commentary_title or "解説"
        landing = Page("kaisetsu.html", title, self.edition.commentary_part_number, "kaisetsu", reibun)
        self.kaisetsu = landing
        self.top.append(landing)
        self.sequence.append(landing)
        for clause in reibun.walk():
            if clause.has_commentary:
                self.commentary_page_of[clause.id] = landing.filename
        for chapter in _chapters(reibun):
            if not chapter.has_commentary:
                continue
            sub = Page(self._filename(f"kaisetsu-{chapter.id}"), f"{chapter.heading}（解説）", chapter.number,
                       "kaisetsu-chapter", chapter, landing, kicker=landing.label)
            landing.children.append(sub)
            self.sequence.append(sub)
            for clause in chapter.walk():
                if clause.has_commentary:
                    self.commentary_page_of[clause.id] = sub.filename

    # links ---------------------------------------------------------------------------------------------------------
    def href_for(self, clause_id: str) -> str:
        """The link to a clause from any page of the site: ``<page>.html#<clause-id>``."""
        page = self.page_of.get(clause_id)
        return f"{page}#{clause_id}" if page else f"#{clause_id}"

    def commentary_href(self, clause_id: str) -> str | None:
        page = self.commentary_page_of.get(clause_id)
        return f"{page}#{COMMENTARY_ANCHOR}{clause_id}" if page else None

    def commentary_label(self, clause: Clause) -> str:
        """The address of a clause's 解説 in the generated part: 第2編第2章 6.(1) → 第3編第2章 6.(1)."""
        reibun = self.edition.reibun
        prefix = clause.prefix
        if reibun is not None and reibun.number and prefix.startswith(reibun.number):
            prefix = self.edition.commentary_part_number + prefix[len(reibun.number):]
        return f"{prefix} {clause.local}".strip() if clause.local else prefix

    # clauses -------------------------------------------------------------------------------------------------------
    def clause_html(self, clause: Clause, depth: int, filename: str, commentary: bool = False) -> str:
        """A clause and its sub-clauses as nested sections; depth -1 makes the clause the page's h1."""
        r = self.renderer
        anchor = (COMMENTARY_ANCHOR + clause.id) if commentary else clause.id
        open_tag, close_tag = ("<h1", "</h1>") if depth < 0 else heading_tag(depth)
        plain = r.plain_heading(clause)
        head = (f'<div class="clause-head">{open_tag} class="clause-heading">{r.heading_text(clause)}{close_tag}'
                f'<a class="permalink" href="{attr(filename)}#{attr(anchor)}" '
                f'aria-label="固定リンク：{attr(plain)}"><span aria-hidden="true">#</span></a></div>')
        out = [f'<section class="clause level-{clause.level}" id="{attr(anchor)}">', head]
        if commentary:
            if clause.commentary:
                out.append(f'<p class="cross-link"><a href="{attr(self.href_for(clause.id))}">例文を見る'
                           f'（{escape(clause.address or plain)}）</a></p>')
                out.append(f'<div class="commentary">{r.clause_text(clause, True)}</div>')
        else:
            out.append(r.models(clause))
            out.append(r.clause_text(clause))
            out.append(r.mappings(clause, nisc_href=nisc_href))
            href = self.commentary_href(clause.id) if clause.commentary else None
            if href:
                out.append(f'<p class="cross-link"><a href="{attr(href)}">解説を見る'
                           f'（{escape(self.commentary_label(clause))}）</a></p>')
        return "\n".join(p for p in out if p) + "\n" + self._children_html(clause, depth, filename, commentary) + \
            "</section>"

    def _children_html(self, clause: Clause, depth: int, filename: str, commentary: bool,
                       skip_chapters: bool = False) -> str:
        out = []
        for child in clause.children:
            if skip_chapters and child.level == 2:
                continue
            if commentary and not child.has_commentary:
                continue
            out.append(self.clause_html(child, depth + 1, filename, commentary))
        return "\n".join(out) + ("\n" if out else "")

    # page bodies ---------------------------------------------------------------------------------------------------
    def _page_list(self, pages: list[Page], heading: str) -> str:
        items = "".join(f'<li><a href="{attr(p.filename)}"><span class="num">{escape(p.number)}</span>'
                        f"{escape(p.title)}</a></li>" for p in pages)
        return f'<h2 class="list-heading">{escape(heading)}</h2>\n<ul class="page-list">{items}</ul>\n'

    def _part_main(self, page: Page) -> str:
        part = page.clause
        r = self.renderer
        anchor = part.id
        head = (f'<div class="clause-head"><h1 class="clause-heading">{r.heading_text(part)}</h1>'
                f'<a class="permalink" href="{attr(page.filename)}#{attr(anchor)}" '
                f'aria-label="固定リンク：{attr(r.plain_heading(part))}"><span aria-hidden="true">#</span></a></div>')
        body = [f'<section class="clause level-1" id="{attr(anchor)}">', head, r.models(part),
                r.clause_text(part), r.mappings(part, nisc_href=nisc_href)]
        if page.children:
            body.append(self._page_list(page.children, "この編の章"))
        body.append(self._children_html(part, -1, page.filename, False, skip_chapters=True))
        body.append("</section>")
        return "\n".join(b for b in body if b)

    def _kaisetsu_main(self, page: Page) -> str:
        reibun = page.clause
        r = self.renderer
        anchor = COMMENTARY_ANCHOR + reibun.id
        heading = f'<span class="num">{escape(page.number)}</span>{escape(page.title)}'
        head = (f'<div class="clause-head"><h1 class="clause-heading">{heading}</h1>'
                f'<a class="permalink" href="{attr(page.filename)}#{attr(anchor)}" '
                f'aria-label="固定リンク：{attr(page.label)}"><span aria-hidden="true">#</span></a></div>')
        body = [f'<section class="clause level-1 commentary-part" id="{attr(anchor)}">', head,
                f'<p class="lead">この編は、{escape(reibun.number)}「{escape(reibun.heading)}」の各項目について、'
                "同じ番号の下にその解説を示す。</p>"]
        if reibun.commentary:
            body.append(f'<div class="commentary">{r.clause_text(reibun, True)}</div>')
        if page.children:
            body.append(self._page_list(page.children, "この編の章"))
        body.append(self._children_html(reibun, -1, page.filename, True, skip_chapters=True))
        body.append("</section>")
        return "\n".join(b for b in body if b)

    def _index_main(self) -> str:
        m = self.meta
        status = "案" if m.status == "案" else m.status
        out = [f'<h1 class="page-title">{escape(m.title)}</h1>',
               '<dl class="edition-facts">'
               f"<dt>版</dt><dd>{escape(m.label or m.id)}</dd>"
               f"<dt>日付</dt><dd>{escape(wareki(m.date))}</dd>"
               f"<dt>状態</dt><dd>{escape(status)}</dd>"
               "</dl>",
               '<h2 class="list-heading">目次</h2>',
               '<ul class="index-toc">']
        for top in self.top:
            out.append(f'<li><a href="{attr(top.filename)}"><span class="num">{escape(top.number)}</span>'
                       f"{escape(top.title)}</a>")
            if top.children:
                out.append("<ul>")
                for sub in top.children:
                    out.append(f'<li><a href="{attr(sub.filename)}"><span class="num">{escape(sub.number)}</span>'
                               f"{escape(sub.title)}</a>")
                    items = self._in_page_items(sub)
                    if items and sub.kind == "chapter":
                        out.append("<ul>" + items + "</ul>")
                    out.append("</li>")
                out.append("</ul>")
            out.append("</li>")
        out.append("</ul>")
        extra = ['<li><a href="search.html">サイト内検索</a>（語句で項目を探す）</li>']
        if self.extra_pages:
            for p, _ in self.extra_pages:
                extra.append(f'<li><a href="{attr(p.filename)}">{escape(p.title)}</a></li>')
        out.append('<h2 class="list-heading">その他のページ</h2>')
        out.append('<ul class="page-list plain">' + "".join(extra) + "</ul>")
        out.append('<h2 class="list-heading">この版の読み方</h2>'
                   '<ul class="bullets">'
                   "<li>項目の番号（第2編第2章 6.2.(1)① など）は位置から付けられ、改定で項目が増減すると変わる。"
                   "各項目の見出しの横の「#」は、番号が変わっても変わらない固定リンクである。</li>"
                   "<li>〔 〕で囲んだ網掛けの語句は、各団体が自らの名称等に置き換える語句である。</li>"
                   "<li>「統一基準との対応」は、政府機関等のサイバーセキュリティ対策のための統一基準の項目との関係を示す。</li>"
                   "</ul>")
        return "\n".join(out)

    def _search_main(self) -> str:
        return (
            '<h1 class="page-title">サイト内検索</h1>\n'
            '<form class="search-form" id="search-form" action="search.html" method="get" role="search" '
            'aria-label="本文の検索">\n'
            '<label for="q">検索する語句</label>\n'
            '<div class="search-row"><input type="search" id="q" name="q" autocomplete="off" '
            'aria-describedby="search-help">'
            '<button type="submit">検索</button></div>\n'
            '<p id="search-help" class="help">見出しと本文・解説から探す。空白で区切ると、すべての語句を含む項目を探す。</p>\n'
            "</form>\n"
            '<p id="search-status" class="search-status" role="status" aria-live="polite"></p>\n'
            '<ol id="search-results" class="search-results"></ol>\n'
            '<noscript><p class="search-status">検索にはJavaScriptが必要です。'
            '<a href="index.html">目次</a>から項目を探してください。</p></noscript>'
        )

    # navigation ----------------------------------------------------------------------------------------------------
    def _in_page_items(self, page: Page) -> str:
        clause = page.clause
        if clause is None or page.kind not in ("chapter", "part"):
            return ""
        kids = [c for c in clause.children if c.level != 2]
        return "".join(f'<li><a href="{attr(page.filename)}#{attr(c.id)}"><span class="num">{escape(c.number)}</span>'
                       f"{escape(c.heading)}</a></li>" for c in kids)

    def _nav_link(self, page: Page, current: Page) -> str:
        cur = ' aria-current="page"' if page is current else ""
        num = f'<span class="num">{escape(page.number)}</span>' if page.number else ""
        return f'<a href="{attr(page.filename)}"{cur}>{num}{escape(page.title)}</a>'

    def nav_html(self, current: Page) -> str:
        out = ['<ul class="toc-list">', f"<li>{self._nav_link(self.index, current)}</li>"]
        for top in self.top:
            out.append(f"<li>{self._nav_link(top, current)}")
            if top is current and top.kind == "part":
                items = self._in_page_items(top)
                if items:
                    out.append(f'<ul class="in-page">{items}</ul>')
            if top.children:
                out.append("<ul>")
                for sub in top.children:
                    out.append(f"<li>{self._nav_link(sub, current)}")
                    if sub is current:
                        items = self._in_page_items(sub)
                        if items:
                            out.append(f'<ul class="in-page">{items}</ul>')
                    out.append("</li>")
                out.append("</ul>")
            out.append("</li>")
        for page, _ in self.extra_pages:
            out.append(f"<li>{self._nav_link(page, current)}</li>")
        out.append(f"<li>{self._nav_link(self.search, current)}</li>")
        out.append("</ul>")
        return "\n".join(out)

    def breadcrumbs(self, page: Page) -> list[dict]:
        chain = []
        p: Page | None = page
        while p is not None:
            chain.append(p)
            p = p.parent
        crumbs = [] if page is self.index else [self.index]
        crumbs.extend(reversed(chain))
        return [{"href": c.filename, "label": "トップ" if c is self.index else c.label, "current": c is page}
                for c in crumbs]

    # rendering -----------------------------------------------------------------------------------------------------
    def render_page(self, page: Page, main_html: str, scripts: tuple[str, ...] = ()) -> str:
        """Wrap ``main_html`` in the site's page template (header, table of contents, breadcrumbs, footer).

        When ``main_html`` holds no ``<h1``, the page title is put in front of it as the h1; content headings then
        start at h2.
        """
        if "<h1" not in main_html:
            main_html = f'<h1 class="page-title">{escape(page.title)}</h1>\n{main_html}'
        prev = nxt = None
        if page in self.sequence:
            i = self.sequence.index(page)
            prev = self.sequence[i - 1] if i > 0 else None
            nxt = self.sequence[i + 1] if i + 1 < len(self.sequence) else None
        m = self.meta
        if page is self.index:
            title_parts = []
        elif page.kicker and page.parent is not None and page.parent.number:
            title_parts = [page.parent.number + page.label]  # 第2編第2章 情報セキュリティ対策基準
        else:
            title_parts = [page.label]
        title_parts.append(m.display_name + (STATUS_TITLE["案"] if m.status == "案" else ""))
        return self._template.render(
            title=" | ".join(title_parts),
            edition=m,
            date_ja=wareki(m.date),
            draft=m.status == "案",
            nav=self.nav_html(page),
            breadcrumbs=self.breadcrumbs(page),
            kicker=page.kicker,
            main=main_html,
            prev={"href": prev.filename, "label": prev.label} if prev else None,
            next={"href": nxt.filename, "label": nxt.label} if nxt else None,
            header_search=page is not self.search,
            scripts=scripts,
            asset_dir=ASSET_DIR,
            version=__version__,
        )

    def _load_nisc_pages(self) -> None:
        if self._nisc_pages is None:
            return
        for filename, title, main_html in self._nisc_pages(self.edition, self.href_for):
            if filename in self._taken and filename != NISC_PAGE:
                clash = next((cid for cid, f in self.page_of.items() if f == filename), filename)
                clause = self.edition.get(clash)
                where = f"{clause.loc}: " if clause is not None else ""
                raise UserError(f"{where}the page {filename} of the NISC index clashes with a page of the site; "
                                f"choose another clause ID than {clash!r}")
            self._taken.add(filename)
            self.extra_pages.append((Page(filename, title, kind="extra"), main_html))

    def search_docs(self) -> list[search_index.SearchDoc]:
        docs = []
        ed = self.edition
        for clause in ed.clauses():
            text = block_text(clause.body + clause.footnotes, ed, clause)  # figure captions and 注 are found too
            docs.append(search_index.SearchDoc(self.href_for(clause.id), clause.address, clause.heading, text))
        for clause in ed.clauses():
            href = self.commentary_href(clause.id)
            if href and clause.commentary:
                text = block_text(clause.commentary, ed, clause)
                docs.append(search_index.SearchDoc(href, self.commentary_label(clause), clause.heading, text, "解説"))
        return docs

    def render_all(self) -> dict[str, bytes]:
        """Every file of the site: relative path → content."""
        self._load_nisc_pages()
        files: dict[str, str | bytes] = {}
        files[self.index.filename] = self.render_page(self.index, self._index_main())
        for page in self.sequence[1:]:
            if page.kind == "part":
                main = self._part_main(page)
            elif page.kind == "chapter":
                main = self.clause_html(page.clause, -1, page.filename)
            elif page.kind == "kaisetsu":
                main = self._kaisetsu_main(page)
            else:  # kaisetsu-chapter
                main = self.clause_html(page.clause, -1, page.filename, commentary=True)
            files[page.filename] = self.render_page(page, main)
        for page, main in self.extra_pages:
            files[page.filename] = self.render_page(page, main)
        files[self.search.filename] = self.render_page(
            self.search, self._search_main(),
            scripts=(f"{ASSET_DIR}/{SEARCH_INDEX_FILE}", f"{ASSET_DIR}/search.js"))
        files[f"{ASSET_DIR}/{SEARCH_INDEX_FILE}"] = search_index.to_js(search_index.build(self.search_docs()))
        for name in ASSETS:
            files[f"{ASSET_DIR}/{name}"] = (stylesheet("site/site.css").encode("utf-8") if name == "site.css"
                                            else (templates_dir() / "site" / name).read_bytes())
        for asset in self.edition.assets.values():  # checked static by the reader; shown only through <img>
            files[figure_file(asset)] = asset.data
        return {k: (v.encode("utf-8") if isinstance(v, str) else v) for k, v in sorted(files.items())}


def render_page(edition: Edition, filename: str, title: str, main_html: str, site: Site | None = None) -> str:
    """One page of ``edition``'s site around ``main_html`` (for pages written by other modules)."""
    site = site or Site(edition, nisc_pages=None)
    return site.render_page(Page(filename, title), main_html)


def href_map(edition: Edition) -> Callable[[str], str]:
    """clause ID → ``<page>.html#<id>`` as used by the site."""
    return Site(edition, nisc_pages=None).href_for


def write(edition: Edition, out_dir: Path) -> list[Path]:
    files = Site(edition).render_all()
    target = Path(out_dir) / SITE_DIR
    with atomic_directory(target) as tmp:
        for rel, data in files.items():
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            path.chmod(0o644)
        (tmp / ASSET_DIR).chmod(0o755)
        if (tmp / "figures").is_dir():
            (tmp / "figures").chmod(0o755)
    return [target / rel for rel in files]
