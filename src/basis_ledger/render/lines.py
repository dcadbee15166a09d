"""Computed lines as JSON objects (the `compute --json` contract) and as CSV rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from basis_ledger.engine.form8606 import Options
from basis_ledger.engine.objects import as_objects, money_value

__all__ = ["as_objects", "money_value", "write_json"]

if TYPE_CHECKING:
    import pandas as pd

    from basis_ledger.engine.results import Lines


def write_json(frame: pd.DataFrame | Lines, opts: Options, stream, chunk: int = 20_000) -> None:
    """The `compute --json` array, built from the lines' columns (render/json_columns.py): the same bytes as
    `json.dumps(as_objects(slice), ensure_ascii=False)` slice by slice, without a dict per computed year."""
    from basis_ledger.render.json_columns import write_json as from_columns

    from_columns(frame, opts, stream, chunk)
