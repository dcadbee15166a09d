"""Form 8606 Part I, line by line, with worked numbers (Form 8606 2023 and its instructions)."""

from tests.core.helpers import csv_text, years


def test_contribution_only_year_fills_lines_1_2_3_14_and_skips_the_rest():
    # No distribution and no conversion: "Enter the amount from line 3 on line 14. Do not complete the rest".
    y = years(csv_text("ed,2023-03-01,2023,A,,nondeductible_contribution,6500,"))
    assert y[("ed", 2023)]["lines"] == {"1": 6500, "2": 0, "3": 6500, "14": 6500}
    assert y[("ed", 2023)]["form_required"] is True
    assert y[("ed", 2023)]["basis_end"] == 6500


def test_line_2_is_previous_line_14_and_a_year_without_activity_needs_no_form():
    y = years(
        csv_text(
            "ed,2021-02-01,2021,A,,nondeductible_contribution,6000,",
            "ed,2022-12-31,,A,,year_end_value,10000,",
            "ed,2023-02-01,2023,A,,nondeductible_contribution,6500,",
        )
    )
    assert y[("ed", 2022)]["form_required"] is False and y[("ed", 2022)]["lines"] == {}
    assert y[("ed", 2022)]["basis_end"] == 6000
    assert y[("ed", 2023)]["lines"]["2"] == 6000 and y[("ed", 2023)]["lines"]["14"] == 12500


def test_basis_opening_is_line_2_of_the_next_year():
    y = years(
        csv_text(
            'ed,2020-04-01,2019,,,basis_opening,"68,000",line 14 of 2019',
            "ed,2020-05-01,2020,A,,nondeductible_contribution,6000,",
        )
    )
    assert (("ed", 2019)) not in y  # the opening is the end of 2019, not a computed year
    assert y[("ed", 2020)]["lines"]["2"] == 68000 and y[("ed", 2020)]["lines"]["14"] == 74000


def test_pro_rata_conversion_worked_example():
    # Basis 19,500 of a pool worth 32,500 at year end after converting 6,500 and distributing 2,000 ... as in the
    # 2023 sample: line 9 = 30,500 + 2,000 + 6,500 = 39,000; line 10 = 19,500 / 39,000 = 0.50000.
    y = years(
        csv_text(
            "ed,2023-01-10,2022,,,basis_opening,19500,",
            "ed,2023-03-01,,A,,conversion,6500,",
            "ed,2023-06-01,,A,,distribution,2000,",
            "ed,2023-12-31,,A,,year_end_value,30500,",
        )
    )
    lines = y[("ed", 2023)]["lines"]
    assert lines == {
        "1": 0,
        "2": 19500,
        "3": 19500,
        "4": 0,
        "5": 19500,
        "6": 30500,
        "7": 2000,
        "8": 6500,
        "9": 39000,
        "10": "0.50000",
        "11": 3250,
        "12": 1000,
        "13": 4250,
        "14": 15250,
        "15a": 1000,
        "15b": 0,
        "15c": 1000,
        "16": 6500,
        "17": 3250,
        "18": 3250,
    }


def test_line_4_holds_contributions_made_next_year_and_leaves_them_out_of_line_5():
    # 4,000 deposited in 2023 and 2,500 in Feb 2024, both for 2023; a 1,000 distribution in 2023.
    # Line 3 = 6,500, line 4 = 2,500, line 5 = 4,000, line 9 = 20,000 + 1,000 = 21,000,
    # line 10 = 4,000 / 21,000 = 0.190476 -> 0.19048, line 12 = 1,000 x 0.19048 = 190.48 -> 190.
    y = years(
        csv_text(
            "bo,2023-05-01,2023,A,,nondeductible_contribution,4000,",
            "bo,2024-02-01,2023,A,,nondeductible_contribution,2500,",
            "bo,2023-12-31,,A,,year_end_value,20000,",
            "bo,2023-08-01,,A,,distribution,1000,",
        )
    )
    lines = y[("bo", 2023)]["lines"]
    assert (lines["1"], lines["4"], lines["5"], lines["10"], lines["12"], lines["14"]) == (
        6500,
        2500,
        4000,
        "0.19048",
        190,
        6310,
    )


