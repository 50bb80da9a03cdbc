"""Writing outputs so that nothing on disk is ever half-written.

Files are written to a temporary file in the same directory and renamed into place (``os.replace`` is atomic on
POSIX). A directory of outputs is assembled in a temporary sibling directory and swapped in with two renames, so a
reader sees either the old directory or the new one, and a killed build leaves the old one intact.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterator

from guideline.diagnostics import UserError


def atomic_write(path: str | os.PathLike[str], data: bytes | str, encoding: str = "utf-8") -> Path:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}; check the output directory") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode(encoding) if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where that is not available."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


@contextlib.contextmanager
def directory_lock(target: str | os.PathLike[str]) -> Iterator[None]:
    """Hold the exclusive lock (``flock`` on ``.NAME.lock`` beside ``target``) that serialises swaps of ``target``."""
    target = Path(target)
    with open(target.parent / f".{target.name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def swap_directory(tmp: Path, target: Path, *, locked: bool = False) -> None:
    """Put the complete directory ``tmp`` in place of ``target`` (atomic exchange where the kernel offers it) and
    remove the previous one. ``locked``: the caller already holds :func:`directory_lock` of ``target``."""
    os.chmod(tmp, 0o755)
    old = None
    with contextlib.nullcontext() if locked else directory_lock(target):
        # Two builds into the same directory: the swap is serialised by a lock, the last one wins whole.
        if target.exists() and _exchange(tmp, target):
            old = tmp  # the swap was one atomic step; tmp now holds the previous directory
        else:
            if target.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
                os.rmdir(old)
                os.replace(target, old)
            os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def new_sibling(target: Path) -> Path:
    """A fresh hidden temporary directory beside ``target`` (``.NAME.XXXX.tmp``), on the same file system."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    except OSError as exc:
        raise UserError(f"cannot write {target}: {exc.strerror or exc}; check the output directory") from None


def recover_leftovers(target: Path, complete: Callable[[Path], bool], noun: str) -> list[str]:
    """Clean up after a swap of ``target`` killed midway (call with the lock of ``target``'s writers held).
    Returns what was done, one line each (``noun`` names what the directory holds).

    - ``.<name>.*.tmp`` directories are half-built copies (the lock says no other writer is running): removed;
    - ``.<name>.*.old`` directories are previous ones being swapped out: when ``target`` itself is missing (a kill
      between the two renames of the fallback swap) the newest one that is ``complete`` is put back, the rest removed.
    """
    done = []
    parent = target.parent
    if not parent.is_dir():
        return done
    prefix = f".{target.name}."
    olds = []
    for entry in sorted(parent.iterdir()):
        if not entry.name.startswith(prefix) or not entry.is_dir() or entry.is_symlink():
            continue
        if entry.name.endswith(".tmp"):
            shutil.rmtree(entry, ignore_errors=True)
            done.append(f"removed the unfinished {noun} {entry.name}")
        elif entry.name.endswith(".old"):
            olds.append(entry)
    if not target.exists():
        candidates = sorted((p for p in olds if complete(p)), key=lambda p: p.stat().st_mtime)
        if candidates:
            os.replace(candidates[-1], target)
            olds.remove(candidates[-1])
            done.append(f"restored the previous {noun} from {candidates[-1].name}")
    for old in olds:
        shutil.rmtree(old, ignore_errors=True)
        done.append(f"removed the replaced {noun} {old.name}")
    return done


@contextlib.contextmanager
def atomic_directory(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a fresh temporary directory; on success it replaces ``target`` whole, on failure it is removed."""
    target = Path(target)
    tmp = new_sibling(target)
    try:
        yield tmp
        swap_directory(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
