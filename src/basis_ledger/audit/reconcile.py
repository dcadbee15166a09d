"""Reconciliation rules: filed Form 8606s against each other and against the ledger, and custodian documents.

Each rule is `(ctx) -> list[Finding]` (ctx: audit.context.AuditContext). RECONCILE_RULES lists them all; the
event-based rules live in audit/rules/. Comparison tolerances are documented in docs/findings.md.
"""

from __future__ import annotations

from basis_ledger.audit.columns import FindingColumns
from basis_ledger.audit.context import (
    AuditContext,
    dollars,
    line_feeders,
    tolerance_cents,
)
from basis_ledger.audit.custodian import fmv_mismatch, r1099_mismatch
from basis_ledger.audit.evidence import joined_array, match, money_array, texts_at, texts_of
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


def missing_8606(ctx: AuditContext) -> FindingColumns:
    """A year whose computed form is required (Part I, II or III) with no filed 8606 in the ledger, once that
    year's return was due.

    The years are chosen by whole-column masks; texts and evidence are built as columns for those rows only."""
    import numpy as np
    import pandas as pd

    forms = filed_forms(ctx)
    frame = ctx.lines
    if frame is None or len(frame) == 0:
        return FindingColumns.empty()
    years = frame["tax_year"].to_numpy(dtype=np.int64)
    uniq, inverse = np.unique(years, return_inverse=True)
    due = np.array([ctx.as_of > due_date(int(y)) for y in uniq.tolist()], dtype=bool)
    pos = np.flatnonzero(frame["form_required"].to_numpy(dtype=bool) & due[inverse])
    # The lines' taxpayer and chain as codes of their (few) distinct values: no Python string per row, and the
    # events' codes looked up once per distinct value, not per finding.
    t_code, t_names = pd.factorize(frame["taxpayer"])
    c_code, c_names = pd.factorize(frame["chain"])
    t_names, c_names = np.asarray(t_names, dtype=object), np.asarray(c_names, dtype=object)
    if forms and len(pos):  # a year with a filed form is not missing it
        keys = pd.MultiIndex.from_arrays([t_names[t_code[pos]], c_names[c_code[pos]], years[pos]])
        filed = pd.MultiIndex.from_tuples(list(forms))
        pos = pos[~keys.isin(filed)]
    if not len(pos):
        return FindingColumns.empty()
    who, chains, when = texts_at(t_names, t_code[pos]), texts_at(c_names, c_code[pos]), years[pos]
    feeders = set().union(*(line_feeders(k) for k in ("1", "7", "8", "19")))
    E = texts_of(ctx)
    kind_code, kind_names = E.codes("kind")
    rows = np.flatnonzero(np.array([k in feeders for k in kind_names.tolist()], dtype=bool)[kind_code])
    found = match(
        rows,
        [E.codes("taxpayer")[0][rows], E.codes("chain")[0][rows], E.ints("form_year")[rows]],
        [E.code_of_coded("taxpayer", t_code[pos], t_names), E.code_of_coded("chain", c_code[pos], c_names), when],
    )
    evidence = E.grouped_event_evidence_columns(found)
    messages = joined_array(
        "Your ",
        when,
        " return needed a Form 8606 (",
        _why_required_many(frame, pos),
        ") and none is in the ledger. If you filed it, import it; if not, file it now: a late Form 8606 can be "
        f"filed on its own, and the penalty for not filing one is ${penalty('missing_8606_dollars')} unless you "
        "can show reasonable cause.",
    )
    return FindingColumns.build(
        "missing-8606",
        who,
        when,
        messages,
        expected="a filed Form 8606",
        found="none in the ledger",
        chain=chains,
        evidence=evidence.lists(),
    )


def _why_required_many(frame, pos):  # -> pyarrow.StringArray
    """_why_required for each year at `pos` (its parts and their amounts), built on whole columns."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(pos)

    def flag(col: str):
        return pa.array(frame[col].to_numpy(dtype=bool)[pos] if col in frame else np.zeros(n, dtype=bool))

    def amount(line: str):  # "$1,234", or "blank" where the form skips the line; and whether it is not 0
        col = f"L{line}"
        if col not in frame:
            return pa.array(["blank"] * n), pa.array(np.zeros(n, dtype=bool))
        values = frame[col].iloc[pos]
        known = values.notna().to_numpy(dtype=bool)
        cents = values.fillna(0).to_numpy(dtype=np.int64)
        return pc.if_else(pa.array(known), money_array(cents), "blank"), pa.array(known & (cents != 0))

    l1, l1_nonzero = amount("1")
    l16, _ = amount("16")
    l19, _ = amount("19")
    # Each present part ends in ", ", and the last one's is cut: no null handling (pyarrow 26's "skip" drops the
    # rows where every part is null instead of giving "").
    part1 = pc.if_else(
        flag("part1"),
        pc.if_else(
            l1_nonzero, joined_array("a nondeductible contribution of ", l1, ", "), "basis and a distribution, "
        ),
        "",
    )
    part2 = pc.if_else(flag("part2"), joined_array("a conversion of ", l16, ", "), "")
    part3 = pc.if_else(flag("part3"), joined_array("a nonqualified Roth distribution of ", l19, ", "), "")
    return pc.utf8_slice_codeunits(joined_array(part1, part2, part3), 0, -2)


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
