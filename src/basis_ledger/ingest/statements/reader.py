"""The reader: a statement file (CSV text or workbook) -> a grid of text cells -> the profile's sections.

A section starts at a row that matches one of the profile's header generations (found by content, anywhere in
the file: preambles, title rows and several sections are normal) and ends at a footer row or the next header.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from basis_ledger.ingest.statements.profile import Header, Profile, norm

if TYPE_CHECKING:
    from basis_ledger.ingest.source import SourceFile

Cells = tuple[int, list[str]]  # (file line or sheet row, cells)


@dataclass
class Sheet:
    name: str  # "" for a CSV file
    rows: list[Cells]


@dataclass
class Section:
    header: Header
    sheet: str
    header_line: int
    columns: list[str]  # normalised header cells, in file order
    rows: list[Cells] = field(default_factory=list)
    preamble: list[str] = field(default_factory=list)  # text of the rows above the header (titles)


_GRIDS: dict[tuple[str, str], list[Sheet]] = {}


def grid(src: SourceFile) -> list[Sheet]:
    """Every sheet of the file as rows of text cells; parsed once per file however many profiles look at it."""
    key = (str(src.path), src.sha256)
    if key not in _GRIDS:
        if is_workbook(src):
            from basis_ledger.ingest.xlsx import read_workbook

            sheets = [Sheet(name, rows) for name, rows in read_workbook(src)]
        else:
            sheets = [Sheet("", _csv_rows(src.text))]
        _GRIDS.clear()  # one file at a time is enough; keeps memory flat over a long import
        _GRIDS[key] = sheets
    return _GRIDS[key]


def is_workbook(src: SourceFile) -> bool:
    return src.data[:4] == b"PK\x03\x04" and src.path.suffix.lower() in (".xlsx", ".xlsm")


def is_old_excel(src: SourceFile) -> bool:
    return src.data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or src.path.suffix.lower() == ".xls"


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a file becomes rows: tens of thousands of new lists, none of them
    in a cycle, would otherwise set off full collections that walk every object of the process (pandas' too)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _csv_rows(text: str) -> list[Cells]:
    """Every row with the file line it starts on (a quoted cell may hold line breaks: then rows and lines differ)."""
    text = text.lstrip("\ufeff")
    with _collector_paused():
        reader = csv.reader(io.StringIO(text))
        cells = list(reader)
        if reader.line_num == len(cells):  # one line per row, the usual case: row i is line i
            return list(enumerate(cells, 1))
        reader = csv.reader(io.StringIO(text))
        rows: list[Cells] = []
        start = 1
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
        return rows


def _may_be_header(profile: Profile, cells: list[str]) -> bool:
    """The cheap test every data row fails: three cells or more, and a first cell that starts some header."""
    return len(cells) >= 3 and not cells[0][:1].isdigit() and norm(cells[0]) in profile.header_names


def match_header(profile: Profile, cells: list[str]) -> Header | None:
    """The header generation this row is (the one with the most columns when several fit), else None."""
    return _which_header(profile, cells) if _may_be_header(profile, cells) else None


def _which_header(profile: Profile, cells: list[str]) -> Header | None:
    have = {norm(c) for c in cells}
    best = None
    for h in profile.headers:
        if h.columns <= have and (best is None or len(h.columns) > len(best.columns)):
            best = h
    return best


def identify(profile: Profile, src: SourceFile) -> bool:
    """True when a header of this profile appears within the first rows of some sheet."""
    if is_old_excel(src):
        return False
    if not is_workbook(src) and (src.looks_binary or src.path.suffix.lower() not in profile.extensions):
        return False
    try:
        # A CSV is judged by its first lines only: a big file of another kind is never parsed whole here.
        sheets = grid(src) if is_workbook(src) else [Sheet("", _head_rows(src, profile.max_preamble))]
    except Exception:  # unreadable here means "not mine"; extract reports the real problem
        return False
    return any(match_header(profile, cells) for s in sheets for _, cells in s.rows[: profile.max_preamble])


_HEADS: dict[tuple[str, str, int], list[Cells]] = {}


def _head_rows(src: SourceFile, n: int) -> list[Cells]:
    """The first n lines of a CSV as rows, parsed once per file however many profiles ask (a dozen do)."""
    key = (str(src.path), src.sha256, n)
    if key not in _HEADS:
        head = src.head(256 * 1024)
        _HEADS.clear()  # one file at a time, like _GRIDS
        _HEADS[key] = _csv_rows("\n".join(head.splitlines()[:n]))
    return _HEADS[key]


def near_miss(profile: Profile, cells: list[str]) -> str | None:
    """A row that is nearly one of the profile's headers (a column renamed or missing): what it lacks, else None.

    Its rows must not be read as something else (skipped, or taken for holdings): the file is refused instead."""
    return _which_near_miss(profile, cells) if _may_be_header(profile, cells) else None


def _which_near_miss(profile: Profile, cells: list[str]) -> str | None:
    have = {norm(c) for c in cells}
    near = [h for h in profile.headers if len(h.columns & have) >= max(3, len(h.columns) - 2)]
    if not near:
        return None
    best = max(near, key=lambda h: (len(h.columns & have), -len(h.columns - have)))  # the closest generation
    missing = sorted(best.columns - have)
    return f"{best.generation}: no column {', '.join(repr(m) for m in missing)}" if missing else None


def sections(
    profile: Profile, sheets: list[Sheet], unknown: list[tuple[int, str]] | None = None
) -> tuple[list[Section], dict[str, int]]:
    """Split every sheet into the profile's sections; count the rows outside any section, by reason.

    Rows that are nearly a header but match no generation are listed in `unknown` (line, what is missing)."""
    out: list[Section] = []
    counts: dict[str, int] = {}
    footer = re.compile("|".join(f"(?:{f.pattern})" for f in profile.footers), re.I) if profile.footers else None
    # Most rows are data: their first cell (a date, an account number) settles, once per distinct text, whether
    # the row could be a header, whether it ends a section (footer) and whether the row is blank.
    firsts: dict[str, tuple[bool, bool, bool]] = {}
    for sheet in sheets:
        current: Section | None = None
        above: list[str] = []
        ended = False
        for line, cells in sheet.rows:
            first = cells[0] if cells else ""
            known = firsts.get(first)
            if known is None:
                text = first.strip()
                known = firsts[first] = (
                    _may_be_header(profile, [first, "", ""]),
                    bool(footer is not None and footer.search(text)),
                    bool(text),
                )
            maybe, ends, filled = known
            maybe = maybe and len(cells) >= 3
            header = _which_header(profile, cells) if maybe and filled else None
            if header is None and maybe and unknown is not None and (miss := _which_near_miss(profile, cells)):
                unknown.append((line, miss))
            if header is not None:
                current = Section(header, sheet.name, line, [norm(c) for c in cells], preamble=above)
                out.append(current)
                above, ended = [], False
                continue
            filled = filled or bool("".join(cells).strip())
            if current is None or ended:
                if filled:
                    above.append(",".join(c for c in cells if c.strip()))
                    counts["preamble or footer text" if current is None else "footer"] = (
                        counts.get("preamble or footer text" if current is None else "footer", 0) + 1
                    )
                continue
            if not filled:
                counts["blank line"] = counts.get("blank line", 0) + 1
                continue
            if ends:
                ended = True
                counts["footer"] = counts.get("footer", 0) + 1
                continue
            if current.header.role == "positions" and sum(1 for c in cells if c.strip()) == 1:
                above.append(cells[0].strip())  # the title line of the next account's block
                ended = True
                continue
            current.rows.append((line, cells))
    return out, counts
