"""Every staged file's events of one import as one frame, for the checks that look across files.

A season's import is often dozens of files of a few events each; a check run file by file pays pandas' fixed
cost of each operation once per file, which is most of its time. The checks read one frame instead: the columns
they need, in file order and row order, with the file (`file_index`, its place in the batch) and row (`file_row`,
its position in that file's frame) of each row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def together(
    frames: list[pd.DataFrame | None], columns: list[str], missing: dict[str, str] | None = None
) -> pd.DataFrame | None:
    """`columns` of every non-empty frame, one after another; None when no frame has a row.

    A column named in `missing` is taken with that value where a frame lacks it (e.g. a generic CSV's events
    have no `tax_year_from`); any other column must be in every frame."""
    import numpy as np
    import pandas as pd

    parts = [(i, ev) for i, ev in enumerate(frames) if ev is not None and len(ev)]
    if not parts:
        return None

    def cut(ev: pd.DataFrame) -> pd.DataFrame:
        lacking = {c: v for c, v in (missing or {}).items() if c not in ev.columns}
        return (ev.assign(**lacking) if lacking else ev)[columns]

    names = list(parts[0][1].columns)
    if len(parts) > 1 and all(list(ev.columns) == names for _, ev in parts) and all(c in names for c in columns):
        out = pd.concat([ev for _, ev in parts], ignore_index=True)[columns]  # one copy, no per-file selection
    else:
        out = pd.concat([cut(ev) for _, ev in parts], ignore_index=True) if len(parts) > 1 else cut(parts[0][1])
        out = out.reset_index(drop=True)
    sizes = [len(ev) for _, ev in parts]
    return out.assign(
        file_index=np.repeat(np.array([i for i, _ in parts], dtype=np.int64), sizes),
        file_row=np.concatenate([np.arange(n, dtype=np.int64) for n in sizes]),
    )
