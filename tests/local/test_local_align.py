"""`guideline local align`: an existing policy's articles matched to guideline clauses, its gaps listed.

The policy is made from r5-03's own 例文 the way a municipality would have made it: its model's clauses, the
placeholders filled, some clauses left out, some reworded, everything renumbered as a 訓令 (第N章/第N条, 号 written
inside their article), and typed out as plain text."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from local.test_local import PLACEHOLDERS, run

from guideline import editions
from guideline.diagnostics import Report
from guideline.local.align import align, read_policy
from guideline.local.compose import compose
from guideline.local.project import Clauses, Project
from guideline.model import Clause, Edition, Para, Text, block_text

VALUES = {"本市": "本町", "○○副市長": "副町長", **PLACEHOLDERS}
REFERRED = {"bp-threats", "bp-measures", "basic-policy", "asset-classification", "org-csirt", "resil-internet-beta",
            "resil-mynumber-auth", "resil-mynumber-access", "tech-log-retention"}


def reworded(blocks: tuple) -> tuple:
    """What a municipality's drafter does to a clause: its own terms, its own verb ending, one more sentence."""
    out = []
    for b in blocks:
        if isinstance(b, Para):
            text = block_text((b,)).replace("しなければならない", "するものとする").replace("情報システム", "システム")
            b = Para((Text(text.replace("職員等", "職員") + "この規定の運用は、別に定める。"),))
        out.append(b)
    return tuple(out)


def policy_text(tmp_path: Path) -> tuple[Path, dict[tuple[str, str], str], set[str]]:
    """The policy as text, where each article came from ((caption, text start) -> clause ID), the IDs left out."""
    base = editions.load_or_fail("r5-03")
    leaves = [c.id for c in base.reibun.walk() if c.body and c.level >= 3 and not c.children and c.id not in REFERRED]
    dropped = set(leaves[3::9])
    candidates = [c.id for c in base.reibun.walk() if c.body and c.level >= 3 and c.id not in dropped]
    changed = set(candidates[1::7])
    project = Project(root=tmp_path, name="○○町", kind="町", model="beta-prime", base_edition="r5-03",
                      placeholders=VALUES, omit=sorted(dropped))
    ed = compose(base, project, Clauses(), Report(), "articles")

    def edit(c: Clause) -> Clause:
        return Clause(id=c.id, heading=c.heading, level=c.level, loc=c.loc,
                      body=reworded(c.body) if c.id in changed else c.body, children=tuple(edit(k) for k in c.children),
                      number=c.number, prefix=c.prefix, local=c.local)

    policy = Edition(meta=ed.meta, parts=tuple(edit(p) for p in ed.parts))
    lines = [policy.parts[0].heading, ""]
    truth: dict[tuple[str, str], str] = {}

    def walk(c: Clause) -> None:
        text = block_text(c.body, policy, c)
        if c.body:
            truth[(c.heading.strip("（）"), text.replace("\n", "")[:40])] = c.id
        if c.number.endswith(("章", "節")):
            lines.append(f"{c.number}\u3000{c.heading}")
            lines.extend(text.split("\n") if text else [])
        elif c.number.endswith("条"):
            first, *rest = text.split("\n")
            lines.extend([c.heading, f"{c.number}\u3000{first}", *rest])
        elif c.number:  # a 号, inside its article
            lines.append(f"{c.number}\u3000{c.heading}\u3000{text}".rstrip())
        else:
            lines.extend(["", c.heading, "", *(text.split("\n") if text else [])])
        for k in c.children:
            walk(k)

    for doc in policy.parts[0].children:
        walk(doc)
    path = tmp_path / "policy.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    kept = {c.id for c in compose(base, Project(root=tmp_path, name="○○町", kind="町", model="beta-prime",
                                                base_edition="r5-03", placeholders=VALUES),
                                  Clauses(), Report()).clauses()}
    return path, truth, dropped & kept


