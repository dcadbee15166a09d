"""Rollovers: basis rolled into an employer plan, and the once-a-year limit on 60-day IRA rollovers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from basis_ledger.audit.findings import Evidence, Finding, RuleContext
from basis_ledger.audit.rules.common import Events, money, row_evidence
from basis_ledger.model import POOLED_TYPES

if TYPE_CHECKING:
    pass


def basis_to_plan(ctx: RuleContext) -> list[Finding]:
    """IRC 408(d)(3)(H): only pre-tax money may go to an employer plan. Pre-tax part = the pool's estimated value
    just before the rollover (audit/pool.py) less the basis at that moment (the engine's, for the history so far)."""
    import numpy as np

    from basis_ledger.audit.pool import Point, account_values_many, basis_at, ordered

    ev = ctx.events
    rolling = ev["kind"] == "rollover_to_plan"
    if not rolling.any():
        return []
    ev = ordered(ev[ev["taxpayer"].isin(set(ev.loc[rolling, "taxpayer"]))])
    rolls = ev[ev["kind"] == "rollover_to_plan"].to_dict("records")
    points = [Point(r["taxpayer"], r["date"], int(r["_order"])) for r in rolls]
    # All rollovers at once: one join of each rollover with its own taxpayer's history, one engine run.
    values_at, used_at = account_values_many(ev, points)
    bases = basis_at(ev, ctx.taxpayers, points, values_at)
    at = used_at["point"].to_numpy()  # sorted: each point's events are one slice
    starts, ends = np.searchsorted(at, np.arange(len(points))), np.searchsorted(at, np.arange(len(points)), "right")
    out = []
    for i, (r, basis) in enumerate(zip(rolls, bases, strict=True)):
        value = sum(values_at[i].values())
        pretax = max(value - basis, 0)
        if r["amount_cents"] <= pretax:
            continue
        used = used_at.iloc[starts[i] : ends[i]].drop(columns=["point"])
        unknown = ""
        if not (used["kind"] == "year_end_value").any():
            unknown = " (no 31 December value before it is in the ledger: the value counts only deposits since)"
        out.append(
            Finding(
                "basis-to-plan",
                r["taxpayer"],
                int(r["date"][:4]),
                f"{money(r['amount_cents'])} was rolled into an employer plan on {r['date']}, but only about "
                f"{money(pretax)} of the IRAs was pre-tax money (value {money(value)} less basis {money(basis)})"
                f"{unknown}; after-tax basis cannot go into a plan, so at most {money(pretax)} may be rolled.",
                expected=f"at most {money(pretax)}",
                found=money(r["amount_cents"]),
                evidence=(
                    row_evidence(r),
                    *(row_evidence(e) for e in used.to_dict("records")),
                    Evidence("computed", f"pool value on {r['date']} (estimate)", money(value)),
                    Evidence("computed", f"basis on {r['date']}", money(basis)),
                ),
            )
        )
    return out


def rollover_frequency(ctx: RuleContext) -> list[Finding]:
    """One 60-day IRA-to-IRA rollover per 12 months across all of a person's IRAs (Pub 590-A); direct
    trustee-to-trustee transfers are not rollover_out events and are not limited."""
    import numpy as np
    import pandas as pd

    ev = ctx.events
    pos = np.flatnonzero(((ev["kind"] == "rollover_out") & ev["account_type"].isin(POOLED_TYPES)).to_numpy())
    if len(pos) < 2:
        return []
    who, day = ev["taxpayer"].to_numpy()[pos], ev["date"].to_numpy()[pos]
    order = np.lexsort((day, who))  # by taxpayer, then date
    pos, who, day = pos[order], who[order], day[order]
    until = (pd.to_datetime(pd.Series(day[:-1])) + pd.DateOffset(years=1)).dt.strftime("%Y-%m-%d").to_numpy()
    hit = np.flatnonzero((who[1:] == who[:-1]) & (day[1:] < until))
    E = Events(ev)
    out = []
    for i in hit:
        prev, cur = pos[i], pos[i + 1]
        out.append(
            Finding(
                "rollover-frequency",
                who[i + 1],
                int(day[i + 1][:4]),
                f"The 60-day rollover of {money(E.col('amount_cents')[cur])} out of {E.col('account')[cur]} on "
                f"{day[i + 1]} comes within 12 months of the one on {day[i]}; only one is allowed per 12 months, so "
                "the second is a taxable distribution (use a direct trustee-to-trustee transfer instead).",
                expected=f"on or after {until[i]}",
                found=day[i + 1],
                evidence=E.evidence([prev, cur]),
            )
        )
    return out
