"""The event finding rules (audit/rules/), one by one, positive and negative, with numbers worked by hand."""

from __future__ import annotations

from basis_ledger.audit.findings import Context, codes
from basis_ledger.audit.rules import EVENT_RULES, run_rules
from tests.plan.helpers import events, findings, people

# Sam's pool at the start of 2026: $310,000 with $92,000 of basis (line 14 of 2025), so $218,000 is pre-tax.
SAM = (
    "sam,2025-04-01,2024,,traditional,basis_opening,92000,",
    "sam,2025-12-31,,IRA-1,traditional,year_end_value,310000,",
)


def test_every_rule_code_has_a_severity_and_a_title():
    names = {r.__name__.replace("_", "-") for r in EVENT_RULES}
    assert names <= set(codes())
    assert all(codes()[n]["title"] for n in names)


def test_no_events_no_findings():
    ev = events("ann,2024-12-31,,A,traditional,year_end_value,0,").iloc[0:0]
    assert run_rules(Context(ev, ev, {})) == []


# -- pro-rata-exposure ---------------------------------------------------------------------------------------------
def test_pro_rata_exposure_reports_line_18_as_the_cost():
    # L5 = 7,000; L9 = 13,100 + 7,000 = 20,100; L10 = 0.34826; L11 = 7,000 x 0.34826 = 2,437.82 -> 2,438;
    # L18 = 7,000 - 2,438 = 4,562.
    (f,) = findings(
        "ann,2024-03-04,2024,IRA-9,traditional,nondeductible_contribution,7000,",
        "ann,2024-03-06,,IRA-9,traditional,conversion,7000,",
        "ann,2024-12-31,,IRA-9,traditional,year_end_value,13100,",
        code="pro-rata-exposure",
    )
    assert (f.taxpayer, f.tax_year, f.line, f.expected, f.found) == ("ann", 2024, "18", "$0", "$4,562")
    assert f.severity == "warning"
    assert "$13,100 on 31 December 2024" in f.message
    conv = [e for e in f.evidence if e.what.startswith("conversion")]
    assert conv[0].file == "history.csv" and conv[0].where == "line 3"
    assert ("computed", "line 18", "$4,562") in [(e.file, e.where, e.what) for e in f.evidence]


def test_pro_rata_exposure_names_sep_balances():
    # L9 = 50,000 + 7,000 = 57,000; L10 = 0.12281; L11 = 859.67 -> 860; L18 = 6,140.
    (f,) = findings(
        "lee,2024-02-01,2024,IRA-T,traditional,nondeductible_contribution,7000,",
        "lee,2024-02-10,,IRA-T,traditional,conversion,7000,",
        "lee,2024-12-31,,SEP-1,sep,year_end_value,50000,",
        code="pro-rata-exposure",
    )
    assert f.found == "$6,140"
    assert "SEP IRA SEP-1 ($50,000)" in f.message


def test_no_exposure_when_the_pool_is_empty_on_31_december():
    assert not findings(
        "ann,2024-03-04,2024,IRA-9,traditional,nondeductible_contribution,7000,",
        "ann,2024-03-06,,IRA-9,traditional,conversion,7000,",
        "ann,2024-12-31,,IRA-9,traditional,year_end_value,0,",
        code="pro-rata-exposure",
    )


def test_no_exposure_when_basis_covers_everything():
    # Basis 20,000 against 10,000 + 5,000: line 10 is 1.000, line 18 is 0, though line 6 is not.
    assert not findings(
        "bo,2024-01-01,2023,,traditional,basis_opening,20000,",
        "bo,2024-05-01,,IRA-1,traditional,conversion,5000,",
        "bo,2024-12-31,,IRA-1,traditional,year_end_value,10000,",
        code="pro-rata-exposure",
    )


