"""Form 8606, line by line, for all chains at once: one vectorized pass per year.

Sources: Form 8606 (2023) and its instructions; Pub 590-B for the Roth ordering rules. Each line's rule is
written as the form words it, in cents; "R" rounds a line half-up to the chosen unit (whole dollars unless
--cents). Lines 11 and 12 use the rounded line 10; if they then exceed line 5, the excess comes off line 11
first, then line 12 (the project's rule; the form is silent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from basis_ledger.engine.inputs import Inputs
from basis_ledger.money import mul_div_half_up, round_to_unit
from basis_ledger.resources import load_toml


@cache
def line_table() -> dict[str, dict[str, Any]]:
    """The form's lines in order, with part and wording (schemas/form8606_lines.toml)."""
    table: dict[str, dict[str, Any]] = load_toml("form8606_lines.toml")["lines"]
    return table


LINE_KEYS = tuple(line_table())  # "1" .. "25c", as the form labels them
MONEY_LINES = tuple(k for k, v in line_table().items() if v["kind"] == "money")  # all but line 10


OPENINGS = tuple(
    f"{has}opening_{what}" for what in ("basis", "roth_contribution", "roth_conversion") for has in ("", "has_")
)


@dataclass(frozen=True)
class Options:
    ratio_places: int = 5  # line 10: at least 3 places (form), 5 by default
    cents: bool = False  # keep cents on every line instead of whole dollars

    @property
    def unit(self) -> int:
        return 1 if self.cents else 100


@dataclass
class Computed:
    """Every line for every chain and year: values in cents (line 10 scaled by 10**places), and presence."""

    inputs: Inputs
    options: Options
    values: dict[str, np.ndarray] = field(default_factory=dict)
    present: dict[str, np.ndarray] = field(default_factory=dict)
    state: dict[str, np.ndarray] = field(default_factory=dict)  # basis_end etc., (chain x year)
    flags: dict[str, np.ndarray] = field(default_factory=dict)  # named booleans for the cautions


