"""A cache of per-file parse results for the reader: in memory (for ``guideline serve``) and on disk.

Reading an edition is mostly parsing: markdown-it turning each Markdown file into tokens, the converter turning those
into model blocks, and PyYAML reading each clause's metadata block. The result of that for one file depends on the
file's bytes alone (and on the tool), so it is kept:

- in memory, for the life of the process (``guideline serve`` re-parses only the files that changed);
- on disk, in ``build/.cache/parse/`` of the project (the git repository holding the source root, or else the
  directory holding ``guideline_src/``; for an edition read from git, that of the working tree it was exported
  from), one JSON file per source file.

What is cached is the *stateless* part of reading a file: its diagnostics, headings and blocks, as a list of events
in the order the reader meets them (see :func:`guideline.reader.parse_file`). The reader replays them against its
state (the heading stack and the IDs seen in earlier files), so a cache hit gives the same edition and the same
diagnostics, in the same order, as reading afresh.

Keys and trust. An entry's name is the SHA-256 of the file's bytes together with a fingerprint of the tool: the
format version, the guideline version, a hash of the reader's own source files (so an edited checkout never reuses
entries from before the edit), the Python version, the versions of PyYAML (and whether it uses libyaml) and of the
Unicode database, and the package files of markdown-it-py and mdit-py-plugins that carry their versions. Entries
hold no path: file locations are bound when an entry is loaded, so the same text read from another directory (an
edition exported from git into a temporary directory, a copy of an edition) hits too.

An entry is a header line (JSON: format, fingerprint, kind, content hash, SHA-256 of the payload) and a JSON
payload decoded by a fixed schema into model objects; nothing in it is executed (no pickle). An entry that does not
parse, whose header names another tool, kind or content, whose payload hash does not match, or that does not decode
is ignored and rebuilt. Entries are written to a temporary file and renamed into place (not fsync'ed: a cache entry
torn by a crash fails its payload hash and is rebuilt). Entries not used for :data:`MAX_AGE_DAYS` days are removed,
and the least recently used beyond :data:`MAX_ENTRIES` entries or :data:`MAX_BYTES` bytes.

A cold read parses the files the cache misses on two cores (:meth:`ParseCache.fill`: a forked child writes about
half of them to disk); ``GUIDELINE_READ_WORKERS=1`` keeps it in one process.

``GUIDELINE_PARSE_CACHE=0`` turns the cache off (memory and disk).
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import tempfile
import threading
import time
import unicodedata
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable

import yaml

from guideline import __version__
from guideline.diagnostics import Loc
from guideline.gcscope import frozen, paused
from guideline.model import (
    BlockQuote,
    Box,
    BulletList,
    Cell,
    ClauseMeta,
    Code,
    CodeBlock,
    Emph,
    Figure,
    Footnote,
    FootnoteRef,
    GridTable,
    LineBreak,
    Link,
    NiscCatalog,
    NiscItem,
    NiscMapping,
    OrderedList,
    PageBreak,
    Para,
    Placeholder,
    Strong,
    Table,
    Text,
    XRef,
)
from guideline.sourceroot import real_source_root

FORMAT = 1
ENV = "GUIDELINE_PARSE_CACHE"
READ_WORKERS_ENV = "GUIDELINE_READ_WORKERS"  # 1: never parse in a second process (ParseCache.fill)
CACHE_SUBDIR = ("build", ".cache", "parse")
SUFFIX = ".json"
MAX_AGE_DAYS = 30
MAX_ENTRIES = 4000
MAX_BYTES = 256 * 1024 * 1024
MEMORY_ENTRIES = 512
MEMORY_BYTES = 8 * 1024 * 1024  # source bytes whose results are kept in memory (the model is ~10-20 times larger)
TOUCH_AFTER = 86400  # refresh an entry's modification time on a hit when it is older than this (seconds)
PRUNE_EVERY = 500  # writes between two prunes in one process
# the modules whose code decides what a file parses to
_SOURCES = ("reader.py", "markup.py", "yamlio.py", "model.py", "nisc.py", "diagnostics.py", "parse_cache.py",
            "numbering.py", "numbering_articles.py")


def enabled() -> bool:
    return os.environ.get(ENV, "1").strip().lower() not in ("0", "off", "no", "false")


_fingerprint: str | None = None


def fingerprint() -> str:
    """The tool's identity for cache keys (computed once per process)."""
    global _fingerprint
    if _fingerprint is None:
        h = hashlib.sha256()
        parts = [f"format={FORMAT}", f"guideline={__version__}", f"python={sys.version}",
                 f"impl={sys.implementation.cache_tag}", f"pyyaml={yaml.__version__}",
                 f"libyaml={getattr(yaml, '__with_libyaml__', False)}", f"unicode={unicodedata.unidata_version}"]
        h.update("\n".join(parts).encode("utf-8"))
        here = Path(__file__).resolve().parent
        files = [(name, here / name) for name in _SOURCES]
        # markdown-it-py and its plugins by their package files that carry __version__ (found, not imported: a run
        # that hits the cache never needs markdown-it)
        for package in ("markdown_it", "mdit_py_plugins"):
            spec = importlib.util.find_spec(package)
            files.append((package, Path(spec.origin) if spec is not None and spec.origin else here / "missing"))
        for name, path in files:
            try:
                h.update(name.encode() + b"\0" + path.read_bytes())
            except OSError:
                h.update(name.encode() + b"\0missing")
        _fingerprint = h.hexdigest()
    return _fingerprint


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------------------------------------------------
# where


