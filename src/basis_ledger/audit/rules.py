"""Finding rules over events, computed lines and taxpayers, shared by the planner and the audit.

Each rule is a function `Context -> list[Finding]`; `run_rules` runs a list of them. A rule reads only
`ctx.events` (Ledger.events() columns, with source_file and source_line), `ctx.lines`
(engine.results.compute_lines) and `ctx.taxpayers`. Codes, severities and titles: schemas/findings.toml;
what each means and what to do: docs/findings.md.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING

from basis_ledger.audit.findings import Context, Evidence, Finding
from basis_ledger.model import POOLED_TYPES, kinds
from basis_ledger.money import format_cents

if TYPE_CHECKING:
    import pandas as pd

Rule = Callable[[Context], list[Finding]]
CONTRIBUTION_INPUTS = ("nondeductible", "deductible", "traditional_undeclared", "roth_contribution")
TRADITIONAL_CONTRIBUTION_INPUTS = CONTRIBUTION_INPUTS[:3]


def money(cents: int) -> str:
    cents = int(cents)
    return "$" + format_cents(cents, whole=cents % 100 == 0)


def event_evidence(row) -> Evidence:
    """A ledger (or what-if) event as evidence: its file and line, and what it says."""
    line = int(row["source_line"])
    what = f"{row['kind']} {row['date']} {row['account']} = {money(row['amount_cents'])}".replace("  ", " ")
    if not line:  # a row the planner made (a projected 31 December value): its memo says how
        return Evidence(str(row["source_file"]), "no line", f"{what} ({row['memo']})" if row["memo"] else what)
    where = f"line {line}"
    return Evidence(str(row["source_file"]), where, what)


def line_evidence(label: str, cents) -> Evidence:
    return Evidence("computed", f"line {label}", money(cents))


def _inputs(ev: pd.DataFrame) -> pd.Series:
    return ev["kind"].map({k: v.input for k, v in kinds().items()})


def _own_row(ctx: Context, taxpayer: str, year: int):
    lines = ctx.lines
    hit = lines[(lines["taxpayer"] == taxpayer) & (lines["chain"] == "own") & (lines["tax_year"] == year)]
    return None if hit.empty else hit.iloc[0]


def _present(row, col: str) -> bool:
    import pandas as pd

    return row is not None and col in row and not pd.isna(row[col])


def _year(ev: pd.DataFrame) -> pd.Series:
    return ev["date"].str.slice(0, 4).astype("int64")


def pro_rata_exposure(ctx: Context) -> list[Finding]:
    """A conversion in a year that ends with money in traditional/SEP/SIMPLE IRAs: line 18 is its tax cost."""
    lines, ev = ctx.lines, ctx.events
    if lines.empty or "L16" not in lines.columns:
        return []
    rows = lines[(lines["chain"] == "own") & lines["L16"].notna() & lines["L6"].notna()]
    rows = rows[(rows["L6"] > 0) & (rows["L18"] > 0)]
    out = []
    for r in rows.to_dict("records"):
        t, y = r["taxpayer"], int(r["tax_year"])
        mine = ev[(ev["taxpayer"] == t) & (_year(ev) == y) & ev["account_type"].isin(POOLED_TYPES)]
        convs = mine[mine["kind"] == "conversion"]
        ye = mine[mine["kind"] == "year_end_value"]
        others = ye[ye["account_type"].isin(["sep", "simple"]) & (ye["amount_cents"] > 0)]
        transit = int(r["L6"]) - int(ye["amount_cents"].sum())
        moving = f" ({money(transit)} of it a rollover still in transit)" if transit >= 100 else ""  # L6 is rounded
        extra = "".join(
            f" That includes the {a['account_type'].upper()} IRA {a['account']} ({money(a['amount_cents'])})."
            for a in others.to_dict("records")
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
                    *(event_evidence(e) for e in convs.to_dict("records")),
                    *(event_evidence(e) for e in ye.to_dict("records")),
                    line_evidence("6", r["L6"]),
                    line_evidence("18", r["L18"]),
                ),
            )
        )
    return out


def basis_to_plan(ctx: Context) -> list[Finding]:
    """IRC 408(d)(3)(H): only pre-tax money may go to an employer plan. Pre-tax part = the pool's estimated value
    just before the rollover (plan/pool.py) less the basis at that moment (the engine's, for the history so far)."""
    from basis_ledger.plan.pool import Point, account_values, basis_at, ordered

    ev = ordered(ctx.events)
    rolls = ev[ev["kind"] == "rollover_to_plan"].to_dict("records")
    points = [Point(r["taxpayer"], r["date"], int(r["_order"])) for r in rolls]
    bases = basis_at(ev, ctx.taxpayers, points)
    out = []
    for r, p, basis in zip(rolls, points, bases, strict=True):
        values, used = account_values(ev, p)
        value = sum(values.values())
        pretax = max(value - basis, 0)
        if r["amount_cents"] <= pretax:
            continue
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
                    event_evidence(r),
                    *(event_evidence(e) for e in used.to_dict("records")),
                    Evidence("computed", f"pool value on {r['date']} (estimate)", money(value)),
                    Evidence("computed", f"basis on {r['date']}", money(basis)),
                ),
            )
        )
    return out


