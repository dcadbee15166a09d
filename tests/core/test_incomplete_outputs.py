"""An incomplete year (a 31 December value unknown) as every command shows it, and the outputs that misled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.core.helpers import cli, csv_text

MISSING = csv_text(
    "q,2022-12-31,2022,,,basis_opening,6000,",
    "q,2023-03-01,,IRA-Q,traditional,conversion,6000,",
)


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    path = tmp_path / "in.csv"
    path.write_text(MISSING)
    db = tmp_path / "l.db"
    assert cli("import", str(path), ledger=db).returncode == 0
    return db


def test_compute_json_says_incomplete_and_the_table_marks_line_6(ledger):
    res = cli("compute", "--json", ledger=ledger)
    obj = next(o for o in json.loads(res.stdout) if o["tax_year"] == 2023)
    assert obj["complete"] is False
    assert [w["code"] for w in obj["warnings"]] == ["year-end-value-missing"]
    table = cli("compute", "-y", "2023", ledger=ledger, env={"COLUMNS": "200"}).stdout
    assert "INCOMPLETE" in table and "? (only 0 known)" in table
    basis = cli("basis", ledger=ledger, env={"COLUMNS": "200"}).stdout
    assert "INCOMPLETE" in basis


def test_audit_reports_a_missing_year_end_value_as_an_error(ledger):
    res = cli("audit", "--json", ledger=ledger)
    assert res.returncode == 1
    found = [f for f in json.loads(res.stdout) if f["code"] == "year-end-value-missing"]
    assert found and found[0]["severity"] == "error" and found[0]["tax_year"] == 2023 and found[0]["line"] == "6"


def test_fill_refuses_an_incomplete_year_unless_allowed(ledger, tmp_path):
    from tests.pdf.formfixture import blank_form

    blank = tmp_path / "blank.pdf"
    blank_form(blank, 2023)
    out = tmp_path / "f.pdf"
    res = cli("fill", "-t", "q", "-y", "2023", "--form", str(blank), "-o", str(out), ledger=ledger)
    assert res.returncode == 2 and "incomplete" in res.stderr and "--allow-incomplete" in res.stderr
    assert not out.exists()
    res = cli(
        "fill", "-t", "q", "-y", "2023", "--form", str(blank), "-o", str(out), "--allow-incomplete", ledger=ledger
    )
    assert res.returncode == 0, res.stderr
    assert out.exists()


def test_basis_shows_the_opening_balance_as_carried_out_of_its_own_year(tmp_path):
    # A basis_opening for 2018 is line 14 of the 2018 form: 2018 carries 92,000, not 0.
    path = tmp_path / "o.csv"
    path.write_text(
        csv_text(
            "m,2019-04-10,2018,,traditional,basis_opening,92000,",
            "m,2018-12-31,,IRA,traditional,year_end_value,100000,",
            "m,2019-05-01,2019,IRA,,nondeductible_contribution,6000,",
        )
    )
    db = tmp_path / "l.db"
    assert cli("import", str(path), ledger=db).returncode == 0
    rows = {r["tax_year"]: r for r in json.loads(cli("basis", "--json", ledger=db).stdout)}
    assert rows[2018]["basis_end"] == 92000 and rows[2019]["basis_in"] == 92000


def test_leftover_basis_ignores_line_4_money_and_never_calls_an_unknown_value_zero():
    from tests.core.helpers import years

    # 6,500 for 2023 deposited in February 2024 (line 4), everything else converted, 31 December value 0.
    rows = (
        "n,2023-01-10,2022,,,basis_opening,5000,",
        "n,2023-03-01,,IRA,,conversion,5000,",
        "n,2024-02-01,2023,IRA,,nondeductible_contribution,6500,",
        "n,2023-12-31,,IRA,,year_end_value,0,",
    )
    y = years(csv_text(*rows))[("n", 2023)]
    assert y["lines"]["4"] == 6500 and y["basis_end"] == 6500
    assert "leftover-basis" not in [w["code"] for w in y["warnings"]]
    # The same conversion with no 31 December value: incomplete, and no "worth $0" claim.
    y = years(csv_text(*rows[:3]))[("n", 2023)]
    assert [w["code"] for w in y["warnings"]] == ["year-end-value-missing"]
