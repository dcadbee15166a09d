"""Tax-form box values read fast but judged the same: the plain-amount shortcut and the per-file memo of the
other boxes (issue 11: a 1099-R CSV of 200,000 rows) must give exactly what the full rules give."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from basis_ledger.ingest.source import SourceFile
from basis_ledger.ingest.taxforms.boxes import normalise
from basis_ledger.ingest.taxforms.read import read_csv

HEADER = "taxpayer,tax_year,account,payer,box1_gross_distribution,box7_codes,ira_sep_simple\n"


@settings(max_examples=300, deadline=None)
@given(
    whole=st.text("0123456789", min_size=1, max_size=12),
    dot=st.booleans(),
    cents=st.text("0123456789", max_size=3),
)
def test_an_amount_box_is_dollars_and_cents_as_decimal_says(whole: str, dot: bool, cents: str) -> None:
    text = whole + ("." + cents if dot else "")
    got, problem = normalise("amount", text)
    value = Decimal(text)
    if value * 100 > 10_000_000_000 * 100:
        assert got == "" and "absurd" in problem
    elif value != value.quantize(Decimal("0.01")):
        assert (got, problem) == ("", f"'{text}' has fractions of a cent")
    else:
        assert (got, problem) == (str(value.quantize(Decimal("0.01"))), "")


def test_non_ascii_digits_are_not_an_amount() -> None:
    for text in ("１２３", "١٢٣", "12.５"):
        got, problem = normalise("amount", text)
        assert got == "" and "not an amount" in problem


def test_a_bad_box_repeated_on_every_row_is_named_on_every_row(tmp_path: Path) -> None:
    path = tmp_path / "1099r.csv"
    rows = ["ed,2024,A1,Fid,100.00,ZZZZ,X", "ed,2024,A1,Fid,100.00,7,X", "ed,2024,A1,Fid,100.00,ZZZZ,maybe"]
    path.write_text(HEADER + "\n".join(rows) + "\n")
    docs, problems = read_csv("form1099r", SourceFile.read(path))
    assert [d["source_line"] for d in docs] == [3]
    assert [(p.line, p.column) for p in problems] == [(2, "box7_codes"), (4, "box7_codes"), (4, "ira_sep_simple")]
    assert docs[0]["boxes"] == {
        "payer": "Fid",
        "box1_gross_distribution": "100.00",
        "box7_codes": "7",
        "ira_sep_simple": "X",
    }
