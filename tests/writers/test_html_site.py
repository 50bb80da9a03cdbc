"""The multi-page HTML site: page plan, permalinks, links, search, accessibility (axe-core in headless Chromium),
atomic and reproducible output.

r5-03 and the fixture edition are each built once per module through ``guideline build --format html``.
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import os
import pathlib
import re
import shutil
import threading
import urllib.parse
from pathlib import Path

import pytest
from browser import Chromium, describe
from conftest import REPO, SRC, replace_in
from lxml import html as lxml_html

from guideline import editions
from guideline.commands.build import build
from guideline.diagnostics import UserError
from guideline.writers.edition import html_site, search_index



@contextlib.contextmanager
def source_root(src: Path):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GUIDELINE_SRC", str(src))
        yield


def build_site(spec: str, src: Path, out: Path) -> Path:
    with source_root(src):
        build(spec, ["html"], out, quiet=True)
    return out / editions.load_or_fail(spec, src).meta.id / "site"


def load(spec: str, src: Path):
    with source_root(src):
        return editions.load_or_fail(spec, src)


@pytest.fixture(scope="module")
def r503(tmp_path_factory) -> Path:
    return build_site("r5-03", REPO / "guideline_src", tmp_path_factory.mktemp("r503"))


@pytest.fixture(scope="module")
def r503_edition():
    return load("r5-03", REPO / "guideline_src")


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return build_site("base", SRC, tmp_path_factory.mktemp("base"))


@pytest.fixture(scope="module")
def base_edition():
    return load("base", SRC)


def pages(site: Path) -> list[Path]:
    return sorted(site.glob("*.html"))


@functools.lru_cache(maxsize=None)
def _parse(path: str, mtime: float):
    return lxml_html.parse(path).getroot()


def parse(path: Path):
    return _parse(str(path), path.stat().st_mtime)


@functools.lru_cache(maxsize=None)
def _ids(path: str, mtime: float) -> frozenset[str]:
    return frozenset(_parse(path, mtime).xpath("//@id"))


def ids_of(path: Path) -> frozenset[str]:
    return _ids(str(path), path.stat().st_mtime)


# --------------------------------------------------------------------------------------------------------------------
# page plan


def test_fixture_site_pages_and_assets(base, base_edition):
    names = sorted(p.name for p in pages(base))
    assert names == sorted(["gen-purpose.html", "general.html", "index.html", "kaisetsu-standards.html",
                            "kaisetsu.html", "nisc.html", "policy.html", "search.html", "standards.html"])
    assert sorted(p.name for p in (base / "assets").iterdir()) == ["search-index.js", "search.js", "site.css", "site.js"]
    assert (base.parent / "guideline.html").is_file()  # the single page is still built beside the site
    # the 章 page holds the whole 章, the 編 page lists its 章
    standards = parse(base / "standards.html")
    assert standards.xpath("//h1")[0].text_content() == "第1章対策基準"
    assert {"org", "org-ciso", "tech-dynamic-owner"} <= ids_of(base / "standards.html")
    policy = parse(base / "policy.html")
    assert policy.xpath("//main//a[@href='standards.html']")
    # 解説 part: commentary only, under the 例文 numbers, with c.<id> anchors and links back to the 例文
    kaisetsu = parse(base / "kaisetsu-standards.html")
    assert kaisetsu.xpath("//*[@id='c.org-ciso']//div[@class='commentary']")[0].text_content().strip() == \
        "CISOは、最終的な権限と責任を有する。"
    assert kaisetsu.xpath("//*[@id='c.org-ciso']//a[@href='standards.html#org-ciso']")
    assert "c.org-committee" not in ids_of(base / "kaisetsu-standards.html")  # no commentary, no 解説 entry
    assert standards.xpath("//*[@id='org-ciso']//a[@href='kaisetsu-standards.html#c.org-ciso']")
    # title of the 章 page carries the 編
    assert parse(base / "standards.html").findtext(".//title").startswith("第2編第1章 対策基準 | テスト用ガイドライン")


def test_r503_has_one_page_per_chapter(r503, r503_edition):
    names = {p.name for p in pages(r503)}
    chapters = [c for part in r503_edition.parts for c in part.children if c.level == 2]
    assert len(chapters) == 5
    assert {f"{c.id}.html" for c in chapters} <= names
    assert {f"{p.id}.html" for p in r503_edition.parts} <= names
    assert {"kaisetsu.html", "kaisetsu-basic-policy.html", "kaisetsu-standards.html", "index.html",
            "search.html"} <= names
    # reading order: previous/next links chain index → … → last 解説 page
    seq, page = [], "index.html"
    while page:
        seq.append(page)
        nxt = parse(r503 / page).xpath("//nav[@class='pager']//a[@rel='next']/@href")
        page = nxt[0] if nxt else None
    assert seq == ["index.html", "part-general.html", "gen-purpose-chapter.html", "gen-security-chapter.html",
                   "gen-management-chapter.html", "policy.html", "basic-policy.html", "standards.html",
                   "kaisetsu.html", "kaisetsu-basic-policy.html", "kaisetsu-standards.html"]
    for prev, here in zip(seq, seq[1:]):
        assert parse(r503 / here).xpath("//nav[@class='pager']//a[@rel='prev']/@href") == [prev]


def test_every_clause_resolves_on_its_page(r503, r503_edition):
    site = html_site.Site(r503_edition, nisc_pages=None)
    seen: dict[str, str] = {}
    for page in pages(r503):
        for ident in parse(page).xpath("//main//section/@id"):
            assert ident not in seen, f"{ident} on {page.name} and {seen[ident]}"
            seen[ident] = page.name
    for clause in r503_edition.clauses():
        href = site.href_for(clause.id)
        name, _, frag = href.partition("#")
        assert frag == clause.id and seen.get(clause.id) == name, clause.id
        assert parse(r503 / name).xpath(f"//section[@id='{clause.id}']//*[contains(@class,'clause-heading')]")
        if clause.commentary and r503_edition.reibun.id in {a.id for a in r503_edition.ancestors(clause.id)}:
            target = site.commentary_href(clause.id)
            assert target and seen.get("c." + clause.id) == target.partition("#")[0], clause.id
    assert len([i for i in seen if not i.startswith("c.")]) == 264


def _links(site: Path):
    for page in pages(site):
        root = parse(page)
        for el, attr_name in [(e, "href") for e in root.xpath("//*[@href]")] + [(e, "src") for e in root.xpath("//*[@src]")]:
            yield page, el.get(attr_name)


def check_links(site: Path) -> int:
    checked = 0
    for page, href in _links(site):
        parts = urllib.parse.urlsplit(href)
        assert parts.scheme in ("", "http", "https", "mailto"), f"{page.name}: {href}"
        if parts.scheme:
            continue
        target = site / urllib.parse.unquote(parts.path) if parts.path else page
        frag = urllib.parse.unquote(parts.fragment)
        assert target.is_file(), f"{page.name}: broken link {href}"
        if frag:
            assert frag in ids_of(target), f"{page.name}: {href}: no id {frag!r} in {target.name}"
        checked += 1
    return checked


def test_no_broken_internal_links(r503, base):
    assert check_links(r503) > 600
    assert check_links(base) > 50
    # cross-references and NISC mappings are links
    standards = parse(base / "standards.html")
    assert standards.xpath("//*[@id='org-committee']//a[@class='xref'][@href='standards.html#org-ciso']")[0] \
        .text_content() == "1.(1)"
    assert standards.xpath("//*[@id='tech-dynamic-owner']//a[@class='xref']/@href") == ["gen-purpose.html#gen-purpose"]
    assert standards.xpath("//*[@id='org-ciso']//div[@class='nisc']//a/@href") == ["nisc.html#nisc-2.1.1(1)(a)"]


def test_nisc_pages_are_wrapped_and_resolve(base, base_edition):
    nisc = parse(base / "nisc.html")
    assert nisc.xpath("//nav[@aria-label='目次']") and nisc.xpath("//main") and nisc.xpath("//footer")
    assert len(nisc.xpath("//h1")) == 1
    ids = ids_of(base / "nisc.html")
    for mapping_id in ("2.1.1(1)(a)", "2.1.1(2)(a)", "7.3.1(1)(a)"):
        assert f"nisc-{mapping_id}" in ids


# --------------------------------------------------------------------------------------------------------------------
# structure for accessibility (checked statically on every page; axe below checks the rendered pages)


def test_page_structure_on_every_page(r503, base):
    for site in (r503, base):
        titles = [parse(page).findtext(".//title") for page in pages(site)]
        assert len(set(titles)) == len(titles), "page titles must tell the pages apart"
        for page in pages(site):
            root = parse(page)
            assert root.get("lang") == "ja"
            assert len(root.xpath("//header[@class='site-header']")) == 1
            assert root.xpath("//nav[@aria-label='目次']//details/summary")
            assert len(root.xpath("//main[@id='main']")) == 1 and len(root.xpath("//footer")) == 1
            assert root.xpath("//a[@class='skip-link']/@href") == ["#main"]
            assert len(root.xpath("//h1")) == 1, page.name
            levels = [int(h.tag[1]) for h in root.xpath("//main//*[self::h1 or self::h2 or self::h3 or self::h4 or "
                                                         "self::h5 or self::h6]")]
            assert levels[0] == 1
            for a, b in zip(levels, levels[1:]):
                assert b <= a + 1, f"{page.name}: heading h{a} followed by h{b}"
            assert all(th.get("scope") for th in root.xpath("//th")), page.name
            assert root.xpath("//p[@class='sample-notice']"), page.name  # both editions are sample text
            assert "案" not in root.xpath("string(//p[@class='edition-line'])")
            assert root.xpath("//main//h1")  # the page title is inside main


def test_draft_status_is_shown(src_copy, tmp_path):
    replace_in(src_copy / "editions" / "base" / "edition.yaml", "status: 確定", "status: 案")
    site = build_site("base", src_copy, tmp_path)
    for page in pages(site):
        root = parse(page)
        assert root.xpath("string(//span[@class='status'])") == "案"
        assert root.xpath("//p[@class='draft-notice']")
        assert "（案）" in root.findtext(".//title")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """The fixture edition with markup in a heading and in the text."""
    src = tmp_path_factory.mktemp("hostile") / "guideline_src"
    shutil.copytree(SRC, src)
    a = src / "editions" / "base" / "a.md"
    replace_in(a, "## 目的 {#gen-purpose}", "## 目的<script>window.pwned=1</script> {#gen-purpose}")
    replace_in(a, "本ガイドラインの目的を定める。", "本ガイドラインの<img src=x onerror=window.pwned=2>目的を定める。")
    return build_site("base", src, src.parent / "out")


def test_untrusted_text_is_escaped(hostile):
    for path in pages(hostile):
        text = path.read_text(encoding="utf-8")
        assert "<script>window" not in text and "<img src=x" not in text, path.name
    assert "&lt;img src=x onerror=window.pwned=2&gt;" in (hostile / "gen-purpose.html").read_text(encoding="utf-8")
    assert parse(hostile / "gen-purpose.html").xpath("string(//h1)") == "第1章目的<script>window.pwned=1</script>"
    # in the search index the text is JSON string data; "</" cannot close a script element
    assert "</" not in (hostile / "assets" / "search-index.js").read_text(encoding="utf-8")
    assert "目的<script>window.pwned=1</script>" in [d[2] for d in _index(hostile)["docs"]]


def test_page_names_never_clash_with_site_pages(src_copy, tmp_path):
    for path in (src_copy / "editions" / "base").glob("*.md"):
        text = path.read_text(encoding="utf-8").replace("{#gen-purpose}", "{#search}")
        path.write_text(text.replace("(#gen-purpose)", "(#search)").replace("{#standards}", "{#kaisetsu}"),
                        encoding="utf-8")
    site = build_site("base", src_copy, tmp_path)
    assert parse(site / "search.html").xpath("//input[@id='q']")  # still the search page
    assert parse(site / "search-2.html").xpath("//section[@id='search']")
    assert parse(site / "kaisetsu-2.html").xpath("//section[@id='kaisetsu']")
    assert parse(site / "kaisetsu.html").xpath("//section[@id='c.policy']")
    assert parse(site / "kaisetsu-2.html").xpath("//a[@class='xref'][@href='search-2.html#search']")


# --------------------------------------------------------------------------------------------------------------------
# reproducible and atomic output


def test_two_builds_are_byte_identical(r503, tmp_path):
    again = build_site("r5-03", REPO / "guideline_src", tmp_path)

    def tree(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    first, second = tree(r503), tree(again)
    assert first.keys() == second.keys() and len(first) >= 16
    assert [k for k in first if first[k] != second[k]] == []


def test_failed_build_leaves_previous_site_intact(base_edition, tmp_path, monkeypatch):
    out = tmp_path / "out"
    html_site.write(base_edition, out)
    before = {p.name: p.read_bytes() for p in (out / "site").glob("*.html")}
    calls = {"n": 0}
    real = pathlib.Path.write_bytes

    def dying_write(self, data):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt  # a build killed half-way through writing the site
        return real(self, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", dying_write)
    with pytest.raises(KeyboardInterrupt):
        html_site.write(base_edition, out)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in (out / "site").glob("*.html")} == before
    assert sorted(p.name for p in out.iterdir() if not p.name.endswith(".lock")) == ["site"]  # no temp dir left


def test_nisc_page_clash_is_a_user_error(base_edition):
    def pages(edition, href):
        return [("nisc.html", "統一基準との対応", "<p>x</p>"), ("standards.html", "y", "<p>y</p>")]

    with pytest.raises(UserError, match=r"a\.md:\d+: the page standards\.html of the NISC index clashes"):
        html_site.Site(base_edition, nisc_pages=pages).render_all()


# --------------------------------------------------------------------------------------------------------------------
# search index (Python reference implementation of search.js)


def _index(site: Path) -> dict:
    import json

    text = (site / "assets" / "search-index.js").read_text(encoding="utf-8")
    prefix = f"window.{search_index.GLOBAL_NAME}="
    assert text.startswith(prefix) and text.endswith(";\n")
    return json.loads(text[len(prefix):-2])


def test_search_index_finds_japanese_words(r503):
    index = _index(r503)

    def hrefs(query: str) -> list[str]:
        return [index["docs"][n][0] for n in search_index.search(index, query)]

    confidentiality = hrefs("機密性")
    assert "basic-policy.html#bp-def-confidentiality" in confidentiality
    assert "standards.html#asset-classification" in confidentiality
    assert any(h.startswith("kaisetsu-standards.html#c.") for h in confidentiality)  # 解説 is searched too
    password = hrefs("パスワード")
    assert "standards.html#hr-password-management" in password
    assert hrefs("ﾊﾟｽﾜｰﾄﾞ") == password  # half-width katakana is normalised (NFKC)
    assert hrefs("機密性 パスワード") == [h for h in confidentiality if h in password]
    assert hrefs("ゼロトラスト砂漠の蜃気楼") == [] and hrefs("qqxxzz") == []
    # bigram AND match alone would accept this ("報セ" and "セキ" both occur), the substring check does not
    assert hrefs("情報セキュリティ対策基準ではない") == []


def test_search_finds_a_katakana_word_added_to_a_clause(src_copy, tmp_path):
    b = src_copy / "editions" / "base" / "b.md"
    replace_in(b, "アクセスの都度、信用情報を評価する。", "ゼロトラストの考え方に基づき、アクセスの都度、信用情報を評価する。")
    index = _index(build_site("base", src_copy, tmp_path))
    hits = [index["docs"][n][0] for n in search_index.search(index, "ゼロトラスト")]
    assert hits == ["standards.html#tech-dynamic"]
    assert [index["docs"][n][0] for n in search_index.search(index, "ｾﾞﾛﾄﾗｽﾄ")] == hits
    assert search_index.search(index, "ゼロトラストネットワーク") == []


def test_search_index_format_and_size(r503, r503_edition):
    index = _index(r503)
    assert index["v"] == 1
    n_commentary = sum(1 for c in r503_edition.clauses() if c.commentary)
    assert len(index["docs"]) == 264 + n_commentary
    assert search_index.decode_postings(search_index.encode_postings([0, 3, 40, 1295])) == [0, 3, 40, 1295]
    assert all(" " not in g and len(g) == 2 for g in index["grams"])
    size = (r503 / "assets" / "search-index.js").stat().st_size
    assert 50_000 < size < 600_000


# --------------------------------------------------------------------------------------------------------------------
# in the browser


@pytest.fixture(scope="module")
def chromium():
    with Chromium() as browser:
        yield browser


@pytest.mark.needs_chromium
def test_axe_harness_reports_violations(chromium, tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><title>x</title></head><body><main><p style="color:#bbb">薄い文字</p>'
                   '<img src="x.png"><h3>見出し</h3></main></body></html>', encoding="utf-8")
    ids = {v["id"] for v in chromium.axe_violations(bad)}
    assert {"html-has-lang", "color-contrast", "image-alt"} <= ids


@pytest.mark.needs_chromium
def test_axe_finds_no_wcag_aa_violations_on_any_page(chromium, r503, base):
    targets = pages(base) + pages(r503)
    results = chromium.axe_violations_many(targets)
    failures = [f"{path.parent.parent.name}/{path.name}:\n{describe(v)}" for path, v in zip(targets, results) if v]
    assert not failures, "\n".join(failures)
    assert len(results) == len(targets) >= 20


def _results(page) -> list[str]:
    page.wait_for_function("document.getElementById('search-status').textContent !== ''")
    return page.eval_on_selector_all("#search-results li > a", "els => els.map(e => e.getAttribute('href'))")


@pytest.mark.needs_chromium
def test_search_in_browser_from_file_url(chromium, r503):
    page = chromium.open_page(r503 / "standards.html")
    try:
        # the header search box on any page leads to the search page with the query
        page.fill("#site-search-q", "機密性")
        page.press("#site-search-q", "Enter")
        page.wait_for_url(re.compile(r"search\.html\?q="))
        hits = _results(page)
        assert "basic-policy.html#bp-def-confidentiality" in hits and "standards.html#asset-classification" in hits
        first = page.locator("#search-results li").first
        assert first.locator(".result-num").inner_text().startswith("第2編")
        # typing a new query with the keyboard and pressing Enter
        page.fill("#q", "")
        page.focus("#q")
        page.keyboard.type("パスワード")
        page.keyboard.press("Enter")
        page.wait_for_function("document.getElementById('search-status').textContent.includes('パスワード')")
        hits = _results(page)
        assert "standards.html#hr-password-management" in hits
        assert page.locator("#search-results mark").first.inner_text() == "パスワード"
        assert page.inner_text("#search-status") == f"「パスワード」を含む項目：{len(hits)}件"
        # half-width katakana finds the same (NFKC in the browser too)
        assert page.evaluate("q => window.guidelineSearch(q)", "ﾊﾟｽﾜｰﾄﾞ") == hits
        # the results agree with the Python reference implementation
        index = _index(r503)
        assert hits == page.evaluate("q => window.guidelineSearch(q)", "パスワード")
        assert sorted(hits) == sorted(index["docs"][n][0] for n in search_index.search(index, "パスワード"))
        # nonsense finds nothing
        page.fill("#q", "砂漠の蜃気楼ゼロ")
        page.press("#q", "Enter")
        page.wait_for_function("document.getElementById('search-status').textContent.includes('見つかりませんでした')")
        assert _results(page) == []
        # a result link leads to the clause
        page.fill("#q", "パスワードの管理")
        page.press("#q", "Enter")
        page.wait_for_function("document.getElementById('search-status').textContent.includes('パスワードの管理')")
        page.click("#search-results a[href='standards.html#hr-password-management']")
        page.wait_for_url(re.compile(r"standards\.html#hr-password-management$"))
        assert page.evaluate("document.getElementById('hr-password-management').getBoundingClientRect().top") < 50
        assert page.js_errors == []
    finally:
        page.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.needs_chromium
def test_search_in_browser_over_http(chromium, r503):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(_QuietHandler, directory=str(r503)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        page = chromium.open_page(f"http://127.0.0.1:{server.server_address[1]}/search.html?q=%E6%A9%9F%E5%AF%86%E6%80%A7")
        try:
            assert "basic-policy.html#bp-def-confidentiality" in _results(page)
            assert page.input_value("#q") == "機密性"
            assert page.js_errors == []
        finally:
            page.close()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.needs_chromium
def test_search_results_show_markup_as_text(chromium, hostile):
    page = chromium.open_page(hostile / "search.html?q=pwned")
    try:
        assert _results(page) == ["gen-purpose.html#gen-purpose"]
        assert page.inner_text("#search-results a") == "第1編第1章目的<script>window.pwned=1</script>"
        assert "<img src=x onerror=window.pwned=2>" in page.inner_text("#search-results .snippet")
        page.wait_for_timeout(100)
        assert page.evaluate("window.pwned") is None and page.locator("#search-results img").count() == 0
    finally:
        page.close()


@pytest.mark.needs_chromium
def test_toc_collapses_on_phones_and_opens_with_the_keyboard(chromium, base):
    page = chromium.open_page(base / "standards.html", viewport=(390, 844))
    try:
        assert page.evaluate("document.getElementById('toc-details').open") is False
        assert not page.is_visible("nav.toc a[href='gen-purpose.html']")
        page.focus("summary.toc-summary")
        page.keyboard.press("Enter")
        assert page.evaluate("document.getElementById('toc-details').open") is True
        assert page.is_visible("nav.toc a[href='gen-purpose.html']")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, "the page scrolls sideways on a phone"
    finally:
        page.close()
    page = chromium.open_page(base / "standards.html", viewport=(1280, 900))
    try:
        assert page.evaluate("document.getElementById('toc-details').open") is True
        toc = page.locator("nav.toc").bounding_box()
        main = page.locator("main").bounding_box()
        assert toc["x"] + toc["width"] <= main["x"]  # table of contents beside the text
    finally:
        page.close()


@pytest.mark.needs_chromium
def test_skip_link_and_visible_focus(chromium, base):
    page = chromium.open_page(base / "standards.html")
    try:
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        box = page.locator(".skip-link").bounding_box()
        assert box["y"] >= 0 and box["x"] >= 0  # on screen once focused
        style = page.evaluate("getComputedStyle(document.activeElement).outlineStyle + ' ' + "
                              "getComputedStyle(document.activeElement).borderStyle")
        assert style != "none none"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        page.focus("a.xref")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"
    finally:
        page.close()


@pytest.mark.needs_chromium
def test_print_layout_shows_the_text_only(chromium, r503, tmp_path):
    page = chromium.open_page(r503 / "standards.html")
    try:
        page.emulate_media(media="print")
        assert not page.is_visible("nav.toc") and not page.is_visible("form.header-search")
        assert not page.is_visible("nav.pager") and page.is_visible("p.sample-notice")
        assert page.is_visible("#org-ciso")
        main = page.locator("main").bounding_box()
        assert main["x"] < 40  # the text uses the full width of the paper
    finally:
        page.close()


@pytest.mark.needs_chromium
def test_screenshot(chromium, r503, tmp_path):
    """A picture for people to look at (kept in build/ when GUIDELINE_KEEP_SCREENSHOTS is set)."""
    out = Path(os.environ.get("GUIDELINE_KEEP_SCREENSHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    page = chromium.open_page(r503 / "standards.html")
    try:
        page.screenshot(path=str(out / "site-standards.png"))
    finally:
        page.close()
    data = (out / "site-standards.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    if "GUIDELINE_KEEP_SCREENSHOTS" not in os.environ:
        shutil.rmtree(tmp_path, ignore_errors=True)