def compute(inp: Inputs, opts: Options) -> Computed:
    n, ny = inp["nondeductible"].shape
    unit, scale = opts.unit, 10**opts.ratio_places
    out = Computed(inp, opts)
    # The year passes read and write one year of every chain at a time: held year-major (year x chain, each
    # year contiguous) while they run, and handed out as (chain x year) views of the same memory. A column of a
    # chain-major array is strided, one element per cache line.
    by_year = {k: np.ascontiguousarray(a.T) for k, a in inp.arrays.items()}
    vals = {k: np.zeros((ny, n), np.int64) for k in (*MONEY_LINES, "10")}
    pres = {k: np.zeros((ny, n), bool) for k in vals}
    st = {
        k: np.zeros((ny, n), np.int64)
        for k in ("basis_end", "roth_contribution_basis_end", "roth_conversion_basis_end", "outstanding_rollovers")
    }
    fl = {k: np.zeros((ny, n), bool) for k in ("part1", "part1_full", "part2", "part3", "line13_capped", "incomplete")}

    def R(cents: np.ndarray) -> np.ndarray:
        return round_to_unit(cents, unit)

    basis = np.zeros(n, np.int64)
    rolled = np.zeros(n, np.int64)
    roth_c = np.zeros(n, np.int64)
    roth_v = np.zeros(n, np.int64)
    for j in range(ny):
        col = {k: a[j] for k, a in by_year.items()}
        # Line 2: an opening balance (line 14 of a form filed before the ledger) replaces the carried basis.
        basis = np.where(col["has_opening_basis"] > 0, col["opening_basis"], basis)
        basis_in = np.maximum(basis + col["basis_added"] - col["returned_late"], 0)
        l1c = np.maximum(col["nondeductible"] - col["returned_traditional"], 0)
        l1, l2 = R(l1c), R(basis_in)
        l3 = l1 + l2
        dist = col["distribution"]
        conv = np.maximum(col["conversion"] - col["recharacterized_conversion"], 0)
        rolled = rolled + col["rollover_net"]
        outstanding = np.maximum(rolled, 0)
        # Line 6 takes into account recharacterizations made after 31 December (line 6 instructions).
        value = np.maximum(col["year_end_value"] + outstanding + col["value_recharacterized"], 0)
        has_basis = basis_in > 0
        # An account open in the year without a 31 December value leaves line 6 unknown (not 0): the year is
        # incomplete wherever the form reads line 6, and "part, but not all" cannot be ruled out.
        unknown6 = col["year_end_value_missing"] > 0
        # "Complete this part only if": a nondeductible contribution for the year; or basis and a
        # distribution; or basis and a conversion of part, but not all, of the pool.
        part1 = (l1c > 0) | (has_basis & (dist > 0)) | (has_basis & (conv > 0) & ((value > 0) | unknown6))
        full = part1 & ((dist + conv) > 0)  # the "Yes" branch after line 3
        l4 = np.minimum(R(np.minimum(col["nondeductible_next_year"], l1c)), l1)
        l5 = l3 - l4
        l6, l7, l8 = R(value), R(dist), R(conv)
        l9 = l6 + l7 + l8
        safe9 = np.where(l9 > 0, l9, 1)
        l10 = np.where(l9 > 0, np.minimum(mul_div_half_up(l5, scale, safe9), scale), scale)
        l11 = mul_div_half_up(l8, l10, scale * unit) * unit
        l12 = mul_div_half_up(l7, l10, scale * unit) * unit
        excess = np.maximum(l11 + l12 - l5, 0)
        off11 = np.minimum(excess, l11)
        l11, l12 = l11 - off11, l12 - (excess - off11)
        l13 = l11 + l12
        l14 = np.where(full, l3 - l13, l3)
        l15a = l7 - l12
        # Part II: any conversion in the year.
        part2 = conv > 0
        l16 = R(conv)
        l17 = np.where(full, l11, np.minimum(l2, l16))
        l18 = l16 - l17
        basis = np.where(part1, l14, np.where(part2, l2 - l17, basis_in))
        # Part III. Conversions of the year count before its distributions; contributions for the year too.
        roth_c = np.where(col["has_opening_roth_contribution"] > 0, col["opening_roth_contribution"], roth_c)
        roth_v = np.where(col["has_opening_roth_conversion"] > 0, col["opening_roth_conversion"], roth_v)
        roth_c = np.maximum(roth_c + col["roth_contribution"], 0)
        roth_v = roth_v + l16 + col["roth_rollover_in"]
        nq = col["roth_distribution_nonqualified"]
        part3 = nq > 0
        l19 = R(nq)
        l20 = np.zeros(n, np.int64)  # first-home expenses: no event kind records them yet
        l21 = np.maximum(l19 - l20, 0)
        l22 = R(roth_c)
        l23 = np.maximum(l21 - l22, 0)
        l24 = R(roth_v)
        l25a = np.maximum(l23 - l24, 0)
        # Carry (line 22 worksheet, line 24 chart): what this year's distributions took out of each basis.
        roth_c = np.where(part3, np.maximum(l22 - l19, 0), roth_c)
        roth_v = np.where(part3, np.maximum(l24 - np.maximum(l19 - l22, 0), 0), roth_v)

        for k, v in (
            ("1", l1),
            ("2", l2),
            ("3", l3),
            ("4", l4),
            ("5", l5),
            ("6", l6),
            ("7", l7),
            ("8", l8),
            ("9", l9),
            ("10", l10),
            ("11", l11),
            ("12", l12),
            ("13", l13),
            ("14", l14),
            ("15a", l15a),
            ("15b", 0),
            ("15c", l15a),
            ("16", l16),
            ("17", l17),
            ("18", l18),
            ("19", l19),
            ("20", l20),
            ("21", l21),
            ("22", l22),
            ("23", l23),
            ("24", l24),
            ("25a", l25a),
            ("25b", 0),
            ("25c", l25a),
        ):
            vals[k][j] = v
        for keys, mask in (
            (("1", "2", "3", "14"), part1),
            (("4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "15a", "15b", "15c"), full),
            (("16", "17", "18"), part2),
            (("19", "20", "21", "22", "23"), part3),
            (("24", "25a"), part3 & (l23 > 0)),
            (("25b", "25c"), part3 & (l23 > 0) & (l25a > 0)),
        ):
            for k in keys:
                pres[k][j] = mask
        # An opening balance for this year (line 14 of its filed form, or the Roth bases at its end) is what this
        # year carries out; it only takes effect as next year's line 2.
        nxt = {k: by_year[k][j + 1] if j + 1 < ny else np.zeros(n, np.int64) for k in OPENINGS}
        st["basis_end"][j] = np.where(nxt["has_opening_basis"] > 0, nxt["opening_basis"], basis)
        st["roth_contribution_basis_end"][j] = np.where(
            nxt["has_opening_roth_contribution"] > 0, nxt["opening_roth_contribution"], roth_c
        )
        st["roth_conversion_basis_end"][j] = np.where(
            nxt["has_opening_roth_conversion"] > 0, nxt["opening_roth_conversion"], roth_v
        )
        st["outstanding_rollovers"][j] = outstanding
        fl["part1"][j], fl["part1_full"][j], fl["part2"][j], fl["part3"][j] = part1, full, part2, part3
        fl["line13_capped"][j] = full & (excess > 0)
        fl["incomplete"][j] = full & unknown6

    def chain_major(d: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {k: a.T for k, a in d.items()}  # (chain x year) views, as Computed promises

    out.values, out.present = chain_major(vals), chain_major(pres)
    out.state, out.flags = chain_major(st), chain_major(fl)
    return out
