"""``guideline release``: the whole publication of an edition as one verifiable, reproducible bundle."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from guideline import release
from guideline.bundle.files import bundle_files, human_size
from guideline.bundle.manifest import MANIFEST, SUMS, verify
from guideline.commands.common import list_option
from guideline.diagnostics import display_path


@click.command(epilog="""\b
Examples:
  guideline release --edition r5-03 -o build/release/
  guideline release --edition draft --previous r5-03 --round r6-public -o build/release/
  guideline release --verify build/release/
\b
Writes OUT/: index.html (download page), history.html, site/, guideline.pdf, guideline.docx, reibun.docx,
comparison.pdf/.docx/.html and changes.json (新旧対照表 against --previous, default the edition's `previous`),
comments/<round>/result.html/.docx/.pdf, oscal/, diffs/<old>--<new>/comparison.html, manifest.json, SHA256SUMS.
OUT is replaced whole and atomically; a release of an edition with status 案 (e.g. draft) is a preview marked 案.
Refuses (exit 1) when the edition fails `guideline check --strict`, a round does not reconcile or cannot be
published, or personal data would be published. Check a bundle: cd OUT && sha256sum -c SHA256SUMS.""")
@click.option("--edition", "-e", "edition", metavar="EDITION",
              help="draft, an edition id (r5-03), a directory holding an edition.yaml, or git:REF[:EDITION].")
@click.option("--previous", "-p", metavar="EDITION", default=None,
              help="The edition the 新旧対照表 compares against (default: the edition's `previous`).")
@list_option("--round", "rounds", metavar="ROUND", what="round",
             help="Comment rounds whose published results go into the bundle (each must reconcile)")
@click.option("--output", "-o", "out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("build/release"), show_default=True, help="The bundle directory (replaced whole).")
@click.option("--verify", "verify_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Check an existing bundle against its manifest.json and SHA256SUMS instead of building.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
def command(edition: str | None, previous: str | None, rounds: tuple[str, ...], out: Path, verify_dir: Path | None,
            quiet: bool) -> None:
    """Build the publication bundle of an edition: site, PDF, Word, 新旧対照表, comment results, OSCAL,
    manifest.json, SHA256SUMS and a download page."""
    if verify_dir is not None:
        problems = verify(verify_dir)
        for p in problems:
            click.echo(f"{display_path(verify_dir)}/{p}", err=True)
        if problems:
            click.echo(f"{display_path(verify_dir)}: does NOT verify ({len(problems)} problem(s))", err=True)
            sys.exit(1)
        n = len(bundle_files(verify_dir))
        click.echo(f"{display_path(verify_dir)}: {n} files verify against {MANIFEST} and {SUMS}")
        return
    if not edition:
        raise click.UsageError("give --edition (or --verify DIR)")
    t0 = time.perf_counter()
    if not quiet:
        click.echo(f"release {edition}: checking (check --strict, rounds, previous edition) ...", err=True)
    plan = release.plan(edition, previous, list(rounds))
    manifest = release.build(plan, out, quiet)
    files = manifest["files"]
    total = sum(f["size"] for f in files)
    n = len(files) + 2  # manifest.json and SHA256SUMS
    status = "preview (案)" if manifest["preview"] else manifest["edition"]["status"]
    click.echo(f"{display_path(out)}: {n} files, {human_size(total)}, edition {plan.edition.meta.id} "
               f"{status}, in {time.perf_counter() - t0:.1f} s")
    click.echo(f"verify: cd {display_path(out)} && sha256sum -c {SUMS}")


__all__ = ["command"]
