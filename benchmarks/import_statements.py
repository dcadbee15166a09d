"""Importing statements: ten years of custodian exports for one household, tens of thousands of rows.

    .venv/bin/python benchmarks/import_statements.py [--rows-per-file 1700] [--one-file-per-custodian] [--overlapping]
        [--src DIR]

The household (ed and mia) has, each year, one Fidelity "all accounts" history (ed's traditional IRA, ed's
Roth IRA, a joint brokerage), one Vanguard OfxDownload.csv (mia's traditional and Roth IRAs, two sections)
and one Schwab history (a taxable account): 30 files. Most rows are dividends, reinvestments and trades; each
IRA year has contributions (current and prior year), a backdoor conversion and a distribution with tax withheld.
The accounts are declared first; the timed step is one `basis-ledger import` of all 30 files, run as a user
runs it (its own process), against a fresh ledger. It prints the wall time and the CPU time of that process (the
CPU time is the steadier figure when other work shares the machine). The package's bytecode is compiled first, as
an installed package runs (see help_startup.py: where PYTHONDONTWRITEBYTECODE is set, every run would otherwise
compile the project's sources again, about 0.05-0.08 s that no installed copy pays).

--src DIR runs the import with the package sources in DIR (a `git archive` of an older commit's src/, with its
schemas/ beside it) instead of the installed package, with the same script and venv: interleave runs of two trees
to compare them side by side (docs/performance.md, "Overlapping downloads").

--overlapping downloads the same history the way people do (issue 10): each of the 30 files holds two years
(its year and the next), so every year after the first arrives twice and half of each file's events are
already in the ledger from the file before. Each year has half the rows, so the files are as long as in the
default run; the import must recognise the repeats (by content identity, vectorized) within the same target.
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from help_startup import compile_package  # one definition of 'as installed' (run from benchmarks/)

YEARS = range(2015, 2025)
FID_HEADER = (
    "Run Date,Account,Account Number,Action,Symbol,Description,Type,Price ($),Quantity,Commission ($),Fees ($),"
    "Accrued Interest ($),Amount ($),Settlement Date"
)
VG_HOLD = "Account Number,Investment Name,Symbol,Shares,Share Price,Total Value,"
VG_HEADER = (
    "Account Number,Trade Date,Settlement Date,Transaction Type,Transaction Description,Investment Name,Symbol,"
    "Shares,Share Price,Principal Amount,Commissions and Fees,Net Amount,Accrued Interest,Account Type,"
)
SCHWAB_HEADER = '"Date","Action","Symbol","Description","Quantity","Price","Fees & Comm","Amount"'
ACCOUNTS = [
    ("X100", "ed", "traditional"),
    ("X200", "ed", "roth"),
    ("X300", "ed", "taxable"),
    ("V100", "mia", "traditional"),
    ("V200", "mia", "roth"),
    ("Brokerage XXXX-1234", "ed", "taxable"),
]


def _noise(rng: random.Random, n: int, year: int) -> list[tuple[str, str, float]]:
    """n ordinary rows: (MM/DD/YYYY, action, amount)."""
    rows = []
    for _ in range(n):
        d = f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/{year}"
        amount = round(rng.uniform(1, 5000), 2)
        kind = rng.random()
        if kind < 0.4:
            rows.append((d, "DIVIDEND RECEIVED VANGUARD TOTAL STOCK (VTI) (Cash)", amount))
        elif kind < 0.7:
            rows.append((d, "REINVESTMENT VANGUARD TOTAL STOCK (VTI) (Cash)", -amount))
        elif kind < 0.85:
            rows.append((d, "YOU BOUGHT APPLE INC (AAPL) (Cash)", -amount))
        else:
            rows.append((d, "YOU SOLD APPLE INC (AAPL) (Cash)", amount))
    return rows


def fidelity(year: int, rows: int, rng: random.Random) -> str:
    lines = ["", "", FID_HEADER]
    accts = [("Traditional IRA", "X100"), ("ROTH IRA", "X200"), ("Joint WROS", "X300")]
    for name, num in accts:
        body = _noise(rng, rows // 3, year)
        if num == "X100":
            body += [
                (f"03/10/{year}", "CASH CONTRIBUTION PRIOR YEAR (Cash)", 5500.0),
                (f"06/10/{year}", "CASH CONTRIBUTION CURRENT YEAR (Cash)", 5500.0),
                (f"06/12/{year}", "CONV TO ROTH IRA (Cash)", -5500.0),
                (f"09/01/{year}", "PARTIAL DISTRIBUTION VS X PARTIAL DISTRIBUTION (Cash)", -900.0),
                (f"09/01/{year}", "FED TAX W/H FEDERAL TAX WITHHELD (Cash)", -100.0),
            ]
        if num == "X200":
            body.append((f"06/12/{year}", "CONV TO ROTH IRA (Cash)", 5500.0))
        for d, action, amount in body:
            lines.append(f'{d},"{name}","{num}","{action}",VTI,"VANGUARD TOTAL STOCK",Cash,,0.000,,,,{amount:.2f},')
    lines += [
        "",
        "",
        '"The data and information in this spreadsheet is provided to you solely for your use."',
        f"Date downloaded 01/15/{year + 1} 9:00 am",
    ]
    return "\r\n".join(lines)


def vanguard(year: int, rows: int, rng: random.Random) -> str:
    lines = [VG_HOLD, "V100,VANGUARD TOTAL STOCK,VTI,10,250.00,2500.00,", "", "", VG_HEADER]
    for acct in ("V100", "V200"):
        for d, action, amount in _noise(rng, rows // 2, year):
            kind = "Dividend" if action.startswith("DIVIDEND") else "Reinvestment" if amount < 0 else "Sell"
            m, dd, y = d.split("/")
            lines.append(
                f"{acct},{y}-{m}-{dd},{y}-{m}-{dd},{kind},{kind},VANGUARD TOTAL STOCK,VTI,1,1,"
                f"{amount:.2f},0,{amount:.2f},0,CASH,"
            )
    lines += [
        f"V100,{year}-05-02,{year}-05-02,Contribution,Contribution,MM,VMFXX,0,1,5500.00,0,5500.00,0,CASH,",
        f"V100,{year}-05-09,{year}-05-09,Conversion (outgoing),x,MM,VMFXX,0,1,-5500.00,0,-5500.00,0,CASH,",
        f"V200,{year}-05-09,{year}-05-09,Conversion (incoming),x,MM,VMFXX,0,1,5500.00,0,5500.00,0,CASH,",
        "",
    ]
    return "\n".join(lines)


def schwab(year: int, rows: int, rng: random.Random) -> str:
    lines = [f'"Transactions  for account Brokerage XXXX-1234 as of 01/05/{year + 1} 10:00:00 AM ET"', SCHWAB_HEADER]
    for d, action, amount in _noise(rng, rows, year):
        act = "Qualified Dividend" if action.startswith("DIVIDEND") else "Buy" if amount < 0 else "Sell"
        money = f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"
        lines.append(f'"{d}","{act}","VTI","VANGUARD TOTAL STOCK","","","","{money}"')
    lines.append('"Transactions Total","","","","","","","$0.00"')
    return "\n".join(lines)


def make(
    folder: Path, rows_per_file: int, one_per_custodian: bool = False, overlapping: bool = False
) -> tuple[list[Path], int]:
    """The 30 yearly exports, or (one_per_custodian) each custodian's ten years downloaded as one file, or
    (overlapping) 30 two-year downloads, each repeating the year of the one after it."""
    rng = random.Random(8606)
    texts: dict[str, list[str]] = {}
    custodians = (("Accounts_History", fidelity), ("OfxDownload", vanguard), ("Schwab_Transactions", schwab))
    if overlapping:
        years = {(name, y): fn(y, rows_per_file // 2, rng) for y in (*YEARS, YEARS[-1] + 1) for name, fn in custodians}
        for year in YEARS:
            for name, _ in custodians:
                texts[f"{name}_{year}-{year + 1}"] = [years[(name, year)], years[(name, year + 1)]]
    for year in YEARS if not overlapping else ():
        for name, fn in custodians:
            key = name if one_per_custodian else f"{name}_{year}"
            texts.setdefault(key, []).append(fn(year, rows_per_file, rng))
    paths, total = [], 0
    for key, parts in texts.items():
        text = "\n".join(parts)
        path = folder / f"{key}.csv"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
        total += text.count("\n")
    return paths, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows-per-file", type=int, default=1700)
    parser.add_argument("--one-file-per-custodian", action="store_true", help="3 files of ten years, not 30")
    parser.add_argument("--overlapping", action="store_true", help="30 two-year downloads that overlap by a year")
    parser.add_argument("--src", type=Path, help="import with the package sources in this folder (side by side)")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "basis_ledger"]
    env = dict(os.environ)
    if args.src:
        env["PYTHONPATH"] = str(args.src.resolve())
        compileall.compile_dir(args.src / "basis_ledger", quiet=1)  # as installed, like compile_package()
    else:
        compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths, lines = make(folder, args.rows_per_file, args.one_file_per_custodian, args.overlapping)
        ledger = folder / "ledger.db"
        for account, owner, kind in ACCOUNTS:
            subprocess.run(
                [*cli, "--ledger", str(ledger), "account", "set", account, "--owner", owner, "--type", kind],
                check=True,
                capture_output=True,
                env=env,
            )
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        res = subprocess.run(
            [*cli, "--ledger", str(ledger), "import", *map(str, paths)], capture_output=True, text=True, env=env
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if res.returncode != 0:
            sys.exit(f"import failed:\n{res.stderr}")
        out = [line for line in res.stdout.splitlines() if ": " in line and " events " in line]
        events = sum(int(line.split(": ")[1].split()[0]) for line in out)
        seen = sum(int(line.split("; ")[1].split()[0]) for line in out if " recognised " in line)
        print(
            f"{len(paths)} files, {lines:,} lines, {events} events imported, {seen} recognised as already in the "
            f"ledger, in {wall:.2f} s wall, {cpu:.2f} s CPU (one process, start-up included)"
        )


if __name__ == "__main__":
    main()
