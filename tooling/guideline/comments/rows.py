"""Rows of a received spreadsheet (CSV or XLSX) → comment records, and merging them into a round.

Columns are found by header (docs/comments-format.md): 番号, 受付日, 提出者区分, 氏名・団体名, 連絡先, 該当箇所, 意見
(and the optional 引用). Other headers are mapped with a mapping file. A row that cannot be used is reported with its
row number and skipped; every other row is imported. Re-importing the same rows changes nothing.
"""
from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from guideline import yamlio
from guideline.comments.anchor import Resolver
from guideline.comments.model import CATEGORIES, COMMENT_ID_RE, RESERVED_IDS, Comment
from guideline.comments.store import RoundData, normalise_text, save_comment
from guideline.diagnostics import Loc, Report, UserError

FIELDS = ("id", "received", "category", "name", "contact", "location", "text", "quote")
HEADERS = {  # canonical header → field
    "番号": "id", "受付日": "received", "提出者区分": "category", "氏名・団体名": "name", "連絡先": "contact",
    "該当箇所": "location", "意見": "text", "引用": "quote",
}
FIELD_HEADER = {v: k for k, v in HEADERS.items()}
ALIASES = {  # other headers seen in practice
    "id": ("no", "no.", "通し番号", "意見番号", "受付番号"),
    "received": ("受付日時", "提出日", "受付年月日", "提出日時"),
    "category": ("区分", "提出者の区分", "属性"),
    "name": ("氏名", "団体名", "氏名又は名称", "氏名又は団体名", "提出者", "団体名・氏名"),
    "contact": ("連絡先（メールアドレス等）", "メールアドレス", "住所・連絡先"),
    "location": ("該当箇所（ページ・項目）", "該当部分", "該当項目", "対象箇所"),
    "text": ("意見内容", "ご意見", "御意見", "意見の内容", "意見及び理由", "意見・理由"),
    "quote": ("引用箇所", "該当する記述"),
}
REQUIRED = ("id", "text")
CATEGORY_WORDS = {
    "個人": "個人",
    "法人・団体": "法人・団体", "法人": "法人・団体", "団体": "法人・団体", "法人等": "法人・団体", "企業": "法人・団体",
    "法人団体": "法人・団体", "事業者": "法人・団体",
    "地方公共団体": "地方公共団体", "自治体": "地方公共団体", "地方自治体": "地方公共団体", "都道府県": "地方公共団体",
    "市区町村": "地方公共団体", "市町村": "地方公共団体",
}


def header_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    return re.sub(r"[\s　]", "", text)


@dataclass
class Table:
    """What a spreadsheet reader hands over: the header row and the data rows with their numbers."""

    path: Path
    headers: list[str]
    header_row: int
    rows: list[tuple[int, int, list[Any]]] = field(default_factory=list)  # (row number, line or 0, cells)
    encoding: str = ""

    def loc(self, row: int, line: int) -> Loc:
        return Loc(str(self.path), line or row)


@dataclass
class Mapping:
    """Which header holds which field, and extra 提出者区分 words."""

    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field → headers (joined when several)
    categories: dict[str, str] = field(default_factory=dict)


