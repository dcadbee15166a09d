"""The contract for every events table entering the ledger: rules over columns, written once.

Each rule is a function over an events table's columns (Arrow text, numpy integers; no pandas) that says which
rows pass. The import applies them with `validation_problems`, a small vectorized evaluator, and every failure
becomes a Problem (file, line, column, sentence), never a traceback; every failure is reported at once, in the
order and with the limit the pandera model gives. The pandera model (`events_schema`) is built from the same rule
objects (each of its checks wraps a rule's columns function) and stays the reference contract: the tests run it
beside the evaluator on real files mutated, on hypothesis-generated tables and on every bad-input case, and assert
identical problems (tests/core/test_schema_twin.py). The import never loads pandera (0.6 s to import, ~0.5 s to
validate a bulk file: issue 13). Cross-field rules come from the event-kind table (schemas/event_kinds.toml).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from basis_ledger.arrays import arrow_text, numpy_bools, numpy_ints, one_array, text_data, text_offsets
from basis_ledger.model import ACCOUNT_TYPES, Problem, kinds
from basis_ledger.money import MAX_EVENT_CENTS
from basis_ledger.suggest import did_you_mean

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pandera.pandas
    import pyarrow as pa

FIRST_YEAR, LAST_YEAR = 1975, 2100  # IRAs began in 1975
OPENING_KINDS = frozenset(k.name for k in kinds().values() if k.tax_year == "any")
TEXT_COLUMNS = ("taxpayer", "date", "account", "account_type", "kind", "memo")
INT_COLUMNS = ("tax_year", "amount_cents", "source_line")


class Columns:
    """An events table's columns as the rules read them: text as one-chunk Arrow arrays, integers as numpy,
    each column's distinct values (dictionary codes) and the dates' years worked out once for all rules."""

    def __init__(self, table: pa.Table):
        self.table = table
        self.n = table.num_rows
        self._text: dict[str, pa.Array] = {}
        self._ints: dict[str, np.ndarray] = {}
        self._codes: dict[str, tuple[np.ndarray, list[str]]] = {}
        self._years: np.ndarray | None = None

    def text(self, name: str) -> pa.Array:
        if name not in self._text:
            column = self.table.column(name)
            self._text[name] = one_array(column)
        return self._text[name]

    def ints(self, name: str) -> np.ndarray:
        if name not in self._ints:
            self._ints[name] = numpy_ints(self.table.column(name)).astype("int64", copy=False)
        return self._ints[name]

    def codes(self, name: str) -> tuple[np.ndarray, list[str]]:
        """Each row's number among the column's distinct values (in order of first appearance), and those values."""
        if name not in self._codes:
            import numpy as np
            import pyarrow as pa
            import pyarrow.compute as pc

            column = self.table.column(name)
            if not pa.types.is_dictionary(column.type):
                column = pc.dictionary_encode(column)
            encoded = one_array(column)
            self._codes[name] = (
                numpy_ints(encoded.indices).astype(np.int64),
                encoded.dictionary.to_pylist(),
            )
        return self._codes[name]

    def where(self, name: str, test: Callable[[str], bool]) -> np.ndarray:
        """`test` of each row's value, decided once per distinct value."""
        import numpy as np

        codes, values = self.codes(name)
        found: np.ndarray = np.array([bool(test(v)) for v in values] + [False], dtype=bool)[codes]
        return found

    def date_bytes(self) -> np.ndarray | None:
        """The dates' UTF-8 bytes as an (n, 10) array when every date is ten bytes long (as every date the
        importers make is), else None."""
        import numpy as np

        arr = self.text("date")
        offsets = _offsets(arr)
        if not len(arr) or offsets[-1] - offsets[0] != 10 * len(arr) or (np.diff(offsets) != 10).any():
            return None
        return _data(arr)[offsets[0] : offsets[-1]].reshape(len(arr), 10)

    def years(self) -> np.ndarray:
        """The year of each date, from its first four characters (-1 where those are not four ASCII digits)."""
        if self._years is None:
            import numpy as np

            ten = self.date_bytes()
            if ten is not None:
                d = [ten[:, k].astype(np.int64) - 48 for k in range(4)]
                ok = np.logical_and.reduce([(x >= 0) & (x <= 9) for x in d])
                self._years = np.where(ok, ((d[0] * 10 + d[1]) * 10 + d[2]) * 10 + d[3], -1)
                return self._years
            arr = self.text("date")
            n = len(arr)
            offsets = _offsets(arr)
            data = np.concatenate([_data(arr), np.zeros(4, dtype=np.uint8)])  # (a short last date reads zeros)
            starts = offsets[:-1]
            long_enough = offsets[1:] - starts >= 4
            at = np.where(long_enough, starts, 0)[:, None] + np.arange(4)
            digits = data[at].astype(np.int64) - 48 if n else np.zeros((0, 4), dtype=np.int64)
            ok = long_enough & ((digits >= 0) & (digits <= 9)).all(axis=1)
            found = digits @ np.array([1000, 100, 10, 1], dtype=np.int64)
            self._years = np.where(ok, found, -1)
        return self._years

    def value(self, name: str, i: int) -> Any:
        if name in INT_COLUMNS:
            return int(self.ints(name)[i])
        return self.text(name)[i].as_py()

    def row(self, i: int) -> dict[str, Any]:
        """Row i's values (Python objects), for a failure's sentence."""
        return {name: self.value(name, i) for name in (*TEXT_COLUMNS, *INT_COLUMNS)}


