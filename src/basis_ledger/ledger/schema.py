"""Pandera schemas: the contract for every frame entering the ledger and every frame of computed lines.

Failures become Problems (file, line, column, sentence), never tracebacks. Lazy validation reports every
failure at once. Cross-field rules come from the event-kind table (schemas/event_kinds.toml).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from basis_ledger.model import ACCOUNT_TYPES, Problem, kinds
from basis_ledger.money import MAX_EVENT_CENTS
from basis_ledger.suggest import did_you_mean

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pandera.pandas

FIRST_YEAR, LAST_YEAR = 1975, 2100  # IRAs began in 1975
OPENING_KINDS = frozenset(k.name for k in kinds().values() if k.tax_year == "any")


@dataclass(frozen=True)
class RowRule:
    """A rule over whole rows: `ok(frame)` is True where a row passes; `say(row)` explains a failure."""

    name: str
    column: str
    ok: Callable[[pd.DataFrame], pd.Series]
    say: Callable[[pd.Series], str]


def _allowed_account(df: pd.DataFrame) -> pd.Series:
    """Decided once per distinct (kind, account type) pair and looked up per row. An unknown kind or type is
    another rule's problem (it passes here); a missing value has code -1, the table's last row or column: a
    missing type passes, a missing kind fails with a known type (as the rule did row by row)."""
    import numpy as np
    import pandas as pd

    kind_codes, kind_values = pd.factorize(df["kind"])
    type_codes, type_values = pd.factorize(df["account_type"])
    types = np.asarray(type_values, dtype=object)
    unknown_type = ~np.isin(types, ACCOUNT_TYPES)
    table = np.ones((len(kind_values) + 1, len(types) + 1), dtype=bool)
    table[-1, :-1] = unknown_type
    known = kinds()
    for i, k in enumerate(kind_values):
        if k in known:
            table[i, :-1] = np.isin(types, known[k].accounts) | unknown_type
    return pd.Series(table[kind_codes, type_codes], index=df.index)


def _date_years(df: pd.DataFrame) -> np.ndarray:
    """The year of each date, as `df["date"].str.slice(0, 4).astype("int64")` gives (or refuses) it: read from
    the text's bytes when every date starts with four ASCII digits, else by that pandas expression."""
    import numpy as np
    import pyarrow as pa

    column = df["date"]
    try:
        arr = pa.array(column, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        arr = None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr is not None and len(arr) and not arr.null_count:
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
        data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)
        starts = offsets[:-1]
        if (offsets[1:] - starts >= 4).all():
            digits = data[starts[:, None] + np.arange(4)].astype(np.int64) - 48
            if ((digits >= 0) & (digits <= 9)).all():
                found: np.ndarray = digits @ np.array([1000, 100, 10, 1], dtype=np.int64)
                return found
    years: np.ndarray = column.str.slice(0, 4).astype("int64").to_numpy()
    return years


def _tax_year_rule(df: pd.DataFrame) -> pd.Series:
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(df["kind"])
    rules = ("date", "contribution", "earlier", "any")
    known = kinds()
    # Each kind's rule as a number (4: no rule, an unknown kind); a missing kind (code -1) takes the last, 4.
    rule = np.array([rules.index(known[k].tax_year) if k in known else 4 for k in uniques] + [4])[codes]
    diff = _date_years(df) - df["tax_year"].to_numpy()
    ok = (
        ((rule == 0) & (diff == 0))
        | ((rule == 1) & ((diff == 0) | (diff == 1)))
        | ((rule == 2) & (diff >= 0))
        | (rule >= 3)
    )
    return pd.Series(ok, index=df.index)


def _date_in_range(df: pd.DataFrame) -> pd.Series:
    import pandas as pd

    years = _date_years(df)
    return pd.Series((years >= FIRST_YEAR) & (years <= LAST_YEAR), index=df.index)


def _year_end_on_dec31(df: pd.DataFrame) -> pd.Series:
    return (df["kind"] != "year_end_value") | df["date"].str.endswith("-12-31")


def _account_named(df: pd.DataFrame) -> pd.Series:
    return (df["account"] != "") | df["kind"].isin(list(OPENING_KINDS))


