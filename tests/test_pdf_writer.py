"""The PDF edition (guideline.pdf), checked with real PDF readers: poppler's pdffonts/pdftotext/pdfinfo and pikepdf.

r5-03 is built once for the module through the CLI (cold, two worker processes); the fixture edition is used for
everything that needs extra builds.
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, replace_in

from guideline import editions
from guideline.model import Placeholder, block_text, iter_inlines
from guideline.writers import pdf, pdf_html

pytestmark = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in ("pdffonts", "pdftotext", "pdfinfo", "fc-list")),
    reason="needs poppler-utils (pdffonts, pdftotext, pdfinfo) and fontconfig (Debian packages)",
)


def run_cli(*args: str, env: dict | None = None, cwd: Path = REPO) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != "GUIDELINE_SRC"}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "guideline", *args], capture_output=True, text=True, cwd=cwd,
                          env=full_env, timeout=600)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def r503(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("pdf-build")
    result = run_cli("build", "--edition", "r5-03", "--format", "pdf", "-o", str(out),
                     env={"GUIDELINE_PDF_WORKERS": "2"})
    assert result.returncode == 0, result.stderr
    path = out / "r5-03" / "guideline.pdf"
    assert result.stdout.strip().endswith(str(path))
    text = pdftotext(path)
    return {"out": out, "path": path, "bytes": path.read_bytes(), "text": text,
            "edition": editions.load_or_fail(str(REPO / "guideline_src" / "editions" / "r5-03"))}


# --------------------------------------------------------------------------------------------------------------------
# r5-03, built once


def test_fonts_are_embedded_japanese_fonts(r503):
    out = subprocess.run(["pdffonts", str(r503["path"])], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert rows, out
    names = [row[0] for row in rows]
    # columns from the right: object ID (2), uni, sub, emb
    assert all(row[-5] == "yes" for row in rows), out
    assert any("CJK" in name or "IPAex" in name for name in names), out
    # one subset per font after merging, not one per rendered part
    assert len(names) == len(set(names)), out


def test_pdfinfo_tagged_a4_and_plausible_size(r503):
    info = subprocess.run(["pdfinfo", str(r503["path"])], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["Tagged"].strip() == "yes"
    assert "(A4)" in fields["Page size"]
    assert 40 <= int(fields["Pages"]) <= 400
    ed = r503["edition"]
    assert fields["Title"].strip() == ed.meta.display_name
    assert "2023" in fields["CreationDate"]


def test_title_page_and_toc(r503):
    pages = r503["text"].split("\f")
    cover = squash(pages[0])
    ed = r503["edition"]
    assert squash(ed.meta.title) in cover and squash(ed.meta.label) in cover
    assert "令和5年3月31日" in cover and "確定版" in cover
    assert "サンプル" in cover and "公式" in cover  # sample notice
    toc = "\n".join(pages[1:4])
    assert "目" in toc and "次" in toc
    # every 章 of the 例文 part is listed with the page its heading is printed on
    body_offset = next(i for i, p in enumerate(pages) if re.search(r"^-\s*1\s*-$", p, re.M))
    assert body_offset == 3  # title page and two 目次 pages
    checked = 0
    for chapter in ed.reibun.children:
        m = re.search(re.escape(chapter.number) + r"\s*" + re.escape(chapter.heading) + r"\s*\.{3,}\s*(\d+)", toc)
        assert m, f"{chapter.number} {chapter.heading} not in the 目次"
        printed = int(m.group(1))
        page = pages[body_offset + printed - 1]
        assert squash(chapter.number + chapter.heading) in squash(page), (printed, page[:200])
        assert re.search(rf"^-\s*{printed}\s*-$", page, re.M)  # the stamped page number
        checked += 1
    assert checked >= 2


def _plain_piece(edition, clause, blocks, length: int = 18) -> str:
    """A stretch of the clause's text without placeholders (they print in brackets)."""
    text = block_text(blocks, edition, clause)
    for node in iter_inlines(blocks):
        if isinstance(node, Placeholder):
            text = text.replace(node.text, "\n")
    pieces = sorted((p.strip() for p in re.split(r"[\n]", text)), key=len, reverse=True)
    return pieces[0][:length] if pieces and pieces[0] else ""


