"""The tax year of a contribution: the custodian's wording, else a matching Form 5498, else the calendar year."""

from __future__ import annotations

from typing import TYPE_CHECKING

from basis_ledger.ingest.statements.profile import common
from basis_ledger.model import kinds

if TYPE_CHECKING:
    import pandas as pd


def deadline(tax_year: int) -> str:
    """The last day (ISO) to contribute for `tax_year`."""
    table = common()["deadlines"]
    return table.get(str(tax_year), f"{tax_year + 1}-{table['default']}")


def assign(frame: pd.DataFrame, wording: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(tax_year, source) for every event row: "wording", "date", or "date?" for a contribution dated from
    1 January to the deadline of the year before, which only a 5498 (or the user) can settle."""
    import numpy as np
    import pandas as pd

    if frame.empty:
        return pd.Series([], index=frame.index, dtype="int64"), pd.Series([], index=frame.index, dtype=object)
    year = frame["date"].str.slice(0, 4).astype("int64")
    contribution = frame["kind"].map({k: v.tax_year == "contribution" for k, v in kinds().items()}).fillna(False)
    prior = wording.eq("prior") & contribution
    tax_year = year - prior.astype("int64")
    in_window = frame["date"] <= year.map({y: deadline(int(y) - 1) for y in year.unique()}).astype(str)
    source = np.where(
        wording.isin(["prior", "current"]) & contribution,
        "wording",
        np.where(contribution & in_window, "date?", "date"),
    )
    return tax_year, pd.Series(source, index=frame.index)
