"""Computed lines as JSON objects (the `compute --json` contract) and as CSV rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from basis_ledger.engine.form8606 import Options
from basis_ledger.engine.results import LINE_KEYS, STATE_KEYS
from basis_ledger.money import ratio_str, round_to_unit

if TYPE_CHECKING:
    import pandas as pd


def money_value(cents: int, opts: Options) -> int | str:
    """Whole dollars as a JSON integer, or with --cents a string with two decimals."""
    if opts.cents:
        sign = "-" if cents < 0 else ""
        return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"
    return int(round_to_unit(cents, 100)) // 100


def as_objects(frame: pd.DataFrame, opts: Options) -> list[dict]:
    """One object per taxpayer, chain and year, in order. Lines the form skips are absent."""
    import pandas as pd

    objects = []
    line_cols = [(k, f"L{k}") for k in LINE_KEYS]
    records = frame.to_dict("records")
    for rec in records:
        lines: dict[str, int | str] = {}
        for key, col in line_cols:
            v = rec[col]
            if v is None or v is pd.NA:
                continue
            lines[key] = ratio_str(v, opts.ratio_places) if key == "10" else money_value(int(v), opts)
        obj = {
            "taxpayer": rec["taxpayer"],
            "chain": rec["chain"],
            "tax_year": int(rec["tax_year"]),
            "form_required": bool(rec["form_required"]),
            "lines": lines,
        }
        for k in STATE_KEYS:
            obj[k] = money_value(int(rec[k]), opts)
        obj["warnings"] = [w.as_dict() for w in rec["warnings"]]
        objects.append(obj)
    return objects
