"""Recharacterizations (Form 8606 instructions 2023, "Recharacterizations" and "Line 6").

"Treat any recharacterized IRA contribution as though the amount of the contribution was originally contributed
to the second IRA, not the first IRA." The second contribution is its own event; the `recharacterization` row
takes the amount out of the first IRA (the account it names).
"""

from tests.core.helpers import csv_text, years


def test_contribution_recharacterized_in_full_to_a_roth_is_not_reported_on_line_1():
    # "If you recharacterized the entire contribution, don't report the contribution on Form 8606."
    rows = (
        "a,2023-03-01,2023,IRA,traditional,nondeductible_contribution,6500,",
        "a,2023-09-01,2023,IRA,traditional,recharacterization,6500,",
        "a,2023-03-01,2023,ROTH,roth,roth_contribution,6500,",
        "a,2023-12-31,2023,IRA,traditional,year_end_value,0,",
    )
    y = years(csv_text(*rows))[("a", 2023)]
    assert y["form_required"] is False and y["lines"] == {}
    assert y["basis_end"] == 0
    assert y["roth_contribution_basis_end"] == 6500  # the dollars are Roth basis once, not traditional basis too


def test_contribution_recharacterized_in_part_leaves_only_the_rest_on_line_1():
    # "If you recharacterized only part of the contribution, report the nondeductible traditional IRA portion of the
    # remaining contribution": basis 10,000; 2,500 of 6,500 recharacterized; distribution 4,000; value 36,000.
    # Line 3 = 14,000, line 9 = 40,000, line 10 = 0.35000, line 12 = 1,400, line 14 = 12,600.
    rows = (
        "p,2023-01-10,2022,,,basis_opening,10000,",
        "p,2023-03-01,2023,IRA,traditional,nondeductible_contribution,6500,",
        "p,2023-09-01,2023,IRA,traditional,recharacterization,2500,",
        "p,2023-03-01,2023,ROTH,roth,roth_contribution,2500,",
        "p,2023-10-01,,IRA,,distribution,4000,",
        "p,2023-12-31,,IRA,,year_end_value,36000,",
    )
    lines = years(csv_text(*rows))[("p", 2023)]["lines"]
    assert (lines["1"], lines["10"], lines["12"], lines["14"]) == (4000, "0.35000", 1400, 12600)


def test_line_6_counts_a_conversion_recharacterized_after_december_31():
    # Line 6: "taking into account all recharacterizations of those amounts, including recharacterizations made
    # after December 31". 50,000 converted in 2017, 20,000 of it moved back on 1 March 2018, 30,000 left on
    # 31 December: line 6 = 50,000, line 8 = 30,000, line 10 = 20,000 / 80,000 = 0.25000.
    rows = (
        "b,2016-12-31,2016,,traditional,basis_opening,20000,",
        "b,2017-03-01,,IRA,traditional,conversion,50000,",
        "b,2018-03-01,2017,ROTH,roth,recharacterization,20000,",
        "b,2017-12-31,2017,IRA,traditional,year_end_value,30000,",
    )
    lines = years(csv_text(*rows))[("b", 2017)]["lines"]
    assert (lines["6"], lines["8"], lines["10"]) == (50000, 30000, "0.25000")
    assert (lines["17"], lines["18"], lines["14"]) == (7500, 22500, 12500)


def test_line_6_adds_a_roth_contribution_recharacterized_to_traditional_after_december_31():
    # A 2023 Roth contribution made in May 2023 and moved to a traditional IRA in March 2024 counts as a traditional
    # contribution made in May 2023: it belongs in the 31 December 2023 value. 44,000 + 6,000 = 50,000.
    rows = (
        "c,2023-01-10,2022,,,basis_opening,20000,",
        "c,2023-05-01,2023,ROTH,roth,roth_contribution,6000,",
        "c,2024-03-01,2023,ROTH,roth,recharacterization,6000,",
        "c,2023-05-01,2023,IRA,traditional,nondeductible_contribution,6000,",
        "c,2023-06-01,,IRA,,distribution,10000,",
        "c,2023-12-31,,IRA,,year_end_value,44000,",
    )
    y = years(csv_text(*rows))[("c", 2023)]
    assert (y["lines"]["1"], y["lines"]["6"], y["lines"]["9"], y["lines"]["10"]) == (6000, 50000, 60000, "0.43333")
    assert y["roth_contribution_basis_end"] == 0


def test_line_6_leaves_out_a_traditional_contribution_recharacterized_to_roth_after_december_31():
    # The 6,000 was in the traditional IRA on 31 December 2023 but counts as a Roth contribution from the start.
    rows = (
        "d,2023-01-10,2022,,,basis_opening,20000,",
        "d,2023-05-01,2023,IRA,traditional,nondeductible_contribution,6000,",
        "d,2024-03-01,2023,IRA,traditional,recharacterization,6000,",
        "d,2023-05-01,2023,ROTH,roth,roth_contribution,6000,",
        "d,2023-06-01,,IRA,,distribution,10000,",
        "d,2023-12-31,,IRA,,year_end_value,56000,",
    )
    lines = years(csv_text(*rows))[("d", 2023)]["lines"]
    assert (lines["1"], lines["6"], lines["10"], lines["12"], lines["14"]) == (0, 50000, "0.33333", 3333, 16667)
