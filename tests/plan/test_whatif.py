"""The planner as a library: before/after, projected 31 December values, isolate and backdoor, with hand numbers."""

from __future__ import annotations

import pytest

from basis_ledger.engine.form8606 import Options
from basis_ledger.model import InputError
from basis_ledger.plan.backdoor import backdoor
from basis_ledger.plan.isolate import isolate
from basis_ledger.plan.whatif import evaluate
from tests.plan.helpers import events

SAM = (
    "sam,2025-04-01,2024,,traditional,basis_opening,92000,",
    "sam,2025-12-31,,IRA-1,traditional,year_end_value,310000,",
)
STRATEGY = (
    "sam,2026-01-15,,IRA-1,traditional,rollover_to_plan,218000,",
    "sam,2026-02-02,,IRA-1,traditional,conversion,92000,",
)


def plan_of(*rows: str):
    ev = events(*rows, name="whatif.csv")
    ev["id"] += 1000  # after the ledger's events, as the command numbers them
    return ev


def run(ledger_rows, plan_rows, who="sam", year=None):
    return evaluate(events(*ledger_rows), {}, plan_of(*plan_rows), who, year, Options(), "whatif.csv")


def test_december_rollback_projects_line_6_and_costs_tax():
    # The 31 December 2026 value is projected: 310,000 - 218,000 - 92,000 + 218,000 = 218,000.
    # L9 = 310,000; L10 = 0.29677; L11 = 27,303; L18 = 64,697.
    r = run(SAM, (*STRATEGY, "sam,2026-12-15,,IRA-1,traditional,rollover_from_plan,218000,"))
    doc = r.as_json()
    assert list(doc) == ["taxpayer", "tax_year", "before", "after", "taxable_change", "findings"]
    assert (doc["tax_year"], doc["before"], doc["after"]["6"], doc["after"]["18"]) == (2026, {}, 218000, 64697)
    assert doc["taxable_change"] == 64697
    assert sorted(f["code"] for f in doc["findings"]) == ["pro-rata-exposure", "rollback-same-year"]
    assert r.has_errors
    projected = [e for f in r.findings for e in f.evidence if e.where == "no line"]
    assert projected and all(e.file == "whatif.csv" and "projected" in e.what for e in projected)


@pytest.mark.parametrize("later", [("sam,2027-01-15,,IRA-1,traditional,rollover_from_plan,218000,",), ()])
def test_january_rollback_or_never_keeps_the_conversion_tax_free(later):
    # 31 December 2026: nothing left, so Part II alone: line 17 = min(line 2, line 16) = 92,000, line 18 = 0.
    r = run(SAM, (*STRATEGY, *later))
    assert r.as_json()["after"] == {"16": 92000, "17": 92000, "18": 0}
    assert (r.taxable_change, r.findings) == (0, [])


def test_the_plans_own_year_end_value_wins_over_the_projection():
    # L6 = 230,000; L9 = 322,000; L10 = 0.28571; L11 = 92,000 x 0.28571 = 26,285.32 -> 26,285; L18 = 65,715.
    r = run(
        SAM,
        (
            *STRATEGY,
            "sam,2026-12-15,,IRA-1,traditional,rollover_from_plan,218000,",
            "sam,2026-12-31,,IRA-1,traditional,year_end_value,230000,",
        ),
    )
    assert (r.after["lines"]["6"], r.after["lines"]["18"]) == (230000, 65715)


def test_ledger_year_end_values_are_moved_by_the_plans_flows():
    # The ledger already says 320,000 on 31 December 2026 (the market rose); the plan takes 310,000 out of IRA-1,
    # so after: 10,000. L9 = 102,000; L10 = 0.90196; L11 = 92,000 x 0.90196 = 82,980.32 -> 82,980; L18 = 9,020.
    r = run((*SAM, "sam,2026-12-31,,IRA-1,traditional,year_end_value,320000,"), STRATEGY)
    assert (r.after["lines"]["6"], r.after["lines"]["18"], r.as_json()["taxable_change"]) == (10000, 9020, 9020)
    assert [f.code for f in r.findings] == ["pro-rata-exposure"]


