"""Forms 1099-R and 5498: templates, box values, codes -> events, and agreement with the statements."""

from __future__ import annotations

import csv
import shutil
import tomllib
from pathlib import Path

import pytest

from basis_ledger.ingest.base import Account, Context
from basis_ledger.ingest.registry import choose
from basis_ledger.ingest.source import SourceFile
from tests.ingest.helpers import GOLDEN, inspect, ledger_with_accounts

ROOT = Path(__file__).resolve().parents[2]
SPEC = tomllib.loads((ROOT / "schemas" / "taxforms.toml").read_text())
ACCOUNTS = {"T1": Account("T1", "ed", "traditional"), "R1": Account("R1", "ed", "roth")}
R_HEAD = "taxpayer,tax_year,account,box1_gross_distribution,box2a_taxable_amount,box4_federal_tax_withheld,box7_codes,ira_sep_simple\n"  # noqa: E501


@pytest.mark.parametrize("key", ["form1099r", "form5498"])
def test_templates_have_one_column_per_box_in_the_schema_order(key: str) -> None:
    names = [c["name"] for c in SPEC[key]["columns"]]
    for template in (ROOT / "schemas" / "taxforms" / f"{key}.csv", ROOT / "sample_data" / f"{key}-template.csv"):
        with template.open(newline="") as fh:
            assert next(csv.reader(fh)) == names, template
    assert names[:3] == ["taxpayer", "tax_year", "account"]
    assert len(set(names)) == len(names)


def one(tmp: Path, name: str, text: str, accounts=ACCOUNTS, mapping=None):
    path = tmp / name
    path.write_text(text)
    src = SourceFile.read(path)
    return choose(src).extract(src, Context(dict(accounts), dict(mapping or {})))


@pytest.mark.parametrize(
    ("codes", "ira", "account", "kind", "amount", "tax_year", "date"),
    [
        ("7", "X", "T1", "distribution", 500000, 2024, "2024-12-31"),  # until a 5498 shows a conversion
        ("G", "X", "T1", "rollover_to_plan", 500000, 2024, "2024-12-31"),
        ("N", "X", "T1", "recharacterization", 500000, 2024, "2024-12-31"),
        ("R", "X", "T1", "recharacterization", 500000, 2023, "2024-04-15"),  # a 2023 contribution, by its deadline
        ("8", "X", "T1", "returned_contribution", 480000, 2024, "2024-12-31"),  # 5,000 less 200 earnings (box 2a)
        ("P", "X", "T1", "returned_contribution", 480000, 2023, "2024-04-15"),
        ("Y", "X", "T1", "qualified_charitable_distribution", 500000, 2024, "2024-12-31"),
        ("J", "", "R1", "roth_distribution", 500000, 2024, "2024-12-31"),
        ("Q", "", "R1", "roth_distribution", 500000, 2024, "2024-12-31"),
        ("T", "", "R1", "roth_distribution", 500000, 2024, "2024-12-31"),
        ("4G", "X", "T1", "rollover_to_plan", 500000, 2024, "2024-12-31"),  # G decides before 4
        ("8J", "", "R1", "returned_contribution", 480000, 2024, "2024-12-31"),
    ],
)
def test_distribution_codes_decide_the_event(tmp_path, codes, ira, account, kind, amount, tax_year, date) -> None:
    ex = one(tmp_path, "r.csv", R_HEAD + f"ed,2024,{account},5000.00,200.00,,{codes},{ira}\n")
    assert not ex.problems
    [row] = ex.events.to_dict("records")
    assert (row["kind"], row["amount_cents"], row["tax_year"], row["date"]) == (kind, amount, tax_year, date)


def test_unclassifiable_1099r_goes_to_review_and_a_mapping_settles_it(tmp_path: Path) -> None:
    text = R_HEAD + "ed,2024,T1,1200.00,1200.00,,D,X\n"
    ex = one(tmp_path, "r.csv", text)
    assert ex.events.empty and ex.review[0]["text"] == "1099-R code D" and ex.problems[0].line == 2
    ex = one(tmp_path, "r.csv", text, mapping={"1099-R code D": "distribution"})
    assert list(ex.events["kind"]) == ["distribution"] and not ex.problems


