"""Excel statements: header not on row 1, several sheets, merged title cells, numbers stored as text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from basis_ledger.ingest.base import Account, Context
from basis_ledger.ingest.registry import choose
from basis_ledger.ingest.source import SourceFile
from basis_ledger.ingest.xlsx import cell_text
from basis_ledger.model import InputError

HEADER = [
    "Run Date",
    "Action",
    "Symbol",
    "Description",
    "Type",
    "Price ($)",
    "Quantity",
    "Commission ($)",
    "Fees ($)",
    "Accrued Interest ($)",
    "Amount ($)",
    "Cash Balance ($)",
    "Settlement Date",
]


def _book(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    cover = wb.active
    cover.title = "Cover"
    cover["A1"] = "Fidelity account history"
    cover.merge_cells("A1:F1")
    hist = wb.create_sheet("History")
    hist["A1"] = "Account history for X1"
    hist.merge_cells("A1:M1")  # a merged title cell above the header
    hist.append([])
    hist.append(HEADER)  # the header is on row 3
    row = [None] * len(HEADER)
    hist.append([dt.datetime(2024, 3, 14), "CASH CONTRIBUTION PRIOR YEAR (Cash)", *row[2:10], 7000.12, None, None])
    hist.append(["04/02/2024", "CASH CONTRIBUTION CURRENT YEAR (Cash)", *row[2:10], "$1,250.50", None, None])
    hist.append(["04/03/2024", "DIVIDEND RECEIVED X (X) (Cash)", *row[2:10], 3.1, None, None])
    wb.save(path)


def test_workbook_reads_like_the_csv(tmp_path: Path) -> None:
    path = tmp_path / "History_for_Account_X1.xlsx"
    _book(path)
    src = SourceFile.read(path)
    imp = choose(src)
    assert imp.name == "fidelity"
    ex = imp.extract(src, Context({"X1": Account("X1", "ed", "traditional")}))
    assert not ex.problems
    rows = [(r.date, r.tax_year, r.kind, int(r.amount_cents), int(r.source_line)) for r in ex.events.itertuples()]
    assert rows == [
        ("2024-03-14", 2023, "traditional_contribution", 700012, 4),  # a real number cell: 7000.12 exactly
        ("2024-04-02", 2024, "traditional_contribution", 125050, 5),  # a number stored as text
    ]
    assert ex.events["memo"].iloc[0].endswith("[sheet History]")
    assert ex.skipped["dividend, capital-gain payout or reinvestment"] == 1


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (7000.12, "7000.12"),
        (7000.0, "7000"),
        (0.1 + 0.2, "0.30000000000000004"),
        (12, "12"),
        (None, ""),
        (dt.datetime(2024, 3, 14), "2024-03-14"),
        (dt.date(2024, 1, 2), "2024-01-02"),
        (True, "TRUE"),
    ],
)
def test_cells_become_exact_text(value, text) -> None:
    # 0.1 + 0.2 is not a cent amount: it stays visibly wrong and the amount parser refuses it.
    assert cell_text(value) == text


def test_a_broken_workbook_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "History_for_Account_X1.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"not really a zip" * 10)
    src = SourceFile.read(path)
    with pytest.raises(InputError) as err:
        choose(src, "fidelity").extract(src)
    assert "not a readable .xlsx workbook" in err.value.problems[0].message
