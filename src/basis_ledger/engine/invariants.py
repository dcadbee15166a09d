"""The computed lines' invariants, checked on every run by vectorized asserts (numpy, no pandera).

The same rules as the lines' pandera model (engine.results.check_lines), which the tests keep running and compare
with this: every money line >= 0, line 10 within [0, 1], the bases at year end >= 0, and the form's arithmetic
(3 = 1 + 2, 5 = 3 - 4, 9 = 6 + 7 + 8, 13 = 11 + 12, 13 <= 5, 15c = 15a - 15b, 18 = 16 - 17). A line the form
skips (missing) passes, as does a rule one of whose other lines is missing. Names are the pandera checks' names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from basis_ledger.engine.form8606 import MONEY_LINES, Options

if TYPE_CHECKING:
    import pandas as pd

    from basis_ledger.engine.results import Lines

STATE_COLUMNS = ("basis_end", "roth_contribution_basis_end", "roth_conversion_basis_end")
# (name, line, [(sign, line), ...]): line = sum of sign * line
SUMS = (
    ("3-rule", "3", ((1, "1"), (1, "2"))),
    ("5-rule", "5", ((1, "3"), (-1, "4"))),
    ("9-rule", "9", ((1, "6"), (1, "7"), (1, "8"))),
    ("13-rule", "13", ((1, "11"), (1, "12"))),
    ("18-rule", "18", ((1, "16"), (-1, "17"))),
    ("15c-rule", "15c", ((1, "15a"), (-1, "15b"))),
)


def broken_rules(frame: pd.DataFrame | Lines, opts: Options) -> list[str]:
    """The names of the rules some row breaks (empty when the lines keep them all), sorted. `frame`: the lines
    as columns (the loader's) or as a frame (engine.results.compute_lines')."""
    import numpy as np

    from basis_ledger.engine.results import as_lines

    lines = as_lines(frame)
    line = lines.line
    broken: set[str] = set()
    for key in MONEY_LINES:
        v, ok = line(key)
        if (ok & (v < 0)).any():
            broken.add("greater_than_or_equal_to(0)")
    scale = 10**opts.ratio_places
    v, ok = line("10")
    if (ok & ((v < 0) | (v > scale))).any():
        broken.add(f"in_range(0, {scale})")
    for name in STATE_COLUMNS:
        if (lines.state[name] < 0).any():
            broken.add("greater_than_or_equal_to(0)")
    for name, target, terms in SUMS:
        total, ok = line(target)
        expect = np.zeros(len(lines), dtype=np.int64)
        for sign, key in terms:
            v, present = line(key)
            expect = expect + sign * v
            ok = ok & present
        if (ok & (total != expect)).any():
            broken.add(name)
    (l13, ok13), (l5, ok5) = line("13"), line("5")
    if (ok13 & ok5 & (l13 > l5)).any():
        broken.add("13<=5")
    return sorted(broken)