def test_text_has_headings_body_and_commentary(r503):
    ed = r503["edition"]
    text = squash(r503["text"])
    sample = [c for c in ed.clauses() if c.level >= 3 and c.body][::25]
    assert len(sample) >= 5
    for clause in sample:
        assert squash(clause.number + clause.heading) in text, clause.id
        piece = _plain_piece(ed, clause, clause.body)
        assert squash(piece) in text, (clause.id, piece)
    commentary = [c for c in ed.reibun.walk() if c.commentary][::20]
    assert commentary
    for clause in commentary:
        piece = _plain_piece(ed, clause, clause.commentary)
        assert squash(piece) in text, (clause.id, piece)
    # the generated 解説 part and the NISC mapping notes
    assert squash(ed.commentary_part_number + ed.meta.commentary_title) in text
    assert "統一基準との対応" in text


def test_japanese_line_breaking(r503):
    lines = pdftotext(r503["path"], "-layout").splitlines()
    starts = [line.strip()[:1] for line in lines if line.strip()]
    assert len(starts) > 1000
    bad = [line for line in lines if line.strip() and line.strip()[0] in "、。」）"]
    assert bad == []


def test_outline_has_parts_chapters_and_items_only(r503):
    import pikepdf

    ed = r503["edition"]
    with pikepdf.open(r503["path"]) as doc, doc.open_outline() as outline:
        entries: list[tuple[int, str]] = []

        def walk(items, depth):
            for item in items:
                entries.append((depth, item.title))
                walk(item.children, depth + 1)

        walk(outline.root, 0)
    titles = [t for _, t in entries]
    assert max(d for d, _ in entries) <= 2  # 編 / 章 / 節: deeper headings stay out of the outline
    for part in ed.parts:
        assert f"{part.number} {part.heading}" in titles
        for chapter in part.children:
            assert f"{chapter.number} {chapter.heading}" in titles
    assert "目次" in titles
    assert f"{ed.commentary_part_number} {ed.meta.commentary_title}" in titles
    level4 = [c for c in ed.clauses() if c.level == 4]
    assert level4 and all(f"{c.number} {c.heading}" not in titles for c in level4)


def test_tag_tree_links_and_language(r503):
    import pikepdf

    with pikepdf.open(r503["path"]) as doc:
        assert str(doc.Root.Lang) == "ja"
        assert bool(doc.Root.MarkInfo.Marked)
        root = doc.Root.StructTreeRoot
        document = root.K[0]
        assert document.S == pikepdf.Name.Document
        assert all(kid.P.objgen == document.objgen for kid in document.K)
        nums = root.ParentTree.Nums
        keys = {int(nums[i]) for i in range(0, len(nums), 2)}
        assert {int(p.obj.StructParents) for p in doc.pages} <= keys
        names = doc.Root.Names.Dests.Names
        dests = {str(names[i]) for i in range(0, len(names), 2)}
        links = 0
        for page in doc.pages:
            for annot in page.obj.get("/Annots", []):
                assert "anchor.invalid" not in str(annot.get("/A", {}).get("/URI", "")), "unresolved link"
                if "/Dest" in annot:
                    assert str(annot.Dest) in dests
                    links += 1
                if "/StructParent" in annot:
                    assert int(annot.StructParent) in keys
        assert links > 100  # 目次 entries and cross-references
        assert "org-ciso" in dests and "c.org-ciso" in dests


def test_rebuild_from_cache_is_identical_and_one_clause_edit_renders_one_unit(r503, tmp_path):
    # same source, warm cache → same bytes
    again = run_cli("build", "--edition", "r5-03", "--format", "pdf", "-o", str(r503["out"]))
    assert again.returncode == 0, again.stderr
    assert (r503["out"] / "r5-03" / "guideline.pdf").read_bytes() == r503["bytes"]
    # one clause edited → only the unit holding it is laid out again (the 目次 is unchanged)
    root = tmp_path / "guideline_src"
    shutil.copytree(REPO / "guideline_src" / "nisc", root / "nisc")
    src = root / "editions" / "r5-03"
    shutil.copytree(REPO / "guideline_src" / "editions" / "r5-03", src)
    target = next(p for p in sorted(src.glob("*.md")) if "{#tech-backup}" in p.read_text(encoding="utf-8"))
    text = target.read_text(encoding="utf-8")
    body_start = text.index("{#tech-backup}")
    sentence_end = text.index("。", text.index("\n\n", text.index("```\n", text.index("```yaml", body_start)) + 4))
    target.write_text(text[:sentence_end] + "（編集テスト用の追記）" + text[sentence_end:], encoding="utf-8")
    edited = editions.load_or_fail("r5-03", root)
    stats: dict = {}
    data = pdf.render(edited, r503["out"] / ".cache" / "pdf", stats)
    assert stats["rendered"] == 1, stats
    out = tmp_path / "edited.pdf"
    out.write_bytes(data)
    assert "（編集テスト用の追記）" in squash(pdftotext(out))
    # joined while the unit was laid out (one worker) = joined after a cold rendering of the edited source
    cold_stats: dict = {}
    assert pdf.render(edited, None, cold_stats) == data
    assert cold_stats["rendered"] == cold_stats["units"] + 2  # every unit, the page furniture and the 目次


