"""The parts of a Word package that grow with the content: pictures (``word/media/``) and footnotes
(``word/footnotes.xml``), collected while :class:`guideline.writers.edition.docx.DocxBuilder` builds the body.

A picture is a DrawingML inline whose ``wp:docPr/@descr`` is the figure's alternative text. An SVG is stored twice:
as the SVG (``asvg:svgBlip``, which Word 2016 and later draws) and as a PNG drawn from it (the ``a:blip`` every
other reader shows — older Word, LibreOffice, pandoc). Footnotes are real ``w:footnote`` elements numbered 1, 2 …
in the order they are made, which is document order, so Word's own numbering gives the same numbers.
"""
from __future__ import annotations

from html import escape

from lxml import etree

from guideline.model import Asset
from guideline.writers.edition.docx_ooxml import NSMAP, W, RunHook, xml_bytes
from guideline.writers.edition.docx_styles import S

WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
PIC_NS = "http://schemas.openxmlformats.org/drawingml/2006/picture"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
ASVG_NS = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
SVG_EXT_URI = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EMU_PER_PX = 9525  # 914400 EMU per inch at 96 CSS pixels per inch
EMU_PER_TWIP = 635
PNG_SCALE = 2  # the PNG drawn from an SVG has twice its CSS pixels, for print
MIME = {"png": "image/png", "jpeg": "image/jpeg", "svg": "image/svg+xml"}
EXT = {"png": "png", "jpeg": "jpeg", "svg": "svg"}


def svg_to_png(data: bytes, width: float) -> bytes | None:
    """A PNG drawing of an SVG (already checked static by the reader), or None where cairo is not installed."""
    try:
        import cairosvg
    except (ImportError, OSError):  # cairosvg needs the system's libcairo (scripts/install-system-deps.sh)
        return None
    kwargs = {"output_width": int(width * PNG_SCALE)} if width else {}
    return cairosvg.svg2png(bytestring=data, unsafe=False, **kwargs)


def drawing_run(blip_rid: str, svg_rid: str, asset: Asset, alt: str, max_width_twips: int, n: int) -> etree._Element:
    """A ``w:r`` holding a picture inline: ``blip_rid`` the image every reader shows, ``svg_rid`` (or "") the SVG
    that Word 2016 and later draws instead; ``n`` a drawing id unique in the document; ``alt`` → ``descr``."""
    width = asset.width or 480.0
    height = asset.height or width * 0.75
    cx, cy = int(width * EMU_PER_PX), int(height * EMU_PER_PX)
    limit = max_width_twips * EMU_PER_TWIP
    if cx > limit:
        cx, cy = limit, int(cy * limit / cx)
    name = escape(f"図 {n}", quote=True)
    descr = escape(alt, quote=True)
    svg_ext = (f'<a:extLst><a:ext uri="{SVG_EXT_URI}"><asvg:svgBlip xmlns:asvg="{ASVG_NS}" r:embed="{svg_rid}"/>'
               "</a:ext></a:extLst>") if svg_rid else ""
    xml = (
        f'<w:r xmlns:w="{W[1:-1]}" xmlns:r="{R_NS}" xmlns:wp="{WP_NS}" xmlns:a="{A_NS}" xmlns:pic="{PIC_NS}">'
        '<w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{n}" name="{name}" descr="{descr}"/>'
        '<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
        f'<a:graphic><a:graphicData uri="{PIC_NS}"><pic:pic>'
        f'<pic:nvPicPr><pic:cNvPr id="{n}" name="{name}" descr="{descr}"/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:embed="{blip_rid}">{svg_ext}</a:blip><a:stretch><a:fillRect/></a:stretch>'
        "</pic:blipFill>"
        f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>'
        "</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
    )
    return etree.fromstring(xml)


def raster(asset: Asset) -> tuple[bytes, str] | None:
    """(bytes, kind) of a figure in a form every Word reader shows: a PNG drawn from an SVG, else the file."""
    if asset.kind != "svg":
        return asset.data, asset.kind
    png = svg_to_png(asset.data, asset.width)
    return (png, "png") if png is not None else None


