"""Rules about the history itself: where basis is unknown, Roth conversions under five years old, undeclared
deductibility."""

from __future__ import annotations

from basis_ledger.audit.context import AuditContext, dollars, event_evidence, evidence_by_year
from basis_ledger.audit.evidence import EventTexts, match
from basis_ledger.audit.filed import filed_forms, line_value
from basis_ledger.audit.findings import Finding
from basis_ledger.taxcalendar import penalty, roth_five_years


def basis_unknown(ctx: AuditContext) -> list[Finding]:
    """A distribution or conversion in a year the history does not anchor: no basis_opening and no filed 8606
    (its line 2, or an earlier line 14) at or before it, so basis from before the ledger may be missing.

    One group-by over the distributions and conversions; texts and evidence only for the years reported."""
    import numpy as np
    import pandas as pd

    keyed = ctx.keyed
    if keyed.empty:
        return []
    anchors = keyed[keyed["kind"] == "basis_opening"].groupby(["taxpayer", "chain"])["form_year"].min().to_dict()

    def anchor(t: str, chain: str, year: int) -> None:
        anchors[(t, chain)] = min(anchors.get((t, chain), year), year)

    for (t, chain, year), form in filed_forms(ctx).items():
        if "2" in form.text:
            anchor(t, chain, year)
        if "14" in form.text:
            anchor(t, chain, year + 1)
    kind = keyed["kind"]
    rows = np.flatnonzero(kind.isin(["distribution", "conversion"]).to_numpy(dtype=bool))
    if not len(rows):
        return []
    cols = {c: keyed[c].to_numpy(dtype=np.int64 if c == "form_year" else object)[rows] for c in _KEY}
    is_dist = kind.to_numpy(dtype=object)[rows] == "distribution"
    per_year = (
        pd.DataFrame({**cols, "dist": is_dist, "conv": ~is_dist})
        .groupby(list(_KEY), sort=False)[["dist", "conv"]]
        .any()
    )
    first = keyed.groupby(["taxpayer", "chain"])["form_year"].min().to_dict()
    hits = []
    for (t, chain, year), dist, conv in zip(
        per_year.index.tolist(), per_year["dist"].tolist(), per_year["conv"].tolist(), strict=True
    ):
        since = anchors.get((t, chain))
        if since is None or since > year:
            hits.append((t, chain, int(year), dist, conv))
    hits.sort()
    if not hits:
        return []
    want = [np.array([h[i] for h in hits], dtype=np.int64 if i == 2 else object) for i in range(3)]
    evidence = EventTexts(keyed).grouped_event_evidence(match(rows, [cols[c] for c in _KEY], want))
    out = []
    for (t, chain, year, dist, conv), ev in zip(hits, evidence, strict=True):
        start = int(first[(t, chain)])
        what = _WHAT[(conv, dist)]
        msg = (
            f"The ledger has {what} in {year}, but its history starts in {start} with no basis_opening and no filed "
            f"Form 8606 before it: any nondeductible contributions made before {start} are missing, which would "
            f"make {year} look more taxable than it is. Add a basis_opening event with line 14 of your last Form "
            f"8606 before {start} (0 if you never made a nondeductible contribution), or import that form."
        )
        out.append(
            Finding(
                "basis-unknown",
                t,
                year,
                msg,
                line="2",
                expected="basis known from the start",
                found=f"history starts {start}",
                chain=chain,
                evidence=tuple(ev),
            )
        )
    return out


_KEY = ("taxpayer", "chain", "form_year")
# (a conversion, a distribution) in the year -> what the message says the ledger has, in sorted order
_WHAT = {
    (True, True): "a conversion and a distribution",
    (True, False): "a conversion",
    (False, True): "a distribution",
}


def deductibility_unknown(ctx: AuditContext) -> list[Finding]:
    """The engine's `deductibility-unknown` caution (traditional contributions no declaration covers), as a
    finding with the contributions as evidence."""
    frame = ctx.lines
    if frame is None or len(frame) == 0 or "cautions" not in frame:
        return []
    flagged = frame["cautions"].map(lambda ws: any(c.code == "deductibility-unknown" for c in ws or ()))
    out = []
    for r in frame[flagged.astype(bool)].to_dict("records"):
        for caution in r["cautions"] or ():
            if caution.code != "deductibility-unknown":
                continue
            t, year = r["taxpayer"], int(r["tax_year"])
            here = ctx.at(t, r["chain"], year)
            rows = here[here["kind"] == "traditional_contribution"]
            total = int(rows["amount_cents"].sum())
            out.append(
                Finding(
                    "deductibility-unknown",
                    t,
                    year,
                    caution.message,
                    line="1",
                    expected="a declaration ('basis-ledger declare')",
                    found=f"{dollars(total)} undeclared",
                    chain=r["chain"],
                    evidence=tuple(event_evidence(rows)),
                )
            )
    return out


