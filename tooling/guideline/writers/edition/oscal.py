"""The guideline as OSCAL (1.2) JSON: ``catalog.json``, ``nisc-catalog.json`` and ``mapping.json``.

- ``catalog.json``: the guideline. 編, 章 and the level-3 headings (節) become groups, every other clause a control
  (nested as in the source). Groups and controls carry ``label`` (the display address, e.g. 第2編第2章 6.2.(1)①) and
  ``sort-id`` (zero-padded position) props, a ``statement`` part for the 例文 and a ``guidance`` part for the 解説.
  A clause that carries NISC mappings is always a control (mappings point at controls), and so is everything below a
  control. OSCAL (as compliance-trestle models it) lets a group hold groups or controls but not both: when the
  children of a group would mix, they all become controls.
- ``nisc-catalog.json``: the pinned NISC catalog, so that the mapping's targets resolve: 部/節/款 as groups,
  対策項目 as controls with their 遵守事項 and 基本対策事項 as child controls. NISC identifiers are not NCNames
  (``7.3.1(1)(a)``), so ids read ``nisc-7.3.1_1_a`` and the identifier itself is the ``label`` prop.
- ``mapping.json``: an OSCAL mapping collection from catalog.json to nisc-catalog.json, one map per clause mapping,
  with the NIST IR 8477 relationship and the rationale as remarks; the unmapped 遵守事項 as the target gap summary.

UUIDs are uuid5 of the edition id and the object's key, dates come from the edition: same input, same bytes.
"""
from __future__ import annotations

import datetime
import json
import uuid
from pathlib import Path

from guideline import __version__, xref
from guideline.fileio import atomic_write
from guideline.model import Clause, Edition, NiscCatalog, NiscItem, block_text

OSCAL_VERSION = "1.2.1"
NS = "urn:x-guideline-toolchain:ns"  # namespace of our own props (kind, edition-id, status, generator)
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, NS)  # fixed: UUIDs depend only on the edition and the key
CATALOG_FILE = "catalog.json"
NISC_FILE = "nisc-catalog.json"
MAPPING_FILE = "mapping.json"
SAMPLE_REMARK = ("Sample text written by the project; not the official guideline. "
                 "サンプル文面であり、正式なガイドラインではありません。")


def make_uuid(edition: Edition, *key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join((edition.meta.id, *key))))


def timestamp(edition: Edition) -> str:
    """The edition date as an OSCAL date-time (midnight, Japan time)."""
    when = datetime.datetime.combine(edition.meta.date, datetime.time(0, 0),
                                     tzinfo=datetime.timezone(datetime.timedelta(hours=9)))
    return when.isoformat()


def _metadata(edition: Edition, title: str, extra_remarks: str = "") -> dict:
    meta = edition.meta
    md: dict = {
        "title": title,
        "published": timestamp(edition),
        "last-modified": timestamp(edition),
        "version": meta.label or meta.id,
        "oscal-version": OSCAL_VERSION,
        "props": [{"name": "edition-id", "ns": NS, "value": meta.id},
                  {"name": "status", "ns": NS, "value": meta.status},
                  {"name": "generator", "ns": NS,
                   "value": f"guideline {__version__}"}],
    }
    remarks = " ".join(r for r in (SAMPLE_REMARK if meta.sample else "", extra_remarks) if r)
    if remarks:
        md["remarks"] = remarks
    return md


def prose(edition: Edition, clause: Clause, blocks) -> str:
    """Plain text of blocks as Markdown prose: one paragraph (or list item) per line, blank lines between."""
    text = block_text(blocks, edition, clause)
    return "\n\n".join(line.strip() for line in text.split("\n") if line.strip())


# --------------------------------------------------------------------------------------------------------------------
# The guideline catalog


