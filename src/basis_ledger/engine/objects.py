"""The computed lines as plain objects: one dict per taxpayer, chain and year with the lines the form uses (the
`compute --json` contract's shape). The planner builds its before/after from them and the renderers print them,
so they live here, below both."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from basis_ledger.engine.form8606 import LINE_KEYS, Options
from basis_ledger.engine.results import STATE_KEYS, Lines, as_lines
from basis_ledger.money import json_amount, json_whole_dollars

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


def money_value(cents: int, opts: Options) -> int | str:
    """Whole dollars (half-up) as a JSON integer, or with --cents a string with two decimals (money.json_amount)."""
    return json_amount(cents, keep_cents=opts.cents)


def money_values(cents: np.ndarray, opts: Options) -> list[Any]:
    """money_value of each amount: whole dollars (half-up) as ints, or with --cents strings with two decimals."""
    import numpy as np

    cents = np.asarray(cents, dtype=np.int64)
    if opts.cents:
        return [json_amount(v, keep_cents=True) for v in cents.tolist()]
    whole: list[Any] = json_whole_dollars(cents).tolist()
    return whole


def ratio_values(scaled: np.ndarray, opts: Options) -> list[str]:
    """Line 10 (an integer scaled by 10**places) as its decimal text, e.g. "0.78431"."""
    scale, places = 10**opts.ratio_places, opts.ratio_places
    return [f"{v // scale}.{v % scale:0{places}d}" for v in scaled.tolist()]


def as_objects(frame: pd.DataFrame | Lines, opts: Options) -> list[dict[str, Any]]:
    """One object per taxpayer, chain and year, in order. Lines the form skips are absent. `frame`: the lines as
    columns (engine.results.Lines, the commands') or as a frame.

    Built column-wise: rows are grouped by which lines are present (a handful of patterns: the form's own
    skip structure), so each group's dicts come from one zip instead of a Python loop over every cell."""
    import numpy as np

    lines = as_lines(frame)
    n = len(lines)
    if n == 0:
        return []

    def money(cents: np.ndarray) -> list[Any]:
        return money_values(cents, opts)

    present = np.stack([lines.present[k] for k in LINE_KEYS], axis=1)
    rendered = []
    for i, key in enumerate(LINE_KEYS):
        values = lines.values[key]
        if not present[:, i].any():
            rendered.append(np.full(n, None, dtype=object))
        elif key == "10":
            rendered.append(np.array(ratio_values(values, opts), dtype=object))
        else:
            rendered.append(np.array(money(values), dtype=object))
    objs: list[dict[str, Any]] = [{}] * n
    codes = present.astype(np.int64) @ (np.int64(1) << np.arange(len(LINE_KEYS), dtype=np.int64))
    for code in sorted(set(codes.tolist())):  # not np.unique: it imports numpy.ma (50 ms) to check for a mask
        rows = np.flatnonzero(codes == code)
        on = [i for i in range(len(LINE_KEYS)) if code >> i & 1]
        if not on:
            continue
        keys = [LINE_KEYS[i] for i in on]
        picked = [rendered[i][rows].tolist() for i in on]
        for r, row_values in zip(rows.tolist(), zip(*picked, strict=True), strict=True):
            objs[r] = dict(zip(keys, row_values, strict=True))
    state = [money(lines.state[k]) for k in STATE_KEYS]  # basis_end, Roth contribution and conversion bases
    warnings = [[w.as_dict() for w in ws] for ws in lines.cautions]
    return [
        {
            "taxpayer": t,
            "chain": c,
            "tax_year": y,
            "form_required": f,
            "complete": ok,
            "lines": ln,
            "basis_end": b,
            "roth_contribution_basis_end": rc,
            "roth_conversion_basis_end": rv,
            "warnings": w,
        }
        for t, c, y, f, ok, ln, b, rc, rv, w in zip(
            lines.taxpayer.tolist(),
            lines.chain.tolist(),
            lines.tax_year.tolist(),
            lines.flags["form_required"].tolist(),
            lines.flags["complete"].tolist(),
            objs,
            *state,
            warnings,
            strict=True,
        )
    ]
