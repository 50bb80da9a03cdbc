"""The reader: structure, IDs, metadata, commentary, inline nodes, source locations."""
from __future__ import annotations

import datetime

from conftest import line_of

from guideline.model import BulletList, OrderedList, Para, Placeholder, Table, Text, XRef, block_text
from guideline.reader import read_edition


def test_reads_structure_and_locations(edition_dir):
    ed, report = read_edition(edition_dir)
    assert report.items == []
    assert [p.id for p in ed.parts] == ["general", "policy"]
    assert [c.id for c in ed.clauses()] == [
        "general", "gen-purpose", "policy", "standards", "org", "org-ciso", "org-committee",
        "tech", "tech-access", "tech-dynamic", "tech-dynamic-owner", "tech-dynamic-policy",
    ]
    ciso = ed.get("org-ciso")
    assert ciso.level == 5 and ciso.heading == "最高情報セキュリティ責任者"
    assert ciso.loc.path.endswith("a.md") and ciso.loc.line == line_of(edition_dir / "a.md", "{#org-ciso}")
    # a clause continues across files: b.md's "###" sits under a.md's "## 対策基準"
    assert ed.parent("tech").id == "standards"
    assert ed.meta.date == datetime.date(2024, 10, 2) and ed.meta.status == "確定"
    assert ed.catalog is not None and ed.catalog.id == "test-r7"


def test_metadata_commentary_and_inlines(edition_dir):
    ed, _ = read_edition(edition_dir)
    ciso = ed.get("org-ciso")
    (m,) = ciso.meta.nisc
    assert (m.nisc_id, m.relationship, m.rationale) == ("2.1.1(1)(a)", "subset-of", "責任者の設置を求める点で対応する。")
    assert m.loc.line == line_of(edition_dir / "a.md", "- id: 2.1.1(1)(a)")
    assert ciso.meta.models == ("alpha", "beta")
    assert ciso.body == (Para((Placeholder("○○副市長"), Text("を、CISOとする。")), ciso.body[0].line),)
    assert block_text(ciso.commentary) == "CISOは、最終的な権限と責任を有する。"
    committee = ed.get("org-committee")
    assert isinstance(committee.body[0], Para) and XRef("org-ciso") in committee.body[0].inlines
    assert isinstance(committee.body[1], OrderedList) and len(committee.body[1].items) == 2
    owner = ed.get("tech-dynamic-owner")
    table = owner.body[1]
    assert isinstance(table, Table) and block_text((table,)) == "区分\t例\n機密性3\t住民の個人情報"


def test_plain_text_renders_xrefs_and_list_labels(edition_dir):
    ed, _ = read_edition(edition_dir)
    committee = ed.get("org-committee")
    assert block_text(committee.body, ed, committee) == "委員会を置く。1.(1)が主宰する。\n(ア)方針を決定する。\n(イ)監査結果を確認する。"
    owner = ed.get("tech-dynamic-owner")
    # a reference into another 章 reads as the full address
    assert block_text(owner.body[:1], ed, owner) == "責任者を置く。第1編第1章参照。"


def test_numbering_and_addresses(edition_dir):
    ed, _ = read_edition(edition_dir)
    got = {c.id: (c.number, c.address) for c in ed.clauses()}
    assert got["policy"] == ("第2編", "第2編")
    assert got["standards"] == ("第1章", "第2編第1章")
    assert got["org"] == ("1.", "第2編第1章 1.")
    assert got["org-ciso"] == ("(1)", "第2編第1章 1.(1)")
    assert got["org-committee"] == ("(2)", "第2編第1章 1.(2)")
    assert got["tech"] == ("2.", "第2編第1章 2.")
    assert got["tech-access"] == ("2.1.", "第2編第1章 2.1.")
    assert got["tech-dynamic"] == ("(1)", "第2編第1章 2.1.(1)")
    assert got["tech-dynamic-owner"] == ("①", "第2編第1章 2.1.(1)①")
    assert got["tech-dynamic-policy"] == ("②", "第2編第1章 2.1.(1)②")
    assert ed.commentary_part_number == "第3編"


def test_inserting_a_clause_renumbers_followers(edition_dir):
    path = edition_dir / "a.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("##### 最高情報セキュリティ責任者 {#org-ciso}",
                                 "##### 新しい項目 {#org-new}\n\n新設する。\n\n##### 最高情報セキュリティ責任者 {#org-ciso}"),
                    encoding="utf-8")
    ed, report = read_edition(edition_dir)
    assert not report.errors
    assert ed.get("org-new").address == "第2編第1章 1.(1)"
    assert ed.get("org-ciso").address == "第2編第1章 1.(2)"
    # the cross-reference text follows the renumbering
    committee = ed.get("org-committee")
    assert block_text(committee.body[:1], ed, committee) == "委員会を置く。1.(2)が主宰する。"


def test_unnumbered_heading_takes_no_number(edition_dir):
    path = edition_dir / "a.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("## 目的 {#gen-purpose}", "## はじめに {#gen-preface .unnumbered}\n\n前文。\n\n## 目的 {#gen-purpose}"),
                    encoding="utf-8")
    ed, report = read_edition(edition_dir)
    assert not report.errors, report.items
    assert ed.get("gen-preface").number == "" and ed.get("gen-purpose").number == "第1章"


def test_bullet_lists_and_links(edition_dir):
    path = edition_dir / "b.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n- 一つ目\n- [外部](https://example.jp/)\n", encoding="utf-8")
    ed, report = read_edition(edition_dir)
    assert not report.errors
    last = ed.get("tech-dynamic-policy").body[-1]
    assert isinstance(last, BulletList) and block_text((last,)) == "・一つ目\n・外部"
