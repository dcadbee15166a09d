"""Statement importers rule by rule: traps, tax years, withholding, accounts, the review list and mappings."""

from __future__ import annotations

from pathlib import Path

import pytest

from basis_ledger.ingest.base import Account, Context
from basis_ledger.ingest.registry import choose
from basis_ledger.ingest.source import SourceFile
from basis_ledger.model import InputError

FIDELITY = "Run Date,Action,Symbol,Description,Type,Price ($),Quantity,Commission ($),Fees ($),Accrued Interest ($),Amount ($),Cash Balance ($),Settlement Date\n"  # noqa: E501
SCHWAB = "Date,Action,Symbol,Description,Quantity,Price,Fees & Comm,Amount\n"
VANGUARD = (
    "Account Number,Trade Date,Settlement Date,Transaction Type,Transaction Description,Investment Name,Symbol,"
    "Shares,Share Price,Principal Amount,Commission Fees,Net Amount,Accrued Interest,Account Type,\n"
)
IRA = {"X1": Account("X1", "ed", "traditional"), "R1": Account("R1", "ed", "roth")}


def fid(*rows: str) -> str:
    """Fidelity late-2025 layout rows from (date, action, amount)."""
    out = FIDELITY
    for r in rows:
        date, action, amount = r.split("|")
        out += f"{date},{action},,No Description,Cash,,0.000,,,,{amount},,\n"
    return out


def extract(tmp: Path, name: str, text: str | bytes, accounts=IRA, mapping=None, profile=None, taxpayer=None):
    path = tmp / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    src = SourceFile.read(path)
    imp = choose(src, profile)
    ex = imp.extract(src, Context(dict(accounts), dict(mapping or {}), taxpayer))
    return imp.name, ex


def kinds_of(ex) -> list[tuple]:
    return [(r.kind, int(r.amount_cents), int(r.tax_year)) for r in ex.events.itertuples()]


# -- traps: words that look like IRA events but are not ---------------------------------------------------


def test_fidelity_distribution_of_shares_and_share_class_conversion_are_not_ira_events(tmp_path: Path) -> None:
    name, ex = extract(
        tmp_path,
        "History_for_Account_X1.csv",
        fid(
            "06/10/2024|DISTRIBUTION NVIDIA CORP (NVDA) (Shares)|0",
            "07/22/2024|CONVERSION AS OF 07/19/2024 FIDELITY 500 INDEX (FXAIX) (Shares)|0",
            "08/01/2024|PARTIAL DISTRIBUTION VS XXX PARTIAL DISTRIBUTION (Cash)|-2000",
        ),
    )
    assert name == "fidelity"
    assert kinds_of(ex) == [("distribution", 200000, 2024)]
    assert ex.skipped["share distribution or split (not an IRA distribution)"] == 1
    assert ex.skipped["share-class conversion (not a Roth conversion)"] == 1
    assert not ex.problems and not ex.review


def test_schwab_conversion_and_prior_year_dividend_are_not_ira_events(tmp_path: Path) -> None:
    text = SCHWAB + (
        "08/25/2023,Conversion,AMC,AMC ENTERTAINMENT CLASS A,34,,,\n"
        "01/31/2024,Pr Yr Cash Div,SPY,SPDR S&P 500 ETF,,,,$5.90\n"
        "01/31/2024,Pr Yr Div Reinvest,SPY,SPDR S&P 500 ETF,,,,$5.90\n"
    )
    _, ex = extract(tmp_path, "XX0001_Transactions_20240201.csv", text, {"XX0001": Account("XX0001", "ed", "roth")})
    assert ex.events.empty and not ex.review and not ex.problems
    assert ex.skipped == {
        "corporate action 'Conversion' (not a Roth conversion)": 1,
        "prior-year dividend (not a prior-year contribution)": 2,
    }


def test_vanguard_conversion_counts_once_and_share_conversion_is_not_roth(tmp_path: Path) -> None:
    text = VANGUARD + (
        "X1,2025-02-10,2025-02-10,Conversion (outgoing),x,MM,VMFXX,0,1,-6500.00,0,-6500.00,0,CASH,\n"
        "R1,2025-02-10,2025-02-10,Conversion (incoming),x,MM,VMFXX,0,1,6500.00,0,6500.00,0,CASH,\n"
        "R1,2025-02-14,2025-02-14,Share Conversion (incoming),x,500,VFIAX,10,500,0,0,0,0,CASH,\n"
    )
    _, ex = extract(tmp_path, "OfxDownload.csv", text)
    assert kinds_of(ex) == [("conversion", 650000, 2025)]  # the traditional side only: 8606 line 8
    assert ex.skipped["Roth side of a conversion (counted on the traditional side)"] == 1
    assert ex.skipped["share-class conversion (not a Roth conversion)"] == 1


