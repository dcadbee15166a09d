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
) -> tuple:
    """The row in the frame's column order: EVENT_COLUMNS, then origin, net_cents, maybe_conversion (a tuple:
    a 1099-R CSV makes 200,000 of them)."""
    return (
        owner,
        date,
        tax_year,
        doc["account"],
        acct_type,
        kind,
        amount,
        memo,
        doc["source_line"],
        doc["form"],
        net,
        maybe_conversion,
    )
