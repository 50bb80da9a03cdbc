"""``guideline_src/lint.yaml``: the edition family's own choices for the linter.

```yaml
forms:                 # 表記の統一: the form this project writes; other spellings of the same word are reported
  - サーバ             # a word: every spelling with the same lemma and reading (サーバー) is reported
  - use: 情報システム室  # or explicit spellings the morphemes cannot tie together
    not: [システム室]
rules:                 # a rule's severity: error | warning | off
  sentence-length: warning
sentence_length: 150   # characters, for sentence-length
spacing: none          # none | always: a space between Japanese and alphanumerics
starter: true          # also apply the built-in 公用文 forms (及び, 又は, 並びに, 若しくは, 行う, こと, とき …)
```

A missing file means the defaults. Problems are reported as ``path:line: message`` and stop the command.
"""
from __future__ import annotations

from pathlib import Path

from guideline import yamlio
from guideline.diagnostics import Loc, UserError
from guideline.lint.core import Config

KEYS = ("forms", "rules", "sentence_length", "spacing", "starter")
SEVERITIES = ("error", "warning", "off")


def load(path: Path, known_rules: set[str]) -> Config:
    if not path.is_file():
        return Config()
    spath = str(path)
    try:
        doc = yamlio.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {spath}: {exc}") from None
    except yamlio.YamlProblem as exc:
        raise UserError(exc.message, Loc(spath, exc.line)) from None
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise UserError("lint.yaml must be a mapping with the keys " + ", ".join(KEYS), Loc(spath, 1))

    def fail(message: str, *key) -> None:
        raise UserError(message, Loc(spath, doc.line(*key)))

    for key in data:
        if key not in KEYS:
            fail(f"unknown key {key!r}; the keys are {', '.join(KEYS)}", key)
    forms = []
    raw_forms = data.get("forms") or []
    if not isinstance(raw_forms, list):
        fail("forms: give a list of words (サーバ) or {use: X, not: [Y]}", "forms")
    for i, item in enumerate(raw_forms):
        if isinstance(item, str) and item.strip():
            forms.append((item.strip(), ()))
        elif isinstance(item, dict) and isinstance(item.get("use"), str) and set(item) <= {"use", "not"}:
            others = item.get("not") or []
            if isinstance(others, str):
                others = [others]
            if not isinstance(others, list) or not all(isinstance(o, str) and o.strip() for o in others):
                fail("forms: 'not' is a list of spellings", "forms", i, "not")
            forms.append((item["use"].strip(), tuple(o.strip() for o in others)))
        else:
            fail("forms: each entry is a word (サーバ) or {use: X, not: [Y, Z]}", "forms", i)
    severity = {}
    rules = data.get("rules") or {}
    if not isinstance(rules, dict):
        fail("rules: give a mapping of rule ID to error, warning or off", "rules")
    for rid, value in rules.items():
        if rid not in known_rules:
            fail(f"rules: unknown rule {rid!r}; `guideline lint --list-rules` lists them", "rules", rid)
        if value not in SEVERITIES:
            fail(f"rules: {rid}: give error, warning or off, not {value!r}", "rules", rid)
        severity[rid] = value
    length = data.get("sentence_length", 150)
    if not isinstance(length, int) or isinstance(length, bool) or length < 20:
        fail("sentence_length: give a number of characters (20 or more)", "sentence_length")
    spacing = data.get("spacing", "none")
    if spacing not in ("none", "always"):
        fail("spacing: give none or always", "spacing")
    starter = data.get("starter", True)
    if not isinstance(starter, bool):
        fail("starter: give true or false", "starter")
    return Config(tuple(forms), severity, length, spacing, starter, spath)
