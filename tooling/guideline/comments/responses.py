"""The response workbook: staff answer comments together in Excel, and the answers come back into the records.

Export writes one row per comment: id, clause address, the comment text (read-only), and the editable columns
意見の概要, 意見に対する考え方, 同一回答, 修正の有無, 状況, 修正した条項 (drop-down lists for 修正の有無 and 状況). A hidden
column 照合値 holds a hash of the record as exported. Import updates only the editable fields, by comment id; a row whose
record changed since the export (hash differs) is a conflict and is not applied; the comment text is never touched.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from guideline.comments.model import DISPOSITIONS, STATUSES, Comment
from guideline.comments.output import build_date, neutralise, reproducible_zip, unneutralise
from guideline.comments.privacy import find as find_personal
from guideline.comments.rows import comment_id, header_key
from guideline.comments.store import RoundData, normalise_text, save_comment
from guideline.comments.xlsx_import import open_workbook
from guideline.diagnostics import Loc, Report, UserError
from guideline.fileio import atomic_write

SHEET = "回答"
# (header, field, editable, width)
COLUMNS = (
    ("ID", "id", False, 10),
    ("提出者区分", "category", False, 12),
    ("該当箇所", "location", False, 22),
    ("条項ID", "clauses", True, 22),
    ("意見", "text", False, 60),
    ("意見の概要", "summary", True, 45),
    ("意見に対する考え方", "response", True, 60),
    ("同一回答", "response_of", True, 10),
    ("修正の有無", "disposition", True, 12),
    ("状況", "status", True, 12),
    ("修正した条項", "changed_clauses", True, 22),
    ("照合値", "digest", False, 18),
)
EDITABLE = tuple(f for _, f, e, _ in COLUMNS if e)
HEADER_OF = {f: h for h, f, _, _ in COLUMNS}
HEADER_OF.update(anchor="該当箇所の対応付け", anchor_note="該当箇所の対応付け")
GENERAL = ("全般", "全体")


def _value(comment: Comment, fld: str) -> object:
    if fld == "digest":
        return comment.digest()
    v = getattr(comment, fld)
    if fld == "clauses" and comment.anchor == "general":
        return "全般"
    if isinstance(v, tuple):
        return "\n".join(v)
    return v


def export(data: RoundData, path: Path) -> tuple[Path, int]:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([h for h, _, _, _ in COLUMNS])
    bold = Font(bold=True)
    editable_fill = PatternFill("solid", fgColor="FFF7D6")
    wrap = Alignment(wrap_text=True, vertical="top")
    for col, (_, fld, editable, width) in enumerate(COLUMNS, 1):
        cell = ws.cell(row=1, column=col)
        cell.font = bold
        letter = cell.column_letter
        ws.column_dimensions[letter].width = width
    comments = data.ordered()
    for r, comment in enumerate(comments, 2):
        for col, (_, fld, editable, _) in enumerate(COLUMNS, 1):
            value = neutralise(_value(comment, fld))
            cell = ws.cell(row=r, column=col, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, never a formula
            cell.alignment = wrap
            if editable:
                cell.fill = editable_fill
                cell.protection = Protection(locked=False)
    last = max(len(comments) + 1, 2)
    col_of = {f: i for i, (_, f, _, _) in enumerate(COLUMNS, 1)}

    def letter(fld: str) -> str:
        return ws.cell(row=1, column=col_of[fld]).column_letter

    for fld, choices, title in (("disposition", DISPOSITIONS, "修正の有無"), ("status", STATUSES, "状況")):
        dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle=title,
                            error=f"{title}は一覧から選んでください: " + "、".join(choices))
        dv.add(f"{letter(fld)}2:{letter(fld)}{last}")
        ws.add_data_validation(dv)
    ws.column_dimensions[letter("digest")].hidden = True
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{letter('digest')}{last}"
    buf = io.BytesIO()
    wb.save(buf)
    blob = reproducible_zip(buf.getvalue(), build_date(data.round.result_date or data.round.period_end))
    return atomic_write(path, blob), len(comments)


# --------------------------------------------------------------------------------------------------------------------
# import back


@dataclass
class ResponseResult:
    changed: list[tuple[int, str, list[str]]] = field(default_factory=list)  # (row, id, fields)
    unchanged: int = 0
    conflicts: list[tuple[int, str]] = field(default_factory=list)
    rejected: int = 0

    @property
    def failed(self) -> bool:
        return bool(self.conflicts or self.rejected)


def _ids(value: str) -> tuple[str, ...]:
    return tuple(x for x in re.split(r"[\s,、，;；]+", value) if x)


def import_responses(path: Path, data: RoundData, report: Report, write: bool = True) -> ResponseResult:
    path = Path(path)
    wb = open_workbook(path)
    try:
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb[wb.sheetnames[0]]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    if not rows:
        raise UserError(f"{path}: the sheet is empty")
    keys = [header_key(str(h or "")) for h in rows[0]]
    col: dict[str, int] = {}
    for header, fld, _, _ in COLUMNS:
        k = header_key(header)
        if k in keys:
            col[fld] = keys.index(k)
    missing = [HEADER_OF[f] for f in ("id", "digest") if f not in col]
    if missing:
        raise UserError(f"{path}: no column {', '.join(missing)}: this is not a workbook made by "
                        "guideline comments export (export one and fill it in)", loc=Loc(str(path), 1))
    result = ResponseResult()
    seen: dict[str, int] = {}
    for n, cells in enumerate(rows[1:], 2):
        loc = Loc(str(path), n)

        def cell(fld: str) -> str | None:
            i = col.get(fld)
            if i is None:
                return None  # column absent: leave the field alone
            v = cells[i] if i < len(cells) else None
            if v is None:
                return ""
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            return normalise_text(unneutralise(str(v)))

        if all(v is None or str(v).strip() == "" for v in cells):
            continue
        cid = comment_id(cell("id") or "")
        comment = data.comments.get(cid)
        if comment is None:
            report.error(loc, f"row {n}: comment {cid!r} is not in round {data.round.id}; row skipped")
            result.rejected += 1
            continue
        if cid in seen:
            report.error(loc, f"row {n}: comment {cid} also appears in row {seen[cid]}; row skipped")
            result.rejected += 1
            continue
        seen[cid] = n
        changes: dict[str, object] = {}
        problems = []
        for fld in EDITABLE:
            raw = cell(fld)
            if raw is None:
                continue
            if fld == "clauses":
                # anchoring by hand: clause IDs (anchor "manual"), 全般 (a comment on the whole document), or empty
                if _ids(raw) == comment.clauses or (comment.anchor == "general" and raw in GENERAL):
                    continue
                if raw in GENERAL:
                    changes.update(clauses=(), anchor="general", anchor_note="")
                    continue
                value = _ids(raw)
                bad = [x for x in value if not re.fullmatch(r"[a-z][a-z0-9-]{1,39}", x)]  # type: ignore[union-attr]
                if bad:
                    problems.append(f"{HEADER_OF[fld]}: {', '.join(bad)} are not clause IDs")
                changes.update(anchor="manual" if value else "unresolved", anchor_note="")
            elif fld == "changed_clauses":
                value = _ids(raw)
                bad = [x for x in value if not re.fullmatch(r"[a-z][a-z0-9-]{1,39}", x)]  # type: ignore[union-attr]
                if bad:
                    problems.append(f"{HEADER_OF[fld]}: {', '.join(bad)} are not clause IDs")
            elif fld == "response_of":
                value = comment_id(raw) if raw else ""
                if value and (value not in data.comments or value == cid):
                    problems.append(f"{HEADER_OF[fld]} {raw!r} is not another comment of this round")
            elif fld == "disposition":
                value = raw
                if raw and raw not in DISPOSITIONS:
                    problems.append(f"{HEADER_OF[fld]} {raw!r} must be one of {', '.join(DISPOSITIONS)}")
            elif fld == "status":
                value = raw or comment.status
                if value not in STATUSES:
                    problems.append(f"{HEADER_OF[fld]} {raw!r} must be one of {', '.join(STATUSES)}")
            else:
                value = raw
            if value != getattr(comment, fld):
                changes[fld] = value
        if problems:
            report.error(loc, f"row {n}: comment {cid}: " + "; ".join(problems) + "; row skipped")
            result.rejected += 1
            continue
        sheet_text = cell("text")
        if sheet_text is not None and sheet_text != comment.text:
            report.warning(loc, f"row {n}: comment {cid}: the 意見 cell was edited; the original text is never "
                                "changed, the edit is ignored")
        if not changes:
            result.unchanged += 1
            continue
        digest = (cell("digest") or "").strip()
        if digest != comment.digest():
            report.error(loc, f"row {n}: conflict: comment {cid} was changed in the records since this workbook was "
                              f"exported ({comment.loc.path}); its row is not applied — export again and redo it")
            result.conflicts.append((n, cid))
            continue
        for fld in ("summary", "response"):
            if fld in changes:
                found = find_personal(str(changes[fld]))
                if found:
                    report.warning(loc, f"row {n}: comment {cid}: {HEADER_OF[fld]} contains personal data "
                                        f"({', '.join(found)}); remove it before publication")
        updated = replace(comment, **changes)  # type: ignore[arg-type]
        data.comments[cid] = updated
        if write:
            save_comment(data.directory, updated)
        order = [f for _, f, _, _ in COLUMNS] + ["anchor", "anchor_note"]
        names = [HEADER_OF[f] for f in sorted(changes, key=order.index)]
        result.changed.append((n, cid, list(dict.fromkeys(names))))
    return result


__all__ = ["export", "import_responses", "COLUMNS", "SHEET"]
