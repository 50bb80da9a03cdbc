"""Where the sources live: the ``guideline_src`` directory, and the one a file belongs to.

Kept apart from :mod:`guideline.editions` (which reads and checks editions, above the reader) so that the modules
below the reader — the parse cache, which keeps its entries beside the source root — can ask where a file belongs
without importing the reader back. An edition exported from git into a temporary directory is noted here
(:func:`note_export`), so that caches and settings come from the working tree it was exported from.
"""
from __future__ import annotations

import os
from pathlib import Path

_EXPORTS: dict[str, Path] = {}  # temporary directory of a git export -> the source root it was exported from


def source_root(start: str | os.PathLike[str] | None = None) -> Path:
    """The ``guideline_src`` directory: $GUIDELINE_SRC, or ``guideline_src/`` in the working directory or above."""
    env = os.environ.get("GUIDELINE_SRC")
    if env:
        return Path(env)
    here = Path(start or os.getcwd()).resolve()
    for directory in [here, *here.parents]:
        if (directory / "guideline_src").is_dir():
            return directory / "guideline_src"
    return here / "guideline_src"


def note_export(directory: str | os.PathLike[str], src: Path) -> None:
    """Remember that ``directory`` (a temporary directory) holds an export of the source root ``src``."""
    _EXPORTS[os.path.abspath(directory)] = src


def real_source_root(path: str | os.PathLike[str]) -> Path | None:
    """The source root a file or edition at ``path`` belongs to, for caches kept beside it: for an edition exported
    from git (``git:REF``), the working tree's source root; else the nearest ``guideline_src`` above ``path``, or
    :func:`source_root`."""
    p = os.path.abspath(path)
    for tmp, src in _EXPORTS.items():
        if p == tmp or p.startswith(tmp + os.sep):
            return src
    for directory in Path(p).parents:
        if directory.name == "guideline_src":
            return directory
    return source_root()
