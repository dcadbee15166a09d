"""Corrections that keep the ledger append-only: `events void`, `import --undo`, and importing a file again.

Reproduction of issue 10's second problem: a wrong year-end value could only be mended by deleting the ledger.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

from tests.core.helpers import cli
from tests.engines import LedgerUnderTest
from tests.ingest.test_overlaps import HISTORY, fidelity, form5498, lines, live_events, setup, write


def ids(ledger: Path, kind: str) -> list[int]:
    res = cli("events", "--json", ledger=ledger)
    return [e["id"] for e in json.loads(res.stdout) if e["kind"] == kind]


def raw_rows(ledger, table: str) -> int:
    """Rows stored, voided or not, by raw SQL on either engine."""
    return ledger.sql(f"SELECT count(*) FROM {table}")[0][0]


def test_a_wrong_year_end_value_is_voided_and_replaced(tmp_path: Path, ledger_db) -> None:
    ledger = setup(ledger_db)
    typed = "taxpayer,date,tax_year,account,account_type,event,amount,memo\n"
    typed += "ed,2023-12-31,2023,T1,traditional,year_end_value,40000.00,typed from the December statement\n"
    wrong = write(tmp_path, "typed.csv", typed)
    stmt = write(tmp_path, "History_for_Account_T1.csv", fidelity(HISTORY))
    assert cli("import", str(wrong), str(stmt), ledger=ledger).returncode == 0
    assert lines(ledger, 2023)["6"] == 40000
    [bad] = ids(ledger, "year_end_value")
    stored = raw_rows(ledger, "events")

    res = cli("events", "void", str(bad), "--reason", "5498 misread: the value is 20,000", ledger=ledger)
    assert res.returncode == 0, res.stderr
    assert raw_rows(ledger, "events") == stored  # nothing deleted: the void is a row of its own
    assert ids(ledger, "year_end_value") == []
    assert "6" not in lines(ledger, 2023) or lines(ledger, 2023)["6"] != 40000

    right = write(tmp_path, "5498-right.csv", form5498([(2023, "T1", "", "20000.00")]))
    res = cli("import", str(right), ledger=ledger)
    assert res.returncode == 0, res.stderr  # no conflict with the voided value
    assert lines(ledger, 2023)["6"] == 20000

    res = cli("events", "--voided", "--json", ledger=ledger)
    [v] = json.loads(res.stdout)
    assert (
        v["id"] == bad
        and Decimal(str(v["amount"])) == 40000
        and v["void_reason"] == "5498 misread: the value is 20,000"
    )
    assert v["voided_at"] and v["voided_by"]


def test_void_refuses_unknown_ids_a_missing_reason_and_a_second_void(tmp_path: Path, ledger_db) -> None:
    ledger = setup(ledger_db)
    stmt = write(tmp_path, "History_for_Account_T1.csv", fidelity(HISTORY))
    assert cli("import", str(stmt), ledger=ledger).returncode == 0
    first = ids(ledger, "roth_conversion")[0] if ids(ledger, "roth_conversion") else ids(ledger, "conversion")[0]
    res = cli("events", "void", "999", "--reason", "x", ledger=ledger)
    assert res.returncode == 2 and "999" in res.stderr
    res = cli("events", "void", str(first), ledger=ledger)
    assert res.returncode == 2 and "--reason" in res.stderr
    assert cli("events", "void", str(first), "--reason", "test", ledger=ledger).returncode == 0
    res = cli("events", "void", str(first), "--reason", "again", ledger=ledger)
    assert res.returncode == 2 and "already voided" in res.stderr


def test_undo_an_import_by_file_or_sha256_then_import_it_again(tmp_path: Path, ledger_db) -> None:
    ledger = setup(ledger_db)
    stmt = write(tmp_path, "History_for_Account_T1.csv", fidelity(HISTORY))
    form = write(tmp_path, "5498-2023.csv", form5498([(2023, "T1", "", "20000.00")]))
    assert cli("import", str(stmt), str(form), ledger=ledger).returncode == 0
    full = live_events(ledger)
    assert lines(ledger, 2023)["8"] == 6500

    res = cli("import", "--undo", str(stmt), "--reason", "wrong account", ledger=ledger)
    assert res.returncode == 0, res.stderr
    assert "4 events" in res.stdout
    assert [e[2] for e in live_events(ledger)] == ["year_end_value"]

    sha = hashlib.sha256(form.read_bytes()).hexdigest()
    assert cli("import", "--undo", sha, ledger=ledger).returncode == 0
    assert live_events(ledger) == []
    res = cli("audit", "--json", ledger=ledger)
    assert "5498-2023.csv" not in res.stdout  # its documents are voided too

    res = cli("import", str(stmt), str(form), ledger=ledger)
    assert res.returncode == 0 and "already imported" not in res.stdout, res.stdout
    assert live_events(ledger) == full
    res = cli("import", str(stmt), ledger=ledger)
    assert "already imported" in res.stdout  # live again, so the same bytes are a no-op once more


def test_undo_of_a_file_the_ledger_does_not_hold_is_refused(tmp_path: Path, ledger_db) -> None:
    ledger = setup(ledger_db)
    stmt = write(tmp_path, "History_for_Account_T1.csv", fidelity(HISTORY))
    res = cli("import", "--undo", str(stmt), ledger=ledger)
    assert res.returncode == 2 and "not in the ledger" in res.stderr
    res = cli("import", "--undo", "ab" * 32, ledger=ledger)
    assert res.returncode == 2


def test_voided_events_are_ignored_by_every_command(tmp_path: Path, ledger_db) -> None:
    ledger = setup(ledger_db)
    stmt = write(tmp_path, "History_for_Account_T1.csv", fidelity(HISTORY))
    assert cli("import", str(stmt), ledger=ledger).returncode == 0
    for i in ids(ledger, "traditional_contribution"):
        assert cli("events", "void", str(i), "--reason", "not mine", ledger=ledger).returncode == 0
    assert lines(ledger, 2023).get("1", 0) == 0
    res = cli("basis", "--json", ledger=ledger)
    assert res.returncode == 0 and "7000" not in res.stdout.replace(",", "")


def test_a_schema_1_ledger_is_migrated_to_gain_the_voids(tmp_path: Path) -> None:
    """SQLite only: PostgreSQL ledgers are new in this (unreleased) version and start at schema 2; one of another
    version is refused by name (tests/core/test_firm.py)."""
    ledger = setup(LedgerUnderTest("sqlite", str(tmp_path / "ledger.db")))
    stmt = write(tmp_path, "History_for_Account_T1.csv", fidelity(HISTORY))
    assert cli("import", str(stmt), ledger=ledger).returncode == 0
    conversion = ids(ledger, "conversion")[0]
    with sqlite3.connect(ledger.location) as conn:  # as a ledger written before schema 2 looked
        for name in ("voids_no_update", "voids_no_delete", "reimports_no_update", "reimports_no_delete"):
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("DROP TABLE reimports")
        conn.execute("DROP TABLE voids")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    res = cli("events", "void", str(conversion), "--reason", "test", ledger=ledger)
    assert res.returncode == 0, res.stderr
    assert "upgraded from schema 1 to 2" in res.stderr
    assert raw_rows(ledger, "voids") == 1


def test_the_workbook_shows_the_voids_and_leaves_them_out_of_the_figures(tmp_path: Path, ledger_db) -> None:
    from openpyxl import load_workbook

    ledger = setup(ledger_db)
    stmt = write(tmp_path, "History_for_Account_T1.csv", fidelity(HISTORY))
    assert cli("import", str(stmt), ledger=ledger).returncode == 0
    first = ids(ledger, "traditional_contribution")[0]
    assert cli("events", "void", str(first), "--reason", "deposit reversed", ledger=ledger).returncode == 0
    out = tmp_path / "book.xlsx"
    res = cli("report", "--xlsx", str(out), ledger=ledger)
    assert res.returncode in (0, 1), res.stderr
    book = load_workbook(out)
    rows = list(book["Voided"].iter_rows(values_only=True))
    assert rows[1][0] == first and rows[1][-1] == "deposit reversed" and rows[1][7] == "History_for_Account_T1.csv"
    events = list(book["Events"].iter_rows(values_only=True))
    assert len(events) == 1 + len(ids(ledger, "traditional_contribution")) + len(ids(ledger, "conversion"))
