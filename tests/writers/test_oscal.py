"""`guideline export oscal`: the catalog and mapping collection read back by compliance-trestle's OSCAL models (an
independent reader), plus the checks trestle does not do: ids are unique NCNames and every id-ref resolves."""
from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path

import pytest
from conftest import REPO, replace_in

from guideline import editions, xref
from guideline.cli import main
from guideline.model import block_text

import trestle.oscal.catalog as trestle_catalog
import trestle.oscal.mapping as trestle_mapping

# XML NCName (the OSCAL "token" type), as in the OSCAL schemas
NCNAME = re.compile("^[_A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
                    "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD]"
                    "[_A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
                    "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\\-.0-9\u00B7\u0300-\u036F"
                    "\u203F-\u2040]*$")


def run(*args: str) -> int:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    return exc.value.code


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("oscal") / "r5-03"
    import os

    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        t0 = time.perf_counter()
        assert run("export", "oscal", "--edition", "r5-03", "-o", str(out)) == 0
        elapsed = time.perf_counter() - t0
    finally:
        os.chdir(cwd)
    ed, _ = editions.load("r5-03", src=REPO / "guideline_src")
    print(f"export oscal r5-03: {elapsed:.2f} s")
    return out, ed


def walk(node, key: str):
    """Every object under ``key`` lists (groups/controls/parts), depth first in document order."""
    for child in node.get(key, []):
        yield child
        yield from walk(child, key)


def items(catalog: dict):
    """(kind, object) for every group and control, in document order."""
    def visit(node):
        for g in node.get("groups", []):
            yield "group", g
            yield from visit(g)
        for c in node.get("controls", []):
            yield "control", c
            yield from visit(c)

    yield from visit(catalog)


def all_ids(node) -> list[str]:
    out = []
    if isinstance(node, dict):
        if "id" in node:
            out.append(node["id"])
        for v in node.values():
            out.extend(all_ids(v))
    elif isinstance(node, list):
        for v in node:
            out.extend(all_ids(v))
    return out


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_trestle_reads_all_three_files(exported):
    out, _ = exported
    assert sorted(p.name for p in out.iterdir()) == ["catalog.json", "mapping.json", "nisc-catalog.json"]
    cat = trestle_catalog.Catalog.oscal_read(out / "catalog.json")
    nisc_cat = trestle_catalog.Catalog.oscal_read(out / "nisc-catalog.json")
    mc = trestle_mapping.MappingCollection.oscal_read(out / "mapping.json")
    assert cat is not None and nisc_cat is not None and mc is not None
    assert cat.metadata.oscal_version.root.root == "1.2.1"
    assert [g.title for g in cat.groups] == ["総則", "情報セキュリティポリシー（例文）"]
    mapping = mc.mappings[0] if isinstance(mc.mappings, list) else mc.mappings
    assert len(mapping.maps) == 298
    assert {m.relationship for m in mapping.maps} <= {"equal-to", "equivalent-to", "subset-of", "superset-of",
                                                      "intersects-with", "no-relationship"}