def load_mapping(path: Path | None) -> Mapping:
    if path is None:
        return Mapping()
    report = Report()
    try:
        doc = yamlio.load(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise UserError(f"cannot read mapping file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: the mapping file must be UTF-8") from None
    except yamlio.YamlProblem as exc:
        raise UserError(exc.message, loc=Loc(str(path), exc.line)) from None
    data = doc.data or {}
    sp = str(path)
    if not isinstance(data, dict):
        raise UserError("a mapping file is a mapping with columns: (and optionally categories:)", loc=Loc(sp, 1))
    out = Mapping()
    for key in data:
        if key not in ("columns", "categories"):
            report.error(Loc(sp, doc.line(key)), f"unknown key {key!r}; known: columns, categories")
    cols = data.get("columns") or {}
    if not isinstance(cols, dict):
        report.error(Loc(sp, doc.line("columns")), "columns maps our headers (番号, 意見 …) to the file's headers")
        cols = {}
    for ours, theirs in cols.items():
        fld = HEADERS.get(str(ours))
        if fld is None:
            report.error(Loc(sp, doc.line("columns", ours)), f"{ours!r} is not one of our headers: {', '.join(HEADERS)}")
            continue
        names = theirs if isinstance(theirs, list) else [theirs]
        if not names or not all(isinstance(n, (str, int)) and str(n).strip() for n in names):
            report.error(Loc(sp, doc.line("columns", ours)), f"{ours}: give the file's header, or a list of headers")
            continue
        out.columns[fld] = tuple(str(n) for n in names)
    cats = data.get("categories") or {}
    if not isinstance(cats, dict):
        report.error(Loc(sp, doc.line("categories")), "categories maps the file's words to 個人, 法人・団体 or 地方公共団体")
        cats = {}
    for word, cat in cats.items():
        if cat not in CATEGORIES:
            report.error(Loc(sp, doc.line("categories", word)), f"{word!r}: {cat!r} is not one of {', '.join(CATEGORIES)}")
            continue
        out.categories[header_key(str(word))] = cat
    if report.errors:
        raise UserError(f"mapping file {path} has problems", report=report)
    return out


def locate_columns(table: Table, mapping: Mapping) -> dict[str, list[int]]:
    """field → column indexes; a UserError names the missing columns and lists the headers found."""
    keys = [header_key(h) for h in table.headers]
    where: dict[str, list[int]] = {}
    for fld in FIELDS:
        if fld in mapping.columns:
            wanted = [header_key(h) for h in mapping.columns[fld]]
            idx = [keys.index(w) for w in wanted if w in keys]
            missing = [h for h, w in zip(mapping.columns[fld], wanted) if w not in keys]
            if missing:
                raise UserError(f"the mapping names column(s) {', '.join(missing)} for {FIELD_HEADER[fld]}, but the "
                                f"header row has: {', '.join(h for h in table.headers if h)}",
                                loc=table.loc(table.header_row, table.header_row))
            where[fld] = idx
            continue
        for candidate in (FIELD_HEADER[fld], *ALIASES.get(fld, ())):
            k = header_key(candidate)
            if k in keys:
                where[fld] = [keys.index(k)]
                break
    missing = [FIELD_HEADER[f] for f in REQUIRED if f not in where]
    if missing:
        raise UserError(f"no column {' or '.join(missing)} in the header row (found: "
                        f"{', '.join(h for h in table.headers if h) or 'nothing'}); name the columns as in "
                        "docs/comments-format.md or give --mapping FILE", loc=table.loc(table.header_row, table.header_row))
    return where


_CATEGORY_KEYS = {header_key(k): v for k, v in CATEGORY_WORDS.items()}

# --------------------------------------------------------------------------------------------------------------------
# cell values

_WAREKI = {"令和": 2018, "平成": 1988, "R": 2018, "H": 1988}


def parse_date(value: Any) -> datetime.date | None:
    """A received date from a cell: a date, ISO or slashed text, 令和6年9月12日, R6.9.12, or an Excel serial."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 < value < 80000:  # Excel serial day number
            return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))
        raise ValueError(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    m = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$", text)
    if m:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.match(r"^(令和|平成|R|H)\s*(\d{1,2}|元)[年.](\d{1,2})[月.](\d{1,2})日?$", text)
    if m:
        year = 1 if m.group(2) == "元" else int(m.group(2))
        return datetime.date(_WAREKI[m.group(1)] + year, int(m.group(3)), int(m.group(4)))
    raise ValueError(text)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()[:10]
    return normalise_text(str(value))


def comment_id(value: Any) -> str:
    """番号 → record id: numbers are zero-padded to three digits (7 → 007) so files sort; other ids stay."""
    text = unicodedata.normalize("NFKC", cell_text(value)).strip()
    if re.fullmatch(r"\d+", text):
        return f"{int(text):03d}"
    return text


# --------------------------------------------------------------------------------------------------------------------
# rows → comments


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    malformed: int = 0
    unanchored: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{len(self.created)} new, {len(self.unchanged)} unchanged, {len(self.conflicts)} conflicting, "
               f"{self.malformed} malformed row(s) skipped"]
        if self.unanchored:
            out.append(f"{len(self.unanchored)} comment(s) need manual anchoring (該当箇所 did not resolve): "
                       + ", ".join(self.unanchored))
        return out

    @property
    def failed(self) -> bool:
        return bool(self.conflicts or self.malformed)


def rows_to_comments(table: Table, mapping: Mapping, resolver: Resolver, report: Report,
                     default_category: str = "") -> list[tuple[Comment, Loc]]:
    where = locate_columns(table, mapping)
    out: list[tuple[Comment, Loc]] = []
    seen: dict[str, int] = {}
    width = len(table.headers)
    for row_no, line, cells in table.rows:
        loc = table.loc(row_no, line)
        if all(cell_text(c) == "" for c in cells):
            continue  # blank rows are not comments
        if len(cells) > width and any(cell_text(c) for c in cells[width:]):
            report.error(loc, f"row {row_no}: {len(cells)} cells but the header has {width} columns (a stray comma or "
                              "an unquoted line break?); row skipped")
            continue

        def get(fld: str) -> Any:
            idx = where.get(fld)
            if not idx:
                return None
            values = [cells[i] if i < len(cells) else None for i in idx]
            if len(values) == 1:
                return values[0]
            return "\n".join(cell_text(v) for v in values if cell_text(v))

        problems = []
        cid = comment_id(get("id"))
        if not cid:
            problems.append(f"{FIELD_HEADER['id']} is empty")
        elif not COMMENT_ID_RE.match(cid) or cid in RESERVED_IDS:
            problems.append(f"{FIELD_HEADER['id']} {cid!r} is not usable as an id (letters, digits, - and _)")
        elif cid in seen:
            problems.append(f"{FIELD_HEADER['id']} {cid} is already used by row {seen[cid]}")
        text = cell_text(get("text"))
        if not text:
            problems.append(f"{FIELD_HEADER['text']} is empty")
        received = None
        raw_date = get("received")
        if cell_text(raw_date):
            try:
                received = parse_date(raw_date)
            except (ValueError, OverflowError):
                problems.append(f"{FIELD_HEADER['received']} {cell_text(raw_date)!r} is not a date (write 2024-09-12)")
        raw_cat = cell_text(get("category"))
        category = ""
        if raw_cat:
            key = header_key(raw_cat)
            category = mapping.categories.get(key) or _CATEGORY_KEYS.get(key, "")
            if not category:
                problems.append(f"{FIELD_HEADER['category']} {raw_cat!r} is not one of {', '.join(CATEGORIES)} "
                                "(map other words with a mapping file)")
        else:
            category = default_category
            if not category:
                problems.append(f"{FIELD_HEADER['category']} is empty (or give --category)")
        if problems:
            report.error(loc, f"row {row_no}: " + "; ".join(problems) + "; row skipped")
            continue
        seen[cid] = row_no
        location = cell_text(get("location"))
        anchor = resolver.resolve(location)
        comment = Comment(
            id=cid, text=text, category=category, received=received, name=cell_text(get("name")),
            contact=cell_text(get("contact")), location=location, clauses=anchor.clauses, anchor=anchor.status,
            anchor_note=anchor.note, quote=cell_text(get("quote")), source_file=table.path.name, source_row=row_no,
        )
        out.append((comment, loc))
    return out


def merge(data: RoundData, incoming: list[tuple[Comment, Loc]], report: Report, write: bool = True) -> ImportResult:
    """Add new comments to the round; a known id with the same content is left alone, with other content it is a
    conflict (reported, nothing overwritten)."""
    result = ImportResult()
    for comment, loc in incoming:
        existing = data.comments.get(comment.id)
        if existing is None:
            data.comments[comment.id] = comment
            result.created.append(comment.id)
            if write:
                save_comment(data.directory, comment)
            if comment.anchor == "unresolved":
                result.unanchored.append(comment.id)
            continue
        if existing.original_key() == comment.original_key():
            result.unchanged.append(comment.id)
            continue
        differs = [f for f in Comment.ORIGINAL if getattr(existing, f) != getattr(comment, f)]
        names = {"text": "意見", "category": "提出者区分", "received": "受付日", "name": "氏名・団体名",
                 "contact": "連絡先", "location": "該当箇所", "quote": "引用"}
        report.error(loc, f"comment {comment.id} already exists in round {data.round.id} with a different "
                          f"{'/'.join(names[f] for f in differs)}; not changed (edit {existing.loc.path} by hand "
                          "if the submission was corrected)")
        result.conflicts.append(comment.id)
    return result


def import_table(table: Table, data: RoundData, resolver: Resolver, mapping: Mapping, report: Report,
                 default_category: str = "", write: bool = True) -> ImportResult:
    before = len(report.errors)
    incoming = rows_to_comments(table, mapping, resolver, report, default_category)
    malformed = len(report.errors) - before
    result = merge(data, incoming, report, write)
    result.malformed = malformed
    return result


def with_anchor(comment: Comment, resolver: Resolver) -> Comment:
    anchor = resolver.resolve(comment.location)
    return replace(comment, clauses=anchor.clauses, anchor=anchor.status, anchor_note=anchor.note)
