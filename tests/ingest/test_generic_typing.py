"""The generic CSV's typing in Arrow, against plain Python references: amounts to exact cents (Decimal), dates
to real calendar days (the proleptic Gregorian calendar pandas.to_datetime reads, year 0000 included)."""

from __future__ import annotations

import calendar
import re
from decimal import Decimal

import pyarrow as pa
from hypothesis import example, given, settings
from hypothesis import strategies as st

from basis_ledger.ingest.generic_csv import read_generic
from basis_ledger.ingest.source import SourceFile
from basis_ledger.model import InputError
from basis_ledger.money import AMOUNT_PROBLEMS, MAX_EVENT_CENTS, amount_codes

SHAPE = re.compile(r"\$?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{1,2}))?")


def _reference(text: str) -> tuple[int, str]:
    """(cents, problem) for one stripped amount text, by Python's re and Decimal."""
    if not SHAPE.fullmatch(text):
        if text == "":
            return 0, "missing amount"
        if re.match(r"(-|\(|\$-|-\$)", text):
            return 0, "negative amount (amounts are positive; the event kind gives the direction)"
        return 0, "not an amount (expected a positive number such as 1,234.56)"
    digits = text.replace("$", "").replace(",", "")
    whole = digits.partition(".")[0]
    if len(whole) + 2 > 14:  # more digits than the ledger's int64 cents are read for
        return 0, "absurd amount (over $10 billion)"
    cents = int(Decimal(digits) * 100)
    return cents, "absurd amount (over $10 billion)" if cents > MAX_EVENT_CENTS else ""


amount_text = st.one_of(
    st.text(alphabet="0123456789,.$-( ", max_size=18).map(str.strip),
    st.integers(0, 10**15).map(str),
    st.tuples(st.integers(0, 10**13), st.integers(0, 99)).map(lambda t: f"{t[0]:,}.{t[1]:02d}"),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(amount_text, min_size=1, max_size=40))
@example(["1", "1.5", "$1,234.56", "99999999999.99", "10000000000.00", "10000000000.01", "000000000001.99", ""])
def test_amounts_are_exact_cents(texts):
    cents, codes = amount_codes(pa.array(texts, type=pa.string()))
    got = [(int(c), AMOUNT_PROBLEMS[k]) for c, k in zip(cents, codes, strict=True)]
    want = [_reference(t) for t in texts]
    assert got == want  # a refused amount has 0 cents, except one over the limit, which keeps its value


def _real_day(text: str) -> bool:
    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", text)
    if not m:
        return False
    y, mo, d = (int(g) for g in m.groups())
    if not 1 <= mo <= 12:
        return False
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)  # year 0 is a leap year, as 400 and 2000 are
    days = calendar.mdays[mo] + (mo == 2 and leap)
    return 1 <= d <= days


dates = st.one_of(
    st.tuples(st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32)).map(
        lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"
    ),
    st.text(alphabet="0123456789-/ ", max_size=11),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(dates, min_size=1, max_size=30))
@example(["2021-02-29", "2020-02-29", "1900-02-29", "2000-02-29", "0000-02-29", "2021-04-31", "2021-1-01"])
def test_dates_are_real_days(tmp_path_factory, texts):
    path = tmp_path_factory.mktemp("dates") / "d.csv"
    rows = [f"ed,{d},2021,IRA-1,traditional,nondeductible_contribution,100" for d in texts]
    path.write_text("taxpayer,date,tax_year,account,account_type,event,amount\n" + "\n".join(rows) + "\n")
    frame, problems = read_generic(SourceFile.read(path))
    flagged = {p.line for p in problems if p.column == "date"}
    assert flagged == {i + 2 for i, d in enumerate(texts) if not _real_day(d.strip())}
    assert frame.column("date").to_pylist() == [d.strip() for d in texts if _real_day(d.strip())]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["row", ",,,,,,,", ""]), min_size=1, max_size=30), st.booleans())
def test_rows_of_empty_cells_carry_no_event_and_the_others_keep_their_lines(tmp_path_factory, shapes, quoted):
    # A spreadsheet's trailing rows of commas, and truly empty lines, are blank lines; every other row keeps its
    # own file line, on the fast reader (a file without quotes: each physical line a row, an empty one a row of
    # empty cells) and on the careful one (a quoted line break in a row forces it).
    path = tmp_path_factory.mktemp("blank") / "b.csv"
    memo = '"a\nb"' if quoted else "m"
    empty = [s != "row" for s in shapes]
    rows = [
        s if s != "row" else f"ed,2021-03-0{1 + i % 9},2021,IRA-{i},traditional,basis_opening,{i},"
        for i, s in enumerate(shapes)
    ]
    if not all(empty):
        at = empty.index(False)
        rows[at] += memo
    head = "taxpayer,date,tax_year,account,account_type,event,amount,memo\n"
    path.write_text(head + "\n".join(rows) + "\n")
    if all(empty):
        return  # (no events: refused, as tests/ingest/test_cli.py checks)
    frame, problems = read_generic(SourceFile.read(path))
    assert not problems
    want = [f"IRA-{i}" for i, e in enumerate(empty) if not e]
    assert frame.column("account").to_pylist() == want
    lines, line = [], 2
    for i, e in enumerate(empty):
        if not e:
            lines.append(line)
        line += 2 if (quoted and i == empty.index(False)) else 1
    assert frame.column("source_line").to_pylist() == lines


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["conversion", "Conversion", " conversion", "CONVERSION\t", "conversión", "roth_ira"]),
            st.sampled_from(["traditional", "Traditional ", "ROTH", "", " sep", "roth"]),
            st.sampled_from(["2024", " 2024", "2024 ", "", "２０２４"]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_kinds_types_and_years_are_cleaned_as_pandas_strip_and_lower_would(rows):
    # A clean column is returned as it is (no copy); any other goes through the per-distinct-value clean-up. Both
    # must give what str.strip() and str.lower() give, row by row (non-ASCII and Unicode spaces included).
    body = "taxpayer,date,tax_year,account,account_type,event,amount\n" + "".join(
        f"ed,2024-03-01,{y},IRA-1,{t},{k},100\n" for k, t, y in rows
    )
    src = SourceFile(__import__("pathlib").Path("t.csv"), body.encode())
    try:
        table, _ = read_generic(src)
    except InputError:  # every row refused (a kind with an accent is no kind): said elsewhere
        return
    for line, kind, kept_type, year in zip(
        *(table.column(c).to_pylist() for c in ("source_line", "kind", "account_type", "tax_year")), strict=True
    ):
        k, t, y = rows[line - 2]  # the header is line 1
        assert kind == k.strip().lower()
        assert kept_type == (t.strip().lower() or kept_type)  # (an empty type takes the kind's usual account)
        assert year == int(y.strip() or 2024)
