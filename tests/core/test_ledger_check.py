"""`ledger check`: the whole ledger against the pandera models of its contract (the events model, the lines model)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from basis_ledger.cli import app

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "sample_data" / "demo-household.csv"
runner = CliRunner()


def _ledger(tmp_path: Path) -> Path:
    db = tmp_path / "l.db"
    assert runner.invoke(app, ["--ledger", str(db), "import", str(DEMO)]).exit_code == 0
    return db


def test_a_ledger_written_by_imports_passes(tmp_path: Path) -> None:
    db = _ledger(tmp_path)
    res = runner.invoke(app, ["--ledger", str(db), "ledger", "check", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["events"] == 21 and doc["event_problems"] == []
    assert doc["computed_years"] > 0
    assert doc["line_rules_broken"] == {"whole dollars": [], "cents": []}
    table = runner.invoke(app, ["--ledger", str(db), "ledger", "check"])
    assert table.exit_code == 0 and "no problems" in table.stdout


def test_rows_written_around_the_import_are_named_with_their_file_and_line(tmp_path: Path) -> None:
    db = _ledger(tmp_path)
    with sqlite3.connect(db) as conn:  # what another program (or a hand edit) could append: no import checked it
        conn.execute(
            "INSERT INTO events (file_id, taxpayer, date, tax_year, account, account_type, kind, amount_cents,"
            " memo, source_line) VALUES (1, 'ed', '2024-06-30', 2024, 'IRA-1', 'traditional', 'year_end_value',"
            " 100, '', 99)"
        )
    res = runner.invoke(app, ["--ledger", str(db), "ledger", "check"])
    assert res.exit_code == 1, res.output
    assert (
        "demo-household.csv:99: column date: a year_end_value is the value on 31 December; 2024-06-30 is not a"
        " 31 December" in res.stdout
    )
    assert "1 problem" in res.stdout
    doc = json.loads(runner.invoke(app, ["--ledger", str(db), "ledger", "check", "--json"]).stdout)
    assert len(doc["event_problems"]) == 1


def test_a_missing_ledger_is_bad_input(tmp_path: Path) -> None:
    res = runner.invoke(app, ["--ledger", str(tmp_path / "none.db"), "ledger", "check"])
    assert res.exit_code == 2
    assert "no ledger here yet" in res.output
