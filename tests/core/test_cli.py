"""The command line as a user meets it: exit codes, one line per problem, nothing written on bad input."""

from __future__ import annotations

import csv
import hashlib
import io
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.helpers import HEADER, cli, cli_json, csv_text

GOOD = csv_text(
    'ed,2023-01-20,2022,,,basis_opening,"$9,000.00",',
    "ed,2023-02-01,2023,IRA,traditional,nondeductible_contribution,6500,",
    "ed,2023-02-10,,IRA,,conversion,15500.40,",
    "ed,2023-12-31,,IRA,,year_end_value,0,",
    "=cmd,2023-03-01,2023,IRA,,nondeductible_contribution,100,formula in a name",
)


@pytest.fixture
def ledger(ledger_db):
    """Each test here runs on a SQLite file and on a PostgreSQL database (tests/engines.py)."""
    return ledger_db


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def digest(ledger) -> str | None:
    return ledger.digest()


def test_import_then_compute_json_follows_the_contract(tmp_path, ledger):
    res = cli("import", str(write(tmp_path, "good.csv", GOOD)), ledger=ledger)
    assert res.returncode == 0, res.stderr
    assert "5 events" in res.stdout
    if ledger.engine == "sqlite":
        assert oct(Path(ledger.location).stat().st_mode & 0o777) == "0o600"
    objs = cli_json("compute", ledger=ledger)
    ed = [o for o in objs if o["taxpayer"] == "ed"]
    assert [o["tax_year"] for o in ed] == [2023]
    o = ed[0]
    assert set(o) == {
        "taxpayer",
        "chain",
        "tax_year",
        "form_required",
        "complete",
        "lines",
        "basis_end",
        "roth_contribution_basis_end",
        "roth_conversion_basis_end",
        "warnings",
    }
    assert o["chain"] == "own" and o["form_required"] is True
    # Line 2 = 9,000; line 3 = 15,500; line 6 = 0; line 8 = 15,500 (15,500.40 rounded); line 10 = 1.00000.
    assert o["lines"]["10"] == "1.00000" and o["lines"]["8"] == 15500 and o["lines"]["18"] == 0
    assert isinstance(o["lines"]["4"], int) and o["lines"]["4"] == 0  # asked for, so present as 0
    assert "19" not in o["lines"]  # Part III skipped
    cents = cli_json("compute", "--cents", "--taxpayer", "ed", ledger=ledger)[0]
    # With cents, line 9 = 15,500.40 and line 10 = 15,500.00 / 15,500.40 = 0.99997: line 11 = 15,499.93.
    assert cents["lines"]["8"] == "15500.40" and cents["lines"]["10"] == "0.99997"
    assert cents["lines"]["11"] == "15499.93"
    assert cents["basis_end"] == "0.07"  # line 14 = 15,500.00 - 15,499.93


def test_compute_table_csv_and_filters(tmp_path, ledger):
    cli("import", str(write(tmp_path, "good.csv", GOOD)), ledger=ledger)
    table = cli("compute", "--taxpayer", "ed", "--year", "2023", ledger=ledger)
    assert table.returncode == 0 and "Line 8 x line 10" in table.stdout
    out = cli("compute", "--csv", ledger=ledger)
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert {r["taxpayer"] for r in rows} == {"ed", "'=cmd"}  # formula injection neutralised
    assert cli("compute", "--year", "1999", ledger=ledger).returncode == 2
    missing = cli("compute", "--taxpayer", "nobody", ledger=ledger)
    assert missing.returncode == 2 and "known: =cmd, ed" in missing.stderr
    assert cli("compute", "--ratio-places", "2", ledger=ledger).returncode == 2


def test_same_file_twice_adds_nothing_and_says_so(tmp_path, ledger):
    path = write(tmp_path, "good.csv", GOOD)
    cli("import", str(path), ledger=ledger)
    before = cli_json("events", ledger=ledger)
    again = cli("import", str(path), ledger=ledger)
    assert again.returncode == 0 and "already imported" in again.stdout
    assert cli_json("events", ledger=ledger) == before


