"""Worked examples: filled Form 8606 samples (independently computed) rebuilt from their input lines.

The inputs (lines 1, 2, 6, 7, 8, 19 and the Roth bases) become ledger events; every other line must come out as
on the sample. The expected values are written here so a fresh clone tests them; where ../shared/irs-forms is
present, the same comparison also runs against its `*-sample.values.json` files.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from tests.core.helpers import csv_text, years

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "irs-forms"

SAMPLES = {  # year -> (ratio places, cents?, lines as printed)
    2018: (
        4,
        True,
        {
            "1": "5500.00",
            "2": "2000.00",
            "3": "7500.00",
            "4": "0.00",
            "5": "7500.00",
            "6": "2480.55",
            "7": "0.00",
            "8": "5519.45",
            "9": "8000.00",
            "10": "0.9375",
            "11": "5174.48",
            "12": "0.00",
            "13": "5174.48",
            "14": "2325.52",
            "16": "5519.45",
            "17": "5174.48",
            "18": "344.97",
        },
    ),
    2022: (
        5,
        False,
        {"19": 12000, "20": 0, "21": 12000, "22": 9000, "23": 3000, "24": 2500, "25a": 500, "25b": 0, "25c": 500},
    ),
    2023: (
        3,
        False,
        {
            "1": 6500,
            "2": 13000,
            "3": 19500,
            "4": 0,
            "5": 19500,
            "6": 30500,
            "7": 2000,
            "8": 6500,
            "9": 39000,
            "10": "0.500",
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
        },
    ),
    2025: (
        3,
        False,
        {
            "1": 7000,
            "2": 14000,
            "3": 21000,
            "4": 0,
            "5": 21000,
            "6": 45000,
            "7": 3000,
            "8": 7000,
            "9": 55000,
            "10": "0.382",
            "11": 2674,
            "12": 1146,
            "13": 3820,
            "14": 17180,
            "15a": 1854,
            "15b": 0,
            "15c": 1854,
            "16": 7000,
            "17": 2674,
            "18": 4326,
        },
    ),
}


def history(year: int, lines: dict) -> str:
    """Ledger events that produce the sample's input lines."""
    v = {k: str(val).replace(",", "") for k, val in lines.items()}
    rows = []
    if "1" in v:
        rows.append(f"s,{year}-02-01,{year},IRA,,nondeductible_contribution,{v['1']},")
        rows.append(f"s,{year}-01-05,{year - 1},,,basis_opening,{v['2']},")
        rows.append(f"s,{year}-12-31,,IRA,,year_end_value,{v['6']},")
    for line, kind in (("7", "distribution"), ("8", "conversion")):
        if Decimal(v.get(line, "0")) > 0:
            rows.append(f"s,{year}-03-01,,IRA,,{kind},{v[line]},")
    if "19" in v:
        rows += [
            f"s,{year}-01-05,{year - 1},,roth,roth_contribution_basis_opening,{v['22']},",
            f"s,{year}-01-05,{year - 1},,roth,roth_conversion_basis_opening,{v['24']},",
            f"s,{year}-06-01,,ROTH,,roth_distribution,{v['19']},",
        ]
    return csv_text(*rows)


def check(year: int, places: int, cents: bool, expected: dict) -> None:
    got = years(
        history(year, expected), taxpayers={"s": {"birth_date": "1980-01-01"}}, ratio_places=places, cents=cents
    )[("s", year)]["lines"]
    for line, want in expected.items():
        assert str(got[line]) == str(want), f"{year} line {line}: {got[line]} != {want}"


@pytest.mark.parametrize("year", sorted(SAMPLES))
def test_sample_form_is_reproduced_line_by_line(year):
    check(year, *SAMPLES[year])


@pytest.mark.parametrize("year", sorted(SAMPLES))
def test_shared_sample_values_agree(year):
    path = SHARED / f"f8606-{year}-sample.values.json"
    if not path.exists():
        pytest.skip(f"{path} not present: the shared IRS samples are outside this repository")
    fields = json.loads(path.read_text())["fields"]
    places, cents, _ = SAMPLES[year]
    expected = {}
    for key, text in fields.items():
        if not key.startswith("line_") or key.endswith(("_cents", "_decimal")):
            continue
        line = key.removeprefix("line_")
        if line == "10":
            expected[line] = f"{text}.{fields['line_10_decimal']}"
        elif cents:
            expected[line] = f"{text.replace(',', '')}.{fields.get(key + '_cents', '00')}"
        else:
            expected[line] = int(text.replace(",", ""))
    check(year, places, cents, expected)