def test_bad_boxes_are_problems_with_line_and_column(tmp_path: Path) -> None:
    ex = one(tmp_path, "r.csv", R_HEAD + "ed,2024,T1,-5.00,,,7,X\ned,24,T1,5.00,,,7,maybe\n")
    found = {(p.line, p.column) for p in ex.problems}
    assert {(2, "box1_gross_distribution"), (3, "tax_year"), (3, "ira_sep_simple")} <= found
    assert ex.documents == []


def test_fdx_json_flat_and_wrapped(tmp_path: Path) -> None:
    ex = one(
        tmp_path,
        "tax.json",
        '{"taxYear": 2024, "forms": [{"tax5498": {"accountId": "R1", "rothIraConversion": 6500.0,'
        ' "fairMarketValue": 7100.5, "rothIra": true}}, {"taxFormType": "Tax1099R", "accountId": "T1",'
        ' "grossDistribution": 6500, "distributionCodes": ["2"], "iraSepSimple": true}]}',
    )
    assert [d["form"] for d in ex.documents] == ["5498", "1099-R"]
    assert ex.documents[0]["boxes"] == {"box3_roth_conversion": "6500.00", "box5_fmv": "7100.50", "box7_roth": "X"}
    assert [(r.kind, int(r.amount_cents)) for r in ex.events.itertuples()] == [
        ("year_end_value", 710050),
        ("distribution", 650000),
    ]


def test_conversion_joins_1099r_and_5498_across_files(tmp_path: Path, ledger_db) -> None:
    """Ed converts 6,500.00 (1099-R code 2 from the traditional IRA, 500.00 withheld); the Roth custodian's 5498
    box 3 shows the 6,000.00 that arrived. 6,500 - 500 = 6,000: the payout is the conversion (8606 line 8)."""
    r = tmp_path / "1099r.csv"
    r.write_text(R_HEAD + "ed,2024,T1,6500.00,6500.00,500.00,2,X\n")
    f = tmp_path / "5498.csv"
    f.write_text("taxpayer,tax_year,account,box3_roth_conversion,box5_fmv,box7_roth\ned,2024,R1,6000.00,6100,X\n")
    ledger = ledger_with_accounts(ledger_db, {"T1": {"owner": "ed", "type": "traditional"}})
    first, second = inspect([r, f], ledger)
    assert [(e["kind"], e["amount"]) for e in first["events"]] == [("conversion", "6500.00")]
    assert first["notes"] == [] and not first["problems"]
    assert [(e["kind"], e["account"]) for e in second["events"]] == [("year_end_value", "R1")]
    (alone,) = inspect([r], ledger)  # without the 5498: a distribution, with a note saying why
    assert [e["kind"] for e in alone["events"]] == ["distribution"] and "5498 (box 3)" in alone["notes"][0]


def test_conversion_that_matches_nothing_needs_review(tmp_path: Path, ledger_db) -> None:
    r = tmp_path / "1099r.csv"
    r.write_text(R_HEAD + "ed,2024,T1,6500.00,6500.00,,2,X\n")
    f = tmp_path / "5498.csv"
    f.write_text("taxpayer,tax_year,account,box3_roth_conversion,box5_fmv,box7_roth\ned,2024,R1,4000.00,4100,X\n")
    first, _ = inspect([r, f], ledger_with_accounts(ledger_db, {"T1": {"owner": "ed", "type": "traditional"}}))
    assert any("does not match the 4,000.00 of Roth conversions" in p for p in first["problems"])


