"""The reader's parse cache (guideline.parse_cache): a cache hit reads the same edition, with the same diagnostics in
the same order, as reading afresh; corrupt or foreign entries are never trusted; entries carry no path."""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import time
from dataclasses import dataclass, field, make_dataclass
from pathlib import Path
from typing import Literal

import pytest

from guideline import editions, parse_cache
from guideline.diagnostics import Loc
from guideline.reader import read_edition

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"


def _edition_dirs() -> list[Path]:
    roots = [REPO / "guideline_src", FIXTURES / "src", FIXTURES / "diff" / "src", FIXTURES / "malformed"]
    found = []
    for root in roots:
        found.extend(sorted(p.parent for p in root.rglob("edition.yaml")))
    return found


EDITIONS = _edition_dirs()


@pytest.fixture(autouse=True)
def _fresh_memory():
    parse_cache.clear_memory()
    yield
    parse_cache.clear_memory()


def _read(root: Path, cache: parse_cache.ParseCache):
    edition, report = read_edition(root, cache=cache)
    return edition, [(str(d.loc.path), d.loc.line, d.severity, d.message) for d in report.items]


def _md_count(root: Path) -> int:
    return sum(1 for _ in root.glob("*.md"))


def test_the_corpus_is_all_there():
    names = {p.name for p in EDITIONS}
    assert {"draft", "r5-03", "r6-an", "base", "original", "md-duplicate-id-across-files", "md-crlf",
            "md-code-fence-unclosed", "md-commentary-unclosed"} <= names
    assert len(EDITIONS) > 100


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("root", EDITIONS, ids=lambda p: str(p.relative_to(REPO)))
def test_same_edition_and_report_with_and_without_cache(root: Path, tmp_path: Path, workers: str, monkeypatch):
    # workers 2: a cold read parses about half of the missing files in a forked child (ParseCache.fill), which
    # writes them to disk; this process then reads those from disk (disk_hits) and parsed the rest itself (misses)
    monkeypatch.setenv("GUIDELINE_READ_WORKERS", workers)
    plain = _read(root, parse_cache.ParseCache(None, enabled=False))
    cold = parse_cache.ParseCache(tmp_path)
    assert _read(root, cold) == plain
    assert cold.disk_hits == cold.filled
    parsed = cold.misses + cold.filled
    parse_cache.clear_memory()
    warm = parse_cache.ParseCache(tmp_path)
    assert _read(root, warm) == plain  # from the entries on disk
    assert warm.misses == warm.filled == 0
    assert warm.disk_hits == parsed
    again = parse_cache.ParseCache(tmp_path)
    assert _read(root, again) == plain  # from memory
    assert again.disk_hits == again.misses == 0 and again.hits == parsed
    if plain[0] is not None and _md_count(root):
        assert cold.misses >= 1
    if workers == "1" or os.cpu_count() == 1:
        assert cold.filled == 0
    elif plain[0] is not None and len({(root / n).read_bytes() for n in plain[0].meta.files if (root / n).is_file()}) >= 2:
        assert cold.filled >= 1  # at least two different files missed: the child parsed some


