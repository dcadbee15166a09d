"""31 December values for the years a plan touches (8606 line 6 needs them).

When neither the ledger nor the plan gives a year's values, they are projected per account (audit/pool.py: the last
known value plus deposits less withdrawals, no market change), the same way before and after, so the difference is
the plan's alone. When the ledger already has that year's values, the plan's own deposits and withdrawals are added
to them for "after". Values the plan file gives win. Generated rows have source line 0 and say how in their memo.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from basis_ledger.audit.pool import Point, account_values, flows, ordered
from basis_ledger.ledger.store import LEDGER_EVENT_COLUMNS as COLUMNS
from basis_ledger.model import POOLED_TYPES

if TYPE_CHECKING:
    import pandas as pd


def year_ends(
    ledger: pd.DataFrame, plan: pd.DataFrame, taxpayer: str, source: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[int]]:
    """31 December rows for the plan's years: (rows for before, rows for after, ledger row ids after replaces)."""
    import pandas as pd

    def ye_years(ev: pd.DataFrame) -> set[int]:
        rows = ev[
            (ev["taxpayer"] == taxpayer) & (ev["kind"] == "year_end_value") & ev["account_type"].isin(POOLED_TYPES)
        ]
        return set(rows["date"].str.slice(0, 4).astype(int))

    mine = plan[plan["taxpayer"] == taxpayer]
    years = sorted(set(mine["date"].str.slice(0, 4).astype(int)))
    in_ledger, in_plan = ye_years(ledger), ye_years(plan)
    before_rows: list[dict[str, Any]] = []
    after_rows: list[dict[str, Any]] = []
    replaced: list[int] = []
    for y in years:
        if y in in_plan:
            continue
        end = Point(taxpayer, f"{y}-12-31")
        if y in in_ledger:
            led = ledger[
                (ledger["taxpayer"] == taxpayer)
                & (ledger["kind"] == "year_end_value")
                & ledger["account_type"].isin(POOLED_TYPES)
                & ledger["date"].eq(end.date)
            ]
            replaced += led["id"].tolist()
            after_rows += _adjusted(led, mine[mine["date"].str.startswith(str(y))], end.date, source)
            continue
        both = pd.concat([ledger[~ledger["id"].isin(replaced)], plan], ignore_index=True)  # adjusted years too
        for rows, ev in ((before_rows, ledger), (after_rows, both)):
            extended = pd.concat([ev, pd.DataFrame(rows, columns=list(COLUMNS))], ignore_index=True)
            values, _ = account_values(ordered(extended), end)
            types = extended.groupby("account")["account_type"].last()
            memo = "projected: last known value plus deposits less withdrawals"
            rows += [_ye_row(taxpayer, end.date, a, types[a], v, source, memo) for a, v in values.items()]
    return before_rows, after_rows, replaced


def _adjusted(ledger_ye: pd.DataFrame, plan_year: pd.DataFrame, date: str, source: str) -> list[dict[str, Any]]:
    import pandas as pd

    direction = flows()
    moves = plan_year[plan_year["kind"].isin(list(direction)) & plan_year["account_type"].isin(POOLED_TYPES)]
    change = (moves["amount_cents"] * moves["kind"].map(direction)).groupby(moves["account"]).sum()
    values = ledger_ye.groupby("account")["amount_cents"].sum()
    accounts = sorted(set(values.index) | set(change.index))
    t = str(ledger_ye["taxpayer"].iat[0])
    types = pd.concat([ledger_ye, moves]).groupby("account")["account_type"].last()
    memo = "ledger value adjusted by the plan's deposits and withdrawals"
    return [
        _ye_row(t, date, a, types[a], max(int(values.get(a, 0)) + int(change.get(a, 0)), 0), source, memo)
        for a in accounts
    ]


def _ye_row(taxpayer: str, date: str, account: str, atype: str, cents: int, source: str, memo: str) -> dict[str, Any]:
    return {
        "id": 0, "taxpayer": taxpayer, "date": date, "tax_year": int(date[:4]), "account": account,
        "account_type": atype, "kind": "year_end_value", "amount_cents": cents, "memo": memo,
        "source_file": source, "source_sha256": "", "source_line": 0,
    }  # fmt: skip