def test_a_plan_spanning_a_year_end_counts_the_rollover_in_transit():
    # A 60-day rollover out on 20 December, in on 5 January: on 31 December the 20,000 is in transit, so line 6
    # holds it. L5 = 7,500; L9 = 20,000 + 7,500 = 27,500; L10 = 0.27273; L11 = 2,045.475 -> 2,045; L18 = 5,455.
    ledger = ("kim,2025-12-31,,IRA-A,traditional,year_end_value,20000,",)
    plan = (
        "kim,2026-02-01,2026,IRA-B,traditional,nondeductible_contribution,7500,",
        "kim,2026-02-15,,IRA-B,traditional,conversion,7500,",
        "kim,2026-12-20,,IRA-A,traditional,rollover_out,20000,",
        "kim,2027-01-05,,IRA-C,traditional,rollover_in,20000,",
    )
    r = run(ledger, plan, "kim")
    assert r.tax_year == 2026
    assert (r.after["lines"]["6"], r.after["lines"]["18"]) == (20000, 5455)
    (f,) = r.findings
    assert f.code == "pro-rata-exposure" and "$20,000 of it a rollover still in transit" in f.message
    nxt = run(ledger, plan, "kim", year=2027)  # 2027: the rollover completes, no conversion, no form
    assert (nxt.tax_year, nxt.as_json()["after"], nxt.taxable_change) == (2027, {}, 0)


def test_rolling_the_whole_ira_into_the_plan():
    r = run(SAM, ("sam,2026-01-15,,IRA-1,traditional,rollover_to_plan,310000,",))
    assert sorted(f.code for f in r.findings) == ["basis-to-plan", "leftover-basis"]
    assert r.has_errors


def test_findings_already_in_the_ledger_are_not_the_plans():
    # An excess contribution in 2024 stays an audit matter; the plan (2026) triggers nothing.
    ledger = (*SAM, "sam,2024-02-01,2024,IRA-1,traditional,nondeductible_contribution,9000,")
    assert run(ledger, (*STRATEGY,)).findings == []


# -- isolate -------------------------------------------------------------------------------------------------------
def test_isolate_the_story():
    r = isolate(events(*SAM), {}, "sam", 2026, None, Options())
    doc = r.as_json()
    assert [(s["date"], s["event"], s["amount"]) for s in doc["steps"]] == [
        ("2026-01-02", "rollover_to_plan", 218000),
        ("2026-01-16", "conversion", 92000),
        ("2027-01-01", "rollover_from_plan", 218000),
    ]
    assert all(set(s) == {"date", "event", "amount", "why"} for s in doc["steps"])
    assert (doc["after"]["18"], doc["taxable_change"], doc["findings"], doc["earliest_return"]) == (
        0,
        0,
        [],
        "2027-01-01",
    )
    assert doc["taxable_without_isolation"] == 64697  # the December timing's line 18: what isolation saves
    text = " ".join(doc["cautions"])
    for must in (
        "accept roll-ins",
        "deposited the roll-in before you convert",
        "backdoor",
        "SEP and SIMPLE",
        "one 60-day",
    ):
        assert must in text


def test_isolate_with_a_sep_rolls_the_largest_accounts_first():
    # 100,000 + 50,000 = 150,000 with 30,000 basis: 120,000 pre-tax = all of IRA-1 and 20,000 of SEP-1;
    # the 30,000 left in SEP-1 is converted tax-free.
    ledger = (
        "lee,2025-03-01,2024,,traditional,basis_opening,30000,",
        "lee,2025-12-31,,IRA-1,traditional,year_end_value,100000,",
        "lee,2025-12-31,,SEP-1,sep,year_end_value,50000,",
    )
    r = isolate(events(*ledger), {}, "lee", 2026, "2026-03-02", Options())
    assert [(s["event"], s["amount"]) for s in r.steps] == [
        ("rollover_to_plan", 10000000),
        ("rollover_to_plan", 2000000),
        ("conversion", 3000000),
        ("rollover_from_plan", 12000000),
    ]  # steps keep cents; as_json turns them to dollars below
    doc = r.as_json()
    assert [s["amount"] for s in doc["steps"]] == [100000, 20000, 30000, 120000]
    assert doc["after"]["18"] == 0 and doc["findings"] == []
    assert "SEP IRA SEP-1" in " ".join(doc["cautions"])


