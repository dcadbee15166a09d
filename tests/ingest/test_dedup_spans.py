"""Duplicate matching's fast path: a file whose accounts' dates meet nothing else is kept whole, unmatched.

These call ledger/dedup.match directly, in process, on frames built here: the spans decide which files go
through the multiset matching, so a span test that is off by a day (or ignores the account, or the ledger)
would let a repeat through or drop a new row.
"""

from __future__ import annotations

import pandas as pd

from basis_ledger.ingest.base import EVENT_COLUMNS, Extracted, to_arrow
from basis_ledger.ledger.batch import together
from basis_ledger.ledger.dedup import _overlapping_files, match


def _events(rows: list[tuple[str, str, str, int]]) -> Extracted:
    """(account, date, kind, cents) rows of ed's events; tax year from the date."""
    records = [
        ("ed", d, int(d[:4]), a, "traditional", k, c, "test", line) for line, (a, d, k, c) in enumerate(rows, start=2)
    ]
    frame = pd.DataFrame.from_records(records, columns=list(EVENT_COLUMNS))
    return Extracted("test", events=to_arrow(frame.astype({"tax_year": "int64", "amount_cents": "int64"})))


def _kept(batch: list[tuple[str, Extracted]]) -> list[list[bool]]:
    verdicts, problems = match(batch, None, None)
    assert problems == []
    return [v.keep.tolist() for v in verdicts]  # type: ignore[union-attr]


A_2021 = [("T1", "2021-02-01", "traditional_contribution", 600000), ("T1", "2021-12-31", "year_end_value", 9)]
B_2022 = [("T1", "2022-02-01", "traditional_contribution", 600000), ("T1", "2022-12-31", "year_end_value", 8)]


def test_files_of_separate_years_are_kept_whole_without_matching() -> None:
    a, b = _events(A_2021), _events(B_2022)
    assert _kept([("a.csv", a), ("b.csv", b)]) == [[True, True], [True, True]]
    frame = together([a.events, b.events], list(EVENT_COLUMNS))  # (file_index 0 and 1)
    assert frame is not None and _overlapping_files(frame, frame.slice(0, 0)) == set()


def test_a_span_that_ends_on_the_day_the_next_begins_is_matched() -> None:
    # The 31 December value closes one download and opens the next: the same row, once.
    first = _events([*A_2021])
    second = _events([("T1", "2021-12-31", "year_end_value", 9), *B_2022])
    assert _kept([("a.csv", first), ("b.csv", second)]) == [[True, True], [False, True, True]]


def test_an_overlapping_file_is_matched_while_a_separate_one_is_kept_whole() -> None:
    a, b = _events(A_2021), _events(B_2022)
    both = _events([*A_2021, *B_2022, ("T1", "2022-06-01", "traditional_contribution", 100)])
    kept = _kept([("a.csv", a), ("both.csv", both), ("b.csv", b)])
    # both.csv comes second: it brings 2022 and the new June row; b.csv's rows are then all recognised.
    assert kept == [[True, True], [False, False, True, True, True], [False, False]]


def test_the_same_dates_in_another_account_are_not_a_repeat() -> None:
    a = _events(A_2021)
    other = _events([("R1", d, k, c) for _, d, k, c in A_2021])
    assert _kept([("a.csv", a), ("r.csv", other)]) == [[True, True], [True, True]]


def test_a_file_inside_the_ledgers_dates_is_matched_against_them() -> None:
    a = _events(A_2021)
    held = to_arrow(a.events.to_pandas().assign(source_file="old.csv")).select(  # type: ignore[union-attr]
        ["taxpayer", "account", "date", "kind", "amount_cents", "tax_year", "source_file", "source_line"]
    )
    new = together([_events([("T1", "2021-06-01", "traditional_contribution", 5)]).events], list(EVENT_COLUMNS))
    assert _overlapping_files(new, held) == {0}  # June lies within the ledger's February..December
    later = together([_events([("T1", "2022-06-01", "traditional_contribution", 5)]).events], list(EVENT_COLUMNS))
    assert _overlapping_files(later, held) == set()