# -- basis-to-plan -------------------------------------------------------------------------------------------------
def test_rolling_basis_into_a_plan_is_an_error():
    (f,) = findings(*SAM, "sam,2026-01-15,,IRA-1,traditional,rollover_to_plan,250000,", code="basis-to-plan")
    assert (f.tax_year, f.expected, f.found, f.severity) == (2026, "at most $218,000", "$250,000", "error")
    assert "value $310,000 less basis $92,000" in f.message
    wheres = {(e.file, e.where) for e in f.evidence}
    assert ("history.csv", "line 4") in wheres and ("history.csv", "line 3") in wheres  # rollover, 31 Dec value


def test_rolling_exactly_the_pre_tax_part_is_fine():
    assert not findings(*SAM, "sam,2026-01-15,,IRA-1,traditional,rollover_to_plan,218000,", code="basis-to-plan")


def test_a_contribution_before_the_rollover_adds_to_value_and_basis_alike():
    # value 317,000, basis 99,000: still 218,000 pre-tax; one cent more is too much.
    contrib = "sam,2026-01-05,2026,IRA-1,traditional,nondeductible_contribution,7000,"
    assert not findings(
        *SAM, contrib, "sam,2026-01-15,,IRA-1,traditional,rollover_to_plan,218000,", code="basis-to-plan"
    )
    (f,) = findings(
        *SAM, contrib, "sam,2026-01-15,,IRA-1,traditional,rollover_to_plan,218000.01,", code="basis-to-plan"
    )
    assert f.expected == "at most $218,000"


def test_an_earlier_distribution_takes_its_pro_rata_share_of_basis():
    # Before the rollover: value 310,000 - 31,000 = 279,000 (line 6 stand-in); L9 = 279,000 + 31,000 = 310,000;
    # L10 = 92,000 / 310,000 = 0.29677; L12 = 31,000 x 0.29677 = 9,199.87; basis left 92,000 - 9,199.87 =
    # 82,800.13; pre-tax = 279,000 - 82,800.13 = 196,199.87.
    dist = "sam,2026-01-10,,IRA-1,traditional,distribution,31000,"
    assert not findings(
        *SAM, dist, "sam,2026-01-15,,IRA-1,traditional,rollover_to_plan,196199.87,", code="basis-to-plan"
    )
    (f,) = findings(*SAM, dist, "sam,2026-01-15,,IRA-1,traditional,rollover_to_plan,196200,", code="basis-to-plan")
    assert f.expected == "at most $196,199.87"


def test_without_a_year_end_value_the_estimate_says_so():
    (f,) = findings(
        "di,2025-02-01,2024,,traditional,basis_opening,10000,",
        "di,2026-01-05,2026,IRA-1,traditional,nondeductible_contribution,7000,",
        "di,2026-02-01,,IRA-1,traditional,rollover_to_plan,7000,",
        code="basis-to-plan",
    )
    assert f.expected == "at most $0" and "no 31 December value" in f.message


# -- rollback-same-year --------------------------------------------------------------------------------------------
STRATEGY = (
    *SAM,
    "sam,2026-01-15,,IRA-1,traditional,rollover_to_plan,218000,",
    "sam,2026-02-02,,IRA-1,traditional,conversion,92000,",
)


def test_rollback_in_december_of_the_conversion_year():
    # L6 = 218,000; L9 = 310,000; L10 = 0.29677; L11 = 92,000 x 0.29677 = 27,302.84 -> 27,303; L18 = 64,697.
    (f,) = findings(
        *STRATEGY,
        "sam,2026-12-15,,IRA-1,traditional,rollover_from_plan,218000,",
        "sam,2026-12-31,,IRA-1,traditional,year_end_value,218000,",
        code="rollback-same-year",
    )
    assert (f.tax_year, f.line, f.expected, f.found, f.severity) == (
        2026,
        "6",
        "on or after 2027-01-01",
        "2026-12-15",
        "error",
    )
    assert "(line 18 is $64,697)" in f.message


def test_rollback_before_the_conversion_of_the_same_year_counts_too():
    (f,) = findings(
        *SAM,
        "sam,2026-01-15,,IRA-1,traditional,rollover_to_plan,218000,",
        "sam,2026-01-20,,IRA-1,traditional,rollover_from_plan,1000,",
        "sam,2026-02-02,,IRA-1,traditional,conversion,92000,",
        code="rollback-same-year",
    )
    assert f.found == "2026-01-20"


