"""The NISC index page of the HTML site: the catalog tree, each NISC item with links to the guideline clauses mapped
to it, and the coverage of the 遵守事項 per 部 at a glance.

Contract with the site writer: ``pages(edition, href_for_clause)`` returns ``[(filename, title, main_html)]``; the
site wraps ``main_html`` in its template. Every NISC item has the anchor ``id="nisc-" + identifier`` verbatim
(``nisc-7.3.1(1)(a)``); ``href(nisc_id)`` gives the link to it for the back-links from clauses. All source text is
escaped.
"""
from __future__ import annotations

from html import escape
from typing import Callable

from guideline import xref
from guideline.model import Edition, NiscCatalog, NiscItem
from guideline.render_html import RELATIONSHIP_JA, attr
from guideline.writers.coverage.html import bar, summary_table

FILENAME = "nisc.html"
TITLE = "統一基準との対応"


def anchor(nisc_id: str) -> str:
    """The element id of a NISC item on the page."""
    return "nisc-" + nisc_id


def href(nisc_id: str, page: str = FILENAME) -> str:
    """The link to a NISC item from another page of the site (``page=""`` for a link within the NISC page)."""
    return f"{page}#{anchor(nisc_id)}"


def _clauses(maps: tuple[xref.MappedClause, ...], href_for_clause: Callable[[str], str]) -> str:
    items = []
    for m in maps:
        rel = escape(RELATIONSHIP_JA.get(m.relationship, m.relationship))
        label = escape(f"{m.address} {m.heading}".strip())
        rationale = f' <span class="rationale">{escape(m.rationale)}</span>' if m.rationale else ""
        items.append(f'<li><a href="{attr(href_for_clause(m.clause_id))}">{label}</a> '
                     f'<span class="rel" data-rel="{attr(m.relationship)}">（{rel}）</span>{rationale}</li>')
    return '<ul class="nisc-clauses">' + "".join(items) + "</ul>"


def _requirement(item: NiscItem, maps: tuple[xref.MappedClause, ...], href_for_clause: Callable[[str], str]) -> str:
    covered = any(m.counts for m in maps)
    state = "" if covered or item.kind != "遵守事項" else ' class="unmapped"'
    body = _clauses(maps, href_for_clause) if maps else '<span class="none">対応する条項なし</span>'
    return (f'<li id="{attr(anchor(item.id))}"{state}><span class="nisc-id">{escape(item.id)}</span> '
            f'<span class="nisc-kind">{escape(item.kind)}</span>{body}</li>')


def _measure(cat: NiscCatalog, item: NiscItem, index: dict, href_for_clause: Callable[[str], str]) -> str:
    out = [f'<li id="{attr(anchor(item.id))}"><span class="nisc-id">{escape(item.id)}</span> '
           f'<span class="nisc-heading">{escape(item.heading)}</span>']
    direct = index.get(item.id, ())
    if direct:
        out.append(_clauses(direct, href_for_clause))
    kids = [cat.by_id[k] for k in cat.children_of.get(item.id, ())]
    if kids:
        out.append('<ul class="nisc-requirements">'
                   + "".join(_requirement(k, index.get(k.id, ()), href_for_clause) for k in kids) + "</ul>")
    out.append("</li>")
    return "".join(out)


def _heading(item: NiscItem, level: int, index: dict, href_for_clause: Callable[[str], str],
             counts: xref.GroupCoverage | None = None) -> str:
    tag = f"h{min(level, 6)}"
    text = (f'<{tag} id="{attr(anchor(item.id))}"><span class="nisc-id">{escape(item.id)}</span> '
            f"{escape(item.heading)}</{tag}>")
    if counts is not None and counts.total:
        text += (f'<p class="nisc-count">遵守事項{counts.total}件中{counts.covered}件に対応'
                 f"（未対応{counts.uncovered}件） {bar(counts.covered, counts.total, f'{item.id} {item.heading}')}</p>")
    direct = index.get(item.id, ())
    if direct:
        text += '<p class="nisc-direct">この項目全体に対応づけられた条項：</p>' + _clauses(direct, href_for_clause)
    return text


def render_main(edition: Edition, href_for_clause: Callable[[str], str]) -> str:
    cat = xref.require_catalog(edition)
    index = xref.mapping_index(edition)
    cov = xref.coverage(edition)
    part_cov = {p.item.id: p for p in cov.parts}
    sec_cov = {s.item.id: s for p in cov.parts for s in p.sections}
    out = [f'<h1>{escape(TITLE)}</h1>',
           f'<p>{escape(cat.title)}（{escape(cat.edition)}）の項目と、それに対応づけられた本ガイドラインの条項。'
           f"遵守事項{cov.total}件のうち{cov.covered}件に対応する条項があり、{cov.uncovered}件にはない"
           "（「関係なし」だけの対応づけは数えない）。関係は「この条項は統一基準の項目の…」と読む。</p>",
           '<section class="nisc-summary" aria-labelledby="nisc-summary-title">'
           '<h2 id="nisc-summary-title">部ごとの対応状況</h2>',
           summary_table(cov, href_for_nisc=lambda nid: "#" + anchor(nid)), "</section>"]

    def walk(item: NiscItem, level: int) -> list[str]:
        parts: list[str] = []
        kids = [cat.by_id[k] for k in cat.children_of.get(item.id, ())]
        if item.kind in ("部", "節", "款"):
            counts = part_cov.get(item.id) or sec_cov.get(item.id)
            parts.append(f'<section class="nisc-{attr(item.kind)}">')
            parts.append(_heading(item, level, index, href_for_clause, counts))
            heads = [k for k in kids if k.kind in ("部", "節", "款")]
            measures = [k for k in kids if k.kind not in ("部", "節", "款")]
            for k in heads:
                parts.extend(walk(k, level + 1))
            if measures:
                rendered = []
                for k in measures:
                    if k.kind == "対策項目":
                        rendered.append(_measure(cat, k, index, href_for_clause))
                    else:
                        rendered.append(_requirement(k, index.get(k.id, ()), href_for_clause))
                parts.append('<ul class="nisc-measures">' + "".join(rendered) + "</ul>")
            parts.append("</section>")
        elif item.kind == "対策項目":
            parts.append('<ul class="nisc-measures">' + _measure(cat, item, index, href_for_clause) + "</ul>")
        else:
            parts.append('<ul class="nisc-requirements">' + _requirement(item, index.get(item.id, ()),
                                                                        href_for_clause) + "</ul>")
        return parts

    for top in (cat.by_id[k] for k in cat.children_of.get("", ())):
        out.extend(walk(top, 2))
    if cov.unknown:
        items = "".join(f'<li><a href="{attr(href_for_clause(m.clause_id))}">{escape(m.address or m.clause_id)}</a> '
                        f"→ {escape(m.nisc_id)}</li>" for m in cov.unknown)
        out.append(f'<section><h2 id="nisc-unknown">カタログにない識別子への対応づけ</h2><ul>{items}</ul></section>')
    return "\n".join(out)


def pages(edition: Edition, href_for_clause: Callable[[str], str]) -> list[tuple[str, str, str]]:
    """[(filename, title, main_html)]: the NISC index page; empty when the edition has no catalog."""
    if edition.catalog is None:
        return []
    return [(FILENAME, TITLE, render_main(edition, href_for_clause))]