@pytest.mark.slow
def test_align_finds_the_right_clause_for_nine_in_ten_articles_and_lists_the_dropped_ones(in_repo, tmp_path,
                                                                                             capsys):
    path, truth, dropped = policy_text(tmp_path)
    assert len(dropped) >= 15
    policy, labels = read_policy(path)
    base = editions.load_or_fail("r5-03")
    result = align(policy, base, Project(root=tmp_path, name="○○町", kind="町", model="beta-prime",
                                         base_edition="r5-03", placeholders=VALUES), labels)
    right = total = 0
    for c in policy.clauses():
        if not c.body:
            continue
        text = block_text(c.body).replace("\n", "")
        origin = [cid for (caption, start), cid in truth.items() if text.startswith(start)]
        if len(origin) > 1:
            origin = [cid for (caption, start), cid in truth.items() if text.startswith(start) and caption == c.heading]
        total += 1
        right += bool(origin) and result.pairs.get(c.id) == origin[0]
    share = right / total
    with capsys.disabled():
        print(f"\nalign: {right}/{total} articles matched to the clause they came from ({share:.1%}), "
              f"{len(result.gaps)} gaps for {len(dropped)} clauses left out")
    assert total >= 120 and share >= 0.9
    assert dropped <= set(result.gaps)  # every clause left out is listed
    assert len(set(result.gaps) - dropped) <= 3  # and hardly anything else

    out = tmp_path / "town"
    code, _, err = run(capsys, "local", "align", str(path), "-o", str(out), "--edition", "r5-03", "--name", "○○町",
                       "--model", "beta-prime")
    assert code == 0, err
    report = json.loads((out / "align-report.json").read_text(encoding="utf-8"))
    assert set(report) >= {"matches", "gaps"}
    assert all(set(m) >= {"article", "clause_id", "score"} for m in report["matches"])
    assert next(m for m in report["matches"] if m["clause_id"] == "bp-purpose")["article"] == "第1条（目的）"
    assert set(report["gaps"]) == set(result.gaps)
    text = (out / "local.yaml").read_text(encoding="utf-8")
    assert "  ○○部長: 総務部長\n" in text  # read off the policy's text
    code, _, err = run(capsys, "local", "check", str(out))  # the project it wrote builds the policy
    assert code == 0, err


def test_align_refuses_a_directory_that_is_not_empty(in_repo, tmp_path, capsys):
    (tmp_path / "town").mkdir()
    (tmp_path / "town" / "keep.txt").write_text("x")
    (tmp_path / "p.txt").write_text("（目的）\n第1条\u3000この方針は、本町の情報資産を守る。\n", encoding="utf-8")
    code, _, err = run(capsys, "local", "align", str(tmp_path / "p.txt"), "-o", str(tmp_path / "town"), "--edition",
                       "r5-03", "--name", "○○町")
    assert code == 1 and "not empty" in err
    assert [p.name for p in (tmp_path / "town").iterdir()] == ["keep.txt"]


def test_align_reads_a_word_policy_back_into_the_project_that_made_it(in_repo, tmp_path, capsys):
    from local.test_local import SAMPLE

    assert run(capsys, "local", "build", str(SAMPLE), "-o", str(tmp_path / "built"), "--format", "docx", "-q")[0] == 0
    out = tmp_path / "town"
    code, _, err = run(capsys, "local", "align", str(tmp_path / "built" / "guideline.docx"), "-o", str(out),
                       "--edition", "r5-03", "--name", "○○町", "--model", "beta-prime")
    assert code == 0, err
    report = json.loads((out / "align-report.json").read_text(encoding="utf-8"))
    assert report["gaps"] == ["org-no-dual-roles"]  # the one clause the town left out
    assert [u["article"] for u in report["unmatched"]] == ["第41条（支所と共用する執務室の管理）"]  # its own clause
    ciso = next(m for m in report["matches"] if m["clause_id"] == "org-ciso")
    assert ciso["article"].startswith("第1条") and ciso["score"] < 1
    files = {p.stem for p in (out / "clauses").glob("*.md")}
    assert {"org-ciso", "phys-area-entry", "phys-server-power", "own-001"} <= files and len(files) <= 6
    assert "教育長がその職務を代行する" in (out / "clauses" / "org-ciso.md").read_text(encoding="utf-8")
    text = (out / "local.yaml").read_text(encoding="utf-8")
    assert "  ○○部長: 総務課長\n" in text and "  ○○課長: 企画情報課長\n" in text  # read off the policy
    assert "  - org-no-dual-roles\n" in text and "{id: own-001, after: phys-area-entry}" in text
    assert run(capsys, "local", "check", str(out))[0] == 0
