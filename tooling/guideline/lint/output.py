"""Lint findings as text lines, JSON, or SARIF 2.1.0 (for editors and CI code-scanning)."""
from __future__ import annotations

import json
from pathlib import PurePath

from guideline import __version__
from guideline.diagnostics import display_path
from guideline.lint.core import Finding
from guideline.lint.registry import Rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def text(findings: list[Finding]) -> str:
    return "".join(f"{f}\n" for f in findings)


def _dump(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def as_json(findings: list[Finding], edition: str) -> str:
    return _dump({
        "edition": edition,
        "errors": sum(1 for f in findings if f.severity == "error"),
        "warnings": sum(1 for f in findings if f.severity == "warning"),
        "findings": [{
            "path": display_path(f.path), "line": f.line, "col": f.col, "end_line": f.end_line,
            "end_col": f.end_col, "severity": f.severity, "rule": f.rule, "message": f.message,
            "fix": {"old": f.fix.old, "new": f.fix.new} if f.fix else None,
        } for f in findings],
    })


def _uri(path: str) -> str:
    return PurePath(display_path(path)).as_posix()


def sarif(findings: list[Finding], rules: dict[str, Rule]) -> str:
    results = []
    for f in findings:
        region = {"startLine": f.line, "startColumn": f.col, "endLine": f.end_line or f.line,
                  "endColumn": f.end_col or f.col}
        result = {
            "ruleId": f.rule,
            "level": "error" if f.severity == "error" else "warning",
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(f.path)}, "region": region}}],
        }
        if f.fix is not None:
            result["fixes"] = [{
                "description": {"text": f"replace {f.fix.old!r} with {f.fix.new!r}"},
                "artifactChanges": [{"artifactLocation": {"uri": _uri(f.path)}, "replacements": [{
                    "deletedRegion": region, "insertedContent": {"text": f.fix.new}}]}],
            }]
        results.append(result)
    driver = {
        "name": "guideline lint",
        "version": __version__,
        "rules": [{
            "id": r.id,
            "shortDescription": {"text": r.summary},
            "help": {"text": f"{r.summary}. Source: {r.source}. See docs/lint.md."},
            "defaultConfiguration": {"level": r.severity},
            "properties": {"family": r.family, "fixable": r.fixable},
        } for r in rules.values()],
    }
    return _dump({"$schema": SARIF_SCHEMA, "version": "2.1.0",
                  "runs": [{"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}]})
