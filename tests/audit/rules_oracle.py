"""The audit rules as they were before they were vectorized (main at 710416e), kept only as the tests' oracle.

A frozen copy, not imported by the package: tests/audit/test_rules_equivalence.py runs each rule of
audit/ and its copy here on the same contexts and asserts the same findings, evidence included. Helpers the
rules share (evidence texts, the pool estimate) are copied too, so a change there cannot hide behind both.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from basis_ledger.audit.context import AuditContext, dollars, line_feeders
from basis_ledger.audit.filed import filed_forms, line_value
from basis_ledger.audit.findings import Evidence, Finding, RuleContext
from basis_ledger.audit.pool import ESTIMATE_ACCOUNT, Point, flows
from basis_ledger.audit.rules.common import (
    CONTRIBUTION_INPUTS,
    TRADITIONAL_CONTRIBUTION_INPUTS,
    line_evidence,
    money,
    own_lines,
    present,
    year_of,
)
from basis_ledger.model import POOLED_TYPES, Taxpayer, kinds
from basis_ledger.taxcalendar import due_date, penalty, roth_five_years


# -- common.py
def inputs_of(ev: pd.DataFrame) -> pd.Series:
    return ev["kind"].map({k: v.input for k, v in kinds().items()})


def row_evidence(row) -> Evidence:
    """A ledger (or what-if) event as evidence: its file and line, and what it says."""
    what = f"{row['kind']} {row['date']} {row['account']} = {money(row['amount_cents'])}".replace("  ", " ")
    line = int(row["source_line"])
    if not line:  # a row the planner made (a projected 31 December value): its memo says how
        memo = row.get("memo") or ""
        return Evidence(str(row["source_file"]), "no line", f"{what} ({memo})" if memo else what)
    return Evidence(str(row["source_file"]), f"line {line}", what)


# -- common.py
class Events:
    """The events by position: evidence built from column lists, and positions grouped by keys.

    Columns are turned into lists only when first needed, so a rule that finds nothing pays nothing."""

    def __init__(self, ev: pd.DataFrame):
        self.frame = ev
        self._cols: dict[str, list] = {}

    def col(self, name: str) -> list:
        if name not in self._cols:
            ev = self.frame
            self._cols[name] = ev[name].tolist() if name in ev.columns else [""] * len(ev)
        return self._cols[name]

    def evidence(self, positions) -> tuple[Evidence, ...]:
        kind, date, acct, amount = self.col("kind"), self.col("date"), self.col("account"), self.col("amount_cents")
        files, lines, memos = self.col("source_file"), self.col("source_line"), self.col("memo")
        return tuple(
            row_evidence(
                {"kind": kind[p], "date": date[p], "account": acct[p], "amount_cents": amount[p],
                 "source_file": files[p], "source_line": lines[p], "memo": memos[p]}
            )
            for p in positions
        )  # fmt: skip

    def groups(self, mask, *keys: pd.Series) -> dict:
        """(key values) -> positions in the whole frame, for the rows where mask holds."""
        import numpy as np
        import pandas as pd

        pos = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(pos):
            return {}
        sub = pd.DataFrame({i: k.to_numpy()[pos] for i, k in enumerate(keys)})
        return {k: pos[v] for k, v in sub.groupby(list(range(len(keys)))).indices.items()}


# -- context.py
def evidence_by_year(rows: pd.DataFrame, limit: int = 12) -> dict[tuple[str, str, int], list[Evidence]]:
    """event_evidence for many (taxpayer, chain, form year) groups at once, in one pass over the rows."""
    out: dict[tuple[str, str, int], list[Evidence]] = {}
    more: dict[tuple[str, str, int], int] = {}
    names = ("taxpayer", "chain", "form_year", "source_file", "source_line", "kind", "date", "amount_cents")
    for t, chain, year, file, line, kind, day, cents in zip(*(rows[c].tolist() for c in names), strict=True):
        key = (t, chain, int(year))
        got = out.setdefault(key, [])
        if len(got) < limit:
            got.append(Evidence(str(file), f"line {int(line)}", f"{kind} {day} {dollars(int(cents))}"))
        else:
            more[key] = more.get(key, 0) + 1
    for key, n in more.items():
        out[key].append(Evidence(out[key][-1].file, "...", f"and {n} more events"))
    return out


# -- reconcile.py
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


# -- reconcile.py
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


# -- history.py
def basis_unknown(ctx: AuditContext) -> list[Finding]:
    """A distribution or conversion in a year the history does not anchor: no basis_opening and no filed 8606
    (its line 2, or an earlier line 14) at or before it, so basis from before the ledger may be missing."""
    keyed = ctx.keyed
    if keyed.empty:
        return []
    anchors: dict[tuple, int] = {}

    def anchor(t: str, chain: str, year: int) -> None:
        anchors[(t, chain)] = min(anchors.get((t, chain), year), year)

    for r in keyed[keyed["kind"] == "basis_opening"].itertuples():
        anchor(r.taxpayer, r.chain, int(r.form_year))
    for (t, chain, year), form in filed_forms(ctx).items():
        if "2" in form.text:
            anchor(t, chain, year)
        if "14" in form.text:
            anchor(t, chain, year + 1)
    flows = keyed[keyed["kind"].isin(["distribution", "conversion"])]
    first = keyed.groupby(["taxpayer", "chain"])["form_year"].min().to_dict()
    kinds_of: dict[tuple, set[str]] = {}
    for t, chain, year, kind in zip(
        *(flows[c].tolist() for c in ("taxpayer", "chain", "form_year", "kind")), strict=True
    ):
        kinds_of.setdefault((t, chain, int(year)), set()).add(kind)
    evidence = evidence_by_year(flows)
    out = []
    for (t, chain, year), kinds_here in sorted(kinds_of.items()):
        since = anchors.get((t, chain))
        if since is not None and since <= year:
            continue
        start = first[(t, chain)]
        what = " and ".join(sorted({"a distribution" if k == "distribution" else "a conversion" for k in kinds_here}))
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
                int(year),
                msg,
                line="2",
                expected="basis known from the start",
                found=f"history starts {start}",
                chain=chain,
                evidence=tuple(evidence[(t, chain, year)]),
            )
        )
    return out


# -- history.py
def roth_five_year(ctx: AuditContext) -> list[Finding]:
    """Pub 590-B ordering: Roth distributions come from regular contributions first, then conversions oldest
    first (taxable part first). Conversion money under five years old taken out before 59½ owes the 10%
    additional tax (Form 5329) on its taxable part unless an exception applies."""
    keyed = ctx.keyed
    if ctx.lines is None or len(ctx.lines) == 0:
        return []
    op = keyed[(keyed["kind"] == "roth_conversion_basis_opening") & (keyed["chain"] == "own")]
    openings = op.groupby(["taxpayer", "form_year"])["amount_cents"].sum().to_dict()
    by_person: dict[str, list[dict]] = {}
    # Only the columns read below: a record of every line column per row was most of this rule's time.
    wanted = [c for c in ("taxpayer", "tax_year", "L16", "L18", "L19", "L22", "L24") if c in ctx.lines]
    for r in ctx.lines.loc[ctx.lines["chain"] == "own", wanted].to_dict("records"):
        by_person.setdefault(r["taxpayer"], []).append(r)
    own = keyed[keyed["chain"] == "own"]
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


# -- history.py
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


# -- history.py
def _under_59_half(ctx: AuditContext, dates: dict, t: str, year: int) -> tuple[bool, str | None]:
    """Under 59½ on some nonqualified Roth distribution date of the year (ISO dates compare as text)."""
    from basis_ledger.taxcalendar import qualified_age_date

    person = ctx.taxpayers.get(t)
    born = getattr(person, "birth_date", None)
    if not born:
        return True, None
    half = qualified_age_date(born)
    return any(d < half for d in dates.get((t, "own", year), ())), born


# -- history.py
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


# -- contributions.py
def excess_contribution(ctx: RuleContext) -> list[Finding]:
    """Traditional + Roth contributions for a year, per person, over the year's limit (schemas/limits.toml).

    A contribution returned by the extended due date (15 October of the next year, moved off weekends and
    holidays) was never made. A recharacterized contribution counts once: docs/events.md records what it became
    as its own contribution, so the recharacterization takes the first one off (out of a Roth IRA before 2018 it
    undid a conversion instead)."""
    import numpy as np

    from basis_ledger.engine.routing import place
    from basis_ledger.taxcalendar import last_conversion_recharacterization_year, limit_cents, smallest_limit_cents

    ev = ctx.events
    inp = inputs_of(ev)
    is_contrib = inp.isin(CONTRIBUTION_INPUTS)
    late = place(ev).late  # after the extended due date of the year's return (taxcalendar)
    is_back = (
        ((inp == "returned") & ~late)
        | (
            (inp == "recharacterized")
            & ((ev["account_type"] != "roth") | (ev["tax_year"] > last_conversion_recharacterization_year()))
        )
        | (inp == "recharacterized_roth_contribution")  # a Roth contribution moved to a traditional IRA, any year
    )
    signed = ev["amount_cents"].where(is_contrib, 0) - ev["amount_cents"].where(is_back, 0)
    keep = is_contrib | is_back
    net = signed[keep].groupby([ev["taxpayer"][keep], ev["tax_year"][keep]]).sum()
    if net.empty:
        return []
    birth = {t: p.birth_date for t, p in ctx.taxpayers.items()}
    out = []
    E = Events(ev)
    groups = None
    for (t, y), total in net[net > smallest_limit_cents()].items():  # only totals that can exceed some limit
        known = limit_cents(int(y), birth.get(t))
        if known is None or total <= known[0]:
            continue
        if groups is None:
            groups = E.groups(np.asarray(keep), ev["taxpayer"], ev["tax_year"])
        limit, older = known
        why = {
            True: " (including the catch-up for people 50 or older)",
            False: "",
            None: " (the limit without the age-50 catch-up: the birth date is unknown; set it with "
            "'basis-ledger taxpayer set')",
        }[older]
        out.append(
            Finding(
                "excess-contribution",
                t,
                int(y),
                f"Your IRA contributions for {y} add up to {money(total)}, over the {money(limit)} limit{why}; "
                f"withdraw the excess {money(total - limit)} with its earnings by the due date of the {y} return, "
                f"or it owes a {penalty('excess_contribution_percent')}% excise tax every year it stays (Form 5329).",
                expected=f"at most {money(limit)}",
                found=money(total),
                evidence=E.evidence(groups[(t, y)]),
            )
        )
    return out


# -- conversions.py
def pro_rata_exposure(ctx: RuleContext) -> list[Finding]:
    """A conversion in a year that ends with money in traditional/SEP/SIMPLE IRAs: line 18 is its tax cost."""
    own = own_lines(ctx)
    if own is None or own.empty:
        return []
    rows = own[own["L16"].notna() & own["L6"].notna()]
    rows = rows[(rows["L6"] > 0) & (rows["L18"] > 0)]
    if rows.empty:
        return []
    ev = ctx.events
    E = Events(ev)
    relevant = ev["account_type"].isin(POOLED_TYPES) & ev["kind"].isin(["conversion", "year_end_value"])
    by_year = E.groups(relevant, ev["taxpayer"], year_of(ev))
    kind, amount, acct = E.col("kind"), E.col("amount_cents"), E.col("account")
    atype = ev["account_type"].to_numpy()
    out = []
    for r in rows[["taxpayer", "tax_year", "L6", "L16", "L18"]].to_dict("records"):
        t, y = r["taxpayer"], int(r["tax_year"])
        pos = by_year.get((t, y), [])
        convs = [p for p in pos if kind[p] == "conversion"]
        ye = [p for p in pos if kind[p] == "year_end_value"]
        transit = int(r["L6"]) - sum(int(amount[p]) for p in ye)
        moving = f" ({money(transit)} of it a rollover still in transit)" if transit >= 100 else ""  # L6 is rounded
        extra = "".join(
            f" That includes the {atype[p].upper()} IRA {acct[p]} ({money(amount[p])})."
            for p in ye
            if atype[p] in ("sep", "simple") and amount[p] > 0
        )
        out.append(
            Finding(
                "pro-rata-exposure",
                t,
                y,
                f"Your {y} conversion of {money(r['L16'])} is partly taxable ({money(r['L18'])} on line 18) because "
                f"your traditional, SEP and SIMPLE IRAs held {money(r['L6'])} on 31 December {y}{moving} and the "
                f"pro-rata rule spreads your basis over all of it.{extra}",
                line="18",
                expected="$0",
                found=money(r["L18"]),
                evidence=(
                    *E.evidence(convs),
                    *E.evidence(ye),
                    line_evidence("6", r["L6"]),
                    line_evidence("18", r["L18"]),
                ),
            )
        )
    return out


# -- pool.py
def _at_points(rows: pd.DataFrame, points: list[Point]) -> pd.DataFrame:
    """Every point joined with its own taxpayer's rows, each row with `point` (its index in `points`) and whether
    it has happened by then (`before`). One merge for all points: no scan of the whole frame per point."""
    import numpy as np
    import pandas as pd

    last = np.iinfo(np.int64).max  # order None: the end of the day, every event of that day has happened
    pts = pd.DataFrame(
        {
            "taxpayer": [p.taxpayer for p in points],
            "point": np.arange(len(points)),
            "_p_date": [p.date for p in points],
            "_p_order": np.array([last if p.order is None else p.order for p in points], dtype=np.int64),
        }
    )
    j = rows.assign(_row=np.arange(len(rows))).merge(pts, on="taxpayer", how="inner", sort=False)
    j["before"] = (j["date"] < j["_p_date"]) | ((j["date"] == j["_p_date"]) & (j["_order"] < j["_p_order"]))
    return j


# -- pool.py
def account_values_many(ev: pd.DataFrame, points: list[Point]) -> tuple[list[dict[str, int]], pd.DataFrame]:
    """`account_values` for many points at once: each point's estimated value per pooled account, and the events
    each estimate used (a frame with a `point` column). `ev` must come from `ordered()`."""
    import pandas as pd

    pooled = ev[ev["account_type"].isin(POOLED_TYPES)]
    j = _at_points(pooled, points)
    j = j[j["before"].to_numpy()]
    ye = j[j["kind"] == "year_end_value"].sort_values(["point", "account", "date", "_order"], kind="stable")
    last_rows = ye.drop_duplicates(["point", "account"], keep="last")
    direction = flows()
    moves = j[j["kind"].isin(list(direction))]
    last_date = last_rows[["point", "account", "date"]].rename(columns={"date": "_ye_date"})
    dated = moves[["point", "account"]].merge(last_date, on=["point", "account"], how="left")  # keeps moves' order
    since = moves["date"].to_numpy(dtype=object) > dated["_ye_date"].fillna("").to_numpy(dtype=object)
    moves = moves[since]
    signed = moves["amount_cents"] * moves["kind"].map(direction).astype("int64")
    totals = signed.groupby([moves["point"], moves["account"]]).sum()
    base = last_rows.set_index(["point", "account"])["amount_cents"]
    values: list[dict[str, int]] = [{} for _ in points]
    for point, acct in sorted(set(base.index) | set(totals.index)):
        values[point][acct] = max(int(base.get((point, acct), 0)) + int(totals.get((point, acct), 0)), 0)
    used = (
        pd.concat([last_rows, moves])
        .sort_values(["point", "date", "_order"], kind="stable")
        .drop(columns=["_p_date", "_p_order", "before", "_row"])
    )
    return values, used


# -- pool.py
def basis_at(
    ev: pd.DataFrame, people: dict[str, Taxpayer], points: list[Point], values: list[dict[str, int]] | None = None
) -> list[int]:
    """Basis (cents) in each person's pool at each point, all points in one engine run.

    Each point becomes a pseudo-taxpayer whose history stops at the point (opening balances are kept whatever
    their date) and whose 31 December value for the point's year is the estimated value at the point.
    `values` (from account_values_many) saves estimating them again."""
    import numpy as np
    import pandas as pd

    from basis_ledger.loader import Loaded

    if not points:
        return []
    if values is None:
        values, _ = account_values_many(ev, points)
    opening = [k for k, v in kinds().items() if v.tax_year == "any"]
    years = np.array([int(p.date[:4]) for p in points], dtype=np.int64)
    j = _at_points(ev, points)
    date_year = j["date"].str.slice(0, 4).astype("int64").to_numpy()
    ye_this_year = (j["kind"] == "year_end_value").to_numpy() & (date_year >= years[j["point"].to_numpy()])
    cut = j[(j["kind"].isin(opening) | j["before"]).to_numpy() & ~ye_this_year]
    cut = cut.sort_values(["point", "_row"], kind="stable").drop(columns=["_p_date", "_p_order", "before", "_row"])
    synth = pd.DataFrame(
        {
            "taxpayer": [p.taxpayer for p in points],
            "date": [f"{y}-12-31" for y in years],
            "tax_year": years,
            "account": ESTIMATE_ACCOUNT,
            "account_type": "traditional",
            "kind": "year_end_value",
            "amount_cents": np.array([sum(v.values()) for v in values], dtype=np.int64),
            "memo": "",
            "source_line": 0,
            "point": np.arange(len(points)),
        }
    )
    allev = pd.concat([cut, synth], ignore_index=True).sort_values("point", kind="stable", ignore_index=True)
    allev["taxpayer"] = "#" + allev["point"].astype("str")
    for c in ("tax_year", "amount_cents", "source_line"):
        allev[c] = allev[c].astype("int64")
    stand_ins = {
        f"#{i}": replace(people.get(p.taxpayer, Taxpayer(p.taxpayer)), name=f"#{i}") for i, p in enumerate(points)
    }
    lines = Loaded(allev.drop(columns=["point"]), stand_ins).cents_lines
    own = lines[lines["chain"] == "own"].set_index(["taxpayer", "tax_year"])["basis_end"]
    return [int(own.get((f"#{i}", int(p.date[:4])), 0)) for i, p in enumerate(points)]


# -- rollovers.py
def basis_to_plan(ctx: RuleContext) -> list[Finding]:
    """IRC 408(d)(3)(H): only pre-tax money may go to an employer plan. Pre-tax part = the pool's estimated value
    just before the rollover (audit/pool.py) less the basis at that moment (the engine's, for the history so far)."""
    import numpy as np

    from basis_ledger.audit.pool import Point, ordered

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


# -- rollovers.py
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


# -- conversions.py
def leftover_basis(ctx: RuleContext) -> list[Finding]:
    """Basis carried forward although the IRAs behind it were worth $0 on 31 December."""
    import numpy as np
    import pandas as pd

    lines, ev = ctx.lines, ctx.events
    if lines is None or lines.empty or "L6" not in lines.columns:
        return []
    inherited = ev["account_type"] == "inherited_traditional"
    is_ye = (ev["kind"] == "year_end_value") & (ev["account_type"].isin(POOLED_TYPES) | inherited)
    chain = pd.Series(np.where(inherited, "inherited:" + ev["account"], "own"), index=ev.index)
    keys = [ev["taxpayer"][is_ye], chain[is_ye], year_of(ev)[is_ye]]
    totals = ev["amount_cents"][is_ye].groupby(keys).sum()
    zero = totals[totals == 0].index
    # Line 4 (contributions for the year deposited after 31 December) arrived after the value was taken: not
    # leftover. A year whose 31 December value is unknown is incomplete (year-end-value-missing), not $0.
    behind = lines["basis_end"] - lines["L4"].fillna(0).astype("int64")
    complete = lines["complete"] if "complete" in lines.columns else True
    cand = lines[(behind > 0) & (lines["L6"].isna() | (lines["L6"] == 0)) & complete].assign(leftover=behind)
    # A year without a 31 December value is the engine's year-end-value-missing caution, not this finding.
    cand = cand[pd.MultiIndex.from_arrays([cand["taxpayer"], cand["chain"], cand["tax_year"]]).isin(zero)]
    if cand.empty:
        return []
    E = Events(ev)
    groups = E.groups(is_ye, ev["taxpayer"], chain, year_of(ev))
    out = []
    for r in cand[["taxpayer", "chain", "tax_year", "basis_end", "leftover", "L16"]].to_dict("records"):
        key = (r["taxpayer"], r["chain"], int(r["tax_year"]))
        tip = " (leaving $1 in the IRA before converting avoids this)" if present(r, "L16") else ""
        out.append(
            Finding(
                "leftover-basis",
                key[0],
                key[2],
                f"Basis of {money(r['leftover'])} is carried into {key[2] + 1} although the IRAs behind it were "
                f"worth $0 on 31 December {key[2]}; the form keeps it, but no money stands behind it until you "
                f"contribute or roll money in again{tip}.",
                line="14",
                expected="$0",
                found=money(r["leftover"]),
                chain=key[1],
                evidence=(*E.evidence(groups[key]), line_evidence("14", r["basis_end"])),
            )
        )
    return out


# -- contributions.py (as of dbaa450)
def late_contribution(ctx: RuleContext) -> list[Finding]:
    """(dbaa450, per row over the frame) A contribution for year Y deposited after its deadline is late."""
    from basis_ledger.taxcalendar import contribution_deadline_iso as deadline

    ev = ctx.events
    inp = inputs_of(ev)
    contrib = inp.isin(CONTRIBUTION_INPUTS)
    deadlines = {int(y): deadline(int(y)) for y in ev.loc[contrib, "tax_year"].unique()}
    every = {int(y): deadlines.get(int(y), "9999-12-31") for y in ev["tax_year"].unique()}  # others: never late
    due = ev["tax_year"].map(every)
    late = contrib & (ev["date"].to_numpy(dtype=object) > due.to_numpy(dtype=object))
    E = Events(ev)
    out = []
    for p in late.to_numpy().nonzero()[0]:
        y, day = int(ev["tax_year"].iat[p]), E.col("date")[p]
        out.append(
            Finding(
                "late-contribution",
                ev["taxpayer"].iat[p],
                y,
                f"The {money(E.col('amount_cents')[p])} contribution to {E.col('account')[p]} recorded for {y} was "
                f"deposited on {day}, after the {y} deadline of {due.iat[p]}; it can only count for {day[:4]}.",
                line="1" if inp.iat[p] in TRADITIONAL_CONTRIBUTION_INPUTS else None,
                expected=f"by {due.iat[p]}",
                found=day,
                evidence=E.evidence([p]),
            )
        )
    return out
