"""An unknown 31 December value is not zero (Form 8606 line 6; project guide: unknown is not zero).

A recorded `year_end_value` of 0 says the account was emptied; no record says nothing. A year whose form depends
on line 6 (basis or a contribution for the year, and a distribution or conversion) is incomplete while an account
that was open in it (worth more than 0 on the previous 31 December, or with any event in the year) has no
31 December value.
"""

from tests.core.helpers import csv_text, years

CONVERSION = ("q,2022-12-31,2022,,,basis_opening,6000,", "q,2023-03-01,,IRA-Q,traditional,conversion,6000,")


def codes(obj: dict) -> list[str]:
    return [w["code"] for w in obj["warnings"]]


def test_unknown_year_end_value_makes_the_year_incomplete_not_tax_free():
    y = years(csv_text(*CONVERSION))[("q", 2023)]
    assert y["complete"] is False
    assert "year-end-value-missing" in codes(y)
    assert "IRA-Q" in next(w["message"] for w in y["warnings"] if w["code"] == "year-end-value-missing")


def test_recorded_zero_year_end_value_is_a_fact_and_the_year_is_complete():
    y = years(csv_text(*CONVERSION, "q,2023-12-31,,IRA-Q,traditional,year_end_value,0,"))[("q", 2023)]
    assert y["complete"] is True and "year-end-value-missing" not in codes(y)
    assert y["lines"] == {"16": 6000, "17": 6000, "18": 0}


def test_an_account_worth_something_last_year_end_needs_its_own_value_this_year():
    rows = (
        *CONVERSION,
        "q,2022-12-31,,OTHER,traditional,year_end_value,10000,",
        "q,2023-12-31,,IRA-Q,traditional,year_end_value,0,",
    )
    y = years(csv_text(*rows))[("q", 2023)]
    assert y["complete"] is False
    assert "OTHER" in next(w["message"] for w in y["warnings"] if w["code"] == "year-end-value-missing")


def test_an_account_emptied_last_year_and_untouched_needs_no_value():
    rows = (
        *CONVERSION,
        "q,2022-12-31,,OTHER,traditional,year_end_value,0,",
        "q,2023-12-31,,IRA-Q,traditional,year_end_value,0,",
    )
    assert years(csv_text(*rows))[("q", 2023)]["complete"] is True


def test_a_year_whose_form_does_not_use_line_6_is_complete_without_values():
    # A contribution alone (lines 1-3 and 14) and a distribution without basis (no form) never read line 6.
    y = years(csv_text("u,2023-03-01,2023,A,,nondeductible_contribution,6500,", "v,2023-03-01,,B,,distribution,100,"))
    assert y[("u", 2023)]["complete"] is True and y[("v", 2023)]["complete"] is True
