"""Excel workbooks (.xlsx) as rows of text cells, so statement profiles read them like CSV.

Header rows need not be on row 1, a workbook may hold several sheets, merged title cells keep their text in
the first cell only, and numbers stored as text stay text. Numbers stored as numbers become their shortest
exact decimal text (repr), never arithmetic on binary floats. The old .xls format gets a clear message.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from basis_ledger.ingest.base import Extracted
from basis_ledger.model import InputError, Problem

if TYPE_CHECKING:
    from basis_ledger.ingest.source import SourceFile

MAX_CELLS = 20_000_000


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def read_workbook(src: SourceFile) -> list[tuple[str, list[tuple[int, list[str]]]]]:
    """[(sheet name, [(row number, cells)])] for every worksheet, in workbook order."""
    import io
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(src.data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError([Problem(str(src.path), f"not a readable .xlsx workbook ({exc})")]) from None
    sheets, cells = [], 0
    try:
        for ws in book.worksheets:
            if hasattr(ws, "reset_dimensions"):  # a stale <dimension> would cut the rows read (read-only mode)
                ws.reset_dimensions()
            rows = []
            for number, values in enumerate(ws.iter_rows(values_only=True), 1):
                cells += len(values)
                if cells > MAX_CELLS:
                    raise InputError([Problem(str(src.path), f"workbook too large (over {MAX_CELLS:,} cells)")])
                texts = [cell_text(v) for v in values]
                while texts and texts[-1] == "":
                    texts.pop()
                rows.append((number, texts))
            sheets.append((ws.title, rows))
    finally:
        book.close()
    return sheets


class OldExcel:
    """Claims .xls files only to say what to do with them."""

    name = "xls"

    def identify(self, src: SourceFile) -> bool:
        return src.data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or src.path.suffix.lower() == ".xls"

    def extract(self, src: SourceFile) -> Extracted:
        raise InputError([old_excel(src)])


def old_excel(src: SourceFile) -> Problem:
    return Problem(
        str(src.path),
        "old Excel .xls workbook: open it in Excel or LibreOffice and save it as .xlsx (or CSV), then import that file",
    )