def test_line_6_adds_outstanding_rollovers_and_line_7_excludes_non_distributions():
    # 5,000 left one IRA on 20 Dec 2023 and reached another on 10 Jan 2024: outstanding on 31 December.
    # QCD, HSA funding, rollovers and a timely returned contribution stay off line 7.
    y = years(
        csv_text(
            "cy,2022-06-01,2022,A,,nondeductible_contribution,6000,",
            "cy,2023-12-20,,A,,rollover_out,5000,",
            "cy,2024-01-10,,B,,rollover_in,5000,",
            "cy,2023-04-01,,A,,qualified_charitable_distribution,3000,",
            "cy,2023-05-01,,A,,hsa_funding_distribution,3850,",
            "cy,2023-07-01,,A,,distribution,1000,",
            "cy,2023-12-31,,A,,year_end_value,45000,",
            "cy,2024-12-31,,A,,year_end_value,50000,",
        )
    )
    lines = y[("cy", 2023)]["lines"]
    assert lines["6"] == 50000  # 45,000 + 5,000 outstanding
    assert lines["7"] == 1000
    assert lines["9"] == 51000
    assert y[("cy", 2024)]["form_required"] is False  # the rollover completed; nothing else happened


def test_line_10_rounds_half_up_at_the_chosen_places_and_caps_at_one():
    rows = (
        "dd,2022-12-30,2021,,,basis_opening,1,",
        "dd,2022-03-01,,A,,conversion,3,",
        "dd,2022-12-31,,A,,year_end_value,5,",
    )
    # 1 / (5 + 3) = 0.125 exactly: 3 places keep 0.125; 5 places 0.12500.
    assert years(csv_text(*rows), ratio_places=3)[("dd", 2022)]["lines"]["10"] == "0.125"
    assert years(csv_text(*rows))[("dd", 2022)]["lines"]["10"] == "0.12500"
    # 2 / 3 = 0.6666.. -> 0.667 at 3 places (half-up), 0.66667 at 5.
    rows2 = (
        "dd,2022-12-30,2021,,,basis_opening,2,",
        "dd,2022-03-01,,A,,distribution,3,",
        "dd,2022-12-31,,A,,year_end_value,0,",
    )
    assert years(csv_text(*rows2), ratio_places=3)[("dd", 2022)]["lines"]["10"] == "0.667"
    # Basis above the pool: 1.000 (capped), conversion wholly nontaxable.
    rows3 = (
        "dd,2022-12-30,2021,,,basis_opening,5000,",
        "dd,2022-03-01,2022,A,,nondeductible_contribution,10,",
        "dd,2022-03-02,,A,,conversion,4000,",
        "dd,2022-12-31,,A,,year_end_value,500,",
    )
    y = years(csv_text(*rows3))[("dd", 2022)]["lines"]
    assert y["10"] == "1.00000" and y["11"] == 4000 and y["18"] == 0


def test_line_13_capped_at_line_5_with_the_excess_off_line_11_first():
    # Rules doc: basis 9,109 and a 10,900 conversion at 3 places give 0.836 and 9,112.4 -> 9,112 > 9,109.
    y = years(
        csv_text(
            "ee,2022-12-30,2021,,,basis_opening,9109,",
            "ee,2022-04-01,2022,A,,nondeductible_contribution,0.01,",  # Part I needs a reason; 1 cent rounds to 0
            "ee,2022-05-01,,A,,conversion,10900,",
            "ee,2022-12-31,,A,,year_end_value,0,",
        ),
        ratio_places=3,
    )[("ee", 2022)]
    assert y["lines"]["10"] == "0.836"
    assert y["lines"]["11"] == 9109 and y["lines"]["13"] == 9109 and y["lines"]["14"] == 0
    assert y["lines"]["18"] == 10900 - 9109
    assert [w["code"] for w in y["warnings"]] == ["line13-capped"]


def test_converting_everything_after_a_loss_leaves_basis_on_line_14():
    # Rules doc: contribution 6,000, value fell to 5,940, all converted: line 14 = 60, said to the user.
    y = years(
        csv_text(
            "ff,2024-01-05,2024,A,,nondeductible_contribution,6000,",
            "ff,2024-03-01,,A,,conversion,5940,",
            "ff,2024-12-31,,A,,year_end_value,0,",
        )
    )[("ff", 2024)]
    assert y["lines"]["10"] == "1.00000" and y["lines"]["11"] == 5940 and y["lines"]["14"] == 60
    assert "leftover-basis" in [w["code"] for w in y["warnings"]]


def test_part_ii_only_when_all_converted_without_a_new_contribution():
    # Basis from earlier years, everything converted, no contribution, no distribution: Part I is not required
    # ("converted part, but not all"); line 17 is the basis (line 2 as it would have been).
    y = years(
        csv_text(
            "gg,2023-01-05,2022,,,basis_opening,7000,",
            "gg,2023-02-01,,A,,conversion,7300,",
            "gg,2023-12-31,,A,,year_end_value,0,",
        )
    )[("gg", 2023)]
    assert y["lines"] == {"16": 7300, "17": 7000, "18": 300}
    assert y["basis_end"] == 0 and y["roth_conversion_basis_end"] == 7300


