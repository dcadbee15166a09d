"""The computed lines as a validated frame, one row per taxpayer, chain and year, with their cautions."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from basis_ledger.engine import form8606
from basis_ledger.engine.form8606 import LINE_KEYS, MONEY_LINES, Computed, Options
from basis_ledger.engine.inputs import Inputs, build
from basis_ledger.model import Caution, Taxpayer
from basis_ledger.money import format_cents

if TYPE_CHECKING:
    import pandas as pd

STATE_KEYS = ("basis_end", "roth_contribution_basis_end", "roth_conversion_basis_end")


def compute_lines(
    events: pd.DataFrame, taxpayers: dict[str, Taxpayer], opts: Options, inputs: Inputs | None = None
) -> pd.DataFrame:
    """Events in, one row per (taxpayer, chain, tax_year) out: `L<line>` columns (cents; nullable where the
    form skips the line; L10 scaled by 10**places), state columns, flags, and a `warnings` list column.
    `inputs`: the events' engine inputs when the caller (the loader) has built them already."""
    import pandas as pd

    if events.empty:  # a taxpayer with no events yet: no rows, but every column (the checks and renderers need them)
        return _empty_lines()
    inp = inputs if inputs is not None else build(events, taxpayers)
    comp = form8606.compute(inp, opts)
    years = inp.years
    first = inp.chains["first_year"].to_numpy()[:, None]
    last = inp.chains["last_year"].to_numpy()[:, None]
    in_range = (years[None, :] >= first) & (years[None, :] <= last)
    ci, yj = np.nonzero(in_range)
    frame = pd.DataFrame(
        {
            "taxpayer": inp.chains["taxpayer"].to_numpy()[ci],
            "chain": inp.chains["chain"].to_numpy()[ci],
            "tax_year": years[yj].astype(np.int64),
        }
    )
    for k in LINE_KEYS:
        col = pd.array(comp.values[k][ci, yj], dtype="Int64")
        col[~comp.present[k][ci, yj]] = pd.NA
        frame[f"L{k}"] = col
    for k in STATE_KEYS:
        frame[k] = comp.state[k][ci, yj]
    for k in ("part1", "part2", "part3"):
        frame[k] = comp.flags[k][ci, yj]
    frame["form_required"] = frame["part1"] | frame["part2"] | frame["part3"]
    # False where a figure the form needs is unknown (a 31 December value): the lines are not to be filed as is.
    frame["complete"] = ~comp.flags["incomplete"][ci, yj]
    frame["cautions"] = pd.Series(_cautions(comp, ci, yj), index=frame.index, dtype=object)
    frame["_inherited"] = frame["chain"] != "own"  # a person's own chain first, then inherited ones
    frame = frame.sort_values(["taxpayer", "_inherited", "chain", "tax_year"], kind="stable")
    return frame.drop(columns="_inherited").reset_index(drop=True)


def _empty_lines() -> pd.DataFrame:
    import pandas as pd

    cols: dict[str, Any] = {"taxpayer": pd.array([], dtype="str"), "chain": pd.array([], dtype="str")}
    cols["tax_year"] = np.array([], dtype=np.int64)
    cols |= {f"L{k}": pd.array([], dtype="Int64") for k in LINE_KEYS}
    cols |= {k: np.array([], dtype=np.int64) for k in STATE_KEYS}
    cols |= {k: np.array([], dtype=bool) for k in ("part1", "part2", "part3", "form_required", "complete")}
    cols["cautions"] = np.array([], dtype=object)
    return pd.DataFrame(cols)


