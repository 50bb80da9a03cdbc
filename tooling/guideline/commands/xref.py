"""``guideline xref``: which guideline clauses answer to a NISC identifier, and the reverse."""
from __future__ import annotations

import json

import click

from guideline import editions, xref
from guideline.commands.common import edition_option
from guideline.diagnostics import Loc
from guideline.model import NiscItem
from guideline.render_html import RELATIONSHIP_JA


def _loc(loc: Loc) -> str:
    return str(loc)


def _item_json(item: NiscItem) -> dict:
    return {"id": item.id, "kind": item.kind, "heading": item.heading}


def _mapped_json(m: xref.MappedClause) -> dict:
    return {"clause": m.clause_id, "address": m.address, "heading": m.heading, "nisc_id": m.nisc_id,
            "relationship": m.relationship, "rationale": m.rationale, "source": _loc(m.loc)}


def nisc_json(result: xref.NiscLookup, edition_id: str) -> dict:
    return {
        "query": result.query,
        "edition": edition_id,
        "catalog": {"id": result.catalog_id, "edition": result.catalog_edition},
        "nisc": {**_item_json(result.entry.item), "label": result.entry.label,
                 "parents": [_item_json(p) for p in result.parents]},
        "note": result.note,
        "clauses": [_mapped_json(m) for m in result.entry.mappings],
        "below": [{**_item_json(e.item), "label": e.label, "clauses": [_mapped_json(m) for m in e.mappings]}
                  for e in result.below],
    }


def clause_json(result: xref.ClauseLookup, edition_id: str) -> dict:
    def entry(e: xref.ClauseEntry) -> dict:
        return {
            "clause": e.clause_id, "address": e.address, "heading": e.heading, "source": _loc(e.loc),
            "nisc": [{"id": m.nisc_id, "kind": m.item.kind if m.item else None,
                      "heading": m.item.heading if m.item else None, "label": m.label, "in_catalog": m.item is not None,
                      "parents": [_item_json(p) for p in m.parents], "relationship": m.relationship,
                      "rationale": m.rationale, "source": _loc(m.loc)} for m in e.mappings],
        }

    return {"query": result.query, "edition": edition_id,
            "catalog": {"id": result.catalog_id, "edition": result.catalog_edition},
            **entry(result.entry), "below": [entry(e) for e in result.below]}


def _rel(relationship: str) -> str:
    ja = RELATIONSHIP_JA.get(relationship)
    return f"{relationship}（{ja}）" if ja else relationship


def _clause_lines(m: xref.MappedClause, indent: str) -> list[str]:
    lines = [f"{indent}{m.clause_id}  {m.address or '（番号なし）'}  {m.heading}",
             f"{indent}  関係: {_rel(m.relationship)}"]
    if m.rationale:
        lines.append(f"{indent}  根拠: {m.rationale}")
    return lines


def nisc_text(result: xref.NiscLookup, edition_id: str) -> str:
    item = result.entry.item
    out = []
    if result.note:
        out.append(f"note: {result.note}")
    out.append(f"{item.id}  {item.kind}  {result.entry.label}")
    out.append(f"  統一基準: {result.catalog_id}（{result.catalog_edition}）")
    if result.parents:
        out.append("  上位: " + " › ".join(f"{p.id} {p.heading}" for p in result.parents))
    n = len(result.entry.mappings)
    out.append(f"  対応する条項（{edition_id}）: {n}件" if n else f"  対応する条項（{edition_id}）: なし")
    for m in result.entry.mappings:
        out.extend(_clause_lines(m, "    "))
    if result.below:
        out.append(f"  配下の項目: {len(result.below)}件")
        for e in result.below:
            count = f"{len(e.mappings)}件" if e.mappings else "対応なし"
            out.append(f"  {e.item.id}  {e.item.kind}  {count}")
            for m in e.mappings:
                out.extend(_clause_lines(m, "    "))
    return "\n".join(out)


def clause_text(result: xref.ClauseLookup, edition_id: str) -> str:
    def entry(e: xref.ClauseEntry, indent: str) -> list[str]:
        lines = [f"{indent}{e.clause_id}  {e.address or '（番号なし）'}  {e.heading}"]
        if not e.mappings:
            lines.append(f"{indent}  統一基準との対応: なし")
        for m in e.mappings:
            kind = m.item.kind if m.item else f"not in {result.catalog_id}"
            lines.append(f"{indent}  {m.nisc_id}  {kind}  {m.label}")
            if m.parents:
                lines.append(f"{indent}    上位: " + " › ".join(f"{p.id} {p.heading}" for p in m.parents))
            lines.append(f"{indent}    関係: {_rel(m.relationship)}")
            if m.rationale:
                lines.append(f"{indent}    根拠: {m.rationale}")
        return lines

    out = entry(result.entry, "")
    out.insert(1, f"  edition {edition_id}, 統一基準 {result.catalog_id}（{result.catalog_edition}）")
    if result.below:
        out.append(f"  配下の条項で対応のあるもの: {len(result.below)}件")
        for e in result.below:
            out.extend(entry(e, "  "))
    return "\n".join(out)


@click.command(epilog="""\b
Examples:
  guideline xref '7.3.1(1)(a)'                # the clauses of the draft mapped to it
  guideline xref '７．３．１（１）' --edition r5-03  # as officials type it; a 対策項目 lists its items too
  guideline xref --clause org-ciso --json      # the reverse: a clause's NISC mappings
Identifiers: 7.3.1(1)(a) (遵守事項), 7.3.1(1)-1 (基本対策事項), 7.3.1(1) (対策項目), 7.3.1, 7.3, 7;
full-width digits and brackets are accepted; quote them in the shell.
Exit status: 0 found, 1 unknown identifier or clause.""")
@click.argument("nisc_id", required=False, metavar="NISC-ID")
@click.option("--clause", "-c", "clause_id", metavar="CLAUSE-ID",
              help="Show the NISC mappings of this clause (stable ID or display address) instead.")
@edition_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def command(nisc_id: str | None, clause_id: str | None, edition: str, as_json: bool) -> None:
    """Look up the guideline clauses mapped to a NISC identifier, or (--clause) a clause's NISC mappings."""
    if bool(nisc_id) == bool(clause_id):
        raise click.UsageError("give either a NISC identifier (guideline xref 7.3.1(1)) or --clause CLAUSE-ID")
    ed = editions.load_or_fail(edition)
    if nisc_id:
        found = xref.lookup_nisc(ed, nisc_id)
        if as_json:
            click.echo(json.dumps(nisc_json(found, ed.meta.id), ensure_ascii=False, indent=2))
        else:
            click.echo(nisc_text(found, ed.meta.id))
    else:
        assert clause_id is not None
        found_clause = xref.lookup_clause(ed, clause_id)
        if as_json:
            click.echo(json.dumps(clause_json(found_clause, ed.meta.id), ensure_ascii=False, indent=2))
        else:
            click.echo(clause_text(found_clause, ed.meta.id))
