"""chain-break, filed-mismatch and missing-8606: filed Form 8606s against each other and the ledger.

The history (numbers by hand):
  2019 line 14 = 10,000 (basis_opening)
  2020: line 1 = 6,000, line 2 = 10,000, line 3 = 16,000, line 14 = 16,000 (no distribution: lines 4-13 skipped)
  2021: line 1 = 6,000, line 2 = 16,000, line 3 = 22,000, line 4 = 0, line 5 = 22,000; line 6 = 44,000,
        line 7 = 0, line 8 = 6,000, line 9 = 50,000; line 10 = 22,000 / 50,000 = 0.44000; line 11 = 6,000 x 0.44
        = 2,640; line 12 = 0; line 13 = 2,640; line 14 = 22,000 - 2,640 = 19,360; 15a-c = 0; line 16 = 6,000,
        line 17 = 2,640, line 18 = 3,360.
"""

from __future__ import annotations

import pytest

from tests.audit.helpers import audit, build_ledger, only

ROWS = [
    "ed,2020-01-05,2019,,traditional,basis_opening,10000,line 14 of 2019",
    "ed,2020-03-01,2020,FID-IRA,traditional,nondeductible_contribution,6000,",
    "ed,2020-12-31,,FID-IRA,traditional,year_end_value,50000,",
    "ed,2021-03-01,2021,FID-IRA,traditional,nondeductible_contribution,6000,",
    "ed,2021-03-05,,FID-IRA,traditional,conversion,6000,",
    "ed,2021-12-31,,FID-IRA,traditional,year_end_value,44000,",
]
F2020 = {"1": "6000", "2": "10000", "3": "16000", "14": "16000"}
F2021 = {
    "1": "6000",
    "2": "16000",
    "3": "22000",
    "4": "0",
    "5": "22000",
    "6": "44000",
    "7": "0",
    "8": "6000",
    "9": "50000",
    "10": "0.44000",
    "11": "2640",
    "12": "0",
    "13": "2640",
    "14": "19360",
    "15a": "0",
    "15b": "0",
    "15c": "0",
    "16": "6000",
    "17": "2640",
    "18": "3360",
}


def forms(y2020=None, y2021=None, **extra):
    out = []
    if y2020 is not False:
        out.append({"taxpayer": "ed", "tax_year": 2020, "lines": {**F2020, **(y2020 or {})}})
    if y2021 is not False:
        out.append({"taxpayer": "ed", "tax_year": 2021, "lines": {**F2021, **(y2021 or {})}})
    return out


def run(tmp_path, rows=ROWS, filed=None, as_of="2030-01-01", **kw):
    return audit(build_ledger(tmp_path / "l.db", rows, filed=filed, **kw), as_of=as_of)


def errors(findings):
    return [f for f in findings if f.severity == "error"]


def test_consistent_filings_have_no_reconciliation_finding(tmp_path):
    found = run(tmp_path, filed=forms())
    assert not [f for f in found if f.code in ("chain-break", "filed-mismatch", "missing-8606", "basis-unknown")]
    assert not errors(found)


def test_chain_break_when_line_2_forgets_last_years_line_14(tmp_path):
    # 2021 filed as if 2020's contribution never happened: line 2 = 10,000 (2019's line 14), and the rest of the
    # form follows from it: line 3 = 16,000, line 10 = 16,000 / 50,000 = 0.32, line 11 = 1,920, line 14 = 14,080,
    # line 17 = 1,920, line 18 = 4,080.
    slip = {
        "2": "10000",
        "3": "16000",
        "5": "16000",
        "10": "0.32000",
        "11": "1920",
        "13": "1920",
        "14": "14080",
        "17": "1920",
        "18": "4080",
    }
    found = run(tmp_path, filed=forms(y2021=slip))
    (cb,) = only(found, "chain-break")
    assert (cb.tax_year, cb.line, cb.expected, cb.found) == (2021, "2", "$16,000", "$10,000")
    assert "line 14 of your 2020 Form 8606 ($16,000)" in cb.message
    assert {e.file for e in cb.evidence} == {"f8606.pdf"}
    assert any("line_14" in e.where for e in cb.evidence) and any("line_2" in e.where for e in cb.evidence)
    # filed-mismatch: the causes (line 2) and the lines that matter on their own (14 carried, 18 taxable); lines
    # 3, 5, 10, 11, 13, 17 follow from line 2 on the form itself and are not repeated.
    fm = only(found, "filed-mismatch")
    assert [(f.line, f.expected, f.found) for f in fm] == [
        ("2", "$16,000", "$10,000"),
        ("14", "$19,360", "$14,080"),
        ("18", "$3,360", "$4,080"),
    ]
    assert "every later year inherits" in fm[1].message


def test_chain_break_allows_for_an_unfiled_year_in_between(tmp_path):
    # Filed: 2019 (line 14 = 10,000) and 2021; 2020 was never filed. The ledger adds 2020's 6,000 in between,
    # so 2021's line 2 should be 10,000 + 6,000 = 16,000, which it is: no chain-break, but 2020 is missing.
    filed = [
        {"taxpayer": "ed", "tax_year": 2019, "lines": {"1": "0", "2": "10000", "3": "10000", "14": "10000"}},
        *forms(y2020=False),
    ]
    found = run(tmp_path, filed=filed)
    assert not only(found, "chain-break")
    (m,) = only(found, "missing-8606")
    assert m.tax_year == 2020


