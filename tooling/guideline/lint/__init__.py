"""Editorial lint of an edition for 公用文 conventions (``guideline lint``).

:func:`run` extracts the edition's text (:mod:`guideline.lint.core`), runs the registered rules
(:mod:`guideline.lint.registry`; one module per family: forms, width, definitions, placeholders, references,
sentences) and returns the findings sorted by place. docs/lint.md describes every rule and where it comes from.
"""
from __future__ import annotations

from typing import Iterable

from guideline import parse_cache
from guideline.lint.core import Config, Finding, Lint, extract
from guideline.lint.registry import Rule, all_rules
from guideline.model import Edition


def select(names: Iterable[str]) -> tuple[set[str], list[str]]:
    """Rule IDs named by ``names`` (rule IDs or family names) and the names that match nothing."""
    rules = all_rules()
    chosen: set[str] = set()
    unknown = []
    for name in names:
        hits = [r.id for r in rules.values() if name in (r.id, r.family)]
        if hits:
            chosen.update(hits)
        else:
            unknown.append(name)
    return chosen, unknown


def run(edition: Edition, config: Config | None = None, only: set[str] | None = None, cache=None) -> list[Finding]:
    """Every finding of the rules (``only``: just these rule IDs, even those lint.yaml turns off). Morphemes are
    kept in ``cache`` (default: the parse cache of the edition's project, :mod:`guideline.parse_cache`)."""
    config = config or Config()
    units, files = extract(edition)
    lint = Lint(edition, config, units, files)
    lint.analyse_all(cache if cache is not None else parse_cache.default_for(edition.meta.root))
    for r in all_rules().values():
        severity = config.severity.get(r.id, r.severity)
        if only is not None:
            if r.id not in only:
                continue
            if severity == "off":
                severity = r.severity
        elif severity == "off":
            continue
        lint.current_rule, lint.current_severity = r.id, severity
        r.check(lint)
    seen: set[tuple] = set()
    out = []
    for f in sorted(lint.findings, key=Finding.sort_key):
        key = (f.path, f.line, f.col, f.rule, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


__all__ = ["Config", "Finding", "Rule", "all_rules", "run", "select"]
