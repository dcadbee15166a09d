"""The command line's output conventions (issue 15): tables that fit the terminal, --csv/--json on every
reporting command with amounts as numbers, and ledgers created only by the commands that write."""

from __future__ import annotations

import csv
import io
import json

import pytest

from basis_ledger.render.fit import Col, fold, widths
from tests.core.helpers import cli, cli_json, csv_text

LONG = "History_for_Account_Z11111111.csv"
TEXT = csv_text(
    'ed,2022-01-20,2021,,,basis_opening,"$9,000.00",opening basis from the 2021 form filed by the old preparer',
    "ed,2022-02-01,2022,IRA-ROLLOVER-0000123456789,traditional,nondeductible_contribution,6000,",
    "ed,2022-02-10,,IRA-ROLLOVER-0000123456789,,conversion,15500.40,",
    "ed,2022-12-31,,IRA-ROLLOVER-0000123456789,,year_end_value,1234567.89,",
    "ed,2023-02-01,2023,IRA-ROLLOVER-0000123456789,traditional,traditional_contribution,6500,",
    "ed,2023-12-31,,IRA-ROLLOVER-0000123456789,,year_end_value,1300000,",
)


@pytest.fixture
def ledger(tmp_path):
    return tmp_path / "ledger.db"


@pytest.fixture
def loaded(tmp_path, ledger):
    (tmp_path / LONG).write_text(TEXT)
    assert cli("import", str(tmp_path / LONG), ledger=ledger).returncode == 0
    assert cli("taxpayer", "set", "ed", "--full-name", "Edward Q. Example", "--ssn-last4", "1234", ledger=ledger)
    assert cli("declare", "-t", "ed", "-y", "2023", "--nondeductible", "all", ledger=ledger).returncode == 0
    assert cli("account", "set", "IRA-ROLLOVER-0000123456789", "--owner", "ed", "--type", "traditional", ledger=ledger)
    return ledger


READERS = [("basis",), ("events",), ("taxpayer", "list"), ("account", "list"), ("compute",), ("audit",)]


@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_every_table_fits_80_columns_and_no_figure_is_cut(loaded, args):
    res = cli(*args, ledger=loaded, env={"COLUMNS": "80"})
    assert res.returncode in (0, 1), res.stderr
    lines = res.stdout.splitlines()
    assert lines and max(len(line) for line in lines) <= 80, "\n".join(line for line in lines if len(line) > 80)
    assert "…" not in res.stdout
    wide = cli(*args, "--wide", ledger=loaded, env={"COLUMNS": "80"}).stdout
    if args[0] in ("basis", "events", "compute"):  # figures are whole, with thousands separators
        figure = {"basis": "21,314", "events": "1,234,567.89", "compute": "1,234,568"}[args[0]]
        assert figure in res.stdout.replace("\n", " ") or figure in wide
    if args == ("events",):  # the file name is shown whole with --wide, and never broken mid-word
        assert f"{LONG}:2" in wide and max(len(line) for line in wide.splitlines()) > 80


def test_wide_tables_follow_a_wide_terminal(loaded):
    res = cli("events", ledger=loaded, env={"COLUMNS": "200"})
    assert f"{LONG}:2" in res.stdout and "left out" not in res.stdout
    assert max(len(line) for line in res.stdout.splitlines()) <= 200


def test_fold_breaks_at_word_and_path_boundaries():
    assert fold("History_for_Account_Z11111111.csv:12", 16) == ["History_for_", "Account_", "Z11111111.csv:12"]
    assert fold("opening basis from the form", 12) == ["opening", "basis from", "the form"]
    assert fold("abcdefghij", 4) == ["abcd", "efgh", "ij"]  # one token wider than the column: broken inside


def test_figures_keep_their_width_and_minor_columns_go_first():
    cols = [Col("name"), Col("amount", figure=True), Col("note", rank=1), Col("source", rank=2)]
    rows = [["ed", "1,234,567.89", "a long note " * 3, "x/y/z.csv:1"]]
    shown, w = widths(cols, rows, 30, wide=False)
    assert shown == [0, 1] and w[1] == len("1,234,567.89")
    shown, w = widths(cols, rows, 30, wide=True)
    assert shown == [0, 1, 2, 3] and w[2] == len(rows[0][2])


def test_json_amounts_are_numbers_as_compute_gives_them(loaded):
    ev = cli_json("events", ledger=loaded)
    assert [e["amount"] for e in ev] == [9000, 6000, 15500, 1234568, 6500, 1300000]
    assert cli_json("events", "--cents", ledger=loaded)[2]["amount"] == "15500.40"
    (ed,) = cli_json("taxpayer", "list", ledger=loaded)
    assert ed["declarations"] == [{"tax_year": 2023, "nondeductible": "all"}]
    findings = json.loads(cli("audit", "--json", ledger=loaded).stdout)
    amounts = [f[k] for f in findings for k in ("expected", "found") if isinstance(f[k], int)]
    assert amounts, "some finding compares amounts"
    assert not [f[k] for f in findings for k in ("expected", "found") if isinstance(f[k], str) and f[k][:1] == "$"]


@pytest.mark.parametrize("args", [("basis",), ("events",), ("taxpayer", "list"), ("account", "list")], ids=" ".join)
def test_csv_on_every_reporting_command(loaded, args):
    res = cli(*args, "--csv", ledger=loaded)
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert rows and len(rows) == len(cli_json(*args, ledger=loaded))


def test_read_only_commands_on_a_missing_ledger_create_nothing(tmp_path):
    missing = tmp_path / "nowhere" / "ledger.db"
    for args in [
        ("compute",),
        ("basis",),
        ("events",),
        ("audit",),
        ("report", "--xlsx", str(tmp_path / "r.xlsx")),
        ("plan", "isolate", "-t", "ed", "-y", "2023"),
        ("taxpayer", "list"),
        ("account", "list"),
    ]:
        res = cli(*args, ledger=missing)
        assert res.returncode == 2 and str(missing) in res.stderr, (args, res.stderr)
        assert not missing.exists() and not missing.parent.exists(), args
    assert not (tmp_path / "r.xlsx").exists()


def test_writing_commands_say_they_created_a_ledger(tmp_path):
    for n, args in enumerate(
        [
            ("taxpayer", "set", "ed", "--birth-date", "1970-01-01"),
            ("account", "set", "A1", "--owner", "ed", "--type", "traditional"),
            ("declare", "-t", "ed", "-y", "2023", "--nondeductible", "all"),
        ]
    ):
        db = tmp_path / f"l{n}.db"
        res = cli(*args, ledger=db)
        assert res.returncode == 0 and f"created new ledger {db}" in res.stderr, res.stderr
        again = cli(*args, ledger=db)
        assert "created new ledger" not in again.stderr
    db = tmp_path / "imported.db"
    (tmp_path / "a.csv").write_text(TEXT)
    res = cli("import", str(tmp_path / "a.csv"), ledger=db)
    assert res.returncode == 0 and f"created new ledger {db}" in res.stderr


def test_declare_for_a_year_without_contributions_warns(loaded):
    res = cli("declare", "-t", "ed", "-y", "2019", "--nondeductible", "all", ledger=loaded)
    assert res.returncode == 0 and "no traditional IRA contributions of ed for 2019" in res.stderr
    res = cli("declare", "-t", "ed", "-y", "2023", "--nondeductible", "1,000", ledger=loaded)
    assert "warning" not in res.stderr
