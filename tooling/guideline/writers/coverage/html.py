"""Coverage of the NISC 遵守事項 as one self-contained, accessible HTML page (``nisc-coverage.html``).

Counts per 部 (with a bar that has a text alternative), the gaps grouped by 部 and 節, and the full 対応表.
Every text from the sources is escaped. The fragments (``summary_table``, ``gaps_section``) are reused by the
site's NISC index page.
"""
from __future__ import annotations

from html import escape
from typing import Callable

from guideline import xref
from guideline.render_html import RELATIONSHIP_JA, attr


CSS = """
body{font-family:"Noto Sans CJK JP","IPAexGothic",sans-serif;line-height:1.6;margin:1.5rem auto;max-width:72rem;
padding:0 1rem;color:#1a1a1a;background:#fff}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #767676;padding:.25rem .5rem;vertical-align:top;
text-align:left}thead th{background:#e8eef6}td.num{text-align:right;font-variant-numeric:tabular-nums}
meter{width:10rem;height:1rem;vertical-align:middle}.sample{border:2px solid #b00020;padding:.5rem 1rem}
.gap{color:#8a1c1c}.covered{color:#1b5e20}ul.gaps{columns:14rem;padding-left:1.2rem}
"""


def bar(covered: int, total: int, name: str) -> str:
    """A <meter> with a text alternative: the counts are also in the accessible name and in visible text."""
    pct = round(100 * covered / total) if total else 0
    label = f"{name}：{total}件中{covered}件に対応（{pct}%）"
    return (f'<meter min="0" max="{max(total, 1)}" value="{covered}" aria-label="{attr(label)}" '
            f'title="{attr(label)}">{covered}/{total}</meter> <span class="pct">{pct}%</span>')


def summary_table(cov: xref.Coverage, href_for_nisc: Callable[[str], str] | None = None,
                  caption: str = "部ごとの対応状況（遵守事項）") -> str:
    """Counts per 部: 遵守事項, 対応あり, 未対応, and a bar."""
    rows = []
    for p in cov.parts:
        name = f"{p.item.id} {p.item.heading}"
        head = escape(name)
        if href_for_nisc is not None:
            head = f'<a href="{attr(href_for_nisc(p.item.id))}">{head}</a>'
        rows.append(f'<tr><th scope="row">{head}</th><td class="num">{p.total}</td><td class="num">{p.covered}</td>'
                    f'<td class="num">{p.uncovered}</td><td>{bar(p.covered, p.total, name)}</td></tr>')
    rows.append(f'<tr><th scope="row">計</th><td class="num">{cov.total}</td><td class="num">{cov.covered}</td>'
                f'<td class="num">{cov.uncovered}</td><td>{bar(cov.covered, cov.total, "全体")}</td></tr>')
    return (f'<table class="nisc-coverage"><caption>{escape(caption)}</caption><thead><tr><th scope="col">部</th>'
            '<th scope="col">遵守事項</th><th scope="col">対応あり</th><th scope="col">未対応</th>'
            '<th scope="col">対応率</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>")


def gaps_section(cov: xref.Coverage, href_for_nisc: Callable[[str], str] | None = None, level: int = 2) -> str:
    """The 遵守事項 without a mapping, grouped by 部 and 節, with counts."""
    by_id = {r.item.id: r for r in cov.rows}
    h, h2 = f"h{level}", f"h{min(level + 1, 6)}"
    out = [f'<section class="nisc-gaps" aria-labelledby="gaps-title"><{h} id="gaps-title">未対応の遵守事項'
           f"（{cov.uncovered}件）</{h}>"]
    if not cov.uncovered:
        out.append("<p>すべての遵守事項に対応する条項があります。</p>")
    for p in cov.parts:
        if not p.gaps:
            continue
        out.append(f"<{h2}>{escape(p.item.id)} {escape(p.item.heading)}（{p.uncovered}件／{p.total}件）</{h2}>")
        out.append('<table class="gaps-by-section"><thead><tr><th scope="col">節</th><th scope="col">未対応</th>'
                   '<th scope="col">遵守事項</th></tr></thead><tbody>')
        for s in p.sections:
            if not s.gaps:
                continue
            items = []
            for gid in s.gaps:
                ident = escape(gid)
                if href_for_nisc is not None:
                    ident = f'<a href="{attr(href_for_nisc(gid))}">{ident}</a>'
                measure = by_id[gid].measure
                items.append(f'<li>{ident} <span class="measure">{escape(measure.heading if measure else "")}'
                             "</span></li>")
            out.append(f'<tr><th scope="row">{escape(s.item.id)} {escape(s.item.heading)}</th>'
                       f'<td class="num">{s.uncovered}／{s.total}</td>'
                       f'<td><ul class="gaps">{"".join(items)}</ul></td></tr>')
        out.append("</tbody></table>")
    out.append("</section>")
    return "\n".join(out)


def detail_table(cov: xref.Coverage) -> str:
    rows = []
    for r in cov.rows:
        if r.mappings:
            clauses = "<ul>" + "".join(
                f'<li><span class="clause-id">{escape(m.clause_id)}</span> {escape(m.address)} {escape(m.heading)}'
                f'（<span class="rel" data-rel="{attr(m.relationship)}">'
                f'{escape(RELATIONSHIP_JA.get(m.relationship, m.relationship))}</span>）</li>'
                for m in r.mappings) + "</ul>"
        else:
            clauses = ""
        state = '<span class="covered">対応あり</span>' if r.covered else '<span class="gap">未対応</span>'
        rows.append(f'<tr><th scope="row">{escape(r.item.id)}</th><td>{escape(r.measure.heading if r.measure else "")}'
                    f"</td><td>{state}</td><td>{clauses}</td></tr>")
    return ('<table class="nisc-detail"><caption>遵守事項ごとの対応条項</caption><thead><tr>'
            '<th scope="col">遵守事項</th><th scope="col">対策項目</th><th scope="col">状態</th>'
            '<th scope="col">対応する条項（関係）</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>")


def render(cov: xref.Coverage) -> bytes:
    title = f"統一基準 遵守事項の対応状況 — {cov.edition_title}（{cov.edition_label or cov.edition_id}）"
    sample = ('<p class="sample" role="note">このページの文面はサンプルであり、正式なガイドラインではありません。</p>'
              if cov.sample else "")
    unknown = ""
    if cov.unknown:
        items = "".join(f"<li>{escape(m.clause_id)}: {escape(m.nisc_id)}</li>" for m in cov.unknown)
        unknown = (f"<section><h2>カタログにない識別子への対応づけ（{len(cov.unknown)}件）</h2><ul>{items}</ul>"
                   "</section>")
    body = f"""<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<h1>{escape(title)}</h1>
{sample}
<p>対象：{escape(cov.catalog_title)}（{escape(cov.catalog_edition)}、{escape(cov.catalog_id)}）の遵守事項{cov.total}件。
対応する条項があるもの{cov.covered}件、ないもの{cov.uncovered}件（{escape(cov.edition_date)}時点の{escape(cov.edition_id)}）。
「関係なし」（no-relationship）だけの対応づけは未対応に数える。</p>
{summary_table(cov)}
{gaps_section(cov)}
<section aria-labelledby="detail-title"><h2 id="detail-title">対応表</h2>
{detail_table(cov)}
</section>
{unknown}
</main>
</body>
</html>
"""
    return body.encode("utf-8")
