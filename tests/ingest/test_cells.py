"""Custodian cell conventions: signed cash amounts and dates, parsed exactly."""

from __future__ import annotations

import pytest

from basis_ledger.ingest.statements.cells import iso_date, sign, signed_cents

PLACEHOLDERS = frozenset({"", "--", "N/A"})


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("$1,234.56", 123456),
        ("-$7461.72", -746172),  # Schwab: minus before the dollar sign
        ("$-12.00", -1200),
        ("(10.35)", -1035),  # Merrill: parentheses are money out
        ("(1,272.44)", -127244),
        ("7000", 700000),
        ("-0.5", -50),
        ("+25.10", 2510),
        ("1,000,000.1", 100000010),
        ("-853.880", -85388),  # extra zero digits are fine
        (" 42 ", 4200),
    ],
)
def test_signed_amounts(text: str, cents: int) -> None:
    assert signed_cents(text, PLACEHOLDERS) == (cents, "")
    assert sign(text) == ("out" if cents < 0 else "in")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("--", "missing amount"),
        ("", "missing amount"),
        ("-0.004", "an amount in fractions of a cent (a share count or price, not cash?)"),
        ("12,34", "not an amount"),
        ("(5.00", "not an amount"),
        ("--5", "not an amount"),
        ("$", "not an amount"),
        ("1e5", "not an amount"),
    ],
)
def test_bad_amounts(text: str, problem: str) -> None:
    assert signed_cents(text, PLACEHOLDERS)[1] == problem


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("04/17/2023", "2023-04-17"),
        ("1/6/2025", "2025-01-06"),  # Merrill: no zero padding
        ("02/03/25", "2025-02-03"),  # E*TRADE: two-digit year
        ("2025-03-17", "2025-03-17"),  # Vanguard 2025: ISO
        ("04/17/2024 as of 04/15/2024", "2024-04-15"),  # Schwab: the effective date counts for a deadline
        ("02/30/2024", ""),
        ("Date downloaded", ""),
    ],
)
def test_dates(text: str, iso: str) -> None:
    assert iso_date(text, ("%m/%d/%Y", "%m/%d/%y"), "effective") == iso


def test_posting_date_when_the_profile_says_so() -> None:
    assert iso_date("04/17/2024 as of 04/15/2024", ("%m/%d/%Y",), "posting") == "2024-04-17"


@pytest.mark.parametrize(("text", "direction"), [("", "zero"), ("--", "zero"), ("$0.00", "zero"), ("(0.01)", "out")])
def test_cash_direction_of_empty_and_zero_cells(text: str, direction: str) -> None:
    assert sign(text) == direction
