"""The full-size benchmark behind `make bench`.

    .venv/bin/python bench/run.py [--runs 5] [--cold-pdf-runs 3] [--only html_s,diff_s] [--no-serve]

Generates the synthetic edition and its revision (bench/generate.py) into bench/work/, then measures each command as a
whole process: wall time (median of --runs) and peak memory (one more run, not timed), together with pandoc
converting the same Markdown as the reference a user would otherwise reach for. Writes bench/results.json and prints
a table (also written to bench/results.txt). Nothing here is a pass/fail test: the targets of issue 8 are printed next
to the numbers, with "ok" or "MISSED".

Measurements (keys of results.json, seconds):
  check_s, html_s, docx_s, pdf_s, all_s: cold (the reader's parse cache removed before each run);
  pdf_mb: the size of pdf_s's guideline.pdf in MB (10^6 bytes);
  weasyprint_pdf_s: the reference peer of pdf_s: WeasyPrint (the optional `bench` extra) laying out html_s's
      single-page guideline.html, measured right after pdf_s; pdf_vs_weasyprint: pdf_s / weasyprint_pdf_s;
  check_warm_s: check with the parse cache warm (the sources were read before, unchanged);
  lint_s: `guideline lint --format json` with the parse cache warm (its morphemes are kept there too: the first of
      the runs tags the text, the median is a warm run);
  html_incremental_s, pdf_incremental_s: a warm build of a copy of the edition, then per run one clause edited and the
      same build command run again (the parse cache is kept, as it would be on an editor's machine);
  diff_s: `guideline diff OLD NEW -o DIR` (every output: changes.json, redline, 新旧対照表 HTML/DOCX/PDF, tracked.docx),
      cold (parse cache removed); diff_warm_s: the same with the parse cache warm (a second diff of the same
      revisions, e.g. after changing --columns or re-running for the committee);
  changes_json_s: `guideline diff OLD NEW --format json -o DIR`, cold; changes_json_warm_s: parse cache warm;
  pandoc_html_s, pandoc_docx_s: `pandoc -f markdown -t html|docx` on the edition's Markdown concatenated, each
      measured right after the command it is compared with (html_vs_pandoc, docx_vs_pandoc: wall-time ratios;
      *_vs_pandoc_cpu: the same with CPU seconds, which a shared machine disturbs less);
  serve_latency_s: `guideline serve` on (a copy of) the benchmark edition; per run one clause is edited and the time
      from the save until a fresh request for the clause's page returns the new text is taken, the way an open page
      learns of it (a long poll of /__reload, then the page); serve_latency_draft_s: the same on the sample draft
      (guideline_src/draft), the edition the 1 s target is stated for; serve_pdf_latency_s: the same server's PDF
      preview (/guideline.pdf, asked for once before the runs): seconds from the save until the PDF the long poll
      of /__reload?what=pdf announces holds the new text;
  peak_rss_mb: the largest peak memory of any of our commands (pandoc and WeasyPrint excluded), in MB. A command's
      peak is the larger of (a) the peak resident set of its largest single process (getrusage via wait4) and (b)
      the peak of the summed proportional set sizes (PSS: a page shared by n processes counts 1/n in each) of the process and all its
      descendants (worker processes), sampled from /proc every 0.1 s in a run of its own that is not timed (the
      sampling slows what it samples): the memory the command really takes from the
      machine. peak_pss_mb_by_command has (b) alone; peak_rss_sum_mb_by_command the summed resident sets, which count
      the pages forked workers share with their parent once per process and so err high.
machine: cores, load average before and after. edition: clauses, characters of text (headings, bodies and 解説 as
the model holds them, whitespace excluded), PDF pages.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "work"
GUIDELINE = [str(REPO / ".venv" / "bin" / "guideline")]
SAMPLE = 0.1  # seconds between two samples of a process tree's memory


# --------------------------------------------------------------------------------------------------------------------
# memory of a process tree


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may hold spaces and parentheses: split after the last ')'
        fields = stat[stat.rfind(b")") + 2:].split()
        kids.setdefault(int(fields[1]), []).append(int(entry.name))
    return kids


def _tree(pid: int) -> list[int]:
    kids = _children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, ()))
    return out


def _rss_pss_kb(pid: int) -> tuple[int, int]:
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return rss, pss


class TreeSampler:
    """Samples the summed RSS and PSS of a process and its descendants until stopped (peaks in MB)."""

    def __init__(self, pid: int):
        self.pid = pid
        self.rss_mb = 0.0
        self.pss_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        if not os.path.isdir("/proc"):
            return
        while not self._stop.is_set():
            rss = pss = 0
            for p in _tree(self.pid):
                r, s = _rss_pss_kb(p)
                rss, pss = rss + r, pss + s
            self.rss_mb = max(self.rss_mb, rss / 1024)
            self.pss_mb = max(self.pss_mb, pss / 1024)
            self._stop.wait(SAMPLE)

    def stop(self) -> "TreeSampler":
        self._stop.set()
        self._thread.join()
        return self


# --------------------------------------------------------------------------------------------------------------------
# measuring commands


def become_subreaper() -> bool:
    """Descendants orphaned by a measured command (a process it started and did not wait for, such as the PDF writer's
    fork server, which ends just after the command) are reparented to this process instead of init, so that their CPU
    time and memory are counted too (Linux prctl PR_SET_CHILD_SUBREAPER)."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def reap_orphans(timeout: float = 10.0) -> list:
    """Wait for the orphans the last command left (see become_subreaper); their resource usage."""
    usages = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid, _, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            time.sleep(0.01)
            continue
        usages.append(usage)
    return usages