def _cautions(comp: Computed, ci: np.ndarray, yj: np.ndarray) -> list[list[Caution]]:
    """Cautions per row: a vectorized mask per code, then a sentence for each row it flags."""
    inp, v, whole = comp.inputs, comp.values, not comp.options.cents
    a = inp.arrays

    def money(c: Any) -> str:
        return "$" + format_cents(int(c), whole=whole)

    years = inp.years
    fl = comp.flags
    # Basis with nothing behind it on a recorded $0 31 December value. Line 4 (contributions for the year deposited
    # after 31 December) is not leftover: that money arrived after the value was taken. An unknown value is the
    # year-end-value-missing caution instead.
    known_zero = (v["6"] == 0) & (a["year_end_value_missing"] == 0)
    leftover = np.where(fl["part1_full"] & known_zero, np.maximum(v["14"] - v["4"], 0), 0) + np.where(
        fl["part2"] & ~fl["part1"] & known_zero & (a["year_end_value_rows"] > 0), np.maximum(v["2"] - v["16"], 0), 0
    )
    rules: list[tuple[str, np.ndarray, Callable[[int, int], str]]] = [
        (
            "deductibility-unknown",
            a["undeclared"] > 0,
            lambda c, j: (
                f"{money(a['undeclared'][c, j])} of traditional IRA contributions for {years[j]} have no "
                "declared deductibility (custodians never report it); they are treated as nondeductible. Record the "
                f"decision with 'basis-ledger declare --taxpayer {inp.chains['taxpayer'].iat[c]} --year {years[j]} "
                "--nondeductible AMOUNT|all'."
            ),
        ),
        (
            "line13-capped",
            comp.flags["line13_capped"],
            lambda c, j: (
                f"Line 10 rounded up made lines 11 + 12 exceed line 5 ({money(v['5'][c, j])}); "
                "the excess was taken off line 11 first, then line 12."
            ),
        ),
        (
            "leftover-basis",
            leftover > 0,
            lambda c, j: (
                f"Basis of {money(leftover[c, j])} is carried forward although the traditional IRAs were worth $0 "
                f"on 31 December {years[j]}: the form keeps it for later years, but no money stands behind it until "
                "money is contributed or rolled in again (leaving $1 in the IRA before converting keeps a "
                "31 December value behind it)."
            ),
        ),
        (
            "year-end-value-missing",
            fl["incomplete"],
            lambda c, j: (
                f"No 31 December {years[j]} value for {', '.join(inp.missing_values.get((c, j), []))}, although "
                f"the account was open in {years[j]}: line 6 is unknown, so these lines are incomplete (the "
                "missing value is not counted as 0, which would make the distribution or conversion look more "
                "tax-free than it is). Import the year-end statement or Form 5498 box 5, or record "
                "year_end_value 0 for an account that was emptied."
            ),
        ),
        (
            "worksheet-1-1",
            comp.flags["part1_full"] & (a["deductible"] > 0) & (a["distribution"] > 0),
            lambda c, j: (
                "A deductible contribution and a distribution in the same year: if the deduction depends on "
                "income, Pub 590-B Worksheet 1-1 replaces lines 6 to 12 and can change line 14."
            ),
        ),
        (
            "birth-date-unknown",
            (a["roth_distribution_nonqualified"] > 0) & ~inp.birth_known[:, None],
            lambda c, j: (
                "Birth date unknown, so every Roth distribution is treated as nonqualified (Part III); set "
                "it with 'basis-ledger taxpayer set NAME --birth-date YYYY-MM-DD'."
            ),
        ),
    ]
    out: list[list[Caution]] = [[] for _ in range(len(ci))]
    row_of = np.full(comp.values["1"].shape, -1, dtype=np.int64)  # (chain, year) -> output row, -1 outside
    row_of[ci, yj] = np.arange(len(ci))
    for code, mask, say in rules:
        for c, j in zip(*np.nonzero(mask & (row_of >= 0)), strict=True):
            out[row_of[c, j]].append(Caution(code, say(c, j)))
    return out


def check_lines(frame: pd.DataFrame, opts: Options) -> list[str]:
    """The lines frame's contract (pandera): the form's own arithmetic, as balance assertions."""
    import pandera.pandas as pa

    def eq(a: str, b: Callable[[pd.DataFrame], pd.Series]) -> pa.Check:
        return pa.Check(lambda df: df[a].isna() | (df[a] == b(df)), name=f"{a[1:]}-rule", error=f"{a[1:]}-rule")

    scale = 10**opts.ratio_places
    money_cols = {f"L{k}": pa.Column("Int64", pa.Check.ge(0), nullable=True) for k in MONEY_LINES}
    schema = pa.DataFrameSchema(
        {
            **money_cols,
            "L10": pa.Column("Int64", pa.Check.in_range(0, scale), nullable=True),
            "basis_end": pa.Column("int64", pa.Check.ge(0)),
            "roth_contribution_basis_end": pa.Column("int64", pa.Check.ge(0)),
            "roth_conversion_basis_end": pa.Column("int64", pa.Check.ge(0)),
        },
        checks=[
            eq("L3", lambda d: d["L1"] + d["L2"]),
            eq("L5", lambda d: d["L3"] - d["L4"]),
            eq("L9", lambda d: d["L6"] + d["L7"] + d["L8"]),
            eq("L13", lambda d: d["L11"] + d["L12"]),
            pa.Check(lambda d: d["L13"].isna() | (d["L13"] <= d["L5"]), name="13-within-5", error="13<=5"),
            eq("L18", lambda d: d["L16"] - d["L17"]),
            eq("L15c", lambda d: d["L15a"] - d["L15b"]),
        ],
    )
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        return sorted({str(c) for c in err.failure_cases["check"]})
    return []
