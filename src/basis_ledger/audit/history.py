"""Rules about the history itself: where basis is unknown, Roth conversions under five years old, undeclared
deductibility."""

from __future__ import annotations

from basis_ledger.audit.columns import FindingColumns
from basis_ledger.audit.context import AuditContext, dollars, event_evidence
from basis_ledger.audit.evidence import joined_array, match, texts_at, texts_of
from basis_ledger.audit.filed import filed_forms
from basis_ledger.audit.findings import Evidence, Finding
from basis_ledger.taxcalendar import penalty, roth_five_years


def basis_unknown(ctx: AuditContext) -> FindingColumns:
    """A distribution or conversion in a year the history does not anchor: no basis_opening and no filed 8606
    (its line 2, or an earlier line 14) at or before it, so basis from before the ledger may be missing.

    One group-by over the distributions and conversions; texts and evidence only for the years reported."""
    import numpy as np
    import pandas as pd

    keyed = ctx.keyed
    if keyed.empty:
        return FindingColumns.empty()
    E = texts_of(ctx)
    t_code, t_names = E.codes("taxpayer")
    c_code, c_names = E.codes("chain")
    form_year = E.ints("form_year")
    # The earliest anchor of each (taxpayer, chain), by codes: basis_opening events, then filed forms.
    opening = E.is_("kind", "basis_opening")
    anchors = (
        pd.DataFrame({"t": t_code[opening], "c": c_code[opening], "since": form_year[opening]})
        .groupby(["t", "c"])["since"]
        .min()
        .to_dict()
    )
    for (t, chain, year), form in filed_forms(ctx).items():
        key = (int(E.code_of("taxpayer", [t])[0]), int(E.code_of("chain", [chain])[0]))
        for line, since in (("2", year), ("14", year + 1)):
            if line in form.text:
                anchors[key] = min(anchors.get(key, since), since)
    rows = np.flatnonzero(E.is_("kind", "distribution") | E.is_("kind", "conversion"))
    if not len(rows):
        return FindingColumns.empty()
    is_dist = E.is_("kind", "distribution")[rows]
    per_year = (
        pd.DataFrame({"t": t_code[rows], "c": c_code[rows], "y": form_year[rows], "dist": is_dist, "conv": ~is_dist})
        .groupby(["t", "c", "y"], sort=False)[["dist", "conv"]]
        .any()
        .reset_index()
    )
    first = pd.DataFrame({"t": t_code, "c": c_code, "y": form_year}).groupby(["t", "c"])["y"].min()
    anchored = np.zeros(len(per_year), dtype=bool)
    if anchors:
        since = pd.Series(list(anchors.values()), index=pd.MultiIndex.from_tuples(list(anchors)), dtype="float64")
        pair = pd.MultiIndex.from_arrays([per_year["t"], per_year["c"]])
        anchored = since.reindex(pair).to_numpy() <= per_year["y"].to_numpy()  # NaN (no anchor): False
    hits = per_year[~anchored]
    if hits.empty:
        return FindingColumns.empty()
    # In (taxpayer, chain, year) order, as text sorts: each code's rank among its column's sorted values.
    t_rank, c_rank = _ranks(t_names), _ranks(c_names)
    hits = hits.iloc[np.lexsort((hits["y"], c_rank[hits["c"]], t_rank[hits["t"]]))]
    who, chains = texts_at(t_names, hits["t"].to_numpy()), texts_at(c_names, hits["c"].to_numpy())
    years = hits["y"].to_numpy(dtype=np.int64)
    starts = first.reindex(pd.MultiIndex.from_arrays([hits["t"], hits["c"]])).to_numpy(dtype=np.int64)
    conv, dist = hits["conv"].to_numpy(dtype=bool), hits["dist"].to_numpy(dtype=bool)
    what = np.array(list(_WHAT.values()), dtype=object)[np.where(conv & dist, 0, np.where(conv, 1, 2))]
    # Each reported year's events, matched on the codes the years were found by (no text looked up again).
    found_at = match(
        rows,
        [t_code[rows], c_code[rows], form_year[rows]],
        [hits["t"].to_numpy(dtype=np.int64), hits["c"].to_numpy(dtype=np.int64), years],
    )
    evidence = E.grouped_event_evidence_columns(found_at)
    messages = joined_array(
        "The ledger has ",
        what,
        " in ",
        years,
        ", but its history starts in ",
        starts,
        " with no basis_opening and no filed Form 8606 before it: any nondeductible contributions made before ",
        starts,
        " are missing, which would make ",
        years,
        " look more taxable than it is. Add a basis_opening event with line 14 of your last Form 8606 before ",
        starts,
        " (0 if you never made a nondeductible contribution), or import that form.",
    )
    return FindingColumns.build(
        "basis-unknown",
        who,
        years,
        messages,
        line="2",
        expected="basis known from the start",
        found=joined_array("history starts ", starts),
        chain=chains,
        evidence=evidence.lists(),
    )


