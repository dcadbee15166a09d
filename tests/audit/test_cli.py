"""The `audit` and `report --xlsx` commands as a user runs them, on both engines (ledger_db): exit codes, --json,
filters, bad input."""

from __future__ import annotations

import json
import os
import stat

from tests.audit.helpers import build_ledger
from tests.core.helpers import cli

ROWS = [
    "ed,2020-01-05,2019,,traditional,basis_opening,10000,",
    "ed,2020-03-01,2020,FID-IRA,traditional,nondeductible_contribution,6000,",
    "ed,2020-12-31,,FID-IRA,traditional,year_end_value,50000,",
    "ann,2021-03-01,2021,VG-IRA,traditional,nondeductible_contribution,6000,",
    "ann,2021-12-31,,VG-IRA,traditional,year_end_value,6100,",
]
FILED = [
    {"taxpayer": "ed", "tax_year": 2020, "lines": {"1": "6000", "2": "10000", "3": "16000", "14": "16000"}},
    {"taxpayer": "ann", "tax_year": 2021, "lines": {"1": "6000", "2": "0", "3": "6000", "14": "6000"}},
]


def test_clean_ledger_exits_0(tmp_path, ledger_db):
    path = build_ledger(ledger_db.path(), ROWS, filed=FILED)
    res = cli("audit", "--as-of", "2030-01-01", ledger=path)
    assert res.returncode == 0, res.stderr
    assert "No findings" in res.stdout
    res = cli("audit", "--json", "--as-of", "2030-01-01", ledger=path)
    assert (res.returncode, json.loads(res.stdout)) == (0, [])


def test_error_findings_exit_1_and_json_is_one_array(tmp_path, ledger_db):
    path = build_ledger(ledger_db.path(), ROWS, filed=FILED[:1])  # ann's 2021 form is missing
    res = cli("audit", "--json", "--as-of", "2030-01-01", ledger=path)
    assert res.returncode == 1
    (f,) = json.loads(res.stdout)
    assert {k: f[k] for k in ("code", "severity", "taxpayer", "tax_year", "chain")} == {
        "code": "missing-8606",
        "severity": "error",
        "taxpayer": "ann",
        "tax_year": 2021,
        "chain": "own",
    }
    assert f["evidence"] == [
        {"file": "history.csv", "where": "line 5", "what": "nondeductible_contribution 2021-03-01 $6,000"}
    ]
    table = cli("audit", "--as-of", "2030-01-01", ledger=path)
    assert table.returncode == 1 and "missing-8606" in table.stdout and "1 error" in table.stdout


def test_filters(tmp_path, ledger_db):
    path = build_ledger(ledger_db.path(), ROWS, filed=FILED[:1])
    assert cli("audit", "--taxpayer", "ed", "--as-of", "2030-01-01", ledger=path).returncode == 0
    assert cli("audit", "--year", "2020", "--as-of", "2030-01-01", ledger=path).returncode == 0
    res = cli("audit", "--taxpayer", "ann", "--year", "2021", "--json", "--as-of", "2030-01-01", ledger=path)
    assert res.returncode == 1 and [f["code"] for f in json.loads(res.stdout)] == ["missing-8606"]


def test_not_yet_due_is_not_missing(tmp_path, ledger_db):
    path = build_ledger(ledger_db.path(), ROWS, filed=FILED[:1])
    assert cli("audit", "--as-of", "2022-04-01", ledger=path).returncode == 0


def test_bad_input_exits_2_with_one_line_each(tmp_path, ledger_db):
    path = build_ledger(ledger_db.path(), ROWS)
    res = cli("audit", "--as-of", "yesterday", ledger=path)
    assert res.returncode == 2 and res.stderr.strip() == "--as-of: 'yesterday' is not a YYYY-MM-DD date"
    res = cli("audit", "--taxpayer", "nobody", ledger=path)
    assert res.returncode == 2 and "no events for taxpayer 'nobody'" in res.stderr
    res = cli("audit", ledger=tmp_path / "none.db")
    assert res.returncode == 2 and "no ledger here yet" in res.stderr
    res = cli("report", "--xlsx", str(tmp_path / "missing" / "r.xlsx"), ledger=path)
    assert res.returncode == 2 and "does not exist" in res.stderr


def test_report_writes_a_private_workbook(tmp_path, ledger_db):
    path = build_ledger(ledger_db.path(), ROWS, filed=FILED)
    out = tmp_path / "r.xlsx"
    res = cli("report", "--xlsx", str(out), "--ratio-places", "4", "--cents", ledger=path)
    assert res.returncode == 0, res.stderr
    assert "4 sheets" in res.stdout and stat.S_IMODE(os.stat(out).st_mode) == 0o600
    from openpyxl import load_workbook

    ws = load_workbook(out)["ed"]
    assert (ws["C2"].value, ws["C3"].value) == (4, 2)  # line 10 places and cents, as asked


def test_every_command_keeps_freed_memory_where_malloc_is_glibcs():
    # cli.keep_freed_memory (at every command's start) sets glibc's map and trim thresholds (system time, not
    # output): it says whether it did, True under glibc, and is harmless to call again; elsewhere it changes
    # nothing and says so
    import platform

    from basis_ledger.cli import keep_freed_memory

    glibc = platform.libc_ver()[0] == "glibc"
    assert keep_freed_memory() is glibc
    assert keep_freed_memory() is glibc
