"""fmv-mismatch and 1099r-mismatch: the custodians' Forms 5498 and 1099-R against the ledger.

History: ed's basis 10,000 (2019 line 14); 2021: a 6,000 nondeductible contribution, a 6,000 conversion from
FID-IRA, a 1,500 distribution from VG-IRA; on 31 December FID-IRA = 30,000 and VG-IRA = 14,000 (line 6 = 44,000).
"""

from __future__ import annotations

from tests.audit.helpers import audit, build_ledger, only

ROWS = [
    "ed,2020-01-05,2019,,traditional,basis_opening,10000,",
    "ed,2020-12-31,,FID-IRA,traditional,year_end_value,40000,",
    "ed,2021-03-01,2021,FID-IRA,traditional,nondeductible_contribution,6000,",
    "ed,2021-03-05,,FID-IRA,traditional,conversion,6000,",
    "ed,2021-07-01,,VG-IRA,traditional,distribution,1500,",
    "ed,2021-12-31,,FID-IRA,traditional,year_end_value,30000,",
    "ed,2021-12-31,,VG-IRA,traditional,year_end_value,14000,",
    "ed,2021-12-31,,FID-ROTH,roth,year_end_value,6100,",
]


def f5498(account, fmv, year=2021, **boxes):
    return {"form": "5498", "taxpayer": "ed", "tax_year": year, "account": account, "boxes": {"box5_fmv": fmv, **boxes}}


def f1099r(account, gross, code, year=2021, ira="X"):
    boxes = {"box1_gross_distribution": gross, "box7_codes": code, "ira_sep_simple": ira}
    return {"form": "1099-R", "taxpayer": "ed", "tax_year": year, "account": account, "boxes": boxes}


AGREE = [
    f5498("FID-IRA", "30000.00"),
    f5498("VG-IRA", "14000.00"),
    f5498("FID-ROTH", "6100.00"),
    f1099r("FID-IRA", "6000.00", "2"),
    f1099r("VG-IRA", "1500.00", "1"),
]


def run(tmp_path, docs, rows=ROWS):
    return audit(build_ledger(tmp_path / "l.db", rows, documents=docs))


def test_documents_that_agree(tmp_path):
    found = run(tmp_path, AGREE)
    assert not only(found, "fmv-mismatch") and not only(found, "1099r-mismatch")


def test_fmv_mismatch_names_the_account(tmp_path):
    # VG's 5498 says 15,000: 30,000 + 15,000 = 45,000 against the ledger's 44,000 (the Roth's 5498 is not line 6)
    docs = [f5498("FID-IRA", "30000.00"), f5498("VG-IRA", "15000.00"), *AGREE[2:]]
    (f,) = only(run(tmp_path, docs), "fmv-mismatch")
    assert (f.tax_year, f.line, f.expected, f.found, f.severity) == (2021, "6", "$45,000", "$44,000", "error")
    assert "VG-IRA" in f.message and "FID-IRA" not in f.message
    assert {e.file for e in f.evidence} == {"taxforms.csv", "history.csv"}


def test_fmv_within_a_dollar_is_rounding(tmp_path):
    docs = [f5498("FID-IRA", "30000.99"), *AGREE[1:]]
    assert not only(run(tmp_path, docs), "fmv-mismatch")


def test_fmv_not_checked_when_the_form_does_not_use_line_6(tmp_path):
    # 2020 has no distribution or conversion: line 6 is skipped, so a 5498 that disagrees does not matter there
    docs = [*AGREE, f5498("FID-IRA", "41000.00", year=2020)]
    assert not only(run(tmp_path, docs), "fmv-mismatch")


def test_a_5498_account_missing_from_the_ledger(tmp_path):
    docs = [*AGREE, f5498("SCHWAB-SEP", "2500.00", box7_sep="X")]
    (f,) = only(run(tmp_path, docs), "fmv-mismatch")
    assert (f.expected, f.found) == ("$46,500", "$44,000") and "SCHWAB-SEP" in f.message


