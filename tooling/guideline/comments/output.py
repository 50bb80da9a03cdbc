"""Helpers for the files the comment commands write: spreadsheet-safe cells, CSV, reproducible OOXML zips."""
from __future__ import annotations

import csv
import datetime
import io
import os
import re
import zipfile

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def neutralise(value: object) -> object:
    """A cell that a spreadsheet would run as a formula (= + - @, tab, CR first) gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """Undo :func:`neutralise` on text read back from our own workbook."""
    if value.startswith("'") and value[1:].startswith(DANGEROUS_START):
        return value[1:]
    return value


def csv_bytes(header: list[str], rows: list[list[object]]) -> bytes:
    """UTF-8 with BOM (so that Excel reads Japanese), CRLF, every cell neutralised."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def build_date(default: datetime.date | None) -> datetime.datetime:
    """The date stamped into document properties: SOURCE_DATE_EPOCH, else the given date, else 2000-01-01."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).replace(tzinfo=None)
    if default is not None:
        return datetime.datetime(default.year, default.month, default.day)
    return datetime.datetime(2000, 1, 1)


_CORE_DATE = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def reproducible_zip(data: bytes, when: datetime.datetime) -> bytes:
    """Repack an OOXML zip: fixed entry timestamps, entries in their original order, core.xml dates set to
    ``when`` — the same input then gives byte-identical output."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info)
            if info.filename == "docProps/core.xml":
                blob = _CORE_DATE.sub(lambda m: m.group(1) + stamp + m.group(3), blob)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, blob)
    return out.getvalue()
