"""Reconciliation rules: filed Form 8606s against each other and against the ledger, and custodian documents.

Each rule is `(ctx) -> list[Finding]` (ctx: audit.context.AuditContext). RECONCILE_RULES lists them all; the
event-based rules live in audit/rules/. Comparison tolerances are documented in docs/findings.md.
"""

from __future__ import annotations

from basis_ledger.audit.context import (
    AuditContext,
    dollars,
    evidence_by_year,
    line_feeders,
    tolerance_cents,
)
from basis_ledger.audit.custodian import fmv_mismatch, r1099_mismatch
from basis_ledger.audit.filed import exact_rows, filed_forms, line_value, whole_rows
from basis_ledger.audit.findings import Evidence, Finding
from basis_ledger.audit.history import basis_unknown, deductibility_unknown, roth_five_year
from basis_ledger.audit.mismatch import filed_mismatch
from basis_ledger.taxcalendar import due_date, penalty


def chain_break(ctx: AuditContext) -> list[Finding]:
    """Line 2 of a filed form against line 14 of the previous filed form of the same chain (8606 line 2
    instructions), allowing for what the ledger says happened in between (basis added, unfiled years)."""
    tol = tolerance_cents("chain-break")
    forms = filed_forms(ctx)
    if not forms:
        return []
    whole, exact = whole_rows(ctx), exact_rows(ctx)
    out = []
    for (t, chain, year), form in sorted(forms.items()):
        if "2" not in form.text or not form.readable("2"):
            continue
        rows = exact if form.in_cents else whole
        earlier = [
            y
            for (t2, c2, y) in forms
            if (t2, c2) == (t, chain)
            and y < year
            and "14" in forms[(t, chain, y)].text
            and forms[(t, chain, y)].readable("14")
        ]
        if not earlier:
            continue
        prev = forms[(t, chain, max(earlier))]
        carried = prev.money("14") or 0
        delta = _ledger_change(ctx, rows, t, chain, prev.year, year)
        expected, found = carried + delta, form.money("2") or 0
        if abs(expected - found) <= tol:
            continue
        between = "" if not delta else f" plus {dollars(delta)} the ledger adds in between"
        if delta < 0:
            between = f" less {dollars(-delta)} the ledger uses in between"
        ev = [prev.evidence("14"), form.evidence("2")]
        if delta:
            ev.append(Evidence("ledger", "computed", f"basis change {prev.year + 1}-{year}: {dollars(delta)}"))
        msg = (
            f"Line 2 of your {year} Form 8606 ({dollars(found)}) should be line 14 of your {prev.year} Form 8606 "
            f"({dollars(carried)}){between}; the chain of basis is broken, so basis was lost or counted twice."
        )
        out.append(
            Finding(
                "chain-break",
                t,
                year,
                msg,
                line="2",
                expected=dollars(expected),
                found=dollars(found),
                chain=chain,
                evidence=tuple(ev),
            )
        )
    return out


def _ledger_change(ctx: AuditContext, rows: dict, t: str, chain: str, prev_year: int, year: int) -> int:
    """Basis the ledger carries into `year` less what it carried out of `prev_year`; 0 where the ledger does
    not know (a year before its history without an opening balance for it)."""
    now = rows.get((t, chain, year))
    before = rows.get((t, chain, prev_year))
    if before is not None:
        out_of_prev = int(before["basis_end"])
    elif ctx.input_value("has_opening_basis", t, chain, prev_year + 1):
        out_of_prev = ctx.input_value("opening_basis", t, chain, prev_year + 1)  # line 14 of prev_year's form
    else:
        return 0
    if now is None:
        return 0
    into = line_value(now, "2")
    if into is None:
        last = rows.get((t, chain, year - 1))
        into = (int(last["basis_end"]) if last is not None else out_of_prev) + ctx.input_value(
            "basis_added", t, chain, year
        )
    return into - out_of_prev


def missing_8606(ctx: AuditContext) -> list[Finding]:
    """A year whose computed form is required (Part I, II or III) with no filed 8606 in the ledger, once that
    year's return was due."""
    forms = filed_forms(ctx)
    frame = ctx.lines
    if frame is None or len(frame) == 0:
        return []
    feeders = set().union(*(line_feeders(k) for k in ("1", "7", "8", "19")))
    evidence = evidence_by_year(ctx.keyed[ctx.keyed["kind"].isin(feeders)])
    out = []
    # Only the columns read here and in _why_required (a record of every line column was 1.5 s per 20,000).
    wanted = [c for c in ("taxpayer", "chain", "tax_year", "part1", "part2", "part3", "L1", "L16", "L19") if c in frame]
    for r in frame.loc[frame["form_required"], wanted].to_dict("records"):
        t, chain, year = r["taxpayer"], r["chain"], int(r["tax_year"])
        if (t, chain, year) in forms or ctx.as_of <= due_date(year):
            continue
        why = _why_required(r)
        msg = (
            f"Your {year} return needed a Form 8606 ({why}) and none is in the ledger. If you filed it, import "
            "it; if not, file it now: a late Form 8606 can be filed on its own, and the penalty for not filing "
            f"one is ${penalty('missing_8606_dollars')} unless you can show reasonable cause."
        )
        out.append(
            Finding(
                "missing-8606",
                t,
                year,
                msg,
                expected="a filed Form 8606",
                found="none in the ledger",
                chain=chain,
                evidence=tuple(evidence.get((t, chain, year), ())),
            )
        )
    return out


def _why_required(r: dict) -> str:
    parts = []
    if r["part1"]:
        l1 = line_value(r, "1") or 0
        parts.append(f"a nondeductible contribution of {dollars(l1)}" if l1 else "basis and a distribution")
    if r["part2"]:
        parts.append(f"a conversion of {dollars(line_value(r, '16'))}")
    if r["part3"]:
        parts.append(f"a nonqualified Roth distribution of {dollars(line_value(r, '19'))}")
    return ", ".join(parts)


RECONCILE_RULES = [
    chain_break,
    filed_mismatch,
    missing_8606,
    basis_unknown,
    fmv_mismatch,
    r1099_mismatch,
    roth_five_year,
    deductibility_unknown,
]
