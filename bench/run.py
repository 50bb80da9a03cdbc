"""The full-size benchmark behind `make bench`.

    .venv/bin/python bench/run.py [--runs 3] [--only html,diff]

Generates the synthetic edition and its revision (bench/generate.py) into bench/work/, then measures each command as a
whole process: wall time (median of --runs) and peak resident memory (the largest of the runs, from wait4's rusage),
together with pandoc converting the same Markdown as the reference a user would otherwise reach for. Writes
bench/results.json and prints a table (also written to bench/results.txt). Nothing here is a pass/fail test: the
targets of issue 8 are printed next to the numbers.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "work"
GUIDELINE = [str(REPO / ".venv" / "bin" / "guideline")]


def measure(cmd: list[str], runs: int, env: dict | None = None, before=None) -> dict:
    """Run ``cmd`` ``runs`` times; wall seconds (median) and peak RSS in MB (max)."""
    times, peaks, rc, err = [], [], 0, ""
    for _ in range(runs):
        if before is not None:
            before()
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env or os.environ.copy(),
                                cwd=REPO)
        stderr = proc.stderr.read() if proc.stderr else b""
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - t0)
        peaks.append(usage.ru_maxrss / 1024.0)
        rc = os.waitstatus_to_exitcode(status)
        if rc != 0:
            err = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            err = err[0]
            break
    return {"s": round(statistics.median(times), 3), "peak_mb": round(max(peaks), 1), "rc": rc, "error": err,
            "runs": len(times)}


def edit_one_clause(edition: Path) -> None:
    """Append a sentence to one clause body (a different sentence each time, so caches cannot hide it)."""
    path = edition / "36-chapter.md"
    text = path.read_text(encoding="utf-8")
    stamp = time.perf_counter_ns()
    marker = "\n::: 解説\n"
    i = text.index(marker)
    path.write_text(text[:i] + f"\n追記{stamp}を行う。\n" + text[i:], encoding="utf-8")


def pdf_pages(path: Path) -> int | None:
    if not path.is_file() or shutil.which("pdfinfo") is None:
        return None
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    m = re.search(r"^Pages:\s+(\d+)", out, re.M)
    return int(m.group(1)) if m else None


def concat_markdown(edition: Path, dest: Path) -> None:
    names = re.findall(r"^\s+-\s+(\S+\.md)\s*$", (edition / "edition.yaml").read_text(encoding="utf-8"), re.M)
    dest.write_text("\n\n".join((edition / n).read_text(encoding="utf-8") for n in names), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated subset of measurement keys, e.g. html_s,diff_s")
    args = ap.parse_args(argv)
    only = {k.strip() for k in args.only.split(",") if k.strip()}

    subprocess.run([sys.executable, str(HERE / "generate.py"), str(WORK)], check=True)
    base, revised = WORK / "editions" / "base", WORK / "editions" / "revised"
    out = WORK / "out"
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, GUIDELINE_SRC=str(WORK))

    def g(*a: str) -> list[str]:
        return GUIDELINE + list(a)

    plan = [
        ("check_s", g("check", "--edition", str(base)), None, args.runs),
        ("html_s", g("build", "-q", "--edition", str(base), "--format", "html", "-o", str(out / "html")), None,
         args.runs),
        ("docx_s", g("build", "-q", "--edition", str(base), "--format", "docx", "-o", str(out / "docx")), None,
         args.runs),
        ("pdf_s", g("build", "-q", "--edition", str(base), "--format", "pdf", "-o", str(out / "pdf")),
         lambda: shutil.rmtree(REPO / "build" / ".cache", ignore_errors=True) or
         shutil.rmtree(out / "pdf", ignore_errors=True), args.runs),
        ("all_s", g("build", "-q", "--edition", str(base), "--format", "all", "-o", str(out / "all")),
         lambda: shutil.rmtree(REPO / "build" / ".cache", ignore_errors=True), 1),
        ("diff_s", g("diff", str(base), str(revised), "-o", str(out / "diff")), None, args.runs),
        ("changes_json_s", g("diff", str(base), str(revised), "--format", "json", "-o", str(out / "diff-json")),
         None, args.runs),
    ]
    results: dict = {}
    for key, cmd, before, runs in plan:
        if only and key not in only:
            continue
        print(f"measuring {key} ...", file=sys.stderr, flush=True)
        results[key] = measure(cmd, runs, env, before)

    # incremental rebuilds: a warm build of a copy, then one clause edited and rebuilt
    inc = WORK / "editions" / "incremental"
    for key, fmt in (("html_incremental_s", "html"), ("pdf_incremental_s", "pdf")):
        if only and key not in only:
            continue
        shutil.rmtree(inc, ignore_errors=True)
        shutil.copytree(base, inc)
        subprocess.run(g("build", "-q", "--edition", str(inc), "--format", fmt, "-o", str(out / f"inc-{fmt}")),
                       env=env, capture_output=True)
        print(f"measuring {key} ...", file=sys.stderr, flush=True)
        results[key] = measure(g("build", "-q", "--edition", str(inc), "--format", fmt, "-o", str(out / f"inc-{fmt}")),
                               args.runs, env, before=lambda: edit_one_clause(inc))

    # pandoc reference on the same Markdown
    md = WORK / "concat.md"
    concat_markdown(base, md)
    if shutil.which("pandoc"):
        for key, fmt in (("pandoc_html_s", "html"), ("pandoc_docx_s", "docx")):
            if only and key not in only:
                continue
            print(f"measuring {key} ...", file=sys.stderr, flush=True)
            results[key] = measure(["pandoc", "-f", "markdown", "-t", fmt, "-o", str(WORK / f"pandoc.{fmt}"), str(md)],
                                   args.runs)

    flat: dict = {k: (v["s"] if v["rc"] == 0 else None) for k, v in results.items()}
    flat["peak_rss_mb"] = max((v["peak_mb"] for v in results.values() if not k_is_pandoc(v, results)), default=None)
    flat["peak_rss_mb_by_command"] = {k: v["peak_mb"] for k, v in results.items()}
    flat["errors"] = {k: v["error"] for k, v in results.items() if v["rc"] != 0}
    text = md.read_text(encoding="utf-8")
    flat["machine"] = {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    flat["edition"] = {
        "clauses": len(re.findall(r"^#{1,6} .*\{#", text, re.M)),
        "characters": len(re.sub(r"\s", "", text)),
        "pdf_pages": pdf_pages(out / "pdf" / "base" / "guideline.pdf"),
    }
    if flat.get("html_s") and flat.get("pandoc_html_s"):
        flat["html_vs_pandoc"] = round(flat["html_s"] / flat["pandoc_html_s"], 2)
    if flat.get("docx_s") and flat.get("pandoc_docx_s"):
        flat["docx_vs_pandoc"] = round(flat["docx_s"] / flat["pandoc_docx_s"], 2)
    (HERE / "results.json").write_text(json.dumps(flat, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                       encoding="utf-8")
    table = render_table(results, flat)
    (HERE / "results.txt").write_text(table, encoding="utf-8")
    print(table)
    return 0


def k_is_pandoc(v: dict, results: dict) -> bool:
    return any(v is results.get(k) for k in ("pandoc_html_s", "pandoc_docx_s"))


TARGETS = {
    "html_s": "≤ 0.5 × pandoc html",
    "docx_s": "≤ 1.0 × pandoc docx",
    "pdf_s": "≤ 15 s cold",
    "pdf_incremental_s": "≤ 3 s",
    "diff_s": "≤ 5 s",
    "changes_json_s": "≤ 1 s",
    "html_incremental_s": "≤ 1 s",
}


def render_table(results: dict, flat: dict) -> str:
    lines = [f"{'measure':22} {'seconds':>9} {'peak MB':>9}  target", "-" * 64]
    for key, v in results.items():
        sec = f"{v['s']:.2f}" if v["rc"] == 0 else "failed"
        lines.append(f"{key:22} {sec:>9} {v['peak_mb']:>9.0f}  {TARGETS.get(key, '')}")
        if v["rc"] != 0:
            lines.append(f"{'':22}   {v['error'][:90]}")
    for k in ("html_vs_pandoc", "docx_vs_pandoc"):
        if k in flat:
            lines.append(f"{k:22} {flat[k]:>9}")
    ed = flat["edition"]
    lines.append(f"edition: {ed['clauses']} clauses, {ed['characters']} characters, {ed['pdf_pages']} PDF pages; "
                 f"{flat['machine']['cores']} cores; peak RSS {flat['peak_rss_mb']} MB (target ≤ 1024)")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