def test_rollback_in_january_after_is_fine():
    assert not findings(
        *STRATEGY,
        "sam,2026-12-31,,IRA-1,traditional,year_end_value,0,",
        "sam,2027-01-15,,IRA-1,traditional,rollover_from_plan,218000,",
        code="rollback-same-year",
    )


def test_rollback_in_a_year_without_conversion_is_fine():
    assert not findings(
        *SAM,
        "sam,2026-01-15,,IRA-1,traditional,rollover_to_plan,218000,",
        "sam,2026-06-15,,IRA-1,traditional,rollover_from_plan,218000,",
        code="rollback-same-year",
    )


# -- excess-contribution -------------------------------------------------------------------------------------------
OVER_2024 = (
    "ed,2024-02-01,2024,IRA-1,traditional,nondeductible_contribution,6000,",
    "ed,2024-03-01,2024,ROTH-1,roth,roth_contribution,1500,",
)


def test_excess_traditional_and_roth_together_unknown_birth_date():
    # 6,000 + 1,500 = 7,500 > 7,000 (2024), and without a birth date no catch-up.
    (f,) = findings(*OVER_2024, code="excess-contribution")
    assert (f.tax_year, f.expected, f.found, f.severity) == (2024, "at most $7,000", "$7,500", "error")
    assert "birth date is unknown" in f.message and "$500" in f.message
    assert [e.where for e in f.evidence] == ["line 2", "line 3"]


def test_catch_up_at_50_by_31_december():
    # Born 1974-12-31: 50 on 2024-12-31, so 7,000 + 1,000 = 8,000 applies; born 1975-01-01: 49, 7,000.
    assert not findings(*OVER_2024, taxpayers=people(ed="1974-12-31"), code="excess-contribution")
    (f,) = findings(*OVER_2024, taxpayers=people(ed="1975-01-01"), code="excess-contribution")
    assert f.expected == "at most $7,000" and "birth date" not in f.message


def test_catch_up_2026_is_1100():
    rows = ("ed,2026-02-01,2026,IRA-1,traditional,nondeductible_contribution,8600,",)
    assert not findings(*rows, taxpayers=people(ed="1960-01-01"), code="excess-contribution")  # 7,500 + 1,100
    rows = ("ed,2026-02-01,2026,IRA-1,traditional,nondeductible_contribution,8600.01,",)
    (f,) = findings(*rows, taxpayers=people(ed="1960-01-01"), code="excess-contribution")
    assert f.expected == "at most $8,600" and "catch-up" in f.message


def test_a_timely_returned_excess_was_never_made():
    assert not findings(
        *OVER_2024, "ed,2025-04-01,2024,ROTH-1,roth,returned_contribution,500,", code="excess-contribution"
    )


def test_contributions_are_counted_per_person_and_per_year():
    assert not findings(
        "ed,2024-02-01,2024,IRA-1,traditional,nondeductible_contribution,7000,",
        "ed,2025-02-01,2025,IRA-1,traditional,nondeductible_contribution,7000,",
        "jo,2024-02-01,2024,IRA-2,traditional,nondeductible_contribution,7000,",
        code="excess-contribution",
    )


# -- late-contribution ---------------------------------------------------------------------------------------------
def test_late_contribution_uses_the_deadline_table():
    ok = (
        "ed,2020-07-15,2019,IRA-1,traditional,nondeductible_contribution,100,",  # COVID: 15 July 2020
        "ed,2021-05-17,2020,IRA-1,traditional,nondeductible_contribution,100,",  # 17 May 2021
        "ed,2023-04-18,2022,ROTH-1,roth,roth_contribution,100,",
    )  # 15 April 2023 was a Saturday
    assert not findings(*ok, code="late-contribution")
    late = (
        "ed,2020-07-16,2019,IRA-1,traditional,nondeductible_contribution,100,",
        "ed,2023-04-19,2022,ROTH-1,roth,roth_contribution,100,",
    )
    f19, f22 = findings(*late, code="late-contribution")
    assert (f19.tax_year, f19.expected, f19.found, f19.line) == (2019, "by 2020-07-15", "2020-07-16", "1")
    assert (f22.tax_year, f22.expected, f22.line) == (2022, "by 2023-04-18", None)
    assert f19.evidence[0].where == "line 2"


