"""Custodian documents against the ledger: 5498 box 5 against line 6, 1099-R box 1 against lines 7 + 8 and 19."""

from __future__ import annotations

from collections import defaultdict

from basis_ledger.audit.context import AuditContext, dollars, event_evidence, tolerance_cents
from basis_ledger.audit.documents import Document, documents, pooled_or_inherited, spec
from basis_ledger.audit.filed import line_value, whole_rows
from basis_ledger.audit.findings import Finding
from basis_ledger.model import POOLED_TYPES


def fmv_mismatch(ctx: AuditContext) -> list[Finding]:
    """Form 5498 box 5 summed over a person's traditional, SEP and SIMPLE IRAs is the value part of line 6
    (8606 line 6 instructions). Checked in years whose form uses line 6."""
    tol = tolerance_cents("fmv-mismatch")
    groups: dict[tuple, list[Document]] = defaultdict(list)
    for d in documents(ctx):
        if d.form == "5498" and pooled_or_inherited(d) and d.amount("fmv") is not None:
            groups[(d.taxpayer, d.chain, d.year)].append(d)
    rows = whole_rows(ctx) if groups else {}
    out = []
    for (t, chain, year), docs in sorted(groups.items()):
        if line_value(rows.get((t, chain, year)), "6") is None:
            continue  # the form does not use line 6 this year
        total = sum(d.amount("fmv") for d in docs)
        ledger = ctx.input_value("year_end_value", t, chain, year)
        if abs(total - ledger) <= tol:
            continue
        here = ctx.at(t, chain, year)
        values = here[(here["kind"] == "year_end_value") & _pool_mask(here, chain)]
        by_acct = values.groupby("account")["amount_cents"].sum().to_dict()
        off = [d.account for d in docs if abs(d.amount("fmv") - by_acct.get(d.account, 0)) > tol]
        off += [a for a in by_acct if a not in {d.account for d in docs}]
        where = f" (the difference is at {', '.join(sorted(set(off)))})" if off else ""
        msg = (
            f"Your {year} Forms 5498 put the traditional, SEP and SIMPLE IRAs at {dollars(total)} on 31 December, "
            f"but the ledger's year-end values add to {dollars(ledger)}{where}; line 6, and so the taxable part "
            "of that year's distributions and conversions, depends on it."
        )
        ev = [d.evidence("fmv", f"box 5 = {dollars(d.amount('fmv'))}") for d in docs] + event_evidence(values)
        out.append(
            Finding(
                "fmv-mismatch",
                t,
                year,
                msg,
                line="6",
                expected=dollars(total),
                found=dollars(ledger),
                chain=chain,
                evidence=tuple(ev),
            )
        )
    return out


def _pool_mask(keyed, chain: str):
    if chain == "own":
        return keyed["account_type"].isin(POOLED_TYPES)
    return keyed["account_type"] == "inherited_traditional"


def r1099_mismatch(ctx: AuditContext) -> list[Finding]:
    """IRA 1099-R box 1 totals, less what is not a distribution on the form, against the ledger's line 7 + 8
    (traditional, SEP, SIMPLE; each inherited IRA on its own) and its Roth distributions (line 19). Checked for
    every year the ledger holds any custodian document of the taxpayer."""
    tol = tolerance_cents("1099r-mismatch")
    docs = documents(ctx)
    if not docs:
        return []
    years = {(d.taxpayer, d.year) for d in docs}
    keyed = ctx.keyed
    pairs = keyed[["taxpayer", "chain"]].drop_duplicates()  # distinct pairs first: no Python walk of every event
    chains = set(zip(pairs["taxpayer"].tolist(), pairs["chain"].tolist(), strict=True))
    out = []
    for t, year in sorted(years):
        mine = [d for d in docs if d.taxpayer == t and d.year == year and d.form == "1099-R"]
        for chain in sorted({c for (t2, c) in chains if t2 == t} | {d.chain for d in mine if pooled_or_inherited(d)}):
            f = _check_pool(
                ctx, keyed, t, chain, year, [d for d in mine if pooled_or_inherited(d) and d.chain == chain], tol
            )
            if f:
                out.append(f)
        f = _check_roth(ctx, keyed, t, year, [d for d in mine if d.type == "roth"], tol)
        if f:
            out.append(f)
    return out


def _net(docs: list[Document]) -> tuple[int, list]:
    skip = set(spec()["codes"]["not_distributed"])
    total, ev = 0, []
    for d in docs:
        gross = d.amount("gross") or 0
        excluded = bool(d.codes & skip)
        total += 0 if excluded else gross
        note = f" code {''.join(sorted(d.codes))}" + (" (not a distribution on the form)" if excluded else "")
        ev.append(d.evidence("gross", f"box 1 = {dollars(gross)}{note}"))
    return total, ev


def _check_pool(ctx, keyed, t, chain, year, docs, tol) -> Finding | None:
    net, ev = _net(docs)
    uncoded = set(spec()["ledger"]["uncoded_exclusions"])
    if any("Y" in d.codes for d in docs):
        uncoded.discard("qualified_charitable_distribution")  # coded on the 1099-R itself
    here = ctx.at(t, chain, year)
    here = here[_pool_mask(here, chain)]
    off = here[here["kind"].isin(uncoded)]
    expected = net - int(off["amount_cents"].sum())
    found = ctx.input_value("distribution", t, chain, year) + ctx.input_value("conversion", t, chain, year)
    if abs(expected - found) <= tol:
        return None
    flows = here[here["kind"].isin(["distribution", "conversion", *uncoded])]
    less = f", less {dollars(int(off['amount_cents'].sum()))} of rollovers, QCDs and HSA transfers" if len(off) else ""
    msg = (
        f"Your {year} IRA Forms 1099-R report {dollars(net)} paid out{less}, which should equal lines 7 + 8 "
        f"(distributions and conversions), but the ledger has {dollars(found)}; a distribution or conversion is "
        "missing, counted twice, or classified differently."
    )
    return Finding(
        "1099r-mismatch",
        t,
        year,
        msg,
        line="7+8",
        expected=dollars(expected),
        found=dollars(found),
        chain=chain,
        evidence=tuple(ev + event_evidence(flows)),
    )


def _check_roth(ctx, keyed, t, year, docs, tol) -> Finding | None:
    net, ev = _net(docs)
    found = ctx.input_value("roth_distribution_nonqualified", t, "own", year) + ctx.input_value(
        "roth_distribution_qualified", t, "own", year
    )
    if abs(net - found) <= tol:
        return None
    here = ctx.at(t, "own", year)
    flows = here[here["kind"] == "roth_distribution"]
    msg = (
        f"Your {year} Roth IRA Forms 1099-R report {dollars(net)} of distributions, but the ledger has "
        f"{dollars(found)} (line 19 holds the nonqualified part); a Roth distribution is missing or counted twice."
    )
    return Finding(
        "1099r-mismatch",
        t,
        year,
        msg,
        line="19",
        expected=dollars(net),
        found=dollars(found),
        evidence=tuple(ev + event_evidence(flows)),
    )