def test_ids_are_unique_ncnames_and_every_reference_resolves(exported):
    out, ed = exported
    cat, nisc_cat, mc = (load(out / n) for n in ("catalog.json", "nisc-catalog.json", "mapping.json"))
    for doc in (cat, nisc_cat):
        ids = all_ids(doc)
        assert len(ids) == len(set(ids))
        assert all(NCNAME.match(i) for i in ids), [i for i in ids if not NCNAME.match(i)]
    clauses = {kind_id[1]["id"]: kind_id[0] for kind_id in items(cat["catalog"])}
    assert set(clauses) == set(ed.by_id)  # every clause is a group or a control
    controls = {i for i, kind in clauses.items() if kind == "control"}
    nisc_controls = {o["id"] for kind, o in items(nisc_cat["catalog"]) if kind == "control"}
    mapping = mc["mapping-collection"]["mappings"][0]
    assert mapping["source-resource"] == {"type": "catalog", "href": "catalog.json"}
    assert mapping["target-resource"] == {"type": "catalog", "href": "nisc-catalog.json"}
    got = set()
    for m in mapping["maps"]:
        (src,), (tgt,) = m["sources"], m["targets"]
        assert src["type"] == tgt["type"] == "control"
        assert src["id-ref"] in controls, src
        assert tgt["id-ref"] in nisc_controls, tgt
        label = tgt["props"][0]["value"]
        assert xref.nisc_oscal_id(label) == tgt["id-ref"]
        got.add((src["id-ref"], label, m["relationship"], m.get("remarks", "")))
    expected = {(c.id, mm.nisc_id, mm.relationship, mm.rationale) for c in ed.clauses() for mm in c.meta.nisc}
    assert got == expected
    gaps = mapping["target-gap-summary"]["unmapped-controls"][0]["with-ids"]
    assert set(gaps) <= nisc_controls and len(gaps) == 192
    # uuids: unique, version 5
    uuids = re.findall(r'"uuid": "([0-9a-f-]+)"', (out / "mapping.json").read_text(encoding="utf-8"))
    assert len(uuids) == len(set(uuids)) == 298 + 3
    assert {uuid.UUID(u).version for u in uuids} == {5}


def test_nisc_ids_map_to_distinct_ncnames(exported):
    _, ed = exported
    converted = [xref.nisc_oscal_id(i.id) for i in ed.catalog.items]
    assert len(set(converted)) == len(converted) == 969
    assert xref.nisc_oscal_id("7.3.1(1)(a)") == "nisc-7.3.1_1_a"
    assert xref.nisc_oscal_id("7.3.1(2)-1") == "nisc-7.3.1_2-1"
    assert all(NCNAME.match(c) for c in converted)


def test_clause_content_labels_and_order(exported):
    out, ed = exported
    cat = load(out / "catalog.json")["catalog"]
    by_id = {o["id"]: o for _, o in items(cat)}
    ciso = by_id["org-ciso"]
    props = {p["name"]: p["value"] for p in ciso["props"]}
    assert props["label"] == "第2編第2章 1.(1)" == ed.get("org-ciso").address
    assert ciso["title"] == "最高情報セキュリティ責任者（CISO: Chief Information Security Officer）"
    parts = {p["name"]: p for p in ciso["parts"]}
    clause = ed.get("org-ciso")
    assert parts["statement"]["id"] == "org-ciso_smt" and parts["guidance"]["id"] == "org-ciso_gdn"
    assert parts["statement"]["prose"].split("\n\n") == [
        line for line in block_text(clause.body, ed, clause).split("\n") if line.strip()]
    assert parts["guidance"]["prose"].replace("\n\n", "\n") == block_text(clause.commentary, ed, clause).strip()
    assert by_id["policy"]["props"][0] == {"name": "label", "value": "第2編"}
    assert by_id["standards"]["class"] == "sho"
    # sort-ids follow reading order
    sort_ids = [next(p["value"] for p in o["props"] if p["name"] == "sort-id") for _, o in items(cat)]
    assert [o["id"] for _, o in items(cat)] == [c.id for c in ed.clauses()]
    assert sort_ids == sorted(sort_ids) and len(set(sort_ids)) == len(sort_ids)
    md = cat["metadata"]
    assert md["last-modified"] == md["published"] == "2023-03-31T00:00:00+09:00"
    assert md["version"] == "令和5年3月版（サンプル）" and "not the official guideline" in md["remarks"]
    nisc_cat = load(out / "nisc-catalog.json")["catalog"]
    n = {o["id"]: o for _, o in items(nisc_cat)}
    item = n["nisc-2.1.1_1_a"]
    assert {p["name"]: p["value"] for p in item["props"]}["label"] == "2.1.1(1)(a)"
    assert item["title"] == "最高情報セキュリティ責任者及び最高情報セキュリティ副責任者の設置（遵守事項）"
    nsort = [next(p["value"] for p in o["props"] if p["name"] == "sort-id") for _, o in items(nisc_cat)]
    assert nsort == sorted(nsort)
    assert [next(p["value"] for p in o["props"] if p["name"] == "label") for _, o in items(nisc_cat)] == \
        [i.id for i in ed.catalog.items]  # the catalog's own order


