"""The copy a taxpayer files (issue 15): `fill --ssn` (or $BASIS_LEDGER_SSN_<TAXPAYER>) puts the whole SSN on that
one PDF and nowhere else; `fill` for a year whose form is already filed says so, lists what differs, and names
the result an amended form."""

from __future__ import annotations

import json

from pypdf import PdfReader

from tests.pdf.formfixture import blank_form
from tests.pdf.helpers import make_ledger, run, scenario

SSN = "123-45-1234"


def _ledger(tmp_path):
    ledger = make_ledger(tmp_path / "l.db", scenario(2024), full_name="Ed Q. Example", ssn_last4="1234")
    blank_form(tmp_path / "blank.pdf", 2024)
    return ledger


def _fill(tmp_path, ledger, out: str, *args: str, env: dict | None = None):
    return run(
        "--ledger", str(ledger), "fill", "-t", "ed", "-y", "2024", "--form", str(tmp_path / "blank.pdf"),
        "-o", str(tmp_path / out), *args, env=env,
    )  # fmt: skip


def _ssn_field(path) -> str:
    fields = PdfReader(path).get_fields() or {}
    return next(
        str(f.get("/V")) for f in fields.values() if "XX-1234" in str(f.get("/V")) or "45-1234" in str(f.get("/V"))
    )


def test_the_whole_ssn_is_on_that_pdf_only(tmp_path):
    ledger = _ledger(tmp_path)
    before = ledger.read_bytes()
    code, out, err = _fill(tmp_path, ledger, "filed.pdf", "--ssn", "123451234", "--json")
    assert code == 0, err
    assert _ssn_field(tmp_path / "filed.pdf") == SSN
    doc = json.loads(out)
    assert doc["ssn"] == "XXX-XX-1234" and doc["ssn_whole_on_form"] is True
    assert "123451234" not in out + err and SSN not in out + err  # never printed
    assert ledger.read_bytes() == before and b"123451234" not in before  # never stored
    code, out, err = _fill(tmp_path, ledger, "env.pdf", env={"BASIS_LEDGER_SSN_ED": SSN})
    assert code == 0 and _ssn_field(tmp_path / "env.pdf") == SSN and SSN not in out + err
    code, _, err = _fill(tmp_path, ledger, "masked.pdf")
    assert code == 0 and _ssn_field(tmp_path / "masked.pdf") == "XXX-XX-1234" and "BASIS_LEDGER_SSN_ED" in err


def test_a_wrong_ssn_is_refused_without_echoing_it(tmp_path):
    ledger = _ledger(tmp_path)
    for bad in ("123-45-9999", "12-345", "000-12-1234"):
        code, out, err = _fill(tmp_path, ledger, "x.pdf", "--ssn", bad)
        assert code == 2 and bad not in out + err, err
        assert not (tmp_path / "x.pdf").exists()


def test_a_year_already_filed_gives_an_amended_form(tmp_path):
    ledger = _ledger(tmp_path)
    code, out, err = _fill(tmp_path, ledger, "first.pdf")
    assert code == 0 and "AMENDED" not in out + err
    code, _, err = run("--ledger", str(ledger), "import", "--taxpayer", "ed", str(tmp_path / "first.pdf"))
    assert code == 0, err
    code, out, err = _fill(tmp_path, ledger, "same.pdf")
    assert code == 0 and "AMENDED" not in out and "already filed (first.pdf) and says the same" in err
    extra = tmp_path / "more.csv"
    extra.write_text(
        "taxpayer,date,tax_year,account,account_type,event,amount\n"
        "ed,2024-09-01,2024,IRA-1,traditional,nondeductible_contribution,1000\n"
    )
    assert run("--ledger", str(ledger), "import", str(extra))[0] == 0
    code, out, err = _fill(tmp_path, ledger, "amended.pdf")
    assert code == 0 and "AMENDED 2024 Form 8606" in out
    assert "already filed (first.pdf): this is an AMENDED form" in err and "line 1: filed 6,000, now 7,000" in err
    code, out, _ = _fill(tmp_path, ledger, "amended2.pdf", "--json")
    doc = json.loads(out)
    assert doc["amended"] is True and doc["filed_form"] == "first.pdf"
    assert {"line": "1", "filed": 6000, "computed": 7000} in doc["differs"]
