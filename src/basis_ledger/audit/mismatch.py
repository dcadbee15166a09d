"""filed-mismatch: each line of a filed Form 8606 against the line the ledger's events give.

Reported: lines that come from outside the form (a cause), the lines that matter on their own (basis carried,
taxable amounts), and any line that does not follow from the form's own lines (an arithmetic slip). A derived
line wrong only because a line above it is wrong is not repeated. Tolerances: docs/findings.md.
"""

from __future__ import annotations

from decimal import Decimal

from basis_ledger.audit.context import AuditContext, dollars, event_evidence, line_feeders, ratio_of, tolerance_cents
from basis_ledger.audit.filed import FiledForm, exact_rows, filed_forms, line_value, whole_rows
from basis_ledger.audit.findings import Evidence, Finding
from basis_ledger.engine.results import LINE_KEYS

# Lines whose amount comes from outside the form (events or earlier years): a difference there is a cause.
INPUT_LINES = frozenset({"1", "2", "4", "6", "7", "8", "15b", "16", "19", "20", "22", "24", "25b"})
# Derived lines that matter on their own: the basis carried forward and the taxable amounts.
KEY_LINES = frozenset({"14", "15c", "18", "25c"})


def _ratio_differs(found: tuple[Decimal, int], l5: int | None, l9: int | None) -> tuple[bool, Decimal]:
    """Line 10 as printed against line 5 / line 9 at the printed precision (at least 3 places), one unit of
    the last place allowed (some software truncates instead of rounding)."""
    value, places = found
    places = max(places, 3)
    expected = ratio_of(l5 or 0, l9 or 0, places)
    return abs(value - expected) > Decimal(1).scaleb(-places), expected


def filed_mismatch(ctx: AuditContext) -> list[Finding]:
    """A filed line that differs from the ledger's computation by more than the tolerance."""
    tol = tolerance_cents("filed-mismatch")
    forms = filed_forms(ctx)
    if not forms:
        return []
    whole, exact = whole_rows(ctx), exact_rows(ctx)
    out = []
    for key, form in sorted(forms.items()):
        row = (exact if form.in_cents else whole).get(key)
        if row is None:
            continue  # a year the ledger has no events for: only the chain check uses it
        for line in LINE_KEYS:
            f = _compare_line(form, row, line, tol, _computed_evidence(ctx, whole, form, line))
            if f is not None:
                out.append(f)
    return out


def _computed_evidence(ctx: AuditContext, rows: dict, form: FiledForm, line: str) -> list[Evidence]:
    """Where the ledger's number comes from: the year's events that feed the line (event_kinds.toml), or for
    line 2 the basis the ledger carried out of the year before."""
    t, chain, year = form.taxpayer, form.chain, form.year
    if line == "2":
        last = rows.get((t, chain, year - 1))
        opening = ctx.at(t, chain, year)
        opening = opening[opening["kind"] == "basis_opening"]
        if len(opening):
            return event_evidence(opening)
        if last is not None:
            return [
                Evidence("ledger", "computed", f"basis carried out of {year - 1}: {dollars(int(last['basis_end']))}")
            ]
    here = ctx.at(t, chain, year)
    feeding = here[here["kind"].isin(line_feeders(line))]
    if line == "6":  # only traditional, SEP and SIMPLE values (or the inherited IRA's) make line 6
        feeding = feeding[feeding["account_type"] != "roth"]
    if len(feeding):
        return event_evidence(feeding)
    return [Evidence("ledger", "computed", f"{year} line {line} from the ledger's events")]


def _compare_line(form: FiledForm, row: dict, line: str, tol: int, computed_ev: list[Evidence]) -> Finding | None:
    t, chain, year = form.taxpayer, form.chain, form.year
    computed = line_value(row, line)
    if line not in form.text and not computed:
        return None
    ev = ([form.evidence(line)] if line in form.text else []) + computed_ev
    if not form.readable(line):
        return Finding(
            "filed-mismatch",
            t,
            year,
            f"Line {line} of your {year} Form 8606 reads '{form.text[line]}', which is not an amount.",
            line=line,
            expected=_show(line, computed, row),
            found=form.text[line],
            chain=chain,
            evidence=tuple(ev),
        )
    if line == "10":
        found = form.ratio()
        if found is None or computed is None:
            if (found and found[0] != 0) or (computed is not None and found is None):
                return _mismatch(form, line, _show(line, computed, row), form.text.get(line, "blank"), ev)
            return None
        differs, expected = _ratio_differs(found, line_value(row, "5"), line_value(row, "9"))
        if not differs:
            return None
        own, _ = _ratio_differs(
            found, form.money("5") if form.readable("5") else 0, form.money("9") if form.readable("9") else 0
        )
        if not own:
            return None  # follows from the form's own lines 5 and 9: their difference is the cause
        return _mismatch(form, line, str(expected), form.text[line], ev, slip=True)
    found_c = form.money(line)
    if abs((found_c or 0) - (computed or 0)) <= tol:
        return None
    derived = line not in INPUT_LINES and line not in KEY_LINES and not (line == "17" and "11" not in form.text)
    slip = False
    if line in form.text:
        follows = form.follows(line)
        slip = follows is not None and abs(follows - (found_c or 0)) > tol
    if derived and not slip:
        return None  # a consequence of another line's difference, which is reported itself
    return _mismatch(form, line, dollars(computed), dollars(found_c), ev, slip=slip)


def _show(line: str, computed: int | None, row: dict) -> str:
    if computed is None:
        return "blank"
    return str(ratio_of(line_value(row, "5") or 0, line_value(row, "9") or 0, 5)) if line == "10" else dollars(computed)


def _mismatch(form: FiledForm, line: str, expected: str, found: str, ev: list, slip: bool = False) -> Finding:
    year = form.year
    msg = f"Line {line} of your {year} Form 8606 shows {found}, but the ledger's events give {expected}"
    if slip:
        msg += ", and the form's own arithmetic does not give it either"
    if line == "14":
        msg += "; this is the basis carried to next year, so every later year inherits the difference"
    return Finding(
        "filed-mismatch",
        form.taxpayer,
        year,
        msg + ".",
        line=line,
        expected=expected,
        found=found,
        chain=form.chain,
        evidence=tuple(ev),
    )
