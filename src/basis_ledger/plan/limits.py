"""Contribution limits and deadlines by tax year (schemas/limits.toml; form8606-rules.md section 5)."""

from __future__ import annotations

from datetime import date
from functools import cache

from basis_ledger.resources import load_toml


@cache
def _table() -> dict:
    return load_toml("limits.toml")


def deadline(tax_year: int) -> str:
    """Last day (ISO) to deposit a contribution for `tax_year`: the table's date, else 15 April of the next year."""
    row = _table()["years"].get(str(tax_year))
    if row:
        return row["deadline"]
    return f"{tax_year + 1}-{_table()['defaults']['deadline_month_day']}"


def catch_up_eligible(birth_date: str | None, tax_year: int) -> bool | None:
    """50 or older by 31 December of the year; None when the birth date is unknown."""
    if not birth_date:
        return None
    born = date.fromisoformat(birth_date)
    return born.year + _table()["defaults"]["catch_up_age"] <= tax_year


def limit_cents(tax_year: int, birth_date: str | None) -> tuple[int, bool | None] | None:
    """(limit in cents, catch-up applied?) for a person and year, or None for a year not in the table.

    An unknown birth date gets the base limit and catch-up None, so the caller can say so."""
    row = _table()["years"].get(str(tax_year))
    if not row:
        return None
    older = catch_up_eligible(birth_date, tax_year)
    dollars = row["limit"] + (row["catch_up"] if older else 0)
    return dollars * 100, older


def smallest_limit_cents() -> int:
    """The lowest limit of any year in the table: a year's total at or below it cannot be an excess."""
    return min(row["limit"] for row in _table()["years"].values()) * 100
