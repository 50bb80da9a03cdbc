"""Reading an edition to compare it (``guideline diff``, ``local diff``, the release's previous edition): the reader's
errors stop it, the cross-edition checks of ``guideline check`` do not run."""
from __future__ import annotations

from pathlib import Path

from guideline import editions, nisc
from guideline.diagnostics import Report, UserError
from guideline.model import Edition, NiscCatalog
from guideline.reader import read_edition, read_edition_meta


def load_edition(spec: str, catalog: NiscCatalog | None = None) -> Edition:
    """Read an edition for diffing: reader errors stop the command; the cross-edition checks of ``guideline check``
    (mappings, cross-references, lineage targets) are not needed to compare two texts and are skipped.

    ``catalog``: an already loaded NISC catalog, used when the edition pins the same catalog file."""
    root = editions.resolve(spec)
    if catalog is not None:
        meta = read_edition_meta(root, Report())
        same = meta is not None and meta.nisc_catalog == catalog.id and \
            nisc.find_catalog_file(root, meta.nisc_catalog) == Path(catalog.loc.path).resolve()
        catalog = catalog if same else None
    edition, report = read_edition(root, catalog=catalog)
    edition = editions.with_origin(edition, root)
    if edition is None or report.failed():
        raise UserError(f"edition {spec!r} has problems; fix them first (guideline check --edition {spec})",
                        report=report)
    return edition
