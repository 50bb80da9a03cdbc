"""The lint corpus (tests/fixtures/lint/, written by us): every must-find case is found and no look-alike is flagged.

Run as a script to print precision and recall per rule: ``.venv/bin/python tests/test_lint_corpus.py``.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parents[1]
CORPUS = HERE / "fixtures" / "lint"
NISC = HERE / "fixtures" / "src" / "nisc"


def corpus_edition(dest: Path) -> Path:
    """A guideline_src under ``dest`` holding the corpus edition and the test NISC catalog."""
    src = dest / "guideline_src"
    shutil.copytree(CORPUS / "corpus", src / "editions" / "corpus")
    shutil.copytree(NISC, src / "nisc")
    return src / "editions" / "corpus"


def expected(edition: Path) -> set[tuple[str, str, int, int]]:
    """(rule, file, line, column) of every must-find case."""
    out = set()
    for case in yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8")):
        lines = (edition / case["file"]).read_text(encoding="utf-8").split("\n")
        line = next(n for n, text in enumerate(lines, 1) if case["needle"] in text)
        text = lines[line - 1]
        at, start = case.get("at", case["needle"]), text.index(case["needle"])
        col = (text.find(at, start) if text.find(at, start) >= 0 else text.rindex(at, 0, start)) + 1
        out.add((case["rule"], case["file"], line, col))
    return out


def score(edition: Path) -> dict[str, dict[str, float]]:
    """Per rule: true positives, false positives, false negatives, precision, recall (by rule and place)."""
    from guideline import editions, lint

    ed, _ = editions.load(str(edition), validate=False)
    found = {(f.rule, Path(f.path).name, f.line, f.col) for f in lint.run(ed)}
    want = expected(edition)
    rules = sorted(lint.all_rules())
    table = {}
    for r in rules:
        f = {x for x in found if x[0] == r}
        w = {x for x in want if x[0] == r}
        tp, fp, fn = len(f & w), len(f - w), len(w - f)
        table[r] = {"tp": tp, "fp": fp, "fn": fn,
                    "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
                    "false_alarms": sorted(f - w), "missed": sorted(w - f)}
    return table


def test_only_rules_marked_fixable_offer_fixes(tmp_path):
    from guideline import editions, lint

    ed, _ = editions.load(str(corpus_edition(tmp_path)), validate=False)
    rules = lint.all_rules()
    fixed = {f.rule for f in lint.run(ed) if f.fix is not None}
    assert fixed and all(rules[r].fixable for r in fixed), fixed


def test_corpus_every_case_found_and_no_false_alarm(tmp_path):
    table = score(corpus_edition(tmp_path))
    problems = {r: (t["false_alarms"], t["missed"]) for r, t in table.items() if t["fp"] or t["fn"]}
    assert not problems, problems
    assert sum(t["tp"] for t in table.values()) == len(expected(tmp_path / "guideline_src" / "editions" / "corpus"))


if __name__ == "__main__":
    import tempfile

    sys.path.insert(0, str(HERE.parent / "tooling"))
    with tempfile.TemporaryDirectory() as tmp:
        result = score(corpus_edition(Path(tmp)))
    print(f"{'rule':28} {'tp':>3} {'fp':>3} {'fn':>3} {'precision':>9} {'recall':>6}")
    for rule_id, t in result.items():
        print(f"{rule_id:28} {t['tp']:3} {t['fp']:3} {t['fn']:3} {t['precision']:9.2f} {t['recall']:6.2f}")
        for miss in t["missed"]:
            print("   missed", miss)
        for fa in t["false_alarms"]:
            print("   false alarm", fa)
