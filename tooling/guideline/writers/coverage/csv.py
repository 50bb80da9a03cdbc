"""Coverage of the NISC 遵守事項 as CSV for Japanese Excel (``nisc-coverage.csv``).

UTF-8 with a BOM (Excel reads BOM-less UTF-8 as CP932 and garbles it), CRLF line ends, every cell that Excel would
take for a formula prefixed with ``'``. Two tables separated by an empty row: first the 対応表 (one row per 遵守事項
and mapped clause; an unmapped 遵守事項 has one row with 状態 未対応), then the 集計 of the gaps by 部 and 節.
"""
from __future__ import annotations

import csv
import io

from guideline import xref
from guideline.render_html import RELATIONSHIP_JA


DETAIL_HEADER = ("部", "部の見出し", "節", "節の見出し", "対策項目", "対策項目の見出し", "遵守事項", "状態",
                 "条項ID", "条項番号", "条項見出し", "関係", "関係（日本語）", "根拠")
SUMMARY_HEADER = ("部", "部の見出し", "節", "節の見出し", "遵守事項数", "対応あり", "未対応", "対応率（%）",
                  "未対応の遵守事項")

COVERED = "対応あり"
UNCOVERED = "未対応"


def detail_rows(cov: xref.Coverage) -> list[tuple]:
    """The 対応表: one row per (遵守事項, mapped clause); an unmapped 遵守事項 gets one row without a clause."""
    rows: list[tuple] = []
    for r in cov.rows:
        head = (r.part.id if r.part else "", r.part.heading if r.part else "",
                r.section.id if r.section else "", r.section.heading if r.section else "",
                r.measure.id if r.measure else "", r.measure.heading if r.measure else "", r.item.id,
                COVERED if r.covered else UNCOVERED)
        if not r.mappings:
            rows.append(head + ("",) * 6)
        for m in r.mappings:
            rows.append(head + (m.clause_id, m.address, m.heading, m.relationship,
                                RELATIONSHIP_JA.get(m.relationship, ""), m.rationale))
    return rows


def summary_rows(cov: xref.Coverage) -> list[tuple]:
    """The 集計: one row per 部 (節 columns empty), then its 節; a total row last."""
    rows: list[tuple] = []
    for p in cov.parts:
        rows.append((p.item.id, p.item.heading, "", "", p.total, p.covered, p.uncovered, p.percent,
                     " ".join(p.gaps)))
        for s in p.sections:
            rows.append((p.item.id, p.item.heading, s.item.id, s.item.heading, s.total, s.covered, s.uncovered,
                         s.percent, " ".join(s.gaps)))
    rows.append(("計", "", "", "", cov.total, cov.covered, cov.uncovered, cov.percent, ""))
    return rows


def _cell(value) -> str | int:
    return xref.neutralize_cell(value) if isinstance(value, str) else value


def render(cov: xref.Coverage) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(DETAIL_HEADER)
    for row in detail_rows(cov):
        w.writerow([_cell(v) for v in row])
    w.writerow([])
    w.writerow(SUMMARY_HEADER)
    for row in summary_rows(cov):
        w.writerow([_cell(v) for v in row])
    # embedded line breaks inside a quoted cell stay LF, as Excel writes them
    return buf.getvalue().encode("utf-8-sig")