def test_parts_joined_in_any_order_give_the_same_bytes(r503, monkeypatch):
    """The Merger puts each part at its position whatever the order they come in (with one worker, the cached parts
    are joined while the missing ones are laid out, each inserted as it arrives): the bytes are those of joining in
    order, including the object numbers qpdf orders object streams by (Merger._move), also when a part is too large
    for the gap of numbers left for it."""
    from guideline.writers import pdf_merge

    joined: dict = {}
    finish = pdf_merge.Merger.finish

    def spy(self, edition, front, stamp):
        joined.update(body=[r for r, _ in self.parts], front=front, stamp=stamp)
        return finish(self, edition, front, stamp)

    monkeypatch.setattr(pdf_merge.Merger, "finish", spy)
    cache = r503["out"] / ".cache" / "pdf"
    assert pdf.render(r503["edition"], cache) == r503["bytes"]  # every part cached: joined in order
    monkeypatch.setattr(pdf_merge.Merger, "finish", finish)
    body = joined["body"]
    n = len(body)
    shuffled = list(range(n))
    random.Random(7).shuffle(shuffled)
    orders = [[i for i in range(n) if i != n // 2] + [n // 2],  # a miss in the middle
              [*range(1, n - 1), n - 1, 0],  # misses in the first and the last unit, the last arriving first
              list(reversed(range(n))),
              shuffled]
    for order in orders:
        merger = pdf_merge.Merger(cache)
        for i in order:
            merger.add(body[i], i)
        assert [r for r, _ in merger.parts] == body
        assert merger.finish(r503["edition"], joined["front"], joined["stamp"]) == r503["bytes"], order
    monkeypatch.setattr(pdf_merge, "GAP", 8)  # no part fits: joined again, in order
    merger = pdf_merge.Merger(cache)
    for i in orders[1]:
        merger.add(body[i], i)
    assert merger.finish(r503["edition"], joined["front"], joined["stamp"]) == r503["bytes"]


# --------------------------------------------------------------------------------------------------------------------
# The small fixture edition


def test_cold_builds_and_builds_missing_some_units_are_byte_identical(src_copy, tmp_path, monkeypatch):
    env = {"GUIDELINE_SRC": str(src_copy)}
    first = run_cli("build", "--edition", "base", "--format", "pdf", "-o", str(tmp_path / "a"),
                    env={**env, "GUIDELINE_PDF_WORKERS": "2"})
    second = run_cli("build", "--edition", "base", "--format", "pdf", "-o", str(tmp_path / "b"),
                     env={**env, "GUIDELINE_PDF_WORKERS": "1", "GUIDELINE_PDF_CACHE": "0"})
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    a = (tmp_path / "a" / "base" / "guideline.pdf").read_bytes()
    b = (tmp_path / "b" / "base" / "guideline.pdf").read_bytes()
    assert a == b
    assert re.search(rb"/ID \[<([0-9a-f]{32})>", a)
    text = squash(pdftotext(tmp_path / "a" / "base" / "guideline.pdf"))
    assert "最高情報セキュリティ責任者" in text and "〔○○副市長〕を、CISOとする。" in text
    assert "CISOは、最終的な権限と責任を有する。" in text  # 解説

    # Units missing from the cache, laid out by one worker (the first miss at once, the other misses largest first)
    # while the cached ones are joined, each inserted at its place as it arrives: the same bytes.
    from guideline.writers import pdf_merge

    edition = editions.load_or_fail(str(src_copy / "editions" / "base"))
    units = pdf_html.plan_units(edition)
    assert len(units) == 3
    for path in {c.loc.path for u in units for c in (*u.heads, *u.clauses)}:  # looked up in order (_newest_first)
        os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    cache = tmp_path / "a" / ".cache" / "pdf"
    monkeypatch.setattr(pdf, "_workers", lambda jobs: 1)
    added: list[int] = []
    add = pdf_merge.Merger.add

    def spy(self, r, position=None):
        added.append(position)
        add(self, r, position)

    monkeypatch.setattr(pdf_merge.Merger, "add", spy)

    def build_missing(missing: set[int]) -> list:
        """Remove the units' cache entries (a unit's is the one that holds its anchors), build; the positions
        the parts were added at."""
        for i in missing:
            entries = [p for p in cache.glob("*.json")
                       if set(pdf_html.unit_anchors(units[i])) <= set(json.loads(p.read_text("utf-8"))["anchors"])]
            assert len(entries) == 1, entries
            entries[0].unlink()
            entries[0].with_suffix(".pdf").unlink()
        added.clear()
        stats: dict = {}
        assert pdf.render(edition, cache, stats) == a, missing
        assert stats["rendered"] == len(missing), missing
        return list(added)

    for missing, order in [({1}, [0, 2, 1]), ({0}, [1, 2, 0]), ({2}, [0, 1, 2]), ({0, 2}, [1, 0, 2]),
                           ({0, 1, 2}, [0, 1, 2])]:
        assert build_missing(missing) == order, missing

    # Two workers: one unit missing (an edit) is joined as above, while the cached ones are; two missing (a cold
    # build, in small) are joined in order once the workers are done.
    monkeypatch.setattr(pdf, "_workers", lambda jobs: min(2, jobs))
    for missing, order in [({1}, [0, 2, 1]), ({0, 2}, [None, None, None])]:
        assert build_missing(missing) == order, missing


def test_units_of_the_newest_source_file_are_looked_up_first(src_copy, monkeypatch):
    """The units' HTML is written and looked up in the order of pdf._newest_first: those whose clauses come from
    the most recently saved file first (an edit's unit reaches a worker before the HTML of the others is written),
    the rest in order."""
    edition = editions.load_or_fail(str(src_copy / "editions" / "base"))
    units = pdf_html.plan_units(edition)
    files = sorted({c.loc.path for u in units for c in (*u.heads, *u.clauses)})
    assert len(files) >= 2
    for n, path in enumerate(files):
        os.utime(path, ns=(1_700_000_000_000_000_000 + n, 1_700_000_000_000_000_000 + n))
    newest = files[-1]
    os.utime(newest, ns=(1_800_000_000_000_000_000, 1_800_000_000_000_000_000))
    of_newest = [i for i, u in enumerate(units) if any(c.loc.path == newest for c in (*u.heads, *u.clauses))]
    order = pdf._newest_first(units)
    assert sorted(order) == list(range(len(units))) and order[:len(of_newest)] == of_newest
    assert of_newest != list(range(len(of_newest)))  # the fixture's newest file is not the first unit's

    looked_up: list[str] = []
    submit = pdf.Renderer.submit

    def spy(self, jobs):
        looked_up.extend(job[0] for job in jobs)
        return submit(self, jobs)

    monkeypatch.setattr(pdf.Renderer, "submit", spy)
    pdf.render(edition, None, {})
    first = set(pdf_html.unit_anchors(units[of_newest[0]]))
    assert all(f'id="{anchor}"' in looked_up[0] for anchor in first)


def test_missing_japanese_font_is_a_user_error(src_copy, tmp_path):
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                    f"<cachedir>{tmp_path / 'fc-cache'}</cachedir>\n</fontconfig>\n", encoding="utf-8")
    result = run_cli("build", "--edition", "base", "--format", "pdf", "-o", str(tmp_path / "out"),
                     env={"GUIDELINE_SRC": str(src_copy), "FONTCONFIG_FILE": str(conf)})
    assert result.returncode == 1, result.stderr
    assert "fonts-noto-cjk" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "base" / "guideline.pdf").exists()


