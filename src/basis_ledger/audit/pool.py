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
    import numpy as np
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


def _at_points(rows: pd.DataFrame, points: list[Point]) -> pd.DataFrame:
    """Every point joined with its own taxpayer's rows, each row with `point` (its index in `points`) and whether
    it has happened by then (`before`). One merge for all points: no scan of the whole frame per point."""
    import numpy as np
    import pandas as pd

    last = np.iinfo(np.int64).max  # order None: the end of the day, every event of that day has happened
    pts = pd.DataFrame(
        {
            "taxpayer": [p.taxpayer for p in points],
            "point": np.arange(len(points)),
            "_p_date": [p.date for p in points],
            "_p_order": np.array([last if p.order is None else p.order for p in points], dtype=np.int64),
        }
    )
    j = rows.assign(_row=np.arange(len(rows))).merge(pts, on="taxpayer", how="inner", sort=False)
    j["before"] = (j["date"] < j["_p_date"]) | ((j["date"] == j["_p_date"]) & (j["_order"] < j["_p_order"]))
    return j


def account_values_many(ev: pd.DataFrame, points: list[Point]) -> tuple[list[dict[str, int]], pd.DataFrame]:
    """`account_values` for many points at once: each point's estimated value per pooled account, and the events
    each estimate used (a frame with a `point` column). `ev` must come from `ordered()`."""
    import pandas as pd

    pooled = ev[ev["account_type"].isin(POOLED_TYPES)]
    j = _at_points(pooled, points)
    j = j[j["before"].to_numpy()]
    ye = j[j["kind"] == "year_end_value"].sort_values(["point", "account", "date", "_order"], kind="stable")
    last_rows = ye.drop_duplicates(["point", "account"], keep="last")
    direction = flows()
    moves = j[j["kind"].isin(list(direction))]
    last_date = last_rows[["point", "account", "date"]].rename(columns={"date": "_ye_date"})
    dated = moves[["point", "account"]].merge(last_date, on=["point", "account"], how="left")  # keeps moves' order
    since = moves["date"].to_numpy(dtype=object) > dated["_ye_date"].fillna("").to_numpy(dtype=object)
    moves = moves[since]
    signed = moves["amount_cents"] * moves["kind"].map(direction).astype("int64")
    totals = signed.groupby([moves["point"], moves["account"]]).sum()
    base = last_rows.set_index(["point", "account"])["amount_cents"]
    values: list[dict[str, int]] = [{} for _ in points]
    # Each (point, account) with a 31 December value or a move: one aligned sum, walked in sorted key order.
    both = pd.concat([base.rename("base"), totals.rename("moves")], axis=1).sort_index()
    summed = (both["base"].fillna(0).astype("int64") + both["moves"].fillna(0).astype("int64")).clip(lower=0)
    for (point, acct), value in zip(both.index.tolist(), summed.tolist(), strict=True):
        values[point][acct] = value
    used = (
        pd.concat([last_rows, moves])
        .sort_values(["point", "date", "_order"], kind="stable")
        .drop(columns=["_p_date", "_p_order", "before", "_row"])
    )
    return values, used


def account_values(ev: pd.DataFrame, p: Point) -> tuple[dict[str, int], pd.DataFrame]:
    """Estimated value of each pooled account at `p` (cents, never below 0) and the events the estimate used.

    `ev` must come from `ordered()`."""
    values, used = account_values_many(ev, [p])
    return values[0], used.drop(columns=["point"])


def basis_at(
    ev: pd.DataFrame, people: dict[str, Taxpayer], points: list[Point], values: list[dict[str, int]] | None = None
) -> list[int]:
    """Basis (cents) in each person's pool at each point, all points in one engine run.

    Each point becomes a pseudo-taxpayer whose history stops at the point (opening balances are kept whatever
    their date) and whose 31 December value for the point's year is the estimated value at the point.
    `values` (from account_values_many) saves estimating them again."""
    import numpy as np
    import pandas as pd

    if not points:
        return []
    if values is None:
        values, _ = account_values_many(ev, points)
    opening = [k for k, v in kinds().items() if v.tax_year == "any"]
    years = np.array([int(p.date[:4]) for p in points], dtype=np.int64)
    j = _at_points(ev, points)
    date_year = j["date"].str.slice(0, 4).astype("int64").to_numpy()
    ye_this_year = (j["kind"] == "year_end_value").to_numpy() & (date_year >= years[j["point"].to_numpy()])
    cut = j[(j["kind"].isin(opening) | j["before"]).to_numpy() & ~ye_this_year]
    cut = cut.sort_values(["point", "_row"], kind="stable").drop(columns=["_p_date", "_p_order", "before", "_row"])
    synth = pd.DataFrame(
        {
            "taxpayer": [p.taxpayer for p in points],
            "date": [f"{y}-12-31" for y in years],
            "tax_year": years,
            "account": ESTIMATE_ACCOUNT,
            "account_type": "traditional",
            "kind": "year_end_value",
            "amount_cents": np.array([sum(v.values()) for v in values], dtype=np.int64),
            "memo": "",
            "source_line": 0,
            "point": np.arange(len(points)),
        }
    )
    allev = pd.concat([cut, synth], ignore_index=True).sort_values("point", kind="stable", ignore_index=True)
    allev["taxpayer"] = "#" + allev["point"].astype("str")
    for c in ("tax_year", "amount_cents", "source_line"):
        allev[c] = allev[c].astype("int64")
    stand_ins = {
        f"#{i}": replace(people.get(p.taxpayer, Taxpayer(p.taxpayer)), name=f"#{i}") for i, p in enumerate(points)
    }
    return _basis_end(allev.drop(columns=["point"]), stand_ins, years)


def _basis_end(events: pd.DataFrame, people: dict[str, Taxpayer], years: np.ndarray) -> list[int]:
    """Line 14's state (basis_end, exact cents) of the own chain of pseudo-taxpayer `#i` in `years[i]`, 0 where
    that chain has no such year: the engine's inputs and year passes only. The computed lines' rows, cautions
    and invariants, which a filed form needs and this estimate does not, are never made."""
    from basis_ledger.engine.form8606 import Options, compute
    from basis_ledger.engine.inputs import build

    inp = build(events, people)
    state = compute(inp, Options(cents=True)).state["basis_end"]
    ch = inp.chain_columns
    row = {
        t: i for i, (t, c) in enumerate(zip(ch["taxpayer"].tolist(), ch["chain"].tolist(), strict=True)) if c == "own"
    }
    first_year = int(inp.years[0]) if len(inp.years) else 0
    out = []
    for i, year in enumerate(years.tolist()):
        r = row.get(f"#{i}")
        j = year - first_year
        ok = r is not None and ch["first_year"][r] <= year <= ch["last_year"][r] and 0 <= j < len(inp.years)
        out.append(int(state[r, j]) if ok else 0)
    return out