# -- the tax year of a contribution ----------------------------------------------------------------------------


def test_fidelity_wording_gives_the_year(tmp_path: Path) -> None:
    _, ex = extract(
        tmp_path,
        "History_for_Account_X1.csv",
        fid(
            "03/14/2024|CASH CONTRIBUTION PRIOR YEAR (Cash)|7000",
            "03/15/2024|CASH CONTRIBUTION CURRENT YEAR (Cash)|500",
        ),
    )
    assert kinds_of(ex) == [("traditional_contribution", 700000, 2023), ("traditional_contribution", 50000, 2024)]
    assert list(ex.events["tax_year_from"]) == ["wording", "wording"]
    assert ex.cautions == []  # the wording settles it: no warning


@pytest.mark.parametrize(
    ("date", "warned"),
    [
        ("01/01/2024", True),
        ("04/15/2024", True),  # the 2023 deadline itself
        ("04/16/2024", False),
        ("12/31/2024", False),
        ("05/17/2021", True),  # the 2020 deadline was postponed to 17 May 2021
        ("05/18/2021", False),
    ],
)
def test_contribution_without_wording_is_calendar_year_with_a_warning_until_the_deadline(
    tmp_path: Path, date: str, warned: bool
) -> None:
    _, ex = extract(tmp_path, "History_for_Account_X1.csv", fid(f"{date}|CASH CONTRIBUTION (Cash)|1000"))
    assert int(ex.events["tax_year"].iloc[0]) == int(date[-4:])
    assert bool(ex.cautions) == warned
    if warned:
        caution = ex.cautions[0]
        assert (caution.code, caution.line) == ("tax-year-from-date", 2)  # the row under the header
        assert "counted for" in str(caution) and str(caution).startswith(str(tmp_path))


def test_prior_year_mapping_suffix(tmp_path: Path) -> None:
    text = SCHWAB + '"04/17/2024 as of 04/15/2024",MoneyLink Deposit,,IRA CONTRIB,,,,"$7,000.00"\n'
    _, ex = extract(
        tmp_path,
        "XX0002_Transactions_1.csv",
        text,
        {"XX0002": Account("XX0002", "ed", "roth")},
        mapping={"moneylink deposit": "contribution@prior"},
    )
    # Effective date 15 April 2024 (the "as of" date) is in time for 2023.
    assert kinds_of(ex) == [("roth_contribution", 700000, 2023)]
    assert ex.events["date"].iloc[0] == "2024-04-15"


# -- withholding is part of the gross payout -----------------------------------------------------------------


def test_withholding_adds_to_the_same_days_distribution(tmp_path: Path) -> None:
    _, ex = extract(
        tmp_path,
        "History_for_Account_X1.csv",
        fid(
            "12/01/2025|FED TAX W/H FEDERAL TAX WITHHELD (Cash)|-853.88",
            "12/01/2025|PARTIAL DISTRIBUTION VS XXX PARTIAL DISTRIBUTION (Cash)|-97.91",
        ),
    )
    # 97.91 reached the owner and 853.88 went to the IRS: line 7 takes the gross, 951.79.
    assert kinds_of(ex) == [("distribution", 95179, 2025)]
    assert "853.88 withheld" in ex.events["memo"].iloc[0]


def test_withholding_without_a_payout_needs_review(tmp_path: Path) -> None:
    _, ex = extract(
        tmp_path, "History_for_Account_X1.csv", fid("12/01/2025|FED TAX W/H FEDERAL TAX WITHHELD (Cash)|-50")
    )
    assert ex.events.empty and len(ex.review) == 1 and ex.problems[0].line == 2


# -- accounts -------------------------------------------------------------------------------------------------


def test_unknown_account_stops_with_the_account_to_declare(tmp_path: Path) -> None:
    _, ex = extract(tmp_path, "History_for_Account_Z9.csv", fid("03/14/2024|CASH CONTRIBUTION (Cash)|7000"), {})
    assert ex.events.empty
    [problem] = ex.problems
    assert "unknown account 'Z9' (lines 2)" in problem.message and "account set 'Z9'" in problem.message