def test_statements_win_over_forms_and_5498_settles_a_contribution_year(tmp_path: Path, ledger_db) -> None:
    """The Fidelity statement has the conversion (7,012.40), the 1,650.00 gross distribution and both
    contributions; its 1099-R and 5498 repeat them and are kept as documents only, except the 31 December value
    (5498 box 5), which no statement has. A second statement's January contribution with no year wording is
    settled as 2024 by the 2024 5498 of its account (box 1 7,000.00, nothing else for 2024 there)."""
    for name in ("History_for_Account_X11111111.csv", "form1099r-2024.csv", "form5498-2024.csv"):
        shutil.copy(GOLDEN / name, tmp_path / name)
    jan = tmp_path / "History_for_Account_X77.csv"
    jan.write_text(
        "Run Date,Action,Symbol,Description,Type,Price ($),Quantity,Commission ($),Fees ($),Accrued Interest ($),"
        "Amount ($),Cash Balance ($),Settlement Date\n01/10/2025,CASH CONTRIBUTION (Cash),,x,Cash,,0,,,,7000,,\n"
    )
    f5498 = tmp_path / "x77-5498.csv"
    f5498.write_text("taxpayer,tax_year,account,box1_ira_contributions,box5_fmv,box7_ira\ned,2024,X77,7000,7010,X\n")
    accounts = {
        a: {"owner": o, "type": t}
        for a, o, t in [
            ("X11111111", "ed", "traditional"),
            ("X77", "ed", "traditional"),
            ("FID-IRA-2", "ed", "traditional"),
            ("VG-ROTH", "mia", "roth"),
        ]
    }
    paths = [tmp_path / n for n in ("History_for_Account_X11111111.csv", "form1099r-2024.csv", "form5498-2024.csv")]
    stmt, r, f, j, j5498 = inspect([*paths, jan, f5498], ledger_with_accounts(ledger_db, accounts))
    assert len(stmt["events"]) == 4
    assert [(e["account"], e["kind"]) for e in r["events"]] == [
        ("FID-IRA-2", "rollover_to_plan"),
        ("FID-IRA-2", "returned_contribution"),
        ("FID-IRA-2", "returned_contribution"),
        ("FID-IRA-2", "qualified_charitable_distribution"),
        ("VG-ROTH", "roth_distribution"),
    ]
    assert r["skipped"] == {
        "conversion from a tax form: already in the statements": 1,
        "distribution from a tax form: already in the statements": 1,
    }
    assert [(e["account"], e["kind"]) for e in f["events"] if e["account"] == "X11111111"] == [
        ("X11111111", "year_end_value")
    ]
    assert f["skipped"] == {"traditional_contribution from a tax form: already in the statements": 1}
    assert [(e["tax_year"], e["tax_year_from"]) for e in j["events"]] == [(2024, "5498")] and j["notes"] == []
    assert [e["kind"] for e in j5498["events"]] == ["year_end_value"]  # box 1 is the January deposit itself


def test_the_user_may_say_a_payout_was_a_conversion(tmp_path: Path) -> None:
    """No 5498 yet (it arrives in May): the user knows the code 7 payout went to the Roth IRA."""
    text = R_HEAD + "ed,2024,T1,6500.00,6500.00,,7,X\n"
    ex = one(tmp_path, "r.csv", text, mapping={"1099-R code 7": "conversion"})
    assert [(r.kind, int(r.amount_cents), bool(r.maybe_conversion)) for r in ex.events.itertuples()] == [
        ("conversion", 650000, False)
    ]
    ex = one(tmp_path, "r.csv", text, mapping={"1099-R code 7": "skip"})
    assert ex.events.empty and ex.skipped == {"1099-R skipped by the user's mapping": 1}


def test_fdx_payer_name(tmp_path: Path) -> None:
    ex = one(
        tmp_path,
        "tax.json",
        '[{"taxFormType": "Tax5498", "taxYear": 2024, "accountId": "T1", "fairMarketValue": 10,'
        ' "ira": true, "issuerNameAddress": {"name1": "Big Custodian", "line1": "1 Main St"}}]',
    )
    assert ex.documents[0]["boxes"]["payer"] == "Big Custodian"
    assert ex.events["memo"].iloc[0] == "Form 5498 2024 from Big Custodian, box 5"