def _ranks(values):
    """Each value's place among the sorted values (Python's order of text)."""
    import numpy as np

    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[order] = np.arange(len(values))
    return ranks


# (a conversion, a distribution) in the year -> what the message says the ledger has, in sorted order (both,
# a conversion only, a distribution only: the order basis_unknown picks them by)
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
    flagged = _rows_with_caution(ctx, frame, "deductibility-unknown")
    if not flagged:  # most ledgers: no row is taken from the frame at all
        return []
    out = []
    for r in frame.iloc[flagged].to_dict("records"):
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


def _rows_with_caution(ctx: AuditContext, frame, code: str) -> list[int]:
    """The lines frame's rows with a caution of this code. The frame is made from the engine's Lines
    (loader.computed_lines), whose cautions are columns of row positions and ids into the few distinct Caution
    objects: those are read where this context holds them, instead of a Python walk over every row's list (the
    frame's `cautions`), which took 0.027 s over a 20,000-taxpayer ledger's ranges."""
    import numpy as np

    made = getattr(ctx, "_lines", {}).get(("columns", False))
    if made is not None and getattr(ctx, "_lines", {}).get(False) is frame and len(made) == len(frame):
        cautions = made.caution_columns
        hit = np.array([c.code == code for c in cautions.made] + [False], dtype=bool)
        return np.unique(cautions.rows[hit[cautions.ids]]).tolist()  # type: ignore[no-any-return]
    return [i for i, ws in enumerate(frame["cautions"].tolist()) if ws and any(c.code == code for c in ws)]


