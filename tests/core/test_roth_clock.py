"""The Roth five-year clock (Form 8606 instructions 2023, "Qualified distribution"; Pub 590-B).

The clock runs from "the first year for which a contribution was made to a Roth IRA (including a conversion or a
rollover from a qualified retirement plan)". A contribution returned by the due date is "treated as if ... never
contributed"; a recharacterized one "as though ... originally contributed to the second IRA". Neither starts it.
"""

from tests.core.helpers import csv_text, years

BORN = {"birth_date": "1950-01-01"}  # 73 in 2023: only the five years decide
PART_III = {"19": 1000, "20": 0, "21": 1000, "22": 5000, "23": 0}


def test_five_year_clock_ignores_a_roth_contribution_returned_by_the_due_date():
    rows = (
        "q,2018-03-01,2018,ROTH,roth,roth_contribution,3000,",
        "q,2018-12-01,2018,ROTH,roth,returned_contribution,3000,",
        "q,2019-03-01,2019,ROTH,roth,roth_contribution,5000,",
        "q,2023-06-01,,ROTH,roth,roth_distribution,1000,",
    )
    y = years(csv_text(*rows), taxpayers={"q": BORN})[("q", 2023)]
    assert y["lines"] == PART_III  # the clock starts in 2019, so 2023 is too early
    assert y["roth_contribution_basis_end"] == 4000


def test_five_year_clock_ignores_a_roth_contribution_recharacterized_in_full():
    rows = (
        "r,2018-03-01,2018,ROTH,roth,roth_contribution,3000,",
        "r,2018-10-01,2018,ROTH,roth,recharacterization,3000,",
        "r,2018-03-01,2018,IRA,traditional,nondeductible_contribution,3000,",
        "r,2019-03-01,2019,ROTH,roth,roth_contribution,5000,",
        "r,2023-06-01,,ROTH,roth,roth_distribution,1000,",
    )
    y = years(csv_text(*rows), taxpayers={"r": BORN})[("r", 2023)]
    assert y["lines"] == PART_III


def test_five_year_clock_ignores_a_conversion_undone_in_full_before_2018():
    rows = (
        "s,2016-03-01,,IRA,traditional,conversion,3000,",
        "s,2016-10-01,2016,ROTH,roth,recharacterization,3000,",
        "s,2016-12-31,,IRA,traditional,year_end_value,3000,",
        "s,2019-03-01,2019,ROTH,roth,roth_contribution,5000,",
        "s,2023-06-01,,ROTH,roth,roth_distribution,1000,",
    )
    y = years(csv_text(*rows), taxpayers={"s": BORN})
    assert y[("s", 2016)]["form_required"] is False
    assert y[("s", 2023)]["lines"] == PART_III


def test_five_year_clock_still_starts_with_a_contribution_returned_only_in_part():
    rows = (
        "t,2018-03-01,2018,ROTH,roth,roth_contribution,3000,",
        "t,2018-12-01,2018,ROTH,roth,returned_contribution,1000,",
        "t,2023-06-01,,ROTH,roth,roth_distribution,1000,",
    )
    y = years(csv_text(*rows), taxpayers={"t": BORN})[("t", 2023)]
    assert y["form_required"] is False  # 2018 + 5 <= 2023 and 73 years old: qualified