def test_export_is_byte_identical_and_uuids_depend_on_the_edition(exported, tmp_path, in_repo, edition_dir):
    out, _ = exported
    again = tmp_path / "again"
    assert run("export", "oscal", "-e", "r5-03", "-o", str(again)) == 0
    for name in ("catalog.json", "nisc-catalog.json", "mapping.json"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name
    other = tmp_path / "fixture"
    assert run("export", "oscal", "-e", str(edition_dir), "-o", str(other)) == 0
    assert load(other / "catalog.json")["catalog"]["uuid"] != load(out / "catalog.json")["catalog"]["uuid"]


def test_a_mapped_heading_clause_becomes_a_control_and_groups_never_mix(src_copy, tmp_path, monkeypatch):
    edition = src_copy / "editions" / "base"
    # org (a level-3 heading, normally a group) now carries a mapping: it must be a control for the map to resolve
    replace_in(edition / "a.md", "### 組織体制 {#org}", "### 組織体制 {#org}\n\n```yaml\nnisc:\n  - id: 2.1.1(1)\n"
               "    relationship: superset-of\n```\n\n組織体制を定める。")
    monkeypatch.chdir(src_copy)
    out = tmp_path / "oscal"
    assert run("export", "oscal", "-e", str(edition), "-o", str(out)) == 0
    cat = trestle_catalog.Catalog.oscal_read(out / "catalog.json")
    assert cat is not None and trestle_mapping.MappingCollection.oscal_read(out / "mapping.json") is not None
    data = load(out / "catalog.json")["catalog"]
    kinds = {o["id"]: k for k, o in items(data)}
    assert kinds["org"] == "control" and kinds["tech"] == "control"  # siblings follow, so the group does not mix
    assert kinds["standards"] == "group" and kinds["policy"] == "group"
    for _, o in items(data):
        assert not ("groups" in o and "controls" in o), o["id"]
    maps = load(out / "mapping.json")["mapping-collection"]["mappings"][0]["maps"]
    assert {(m["sources"][0]["id-ref"], m["targets"][0]["id-ref"]) for m in maps} == {
        ("org", "nisc-2.1.1_1"), ("org-ciso", "nisc-2.1.1_1_a"), ("org-committee", "nisc-2.1.1_2_a"),
        ("tech-dynamic", "nisc-7.3.1_1_a")}


def test_draft_exports(tmp_path, in_repo):
    ed, report = editions.load("draft", src=REPO / "guideline_src")
    assert ed is not None and not report.errors, report.errors
    out = tmp_path / "draft"
    assert run("export", "oscal", "-e", "draft", "-o", str(out)) == 0
    assert trestle_catalog.Catalog.oscal_read(out / "catalog.json") is not None
    mc = trestle_mapping.MappingCollection.oscal_read(out / "mapping.json")
    assert mc is not None
    assert load(out / "mapping.json")["mapping-collection"]["provenance"]["status"] == \
        ("draft" if ed.meta.status == "案" else "complete")


def test_export_errors_are_messages_not_tracebacks(capsys, edition_dir, tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["export", "oscal", "-e", str(edition_dir)])
    assert exc.value.code == 2 and "Missing option '--output'" in capsys.readouterr().err
    replace_in(edition_dir / "a.md", "relationship: subset-of", "relationship: part-of")
    with pytest.raises(SystemExit) as exc:
        main(["export", "oscal", "-e", str(edition_dir), "-o", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert exc.value.code == 1 and "Traceback" not in err
    assert "a.md:" in err and "error: unknown relationship 'part-of'" in err
    assert not (tmp_path / "x").exists()
