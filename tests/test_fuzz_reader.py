"""Fuzzing the Markdown/YAML reader (issue 9): mutated sample sources never crash it, and every problem is a
well-formed ``path:line: severity: message`` with a line inside the file.

Inputs are slices of the frozen sample edition r5-03 and the test fixtures, mutated by a seeded generator (byte
flips, truncations, deletions, duplicated and swapped lines, insertions of ``:::``, ``{#``, fences, tabs, NULs, CRs,
BOMs, invalid UTF-8, deep nesting). The run is bounded (``CASES`` inputs, fixed ``SEED``) and reproducible: a
failure message names the case number and the mutations, and ``FUZZ_CASE=<n>`` re-runs that case alone.
"""
from __future__ import annotations

import os
import random
import re
import shutil
from pathlib import Path

import pytest

from guideline import nisc, yamlio
from guideline.diagnostics import Report
from guideline.reader import read_edition
from guideline.validate import validate
from guideline.writers.edition import html_single

REPO = Path(__file__).resolve().parents[1]
SEED = 20241002
CASES = 300
DIAGNOSTIC_RE = re.compile(r"^(?P<path>[^\n]+?)(?::(?P<line>\d+))?: (?:error|warning): \S[^\n]*$")
CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

TOKENS = [
    b":::", b"::: \xe8\xa7\xa3\xe8\xaa\xac", b"{#", b"{#x}", b"}", b"```yaml", b"```", b"~~~", b"\t", b"\x00",
    b"\r", b"\r\n", b"\xef\xbb\xbf", b"{{", b"}}", b"[](#", b"](javascript:alert(1))", b"&#12;", b"&#x85;",
    b"*" * 40, b">" * 30, b"  - " * 15, b"|", b"\\", b"# ", b"###### ", b"- id: ", b"nisc:", b"  ", b"&a ",
    b"*a", b"!!python/object:os.system", b"\xff", b"\xc2\x85", b"\xe3\x81", b"\x1b[2J", b"\n", b"\n\n",
    "見出し {#見出し}".encode(), b"relationship: ", b"[" * 30, b"<script>", b"\x85",
]


def _seed_texts() -> dict[str, bytes]:
    """Slices of r5-03 (≤ 150 lines, each from a heading on) and the fixture files."""
    out: dict[str, bytes] = {}
    for path in sorted((REPO / "guideline_src" / "editions" / "r5-03").glob("*.md")):
        lines = path.read_text(encoding="utf-8").split("\n")
        starts = [i for i, line in enumerate(lines) if line.startswith("#")]
        for k, start in enumerate(starts[::12]):
            out[f"{path.stem}-{k}.md"] = "\n".join(lines[start:start + 150]).encode("utf-8")
    for path in sorted((REPO / "tests" / "fixtures" / "src" / "editions" / "base").iterdir()):
        out[path.name] = path.read_bytes()
    return out


SEEDS = _seed_texts()
MD_SEEDS = sorted(k for k in SEEDS if k.endswith(".md"))
EDITION_YAML = SEEDS["edition.yaml"]
CATALOG = (REPO / "tests" / "fixtures" / "src" / "nisc" / "test-r7.yaml").read_bytes()


