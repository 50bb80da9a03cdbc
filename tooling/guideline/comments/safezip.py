"""Opening DOCX and XLSX files from outside: zip bombs and XML entity tricks are refused before anything is read.

- The zip is checked before any member is decompressed: member count, total uncompressed size, and the compression
  ratio of every member (declared sizes), then each member is read with a hard cap on the bytes actually produced.
- XML is parsed by lxml with entity resolution, DTD loading and network access off; a document type declaration is
  refused outright (OOXML never needs one).
"""
from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from lxml import etree

from guideline.diagnostics import UserError

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 2000
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
MAX_MEMBER_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, for members larger than 1 MiB
# what zipfile raises on a damaged or unusual archive
DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError,
           RuntimeError)


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=False)


def parse_xml(data: bytes, where: str) -> etree._Element:
    try:
        tree = etree.fromstring(data, parser=safe_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        at = f" (line {exc.lineno})" if exc.lineno else ""
        raise UserError(f"{where}: malformed XML{at}: {exc.msg}") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UserError(f"{where}: the XML carries a document type declaration (DOCTYPE); Office files never do, so "
                        "the file is refused (it may try to expand entities)")
    return tree.getroot()


class SafeZip:
    """A checked zip archive; ``read(name)`` returns at most the member's checked size."""

    def __init__(self, path: Path, kind: str):
        self.path = Path(path)
        self.kind = kind
        where = str(self.path)
        try:
            size = self.path.stat().st_size
        except OSError as exc:
            raise UserError(f"cannot read {where}: {exc.strerror or exc}") from None
        if size > MAX_FILE_BYTES:
            raise UserError(f"{where}: {size} bytes is more than the {MAX_FILE_BYTES} a {kind} may have here")
        try:
            self.zip = zipfile.ZipFile(self.path)
        except DAMAGED:
            raise UserError(f"{where}: not a {kind} file (not a zip archive); save it from Word/Excel as "
                            f".{kind.lower()}") from None
        infos = self.zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise UserError(f"{where}: {len(infos)} parts in the archive (at most {MAX_MEMBERS}); refused")
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > MAX_MEMBER_UNCOMPRESSED:
                raise UserError(f"{where}: part {info.filename} unpacks to {info.file_size} bytes; refused")
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise UserError(f"{where}: part {info.filename} is compressed {info.file_size // max(info.compress_size, 1)}"
                                f":1 (more than {MAX_RATIO}:1); refused as a possible zip bomb")
        if total > MAX_TOTAL_UNCOMPRESSED:
            raise UserError(f"{where}: the archive unpacks to {total} bytes (at most {MAX_TOTAL_UNCOMPRESSED}); refused")
        self.names = {i.filename for i in infos}
        self.infos = {i.filename: i for i in infos}

    def read(self, name: str) -> bytes:
        info = self.infos[name]
        out = bytearray()
        try:
            with self.zip.open(info) as fh:
                while True:
                    chunk = fh.read(65536)
                    if not chunk:
                        break
                    out += chunk
                    if len(out) > info.file_size or len(out) > MAX_MEMBER_UNCOMPRESSED:
                        raise UserError(f"{self.path}: part {name} unpacks to more than it declares; refused")
        except DAMAGED as exc:  # bad CRC, broken deflate stream, offsets past the end, encryption, unknown method
            raise UserError(f"{self.path}: part {name} of the {self.kind} is damaged ({type(exc).__name__}: {exc}); "
                            f"save the file again from Word/Excel") from None
        return bytes(out)

    def xml(self, name: str) -> etree._Element:
        return parse_xml(self.read(name), f"{self.path}:{name}")

    def check_all_xml(self) -> None:
        """Parse every XML part with the safe parser (refusing DOCTYPEs) before another library reads the file."""
        for name in sorted(self.names):
            if name.endswith((".xml", ".rels", ".vml")):
                self.xml(name)

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> "SafeZip":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


__all__ = ["SafeZip", "parse_xml", "safe_parser"]