def _offsets(arr: pa.Array) -> np.ndarray:
    import numpy as np

    return text_offsets(arr).astype(np.int64)


_data = text_data


@dataclass(frozen=True)
class RowRule:
    """A rule over whole rows: `ok(columns)` is True where a row passes; `say(row)` explains a failure."""

    name: str
    column: str
    ok: Callable[[Columns], np.ndarray]
    say: Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class ColumnRule:
    """A rule over one column's values: `ok(columns)` is True where a row passes. A failure says the rule's name
    and the value (`taxpayer-length: ''`), named by the table's own column."""

    name: str
    column: str
    ok: Callable[[Columns], np.ndarray]


def _allowed_account(c: Columns) -> np.ndarray:
    """Decided once per distinct (kind, account type) pair and looked up per row. An unknown kind or type is
    another rule's problem (it passes here)."""
    import numpy as np

    kind_codes, kind_values = c.codes("kind")
    type_codes, types = c.codes("account_type")
    unknown_type = ~np.isin(np.array(types, dtype=object), ACCOUNT_TYPES)
    table = np.ones((len(kind_values) + 1, len(types) + 1), dtype=bool)
    known = kinds()
    for i, k in enumerate(kind_values):
        if k in known:
            table[i, :-1] = np.isin(np.array(types, dtype=object), known[k].accounts) | unknown_type
    ok: np.ndarray = table[kind_codes, type_codes]
    return ok


def _tax_year_rule(c: Columns) -> np.ndarray:
    import numpy as np

    codes, uniques = c.codes("kind")
    rules = ("date", "contribution", "earlier", "any")
    known = kinds()
    # Each kind's rule as a number (4: no rule, an unknown kind).
    rule = np.array([rules.index(known[k].tax_year) if k in known else 4 for k in uniques] + [4])[codes]
    diff = c.years() - c.ints("tax_year")
    ok: np.ndarray = (
        ((rule == 0) & (diff == 0))
        | ((rule == 1) & ((diff == 0) | (diff == 1)))
        | ((rule == 2) & (diff >= 0))
        | (rule >= 3)
    )
    return ok


def _date_in_range(c: Columns) -> np.ndarray:
    years = c.years()
    ok: np.ndarray = (years >= FIRST_YEAR) & (years <= LAST_YEAR)
    return ok


