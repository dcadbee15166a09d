"""The generic CSV, the interchange format (exact contract in docs/generic-csv.md).

Header required, columns in any order, names case-insensitive:
taxpayer,date,tax_year,account,account_type,event,amount (+ optional memo).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import TYPE_CHECKING

from basis_ledger.arrays import (
    arrow_bools,
    arrow_ints,
    arrow_strings,
    arrow_text,
    numpy_bools,
    numpy_ints,
    one_array,
    text_data,
    text_offsets,
)
from basis_ledger.ingest.base import Extracted
from basis_ledger.model import InputError, Problem, kinds
from basis_ledger.money import AMOUNT_PROBLEMS, amount_codes
from basis_ledger.suggest import did_you_mean

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from basis_ledger.ingest.source import SourceFile

DATE_FORMAT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
REQUIRED = ("taxpayer", "date", "tax_year", "account", "account_type", "event", "amount")
OPTIONAL = ("memo",)
MAX_PROBLEMS_PER_COLUMN = 50


def _first_line(text: str) -> str:
    end = text.find("\n")  # (not split: that would copy the whole file once more)
    return text if end < 0 else text[:end]


def _header(text: str) -> list[str]:
    first = _first_line(text).rstrip("\r")
    return [h.strip().lower() for h in next(csv.reader([first]), [])]


class GenericCsv:
    name = "generic"

    def identify(self, src: SourceFile) -> bool:
        # Claim a header with most of the contract's columns, so a missing one is named rather than unrecognised.
        head = src.head(4096).lstrip("\ufeff")
        return len(set(REQUIRED) & set(_header(head))) >= len(REQUIRED) - 2

    def extract(self, src: SourceFile) -> Extracted:
        frame, problems = read_generic(src)
        return Extracted(self.name, events=frame, problems=problems)


def read_generic(src: SourceFile) -> tuple[pa.Table, list[Problem]]:
    """Parse into typed columns; every unparsable cell is a Problem with its file line and column.

    The file is read and typed in Arrow (pyarrow.csv, then Arrow compute over whole columns) and stays an Arrow
    table through the import (no pandas: pandas reads a file only where the careful reader is needed)."""
    fname = str(src.path)
    body = _body(src)
    first = body[: body.find(b"\n")] if b"\n" in body else body
    header = _header(first.decode())
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in REQUIRED + OPTIONAL]
    problems = [Problem(fname, f"missing column '{c}'", line=1) for c in missing]
    problems += [
        Problem(
            fname,
            f"unknown column '{c}'"
            + (did_you_mean(c, REQUIRED + OPTIONAL) or f" (expected {', '.join(REQUIRED + OPTIONAL)})"),
            line=1,
        )
        for c in unknown
    ]
    dupes = {h for h in header if header.count(h) > 1}
    problems += [Problem(fname, f"column '{c}' appears twice", line=1) for c in sorted(dupes)]
    if problems:
        raise InputError(problems)
    # Without a quote in the file every row is one physical line, blank ones included (read as rows of empty
    # cells): the rows' count is the lines' count, no count of the file's line breaks needed (0.03 s at 60 MB).
    rows = None if b'"' not in body else _lines_after_header(body)
    raw = _read_fast(body, first, rows)
    if raw is None:  # quoted line breaks or a malformed row: the careful reader says where
        raw = _read_careful(src.text.lstrip("\ufeff"), fname)
        rows = _lines_after_header(body) if rows is None else rows
    raw = raw.rename_columns([c.strip().lower() for c in raw.column_names])
    raw = raw.append_column("source_line", _line_numbers(src, raw.num_rows if rows is None else rows, raw.num_rows))
    filled = _any_filled(raw)
    if not filled.all():
        raw = raw.filter(arrow_bools(filled))  # blank lines carry no event
    if not raw.num_rows:
        raise InputError([Problem(fname, "no events: the file has a header but no rows")])
    return _typed(raw, fname)


def _body(src: SourceFile) -> bytes:
    """The file's text as UTF-8 bytes: the file's own bytes when they are its text (ASCII, no carriage return:
    no decoded copy of a 40 MB file is made), else its decoded text (BOM off, line ends made \\n) encoded."""
    data = src.data
    if data and not data.isspace() and not src.looks_binary and data.isascii() and b"\r" not in data:
        return data
    return src.text.lstrip("\ufeff").encode()  # (src.text names an empty, binary or undecodable file)


def _lines_after_header(body: bytes) -> int:
    return body.count(b"\n") - (1 if body.endswith(b"\n") else 0)


def _read_fast(body: bytes, first: bytes, rows: int | None) -> pa.Table | None:
    """pyarrow's multithreaded reader, used only when every row is one physical line (so line numbers hold):
    `rows` physical lines after the header, or None for a file without quotes (then each line is a row)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    if b'"' in first:  # (a quoted line break shows as fewer rows than lines: see the end)
        return None
    names = next(csv.reader([first.decode()]))
    try:
        raw = pcsv.read_csv(
            pa.py_buffer(body),
            # A blank line is a row of empty cells (as the careful reader reads it), not skipped: line numbers hold.
            parse_options=pcsv.ParseOptions(ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=False,  # the body is ASCII, or text we encoded ourselves
            ),
        )
    except Exception:  # any pyarrow complaint: fall back to the C reader and its exact message
        return None
    return raw if rows is None or raw.num_rows == rows else None