def test_print_html_status_sample_and_escaping(edition_dir):
    replace_in(edition_dir / "edition.yaml", "status: 確定", "status: 案")
    replace_in(edition_dir / "edition.yaml", "sample: true", "sample: false")
    replace_in(edition_dir / "a.md", "## 目的 {#gen-purpose}", "## 目的<script>x</script> {#gen-purpose}")
    ed = editions.load_or_fail(str(edition_dir))
    units = pdf_html.plan_units(ed)
    body = "".join(pdf_html.BodyWriter(ed).unit(u) for u in units)
    html = pdf_html.document(ed, front=True, body=body)
    assert '<html lang="ja">' in html
    assert 'data-status="【案】"' in html and "案（確定版ではありません）" in html
    assert "公式のガイドラインではありません" not in html  # not a sample
    assert "<script>" not in html and "&lt;script&gt;" in html
    # every clause is in exactly one unit; units start with the 編/章 they belong to
    seen = [h.id for u in units if not u.commentary for h in u.heads]
    seen += [d.id for u in units if not u.commentary for c in u.clauses for d in c.walk()]
    assert len(seen) == len(set(seen))
    assert sorted(set(seen)) == sorted(c.id for c in ed.clauses())
    assert units[0].heads[0].id == "general"


# --------------------------------------------------------------------------------------------------------------------
# Units of a full-size edition (bench/generate.py): planned, not rendered


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("generated")
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(work)], check=True, capture_output=True,
                   timeout=300)
    return work / "editions" / "base"


