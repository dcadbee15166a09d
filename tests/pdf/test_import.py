"""Importing filed 8606s: the owner, provenance in the filed_forms table, idempotence, and --as-opening."""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.pdf.formfixture import printed_form
from tests.pdf.helpers import run, shared


def _rows(ledger, sql: str) -> list[tuple]:
    return ledger.sql(sql)  # raw SQL on either engine (tests/engines.py)


@pytest.fixture
def form(tmp_path):
    """A 2019 form: Part I with line 14 = 2,325.52 and Part III. By hand, what 2020 starts with:
    contribution basis = line 22 - line 19 = 9,000 - 4,000 = 5,000; line 23 = 0, so line 24 is skipped and
    the conversion basis is not on the form."""
    path = tmp_path / "f8606-2019.pdf"
    printed_form(
        path,
        2019,
        {
            "1": "6,000",
            "2": "0",
            "3": "6,000",
            "14": "2,325.52",
            "19": "4,000",
            "20": "0",
            "21": "4,000",
            "22": "9,000",
            "23": "0",
        },
        name="Jordan A. Sample",
        ssn="000-12-3456",
    )
    return path


def test_import_with_taxpayer_keeps_the_form_with_provenance(tmp_path, form, ledger_db):
    ledger = ledger_db
    code, out, err = run("--ledger", str(ledger), "import", "--taxpayer", "jo", str(form))
    assert code == 0, err
    rows = _rows(
        ledger,
        "SELECT ff.taxpayer, ff.tax_year, ff.chain, ff.name, ff.ssn_last4, ff.line, ff.value,"
        " ff.source_ref, f.name, f.sha256, f.importer FROM filed_forms ff JOIN files f ON f.id = ff.file_id",
    )
    by_line = {r[5]: r for r in rows}
    assert set(by_line) == {"1", "2", "3", "14", "19", "20", "21", "22", "23"}
    r = by_line["14"]
    assert r[:5] == ("jo", 2019, "own", "Jordan A. Sample", "3456")
    assert r[6] == "2325.52" and r[7].startswith("page 1 x=")
    assert r[8:] == ("f8606-2019.pdf", hashlib.sha256(form.read_bytes()).hexdigest(), "form8606-pdf")
    assert _rows(ledger, "SELECT count(*) FROM events") == [(0,)]  # a filed form is not events
    # The whole SSN never reaches the ledger
    assert b"000-12-3456" not in ledger.dump() and b"000123456" not in ledger.dump()
    # Same file again: nothing added
    code, out, _ = run("--ledger", str(ledger), "import", "--taxpayer", "jo", str(form))
    assert code == 0 and "already imported" in out
    assert _rows(ledger, "SELECT count(*) FROM filed_forms") == [(9,)]


@pytest.mark.parametrize("how", [["--ssn-last4", "3456"], ["--full-name", "jordan a sample"]])
def test_owner_matched_by_ssn_or_name(tmp_path, form, how, ledger_db):
    ledger = ledger_db
    assert run("--ledger", str(ledger), "taxpayer", "set", "jo", *how)[0] == 0
    assert run("--ledger", str(ledger), "taxpayer", "set", "ed", "--ssn-last4", "9999", "--full-name", "Ed Q")[0] == 0
    code, _, err = run("--ledger", str(ledger), "import", str(form))
    assert code == 0, err
    assert _rows(ledger, "SELECT DISTINCT taxpayer FROM filed_forms") == [("jo",)]


def test_unknown_owner_names_the_candidates(tmp_path, form, ledger_db):
    ledger = ledger_db
    run("--ledger", str(ledger), "taxpayer", "set", "ed", "--ssn-last4", "9999")
    code, _, err = run("--ledger", str(ledger), "import", str(form))
    assert code == 2
    assert "name 'Jordan A. Sample', SSN ending 3456" in err and "candidates: ed" in err and "--taxpayer" in err
    assert _rows(ledger, "SELECT count(*) FROM files") == [(0,)]


def test_ambiguous_owner_is_an_error(tmp_path, form, ledger_db):
    ledger = ledger_db
    run("--ledger", str(ledger), "taxpayer", "set", "jo", "--ssn-last4", "3456")
    run("--ledger", str(ledger), "taxpayer", "set", "jordan", "--full-name", "Jordan A. Sample")
    code, _, err = run("--ledger", str(ledger), "import", str(form))
    assert code == 2 and "several taxpayers match: jo, jordan" in err