# -- rollover-frequency --------------------------------------------------------------------------------------------
def test_two_60_day_rollovers_within_12_months():
    (f,) = findings(
        "ed,2024-03-01,,IRA-1,traditional,rollover_out,5000,",
        "ed,2024-03-20,,IRA-2,traditional,rollover_in,5000,",
        "ed,2025-02-28,,IRA-2,traditional,rollover_out,3000,",
        code="rollover-frequency",
    )
    assert (f.tax_year, f.expected, f.found, f.severity) == (2025, "on or after 2025-03-01", "2025-02-28", "error")
    assert len(f.evidence) == 2


def test_rollovers_12_months_apart_or_of_two_people_are_fine():
    assert not findings(
        "ed,2024-03-01,,IRA-1,traditional,rollover_out,5000,",
        "ed,2025-03-01,,IRA-2,traditional,rollover_out,3000,",
        "jo,2024-06-01,,IRA-3,traditional,rollover_out,3000,",
        code="rollover-frequency",
    )


# -- leftover-basis ------------------------------------------------------------------------------------------------
def test_leftover_basis_after_converting_everything_at_a_loss():
    # Basis 6,000, value fell to 5,940, all converted: line 17 = 5,940 and 60 of basis stays with $0 behind it.
    (f,) = findings(
        "al,2024-01-10,2023,,traditional,basis_opening,6000,",
        "al,2024-06-01,,IRA-1,traditional,conversion,5940,",
        "al,2024-12-31,,IRA-1,traditional,year_end_value,0,",
        code="leftover-basis",
    )
    assert (f.tax_year, f.line, f.found, f.severity) == (2024, "14", "$60", "warning")
    assert "leaving $1" in f.message


def test_no_leftover_when_a_dollar_stays_or_the_value_is_unknown():
    assert not findings(
        "al,2024-01-10,2023,,traditional,basis_opening,6000,",
        "al,2024-06-01,,IRA-1,traditional,conversion,5940,",
        "al,2024-12-31,,IRA-1,traditional,year_end_value,1,",
        code="leftover-basis",
    )
    assert not findings(
        "al,2024-01-10,2023,,traditional,basis_opening,6000,",
        "al,2024-06-01,,IRA-1,traditional,conversion,5940,",
        code="leftover-basis",
    )


def test_money_is_exact_from_cents():
    from basis_ledger.audit.rules import money

    assert [money(c) for c in (0, 5, 100, 123456789, 19619987, -250)] == [
        "$0", "$0.05", "$1", "$1,234,567.89", "$196,199.87", "-$2.50"]  # fmt: skip


def test_a_recharacterized_contribution_counts_once():
    # 7,000 to a Roth, recharacterized to traditional (recorded as what it became): 7,000, not 14,000.
    rows = ("ed,2024-02-01,2024,ROTH-1,roth,roth_contribution,7000,",
            "ed,2024-06-01,2024,ROTH-1,roth,recharacterization,7000,",
            "ed,2024-06-01,2024,IRA-1,traditional,nondeductible_contribution,7000,")  # fmt: skip
    assert not findings(*rows, code="excess-contribution")
    (f,) = findings(*rows[:1], *rows[2:], code="excess-contribution")  # without the recharacterization: 14,000
    assert f.found == "$14,000"


def test_rollover_frequency_does_not_depend_on_row_order():
    (f,) = findings("ed,2025-02-28,,IRA-2,traditional,rollover_out,3000,",
                    "jo,2024-06-01,,IRA-3,traditional,rollover_out,3000,",
                    "ed,2024-03-01,,IRA-1,traditional,rollover_out,5000,", code="rollover-frequency")  # fmt: skip
    assert (f.taxpayer, f.found, [e.where for e in f.evidence]) == ("ed", "2025-02-28", ["line 4", "line 2"])