def roth_five_year(ctx: AuditContext) -> list[Finding]:
    """Pub 590-B ordering: Roth distributions come from regular contributions first, then conversions oldest
    first (taxable part first). Conversion money under five years old taken out before 59½ owes the 10%
    additional tax (Form 5329) on its taxable part unless an exception applies."""
    import numpy as np
    import pandas as pd

    lines = ctx.lines
    if lines is None or len(lines) == 0:
        return []
    # Only a year that takes money out of conversions can reach one under five years old: line 19 less line 22,
    # at most line 24, above zero. Everyone else is skipped before any Python work per row, and the lines frame
    # is read by columns at positions (a row filter of it would copy all of its columns).
    if not {"L19", "L24"} <= set(lines.columns):
        return []

    def cents(col: str):
        return lines[col].to_numpy(dtype=np.int64, na_value=0) if col in lines else np.zeros(len(lines), np.int64)

    own = (lines["chain"] == "own").to_numpy(dtype=bool)
    takes = np.minimum(np.maximum(cents("L19") - cents("L22"), 0), cents("L24"))
    taking = own & lines["L19"].notna().to_numpy(dtype=bool) & (takes > 0)
    t_code, t_names = pd.factorize(lines["taxpayer"])
    people_codes = np.unique(t_code[taking])
    if not len(people_codes):
        return []
    people = set(np.asarray(t_names, dtype=object)[people_codes].tolist())
    at = np.flatnonzero(own & np.isin(t_code, people_codes))
    # Their own chain's events by position (codes of the shared texts): no copy of the keyed frame is filtered.
    E = texts_of(ctx)
    wanted = E.code_of("taxpayer", sorted(people))
    mine = np.isin(E.codes("taxpayer")[0], wanted[wanted >= 0]) & E.is_("chain", "own")
    op = np.flatnonzero(mine & E.is_("kind", "roth_conversion_basis_opening"))
    openings: dict[tuple[str, int], int] = {}
    op_who, op_year, op_cents = E.at("taxpayer", op), E.ints("form_year")[op], E.ints("amount_cents")[op]
    for t, y, cents in zip(op_who.tolist(), op_year.tolist(), op_cents.tolist(), strict=True):
        openings[(t, y)] = openings.get((t, y), 0) + cents
    dist_rows = np.flatnonzero(mine & E.is_("kind", "roth_distribution"))
    dates: dict[tuple, list[str]] = {}
    for t, year, day in zip(
        E.at("taxpayer", dist_rows).tolist(),
        E.ints("form_year")[dist_rows].tolist(),
        E.at("date", dist_rows).tolist(),
        strict=True,
    ):
        dates.setdefault((t, "own", int(year)), []).append(day)
    # The lines read below as plain ints (None where the form skips the line), person by person, year by year.
    who = np.asarray(t_names, dtype=object)[t_code[at]]
    when = lines["tax_year"].to_numpy(dtype=np.int64)[at]
    order = np.lexsort((when, pd.factorize(who, sort=True)[0]))  # people in text order, then years
    col = {k: _line_list(lines, k, at[order]) for k in ("16", "18", "19", "22", "24")}
    plan_in = _roth_rollover_in(ctx, who[order], when[order])
    hits = []
    layers: list[list] = []  # [year, amount, taxable or None], oldest first
    last = None
    for i, (t, year) in enumerate(zip(who[order].tolist(), when[order].tolist(), strict=True)):
        if t != last:
            layers, last = [], t
        if (t, year) in openings:
            layers = [[year - 1, openings[(t, year)], None]]
        conv = col["16"][i] or 0
        if conv:
            layers.append([year, conv, col["18"][i] or 0])
        if plan_in[i]:
            layers.append([year, plan_in[i], None])
        l19 = col["19"][i]
        if l19 is None:
            continue
        take = min(max(l19 - (col["22"][i] or 0), 0), col["24"][i] or 0)
        recent, taxable, unknown, used = _consume(layers, take, year)
        if recent == 0:
            continue
        under, born = _under_59_half(ctx, dates, t, year)
        if not under:
            continue
        hits.append((t, year, recent, taxable, unknown, used, born))
    if not hits:
        return []
    # Evidence for the years the findings name only: their conversions' years and their distributions' years,
    # matched on the shared texts' codes (no frame of the rows is cut, no texts made again for it).
    wanted = [(h[0], y) for h in hits for y in h[5]]
    conversions = E.grouped_event_evidence(
        E.match(
            np.flatnonzero(mine & E.is_("kind", "conversion")),
            ("taxpayer", "form_year"),
            [[t for t, _ in wanted], [y for _, y in wanted]],
        )
    )
    distributions = E.grouped_event_evidence(
        E.match(dist_rows, ("taxpayer", "form_year"), [[h[0] for h in hits], [h[1] for h in hits]])
    )
    out, at = [], 0
    for h, dist in zip(hits, distributions, strict=True):
        used = conversions[at : at + len(h[5])]  # this hit's conversion years, in their order
        at += len(h[5])
        out.append(_five_year_finding(*h, [e for year in used for e in year] + dist))
    return out


def _line_list(lines, key: str, rows) -> list[int | None]:
    """Line `key` at the frame's positions `rows` as ints, None where the form skips it (filed.line_value's
    reading)."""
    import numpy as np

    col = f"L{key}"
    if col not in lines:
        return [None] * len(rows)
    values = lines[col].to_numpy(dtype=np.int64, na_value=0)[rows].tolist()
    known = lines[col].notna().to_numpy(dtype=bool)[rows].tolist()
    return [v if k else None for v, k in zip(values, known, strict=True)]


def _roth_rollover_in(ctx: AuditContext, who, years) -> list[int]:
    """ctx.input_value("roth_rollover_in", t, "own", year) for each (t, year): one look-up per row of arrays."""
    import numpy as np

    inputs = ctx.inputs
    if not len(inputs.years):
        return [0] * len(who)
    field = inputs.arrays["roth_rollover_in"]
    rows = ctx._chain_row
    chain = np.array([rows.get((t, "own"), -1) for t in who.tolist()], dtype=np.int64)
    j = np.asarray(years, dtype=np.int64) - int(inputs.years[0])
    ok = (chain >= 0) & (j >= 0) & (j < len(inputs.years))
    out = np.zeros(len(who), dtype=np.int64)
    out[ok] = field[chain[ok], j[ok]]
    return out.tolist()  # type: ignore[no-any-return]


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


def _five_year_finding(t, year, recent, taxable, unknown, when, born, ev: list[Evidence]) -> Finding:
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
