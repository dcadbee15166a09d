"""Outputs that misled a new user (issue 12): each now says what is true."""

from __future__ import annotations

import json
from pathlib import Path

from tests.core.helpers import cli, csv_text


def test_plan_isolate_proposes_no_step_that_rounds_to_zero(tmp_path: Path):
    # Account B holds one cent: converting it would be a "conversion 0" step on a whole-dollar form.
    path, db = tmp_path / "h.csv", tmp_path / "l.db"
    path.write_text(
        csv_text(
            "z,2025-01-10,2024,,traditional,basis_opening,20000,",
            "z,2025-12-31,,A,traditional,year_end_value,100000,",
            "z,2025-12-31,,B,traditional,year_end_value,0.01,",
        )
    )
    assert cli("import", str(path), ledger=db).returncode == 0
    res = cli("plan", "isolate", "--taxpayer", "z", "--year", "2026", "--json", ledger=db)
    steps = [(s["event"], s["amount"]) for s in json.loads(res.stdout)["steps"]]
    assert steps == [("rollover_to_plan", 80000), ("conversion", 20000), ("rollover_from_plan", 80000)]


def test_as_opening_of_a_form_whose_bases_are_zero_says_so(tmp_path: Path):
    # A Part III-only form whose distribution used up the contribution basis: lines 19 and 22 were read, and
    # line 22 less line 19 is 0. The message says that, not that the lines are missing.
    from tests.pdf.formfixture import printed_form

    path = tmp_path / "f8606-2021.pdf"
    printed_form(path, 2021, {"19": "5,000", "20": "0", "21": "5,000", "22": "5,000", "23": "0"})
    res = cli("import", "-t", "jo", "--as-opening", str(path), ledger=tmp_path / "l.db")
    assert res.returncode == 2
    assert "every basis it gives is zero" in res.stderr and "line 22 less line 19 = 0.00" in res.stderr
    assert "no Part III lines 19 and 22" not in res.stderr
