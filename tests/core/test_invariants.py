"""The vectorized asserts every run makes (engine/invariants.py) name exactly the rules the lines' pandera model
(engine.results.check_lines) names, on computed frames with cells broken on purpose."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from basis_ledger.engine.form8606 import LINE_KEYS, Options
from basis_ledger.engine.invariants import broken_rules
from basis_ledger.engine.results import check_lines, compute_lines
from tests.core.helpers import csv_text, events_from

HISTORY = csv_text(
    "a,2019-04-10,2018,,traditional,basis_opening,68000,",
    "a,2019-12-31,,IRA,traditional,year_end_value,251300,",
    "a,2020-03-02,2019,IRA,traditional,nondeductible_contribution,6000,",
    "a,2020-05-02,,IRA,traditional,distribution,4000,",
    "a,2020-12-31,,IRA,traditional,year_end_value,272150,",
    "a,2021-02-01,2021,IRA,traditional,nondeductible_contribution,6000,",
    "a,2021-03-01,,IRA,traditional,conversion,20000,",
    "a,2021-12-31,,IRA,traditional,year_end_value,301800,",
    "b,2021-02-01,2021,R,roth,roth_contribution,6000,",
    "b,2022-02-01,,R,roth,roth_distribution,1000,",
)
FRAME = compute_lines(events_from(HISTORY), {}, Options())
COLUMNS = [f"L{k}" for k in LINE_KEYS] + ["basis_end", "roth_contribution_basis_end", "roth_conversion_basis_end"]


def test_a_computed_frame_breaks_nothing():
    assert broken_rules(FRAME, Options()) == [] == check_lines(FRAME, Options())


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, len(FRAME) - 1), st.sampled_from(COLUMNS), st.integers(-5, 10**6)), max_size=4)
)
def test_broken_cells_are_named_as_pandera_names_them(changes):
    frame = FRAME.copy()
    for row, col, delta in changes:
        if pd.isna(frame.at[row, col]):
            continue  # a skipped line stays skipped
        frame.at[row, col] = frame.at[row, col] + delta if delta > 0 else -1 - delta
    assert broken_rules(frame, Options()) == check_lines(frame, Options())