def test_unknown_account_with_only_non_ira_rows_needs_nothing(tmp_path: Path) -> None:
    _, ex = extract(tmp_path, "History_for_Account_Z9.csv", fid("03/14/2024|DIVIDEND RECEIVED X (X) (Cash)|12"), {})
    assert ex.events.empty and not ex.problems and ex.skipped["dividend, capital-gain payout or reinvestment"] == 1


def test_the_export_may_state_the_type_but_someone_must_own_it(tmp_path: Path) -> None:
    text = (
        "Run Date,Account,Account Number,Action,Symbol,Description,Type,Price ($),Quantity,Commission ($),Fees ($),"
        "Accrued Interest ($),Amount ($),Settlement Date\n"
        '02/04/2025,ROTH IRA,X22222222,CASH CONTRIBUTION CURRENT YEAR (Cash),"",No Description,Cash,'
        '"",0,"","","",100,""\n'
    )
    two_owners = {"A": Account("A", "ed", "traditional"), "B": Account("B", "mia", "traditional")}
    _, ex = extract(tmp_path, "Accounts_History.csv", text, two_owners)
    assert "is a roth account by its name, but whose?" in ex.problems[0].message
    _, ex = extract(tmp_path, "Accounts_History.csv", text, two_owners, taxpayer="mia")
    assert kinds_of(ex) == [("roth_contribution", 10000, 2025)] and ex.events["taxpayer"].iloc[0] == "mia"
    assert any("taken as roth (mia)" in str(c) for c in ex.cautions)


def test_taxable_and_plan_accounts_carry_no_events(tmp_path: Path) -> None:
    accounts = {"X1": Account("X1", "ed", "taxable")}
    _, ex = extract(tmp_path, "History_for_Account_X1.csv", fid("03/14/2024|CASH CONTRIBUTION (Cash)|7000"), accounts)
    assert ex.events.empty and ex.skipped == {"taxable account: not an IRA": 1} and not ex.problems


# -- the review list and the user's mapping ---------------------------------------------------------------------


def test_unclassified_ira_row_needs_review_and_a_mapping_resolves_it(tmp_path: Path) -> None:
    text = SCHWAB + "07/15/2024,Journal,,JOURNAL FRM XXXX-9999,,,,$250.00\n"
    accounts = {"XX0003": Account("XX0003", "ed", "traditional")}
    _, ex = extract(tmp_path, "XX0003_Transactions_1.csv", text, accounts)
    assert ex.review == [{"line": 2, "date": "2024-07-15", "text": "Journal", "amount": "$250.00", "account": "XX0003"}]
    assert ex.problems[0].line == 2 and 'map it with --map "Journal=EVENT_KIND"' in ex.problems[0].message
    _, ex = extract(tmp_path, "XX0003_Transactions_1.csv", text, accounts, mapping={"JOURNAL": "contribution"})
    assert kinds_of(ex) == [("traditional_contribution", 25000, 2024)] and not ex.problems
    _, ex = extract(tmp_path, "XX0003_Transactions_1.csv", text, accounts, mapping={"Journal": "skip"})
    assert ex.events.empty and ex.skipped == {"mapped by the user": 1}


def test_mapping_parser_checks_kinds(tmp_path: Path) -> None:
    from basis_ledger.ingest.statements.mapping import parse

    file = tmp_path / "map.toml"
    file.write_text('[map]\n"MoneyLink Deposit" = "contribution"\n"Journal" = "nondeductible_contrib"\n')
    with pytest.raises(InputError) as err:
        parse(["Wire Funds=conversion@later", "no equals sign"], file)
    messages = [p.message for p in err.value.problems]
    assert any("'nondeductible_contrib' is not an event kind" in m for m in messages)
    assert any("@prior or @current" in m for m in messages) and any("not TEXT=event_kind" in m for m in messages)
    assert parse(["A=B=skip"], None) == {"A=B": "skip"}  # the last '=' separates


# -- detection --------------------------------------------------------------------------------------------------


def test_profile_override_and_a_file_no_profile_claims(tmp_path: Path) -> None:
    text = SCHWAB + "07/15/2024,Cash Dividend,X,X,,,,$2.00\n"
    _, ex = extract(tmp_path, "s.csv", text, profile="fidelity")
    assert "no fidelity header in this file" in ex.problems[0].message
    (tmp_path / "ibkr.csv").write_text('"Type","SettleDate","ISIN","Amount"\n"Dividends","20230623","US1","1"\n')
    with pytest.raises(InputError) as err:
        choose(SourceFile.read(tmp_path / "ibkr.csv"))
    message = err.value.problems[0].message
    for name in ("fidelity", "schwab", "vanguard", "etrade", "merrill", "tdameritrade", "form1099r-csv", "generic"):
        assert name in message


