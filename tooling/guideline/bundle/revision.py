"""The git revision of the sources a bundle was built from (manifest.json's ``source``): the commit and whether the
work tree differs from it, read with the ``git`` command; ``unknown`` outside git."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path


def git(args: list[str], cwd: Path) -> str | None:
    """``git -C cwd args``' output, or None when git is missing, fails or takes over a minute."""
    try:
        proc = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True, timeout=60,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout if proc.returncode == 0 else None


def source_revision(spec: str, paths: list[Path]) -> dict:
    """``{"revision": <commit>, "dirty": bool}`` of the git work tree holding the sources (``paths``), or
    ``{"revision": "unknown", "dirty": None}`` outside git. A ``git:REF`` edition is that commit, clean."""
    existing = [p for p in paths if p.exists()]
    if not existing:
        return {"revision": "unknown", "dirty": None}
    where = existing[0] if existing[0].is_dir() else existing[0].parent
    top = git(["rev-parse", "--show-toplevel"], where)
    if top is None:
        return {"revision": "unknown", "dirty": None}
    top_path = Path(top.strip())
    if spec.startswith("git:"):
        ref = spec[4:].partition(":")[0]
        rev = git(["rev-parse", "--verify", f"{ref}^{{commit}}"], top_path)
        return {"revision": rev.strip() if rev else "unknown", "dirty": False if rev else None}
    rev = git(["rev-parse", "--verify", "HEAD^{commit}"], top_path)
    if rev is None:
        return {"revision": "unknown", "dirty": None}
    rels = []
    for p in existing:
        try:
            rels.append(os.path.relpath(p.resolve(), top_path.resolve()))
        except ValueError:  # pragma: no cover - other drive
            continue
    status = git(["status", "--porcelain", "--untracked-files=normal", "--", *rels], top_path)
    return {"revision": rev.strip(), "dirty": bool(status.strip()) if status is not None else None}
