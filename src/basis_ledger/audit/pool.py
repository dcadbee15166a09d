"""A person's pool (traditional, SEP and SIMPLE IRAs, 8606 line 6) on a given day: estimated value and basis.

The ledger knows values only on 31 December (year_end_value). Between two of them an account is estimated as its
last 31 December value plus the money put in since, less the money taken out; market gains and losses since then
are unknown and left out. Basis on a day is the engine's own answer for the history cut off at that moment, with
the estimated value standing in for line 6, so a distribution earlier in the year has used its pro-rata share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from basis_ledger.model import POOLED_TYPES, Taxpayer, kinds

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from basis_ledger.audit.evidence import EventTexts
    from basis_ledger.engine.columns import Columns


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


class Codes:
    """An `ordered()` frame's taxpayer, date (sorted), kind, account (sorted) and account type as integer codes
    and their distinct values (pandas.factorize's): made once and given to both account_values_many and basis_at,
    which would otherwise each factorize the same text columns again (basis_to_plan reads them for every
    range)."""

    def __init__(self, ev: pd.DataFrame, texts: EventTexts | None = None, rows: np.ndarray | None = None) -> None:
        """`texts` (audit/evidence.texts_of, of a frame whose rows `rows` are `ev`'s, in order): its codes are
        taken at those rows instead of factorizing `ev`'s columns again; the distinct values may then include
        some `ev` lacks, which nothing here minds (only the order of the sorted ones matters)."""
        import pandas as pd

        self.frame = ev
        if texts is not None and rows is not None:
            self.taxpayer, self.kind, self.account_type = (
                _taken(texts, name, rows) for name in ("taxpayer", "kind", "account_type")
            )
            self.date, self.account = (_taken(texts, name, rows, sort=True) for name in ("date", "account"))
            return
        self.taxpayer = pd.factorize(ev["taxpayer"])
        self.date = pd.factorize(ev["date"], sort=True)
        self.kind = pd.factorize(ev["kind"])
        self.account = pd.factorize(ev["account"], sort=True)
        self.account_type = pd.factorize(ev["account_type"])


def _taken(texts: EventTexts, name: str, rows: np.ndarray, sort: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The shared codes of one column at `rows` (int64) and its distinct values; with `sort`, renumbered so that
    the values are in sorted order (as pandas.factorize(sort=True) numbers them)."""
    import numpy as np

    code, names = texts.codes(name)
    code = code[rows].astype(np.int64)
    if sort and not all(isinstance(v, str) for v in names.tolist()):  # a missing value: pandas' numbering
        import pandas as pd

        return pd.factorize(texts.frame[name].iloc[rows], sort=True)  # type: ignore[no-any-return]
    if sort and len(names):
        order = np.argsort(names, kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        return rank[code], names[order]
    return code, names


def _codes_of(ev: pd.DataFrame, codes: Codes | None) -> Codes:
    """The given codes when they are of this very frame, else made here."""
    return codes if codes is not None and codes.frame is ev else Codes(ev)


class _Pairs:
    """Every point joined with its own taxpayer's rows, as positions: pair k is row `row[k]` (a position in the
    rows given) at point `point[k]`, points in order and each point's rows in frame order; `before[k]`: the row
    has happened by then. Dates are compared as codes of their sorted distinct texts (ISO dates sort as text), so
    no frame is merged and no text is copied per pair."""

    def __init__(
        self, ev: pd.DataFrame, points: list[Point], subset: np.ndarray | None = None, codes: Codes | None = None
    ) -> None:
        """`subset`: the positions of the rows of `ev` to join (all by default); `row` is then a position in
        `subset`. The frame's own columns are factorized (no Python string per row)."""
        import numpy as np
        import pandas as pd

        from basis_ledger.audit.evidence import ranges

        last = np.iinfo(np.int64).max  # order None: the end of the day, every event of that day has happened
        coded = _codes_of(ev, codes)
        t_code, t_names = coded.taxpayer
        p_code = pd.Index(t_names).get_indexer(pd.Index([p.taxpayer for p in points], dtype=object))
        day_code, days = coded.date
        order = ev["_order"].to_numpy(dtype=np.int64)
        if subset is not None:
            t_code, day_code, order = t_code[subset], day_code[subset], order[subset]
        by_taxpayer = np.argsort(t_code, kind="stable")  # each taxpayer's rows together, in frame order
        grouped = t_code[by_taxpayer]
        start = np.searchsorted(grouped, p_code, "left")
        count = np.where(p_code >= 0, np.searchsorted(grouped, p_code, "right") - start, 0)
        self.row = by_taxpayer[ranges(start, count)]
        self.point = np.repeat(np.arange(len(points)), count)
        self.days = np.asarray(days, dtype=object)
        self.day = day_code  # each row's date as its rank among the frame's sorted dates
        # A point's date as a rank on the same scale, doubled: 2r on a row's date, 2r - 1 just before the r-th.
        p_dates = np.array([p.date for p in points], dtype=object)
        at = np.searchsorted(self.days, p_dates) if len(self.days) else np.zeros(len(points), dtype=np.int64)
        on = (at < len(self.days)) & (self.days[np.minimum(at, max(len(self.days) - 1, 0))] == p_dates)
        p_day2 = np.where(on, 2 * at, 2 * at - 1)
        p_order = np.array([last if p.order is None else p.order for p in points], dtype=np.int64)
        d2, pd2 = 2 * self.day[self.row], p_day2[self.point]
        self.before = (d2 < pd2) | ((d2 == pd2) & (order[self.row] < p_order[self.point]))


def account_values_many(
    ev: pd.DataFrame, points: list[Point], codes: Codes | None = None
) -> tuple[list[dict[str, int]], pd.DataFrame]:
    """`account_values` for many points at once: each point's estimated value per pooled account, and the events
    each estimate used (a frame with a `point` column; the rows of `ev` at the point, in order of point, date and
    ledger order). `ev` must come from `ordered()`.

    Worked on integer codes: each (point, account)'s last 31 December value before the point, and the money moved
    in or out of that account after that value's date and before the point."""
    import numpy as np

    coded = _codes_of(ev, codes)
    type_code, type_names = coded.account_type
    # Each distinct type looked up once; code -1 (a missing type) takes the last entry: not pooled.
    pooled = np.flatnonzero(np.array([t in POOLED_TYPES for t in type_names.tolist()] + [False])[type_code])
    pairs = _Pairs(ev, points, pooled, coded)
    direction = flows()
    kind_code, kind_names = coded.kind
    kind_code = kind_code[pooled]
    kind_dir = np.array([direction.get(k, 0) for k in kind_names.tolist()] + [0], dtype=np.int64)
    kind_ye = np.array([k == "year_end_value" for k in kind_names.tolist()] + [False], dtype=bool)
    acct_code, acct_names = coded.account
    acct_code = acct_code[pooled]
    order = ev["_order"].to_numpy(dtype=np.int64)[pooled]
    amount = ev["amount_cents"].to_numpy(dtype=np.int64)[pooled]
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
    ev: pd.DataFrame,
    people: dict[str, Taxpayer],
    points: list[Point],
    values: list[dict[str, int]] | None = None,
    codes: Codes | None = None,
) -> list[int]:
    """Basis (cents) in each person's pool at each point, all points in one engine run.

    Each point becomes a pseudo-taxpayer whose history stops at the point (opening balances are kept whatever
    their date) and whose 31 December value for the point's year is the estimated value at the point.
    `values` (from account_values_many) saves estimating them again."""
    import numpy as np

    if not points:
        return []
    coded = _codes_of(ev, codes)
    if values is None:
        values, _ = account_values_many(ev, points, coded)
    opening = [k for k, v in kinds().items() if v.tax_year == "any"]
    years = np.array([int(p.date[:4]) for p in points], dtype=np.int64)
    pairs = _Pairs(ev, points, codes=coded)
    kind_code, kind_names = coded.kind
    kind = kind_code[pairs.row]
    is_ye = np.array([k == "year_end_value" for k in kind_names.tolist()] + [False], dtype=bool)[kind]
    is_opening = np.array([k in opening for k in kind_names.tolist()] + [False], dtype=bool)[kind]
    day_year = np.array([int(str(d)[:4]) for d in pairs.days.tolist()], dtype=np.int64)
    ye_this_year = is_ye & (day_year[pairs.day[pairs.row]] >= years[pairs.point])
    keep = (is_opening | pairs.before) & ~ye_this_year
    estimate = np.array([sum(v.values()) for v in values], dtype=np.int64)
    events = _stand_in_events(ev, coded, pairs.row[keep], pairs.point[keep], years, estimate)
    return _basis_end(events, _stand_ins(people, points), years)


def _stand_in_events(
    ev: pd.DataFrame, coded: Codes, rows: np.ndarray, point: np.ndarray, years: np.ndarray, estimate: np.ndarray
) -> Columns:
    """The stand-ins' history as the engine's columns: point i's rows of `ev` (at `rows`, points in order), each
    point's followed by its estimated 31 December value (account ESTIMATE_ACCOUNT), taxpayer `#i`. Each text
    column is its distinct values taken by code (no pandas frame and no Python string per row is made); only
    what the engine reads of an event is given."""
    import numpy as np
    import pyarrow as pa

    from basis_ledger.engine.columns import Columns

    n = len(years)
    # Each point's rows in frame order, then its estimate: the estimates are rows len(rows) .. of the columns.
    order = np.argsort(np.concatenate([point, np.arange(n)]), kind="stable")

    def text(code_names: tuple[np.ndarray, object], estimated: list[str], estimate_code: np.ndarray):
        code, names = code_names
        values = np.asarray(names, dtype=object).tolist()
        # the distinct values, the estimates' own, and last a null for a missing value (pandas' code -1)
        distinct = pa.array([*values, *estimated, None], pa.string())
        at = np.concatenate([code[rows], len(values) + estimate_code])[order]
        return distinct.take(pa.array(np.where(at < 0, len(distinct) - 1, at), pa.int64()))

    y_names, y_code = np.unique(years, return_inverse=True)
    one = np.zeros(n, dtype=np.int64)
    who = np.concatenate([point, np.arange(n)])[order]
    data = {
        "taxpayer": pa.array([f"#{i}" for i in range(n)], pa.string()).take(pa.array(who, pa.int64())),
        "date": text(coded.date, [f"{y}-12-31" for y in y_names.tolist()], y_code),
        "tax_year": np.concatenate([ev["tax_year"].to_numpy(dtype=np.int64)[rows], years])[order],
        "account": text(coded.account, [ESTIMATE_ACCOUNT], one),
        "account_type": text(coded.account_type, ["traditional"], one),
        "kind": text(coded.kind, ["year_end_value"], one),
        "amount_cents": np.concatenate([ev["amount_cents"].to_numpy(dtype=np.int64)[rows], estimate])[order],
    }
    return Columns(data, len(order))


def _stand_ins(people: dict[str, Taxpayer], points: list[Point]) -> dict[str, Taxpayer]:
    """Point i's pseudo-taxpayer `#i`: its person's fields (a taxpayer the table lacks has none) under that name.
    Made by the dataclass's own constructor from each person's fields read once: dataclasses.replace per point
    cost 0.04 s at 10,000 rollovers."""
    from dataclasses import fields

    first, *rest = [f.name for f in fields(Taxpayer)]
    if first != "name":  # the stand-in's name is given first, the person's other fields after it
        raise TypeError(f"Taxpayer's first field is {first!r}, not 'name'")
    read: dict[str, tuple[object, ...]] = {}
    out = {}
    for i, p in enumerate(points):
        attrs = read.get(p.taxpayer)
        if attrs is None:
            person = people.get(p.taxpayer, Taxpayer(p.taxpayer))
            attrs = read[p.taxpayer] = tuple(getattr(person, f) for f in rest)
        out[f"#{i}"] = Taxpayer(f"#{i}", *attrs)  # type: ignore[arg-type]
    return out


def _basis_end(events: Columns, people: dict[str, Taxpayer], years: np.ndarray) -> list[int]:
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
