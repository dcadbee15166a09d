"""The command line's output conventions (issue 15): tables that fit the terminal, --csv/--json on every
reporting command with amounts as numbers, and ledgers created only by the commands that write."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

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


def test_fold_breaks_at_word_and_path_boundaries_only():
    assert fold("opening basis from the form", 12) == ["opening", "basis from", "the form"]
    assert fold("see deductibility-unknown now", 12) == ["see", "deductibility-unknown", "now"]  # never inside
    assert fold("History_for_Account_Z11111111.csv:12", 16, path=True) == ["History_for_Account_Z11111111.csv:12"]
    assert fold("in/statements/2023/History_for_Account.csv", 20, path=True) == [
        "in/statements/2023/",
        "History_for_Account.csv",
    ]
    assert fold("a/b c/d", 3) == ["a/b", "c/d"]  # a slash is a path boundary only in a path column
    assert fold("abcdefghij", 4) == ["abcdefghij"]  # one word wider than the column: kept whole, never cut
    cols = [Col("code"), Col("note", min_width=4)]
    assert widths(cols, [["deductibility-unknown", "a b c"]], 20, wide=False)[1][0] == len("deductibility-unknown")


MESSY = Path(__file__).resolve().parents[2] / "sample_data" / "messy-household"


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    db = tmp_path_factory.mktemp("messy") / "messy.db"
    for args in (
        ("taxpayer", "set", "dana", "--full-name", "Dana Q. Messy", "--ssn-last4", "1111"),
        ("taxpayer", "set", "lee", "--full-name", "Lee R. Messy", "--ssn-last4", "2222"),
        ("account", "set", "ACME-401K", "--owner", "dana", "--type", "plan"),
        ("import", *map(str, sorted(MESSY.glob("*.csv"))), *map(str, sorted(MESSY.glob("*.pdf")))),
    ):
        assert cli(*args, ledger=db).returncode == 0, args
    return db


@pytest.mark.parametrize("width", [80, 60])
def test_audit_never_folds_a_finding_code_and_every_line_fits(messy, width):
    """Seen in `make demo` at 80 columns: 'deductibilit' / 'y-unknown' and 'roth-five-' / 'year'. A code is one
    word on one line; only the sentence (and the place, expected / found) fold, at spaces; every line fits."""
    from basis_ledger.audit.findings import codes

    listing = json.loads(cli("audit", "--json", "--as-of", "2026-06-01", ledger=messy).stdout)
    assert {"deductibility-unknown", "roth-five-year", "filed-mismatch"} <= {f["code"] for f in listing}
    res = cli("audit", "--as-of", "2026-06-01", ledger=messy, env={"COLUMNS": str(width)})
    assert res.returncode == 1, res.stderr
    lines = res.stdout.splitlines()
    assert max(len(line) for line in lines) <= width, "\n".join(line for line in lines if len(line) > width)
    assert "…" not in res.stdout
    words = res.stdout.split()
    for n, f in enumerate(listing, start=1):  # each finding's row starts with its number, severity and code
        row = next(i for i, line in enumerate(lines) if re.match(rf"\s*{n}\s+{f['severity']}\s", line))
        assert lines[row].split()[2] == f["code"], lines[row]
    for code in {f["code"] for f in listing}:  # no piece of a code anywhere but the whole code
        for piece in code.split("-")[:-1]:
            assert f"{piece}-" not in [w for w in words if w != code and not w.startswith(code)], code
        for short in codes()[code]["short"].split():  # the sentence folds between words only
            assert short in words, (code, short)
    explain = cli("audit", "--explain", "--as-of", "2026-06-01", ledger=messy, env={"COLUMNS": str(width)})
    assert max(len(line) for line in explain.stdout.splitlines()) <= width
    for f in listing:  # a file name folds at a path boundary only: its last part is whole
        for e in f["evidence"]:
            assert Path(e["file"]).name in explain.stdout, e["file"]


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


def test_read_only_commands_on_a_missing_ledger_create_nothing(tmp_path, ledger_db):
    """SQLite: no file, not even its folder; PostgreSQL: a database without the ledger's tables stays so."""
    missing = ledger_db if ledger_db.engine == "postgresql" else tmp_path / "nowhere" / "ledger.db"
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
        if ledger_db.engine == "postgresql":
            assert not ledger_db.exists(), args
        else:
            assert not missing.exists() and not missing.parent.exists(), args
    assert not (tmp_path / "r.xlsx").exists()


def test_writing_commands_say_they_created_a_ledger(tmp_path, new_ledger):
    for args in [
        ("taxpayer", "set", "ed", "--birth-date", "1970-01-01"),
        ("account", "set", "A1", "--owner", "ed", "--type", "traditional"),
    ]:
        db = new_ledger()
        res = cli(*args, ledger=db)
        assert res.returncode == 0 and f"created new ledger {db}" in res.stderr, res.stderr
        again = cli(*args, ledger=db)
        assert "created new ledger" not in again.stderr
    # declare needs a known taxpayer: on a missing ledger it is refused, and creates nothing
    none = new_ledger()
    res = cli("declare", "-t", "ed", "-y", "2023", "--nondeductible", "all", ledger=none)
    assert res.returncode == 2 and str(none) in res.stderr and not none.exists()
    db = new_ledger()
    (tmp_path / "a.csv").write_text(TEXT)
    res = cli("import", str(tmp_path / "a.csv"), ledger=db)
    assert res.returncode == 0 and f"created new ledger {db}" in res.stderr


def test_declare_for_a_year_without_contributions_warns(loaded):
    res = cli("declare", "-t", "ed", "-y", "2019", "--nondeductible", "all", ledger=loaded)
    assert res.returncode == 0 and "no traditional IRA contributions of ed for 2019" in res.stderr
    res = cli("declare", "-t", "ed", "-y", "2023", "--nondeductible", "1,000", ledger=loaded)
    assert "warning" not in res.stderr


def test_audit_lists_one_row_per_finding_and_explains_each(loaded):
    listing = json.loads(cli("audit", "--json", ledger=loaded).stdout)
    assert listing
    res = cli("audit", "--wide", ledger=loaded, env={"COLUMNS": "80"})
    rows = [line for line in res.stdout.splitlines() if re.match(r"\s+\d+\s+(error|warning|info)\s", line)]
    assert len(rows) == len(listing)  # --wide: exactly one line per finding
    first = listing[0]
    assert first["code"] in rows[0] and first["severity"] in rows[0]
    assert "audit --explain [N|CODE]" in res.stdout
    one = cli("audit", "--explain", "1", ledger=loaded, env={"COLUMNS": "80"})
    assert one.returncode == res.returncode
    assert first["message"].split()[0] in one.stdout and one.stdout.startswith(f"1. {first['severity']}")
    assert "where each number comes from:" in one.stdout and first["evidence"][0]["file"] in one.stdout
    assert max(len(line) for line in one.stdout.splitlines()) <= 80
    by_code = cli("audit", "--explain", first["code"], ledger=loaded)
    assert by_code.stdout.count(f" {first['code']}: ") == sum(f["code"] == first["code"] for f in listing)
    everything = cli("audit", "--explain", ledger=loaded)
    assert everything.stdout.count("where each number comes from:") == sum(bool(f["evidence"]) for f in listing)
    assert cli("audit", "--json", "--explain", ledger=loaded).stdout == cli("audit", "--json", ledger=loaded).stdout
    bad = cli("audit", "--explain", "chian-break", ledger=loaded)
    assert bad.returncode == 2 and "did you mean 'chain-break'?" in bad.stderr
    assert cli("audit", "--explain", "999", ledger=loaded).returncode == 2
    assert cli("audit", "3", ledger=loaded).returncode == 2  # a number without --explain


def test_audit_of_a_year_without_data_says_so(loaded):
    res = cli("audit", "--year", "2018", ledger=loaded)
    assert res.returncode == 2 and "no data for 2018" in res.stderr and "No findings" not in res.stdout


def test_did_you_mean(tmp_path, ledger):
    def run(name: str, text: str, *extra: str) -> str:
        (tmp_path / name).write_text(text)
        res = cli("import", *extra, str(tmp_path / name), ledger=ledger)
        assert res.returncode == 2
        return res.stderr

    assert "did you mean 'conversion'?" in run("kind.csv", csv_text("ed,2023-01-02,,A,traditional,convertion,5,"))
    header = "taxpayer,date,tax year,account,account_type,event,amount\ned,2023-01-02,,A,traditional,conversion,5\n"
    assert "unknown column 'tax year' (did you mean 'tax_year'" in run("col.csv", header)
    form = (
        "taxpayer,tax_year,account,box1_ira_contributions,box3_roth_conversion,box5_fair_market_value,box7_ira\n"
        "ed,2023,A,0,0,1,X\n"
    )
    err = run("5498.csv", form)
    assert "unknown column 'box5_fair_market_value' for Form 5498 (did you mean 'box5_fmv'?)" in err
    assert "did you mean 'fidelity'?" in run(
        "p.csv", csv_text("ed,2023-01-02,,A,traditional,conversion,5,"), "--profile", "fidelty"
    )
    assert not ledger.exists()
    res = cli("imprt", "x.csv", ledger=ledger)
    assert res.returncode == 2 and "Did you mean 'import'?" in res.stderr


def _run_on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run the command with stderr on a pseudo-terminal (stdout a pipe): (exit code, stdout, what the terminal got)."""
    import os
    import pty
    import subprocess
    import sys

    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "BASIS_LEDGER"} | {"TERM": "xterm", "COLUMNS": "100"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "basis_ledger", *args], stdout=subprocess.PIPE, stderr=slave, cwd=cwd, env=env
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not data:
            break
        chunks.append(data)
    out = proc.stdout.read().decode()
    code = proc.wait(timeout=300)
    os.close(master)
    return code, out, b"".join(chunks).decode(errors="replace")


def test_progress_bars_only_on_a_terminal(tmp_path, loaded):
    files = []
    for n in range(3):
        files.append(tmp_path / f"part{n}.csv")
        files[-1].write_text(csv_text(f"p{n},2023-02-01,2023,IRA{n},traditional,nondeductible_contribution,100,"))
    db = tmp_path / "many.db"
    for args, label in (
        (["--ledger", str(db), "import", *map(str, files)], "reading"),
        (["--ledger", str(loaded), "audit"], "audit"),
        (["--ledger", str(loaded), "report", "--xlsx", str(tmp_path / "r.xlsx")], "report"),
    ):
        code, out, terminal = _run_on_a_terminal(args, tmp_path)
        assert code in (0, 1), terminal
        assert label in terminal and "━" in terminal, (args, terminal)  # a rich bar on the terminal
        assert "━" not in out  # never on stdout
    db.unlink()
    piped = cli("import", *map(str, files), ledger=db, subprocess_=True)
    assert piped.returncode == 0 and "━" not in piped.stderr and "reading" not in piped.stderr
    piped = cli("report", "--xlsx", str(tmp_path / "r2.xlsx"), ledger=loaded, subprocess_=True)
    assert piped.returncode == 0 and piped.stderr == ""


def test_version_and_completion():
    from basis_ledger import __version__

    res = cli("--version")
    assert res.returncode == 0 and res.stdout == f"basis-ledger {__version__}\n"
    # Name the shell instead of detecting it: under make the parent shell is sh, which typer does not support.
    res = cli("--show-completion", "bash", env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}, subprocess_=True)
    assert res.returncode == 0 and "basis_ledger_completion()" in res.stdout, res.stderr
    assert "--install-completion" in cli("--help").stdout