def _read_careful(text: str, fname: str) -> pa.Table:
    """pandas' C reader: slower, but it reads blank lines and quoted line breaks, and names a malformed row."""
    import pandas as pd
    import pyarrow as pa

    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False, engine="c")
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError([Problem(fname, f"not a well-formed CSV: {str(exc).strip().splitlines()[-1]}")]) from None
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return pa.table([c.cast(pa.string()).fill_null("") for c in table.columns], names=table.column_names)


def _any_filled(raw: pa.Table) -> np.ndarray:
    """Whether each row has a required column that is not empty (a row of empty cells is a blank line), read
    off each chunk's offsets (a value is empty where it ends where it starts) rather than by comparing text."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    filled = np.zeros(raw.num_rows, dtype=bool)
    for c in REQUIRED:
        at = 0
        for chunk in raw.column(c).chunks:
            n = len(chunk)
            if chunk.null_count or not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
                filled[at : at + n] |= numpy_bools(pc.not_equal(chunk, arrow_text("")))  # (a null is not filled)
            elif n:
                offsets = text_offsets(chunk)
                filled[at : at + n] |= offsets[1:] > offsets[:-1]
            at += n
    return filled


def _line_numbers(src: SourceFile, newlines: int, nrows: int) -> pa.Array:
    """File line of each parsed row (header = line 1), exact even when a quoted field spans lines."""
    import numpy as np

    if newlines == nrows:  # one physical line per row: the fast, common case
        return arrow_ints(np.arange(2, nrows + 2, dtype=np.int64))
    reader = csv.reader(io.StringIO(src.text.lstrip("\ufeff")))
    next(reader)
    starts, line = [], reader.line_num + 1
    for _row in reader:
        starts.append(line)
        line = reader.line_num + 1
    return arrow_ints(starts[:nrows] + [0] * (nrows - len(starts)))


def _days_in_month(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Days of each month in the proleptic Gregorian calendar (as pandas reads a date; 0 for no month)."""
    import numpy as np

    days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)[np.clip(month, 0, 12)]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    return days + ((month == 2) & leap)


def _ten_bytes(dates: pa.ChunkedArray) -> np.ndarray | None:
    """The dates' bytes as an (n, 10) array when every date is ten bytes long (as every date of a well-formed
    file is), else None."""
    import numpy as np
    import pyarrow as pa

    arr = one_array(dates).cast(pa.string())
    n = len(arr)
    if not n:
        return None
    offsets = text_offsets(arr)
    if offsets[-1] - offsets[0] != 10 * n or (np.diff(offsets) != 10).any():
        return None
    return text_data(arr)[offsets[0] : offsets[-1]].reshape(n, 10)


def _shaped(ten: np.ndarray) -> np.ndarray:
    """Which ten-byte dates are four digits, a dash, two digits, a dash, two digits (as the regex says)."""
    digit = (ten >= 0x30) & (ten <= 0x39)
    dash = ten == 0x2D
    found: np.ndarray = digit[:, [0, 1, 2, 3, 5, 6, 8, 9]].all(axis=1) & dash[:, 4] & dash[:, 7]
    return found