def mutate(data: bytes, rng: random.Random, log: list[str]) -> bytes:
    for _ in range(rng.randint(1, 6)):
        op = rng.choice(["flip", "truncate", "insert", "insert", "insert", "delete-line", "dup-line", "swap-lines",
                         "random-bytes"])
        if not data:
            op = "insert"
        pos = rng.randrange(len(data) + 1)
        if op == "flip" and data:
            pos = min(pos, len(data) - 1)
            data = data[:pos] + bytes([data[pos] ^ (1 << rng.randrange(8))]) + data[pos + 1:]
        elif op == "truncate":
            data = data[:pos]
        elif op == "insert":
            data = data[:pos] + rng.choice(TOKENS) + data[pos:]
        elif op == "random-bytes":
            data = data[:pos] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + data[pos:]
        else:
            lines = data.split(b"\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            if op == "delete-line":
                del lines[i]
            elif op == "dup-line":
                lines.insert(i, lines[j])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
        log.append(f"{op}@{pos}")
    return data


def _lines_in(path: Path) -> int:
    try:
        raw = path.read_bytes()
    except OSError:
        return 0
    return raw.count(b"\n") + raw.count(b"\r") + 1


def check_report(report: Report, root: Path, where: str) -> None:
    for d in report.items:
        shown = str(d)
        assert DIAGNOSTIC_RE.match(shown), f"{where}: malformed diagnostic {shown!r}"
        assert not CONTROL_RE.search(shown), f"{where}: control character printed: {shown!r}"
        path = Path(d.loc.path)
        if path.is_file() and root in path.resolve().parents:
            assert 0 <= d.loc.line <= _lines_in(path), f"{where}: line {d.loc.line} outside {path.name}: {shown}"


def run_case(n: int, tmp: Path) -> str:
    rng = random.Random(SEED * 1000 + n)
    log: list[str] = []
    target = rng.choice(["md", "md", "md", "md", "edition", "catalog", "metadata"])
    root = tmp / f"case-{n}"
    if root.exists():
        shutil.rmtree(root)
    (root / "nisc").mkdir(parents=True)
    ed = root / "ed"
    ed.mkdir()
    seed = rng.choice(MD_SEEDS)
    md = SEEDS[seed]
    edition_yaml = EDITION_YAML
    catalog = CATALOG
    if target == "md":
        md = mutate(md, rng, log)
    elif target == "edition":
        edition_yaml = mutate(edition_yaml, rng, log)
    elif target == "catalog":
        catalog = mutate(catalog, rng, log)
    (ed / "a.md").write_bytes(md)
    (ed / "b.md").write_bytes(b"")
    (ed / "edition.yaml").write_bytes(edition_yaml.replace(b"  - b.md", b"  - b.md\n"))
    (root / "nisc" / "test-r7.yaml").write_bytes(catalog)
    where = f"fuzz case {n} ({target} from {seed}: {' '.join(log)}; rerun with FUZZ_CASE={n})"
    if target == "metadata":  # the YAML loader alone, on a mutated metadata block as the reader would pass it
        block = b"nisc:\n  - id: 2.1.1(1)(a)\n    relationship: subset-of\n    rationale: \xe7\x90\x86\xe7\x94\xb1\n" \
                b"models: [alpha, beta]\ntags: [a, b]\n"
        text = mutate(block, rng, log).decode("utf-8", "replace")
        try:
            doc = yamlio.load(text, first_line=7)
            assert doc.line() >= 7
        except yamlio.YamlProblem as exc:
            assert exc.line >= 7 and exc.message and not CONTROL_RE.search(exc.message), where
        return target
    edition, report = read_edition(ed)
    if edition is not None:
        validate(edition, report, None)
        if not report.errors:  # what the reader accepts, the HTML writer must render
            html_single.render(edition)
    check_report(report, root, where)
    if target == "catalog":
        cat_report = Report()
        nisc.load_catalog(root / "nisc" / "test-r7.yaml", cat_report)
        check_report(cat_report, root, where)
    return target


def test_fuzz_reader(tmp_path):
    only = os.environ.get("FUZZ_CASE")
    cases = [int(only)] if only else range(CASES)
    seen: dict[str, int] = {}
    for n in cases:
        try:
            target = run_case(n, tmp_path)
        except AssertionError:
            raise
        except Exception as exc:  # noqa: BLE001 - the point of the test
            pytest.fail(f"fuzz case {n}: uncaught {type(exc).__name__}: {exc} (rerun with FUZZ_CASE={n})")
        seen[target] = seen.get(target, 0) + 1
        shutil.rmtree(tmp_path / f"case-{n}", ignore_errors=True)
    if not only:
        assert sum(seen.values()) == CASES and set(seen) == {"md", "edition", "catalog", "metadata"}, seen
