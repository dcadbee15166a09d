"""Rollovers: basis rolled into an employer plan, and the once-a-year limit on 60-day IRA rollovers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from basis_ledger.audit.findings import Evidence, Finding, RuleContext
from basis_ledger.model import POOLED_TYPES

if TYPE_CHECKING:
    pass


def basis_to_plan(ctx: RuleContext) -> list[Finding]:
    """IRC 408(d)(3)(H): only pre-tax money may go to an employer plan. Pre-tax part = the pool's estimated value
    just before the rollover (audit/pool.py) less the basis at that moment (the engine's, for the history so far).

    All rollovers at once: one join of each rollover with its own taxpayer's history, one engine run; texts and
    evidence only for the rollovers that are findings."""
    import numpy as np

    from basis_ledger.audit.evidence import money_texts, ranges, texts_of
    from basis_ledger.audit.pool import Codes, Point, account_values_many, basis_at, ordered

    ev = ctx.events
    E = texts_of(ctx)  # the same rows as the events: their kinds and taxpayers compared as codes
    rolling = E.is_("kind", "rollover_to_plan")
    if not rolling.any():
        return []
    t_code = E.codes("taxpayer")[0]
    rollers = np.isin(t_code, np.unique(t_code[rolling]))
    # The estimate and the engine read neither the file, the memo nor the digest: the long texts are left behind
    # (every merge and sort below would copy them) and the evidence is read from the whole frame by `_ev`, each
    # row's position in it.
    keep = [c for c in ev.columns if c not in _NOT_ESTIMATED]
    ev = ordered(ev.loc[rollers, keep].assign(_ev=np.flatnonzero(rollers)))
    at = np.flatnonzero(rolling[rollers])
    whole_at = ev["_ev"].to_numpy(dtype=np.int64)[at]
    r_who, r_date = E.at("taxpayer", whole_at).tolist(), E.at("date", whole_at).tolist()
    r_amount = E.at("amount_cents", whole_at).tolist()
    points = [Point(t, d, int(o)) for t, d, o in zip(r_who, r_date, ev["_order"].to_numpy()[at].tolist(), strict=True)]
    codes = Codes(ev, E, np.flatnonzero(rollers))  # the shared texts' codes at these rows, for both steps
    values_at, used_at = account_values_many(ev, points, codes)
    bases = basis_at(ev, ctx.taxpayers, points, values_at, codes)
    totals = [sum(v.values()) for v in values_at]
    hits = [i for i in range(len(points)) if r_amount[i] > max(totals[i] - bases[i], 0)]
    if not hits:
        return []
    point_of = used_at["point"].to_numpy()  # sorted: each point's events are one slice
    hit_arr = np.array(hits, dtype=np.int64)
    starts, ends = np.searchsorted(point_of, hit_arr), np.searchsorted(point_of, hit_arr, "right")
    take = used_at["_ev"].to_numpy(dtype=np.int64)[ranges(starts, ends - starts)]
    used_evidence = E.row_evidence(take)
    used_is_value = E.is_("kind", "year_end_value")[take].tolist()
    own_evidence = E.row_evidence(whole_at[hit_arr])
    value = np.array([totals[i] for i in hits], dtype=np.int64)
    basis = np.array([bases[i] for i in hits], dtype=np.int64)
    pretax = np.maximum(value - basis, 0)
    value_t, basis_t, pretax_t = money_texts(value), money_texts(basis), money_texts(pretax)
    amount_t = money_texts([r_amount[i] for i in hits])
    out = []
    offset = 0
    for k, i in enumerate(hits):
        n = int(ends[k] - starts[k])
        used = used_evidence[offset : offset + n]
        has_value = any(used_is_value[offset : offset + n])
        offset += n
        unknown = ""
        if not has_value:
            unknown = " (no 31 December value before it is in the ledger: the value counts only deposits since)"
        day = r_date[i]
        out.append(
            Finding(
                "basis-to-plan",
                r_who[i],
                int(day[:4]),
                f"{amount_t[k]} was rolled into an employer plan on {day}, but only about "
                f"{pretax_t[k]} of the IRAs was pre-tax money (value {value_t[k]} less basis {basis_t[k]})"
                f"{unknown}; after-tax basis cannot go into a plan, so at most {pretax_t[k]} may be rolled.",
                expected=f"at most {pretax_t[k]}",
                found=amount_t[k],
                evidence=(
                    own_evidence[k],
                    *used,
                    Evidence("computed", f"pool value on {day} (estimate)", value_t[k]),
                    Evidence("computed", f"basis on {day}", basis_t[k]),
                ),
            )
        )
    return out


_NOT_ESTIMATED = frozenset({"source_file", "source_sha256", "memo"})


def rollover_frequency(ctx: RuleContext) -> list[Finding]:
    """One 60-day IRA-to-IRA rollover per 12 months across all of a person's IRAs (Pub 590-A); direct
    trustee-to-trustee transfers are not rollover_out events and are not limited."""
    import numpy as np
    import pandas as pd

    from basis_ledger.audit.evidence import money_texts, texts_of

    E = texts_of(ctx)  # by position in the shared texts: no column of the frame is turned into Python strings
    type_code, type_names = E.codes("account_type")
    pooled = np.array([t in POOLED_TYPES for t in type_names.tolist()], dtype=bool)[type_code]
    pos = np.flatnonzero(E.is_("kind", "rollover_out") & pooled)
    if len(pos) < 2:
        return []
    who, day = E.at("taxpayer", pos), E.at("date", pos)
    order = np.lexsort((day, who))  # by taxpayer, then date
    pos, who, day = pos[order], who[order], day[order]
    until = (pd.to_datetime(pd.Series(day[:-1])) + pd.DateOffset(years=1)).dt.strftime("%Y-%m-%d").to_numpy()
    hit = np.flatnonzero((who[1:] == who[:-1]) & (day[1:] < until))
    if not len(hit):
        return []
    pairs = np.stack([pos[hit], pos[hit + 1]], axis=1).ravel()  # each finding's two rollovers, in order
    evidence = E.row_evidence(pairs)
    amounts = money_texts(E.at("amount_cents", pos[hit + 1]))
    accounts = E.text_at("account", pos[hit + 1]).tolist()
    out = []
    for k, i in enumerate(hit.tolist()):
        out.append(
            Finding(
                "rollover-frequency",
                who[i + 1],
                int(day[i + 1][:4]),
                f"The 60-day rollover of {amounts[k]} out of {accounts[k]} on "
                f"{day[i + 1]} comes within 12 months of the one on {day[i]}; only one is allowed per 12 months, so "
                "the second is a taxable distribution (use a direct trustee-to-trustee transfer instead).",
                expected=f"on or after {until[i]}",
                found=day[i + 1],
                evidence=(evidence[2 * k], evidence[2 * k + 1]),
            )
        )
    return out
