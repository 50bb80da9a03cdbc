"""``redline.html``: the new edition with every difference from the old one marked (見え消し).

Insertions are ``<ins>``, deletions ``<del>``, each with visually hidden text (「挿入：」「削除：」) so that screen
readers announce them; deleted clauses stand where they stood. A change list with jump links and keyboard-operable
filters by kind (plain checkboxes, progressive enhancement: without JavaScript everything is shown) heads the page,
followed by the table of NISC mapping changes. The page only renders a :class:`~guideline.diff.ChangeSet`;
everything from the sources is escaped.
"""
from __future__ import annotations

from html import escape

from guideline import __version__
from guideline.diff.changeset import Change, ChangeSet, TextDiff
from guideline.diff.units import Unit
from guideline.model import Clause, NiscMapping
from guideline.render_html import RELATIONSHIP_JA, HtmlRenderer, attr, jinja_env, stylesheet, templates_dir
from guideline.vocabulary import ASPECT_JA, KIND_JA, KIND_ORDER, wareki
from guideline.writers.changes import ChangeOptions
from guideline.writers.edition.html_single import heading_tag


def e(text: str) -> str:
    return escape(text, quote=False)


def ins(text: str) -> str:
    return f'<ins><span class="vh">挿入：</span>{e(text)}</ins>' if text else ""


def dele(text: str) -> str:
    return f'<del><span class="vh">削除：</span>{e(text)}</del>' if text else ""


def runs_html(runs) -> str:
    out = []
    for op, text in runs:
        if op == "equal":
            out.append(e(text).replace("\n", "<br>"))
        elif op == "insert":
            out.append(ins(text).replace("\n", "<br>"))
        else:
            out.append(dele(text).replace("\n", "<br>"))
    return "".join(out)


def section_id(clause: Clause, old_side: bool) -> str:
    return f"old-{clause.id}" if old_side else clause.id


def change_target(ch: Change) -> str:
    return section_id(ch.new[0], False) if ch.new else section_id(ch.old[0], True)