def _unit_htmls(edition) -> dict[str, str]:
    out = {}
    for unit in pdf_html.plan_units(edition):
        writer = pdf_html.BodyWriter(edition, set(pdf_html.unit_anchors(unit)))
        out[unit.key] = pdf_html.document(edition, front=False, body=writer.unit(unit), stamped=True)
    return out


def test_units_of_a_large_edition_are_capped(generated):
    ed = editions.load_or_fail(str(generated))
    units = pdf_html.plan_units(ed)
    assert len(list(ed.clauses())) > 2000
    # no unit is larger than the cap unless it is a single clause that cannot be cut (no children to cut at)
    over = [(u.key, pdf_html.unit_size(u)) for u in units
            if pdf_html.unit_size(u) > pdf_html.UNIT_CHARS and not (len(u.clauses) == 1 and not u.clauses[0].children)]
    assert over == []
    body = [u for u in units if not u.commentary]
    assert sum(len(u.clauses) > 1 for u in body) > 10  # small siblings still share units (no page per item)
    # every clause is printed exactly once in the body and every clause with a 解説 once in the 解説 part
    seen = [h.id for u in body for h in u.heads] + [d.id for u in body for c in u.clauses for d in c.walk()]
    assert sorted(seen) == sorted(c.id for c in ed.clauses())
    # a smaller cap cuts finer, but never below a 章 (level 2) into single sentences: units start at numbered items
    finer = pdf_html.plan_units(ed, limit=3000)
    assert len(finer) > len(units)
    assert all(u.clauses[0].level <= 5 for u in finer)


def test_one_clause_edit_changes_the_html_of_one_unit_only(generated, tmp_path):
    """Nothing in a unit's HTML depends on another unit's content (page numbers are stamped after merging, the
    目次 is a separate document), so an edit misses the cache for exactly one unit."""
    root = tmp_path / "src"
    shutil.copytree(generated.parent.parent / "nisc", root / "nisc")
    shutil.copytree(generated, root / "editions" / "base")
    before = _unit_htmls(editions.load_or_fail(str(root / "editions" / "base")))
    # a sentence added to a clause body in the middle of the edition (as the benchmark's edit path does)
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import run as bench_run
    finally:
        sys.path.remove(str(REPO / "bench"))
    stamp, clause_id = bench_run.edit_one_clause(root / "editions" / "base")
    after = _unit_htmls(editions.load_or_fail(str(root / "editions" / "base")))
    assert before.keys() == after.keys()
    changed = [key for key in before if before[key] != after[key]]
    assert len(changed) == 1, changed
    assert stamp in after[changed[0]] and f'id="{clause_id}"' in after[changed[0]]


