"""The files of a bundle: listing them in a stable order, their SHA-256, sizes as people read them, and dropping the
hidden temporaries writers leave beside their outputs."""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from pathlib import Path


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    for unit in ("KB", "MB", "GB"):
        n_f = n / 1024
        if n_f < 1024 or unit == "GB":
            return f"{n_f:.1f} {unit}"
        n = int(n_f)
    return f"{n} B"  # pragma: no cover


def bundle_files(root: Path) -> list[str]:
    """Every regular file below ``root`` as a sorted POSIX relative path (hidden entries excluded)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            if path.is_symlink() or not path.is_file():
                continue
            out.append(path.relative_to(root).as_posix())
    return sorted(out)


def remove_hidden(root: Path) -> None:
    """Drop dot-files and dot-directories (lock files and temporaries the writers leave beside their outputs)."""
    for dirpath, dirnames, filenames in os.walk(root, topdown=True):
        for name in [d for d in dirnames if d.startswith(".")]:
            shutil.rmtree(Path(dirpath) / name, ignore_errors=True)
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.startswith("."):
                with contextlib.suppress(OSError):
                    (Path(dirpath) / name).unlink()