def _sort_ids(edition: Edition) -> dict[str, str]:
    """Clause ID → zero-padded position path (``02.02.06.02.01``), which sorts in reading order."""
    out: dict[str, str] = {}

    def visit(clauses: tuple[Clause, ...], prefix: str) -> None:
        width = max(2, len(str(len(clauses))))
        for i, c in enumerate(clauses, 1):
            sid = f"{prefix}.{i:0{width}d}" if prefix else f"{i:0{width}d}"
            out[c.id] = sid
            visit(c.children, sid)

    visit(edition.parts, "")
    return out


def _can_be_group(clause: Clause) -> bool:
    return clause.level <= 3 and not clause.meta.nisc


def _props(clause: Clause, sort_id: str) -> list[dict]:
    props = []
    if clause.address and not clause.unnumbered:
        props.append({"name": "label", "value": clause.address})
    props.append({"name": "sort-id", "value": sort_id})
    return props


def _parts(edition: Edition, clause: Clause) -> list[dict]:
    parts = []
    statement = prose(edition, clause, clause.body)
    if statement:
        parts.append({"id": f"{clause.id}_smt", "name": "statement", "prose": statement})
    guidance = prose(edition, clause, clause.commentary)
    if guidance:
        parts.append({"id": f"{clause.id}_gdn", "name": "guidance", "prose": guidance})
    return parts


def _title(clause: Clause) -> str:
    return " ".join(clause.heading.split()) or clause.id


def _control(edition: Edition, clause: Clause, sort_ids: dict[str, str]) -> dict:
    control: dict = {"id": clause.id, "class": "clause", "title": _title(clause),
                     "props": _props(clause, sort_ids[clause.id])}
    parts = _parts(edition, clause)
    if parts:
        control["parts"] = parts
    if clause.children:
        control["controls"] = [_control(edition, c, sort_ids) for c in clause.children]
    return control


def _group(edition: Edition, clause: Clause, sort_ids: dict[str, str]) -> dict:
    group: dict = {"id": clause.id, "class": {1: "hen", 2: "sho", 3: "setsu"}[clause.level], "title": _title(clause),
                   "props": _props(clause, sort_ids[clause.id])}
    parts = _parts(edition, clause)
    if parts:
        group["parts"] = parts
    kids = clause.children
    if kids:
        if all(_can_be_group(c) for c in kids):
            group["groups"] = [_group(edition, c, sort_ids) for c in kids]
        else:
            group["controls"] = [_control(edition, c, sort_ids) for c in kids]
    return group


def catalog(edition: Edition) -> dict:
    sort_ids = _sort_ids(edition)
    body: dict = {
        "uuid": make_uuid(edition, "catalog"),
        "metadata": _metadata(edition, edition.meta.display_name),
    }
    if all(_can_be_group(p) for p in edition.parts):
        body["groups"] = [_group(edition, p, sort_ids) for p in edition.parts]
    else:
        body["controls"] = [_control(edition, p, sort_ids) for p in edition.parts]
    return {"catalog": body}


# --------------------------------------------------------------------------------------------------------------------
# The NISC catalog


def _nisc_sort_ids(cat: NiscCatalog) -> dict[str, str]:
    """NISC id → zero-padded position path, in catalog order (遵守事項 and their 基本対策事項 interleave there)."""
    out: dict[str, str] = {}

    def visit(parent: str, prefix: str) -> None:
        kids = cat.children_of.get(parent, ())
        width = max(2, len(str(len(kids))))
        for i, kid in enumerate(kids, 1):
            sid = f"{prefix}.{i:0{width}d}" if prefix else f"{i:0{width}d}"
            out[kid] = sid
            visit(kid, sid)

    visit("", "")
    return out


