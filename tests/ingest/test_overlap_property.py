"""Property (issue 10): importing any permutation of overlapping slices of one history, in any grouping into
imports, gives the same ledger as importing the history once. On both engines: 30 examples on SQLite, 10 on
PostgreSQL (each example there makes two databases; the matching code is the same, the store under it differs)."""

from __future__ import annotations

import itertools
import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from basis_ledger.ledger.importing import import_files
from basis_ledger.ledger.store import Ledger
from tests.core.helpers import HEADER

START = date(2022, 1, 1)
ACCOUNTS = ("IRA-1", "IRA-2")


@st.composite
def histories(draw):
    """Rows (date, account, kind, cents), dated over two years, with same-day identical repeats."""
    rows = []
    for _ in range(draw(st.integers(1, 25))):
        day = START + timedelta(days=draw(st.integers(0, 729)))
        account = draw(st.sampled_from(ACCOUNTS))
        cents = draw(st.sampled_from([50_000, 100_000, 123_456, 700_000]))
        rows += [(day.isoformat(), account, "distribution", cents)] * draw(st.integers(1, 3))
    for year in (2022, 2023):  # one 31 December value per account and year: no conflicts in one true history
        for account in ACCOUNTS:
            if draw(st.booleans()):
                rows.append((f"{year}-12-31", account, "year_end_value", draw(st.integers(1, 10**8))))
    return sorted(rows)


@st.composite
def slices(draw, rows):
    """Date windows that together cover the history, overlapping by a few days to months, in a random order."""
    cuts = sorted(draw(st.lists(st.integers(1, 728), max_size=5, unique=True)))
    edges = [0, *cuts, 730]
    windows = []
    for a, b in itertools.pairwise(edges):
        before, after = draw(st.integers(0, 90)), draw(st.integers(0, 90))
        windows.append((START + timedelta(days=max(0, a - before)), START + timedelta(days=min(729, b + after))))
    for s, n in draw(st.lists(st.tuples(st.integers(0, 729), st.integers(0, 200)), max_size=2)):
        windows.append((START + timedelta(days=s), START + timedelta(days=min(729, s + n))))  # a stray download
    order = draw(st.permutations(range(len(windows))))
    groups = draw(st.lists(st.integers(1, 3), min_size=len(windows), max_size=len(windows)))
    return [windows[i] for i in order], groups


def text(rows) -> str:
    body = [f"ed,{d},{d[:4]},{a},traditional,{k},{c // 100}.{c % 100:02d},statement" for d, a, k, c in rows]
    return HEADER + "\n" + "\n".join(body) + "\n"


def ledger_rows(ledger) -> list[tuple]:
    with Ledger.open(ledger.path()) as store:
        ev = store.events(provenance=False)
    return sorted(zip(ev["date"], ev["account"], ev["kind"], ev["amount_cents"].tolist(), strict=True))


EXAMPLES = {"sqlite": 30, "postgresql": 10}


def test_overlapping_slices_in_any_order_make_the_same_ledger(new_ledger) -> None:
    # A fresh pair of ledgers per example from the one fixture (pytest does not reset fixtures between examples).
    @settings(max_examples=EXAMPLES[new_ledger.engine], deadline=None)
    @given(st.data())
    def check(data) -> None:
        rows = data.draw(histories())
        windows, groups = data.draw(slices(rows))
        once, sliced = new_ledger(), new_ledger()
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            whole = folder / "whole.csv"
            whole.write_text(text(rows))
            import_files(once.path(), [whole])
            files = []
            for n, (a, b) in enumerate(windows):
                part = [r for r in rows if a.isoformat() <= r[0] <= b.isoformat()]
                if part:
                    path = folder / f"slice-{n}.csv"
                    path.write_text(text(part))
                    files.append(path)
            i = 0
            for size in groups:  # some slices imported together, some alone
                if i >= len(files):
                    break
                import_files(sliced.path(), files[i : i + size])
                i += size
            assert ledger_rows(sliced) == ledger_rows(once) == sorted((d, a, k, c) for d, a, k, c in rows)

    check()
