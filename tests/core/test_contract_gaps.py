"""The contract's former gaps (docs/events.md), each decided from the Form 8606 instructions (2023)."""

from tests.core.helpers import csv_text, years


def test_roth_contribution_recharacterized_before_2018_is_not_a_conversion_undone():
    # Every Roth recharacterization for a year before 2018 used to be read as undoing a conversion; a Roth
    # contribution moved to a traditional IRA is recorded as `roth_contribution_recharacterization`: line 8 keeps
    # the whole conversion and the contribution counts on line 1, where it went.
    rows = (
        "g,2016-12-31,2016,,traditional,basis_opening,10000,",
        "g,2017-02-01,,IRA,traditional,conversion,10000,",
        "g,2017-03-01,2017,ROTH,roth,roth_contribution,5500,",
        "g,2017-11-01,2017,ROTH,roth,roth_contribution_recharacterization,5500,",
        "g,2017-03-01,2017,IRA,traditional,nondeductible_contribution,5500,",
        "g,2017-12-31,,IRA,traditional,year_end_value,5500,",
    )
    y = years(csv_text(*rows))[("g", 2017)]
    assert (y["lines"]["1"], y["lines"]["8"], y["lines"]["10"], y["lines"]["14"]) == (5500, 10000, "1.00000", 5500)
    assert y["roth_contribution_basis_end"] == 0


CONVERSION_UNDONE_IN_SPRING = (
    "b,2016-12-31,2016,,traditional,basis_opening,20000,",
    "b,2017-03-01,,IRA,traditional,conversion,50000,",
    "b,2018-03-01,2017,ROTH,roth,recharacterization,20000,",
    "b,2017-12-31,2017,IRA,traditional,year_end_value,30000,",
)


def test_line_6_counts_the_amount_a_recharacterization_moved_with_its_earnings():
    # 20,000 of the conversion recharacterized, moved back with 2,000 of earnings: line 8 nets the 20,000, line 6
    # adds the 22,000 that moved. Line 9 = 52,000 + 30,000; line 10 = 20,000 / 82,000 = 0.24390.
    rows = (*CONVERSION_UNDONE_IN_SPRING, "b,2018-03-01,2017,ROTH,roth,recharacterization_transfer,22000,")
    lines = years(csv_text(*rows))[("b", 2017)]["lines"]
    assert (lines["6"], lines["8"], lines["10"], lines["11"]) == (52000, 30000, "0.24390", 7317)


def test_line_6_subtracts_the_amount_moved_out_less_a_loss():
    rows = (
        "d,2023-01-10,2022,,,basis_opening,20000,",
        "d,2023-05-01,2023,IRA,traditional,nondeductible_contribution,6000,",
        "d,2024-03-01,2023,IRA,traditional,recharacterization,6000,",
        "d,2024-03-01,2023,IRA,traditional,recharacterization_transfer,5800,",
        "d,2023-05-01,2023,ROTH,roth,roth_contribution,6000,",
        "d,2023-06-01,,IRA,,distribution,10000,",
        "d,2023-12-31,,IRA,,year_end_value,56000,",
    )
    lines = years(csv_text(*rows))[("d", 2023)]["lines"]
    assert (lines["1"], lines["6"]) == (0, 50200)


def test_line_6_leaves_out_a_recharacterized_contribution_deposited_after_december_31():
    # Deposited in February 2024 for 2023 and moved to a Roth IRA in March 2024: never in the 31 December value.
    rows = (
        "k,2023-01-10,2022,,,basis_opening,20000,",
        "k,2024-02-01,2023,IRA,traditional,nondeductible_contribution,6000,",
        "k,2024-03-01,2023,IRA,traditional,recharacterization,6000,",
        "k,2024-02-01,2023,ROTH,roth,roth_contribution,6000,",
        "k,2023-06-01,,IRA,,distribution,10000,",
        "k,2023-12-31,,IRA,,year_end_value,50000,",
    )
    lines = years(csv_text(*rows))[("k", 2023)]["lines"]
    assert (lines["1"], lines["4"], lines["6"]) == (0, 0, 50000)


def test_designated_roth_rollover_joins_the_line_22_basis_not_line_24():
    # Line 22: "Increase the amount on line 22 by any amount rolled in from a designated Roth ... account that is
    # treated as investment in the contract"; line 24: "Don't include amounts rolled in from a designated Roth".
    rows = (
        "e,2023-02-01,,ROTH,roth,designated_roth_rollover,20000,",
        "e,2023-06-01,,ROTH,roth,roth_distribution,25000,",
    )
    y = years(csv_text(*rows), taxpayers={"e": {"birth_date": "1990-01-01"}})[("e", 2023)]
    assert y["lines"] == {
        "19": 25000,
        "20": 0,
        "21": 25000,
        "22": 20000,
        "23": 5000,
        "24": 0,
        "25a": 5000,
        "25b": 0,
        "25c": 5000,
    }


def test_roth_contribution_returned_after_the_extended_due_date_is_a_roth_distribution():
    # Only returns by the due date (including extensions) are kept off line 19 ("Return of IRA Contributions").
    rows = (
        "f,2021-03-01,2021,ROTH,roth,roth_contribution,6000,",
        "f,2023-03-01,2021,ROTH,roth,returned_contribution,6000,",
    )
    y = years(csv_text(*rows), taxpayers={"f": {"birth_date": "1990-01-01"}})
    assert y[("f", 2023)]["lines"] == {"19": 6000, "20": 0, "21": 6000, "22": 6000, "23": 0}
    assert y[("f", 2023)]["roth_contribution_basis_end"] == 0
    # Returned in time, it never happened: no form, and the basis never had it.
    rows = (rows[0], "f,2021-12-01,2021,ROTH,roth,returned_contribution,6000,")
    y = years(csv_text(*rows), taxpayers={"f": {"birth_date": "1990-01-01"}})
    assert y[("f", 2021)]["roth_contribution_basis_end"] == 0 and y[("f", 2021)]["form_required"] is False


def test_a_return_made_after_december_31_comes_off_that_years_later_deposits_first():
    # 3,000 deposited in May 2023 and 3,000 in February 2024, both for 2023; 3,000 returned in March 2024. The
    # return takes the February deposit: line 4 = 0, line 5 = 13,000, line 10 = 13,000 / 21,000 = 0.61905.
    base = (
        "h,2023-01-10,2022,,,basis_opening,10000,",
        "h,2023-05-01,2023,IRA,,nondeductible_contribution,3000,",
        "h,2024-02-01,2023,IRA,,nondeductible_contribution,3000,",
        "h,2023-06-01,,IRA,,distribution,1000,",
        "h,2023-12-31,,IRA,,year_end_value,20000,",
    )
    lines = years(csv_text(*base, "h,2024-03-01,2023,IRA,,returned_contribution,3000,"))[("h", 2023)]["lines"]
    assert (lines["1"], lines["4"], lines["5"], lines["10"]) == (3000, 0, 13000, "0.61905")
    # Returned in November 2023, it can only be the May deposit: line 4 keeps the February one.
    lines = years(csv_text(*base, "h,2023-11-01,2023,IRA,,returned_contribution,3000,"))[("h", 2023)]["lines"]
    assert (lines["1"], lines["4"], lines["5"]) == (3000, 3000, 10000)
