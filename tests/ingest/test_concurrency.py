"""Imports at the same moment into one ledger (issue 11's lock point): every row once, never exit 3.

Each case starts real `basis-ledger` processes together. The checks that read the ledger run inside the write
transaction, so the second process sees what the first wrote; a process that finds the ledger locked says it
is waiting and waits.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.ingest.helpers import ledger_with_accounts
from tests.ingest.test_overlaps import ACCOUNTS, fidelity, form5498, write
from tests.pdf.formfixture import printed_form

GENERIC = "taxpayer,date,tax_year,account,account_type,event,amount,memo\n"


def at_once(ledger, *commands: list[str]) -> list[subprocess.CompletedProcess]:
    env = {k: v for k, v in os.environ.items() if k != "BASIS_LEDGER"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "basis_ledger", "--ledger", str(ledger), *cmd],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for cmd in commands
    ]
    out = []
    for p, cmd in zip(procs, commands, strict=True):
        stdout, stderr = p.communicate(timeout=600)
        out.append(subprocess.CompletedProcess(cmd, p.returncode, stdout, stderr))
    for r in out:
        assert r.returncode != 3 and "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    return out


def rows(ledger, sql: str) -> list[tuple]:
    return ledger.sql(sql)


def test_the_same_file_imported_twice_at_once(tmp_path: Path, ledger_db) -> None:
    ledger = ledger_with_accounts(ledger_db, ACCOUNTS)
    stmt = write(
        tmp_path,
        "History_for_Account_T1.csv",
        fidelity([("03/01/2024", "CASH CONTRIBUTION CURRENT YEAR (Cash)", "7000")]),
    )
    runs = at_once(ledger, ["import", str(stmt)], ["import", str(stmt)])
    assert [r.returncode for r in runs] == [0, 0], [r.stderr for r in runs]
    assert sum("already imported" in r.stdout for r in runs) == 1
    assert rows(ledger, "SELECT count(*) FROM events") == [(1,)]


def test_a_statement_and_its_5498_at_once_count_the_contribution_once(tmp_path: Path, new_ledger) -> None:
    for attempt in range(2):
        folder = tmp_path / str(attempt)
        folder.mkdir()
        ledger = ledger_with_accounts(new_ledger(), ACCOUNTS)
        stmt = write(
            folder,
            "History_for_Account_T1.csv",
            fidelity([("03/01/2024", "CASH CONTRIBUTION CURRENT YEAR (Cash)", "7000")]),
        )
        form = write(folder, "5498-2024.csv", form5498([(2024, "T1", "7000.00", "25000.00")]))
        order = [["import", str(stmt)], ["import", str(form)]]
        runs = at_once(ledger, *(order if attempt == 0 else order[::-1]))
        assert [r.returncode for r in runs] == [0, 0], [r.stderr for r in runs]
        res = subprocess.run(
            [
                sys.executable,
                "-m",
                "basis_ledger",
                "--ledger",
                str(ledger),
                "compute",
                "-t",
                "ed",
                "-y",
                "2024",
                "--json",
            ],
            capture_output=True,
            text=True,
        )
        [own] = [o for o in json.loads(res.stdout) if o["chain"] == "own"]
        assert own["lines"]["1"] == 7000, own  # once, not 14,000


def test_two_opening_pdfs_at_once_only_one_opens_the_ledger(tmp_path: Path, ledger_db) -> None:
    ledger = ledger_db  # no ledger yet: the two first imports also race to create it
    a, b = tmp_path / "f8606-2021-a.pdf", tmp_path / "f8606-2021-b.pdf"  # one year: whichever is second is refused
    printed_form(a, 2021, {"1": "5,000", "2": "0", "3": "5,000", "14": "5,000"})
    printed_form(b, 2021, {"1": "6,000", "2": "5,000", "3": "11,000", "14": "11,000"})
    runs = at_once(
        ledger, ["import", "-t", "jo", "--as-opening", str(a)], ["import", "-t", "jo", "--as-opening", str(b)]
    )
    assert sorted(r.returncode for r in runs) == [0, 2], [r.stderr for r in runs]
    assert "already has history" in next(r.stderr for r in runs if r.returncode == 2)
    assert len(rows(ledger, "SELECT * FROM events WHERE kind = 'basis_opening'")) == 1


def test_four_large_files_at_once_every_row_once(tmp_path: Path, ledger_db) -> None:
    ledger = ledger_db  # no ledger yet: four first imports at once
    n = 20_000
    paths = []
    for k in range(4):
        body = "".join(
            f"p{k},{2000 + i % 24}-{1 + i % 12:02d}-{1 + i % 28:02d},{2000 + i % 24},A{k}-{i % 7},traditional,"
            f"distribution,{1 + i}.00,row {i}\n"
            for i in range(n)
        )
        paths.append(write(tmp_path, f"big-{k}.csv", GENERIC + body))
    runs = at_once(ledger, *(["import", str(p)] for p in paths))
    assert [r.returncode for r in runs] == [0, 0, 0, 0], [r.stderr for r in runs]
    assert rows(ledger, "SELECT count(*) FROM events") == [(4 * n,)]