def measure(cmd: list[str], runs: int, env: dict | None = None, before=None) -> dict:
    """Run ``cmd`` ``runs`` times, timed, then once more for the memory; wall seconds (median, and each run) and
    peak memory in MB (that run's summed PSS, or the largest single process of any run).

    The memory run is not timed: sampling /proc/<pid>/smaps_rollup every 0.1 s (the kernel walks the page tables of
    every process of the tree) slowed a 3 s PDF rebuild by ~0.3-0.4 s (5 alternating runs: median 3.27 s sampled,
    2.88 s not, 2.88 s sampled every 1 s)."""
    times, cpus, peaks, rc, err = [], [], [], 0, ""
    pss_mb = rss_sum_mb = None  # of the memory run
    for run in range(runs + 1):
        memory_run = run == runs
        if before is not None:
            before()
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env or os.environ.copy(),
                                cwd=REPO)
        sampler = TreeSampler(proc.pid) if memory_run else None
        stderr = proc.stderr.read() if proc.stderr else b""
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t0
        cpu = usage.ru_utime + usage.ru_stime  # includes the waited-for worker processes
        maxrss = usage.ru_maxrss
        for orphan in reap_orphans():  # e.g. the tracked.docx child of diff, reparented to us at the exit
            cpu += orphan.ru_utime + orphan.ru_stime
            maxrss = max(maxrss, orphan.ru_maxrss)
        # ru_maxrss of a waited-for child: the largest of it and its waited-for descendants (KB on Linux)
        peaks.append(maxrss / 1024.0)
        if memory_run:
            # the tree's memory is its summed PSS (pages shared between forked workers counted once, split between
            # them)
            sampler.stop()
            pss_mb, rss_sum_mb = sampler.pss_mb, sampler.rss_mb
            peaks.append(pss_mb)
        else:
            times.append(elapsed)
            cpus.append(cpu)
        rc = os.waitstatus_to_exitcode(status)
        if rc != 0:
            lines = stderr.decode("utf-8", "replace").strip().splitlines()
            err = lines[-1] if lines else f"exit status {rc}"
            break
    return {"s": round(statistics.median(times), 3) if times else None, "all_s": [round(t, 3) for t in times],
            "cpu_s": round(statistics.median(cpus), 3) if cpus else None,
            "peak_mb": round(max(peaks), 1), "pss_mb": None if pss_mb is None else round(pss_mb, 1),
            "rss_sum_mb": None if rss_sum_mb is None else round(rss_sum_mb, 1),
            "rc": rc, "error": err,
            "runs": len(times)}


def listed_files(edition: Path) -> list[str]:
    return re.findall(r"^\s+-\s+(\S+\.md)\s*$", (edition / "edition.yaml").read_text(encoding="utf-8"), re.M)


MARKER = "\n::: 解説\n"