def test_taxpayer_whose_ssn_differs_is_refused(tmp_path, form, ledger_db):
    ledger = ledger_db
    run("--ledger", str(ledger), "taxpayer", "set", "ed", "--ssn-last4", "9999")
    code, _, err = run("--ledger", str(ledger), "import", "--taxpayer", "ed", str(form))
    assert code == 2 and "SSN ends 3456 but taxpayer 'ed' has 9999" in err


def test_as_opening_seeds_the_bases(tmp_path, form, ledger_db):
    ledger = ledger_db
    code, _, err = run("--ledger", str(ledger), "import", "--taxpayer", "jo", "--as-opening", str(form))
    assert code == 0, err
    events = _rows(ledger, "SELECT kind, tax_year, account_type, amount_cents, source_line, memo FROM events")
    assert sorted(e[:5] for e in events) == [
        ("basis_opening", 2019, "traditional", 232552, 0),  # line 14
        ("roth_contribution_basis_opening", 2019, "roth", 500000, 0),  # 9,000 - 4,000
    ]
    assert all("of the 2019 Form 8606 in f8606-2019.pdf" in e[5] for e in events)
    assert "line 24 is blank on the 2019 form" in err  # the conversion basis is not on this form
    # The next year starts from them: a 2020 distribution with basis 2,325.52 on line 2 (whole dollars: 2,326)
    csv = tmp_path / "2020.csv"
    csv.write_text(
        "taxpayer,date,tax_year,account,account_type,event,amount,memo\n"
        "jo,2020-05-01,,IRA-1,traditional,distribution,1000,\n"
        "jo,2020-12-31,,IRA-1,traditional,year_end_value,9000,\n"
    )
    assert run("--ledger", str(ledger), "import", str(csv))[0] == 0
    code, out, _ = run("--ledger", str(ledger), "compute", "--taxpayer", "jo", "--year", "2020", "--json")
    assert json.loads(out)[0]["lines"]["2"] == 2326


def test_as_opening_refused_when_history_exists(tmp_path, form, ledger_db):
    ledger = ledger_db
    csv = tmp_path / "old.csv"
    csv.write_text(
        "taxpayer,date,tax_year,account,account_type,event,amount,memo\n"
        "jo,2018-03-01,2018,IRA-1,traditional,nondeductible_contribution,5500,\n"
    )
    assert run("--ledger", str(ledger), "import", str(csv))[0] == 0
    code, _, err = run("--ledger", str(ledger), "import", "--taxpayer", "jo", "--as-opening", str(form))
    assert code == 2 and "already has history for 'jo' from 2018" in err
    assert _rows(ledger, "SELECT count(*) FROM filed_forms") == [(0,)]


def test_shared_sample_imports_as_opening(tmp_path, ledger_db):
    """2023 sample: line 14 = 15,250 becomes the opening basis."""
    path = shared("f8606-2023-filled-sample.pdf")
    ledger = ledger_db
    code, _, err = run("--ledger", str(ledger), "import", "-t", "jo", "--as-opening", str(path))
    assert code == 0, err
    assert _rows(ledger, "SELECT kind, amount_cents FROM events WHERE kind = 'basis_opening'") == [
        ("basis_opening", 1525000)
    ]


def test_as_opening_carries_the_conversion_basis(tmp_path, ledger_db):
    """Line 19 = 20,000 uses up the contribution basis 9,000 (line 22 - line 19 < 0: no event) and 11,000 of the
    conversion basis: 12,500 - (20,000 - 9,000) = 1,500 carried. No Part I: no basis_opening."""
    path = tmp_path / "f8606-2021.pdf"
    printed_form(
        path,
        2021,
        {"19": "20,000", "20": "0", "21": "20,000", "22": "9,000", "23": "11,000", "24": "12,500", "25a": "0"},
    )
    ledger = ledger_db
    code, _, err = run("--ledger", str(ledger), "import", "-t", "jo", "--as-opening", str(path))
    assert code == 0, err
    assert _rows(ledger, "SELECT kind, tax_year, amount_cents FROM events") == [
        ("roth_conversion_basis_opening", 2021, 150000)
    ]


def test_as_opening_needs_a_basis(tmp_path):
    path = tmp_path / "f8606-2021.pdf"
    printed_form(path, 2021, {"16": "5,000", "17": "0", "18": "5,000"})
    code, _, err = run("--ledger", str(tmp_path / "l.db"), "import", "-t", "jo", "--as-opening", str(path))
    assert code == 2 and "no basis to carry" in err
