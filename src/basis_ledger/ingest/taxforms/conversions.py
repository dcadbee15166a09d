"""Roth conversions: a 1099-R payout (code 1, 2 or 7) from a traditional IRA and the 5498 box 3 of the Roth IRA
that received it. There is no conversion code on a 1099-R: only the two forms together say it."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from basis_ledger.model import Caution, Problem
from basis_ledger.money import format_cents

if TYPE_CHECKING:
    from basis_ledger.ingest.base import Extracted


def conversions(batch: list[tuple[str, Extracted]], forms: list) -> list[Problem]:
    """In place: payouts whose gross (or gross less withholding) the year's box 3 totals show arriving become
    conversions; the rest stay distributions with a note, or need review when box 3 matches none of them."""
    arrived: dict[tuple, int] = defaultdict(int)
    for t, y, _a, b, v in forms:
        if b == "box3_roth_conversion":
            arrived[(t, y)] += v
    import numpy as np

    # By whole columns, across every file of the import (a year's box 3 may cover payouts from several 1099-Rs):
    # 200,000 payouts must not mean 1.6 million scalar lookups.
    parts = []
    for n, (_fname, ex) in enumerate(batch):
        ev = ex.events
        if ev is None or "maybe_conversion" not in ev:
            continue
        rows = np.flatnonzero(ev["maybe_conversion"].astype(bool).to_numpy())
        if len(rows):
            parts.append((n, rows))
    if not parts:
        return []

    def column(name: str, dtype) -> np.ndarray:
        return np.concatenate([batch[n][1].events[name].to_numpy(dtype=dtype)[rows] for n, rows in parts])

    owner = np.concatenate([np.full(len(rows), n) for n, rows in parts])
    row = np.concatenate([rows for _, rows in parts])
    who, year = column("taxpayer", object), column("tax_year", np.int64)
    amount, net, line = column("amount_cents", np.int64), column("net_cents", np.int64), column("source_line", np.int64)
    chosen = np.zeros(len(row), dtype=bool)
    unmatched = np.zeros(len(row), dtype=bool)  # Roth money arrived, but no payout accounts for it
    for key in dict.fromkeys(zip(who.tolist(), year.tolist(), strict=True)):
        total = arrived.get(key, 0)
        if not total:
            continue
        here = np.flatnonzero((who == key[0]) & (year == key[1]))
        if total in (int(amount[here].sum()), int(net[here].sum())):
            chosen[here] = True
            continue
        single = here[(amount[here] == total) | (net[here] == total)]
        if len(single):
            chosen[single[0]] = True
        else:
            unmatched[here] = True
    problems: list[Problem] = []
    for n, _rows in parts:
        fname, ex = batch[n]
        ev, mine = ex.events, owner == n
        kind_col, memo_col = ev.columns.get_loc("kind"), ev.columns.get_loc("memo")
        take = mine & chosen
        if take.any():
            at = row[take]
            ev.iloc[at, kind_col] = "conversion"
            ev.iloc[at, memo_col] = [
                f"{m}; a Roth conversion (Form 5498 box 3 {y})"
                for m, y in zip(ev.iloc[at, memo_col].tolist(), year[take].tolist(), strict=True)
            ]
        for k in np.flatnonzero(mine & ~chosen):
            who_k, year_k, text = who[k], int(year[k]), format_cents(int(amount[k]), whole=False)
            if unmatched[k]:
                total = format_cents(arrived[(who_k, year_k)], whole=False)
                problems.append(
                    Problem(
                        fname,
                        f"needs review: 1099-R payout of {text} for {who_k} {year_k} does not match the "
                        f"{total} of Roth conversions on Form 5498 box 3; say which "
                        'it was with --map "1099-R code X=conversion" (or =distribution)',
                        line=int(line[k]) or None,
                    )
                )
            else:
                ex.cautions.append(
                    Caution(
                        "payout-counted-as-distribution",
                        f"1099-R payout of {text} for {who_k} {year_k} counted as a distribution; if it was a Roth "
                        "conversion, import the Roth IRA's Form 5498 (box 3) with it",
                        fname,
                        int(line[k]),
                    )
                )
    return problems