def roth_five_year(ctx: AuditContext) -> list[Finding]:
    """Pub 590-B ordering: Roth distributions come from regular contributions first, then conversions oldest
    first (taxable part first). Conversion money under five years old taken out before 59½ owes the 10%
    additional tax (Form 5329) on its taxable part unless an exception applies."""
    import numpy as np

    keyed = ctx.keyed
    lines = ctx.lines
    if lines is None or len(lines) == 0:
        return []
    own_lines = lines[(lines["chain"] == "own").to_numpy(dtype=bool)]
    # Only a year that takes money out of conversions can reach one under five years old: line 19 less line 22,
    # at most line 24, above zero. Everyone else is skipped before any Python work per row.
    if not {"L19", "L24"} <= set(own_lines.columns):
        return []
    l19 = own_lines["L19"]
    l22 = own_lines["L22"].fillna(0) if "L22" in own_lines else 0
    takes = np.minimum(np.maximum((l19.fillna(0) - l22).to_numpy(dtype=np.int64), 0), own_lines["L24"].fillna(0))
    taking = l19.notna().to_numpy(dtype=bool) & (np.asarray(takes, dtype=np.int64) > 0)
    people = set(own_lines["taxpayer"].to_numpy(dtype=object)[taking].tolist())
    if not people:
        return []
    own_lines = own_lines[own_lines["taxpayer"].isin(people).to_numpy(dtype=bool)]
    keyed = keyed[(keyed["taxpayer"].isin(people) & (keyed["chain"] == "own")).to_numpy(dtype=bool)]
    op = keyed[keyed["kind"] == "roth_conversion_basis_opening"]
    openings = op.groupby(["taxpayer", "form_year"])["amount_cents"].sum().to_dict()
    by_person: dict[str, list[dict]] = {}
    # Only the columns read below: a record of every line column per row was most of this rule's time.
    wanted = [c for c in ("taxpayer", "tax_year", "L16", "L18", "L19", "L22", "L24") if c in own_lines]
    for r in own_lines[wanted].to_dict("records"):
        by_person.setdefault(r["taxpayer"], []).append(r)
    own = keyed
    dists = own[own["kind"] == "roth_distribution"]
    dates: dict[tuple, list[str]] = {}
    for t, year, day in zip(*(dists[c].tolist() for c in ("taxpayer", "form_year", "date")), strict=True):
        dates.setdefault((t, "own", int(year)), []).append(day)
    evidence = (evidence_by_year(own[own["kind"] == "conversion"]), evidence_by_year(dists))
    out = []
    for t, person_rows in sorted(by_person.items()):
        layers: list[list] = []  # [year, amount, taxable or None], oldest first
        for row in sorted(person_rows, key=lambda r: r["tax_year"]):
            year = int(row["tax_year"])
            if (t, year) in openings:
                layers = [[year - 1, int(openings[(t, year)]), None]]
            conv = line_value(row, "16") or 0
            if conv:
                layers.append([year, conv, line_value(row, "18") or 0])
            plan_in = ctx.input_value("roth_rollover_in", t, "own", year)
            if plan_in:
                layers.append([year, plan_in, None])
            l19 = line_value(row, "19")
            if l19 is None:
                continue
            take = min(max(l19 - (line_value(row, "22") or 0), 0), line_value(row, "24") or 0)
            recent, taxable, unknown, when = _consume(layers, take, year)
            if recent == 0:
                continue
            under, born = _under_59_half(ctx, dates, t, year)
            if not under:
                continue
            out.append(_five_year_finding(t, year, recent, taxable, unknown, when, born, evidence))
    return out


def _consume(layers: list[list], take: int, year: int) -> tuple[int, int, bool, list[int]]:
    recent = taxable = 0
    unknown, when = False, []
    for layer in layers:
        if take <= 0:
            break
        part = min(take, layer[1])
        if part <= 0:
            continue
        if year - layer[0] < roth_five_years():
            recent += part
            when.append(layer[0])
            if layer[2] is None:
                unknown = True
            else:
                taxable += min(part, layer[2])
        layer[1] -= part
        if layer[2] is not None:
            layer[2] = max(layer[2] - part, 0)
        take -= part
    return recent, taxable, unknown, sorted(set(when))


def _under_59_half(ctx: AuditContext, dates: dict, t: str, year: int) -> tuple[bool, str | None]:
    """Under 59½ on some nonqualified Roth distribution date of the year (ISO dates compare as text)."""
    from basis_ledger.taxcalendar import qualified_age_date

    person = ctx.taxpayers.get(t)
    born = getattr(person, "birth_date", None)
    if not born:
        return True, None
    half = qualified_age_date(born)
    return any(d < half for d in dates.get((t, "own", year), ())), born


def _five_year_finding(t, year, recent, taxable, unknown, when, born, evidence) -> Finding:
    rate = penalty("early_distribution_percent")
    tax_cents = (taxable * rate + 50) // 100  # the additional tax on the taxable part, to the cent, half-up
    who = "while you were under 59½" if born else "and your birth date is not recorded (so 59½ cannot be checked)"
    tax = f"{dollars(taxable)} of it was taxable when converted, so the {rate}% additional tax is {dollars(tax_cents)}"
    if unknown:
        tax = f"at least {dollars(taxable)} of it was taxable when converted (some taxable parts are unknown)"
    msg = (
        f"Your {year} nonqualified Roth distribution takes {dollars(recent)} from conversions made less than five "
        f"years earlier ({', '.join(map(str, when))}) {who}; {tax} on Form 5329 unless an exception applies."
    )
    conversions, distributions = evidence
    ev = [e for y in when for e in conversions.get((t, "own", y), ())] + distributions.get((t, "own", year), [])
    return Finding(
        "roth-five-year",
        t,
        year,
        msg,
        line="24",
        expected="no conversion under five years old reached",
        found=f"{dollars(recent)} from {', '.join(map(str, when))}",
        evidence=tuple(ev),
    )
