"""Finding rules over events, computed lines and taxpayers, shared by the planner and the audit.

Each rule is a function `Context -> list[Finding]`; `run_rules` runs a list of them. A rule reads only
`ctx.events` (Ledger.events() columns, with source_file and source_line; `id` orders events of one day),
`ctx.lines` (engine.results.compute_lines) and `ctx.taxpayers`. Codes, severities and titles:
schemas/findings.toml; what each means and what to do: docs/findings.md.

Rules select the rows that break them with whole-frame operations and build findings only for those, so an
audit of a large ledger stays fast: evidence comes from column arrays by position, never from row filters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from basis_ledger.audit.findings import Context, Evidence, Finding
from basis_ledger.model import POOLED_TYPES, kinds

if TYPE_CHECKING:
    import pandas as pd

Rule = Callable[[Context], list[Finding]]
CONTRIBUTION_INPUTS = ("nondeductible", "deductible", "traditional_undeclared", "roth_contribution")
TRADITIONAL_CONTRIBUTION_INPUTS = CONTRIBUTION_INPUTS[:3]


def money(cents: int) -> str:
    """`$1,234` or `$1,234.56`: exact, from integer cents (whole dollars drop the cents)."""
    sign, (dollars, rest) = "-" if cents < 0 else "", divmod(abs(int(cents)), 100)
    return f"{sign}${dollars:,}" + (f".{rest:02d}" if rest else "")


def event_evidence(row) -> Evidence:
    """A ledger (or what-if) event as evidence: its file and line, and what it says."""
    what = f"{row['kind']} {row['date']} {row['account']} = {money(row['amount_cents'])}".replace("  ", " ")
    line = int(row["source_line"])
    if not line:  # a row the planner made (a projected 31 December value): its memo says how
        memo = row.get("memo") or ""
        return Evidence(str(row["source_file"]), "no line", f"{what} ({memo})" if memo else what)
    return Evidence(str(row["source_file"]), f"line {line}", what)


class _Events:
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
            event_evidence(
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


def line_evidence(label: str, cents) -> Evidence:
    return Evidence("computed", f"line {label}", money(cents))


def _inputs(ev: pd.DataFrame) -> pd.Series:
    return ev["kind"].map({k: v.input for k, v in kinds().items()})


def _year(ev: pd.DataFrame) -> pd.Series:
    return ev["date"].str.slice(0, 4).astype("int64")


def _present(row: dict, col: str) -> bool:
    import pandas as pd

    return col in row and not pd.isna(row[col])


def _own_lines(ctx: Context) -> pd.DataFrame:
    lines = ctx.lines
    if lines is None or lines.empty or "L6" not in lines.columns:
        return lines.iloc[0:0] if lines is not None else None
    return lines[lines["chain"] == "own"]


def pro_rata_exposure(ctx: Context) -> list[Finding]:
    """A conversion in a year that ends with money in traditional/SEP/SIMPLE IRAs: line 18 is its tax cost."""
    own = _own_lines(ctx)
    if own is None or own.empty:
        return []
    rows = own[own["L16"].notna() & own["L6"].notna()]
    rows = rows[(rows["L6"] > 0) & (rows["L18"] > 0)]
    if rows.empty:
        return []
    ev = ctx.events
    E = _Events(ev)
    relevant = ev["account_type"].isin(POOLED_TYPES) & ev["kind"].isin(["conversion", "year_end_value"])
    by_year = E.groups(relevant, ev["taxpayer"], _year(ev))
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


def basis_to_plan(ctx: Context) -> list[Finding]:
    """IRC 408(d)(3)(H): only pre-tax money may go to an employer plan. Pre-tax part = the pool's estimated value
    just before the rollover (plan/pool.py) less the basis at that moment (the engine's, for the history so far)."""
    from basis_ledger.plan.pool import Point, account_values, basis_at, ordered

    ev = ctx.events
    rolling = ev["kind"] == "rollover_to_plan"
    if not rolling.any():
        return []
    ev = ordered(ev[ev["taxpayer"].isin(set(ev.loc[rolling, "taxpayer"]))])
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
    pooled = ev["account_type"].isin(POOLED_TYPES)
    back = pooled & (ev["kind"] == "rollover_from_plan")
    if not back.any():
        return []
    E = _Events(ev)
    years = _year(ev)
    convs = E.groups(pooled & (ev["kind"] == "conversion"), ev["taxpayer"], years)
    own = _own_lines(ctx)
    l18 = {} if own is None or own.empty else own.set_index(["taxpayer", "tax_year"])["L18"].dropna().to_dict()
    out = []
    for p in back.to_numpy().nonzero()[0]:
        t, y = ev["taxpayer"].iat[p], int(years.iat[p])
        these = convs.get((t, y))
        if these is None:
            continue
        cost = f" (line 18 is {money(l18[(t, y)])})" if (t, y) in l18 else ""
        out.append(
            Finding(
                "rollback-same-year",
                t,
                y,
                f"The {money(E.col('amount_cents')[p])} rolled from an employer plan into {E.col('account')[p]} on "
                f"{E.col('date')[p]} is in your traditional IRAs on 31 December {y}, the year you converted "
                f"{money(sum(int(E.col('amount_cents')[c]) for c in these))}, so it makes the conversion taxable "
                f"pro rata{cost}; roll it back on or after 1 January {y + 1} instead.",
                line="6",
                expected=f"on or after {y + 1}-01-01",
                found=E.col("date")[p],
                evidence=(*E.evidence([p]), *E.evidence(these), *((line_evidence("18", l18[(t, y)]),) if cost else ())),
            )
        )
    return out


def excess_contribution(ctx: Context) -> list[Finding]:
    """Traditional + Roth contributions for a year, per person, over the year's limit (schemas/limits.toml).

    A contribution returned by the extended due date (15 October of the next year) was never made. A
    recharacterized contribution counts once: docs/events.md records what it became as its own contribution, so
    the recharacterization takes the first one off (out of a Roth IRA before 2018 it undid a conversion instead)."""
    import numpy as np

    from basis_ledger.plan.limits import limit_cents, smallest_limit_cents

    ev = ctx.events
    inp = _inputs(ev)
    is_contrib = inp.isin(CONTRIBUTION_INPUTS)
    is_back = ((inp == "returned") & (ev["date"] <= (ev["tax_year"] + 1).astype(str) + "-10-15")) | (
        (inp == "recharacterized") & ((ev["account_type"] != "roth") | (ev["tax_year"] > 2017))
    )
    signed = ev["amount_cents"].where(is_contrib, 0) - ev["amount_cents"].where(is_back, 0)
    keep = is_contrib | is_back
    net = signed[keep].groupby([ev["taxpayer"][keep], ev["tax_year"][keep]]).sum()
    if net.empty:
        return []
    birth = {t: p.birth_date for t, p in ctx.taxpayers.items()}
    out = []
    E = _Events(ev)
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
                "or it owes a 6% excise tax every year it stays (Form 5329).",
                expected=f"at most {money(limit)}",
                found=money(total),
                evidence=E.evidence(groups[(t, y)]),
            )
        )
    return out


