"""Reconciliation rules: filed Form 8606s against each other and against the ledger, and custodian documents.

Each rule is `(ctx) -> list[Finding]` (ctx: audit.context.AuditContext). RECONCILE_RULES lists them all; the
event-based rules live in audit/rules.py. Comparison tolerances are documented in docs/findings.md.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from basis_ledger.audit.context import (
    AuditContext,
    dollars,
    event_evidence,
    line_feeders,
    ratio_of,
    tolerance_cents,
)
from basis_ledger.audit.custodian import fmv_mismatch, r1099_mismatch
from basis_ledger.audit.filed import FiledForm, computed_rows, filed_forms, line_value
from basis_ledger.audit.findings import Evidence, Finding
from basis_ledger.audit.history import basis_unknown, deductibility_unknown, roth_five_year
from basis_ledger.engine.results import LINE_KEYS

# Lines whose amount comes from outside the form (events or earlier years): a difference there is a cause.
INPUT_LINES = frozenset({"1", "2", "4", "6", "7", "8", "15b", "16", "19", "20", "22", "24", "25b"})
# Derived lines that matter on their own: the basis carried forward and the taxable amounts.
KEY_LINES = frozenset({"14", "15c", "18", "25c"})


def _follows(form: FiledForm, line: str) -> int | None:
    """What a derived line should be from the filed form's own other lines (the form's arithmetic)."""

    def g(k: str) -> int:
        return (form.money(k) or 0) if form.readable(k) else 0

    unit = 1 if form.in_cents else 100
    ratio = form.ratio() if form.readable("10") else None
    r = ratio[0] if ratio else Decimal(0)

    def times(k: str) -> int:
        return int((Decimal(g(k)) * r / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * unit

    rules = {
        "3": lambda: g("1") + g("2"),
        "5": lambda: g("3") - g("4"),
        "9": lambda: g("6") + g("7") + g("8"),
        "11": lambda: times("8"),
        "12": lambda: times("7"),
        "13": lambda: g("11") + g("12"),
        "14": lambda: g("3") - g("13"),
        "15a": lambda: g("7") - g("12"),
        "15c": lambda: g("15a") - g("15b"),
        "17": lambda: g("11") if "11" in form.text else None,
        "18": lambda: g("16") - g("17"),
        "21": lambda: max(g("19") - g("20"), 0),
        "23": lambda: max(g("21") - g("22"), 0),
        "25a": lambda: max(g("23") - g("24"), 0),
        "25c": lambda: g("25a") - g("25b"),
    }
    return rules[line]() if line in rules else None


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
    whole, exact = computed_rows(ctx.lines), computed_rows(ctx.cents_lines)
    out = []
    for key, form in sorted(filed_forms(ctx).items()):
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
        follows = _follows(form, line)
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


def chain_break(ctx: AuditContext) -> list[Finding]:
    """Line 2 of a filed form against line 14 of the previous filed form of the same chain (8606 line 2
    instructions), allowing for what the ledger says happened in between (basis added, unfiled years)."""
    tol = tolerance_cents("chain-break")
    forms = filed_forms(ctx)
    whole, exact = computed_rows(ctx.lines), computed_rows(ctx.cents_lines)
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
    out = []
    for r in frame[frame["form_required"]].to_dict("records"):
        t, chain, year = r["taxpayer"], r["chain"], int(r["tax_year"])
        if (t, chain, year) in forms or ctx.as_of <= _due_date(year):
            continue
        why = _why_required(r)
        feeders = set().union(*(line_feeders(k) for k in ("1", "7", "8", "19")))
        here = ctx.at(t, chain, year)
        mine = here[here["kind"].isin(feeders)]
        msg = (
            f"Your {year} return needed a Form 8606 ({why}) and none is in the ledger. If you filed it, import "
            "it; if not, file it now: a late Form 8606 can be filed on its own, and the penalty for not filing "
            "one is $50 unless you can show reasonable cause."
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
                evidence=tuple(event_evidence(mine)),
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


def _due_date(year: int):
    """The unextended due date of the year's return (schemas/limits.toml deadlines; else 15 April)."""
    from datetime import date

    try:
        from basis_ledger.resources import load_toml

        row = load_toml("limits.toml")["years"].get(str(year))
        if row and "deadline" in row:
            return date.fromisoformat(row["deadline"])
    except (FileNotFoundError, KeyError):
        pass
    return date(year + 1, 4, 15)


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
