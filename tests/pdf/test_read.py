"""Reading Form 8606 PDFs: fillable (fields, by field map) and flattened or printed (page text, by position)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from basis_ledger.render.fill import fill
from tests.pdf.formfixture import blank_form, flatten, printed_form
from tests.pdf.helpers import SAMPLE_YEARS, as_decimals, filed, read_pdf, shared


@pytest.mark.parametrize("kind", ["filled", "flattened"])
@pytest.mark.parametrize("year", SAMPLE_YEARS)
def test_shared_samples_read_exactly(year, kind):
    truth = json.loads(shared(f"f8606-{year}-sample.values.json").read_text())
    got = read_pdf(shared(f"f8606-{year}-{kind}-sample.pdf"))
    expected = {k.removeprefix("line_"): Decimal(str(v)) for k, v in truth["numbers"].items()}
    assert got["tax_year"] == year
    assert as_decimals(got["lines"]) == expected  # every line, and no line blank on the form
    assert got["name"] == truth["fields"]["name"]
    assert got["ssn_last4"] == truth["fields"]["ssn"][-4:]


def test_shared_2018_keeps_cents_and_line_10_as_printed():
    form = filed(shared("f8606-2018-filled-sample.pdf"))
    assert form["lines"]["11"] == (
        "5174.48",
        "topmostSubform[0].Page1[0].f1_29[0] + topmostSubform[0].Page1[0].f1_30[0]",
    )
    assert form["lines"]["10"][0] == "0.9375"
    flat = filed(shared("f8606-2018-flattened-sample.pdf"))
    assert flat["lines"]["11"][0] == "5174.48"
    assert flat["lines"]["11"][1].startswith("page 1 x=")


def test_shared_2025_lines_15_on_page_2():
    flat = filed(shared("f8606-2025-flattened-sample.pdf"))
    assert flat["lines"]["15c"][0] == "1854" and flat["lines"]["15c"][1].startswith("page 2 ")
    assert filed(shared("f8606-2025-filled-sample.pdf"))["lines"]["15a"][1] == "topmostSubform[0].Page2[0].f2_01[0]"


LINES = {"1": 6500, "2": 3, "3": 6503, "4": 0, "9": 3, "10": "0.50000", "15a": "1234.56", "15b": 0, "25c": 7}


@pytest.fixture(params=["single", "cents", "padded"])
def filled_fixture(request, tmp_path):
    blank = tmp_path / "blank.pdf"
    blank_form(blank, 2024, request.param)
    out = tmp_path / "filled.pdf"
    fill(blank, out, 2024, LINES, "Pat Q. Public", "XXX-XX-2222")
    return out


def test_fixture_filled_reads_from_fields(filled_fixture):
    got = read_pdf(filled_fixture)
    # Pitfalls on purpose: line 9's value "3" looks like a line label, "0" and "7" too; 15a carries cents.
    assert got == {
        "file": str(filled_fixture),
        "kind": "form8606",
        "tax_year": 2024,
        "name": "Pat Q. Public",
        "ssn_last4": "2222",
        "lines": LINES,
    }
    assert filed(filled_fixture)["lines"]["1"][1].startswith("topmostSubform[0].Page1[0].f1_")


def test_fixture_flattened_reads_by_position(filled_fixture, tmp_path):
    flat = tmp_path / "flat.pdf"
    flatten(filled_fixture, flat)
    got = read_pdf(flat)
    assert got["lines"] == LINES
    assert (got["name"], got["ssn_last4"]) == ("Pat Q. Public", "2222")
    assert all(ref.startswith("page ") for _, ref in filed(flat)["lines"].values())


@pytest.mark.parametrize("style", ["single", "cents", "padded"])
def test_printed_by_other_software_reads_by_position(tmp_path, style):
    """Numbers drawn straight into the page stream, left-aligned, zero printed as -0-, no fields."""
    path = tmp_path / "printed.pdf"
    values = {
        "1": "6,500",
        "2": "3",
        "3": "6,503",
        "4": "0",
        "9": "3",
        "10": "0.382",
        "11": "12",
        "14": "5,174.48",
        "15a": "1",
        "15c": "1",
    }
    printed_form(path, 2019, values, style, name="Pat Q. Public", ssn="000-11-2222")
    got = read_pdf(path)
    assert got["tax_year"] == 2019
    assert got["lines"] == {
        "1": 6500,
        "2": 3,
        "3": 6503,
        "4": 0,
        "9": 3,
        "10": "0.382",
        "11": 12,
        "14": "5174.48",
        "15a": 1,
        "15c": 1,
    }
    assert (got["name"], got["ssn_last4"]) == ("Pat Q. Public", "2222")
    page = "page 2" if style == "padded" else "page 1"
    assert filed(path)["lines"]["15a"][1].startswith(page)


def test_value_text_keeps_cents_and_inspect_json_shape(tmp_path):
    path = tmp_path / "printed.pdf"
    printed_form(path, 2021, {"1": "6,500", "10": "0.500", "11": "5,174.48", "12": "10.00"}, "cents")
    form = filed(path)
    assert {k: v[0] for k, v in form["lines"].items()} == {
        "1": "6500.00",
        "10": "0.500",
        "11": "5174.48",
        "12": "10.00",
    }
    # JSON: whole amounts as integers, cents as two-decimal strings, line 10 as printed
    assert read_pdf(path)["lines"] == {"1": 6500, "10": "0.500", "11": "5174.48", "12": 10}
    assert form["ssn_last4"] is None and form["name"] == ""
