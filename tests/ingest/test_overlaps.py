"""Files that overlap: the same transactions downloaded twice, cumulative tax-form files, and conflicts.

The two reproductions of issue 10 come first: a cumulative 5498 CSV that repeats the rows of an earlier one, and
a Fidelity history downloaded twice over overlapping dates. Both used to double 8606 lines 6 and 8.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.core.helpers import cli
from tests.ingest.helpers import ledger_with_accounts

FID_HEADER = (
    "Run Date,Action,Symbol,Description,Type,Price ($),Quantity,Commission ($),Fees ($),Accrued Interest ($),"
    "Amount ($),Cash Balance ($),Settlement Date"
)
F5498_HEADER = (
    "taxpayer,tax_year,account,payer,corrected,box1_ira_contributions,box2_rollover_contributions,"
    "box3_roth_conversion,box4_recharacterized,box5_fmv,box6_life_insurance,box7_ira,box7_sep,box7_simple,box7_roth"
)
ACCOUNTS = {"T1": {"owner": "ed", "type": "traditional"}, "R1": {"owner": "ed", "type": "roth"}}

# One Fidelity history of the traditional IRA T1 (MM/DD/YYYY, action, amount).
HISTORY = [
    ("01/05/2023", "DIVIDEND RECEIVED FIDELITY GOVERNMENT MONEY MARKET (SPAXX) (Cash)", "12.40"),
    ("02/01/2023", "CASH CONTRIBUTION CURRENT YEAR (Cash)", "6500.00"),
    ("02/03/2023", "CONV TO ROTH IRA (Cash)", "-6500.00"),
    ("05/05/2023", "DIVIDEND RECEIVED FIDELITY GOVERNMENT MONEY MARKET (SPAXX) (Cash)", "3.10"),
    ("08/01/2023", "CASH CONTRIBUTION CURRENT YEAR (Cash)", "250.00"),
    ("08/01/2023", "CASH CONTRIBUTION CURRENT YEAR (Cash)", "250.00"),  # a real repeat: two deposits that day
    ("11/20/2023", "YOU BOUGHT FIDELITY 500 INDEX FUND (FXAIX) (Cash)", "-400.00"),
]


def fidelity(rows, downloaded: str = "01/15/2024") -> str:
    body = [f"{d},{a},,No Description,Cash,,0.000,,,,{amt},0.00," for d, a, amt in rows]
    footer = ["", '"The data and information in this spreadsheet is provided to you solely for your use."']
    return "\n".join(["", FID_HEADER, *body, *footer, f"Date downloaded {downloaded} 3:00 pm", ""])


def form5498(rows: list[tuple[int, str, str, str]]) -> str:
    """(tax_year, account, box1, box5) rows of ed's 5498s."""
    lines = [F5498_HEADER]
    for year, account, box1, box5 in rows:
        roth = "X" if account == "R1" else ""
        ira = "" if roth else "X"
        lines.append(f"ed,{year},{account},Fidelity,,{box1},,,,{box5},,{ira},,,{roth}")
    return "\n".join(lines) + "\n"


def setup(ledger_db):
    """Ed's traditional T1 and Roth R1 in a new ledger on the engine under test (tests/engines.py)."""
    return ledger_with_accounts(ledger_db, ACCOUNTS)


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def lines(ledger: Path, year: int) -> dict:
    res = cli("compute", "--taxpayer", "ed", "--year", str(year), "--json", ledger=ledger)
    assert res.returncode == 0, res.stderr
    [obj] = [o for o in json.loads(res.stdout) if o["chain"] == "own"]
    return obj["lines"]


def live_events(ledger: Path) -> list[tuple]:
    res = cli("events", "--json", ledger=ledger)
    assert res.returncode == 0, res.stderr
    return sorted((e["date"], e["account"], e["kind"], e["amount"]) for e in json.loads(res.stdout))


# -- reproduction 1: a cumulative 5498 file repeats the rows of an earlier one -------------------------------
def test_cumulative_5498_does_not_double_line_6(tmp_path: Path, ledger_db) -> None:
    ledger = setup(ledger_db)
    first = write(tmp_path, "5498-2021-2023.csv", form5498([(y, "T1", "", "20000.00") for y in (2021, 2022, 2023)]))
    later = write(
        tmp_path,
        "5498-2021-2024.csv",
        form5498([(y, "T1", "", "20000.00") for y in (2021, 2022, 2023)] + [(2024, "T1", "", "21000.00")]),
    )
    assert cli("import", str(first), ledger=ledger).returncode == 0
    res = cli("import", str(later), ledger=ledger)
    assert res.returncode == 0, res.stderr
    assert "1 events" in res.stdout and "3 recognised" in res.stdout and "5498-2021-2023.csv" in res.stdout
    ends = [e for e in live_events(ledger) if e[2] == "year_end_value"]
    assert [e[0] for e in ends] == ["2021-12-31", "2022-12-31", "2023-12-31", "2024-12-31"]
    res = cli("audit", "--json", ledger=ledger)
    assert "5498-2021-2024.csv" not in res.stdout or "duplicate" not in res.stdout


# -- reproduction 2: a Fidelity history downloaded twice over overlapping dates -----------------------------
def test_history_downloaded_twice_does_not_double_line_8(tmp_path: Path, ledger_db) -> None:
    ledger = setup(ledger_db)
    spring = write(tmp_path, "History_for_Account_T1.csv", fidelity(HISTORY[:4], "06/01/2023"))
    (tmp_path / "later").mkdir()
    year = write(tmp_path / "later", "History_for_Account_T1.csv", fidelity(HISTORY, "01/15/2024"))
    assert cli("import", str(spring), ledger=ledger).returncode == 0
    res = cli("import", str(year), ledger=ledger)
    assert res.returncode == 0, res.stderr
    assert "2 events" in res.stdout and "2 recognised" in res.stdout, res.stdout
    assert "History_for_Account_T1.csv" in res.stdout
    got = lines(ledger, 2023)
    assert got["8"] == 6500 and got["1"] == 7000  # not 13,000: the conversion once; both 250 deposits kept