def cache_dir_for(path: str | os.PathLike[str]) -> Path | None:
    """The disk cache for a file or edition at ``path``: ``build/.cache/parse/`` in the project that holds its source
    root — the nearest directory above the source root with a ``.git`` (so that a test or benchmark tree inside a
    repository uses the repository's ``build/``, which git ignores), else the directory right above the source root.
    For an edition exported from git (``git:REF``) that of the working tree it came from. None when there is no
    source root (memory only)."""
    src = real_source_root(path)
    if src is None or not src.is_dir():
        return None
    src = src.resolve()
    project = src.parent
    for directory in src.parents:
        if (directory / ".git").exists():
            project = directory
            break
    return project.joinpath(*CACHE_SUBDIR)


# --------------------------------------------------------------------------------------------------------------------
# encoding: a fixed schema, no paths (bound on load)


def _enc_inlines(nodes) -> list:
    out: list = []
    for n in nodes:
        t = type(n)
        if t is Text:
            out.append(n.text)
        elif t is LineBreak:
            out.append(1 if n.hard else 0)
        elif t is Strong:
            out.append(["S", _enc_inlines(n.children)])
        elif t is Emph:
            out.append(["E", _enc_inlines(n.children)])
        elif t is Code:
            out.append(["C", n.text])
        elif t is Placeholder:
            out.append(["P", n.text])
        elif t is XRef:
            out.append(["X", n.target, _enc_inlines(n.children)])
        elif t is Link:
            out.append(["L", n.href, _enc_inlines(n.children)])
        elif t is FootnoteRef:
            out.append(["F", n.key])
        else:
            raise TypeError(f"cannot cache inline {t.__name__}")
    return out


def _dec_inlines(data: list) -> tuple:
    out = []
    for n in data:
        t = type(n)
        if t is str:
            out.append(Text(n))
        elif t is int:
            out.append(LineBreak(bool(n)))
        else:
            tag = n[0]
            if tag == "S":
                out.append(Strong(_dec_inlines(n[1])))
            elif tag == "E":
                out.append(Emph(_dec_inlines(n[1])))
            elif tag == "C":
                out.append(Code(_str(n[1])))
            elif tag == "P":
                out.append(Placeholder(_str(n[1])))
            elif tag == "X":
                out.append(XRef(_str(n[1]), _dec_inlines(n[2])))
            elif tag == "L":
                out.append(Link(_str(n[1]), _dec_inlines(n[2])))
            elif tag == "F":
                out.append(FootnoteRef(_str(n[1])))
            else:
                raise ValueError(f"unknown inline tag {tag!r}")
    return tuple(out)


