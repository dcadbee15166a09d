"""Where each event lands: its chain, the 8606 year it acts on, and the engine inputs its amount feeds.

The rules are data (schemas/event_kinds.toml `form_year`, `late_year`, `routes`); this module is the one place
that applies them, for the engine (engine/inputs.py), the audit (audit/context.py), the planner and the workbook,
so they cannot disagree about an event. Everything is vectorized over the events frame: one boolean mask per
route of the table (about thirty), no Python loop over rows.

- `place(events)` -> `Placed`: per event, its chain ("own", or "inherited:<account>" for an inherited
  traditional IRA, which never joins its owner's line 6) and its form year.
- `route(events, conditions)` -> `Routed`: `Placed` plus, per engine input field, the row positions of the
  events that feed it and the signed value each adds (cents, or 1 for a `count` route).

Conditions a route may name (`when`):
  same_year / next_year    deposited in the tax year itself / after it (8606 line 4: 1 January to the deadline)
  timely / late            dated by / after the extended due date of its tax year's return
  conversion_undoable      tax year at or before the last year a conversion could be recharacterized (TCJA)
  conversion_not_undoable  after it
  qualified / nonqualified Roth distributions: only the caller knows (birth dates, the five-year clock), so
                           `route` takes them as masks; a route that needs one the caller did not give raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from basis_ledger.model import kinds
from basis_ledger.taxcalendar import extended_due_date_iso, last_conversion_recharacterization_year

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy as np
    import pandas as pd

CALLER_CONDITIONS = frozenset({"qualified", "nonqualified"})
CONDITIONS = (
    frozenset({"same_year", "next_year", "timely", "late", "conversion_undoable", "conversion_not_undoable"})
    | CALLER_CONDITIONS
)


@dataclass(frozen=True)
class Placed:
    """Per event (aligned with the frame's rows): chain, form year, date year, and dated after the extended due
    date of its tax year's return."""

    chain: np.ndarray  # object: "own" | "inherited:<account>"
    form_year: np.ndarray  # int64
    date_year: np.ndarray  # int64
    late: np.ndarray  # bool


@dataclass(frozen=True)
class Routed(Placed):
    """`hits[field]` = (row positions, signed int64 values): what each event adds to an engine input."""

    hits: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def rows_feeding(self, fields: tuple[str, ...] | list[str]) -> np.ndarray:
        """Sorted unique row positions of the events that feed any of `fields`."""
        import numpy as np

        parts = [self.hits[f][0] for f in fields if f in self.hits]
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)


@cache
def _kind_rules() -> tuple[dict[str, str], dict[str, str]]:
    table = kinds()
    return {k: v.form_year for k, v in table.items()}, {k: v.late_year for k, v in table.items() if v.late_year}


def place(events: pd.DataFrame) -> Placed:
    """Each event's chain and form year (schemas/event_kinds.toml `form_year` / `late_year`)."""
    import numpy as np

    form_rule, late_rule = _kind_rules()
    kind = events["kind"]
    date_year = events["date"].str.slice(0, 4).astype("int64").to_numpy()
    tax_year = events["tax_year"].to_numpy(dtype=np.int64)
    late = _late(events)
    rule = kind.map(form_rule).to_numpy(dtype=object)
    late_to = kind.map(late_rule).to_numpy(dtype=object)
    rule = np.where(late & (late_to != None), late_to, rule)  # noqa: E711 - elementwise test for missing
    year = np.select([rule == "tax_year", rule == "after"], [tax_year, tax_year + 1], default=date_year)
    inherited = (events["account_type"] == "inherited_traditional").to_numpy()
    chain = np.where(inherited, ("inherited:" + events["account"].astype(str)).to_numpy(dtype=object), "own")
    return Placed(chain.astype(object), year.astype(np.int64), date_year, late)


def _late(events: pd.DataFrame) -> np.ndarray:
    """Dated after the extended due date of the return for its tax year (one calendar lookup per tax year)."""
    import numpy as np

    tax_year = events["tax_year"]
    if tax_year.empty:  # no events (a taxpayer set, nothing imported): an empty map has no string dtype to compare
        return np.zeros(0, dtype=bool)
    due = tax_year.map({int(y): extended_due_date_iso(int(y)) for y in tax_year.unique()})
    return (events["date"] > due).to_numpy(dtype=bool)


def route(events: pd.DataFrame, conditions: Mapping[str, np.ndarray] | None = None) -> Routed:
    """Place the events and apply every route of schemas/event_kinds.toml to them.

    `conditions` gives the masks only the caller can compute (CALLER_CONDITIONS), aligned with the rows."""
    import numpy as np

    placed = place(events)
    kind = events["kind"].to_numpy(dtype=object)
    acct = events["account_type"].to_numpy(dtype=object)
    amount = events["amount_cents"].to_numpy(dtype=np.int64)
    tax_year = events["tax_year"].to_numpy(dtype=np.int64)
    undoable = tax_year <= last_conversion_recharacterization_year()
    masks: dict[str, np.ndarray] = {
        "same_year": placed.date_year == tax_year,
        "next_year": placed.date_year > tax_year,
        "timely": ~placed.late,
        "late": placed.late,
        "conversion_undoable": undoable,
        "conversion_not_undoable": ~undoable,
    }
    given = dict(conditions or {})
    parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for name, k in kinds().items():
        if not k.routes:
            continue
        of_kind = kind == name
        if not of_kind.any():
            continue
        for r in k.routes:
            m = of_kind
            if r.accounts is not None:
                m = m & np.isin(acct, list(r.accounts))
            for when in r.when or ():
                if when in CALLER_CONDITIONS:
                    if when not in given:
                        raise KeyError(f"routing {name!r} needs the caller's {when!r} condition")
                    m = m & np.asarray(given[when], dtype=bool)
                else:
                    m = m & masks[when]
            rows = np.flatnonzero(m)
            if not len(rows):
                continue
            values = np.ones(len(rows), np.int64) if r.count else amount[rows]
            parts.setdefault(r.field, []).append((rows, values * r.sign))
    hits = {
        f: (np.concatenate([p[0] for p in ps]), np.concatenate([p[1] for p in ps])) if len(ps) > 1 else ps[0]
        for f, ps in parts.items()
    }
    return Routed(placed.chain, placed.form_year, placed.date_year, placed.late, hits)


def check_table() -> list[str]:
    """What is wrong with the routing table (for a test): unknown conditions and account types a kind forbids."""
    out = []
    for name, k in kinds().items():
        if k.form_year not in ("date", "tax_year", "after") or k.late_year not in (None, "date", "tax_year"):
            out.append(f"{name}: form_year {k.form_year!r} / late_year {k.late_year!r}")
        for r in k.routes:
            for when in r.when or ():
                if when not in CONDITIONS:
                    out.append(f"{name}: unknown condition {when!r}")
            if r.accounts is not None and not set(r.accounts) <= set(k.accounts):
                out.append(f"{name}: route {r.field} names account types the kind does not allow")
            if r.sign not in (1, -1):
                out.append(f"{name}: route {r.field} sign {r.sign}")
    return out
