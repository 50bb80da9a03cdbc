"""The bundle's output directory: one release at a time into it (a lock file beside it), what a killed release left
behind cleaned up, and refusal to replace a directory that holds something other than an earlier release."""
from __future__ import annotations

import contextlib
import fcntl
from pathlib import Path
from typing import Iterator

from guideline.bundle.manifest import MANIFEST
from guideline.diagnostics import UserError, display_path
from guideline.fileio import recover_leftovers


@contextlib.contextmanager
def output_lock(out: Path) -> Iterator[None]:
    out.parent.mkdir(parents=True, exist_ok=True)
    path = out.parent / f".{out.name}.release-lock"
    with open(path, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError(f"another release into {display_path(out)} is running; wait for it to finish") from None
        yield


def recover(out: Path) -> list[str]:
    """Clean up after a killed release (call with the output lock held): half-built bundles removed, a previous bundle
    caught between the two renames of the swap put back (the newest one holding a manifest). Returns what was done."""
    return recover_leftovers(out, lambda p: (p / MANIFEST).is_file(), "release")


def check_target(out: Path) -> None:
    """OUT is replaced whole: refuse anything that is not an earlier release (or empty)."""
    if out.exists() and not out.is_dir():
        raise UserError(f"{display_path(out)} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise UserError(f"{display_path(out)} is not empty and holds no earlier release (no {MANIFEST}); the output "
                        "directory is replaced whole, so give a new or dedicated directory (e.g. build/release/)")