def test_renderer_forks_one_worker_per_miss_up_to_two(monkeypatch, tmp_path):
    """One miss forks one worker (an edit must not pay for a second WeasyPrint start-up), more misses two; later
    jobs go to the same workers; a worker's PDF is the same as one laid out in-process, and goes to the cache."""
    monkeypatch.delenv("GUIDELINE_PDF_WORKERS", raising=False)
    monkeypatch.setattr(pdf.os, "cpu_count", lambda: 2)
    page = '<html lang="ja"><body><p style="font-family: \'Noto Serif CJK JP\', \'IPAexMincho\'">{}</p></body></html>'
    jobs = [(page.format(f"第{i}項の本文。"), True) for i in range(4)]
    cache = pdf.Cache(tmp_path, salt="test")
    with pdf.Renderer(cache, {}) as one:
        first = one.submit(jobs[:1])
        assert one.workers == 1
        later = one.submit(jobs[1:2])
        assert one.workers == 1 and one.pool._max_workers == 1
        results = [one.result(h) for h in first + later]
    stats: dict = {}
    with pdf.Renderer(cache, stats) as two:
        handles = two.submit(jobs)  # two cached, two misses
        assert two.workers == 2
        results += [two.result(h) for h in handles[2:]]
    assert stats["rendered"] == 2 and cache.hits == 2
    assert [r.pages for r in results] == [1, 1, 1, 1]
    assert results[2].pdf == pdf.render_html(*jobs[2])["pdf"]
    again = pdf.Renderer(cache, {})
    assert [again.result(h).pdf for h in again.submit(jobs)] == [r.pdf for r in results]
    assert again.pool is None and cache.hits == 6


def test_workers_come_from_the_fork_server_or_else_plain_fork(monkeypatch):
    """Workers are forked from the fork server, which imported WeasyPrint; should it not start, plain fork (each
    worker imports WeasyPrint itself) gives the same PDF."""
    import multiprocessing.forkserver

    monkeypatch.delenv("GUIDELINE_PDF_WORKERS", raising=False)
    job = ('<html lang="ja"><body><p style="font-family: \'Noto Serif CJK JP\', \'IPAexMincho\'">'
           "サーバから分岐した作業者。</p></body></html>", True)
    pdf._context.cache_clear()
    try:
        assert pdf._context().get_start_method() == "forkserver"
        with pdf.worker_pool(1) as pool:
            served = pool.submit(pdf.render_html, *job).result()
        pdf._context.cache_clear()

        def no_server():
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(multiprocessing.forkserver, "ensure_running", no_server)
        assert pdf._context().get_start_method() == "fork"
        with pdf.worker_pool(1) as pool:
            forked = pool.submit(pdf.render_html, *job).result()
    finally:
        pdf._context.cache_clear()
    assert served["pages"] == forked["pages"] == 1
    assert served["pdf"] == forked["pdf"] == pdf.render_html(*job)["pdf"]


def test_parts_are_repacked_by_qpdf_same_content_quicker_to_open():
    """What a worker returns (and the cache keeps) is WeasyPrint's PDF written again by qpdf: object streams and a
    cross-reference stream, the same pages, tags and text; the same bytes every time."""
    import io

    import pikepdf

    html = ('<html lang="ja"><head><title>再圧縮</title></head><body><h1>第1章</h1><p style="font-family: '
            "'Noto Serif CJK JP', 'IPAexMincho'\">情報資産を脅威から守る。</p></body></html>")
    first = pdf.render_html(html, True)["pdf"]
    assert pdf.render_html(html, True)["pdf"] == first
    assert b"/Type /XRef" in first and b"/ObjStm" in first and b"\nxref\n" not in first
    doc = pikepdf.open(io.BytesIO(first))
    assert len(doc.pages) == 1 and doc.Root.MarkInfo.Marked and "/StructTreeRoot" in doc.Root
    assert "/Metadata" in doc.Root and str(doc.Root.Lang) == "ja"
    kinds = set()
    stack = [doc.Root.StructTreeRoot.K]
    while stack:
        el = stack.pop()
        for kid in el if isinstance(el, pikepdf.Array) else [el]:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.StructElem:
                kinds.add(str(kid.S))
                if "/K" in kid:
                    stack.append(kid.K)
    assert {"/Document", "/H1", "/P"} <= kinds
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=first, capture_output=True, check=True).stdout
        assert "情報資産を脅威から守る。".encode() in text
