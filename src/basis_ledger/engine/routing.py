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

from functools import cache
from typing import TYPE_CHECKING, Any, cast

from basis_ledger.model import Kind, kinds
from basis_ledger.taxcalendar import extended_due_date_iso, last_conversion_recharacterization_year

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    import numpy as np
    import pandas as pd

    from basis_ledger.engine.columns import Columns

CALLER_CONDITIONS = frozenset({"qualified", "nonqualified"})
CONDITIONS = (
    frozenset({"same_year", "next_year", "timely", "late", "conversion_undoable", "conversion_not_undoable"})
    | CALLER_CONDITIONS
)


class Placed:
    """Per event (aligned with the frame's rows): chain, form year, date year, and dated after the extended due
    date of its tax year's return.

    `chain` may be given as (codes, sorted names) (what `place` computes): the 930,000-long object array of names
    is then made only when read (the audit and the workbook read it; the engine reads `chain_code`)."""

    def __init__(
        self,
        chain: np.ndarray | tuple[np.ndarray, list[str]],
        form_year: np.ndarray,
        date_year: np.ndarray,
        late: np.ndarray,
    ) -> None:
        self._chain = chain
        self.form_year = form_year  # int64
        self.date_year = date_year  # int64
        self.late = late  # bool

    @property
    def chain(self) -> np.ndarray:
        """object: "own" | "inherited:<account>" per event."""
        import numpy as np

        if isinstance(self._chain, tuple):
            code, names = self._chain
            self._chain = np.array(names, dtype=object)[code] if len(code) else np.zeros(0, dtype=object)
        return self._chain

    @property
    def coded_chain(self) -> tuple[np.ndarray, list[str]] | None:
        """`chain_code` where the placement holds the chains as codes (nothing is made to answer), else None."""
        return self._chain if isinstance(self._chain, tuple) else None

    @property
    def chain_code(self) -> tuple[np.ndarray, list[str]]:
        """Each event's chain as a code into the sorted chain names, and those names."""
        import numpy as np

        if isinstance(self._chain, tuple):
            return self._chain
        names = sorted(set(self._chain.tolist()) | {"own"})
        at = {n: i for i, n in enumerate(names)}
        return np.array([at[c] for c in self._chain.tolist()], dtype=np.int64), names


class Routed(Placed):
    """`hits[field]` = (row positions, signed int64 values): what each event adds to an engine input."""

    def __init__(
        self,
        chain: np.ndarray | tuple[np.ndarray, list[str]],
        form_year: np.ndarray,
        date_year: np.ndarray,
        late: np.ndarray,
        hits: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
    ) -> None:
        super().__init__(chain, form_year, date_year, late)
        self.hits = hits if hits is not None else {}

    def rows_feeding(self, fields: tuple[str, ...] | list[str]) -> np.ndarray:
        """Sorted unique row positions of the events that feed any of `fields`."""
        import numpy as np

        parts = [self.hits[f][0] for f in fields if f in self.hits]
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)


