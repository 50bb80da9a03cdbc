"""Figure files: reading them into the model (:class:`~guideline.model.Asset`) and refusing unsafe ones.

A figure file lives in the edition's ``figures/`` folder. The reader loads each file a figure names, once, and
reports at the figure's ``path:line`` a file that is missing, leaves the folder, is too large, is not what its name
says, or (SVG) is not a static drawing: scripts, event handlers, ``foreignObject``, references outside the file and
DTDs are refused rather than cleaned, so that the file every output embeds is the file the editor wrote.
"""
from __future__ import annotations

import hashlib
import re
import struct
from pathlib import Path

from guideline.diagnostics import Loc, Report
from guideline.markup import figure_path_problem
from guideline.model import FIGURE_TYPES, Asset, Clause, Edition, Figure, iter_blocks

MAX_FIGURE_BYTES = 10 * 1024 * 1024
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_XHTML_NS = "http://www.w3.org/1999/xhtml"
_CSS_URL_RE = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.I)
_ANIMATION = {"set", "animate", "animateMotion", "animateTransform"}
_UNITS = {"": 1.0, "px": 1.0, "pt": 96 / 72, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0}
_LENGTH_RE = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*([a-z]*)\s*$")


def figures_of(clause: Clause) -> list[Figure]:
    """The figures of one clause (text, 解説, boxes, footnotes), in source order."""
    if not (clause.body or clause.commentary or clause.footnotes):
        return []
    return [b for b in iter_blocks(clause.body + clause.commentary + clause.footnotes) if isinstance(b, Figure)]


def read_assets(root: Path, parts: tuple[Clause, ...], report: Report) -> dict[str, Asset]:
    """Every figure file the edition names, keyed by its path as written; problems to ``report``."""
    assets: dict[str, Asset] = {}
    bad: dict[str, str] = {}
    for part in parts:
        for clause in part.walk():
            for fig in figures_of(clause):
                if fig.src in assets or figure_path_problem(fig.src):  # the reader reported the path already
                    continue
                problem = bad.get(fig.src)
                if problem is None:
                    asset, problem = load_asset(root, fig.src)
                    if asset is not None:
                        assets[fig.src] = asset
                        continue
                    bad[fig.src] = problem
                report.error(Loc(clause.loc.path, fig.line or clause.loc.line), problem)
    return assets


def load_asset(root: Path, src: str) -> tuple[Asset | None, str]:
    """The file ``src`` of the edition at ``root`` as an Asset, or None and why it is refused."""
    path = root / src
    try:
        resolved = path.resolve()
        if (root / "figures").resolve() not in resolved.parents:
            return None, f"figure {src} resolves outside the edition's figures/ folder (a symbolic link?); copy " \
                         "the file in instead"
        if not path.is_file():
            return None, f"figure file {src} does not exist; put the file in the edition's figures/ folder"
        size = path.stat().st_size
        if size > MAX_FIGURE_BYTES:
            return None, f"figure {src} is {size // 1048576} MB; the limit is {MAX_FIGURE_BYTES // 1048576} MB"
        data = path.read_bytes()
    except (OSError, RuntimeError) as exc:
        return None, f"figure {src} cannot be read: {getattr(exc, 'strerror', None) or exc}"
    kind = FIGURE_TYPES[src[src.rfind("."):].lower()]
    if kind == "svg":
        problem = svg_problem(data)
        if problem:
            return None, f"figure {src}: SVG has {problem}; figures must be static drawings, remove it"
        width, height = svg_size(data)
    elif kind == "png":
        if not data.startswith(b"\x89PNG\r\n\x1a\n") or len(data) < 24:
            return None, f"figure {src} is not a PNG file; save it as PNG or rename it"
        width, height = struct.unpack(">II", data[16:24])
    else:
        size_px = jpeg_size(data)
        if size_px is None:
            return None, f"figure {src} is not a JPEG file; save it as JPEG or rename it"
        width, height = size_px
    return Asset(src, kind, data, hashlib.sha256(data).hexdigest(), float(width), float(height)), ""


def _svg_root(data: bytes):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(data, parser)


def svg_problem(data: bytes) -> str:
    """What makes an SVG unsafe to show ("a script element" …), or empty when it is a static drawing."""
    from lxml import etree

    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        return "a DOCTYPE or entity declaration"
    try:
        root = _svg_root(data)
    except etree.XMLSyntaxError as exc:
        return f"malformed XML ({exc.msg})"
    if root.tag != f"{{{SVG_NS}}}svg":
        return "no <svg> root element in the SVG namespace"
    for sibling in (*root.itersiblings(preceding=True), *root.itersiblings()):
        if isinstance(sibling, etree._ProcessingInstruction):  # <?xml-stylesheet href=…?> fetches a style sheet
            return "a processing instruction"
    for el in root.iter():
        if not isinstance(el.tag, str):  # comments and processing instructions
            if isinstance(el, etree._ProcessingInstruction):
                return "a processing instruction"
            continue
        ns, _, name = el.tag[1:].partition("}") if el.tag.startswith("{") else ("", "", el.tag)
        if name == "script":
            return "a script element"
        if name == "foreignObject":
            return "a foreignObject element"
        if ns == _XHTML_NS:
            return f"an HTML element <{name}>"
        if name in _ANIMATION and el.get("attributeName", "").split(":")[-1] in ("href", "src"):
            return f"an animation of {el.get('attributeName')}"
        for key, value in el.attrib.items():
            local = key.rsplit("}", 1)[-1]
            if local.lower().startswith("on"):
                return f"an event handler attribute {local}"
            if local == "href" and not value.strip().startswith("#"):
                return f"an external reference {value.strip()[:60]!r}"
            if "javascript:" in value.lower().replace(" ", ""):
                return f"a javascript: address in {local}"
            if local == "style":
                bad = _css_problem(value)
                if bad:
                    return bad
        if name == "style":
            bad = _css_problem(el.text or "")
            if bad:
                return bad
    return ""


def _css_problem(css: str) -> str:
    if "@import" in css.lower():
        return "an @import in a style"
    for m in _CSS_URL_RE.finditer(css):
        if not m.group(1).startswith("#"):
            return f"an external reference {m.group(1)[:60]!r}"
    return ""


def _length(value: str | None) -> float:
    m = _LENGTH_RE.match(value or "")
    if not m or m.group(2) not in _UNITS:
        return 0.0
    return float(m.group(1)) * _UNITS[m.group(2)]


def svg_size(data: bytes) -> tuple[float, float]:
    """Width and height in CSS pixels from width/height, else the viewBox (0, 0 when neither says)."""
    root = _svg_root(data)
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if (not width or not height) and len(box) == 4:
        try:
            bw, bh = float(box[2]), float(box[3])
        except ValueError:
            return width, height
        if bw > 0 and bh > 0:
            if width and not height:
                height = width * bh / bw
            elif height and not width:
                width = height * bw / bh
            else:
                width, height = bw, bh
    return width, height


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a JPEG from its frame header (None when it is not a JPEG)."""
    if not data.startswith(b"\xff\xd8"):
        return None
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def figure_files(clause: Clause, edition: Edition) -> tuple[tuple[str, str], ...]:
    """(path, SHA-256) of each figure of a clause: what the diff compares to report a replaced figure file."""
    out = []
    for fig in figures_of(clause):
        asset = edition.assets.get(fig.src)
        out.append((fig.src, asset.digest if asset is not None else ""))
    return tuple(out)
