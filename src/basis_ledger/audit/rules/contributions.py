"""Contributions: over the year's limit, and made after the year's deadline (schemas/limits.toml)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from basis_ledger.audit.columns import FindingColumns
from basis_ledger.audit.evidence import EvidenceColumns
from basis_ledger.audit.findings import Finding, RuleContext
from basis_ledger.audit.rules.common import (
    CONTRIBUTION_INPUTS,
    TRADITIONAL_CONTRIBUTION_INPUTS,
    money,
    placed_of,
)
from basis_ledger.model import kinds
from basis_ledger.taxcalendar import penalty

if TYPE_CHECKING:
    import numpy as np


def excess_contribution(ctx: RuleContext) -> FindingColumns:
    """Traditional + Roth contributions for a year, per person, over the year's limit (schemas/limits.toml).

    A contribution returned by the extended due date (15 October of the next year, moved off weekends and
    holidays) was never made. A recharacterized contribution counts once: docs/events.md records what it became
    as its own contribution, so the recharacterization takes the first one off (out of a Roth IRA before 2018 it
    undid a conversion instead). The findings, their texts and evidence are whole columns."""
    import numpy as np
    import pyarrow as pa

    from basis_ledger.audit.evidence import joined_array, match, money_array, texts_at, texts_of
    from basis_ledger.taxcalendar import last_conversion_recharacterization_year, limit_cents, smallest_limit_cents

    E = texts_of(ctx)
    kind_code, kind_names = E.codes("kind")
    table = {k: v.input for k, v in kinds().items()}
    inputs = [table.get(k) for k in kind_names.tolist()]

    def having(*wanted: str):  # rows whose kind's engine input is one of `wanted`, by one look-up per kind
        return np.array([i in wanted for i in inputs], dtype=bool)[kind_code]

    is_contrib = having(*CONTRIBUTION_INPUTS)
    late = placed_of(ctx).late  # after the extended due date of the year's return (taxcalendar)
    tax_year = E.ints("tax_year")
    is_back = (
        (having("returned") & ~late)
        | (
            having("recharacterized")
            & (~E.is_("account_type", "roth") | (tax_year > last_conversion_recharacterization_year()))
        )
        | having("recharacterized_roth_contribution")  # a Roth contribution moved to a traditional IRA, any year
    )
    amount = E.ints("amount_cents")
    keep = is_contrib | is_back
    rows = np.flatnonzero(keep)
    if not len(rows):
        return FindingColumns.empty()
    # Each (taxpayer, tax year)'s net contributions: keys in the order of the names as text, then the years.
    t_code, t_names = E.codes("taxpayer")
    ranks = _text_ranks(t_names)
    rank = ranks[t_code[rows]]
    first = int(tax_year[rows].min())
    span = int(tax_year[rows].max()) - first + 1
    keys, inverse = np.unique(rank * span + (tax_year[rows] - first), return_inverse=True)
    net_all = np.zeros(len(keys), dtype=np.int64)
    np.add.at(net_all, inverse, np.where(is_contrib[rows], amount[rows], 0) - np.where(is_back[rows], amount[rows], 0))
    can = net_all > smallest_limit_cents()  # only totals that can exceed some limit
    # The taxpayers are kept as codes of the shared texts (the code at each rank), their names made only for the
    # findings: no look-up of a Python string per total.
    code_by_rank = np.argsort(ranks)
    who_all = code_by_rank[keys[can] // span]
    year_all = keys[can] % span + first
    total_all = net_all[can]
    # The limit without the catch-up is the lowest a person can have: totals at or below it are skipped whole.
    uniq, inverse = np.unique(year_all, return_inverse=True)
    bases = [limit_cents(int(y), None) for y in uniq.tolist()]
    lowest = np.array([b[0] if b is not None else np.iinfo(np.int64).max for b in bases], dtype=np.int64)
    over = np.flatnonzero(total_all > lowest[inverse])
    who, years, totals = who_all[over], year_all[over], total_all[over]
    limit_of, catch_of, pair = _limits(ctx, t_names, who, years)
    hit = np.flatnonzero(totals > limit_of[pair])
    if not len(hit):
        return FindingColumns.empty()
    who, years, totals, limits, catch = who[hit], years[hit], totals[hit], limit_of[pair[hit]], catch_of[pair[hit]]
    take, starts = match(rows, [t_code[rows], tax_year[rows]], [who, years]).taken_array()
    pieces = E.row_evidence_columns(take)
    total_text, limit_text = money_array(totals), money_array(limits)
    messages = joined_array(
        "Your IRA contributions for ",
        years,
        " add up to ",
        total_text,
        ", over the ",
        limit_text,
        " limit",
        pa.array(np.array(_WHY, dtype=object)).take(catch),
        "; withdraw the excess ",
        money_array(totals - limits),
        " with its earnings by the due date of the ",
        years,
        f" return, or it owes a {penalty('excess_contribution_percent')}% excise tax every year it stays (Form 5329).",
    )
    return FindingColumns.build(
        "excess-contribution",
        texts_at(t_names, who),
        years,
        messages,
        expected=joined_array("at most ", limit_text),
        found=total_text,
        evidence=EvidenceColumns(starts, pieces.file, pieces.where, pieces.what).lists(),
    )


def _limits(ctx: RuleContext, names: np.ndarray, who: np.ndarray, years: np.ndarray):
    """Each (taxpayer code into `names`, year)'s limit and catch-up (an index into _WHY) as `limit_of[pair]`,
    `catch_of[pair]`: one limit look-up per distinct (year, birth date), the pairs found as integers. An unknown
    birth date (none recorded, or a taxpayer not in the table) is "": limit_cents reads it as None."""
    import numpy as np
    import pandas as pd

    from basis_ledger.taxcalendar import limit_cents

    people = list(ctx.taxpayers)
    births = [ctx.taxpayers[t].birth_date or "" for t in people] + [""]
    b_code, b_names = pd.factorize(np.array(births, dtype=object))  # equal dates, equal codes
    # each name's place in the table (-1, not in it: the last entry, "") once per distinct name
    birth_of = b_code[pd.Index(people, dtype=object).get_indexer(np.asarray(names, dtype=object))][who]
    y0 = int(years.min()) if len(years) else 0
    key = (years - y0) * len(b_names) + birth_of
    distinct, pair = np.unique(key, return_inverse=True)
    known = [limit_cents(int(k // len(b_names) + y0), b_names[k % len(b_names)] or None) for k in distinct.tolist()]
    no_limit = np.iinfo(np.int64).max  # a year not in the table has no limit to exceed
    limit_of = np.array([k[0] if k is not None else no_limit for k in known], dtype=np.int64)
    catch_of = np.array([_CATCH_UP[k[1]] if k is not None else 0 for k in known], dtype=np.int64)
    return limit_of, catch_of, pair


def _text_ranks(values):
    """Each value's place among the values sorted as text (distinct values)."""
    import numpy as np

    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[order] = np.arange(len(values))
    return ranks


