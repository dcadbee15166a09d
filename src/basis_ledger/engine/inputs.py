"""From ledger events to the engine's inputs: dense (chain x year) arrays of cents, built in one pass.

A chain is one basis history: a person's own traditional/SEP/SIMPLE pool ("own"), or one inherited
traditional IRA ("inherited:<account>"), which is never pooled into the person's line 6.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from basis_ledger.model import POOLED_TYPES, Taxpayer, kinds

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

LAST_CONVERSION_RECHARACTERIZATION_YEAR = 2017  # TCJA: conversions made after 2017 can't be undone

# Engine inputs, each a (chain x year) int64 array of cents.
FIELDS = (
    "nondeductible",  # line 1, for the tax year
    "nondeductible_next_year",  # line 4: part of line 1 deposited 1 Jan..deadline of the next year
    "deductible",  # only for the Worksheet 1-1 caution
    "returned_traditional",  # contributions returned by the extended due date: never made, off line 1
    "returned_late",  # returned after it (a withdrawn excess): off the basis on line 2 of that year
    "distribution",  # line 7
    "conversion",  # line 8 before recharacterization
    "recharacterized_conversion",  # pre-2018 conversions undone: off line 8
    "rollover_net",  # rollover_out - rollover_in: cumulated into line 6's outstanding rollovers
    "basis_added",  # after-tax plan money rolled in: line 2
    "year_end_value",  # line 6
    "year_end_value_rows",  # how many 31 December values the ledger has (0 = line 6 unknown)
    "opening_basis",  # line 14 of an earlier form, as line 2 of the next year
    "has_opening_basis",
    "roth_contribution",  # line 22 additions (regular contributions for the year, net of returns)
    "roth_rollover_in",  # plan rollovers into a Roth IRA: line 24 additions
    "roth_distribution_nonqualified",  # line 19
    "roth_distribution_qualified",  # off the form
    "opening_roth_contribution",
    "has_opening_roth_contribution",
    "opening_roth_conversion",
    "has_opening_roth_conversion",
    "rollover_to_plan",
    "undeclared",  # traditional contributions whose deductibility nobody declared (treated as nondeductible)
)
NO_DECLARATION, DECLARED_ALL = -1, -2


@dataclass
class Inputs:
    chains: pd.DataFrame  # taxpayer, chain, first_year, last_year (one row per chain)
    years: np.ndarray  # the calendar years of the columns
    arrays: dict[str, np.ndarray]  # FIELDS -> (chain x year) int64
    birth_known: np.ndarray  # per chain: the taxpayer's birth date is known

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]


def build(events: pd.DataFrame, taxpayers: dict[str, Taxpayer]) -> Inputs:
    import numpy as np
    import pandas as pd

    ev = events
    kind_input = ev["kind"].map({k: v.input for k, v in kinds().items()})
    date_year = ev["date"].str.slice(0, 4).astype("int64")
    opening = kind_input.str.startswith("opening_")
    # The year an event belongs to in the engine: an opening balance acts on the year after its tax year.
    eff_year = np.where(
        opening,
        ev["tax_year"] + 1,
        np.where(
            ev["kind"].map({k: v.tax_year in ("contribution", "earlier") for k, v in kinds().items()}).astype(bool),
            ev["tax_year"],
            date_year,
        ),
    )
    # A contribution returned after the extended due date of its year's return is a withdrawn excess: it leaves
    # the basis in the year it comes out (8606 instructions, "Return of Excess Traditional IRA Contributions").
    late_return = (kind_input == "returned") & (ev["date"] > (ev["tax_year"] + 1).astype(str) + "-10-15")
    eff_year = np.where(late_return, date_year, eff_year)
    inherited = ev["account_type"] == "inherited_traditional"
    chain = np.where(inherited, "inherited:" + ev["account"], "own")
    keys = pd.DataFrame(
        {
            "taxpayer": ev["taxpayer"],
            "chain": chain,
            "year": eff_year,
            "first": np.minimum(eff_year, date_year),
            "last": np.maximum(eff_year, date_year),
        }
    )
    keys.loc[opening.to_numpy(), ["first", "last"]] = keys.loc[opening.to_numpy(), ["year", "year"]].to_numpy()
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
    amount = ev["amount_cents"].to_numpy(np.int64)
    arrays = {f: np.zeros(shape, dtype=np.int64) for f in FIELDS}

    def add(field: str, mask: pd.Series | np.ndarray, values: np.ndarray | None = None) -> None:
        m = np.asarray(mask, dtype=bool)
        if m.any():
            np.add.at(arrays[field], (ci[m], yi[m]), amount[m] if values is None else values[m])

    acct = ev["account_type"]
    pooled_or_inherited = acct.isin(POOLED_TYPES) | inherited
    add("nondeductible", kind_input == "nondeductible")
    add("nondeductible_next_year", (kind_input == "nondeductible") & (date_year > ev["tax_year"]))
    add("deductible", kind_input == "deductible")
    add("returned_traditional", (kind_input == "returned") & acct.isin(POOLED_TYPES) & ~late_return)
    add("returned_late", (kind_input == "returned") & acct.isin(POOLED_TYPES) & late_return)
    add("distribution", kind_input == "distribution")
    add("conversion", kind_input == "conversion")
    rechar_conv = (
        (kind_input == "recharacterized")
        & (acct == "roth")
        & (ev["tax_year"] <= LAST_CONVERSION_RECHARACTERIZATION_YEAR)
    )
    add("recharacterized_conversion", rechar_conv)
    add("rollover_net", kind_input == "rollover_out")
    add("rollover_net", kind_input == "rollover_in", -amount)
    add("basis_added", kind_input == "basis_added")
    ye = (kind_input == "year_end_value") & pooled_or_inherited
    add("year_end_value", ye)
    add("year_end_value_rows", ye, np.ones_like(amount))
    add("opening_basis", kind_input == "opening_basis")
    add("has_opening_basis", kind_input == "opening_basis", np.ones_like(amount))
    add("roth_contribution", kind_input == "roth_contribution")
    roth_out = ((kind_input == "returned") | ((kind_input == "recharacterized") & ~rechar_conv)) & (acct == "roth")
    add("roth_contribution", roth_out, -amount)
    add("roth_rollover_in", (kind_input == "rollover_from_plan") & (acct == "roth"))
    qualified = _qualified_roth(ev, kind_input, date_year, taxpayers)
    add("roth_distribution_nonqualified", (kind_input == "roth_distribution") & ~qualified)
    add("roth_distribution_qualified", (kind_input == "roth_distribution") & qualified)
    for name in ("opening_roth_contribution", "opening_roth_conversion"):
        add(name, kind_input == name)
        add("has_" + name, kind_input == name, np.ones_like(amount))
    add("rollover_to_plan", kind_input == "rollover_to_plan")
    _apply_declarations(arrays, add, kind_input, date_year, ev, chains, y0, taxpayers)
    birth_known = chains["taxpayer"].map(lambda t: bool(taxpayers.get(t) and taxpayers[t].birth_date)).to_numpy()
    return Inputs(chains, years, arrays, birth_known.astype(bool))


def _apply_declarations(arrays, add, kind_input, date_year, ev, chains, y0, taxpayers) -> None:
    """Split `traditional_contribution` amounts by the taxpayer's declaration ('basis-ledger declare').

    No declaration: all nondeductible, flagged `undeclared`. A declared amount is taken from the contributions
    deposited in the tax year first, so as little as possible lands on line 4 (the 8606 line 4 instructions let
    the taxpayer choose the order)."""
    import numpy as np

    is_u = kind_input == "traditional_undeclared"
    if not is_u.any():
        return
    shape = arrays["nondeductible"].shape
    in_year, next_year = np.zeros(shape, np.int64), np.zeros(shape, np.int64)
    arrays["_u_in"], arrays["_u_next"] = in_year, next_year
    add("_u_in", is_u & (date_year == ev["tax_year"]))
    add("_u_next", is_u & (date_year > ev["tax_year"]))
    del arrays["_u_in"], arrays["_u_next"]
    decl = np.full(shape, NO_DECLARATION, np.int64)
    own = {t: i for i, (t, c) in enumerate(zip(chains["taxpayer"], chains["chain"], strict=True)) if c == "own"}
    for t, i in own.items():
        for year, cents in taxpayers[t].declarations if t in taxpayers else ():
            if 0 <= year - y0 < shape[1]:
                decl[i, year - y0] = DECLARED_ALL if cents is None else cents
    # A timely returned contribution comes off the undeclared contributions first (treated as never made).
    taken = np.minimum(arrays["returned_traditional"], in_year + next_year)
    arrays["returned_traditional"] -= taken
    from_in = np.minimum(taken, in_year)
    in_year, next_year = in_year - from_in, next_year - (taken - from_in)
    total = in_year + next_year
    nond = np.where(decl < 0, total, np.minimum(decl, total))
    from_next = nond - np.minimum(nond, in_year)
    arrays["nondeductible"] += nond
    arrays["nondeductible_next_year"] += from_next
    arrays["deductible"] += total - nond
    arrays["undeclared"] += np.where(decl == NO_DECLARATION, total, 0)


def _qualified_roth(
    ev: pd.DataFrame, kind_input: pd.Series, date_year: pd.Series, taxpayers: dict[str, Taxpayer]
) -> np.ndarray:
    """Pub 590-B: qualified = at least 59½ on the day, and 5 tax years after the first Roth contribution or
    conversion year. An unknown birth date means nonqualified (the engine warns)."""
    import numpy as np
    import pandas as pd

    is_dist = (kind_input == "roth_distribution").to_numpy()
    if not is_dist.any():
        return np.zeros(len(ev), dtype=bool)
    starts_clock = kind_input.isin(["roth_contribution", "conversion"]) | (
        (kind_input == "rollover_from_plan") & (ev["account_type"] == "roth")
    )
    birth = pd.Series({t: p.birth_date for t, p in taxpayers.items() if p.birth_date}, dtype="object")
    if birth.empty:
        return np.zeros(len(ev), dtype=bool)
    # The five-year clock starts with the first Roth contribution year or conversion year; an opening Roth basis
    # means the history began at or before its tax year.
    opens = kind_input.isin(["opening_roth_contribution", "opening_roth_conversion"])
    clock = (starts_clock | opens).to_numpy()
    year = np.where(kind_input == "conversion", date_year, ev["tax_year"])[clock]
    starts = pd.DataFrame({"t": ev["taxpayer"].to_numpy(dtype=object)[clock], "y": year})
    declared = [(t, p.roth_first_year) for t, p in taxpayers.items() if p.roth_first_year]
    if declared:  # `taxpayer set --roth-first-year`: the history began before the ledger
        starts = pd.concat([starts, pd.DataFrame(declared, columns=["t", "y"])], ignore_index=True)
    first_year = starts.groupby("t")["y"].min()
    half = (pd.to_datetime(birth) + pd.DateOffset(years=59, months=6)).dt.strftime("%Y-%m-%d")
    age_ok = (ev["date"] >= ev["taxpayer"].map(half).fillna("9999")).to_numpy()
    five_ok = ((date_year - ev["taxpayer"].map(first_year)) >= 5).fillna(False).to_numpy()
    return is_dist & age_ok & five_ok
