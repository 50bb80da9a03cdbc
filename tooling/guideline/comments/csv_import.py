"""CSV as staff receive it: UTF-8, UTF-8 with BOM, UTF-16 (Excel "Unicode text") or CP932 (Excel on Japanese
Windows), detected; CRLF or LF; line breaks inside quoted cells; comma or tab separated."""
from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from guideline.comments.rows import Table
from guideline.diagnostics import Loc, UserError

MAX_CSV_BYTES = 50 * 1024 * 1024


def detect(raw: bytes) -> tuple[str, str]:
    """(encoding name, text) of CSV bytes; a UserError says where the bytes stop making sense."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return encoding, raw.decode(encoding)
            except UnicodeDecodeError as exc:  # the BOM promises an encoding the bytes do not keep
                line = raw[: exc.start].decode(encoding, errors="replace").count("\n") + 1
                raise UserError(f"the file starts with a {encoding.upper().replace('-SIG', '')} byte order mark but "
                                f"byte {exc.start} (line {line}) is not {encoding.upper().replace('-SIG', '')}: "
                                f"{exc.reason}; save it again from Excel as 'CSV UTF-8'") from None
    try:
        return "utf-8", raw.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            return "cp932", raw.decode("cp932")
        except UnicodeDecodeError as exc:
            bad = utf8_error if utf8_error.start >= exc.start else exc
            line = raw[: bad.start].count(b"\n") + 1
            raise UserError(f"the file is neither UTF-8 nor CP932 (Shift_JIS) text: byte 0x{raw[bad.start]:02x} at "
                            f"line {line} cannot be read; save it from Excel as 'CSV UTF-8' or 'CSV'") from None


def read(path: Path) -> Table:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise UserError(f"{path}: {size} bytes is more than {MAX_CSV_BYTES}; split the file")
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None
    if b"\x00" in raw[:4096] and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UserError(f"{path}: this is not a text file (is it an .xlsx renamed to .csv?)")
    try:
        encoding, text = detect(raw)
    except UserError as exc:
        raise UserError(exc.message, loc=Loc(str(path), 0)) from None
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[tuple[int, int, list]] = []
    headers: list[str] | None = None
    header_row = 1
    record = 0
    start_line = 1
    try:
        for cells in reader:
            record += 1
            line = start_line
            start_line = reader.line_num + 1
            if headers is None:
                if not any(c.strip() for c in cells):
                    continue  # blank lines above the header
                headers = [c.strip() for c in cells]
                header_row = record
                continue
            rows.append((record, line, cells))
    except csv.Error as exc:
        raise UserError(f"malformed CSV after row {record}: {exc}", loc=Loc(str(path), start_line)) from None
    if headers is None:
        raise UserError("the file is empty: no header row", loc=Loc(str(path), 1))
    return Table(path=path, headers=headers, header_row=header_row, rows=rows, encoding=encoding)