# Whether the catch-up for people 50 or older was applied (taxcalendar.limit_cents), as an index into _WHY.
_CATCH_UP = {False: 0, True: 1, None: 2}
_WHY = (
    "",
    " (including the catch-up for people 50 or older)",
    " (the limit without the age-50 catch-up: the birth date is unknown; set it with 'basis-ledger taxpayer set')",
)


def late_contribution(ctx: RuleContext) -> list[Finding]:
    """A contribution for year Y deposited after Y's deadline (schemas/limits.toml) does not count for Y.

    Only contributions are compared (their dates against their years' deadlines, by position in the shared
    texts); the few that are late are written one by one."""
    import numpy as np

    from basis_ledger.audit.evidence import texts_of
    from basis_ledger.taxcalendar import contribution_deadline_iso as deadline

    E = texts_of(ctx)
    kind_code, kind_names = E.codes("kind")
    table = {k: v.input for k, v in kinds().items()}
    inputs = [table.get(k) for k in kind_names.tolist()]
    is_contrib = np.array([i in CONTRIBUTION_INPUTS for i in inputs], dtype=bool)
    pos = np.flatnonzero(is_contrib[kind_code])
    if not len(pos):
        return []
    years = E.ints("tax_year")[pos]
    distinct, inverse = np.unique(years, return_inverse=True)
    due = np.array([deadline(int(y)) for y in distinct.tolist()], dtype=object)[inverse]
    late = np.flatnonzero(E.at("date", pos) > due)
    out = []
    for p, y, by in zip(pos[late].tolist(), years[late].tolist(), due[late].tolist(), strict=True):
        at = np.array([p], dtype=np.int64)
        day, account = str(E.at("date", at)[0]), E.at("account", at)[0]
        out.append(
            Finding(
                "late-contribution",
                E.at("taxpayer", at)[0],
                y,
                f"The {money(int(E.at('amount_cents', at)[0]))} contribution to {account} recorded for {y} was "
                f"deposited on {day}, after the {y} deadline of {by}; it can only count for {day[:4]}.",
                line="1" if inputs[kind_code[p]] in TRADITIONAL_CONTRIBUTION_INPUTS else None,
                expected=f"by {by}",
                found=day,
                evidence=tuple(E.row_evidence(at)),
            )
        )
    return out
