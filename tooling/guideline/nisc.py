"""The NISC 統一基準 catalog: loading, finding, and reading identifiers as officials type them."""
from __future__ import annotations

import difflib
import os
import re
import unicodedata
from pathlib import Path

from guideline import yamlio
from guideline.diagnostics import Loc, Report
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


def suggest(catalog: NiscCatalog, nisc_id: str, n: int = 3) -> list[str]:
    """The closest existing identifiers, for "did you mean" messages."""
    candidates = list(catalog.by_id)
    close = difflib.get_close_matches(nisc_id, candidates, n=n, cutoff=0.6)
    if close:
        return close
    # fall back to the nearest existing ancestor's children
    probe = nisc_id
    while probe:
        probe = re.sub(r"(\([^()]*\)|-\d+|\.\d+)$", "", probe)
        if probe in catalog.by_id:
            return [probe] + list(catalog.children_of.get(probe, ()))[: n - 1]
        if not re.search(r"(\([^()]*\)|-\d+|\.\d+)$", probe):
            break
    return []


def find_catalog_file(start: str | os.PathLike[str], catalog_id: str) -> Path | None:
    """Look for ``nisc/<catalog_id>.yaml`` beside ``start`` and in each directory above it."""
    here = Path(start).resolve()
    for directory in [here, *here.parents]:
        candidate = directory / "nisc" / f"{catalog_id}.yaml"
        if candidate.is_file():
            return candidate
    return None


def load_catalog(path: str | os.PathLike[str], report: Report) -> NiscCatalog | None:
    """Read a catalog file; problems go to ``report``. Returns None when the file cannot be used at all."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        report.error(Loc(path, 0), f"cannot read the NISC catalog: {exc}")
        return None
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
