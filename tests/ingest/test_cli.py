"""The ingest commands as a user meets them: account set/list, inspect (writes nothing), import with accounts,
the review list and --map, exit codes and one line per problem."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from basis_ledger.cli import app
from tests.ingest.helpers import GOLDEN

RUN = CliRunner()


def bl(ledger: Path, *args: str):
    return RUN.invoke(app, ["--ledger", str(ledger), *args])


@pytest.fixture
def files(tmp_path: Path) -> Path:
    for name in (
        "History_for_Account_X11111111.csv",
        "Individual_XX1234_Transactions_20250101-101500.csv",
        "form5498-2024.csv",
    ):
        shutil.copy(GOLDEN / name, tmp_path / name)
    return tmp_path


def events(ledger) -> list[tuple]:
    """The ledger's events, by raw SQL on either engine (tests/engines.py)."""
    return ledger.sql("SELECT kind, amount_cents, tax_year FROM events ORDER BY id")


def test_account_set_and_list(ledger_db) -> None:
    ledger = ledger_db
    res = bl(ledger, "account", "set", "X1", "--owner", "ed", "--type", "traditional", "--custodian", "Fidelity")
    assert res.exit_code == 0 and "X1: ed, traditional" in res.stdout
    assert bl(ledger, "account", "set", "X1", "--owner", "ed", "--type", "roth").exit_code == 0  # a correction
    res = bl(ledger, "account", "list", "--json")
    assert json.loads(res.stdout) == [{"account": "X1", "owner": "ed", "type": "roth", "custodian": "Fidelity"}]
    res = bl(ledger, "account", "set", "X2", "--owner", "ed", "--type", "401k")
    assert res.exit_code == 2 and "'401k' is not an account type" in res.stderr


def test_import_stops_on_an_unknown_account_then_imports_once_declared(files: Path, ledger_db) -> None:
    ledger = ledger_db
    stmt = files / "History_for_Account_X11111111.csv"
    res = bl(ledger, "import", str(stmt))
    assert res.exit_code == 2
    assert "unknown account 'X11111111'" in res.stderr and "account set 'X11111111'" in res.stderr
    assert not ledger.exists() or events(ledger) == []
    bl(ledger, "account", "set", "X11111111", "--owner", "ed", "--type", "traditional")
    res = bl(ledger, "import", str(stmt))
    assert res.exit_code == 0, res.stderr
    assert "4 events (fidelity, 11 rows skipped)" in res.stdout
    assert events(ledger) == [
        ("traditional_contribution", 700000, 2023),
        ("conversion", 701240, 2024),
        ("traditional_contribution", 700000, 2024),
        ("distribution", 165000, 2024),
    ]
    res = bl(ledger, "import", str(stmt))
    assert res.exit_code == 0 and "already imported" in res.stdout and len(events(ledger)) == 4


def test_review_stops_the_import_and_map_resolves_it(files: Path, ledger_db) -> None:
    ledger = ledger_db
    bl(ledger, "account", "set", "XX1234", "--owner", "ed", "--type", "traditional")
    stmt = files / "Individual_XX1234_Transactions_20250101-101500.csv"
    res = bl(ledger, "import", str(stmt))
    assert res.exit_code == 2 and f"{stmt}:5: needs review: 'Journal'" in res.stderr
    assert events(ledger) == []
    res = bl(ledger, "import", str(stmt), "--map", "Journal=rollover_in")
    assert res.exit_code == 0, res.stderr
    assert events(ledger) == [("distribution", 1000000, 2024), ("rollover_in", 25000, 2024)]


def test_bad_map_is_bad_input(files: Path) -> None:
    res = bl(files / "l.db", "import", str(files / "form5498-2024.csv"), "--map", "Journal=gift")
    assert res.exit_code == 2 and "'gift' is not an event kind" in res.stderr


