"""The question that started the project (rules doc §6): a $310k IRA, $92k of it basis; roll the pre-tax part
into a 401(k), convert the basis, and roll the pre-tax part back out. Three timings of the roll-back."""

import pytest

from tests.core.helpers import csv_text, years

STORY = (
    'ed,2024-01-20,2023,,,basis_opening,"92,000",line 14 of the 2023 Form 8606',
    'ed,2023-12-31,,IRA,,year_end_value,"310,000",',
    'ed,2024-02-05,,IRA,,rollover_to_plan,"218,000",pre-tax part into the 401(k)',
    'ed,2024-02-20,,IRA,,conversion,"92,000",the basis converted',
)


def test_rollback_in_december_of_the_conversion_year_makes_most_of_the_conversion_taxable():
    # Line 6 = 218,000 on 31 Dec 2024; line 9 = 218,000 + 92,000 = 310,000;
    # line 10 = 92,000 / 310,000 = 0.2967741.. -> 0.29677; line 11 = 92,000 x 0.29677 = 27,302.84 -> 27,303.
    y = years(
        csv_text(
            *STORY,
            'ed,2024-12-10,,IRA,,rollover_from_plan,"218,000",back from the 401(k)',
            'ed,2024-12-31,,IRA,,year_end_value,"218,000",',
        )
    )[("ed", 2024)]["lines"]
    assert (y["6"], y["9"], y["10"], y["11"], y["14"], y["18"]) == (218000, 310000, "0.29677", 27303, 64697, 64697)


@pytest.mark.parametrize(
    "later",
    [
        ('ed,2025-01-10,,IRA,,rollover_from_plan,"218,000",back in January', "ed,2025-12-31,,IRA,,year_end_value,1,"),
        (),
    ],
    ids=["rollback-in-january", "never"],
)
def test_rollback_after_the_year_end_or_never_keeps_the_conversion_tax_free(later):
    y = years(csv_text(*STORY, "ed,2024-12-31,,IRA,,year_end_value,0,", *later))
    # Everything left was converted and nothing was contributed: Part II alone, with the basis on line 17.
    assert y[("ed", 2024)]["lines"] == {"16": 92000, "17": 92000, "18": 0}
    assert y[("ed", 2024)]["basis_end"] == 0 and y[("ed", 2024)]["roth_conversion_basis_end"] == 92000
    if later:
        assert y[("ed", 2025)]["form_required"] is False