class Parts:
    """Media and footnotes of one package (shared by builders writing into the same document)."""

    def __init__(self) -> None:
        self.media: list[tuple[str, str, bytes]] = []  # (relationship id, part name under word/, bytes)
        self._embeds: dict[str, tuple[str, str]] = {}  # asset digest -> (rid of the blip, rid of the svg or "")
        self._drawings = 0
        self.footnotes: list[etree._Element] = []
        self._footnote_ids: dict[object, int] = {}

    # pictures -------------------------------------------------------------------------------------------------------
    def _add_media(self, kind: str, data: bytes) -> str:
        n = len(self.media) + 1
        rid = f"rIdImg{n}"
        self.media.append((rid, f"media/image{n}.{EXT[kind]}", data))
        return rid

    def _embed(self, asset: Asset) -> tuple[str, str]:
        found = self._embeds.get(asset.digest)
        if found is None:
            if asset.kind == "svg":
                png = svg_to_png(asset.data, asset.width)
                svg_rid = self._add_media("svg", asset.data)
                found = (self._add_media("png", png), svg_rid) if png is not None else (svg_rid, "")
            else:
                found = (self._add_media(asset.kind, asset.data), "")
            self._embeds[asset.digest] = found
        return found

    def picture(self, asset: Asset, alt: str, max_width_twips: int, hook: RunHook | None = None) -> etree._Element:
        """A run holding the picture inline, at its own size or scaled down to ``max_width_twips``."""
        blip_rid, svg_rid = self._embed(asset)
        self._drawings += 1
        r = drawing_run(blip_rid, svg_rid, asset, alt, max_width_twips, self._drawings)
        return hook(r) if hook is not None else r

    # footnotes ------------------------------------------------------------------------------------------------------
    def footnote_number(self, ident: object) -> int | None:
        return self._footnote_ids.get(ident)

    def add_footnote(self, ident: object, paragraphs: list[etree._Element]) -> int:
        """Make footnote ``ident`` from its paragraphs (body style → footnote text style); its number."""
        number = len(self.footnotes) + 1
        self._footnote_ids[ident] = number
        fn = etree.Element(W + "footnote")
        fn.set(W + "id", str(number))
        paragraphs = paragraphs or [etree.Element(W + "p")]
        for p in paragraphs:
            for style in p.iter(W + "pStyle"):
                if style.get(W + "val") in (S.body, S.commentary):
                    style.set(W + "val", S.footnote_text)
        first = paragraphs[0]
        ref = etree.Element(W + "r")
        etree.SubElement(etree.SubElement(ref, W + "rPr"), W + "rStyle").set(W + "val", S.footnote_reference)
        etree.SubElement(ref, W + "footnoteRef")
        space = etree.Element(W + "r")
        t = etree.SubElement(space, W + "t")
        t.text = " "
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        at = 1 if first.find(W + "pPr") is not None else 0
        first.insert(at, ref)
        first.insert(at + 1, space)
        fn.extend(paragraphs)
        self.footnotes.append(fn)
        return number

    # package --------------------------------------------------------------------------------------------------------
    def package_parts(self, external: list[tuple[str, str]]) -> tuple[list[str], list[tuple[str, str, str]],
                                                                        list[tuple[str, bytes]]]:
        """(content-type entries, document relationships (id, type, target), parts (name, bytes)) to add."""
        types: list[str] = []
        rels: list[tuple[str, str, str]] = []
        parts: list[tuple[str, bytes]] = []
        kinds = sorted({name.rsplit(".", 1)[1] for _, name, _ in self.media})
        mime = {"png": MIME["png"], "jpeg": MIME["jpeg"], "svg": MIME["svg"]}
        types += [f'<Default Extension="{k}" ContentType="{mime[k]}"/>' for k in kinds]
        for rid, name, data in self.media:
            rels.append((rid, f"{_REL}/image", name))
            parts.append((f"word/{name}", data))
        if self.footnotes:
            types.append('<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-'
                         'officedocument.wordprocessingml.footnotes+xml"/>')
            rels.append(("rIdFootnotes", f"{_REL}/footnotes", "footnotes.xml"))
            parts.append(("word/footnotes.xml", self._footnotes_xml()))
            if external:  # a link in a footnote resolves through the footnotes part's own relationships
                rows = "".join(f'<Relationship Id="{i}" Type="{_REL}/hyperlink" Target="{escape(url, quote=True)}" '
                               'TargetMode="External"/>' for i, url in external)
                parts.append(("word/_rels/footnotes.xml.rels", (
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
                    f'openxmlformats.org/package/2006/relationships">{rows}</Relationships>').encode("utf-8")))
        return types, rels, parts

    def _footnotes_xml(self) -> bytes:
        root = etree.Element(W + "footnotes", nsmap=NSMAP)
        for fid, kind, mark in ((-1, "separator", "separator"), (0, "continuationSeparator", "continuationSeparator")):
            fn = etree.SubElement(root, W + "footnote")
            fn.set(W + "type", kind)
            fn.set(W + "id", str(fid))
            p = etree.SubElement(fn, W + "p")
            spacing = etree.SubElement(etree.SubElement(p, W + "pPr"), W + "spacing")
            spacing.set(W + "after", "0")
            spacing.set(W + "line", "240")
            spacing.set(W + "lineRule", "auto")
            etree.SubElement(etree.SubElement(p, W + "r"), W + mark)
        root.extend(self.footnotes)
        return xml_bytes(root)
