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

Keys and trust. An entry's name is the SHA-256 of the file's bytes together with its kind (which carries a digest of
the records' schema, :attr:`RecordCodec.kind`) and a fingerprint of the tool: the format version, the guideline
version, a hash of the reader's own source files (so an edited checkout never reuses entries from before the edit),
the Python version, the versions of PyYAML (and whether it uses libyaml) and of the Unicode database, and the
package files of markdown-it-py and mdit-py-plugins that carry their versions. Entries hold no path: file locations
are bound when an entry is loaded, so the same text read from another directory (an edition exported from git into a
temporary directory, a copy of an edition) hits too.

An entry is a header line (JSON: format, fingerprint, kind, content hash, SHA-256 of the payload) and a JSON
payload that :class:`RecordCodec` decodes into model records by their dataclass fields and type hints, checking every
value; nothing in it is executed (no pickle). An entry that does not parse, whose header names another tool, kind or
content, whose payload hash does not match, or that does not decode is ignored and rebuilt. Entries are written to a
temporary file and renamed into place (not fsync'ed: a cache entry torn by a crash fails its payload hash and is
rebuilt). Entries not used for :data:`MAX_AGE_DAYS` days are removed, and the least recently used beyond
:data:`MAX_ENTRIES` entries or :data:`MAX_BYTES` bytes.

A cold read parses the files the cache misses on two cores (:meth:`ParseCache.fill`: a forked child writes about
half of them to disk); ``GUIDELINE_READ_WORKERS=1`` keeps it in one process.

``GUIDELINE_PARSE_CACHE=0`` turns the cache off (memory and disk).
"""
from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
import threading
import time
import types
import typing
import unicodedata
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable

import yaml

from guideline import __version__
from guideline.diagnostics import Loc
from guideline.gcscope import frozen, paused
from guideline.sourceroot import real_source_root

FORMAT = 2
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
# encoding: records (dataclasses) as JSON, generically from their fields and type hints; no paths


class RecordCodec:
    """Encodes a cached result of type ``root`` as JSON and decodes it back, from the dataclasses' fields and type
    hints alone, so that a new field of the model needs no cache code.

    A record (a dataclass) is ``[tag, field, …]``: ``tag`` its number in the schema, then its ``__init__`` fields in
    order (fields with ``init=False`` are derived, not stored). A record of ``bare`` (one field of type str, int or
    bool, e.g. :class:`~guideline.model.Text`) is that field alone: most inlines are plain text, and this keeps them
    as small as they are in the source. A tuple is a list; str, int, bool and None are themselves; a
    :class:`~guideline.diagnostics.Loc` is its line, its path being that of the file (an entry holds no path: it is
    bound on load; a location in another file makes the result uncacheable).

    Decoding checks every value against its type hint (``Literal`` included) and raises ValueError, TypeError,
    KeyError or IndexError on the first that does not fit. ``kind`` names the results in the cache with a digest of
    the schema (every reachable record's name, fields and hints, in tag order), so that an entry written for another
    shape of the records is never read. A warm read of an edition is mostly decoding, so the encoder and decoder of
    each type are generated once, as straight-line Python, from the type hints (as :mod:`dataclasses` generates
    ``__init__``); the payload itself is only ever read as data."""

    def __init__(self, name: str, root: Any, bare: tuple[type, ...] = ()):
        self._ns: dict[str, Any] = {"Loc": Loc, "_line": _line_in, "_new": object.__new__, "_set": object.__setattr__}
        self._src: list[str] = []
        self._fill: list[str] = []  # statements filling the dispatch tables, run after every function is defined
        self._dec: dict[Any, str] = {}  # type hint (or ("record", class)) -> name of its generated decoder
        self._enc: dict[Any, str] = {}  # the same for encoders
        self._tags: dict[type, int] = {}
        self._bare: dict[type, type] = {}  # bare record -> the type of its one field
        self._schema: list[str] = [f"root {root!r}"]
        for cls in bare:
            hints = typing.get_type_hints(cls)
            names = [f.name for f in dataclasses.fields(cls) if f.init]
            if len(names) != 1 or hints[names[0]] not in (str, int, bool):
                raise TypeError(f"{cls.__name__} cannot be bare: it needs exactly one field of type str, int or bool")
            self._bare[cls] = hints[names[0]]
            self._schema.append(f"bare {cls.__name__}")
        self._src.append("def _loc(a1, a2):\n    " + self._construct(Loc, "Loc", [("path", str), ("line", int)]))
        dec, enc = self._decoder(root), self._encoder(root)
        code = compile("\n".join(self._src + self._fill), f"<RecordCodec {name}>", "exec")
        exec(code, self._ns)  # noqa: S102 (generated above from the type hints, never from a payload)
        self._decode, self._encode = self._ns[dec], self._ns[enc]
        self.kind = f"{name}-{hashlib.sha256(chr(10).join(self._schema).encode()).hexdigest()[:16]}"

    def encode(self, value: Any, path: str) -> Any:
        """``value`` as JSON-ready data; ValueError or TypeError when it cannot be cached."""
        try:
            return self._encode(value, path)
        except (KeyError, AttributeError) as exc:  # a type the hints do not allow
            raise TypeError(f"cannot cache {exc}") from None

    def decode(self, data: Any, path: str) -> Any:
        """The value ``data`` encodes, with ``path`` bound into its locations."""
        return self._decode(data, path)

    # the schema -----------------------------------------------------------------------------------------------------
    def _name(self, prefix: str, obj: Any) -> str:
        name = f"{prefix}{len(self._ns)}"
        self._ns[name] = obj
        return name

    @staticmethod
    def _members(hint: Any) -> tuple[Any, ...]:
        origin = typing.get_origin(hint)
        return typing.get_args(hint) if origin is typing.Union or origin is types.UnionType else (hint,)

    def _records_of(self, hint: Any) -> tuple[type, ...]:
        """The record classes a value of ``hint`` may be (empty when it is not a record or a union of records)."""
        members = self._members(hint)
        if not all(isinstance(m, type) and dataclasses.is_dataclass(m) and m is not Loc for m in members):
            return ()
        shapes = [self._bare[m] for m in members if m in self._bare]
        if len(shapes) != len(set(shapes)):
            raise TypeError(f"two bare records of one type in {hint!r}")
        return members

    @staticmethod
    def _fields(cls: type) -> list[tuple[str, Any]]:
        hints = typing.get_type_hints(cls)
        return [(f.name, hints[f.name]) for f in dataclasses.fields(cls) if f.init]

    def _tag(self, cls: type) -> int:
        """The record's number in the schema (given when it is first met; its fields are then described)."""
        if cls not in self._tags:
            self._tags[cls] = len(self._tags)
            fields = self._fields(cls)
            self._schema.append(f"{cls.__module__}.{cls.__qualname__}(" + ", ".join(f"{n}: {h!r}" for n, h in fields)
                                + ")")
            self._record(cls)
        return self._tags[cls]

    # decoding -------------------------------------------------------------------------------------------------------
    def _check(self, hint: Any, x: str) -> list[str]:
        """Statements that check the JSON value in variable ``x`` against ``hint`` and leave the decoded value in it
        (inlined into the decoder of a record: most values are short, and a call per value costs more than the
        value)."""
        for simple, what in ((str, "text"), (int, "a number"), (bool, "true or false")):
            if hint is simple:
                return [f"if type({x}) is not {simple.__name__}: raise ValueError('expected {what}')"]
        if hint is Loc:
            return [f"if type({x}) is not int: raise ValueError('expected a line')", f"{x} = _loc(path, {x})"]
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin is typing.Literal:
            allowed = self._name("L", frozenset(args))
            return [f"if type({x}) is not str or {x} not in {allowed}: raise ValueError('unexpected value')"]
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            item = args[0]
            out = [f"if type({x}) is not list: raise ValueError('expected a list')"]
            if item in (str, int, bool):
                return out + [f"for y in {x}:", *[f"    {c}" for c in self._check(item, "y")], f"{x} = tuple({x})"]
            return out + [f"{x} = tuple([{self._item(item, 'y')} for y in {x}]) if {x} else ()"]
        members = self._members(hint)
        if type(None) in members:
            rest = tuple(m for m in members if m is not type(None))
            inner = rest[0] if len(rest) == 1 else typing.Union[rest]
            return [f"if {x} is not None:", *[f"    {c}" for c in self._check(inner, x)]]
        return [f"{x} = {self._item(hint, x)}"]

    def _item(self, hint: Any, x: str) -> str:
        """An expression decoding ``x``: a bare record by its JSON type, another record by its tag (a value that
        is not a list fails to index), anything else by the decoder generated for ``hint``."""
        classes = self._records_of(hint)
        if not classes:
            return f"{self._decoder(hint)}({x}, path)"
        table = self._table(classes)
        expr = f"{table}[{x}[0]]({x}, path)"
        for cls in classes:
            if cls in self._bare:
                self._tag(cls)
                expr = f"({self._dec[('record', cls)]}({x}) if type({x}) is {self._bare[cls].__name__} else {expr})"
        return expr

    def _table(self, classes: tuple[type, ...]) -> str:
        """The name of the dict from tag to decoder for a union of records (the bare ones are told by JSON type)."""
        key = ("table", classes)
        if key not in self._dec:
            self._dec[key] = self._name("T", {})  # filled when the code runs: its records may hold this union
            entries = ", ".join(f"{self._tag(c)}: {self._dec[('record', c)]}" for c in classes if c not in self._bare)
            self._fill.append(f"{self._dec[key]}.update({{{entries}}})")
        return self._dec[key]

    def _decoder(self, hint: Any) -> str:
        if hint in self._dec:
            return self._dec[hint]
        name = self._dec[hint] = f"d{len(self._dec)}"
        if self._records_of(hint):
            body = [f"return {self._item(hint, 'v')}"]
        else:
            checks = self._check(hint, "v")
            if checks == [f"v = {name}(v, path)"]:
                raise TypeError(f"the parse cache cannot hold {hint!r}")
            body = [*checks, "return v"]
        self._src.append("\n".join([f"def {name}(v, path):", *[f"    {c}" for c in body]]))
        return name

    def _record(self, cls: type) -> None:
        """Generate the decoder and the encoder of one record class."""
        fields = self._fields(cls)
        cname = self._name("C", cls)
        dname = self._dec[("record", cls)] = f"r{len(self._dec)}"
        ename = self._enc[("record", cls)] = f"s{len(self._enc)}"
        if cls in self._bare:  # its decoder takes the bare value
            self._src.append(f"def {ename}(v, path):\n    return v.{fields[0][0]}")
            self._src.append(f"def {dname}(a1):\n    " + self._construct(cls, cname, fields))
            return
        lines = [f"def {dname}(v, path):",
                 f"    if len(v) != {len(fields) + 1}: raise ValueError('{cls.__name__}: {len(fields)} fields')"]
        for i, (_, hint) in enumerate(fields, 1):
            lines.append(f"    a{i} = v[{i}]")
            lines += [f"    {c}" for c in self._check(hint, f"a{i}")]
        lines.append("    " + self._construct(cls, cname, fields))
        self._src.append("\n".join(lines))
        values = ", ".join(self._value(hint, f"v.{n}") for n, hint in fields)
        self._src.append(f"def {ename}(v, path):\n    return [{self._tags[cls]}, {values}]")

    def _construct(self, cls: type, cname: str, fields: list) -> str:
        """The statements building a record of ``cls`` from the variables a1, a2 …"""
        if not self._settable(cls):
            return f"return {cname}({', '.join(f'a{i}' for i in range(1, len(fields) + 1))})"
        sets = "; ".join(f"_set(o, {n!r}, a{i})" for i, (n, _) in enumerate(fields, 1))
        return f"o = _new({cname}); {sets}; return o"

    @staticmethod
    def _settable(cls: type) -> bool:
        """Whether records of ``cls`` may be built by setting their fields on a new object, as the ``__init__`` that
        :mod:`dataclasses` generates for a frozen class does, without its call and lookups: frozen, every field given
        to ``__init__``, no ``__post_init__``."""
        params = getattr(cls, "__dataclass_params__", None)
        return (params is not None and params.frozen and not hasattr(cls, "__post_init__")
                and all(f.init for f in dataclasses.fields(cls)))

    # encoding -------------------------------------------------------------------------------------------------------
    def _value(self, hint: Any, x: str) -> str:
        """An expression of the JSON value of ``x`` (of type ``hint``)."""
        if hint in (str, int, bool) or typing.get_origin(hint) is typing.Literal:
            return x
        if hint is Loc:
            return f"_line({x}, path)"
        return f"{self._encoder(hint)}({x}, path)"

    def _encoder(self, hint: Any) -> str:
        if hint in self._enc:
            return self._enc[hint]
        name = self._enc[hint] = f"e{len(self._enc)}"
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        members = self._members(hint)
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            body = ["if type(v) is not tuple: raise TypeError('expected a tuple')",
                    f"return [{self._value(args[0], 'x')} for x in v]"]
        elif type(None) in members:
            rest = tuple(m for m in members if m is not type(None))
            inner = rest[0] if len(rest) == 1 else typing.Union[rest]
            body = [f"return None if v is None else {self._value(inner, 'v')}"]
        elif self._records_of(hint):
            for cls in self._records_of(hint):
                self._tag(cls)
            table = self._name("E", {})
            entries = ", ".join(f"{self._name('K', c)}: {self._enc[('record', c)]}" for c in self._records_of(hint))
            self._fill.append(f"{table}.update({{{entries}}})")
            body = [f"return {table}[type(v)](v, path)"]
        else:
            raise TypeError(f"the parse cache cannot hold {hint!r}")
        self._src.append("\n".join([f"def {name}(v, path):", *[f"    {c}" for c in body]]))
        return name


def _line_in(loc: Loc, path: str) -> int:
    """The line of a location in the file being cached (the entry binds that file's path when it is loaded)."""
    if type(loc) is not Loc:
        raise TypeError("expected a location")
    if loc.path != path:
        raise ValueError("a location in another file")  # never cached: the entry would bind the wrong path
    return loc.line


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
        reading an edition: parsing is most of a cold read. Runs only with a disk
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


def memory_use() -> tuple[int, int]:
    """How many results the in-memory cache holds, and the total size of their sources in bytes."""
    with _LOCK:
        return len(_MEMORY), _memory_bytes


def clear_memory() -> None:
    global _memory_bytes
    with _LOCK:
        _MEMORY.clear()
        _memory_bytes = 0
