"""The per-taxpayer ceiling on all amounts (money.MAX_TOTAL_CENTS) across the ledger and every file of an import:
the fast check (only taxpayers near the ceiling are summed one by one) says exactly what a plain sum says."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from basis_ledger.ingest.base import Extracted, to_arrow
from basis_ledger.ingest.source import SourceFile
from basis_ledger.ledger.importing import _over_the_ceiling
from basis_ledger.money import MAX_EVENT_CENTS, MAX_TOTAL_CENTS, format_cents

NAMES = ("ann", "bob", "cy", "dee")


class _Held:
    """What _over_the_ceiling reads of a ledger: each taxpayer's total, in the ledger's order."""

    def __init__(self, totals: list[tuple[str, int]]):
        self.totals = totals

    def amount_totals(self) -> list[tuple[str, int]]:
        return self.totals


def _plain(files: list[tuple[str, list[tuple[str, int]]]], held: list[tuple[str, int]]) -> list[tuple[str, str]]:
    """Every taxpayer's total as Python integers, in the order each was first seen (ledger, then files)."""
    totals = dict(held)
    first: dict[str, str] = {}
    for label, rows in files:
        for who in sorted({w for w, _ in rows}):
            totals[who] = totals.get(who, 0) + sum(c for w, c in rows if w == who)
            first.setdefault(who, label)
    return [(first[w], w) for w, t in totals.items() if t > MAX_TOTAL_CENTS and w in first]


amounts = st.sampled_from([0, 1, MAX_EVENT_CENTS // 3, MAX_EVENT_CENTS])
rows = st.lists(st.tuples(st.sampled_from(NAMES), amounts), max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    files=st.lists(st.tuples(rows, st.integers(0, 10_000)), min_size=1, max_size=4),
    held=st.lists(
        st.tuples(st.sampled_from(NAMES), st.sampled_from([0, 5, MAX_TOTAL_CENTS - 1])), unique_by=lambda t: t[0]
    ),
)
def test_the_ceiling_check_equals_a_plain_sum(files, held):
    # Each row stands for `copies` identical rows, so a file can come near the ceiling with few rows.
    staged, plain = [], []
    for i, (file_rows, copies) in enumerate(files):
        label = f"f{i}.csv"
        events = pd.DataFrame(
            {
                "taxpayer": pd.Series([w for w, _ in file_rows], dtype="str"),
                "amount_cents": pd.Series([c * copies for _, c in file_rows], dtype="int64"),
            }
        )
        staged.append((SourceFile(Path(label), b""), Extracted("generic", events=to_arrow(events))))
        plain.append((label, [(w, c * copies) for w, c in file_rows]))
    got = _over_the_ceiling(staged, _Held(held) if held else None)
    ceiling = format_cents(MAX_TOTAL_CENTS, whole=True)
    assert [(p.file, p.message) for p in got] == [
        (f, f"taxpayer '{w}': amounts total more than ${ceiling}, the ledger's ceiling (a typo?)")
        for f, w in _plain(plain, held)
    ]