def test_events_keep_provenance(tmp_path, ledger):
    cli("import", str(write(tmp_path, "good.csv", GOOD)), ledger=ledger)
    ev = cli_json("events", "--taxpayer", "ed", ledger=ledger)
    assert [(e["source_file"], e["source_line"]) for e in ev] == [
        ("good.csv", 2),
        ("good.csv", 3),
        ("good.csv", 4),
        ("good.csv", 5),
    ]
    assert ev[0]["source_sha256"] == hashlib.sha256(GOOD.encode()).hexdigest()
    # Amounts as compute gives them: whole dollars (half-up) as numbers, or with --cents two-decimal strings.
    assert ev[2]["amount"] == 15500
    assert cli_json("events", "--taxpayer", "ed", "--cents", ledger=ledger)[2]["amount"] == "15500.40"


BAD_CASES = {
    "missing-column": (
        "taxpayer,date,account,account_type,event,amount\ned,2023-01-01,A,,distribution,5\n",
        ["bad.csv:1: missing column 'tax_year'"],
    ),
    "unknown-kind": (
        csv_text("ed,2023-01-01,,A,,withdrawl,5,"),
        ["bad.csv:2: column event: unknown event kind 'withdrawl'"],
    ),
    "impossible-date": (
        csv_text("ed,2023-02-30,,A,,distribution,5,"),
        ["bad.csv:2: column date: impossible or malformed date '2023-02-30'"],
    ),
    "negative": (csv_text("ed,2023-01-03,,A,,distribution,-5,"), ["bad.csv:2: column amount: negative amount"]),
    "not-a-number": (csv_text("ed,2023-01-03,,A,,distribution,five,"), ["bad.csv:2: column amount: not an amount"]),
    "absurd": (
        csv_text('ed,2023-01-03,,A,,distribution,"99,000,000,000",'),
        ["bad.csv:2: column amount: absurd amount"],
    ),
    "empty": ("", ["bad.csv: empty file"]),
    "only-whitespace": (" \n\t\r\n\x0b\x0c", ["bad.csv: empty file"]),
    "header-only": (HEADER + "\n", ["bad.csv: no events"]),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), ["bad.csv: binary data"]),
    "several": (
        csv_text(
            "ed,2023-01-03,,A,,distribution,5,", "ed,2023-13-01,,A,,distribution,5,", "ed,2023-01-05,,A,,distrib,x,"
        ),
        ["bad.csv:3: column date", "bad.csv:4: column amount", "bad.csv:4: column event"],
    ),
    "wrong-account-type": (
        csv_text("ed,2023-01-03,,A,roth,conversion,5,"),
        ["bad.csv:2: column account_type: event 'conversion' cannot name account_type 'roth'"],
    ),
    "year-end-not-dec-31": (
        csv_text("ed,2023-06-30,,A,,year_end_value,5,"),
        ["bad.csv:2: column date: a year_end_value is the value on 31 December"],
    ),
    "contribution-tax-year": (
        csv_text("ed,2023-03-01,2021,A,,nondeductible_contribution,5,"),
        ["bad.csv:2: column tax_year: tax_year 2021 does not fit"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_exits_2_with_one_line_per_problem_and_leaves_the_ledger_unchanged(tmp_path, ledger, case):
    cli("import", str(write(tmp_path, "good.csv", GOOD)), ledger=ledger)
    before = digest(ledger)
    text, expected = BAD_CASES[case]
    res = cli("import", str(write(tmp_path, "bad.csv", text)), ledger=ledger)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == len(expected), res.stderr
    for line, want in zip(lines, expected, strict=True):
        assert Path(line.split(":")[0]).name == "bad.csv" and want.split(":", 1)[1] in line.split("bad.csv", 1)[1]
    assert "Traceback" not in res.stderr
    assert digest(ledger) == before


def test_missing_path_and_folder_are_bad_input(tmp_path, ledger):
    res = cli("import", str(tmp_path / "nope.csv"), ledger=ledger)
    assert res.returncode == 2 and res.stderr.strip().endswith("nope.csv: no such file")
    assert not ledger.exists()
    assert cli("import", str(tmp_path), ledger=ledger).returncode == 2


def test_one_bad_file_among_several_imports_none(tmp_path, ledger):
    good = write(tmp_path, "good.csv", GOOD)
    bad = write(tmp_path, "bad.csv", csv_text("ed,2023-01-03,,A,,distribution,-5,"))
    res = cli("import", str(good), str(bad), ledger=ledger)
    assert res.returncode == 2 and not ledger.exists()


def test_encodings_bom_crlf_cp1252_and_any_column_order(tmp_path, ledger):
    text = "Amount,EVENT,Taxpayer,Date,Tax_Year,Account,Account_Type,Memo\r\n5,distribution,jo,2023-01-03,,A,,Café\r\n"
    cli("import", str(write(tmp_path, "a.csv", b"\xef\xbb\xbf" + text.encode())), ledger=ledger)
    cli("import", str(write(tmp_path, "b.csv", text.replace("5,", "6,", 1).encode("cp1252"))), ledger=ledger)
    ev = cli_json("events", "--cents", ledger=ledger)
    assert [(e["amount"], e["memo"]) for e in ev] == [("5.00", "Café"), ("6.00", "Café")]


def test_line_numbers_stay_right_with_blank_lines_and_quoted_newlines(tmp_path, ledger):
    text = HEADER + '\n\ned,2023-01-03,,A,,distribution,5,"two\nlines"\ned,2023-01-04,,A,,distribution,x,\n'
    res = cli("import", str(write(tmp_path, "bad.csv", text)), ledger=ledger)
    assert res.returncode == 2 and "bad.csv:5: column amount" in res.stderr


def test_ledger_location_from_environment(tmp_path):
    env_ledger = tmp_path / "env.db"
    res = cli("import", str(write(tmp_path, "good.csv", GOOD)), env={"BASIS_LEDGER": str(env_ledger)}, subprocess_=True)
    assert res.returncode == 0 and env_ledger.exists()
    res = cli("basis", "--json", cwd=tmp_path, env={"BASIS_LEDGER": str(env_ledger)})
    assert res.returncode == 0 and '"basis_end": 0' in res.stdout
    res = cli("basis", cwd=tmp_path)  # ./basis-ledger.db does not exist there
    assert res.returncode == 2 and "no ledger here yet" in res.stderr


def test_taxpayer_set_validates_and_never_takes_a_whole_ssn(tmp_path, ledger):
    assert cli("taxpayer", "set", "ed", "--birth-date", "1975-02-30", ledger=ledger).returncode == 2
    assert cli("taxpayer", "set", "ed", "--ssn-last4", "123-45-6789", ledger=ledger).returncode == 2
    assert (
        cli("taxpayer", "set", "ed", "--birth-date", "1975-02-28", "--ssn-last4", "6789", ledger=ledger).returncode == 0
    )
    assert cli_json("taxpayer", "list", ledger=ledger)[0]["birth_date"] == "1975-02-28"


def test_help_is_fast_because_heavy_modules_load_lazily():
    probe = (
        "import sys, basis_ledger.cli; print(sorted(m for m in ('pandas', 'pandera', 'pypdf', 'openpyxl', "
        "'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert cli("--help").returncode == 0


def test_python_dash_m_is_the_command():
    res = cli("--help", subprocess_=True)
    assert res.returncode == 0 and "compute" in res.stdout and "import" in res.stdout


def test_progress_bar_only_on_a_terminal(monkeypatch, capsys):
    from basis_ledger.commands import progress

    seen = []
    with progress("reading", 3) as advance:  # pytest's stderr is not a terminal: silent
        for name in ("a", "b", "c"):
            advance(name)
            seen.append(name)
    assert capsys.readouterr().err == "" and seen == ["a", "b", "c"]
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    with progress("reading", 2) as advance:
        advance("a.csv")
        advance("b.csv")


def test_problems_in_several_files_name_each_file_and_line(tmp_path, ledger):
    a = write(tmp_path, "a.csv", csv_text("ed,2023-01-03,,A,roth,conversion,5,", "ed,2023-01-04,,A,,distribution,5,"))
    b = write(tmp_path, "b.csv", csv_text("ed,2023-01-04,,A,,distribution,5,", "ed,2023-06-30,,A,,year_end_value,5,"))
    res = cli("import", str(a), str(b), ledger=ledger)
    assert res.returncode == 2
    where = sorted(f"{Path(line.split(':')[0]).name}:{line.split(':')[1]}" for line in res.stderr.splitlines())
    assert where == ["a.csv:2", "b.csv:3"]
    assert not ledger.exists()


def test_tables_never_cut_a_figure_on_a_narrow_terminal(tmp_path, ledger):
    cli("import", str(write(tmp_path, "good.csv", GOOD)), ledger=ledger)
    basis = cli("basis", ledger=ledger, env={"COLUMNS": "60"})
    assert basis.returncode == 0 and "15,500" in basis.stdout and "…" not in basis.stdout
    events = cli("events", ledger=ledger, env={"COLUMNS": "60"})
    assert "15,500.40" in events.stdout and "…" not in events.stdout
    assert "good.csv:4" in cli("events", "--wide", ledger=ledger, env={"COLUMNS": "60"}).stdout