def test_conversion_without_basis_is_fully_taxable_in_part_ii():
    y = years(csv_text("hh,2023-02-01,,A,,conversion,10000,", "hh,2023-12-31,,A,,year_end_value,5,"))[("hh", 2023)]
    assert y["lines"] == {"16": 10000, "17": 0, "18": 10000}


def test_distribution_without_basis_needs_no_form():
    y = years(csv_text("ii,2023-02-01,,A,,distribution,10000,", "ii,2023-12-31,,A,,year_end_value,5,"))
    assert y[("ii", 2023)]["form_required"] is False


def test_each_line_rounds_its_exact_cents_half_up_and_cents_mode_keeps_them():
    rows = ("jj,2023-01-05,2022,,,basis_opening,1000.50,", "jj,2023-02-01,2023,A,,nondeductible_contribution,100.49,")
    y = years(csv_text(*rows))[("jj", 2023)]["lines"]
    assert y == {"1": 100, "2": 1001, "3": 1101, "14": 1101}
    c = years(csv_text(*rows), cents=True)[("jj", 2023)]["lines"]
    assert c == {"1": "100.49", "2": "1000.50", "3": "1100.99", "14": "1100.99"}


def test_after_tax_plan_rollover_adds_to_line_2():
    y = years(
        csv_text(
            "kk,2023-06-01,,A,,after_tax_rollover_from_plan,15000,",
            "kk,2024-02-01,2024,A,,nondeductible_contribution,7000,",
        )
    )
    assert y[("kk", 2023)]["form_required"] is False and y[("kk", 2023)]["basis_end"] == 15000
    assert y[("kk", 2024)]["lines"]["2"] == 15000


def test_contribution_returned_by_the_deadline_never_happened_and_a_late_return_leaves_the_basis():
    # Timely: 7,000 contributed for 2023, 1,000 returned in Dec 2023 -> line 1 = 6,000.
    y = years(
        csv_text(
            "ll,2023-03-01,2023,A,,nondeductible_contribution,7000,",
            "ll,2023-12-29,2023,A,,returned_contribution,1000,",
        )
    )
    assert y[("ll", 2023)]["lines"]["1"] == 6000
    # Instructions' example: 3,000 for 2021 and 4,000 for 2022 withdrawn in Dec 2023 (after the due dates):
    # not on line 7, and not in line 2 of any later year.
    y = years(
        csv_text(
            "mm,2021-03-01,2021,A,,nondeductible_contribution,3000,",
            "mm,2022-03-01,2022,A,,nondeductible_contribution,4000,",
            "mm,2023-12-15,2021,A,,returned_contribution,3000,",
            "mm,2023-12-15,2022,A,,returned_contribution,4000,",
            "mm,2024-03-01,2024,A,,nondeductible_contribution,7000,",
        )
    )
    assert y[("mm", 2022)]["basis_end"] == 7000 and y[("mm", 2023)]["basis_end"] == 0
    assert y[("mm", 2024)]["lines"]["2"] == 0


def test_recharacterized_conversion_before_2018_reduces_line_8():
    y = years(
        csv_text(
            "nn,2017-02-01,,A,,conversion,10000,",
            "nn,2017-10-01,2017,R,roth,recharacterization,4000,",
            "nn,2017-12-31,,A,,year_end_value,1,",
        )
    )[("nn", 2017)]
    assert y["lines"]["16"] == 6000


def test_inherited_ira_keeps_its_own_chain_and_stays_out_of_the_persons_line_6():
    y = years(
        csv_text(
            "oo,2023-01-05,2022,MOM-IRA,inherited_traditional,basis_opening,20000,",
            "oo,2023-05-01,,MOM-IRA,inherited_traditional,distribution,10000,",
            "oo,2023-12-31,,MOM-IRA,inherited_traditional,year_end_value,70000,",
            "oo,2023-02-01,2023,OWN,,nondeductible_contribution,6500,",
            "oo,2023-03-01,,OWN,,distribution,500,",
            "oo,2023-12-31,,OWN,,year_end_value,9500,",
        )
    )
    inherited = y[("oo", "inherited:MOM-IRA", 2023)]["lines"]
    assert (inherited["6"], inherited["9"], inherited["10"], inherited["12"]) == (70000, 80000, "0.25000", 2500)
    own = y[("oo", 2023)]["lines"]
    assert (own["6"], own["7"], own["2"]) == (9500, 500, 0)


def test_missing_year_end_value_is_warned_not_assumed_harmless():
    y = years(csv_text("pp,2023-01-05,2022,,,basis_opening,5000,", "pp,2023-03-01,,A,,distribution,1000,"))
    assert "year-end-value-missing" in [w["code"] for w in y[("pp", 2023)]["warnings"]]
