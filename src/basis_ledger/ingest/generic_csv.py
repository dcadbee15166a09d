"""The generic CSV, the interchange format (exact contract in docs/generic-csv.md).

Header required, columns in any order, names case-insensitive:
taxpayer,date,tax_year,account,account_type,event,amount (+ optional memo).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import TYPE_CHECKING

from basis_ledger.ingest.base import Extracted
from basis_ledger.model import InputError, Problem, kinds
from basis_ledger.money import parse_amounts
from basis_ledger.suggest import did_you_mean

if TYPE_CHECKING:
    import pandas as pd

    from basis_ledger.ingest.source import SourceFile

REQUIRED = ("taxpayer", "date", "tax_year", "account", "account_type", "event", "amount")
OPTIONAL = ("memo",)
MAX_PROBLEMS_PER_COLUMN = 50


def _header(text: str) -> list[str]:
    first = text.split("\n", 1)[0].rstrip("\r")
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


def read_generic(src: SourceFile) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse into typed columns; every unparsable cell is a Problem with its file line and column."""
    import pandas as pd

    fname = str(src.path)
    text = src.text.lstrip("\ufeff")
    header = _header(text)
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
    raw = _read_fast(text)
    if raw is None:  # blank lines, quoted line breaks or a malformed row: the careful reader says where
        try:
            raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False, engine="c")
        except (pd.errors.ParserError, ValueError) as exc:
            raise InputError([Problem(fname, f"not a well-formed CSV: {str(exc).strip().splitlines()[-1]}")]) from None
    raw.columns = [c.strip().lower() for c in raw.columns]
    raw["source_line"] = _line_numbers(text, len(raw))
    raw = raw[(raw[list(REQUIRED)] != "").any(axis=1)]  # blank lines carry no event
    if raw.empty:
        raise InputError([Problem(fname, "no events: the file has a header but no rows")])
    return _typed(raw, fname)


def _read_fast(text: str) -> pd.DataFrame | None:
    """pyarrow's multithreaded reader, used only when every row is one physical line (so line numbers hold)."""
    import pandas as pd

    rows = text.count("\n") - (1 if text.endswith("\n") else 0)
    if "\n\n" in text or "\n\r\n" in text or '"' in text.split("\n", 1)[0]:
        return None
    try:
        raw = pd.read_csv(io.BytesIO(text.encode()), dtype=str, keep_default_na=False, engine="pyarrow")
    except Exception:  # any pyarrow complaint: fall back to the C reader and its exact message
        return None
    return raw if len(raw) == rows else None


def _line_numbers(text: str, nrows: int) -> list[int]:
    """File line of each parsed row (header = line 1), exact even when a quoted field spans lines."""
    newlines = text.count("\n") - (1 if text.endswith("\n") else 0)
    if newlines == nrows:  # one physical line per row: the fast, common case
        return list(range(2, nrows + 2))
    reader = csv.reader(io.StringIO(text))
    next(reader)
    starts, line = [], reader.line_num + 1
    for _row in reader:
        starts.append(line)
        line = reader.line_num + 1
    return starts[:nrows] + [0] * (nrows - len(starts))


def _typed(raw: pd.DataFrame, fname: str) -> tuple[pd.DataFrame, list[Problem]]:
    import numpy as np
    import pandas as pd

    problems: list[Problem] = []
    lines = raw["source_line"].to_numpy()

    def report(mask: pd.Series, column: str, message: str | Callable[[int], str]) -> None:
        """One Problem per flagged row; a message function runs only for those rows."""
        idx = np.flatnonzero(mask.to_numpy())
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

    out = pd.DataFrame(index=raw.index)
    out["taxpayer"] = raw["taxpayer"].str.strip()
    report(out["taxpayer"] == "", "taxpayer", "missing taxpayer")

    date_text = raw["date"].str.strip()
    parsed = pd.to_datetime(date_text, format="%Y-%m-%d", errors="coerce")
    bad_date = parsed.isna() | ~date_text.str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
    report(bad_date & (date_text == ""), "date", "missing date")
    report(
        bad_date & (date_text != ""),
        "date",
        lambda i: f"impossible or malformed date '{date_text.iat[i]}' (expected YYYY-MM-DD)",
    )
    out["date"] = date_text

    ty_text = raw["tax_year"].str.strip()
    ty_ok = ty_text.str.fullmatch(r"[0-9]{4}")
    report(~ty_ok & (ty_text != ""), "tax_year", lambda i: f"tax_year '{ty_text.iat[i]}' is not a four-digit year")
    year_of_date = pd.Series(np.where(bad_date, 0, parsed.dt.year.fillna(0)), index=raw.index).astype("int64")
    out["tax_year"] = np.where(ty_ok, pd.to_numeric(ty_text.where(ty_ok, "0")), year_of_date).astype("int64")

    out["account"] = raw["account"].str.strip()
    out["kind"] = raw["event"].str.strip().str.lower()
    out["account_type"] = raw["account_type"].str.strip().str.lower()
    default = out["kind"].map({k: v.default_account for k, v in kinds().items()})
    empty_type = (out["account_type"] == "") & default.notna()
    out.loc[empty_type, "account_type"] = default[empty_type]
    cents, amount_problem = parse_amounts(raw["amount"])
    report(amount_problem != "", "amount", lambda i: f"{amount_problem.iat[i]} ('{raw['amount'].iat[i].strip()}')")
    out["amount_cents"] = cents
    out["memo"] = raw["memo"] if "memo" in raw.columns else ""
    out["source_line"] = raw["source_line"].astype("int64")
    # Rows that did not parse are reported here; the ledger schema checks the rest, so the user sees every
    # problem of the file at once.
    parsed_ok = ~(bad_date | (amount_problem != "") | (out["taxpayer"] == "") | (~ty_ok & (ty_text != "")))
    # The schema checks kinds only on rows that parsed; say it here for the others too.
    report(
        ~parsed_ok & ~out["kind"].isin(list(kinds())),
        "event",
        lambda i: f"unknown event kind '{out['kind'].iat[i]}'{did_you_mean(out['kind'].iat[i], kinds())}",
    )
    return out[parsed_ok].reset_index(drop=True), problems