def enc_blocks(blocks) -> list:
    out: list = []
    for b in blocks:
        t = type(b)
        if t is Para:
            out.append(["p", b.line, _enc_inlines(b.inlines)])
        elif t is BulletList or t is OrderedList:
            out.append(["u" if t is BulletList else "o", b.line, [enc_blocks(item) for item in b.items]])
        elif t is Table:
            out.append(["t", b.line, [_enc_inlines(c) for c in b.header],
                        [[_enc_inlines(c) for c in row] for row in b.rows], list(b.aligns)])
        elif t is CodeBlock:
            out.append(["c", b.line, b.text, b.info])
        elif t is BlockQuote:
            out.append(["q", b.line, enc_blocks(b.blocks)])
        elif t is Figure:
            out.append(["f", b.line, b.src, b.alt, _enc_inlines(b.caption), b.ident, b.number])
        elif t is Box:
            out.append(["b", b.line, b.kind, enc_blocks(b.blocks)])
        elif t is Footnote:
            out.append(["n", b.line, b.key, enc_blocks(b.blocks), b.number])
        elif t is PageBreak:
            out.append(["k", b.line])
        elif t is GridTable:
            out.append(["g", b.line, _enc_inlines(b.caption), [_enc_rows(b.head), _enc_rows(b.body)], b.columns,
                        b.ident, b.row_header, b.number])
        else:
            raise TypeError(f"cannot cache block {t.__name__}")
    return out


def dec_blocks(data: list) -> tuple:
    out = []
    for b in data:
        tag, line = b[0], _int(b[1])
        if tag == "p":
            out.append(Para(_dec_inlines(b[2]), line))
        elif tag == "u":
            out.append(BulletList(tuple(dec_blocks(item) for item in b[2]), line))
        elif tag == "o":
            out.append(OrderedList(tuple(dec_blocks(item) for item in b[2]), line))
        elif tag == "t":
            out.append(Table(tuple(_dec_inlines(c) for c in b[2]), tuple(tuple(_dec_inlines(c) for c in row)
                                                                          for row in b[3]),
                             tuple(_str(a) for a in b[4]), line))
        elif tag == "c":
            out.append(CodeBlock(_str(b[2]), _str(b[3]), line))
        elif tag == "q":
            out.append(BlockQuote(dec_blocks(b[2]), line))
        elif tag == "f":
            out.append(Figure(_str(b[2]), _str(b[3]), _dec_inlines(b[4]), _str(b[5]), line, _str(b[6])))
        elif tag == "b":
            out.append(Box(_str(b[2]), dec_blocks(b[3]), line))
        elif tag == "n":
            out.append(Footnote(_str(b[2]), dec_blocks(b[3]), line, _int(b[4])))
        elif tag == "k":
            out.append(PageBreak(line))
        elif tag == "g":
            if type(b[6]) is not bool:
                raise ValueError("expected true or false")
            out.append(GridTable(_dec_inlines(b[2]), _dec_rows(b[3][0]), _dec_rows(b[3][1]), _int(b[4]), _str(b[5]),
                                 b[6], line, _str(b[7])))
        else:
            raise ValueError(f"unknown block tag {tag!r}")
    return tuple(out)


def _enc_rows(rows) -> list:
    return [[[_enc_inlines(c.inlines), c.rowspan, c.colspan] for c in row] for row in rows]


def _dec_rows(data: list) -> tuple:
    return tuple(tuple(Cell(_dec_inlines(c[0]), _int(c[1]), _int(c[2])) for c in row) for row in data)


