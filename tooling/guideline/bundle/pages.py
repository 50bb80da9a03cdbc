"""The bundle's two pages, from the templates under ``templates/release/``: ``index.html`` (every file with its size
and SHA-256, what changed since the previous edition and where) and ``history.html`` (every frozen edition with the
新旧対照表 between consecutive ones)."""
from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from guideline import __version__
from guideline.bundle.files import human_size
from guideline.bundle.manifest import MANIFEST, SUMS
from guideline.bundle.plan import Plan
from guideline.model import Edition
from guideline.render_html import jinja_env, templates_dir
from guideline.vocabulary import KIND_JA, KIND_ORDER, wareki
from guideline.writers.edition.html_site import href_map

INDEX = "index.html"
HISTORY = "history.html"


@dataclass(frozen=True)
class HistoryEntry:
    id: str
    label: str
    date: datetime.date
    status: str
    current: bool
    diff_from: str = ""  # id of the preceding edition
    diff_href: str = ""


def diff_dir(old_id: str, new_id: str) -> str:
    return f"diffs/{old_id}--{new_id}"


def _css() -> str:
    return (templates_dir() / "release" / "release.css").read_text(encoding="utf-8")


def _edition_view(p: Plan) -> dict:
    m = p.edition.meta
    return {"id": m.id, "title": m.title, "label": m.label or m.id, "date": m.date.isoformat(),
            "date_ja": wareki(m.date), "status": m.status, "sample": m.sample, "draft": m.status != "確定"}


FILE_ROLES = (
    ("site/index.html", "Web版（HTML）", "ブラウザで閲覧する版（目次・検索付き）"),
    ("guideline.pdf", "PDF", "印刷・閲覧用"),
    ("guideline.docx", "Word", "ガイドライン全体"),
    ("reibun.docx", "Word（例文）", "各団体がポリシー策定のひな形として編集する例文"),
    ("comparison.pdf", "新旧対照表（PDF）", ""),
    ("comparison.docx", "新旧対照表（Word）", ""),
    ("comparison.html", "新旧対照表（HTML）", ""),
    ("changes.json", "変更一覧（JSON）", "条項単位の変更（機械可読）"),
    ("oscal/catalog.json", "OSCAL カタログ", "ガイドラインを OSCAL 1.2 catalog として"),
    ("oscal/mapping.json", "OSCAL マッピング", "統一基準との対応（NIST IR 8477 の関係）"),
    ("oscal/nisc-catalog.json", "OSCAL 統一基準カタログ", "マッピングの参照先"),
    ("history.html", "版の履歴", "確定した各版と版間の差分"),
)


def _top_sections(cs, edition: Edition, limit: int = 8) -> list[dict]:
    """The sections (level-3 items, or the clause itself above that) with the most changes."""
    href = href_map(edition)
    counts: Counter = Counter()
    info: dict[tuple[str, str], dict] = {}
    first: dict[tuple[str, str], int] = {}
    for i, ch in enumerate(cs.changes):
        if ch.kind == "unchanged":
            continue
        side, ed = (ch.new, edition) if ch.new else (ch.old, cs.old)
        clause = side[0]
        chain = [*ed.ancestors(clause.id), clause]
        section = next((c for c in chain if c.level >= 3), chain[-1])
        key = ("new" if ed is edition else "old", section.id)
        counts[key] += 1
        first.setdefault(key, i)
        if key not in info:
            info[key] = {"address": section.address, "heading": section.heading,
                         "href": f"site/{href(section.id)}" if ed is edition else "",
                         "old": ed is not edition}
    ranked = sorted(counts, key=lambda k: (-counts[k], first[k]))[:limit]
    return [{**info[k], "count": counts[k]} for k in ranked]


def render_index(p: Plan, files: list[dict], changes: dict | None, cs) -> str:
    by_path = {f["path"]: f for f in files}
    main = []
    for path, name, note in FILE_ROLES:
        if path in by_path:
            f = by_path[path]
            main.append({**f, "name": name, "note": note, "size_h": human_size(f["size"])})
    for data, _, _ in p.rounds:
        for fmt, label in (("pdf", "PDF"), ("docx", "Word"), ("html", "HTML")):
            path = f"comments/{data.round.id}/result.{fmt}"
            if path in by_path:
                f = by_path[path]
                main.append({**f, "name": f"意見募集の結果（{label}）", "note": data.round.title,
                             "size_h": human_size(f["size"])})
    summary = None
    if changes is not None and cs is not None:
        counts = changes["summary"]
        summary = {
            "old": changes["old"], "new": changes["new"],
            "counts": [{"kind": k, "label": KIND_JA[k], "n": counts.get(k, 0)} for k in KIND_ORDER],
            "total": sum(v for k, v in counts.items() if k != "unchanged"),
            "sections": _top_sections(cs, p.edition),
        }
    total = sum(f["size"] for f in files)
    return jinja_env().get_template("release/index.html.j2").render(
        css=_css(), edition=_edition_view(p), main_files=main,
        all_files=[{**f, "size_h": human_size(f["size"])} for f in files], file_count=len(files),
        total_h=human_size(total), summary=summary, previous=p.previous.meta if p.previous is not None else None,
        rounds=[{"id": d.round.id, "title": d.round.title} for d, _, _ in p.rounds],
        version=__version__, revision=p.revision, manifest=MANIFEST, sums=SUMS, history=HISTORY,
    )


def render_history(p: Plan, entries: list[HistoryEntry]) -> str:
    rows = [{"id": e.id, "label": e.label or e.id, "date": e.date.isoformat(), "date_ja": wareki(e.date),
             "status": e.status, "current": e.current, "diff_from": e.diff_from, "diff_href": e.diff_href}
            for e in reversed(entries)]
    return jinja_env().get_template("release/history.html.j2").render(
        css=_css(), edition=_edition_view(p), rows=rows, version=__version__, index=INDEX,
    )