# Characters no stored text may hold: C0 controls but tab and line feed, DEL and C1 controls (ESC starts a
# terminal escape; openpyxl refuses the rest). Each is refused at import, with the line named.
CONTROL_CHARS = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"
MAX_TEXT = {"taxpayer": 64, "account": 64, "memo": 1000}  # longest value of each text column (docs/limits.md)


def _free_of_control(column: pd.Series) -> pd.Series:
    """~column.str.contains(CONTROL_CHARS): first a scan of the column's UTF-8 bytes (no control byte and no C1
    lead pair anywhere means no row has one), the regex only when the scan finds something."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    try:
        arr = pa.array(column, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        arr = None
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    if arr is not None and not arr.null_count:
        clean = True
        for chunk in chunks:
            data = chunk.buffers()[2]
            b = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
            low = (b < 0x20) & (b != 0x09) & (b != 0x0A)
            # U+007F is 0x7F; U+0080..U+009F are 0xC2 followed by 0x80..0x9F in UTF-8.
            c1 = (b[:-1] == 0xC2) & (b[1:] >= 0x80) & (b[1:] <= 0x9F)
            if low.any() or (b == 0x7F).any() or c1.any():
                clean = False
                break
        if clean:
            return pd.Series(np.ones(len(column), dtype=bool), index=column.index)
    result: pd.Series = ~column.str.contains(CONTROL_CHARS, regex=True)
    return result


def _no_control(column: str) -> RowRule:
    import re

    def say(r: pd.Series) -> str:
        m = re.search(CONTROL_CHARS, str(r[column]))
        shown = m[0].encode("unicode_escape").decode("ascii") if m else "?"
        return f"control character {shown} in {column}: remove it (it cannot be stored, printed or written safely)"

    return RowRule(f"{column}-no-control", column, lambda df: _free_of_control(df[column]), say)


def _not_too_long(column: str, limit: int) -> RowRule:
    return RowRule(
        f"{column}-length",
        column,
        lambda df: df[column].str.len() <= limit,
        lambda r: f"{column} is {len(str(r[column])):,} characters long; the limit is {limit:,}",
    )


TEXT_RULES = (
    *(_no_control(c) for c in ("taxpayer", "date", "account", "memo")),
    *(_not_too_long(c, n) for c, n in MAX_TEXT.items() if c != "taxpayer"),
)

ROW_RULES = (
    *TEXT_RULES,
    RowRule(
        "kind-known",
        "event",
        lambda df: df["kind"].isin(list(kinds())),
        lambda r: (
            f"unknown event kind '{r['kind']}'"
            + (did_you_mean(r["kind"], kinds()) or f" (known: {', '.join(sorted(kinds()))})")
        ),
    ),
    RowRule(
        "account-type-known",
        "account_type",
        lambda df: (
            df["account_type"].isin(ACCOUNT_TYPES) | ((df["account_type"] == "") & ~df["kind"].isin(list(kinds())))
        ),
        lambda r: f"unknown account_type '{r['account_type']}' (known: {', '.join(ACCOUNT_TYPES)})",
    ),
    RowRule(
        "account-type-allowed",
        "account_type",
        _allowed_account,
        lambda r: (
            f"event '{r['kind']}' cannot name account_type '{r['account_type']}' "
            f"(allowed: {', '.join(kinds()[r['kind']].accounts)})"
        ),
    ),
    RowRule(
        "tax-year-rule",
        "tax_year",
        _tax_year_rule,
        lambda r: (
            f"tax_year {r['tax_year']} does not fit a '{r['kind']}' dated {r['date']}: "
            + (
                "a contribution is for the year of its date or the year before"
                if kinds()[r["kind"]].tax_year == "contribution"
                else "it must be the year of its date or an earlier year"
                if kinds()[r["kind"]].tax_year == "earlier"
                else "this event counts in the year of its date; leave tax_year empty"
            )
        ),
    ),
    RowRule(
        "tax-year-range",
        "tax_year",
        lambda df: df["tax_year"].between(FIRST_YEAR, LAST_YEAR),
        lambda r: f"tax_year {r['tax_year']} is outside {FIRST_YEAR}-{LAST_YEAR}",
    ),
    RowRule(
        "date-range",
        "date",
        _date_in_range,
        lambda r: f"date {r['date']} is outside {FIRST_YEAR}-{LAST_YEAR}",
    ),
    RowRule(
        "year-end-dec-31",
        "date",
        _year_end_on_dec31,
        lambda r: f"a year_end_value is the value on 31 December; {r['date']} is not a 31 December",
    ),
    RowRule(
        "amount-nonzero",
        "amount",
        lambda df: (df["amount_cents"] > 0) | df["kind"].isin(["year_end_value", *OPENING_KINDS]),
        lambda r: f"zero amount: only a year_end_value or an opening balance may be 0 (event '{r['kind']}')",
    ),
    RowRule(
        "account-named",
        "account",
        _account_named,
        lambda r: f"event '{r['kind']}' needs an account (only opening balances may leave it empty)",
    ),
)


def events_schema() -> pandera.pandas.DataFrameSchema:
    """The pandera schema for an events frame (before the ledger adds file provenance)."""
    import pandera.pandas as pa

    def rule_check(rule: RowRule) -> pa.Check:
        # Earlier rules failing (unknown kind) would make later ones meaningless; guard with a try.
        def fn(df: pd.DataFrame) -> pd.Series:
            return rule.ok(df)

        return pa.Check(fn, error=rule.name, name=rule.name)

    return pa.DataFrameSchema(
        {
            "taxpayer": pa.Column(str, pa.Check.str_length(min_value=1, max_value=64, error="taxpayer-length")),
            "date": pa.Column(str, pa.Check.str_matches(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", error="date-format")),
            "tax_year": pa.Column("int64"),
            "account": pa.Column(str),
            "account_type": pa.Column(str),
            "kind": pa.Column(str),
            "amount_cents": pa.Column(
                "int64", [pa.Check.ge(0, error="amount-positive"), pa.Check.le(MAX_EVENT_CENTS, error="amount-absurd")]
            ),
            "memo": pa.Column(str),
            "source_line": pa.Column("int64", pa.Check.ge(0, error="source-line")),
        },
        checks=[rule_check(r) for r in ROW_RULES],
        strict=False,
        coerce=False,
    )


@contextmanager
def _without_hypothesis() -> Iterator[None]:
    """pandera, on import and on its first validate, builds data-synthesis strategies when hypothesis is installed
    (only the development extra installs it), which costs a command about 0.2 s of CPU; the ledger never
    synthesises data. So while pandera loads, hypothesis cannot be imported (a None in sys.modules), as in an
    install without the extra. A process that has imported hypothesis already (the tests) is left as it is."""
    if "hypothesis" in sys.modules:
        yield
        return
    sys.modules["hypothesis"] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if sys.modules.get("hypothesis", 0) is None:
            del sys.modules["hypothesis"]


def validation_problems(frame: pd.DataFrame, fname: str, limit: int = 200) -> list[Problem]:
    """Validate lazily; turn every failure into a Problem naming file, line and column.

    A frame gathered from several files carries each row's file in a `source_file` column; `fname` names the
    batch for failures that belong to no row."""
    if frame.empty:
        return []
    with _without_hypothesis():
        import pandera.pandas as pa

        try:
            events_schema().validate(frame, lazy=True)
            return []
        except pa.errors.SchemaErrors as err:
            cases = err.failure_cases
    rules = {r.name: r for r in ROW_RULES}
    problems: list[Problem] = []
    seen: set[tuple[str, int]] = set()
    for case in cases.itertuples(index=False):
        idx = case.index
        if idx is None or (isinstance(idx, float) and idx != idx):  # schema-level failure (a dtype)
            problems.append(Problem(fname, f"column {case.column}: {case.check} failed ({case.failure_case})"))
            continue
        idx = int(idx)
        if (case.check, idx) in seen:
            continue
        seen.add((case.check, idx))
        row = cast("pd.Series[Any]", frame.loc[idx])  # one label, one row
        rule = rules.get(case.check)
        column = rule.column if rule else str(case.column)
        message = rule.say(row) if rule else f"{case.check}: {case.failure_case!r}"
        where = str(row["source_file"]) if "source_file" in frame.columns else fname
        problems.append(Problem(where, message, line=int(row["source_line"]), column=column))
        if len(problems) >= limit:
            problems.append(Problem(fname, f"... stopped after {limit} problems"))
            break
    return problems
