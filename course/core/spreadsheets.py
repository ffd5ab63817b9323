"""CSV files the app writes, safe to open in a spreadsheet program; and the rows of the CSV
files people upload (comma, semicolon or tab, as spreadsheet programs save them).

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets (OWASP's "CSV injection"): a name typed
as `=HYPERLINK(...)` would run on an organisation's computer. Such a cell gets a leading
apostrophe, which those programs show as text. Every CSV of ours goes through `write`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number (a negative discrimination index) is no formula and stays a number.
_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")
BOM = "\ufeff"  # so spreadsheet programs open Cyrillic as UTF-8


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def write(out, header: Iterable[object], rows: Iterable[Iterable[object]]) -> None:
    writer = csv.writer(out)
    writer.writerow([safe_cell(v) for v in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])


def csv_text(header: Iterable[object], rows: Iterable[Iterable[object]], bom: bool = True) -> str:
    out = io.StringIO()
    if bom:
        out.write(BOM)
    write(out, header, rows)
    return out.getvalue()


def csv_response(
    filename: str, header: Iterable[object], rows: Iterable[Iterable[object]]
) -> Response:
    return Response(
        csv_text(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def uploaded_text(data: bytes) -> str:
    """An uploaded CSV's text: UTF-8 with or without a byte-order mark."""
    return data.decode("utf-8-sig", errors="replace")


def read_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, stripped fields) of each non-empty row; the delimiter is the one the
    start of the file uses most (a Russian-locale Excel saves semicolons)."""
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ("\t" if "\t" in sample else ",")
    for number, fields in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        fields = [f.strip() for f in fields]
        if any(fields):
            yield number, fields
