"""Custodian cell conventions, vectorized: signed amounts (`$1,234.56`, `-$7461.72`, `(10.35)`) and dates."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

_SIGNED = (
    r"^(?P<open>\()?(?P<m1>[-+])?\$?(?P<m2>[-+])?(?P<int>\d{1,3}(?:,\d{3})+|\d*)"
    r"(?:\.(?P<frac>\d+))?(?P<close>\))?$"
)


def signed_cents(raw: pd.Series, placeholders: frozenset[str]) -> tuple[pd.Series, pd.Series]:
    """Cash amounts as custodians write them -> (int64 cents, negative for money out; problem text or "").

    Parentheses and a minus (before or after the `$`) mean out. Digits past the cents must be zeros: an amount
    in fractions of a cent is a share count or a price, not cash.
    """
    import numpy as np
    import pandas as pd

    text = raw.fillna("").astype(str).str.strip().str.replace(" ", "", regex=False)
    missing = text.isin(list(placeholders))
    parts = text.str.extract(_SIGNED)
    whole = parts["int"].fillna("").str.replace(",", "", regex=False)
    frac = parts["frac"].fillna("")
    paren_ok = parts["open"].notna() == parts["close"].notna()
    ok = parts["int"].notna() & ((whole != "") | (frac != "")) & paren_ok & (whole.str.len() <= 12)
    ok &= ~(parts["m1"].notna() & parts["m2"].notna())
    sub_cent = frac.str.slice(2).str.strip("0") != ""
    cents = np.zeros(len(text), dtype=np.int64)
    good = (ok & ~sub_cent & ~missing).to_numpy()
    if good.any():
        w = pd.to_numeric(whole[good].replace("", "0")).to_numpy(dtype=np.int64)
        f = pd.to_numeric(frac[good].str.slice(0, 2).str.ljust(2, "0")).to_numpy(dtype=np.int64)
        neg = (parts["open"].notna() | (parts["m1"] == "-") | (parts["m2"] == "-"))[good].to_numpy()
        cents[good] = np.where(neg, -1, 1) * (w * 100 + f)
    problem = pd.Series("", index=raw.index, dtype=object)
    problem[~ok] = "not an amount"
    problem[ok & sub_cent] = "an amount in fractions of a cent (a share count or price, not cash?)"
    problem[missing] = "missing amount"
    return pd.Series(cents, index=raw.index, dtype="int64"), problem


def iso_dates(raw: pd.Series, formats: tuple[str, ...], as_of: str) -> pd.Series:
    """`MM/DD/YYYY`, `M/D/YY`, `YYYY-MM-DD`, `04/17/2023 as of 04/15/2023` -> `YYYY-MM-DD`, or "" when unreadable.

    With "as of", the effective date (the second) is the date that counts for a deadline, unless the profile
    says otherwise.
    """
    import pandas as pd

    text = raw.fillna("").astype(str).str.strip()
    split = text.str.split(r"\s+as\s+of\s+", n=1, regex=True, expand=True)
    if split.shape[1] == 2 and as_of == "effective":
        text = split[1].where(split[1].notna() & (split[1] != ""), split[0])
    else:
        text = split[0]
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    for fmt in (*formats, "%Y-%m-%d"):
        todo = out.isna()
        if not todo.any():
            break
        out[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    return out.dt.strftime("%Y-%m-%d").fillna("")
