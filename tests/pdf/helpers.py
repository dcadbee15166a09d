"""Helpers for the Form 8606 PDF tests: the shared IRS material (when present), ledgers, the command line."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from basis_ledger.ingest.generic_csv import GenericCsv
from basis_ledger.ingest.pdf8606 import Form8606Pdf, inspect_object
from basis_ledger.ingest.source import SourceFile
from basis_ledger.ledger.store import Ledger

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "irs-forms"
YEARS = (2017, 2018, 2021, 2022, 2023, 2025)
SAMPLE_YEARS = (2018, 2022, 2023, 2025)
HEADER = "taxpayer,date,tax_year,account,account_type,event,amount,memo"


def shared(name: str) -> Path:
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"../shared/irs-forms not present: {name} (the self-made fixtures cover the same behaviour)")
    return path


def read_pdf(path: Path) -> dict:
    """The inspect JSON object of a PDF (what `inspect --json` prints for it)."""
    src = SourceFile.read(path)
    extracted = Form8606Pdf().extract(src)
    assert len(extracted.filed_forms) == 1
    return inspect_object(src, extracted.filed_forms[0])


def filed(path: Path) -> dict:
    return Form8606Pdf().extract(SourceFile.read(path)).filed_forms[0]


def as_decimals(lines: dict) -> dict[str, Decimal]:
    return {k: Decimal(str(v)) for k, v in lines.items()}


def scenario(year: int, cents: bool = False) -> str:
    """A year that fills every line 1-25c. By hand (whole dollars): line 1 = 5,500 + 500 = 6,000; 2 = 2,000;
    3 = 8,000; 4 = 500 (made in January of the next year); 5 = 7,500; 6 = 45,000; 7 = 3,000; 8 = 7,000;
    9 = 55,000; 10 = 7,500 / 55,000 = 0.13636; 11 = 955; 12 = 409; 13 = 1,364; 14 = 6,636; 15a = 15c = 2,591;
    16 = 7,000; 17 = 955; 18 = 6,045; 19 = 21 = 20,000; 22 = 9,000; 23 = 11,000; 24 = 2,500 + 7,000 = 9,500;
    25a = 25c = 1,500. With cents=True the amounts carry cents (exact figures come from the engine)."""
    c = ".45" if cents else ""
    rows = [
        f"ed,{year - 1}-12-31,{year - 1},,traditional,basis_opening,2000{c},",
        f"ed,{year - 1}-12-31,{year - 1},,roth,roth_contribution_basis_opening,9000,",
        f"ed,{year - 1}-12-31,{year - 1},,roth,roth_conversion_basis_opening,2500,",
        f"ed,{year}-03-01,{year},IRA-1,traditional,nondeductible_contribution,5500,",
        f"ed,{year + 1}-02-01,{year},IRA-1,traditional,nondeductible_contribution,500,",
        f"ed,{year}-06-01,,IRA-1,traditional,distribution,3000{c},",
        f"ed,{year}-07-01,,IRA-1,traditional,conversion,7000{c},",
        f"ed,{year}-12-31,,IRA-1,traditional,year_end_value,45000{c},",
        f"ed,{year}-08-01,,ROTH-1,roth,roth_distribution,20000{c},",
    ]
    return HEADER + "\n" + "\n".join(rows) + "\n"


def make_ledger(path: Path, csv: str, **taxpayer: str) -> Path:
    """A ledger holding the CSV's events (straight through the generic importer and the store)."""
    src = SourceFile(path.with_suffix(".csv"), csv.encode())
    extracted = GenericCsv().extract(src)
    assert not extracted.problems, extracted.problems
    ledger = Ledger.open(path, create=True)
    try:
        with ledger.transaction() as conn:
            ledger.add_file(conn, src.name, src.sha256, "generic-csv", extracted.events)
        if taxpayer:
            ledger.set_taxpayer("ed", **taxpayer)
    finally:
        ledger.close()
    return path


def run(*args: str, env: dict | None = None):
    """The real command line in-process (typer's runner): (exit code, stdout, stderr)."""
    from typer.testing import CliRunner

    from basis_ledger.cli import app

    result = CliRunner().invoke(app, list(args), env={**os.environ, **(env or {})}, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr
