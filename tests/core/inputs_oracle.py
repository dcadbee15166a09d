"""The engine inputs as they were built before issue 13 (per-kind pandas maps on strings, per-group pandas): kept
only as the oracle that tests/core/test_inputs_codes.py compares the factorized build with, field by field.

Frozen copy of engine/routing.py and engine/inputs.py at b5a4039, less the two steps both builds share; do not
use outside the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

# The declaration split and the recharacterization adjustment work on the summed arrays, the same in both builds:
# the oracle calls the engine's own, so the comparison is of what differs (routing and summing).
from basis_ledger.engine.inputs import FIELDS, INTERNAL_FIELDS, Inputs, _apply_declarations, _recharacterized_value
from basis_ledger.model import POOLED_TYPES, Taxpayer, kinds
from basis_ledger.taxcalendar import (
    extended_due_date_iso,
    last_conversion_recharacterization_year,
    qualified_age_date,
    roth_five_years,
)

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


def build(events: pd.DataFrame, taxpayers: dict[str, Taxpayer]) -> Inputs:
    import numpy as np
    import pandas as pd

    ev = events
    kind_input = ev["kind"].map({k: v.input for k, v in kinds().items()})
    date_year_s = ev["date"].str.slice(0, 4).astype("int64")
    qualified = _qualified_roth(ev, kind_input, date_year_s, taxpayers, place(ev).late)
    # Where each event lands (chain, form year, which input, which sign): schemas/event_kinds.toml, applied by the
    # one routing function the audit, the planner and the workbook also use.
    routed = route(ev, {"qualified": qualified, "nonqualified": ~qualified})
    eff_year, date_year = routed.form_year, routed.date_year
    opening = kind_input.str.startswith("opening_").to_numpy(dtype=bool)
    keys = pd.DataFrame(
        {
            "taxpayer": ev["taxpayer"].to_numpy(dtype=object),
            "chain": routed.chain,
            "year": eff_year,
            "first": np.where(opening, eff_year, np.minimum(eff_year, date_year)),
            "last": np.where(opening, eff_year, np.maximum(eff_year, date_year)),
        }
    )
    chains = (
        keys.groupby(["taxpayer", "chain"], sort=True)
        .agg(first_year=("first", "min"), last_year=("last", "max"))
        .reset_index()
    )
    # A person's own chain spans all of that person's event years (their Roth history lives there too).
    own_span = keys.groupby("taxpayer").agg(lo=("first", "min"), hi=("last", "max"))
    is_own = chains["chain"] == "own"
    chains.loc[is_own, "first_year"] = chains.loc[is_own, "taxpayer"].map(own_span["lo"]).to_numpy()
    chains.loc[is_own, "last_year"] = chains.loc[is_own, "taxpayer"].map(own_span["hi"]).to_numpy()
    chain_index = pd.MultiIndex.from_frame(chains[["taxpayer", "chain"]])
    ci = chain_index.get_indexer(pd.MultiIndex.from_arrays([keys["taxpayer"], keys["chain"]]))
    y0 = int(chains["first_year"].min())
    years = np.arange(y0, int(chains["last_year"].max()) + 1)
    yi = (keys["year"].to_numpy() - y0).astype(np.int64)
    shape = (len(chains), len(years))
    arrays = {f: np.zeros(shape, dtype=np.int64) for f in (*FIELDS, *INTERNAL_FIELDS)}
    for name, (rows, values) in routed.hits.items():
        np.add.at(arrays[name], (ci[rows], yi[rows]), values)
    explicit_next = arrays["nondeductible_next_year"].copy()
    returned_after = _apply_declarations(arrays, chains, y0, taxpayers)
    # A return or recharacterization made after 31 December comes off the deposits made after 31 December first
    # (line 4), then off the year's own deposits; one made in the year can only come off the year's deposits.
    arrays["nondeductible_next_year"] -= np.minimum(returned_after, explicit_next)
    _recharacterized_value(arrays)
    pooled = ev["account_type"].isin(POOLED_TYPES | {"inherited_traditional"}).to_numpy()
    arrays["year_end_value_missing"], missing = _missing_year_end_values(ev, ci, date_year, pooled, y0, shape)
    birth_known = chains["taxpayer"].map(lambda t: bool(taxpayers.get(t) and taxpayers[t].birth_date)).to_numpy()
    return Inputs(chains, years, arrays, birth_known.astype(bool), routed, missing)


def _missing_year_end_values(
    ev: pd.DataFrame, ci: np.ndarray, date_year: np.ndarray, pooled: np.ndarray, y0: int, shape: tuple[int, int]
) -> tuple[np.ndarray, dict[tuple[int, int], list[str]]]:
    """Accounts of a chain that were open in a year (worth more than 0 on the previous 31 December, or with any
    event dated in the year) but have no 31 December value for it. A recorded 0 is a value; no record is unknown.
    Returns the count per (chain, year) and, for the flagged cells, the account names."""
    import numpy as np
    import pandas as pd

    m = np.asarray(pooled, bool) & (ev["account"] != "").to_numpy()
    is_value = (ev["kind"] == "year_end_value").to_numpy()[m]
    f = pd.DataFrame({"c": ci[m], "a": ev["account"].to_numpy()[m], "y": np.asarray(date_year)[m] - y0})
    valued = f[is_value].drop_duplicates(["c", "a", "y"])
    carried = f[is_value & (ev["amount_cents"].to_numpy()[m] > 0)].assign(y=lambda d: d["y"] + 1)
    opened = pd.concat([f[~is_value], carried]).drop_duplicates(["c", "a", "y"])
    opened = opened[opened["y"] < shape[1]]
    missing = opened.merge(valued, on=["c", "a", "y"], how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"].sort_values(["c", "y", "a"])
    count = np.zeros(shape, np.int64)
    np.add.at(count, (missing["c"].to_numpy(), missing["y"].to_numpy()), 1)
    names = missing.groupby(["c", "y"])["a"].agg(list)
    where = zip(names.index.get_level_values(0).tolist(), names.index.get_level_values(1).tolist(), strict=True)
    return count, {(int(c), int(y)): list(a) for (c, y), a in zip(where, names.tolist(), strict=True)}


def _qualified_roth(
    ev: pd.DataFrame, kind_input: pd.Series, date_year: pd.Series, taxpayers: dict[str, Taxpayer], late: np.ndarray
) -> np.ndarray:
    """Pub 590-B and the 8606 instructions ("Qualified distribution"): qualified = at least 59½ on the day, and
    after the 5-year period beginning with "the first year for which a contribution was made to a Roth IRA
    (including a conversion or a rollover from a qualified retirement plan)". A contribution returned by the due
    date or recharacterized counts as never made to the Roth IRA, and a conversion undone by a recharacterization
    as never converted: a year whose contributions (or conversions) all came back starts no clock. A Roth
    contribution returned late is a Roth distribution (schemas/event_kinds.toml). An unknown birth date means
    nonqualified (the engine warns)."""
    import numpy as np
    import pandas as pd

    from basis_ledger.taxcalendar import last_conversion_recharacterization_year

    roth = (ev["account_type"] == "roth").to_numpy()
    returned = (kind_input == "returned").to_numpy() & roth
    is_dist = (kind_input == "roth_distribution").to_numpy() | (returned & late)
    if not is_dist.any():
        return np.zeros(len(ev), dtype=bool)
    birth = pd.Series({t: p.birth_date for t, p in taxpayers.items() if p.birth_date}, dtype="object")
    if birth.empty:
        return np.zeros(len(ev), dtype=bool)
    undoable = (ev["tax_year"] <= last_conversion_recharacterization_year()).to_numpy()
    rechar = (kind_input == "recharacterized").to_numpy() & roth
    rechar_conv = rechar & undoable
    back = (returned & ~late) | (rechar & ~undoable) | (kind_input == "recharacterized_roth_contribution").to_numpy()
    cents = ev["amount_cents"].to_numpy(np.int64)
    contrib = kind_input.isin(["roth_contribution", "roth_contribution_rollover"]).to_numpy()
    conv = (kind_input == "conversion").to_numpy()
    signed = np.where(contrib | conv, cents, 0) - np.where(back | rechar_conv, cents, 0)
    # Contributions count for their tax year, conversions for the year they were made (and undone for it).
    year = np.where(conv, date_year, ev["tax_year"])
    group = np.where(conv | rechar_conv, "conversion", "contribution")
    net = pd.DataFrame({"t": ev["taxpayer"].to_numpy(dtype=object), "g": group, "y": year, "v": signed})
    net = net[contrib | conv | back | rechar_conv].groupby(["t", "g", "y"], as_index=False)["v"].sum()
    starts = net.loc[net["v"] > 0, ["t", "y"]]
    # An opening Roth basis means the history began at or before its tax year; a plan rollover counts for its date.
    plan = ((kind_input == "rollover_from_plan") & (ev["account_type"] == "roth")).to_numpy()
    opens = kind_input.isin(["opening_roth_contribution", "opening_roth_conversion"]).to_numpy()
    other = pd.DataFrame(
        {
            "t": ev["taxpayer"].to_numpy(dtype=object)[plan | opens],
            "y": np.where(plan, date_year, ev["tax_year"])[plan | opens],
        }
    )
    starts = pd.concat([starts, other], ignore_index=True)
    declared = [(t, p.roth_first_year) for t, p in taxpayers.items() if p.roth_first_year]
    if declared:  # `taxpayer set --roth-first-year`: the history began before the ledger
        starts = pd.concat([starts, pd.DataFrame(declared, columns=["t", "y"])], ignore_index=True)
    first_year = starts.groupby("t")["y"].min()
    half = birth.map(qualified_age_date)  # 59½
    age_ok = (ev["date"] >= ev["taxpayer"].map(half).fillna("9999")).to_numpy()
    five_ok = ((date_year - ev["taxpayer"].map(first_year)) >= roth_five_years()).fillna(False).to_numpy()
    qualified: np.ndarray = is_dist & age_ok & five_ok
    return qualified