def test_isolate_without_basis_has_nothing_to_do():
    r = isolate(events("al,2025-12-31,,IRA-1,traditional,year_end_value,5000,"), {}, "al", 2026, None, Options())
    assert r.as_json()["steps"] == [] and "no basis" in r.cautions[0]


def test_isolate_refuses_a_year_already_closed():
    with pytest.raises(InputError) as err:
        isolate(events(*SAM), {}, "sam", 2025, None, Options())
    assert "31 December 2025" in str(err.value.problems[0])


# -- backdoor ------------------------------------------------------------------------------------------------------
def test_sep_balance_spoils_the_backdoor():
    # L5 = 7,500; L6 = 50,000 (the SEP); L9 = 57,500; L10 = 0.13043; L11 = 978.225 -> 978; L18 = 6,522.
    ledger = ("lee,2025-12-31,,SEP-1,sep,year_end_value,50000,",)
    r = backdoor(events(*ledger), {}, "lee", 2026, 750000, None, Options())
    doc = r.as_json()
    assert (doc["after"]["6"], doc["after"]["18"], doc["taxable_change"]) == (50000, 6522, 6522)
    assert doc["pre_tax_year_end"] == 50000 and "$50,000" in doc["to_zero"]
    (f,) = r.findings
    assert f.code == "pro-rata-exposure" and "SEP IRA SEP-1 ($50,000)" in f.message
    assert [s["event"] for s in doc["steps"]] == ["nondeductible_contribution", "conversion"]


def test_clean_backdoor_and_one_over_the_limit():
    ledger = ("cy,2025-12-31,,IRA-X,traditional,year_end_value,0,",)
    r = backdoor(events(*ledger), {}, "cy", 2026, 750000, None, Options())
    assert (r.after["lines"]["18"], r.taxable_change, r.findings) == (0, 0, [])
    assert r.as_json()["pre_tax_year_end"] == 0
    over = backdoor(events(*ledger), {}, "cy", 2026, 750001, None, Options())  # 2026 limit 7,500, no birth date
    assert [f.code for f in over.findings] == ["excess-contribution"] and over.has_errors


def test_cents_keep_the_exact_tax_cost():
    # With --cents: L11 = 92,000.00 x 0.29677 = 27,302.84; L18 = 64,697.16.
    r = evaluate(events(*SAM), {}, plan_of(*STRATEGY, "sam,2026-12-15,,IRA-1,traditional,rollover_from_plan,218000,"),
                 "sam", None, Options(cents=True), "whatif.csv")  # fmt: skip
    doc = r.as_json()
    assert (doc["after"]["18"], doc["taxable_change"]) == ("64697.16", "64697.16")


def test_a_file_with_two_people_needs_taxpayer():
    from basis_ledger.plan.whatif import choose_taxpayer

    two = plan_of(
        "sam,2026-01-15,,IRA-1,traditional,rollover_to_plan,1,", "ann,2026-01-15,,IRA-2,traditional,conversion,1,"
    )
    with pytest.raises(InputError) as err:
        choose_taxpayer(two, None, "whatif.csv")
    assert "ann, sam" in str(err.value.problems[0])
    assert choose_taxpayer(two, "ann", "whatif.csv") == "ann"
    with pytest.raises(InputError):
        choose_taxpayer(two, "bo", "whatif.csv")
