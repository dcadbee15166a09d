"""A person's pool (traditional, SEP and SIMPLE IRAs, 8606 line 6) on a given day: estimated value and basis.

The ledger knows values only on 31 December (year_end_value). Between two of them an account is estimated as its
last 31 December value plus the money put in since, less the money taken out; market gains and losses since then
are unknown and left out. Basis on a day is the engine's own answer for the history cut off at that moment, with
the estimated value standing in for line 6, so a distribution earlier in the year has used its pro-rata share.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from basis_ledger.model import POOLED_TYPES, Taxpayer, kinds

if TYPE_CHECKING:
    import pandas as pd


def flows() -> dict[str, int]:
    """Direction of money for an account's balance, by event kind (schemas/event_kinds.toml `flow`): +1 in,
    -1 out; kinds that move no money are left out."""
    return {name: k.flow for name, k in kinds().items() if k.flow}


ESTIMATE_ACCOUNT = "(estimated value)"


@dataclass(frozen=True)
class Point:
    """A moment: events of `date` with an order below `order` have happened; order None = the end of the day."""

    taxpayer: str
    date: str
    order: int | None = None


def ordered(events: pd.DataFrame) -> pd.DataFrame:
    """The events with an `_order` column: ledger order (`id`) when there is one, else row order."""
    import numpy as np

    ev = events.copy()
    ev["_order"] = ev["id"].to_numpy() if "id" in ev.columns else np.arange(len(ev))
    return ev


def _before(ev: pd.DataFrame, p: Point) -> pd.Series:
    same_day = ev["date"] == p.date
    if p.order is not None:
        same_day &= ev["_order"] < p.order
    return (ev["date"] < p.date) | same_day


def pooled_of(ev: pd.DataFrame, taxpayer: str) -> pd.DataFrame:
    return ev[(ev["taxpayer"] == taxpayer) & ev["account_type"].isin(POOLED_TYPES)]


def account_values(ev: pd.DataFrame, p: Point) -> tuple[dict[str, int], pd.DataFrame]:
    """Estimated value of each pooled account at `p` (cents, never below 0) and the events the estimate used.

    `ev` must come from `ordered()`."""
    import pandas as pd

    mine = pooled_of(ev, p.taxpayer)
    mine = mine[_before(mine, p)]
    ye = mine[mine["kind"] == "year_end_value"].sort_values(["date", "_order"])
    last_rows = ye.groupby("account").tail(1)
    last = last_rows.set_index("account")
    direction = flows()
    moves = mine[mine["kind"].isin(list(direction))]
    dates = last["date"].to_dict()
    since = moves["date"] > moves["account"].map(lambda a: dates.get(a, ""))
    moves = moves[since]
    signed = moves["amount_cents"] * moves["kind"].map(direction)
    totals = signed.groupby(moves["account"]).sum()
    values: dict[str, int] = {}
    for acct in sorted(set(last.index) | set(totals.index)):
        base = int(last["amount_cents"].get(acct, 0))
        values[acct] = max(base + int(totals.get(acct, 0)), 0)
    return values, pd.concat([last_rows, moves]).sort_values(["date", "_order"])


def basis_at(ev: pd.DataFrame, people: dict[str, Taxpayer], points: list[Point]) -> list[int]:
    """Basis (cents) in each person's pool at each point, all points in one engine run.

    Each point becomes a pseudo-taxpayer whose history stops at the point (opening balances are kept whatever
    their date) and whose 31 December value for the point's year is the estimated value at the point."""
    import pandas as pd

    from basis_ledger.loader import Loaded

    if not points:
        return []
    opening = {k for k, v in kinds().items() if v.tax_year == "any"}
    frames, stand_ins = [], {}
    for i, p in enumerate(points):
        year = int(p.date[:4])
        mine = ev[ev["taxpayer"] == p.taxpayer]
        ye_this_year = (mine["kind"] == "year_end_value") & (mine["date"].str.slice(0, 4).astype(int) >= year)
        cut = mine[(mine["kind"].isin(list(opening)) | _before(mine, p)) & ~ye_this_year]
        values, _ = account_values(ev, p)
        synth = {
            "taxpayer": p.taxpayer,
            "date": f"{year}-12-31",
            "tax_year": year,
            "account": ESTIMATE_ACCOUNT,
            "account_type": "traditional",
            "kind": "year_end_value",
            "amount_cents": sum(values.values()),
            "memo": "",
            "source_line": 0,
        }
        part = pd.concat([cut, pd.DataFrame([synth])], ignore_index=True)
        name = f"#{i}"
        part["taxpayer"] = name
        frames.append(part)
        stand_ins[name] = replace(people.get(p.taxpayer, Taxpayer(p.taxpayer)), name=name)
    allev = pd.concat(frames, ignore_index=True)
    for c in ("tax_year", "amount_cents", "source_line"):
        allev[c] = allev[c].astype("int64")
    lines = Loaded(allev, stand_ins).cents_lines
    own = lines[lines["chain"] == "own"].set_index(["taxpayer", "tax_year"])["basis_end"]
    return [int(own.get((f"#{i}", int(p.date[:4])), 0)) for i, p in enumerate(points)]
