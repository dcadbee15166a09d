"""The computed lines as a validated frame, one row per taxpayer, chain and year, with their cautions."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np

from basis_ledger.engine import form8606
from basis_ledger.engine.form8606 import LINE_KEYS, MONEY_LINES, Computed, Options
from basis_ledger.engine.inputs import Inputs, build
from basis_ledger.model import Caution, Taxpayer
from basis_ledger.money import format_cents

if TYPE_CHECKING:
    import pandas as pd

    from basis_ledger.engine.columns import Columns

STATE_KEYS = ("basis_end", "roth_contribution_basis_end", "roth_conversion_basis_end")


class Cautions:
    """Each row's cautions as columns: `rows` (ascending row positions; a row's cautions in the order the rules
    give them) and `ids` into `made`, the distinct (immutable) Caution objects the rows share. `lists()` gives
    them as one sequence per row (the frame's `cautions` column, the plain objects); the JSON writer reads the
    columns."""

    def __init__(self, n: int, rows: np.ndarray, ids: np.ndarray, made: Sequence[Caution]) -> None:
        self.n, self.rows, self.ids, self.made = n, rows, ids, made

    @classmethod
    def of_lists(cls, lists: Sequence[Sequence[Caution]]) -> Cautions:
        """From one sequence per row (a frame's column): equal cautions share one id."""
        at: dict[Caution, int] = {}
        rows, ids = [], []
        for r, ws in enumerate(lists):
            for w in ws or ():
                rows.append(r)
                ids.append(at.setdefault(w, len(at)))
        return cls(len(lists), np.array(rows, dtype=np.int64), np.array(ids, dtype=np.int64), list(at))

    def lists(self) -> list[list[Caution] | tuple[()]]:
        """One list per row (a shared empty tuple where a row has none)."""
        out: list[list[Caution] | tuple[()]] = [()] * self.n
        made = self.made
        for r, i in zip(self.rows.tolist(), self.ids.tolist(), strict=True):
            have = out[r]
            if isinstance(have, list):
                have.append(made[i])
            else:
                out[r] = [made[i]]
        return out

    def counts(self) -> np.ndarray:
        """How many cautions each row has."""
        return np.bincount(self.rows, minlength=self.n)

    def take(self, rows: np.ndarray) -> Cautions:
        """The cautions of these rows (positions), renumbered in that order."""
        counts = self.counts()
        first = np.cumsum(counts) - counts  # where each row's cautions start in `rows` / `ids`
        picked = counts[rows]
        new_rows = np.repeat(np.arange(len(rows), dtype=np.int64), picked)
        start_new = np.cumsum(picked) - picked
        at = np.repeat(first[rows] - start_new, picked) + np.arange(len(new_rows), dtype=np.int64)
        return Cautions(len(rows), new_rows, self.ids[at], self.made)


class Lines:
    """The computed lines as columns, one row per (taxpayer, chain, tax_year) in output order: `values[k]` the
    cents of line k (line 10 scaled by 10**places; 0 where the form skips the line) and `present[k]` whether the
    form uses it, the state columns, the flags and each row's cautions. `frame()` is the same as a pandas frame
    (what `compute_lines` returns): the audit, planner and workbook read that; the commands read the columns."""

    FLAGS = ("part1", "part2", "part3", "form_required", "complete")

    def __init__(
        self,
        text: dict[str, np.ndarray],
        tax_year: np.ndarray,
        values: dict[str, np.ndarray],
        present: dict[str, np.ndarray],
        state: dict[str, np.ndarray],
        flags: dict[str, np.ndarray],
        cautions: Sequence[Sequence[Caution]] | Cautions,
        codes: dict[str, tuple[np.ndarray, list[str]]] | None = None,
    ) -> None:
        self.taxpayer, self.chain = text["taxpayer"], text["chain"]
        self.tax_year = tax_year
        self.values, self.present, self.state, self.flags = values, present, state, flags
        self._columns = cautions if isinstance(cautions, Cautions) else None
        self._lists = None if isinstance(cautions, Cautions) else cautions
        # taxpayer and chain as codes into their distinct names, where the engine had them (the JSON writer
        # quotes each name once instead of hashing 200,000 strings)
        self.codes = codes or {}

    def __len__(self) -> int:
        return len(self.tax_year)

    @property
    def cautions(self) -> Sequence[Sequence[Caution]]:
        """Each row's cautions (a shared empty tuple where there are none)."""
        if self._lists is None:
            assert self._columns is not None
            self._lists = self._columns.lists()
        return self._lists

    @property
    def caution_columns(self) -> Cautions:
        """The cautions as columns (rows, ids into distinct Cautions)."""
        if self._columns is None:
            assert self._lists is not None
            self._columns = Cautions.of_lists(self._lists)
        return self._columns

    def line(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """Line `key`'s cents (0 where skipped) and where the form uses it."""
        return self.values[key], self.present[key]

    def take(self, rows: np.ndarray) -> Lines:
        """These rows (positions or a boolean mask), in that order."""
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        cautions = self._columns.take(rows) if self._columns is not None else [self.cautions[i] for i in rows.tolist()]
        return self._rows(rows, cautions)

    def slice(self, start: int, stop: int) -> Lines:
        """Rows start to stop (positions), as views of these columns: no copy (what a writer cuts into blocks)."""
        cut = slice(start, stop)
        cautions: Cautions | Sequence[Sequence[Caution]]
        if self._columns is not None:
            c = self._columns
            lo, hi = np.searchsorted(c.rows, [start, stop])
            n = max(0, min(stop, len(self)) - start)
            cautions = Cautions(n, c.rows[lo:hi] - start, c.ids[lo:hi], c.made)
        else:
            cautions = self.cautions[cut]
        return self._rows(cut, cautions)

    def _rows(self, at: np.ndarray | builtins.slice, cautions: Cautions | Sequence[Sequence[Caution]]) -> Lines:
        """The rows `at` (positions, or a slice: views) of every column, with their cautions."""
        return Lines(
            {"taxpayer": self.taxpayer[at], "chain": self.chain[at]},
            self.tax_year[at],
            {k: v[at] for k, v in self.values.items()},
            {k: v[at] for k, v in self.present.items()},
            {k: v[at] for k, v in self.state.items()},
            {k: v[at] for k, v in self.flags.items()},
            cautions,
            {k: (code[at], names) for k, (code, names) in self.codes.items()},
        )

    @classmethod
    def of_frame(cls, frame: pd.DataFrame) -> Lines:
        """The columns of a lines frame (compute_lines' shape): for callers that hold a frame."""
        values, present = {}, {}
        for k in LINE_KEYS:
            s = frame[f"L{k}"]
            present[k] = s.notna().to_numpy(dtype=bool)
            values[k] = s.to_numpy(dtype=np.int64, na_value=0)
        return cls(
            {c: frame[c].to_numpy(dtype=object) for c in ("taxpayer", "chain")},
            frame["tax_year"].to_numpy(dtype=np.int64),
            values,
            present,
            {k: frame[k].to_numpy(dtype=np.int64) for k in STATE_KEYS},
            {k: frame[k].to_numpy(dtype=bool) for k in cls.FLAGS},
            list(frame["cautions"]),
        )

    def frame(self) -> pd.DataFrame:
        """As a pandas frame: `L<line>` nullable Int64 columns, the state columns, the flags, `cautions`."""
        import pandas as pd

        if not len(self):
            return _empty_lines()
        # Every column at once (a frame grown a column at a time re-arranges its blocks at each step: 0.03 s of
        # a 200,000-row range's lines, once per range of the audit).
        data: dict[str, Any] = {"taxpayer": self.taxpayer, "chain": self.chain, "tax_year": self.tax_year}
        for k in LINE_KEYS:
            data[f"L{k}"] = pd.arrays.IntegerArray(self.values[k].copy(), ~self.present[k])
        data.update({k: self.state[k] for k in STATE_KEYS})
        data.update({k: self.flags[k] for k in self.FLAGS})
        # Each row's own list (as compute_lines always gave them), also where the columns share an empty tuple:
        # made straight from the columns where the lines hold them (one list per row, filled in one pass, not the
        # shared lists first and a copy of each after): Lines.frame of 200,000 computed years 0.143-0.158 ->
        # 0.092-0.100 s CPU (best of 5, two interleaved runs, session 8).
        if self._columns is not None:
            fresh: list[list[Caution]] = [[] for _ in range(len(self))]
            made = self._columns.made
            for r, i in zip(self._columns.rows.tolist(), self._columns.ids.tolist(), strict=True):
                fresh[r].append(made[i])
        else:
            fresh = [list(ws) for ws in self.cautions]
        data["cautions"] = pd.Series(fresh, dtype=object)
        return pd.DataFrame(data)


def as_lines(lines: Lines | pd.DataFrame) -> Lines:
    """Columns of either shape (a frame from a caller that built one, or the loader's columns)."""
    return lines if isinstance(lines, Lines) else Lines.of_frame(lines)


@overload
def compute_lines(
    events: pd.DataFrame | Columns,
    taxpayers: dict[str, Taxpayer],
    opts: Options,
    inputs: Inputs | None = None,
    *,
    columns: Literal[False] = False,
) -> pd.DataFrame: ...


@overload
def compute_lines(
    events: pd.DataFrame | Columns,
    taxpayers: dict[str, Taxpayer],
    opts: Options,
    inputs: Inputs | None = None,
    *,
    columns: Literal[True],
) -> Lines: ...


def compute_lines(
    events: pd.DataFrame | Columns,
    taxpayers: dict[str, Taxpayer],
    opts: Options,
    inputs: Inputs | None = None,
    *,
    columns: bool = False,
) -> pd.DataFrame | Lines:
    """Events in, one row per (taxpayer, chain, tax_year) out: `L<line>` columns (cents; nullable where the
    form skips the line; L10 scaled by 10**places), state columns, flags, and a `warnings` list column.
    `inputs`: the events' engine inputs when the caller (the loader) has built them already. `columns=True`
    gives the `Lines` columns instead of the frame (the loader; no pandas)."""
    lines = _compute(events, taxpayers, opts, inputs)
    return lines if columns else lines.frame()


def _compute(
    events: pd.DataFrame | Columns, taxpayers: dict[str, Taxpayer], opts: Options, inputs: Inputs | None
) -> Lines:
    if not len(events):  # a taxpayer with no events yet: no rows (the checks and renderers still get every column)
        return _no_lines()
    return lines_of(inputs if inputs is not None else build(events, taxpayers), opts)


def lines_of(inp: Inputs, opts: Options) -> Lines:
    """The lines of engine inputs (of at least one event): the year passes, then one row per chain and year."""
    comp = form8606.compute(inp, opts)
    years = inp.years
    ch = inp.chain_columns
    first, last = ch["first_year"][:, None], ch["last_year"][:, None]
    in_range = (years[None, :] >= first) & (years[None, :] <= last)
    # Output order: by taxpayer, a person's own chain first, then inherited ones by name, then tax year.
    if inp.codes:  # codes into the sorted names: the same order as sorting the names themselves
        tp_rank, chain_rank = inp.codes["taxpayer"][0], inp.codes["chain"][0]
    else:
        _, tp_rank = np.unique(ch["taxpayer"], return_inverse=True)
        _, chain_rank = np.unique(ch["chain"], return_inverse=True)
    inherited = ch["chain"] != "own"
    order = np.lexsort((chain_rank.reshape(-1), inherited, tp_rank.reshape(-1)))
    pos, yj = np.nonzero(in_range[order])
    ci = order[pos]
    flat = ci * len(years) + yj  # each output row's (chain, year) cell: one flat take per column
    flat_by_year = yj * len(ch["chain"]) + ci  # the same cells of a year-major array (form8606.compute's)

    def at(a: np.ndarray) -> np.ndarray:
        if a.flags.c_contiguous:
            return np.take(a.reshape(-1), flat)
        return np.take(np.ascontiguousarray(a.T).reshape(-1), flat_by_year)

    flags = {k: at(comp.flags[k]) for k in ("part1", "part2", "part3")}
    flags["form_required"] = flags["part1"] | flags["part2"] | flags["part3"]
    # False where a figure the form needs is unknown (a 31 December value): the lines are not to be filed as is.
    flags["complete"] = ~at(comp.flags["incomplete"])
    return Lines(
        {"taxpayer": ch["taxpayer"][ci], "chain": ch["chain"][ci]},
        years[yj].astype(np.int64),
        {k: at(comp.values[k]) for k in LINE_KEYS},
        {k: at(comp.present[k]) for k in LINE_KEYS},
        {k: at(comp.state[k]) for k in STATE_KEYS},
        flags,
        _cautions(comp, ci, yj),
        {k: (code[ci], names) for k, (code, names) in inp.codes.items()},
    )


def _no_lines() -> Lines:
    empty = np.zeros(0, dtype=np.int64)
    return Lines(
        {"taxpayer": np.zeros(0, dtype=object), "chain": np.zeros(0, dtype=object)},
        empty,
        {k: empty for k in LINE_KEYS},
        {k: np.zeros(0, dtype=bool) for k in LINE_KEYS},
        {k: empty for k in STATE_KEYS},
        {k: np.zeros(0, dtype=bool) for k in Lines.FLAGS},
        [],
    )


def _empty_lines() -> pd.DataFrame:
    import pandas as pd

    cols: dict[str, Any] = {"taxpayer": pd.array([], dtype="str"), "chain": pd.array([], dtype="str")}
    cols["tax_year"] = np.array([], dtype=np.int64)
    cols |= {f"L{k}": pd.array([], dtype="Int64") for k in LINE_KEYS}
    cols |= {k: np.array([], dtype=np.int64) for k in STATE_KEYS}
    cols |= {k: np.array([], dtype=bool) for k in ("part1", "part2", "part3", "form_required", "complete")}
    cols["cautions"] = np.array([], dtype=object)
    return pd.DataFrame(cols)


def _cautions(comp: Computed, ci: np.ndarray, yj: np.ndarray) -> Cautions:
    """Cautions per row, as columns: a vectorized mask per code, then a sentence for each cell it flags (one
    sentence for all of them where it names nothing of the cell)."""
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
    rules: list[tuple[str, np.ndarray, Callable[[int, int], str] | str]] = [
        (
            "deductibility-unknown",
            a["undeclared"] > 0,
            lambda c, j: (
                f"{money(a['undeclared'][c, j])} of traditional IRA contributions for {years[j]} have no "
                "declared deductibility (custodians never report it); they are treated as nondeductible. Record the "
                f"decision with 'basis-ledger declare --taxpayer {inp.chain_columns['taxpayer'][c]} --year {years[j]} "
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
            (
                "A deductible contribution and a distribution in the same year: if the deduction depends on "
                "income, Pub 590-B Worksheet 1-1 replaces lines 6 to 12 and can change line 14."
            ),
        ),
        (
            "birth-date-unknown",
            (a["roth_distribution_nonqualified"] > 0) & ~inp.birth_known[:, None],
            (
                "Birth date unknown, so every Roth distribution is treated as nonqualified (Part III); set "
                "it with 'basis-ledger taxpayer set NAME --birth-date YYYY-MM-DD'."
            ),
        ),
    ]
    row_of = np.full(comp.values["1"].shape, -1, dtype=np.int64)  # (chain, year) -> output row, -1 outside
    row_of[ci, yj] = np.arange(len(ci))
    inside = row_of >= 0
    made: dict[Caution, int] = {}  # one (immutable) Caution per distinct sentence, shared by its rows
    rows, ids = [], []
    for code, mask, say in rules:
        cs, js = np.nonzero(mask & inside)
        rows.append(row_of[cs, js])
        if isinstance(say, str):  # the same sentence on every row it flags
            one = made.setdefault(Caution(code, say), len(made)) if len(cs) else 0
            ids.append(np.full(len(cs), one, dtype=np.int64))
        else:
            texts = [Caution(code, say(c, j)) for c, j in zip(cs.tolist(), js.tolist(), strict=True)]
            ids.append(np.array([made.setdefault(t, len(made)) for t in texts], dtype=np.int64))
    # Row order; a row's cautions in rule order (a stable sort of the rules' rows, concatenated in rule order).
    all_rows, all_ids = np.concatenate(rows), np.concatenate(ids)
    order = np.argsort(all_rows, kind="stable")
    return Cautions(len(ci), all_rows[order], all_ids[order], list(made))


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
