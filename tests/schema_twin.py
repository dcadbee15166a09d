"""The ledger's contract run twice: the import's vectorized evaluator (ledger/schema.validation_problems) and the
pandera model built from the same rules (ledger/schema.pandera_problems), which must find the same problems, in
the same order, with the same sentences. `twin_problems` is what the suite's fixture puts in the import's place
(tests/conftest.py), so every test that imports a file, every bad-input test among them, compares the two."""

from __future__ import annotations

from typing import Any

from basis_ledger.ingest.base import to_arrow
from basis_ledger.ledger import schema

FAST = schema.validation_problems


def as_frame(events: Any, files: Any = None) -> Any:
    """The pandas frame pandera reads: the table's columns (text as pandas' str dtype), and each row's file."""
    import pandas as pd

    table = to_arrow(events)
    frame = pd.DataFrame(
        {
            name: pd.array(table.column(name).to_pylist(), dtype="int64" if name in schema.INT_COLUMNS else "str")
            for name in table.column_names
            if name in (*schema.TEXT_COLUMNS, *schema.INT_COLUMNS)
        }
    )
    if files is not None:
        frame["source_file"] = [files(i) for i in range(len(frame))]
    elif hasattr(events, "columns") and "source_file" in events.columns:
        frame["source_file"] = events["source_file"].astype(str).to_numpy()
    return frame


def both(events: Any, fname: str, limit: int = 200, files: Any = None) -> tuple[list, list]:
    return FAST(events, fname, limit, files), schema.pandera_problems(as_frame(events, files), fname, limit)


def twin_problems(events: Any, fname: str, limit: int = 200, files: Any = None) -> list:
    fast, reference = both(events, fname, limit, files)
    assert [str(p) for p in fast] == [str(p) for p in reference], "the evaluator and the pandera model disagree"
    assert fast == reference
    return fast
