"""The publication bundle of an edition (``guideline release``): everything a municipality downloads, with a
manifest and checksums so that anyone can verify that what they have is what was published.

Layout of the bundle (``OUT/``)::

    index.html                 download page: every file with size and SHA-256, summary of what changed
    history.html               every frozen edition with its date and the diffs between consecutive editions
    site/                      the HTML site
    guideline.pdf  guideline.docx  reibun.docx
    comparison.pdf  comparison.docx  comparison.html  changes.json      新旧対照表 against the previous edition
    comments/<round>/result.html|docx|pdf                               the published results of the named rounds
    oscal/catalog.json  oscal/nisc-catalog.json  oscal/mapping.json
    diffs/<old>--<new>/comparison.html                                  for each pair of consecutive editions
    manifest.json              edition, files (size, SHA-256), tool version, source revision
    SHA256SUMS                 ``sha256sum -c SHA256SUMS`` checks every file (manifest.json included)

Guarantees:

- refused before anything is written when the edition fails ``check --strict``, a named round does not reconcile
  or cannot be published, and refused before the swap when personal data (e-mail addresses, phone numbers, postal
  codes, the private submitter fields of the named rounds) appears in any produced text output;
- reproducible: no clock time anywhere; dates come from the edition metadata (or SOURCE_DATE_EPOCH where the
  writers use it), files are listed in sorted order;
- atomic: the bundle is assembled in a temporary sibling directory and swapped in whole
  (:func:`guideline.fileio.atomic_directory`); a build killed at any point leaves the previous bundle intact, and
  the next release removes what the killed one left behind.
"""
from __future__ import annotations

import contextlib
import datetime
import fcntl
import hashlib
import html as htmllib
import json
import os
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from guideline import __version__
from guideline.diagnostics import Loc, Report, UserError, display_path
from guideline.model import Edition
from guideline.vocabulary import KIND_JA, KIND_ORDER, wareki

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
INDEX = "index.html"
HISTORY = "history.html"
MANIFEST_FORMAT = 1
PUBLISHED_REPORT_FORMATS = ("html", "docx", "pdf")  # result.csv / result.xlsx are for internal use only
TEXT_SUFFIXES = {".html", ".htm", ".json", ".csv", ".txt", ".js", ".css", ".xml", ".svg", ".md"}
ZIP_SUFFIXES = {".docx", ".xlsx"}
HEX64 = re.compile(r"\b[0-9a-f]{64}\b")
# identifiers that look like digits and dashes in places (UUIDs, hashes) are not phone numbers
NOT_TEXT = re.compile(r"\b[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\b|\b[0-9a-fA-F]{16,}\b")



# --------------------------------------------------------------------------------------------------------------------
# small helpers


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


# --------------------------------------------------------------------------------------------------------------------
# source revision


def _git(args: list[str], cwd: Path) -> str | None:
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
    top = _git(["rev-parse", "--show-toplevel"], where)
    if top is None:
        return {"revision": "unknown", "dirty": None}
    top_path = Path(top.strip())
    if spec.startswith("git:"):
        ref = spec[4:].partition(":")[0]
        rev = _git(["rev-parse", "--verify", f"{ref}^{{commit}}"], top_path)
        return {"revision": rev.strip() if rev else "unknown", "dirty": False if rev else None}
    rev = _git(["rev-parse", "--verify", "HEAD^{commit}"], top_path)
    if rev is None:
        return {"revision": "unknown", "dirty": None}
    rels = []
    for p in existing:
        try:
            rels.append(os.path.relpath(p.resolve(), top_path.resolve()))
        except ValueError:  # pragma: no cover - other drive
            continue
    status = _git(["status", "--porcelain", "--untracked-files=normal", "--", *rels], top_path)
    return {"revision": rev.strip(), "dirty": bool(status.strip()) if status is not None else None}


# --------------------------------------------------------------------------------------------------------------------
# personal data