def _date_parts(
    dates: pa.ChunkedArray, shaped: np.ndarray, ten: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of each YYYY-MM-DD text (0, 0, 0 where not `shaped`), read from the text's bytes:
    every value is made exactly ten ASCII digits and dashes, so the bytes form an (n, 10) array."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if ten is None:  # some dates are not ten bytes: the others are put in their place
        ten = _ten_bytes(pc.if_else(arrow_bools(shaped), dates, arrow_text("0000-00-00")).cast(pa.string()))
    n = len(shaped)
    if ten is None or not n:
        return (np.zeros(n, dtype=np.int64),) * 3

    def number(first: int, last: int) -> np.ndarray:
        out = np.zeros(n, dtype=np.int64)
        for c in range(first, last):
            out = out * 10 + (ten[:, c].astype(np.int64) - 48)
        return np.where(shaped, out, 0)

    return number(0, 4), number(5, 7), number(8, 10)


def _edges_plain(column: pa.ChunkedArray | pa.Array) -> bool:
    """No value begins or ends with a byte that could be (part of) whitespace: below 0x21, or 0x7F and up (a
    non-ASCII character, which might be U+00A0 or U+3000). Such a column is its own trim, and is not copied."""
    import numpy as np
    import pyarrow as pa

    for chunk in column.chunks if isinstance(column, pa.ChunkedArray) else [column]:
        if chunk.null_count or not pa.types.is_string(chunk.type):
            return False
        if not len(chunk) or chunk.buffers()[2] is None:  # (no values, or every value empty)
            continue
        offsets, b = text_offsets(chunk), text_data(chunk)
        filled = offsets[1:] > offsets[:-1]
        edges = np.concatenate([b[offsets[:-1][filled]], b[offsets[1:][filled] - 1]])
        if ((edges < 0x21) | (edges >= 0x7F)).any():
            return False
    return True


def _lower_already(column: pa.ChunkedArray | pa.Array) -> bool:
    """No value holds a byte lower-casing could change: no ASCII capital letter and nothing beyond ASCII (a
    non-ASCII character may have a lower case). Such a column is its own lower case, and is not copied."""
    import pyarrow as pa

    for chunk in column.chunks if isinstance(column, pa.ChunkedArray) else [column]:
        if chunk.null_count or not pa.types.is_string(chunk.type):
            return False
        if not len(chunk):
            continue
        offsets = text_offsets(chunk)
        b = text_data(chunk)[offsets[0] : offsets[-1]]
        if (((b >= 0x41) & (b <= 0x5A)) | (b >= 0x80)).any():
            return False
    return True


def _few_values(column: pa.ChunkedArray, fn: Callable[[pa.Array], pa.Array]) -> pa.ChunkedArray:
    """fn applied to each distinct value once (a column of few values: event kinds, account types, years)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column).combine_chunks()
    return pa.chunked_array([fn(encoded.dictionary).take(encoded.indices)])


def _typed(raw: pa.Table, fname: str) -> tuple[pa.Table, list[Problem]]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    problems: list[Problem] = []
    lines = numpy_ints(raw.column("source_line"))

    def report(mask: np.ndarray, column: str, message: str | Callable[[int], str]) -> None:
        """One Problem per flagged row; a message function runs only for those rows."""
        idx = np.flatnonzero(mask)
        for i in idx[:MAX_PROBLEMS_PER_COLUMN]:
            msg = message if isinstance(message, str) else message(int(i))
            problems.append(Problem(fname, msg, line=int(lines[i]), column=column))
        if len(idx) > MAX_PROBLEMS_PER_COLUMN:
            problems.append(
                Problem(
                    fname,
                    f"... and {len(idx) - MAX_PROBLEMS_PER_COLUMN:,} more rows with problems in column '{column}'",
                )
            )

    def where(mask: pa.ChunkedArray | pa.Array) -> np.ndarray:
        return numpy_bools(mask)

    empty = arrow_text("")

    def text(column: str, lower: bool = False, few: bool = False) -> pa.ChunkedArray:
        """A column stripped (and lower-cased) as pandas' .str.strip() / .str.lower() do (Unicode whitespace)."""

        def clean(values: pa.Array) -> pa.Array:
            out = values if _edges_plain(values) else pc.utf8_trim_whitespace(values)
            return pc.utf8_lower(out) if lower else out

        values = raw.column(column)
        if _edges_plain(values) and (not lower or _lower_already(values)):
            return values  # already its own strip (and lower case), as a well-formed file's columns are: no copy
        return _few_values(values, clean) if few else clean(values)

    taxpayer = text("taxpayer")
    no_taxpayer = where(pc.equal(taxpayer, empty))
    report(no_taxpayer, "taxpayer", "missing taxpayer")

    # A date is YYYY-MM-DD and a real day (what pandas.to_datetime accepts with that format).
    date_text = text("date")
    ten = _ten_bytes(date_text)
    shaped = _shaped(ten) if ten is not None else where(pc.match_substring_regex(date_text, DATE_FORMAT))
    year, month, day = _date_parts(date_text, shaped, ten)
    bad_date = ~(shaped & (month >= 1) & (month <= 12) & (day >= 1) & (day <= _days_in_month(year, month)))
    no_date = where(pc.equal(date_text, empty))
    report(bad_date & no_date, "date", "missing date")
    report(
        bad_date & ~no_date,
        "date",
        lambda i: f"impossible or malformed date '{date_text[i].as_py()}' (expected YYYY-MM-DD)",
    )

    ty_text = text("tax_year", few=True)
    ty_ok = where(pc.match_substring_regex(ty_text, r"^[0-9]{4}$"))
    ty_bad = ~ty_ok & ~where(pc.equal(ty_text, empty))
    report(ty_bad, "tax_year", lambda i: f"tax_year '{ty_text[i].as_py()}' is not a four-digit year")
    tax_year = np.where(bad_date, 0, year)
    if ty_ok.any():
        given = numpy_ints(pc.cast(pc.if_else(arrow_bools(ty_ok), ty_text, arrow_text("0")), pa.int64()))
        tax_year = np.where(ty_ok, given, tax_year)

    kind = text("event", lower=True, few=True)
    known = kinds()
    kind_at = pc.index_in(kind, value_set=arrow_strings(list(known)))  # null for a kind we do not know
    account_type = text("account_type", lower=True, few=True)
    missing_type = pc.and_(pc.equal(account_type, empty), pc.is_valid(kind_at))
    if where(missing_type).any():  # the kind's usual account
        default = arrow_strings([k.default_account for k in known.values()]).take(kind_at.combine_chunks())
        account_type = pc.if_else(missing_type, default, account_type)

    amount_text = text("amount")
    cents, code = amount_codes(amount_text)
    report(code != 0, "amount", lambda i: f"{AMOUNT_PROBLEMS[code[i]]} ('{amount_text[i].as_py()}')")
    n = raw.num_rows
    memo = raw.column("memo") if "memo" in raw.column_names else pa.repeat(empty, n)
    # Rows that did not parse are reported here; the ledger schema checks the rest, so the user sees every
    # problem of the file at once.
    parsed_ok = ~(bad_date | (code != 0) | no_taxpayer | ty_bad)
    # The schema checks kinds only on rows that parsed; say it here for the others too.
    unknown_kind = ~where(pc.is_valid(kind_at))
    report(
        ~parsed_ok & unknown_kind,
        "event",
        lambda i: f"unknown event kind '{kind[i].as_py()}'{did_you_mean(kind[i].as_py(), known)}",
    )
    out = pa.table(
        {
            "taxpayer": taxpayer,
            "date": date_text,
            "tax_year": arrow_ints(tax_year),
            "account": text("account"),
            "kind": kind,
            "account_type": account_type,
            "amount_cents": arrow_ints(cents),
            "memo": memo,
            "source_line": raw.column("source_line"),
        }
    )
    # The text columns taken as pyarrow's reader cut them (one chunk per MB of file) made one array each, once:
    # every check after this (schema rules, duplicates, deadlines, SSN masks) reads them as one array, and each
    # made its own copy before.
    out = out.combine_chunks()
    return (out if parsed_ok.all() else out.filter(arrow_bools(parsed_ok))), problems