def test_two_identical_same_day_rows_in_both_files_are_two_events(tmp_path: Path, ledger_db) -> None:
    ledger = setup(ledger_db)
    a = write(tmp_path, "History_for_Account_T1.csv", fidelity(HISTORY[4:], "12/01/2023"))
    (tmp_path / "b").mkdir()
    b = write(tmp_path / "b", "History_for_Account_T1.csv", fidelity(HISTORY, "01/15/2024"))
    assert cli("import", str(a), str(b), ledger=ledger).returncode == 0
    deposits = [e for e in live_events(ledger) if e[0] == "2023-08-01"]
    assert len(deposits) == 2  # not four, not one


def test_keep_duplicates_imports_a_real_repeat(tmp_path: Path, ledger_db) -> None:
    ledger = setup(ledger_db)
    a = write(tmp_path, "History_for_Account_T1.csv", fidelity(HISTORY[1:3], "03/01/2023"))
    (tmp_path / "b").mkdir()
    b = write(tmp_path / "b", "History_for_Account_T1.csv", fidelity(HISTORY[1:3], "03/02/2023"))
    assert cli("import", str(a), ledger=ledger).returncode == 0
    assert cli("import", "--keep-duplicates", str(b), ledger=ledger).returncode == 0
    assert len(live_events(ledger)) == 4


# -- conflicts: refused, both files and lines named ---------------------------------------------------------
def test_two_different_year_end_values_are_refused_naming_both_files(tmp_path: Path, ledger_db) -> None:
    ledger = setup(ledger_db)
    a = write(tmp_path, "5498-a.csv", form5498([(2023, "T1", "", "20000.00")]))
    b = write(tmp_path, "5498-b.csv", form5498([(2023, "T1", "", "20500.00")]))
    assert cli("import", str(a), ledger=ledger).returncode == 0
    before = live_events(ledger)
    res = cli("import", str(b), ledger=ledger)
    assert res.returncode == 2
    assert "5498-b.csv:2" in res.stderr and "5498-a.csv:2" in res.stderr, res.stderr
    assert "Traceback" not in res.stderr
    assert live_events(ledger) == before


def test_conflict_inside_one_import_is_refused_too(tmp_path: Path, ledger_db) -> None:
    ledger = setup(ledger_db)
    a = write(tmp_path, "5498-a.csv", form5498([(2023, "T1", "1000.00", "20000.00")]))
    b = write(tmp_path, "5498-b.csv", form5498([(2023, "T1", "1500.00", "20000.00")]))
    res = cli("import", str(a), str(b), ledger=ledger)
    assert res.returncode == 2 and "5498-a.csv:2" in res.stderr and "5498-b.csv:2" in res.stderr, res.stderr
    assert "box1_ira_contributions" in res.stderr


def test_inspect_shows_the_same_verdicts_before_anything_is_written(tmp_path: Path, ledger_db) -> None:
    ledger = setup(ledger_db)
    spring = write(tmp_path, "History_for_Account_T1.csv", fidelity(HISTORY[:4], "06/01/2023"))
    (tmp_path / "later").mkdir()
    year = write(tmp_path / "later", "History_for_Account_T1.csv", fidelity(HISTORY, "01/15/2024"))
    conflict = write(tmp_path, "5498-b.csv", form5498([(2023, "T1", "", "1.00")]))
    first = write(tmp_path, "5498-a.csv", form5498([(2023, "T1", "", "2.00")]))
    assert cli("import", str(spring), str(first), ledger=ledger).returncode == 0
    res = cli("inspect", "--json", str(year), str(conflict), ledger=ledger)
    objs = json.loads(res.stdout)
    assert res.returncode == 1
    assert objs[0]["recognised"] == {"History_for_Account_T1.csv": 2} and len(objs[0]["events"]) == 4
    assert sum(1 for e in objs[0]["events"] if e.get("verdict") == "recognised") == 2
    assert any("5498-a.csv:2" in p for p in objs[1]["problems"])


def test_keep_duplicates_on_a_file_already_imported_says_how_to_keep_its_rows(tmp_path: Path, ledger_db) -> None:
    """A file whose rows were all recognised is recorded with 0 events; --keep-duplicates on it afterwards is the
    same bytes again, so nothing is added. The message says how to get its rows in, and that way works."""
    ledger = setup(ledger_db)
    a = write(tmp_path, "History_for_Account_T1.csv", fidelity(HISTORY[1:3], "03/01/2023"))
    (tmp_path / "b").mkdir()
    b = write(tmp_path / "b", "History_for_Account_T1.csv", fidelity(HISTORY[1:3], "03/02/2023"))
    assert cli("import", str(a), str(b), ledger=ledger).returncode == 0
    assert len(live_events(ledger)) == 2  # b's rows were recognised
    res = cli("import", "--keep-duplicates", str(b), ledger=ledger)
    assert res.returncode == 0 and len(live_events(ledger)) == 2
    assert f"basis-ledger import --undo {b}" in res.stdout, res.stdout
    assert cli("import", "--undo", str(b), "--reason", "a real repeat", ledger=ledger).returncode == 0
    assert cli("import", "--keep-duplicates", str(b), ledger=ledger).returncode == 0
    assert len(live_events(ledger)) == 4
