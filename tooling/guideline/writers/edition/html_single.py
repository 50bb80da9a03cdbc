"""The whole edition as one accessible HTML page (``guideline.html``).

Parts in reading order, then 第N編 解説 generated from the 例文 part's commentary. Every clause is a ``<section>``
whose ``id`` is its stable ID (the permalink); in the generated 解説 part the anchors are ``c.<id>``.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from guideline import __version__
from guideline.fileio import atomic_write
from guideline.model import Clause, Edition
from guideline.render_html import HtmlRenderer, attr, jinja_env, stylesheet
from guideline.vocabulary import wareki

COMMENTARY_ANCHOR = "c."


def heading_tag(depth: int) -> tuple[str, str]:
    """(open tag, close tag) for a clause at tree depth (0 = 編 → h2, the page title is h1)."""
    level = depth + 2
    if level <= 6:
        return f"<h{level}", f"</h{level}>"
    return f'<p role="heading" aria-level="{level}"', "</p>"


def render_clause(r: HtmlRenderer, clause: Clause, depth: int, commentary: bool = False) -> str:
    anchor = (COMMENTARY_ANCHOR + clause.id) if commentary else clause.id
    open_tag, close_tag = heading_tag(depth)
    heading = (f'{open_tag} class="clause-heading">{r.heading_text(clause)}'
               f'<a class="permalink" href="#{attr(anchor)}" aria-label="{attr(r.plain_heading(clause))}への固定リンク">#</a>'
               f"{close_tag}")
    parts = [f'<section class="clause level-{clause.level}" id="{attr(anchor)}">', heading]
    if commentary:
        if clause.commentary:
            parts.append(f'<div class="commentary">{r.clause_text(clause, True, COMMENTARY_ANCHOR)}</div>')
    else:
        parts.append(r.models(clause))
        parts.append(r.clause_text(clause))
        parts.append(r.mappings(clause))
    for child in clause.children:
        if commentary and not child.has_commentary:
            continue
        parts.append(render_clause(r, child, depth + 1, commentary))
    parts.append("</section>")
    return "\n".join(p for p in parts if p)



def toc(edition: Edition, max_level: int = 3) -> list[dict]:
    """Nested table of contents entries: {id, number, heading, children}."""

    def entry(clause: Clause) -> dict:
        kids = [entry(c) for c in clause.children if c.level <= max_level]
        return {"id": clause.id, "number": clause.number, "heading": clause.heading, "children": kids}

    return [entry(p) for p in edition.parts]


def render(edition: Edition) -> str:
    r = HtmlRenderer(edition)  # the page stands alone: figures go in as data: addresses
    body = [render_clause(r, part, 0) for part in edition.parts]
    reibun = edition.reibun
    commentary_html = ""
    if reibun is not None and reibun.has_commentary:
        inner = [render_clause(r, c, 1, commentary=True) for c in reibun.children if c.has_commentary]
        title = edition.meta.commentary_title or "解説"
        number = edition.commentary_part_number
        commentary_html = (
            f'<section class="clause level-1 commentary-part" id="{COMMENTARY_ANCHOR}part">'
            f'<h2 class="clause-heading"><span class="num">{escape(number)}</span>{escape(title)}</h2>'
            + "\n".join(inner) + "</section>"
        )
    css = stylesheet("html/style.css")
    template = jinja_env().get_template("html/single.html.j2")
    return template.render(
        edition=edition.meta,
        date_ja=wareki(edition.meta.date),
        toc=toc(edition),
        content="\n".join(body),
        commentary=commentary_html,
        commentary_number=edition.commentary_part_number if commentary_html else "",
        css=css,
        version=__version__,
    )


def write(edition: Edition, out_dir: Path) -> list[Path]:
    path = atomic_write(Path(out_dir) / "guideline.html", render(edition))
    return [path]