def _str(v: Any) -> str:
    if type(v) is not str:
        raise ValueError("expected text")
    return v


def _int(v: Any) -> int:
    if type(v) is not int:
        raise ValueError("expected a number")
    return v


def _strs(v: Any) -> tuple[str, ...]:
    return tuple(_str(x) for x in v)


def _line_of(loc: Loc | None, path: str) -> int | None:
    if loc is None:
        return None
    if loc.path != path:
        raise ValueError("a location in another file")  # never cached: the entry would bind the wrong path
    return loc.line


def enc_meta(meta: ClauseMeta | None, path: str) -> list | None:
    if meta is None:
        return None
    return [_line_of(meta.loc, path),
            [[m.nisc_id, m.relationship, m.rationale, _line_of(m.loc, path)] for m in meta.nisc],
            list(meta.models), meta.split_from, list(meta.merged_from), meta.replaces, meta.note, list(meta.tags)]


def dec_meta(data: list | None, path: str) -> ClauseMeta | None:
    if data is None:
        return None
    line, nisc, models, split_from, merged_from, replaces, note, tags = data
    return ClauseMeta(
        nisc=tuple(NiscMapping(_str(i), _str(r), _str(x), Loc(path, _int(n))) for i, r, x, n in nisc),
        models=_strs(models), split_from=_str(split_from), merged_from=_strs(merged_from), replaces=_str(replaces),
        note=_str(note), tags=_strs(tags), loc=None if line is None else Loc(path, _int(line)))


def dec_diags(data: list) -> tuple:
    out = []
    for severity, line, message in data:
        if severity not in ("error", "warning"):
            raise ValueError("unknown severity")
        out.append((severity, _int(line), _str(message)))
    return tuple(out)


def enc_catalog(result: tuple, path: str) -> list:
    """(NiscCatalog | None, diagnostics) → JSON-ready."""
    catalog, diags = result
    cat = None
    if catalog is not None:
        if catalog.loc.path != path or any(item.loc.path != path for item in catalog.items):
            raise ValueError("a location in another file")
        cat = [catalog.id, catalog.title, catalog.edition, catalog.loc.line,
               [[it.id, it.kind, it.heading, it.parent, it.loc.line] for it in catalog.items]]
    return [cat, [list(d) for d in diags]]


def dec_catalog(data: list, path: str) -> tuple:
    cat, diags = data
    catalog = None
    if cat is not None:
        ident, title, edition, line, items = cat
        catalog = NiscCatalog(_str(ident), _str(title), _str(edition),
                              tuple(NiscItem(_str(i), _str(k), _str(h), _str(p), Loc(path, _int(n)))
                                    for i, k, h, p, n in items), Loc(path, _int(line)))
    return catalog, dec_diags(diags)


# --------------------------------------------------------------------------------------------------------------------
# the cache


_MEMORY: OrderedDict[tuple, tuple[Any, int]] = OrderedDict()  # (kind, content hash, path) -> (result, source size)
_memory_bytes = 0
_LOCK = threading.Lock()
_writes: dict[str, int] = {}  # cache directory -> entries written by this process (for pruning)


