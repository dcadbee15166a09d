"""Roth conversions: a 1099-R payout (code 1, 2 or 7) from a traditional IRA and the 5498 box 3 of the Roth IRA
that received it. There is no conversion code on a 1099-R: only the two forms together say it."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from basis_ledger.model import Problem
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
    groups: dict[tuple, list] = defaultdict(list)
    for fname, ex in batch:
        ev = ex.events
        if ev is not None and "maybe_conversion" in ev:
            for i in ev.index[ev["maybe_conversion"].astype(bool)]:
                groups[(ev.at[i, "taxpayer"], int(ev.at[i, "tax_year"]))].append((fname, ex, i))
    problems = []
    for (who, year), cands in groups.items():
        total = arrived.get((who, year), 0)
        gross = sum(int(ex.events.at[i, "amount_cents"]) for _, ex, i in cands)
        net = sum(int(ex.events.at[i, "net_cents"]) for _, ex, i in cands)
        single = [
            c
            for c in cands
            if total in (int(c[1].events.at[c[2], "amount_cents"]), int(c[1].events.at[c[2], "net_cents"]))
        ]
        chosen = cands if total and total in (gross, net) else single[:1] if total else []
        for fname, ex, i in cands:
            line = int(ex.events.at[i, "source_line"])
            amount = format_cents(int(ex.events.at[i, "amount_cents"]), whole=False)
            if any(c[2] == i and c[1] is ex for c in chosen):
                ex.events.at[i, "kind"] = "conversion"
                ex.events.at[i, "memo"] += f"; a Roth conversion (Form 5498 box 3 {year})"
            elif total and not chosen:  # Roth money arrived, but no payout accounts for it
                problems.append(
                    Problem(
                        fname,
                        f"needs review: 1099-R payout of {amount} for {who} {year} does not match the "
                        f"{format_cents(total, whole=False)} of Roth conversions on Form 5498 box 3; say which "
                        'it was with --map "1099-R code X=conversion" (or =distribution)',
                        line=line or None,
                    )
                )
            else:
                ex.notes.append(
                    f"{fname}:{line}: 1099-R payout of {amount} for {who} {year} counted as a distribution; "
                    "if it was a Roth conversion, import the Roth IRA's Form 5498 (box 3) with it"
                )
    return problems
