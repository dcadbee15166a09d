"""From ledger events to the engine's inputs: dense (chain x year) arrays of cents, built in one pass.

A chain is one basis history: a person's own traditional/SEP/SIMPLE pool ("own"), or one inherited
traditional IRA ("inherited:<account>"), which is never pooled into the person's line 6.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from basis_ledger.model import POOLED_TYPES, Taxpayer, kinds
from basis_ledger.taxcalendar import qualified_age_date, roth_five_years

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from basis_ledger.engine.columns import Columns
    from basis_ledger.engine.routing import Coded, Placed, Routed

# Engine inputs, each a (chain x year) int64 array of cents.
FIELDS = (
    "nondeductible",  # line 1, for the tax year
    "nondeductible_next_year",  # line 4: part of line 1 deposited 1 Jan..deadline of the next year
    "deductible",  # only for the Worksheet 1-1 caution
    "returned_traditional",  # returned by the extended due date or recharacterized out: never made, off line 1
    "returned_late",  # returned after it (a withdrawn excess): off the basis on line 2 of that year
    "distribution",  # line 7
    "conversion",  # line 8 before recharacterization
    "recharacterized_conversion",  # pre-2018 conversions undone: off line 8
    "rollover_net",  # rollover_out - rollover_in: cumulated into line 6's outstanding rollovers
    "basis_added",  # after-tax plan money rolled in: line 2
    "year_end_value",  # line 6
    "year_end_value_rows",  # how many 31 December values the ledger has
    "year_end_value_missing",  # accounts open in the year without a 31 December value (line 6 unknown)
    "value_recharacterized",  # line 6: + recharacterized into, - out of the pool after 31 December (signed)
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
# Routed like FIELDS but consumed here: traditional_contribution amounts before the declarations split them, and
# the parts of line 6's recharacterizations and of the order in which returns take deposits ("next_year": dated
# after 31 December of the tax year).
INTERNAL_FIELDS = (
    "undeclared_in_year",
    "undeclared_next_year",
    "returned_next_year",  # timely returns and recharacterizations out of the pool made after 31 December
    "traditional_next_year_deposits",  # traditional contributions for the year deposited after 31 December
    "roth_next_year_deposits",  # Roth contributions for the year deposited after 31 December
    "recharacterized_out_next_year",  # out of the pool after 31 December
    "recharacterized_conversion_next_year",  # conversions undone after 31 December (into the pool)
    "recharacterized_in_next_year",  # Roth contributions moved into the pool after 31 December
    "transferred_in_next_year",  # amounts those moved (recharacterization_transfer), where recorded
    "transfers_in_next_year",
    "transferred_out_next_year",
    "transfers_out_next_year",
)
NO_DECLARATION, DECLARED_ALL = -1, -2


class Inputs:
    """The engine's inputs. `chain_columns`: per chain (one row each) its taxpayer, chain name, first_year and
    last_year as numpy arrays; `chains` is the same as a pandas frame, built on first use (the audit and the
    workbook read it; the engine and the household commands do not)."""

    def __init__(
        self,
        chains: pd.DataFrame | dict[str, np.ndarray],
        years: np.ndarray,
        arrays: dict[str, np.ndarray],
        birth_known: np.ndarray,
        routed: Routed | None = None,
        missing_values: dict[tuple[int, int], list[str]] | None = None,
        codes: dict[str, tuple[np.ndarray, list[str]]] | None = None,
    ) -> None:
        import numpy as np

        if isinstance(chains, dict):
            self._chains: pd.DataFrame | None = None
            self.chain_columns = chains
        else:
            self._chains = chains
            self.chain_columns = {
                "taxpayer": chains["taxpayer"].to_numpy(dtype=object),
                "chain": chains["chain"].to_numpy(dtype=object),
                "first_year": chains["first_year"].to_numpy(dtype=np.int64),
                "last_year": chains["last_year"].to_numpy(dtype=np.int64),
            }
        self.years = years  # the calendar years of the columns
        self.arrays = arrays  # FIELDS -> (chain x year) int64
        self.birth_known = birth_known  # per chain: the taxpayer's birth date is known
        self.routed = routed  # where each event landed (engine/routing.py): the audit and workbook reuse it
        self.missing_values = missing_values or {}  # (chain, year) -> accounts without a 31 December value
        # per chain, its taxpayer and chain name as codes into the sorted distinct names (where build made them)
        self.codes = codes or {}

    @property
    def chains(self) -> pd.DataFrame:
        """taxpayer, chain, first_year, last_year: one row per chain."""
        if self._chains is None:
            import pandas as pd

            self._chains = pd.DataFrame(self.chain_columns)
        return self._chains

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]


def build(events: pd.DataFrame | Columns, taxpayers: dict[str, Taxpayer]) -> Inputs:
    """The (chain x year) inputs of the events: every string column read once as integer codes (routing.Coded),
    each chain found by one `np.unique` of (taxpayer, chain) codes, each field summed exactly in int64 by
    `np.add.at`. tests/core/test_inputs_codes.py checks every field against the per-group pandas build it
    replaced (tests/core/inputs_oracle.py)."""
    import numpy as np

    from basis_ledger.engine.routing import Coded, place, route

    coded = Coded(events)
    placed = place(events, coded)
    qualified = _qualified_roth(coded, placed, taxpayers)
    # Where each event lands (chain, form year, which input, which sign): schemas/event_kinds.toml, applied by the
    # one routing function the audit, the planner and the workbook also use.
    routed = route(events, {"qualified": qualified, "nonqualified": ~qualified}, coded=coded, placed=placed)
    eff_year, date_year = routed.form_year, routed.date_year
    opening = coded.kind_is(lambda k: k.input.startswith("opening_"))
    first = np.where(opening, eff_year, np.minimum(eff_year, date_year))
    last = np.where(opening, eff_year, np.maximum(eff_year, date_year))
    tp_code, tp_names = coded.factorize("taxpayer")
    # Chains in (taxpayer, chain) string order, as a sorted group-by gives them: "inherited:..." before "own".
    chain_code, names = placed.chain_code
    chain_names = np.array(names, dtype=object)
    pair, ci = dense_unique(tp_code * len(chain_names) + chain_code, len(tp_names) * len(chain_names))
    n_chains = len(pair)
    chain_tp = pair // len(chain_names)
    chain_of = chain_names[pair % len(chain_names)]
    lo, hi = _span(ci, first, last, n_chains)
    # A person's own chain spans all of that person's event years (their Roth history lives there too).
    tp_lo, tp_hi = _span(tp_code, first, last, len(tp_names))
    own = chain_of == "own"
    lo[own], hi[own] = tp_lo[chain_tp[own]], tp_hi[chain_tp[own]]
    chains = {
        "taxpayer": np.array(tp_names, dtype=object)[chain_tp] if n_chains else np.array([], dtype=object),
        "chain": chain_of,
        "first_year": lo,
        "last_year": hi,
    }
    y0 = int(lo.min())
    years = np.arange(y0, int(hi.max()) + 1)
    yi = (eff_year - y0).astype(np.int64)
    shape = (n_chains, len(years))
    arrays = {f: np.zeros(shape, dtype=np.int64) for f in (*FIELDS, *INTERNAL_FIELDS)}
    flat_index = ci * len(years) + yi  # one exact int64 sum per field: np.add.at on the flattened cells
    for name, (rows, values) in routed.hits.items():
        np.add.at(arrays[name].reshape(-1), flat_index[rows], values)
    explicit_next = arrays["nondeductible_next_year"].copy()
    returned_after = _apply_declarations(arrays, chains, y0, taxpayers)
    # A return or recharacterization made after 31 December comes off the deposits made after 31 December first
    # (line 4), then off the year's own deposits; one made in the year can only come off the year's deposits.
    arrays["nondeductible_next_year"] -= np.minimum(returned_after, explicit_next)
    _recharacterized_value(arrays)
    pooled = coded.isin("account_type", POOLED_TYPES | {"inherited_traditional"})
    arrays["year_end_value_missing"], missing = _missing_year_end_values(coded, ci, date_year, pooled, y0, shape)
    known = np.array([bool(taxpayers.get(t) and taxpayers[t].birth_date) for t in tp_names], dtype=bool)
    birth_known = known[chain_tp] if n_chains else np.zeros(0, dtype=bool)
    codes = {"taxpayer": (chain_tp, tp_names), "chain": (pair % len(chain_names), names)}
    return Inputs(chains, years, arrays, birth_known, routed, missing, codes)


def dense_unique(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct values of non-negative int keys below `size`, and each key's position among them: by
    a presence table (linear), not by sorting or hashing the rows."""
    import numpy as np

    present = np.zeros(size, bool)
    present[key] = True
    position = np.cumsum(present) - 1
    return np.flatnonzero(present), position[key]