def rollback_same_year(ctx: Context) -> list[Finding]:
    """Pre-tax plan money back in a traditional/SEP/SIMPLE IRA by 31 December of a conversion year lands on line 6."""
    ev = ctx.events
    pooled = ev[ev["account_type"].isin(POOLED_TYPES)]
    years = _year(pooled)
    convs = pooled[pooled["kind"] == "conversion"]
    conv_years = set(zip(convs["taxpayer"], _year(convs), strict=True))
    backs = pooled[(pooled["kind"] == "rollover_from_plan")]
    out = []
    for r, y in zip(backs.to_dict("records"), years[backs.index], strict=True):
        t = r["taxpayer"]
        if (t, int(y)) not in conv_years:
            continue
        these = convs[(convs["taxpayer"] == t) & (_year(convs) == y)]
        row = _own_row(ctx, t, int(y))
        cost = f" (line 18 is {money(row['L18'])})" if _present(row, "L18") else ""
        out.append(
            Finding(
                "rollback-same-year",
                t,
                int(y),
                f"The {money(r['amount_cents'])} rolled from an employer plan into {r['account']} on {r['date']} is "
                f"in your traditional IRAs on 31 December {y}, the year you converted "
                f"{money(these['amount_cents'].sum())}, so it makes the conversion taxable pro rata{cost}; "
                f"roll it back on or after 1 January {int(y) + 1} instead.",
                line="6",
                expected=f"on or after {int(y) + 1}-01-01",
                found=r["date"],
                evidence=(
                    event_evidence(r),
                    *(event_evidence(e) for e in these.to_dict("records")),
                    *((line_evidence("18", row["L18"]),) if cost else ()),
                ),
            )
        )
    return out


def _contributions(ev: pd.DataFrame) -> pd.DataFrame:
    return ev[_inputs(ev).isin(CONTRIBUTION_INPUTS)]


def excess_contribution(ctx: Context) -> list[Finding]:
    """Traditional + Roth contributions for a year, per person, over the year's limit (schemas/limits.toml).

    A contribution returned by the extended due date (15 October of the next year) was never made; a
    recharacterization out of a Roth IRA counts once, as the traditional contribution it became."""
    from basis_ledger.plan.limits import limit_cents

    ev = ctx.events
    inp = _inputs(ev)
    contrib = _contributions(ev)
    back = ev[
        ((inp == "returned") & (ev["date"] <= (ev["tax_year"] + 1).astype(str) + "-10-15"))
        | ((inp == "recharacterized") & (ev["account_type"] == "roth") & (ev["tax_year"] > 2017))
    ]
    totals = contrib.groupby(["taxpayer", "tax_year"])["amount_cents"].sum()
    less = back.groupby(["taxpayer", "tax_year"])["amount_cents"].sum()
    out = []
    for (t, y), total in totals.items():
        net = int(total) - int(less.get((t, y), 0))
        person = ctx.taxpayers.get(t)
        known = limit_cents(int(y), person.birth_date if person else None)
        if known is None or net <= known[0]:
            continue
        limit, older = known
        why = {
            True: " (including the catch-up for people 50 or older)",
            False: "",
            None: " (the limit without the age-50 catch-up: the birth date is unknown; set it with "
            "'basis-ledger taxpayer set')",
        }[older]
        rows = contrib[(contrib["taxpayer"] == t) & (contrib["tax_year"] == y)]
        out.append(
            Finding(
                "excess-contribution",
                t,
                int(y),
                f"Your IRA contributions for {y} add up to {money(net)}, over the {money(limit)} limit{why}; "
                f"withdraw the excess {money(net - limit)} with its earnings by the due date of the {y} return, or "
                "it owes a 6% excise tax every year it stays (Form 5329).",
                expected=f"at most {money(limit)}",
                found=money(net),
                evidence=tuple(event_evidence(e) for e in rows.to_dict("records"))
                + tuple(
                    event_evidence(e)
                    for e in back[(back["taxpayer"] == t) & (back["tax_year"] == y)].to_dict("records")
                ),
            )
        )
    return out