def test_inspect_is_a_dry_run(files: Path, ledger_db) -> None:
    ledger = ledger_db
    bl(ledger, "account", "set", "X11111111", "--owner", "ed", "--type", "traditional")
    before = ledger.digest()
    res = bl(
        ledger,
        "inspect",
        "--json",
        str(files / "History_for_Account_X11111111.csv"),
        str(files / "Individual_XX1234_Transactions_20250101-101500.csv"),
        str(files / "nope.csv"),
    )
    assert res.exit_code == 1  # the second file needs its account declared, the third is missing
    first, second, third = json.loads(res.stdout)
    assert first["profile"] == "fidelity" and len(first["events"]) == 4 and first["problems"] == []
    assert first["events"][0] == {
        "taxpayer": "ed",
        "date": "2024-03-14",
        "tax_year": 2023,
        "account": "X11111111",
        "account_type": "traditional",
        "kind": "traditional_contribution",
        "amount": "7000.00",
        "memo": "Fidelity: CASH CONTRIBUTION PRIOR YEAR (Cash)",
        "source_line": 4,
        "tax_year_from": "wording",
    }
    assert "unknown account 'XX1234'" in second["problems"][0]
    assert third["problems"] == [f"{files / 'nope.csv'}: no such file"]
    assert ledger.digest() == before
    res = bl(files / "none.db", "inspect", str(files / "form5498-2024.csv"))
    assert res.exit_code == 0 and "What import would do" in res.stdout and not (files / "none.db").exists()


def test_forms_are_kept_as_documents_with_provenance(files: Path, ledger_db) -> None:
    ledger = ledger_db
    for acct, owner, kind in (("X11111111", "ed", "traditional"), ("VG-ROTH", "mia", "roth")):
        bl(ledger, "account", "set", acct, "--owner", owner, "--type", kind)
    res = bl(ledger, "import", str(files / "form5498-2024.csv"))
    assert res.exit_code == 0, res.stderr
    rows = ledger.sql(
        "SELECT d.form, d.account, d.box, d.value, d.source_line, f.name FROM documents d"
        " JOIN files f ON f.id = d.file_id WHERE d.account = 'X22222222' ORDER BY d.box"
    )
    assert rows == [
        ("5498", "X22222222", "box3_roth_conversion", "7012.40", 3, "form5498-2024.csv"),
        ("5498", "X22222222", "box5_fmv", "9000.00", 3, "form5498-2024.csv"),
        ("5498", "X22222222", "box7_roth", "X", 3, "form5498-2024.csv"),
        ("5498", "X22222222", "payer", "Fidelity", 3, "form5498-2024.csv"),
    ]


def test_help_stays_light() -> None:
    code = (
        "import sys, basis_ledger.cli; print(sorted(m for m in ('pandas', 'openpyxl', 'pandera') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_inspect_shows_a_filed_8606_through_the_pdf_importer(tmp_path: Path) -> None:
    pdf = Path(__file__).resolve().parents[2] / ".." / "shared" / "irs-forms" / "f8606-2018-filled-sample.pdf"
    if not pdf.exists():
        pytest.skip(f"IRS sample form not present: {pdf} (the shared folder beside the repo)")
    res = bl(tmp_path / "l.db", "inspect", "--json", str(pdf))
    [form] = json.loads(res.stdout)
    assert form["kind"] == "form8606" and form["tax_year"] == 2018 and form["lines"]["1"] == 5500
    assert form["file"] == str(pdf) and form["ssn_last4"] == "7654"
    assert not (tmp_path / "l.db").exists()


def test_inspect_json_of_a_pdf_is_the_form_object_in_the_same_array(tmp_path: Path, ledger_db) -> None:
    from tests.pdf.formfixture import printed_form

    pdf = tmp_path / "f8606.pdf"
    printed_form(pdf, 2021, {"1": "6,500", "2": "0", "3": "6,500", "14": "6,500"}, "cents")
    csv_file = tmp_path / "events.csv"
    csv_file.write_text(
        "taxpayer,date,tax_year,account,account_type,event,amount\ned,2021-12-31,,A,,year_end_value,5\n"
    )
    res = bl(ledger_db, "inspect", "--json", str(csv_file), str(pdf))
    statement, form = json.loads(res.stdout)
    assert statement["profile"] == "generic" and len(statement["events"]) == 1
    assert {k: form[k] for k in ("file", "kind", "tax_year")} == {
        "file": str(pdf),
        "kind": "form8606",
        "tax_year": 2021,
    }
    assert form["lines"] == {"1": 6500, "2": 0, "3": 6500, "14": 6500}
    assert not ledger_db.exists()  # no ledger made, on either engine