def edit_one_clause(edition: Path) -> tuple[str, str]:
    """Add a sentence to one clause body (a different sentence each time, so no cache can hide it): the first clause
    with a 解説 in the middle file of the edition. Returns (the sentence, the clause ID)."""
    files = [f for f in listed_files(edition) if MARKER in (edition / f).read_text(encoding="utf-8")]
    path = edition / files[len(files) // 2]
    text = path.read_text(encoding="utf-8")
    stamp = f"追記{time.perf_counter_ns()}を行う。"
    i = text.index(MARKER)
    clause_id = re.findall(r"^#{1,6} .*\{#([a-z][a-z0-9-]*)[^}]*\}\s*$", text[:i], re.M)[-1]
    path.write_text(text[:i] + f"\n\n{stamp}\n" + text[i:], encoding="utf-8")
    return stamp, clause_id


def pdf_pages(path: Path) -> int | None:
    if not path.is_file() or shutil.which("pdfinfo") is None:
        return None
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    m = re.search(r"^Pages:\s+(\d+)", out, re.M)
    return int(m.group(1)) if m else None


def concat_markdown(edition: Path, dest: Path) -> None:
    dest.write_text("\n\n".join((edition / n).read_text(encoding="utf-8") for n in listed_files(edition)),
                    encoding="utf-8")


def edition_size(edition: Path, src: Path) -> dict:
    """Clauses and characters of text (headings, bodies, 解説; whitespace excluded) as the model reads them."""
    from guideline import editions
    from guideline.model import block_text

    ed = editions.load_or_fail(str(edition), src)
    chars = 0
    n = 0
    for clause in ed.clauses():
        n += 1
        text = clause.heading + block_text(clause.body, ed, clause) + block_text(clause.commentary, ed, clause)
        chars += len(re.sub(r"\s", "", text))
    return {"clauses": n, "characters": chars}


# --------------------------------------------------------------------------------------------------------------------
# guideline serve


def _get(url: str, timeout: float = 60.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return resp.read()


def _pdf_holds(data: bytes, stamp: str) -> bool:
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True).stdout.decode("utf-8", "replace")
    return stamp in re.sub(r"\s", "", text)


def measure_serve(edition: Path, env: dict, runs: int, label: str, private_copy: bool = True,
                  pdf: bool = False) -> dict:
    """Start ``guideline serve`` on ``edition`` (a private copy is made unless ``private_copy`` is false: it is
    edited), then per run: save an edit of one clause and wait as an open page does (long poll of /__reload, then a
    fresh GET of the page) until the page holds the new text. Seconds from the save to that response: median over
    the runs. ``pdf``: the same with the PDF preview (asked for once first; /__reload?what=pdf, /guideline.pdf)."""
    from guideline import editions
    from guideline.writers.edition import html_site

    if private_copy:
        private = WORK / "editions" / f"serve-{label}"
        shutil.rmtree(private, ignore_errors=True)
        shutil.copytree(edition, private)
        edition = private
    page = html_site.href_map(editions.load_or_fail(str(edition), Path(env["GUIDELINE_SRC"])))
    build_dir = WORK / "out" / f"serve-{label}"
    build_dir.mkdir(parents=True, exist_ok=True)
    with open(build_dir / "serve.log", "wb") as log:  # the server's messages (one line per rebuild)
        proc = subprocess.Popen(GUIDELINE + ["serve", "--edition", str(edition), "--port", "0", "--build-dir",
                                             str(build_dir)], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=log)
    sampler = TreeSampler(proc.pid)
    times: list[float] = []
    builds: list[float] = []
    cpus: list[float] = []
    error = ""
    try:
        line = proc.stdout.readline().decode("utf-8", "replace")  # "serving ... at http://127.0.0.1:PORT/ ..."
        m = re.search(r"(http://\S+/)", line)
        if not m:
            raise RuntimeError(f"guideline serve did not start: {line.strip()}")
        url = m.group(1)
        what = "what=pdf&" if pdf else ""
        if pdf:
            _get(url + "guideline.pdf", timeout=300)  # the first layout (cold), before the timed runs
        for _ in range(runs):
            state = json.loads(_get(url + "__reload?" + what.rstrip("&")))
            stamp, clause_id = edit_one_clause(edition)
            t0 = time.perf_counter()
            target = url + ("guideline.pdf" if pdf else page(clause_id).split("#")[0])
            deadline = t0 + 120
            while time.perf_counter() < deadline:
                state = json.loads(_get(url + "__reload?" + what + "since=" + urllib.parse.quote(state["generation"])))
                body = _get(target)
                elapsed = time.perf_counter() - t0  # the check below (pdftotext) is not the server's time
                if (_pdf_holds(body, stamp) if pdf else stamp.encode("utf-8") in body):
                    times.append(elapsed)
                    builds.append(state["pdf_s"] if pdf else state["build_s"])
                    if not pdf:  # the PDF thread's CPU is not reported by the server
                        cpus.append(state["build_cpu_s"])
                    break
                if not state["ok"]:
                    raise RuntimeError("; ".join(state["errors"])[:300])
            else:
                raise RuntimeError("the edit did not appear within 120 s")
    except Exception as exc:  # noqa: BLE001 - reported in the results, not a crash of the benchmark
        error = f"{type(exc).__name__}: {exc}"
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        sampler.stop()
        if proc.stdout:
            proc.stdout.close()
    ok = bool(times) and not error
    return {"s": round(statistics.median(times), 3) if times else None, "all_s": [round(t, 3) for t in times],
            "build_s": [round(b, 3) for b in builds], "cpu_s": round(statistics.median(cpus), 3) if cpus else None,
            "peak_mb": round(sampler.rss_mb, 1),
            "pss_mb": round(sampler.pss_mb, 1), "rc": 0 if ok else 1, "error": error, "runs": len(times)}


# --------------------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5, help="timed runs per measurement; the median is reported "
                    "(default 5: the shared 2-core machine varies by ±10%% from run to run)")
    ap.add_argument("--cold-pdf-runs", type=int, default=3, help="timed runs of the cold PDF builds (pdf_s, "
                    "all_s: ~1 min each; default 3)")
    ap.add_argument("--only", default="", help="comma-separated subset of measurement keys, e.g. html_s,diff_s; "
                    "the other keys of bench/results.json are kept from the run before")
    ap.add_argument("--no-serve", action="store_true", help="skip the serve latency measurements")
    args = ap.parse_args(argv)
    only = {k.strip() for k in args.only.split(",") if k.strip()}

    def wanted(key: str) -> bool:
        return (not only or key in only) and not (args.no_serve and key.startswith("serve_"))

    load_before = os.getloadavg()
    become_subreaper()
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(WORK)], check=True)
    base, revised = WORK / "editions" / "base", WORK / "editions" / "revised"
    out = WORK / "out"
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, GUIDELINE_SRC=str(WORK))
    # as on a user's machine, Python keeps the compiled bytecode of our modules (__pycache__/, ignored by git); a
    # sandbox that sets PYTHONDONTWRITEBYTECODE would otherwise add ~0.1 s of compiling to every command
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.path.insert(0, str(REPO / "tooling"))

    def g(*a: str) -> list[str]:
        return GUIDELINE + list(a)

    from guideline.parse_cache import cache_dir_for  # the bench runs in the project's virtualenv

    parse_cache = cache_dir_for(base)  # the reader's cache for the generated editions (build/.cache/parse/)

    def warm(*paths: Path):
        """Remove the outputs only: the caches stay, as on an editor's machine after the first run."""
        def clear():
            for path in paths:
                shutil.rmtree(path, ignore_errors=True)
        return clear

    def fresh(*paths: Path):
        """Remove outputs and caches before each run: the reader's parse cache lives in the repository's
        build/.cache/parse/ (a cold run parses every source file again)."""
        return warm(*paths, parse_cache)

    # pandoc reference on the same Markdown, measured right after our command it is compared with (same load)
    md = WORK / "concat.md"
    concat_markdown(base, md)
    has_pandoc = shutil.which("pandoc") is not None

    def pandoc(fmt: str) -> list[str]:
        return ["pandoc", "-f", "markdown", "-t", fmt, "-o", str(WORK / f"pandoc.{fmt}"), str(md)]

    # the reference peer of pdf_s: WeasyPrint (optional `bench` extra) on the edition's single-page HTML
    single = out / "html" / "base" / "guideline.html"
    weasyprint_exe = REPO / ".venv" / "bin" / "weasyprint"
    weasyprint = [str(weasyprint_exe), "-q", str(single), str(WORK / "weasyprint.pdf")] \
        if weasyprint_exe.is_file() and (wanted("weasyprint_pdf_s") or not only) else None
    if weasyprint and not wanted("html_s") and not single.is_file():
        subprocess.run(g("build", "-q", "--edition", str(base), "--format", "html", "-o", str(out / "html")),
                       env=env, check=True, cwd=REPO, stdout=subprocess.DEVNULL)

    plan = [
        ("check_s", g("check", "--edition", str(base)), fresh()),
        ("check_warm_s", g("check", "--edition", str(base)), None),
        ("lint_s", g("lint", "-q", "--edition", str(base), "--format", "json", "-o", str(out / "lint.json")), None),
        ("html_s", g("build", "-q", "--edition", str(base), "--format", "html", "-o", str(out / "html")),
         fresh()),
        *([("pandoc_html_s", pandoc("html"), None)] if has_pandoc else []),
        ("docx_s", g("build", "-q", "--edition", str(base), "--format", "docx", "-o", str(out / "docx")),
         fresh()),
        *([("pandoc_docx_s", pandoc("docx"), None)] if has_pandoc else []),
        ("pdf_s", g("build", "-q", "--edition", str(base), "--format", "pdf", "-o", str(out / "pdf")),
         fresh(out / "pdf")),
        *([("weasyprint_pdf_s", weasyprint, None)] if weasyprint else []),
        ("all_s", g("build", "-q", "--edition", str(base), "--format", "all", "-o", str(out / "all")),
         fresh(out / "all")),
        # diff outputs go one level down so that their caches (<out>/../.cache/) are their own
        ("diff_s", g("diff", "-q", str(base), str(revised), "-o", str(out / "diff" / "out")), fresh(out / "diff")),
        ("diff_warm_s", g("diff", "-q", str(base), str(revised), "-o", str(out / "diff" / "out")),
         warm(out / "diff" / "out")),
        ("changes_json_s", g("diff", "-q", str(base), str(revised), "--format", "json", "-o",
                             str(out / "diff-json" / "out")), fresh(out / "diff-json")),
        ("changes_json_warm_s", g("diff", "-q", str(base), str(revised), "--format", "json", "-o",
                                  str(out / "diff-json" / "out")), warm(out / "diff-json" / "out")),
    ]
    results: dict = {}
    for key, cmd, before in plan:
        if not wanted(key):
            continue
        print(f"measuring {key} ...", file=sys.stderr, flush=True)
        runs = args.cold_pdf_runs if key in ("pdf_s", "all_s", "weasyprint_pdf_s") else args.runs
        results[key] = measure(cmd, runs, None if key.startswith("pandoc_") else env, before)

    # incremental rebuilds: a warm build of a copy, then one clause edited and rebuilt
    inc = WORK / "editions" / "incremental"
    for key, fmt in (("html_incremental_s", "html"), ("pdf_incremental_s", "pdf")):
        if not wanted(key):
            continue
        shutil.rmtree(inc, ignore_errors=True)
        shutil.copytree(base, inc)
        cmd = g("build", "-q", "--edition", str(inc), "--format", fmt, "-o", str(out / f"inc-{fmt}"))
        print(f"measuring {key} (warm-up build first) ...", file=sys.stderr, flush=True)
        subprocess.run(cmd, env=env, capture_output=True, cwd=REPO)
        results[key] = measure(cmd, args.runs, env, before=lambda: edit_one_clause(inc))

    # guideline serve: the benchmark edition, and the sample draft (in a copy of guideline_src)
    if wanted("serve_latency_s"):
        print("measuring serve_latency_s ...", file=sys.stderr, flush=True)
        results["serve_latency_s"] = measure_serve(base, env, max(args.runs, 3), "bench")
    if wanted("serve_pdf_latency_s"):
        print("measuring serve_pdf_latency_s ...", file=sys.stderr, flush=True)
        results["serve_pdf_latency_s"] = measure_serve(base, env, max(args.runs, 3), "bench-pdf", pdf=True)
    if wanted("serve_latency_draft_s") and (REPO / "guideline_src" / "draft" / "edition.yaml").is_file():
        print("measuring serve_latency_draft_s ...", file=sys.stderr, flush=True)
        src_copy = WORK / "serve-src"
        shutil.rmtree(src_copy, ignore_errors=True)
        shutil.copytree(REPO / "guideline_src", src_copy)
        results["serve_latency_draft_s"] = measure_serve(src_copy / "draft", dict(env, GUIDELINE_SRC=str(src_copy)),
                                                         max(args.runs, 3), "draft", private_copy=False)

    if only and (HERE / "results.json").is_file():  # a partial run keeps the other measurements of the last run
        try:
            before_flat = json.loads((HERE / "results.json").read_text(encoding="utf-8"))
        except ValueError:
            before_flat = {}
        previous = before_flat.get("raw", {})
        for key, value in previous.items():
            results.setdefault(key, value)
        flat_note = f"re-measured in this run: {', '.join(sorted(only))}; the rest from the run before"
    else:
        flat_note = "every measurement from this run"
        before_flat = {}
    ours = {k: v for k, v in results.items() if not k.startswith(("pandoc_", "weasyprint_"))}  # not the peers
    flat: dict = {k: (v["s"] if v["rc"] == 0 else None) for k, v in results.items()}
    flat["runs"] = {k: v["all_s"] for k, v in results.items()}
    # CPU seconds (user + system, workers included; for serve: the rebuild thread): what the wall time would
    # roughly be on an idle machine for a single-process command, while the machine is shared
    flat["cpu_s_by_command"] = {k: v["cpu_s"] for k, v in results.items()}
    flat["peak_rss_mb"] = max((v["peak_mb"] for v in ours.values()), default=None)
    flat["peak_rss_mb_by_command"] = {k: v["peak_mb"] for k, v in results.items()}
    flat["peak_pss_mb_by_command"] = {k: v["pss_mb"] for k, v in results.items()}
    flat["peak_rss_sum_mb_by_command"] = {k: v.get("rss_sum_mb") for k, v in results.items()}
    if "serve_latency_s" in results:
        flat["serve_build_s"] = results["serve_latency_s"]["build_s"]
    if "serve_latency_draft_s" in results:
        flat["serve_draft_build_s"] = results["serve_latency_draft_s"]["build_s"]
    if "serve_pdf_latency_s" in results:
        flat["serve_pdf_layout_s"] = results["serve_pdf_latency_s"]["build_s"]
    flat["errors"] = {k: v["error"] for k, v in results.items() if v["rc"] != 0}
    flat["machine"] = {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                       "loadavg_before": [round(x, 2) for x in load_before],
                       "loadavg_after": [round(x, 2) for x in os.getloadavg()]}
    pages = None
    for candidate in (out / "pdf" / "base" / "guideline.pdf", out / "all" / "base" / "guideline.pdf",
                      out / "inc-pdf" / "incremental" / "guideline.pdf"):
        pages = pages or pdf_pages(candidate)
    flat["edition"] = {**edition_size(base, WORK), "pdf_pages": pages,
                       "source_characters": len(re.sub(r"\s", "", md.read_text(encoding="utf-8"))),
                       "comparison_pdf_pages": pdf_pages(out / "diff" / "out" / "comparison.pdf")}
    for key in ("pdf_pages", "comparison_pdf_pages"):  # not produced by a partial run: the last run's count
        if flat["edition"].get(key) is None:
            flat["edition"][key] = before_flat.get("edition", {}).get(key)
    pdf_file = out / "pdf" / "base" / "guideline.pdf"
    if pdf_file.is_file():
        flat["pdf_mb"] = round(pdf_file.stat().st_size / 1e6, 2)
    elif before_flat.get("pdf_mb") is not None:
        flat["pdf_mb"] = before_flat["pdf_mb"]
    if flat.get("pdf_s") and flat.get("weasyprint_pdf_s"):
        flat["pdf_vs_weasyprint"] = round(flat["pdf_s"] / flat["weasyprint_pdf_s"], 3)
    for ours_key, ref, name in (("html_s", "pandoc_html_s", "html"), ("docx_s", "pandoc_docx_s", "docx")):
        if flat.get(ours_key) and flat.get(ref):
            flat[f"{name}_vs_pandoc"] = round(flat[ours_key] / flat[ref], 2)
        if results.get(ours_key, {}).get("cpu_s") and results.get(ref, {}).get("cpu_s"):
            flat[f"{name}_vs_pandoc_cpu"] = round(results[ours_key]["cpu_s"] / results[ref]["cpu_s"], 2)
    flat["raw"] = results
    flat["note"] = flat_note
    (HERE / "results.json").write_text(json.dumps(flat, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                       encoding="utf-8")
    table = render_table(results, flat)
    (HERE / "results.txt").write_text(table, encoding="utf-8")
    print(table)
    return 0


# key -> (target text, check(flat) -> bool | None)
TARGETS = {
    "html_s": ("≤ 0.5 × pandoc html", lambda f: f.get("html_vs_pandoc") is not None and f["html_vs_pandoc"] <= 0.5),
    "docx_s": ("≤ 1.0 × pandoc docx", lambda f: f.get("docx_vs_pandoc") is not None and f["docx_vs_pandoc"] <= 1.0),
    "pdf_s": ("≤ 8 s cold", lambda f: f["pdf_s"] <= 8),
    "weasyprint_pdf_s": ("pdf_s ≤ 0.2 × this", lambda f: f.get("pdf_vs_weasyprint") is not None
                         and f["pdf_vs_weasyprint"] <= 0.2),
    "diff_s": ("≤ 5 s", lambda f: f["diff_s"] <= 5),
    "diff_warm_s": ("≤ 5 s (caches warm)", lambda f: f["diff_warm_s"] <= 5),
    "changes_json_s": ("≤ 1 s", lambda f: f["changes_json_s"] <= 1),
    "changes_json_warm_s": ("≤ 1 s (parse cache warm)", lambda f: f["changes_json_warm_s"] <= 1),
    "serve_latency_draft_s": ("≤ 1 s (sample draft)", lambda f: f["serve_latency_draft_s"] <= 1),
    "serve_latency_s": ("≤ 1 s", lambda f: f["serve_latency_s"] <= 1),
    "serve_pdf_latency_s": ("≤ 1.5 s", lambda f: f["serve_pdf_latency_s"] <= 1.5),
    "lint_s": ("≤ 3 s (warm)", lambda f: f["lint_s"] <= 3),
}


def render_table(results: dict, flat: dict) -> str:
    lines = [f"{'measure':22} {'seconds':>9} {'CPU s':>7} {'peak MB':>8}  target", "-" * 80]
    for key, v in results.items():
        sec = f"{v['s']:.2f}" if v["rc"] == 0 and v["s"] is not None else "failed"
        target, check = TARGETS.get(key, ("", None))
        verdict = ""
        if check is not None and flat.get(key) is not None:
            verdict = "  ok" if check(flat) else "  MISSED"
        cpu = f"{v['cpu_s']:.2f}" if v.get("cpu_s") is not None else "-"
        lines.append(f"{key:22} {sec:>9} {cpu:>7} {v['peak_mb']:>8.0f}  {target}{verdict}")
        if v["rc"] != 0:
            lines.append(f"{'':22}   {v['error'][:100]}")
    for k in ("html_vs_pandoc", "html_vs_pandoc_cpu", "docx_vs_pandoc", "docx_vs_pandoc_cpu", "pdf_vs_weasyprint"):
        if k in flat:
            lines.append(f"{k:22} {flat[k]:>9}" + ("  (target ≤ 0.2)" if k == "pdf_vs_weasyprint" else ""))
    if flat.get("pdf_mb") is not None:
        lines.append(f"{'pdf_mb':22} {flat['pdf_mb']:>9}  (target ≤ 8)" + ("  ok" if flat["pdf_mb"] <= 8 else "  MISSED"))
    ed, m = flat["edition"], flat["machine"]
    peak = flat["peak_rss_mb"]
    lines.append(f"edition: {ed['clauses']} clauses, {ed['characters']} characters of text, {ed['pdf_pages']} PDF "
                 f"pages; {m['cores']} cores, load average {m['loadavg_before'][0]} → {m['loadavg_after'][0]}")
    lines.append(f"peak memory of any command: {peak} MB (target ≤ 1024)"
                 + ("" if peak is None else ("  ok" if peak <= 1024 else "  MISSED")))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
