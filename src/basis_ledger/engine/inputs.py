"""From ledger events to the engine's inputs: dense (chain x year) arrays of cents, built in one pass.

A chain is one basis history: a person's own traditional/SEP/SIMPLE pool ("own"), or one inherited
traditional IRA ("inherited:<account>"), which is never pooled into the person's line 6.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from basis_ledger.model import Taxpayer, kinds
from basis_ledger.taxcalendar import qualified_age_date, roth_five_years

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from basis_ledger.engine.routing import Routed

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
# Routed like FIELDS but consumed here: traditional_contribution amounts before the declarations split them.
INTERNAL_FIELDS = ("undeclared_in_year", "undeclared_next_year")
NO_DECLARATION, DECLARED_ALL = -1, -2


@dataclass
class Inputs:
    chains: pd.DataFrame  # taxpayer, chain, first_year, last_year (one row per chain)
    years: np.ndarray  # the calendar years of the columns
    arrays: dict[str, np.ndarray]  # FIELDS -> (chain x year) int64
    birth_known: np.ndarray  # per chain: the taxpayer's birth date is known
    routed: Routed | None = None  # where each event landed (engine/routing.py): the audit and workbook reuse it

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]


def build(events: pd.DataFrame, taxpayers: dict[str, Taxpayer]) -> Inputs:
    import numpy as np
    import pandas as pd

    from basis_ledger.engine.routing import route

    ev = events
    kind_input = ev["kind"].map({k: v.input for k, v in kinds().items()})
    date_year_s = ev["date"].str.slice(0, 4).astype("int64")
    qualified = _qualified_roth(ev, kind_input, date_year_s, taxpayers)
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
    _apply_declarations(arrays, chains, y0, taxpayers)
    birth_known = chains["taxpayer"].map(lambda t: bool(taxpayers.get(t) and taxpayers[t].birth_date)).to_numpy()
    return Inputs(chains, years, arrays, birth_known.astype(bool), routed)


def _apply_declarations(
    arrays: dict[str, np.ndarray], chains: pd.DataFrame, y0: int, taxpayers: dict[str, Taxpayer]
) -> None:
    """Split `traditional_contribution` amounts by the taxpayer's declaration ('basis-ledger declare').

    No declaration: all nondeductible, flagged `undeclared`. A declared amount is taken from the contributions
    deposited in the tax year first, so as little as possible lands on line 4 (the 8606 line 4 instructions let
    the taxpayer choose the order)."""
    import numpy as np

    in_year, next_year = arrays.pop("undeclared_in_year"), arrays.pop("undeclared_next_year")
    if not (in_year.any() or next_year.any()):
        return
    shape = arrays["nondeductible"].shape
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
    half = birth.map(qualified_age_date)  # 59½
    age_ok = (ev["date"] >= ev["taxpayer"].map(half).fillna("9999")).to_numpy()
    five_ok = ((date_year - ev["taxpayer"].map(first_year)) >= roth_five_years()).fillna(False).to_numpy()
    return is_dist & age_ok & five_ok
