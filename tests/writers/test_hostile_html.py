"""Hostile content is inert in every HTML output (issue 9).

An edition whose clause text, headings, metadata (rationale, note, tags), table cells, 解説, edition.yaml fields and
NISC catalog headings carry script, event-handler, ``javascript:`` URL and CSS payloads passes ``guideline check``
(raw HTML is shown as text, by design) and is built with ``--format html``. Then every output page
(``guideline.html`` and ``site/*.html``) is parsed with lxml and must hold no <script> but the site's own external
scripts, no ``on*`` attribute, no ``javascript:``/``data:`` URL, no <style> but our stylesheet, no ``style``
attribute, no element smuggled in from the input (img, svg, iframe, object, ...), while the payload text itself is
still there, as text. Finally headless Chromium loads the pages (and the search page with payloads as queries) with
a dialog handler: no alert may fire and no smuggled element may appear in the live DOM.

``[x](javascript:...)`` links are refused by ``guideline check`` (see the md-javascript-links case of
tests/fixtures/malformed), so they never reach a writer.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest
from conftest import REPO

from guideline import editions
from guideline.commands.build import build
from guideline.render_html import stylesheet, templates_dir
CHROMIUM = "/usr/bin/chromium"
OWN_SCRIPTS = {"site.js", "search.js", "search-index.js"}
SMUGGLED = {"img", "svg", "iframe", "object", "embed", "math", "mglyph", "mtext", "frame", "frameset", "base",
            "audio", "video", "marquee", "b"}  # none of these is in our templates
URL_ATTRS = {"href", "src", "action", "formaction", "data", "poster", "background", "xlink:href", "srcset"}
BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|data):", re.I)

EDITION_YAML = """\
id: hostile
title: '</title><script>alert("title")</script><style>body{display:none}</style>'
label: '<img src=x onerror=alert("label")>'
date: 2024-10-02
status: 案
sample: true
nisc_catalog: hostile-cat
reibun_part: policy
commentary_title: '</style><script>alert("commentary-title")</script>'
files:
  - a.md
"""

CATALOG = """\
catalog: hostile-cat
title: '<script>alert("catalog-title")</script>'
edition: '<img src=x onerror=alert("catalog-edition")>'
items:
  - {id: "2", kind: 部, heading: '<script>alert("nisc-part")</script>'}
  - {id: "2.1", kind: 節, heading: '<style>*{display:none}</style>', parent: "2"}
  - {id: "2.1.1", kind: 款, heading: '" onmouseover="alert(1)', parent: "2.1"}
  - {id: "2.1.1(1)", kind: 対策項目, heading: '<svg onload=alert("nisc-item")>', parent: "2.1.1"}
  - {id: "2.1.1(1)(a)", kind: 遵守事項, heading: "", parent: "2.1.1(1)"}
"""

SOURCE = """\
# 総則 <script>alert("h1")</script> {#general}

## <img src=x onerror=alert("h2")> 目的 {#purpose}

```yaml
nisc:
  - id: 2.1.1(1)(a)
    relationship: subset-of
    rationale: '<script>alert("rationale")</script><a href="javascript:alert(1)">x</a>'
note: '<script>alert("note")</script>'
tags: ['<svg onload=alert("tag")>']
```

<script>alert("body")</script>と<img src=x onerror=alert("img")>と<a href="javascript:alert('a')">リンク</a>。

<style>body{display:none}</style></style><script>alert("css")</script>

<div style="position:fixed;top:0;width:100%;height:100%;background:red" onclick="alert('div')">覆い</div>

**<b onmouseover=alert("b")>強調</b>** `<script>alert("code")</script>` {{<script>alert(7)</script>}}

