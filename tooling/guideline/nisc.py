"""The NISC 統一基準 catalog: loading, finding, and reading identifiers as officials type them."""
from __future__ import annotations

import difflib
import io
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from guideline import parse_cache, yamlio
from guideline.diagnostics import Diagnostic, Loc, Report
from guideline.model import NiscCatalog, NiscItem

KINDS = ("部", "節", "款", "対策項目", "遵守事項", "基本対策事項")
_ID_RE = re.compile(r"^\d+(\.\d+){0,2}(\(\d+\)(\([a-z]+\)|-\d+)?)?$")


_DASHES = "－‐‑‒–—―−ー─"
_PREFIX_RE = re.compile(r"^(?:NISC|統一基準群?)[:#]?", re.I)


def normalize_id(text: str) -> str:
    """An identifier as officials type it → the catalog's form: ``７．３．１（１）`` → ``7.3.1(1)``.

    NFKC (full-width digits, letters and brackets, ``⑴``), spaces removed, every dash-like character read as ``-``,
    ``(Ａ)`` lower-cased, a ``.`` before ``(`` dropped (``7.3.1.(1)``), a bare item letter bracketed
    (``7.3.1(1)a`` → ``7.3.1(1)(a)``), a leading ``NISC`` or ``統一基準`` and a trailing ``.`` removed.
    """
    s = unicodedata.normalize("NFKC", text).strip()
    s = re.sub(r"\s+", "", s)
    s = _PREFIX_RE.sub("", s)
    for dash in _DASHES:
        s = s.replace(dash, "-")
    s = re.sub(r"\(([A-Za-z]+)\)", lambda m: f"({m.group(1).lower()})", s)
    s = re.sub(r"\.+\(", "(", s)
    s = re.sub(r"^(\d+(?:\.\d+)*\(\d+\))([A-Za-z])$", lambda m: f"{m.group(1)}({m.group(2).lower()})", s)
    return s.rstrip(".")


def is_wellformed(nisc_id: str) -> bool:
    return bool(_ID_RE.match(nisc_id))


_TOKEN_RE = re.compile(r"\d+|\([^()]*\)|-\d+|[^.\d()-]+")


def _tokens(nisc_id: str) -> list[str]:
    """``7.3.1(1)(a)`` → ``['7', '3', '1', '(1)', '(a)']``."""
    return _TOKEN_RE.findall(nisc_id)


def _kind(token: str) -> str:
    """The shape of one component: ``9`` → ``n``, ``(9)`` → ``(n)``, ``(a)`` → ``(a)``, ``-9`` → ``-n``."""
    return re.sub(r"[a-z]+", "a", re.sub(r"\d+", "n", token))


def suggest(catalog: NiscCatalog, nisc_id: str, n: int = 3) -> list[str]:
    """The closest existing identifiers, for "did you mean" messages.

    Ranked by the length of the shared leading components (``2.1.1(9)(a)`` is nearer ``2.1.1(8)(a)`` than
    ``8.1.1(9)(a)``), then by having the same shape, then by numeric distance of the first differing component,
    then by string similarity. Identifiers sharing no leading component are offered only when very similar.
    """
    want = _tokens(nisc_id)
    if not want:
        return []
    scored = []
    for ident in catalog.by_id:
        have = _tokens(ident)
        common = 0
        distance = 0
        for a, b in zip(want, have):
            if a != b:
                da, db = re.sub(r"\D", "", a), re.sub(r"\D", "", b)
                distance = abs(int(da) - int(db)) if da and db else 0
                break
            common += 1
        ratio = difflib.SequenceMatcher(None, nisc_id, ident, autojunk=False).ratio()
        if common == 0 and ratio < 0.75:
            continue
        shape = len(have) == len(want) and all(_kind(x) == _kind(y) for x, y in zip(want, have))
        scored.append((-common, not shape, distance, -ratio, ident))
    scored.sort()
    return [ident for *_, ident in scored[:n]]


def find_catalog_file(start: str | os.PathLike[str], catalog_id: str) -> Path | None:
    """Look for ``nisc/<catalog_id>.yaml`` beside ``start`` and in each directory above it."""
    here = Path(start).resolve()
    for directory in [here, *here.parents]:
        candidate = directory / "nisc" / f"{catalog_id}.yaml"
        if candidate.is_file():
            return candidate
    return None


@dataclass(frozen=True, slots=True)
class CatalogRead:
    """What reading a catalog file's bytes gives (and the parse cache keeps): the catalog, if usable, and the
    problems found."""

    catalog: NiscCatalog | None
    diagnostics: tuple[Diagnostic, ...]


CATALOG_READ = parse_cache.RecordCodec("nisc", CatalogRead)


def load_catalog(path: str | os.PathLike[str], report: Report, cache=None) -> NiscCatalog | None:
    """Read a catalog file; problems go to ``report``. Returns None when the file cannot be used at all.

    ``cache`` (a :class:`guideline.parse_cache.ParseCache`; default: the one for ``path``) keeps the result of
    reading the file's bytes, so that an unchanged catalog is not parsed again."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        text = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8").read()  # as open(path, encoding=...) reads it
    except (OSError, UnicodeDecodeError) as exc:
        report.error(Loc(path, 0), f"cannot read the NISC catalog: {exc}")  # not cached
        return None
    cache = cache if cache is not None else parse_cache.default_for(path)

    def compute() -> CatalogRead:
        found = Report()
        catalog = _parse_catalog(text, path, found)
        return CatalogRead(catalog, tuple(found.items))

    read = cache.get(CATALOG_READ.kind, raw, path, compute, CATALOG_READ.encode, CATALOG_READ.decode)
    report.extend(read.diagnostics)
    return read.catalog


def _parse_catalog(text: str, path: str, report: Report) -> NiscCatalog | None:
    try:
        doc = yamlio.load(text)
    except yamlio.YamlProblem as exc:
        report.error(Loc(path, exc.line), exc.message)
        return None
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        report.error(Loc(path, 1), "a NISC catalog needs the keys catalog, title, edition and a list 'items'")
        return None
    items: list[NiscItem] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["items"]):
        loc = Loc(path, doc.line("items", i))
        if not isinstance(raw, dict) or "id" not in raw or "kind" not in raw:
            report.error(loc, "each catalog item needs 'id' and 'kind'")
            continue
        ident = doc.text("items", i, "id") or str(raw["id"])
        kind = str(raw["kind"])
        parent = str(raw.get("parent") or "")
        if kind not in KINDS:
            report.error(loc, f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
        if ident in seen:
            report.error(loc, f"duplicate catalog identifier {ident}")
            continue
        if parent and parent not in seen:
            report.error(loc, f"parent {parent} of {ident} is not defined above it")
        seen.add(ident)
        items.append(NiscItem(ident, kind, str(raw.get("heading") or ""), parent, loc))
    return NiscCatalog(
        id=str(data.get("catalog") or Path(path).stem),
        title=str(data.get("title") or ""),
        edition=str(data.get("edition") or ""),
        items=tuple(items),
        loc=Loc(path, 1),
    )
