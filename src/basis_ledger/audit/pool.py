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


class _Pairs:
    """Every point joined with its own taxpayer's rows, as positions: pair k is row `row[k]` (a position in the
    rows given) at point `point[k]`, points in order and each point's rows in frame order; `before[k]`: the row
    has happened by then. Dates are compared as codes of their sorted distinct texts (ISO dates sort as text), so
    no frame is merged and no text is copied per pair."""

    def __init__(self, rows: pd.DataFrame, points: list[Point]) -> None:
        import numpy as np
        import pandas as pd

        from basis_ledger.audit.evidence import ranges

        n = len(rows)
        last = np.iinfo(np.int64).max  # order None: the end of the day, every event of that day has happened
        who = np.concatenate([rows["taxpayer"].to_numpy(dtype=object), [p.taxpayer for p in points]])
        code = pd.factorize(who)[0]
        r_code, p_code = code[:n], code[n:]
        by_taxpayer = np.argsort(r_code, kind="stable")  # each taxpayer's rows together, in frame order
        grouped = r_code[by_taxpayer]
        start = np.searchsorted(grouped, p_code, "left")
        count = np.searchsorted(grouped, p_code, "right") - start
        self.row = by_taxpayer[ranges(start, count)]
        self.point = np.repeat(np.arange(len(points)), count)
        days = np.concatenate([rows["date"].to_numpy(dtype=object), [p.date for p in points]])
        day_code, self.days = pd.factorize(days, sort=True)
        self.day = day_code[:n]  # each row's date as its rank among the dates
        p_day = day_code[n:]
        p_order = np.array([last if p.order is None else p.order for p in points], dtype=np.int64)
        d, pd_ = self.day[self.row], p_day[self.point]
        order = rows["_order"].to_numpy(dtype=np.int64)[self.row]
        self.before = (d < pd_) | ((d == pd_) & (order < p_order[self.point]))


def account_values_many(ev: pd.DataFrame, points: list[Point]) -> tuple[list[dict[str, int]], pd.DataFrame]:
    """`account_values` for many points at once: each point's estimated value per pooled account, and the events
    each estimate used (a frame with a `point` column; the rows of `ev` at the point, in order of point, date and
    ledger order). `ev` must come from `ordered()`.

    Worked on integer codes: each (point, account)'s last 31 December value before the point, and the money moved
    in or out of that account after that value's date and before the point."""
    import numpy as np
    import pandas as pd

    pooled = np.flatnonzero(ev["account_type"].isin(POOLED_TYPES).to_numpy(dtype=bool))
    rows = ev.iloc[pooled]
    pairs = _Pairs(rows, points)
    direction = flows()
    kind_code, kind_names = pd.factorize(rows["kind"].to_numpy(dtype=object))
    kind_dir = np.array([direction.get(k, 0) for k in kind_names.tolist()] + [0], dtype=np.int64)
    kind_ye = np.array([k == "year_end_value" for k in kind_names.tolist()] + [False], dtype=bool)
    acct_code, acct_names = pd.factorize(rows["account"].to_numpy(dtype=object), sort=True)
    order = rows["_order"].to_numpy(dtype=np.int64)
    amount = rows["amount_cents"].to_numpy(dtype=np.int64)
    r, pt, before = pairs.row, pairs.point, pairs.before
    key = pt * (len(acct_names) + 1) + acct_code[r]  # (point, account), in sorted order as integers
    # The last 31 December value of each (point, account) before the point: by date, then ledger order.
    ye = np.flatnonzero(before & kind_ye[kind_code[r]])
    ye = ye[np.lexsort((order[r[ye]], pairs.day[r[ye]], key[ye]))]
    ye = ye[np.r_[key[ye][1:] != key[ye][:-1], True]] if len(ye) else ye
    ye_key = key[ye]
    # Money moved since that value's date (all of it where the account has no value before the point).
    mv = np.flatnonzero(before & (kind_dir[kind_code[r]] != 0))
    found = np.searchsorted(ye_key, key[mv])
    found_c = np.minimum(found, max(len(ye_key) - 1, 0))
    has = (found < len(ye_key)) & (ye_key[found_c] == key[mv]) if len(ye_key) else np.zeros(len(mv), dtype=bool)
    since_day = np.where(has, pairs.day[r[ye]][found_c] if len(ye) else -1, -1)
    mv = mv[pairs.day[r[mv]] > since_day]
    keys, inverse = np.unique(np.concatenate([ye_key, key[mv]]), return_inverse=True)
    total = np.zeros(len(keys), dtype=np.int64)
    np.add.at(total, inverse[: len(ye)], amount[r[ye]])
    np.add.at(total, inverse[len(ye) :], amount[r[mv]] * kind_dir[kind_code[r[mv]]])
    values: list[dict[str, int]] = [{} for _ in points]
    names = acct_names.tolist()
    per = len(acct_names) + 1
    for k, value in zip(keys.tolist(), np.maximum(total, 0).tolist(), strict=True):
        values[k // per][names[k % per]] = value
    picked = np.concatenate([ye, mv])
    picked = picked[np.lexsort((order[r[picked]], pairs.day[r[picked]], pt[picked]))]
    used = ev.iloc[pooled[r[picked]]].reset_index(drop=True).assign(point=pt[picked])
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
    pairs = _Pairs(ev, points)
    kind = ev["kind"].to_numpy(dtype=object)[pairs.row]
    day_year = np.array([int(str(d)[:4]) for d in pairs.days.tolist()], dtype=np.int64)
    ye_this_year = (kind == "year_end_value") & (day_year[pairs.day[pairs.row]] >= years[pairs.point])
    keep = (np.isin(kind, opening) | pairs.before) & ~ye_this_year
    cut = ev.iloc[pairs.row[keep]].reset_index(drop=True).assign(point=pairs.point[keep])
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