def late_contribution(ctx: Context) -> list[Finding]:
    """A contribution for year Y deposited after Y's deadline (schemas/limits.toml) does not count for Y."""
    from basis_ledger.plan.limits import deadline

    ev = ctx.events
    inp = _inputs(ev)
    contrib = inp.isin(CONTRIBUTION_INPUTS)
    deadlines = {int(y): deadline(int(y)) for y in ev.loc[contrib, "tax_year"].unique()}
    due = ev["tax_year"].map(lambda y: deadlines.get(int(y), "9999-12-31"))  # non-contributions: never late
    late = contrib & (ev["date"] > due)
    E = _Events(ev)
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


def rollover_frequency(ctx: Context) -> list[Finding]:
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
    E = _Events(ev)
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


def leftover_basis(ctx: Context) -> list[Finding]:
    """Basis carried forward although the IRAs behind it were worth $0 on 31 December."""
    import numpy as np
    import pandas as pd

    lines, ev = ctx.lines, ctx.events
    if lines is None or lines.empty or "L6" not in lines.columns:
        return []
    inherited = ev["account_type"] == "inherited_traditional"
    is_ye = (ev["kind"] == "year_end_value") & (ev["account_type"].isin(POOLED_TYPES) | inherited)
    chain = pd.Series(np.where(inherited, "inherited:" + ev["account"], "own"), index=ev.index)
    keys = [ev["taxpayer"][is_ye], chain[is_ye], _year(ev)[is_ye]]
    totals = ev["amount_cents"][is_ye].groupby(keys).sum()
    zero = totals[totals == 0].index
    cand = lines[(lines["basis_end"] > 0) & (lines["L6"].isna() | (lines["L6"] == 0))]
    # A year without a 31 December value is the engine's year-end-value-missing caution, not this finding.
    cand = cand[pd.MultiIndex.from_arrays([cand["taxpayer"], cand["chain"], cand["tax_year"]]).isin(zero)]
    if cand.empty:
        return []
    E = _Events(ev)
    groups = E.groups(is_ye, ev["taxpayer"], chain, _year(ev))
    out = []
    for r in cand[["taxpayer", "chain", "tax_year", "basis_end", "L16"]].to_dict("records"):
        key = (r["taxpayer"], r["chain"], int(r["tax_year"]))
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
                evidence=(*E.evidence(groups[key]), line_evidence("14", r["basis_end"])),
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