[<script>alert("linktext")</script>](https://example.jp/"onmouseover="alert('q'))

[相互参照<img src=x onerror=alert("xref")>](#purpose)

| <script>alert("th")</script> | <iframe src="javascript:alert('iframe')"> |
|---|---|
| <img src=x onerror=alert("td")> | <style>*{color:red}</style> |

- <svg/onload=alert("li")>

1. <math><mtext><table><mglyph><style><img src=x onerror=alert("mxss")>

> <object data="javascript:alert('obj')"></object>

```html
<script>alert("fence")</script>
```

::: 解説
<script>alert("commentary")</script><img src=x onerror=alert("c2")>
:::

# 例文 {#policy}

## 対策基準 {#standards}

### 組織 <script>alert("h3")</script> {#org}

```yaml
nisc:
  - id: 2.1.1(1)(a)
    relationship: intersects-with
```

{{本市}}は<iframe srcdoc="<script>alert('srcdoc')</script>">を置く。

::: 解説
<script>alert("commentary-3")</script>
:::
"""

PAYLOAD_TEXTS = ['<script>alert("body")</script>', '<img src=x onerror=alert("img")>', '<style>body{display:none}</style>',
                 '<div style="position:fixed', '<script>alert("th")</script>', '<script>alert("commentary-3")</script>']


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    src = root / "src"
    (src / "nisc").mkdir(parents=True)
    (src / "nisc" / "hostile-cat.yaml").write_text(CATALOG, encoding="utf-8")
    ed = src / "hostile"
    ed.mkdir()
    (ed / "edition.yaml").write_text(EDITION_YAML, encoding="utf-8")
    (ed / "a.md").write_text(SOURCE, encoding="utf-8")
    edition, report = editions.load(str(ed), src)
    assert edition is not None and not report.errors, [str(d) for d in report.items]
    out = root / "build"
    build(str(ed), ["html"], out, quiet=True)
    return out / "hostile"


def pages(built: Path) -> list[Path]:
    found = sorted(built.rglob("*.html"))
    assert built / "guideline.html" in found
    return found


def own_css() -> set[str]:
    """Our stylesheets as files and as pages inline them (render_html.stylesheet: one followed by the shared rules)."""
    files = sorted(templates_dir().rglob("*.css"))
    return {p.read_text(encoding="utf-8").strip() for p in files} | {
        stylesheet(str(p.relative_to(templates_dir()))).strip() for p in files}


def test_every_page_is_inert_when_parsed(built):
    css = own_css()
    checked = 0
    for page in pages(built):
        raw = page.read_text(encoding="utf-8")
        doc = lxml.html.document_fromstring(raw)
        where = page.relative_to(built)
        for el in doc.iter():
            if not isinstance(el.tag, str):
                continue
            tag = el.tag.lower()
            assert tag not in SMUGGLED, f"{where}: <{tag}> from the input became an element"
            for name, value in el.attrib.items():
                name = name.lower()
                assert not name.startswith("on"), f"{where}: <{tag} {name}={value!r}>"
                assert name != "style", f"{where}: <{tag} style={value!r}>"
                assert name != "srcdoc", f"{where}: <{tag} srcdoc>"
                if name in URL_ATTRS:
                    assert not BAD_SCHEME.match(value), f"{where}: <{tag} {name}={value!r}>"
            if tag == "script":
                src = el.get("src", "")
                assert src and Path(src).name in OWN_SCRIPTS and not (el.text or "").strip(), \
                    f"{where}: script {src!r} {el.text!r}"
            if tag == "style":
                assert (el.text or "").strip() in css, f"{where}: a <style> that is not our stylesheet"
            if tag == "meta" and el.get("http-equiv", "").lower() == "refresh":
                pytest.fail(f"{where}: meta refresh")
        # the payloads are still there, as text (shown, not dropped, not executed)
        if page.name == "guideline.html":
            text = doc.text_content()
            for payload in PAYLOAD_TEXTS:
                assert payload in text, f"{where}: {payload!r} is not shown as text"
            assert '</title><script>alert("title")</script>' in doc.findtext(".//title")
        checked += 1
    assert checked >= 2  # the single page and at least one page of the site


def test_search_index_keeps_payloads_as_data(built):
    index = built / "site" / "assets" / "search-index.js"
    assert index.is_file()
    text = index.read_text(encoding="utf-8")
    assert "alert(" in text  # the clause text is indexed ...
    # ... and as a JSON literal: the file parses as one assignment of JSON data
    m = re.match(r"^\s*window\.[A-Z_]+\s*=\s*(?P<json>.*?);?\s*$", text, re.S)
    assert m, text[:200]
    import json

    json.loads(m.group("json"))


@pytest.mark.needs_chromium
def test_no_alert_fires_in_chromium(built):
    from playwright import sync_api
    targets = [p.as_uri() for p in pages(built)]
    search = built / "site" / "search.html"
    if search.exists():
        for q in ("script", "alert", '<img src=x onerror=alert("q")>', "onerror", "</style>"):
            targets.append(search.as_uri() + "?q=" + quote(q))
    fired: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            context = browser.new_context(java_script_enabled=True)
            page = context.new_page()
            page.on("dialog", lambda d: (fired.append(f"{page.url}: {d.type} {d.message}"), d.dismiss()))
            for url in targets:
                page.goto(url, wait_until="load")
                if "search.html?q=" in url:
                    page.wait_for_function("document.getElementById('search-status') && "
                                           "document.getElementById('search-status').textContent.length > 0",
                                           timeout=10_000)
                page.wait_for_timeout(50)
                smuggled = page.evaluate("""() => document.querySelectorAll(
                    'img, svg, iframe, object, embed, math, [onerror], [onload], [onclick], [onmouseover], [style]'
                ).length""")
                assert smuggled == 0, f"{url}: {smuggled} smuggled elements in the live DOM"
                assert page.evaluate("getComputedStyle(document.body).display") != "none", url
                # hovering and clicking the payload text must not run anything either
                for loc in page.locator("main strong, main a").all()[:10]:
                    if loc.is_visible():
                        loc.hover()
            if search.exists():  # results were rendered from the payload-bearing index
                page.goto(search.as_uri() + "?q=" + quote("alert"), wait_until="load")
                page.wait_for_function("document.querySelectorAll('#search-results li').length > 0", timeout=10_000)
                assert 'alert("body")' in page.inner_text("#search-results") or \
                    "alert" in page.inner_text("#search-results")
        finally:
            browser.close()
    assert fired == []
