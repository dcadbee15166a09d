"""schemas/limits.toml: the limits and deadlines of form8606-rules.md section 5, as data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from basis_ledger.plan.limits import catch_up_eligible, deadline, limit_cents

RULES_DOC = Path(__file__).resolve().parents[2] / ".." / "shared" / "docs" / "form8606-rules.md"
# Section 5 of the rules: 2013-2018 $5,500; 2019-2022 $6,000; 2023 $6,500; 2024-2025 $7,000; 2026 $7,500;
# catch-up $1,000 through 2025, $1,100 for 2026.
EXPECTED = {
    **dict.fromkeys(range(2013, 2019), 5500),
    **dict.fromkeys(range(2019, 2023), 6000),
    2023: 6500,
    2024: 7000,
    2025: 7000,
    2026: 7500,
}


def test_limits_by_year_and_catch_up():
    for year, dollars in EXPECTED.items():
        assert limit_cents(year, None) == (dollars * 100, None)
        catch = 1100 if year == 2026 else 1000
        assert limit_cents(year, "1950-01-01") == ((dollars + catch) * 100, True)
    assert limit_cents(2012, None) is None and limit_cents(2027, None) is None


def test_deadlines_with_the_known_exceptions():
    assert deadline(2019) == "2020-07-15" and deadline(2020) == "2021-05-17"
    assert deadline(2024) == "2025-04-15"
    assert deadline(2030) == "2031-04-15"  # not in the table: 15 April of the next year
    assert all(deadline(y) > f"{y + 1}-04-14" for y in range(2013, 2027))


def test_fifty_by_31_december():
    assert catch_up_eligible("1976-12-31", 2026) is True
    assert catch_up_eligible("1977-01-01", 2026) is False
    assert catch_up_eligible(None, 2026) is None


def test_table_matches_the_shared_rules_document():
    if not RULES_DOC.exists():
        pytest.skip(f"shared rules document not present: {RULES_DOC}")
    text = RULES_DOC.read_text()
    section = text[text.index("## 5.") : text.index("## 6.")]
    found = re.findall(r"(\d{4})(?:–(\d{4}))?\s+\$([\d,]+)", section.split("Catch-up")[0])
    assert len(found) >= 5, "section 5 no longer lists the limits as 'YYYY–YYYY $N'"
    for first, last, dollars in found:
        for year in range(int(first), int(last or first) + 1):
            assert limit_cents(year, None)[0] == int(dollars.replace(",", "")) * 100, year
    assert "15 July 2020" in section and "17 May 2021" in section