class ParseCache:
    """Per-file results in memory and (when ``directory`` is set) on disk. ``enabled=False``: a pass-through."""

    def __init__(self, directory: str | os.PathLike[str] | None, enabled: bool = True):
        self.directory = Path(directory) if directory is not None else None
        self.enabled = enabled
        self.hits = self.disk_hits = self.misses = 0
        self.filled = 0  # computed by fill()'s child process (then read from disk: counted in disk_hits too)

    def get(self, kind: str, data: bytes, path: str, compute: Callable[[], Any],
            encode: Callable[[Any, str], Any], decode: Callable[[Any, str], Any]) -> Any:
        """The result for ``data`` (the bytes of the file at ``path``): from memory, from disk, or ``compute()``.

        ``encode(result, path)`` → JSON-ready (may raise ValueError/TypeError: then nothing is stored on disk);
        ``decode(payload, path)`` → the result with ``path`` bound into its locations.
        """
        if not self.enabled:
            return compute()
        key = digest(data)
        mkey = (kind, key, path)
        with _LOCK:
            found = _MEMORY.get(mkey)
            if found is not None:
                _MEMORY.move_to_end(mkey)
                self.hits += 1
                return found[0]
        result = self._load(kind, key, path, decode)
        if result is not None:
            self.disk_hits += 1
        else:
            self.misses += 1
            result = compute()
            self._store(kind, key, path, result, encode)
        _remember(mkey, result, len(data))
        return result

    def fill(self, kind: str, items: list[tuple[bytes, str]], compute: Callable[[bytes, str], Any],
             encode: Callable[[Any, str], Any], decode: Callable[[Any, str], Any]) -> int:
        """Make sure each ``(data, path)`` of ``items`` has a result, computing the missing ones on two cores.

        A forked child computes about half of them (by size, largest first) and writes them to the disk cache, while
        this process computes the other half (memory and disk); the :meth:`get` calls that follow then hit. Used when
        reading an edition: parsing is most of a cold read (1.2 s of a 2,042-clause edition). Runs only with a disk
        cache, two or more cores, no other thread in this process (forking a threaded process is unsafe; e.g.
        ``guideline serve``), ``GUIDELINE_READ_WORKERS`` other than 1, and at least two misses. Should the child fail
        or be killed, its files are simply computed again by :meth:`get`. Returns how many the child computed."""
        if (not self.enabled or self.directory is None or (os.cpu_count() or 1) < 2
                or os.environ.get(READ_WORKERS_ENV, "") == "1" or threading.active_count() > 1):
            return 0
        todo = []
        for data, path in items:
            key = digest(data)
            entry = self.entry_path(kind, key)
            if (kind, key, path) not in _MEMORY and entry is not None and not entry.is_file():
                todo.append((len(data), data, path))
        if len(todo) < 2:
            return 0
        mine: list[tuple[bytes, str]] = []
        theirs: list[tuple[bytes, str]] = []
        load = [0, 0]
        for size, data, path in sorted(todo, key=lambda t: (-t[0], t[2])):
            side = 0 if load[0] <= load[1] else 1
            (mine if side == 0 else theirs).append((data, path))
            load[side] += size
        with frozen():  # the child leaves this process's objects alone
            try:
                pid = os.fork()
            except OSError:
                pid = -1
            if pid == 0:
                code = 1
                try:
                    for data, path in theirs:
                        self._store(kind, digest(data), path, compute(data, path), encode)
                    code = 0
                finally:
                    os._exit(code)
        try:
            for data, path in (mine if pid > 0 else []):
                self.get(kind, data, path, lambda data=data, path=path: compute(data, path), encode, decode)
        finally:
            if pid > 0:
                try:
                    os.waitpid(pid, 0)
                except ChildProcessError:
                    pass
        if pid > 0:
            self.filled += len(theirs)
        return len(theirs) if pid > 0 else 0

    # disk ----------------------------------------------------------------------------------------------------------
    def entry_path(self, kind: str, key: str) -> Path | None:
        if self.directory is None:
            return None
        name = hashlib.sha256(f"{fingerprint()}\0{kind}\0{key}".encode()).hexdigest()
        return self.directory / f"{name}{SUFFIX}"

    def _load(self, kind: str, key: str, path: str, decode) -> Any:
        entry = self.entry_path(kind, key)
        if entry is None:
            return None
        try:
            with open(entry, "rb") as fh:
                raw = fh.read()
                mtime = os.fstat(fh.fileno()).st_mtime
        except OSError:
            return None
        try:
            head, _, payload = raw.partition(b"\n")
            header = json.loads(head)
            if (not isinstance(header, dict) or header.get("format") != FORMAT
                    or header.get("fingerprint") != fingerprint() or header.get("kind") != kind
                    or header.get("content") != key or header.get("payload") != digest(payload)):
                return None
            with paused():  # thousands of small objects at once: a collection in between only costs time
                result = decode(json.loads(payload), path)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, UnicodeDecodeError):
            return None  # corrupt or foreign: rebuilt and overwritten
        if time.time() - mtime > TOUCH_AFTER:
            try:
                os.utime(entry)
            except OSError:
                pass
        return result

    def _store(self, kind: str, key: str, path: str, result: Any, encode) -> None:
        entry = self.entry_path(kind, key)
        if entry is None:
            return
        try:
            payload = json.dumps(encode(result, path), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        except (ValueError, TypeError, RecursionError):
            return  # not representable: read afresh next time
        header = json.dumps({"format": FORMAT, "fingerprint": fingerprint(), "kind": kind, "content": key,
                             "payload": digest(payload)}, separators=(",", ":")).encode("ascii")
        tmp = None
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=SUFFIX, dir=entry.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(header + b"\n" + payload)
            os.chmod(tmp, 0o644)
            os.replace(tmp, entry)
            tmp = None
        except OSError:
            return  # a read-only or full disk: the cache is only an optimisation
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
        d = str(entry.parent)
        _writes[d] = _writes.get(d, 0) + 1
        if _writes[d] % PRUNE_EVERY == 1:
            prune(entry.parent)


def prune(directory: str | os.PathLike[str], max_age_days: float = MAX_AGE_DAYS, max_entries: int = MAX_ENTRIES,
          max_bytes: int = MAX_BYTES, now: float | None = None) -> int:
    """Remove entries unused for ``max_age_days`` days, then the least recently used beyond ``max_entries`` entries
    or ``max_bytes`` bytes, and temporary files left by killed writers. Returns how many files were removed."""
    now = time.time() if now is None else now
    entries: list[tuple[float, int, str]] = []
    removed = 0
    try:
        with os.scandir(directory) as it:
            for e in it:
                if not e.name.endswith(SUFFIX) or not e.is_file(follow_symlinks=False):
                    continue
                try:
                    st = e.stat(follow_symlinks=False)
                except OSError:
                    continue
                if e.name.startswith(".tmp-"):
                    stale = now - st.st_mtime > 3600
                else:
                    stale = now - st.st_mtime > max_age_days * 86400
                    if not stale:
                        entries.append((st.st_mtime, st.st_size, e.path))
                        continue
                if stale:
                    try:
                        os.unlink(e.path)
                        removed += 1
                    except OSError:
                        pass
    except OSError:
        return removed
    entries.sort()
    total = sum(size for _, size, _ in entries)
    count = len(entries)
    for _, size, path in entries:
        if count <= max_entries and total <= max_bytes:
            break
        try:
            os.unlink(path)
            removed += 1
        except OSError:
            pass
        count -= 1
        total -= size
    return removed


def default_for(path: str | os.PathLike[str]) -> ParseCache:
    """The cache to use for the edition or file at ``path`` (disabled when ``GUIDELINE_PARSE_CACHE=0``)."""
    if not enabled():
        return ParseCache(None, enabled=False)
    try:
        directory = cache_dir_for(path)
    except OSError:
        directory = None
    return ParseCache(directory)


def _remember(mkey: tuple, result: Any, size: int) -> None:
    global _memory_bytes
    with _LOCK:
        old = _MEMORY.pop(mkey, None)
        if old is not None:
            _memory_bytes -= old[1]
        _MEMORY[mkey] = (result, size)
        _memory_bytes += size
        while len(_MEMORY) > 1 and (len(_MEMORY) > MEMORY_ENTRIES or _memory_bytes > MEMORY_BYTES):
            _, (_, dropped) = _MEMORY.popitem(last=False)
            _memory_bytes -= dropped


def clear_memory() -> None:
    global _memory_bytes
    with _LOCK:
        _MEMORY.clear()
        _memory_bytes = 0
