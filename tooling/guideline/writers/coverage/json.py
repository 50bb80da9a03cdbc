"""Coverage of the NISC 遵守事項 as JSON (``nisc-coverage.json``): summary, counts per 部 and 節, every 遵守事項."""
from __future__ import annotations

import json

from guideline import xref



def _mapping(m: xref.MappedClause) -> dict:
    return {"clause": m.clause_id, "address": m.address, "heading": m.heading, "relationship": m.relationship,
            "rationale": m.rationale}


def _group(g: xref.GroupCoverage) -> dict:
    out = {"id": g.item.id, "kind": g.item.kind, "heading": g.item.heading, "total": g.total, "covered": g.covered,
           "uncovered": g.uncovered, "percent": g.percent, "gaps": list(g.gaps)}
    if g.item.kind == "部":
        out["sections"] = [_group(s) for s in g.sections]
    return out


def data(cov: xref.Coverage) -> dict:
    return {
        "edition": {"id": cov.edition_id, "title": cov.edition_title, "label": cov.edition_label,
                    "date": cov.edition_date, "sample": cov.sample},
        "catalog": {"id": cov.catalog_id, "title": cov.catalog_title, "edition": cov.catalog_edition},
        "summary": {"total": cov.total, "covered": cov.covered, "uncovered": cov.uncovered, "percent": cov.percent},
        "parts": [_group(p) for p in cov.parts],
        "requirements": [
            {"id": r.item.id, "part": r.part.id if r.part else None, "section": r.section.id if r.section else None,
             "measure": r.measure.id if r.measure else None, "heading": r.label, "covered": r.covered,
             "clauses": [_mapping(m) for m in r.mappings]}
            for r in cov.rows
        ],
        "unknown_mappings": [{**_mapping(m), "nisc_id": m.nisc_id} for m in cov.unknown],
        "note": "covered: at least one clause maps to the 遵守事項 with a relationship other than no-relationship",
    }


def render(cov: xref.Coverage) -> bytes:
    return (json.dumps(data(cov), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
