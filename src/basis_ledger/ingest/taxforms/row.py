"""One event from a tax form, as a row of the events frame; `origin` marks it for ledger/crosscheck.py."""

from __future__ import annotations


def row(
    doc: dict,
    owner: str,
    acct_type: str,
    kind: str,
    amount: int,
    date: str,
    tax_year: int,
    memo: str,
    net: int = 0,
    maybe_conversion: bool = False,
) -> dict:
    return {
        "taxpayer": owner,
        "date": date,
        "tax_year": tax_year,
        "account": doc["account"],
        "account_type": acct_type,
        "kind": kind,
        "amount_cents": amount,
        "memo": memo,
        "source_line": doc["source_line"],
        "origin": doc["form"],
        "net_cents": net,
        "maybe_conversion": maybe_conversion,
    }
