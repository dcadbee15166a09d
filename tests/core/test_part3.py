"""Part III: nonqualified Roth distributions, the ordering rules and carrying the two Roth bases (Pub 590-B)."""

from tests.core.helpers import csv_text, years

HISTORY = (
    "rb,2019-04-01,2019,R,,roth_contribution,6000,",
    "rb,2020-04-01,2020,R,,roth_contribution,3000,",
    "rb,2021-03-01,,T,,conversion,2500,",
    "rb,2021-12-31,,T,,year_end_value,0,",
    "rb,2022-06-01,,R,,roth_distribution,12000,",
)


def test_distribution_beyond_both_bases_is_taxable_earnings():
    # Like the 2022 sample: line 19 = 12,000, line 22 = 9,000, line 23 = 3,000, line 24 = 2,500 -> 25a = 500.
    y = years(csv_text(*HISTORY), taxpayers={"rb": {"birth_date": "1990-01-01"}})[("rb", 2022)]
    assert y["lines"] == {
        "19": 12000,
        "20": 0,
        "21": 12000,
        "22": 9000,
        "23": 3000,
        "24": 2500,
        "25a": 500,
        "25b": 0,
        "25c": 500,
    }
    assert y["roth_contribution_basis_end"] == 0 and y["roth_conversion_basis_end"] == 0
    assert y["warnings"] == []


def test_unknown_birth_date_means_nonqualified_with_a_warning():
    y = years(csv_text(*HISTORY))[("rb", 2022)]
    assert y["lines"]["19"] == 12000
    assert [w["code"] for w in y["warnings"]] == ["birth-date-unknown"]


def test_qualified_distribution_stays_off_the_form_and_keeps_the_bases():
    # 59½ reached in 2009 and the first Roth year (2019) is five years before 2024: qualified.
    rows = (*HISTORY[:4], "rb,2024-06-01,,R,,roth_distribution,12000,")
    y = years(csv_text(*rows), taxpayers={"rb": {"birth_date": "1950-01-01"}})
    assert y[("rb", 2024)]["form_required"] is False
    assert y[("rb", 2024)]["roth_contribution_basis_end"] == 9000
    # The same distribution in 2022 is only three years after 2019: nonqualified despite the age.
    y = years(csv_text(*HISTORY), taxpayers={"rb": {"birth_date": "1950-01-01"}})
    assert y[("rb", 2022)]["lines"]["19"] == 12000


def test_contributions_first_then_conversions_carried_year_to_year():
    rows = (
        "oc,2019-04-01,2019,R,,roth_contribution,6000,",
        "oc,2020-04-01,2020,R,,roth_contribution,4000,",
        "oc,2020-05-01,,T,,conversion,5000,",
        "oc,2020-12-31,,T,,year_end_value,0,",
        "oc,2022-06-01,,R,,roth_distribution,4000,",
        "oc,2023-06-01,,R,,roth_distribution,8000,",
    )
    y = years(csv_text(*rows), taxpayers={"oc": {"birth_date": "1985-01-01"}})
    # 2022: all of it from contributions; line 23 is 0, so lines 24 and 25 are skipped.
    assert y[("oc", 2022)]["lines"] == {"19": 4000, "20": 0, "21": 4000, "22": 10000, "23": 0}
    assert y[("oc", 2022)]["roth_contribution_basis_end"] == 6000
    # 2023: 6,000 left of contributions, then 2,000 out of the 5,000 conversion: 25a = 0, 25b/25c skipped.
    assert y[("oc", 2023)]["lines"] == {"19": 8000, "20": 0, "21": 8000, "22": 6000, "23": 2000, "24": 5000, "25a": 0}
    assert y[("oc", 2023)]["roth_contribution_basis_end"] == 0
    assert y[("oc", 2023)]["roth_conversion_basis_end"] == 3000


def test_contribution_for_the_year_deposited_next_spring_counts_before_the_years_distribution():
    rows = ("ns,2023-03-01,,R,,roth_distribution,5000,", "ns,2024-04-10,2023,R,,roth_contribution,6500,")
    y = years(csv_text(*rows), taxpayers={"ns": {"birth_date": "1985-01-01"}})[("ns", 2023)]
    assert y["lines"]["22"] == 6500 and y["lines"]["23"] == 0


def test_the_years_conversions_count_before_its_distributions():
    rows = (
        "cv,2023-02-01,,T,,conversion,10000,",
        "cv,2023-01-15,,R,,roth_distribution,4000,",
        "cv,2023-12-31,,T,,year_end_value,0,",
    )
    y = years(csv_text(*rows), taxpayers={"cv": {"birth_date": "1985-01-01"}})[("cv", 2023)]
    assert (y["lines"]["22"], y["lines"]["23"], y["lines"]["24"], y["lines"]["25a"]) == (0, 4000, 10000, 0)


def test_opening_roth_bases_seed_lines_22_and_24():
    rows = (
        "ob,2021-04-01,2020,,roth,roth_contribution_basis_opening,3000,",
        "ob,2021-04-01,2020,,roth,roth_conversion_basis_opening,1000,",
        "ob,2021-06-01,,R,,roth_distribution,5000,",
    )
    y = years(csv_text(*rows), taxpayers={"ob": {"birth_date": "1985-01-01"}})[("ob", 2021)]
    assert (y["lines"]["22"], y["lines"]["24"], y["lines"]["25c"]) == (3000, 1000, 1000)


def test_a_roth_history_older_than_the_ledger_starts_the_five_year_clock_earlier():
    rows = ("fy,2021-04-01,2021,R,,roth_contribution,6000,", "fy,2022-06-01,,R,,roth_distribution,1000,")
    born = {"birth_date": "1955-01-01"}  # 67 in 2022
    assert years(csv_text(*rows), taxpayers={"fy": born})[("fy", 2022)]["lines"]["19"] == 1000  # 2021 + 5 > 2022
    y = years(csv_text(*rows), taxpayers={"fy": {**born, "roth_first_year": 2015}})[("fy", 2022)]
    assert y["form_required"] is False  # qualified: 59½ and five years since 2015
