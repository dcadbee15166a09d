"""Deadlines: a contribution deposited after its year's deadline, and the extended due date of a return."""

from __future__ import annotations

import json
from pathlib import Path

from tests.core.helpers import cli, csv_text, years

LATE = csv_text(
    "ed,2022-04-19,2021,IRA,,nondeductible_contribution,6000,", "ed,2022-03-01,2022,IRA,,deductible_contribution,1,"
)


def test_import_refuses_a_contribution_deposited_after_its_years_deadline(tmp_path: Path, ledger_db):
    # The 2021 deadline was Monday 18 April 2022 (15 April was a Friday holiday for Emancipation Day, observed).
    path, db = tmp_path / "late.csv", ledger_db
    path.write_text(LATE)
    res = cli("import", str(path), ledger=db)
    assert res.returncode == 2
    assert f"{path}:2: column date:" in res.stderr and "deadline of 2022-04-18" in res.stderr
    assert "--allow-late" in res.stderr
    assert not db.exists() or cli("events", "--json", ledger=db).stdout.strip() in ("[]", "")


def test_allow_late_keeps_the_row_and_audit_still_reports_it(tmp_path: Path, ledger_db):
    path, db = tmp_path / "late.csv", ledger_db
    path.write_text(LATE)
    assert cli("import", str(path), "--allow-late", ledger=db).returncode == 0
    res = cli("audit", "--json", ledger=db)
    assert res.returncode == 1
    assert "late-contribution" in [f["code"] for f in json.loads(res.stdout)]


def test_extended_due_date_moves_to_the_next_business_day():
    # 15 October 2022 was a Saturday: a 2021 contribution returned on Monday 17 October 2022 was returned by the
    # extended due date, so it was never made (instructions, "Return of IRA Contributions").
    rows = (
        "rt,2021-03-01,2021,IRA,,nondeductible_contribution,6000,",
        "rt,2022-10-17,2021,IRA,,returned_contribution,6000,",
        "rt,2022-03-01,2022,IRA,,nondeductible_contribution,6000,",
    )
    y = years(csv_text(*rows))
    assert y[("rt", 2021)]["form_required"] is False and y[("rt", 2021)]["basis_end"] == 0
    assert y[("rt", 2022)]["lines"]["2"] == 0  # not a withdrawn excess taken off 2022's line 2: it never was basis
    # One business day later it is a withdrawn excess: 2021 keeps its basis, 2022's line 2 loses it.
    late = (rows[0], "rt,2022-10-18,2021,IRA,,returned_contribution,6000,", rows[2])
    y = years(csv_text(*late))
    assert y[("rt", 2021)]["basis_end"] == 6000 and y[("rt", 2022)]["lines"]["2"] == 0
