"""The tax calendar: due dates, extended due dates, contribution limits, and the fixed years, ages and penalty
amounts of the IRA rules.

One module, read by ingest, engine, audit and plan alike; its numbers are data in schemas/limits.toml
(`[years]`, `[calendar]`, `[penalties]`). Dates are `datetime.date`; `*_iso` variants give the ISO text the
event frames compare against.

A return's due date that falls on a Saturday, Sunday or legal holiday moves to the next business day (IRC 7503);
legal holidays are the federal ones plus Emancipation Day in the District of Columbia (16 April), each observed
on the Friday before when it falls on a Saturday and on the Monday after when it falls on a Sunday.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Any

from basis_ledger.resources import load_toml


@cache
def _table() -> dict[str, Any]:
    return load_toml("limits.toml")


def _calendar() -> dict[str, Any]:
    calendar: dict[str, Any] = _table()["calendar"]
    return calendar


def _observed(d: date) -> date:
    """A fixed-date holiday on a weekend is observed on the Friday before or the Monday after."""
    if d.weekday() == 5:
        return d - timedelta(days=1)
    if d.weekday() == 6:
        return d + timedelta(days=1)
    return d


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based; -1 = last) given weekday (Monday = 0) of a month."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


@cache
def legal_holidays(year: int) -> frozenset[date]:
    """Federal legal holidays of a year as observed (5 U.S.C. 6103), plus DC Emancipation Day."""
    fixed = [date(year, 1, 1), date(year, 7, 4), date(year, 11, 11), date(year, 12, 25), date(year, 4, 16)]
    if year >= 2021:
        fixed.append(date(year, 6, 19))  # Juneteenth, a federal holiday since 2021
    days = {_observed(d) for d in fixed}
    days |= {
        _nth_weekday(year, 1, 0, 3),  # Martin Luther King Jr. Day
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        _nth_weekday(year, 5, 0, -1),  # Memorial Day
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 10, 0, 2),  # Columbus Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving
    }
    if date(year + 1, 1, 1).weekday() == 5:  # New Year's Day on a Saturday is observed on 31 December
        days.add(date(year, 12, 31))
    return frozenset(days)


def next_business_day(d: date) -> date:
    """`d` itself when it is a business day, else the next one (IRC 7503)."""
    while d.weekday() >= 5 or d in legal_holidays(d.year):
        d += timedelta(days=1)
    return d


def _month_day(key: str, year: int) -> date:
    month, day = (int(x) for x in _calendar()[key].split("-"))
    return date(year, month, day)


@cache
def due_date(tax_year: int) -> date:
    """The unextended due date of a year's return, also the last day to contribute for the year: 15 April of the
    next year moved to a business day, unless the IRS postponed it for everyone (schemas/limits.toml)."""
    postponed = _calendar().get("postponed_due", {}).get(str(tax_year))
    if postponed:
        return date.fromisoformat(postponed)
    return next_business_day(_month_day("due_month_day", tax_year + 1))


@cache
def extended_due_date(tax_year: int) -> date:
    """The extended due date of a year's return (15 October of the next year, moved to a business day): the
    last day a contribution can come back as never made (8606 instructions, Pub 590-A "Returned by due date")."""
    return next_business_day(_month_day("extended_month_day", tax_year + 1))


def due_date_iso(tax_year: int) -> str:
    return due_date(tax_year).isoformat()


def extended_due_date_iso(tax_year: int) -> str:
    return extended_due_date(tax_year).isoformat()


def last_conversion_recharacterization_year() -> int:
    """TCJA: a conversion made after this year can no longer be recharacterized (undone)."""
    return int(_calendar()["last_conversion_recharacterization_year"])


# -- contributions ----------------------------------------------------------------------------------------------
def contribution_deadline_iso(tax_year: int) -> str:
    """The last day (ISO) to deposit a contribution for `tax_year`: the return's unextended due date."""
    return due_date_iso(tax_year)


def catch_up_eligible(birth_date: str | None, tax_year: int) -> bool | None:
    """50 or older by 31 December of the year; None when the birth date is unknown."""
    if not birth_date:
        return None
    born = date.fromisoformat(birth_date)
    return born.year + int(_table()["defaults"]["catch_up_age"]) <= tax_year


def limit_cents(tax_year: int, birth_date: str | None) -> tuple[int, bool | None] | None:
    """(limit in cents, catch-up applied?) for a person and year, or None for a year not in the table.

    An unknown birth date gets the base limit and catch-up None, so the caller can say so."""
    row = _table()["years"].get(str(tax_year))
    if not row:
        return None
    older = catch_up_eligible(birth_date, tax_year)
    dollars = int(row["limit"]) + (int(row["catch_up"]) if older else 0)
    return dollars * 100, older


def smallest_limit_cents() -> int:
    """The lowest limit of any year in the table: a year's total at or below it cannot be an excess."""
    return min(int(row["limit"]) for row in _table()["years"].values()) * 100


# -- ages and periods -------------------------------------------------------------------------------------------
def qualified_age() -> tuple[int, int]:
    """(years, months) of the age after which Roth distributions can be qualified and early ones owe no 10%."""
    return int(_calendar()["qualified_age_years"]), int(_calendar()["qualified_age_months"])


def qualified_age_date(birth_date: str) -> str:
    """The day (ISO) a person born on `birth_date` reaches the qualified age (59½)."""
    years, months = qualified_age()
    born = date.fromisoformat(birth_date)
    month0 = born.month - 1 + months
    year, month = born.year + years + month0 // 12, month0 % 12 + 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(born.day, last)).isoformat()


def roth_five_years() -> int:
    return int(_calendar()["roth_five_years"])


# -- penalties --------------------------------------------------------------------------------------------------
def penalty(name: str) -> int:
    """An amount of schemas/limits.toml [penalties]: whole dollars (`*_dollars`) or a percentage (`*_percent`)."""
    return int(_table()["penalties"][name])