def late_contribution(ctx: Context) -> list[Finding]:
    """A contribution for year Y deposited after Y's deadline (schemas/limits.toml) does not count for Y."""
    from basis_ledger.plan.limits import deadline

    contrib = _contributions(ctx.events)
    out = []
    for r in contrib.to_dict("records"):
        y = int(r["tax_year"])
        due = deadline(y)
        if r["date"] <= due:
            continue
        trad = kinds()[r["kind"]].input in TRADITIONAL_CONTRIBUTION_INPUTS
        out.append(
            Finding(
                "late-contribution",
                r["taxpayer"],
                y,
                f"The {money(r['amount_cents'])} contribution to {r['account']} recorded for {y} was deposited on "
                f"{r['date']}, after the {y} deadline of {due}; it can only count for {int(r['date'][:4])}.",
                line="1" if trad else None,
                expected=f"by {due}",
                found=r["date"],
                evidence=(event_evidence(r),),
            )
        )
    return out


def rollover_frequency(ctx: Context) -> list[Finding]:
    """One 60-day IRA-to-IRA rollover per 12 months across all of a person's IRAs (Pub 590-B); direct
    trustee-to-trustee transfers are not rollover_out events and are not limited."""
    import pandas as pd

    ev = ctx.events
    outs = ev[(ev["kind"] == "rollover_out") & ev["account_type"].isin(POOLED_TYPES)]
    out = []
    for t, mine in outs.sort_values("date").groupby("taxpayer"):
        rows = mine.to_dict("records")
        for prev, cur in pairwise(rows):
            until = (pd.Timestamp(prev["date"]) + pd.DateOffset(years=1)).strftime("%Y-%m-%d")
            if cur["date"] >= until:
                continue
            out.append(
                Finding(
                    "rollover-frequency",
                    t,
                    int(cur["date"][:4]),
                    f"The 60-day rollover of {money(cur['amount_cents'])} out of {cur['account']} on {cur['date']} "
                    f"comes within 12 months of the one on {prev['date']}; only one is allowed per 12 months, so "
                    "the second is a taxable distribution (use a direct trustee-to-trustee transfer instead).",
                    expected=f"on or after {until}",
                    found=cur["date"],
                    evidence=(event_evidence(prev), event_evidence(cur)),
                )
            )
    return out


def leftover_basis(ctx: Context) -> list[Finding]:
    """Basis carried forward although the IRAs behind it were worth $0 on 31 December."""
    lines, ev = ctx.lines, ctx.events
    if lines.empty or "L6" not in lines.columns:
        return []
    ye = ev[ev["kind"] == "year_end_value"]
    chain = ye["account_type"].map(lambda a: "own" if a in POOLED_TYPES else None)
    chain = chain.where(ye["account_type"] != "inherited_traditional", "inherited:" + ye["account"])
    ye = ye.assign(chain=chain, tax_year=_year(ye))
    sums = ye.groupby(["taxpayer", "chain", "tax_year"])["amount_cents"].sum()
    out = []
    for r in lines[lines["basis_end"] > 0].to_dict("records"):
        key = (r["taxpayer"], r["chain"], int(r["tax_year"]))
        # A year without a 31 December value is the engine's year-end-value-missing caution, not this finding.
        zero = key in sums.index and sums[key] == 0 and (not _present(r, "L6") or r["L6"] == 0)
        if not zero:
            continue
        rows = ye[(ye["taxpayer"] == key[0]) & (ye["chain"] == key[1]) & (ye["tax_year"] == key[2])]
        tip = " (leaving $1 in the IRA before converting avoids this)" if _present(r, "L16") else ""
        out.append(
            Finding(
                "leftover-basis",
                key[0],
                key[2],
                f"Basis of {money(r['basis_end'])} is carried into {key[2] + 1} although the IRAs behind it were "
                f"worth $0 on 31 December {key[2]}; the form keeps it, but no money stands behind it until you "
                f"contribute or roll money in again{tip}.",
                line="14",
                expected="$0",
                found=money(r["basis_end"]),
                chain=key[1],
                evidence=(*(event_evidence(e) for e in rows.to_dict("records")), line_evidence("14", r["basis_end"])),
            )
        )
    return out


EVENT_RULES: list[Rule] = [
    pro_rata_exposure,
    basis_to_plan,
    rollback_same_year,
    excess_contribution,
    late_contribution,
    rollover_frequency,
    leftover_basis,
]


def run_rules(ctx: Context, rules: list[Rule] = EVENT_RULES) -> list[Finding]:
    """Every finding of every rule, in a stable order: taxpayer, year, code, message."""
    if ctx.events is None or len(ctx.events) == 0:
        return []
    found = [f for rule in rules for f in rule(ctx)]
    return sorted(found, key=lambda f: (f.taxpayer, f.tax_year, f.code, f.chain, f.message))