def _mutate_corpus(n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    texts = [p.read_bytes() for p in sorted((REPO / "guideline_src" / "editions" / "r5-03").glob("*.md"))]
    pieces = [b"\r\n", b"\t", b"\x00", b"\xff", b"\xef\xbb\xbf", b":::", b"::: \xe8\xa7\xa3\xe8\xaa\xac\n",
              b"```yaml\nnisc: [\n", b"```\n", b"# x {#dup}\n", b"## y {#Bad_Id}\n", b"{#", b"- " * 30, b"> " * 30,
              b"*" * 50, b"[a](javascript:x)", b"![i](x.png)", b"&#12;", b"\n\n", b"nisc:\n  - id: 9.9\n"]
    out = []
    for _ in range(n):
        data = bytearray(rng.choice(texts)[: rng.randint(200, 6000)])
        for _ in range(rng.randint(1, 5)):
            at = rng.randint(0, len(data))
            data[at:at] = rng.choice(pieces)
        out.append(bytes(data))
    return out


def test_same_result_on_mutated_sources(tmp_path: Path):
    """Broken inputs of many kinds (the diagnostics are the point): cached and fresh reads agree."""
    mutated = _mutate_corpus(30, 8)
    for k in range(0, len(mutated), 3):
        ed = tmp_path / f"e{k}"
        ed.mkdir()
        names = []
        for j, data in enumerate(mutated[k:k + 3]):
            (ed / f"{j}.md").write_bytes(data)
            names.append(f"{j}.md")
        (ed / "edition.yaml").write_text("id: fuzz\ntitle: t\ndate: 2024-10-02\nstatus: 案\nnisc_catalog: ''\n"
                                         "files: [" + ", ".join(names) + "]\n", encoding="utf-8")
        plain = _read(ed, parse_cache.ParseCache(None, enabled=False))
        assert plain[1], "a mutated source reads without a single diagnostic"
        cache_dir = tmp_path / "cache"
        assert _read(ed, parse_cache.ParseCache(cache_dir)) == plain
        parse_cache.clear_memory()
        warm = parse_cache.ParseCache(cache_dir)
        assert _read(ed, warm) == plain
        assert warm.misses == 0


def _entries(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.json") if not p.name.startswith("."))


@pytest.fixture
def base() -> Path:
    return FIXTURES / "src" / "editions" / "base"


def test_corrupt_and_foreign_entries_are_ignored_and_rebuilt(base: Path, tmp_path: Path):
    plain = _read(base, parse_cache.ParseCache(None, enabled=False))
    _read(base, parse_cache.ParseCache(tmp_path))
    entries = _entries(tmp_path)
    assert len(entries) == _md_count(base) + 1  # and the NISC catalog
    good = {p: p.read_bytes() for p in entries}

    def damage(how):
        for p, data in good.items():
            p.write_bytes(how(data))
        parse_cache.clear_memory()
        cache = parse_cache.ParseCache(tmp_path)
        assert _read(base, cache) == plain
        assert cache.disk_hits == 0 and cache.misses == len(entries), how
        for p, data in good.items():  # rewritten whole
            assert p.read_bytes() == data

    damage(lambda d: d[: len(d) // 2])  # torn
    damage(lambda d: b"")
    damage(lambda d: b"\x80\x04\x95 not json at all")  # e.g. a pickle

    def tampered(data: bytes) -> bytes:  # a valid payload, but not the one the header vouches for
        head, _, payload = data.partition(b"\n")
        return head + b"\n" + json.dumps(json.loads(payload)).encode()  # the same value, written otherwise

    damage(tampered)

    def foreign(data: bytes) -> bytes:
        head, _, payload = data.partition(b"\n")
        header = json.loads(head)
        header["fingerprint"] = "0" * 64
        return json.dumps(header).encode() + b"\n" + payload

    damage(foreign)

    def wrong_schema(data: bytes) -> bytes:  # a well-formed entry whose payload does not decode: a line as text
        head, _, payload = data.partition(b"\n")
        header = json.loads(head)
        value = json.loads(payload)
        record = value[0] if isinstance(value, list) and value and isinstance(value[0], list) else value
        record[1] = "one"
        payload = json.dumps(value).encode()
        header["payload"] = parse_cache.digest(payload)
        return json.dumps(header).encode() + b"\n" + payload

    damage(wrong_schema)


def test_entries_hold_no_path_so_copies_and_git_exports_hit(base: Path, tmp_path: Path):
    cache_dir = tmp_path / "cache"
    _read(base, parse_cache.ParseCache(cache_dir))
    for entry in _entries(cache_dir):
        assert str(base).encode() not in entry.read_bytes()
    copy = tmp_path / "elsewhere" / "base"
    shutil.copytree(base, copy)
    parse_cache.clear_memory()
    warm = parse_cache.ParseCache(cache_dir)
    edition, diags = _read(copy, warm)
    assert warm.misses == 0 and warm.disk_hits == _md_count(base)  # (the catalog is not copied along)
    assert _read(copy, parse_cache.ParseCache(None, enabled=False)) == (edition, diags)
    assert all(c.loc.path.startswith(str(copy)) for c in edition.clauses())
    assert any(m.loc.path.startswith(str(copy)) for c in edition.clauses() for m in c.meta.nisc)


def test_git_export_uses_the_working_trees_cache(tmp_path: Path, monkeypatch):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "src", repo / "guideline_src")
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t")
    for cmd in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "x"]):
        subprocess.run(["git", "-C", str(repo), *cmd], check=True, env=env)
    monkeypatch.chdir(tmp_path)  # no guideline_src here: the cache must come from the export's origin
    monkeypatch.delenv("GUIDELINE_SRC", raising=False)
    src = repo / "guideline_src"
    work = src / "editions" / "base"
    expected_dir = repo.resolve() / "build" / ".cache" / "parse"
    assert parse_cache.default_for(work).directory == expected_dir
    read_edition(work)  # the working tree fills the cache
    assert len(_entries(expected_dir)) == _md_count(work) + 1
    exported = editions.resolve("git:HEAD:base", src)
    assert not str(exported).startswith(str(repo))
    cache = parse_cache.default_for(exported)
    assert cache.directory == expected_dir
    parse_cache.clear_memory()
    edition, diags = _read(exported, cache)
    assert cache.misses == 0 and cache.disk_hits == _md_count(work) + 1
    assert (edition, diags) == _read(exported, parse_cache.ParseCache(None, enabled=False))
    assert all(c.loc.path.startswith(str(exported)) for c in edition.clauses())


def test_environment_switch_turns_it_off(base: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("GUIDELINE_PARSE_CACHE", "0")
    cache = parse_cache.default_for(base)
    assert not cache.enabled
    cache.directory = tmp_path  # even with a directory, a disabled cache neither reads nor writes
    _read(base, cache)
    _read(base, cache)
    assert list(tmp_path.iterdir()) == []
    assert cache.hits == cache.disk_hits == cache.misses == 0
    monkeypatch.setenv("GUIDELINE_PARSE_CACHE", "1")
    assert parse_cache.default_for(base).enabled


def test_default_location_is_beside_the_source_root(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("GUIDELINE_SRC", raising=False)
    monkeypatch.chdir(REPO)
    assert parse_cache.default_for(REPO / "guideline_src" / "draft").directory == REPO / "build" / ".cache" / "parse"
    monkeypatch.chdir(tmp_path)  # an edition elsewhere, no source root anywhere: memory only
    lone = tmp_path / "lone"
    shutil.copytree(FIXTURES / "src" / "editions" / "base", lone)
    assert parse_cache.default_for(lone).directory is None
    monkeypatch.setenv("GUIDELINE_SRC", str(FIXTURES / "src"))  # a source root inside a repository: its build/
    assert parse_cache.default_for(lone).directory == REPO / "build" / ".cache" / "parse"
    plain = tmp_path / "project" / "guideline_src"  # no repository: beside the source root
    shutil.copytree(FIXTURES / "src", plain)
    monkeypatch.delenv("GUIDELINE_SRC")
    assert parse_cache.default_for(plain / "editions" / "base").directory == (
        tmp_path.resolve() / "project" / "build" / ".cache" / "parse")


def test_an_edit_is_reparsed(base: Path, tmp_path: Path):
    ed = tmp_path / "guideline_src" / "editions" / "base"
    shutil.copytree(base, ed)
    cache_dir = tmp_path / "cache"
    first, _ = _read(ed, parse_cache.ParseCache(cache_dir))
    target = sorted(ed.glob("*.md"))[0]
    target.write_text(target.read_text(encoding="utf-8") + "\n追記した一文である。\n", encoding="utf-8")
    cache = parse_cache.ParseCache(cache_dir)
    second, _ = _read(ed, cache)
    assert cache.misses == 1 and cache.hits == _md_count(ed) - 1  # the other file from memory
    assert "追記した一文" in str(second) and "追記した一文" not in str(first)
    assert second == _read(ed, parse_cache.ParseCache(None, enabled=False))[0]


def test_prune_removes_unused_and_surplus_entries(tmp_path: Path):
    now = time.time()
    for i in range(6):
        p = tmp_path / f"{i:064x}.json"
        p.write_text("{}")
        os.utime(p, (now - i * 86400 * 10, now - i * 86400 * 10))  # 0, 10, 20, 30, 40, 50 days old
    leftover = tmp_path / ".tmp-abc.json"
    leftover.write_text("")
    os.utime(leftover, (now - 7200, now - 7200))
    other = tmp_path / "README"
    other.write_text("not ours")
    assert parse_cache.prune(tmp_path, max_age_days=25, max_entries=2, now=now) == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["README", f"{0:064x}.json", f"{1:064x}.json"])
    assert parse_cache.prune(tmp_path, max_age_days=25, max_entries=1, now=now) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["README", f"{0:064x}.json"])
    big = tmp_path / f"{9:064x}.json"
    big.write_bytes(b"x" * 1000)
    os.utime(big, (now - 60, now - 60))  # used before entry 0 (used now): it goes first
    assert parse_cache.prune(tmp_path, max_bytes=1500, now=now) == 0
    assert parse_cache.prune(tmp_path, max_bytes=1001, now=now) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["README", f"{0:064x}.json"])


