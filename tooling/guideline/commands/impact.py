"""``guideline impact``: what a new edition of the NISC catalog changes, and the guideline clauses to review."""
from __future__ import annotations

import json

import click

from guideline import editions, xref
from guideline.commands.common import edition_option
from guideline.diagnostics import UserError
from guideline.model import NiscItem


def _item(i: NiscItem) -> dict:
    return {"id": i.id, "kind": i.kind, "heading": i.heading, "parent": i.parent}


def impact_json(result: xref.Impact) -> dict:
    return {
        "edition": result.edition_id,
        "from": {"id": result.old_id, "edition": result.old_edition},
        "to": {"id": result.new_id, "edition": result.new_edition},
        "added": [_item(i) for i in result.added],
        "removed": [_item(i) for i in result.removed],
        "renamed": [{"from": r.old.id, "to": r.new.id, "kind": r.new.kind, "heading": r.new.heading,
                     "with": r.via or None} for r in result.renamed],
        "heading_changed": [{"id": c.old.id, "new_id": c.new.id, "kind": c.new.kind, "from": c.old.heading,
                             "to": c.new.heading} for c in result.changed],
        "clauses": [{"clause": a.clause_id, "address": a.address, "heading": a.heading, "source": str(a.loc),
                     "reasons": [{"nisc_id": r.nisc_id, "relationship": r.relationship, "change": r.change,
                                  "related": r.related, "message": r.message, "source": str(r.loc)}
                                 for r in a.reasons]}
                    for a in result.affected],
        "mappings_not_in_from": [{"clause": m.clause_id, "nisc_id": m.nisc_id, "source": str(m.loc)}
                                 for m in result.not_in_old],
    }


def _cols(*values: str) -> str:
    return "  ".join(v for v in values if v)


def impact_text(result: xref.Impact) -> str:
    out = [f"統一基準 {result.old_id}（{result.old_edition}） → {result.new_id}（{result.new_edition}）; "
           f"clauses of {result.edition_id}"]
    reused = {r.old.id for r in result.renamed}

    def section(title: str, lines: list[str]) -> None:
        out.append(f"{title} ({len(lines)}):" if lines else f"{title}: none")
        out.extend(f"  {line}" for line in lines)

    section("added", [_cols(i.id, i.kind, i.heading, "(identifier reused: its former item was renamed)"
                            if i.id in reused else "") for i in result.added])
    section("removed", [_cols(i.id, i.kind, i.heading) for i in result.removed])
    section("renamed", [_cols(f"{r.old.id} → {r.new.id}", r.new.kind, r.new.heading,
                              f"(with {r.via})" if r.via else "") for r in result.renamed])
    section("heading changed", [_cols(c.old.id + (f" → {c.new.id}" if c.new.id != c.old.id else ""), c.new.kind,
                                      f"{c.old.heading or '（なし）'} → {c.new.heading or '（なし）'}")
                                for c in result.changed])
    out.append(f"clauses to review ({len(result.affected)}):" if result.affected else "clauses to review: none")
    for a in result.affected:
        out.append(f"  {a.clause_id}  {a.address or '（番号なし）'}  {a.heading}  ({a.loc})")
        for r in a.reasons:
            out.append(f"    {r.loc}: {r.nisc_id} ({r.relationship}): {r.message}")
    if result.not_in_old:
        out.append(f"mappings to identifiers that {result.old_id} does not hold ({len(result.not_in_old)}); "
                   f"is --from the catalog the edition maps to?")
        for m in result.not_in_old:
            out.append(f"  {m.loc}: {m.clause_id} → {m.nisc_id}")
    return "\n".join(line.rstrip() for line in out)


@click.command(epilog="""\b
Examples:
  guideline impact --from nisc-r7 --to nisc-r8 --edition draft
  guideline impact --to path/to/nisc-r8.yaml            # --from: the catalog the edition pins
  guideline impact --from old.yaml --to new.yaml --json
A catalog is an id under guideline_src/nisc/ or the path of a catalog YAML file. Renamed: the same kind and
heading under a new identifier (items below a renamed item follow it).""")
@click.option("--from", "from_", metavar="CATALOG", default=None,
              help="The catalog the mappings point to now (default: the edition's nisc_catalog).")
@click.option("--to", "to", metavar="CATALOG", required=True, help="The new catalog edition.")
@edition_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def command(from_: str | None, to: str, edition: str, as_json: bool) -> None:
    """Identifiers added, removed, renamed or re-headed between two NISC catalogs, and the clauses to review."""
    # not validated against its pinned catalog: the point may be that the mappings no longer fit it
    ed, report = editions.load(edition, validate=False)
    if ed is None or report.errors:
        raise UserError(f"edition {edition!r} has problems; fix them first (guideline check --edition {edition})",
                        report=report)
    old = xref.resolve_catalog(from_ or ed.meta.nisc_catalog, ed)
    new = xref.resolve_catalog(to, ed)
    result = xref.impact(ed, old, new)
    if as_json:
        click.echo(json.dumps(impact_json(result), ensure_ascii=False, indent=2))
    else:
        click.echo(impact_text(result))
