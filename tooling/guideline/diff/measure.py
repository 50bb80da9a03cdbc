"""Measure the similarity threshold on two real editions: ``python -m guideline.diff.measure r5-03 draft``.

Prints two distributions of the matching score (difflib ratio over the content morphemes of the normalised clause
text, particles and punctuation left out; clauses shorter than MIN_TOKENS content morphemes never match by
similarity and are left out here too):

* **edited** – clauses paired by stable ID whose text differs: what real edits score (they must stay above the
  threshold, so that an edited clause whose ID also changed is still recognised);
* **nearest other** – for every old clause, the best score it reaches against any *other* new clause (neither its
  ID partner nor a lineage partner): what unrelated clauses score (they should stay below the threshold). This is
  the worst case: in a real diff only clauses left unpaired by ID compete.

The threshold used by :mod:`guideline.diff.matching` sits in the gap; docs/diff-format.md records the numbers.
"""
from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path

from guideline import editions, nisc
from guideline.diagnostics import Report
from guideline.diff import matching
from guideline.diff.inline import content_tokens, ratio
from guideline.diff.matching import MIN_TOKENS
from guideline.diff.units import clause_text
from guideline.reader import read_edition


def measure(old_spec: str, new_spec: str) -> dict:
    old = editions.load_or_fail(old_spec)
    new = editions.load_or_fail(new_spec)
    otext = {c.id: clause_text(c, old).key for c in old.clauses()}
    ntext = {c.id: clause_text(c, new).key for c in new.clauses()}
    otok = {k: content_tokens(v) for k, v in otext.items()}
    ntok = {k: content_tokens(v) for k, v in ntext.items()}
    related: dict[str, set[str]] = {}  # lineage partners are not "other" clauses
    for c in new.clauses():
        for x in (c.meta.split_from, c.meta.replaces, *c.meta.merged_from):
            if x:
                related.setdefault(x, set()).add(c.id)
    edited = sorted(ratio(otok[k], ntok[k]) for k in otext if k in ntext and otext[k] != ntext[k])
    nearest = []
    for k, a in otok.items():
        best = 0.0
        if len(a) < MIN_TOKENS:
            continue
        for j, b in ntok.items():
            if j == k or j in related.get(k, ()) or len(b) < MIN_TOKENS:
                continue
            # cheap upper bound first: the ratio cannot exceed 2*min/(len sum)
            if 2 * min(len(a), len(b)) / max(1, len(a) + len(b)) <= best:
                continue
            best = max(best, ratio(a, b))
        nearest.append(best)
    nearest.sort()
    return {"edited": edited, "nearest": nearest}


def renamed_experiment(old_spec: str, new_spec: str, thresholds: list[float]) -> list[tuple[float, int, int, int]]:
    """Rename every ID of the new edition (and drop its lineage metadata), diff, and count for each threshold how
    many clauses are still paired with their true partner (correct), with another clause (wrong), or not at all
    (missed). True partners: same ID before renaming, or the lineage partner of ``replaces``."""
    old = editions.load_or_fail(old_spec)
    root = editions.resolve(new_spec)
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / "edition"
        shutil.copytree(root, dest)
        for f in dest.glob("*.md"):
            t = f.read_text(encoding="utf-8")
            t = re.sub(r"\{#([a-z][a-z0-9-]*)", r"{#x-\1", t)
            t = re.sub(r"\]\(#([a-z][a-z0-9-]*)\)", r"](#x-\1)", t)
            t = re.sub(r"^(split_from|replaces|merged_from): .*\n", "", t, flags=re.M)
            f.write_text(t.replace("```yaml\n```\n", ""), encoding="utf-8")
        meta = (dest / "edition.yaml").read_text(encoding="utf-8")
        meta = re.sub(r"^reibun_part: (.*)$", r"reibun_part: x-\1", meta, flags=re.M)
        (dest / "edition.yaml").write_text(meta, encoding="utf-8")

        catalog = nisc.load_catalog(nisc.find_catalog_file(root, old.meta.nisc_catalog), Report())
        new, report = read_edition(dest, catalog=catalog)
    assert new is not None and not report.errors, report.sorted()[:3]
    partner = {c.id: "x-" + c.id for c in old.clauses()}
    original = editions.load_or_fail(new_spec)
    for c in original.clauses():
        if c.meta.replaces:
            partner[c.meta.replaces] = "x-" + c.id
    truth = {k for k, v in partner.items() if v in new.by_id}
    out = []
    for t in thresholds:
        right = wrong = 0
        for m in matching.match(old, new, threshold=t):
            if len(m.old_ids) == 1 and len(m.new_ids) == 1:
                if partner.get(m.old_ids[0]) == m.new_ids[0]:
                    right += 1
                else:
                    wrong += 1
        out.append((t, right, wrong, len(truth) - right))
    return out


def _q(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def main(argv: list[str]) -> None:
    old_spec, new_spec = (argv + ["r5-03", "draft"])[:2]
    m = measure(old_spec, new_spec)
    for name in ("edited", "nearest"):
        v = m[name]
        print(f"{name:8} n={len(v):4}  min={v[0]:.3f}  p05={_q(v, .05):.3f}  p50={_q(v, .5):.3f}  "
              f"p95={_q(v, .95):.3f}  p99={_q(v, .99):.3f}  max={v[-1]:.3f}")
    for t in (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
        missed = sum(1 for x in m["edited"] if x < t)
        false = sum(1 for x in m["nearest"] if x >= t)
        print(f"threshold {t:.2f}: edited clauses below it {missed:3}, unrelated clauses at or above it {false:3}")
    print("renamed-ID experiment (every new ID changed, lineage removed):")
    for t, right, wrong, missed in renamed_experiment(old_spec, new_spec, [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8]):
        print(f"threshold {t:.2f}: correct {right:3}  wrong {wrong:3}  missed {missed:3}")


if __name__ == "__main__":
    main(sys.argv[1:])