def _bools(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return numpy_bools(mask)


def _year_end_on_dec31(c: Columns) -> np.ndarray:
    import pyarrow.compute as pc

    ok: np.ndarray = ~c.where("kind", lambda k: k == "year_end_value") | _bools(pc.ends_with(c.text("date"), "-12-31"))
    return ok


def _account_named(c: Columns) -> np.ndarray:
    import pyarrow.compute as pc

    ok: np.ndarray = _bools(pc.not_equal(c.text("account"), arrow_text(""))) | c.where(
        "kind", OPENING_KINDS.__contains__
    )
    return ok


# Characters no stored text may hold: C0 controls but tab and line feed, DEL and C1 controls (ESC starts a
# terminal escape; openpyxl refuses the rest). Each is refused at import, with the line named.
CONTROL_CHARS = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"
MAX_TEXT = {"taxpayer": 64, "account": 64, "memo": 1000}  # longest value of each text column (docs/limits.md)


def _free_of_control(arr: pa.Array) -> np.ndarray:
    """No row holds a control character: a scan of the column's UTF-8 bytes (a byte below 0x20 but tab and line
    feed, 0x7F, or the pair 0xC2 0x80..0x9F that spells U+0080..U+009F), each hit mapped to its row. Plain printable
    ASCII (no byte below 0x20 and none from 0x7F up) is decided by two comparisons."""
    import numpy as np

    b = _data(arr)
    offsets = _offsets(arr)
    b = b[offsets[0] : offsets[-1]] if len(offsets) else b[:0]
    if not (b < 0x20).any() and not (b >= 0x7F).any():
        return np.ones(len(arr), dtype=bool)
    low = ((b < 0x20) & (b != 0x09) & (b != 0x0A)) | (b == 0x7F)
    c1 = np.zeros(len(b), dtype=bool)
    if len(b) > 1:
        c1[:-1] = (b[:-1] == 0xC2) & (b[1:] >= 0x80) & (b[1:] <= 0x9F)
    hits = np.flatnonzero(low | c1)
    ok = np.ones(len(arr), dtype=bool)
    if len(hits):
        rows = np.searchsorted(offsets, hits + offsets[0], side="right") - 1
        ok[rows] = False
    return ok


def _no_control(column: str) -> RowRule:
    import re

    def say(r: dict[str, Any]) -> str:
        m = re.search(CONTROL_CHARS, str(r[column]))
        shown = m[0].encode("unicode_escape").decode("ascii") if m else "?"
        return f"control character {shown} in {column}: remove it (it cannot be stored, printed or written safely)"

    return RowRule(f"{column}-no-control", column, lambda c: _free_of_control(c.text(column)), say)


def _length(c: Columns, column: str) -> np.ndarray:
    """Each value's length in characters."""
    import pyarrow.compute as pc

    return numpy_ints(pc.utf8_length(c.text(column))).astype("int64")


def _length_within(c: Columns, column: str, low: int, high: int) -> np.ndarray:
    """low <= characters <= high: decided from the byte lengths where they settle it (a character is one to four
    bytes: no more characters than bytes, and a value of some bytes has some characters), else counted."""
    import numpy as np

    size = np.diff(_offsets(c.text(column)))
    floor = low if low <= 1 else 4 * low
    if len(size) and size.min() >= floor and size.max() <= high:
        return np.ones(len(size), dtype=bool)
    length = _length(c, column)
    ok: np.ndarray = (length >= low) & (length <= high)
    return ok


def _not_too_long(column: str, limit: int) -> RowRule:
    return RowRule(
        f"{column}-length",
        column,
        lambda c: _length_within(c, column, 0, limit),
        lambda r: f"{column} is {len(str(r[column])):,} characters long; the limit is {limit:,}",
    )


def _kind_known(c: Columns) -> np.ndarray:
    return c.where("kind", kinds().__contains__)


def _account_type_known(c: Columns) -> np.ndarray:
    ok: np.ndarray = c.where("account_type", ACCOUNT_TYPES.__contains__) | (
        c.where("account_type", lambda t: t == "") & ~_kind_known(c)
    )
    return ok


def _amount_nonzero(c: Columns) -> np.ndarray:
    zero_ok = {"year_end_value", *OPENING_KINDS}
    ok: np.ndarray = (c.ints("amount_cents") > 0) | c.where("kind", zero_ok.__contains__)
    return ok


DATE_FORMAT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _date_shaped(c: Columns) -> np.ndarray:
    """DATE_FORMAT: read from the bytes when every date is ten bytes (digits, dashes at 4 and 7), else by regex."""
    import pyarrow.compute as pc

    ten = c.date_bytes()
    if ten is None:
        return _bools(pc.match_substring_regex(c.text("date"), DATE_FORMAT))
    digit = (ten >= 0x30) & (ten <= 0x39)
    dash = ten == 0x2D
    shaped: np.ndarray = digit[:, [0, 1, 2, 3, 5, 6, 8, 9]].all(axis=1) & dash[:, 4] & dash[:, 7]
    return shaped


TEXT_RULES = (
    *(_no_control(c) for c in ("taxpayer", "date", "account", "memo")),
    *(_not_too_long(c, n) for c, n in MAX_TEXT.items() if c != "taxpayer"),
)

ROW_RULES = (
    *TEXT_RULES,
    RowRule(
        "kind-known",
        "event",
        _kind_known,
        lambda r: (
            f"unknown event kind '{r['kind']}'"
            + (did_you_mean(r["kind"], kinds()) or f" (known: {', '.join(sorted(kinds()))})")
        ),
    ),
    RowRule(
        "account-type-known",
        "account_type",
        _account_type_known,
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
        lambda c: (c.ints("tax_year") >= FIRST_YEAR) & (c.ints("tax_year") <= LAST_YEAR),
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
        _amount_nonzero,
        lambda r: f"zero amount: only a year_end_value or an opening balance may be 0 (event '{r['kind']}')",
    ),
    RowRule(
        "account-named",
        "account",
        _account_named,
        lambda r: f"event '{r['kind']}' needs an account (only opening balances may leave it empty)",
    ),
)

# Checks of single columns, in the table's column order (as the pandera model lists them).
COLUMN_RULES = (
    ColumnRule("taxpayer-length", "taxpayer", lambda c: _length_within(c, "taxpayer", 1, 64)),
    ColumnRule("date-format", "date", _date_shaped),
    ColumnRule("amount-positive", "amount_cents", lambda c: c.ints("amount_cents") >= 0),
    ColumnRule("amount-absurd", "amount_cents", lambda c: c.ints("amount_cents") <= MAX_EVENT_CENTS),
    ColumnRule("source-line", "source_line", lambda c: c.ints("source_line") >= 0),
)


def events_schema() -> pandera.pandas.DataFrameSchema:
    """The pandera model of an events frame (before the ledger adds file provenance): the reference contract,
    built from the rule objects above (each check wraps a rule's columns function), run in the tests."""
    import pandas as pd
    import pandera.pandas as pa

    from basis_ledger.ingest.base import EVENT_COLUMNS, to_arrow

    def row_check(rule: RowRule) -> pa.Check:
        def fn(df: pd.DataFrame) -> pd.Series:
            return pd.Series(rule.ok(Columns(to_arrow(df))), index=df.index)

        return pa.Check(fn, error=rule.name, name=rule.name)

    def column_check(rule: ColumnRule) -> pa.Check:
        def fn(column: pd.Series) -> pd.Series:  # (the rule reads only its own column)
            return pd.Series(rule.ok(Columns(to_arrow(column.to_frame(rule.column)))), index=column.index)

        return pa.Check(fn, error=rule.name, name=rule.name)

    checks: dict[str, list[pa.Check]] = {}
    for rule in COLUMN_RULES:
        checks.setdefault(rule.column, []).append(column_check(rule))
    return pa.DataFrameSchema(
        {c: pa.Column("int64" if c in INT_COLUMNS else str, checks.get(c, [])) for c in EVENT_COLUMNS},
        checks=[row_check(r) for r in ROW_RULES],
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


def pandera_problems(frame: pd.DataFrame, fname: str, limit: int = 200) -> list[Problem]:
    """The reference: the pandera model's failures as Problems (the tests compare `validation_problems` to it).

    A frame gathered from several files carries each row's file in a `source_file` column; `fname` names the
    batch for failures that belong to no row."""
    from typing import cast

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
        message = rule.say({str(k): v for k, v in row.items()}) if rule else f"{case.check}: {case.failure_case!r}"
        where = str(row["source_file"]) if "source_file" in frame.columns else fname
        problems.append(Problem(where, message, line=int(row["source_line"]), column=column))
        if len(problems) >= limit:
            problems.append(Problem(fname, f"... stopped after {limit} problems"))
            break
    return problems


def validation_problems(
    events: pa.Table | pd.DataFrame, fname: str, limit: int = 200, files: Callable[[int], str] | None = None
) -> list[Problem]:
    """Every rule over every row at once; each failure a Problem naming file, line and column, in the pandera
    model's order: the row rules in order, each in row order, then the column rules in column order (pandera
    lists a frame's checks before its columns'), stopping after `limit`.

    `files(i)` names the file of row i of a table gathered from several files; `fname` names the batch for
    failures that belong to no row. A pandas frame (what some callers hold) is taken as its Arrow columns."""
    import numpy as np

    from basis_ledger.ingest.base import to_arrow

    if files is None and not hasattr(events, "num_rows") and "source_file" in events.columns:
        names = events["source_file"].astype(str).to_numpy()
        files = names.__getitem__
    table = to_arrow(events)
    if not table.num_rows:
        return []
    c = Columns(table)
    problems: list[Problem] = []
    rules: tuple[RowRule | ColumnRule, ...] = (*ROW_RULES, *COLUMN_RULES)
    for rule in rules:
        failing = np.flatnonzero(~rule.ok(c))
        for i in failing.tolist():
            where = files(i) if files else fname
            line = c.value("source_line", i)
            if isinstance(rule, RowRule):
                problems.append(Problem(where, rule.say(c.row(i)), line=line, column=rule.column))
            else:
                problems.append(
                    Problem(where, f"{rule.name}: {c.value(rule.column, i)!r}", line=line, column=rule.column)
                )
            if len(problems) >= limit:
                problems.append(Problem(fname, f"... stopped after {limit} problems"))
                return problems
    return problems
