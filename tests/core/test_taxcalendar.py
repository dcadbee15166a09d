"""The tax calendar (basis_ledger.taxcalendar over schemas/limits.toml): one source for due dates, extended due
dates, ages and periods, shared by ingest, engine, audit and plan."""

from __future__ import annotations

from datetime import date

from basis_ledger import taxcalendar as cal
from basis_ledger.ingest.statements import taxyear
from basis_ledger.plan import limits
from basis_ledger.resources import load_toml

# The due dates of the returns for 2013-2026 as the IRS announced them: 15 April moved by weekends and DC
# Emancipation Day (16 April, observed on the Friday before or the Monday after), and the COVID-19
# postponements for 2019 (IR-2020-58) and 2020 (IR-2021-59).
IRS_DUE = {
    2013: "2014-04-15",
    2014: "2015-04-15",
    2015: "2016-04-18",  # Emancipation Day on Saturday 16 April 2016 was observed on Friday the 15th
    2016: "2017-04-18",
    2017: "2018-04-17",
    2018: "2019-04-15",
    2019: "2020-07-15",
    2020: "2021-05-17",
    2021: "2022-04-18",
    2022: "2023-04-18",
    2023: "2024-04-15",
    2024: "2025-04-15",
    2025: "2026-04-15",
    2026: "2027-04-15",
}


def test_due_dates_are_the_irs_dates():
    assert {y: cal.due_date_iso(y) for y in IRS_DUE} == IRS_DUE


def test_ingest_and_planner_agree_on_2015():
    # schemas/profiles/_common.toml used to say 15 April 2016 for 2015 while schemas/limits.toml said 18 April
    assert taxyear.deadline(2015) == limits.deadline(2015) == "2016-04-18"
    # so a statement's contribution of Monday 18 April 2016 may still be for 2015: only a 5498 can settle it
    assert taxyear.tax_year("nondeductible_contribution", "2016-04-18", "") == (2016, "date?")
    assert taxyear.tax_year("nondeductible_contribution", "2016-04-19", "") == (2016, "date")
    for y in range(2010, 2035):
        assert taxyear.deadline(y) == limits.deadline(y) == cal.due_date_iso(y)


def test_one_source_for_deadlines():
    assert "deadlines" not in load_toml("profiles/_common.toml")
    assert all("deadline" not in row for row in load_toml("limits.toml")["years"].values())


def test_extended_due_dates_move_to_the_next_business_day():
    assert cal.extended_due_date(2022) == date(2023, 10, 16)  # 15 October 2023 was a Sunday
    assert cal.extended_due_date(2021) == date(2022, 10, 17)  # a Saturday
    assert cal.extended_due_date(2015) == date(2016, 10, 17)
    assert cal.extended_due_date(2023) == date(2024, 10, 15)
    assert cal.extended_due_date(2019) == date(2020, 10, 15)  # the COVID postponement did not move it


def test_business_days_and_holidays():
    assert cal.next_business_day(date(2024, 4, 13)) == date(2024, 4, 15)  # Saturday -> Monday
    assert cal.next_business_day(date(2017, 4, 17)) == date(2017, 4, 18)  # Emancipation Day observed Monday
    assert date(2021, 12, 31) in cal.legal_holidays(2021)  # New Year's Day 2022 fell on a Saturday
    assert date(2021, 6, 18) in cal.legal_holidays(2021)  # Juneteenth on Saturday, observed Friday
    assert date(2020, 6, 19) not in cal.legal_holidays(2020)  # not a holiday before 2021
    assert date(2024, 11, 28) in cal.legal_holidays(2024)  # Thanksgiving


def test_ages_periods_and_fixed_years():
    assert cal.qualified_age_date("1972-09-30") == "2032-03-30"
    assert cal.qualified_age_date("1960-08-31") == "2020-02-29"  # no 31 February: the month's last day
    assert cal.roth_five_years() == 5
    assert cal.last_conversion_recharacterization_year() == 2017
    assert cal.penalty("missing_8606_dollars") == 50 and cal.penalty("early_distribution_percent") == 10
