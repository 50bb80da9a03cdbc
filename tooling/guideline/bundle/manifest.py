"""manifest.json and SHA256SUMS of a bundle, and their verification: every file with its size and SHA-256, the
edition, the tool version and the source revision; ``verify`` finds files that differ, are missing or unlisted."""
from __future__ import annotations

import json
import re
from pathlib import Path

from guideline import __version__
from guideline.bundle.files import bundle_files, sha256_file
from guideline.bundle.plan import Plan
from guideline.diagnostics import UserError

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
MANIFEST_FORMAT = 1


def file_entries(root: Path) -> list[dict]:
    return [file_entry(root, rel) for rel in bundle_files(root) if rel not in (MANIFEST, SUMS)]


def file_entry(root: Path, rel: str) -> dict:
    """``{"path", "size", "sha256"}`` of one file of the bundle."""
    path = root / rel
    return {"path": rel, "size": path.stat().st_size, "sha256": sha256_file(path)}


def sums_text(entries: list[dict]) -> str:
    """``sha256sum -c`` format: ``<hex><space><space><path>``, one line per file, sorted by path."""
    for e in entries:
        if any(c in e["path"] for c in "\n\\") or e["path"].startswith(("/", "./")):
            raise UserError(f"file name {e['path']!r} cannot be listed in {SUMS}")
    return "".join(f"{e['sha256']}  {e['path']}\n" for e in sorted(entries, key=lambda e: e["path"].encode()))


def make_manifest(p: Plan, files: list[dict]) -> dict:
    m = p.edition.meta
    return {
        "format": MANIFEST_FORMAT,
        "edition": {"id": m.id, "title": m.title, "label": m.label, "date": m.date.isoformat(), "status": m.status,
                    "sample": m.sample, "previous": p.previous.meta.id if p.previous is not None else None},
        "preview": m.status != "確定",
        "rounds": [data.round.id for data, _, _ in p.rounds],
        "history": [e.meta.id for e in p.history],
        "tool": {"name": "guideline", "version": __version__},
        "source": p.revision,
        "files": files,
    }


def verify(root: Path) -> list[str]:
    """Problems of a bundle: files that differ from manifest.json or SHA256SUMS, missing or unlisted files."""
    root = Path(root)
    problems = []
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{MANIFEST}: cannot be read ({exc})"]
    listed = {e["path"]: e for e in manifest.get("files", [])}
    present = set(bundle_files(root)) - {MANIFEST, SUMS}
    for rel in sorted(present - set(listed)):
        problems.append(f"{rel}: not listed in {MANIFEST}")
    for rel, e in sorted(listed.items()):
        path = root / rel
        if not path.is_file():
            problems.append(f"{rel}: listed in {MANIFEST} but missing")
            continue
        if path.stat().st_size != e["size"]:
            problems.append(f"{rel}: size {path.stat().st_size}, {MANIFEST} says {e['size']}")
        elif sha256_file(path) != e["sha256"]:
            problems.append(f"{rel}: SHA-256 differs from {MANIFEST}")
    try:
        sums = (root / SUMS).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        return [*problems, f"{SUMS}: cannot be read ({exc})"]
    seen = set()
    for n, line in enumerate(sums, 1):
        digest, sep, rel = line.partition("  ")
        if not sep or not re.fullmatch(r"[0-9a-f]{64}", digest):
            problems.append(f"{SUMS}:{n}: not a sha256sum line")
            continue
        seen.add(rel)
        path = root / rel
        if not path.is_file():
            problems.append(f"{SUMS}:{n}: {rel} is missing")
        elif sha256_file(path) != digest:
            problems.append(f"{SUMS}:{n}: {rel} does not match its checksum")
    for rel in sorted((present | {MANIFEST}) - seen):
        problems.append(f"{rel}: not listed in {SUMS}")
    return problems