def sorted_unique(key: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an int64 array (one sort)."""
    import numpy as np

    k = np.sort(key)
    out: np.ndarray = k[np.concatenate([[True], k[1:] != k[:-1]])] if len(k) else k
    return out


def _span(group: np.ndarray, first: np.ndarray, last: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per group: the smallest `first` and the largest `last` of its rows."""
    import numpy as np

    lo = np.full(n, np.iinfo(np.int64).max, np.int64)
    hi = np.full(n, np.iinfo(np.int64).min, np.int64)
    np.minimum.at(lo, group, first)
    np.maximum.at(hi, group, last)
    return lo, hi


def _apply_declarations(
    arrays: dict[str, np.ndarray], chains: pd.DataFrame | dict[str, np.ndarray], y0: int, taxpayers: dict[str, Taxpayer]
) -> np.ndarray:
    """Split `traditional_contribution` amounts by the taxpayer's declaration ('basis-ledger declare').

    No declaration: all nondeductible, flagged `undeclared`. A declared amount is taken from the contributions
    deposited in the tax year first, so as little as possible lands on line 4 (the 8606 line 4 instructions let
    the taxpayer choose the order). Returns the timely returns made after 31 December that are left for the
    explicitly nondeductible contributions."""
    import numpy as np

    in_year, next_year = arrays.pop("undeclared_in_year"), arrays.pop("undeclared_next_year")
    returned_after = arrays.pop("returned_next_year")
    if not (in_year.any() or next_year.any()):
        return returned_after
    shape = arrays["nondeductible"].shape
    decl = np.full(shape, NO_DECLARATION, np.int64)
    own = {t: i for i, (t, c) in enumerate(zip(chains["taxpayer"], chains["chain"], strict=True)) if c == "own"}
    for t, i in own.items():
        for year, cents in taxpayers[t].declarations if t in taxpayers else ():
            if 0 <= year - y0 < shape[1]:
                decl[i, year - y0] = DECLARED_ALL if cents is None else cents
    # A timely returned (or recharacterized) contribution comes off the undeclared contributions first (treated as
    # never made); one made after 31 December off the deposits made after 31 December first.
    taken = np.minimum(arrays["returned_traditional"], in_year + next_year)
    arrays["returned_traditional"] -= taken
    taken_after = np.minimum(taken, returned_after)
    from_next = np.minimum(taken_after, next_year)
    from_in = np.minimum(taken - from_next, in_year)
    from_next = taken - from_in
    in_year, next_year = in_year - from_in, next_year - from_next
    total = in_year + next_year
    nond = np.where(decl < 0, total, np.minimum(decl, total))
    from_next = nond - np.minimum(nond, in_year)
    arrays["nondeductible"] += nond
    arrays["nondeductible_next_year"] += from_next
    arrays["deductible"] += total - nond
    arrays["undeclared"] += np.where(decl == NO_DECLARATION, total, 0)
    left: np.ndarray = returned_after - taken_after
    return left


def _recharacterized_value(arrays: dict[str, np.ndarray]) -> None:
    """Line 6 "taking into account all recharacterizations of those amounts, including recharacterizations made after
    December 31": money recharacterized into the pool after 31 December counts in that 31 December value, money
    recharacterized out of it after 31 December does not. Only deposits made by 31 December can have been in that
    value, so the part of a recharacterized contribution that came from deposits made after it is left out (a
    recharacterization after 31 December comes off those deposits first). `recharacterization_transfer` rows give
    the amount actually moved (with earnings, or less a loss) where it differs: they replace the recharacterized
    amounts of the same chain, tax year and direction."""
    import numpy as np

    p = {k: arrays.pop(k) for k in INTERNAL_FIELDS if k in arrays}
    conv_in, contrib_in = p["recharacterized_conversion_next_year"], p["recharacterized_in_next_year"]
    into = conv_in + np.maximum(contrib_in - p["roth_next_year_deposits"], 0)
    out = np.maximum(p["recharacterized_out_next_year"] - p["traditional_next_year_deposits"], 0)
    # With the amount moved recorded, it replaces the amount recharacterized, less the same next-year part.
    later_in, later_out = conv_in + contrib_in - into, p["recharacterized_out_next_year"] - out
    into = np.where(p["transfers_in_next_year"] > 0, np.maximum(p["transferred_in_next_year"] - later_in, 0), into)
    out = np.where(p["transfers_out_next_year"] > 0, np.maximum(p["transferred_out_next_year"] - later_out, 0), out)
    arrays["value_recharacterized"] += into - out


def _missing_year_end_values(
    c: Coded, ci: np.ndarray, date_year: np.ndarray, pooled: np.ndarray, y0: int, shape: tuple[int, int]
) -> tuple[np.ndarray, dict[tuple[int, int], list[str]]]:
    """Accounts of a chain that were open in a year (worth more than 0 on the previous 31 December, or with any
    event dated in the year) but have no 31 December value for it. A recorded 0 is a value; no record is unknown.
    Returns the count per (chain, year) and, for the flagged cells, the account names."""
    import numpy as np

    acct_code, acct_names = c.factorize("account")
    no_account = acct_names.index("") if "" in acct_names else -1
    m = np.asarray(pooled, bool) & (acct_code != no_account)
    is_value = c.isin("kind", ("year_end_value",))[m]
    # One int64 key per (chain, account, year): account codes follow the names' string order, so sorting the keys
    # sorts by chain, then year, then account name. Years are shifted to be >= 0 inside the key (an opening
    # balance may be dated before the first form year) and shifted back after.
    cc, aa, yy = ci[m], acct_code[m], np.asarray(date_year, np.int64)[m] - y0
    shift = int(-min(0, int(yy.min()))) if len(yy) else 0
    n_acct, n_year = max(len(acct_names), 1), shape[1] + 1 + shift

    def key(rows: np.ndarray, later: int = 0) -> np.ndarray:
        k: np.ndarray = (cc[rows] * n_year + yy[rows] + later + shift) * n_acct + aa[rows]
        return k

    valued = sorted_unique(key(is_value))
    opened = sorted_unique(np.concatenate([key(~is_value), key(is_value & (c.amount[m] > 0), later=1)]))
    where = np.minimum(np.searchsorted(valued, opened), max(len(valued) - 1, 0))
    missing = opened[~(valued[where] == opened)] if len(valued) else opened
    chain_of, acct_of = missing // n_acct // n_year, missing % n_acct
    year_of = (missing // n_acct) % n_year - shift
    keep = year_of < shape[1]
    chain_of, year_of, acct_of = chain_of[keep], year_of[keep], acct_of[keep]
    count = np.zeros(shape, np.int64)
    np.add.at(count, (chain_of, year_of), 1)
    names: dict[tuple[int, int], list[str]] = {}
    for chain, year, acct in zip(chain_of.tolist(), year_of.tolist(), acct_of.tolist(), strict=True):
        names.setdefault((chain, year), []).append(acct_names[acct])
    return count, names


def _qualified_roth(c: Coded, placed: Placed, taxpayers: dict[str, Taxpayer]) -> np.ndarray:
    """Pub 590-B and the 8606 instructions ("Qualified distribution"): qualified = at least 59½ on the day, and
    after the 5-year period beginning with "the first year for which a contribution was made to a Roth IRA
    (including a conversion or a rollover from a qualified retirement plan)". A contribution returned by the due
    date or recharacterized counts as never made to the Roth IRA, and a conversion undone by a recharacterization
    as never converted: a year whose contributions (or conversions) all came back starts no clock. A Roth
    contribution returned late is a Roth distribution (schemas/event_kinds.toml). An unknown birth date means
    nonqualified (the engine warns)."""
    import numpy as np

    from basis_ledger.taxcalendar import last_conversion_recharacterization_year

    late, date_year = placed.late, placed.date_year
    inputs = [k.input for k in kinds().values()] + [""]

    def kind_input(*names: str) -> np.ndarray:
        return c.of_kinds([i in names for i in inputs])

    roth = c.isin("account_type", ("roth",))
    returned = kind_input("returned") & roth
    is_dist = kind_input("roth_distribution") | (returned & late)
    if not is_dist.any():
        return np.zeros(c.n, dtype=bool)
    tp_code, tp_names = c.factorize("taxpayer")
    birth = [taxpayers[t].birth_date if t in taxpayers else None for t in tp_names]
    if not any(birth):
        return np.zeros(c.n, dtype=bool)
    undoable = c.tax_year <= last_conversion_recharacterization_year()
    rechar = kind_input("recharacterized") & roth
    rechar_conv = rechar & undoable
    back = (returned & ~late) | (rechar & ~undoable) | kind_input("recharacterized_roth_contribution")
    contrib = kind_input("roth_contribution", "roth_contribution_rollover")
    conv = kind_input("conversion")
    signed = np.where(contrib | conv, c.amount, 0) - np.where(back | rechar_conv, c.amount, 0)
    # Contributions count for their tax year, conversions for the year they were made (and undone for it).
    year = np.where(conv, date_year, c.tax_year)
    group = (conv | rechar_conv).astype(np.int64)
    # A year starts the clock when its net contributions (or net conversions) are positive: one exact int64 sum
    # per (taxpayer, contribution or conversion, year).
    sel = contrib | conv | back | rechar_conv
    first_year = np.full(len(tp_names), np.iinfo(np.int64).max, np.int64)
    if sel.any():
        y_lo = int(year[sel].min())
        span = int(year[sel].max()) - y_lo + 1
        keys, at = np.unique((tp_code[sel] * 2 + group[sel]) * span + (year[sel] - y_lo), return_inverse=True)
        net = np.zeros(len(keys), np.int64)
        np.add.at(net, at.ravel(), signed[sel])
        started = keys[net > 0]
        np.minimum.at(first_year, started // span // 2, started % span + y_lo)
    # An opening Roth basis means the history began at or before its tax year; a plan rollover counts for its date.
    plan = kind_input("rollover_from_plan") & roth
    opens = kind_input("opening_roth_contribution", "opening_roth_conversion")
    other = plan | opens
    np.minimum.at(first_year, tp_code[other], np.where(plan, date_year, c.tax_year)[other])
    for t, p in taxpayers.items():  # `taxpayer set --roth-first-year`: the history began before the ledger
        if p.roth_first_year and t in tp_names:
            i = tp_names.index(t)
            first_year[i] = min(first_year[i], int(p.roth_first_year))
    # 59½: the day as ISO text, compared with the dates as text (no birth date: never).
    half = np.array([qualified_age_date(b) if b else "9999" for b in birth], dtype=object)
    age_ok = c.date_at_least(half, tp_code)
    has_start = first_year != np.iinfo(np.int64).max
    five_ok = has_start[tp_code] & ((date_year - np.where(has_start, first_year, 0)[tp_code]) >= roth_five_years())
    qualified: np.ndarray = is_dist & age_ok & five_ok
    return qualified
