"""Computed lines as JSON objects (the `compute --json` contract) and as CSV rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from basis_ledger.engine.form8606 import Options
from basis_ledger.engine.objects import as_objects, money_value

__all__ = ["as_objects", "money_value", "write_json"]

if TYPE_CHECKING:
    import pandas as pd


def write_json(frame: pd.DataFrame, opts: Options, stream, chunk: int = 20_000) -> None:
    """The `compute --json` array, written a slice of rows at a time: one C-encoder call per slice, and never
    all 200,000 objects of a large ledger in memory at once."""
    import json

    stream.write("[")
    for start in range(0, len(frame), chunk):
        body = json.dumps(as_objects(frame.iloc[start : start + chunk], opts), ensure_ascii=False)[1:-1]
        stream.write(("," if start else "") + body)
    stream.write("]\n")