def test_old_excel_gets_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "history.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    src = SourceFile.read(path)
    imp = choose(src)
    with pytest.raises(InputError) as err:
        imp.extract(src)
    assert "save it as .xlsx" in err.value.problems[0].message


def test_cp1252_and_utf8_bom_read_the_same(tmp_path: Path) -> None:
    text = fid("03/14/2024|CASH CONTRIBUTION CURRENT YEAR \u2013 ONLINE (Cash)|7000")
    _, a = extract(tmp_path, "History_for_Account_X1.csv", text.encode("cp1252"))
    _, b = extract(tmp_path, "History_for_Account_X1.csv", b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert kinds_of(a) == kinds_of(b) == [("traditional_contribution", 700000, 2024)]
    assert a.events["memo"].iloc[0] == b.events["memo"].iloc[0]


def test_unreadable_amount_or_date_on_an_event_row_is_a_problem_with_its_line(tmp_path: Path) -> None:
    _, ex = extract(
        tmp_path,
        "History_for_Account_X1.csv",
        fid("13/45/2024|CASH CONTRIBUTION (Cash)|7000", '03/14/2024|CASH CONTRIBUTION (Cash)|"7,00"'),
    )
    assert [(p.line, p.column) for p in ex.problems] == [(2, "date"), (3, "amount")]


def test_detection_reads_only_the_head_of_a_file(tmp_path: Path) -> None:
    """A big generic CSV is not parsed whole by every statement profile before the generic importer claims it."""
    from basis_ledger.ingest.statements import reader

    rows = "".join(f"ed,2024-0{1 + i % 9}-01,,IRA,traditional,year_end_value,{i},\n" for i in range(5000))
    path = tmp_path / "generic.csv"
    path.write_text("taxpayer,date,tax_year,account,account_type,event,amount,memo\n" + rows)
    reader._GRIDS.clear()
    assert choose(SourceFile.read(path)).name == "generic"
    assert reader._GRIDS == {}


def test_an_export_that_writes_money_out_as_positive(tmp_path: Path) -> None:
    """[amounts] out = "positive" (E*TRADE's trades download does this): a positive row is money out."""
    from dataclasses import replace

    from basis_ledger.ingest.statements import profile as profiles
    from basis_ledger.ingest.statements.build import build
    from basis_ledger.ingest.statements.reader import grid

    path = tmp_path / "XX0004_Transactions_1.csv"
    path.write_text(SCHWAB + "06/03/2024,Distribution,,IRA DISTRIBUTION,,,,$900.00\n")
    src = SourceFile.read(path)
    ctx = Context({"XX0004": Account("XX0004", "ed", "traditional")})
    normal = build(profiles.get("schwab"), src, grid(src), ctx)
    assert normal.events.empty and len(normal.review) == 1  # a distribution is money out: this row is not one
    inverted = build(replace(profiles.get("schwab"), negate=True), src, grid(src), ctx)
    assert kinds_of(inverted) == [("distribution", 90000, 2024)]


def test_positions_on_31_december_are_the_year_end_value_and_beat_the_5498(tmp_path: Path, ledger_db) -> None:
    """Schwab's positions on 31 December 2024: the Roth IRA's Account Total 7,495.29 is its line-6-style value;
    the 5498 box 5 of the same account and year is then kept as a document only."""
    import shutil

    from tests.ingest.helpers import GOLDEN, inspect, ledger_with_accounts

    shutil.copy(GOLDEN / "schwab-positions-2024-12-31.csv", tmp_path / "positions.csv")
    (tmp_path / "f5498.csv").write_text(
        "taxpayer,tax_year,account,box5_fmv,box7_roth\ned,2024,Roth Contributory IRA XXXX-5678,7495.29,X\n"
    )
    accounts = {
        "Roth Contributory IRA XXXX-5678": {"owner": "ed", "type": "roth"},
        "Individual XX1234": {"owner": "ed", "type": "taxable"},
    }
    pos, form = inspect([tmp_path / "positions.csv", tmp_path / "f5498.csv"], ledger_with_accounts(ledger_db, accounts))
    assert [(e["kind"], e["amount"], e["date"]) for e in pos["events"]] == [("year_end_value", "7495.29", "2024-12-31")]
    assert form["events"] == [] and form["skipped"] == {"year_end_value from a tax form: already in the statements": 1}
    assert form["documents"][0]["boxes"]["box5_fmv"] == "7495.29"
