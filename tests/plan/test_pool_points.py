"""audit/pool.py estimates every point in one join; each must equal the plain one-point-at-a-time reading of the
rule (the reference below: filter the taxpayer's pooled events that happened by then, take each account's last
31 December value and add the money in and out since)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from basis_ledger.audit.pool import Point, account_values, account_values_many, basis_at, flows, ordered
from basis_ledger.model import POOLED_TYPES
from tests.plan.helpers import events

KINDS = ["year_end_value", "nondeductible_contribution", "distribution", "conversion", "rollover_to_plan"]


def reference_values(ev: pd.DataFrame, p: Point) -> tuple[dict[str, int], list[int]]:
    mine = ev[(ev["taxpayer"] == p.taxpayer) & ev["account_type"].isin(POOLED_TYPES)]
    same_day = mine["date"] == p.date
    if p.order is not None:
        same_day &= mine["_order"] < p.order
    happened = (mine["date"] < p.date) | same_day
    mine = mine[happened]
    values, used = {}, []
    for acct in sorted(set(mine["account"])):
        rows = mine[mine["account"] == acct]
        ye = rows[rows["kind"] == "year_end_value"].sort_values(["date", "_order"])
        since = ye["date"].iloc[-1] if len(ye) else ""
        moves = rows[rows["kind"].isin(list(flows())) & (rows["date"] > since)]
        if not len(ye) and not len(moves):
            continue
        total = (int(ye["amount_cents"].iloc[-1]) if len(ye) else 0) + int(
            (moves["amount_cents"] * moves["kind"].map(flows()).astype("int64")).sum()
        )
        values[acct] = max(total, 0)
        used += ([int(ye["_order"].iloc[-1])] if len(ye) else []) + [int(o) for o in moves["_order"]]
    return values, sorted(used)


def history(rows):
    lines = []
    for who, day, acct, kind, dollars in rows:
        date = "2024-12-31" if kind == "year_end_value" and day % 2 else f"2024-{1 + day % 12:02d}-{1 + day % 28:02d}"
        if kind == "year_end_value":
            date = f"{2023 + day % 2}-12-31"
        lines.append(f"{who},{date},,{acct},traditional,{kind},{dollars},")
    return ordered(events(*lines))


ROWS = st.lists(
    st.tuples(
        st.sampled_from(["ann", "bo"]),
        st.integers(0, 400),
        st.sampled_from(["A", "B"]),
        st.sampled_from(KINDS),
        st.integers(1, 50_000),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=30, deadline=None)
@given(ROWS, st.data())
def test_every_point_at_once_equals_one_point_at_a_time(rows, data):
    ev = history(rows)
    picks = data.draw(st.lists(st.integers(0, len(ev) - 1), min_size=1, max_size=6))
    points = [Point(ev["taxpayer"].iloc[i], ev["date"].iloc[i], int(ev["_order"].iloc[i])) for i in picks]
    points.append(Point("ann", "2024-12-31"))  # the end of a day: everything of that day counts
    values, used = account_values_many(ev, points)
    for i, p in enumerate(points):
        want, want_used = reference_values(ev, p)
        assert values[i] == want
        assert sorted(used.loc[used["point"] == i, "_order"].astype(int)) == want_used
        one, _ = account_values(ev, p)
        assert one == want


def test_basis_at_many_points_equals_each_point_on_its_own():
    ev = history(
        [
            ("ann", 1, "A", "year_end_value", 100_000),
            ("ann", 40, "A", "nondeductible_contribution", 7_000),
            ("ann", 90, "A", "rollover_to_plan", 20_000),
            ("ann", 150, "A", "conversion", 10_000),
            ("bo", 3, "B", "year_end_value", 50_000),
            ("bo", 60, "B", "rollover_to_plan", 5_000),
        ]
    )
    points = [Point(t, d, int(o)) for t, d, o in ev[["taxpayer", "date", "_order"]].itertuples(index=False)]
    together = basis_at(ev, {}, points)
    assert together == [basis_at(ev, {}, [p])[0] for p in points]
    assert max(together) == 7_000 * 100  # ann's contribution is basis; nothing took any away before
    assert np.all(np.array(together) >= 0)