def _xml_text(name: str, blob: bytes) -> str:
    """The text nodes of an OOXML part, paragraphs and cells apart (a blank line between them, so that numbers in
    neighbouring cells never join into a phone number); for relationship parts, the link targets (mailto:)."""
    text = blob.decode("utf-8", "replace")
    if name.endswith(".rels"):
        return "\n\n".join(htmllib.unescape(t) for t in re.findall(r'\bTarget="([^"]*)"', text))
    text = re.sub(r"</(?:w:p|a:p|si|c|row|text:p|dc:[a-z]+|cp:[a-zA-Z]+|dcterms:[a-zA-Z]+)>|<w:br\b[^>]*/>|"
                  r"<w:tab\s*/>|<w:cr\s*/>", "\n\n", text)
    return htmllib.unescape(re.sub(r"<[^>]+>", "", text))


def pdf_text(path: Path) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        raise UserError(f"cannot check {path.name} for personal data: pdftotext is not installed "
                        "(Debian package poppler-utils)")
    # -raw: content-stream order, so the text of a table cell stays together (layout order interleaves columns)
    proc = subprocess.run([exe, "-q", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=600,
                          check=False)
    if proc.returncode != 0:
        raise UserError(f"cannot check {path.name} for personal data: pdftotext failed "
                        f"({proc.stderr.decode('utf-8', 'replace').strip() or proc.returncode})")
    return proc.stdout.decode("utf-8", "replace")


def text_of(path: Path) -> list[str] | None:
    """The readable text of an output as the versions worth scanning, or None for files that hold no text."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        raw = path.read_bytes().decode("utf-8", "replace")
        out = [htmllib.unescape(raw)]
        if suffix in (".html", ".htm", ".xml", ".svg"):
            out.append(htmllib.unescape(re.sub(r"<[^>]+>", "", raw)))
        if suffix == ".json":
            with contextlib.suppress(ValueError):
                out.append("\n".join(_json_strings(json.loads(raw))))
        return out
    if suffix in ZIP_SUFFIXES:
        parts = []
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.filename.endswith((".xml", ".rels")):
                    parts.append(_xml_text(info.filename, zf.read(info)))
        return ["\n\n".join(parts)]
    if suffix == ".pdf":
        text = pdf_text(path)
        # a phone number or address broken over two lines after a hyphen or a dot
        return [text, re.sub(r"(?<=[\-.@])\n", "", text)]
    return None


def _json_strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)


_SPACE = re.compile(r"\s+")


@dataclass
class Finding:
    value: str
    kind: str  # e-mail address / phone number / postal code / private field of a comment
    files: list[str] = field(default_factory=list)
    origin: str = ""  # e.g. "comment r6-public/012 (private name)"


class PersonalDataScanner:
    """Scans produced files for e-mail addresses, phone numbers and postal codes (the comments package's patterns)
    and for the private submitter fields of the named rounds."""

    def __init__(self, secrets: dict[str, str] | None = None):
        self.secrets = {s: origin for s, origin in (secrets or {}).items() if len(_SPACE.sub("", s)) >= 2}
        self.findings: dict[tuple[str, str], Finding] = {}

    def scan(self, root: Path, rel: str, text_override: list[str] | None = None) -> None:
        from guideline.comments import privacy

        texts = text_override if text_override is not None else text_of(root / rel)
        if not texts:
            return
        for text in texts:
            text = NOT_TEXT.sub(" ", text)
            for value in privacy.find(text):
                self._add(value, _kind(value, privacy), rel)
            squeezed = _SPACE.sub("", text)
            for secret, origin in self.secrets.items():
                if secret in text or _SPACE.sub("", secret) in squeezed:
                    self._add(secret, "private field of a comment", rel, origin)

    def _add(self, value: str, kind: str, rel: str, origin: str = "") -> None:
        f = self.findings.setdefault((kind, value), Finding(value, kind, origin=origin))
        if rel not in f.files:
            f.files.append(rel)

    def report(self, sources: list[Path]) -> Report:
        """Every finding as ``path:line: error:`` at the source lines that hold it (or without a line)."""
        report = Report()
        for f in sorted(self.findings.values(), key=lambda f: (f.kind, f.value)):
            shown = ", ".join(f.files[:6]) + (f" and {len(f.files) - 6} more" if len(f.files) > 6 else "")
            origin = f" — {f.origin}" if f.origin else ""
            message = f"personal data would be published: {f.kind} {f.value!r}{origin} in {shown}"
            locs = list(_locate(f.value, sources))
            if not locs:
                report.error(Loc("<release>", 0), message)
            for loc in locs:
                report.error(loc, message)
        return report


def _kind(value: str, privacy) -> str:
    if "@" in value or "＠" in value:
        return "e-mail address"
    if "〒" in value:
        return "postal code"
    return "phone number"


def _locate(value: str, sources: list[Path]) -> Iterator[Loc]:
    for path in sources:
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
        except OSError:
            continue
        for n, line in enumerate(lines, 1):
            if value in line:
                yield Loc(str(path), n)


# --------------------------------------------------------------------------------------------------------------------
# editions for the history page


@dataclass(frozen=True)
class HistoryEntry:
    id: str
    label: str
    date: datetime.date
    status: str
    current: bool
    diff_from: str = ""  # id of the preceding edition
    diff_href: str = ""


def history_editions(src: Path, edition: Edition) -> list[Edition]:
    """The frozen editions dated on or before ``edition`` (and ``edition`` itself), oldest first.

    Later editions are left out so that the bundle of an edition does not change when newer ones are frozen."""
    from guideline.editions import list_editions
    from guideline.reader import read_edition

    found: dict[str, Edition] = {}
    for eid in list_editions(src):
        if eid == edition.meta.id:
            continue
        other, report = read_edition(src / "editions" / eid)
        if other is None or report.failed():
            raise UserError(f"edition {eid!r} (for the history page) has problems; fix them first "
                            f"(guideline check --edition {eid})", report=report)
        if other.meta.date <= edition.meta.date:
            found[eid] = other
    ordered = sorted(found.values(), key=lambda e: (e.meta.date, e.meta.id))
    return [*ordered, edition]


def diff_dir(old_id: str, new_id: str) -> str:
    return f"diffs/{old_id}--{new_id}"


# --------------------------------------------------------------------------------------------------------------------
# output directory: lock, stale temporaries, refusal to replace something that is not a release


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
    from guideline.fileio import recover_leftovers

    return recover_leftovers(out, lambda p: (p / MANIFEST).is_file(), "release")


def check_target(out: Path) -> None:
    """OUT is replaced whole: refuse anything that is not an earlier release (or empty)."""
    if out.exists() and not out.is_dir():
        raise UserError(f"{display_path(out)} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise UserError(f"{display_path(out)} is not empty and holds no earlier release (no {MANIFEST}); the output "
                        "directory is replaced whole, so give a new or dedicated directory (e.g. build/release/)")


# --------------------------------------------------------------------------------------------------------------------
# manifest and verification


def file_entries(root: Path) -> list[dict]:
    return [_entry(root, rel) for rel in bundle_files(root) if rel not in (MANIFEST, SUMS)]


def sums_text(entries: list[dict]) -> str:
    """``sha256sum -c`` format: ``<hex><space><space><path>``, one line per file, sorted by path."""
    for e in entries:
        if any(c in e["path"] for c in "\n\\") or e["path"].startswith(("/", "./")):
            raise UserError(f"file name {e['path']!r} cannot be listed in {SUMS}")
    return "".join(f"{e['sha256']}  {e['path']}\n" for e in sorted(entries, key=lambda e: e["path"].encode()))


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


# --------------------------------------------------------------------------------------------------------------------
# the release


@dataclass
class Plan:
    """Everything checked before a single byte is written."""

    spec: str
    edition: Edition
    previous: Edition | None
    rounds: list  # [(RoundData, consulted Edition, report.Result)]
    history: list[Edition]
    secrets: dict[str, str]
    sources: list[Path]  # files searched to locate personal data: edition sources and comment records
    revision: dict


def _strict(spec: str, src: Path | None) -> Edition:
    from guideline import editions

    edition, report = editions.load(spec, src)
    if edition is None or report.failed(strict=True):
        n = len(report.errors) + len(report.warnings)
        raise UserError(f"edition {spec!r} does not pass guideline check --strict ({n} problem(s) above); "
                        "a release is built only from a clean edition", report=report)
    return edition


def plan(spec: str, previous: str | None, round_ids: list[str], src: Path | None = None,
         comments_root: Path | None = None) -> Plan:
    from guideline import editions
    from guideline.diff.load import load_edition as load_for_diff
    from guideline.comments import reconcile as rec
    from guideline.comments import report as comment_report
    from guideline.comments.privacy import private_values
    from guideline.comments.store import comments_root as default_comments_root
    from guideline.comments.store import list_rounds, load_round

    src = src or editions.source_root()
    edition = _strict(spec, src)
    prev_spec = previous or edition.meta.previous
    prev_ed = None
    if prev_spec:
        if prev_spec in (spec, edition.meta.id):
            raise UserError(f"--previous {prev_spec!r} is the edition being released")
        try:
            prev_ed = load_for_diff(prev_spec)
        except UserError as exc:
            raise UserError(f"previous edition: {exc.message}", report=exc.report) from None

    croot = comments_root or default_comments_root()
    rounds = []
    secrets: dict[str, str] = {}
    sources = [Path(edition.meta.root) / f for f in edition.meta.files]
    for rid in dict.fromkeys(round_ids):
        data = load_round(rid, croot)
        try:
            consulted = editions.load_or_fail(data.round.edition, src)
        except UserError as exc:
            raise UserError(f"round {rid}: its edition {data.round.edition!r}: {exc.message}",
                            report=exc.report) from None
        siblings = [load_round(other, croot) for other in list_rounds(croot) if other != rid]
        siblings = [s for s in siblings if s.round.edition == data.round.edition]
        outcome = rec.reconcile(data, consulted, edition, siblings)
        if outcome.failed:
            lines = rec.lines(data, consulted, edition, outcome)
            raise UserError(f"round {rid} does not reconcile with {edition.meta.id}; the release would publish "
                            "answers that the text does not keep:\n  " + "\n  ".join(lines))
        try:
            result = comment_report.build(data, consulted, draft=False)
        except UserError as exc:
            raise UserError(f"round {rid}: {exc.message}", report=exc.report) from None
        rounds.append((data, consulted, result))
        for c in data.ordered():
            for piece in private_values(c.name, ""):
                secrets.setdefault(piece, f"private name of comment {rid}/{c.id}")
            for piece in private_values("", c.contact):
                secrets.setdefault(piece, f"private contact of comment {rid}/{c.id}")
            if c.loc.path:
                sources.append(Path(c.loc.path))
    history = history_editions(src, edition)
    rev = source_revision(spec, [src, croot])
    return Plan(spec, edition, prev_ed, rounds, history, secrets, sources, rev)


def build(p: Plan, out: Path, quiet: bool = False) -> dict:
    """Build the bundle into ``out`` (replaced whole, atomically). Returns the manifest."""
    from guideline.diff import compare
    from guideline.fileio import atomic_directory, atomic_write
    from guideline.progress import Progress
    from guideline.writers.changes import ChangeOptions
    from guideline.writers.registry import CHANGES, EDITION, write_change

    out = Path(out)
    progress = Progress(quiet)
    ed = p.edition
    scanner = PersonalDataScanner(p.secrets)

    def scan_new(tmp: Path, before: set[str]) -> None:
        for rel in bundle_files(tmp):
            if rel not in before:
                scanner.scan(tmp, rel)
        if scanner.findings:
            raise UserError("refusing to release: personal data would be published (nothing was replaced; "
                            "remove it from the sources or the comment records)", report=scanner.report(p.sources))

    def step(label: str):
        return progress.step(f"release {ed.meta.id}: {label}")

    check_target(out)
    with output_lock(out):
        for line in recover(out):
            progress.say(f"release: {line}")
        with atomic_directory(out) as tmp:
            seen: set[str] = set()

            def stage() -> set[str]:
                return set(bundle_files(tmp))

            with step("site/"):
                EDITION["html_site"].write(ed, tmp)
                scan_new(tmp, seen)
            seen = stage()
            with step("guideline.docx, reibun.docx"):
                EDITION["docx"].write(ed, tmp)
                scan_new(tmp, seen)
            seen = stage()
            with step("guideline.pdf"):
                EDITION["pdf"].write(ed, tmp)
                scan_new(tmp, seen)
            seen = stage()
            changes = None
            main_cs = None
            if p.previous is not None:
                with step(f"新旧対照表 {p.previous.meta.id} → {ed.meta.id}"):
                    main_cs = compare(p.previous, ed)
                    for name in ("json", "comparison-html", "comparison-docx", "comparison-pdf"):
                        write_change(name, main_cs, tmp)
                    changes = json.loads((tmp / "changes.json").read_text(encoding="utf-8"))
                    scan_new(tmp, seen)
                seen = stage()
            from guideline.comments import report as comment_report

            for data, _consulted, result in p.rounds:
                with step(f"comments/{data.round.id}/"):
                    comment_report.write(result, tmp / "comments" / data.round.id, PUBLISHED_REPORT_FORMATS)
                    scan_new(tmp, seen)
                seen = stage()
            with step("oscal/"):
                EDITION["oscal"].write(ed, tmp / "oscal")
                scan_new(tmp, seen)
            seen = stage()
            entries = []
            with step(f"history ({len(p.history)} edition(s))"):
                for i, e in enumerate(p.history):
                    entry = HistoryEntry(e.meta.id, e.meta.label, e.meta.date, e.meta.status,
                                         current=e is ed)
                    if i:
                        old = p.history[i - 1]
                        cs = main_cs if (main_cs is not None and p.previous is not None
                                         and p.previous.meta.id == old.meta.id) else compare(old, e)
                        rel = f"{diff_dir(old.meta.id, e.meta.id)}/comparison.html"
                        atomic_write(tmp / rel, CHANGES["comparison-html"].render(cs, ChangeOptions()))
                        entry = HistoryEntry(entry.id, entry.label, entry.date, entry.status, entry.current,
                                             old.meta.id, rel)
                    entries.append(entry)
                atomic_write(tmp / HISTORY, render_history(p, entries))
                scan_new(tmp, seen)
            remove_hidden(tmp)
            with step("index.html, manifest.json, SHA256SUMS"):
                files = file_entries(tmp)
                index = render_index(p, files, changes, main_cs)
                scanner.scan(tmp, INDEX, [HEX64.sub("", index)])
                if scanner.findings:
                    raise UserError("refusing to release: personal data would be published",
                                    report=scanner.report(p.sources))
                atomic_write(tmp / INDEX, index)
                remove_hidden(tmp)
                listed = file_entries(tmp)  # nothing but manifest.json and SHA256SUMS is written after this
                manifest = make_manifest(p, listed)
                atomic_write(tmp / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=False)
                             + "\n")
                remove_hidden(tmp)
                atomic_write(tmp / SUMS, sums_text([*listed, _entry(tmp, MANIFEST)]))
                remove_hidden(tmp)
                problems = verify(tmp)
                if problems:  # pragma: no cover - a bug, not a user error
                    raise RuntimeError("the bundle does not verify before publication: " + "; ".join(problems[:5]))
    return manifest


def _entry(root: Path, rel: str) -> dict:
    path = root / rel
    return {"path": rel, "size": path.stat().st_size, "sha256": sha256_file(path)}


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


# --------------------------------------------------------------------------------------------------------------------
# pages


def _env():
    from guideline.render_html import jinja_env

    return jinja_env()


def _css() -> str:
    from guideline.render_html import templates_dir

    return (templates_dir() / "release" / "release.css").read_text(encoding="utf-8")


def _edition_view(p: Plan) -> dict:
    m = p.edition.meta
    return {"id": m.id, "title": m.title, "label": m.label or m.id, "date": m.date.isoformat(),
            "date_ja": wareki(m.date), "status": m.status, "sample": m.sample, "draft": m.status != "確定"}


FILE_ROLES = (
    ("site/index.html", "Web版（HTML）", "ブラウザで閲覧する版（目次・検索付き）"),
    ("guideline.pdf", "PDF", "印刷・閲覧用"),
    ("guideline.docx", "Word", "ガイドライン全体"),
    ("reibun.docx", "Word（例文）", "各団体がポリシー策定のひな形として編集する例文"),
    ("comparison.pdf", "新旧対照表（PDF）", ""),
    ("comparison.docx", "新旧対照表（Word）", ""),
    ("comparison.html", "新旧対照表（HTML）", ""),
    ("changes.json", "変更一覧（JSON）", "条項単位の変更（機械可読）"),
    ("oscal/catalog.json", "OSCAL カタログ", "ガイドラインを OSCAL 1.2 catalog として"),
    ("oscal/mapping.json", "OSCAL マッピング", "統一基準との対応（NIST IR 8477 の関係）"),
    ("oscal/nisc-catalog.json", "OSCAL 統一基準カタログ", "マッピングの参照先"),
    ("history.html", "版の履歴", "確定した各版と版間の差分"),
)


def _top_sections(cs, edition: Edition, limit: int = 8) -> list[dict]:
    """The sections (level-3 items, or the clause itself above that) with the most changes."""
    from guideline.writers.edition.html_site import href_map

    href = href_map(edition)
    counts: Counter = Counter()
    info: dict[tuple[str, str], dict] = {}
    first: dict[tuple[str, str], int] = {}
    for i, ch in enumerate(cs.changes):
        if ch.kind == "unchanged":
            continue
        side, ed = (ch.new, edition) if ch.new else (ch.old, cs.old)
        clause = side[0]
        chain = [*ed.ancestors(clause.id), clause]
        section = next((c for c in chain if c.level >= 3), chain[-1])
        key = ("new" if ed is edition else "old", section.id)
        counts[key] += 1
        first.setdefault(key, i)
        if key not in info:
            info[key] = {"address": section.address, "heading": section.heading,
                         "href": f"site/{href(section.id)}" if ed is edition else "",
                         "old": ed is not edition}
    ranked = sorted(counts, key=lambda k: (-counts[k], first[k]))[:limit]
    return [{**info[k], "count": counts[k]} for k in ranked]


def render_index(p: Plan, files: list[dict], changes: dict | None, cs) -> str:
    by_path = {f["path"]: f for f in files}
    main = []
    for path, name, note in FILE_ROLES:
        if path in by_path:
            f = by_path[path]
            main.append({**f, "name": name, "note": note, "size_h": human_size(f["size"])})
    for data, _, _ in p.rounds:
        for fmt, label in (("pdf", "PDF"), ("docx", "Word"), ("html", "HTML")):
            path = f"comments/{data.round.id}/result.{fmt}"
            if path in by_path:
                f = by_path[path]
                main.append({**f, "name": f"意見募集の結果（{label}）", "note": data.round.title,
                             "size_h": human_size(f["size"])})
    summary = None
    if changes is not None and cs is not None:
        counts = changes["summary"]
        summary = {
            "old": changes["old"], "new": changes["new"],
            "counts": [{"kind": k, "label": KIND_JA[k], "n": counts.get(k, 0)} for k in KIND_ORDER],
            "total": sum(v for k, v in counts.items() if k != "unchanged"),
            "sections": _top_sections(cs, p.edition),
        }
    total = sum(f["size"] for f in files)
    return _env().get_template("release/index.html.j2").render(
        css=_css(), edition=_edition_view(p), main_files=main,
        all_files=[{**f, "size_h": human_size(f["size"])} for f in files], file_count=len(files),
        total_h=human_size(total), summary=summary, previous=p.previous.meta if p.previous is not None else None,
        rounds=[{"id": d.round.id, "title": d.round.title} for d, _, _ in p.rounds],
        version=__version__, revision=p.revision, manifest=MANIFEST, sums=SUMS, history=HISTORY,
    )


def render_history(p: Plan, entries: list[HistoryEntry]) -> str:
    rows = [{"id": e.id, "label": e.label or e.id, "date": e.date.isoformat(), "date_ja": wareki(e.date),
             "status": e.status, "current": e.current, "diff_from": e.diff_from, "diff_href": e.diff_href}
            for e in reversed(entries)]
    return _env().get_template("release/history.html.j2").render(
        css=_css(), edition=_edition_view(p), rows=rows, version=__version__, index=INDEX,
    )
