"""A user's own profile file (`--profile my-bank.toml`) and mappings that tell same-text rows apart.

The worked example of docs/importing.md is docs/examples/robinhood-ira.toml with the export beside this test.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from tests.core.helpers import cli
from tests.ingest.helpers import ledger_with_accounts

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "robinhood-ira.toml"
EXPORT = Path(__file__).resolve().parent / "userprofile" / "Robinhood_RH-IRA-1_activity.csv"


@pytest.fixture
def ledger(ledger_db):
    """Ed's RH-IRA-1 in a ledger on each engine (tests/engines.py)."""
    return ledger_with_accounts(ledger_db, {"RH-IRA-1": {"owner": "ed", "type": "traditional"}})


def imported(ledger: Path, *args: str) -> list[tuple]:
    res = cli("import", "--profile", str(EXAMPLE), *args, str(EXPORT), ledger=ledger)
    assert res.returncode == 0, res.stderr
    events = json.loads(cli("events", "--json", ledger=ledger).stdout)
    return [(e["date"], e["tax_year"], e["kind"], f"{Decimal(str(e['amount'])):.2f}") for e in events]


def test_the_worked_example_imports_a_bank_we_do_not_ship(ledger: Path) -> None:
    assert imported(ledger) == [
        ("2025-03-14", 2025, "traditional_contribution", "7000.00"),
        ("2025-06-02", 2025, "traditional_contribution", "7000.00"),
        ("2025-06-05", 2025, "conversion", "7000.00"),
        ("2025-09-10", 2025, "distribution", "1000.00"),  # gross: 900 paid + 100 withheld
    ]


def test_one_row_mapped_by_file_and_line(ledger: Path) -> None:
    got = imported(ledger, "--map", f"{EXPORT.name}:3=contribution@prior")
    assert got[0] == ("2025-03-14", 2024, "traditional_contribution", "7000.00")
    assert got[1][1] == 2025  # the same text on line 5 keeps its own year


def test_same_text_told_apart_by_date_range_and_amount(ledger: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "my-mapping.toml"
    mapping.write_text(
        '[[rule]]\ntext = "IRA Deposit"\nfrom = "2025-01-01"\nto = "2025-04-15"\nthen = "contribution@prior"\n'
        '[[rule]]\ntext = "Roth Conversion"\namount = "7,000.00"\nthen = "skip"\n'
        '[[rule]]\ntext = "Roth Conversion"\namount = "1.00"\nthen = "distribution"\n'  # fits no row
    )
    got = imported(ledger, "--mapping", str(mapping))
    assert [g[1] for g in got if g[2] == "traditional_contribution"] == [2024, 2025]
    assert [g[2] for g in got].count("conversion") == 0 and [g[2] for g in got].count("distribution") == 1


def test_a_bad_mapping_rule_is_refused_with_its_number(ledger: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text('[[rule]]\ntext = "IRA Deposit"\nfrom = "2025-13-01"\nthen = "contrib"\ncolour = 1\n')
    res = cli("import", "--profile", str(EXAMPLE), "--mapping", str(mapping), str(EXPORT), ledger=ledger)
    assert res.returncode == 2
    assert "rule 1" in res.stderr and "2025-13-01" in res.stderr and "colour" in res.stderr and "contrib" in res.stderr


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (
            lambda t: t.replace('custodian = "Robinhood"', 'custodian = "Robinhood"\ncolour = "green"'),
            "colour: unknown",
        ),
        (lambda t: t.replace("text = '^IRA Deposit'", "text = '^IRA (Deposit'"), "rule 1.text: bad regular expression"),
        (lambda t: t.replace('amount = ["Amount"]\n', ""), "columns.amount: missing"),
        (lambda t: t.replace('date = ["Activity Date"]', 'date = ["Trade Date"]'), "columns.date: none of"),
        (lambda t: t.replace('then = "contribution"', 'then = "contribushun"'), "rule 1.then"),
        (lambda t: t.replace('formats = ["%m/%d/%Y"]', 'formats = ["MM/DD/YYYY"]'), "dates.formats"),
        (lambda t: t.replace("[[header]]", "[[headers]]", 1), "headers: unknown"),
        (lambda t: t + "\n[[rule\n", "not valid TOML"),
    ],
)
def test_profile_mistakes_are_named_one_line_each(ledger: Path, tmp_path: Path, edit, says: str) -> None:
    bad = tmp_path / "my-bank.toml"
    bad.write_text(edit(EXAMPLE.read_text()))
    res = cli("import", "--profile", str(bad), str(EXPORT), ledger=ledger)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert says in res.stderr and str(bad) in res.stderr, res.stderr
    assert json.loads(cli("events", "--json", ledger=ledger).stdout) == []


def test_every_mistake_at_once(ledger: Path, tmp_path: Path) -> None:
    bad = tmp_path / "my-bank.toml"
    text = EXAMPLE.read_text().replace('custodian = "Robinhood"', "colour = 1").replace("'^IRA Deposit'", "'(['")
    bad.write_text(text)
    res = cli("import", "--profile", str(bad), str(EXPORT), ledger=ledger)
    lines = [x for x in res.stderr.splitlines() if x.startswith(str(bad))]
    assert res.returncode == 2 and [x.split(": ")[1] for x in lines] == ["colour", "custodian", "rule 1.text"]


def test_a_missing_profile_file(ledger: Path, tmp_path: Path) -> None:
    copy = tmp_path / "export.csv"
    shutil.copy(EXPORT, copy)
    res = cli("import", "--profile", str(tmp_path / "nope.toml"), str(copy), ledger=ledger)
    assert res.returncode == 2 and "no such profile file" in res.stderr