class Redline:
    def __init__(self, cs: ChangeSet):
        self.cs = cs
        self.r = HtmlRenderer(cs.new)
        self.old_r = HtmlRenderer(cs.old, href_for=lambda cid: f"#old-{cid}")

    # ---------------------------------------------------------------------------------------------------------------
    def label_html(self, d: TextDiff) -> str:
        old = d.old.label if d.old is not None else ""
        new = d.new.label if d.new is not None else ""
        if d.op == "insert":
            return ins(new)
        if d.op == "delete":
            return dele(old)
        if old == new:
            return e(new)
        return dele(old) + ins(new)

    def unit_html(self, d: TextDiff) -> str:
        unit: Unit = d.new if d.new is not None else d.old  # type: ignore[assignment]
        body = self.label_html(d) + runs_html(d.runs)
        cls = {"insert": " unit-inserted", "delete": " unit-deleted"}.get(d.op, "")
        if unit.kind == "code":
            return f'<pre class="unit{cls}"><code>{body}</code></pre>'
        if unit.kind == "item":
            return f'<p class="unit item depth-{unit.depth}{cls}">{body}</p>'
        return f'<p class="unit{cls}">{body}</p>'

    def row_cells(self, d: TextDiff, header: bool) -> str:
        """A table row's runs cut into cells at tabs of the new text (a deleted tab shows as a deleted bar)."""
        cells: list[list[str]] = [[]]
        for op, text in d.runs:
            pieces = text.split("\t")
            for k, piece in enumerate(pieces):
                if k > 0:
                    if op == "delete":
                        cells[-1].append(dele("｜"))
                    else:
                        cells.append([])
                if piece:
                    cells[-1].append(runs_html(((op, piece),)))
        tag = "th" if header else "td"
        scope = ' scope="col"' if header else ""
        return "<tr>" + "".join(f"<{tag}{scope}>{''.join(c)}</{tag}>" for c in cells) + "</tr>"

    def units_html(self, diffs: list[TextDiff]) -> str:
        out: list[str] = []
        k = 0
        while k < len(diffs):
            d = diffs[k]
            unit = d.new if d.new is not None else d.old
            if unit is not None and unit.kind == "row":
                rows = []
                first = True
                while k < len(diffs):
                    u = diffs[k].new if diffs[k].new is not None else diffs[k].old
                    if u is None or u.kind != "row" or (not first and u.path[-1] == 0):
                        break
                    rows.append(self.row_cells(diffs[k], header=u.path[-1] == 0))
                    first = False
                    k += 1
                head = rows[0] if rows and "<th" in rows[0] else ""
                body = rows[1:] if head else rows
                out.append('<div class="table-wrap"><table>' + (f"<thead>{head}</thead>" if head else "")
                           + f"<tbody>{''.join(body)}</tbody></table></div>")
                continue
            out.append(self.unit_html(d))
            k += 1
        return "\n".join(out)

    # ---------------------------------------------------------------------------------------------------------------
    def mapping_item(self, m: NiscMapping, catalog, how: str = "", old: NiscMapping | None = None) -> str:
        heading = catalog.label(m.nisc_id) if catalog is not None else ""
        rel = RELATIONSHIP_JA.get(m.relationship, m.relationship)
        text_id = f'<span class="nisc-id">{e(m.nisc_id)}</span> <span class="nisc-heading">{e(heading)}</span> '
        if how == "added":
            return f'<li>{ins("追加")} {text_id}<span class="rel">{ins(rel)}</span></li>'
        if how == "removed":
            return (f'<li>{dele("削除")} <del><span class="vh">削除：</span>{text_id}'
                    f'<span class="rel">{e(rel)}</span></del></li>')
        if how == "changed" and old is not None:
            old_rel = RELATIONSHIP_JA.get(old.relationship, old.relationship)
            rel_html = e(rel) if old.relationship == m.relationship else dele(old_rel) + ins(rel)
            rationale = ""
            if old.rationale != m.rationale:
                rationale = f'<span class="rationale">{dele(old.rationale)}{ins(m.rationale)}</span>'
            return f'<li>{text_id}<span class="rel">{rel_html}</span>{rationale}</li>'
        return f'<li>{text_id}<span class="rel">{e(rel)}</span></li>'

    def mappings_html(self, ch: Change, clause: Clause, first: bool) -> str:
        """The clause's NISC mappings; on the first clause of a change with mapping changes, marked up."""
        md = ch.meta
        catalog = self.cs.new.catalog or self.cs.old.catalog
        if ch.kind == "deleted":
            if not clause.meta.nisc:
                return ""
            items = [self.mapping_item(m, catalog, "removed") for m in clause.meta.nisc]
        elif not md.nisc_changes or not first or ch.kind == "unchanged":
            return self.r.mappings(clause)
        else:
            added = {m.nisc_id for m in md.nisc_added}
            changed = {b.nisc_id: a for a, b in md.nisc_changed}
            mine = [m for c in ch.new for m in c.meta.nisc]
            seen: set[str] = set()
            items = []
            for m in mine:
                if m.nisc_id in seen:
                    continue
                seen.add(m.nisc_id)
                how = "added" if m.nisc_id in added or ch.kind == "added" else (
                    "changed" if m.nisc_id in changed else "")
                items.append(self.mapping_item(m, catalog, how, changed.get(m.nisc_id)))
            items.extend(self.mapping_item(m, catalog, "removed") for m in md.nisc_removed)
        title = "統一基準との対応（変更あり）" if ch.kind != "unchanged" else "統一基準との対応"
        return (f'<div class="nisc nisc-changed"><span class="nisc-title">{title}</span><ul>{"".join(items)}</ul>'
                "</div>")

    # ---------------------------------------------------------------------------------------------------------------
    def number_html(self, ch: Change, clause: Clause, old: Clause | None) -> str:
        if ch.kind == "added":
            return ins(clause.number)
        if ch.kind == "deleted":
            return dele(clause.number)
        if old is not None and old.number != clause.number:
            return dele(old.number) + ins(clause.number)
        return e(clause.number)

    def heading_runs(self, ch: Change, clause: Clause, old_side: bool) -> tuple[str, Clause | None]:
        """The heading with its inline changes, and the old clause this heading is paired with."""
        for d in ch.headings:
            unit = d.old if old_side else d.new
            if unit is not None and unit.clause_id == clause.id:
                other = None
                if not old_side and d.old is not None:
                    other = self.cs.old.get(d.old.clause_id)
                return runs_html(d.runs), other
        return e(clause.heading), None

    def badge(self, ch: Change, clause: Clause, first: bool) -> str:
        if ch.kind == "unchanged" or not first:
            return ""
        bits = [f'<span class="badge kind-{ch.kind}">{KIND_JA[ch.kind]}</span>']
        if ch.aspects:
            bits.append("（" + "・".join(ASPECT_JA[a] for a in ch.aspects) + "）")
        if "moved" in ch.aspects:
            bits.append(f"旧 {e(ch.old[0].address)} から移動")
        elif ch.kind in ("split", "merged"):
            olds = "、".join(f"{c.address} {c.heading}" for c in ch.old)
            bits.append(f"旧 {e(olds)} から" + ("分割" if ch.kind == "split" else "統合"))
        if ch.matched_by in ("text", "similarity") or (ch.old and ch.new and ch.old_ids != ch.new_ids):
            bits.append(f'<span class="ids">ID {e("、".join(ch.old_ids))} → {e("、".join(ch.new_ids))}</span>')
        return f'<p class="change-badge">{" ".join(bits)}</p>'

    def clause_section(self, ch: Change, clause: Clause, old_side: bool, first: bool) -> str:
        edition = self.cs.old if old_side else self.cs.new
        depth = len(edition.ancestors(clause.id))
        open_tag, close_tag = heading_tag(depth)
        sid = section_id(clause, old_side)
        heading_runs, paired = self.heading_runs(ch, clause, old_side)
        old_clause = paired if not old_side else None
        if ch.kind in ("changed", "unchanged") and not old_side:
            old_clause = ch.old[0]
        num = self.number_html(ch, clause, old_clause)
        num_html = f'<span class="num">{num}</span>' if clause.number or (old_clause and old_clause.number) else ""
        heading = (f'{open_tag} class="clause-heading">{num_html}{heading_runs}'
                   f'<a class="permalink" href="#{attr(sid)}" aria-label="{attr(self.r.plain_heading(clause))}'
                   f'への固定リンク">#</a>{close_tag}')
        parts = [f'<section class="clause level-{clause.level} kind-{ch.kind}" id="{attr(sid)}" '
                 f'data-kind="{ch.kind}">', heading, self.badge(ch, clause, first)]
        if not old_side:
            # headings of old clauses merged into this one are shown deleted
            for d in ch.headings:
                if d.new is None and d.old is not None and d.host == clause.id:
                    parts.append(f'<p class="merged-heading">{dele(d.old.text)}</p>')
            parts.append((self.old_r if old_side else self.r).models(clause))
        renderer = self.old_r if old_side else self.r
        if ch.kind in ("unchanged",) or (ch.kind == "changed" and not ch.text_changed):
            parts.append(renderer.blocks(clause.body, clause))
            if clause.commentary:
                parts.append(f'<div class="commentary"><p class="commentary-title">解説</p>'
                             f'{renderer.blocks(clause.commentary, clause)}</div>')
        else:
            def mine(diffs):
                if old_side:
                    return [d for d in diffs if d.old is not None and d.old.clause_id == clause.id]
                return [d for d in diffs if d.host == clause.id]

            parts.append(self.units_html(mine(ch.body)))
            com = mine(ch.commentary)
            if com:
                parts.append(f'<div class="commentary"><p class="commentary-title">解説</p>{self.units_html(com)}'
                             "</div>")
        parts.append(self.mappings_html(ch, clause, first))
        parts.append("</section>")
        return "\n".join(p for p in parts if p)

    def document(self) -> str:
        out = []
        for ch in self.cs.changes:
            if ch.new:
                for k, clause in enumerate(ch.new):
                    out.append(self.clause_section(ch, clause, False, k == 0))
            else:
                for k, clause in enumerate(ch.old):
                    out.append(self.clause_section(ch, clause, True, k == 0))
        return "\n".join(out)

    # ---------------------------------------------------------------------------------------------------------------
    def change_list(self) -> list[dict]:
        items = []
        for ch in self.cs.changes:
            if ch.kind == "unchanged":
                continue
            clause = ch.new[0] if ch.new else ch.old[0]
            number = clause.address
            detail = "・".join(ASPECT_JA[a] for a in ch.aspects)
            if ch.kind == "changed" and ("number" in ch.aspects or "moved" in ch.aspects):
                detail += f"（旧 {ch.old[0].address}）"
            elif ch.kind == "deleted":
                detail = f"旧 {number}"
            elif ch.kind in ("split", "merged"):
                detail = "旧 " + "、".join(c.address for c in ch.old)
            items.append({"kind": ch.kind, "kind_ja": KIND_JA[ch.kind], "href": "#" + change_target(ch),
                          "number": number if ch.new else "", "heading": clause.heading, "detail": detail})
        return items

    def mapping_changes(self) -> list[dict]:
        rows = []
        catalog = self.cs.new.catalog or self.cs.old.catalog
        for ch in self.cs.changes:
            md = ch.meta
            if not md.nisc_changes:
                continue
            clause = ch.new[0] if ch.new else ch.old[0]
            base = {"href": "#" + change_target(ch), "number": clause.address, "heading": clause.heading}

            def label(m: NiscMapping) -> str:
                return catalog.label(m.nisc_id) if catalog is not None else ""

            for m in md.nisc_added:
                rows.append({**base, "how": "追加", "nisc": m.nisc_id, "nisc_label": label(m),
                             "old": "", "new": RELATIONSHIP_JA.get(m.relationship, m.relationship)})
            for a, b in md.nisc_changed:
                rows.append({**base, "how": "変更", "nisc": b.nisc_id, "nisc_label": label(b),
                             "old": RELATIONSHIP_JA.get(a.relationship, a.relationship),
                             "new": RELATIONSHIP_JA.get(b.relationship, b.relationship)})
            for m in md.nisc_removed:
                rows.append({**base, "how": "削除", "nisc": m.nisc_id, "nisc_label": label(m),
                             "old": RELATIONSHIP_JA.get(m.relationship, m.relationship), "new": ""})
        return rows


def render(cs: ChangeSet, options: ChangeOptions = ChangeOptions()) -> str:
    """redline.html (the options change nothing in it)."""
    red = Redline(cs)
    summary = cs.summary()
    css = stylesheet("html/style.css") + "\n" + (templates_dir() / "diff" / "redline.css").read_text(encoding="utf-8")
    script = (templates_dir() / "diff" / "redline.js").read_text(encoding="utf-8")
    filters = [{"kind": k, "label": KIND_JA[k], "count": summary[k]} for k in KIND_ORDER if summary[k]]
    return jinja_env().get_template("diff/redline.html.j2").render(
        old=cs.old.meta, new=cs.new.meta, old_date_ja=wareki(cs.old.meta.date), new_date_ja=wareki(cs.new.meta.date),
        summary=summary, kind_ja=KIND_JA, filters=filters,
        changes=red.change_list(), mapping_changes=red.mapping_changes(), content=red.document(), css=css,
        script=script, version=__version__, sample=cs.old.meta.sample or cs.new.meta.sample,
    )