def nisc_catalog(edition: Edition, cat: NiscCatalog) -> dict:
    sort_ids = _nisc_sort_ids(cat)

    def props(item: NiscItem) -> list[dict]:
        return [{"name": "label", "value": item.id}, {"name": "sort-id", "value": sort_ids[item.id]},
                {"name": "kind", "ns": NS, "value": item.kind}]

    def control(item: NiscItem) -> dict:
        c: dict = {"id": xref.nisc_oscal_id(item.id), "title": cat.label(item.id) or item.id, "props": props(item)}
        kids = [cat.by_id[k] for k in cat.children_of.get(item.id, ())]
        if kids:
            c["controls"] = [control(k) for k in kids]
        return c

    def group(item: NiscItem) -> dict:
        g: dict = {"id": xref.nisc_oscal_id(item.id), "title": item.heading or item.id, "props": props(item)}
        kids = [cat.by_id[k] for k in cat.children_of.get(item.id, ())]
        if kids and all(k.kind in ("部", "節", "款") for k in kids):
            g["groups"] = [group(k) for k in kids]
        elif kids:
            g["controls"] = [control(k) for k in kids]
        return g

    tops = [cat.by_id[k] for k in cat.children_of.get("", ())]
    body: dict = {"uuid": make_uuid(edition, "nisc-catalog", cat.id),
                  "metadata": _metadata(edition, f"{cat.title}（{cat.edition}）",
                                        "Structure only: identifiers, kinds and headings of the NISC catalog "
                                        f"{cat.id}; the requirement sentences are not included.")}
    body["metadata"]["version"] = cat.edition or cat.id
    if all(t.kind in ("部", "節", "款") for t in tops):
        body["groups"] = [group(t) for t in tops]
    else:
        body["controls"] = [control(t) for t in tops]
    return {"catalog": body}


# --------------------------------------------------------------------------------------------------------------------
# The mapping collection


def mapping_collection(edition: Edition, cat: NiscCatalog) -> dict:
    maps = []
    for clause in edition.clauses():
        seen: set[str] = set()
        for m in clause.meta.nisc:
            if m.nisc_id in seen or cat.get(m.nisc_id) is None:
                continue
            seen.add(m.nisc_id)
            entry: dict = {
                "uuid": make_uuid(edition, "map", clause.id, m.nisc_id),
                "relationship": m.relationship,
                "sources": [{"type": "control", "id-ref": clause.id}],
                "targets": [{"type": "control", "id-ref": xref.nisc_oscal_id(m.nisc_id),
                             "props": [{"name": "label", "value": m.nisc_id}]}],
            }
            if m.rationale:
                entry["remarks"] = m.rationale
            maps.append(entry)
    mapping: dict = {
        "uuid": make_uuid(edition, "mapping", cat.id),
        "source-resource": {"type": "catalog", "href": CATALOG_FILE},
        "target-resource": {"type": "catalog", "href": NISC_FILE},
        "maps": maps,
    }
    gaps = [xref.nisc_oscal_id(r.item.id) for r in xref.coverage(edition).rows if not r.covered]
    if gaps:
        mapping["target-gap-summary"] = {"uuid": make_uuid(edition, "target-gaps", cat.id),
                                         "unmapped-controls": [{"with-ids": gaps}]}
    status = "complete" if edition.meta.status == "確定" else "draft"
    return {"mapping-collection": {
        "uuid": make_uuid(edition, "mapping-collection", cat.id),
        "metadata": _metadata(edition, f"{edition.meta.display_name} と {cat.title}（{cat.edition}）の対応"),
        "provenance": {
            "method": "human",
            "matching-rationale": "semantic",
            "status": status,
            "mapping-description": ("各条項が統一基準のどの項目に対応するかを、NIST IR 8477 の集合論的関係 "
                                    "(equal-to, equivalent-to, subset-of, superset-of, intersects-with, "
                                    "no-relationship) で示す。関係は「この条項は統一基準の項目の…」と読む。"),
        },
        "mappings": [mapping],
    }}


def _dump(data: dict) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render(edition: Edition) -> dict[str, bytes]:
    """File name → content."""
    cat = xref.require_catalog(edition)
    return {
        CATALOG_FILE: _dump(catalog(edition)),
        NISC_FILE: _dump(nisc_catalog(edition, cat)),
        MAPPING_FILE: _dump(mapping_collection(edition, cat)),
    }


def write(edition: Edition, out_dir: Path) -> list[Path]:
    return [atomic_write(Path(out_dir) / name, data) for name, data in render(edition).items()]