def test_a_hit_refreshes_the_entry_so_it_is_not_pruned(base: Path, tmp_path: Path):
    _read(base, parse_cache.ParseCache(tmp_path))
    old = time.time() - 40 * 86400
    for p in _entries(tmp_path):
        os.utime(p, (old, old))
    parse_cache.clear_memory()
    _read(base, parse_cache.ParseCache(tmp_path))
    assert all(time.time() - p.stat().st_mtime < 3600 for p in _entries(tmp_path))
    assert parse_cache.prune(tmp_path) == 0


def test_an_unwritable_cache_directory_is_no_error(base: Path, tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = parse_cache.ParseCache(blocker / "cache")  # cannot be created: a file is in the way
    assert _read(base, cache) == _read(base, parse_cache.ParseCache(None, enabled=False))
    assert cache.misses == _md_count(base) + 1


def test_memory_is_bounded_by_source_size(tmp_path: Path, monkeypatch):
    draft = REPO / "guideline_src" / "draft"
    sizes = sorted(p.stat().st_size for p in draft.glob("*.md"))
    assert len(sizes) >= 3
    monkeypatch.setattr(parse_cache, "MEMORY_BYTES", sizes[-1] + sizes[-2])
    plain = _read(draft, parse_cache.ParseCache(None, enabled=False))
    assert _read(draft, parse_cache.ParseCache(None)) == plain
    entries, size = parse_cache.memory_use()
    assert 1 <= entries < len(sizes) + 1
    assert size <= sizes[-1] + sizes[-2]
    again = parse_cache.ParseCache(None)
    assert _read(draft, again) == plain
    assert again.misses > 0  # what was dropped is parsed again


def test_fill_parses_in_a_child_only_when_this_process_has_no_other_thread(tmp_path: Path, monkeypatch):
    import threading

    from guideline.reader import EVENTS, parse_file

    monkeypatch.delenv("GUIDELINE_READ_WORKERS", raising=False)
    items = [(f"# 第{i}編 {{#part-{i}}}\n\n本文{i}である。\n".encode(), str(tmp_path / f"{i}.md")) for i in range(4)]
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        threaded = parse_cache.ParseCache(tmp_path / "threaded")
        assert threaded.fill(EVENTS.kind, items, parse_file, EVENTS.encode, EVENTS.decode) == 0
        assert threaded.filled == 0 and threaded.misses == 0  # nothing done ahead: get() parses as before
    finally:
        stop.set()
        other.join()
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: fill() never forks")
    cache = parse_cache.ParseCache(tmp_path / "alone")
    forked = cache.fill(EVENTS.kind, items, parse_file, EVENTS.encode, EVENTS.decode)
    assert forked == cache.filled == 2 and cache.misses == 2  # half each, by size
    results = [cache.get(EVENTS.kind, data, path, lambda: pytest.fail("parsed again"), EVENTS.encode, EVENTS.decode)
               for data, path in items]
    assert cache.disk_hits == 2 and cache.hits == 2
    assert results == [parse_file(data, path) for data, path in items]


@dataclass(frozen=True, slots=True)
class Leaf:
    text: str


@dataclass(frozen=True, slots=True)
class Node:
    name: str
    kind: Literal["part", "item"]
    loc: Loc
    children: tuple[Node | Leaf, ...] = ()
    note: str | None = None
    count: int = 0
    flag: bool = False


def test_record_codec_round_trips_any_dataclasses_by_their_hints():
    codec = parse_cache.RecordCodec("test", tuple[Node, ...], bare=(Leaf,))
    tree = (Node("a", "part", Loc("/x/a.md", 3), (Leaf("text"), Node("b", "item", Loc("/x/a.md", 4), note="n"))),
            Node("c", "item", Loc("/x/a.md", 9), count=2, flag=True))
    data = json.loads(json.dumps(codec.encode(tree, "/x/a.md")))
    assert "/x/a.md" not in json.dumps(data) and "text" in json.dumps(data)
    moved = codec.decode(data, "/y/a.md")  # the path is bound on load
    assert moved == tuple(_moved(n, "/y/a.md") for n in tree)
    with pytest.raises(ValueError):  # a location in another file cannot be cached
        codec.encode((Node("d", "part", Loc("/x/other.md", 1)),), "/x/a.md")
    with pytest.raises(TypeError):  # nor a value its hints do not allow
        codec.encode((Leaf("x"),), "/x/a.md")


def _moved(node, path):
    if isinstance(node, Leaf):
        return node
    return Node(node.name, node.kind, Loc(path, node.loc.line), tuple(_moved(c, path) for c in node.children),
                node.note, node.count, node.flag)


@pytest.mark.parametrize("damage", [
    lambda d: d[0].__setitem__(2, "chapter"),  # not one of the Literal's values
    lambda d: d[0].__setitem__(3, "3"),  # a line as text
    lambda d: d[0].__setitem__(6, "6"),  # text for a number
    lambda d: d[0].__setitem__(7, 1),  # a number for true or false
    lambda d: d[0].append(0),  # a field too many
    lambda d: d[0][4].append(["not a record"]),
    lambda d: d[0][4].append(5),
    lambda d: d.append(None),
])
def test_record_codec_refuses_values_that_do_not_fit_the_hints(damage):
    codec = parse_cache.RecordCodec("test", tuple[Node, ...], bare=(Leaf,))
    data = codec.encode((Node("a", "part", Loc("p", 1), (Leaf("t"),), "n"),), "p")
    damage(data)
    with pytest.raises((ValueError, TypeError, KeyError, IndexError)):
        codec.decode(data, "p")


def test_a_new_field_changes_the_kind_so_old_entries_are_not_read():
    old = make_dataclass("Clause", [("id", str)], frozen=True)
    new = make_dataclass("Clause", [("id", str), ("label", str)], frozen=True)
    assert parse_cache.RecordCodec("md", old).kind == parse_cache.RecordCodec("md", old).kind
    assert parse_cache.RecordCodec("md", old).kind != parse_cache.RecordCodec("md", new).kind
    assert parse_cache.RecordCodec("md", new).decode([0, "x", "y"], "p") == new("x", "y")
    with pytest.raises(ValueError):  # an entry of the old shape
        parse_cache.RecordCodec("md", new).decode([0, "x"], "p")


@dataclass(frozen=True)
class Counted:
    words: tuple[str, ...]
    count: int = field(default=0, init=False)  # derived: not stored, computed again on load

    def __post_init__(self) -> None:
        object.__setattr__(self, "count", len(self.words))


def test_derived_fields_are_not_stored_and_are_computed_again_on_load():
    codec = parse_cache.RecordCodec("test", Counted)
    data = json.loads(json.dumps(codec.encode(Counted(("a", "b")), "p")))
    assert data == [0, ["a", "b"]]
    assert codec.decode(data, "p").count == 2