class Coded:
    """The events' string columns as integer codes, computed once and shared by `place`, `route` and the engine's
    inputs (engine/inputs.py): comparing and looking up small integers instead of 930,000 strings per kind.

    `pd.factorize(..., sort=True)` numbers each column's distinct values in string order, so a code order is the
    order pandas sorts those strings in (the chains of engine/inputs.py rely on it)."""

    def __init__(self, events: pd.DataFrame | Columns) -> None:
        import numpy as np

        from basis_ledger.engine.columns import Columns

        self.events = events
        self.n = len(events)
        self._cache: dict[str, tuple[np.ndarray, list[str]]] = {}
        self._columns = events if isinstance(events, Columns) else None  # the read path's columns: no pandas
        names = list(kinds())
        self.kind_names = names
        code, uniq = self.factorize("kind")
        # Index into the kinds table; an unknown kind (never in a validated ledger) gets len(names): no routes.
        known = {name: i for i, name in enumerate(names)}
        self.kind = np.array([known.get(k, len(names)) for k in uniq], np.int64)[code] if self.n else code
        if isinstance(events, Columns):
            self.tax_year, self.amount = events.ints("tax_year"), events.ints("amount_cents")
        else:
            self.tax_year = events["tax_year"].to_numpy(dtype=np.int64)
            self.amount = events["amount_cents"].to_numpy(dtype=np.int64)

    def factorize(self, column: str) -> tuple[np.ndarray, list[str]]:
        """Codes (int64, in the sorted order of the distinct values) and the distinct values of a column."""
        import numpy as np

        if self._columns is not None:
            return self._columns.factorize(column)
        import pandas as pd

        events = cast("pd.DataFrame", self.events)  # not Columns: those answered above
        if column not in self._cache:
            if self.n:
                code, uniq = pd.factorize(events[column], sort=True, use_na_sentinel=False)
                names = np.asarray(uniq, dtype=object).tolist()
                self._cache[column] = (code.astype(np.int64), [u if isinstance(u, str) else str(u) for u in names])
            else:
                self._cache[column] = (np.zeros(0, np.int64), [])
        return self._cache[column]

    def of_kinds(self, per_kind: list[Any]) -> np.ndarray:
        """A value per event from a value per kind of the table (`per_kind[i]` for kind i; the last for unknown)."""
        import numpy as np

        values: np.ndarray = np.asarray(per_kind)[self.kind]
        return values

    def kind_is(self, test: Callable[[Kind], bool]) -> np.ndarray:
        """Per event: `test(Kind)` of its kind (False for an unknown kind)."""
        table = kinds()
        return self.of_kinds([bool(test(table[k])) for k in self.kind_names] + [False])

    def isin(self, column: str, values: Iterable[str]) -> np.ndarray:
        """Per event: its `column` is one of `values` (by code: one test per distinct value, not per row)."""
        import numpy as np

        code, uniq = self.factorize(column)
        wanted = set(values)
        return np.array([u in wanted for u in uniq], bool)[code] if self.n else np.zeros(0, bool)

    def date_year(self) -> np.ndarray:
        """The year of each event's date (its first four characters), one parse per distinct date."""
        import numpy as np

        code, uniq = self.factorize("date")
        return np.array([int(d[:4]) for d in uniq], np.int64)[code] if self.n else np.zeros(0, np.int64)

    def date_after(self, iso: np.ndarray, at: np.ndarray) -> np.ndarray:
        """Per event i: its date sorts after `iso[at[i]]` (strings, as `date > iso` compares them). `iso` holds
        few distinct bounds (one per tax year, or per taxpayer) and `at` picks each event's."""
        import numpy as np

        code, uniq = self.factorize("date")
        # The codes follow string order: date > x exactly when its code is past the last distinct date <= x.
        bound = np.searchsorted(np.array(uniq, dtype=object), iso, side="right")
        after: np.ndarray = code >= bound[at]
        return after

    def date_at_least(self, iso: np.ndarray, at: np.ndarray) -> np.ndarray:
        """Per event i: its date sorts at or after `iso[at[i]]` (`date >= iso` on the strings)."""
        import numpy as np

        code, uniq = self.factorize("date")
        bound = np.searchsorted(np.array(uniq, dtype=object), iso, side="left")
        at_least: np.ndarray = code >= bound[at]
        return at_least

    def chain_codes(self, inherited: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Each event's chain as a code into the sorted chain names ("inherited:<account>" ones and "own")."""
        import numpy as np

        code, uniq = self.factorize("account")
        accounts = np.flatnonzero(np.bincount(code[inherited], minlength=len(uniq))) if self.n else code
        names = sorted(["own", *("inherited:" + uniq[a] for a in accounts.tolist())])
        of_account = np.zeros(max(len(uniq), 1), np.int64)
        of_account[accounts] = [names.index("inherited:" + uniq[a]) for a in accounts.tolist()]
        chain: np.ndarray = np.where(inherited, of_account[code] if self.n else code, names.index("own"))
        return chain.astype(np.int64), names


@cache
def _kind_rules() -> tuple[list[int], list[int]]:
    """Per kind of the table (and a last entry for an unknown kind): the form-year rule and the late-year rule as
    codes (0 date, 1 tax_year, 2 after; -1 for no late rule)."""
    code = {"date": 0, "tax_year": 1, "after": 2}
    table = kinds().values()
    return [code[k.form_year] for k in table] + [0], [code[k.late_year] if k.late_year else -1 for k in table] + [-1]


def place(events: pd.DataFrame | Columns, coded: Coded | None = None) -> Placed:
    """Each event's chain and form year (schemas/event_kinds.toml `form_year` / `late_year`)."""
    import numpy as np

    c = coded if coded is not None else Coded(events)
    form_rule, late_rule = _kind_rules()
    date_year = c.date_year()
    late = _late(c)
    rule = c.of_kinds(form_rule)
    late_to = c.of_kinds(late_rule)
    rule = np.where(late & (late_to >= 0), late_to, rule)
    year = np.select([rule == 1, rule == 2], [c.tax_year, c.tax_year + 1], default=date_year)
    chain = c.chain_codes(c.isin("account_type", ("inherited_traditional",)))
    return Placed(chain, year.astype(np.int64), date_year, late)


def _late(c: Coded) -> np.ndarray:
    """Dated after the extended due date of the return for its tax year (one calendar lookup per tax year)."""
    import numpy as np

    if not c.n:  # no events (a taxpayer set, nothing imported)
        return np.zeros(0, dtype=bool)
    lo = int(c.tax_year.min())
    present = np.bincount(c.tax_year - lo) > 0  # the tax years the events name: one calendar lookup each
    due = np.array([extended_due_date_iso(lo + y) if p else "" for y, p in enumerate(present.tolist())], object)
    return c.date_after(due, c.tax_year - lo)


def route(
    events: pd.DataFrame | Columns,
    conditions: Mapping[str, np.ndarray] | None = None,
    *,
    coded: Coded | None = None,
    placed: Placed | None = None,
) -> Routed:
    """Place the events and apply every route of schemas/event_kinds.toml to them.

    `conditions` gives the masks only the caller can compute (CALLER_CONDITIONS), aligned with the rows. A caller
    that already has the events' codes or places passes them (`coded`, `placed`) so they are not made twice."""
    import numpy as np

    c = coded if coded is not None else Coded(events)
    placed = placed if placed is not None else place(events, c)
    amount, tax_year = c.amount, c.tax_year
    undoable = tax_year <= last_conversion_recharacterization_year()
    masks: dict[str, np.ndarray] = {
        "same_year": placed.date_year == tax_year,
        "next_year": placed.date_year > tax_year,
        "timely": ~placed.late,
        "late": placed.late,
        "conversion_undoable": undoable,
        "conversion_not_undoable": ~undoable,
    }
    given = {k: np.asarray(v, dtype=bool) for k, v in (conditions or {}).items()}
    acct_code, acct_names = c.factorize("account_type")
    # The rows of each kind, in row order: one stable sort instead of a comparison of every row per kind.
    order = np.argsort(c.kind, kind="stable")
    bounds = np.searchsorted(c.kind[order], np.arange(len(c.kind_names) + 1))
    parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for i, (name, k) in enumerate(kinds().items()):
        of_kind = order[bounds[i] : bounds[i + 1]]
        if not k.routes or not len(of_kind):
            continue
        for r in k.routes:
            rows = of_kind
            if r.accounts is not None:
                allowed = np.array([a in r.accounts for a in acct_names], bool)
                rows = rows[allowed[acct_code[rows]]]
            for when in r.when or ():
                if when in CALLER_CONDITIONS:
                    if when not in given:
                        raise KeyError(f"routing {name!r} needs the caller's {when!r} condition")
                    rows = rows[given[when][rows]]
                else:
                    rows = rows[masks[when][rows]]
            if not len(rows):
                continue
            values = np.ones(len(rows), np.int64) if r.count else amount[rows]
            parts.setdefault(r.field, []).append((rows, values * r.sign))
    hits = {
        f: (np.concatenate([p[0] for p in ps]), np.concatenate([p[1] for p in ps])) if len(ps) > 1 else ps[0]
        for f, ps in parts.items()
    }
    return Routed(placed._chain, placed.form_year, placed.date_year, placed.late, hits)


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