def test_1099r_missing_from_the_ledger(tmp_path):
    # a second VG distribution of 2,000 the ledger never recorded: 6,000 + 1,500 + 2,000 = 9,500 against 7,500
    docs = [*AGREE, f1099r("VG-IRA", "2000.00", "7")]
    (f,) = only(run(tmp_path, docs), "1099r-mismatch")
    assert (f.tax_year, f.line, f.expected, f.found) == (2021, "7+8", "$9,500", "$7,500")


def test_coded_rollovers_recharacterizations_and_returns_are_not_distributions(tmp_path):
    docs = [
        *AGREE,
        f1099r("VG-IRA", "20000.00", "G"),
        f1099r("FID-IRA", "500.00", "8"),
        f1099r("FID-IRA", "700.00", "N"),
        f1099r("FID-IRA", "900.00", "Y"),
    ]
    assert not only(run(tmp_path, docs), "1099r-mismatch")


def test_a_60_day_rollover_is_taken_off_by_the_ledger(tmp_path):
    # 5,000 paid out (code 7) and rolled into another IRA within 60 days: the ledger says rollover_out
    rows = [
        *ROWS,
        "ed,2021-09-01,,VG-IRA,traditional,rollover_out,5000,",
        "ed,2021-09-20,,VG-IRA,traditional,rollover_in,5000,",
    ]
    docs = [*AGREE, f1099r("VG-IRA", "5000.00", "7")]
    assert not only(run(tmp_path, docs, rows), "1099r-mismatch")


def test_plan_1099r_is_ignored(tmp_path):
    # a 401(k) distribution: IRA/SEP/SIMPLE box not checked and no IRA account in the ledger
    docs = [*AGREE, f1099r("ACME-401K", "12000.00", "7", ira="")]
    assert not only(run(tmp_path, docs), "1099r-mismatch")


def test_ledger_distribution_without_any_1099r(tmp_path):
    # documents exist for 2021 (the 5498s) but no 1099-R: the ledger's 7,500 are unaccounted for
    (f,) = only(run(tmp_path, AGREE[:3]), "1099r-mismatch")
    assert (f.expected, f.found) == ("$0", "$7,500")


def test_roth_1099r_against_roth_distributions(tmp_path):
    rows = [
        *ROWS,
        "ed,2021-08-01,2021,FID-ROTH,roth,roth_contribution,3000,",
        "ed,2021-09-01,,FID-ROTH,roth,roth_distribution,2000,",
    ]
    ok = [*AGREE, f1099r("FID-ROTH", "2000.00", "J", ira="")]
    assert not only(run(tmp_path, ok, rows), "1099r-mismatch")
    bad = [*AGREE, f1099r("FID-ROTH", "2500.00", "J", ira="")]
    (f,) = only(run(tmp_path / "b", bad, rows), "1099r-mismatch")
    assert (f.line, f.expected, f.found) == ("19", "$2,500", "$2,000")


def test_box_names_by_number_and_fdx_field_are_read_too(tmp_path):
    # a document stored with FDX names (fairMarketValue) and bare box numbers reads the same
    docs = [
        {
            "form": "5498",
            "taxpayer": "ed",
            "tax_year": 2021,
            "account": "FID-IRA",
            "boxes": {"fairMarketValue": "31000.00"},
        },
        f5498("VG-IRA", "14000.00"),
        {
            "form": "1099-R",
            "taxpayer": "ed",
            "tax_year": 2021,
            "account": "FID-IRA",
            "boxes": {"1": "6000.00", "7": "2", "iraSepSimple": "X"},
        },
        f1099r("VG-IRA", "1500.00", "1"),
    ]
    found = run(tmp_path, docs)
    assert [(f.expected, f.found) for f in only(found, "fmv-mismatch")] == [("$45,000", "$44,000")]
    assert not only(found, "1099r-mismatch")
