"""Finding editions: ``draft``, an edition id (``r5-03``), a directory path, or ``git:REF[:EDITION]``; and loading
them (read, then checked). It sits above the reader and the checks; where the sources live is
:mod:`guideline.sourceroot` (re-exported here, where commands look for it)."""
from __future__ import annotations

import atexit
import dataclasses
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from guideline.diagnostics import Report, UserError
from guideline.model import Edition
from guideline.reader import read_edition
from guideline.sourceroot import note_export, real_source_root, source_root  # noqa: F401 (callers find them here)
from guideline.validate import validate as run_checks

_TEMP_DIRS: list[str] = []
_GIT_ORIGINS: dict[str, str] = {}  # temporary directory of a git export -> "git:REF 1a2b3c4" (the spec and commit)


def list_editions(src: Path | None = None) -> list[str]:
    """IDs of the frozen editions, sorted by name."""
    src = src or source_root()
    base = src / "editions"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / "edition.yaml").is_file())


def resolve(spec: str, src: Path | None = None) -> Path:
    """The directory of the edition named by ``spec``; raises UserError with the choices when there is none."""
    src = src or source_root()
    if spec.startswith("git:"):
        return _from_git(spec, src)
    if spec == "draft":
        path = src / "draft"
    elif (src / "editions" / spec / "edition.yaml").is_file():
        path = src / "editions" / spec
    else:
        path = Path(spec)
    if (path / "edition.yaml").is_file():
        return path
    known = ", ".join(["draft", *list_editions(src)])
    raise UserError(f"no edition {spec!r}: give draft, an edition id ({known}), a directory holding an "
                    "edition.yaml, or git:REF")


def _from_git(spec: str, src: Path) -> Path:
    """Export ``guideline_src`` as it stood at REF into a temporary directory (removed at exit)."""
    rest = spec[4:]
    ref, _, edition = rest.partition(":")
    edition = edition or "draft"
    if not ref:
        raise UserError("git: needs a revision, e.g. git:HEAD~1 or git:v1.0:r5-03")
    exported = export_at(src.resolve(), ref, spec)
    tmp = os.path.abspath(_TEMP_DIRS[-1])  # export_at's temporary directory
    note_export(tmp, src.resolve())
    commit = subprocess.run(["git", "-C", str(src.resolve().parent), "rev-parse", "--short", f"{ref}^{{commit}}"],
                            capture_output=True, text=True, check=False).stdout.strip()
    _GIT_ORIGINS[tmp] = f"git:{ref} {commit}".strip()
    return resolve(edition, exported)


def export_at(directory: Path, ref: str, spec: str) -> Path:
    """``directory`` (inside a git working tree) as it stood at revision ``ref``, exported into a temporary
    directory that is removed at exit; returns the exported copy of ``directory``. ``spec`` names it in errors."""
    try:
        where = directory if directory.is_dir() else directory.parent
        top = subprocess.run(["git", "-C", str(where), "rev-parse", "--show-toplevel"], capture_output=True,
                             text=True, check=True).stdout.strip()
        prefix = os.path.relpath(directory, top)
        proc = subprocess.run(["git", "-C", top, "archive", "--format=tar", ref, "--", prefix],
                              capture_output=True, check=False)
    except (OSError, subprocess.CalledProcessError):
        raise UserError(f"{spec}: not inside a git repository (or git is not installed)") from None
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UserError(f"{spec}: git cannot read revision {ref!r}: {msg[-1] if msg else 'unknown error'}")
    tmp = tempfile.mkdtemp(prefix="guideline-git-")
    _TEMP_DIRS.append(tmp)
    tar_path = Path(tmp) / "src.tar"
    tar_path.write_bytes(proc.stdout)
    with tarfile.open(tar_path) as tar:
        tar.extractall(tmp, filter="data")
    tar_path.unlink()
    return Path(tmp) / prefix


@atexit.register
def _cleanup() -> None:  # pragma: no cover - process exit
    for tmp in _TEMP_DIRS:
        shutil.rmtree(tmp, ignore_errors=True)


def with_origin(edition: Edition | None, root: str | os.PathLike[str]) -> Edition | None:
    """The edition read from ``root`` with its origin ("git:HEAD 1a2b3c4") when ``root`` is a git export."""
    p = os.path.abspath(root)
    for tmp, origin in _GIT_ORIGINS.items():
        if edition is not None and (p == tmp or p.startswith(tmp + os.sep)):
            return dataclasses.replace(edition, meta=dataclasses.replace(edition.meta, origin=origin))
    return edition


def load(spec: str, src: Path | None = None, validate: bool = True) -> tuple[Edition | None, Report]:
    """Resolve, read and (by default) validate an edition."""
    src = src or source_root()
    root = resolve(spec, src)
    edition, report = read_edition(root)
    edition = with_origin(edition, root)
    if edition is not None and validate:
        run_checks(edition, report, src)
    return edition, report


def load_or_fail(spec: str, src: Path | None = None, strict: bool = False) -> Edition:
    """Load an edition for a command that produces output: any error stops the command (with every problem)."""
    edition, report = load(spec, src)
    if edition is None or report.failed(strict):
        raise UserError(f"edition {spec!r} has problems; fix them first (guideline check --edition {spec})",
                        report=report)
    return edition