def test_filed_mismatch_on_an_input_line_and_an_arithmetic_slip(tmp_path):
    # line 6 filed as 45,000 (ledger 44,000); line 3 filed as 21,000 although 6,000 + 16,000 = 22,000.
    found = run(tmp_path, filed=forms(y2021={"6": "45000", "3": "21000"}))
    fm = {f.line: f for f in only(found, "filed-mismatch")}
    assert fm["6"].expected == "$44,000" and fm["6"].found == "$45,000"
    assert fm["3"].expected == "$22,000" and "own arithmetic" in fm["3"].message
    assert set(fm) == {"3", "6"}  # line 9 = 50,000 was filed right, so nothing follows from line 6


@pytest.mark.parametrize(("value", "reported"), [("44001", False), ("43999", False), ("44002", True)])
def test_whole_dollar_tolerance(tmp_path, value, reported):
    # differences up to $1 are rounding; 44,002 - 44,000 = 2 is reported
    found = run(tmp_path, filed=forms(y2021={"6": value, "9": str(int(value) + 6000)}))
    assert bool([f for f in only(found, "filed-mismatch") if f.line == "6"]) is reported


def test_cents_forms_are_compared_with_the_exact_computation(tmp_path):
    # Year-end value 44,000.40 and a conversion of 6,000.50. Exact: line 8 = 6,000.50, line 9 = 50,000.90,
    # line 10 = 22,000 / 50,000.90 = 0.4399920... -> 0.43999, line 11 = 6,000.50 x 0.43999 = 2,640.159... ->
    # 2,640.16, line 14 = 22,000 - 2,640.16 = 19,359.84, line 18 = 6,000.50 - 2,640.16 = 3,360.34.
    # (In whole dollars line 8 would be 6,001 and line 14 19,360.)
    rows = [
        *ROWS[:4],
        "ed,2021-03-05,,FID-IRA,traditional,conversion,6000.50,",
        "ed,2021-12-31,,FID-IRA,traditional,year_end_value,44000.40,",
    ]
    exact = {
        "6": "44000.40",
        "8": "6000.50",
        "9": "50000.90",
        "10": "0.43999",
        "11": "2640.16",
        "13": "2640.16",
        "14": "19359.84",
        "16": "6000.50",
        "17": "2640.16",
        "18": "3360.34",
    }
    assert not only(run(tmp_path, rows, filed=forms(y2021=exact)), "filed-mismatch")
    wrong = {**exact, "14": "19361.84"}  # $2 off, and no longer line 3 - line 13
    (fm,) = only(run(tmp_path / "b", rows, filed=forms(y2021=wrong)), "filed-mismatch")
    assert (fm.line, fm.expected, fm.found) == ("14", "$19,359.84", "$19,361.84")


def test_line_10_truncated_by_one_unit_is_accepted_but_an_inconsistent_ratio_is_not(tmp_path):
    assert not only(run(tmp_path, filed=forms(y2021={"10": "0.4399"})), "filed-mismatch")
    # 0.430 does not follow from the form's own 22,000 / 50,000 = 0.440
    (fm,) = only(run(tmp_path / "b", filed=forms(y2021={"10": "0.430"})), "filed-mismatch")
    assert (fm.line, fm.expected, fm.found) == ("10", "0.440", "0.430")


def test_unreadable_filed_value(tmp_path):
    (fm,) = only(run(tmp_path, filed=forms(y2021={"8": "six thousand"})), "filed-mismatch")
    assert fm.line == "8" and fm.found == "six thousand" and "not an amount" in fm.message


def test_filed_line_where_the_ledger_has_none(tmp_path):
    # the 2020 form claims a distribution the ledger does not have
    (fm,) = only(run(tmp_path, filed=forms(y2020={"7": "2500"})), "filed-mismatch")
    assert (fm.tax_year, fm.line, fm.expected, fm.found) == (2020, "7", "blank", "$2,500")


def test_missing_8606_says_late_filing_and_penalty(tmp_path):
    (m,) = only(run(tmp_path, filed=forms(y2020=False)), "missing-8606")
    assert m.tax_year == 2020 and m.severity == "error"
    assert "nondeductible contribution of $6,000" in m.message
    assert "filed on its own" in m.message and "$50" in m.message
    assert [e.where for e in m.evidence] == ["line 3"]  # the 2020 contribution, line 3 of history.csv


def test_missing_8606_only_once_the_return_was_due(tmp_path):
    # 2021's return was due 18 April 2022 (schemas/limits.toml; 15 April without the table)
    path = build_ledger(tmp_path / "l.db", ROWS, filed=forms(y2021=False))
    assert not only(audit(path, as_of="2022-04-14"), "missing-8606")
    assert [f.tax_year for f in only(audit(path, as_of="2022-04-19"), "missing-8606")] == [2021]


def test_no_filed_forms_at_all_means_every_required_year_is_missing(tmp_path):
    assert [f.tax_year for f in only(run(tmp_path), "missing-8606")] == [2020, 2021]
