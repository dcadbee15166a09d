"""`plan isolate`: the basis-isolation strategy from the ledger's state (form8606-rules.md section 6).

Roll the pre-tax part of the pool (its value less basis, never basis: IRC 408(d)(3)(H)) into an employer plan,
convert what remains, and keep the pre-tax money out of IRAs until 1 January of the next year at the earliest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from basis_ledger.audit.rules import money
from basis_ledger.engine.form8606 import Options
from basis_ledger.model import Taxpayer
from basis_ledger.plan import builder
from basis_ledger.plan.whatif import PlanResult, evaluate, next_id

if TYPE_CHECKING:
    import pandas as pd

SOURCE = "plan isolate (hypothetical)"


def isolate(
    ledger: pd.DataFrame, people: dict[str, Taxpayer], taxpayer: str, year: int, start: str | None, opts: Options
) -> PlanResult:
    day = builder.start_date(ledger, taxpayer, year, start)
    st = builder.pool_state(ledger, people, taxpayer, day)
    rows: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []

    # In whole dollars an amount under 50 cents shows as a "$0" step and is no step at all (it rounds to 0 on
    # every line); with --cents every cent is one.
    least = 1 if opts.cents else 50

    def step(day_: str, kind: str, acct: str | None, cents: int, why: str) -> None:
        if acct is not None:
            rows.append(builder.event_row(taxpayer, day_, acct, st.types[acct], kind, cents, "plan isolate"))
        steps.append({"date": day_, "event": kind, "amount": cents, "why": why})

    remaining, left = dict(st.values), st.pre_tax if st.basis else 0
    for acct in sorted(remaining, key=lambda a: (-remaining[a], a)):  # largest accounts first: fewest moves
        take = min(left, remaining[acct])
        if take >= least:
            why = (
                f"From {acct} into an employer plan that accepts roll-ins: only the pre-tax part may go (value "
                f"{money(st.value)} less basis {money(st.basis)}); the basis stays in the IRA (IRC 408(d)(3)(H))."
            )
            step(day, "rollover_to_plan", acct, take, why)
            remaining[acct] -= take
            left -= take
    convert_day = builder.later(day)
    for acct, rest in remaining.items():
        if rest >= least and st.basis:
            why = (
                f"Convert what is left in {acct} (your basis) once the plan has deposited the roll-in: with "
                f"nothing else in your traditional, SEP and SIMPLE IRAs on 31 December {year}, line 10 is 1.000 "
                "and the conversion is not taxable."
            )
            step(convert_day, "conversion", acct, rest, why)
    plan = builder.plan_events(rows, SOURCE, next_id(ledger) + 1000)
    result = evaluate(ledger, people, plan, taxpayer, year, opts, SOURCE)
    back = f"{year + 1}-01-01"
    if st.pre_tax and st.basis:  # advice for the next year, not an event of this plan
        why = (
            f"Optional, and never before {back}: pre-tax money back in an IRA by 31 December {year} lands on "
            "line 6 and makes the conversion taxable after all. Leaving it in the plan is better still."
        )
        step(back, "rollover_from_plan", None, st.pre_tax, why)
    result.steps, result.cautions = steps, _cautions(ledger, taxpayer, year, st)
    # The same conversion with the pre-tax money left in the IRAs: what the isolation saves.
    converts = [r for r in rows if r["kind"] == "conversion"]
    alone = evaluate(ledger, people, builder.plan_events(converts, SOURCE, next_id(ledger) + 1000), taxpayer, year,
                     opts, SOURCE) if converts and st.pre_tax else None  # fmt: skip
    result.extra = {
        "value_cents": st.value,
        "basis_cents": st.basis,
        "pre_tax_cents": st.pre_tax,
        "earliest_return": back,
        "taxable_without_isolation_cents": alone.taxable_change if alone else result.taxable_change,
    }
    return result


def _cautions(ledger: pd.DataFrame, taxpayer: str, year: int, st: builder.PoolState) -> list[str]:
    if not st.basis:
        return [
            "There is no basis in your traditional, SEP and SIMPLE IRAs: nothing to isolate, and a conversion "
            "would be taxable in full."
        ]
    since = f"the 31 December {st.last_statement[:4]} value" if st.last_statement else "no 31 December value"
    out = [
        "The employer plan must accept roll-ins of IRA money (ask its administrator), and it must have deposited "
        "the roll-in before you convert.",
        f"Amounts start from {since} plus deposits less withdrawals since; on the day, roll the balance less the "
        f"basis ({money(st.basis)}), never more, and convert what is left.",
        "Leaving the pre-tax money in the plan keeps future backdoor Roth conversions clean: any pre-tax IRA balance "
        "on 31 December of a conversion year makes part of that conversion taxable.",
        builder.sep_simple_caution(st, year),
        builder.rollover_caution(ledger, taxpayer, st.start),
    ]
    if st.value < st.basis:
        out.append(
            f"The IRAs are worth less than their basis ({money(st.value)} < {money(st.basis)}): converting "
            "everything leaves basis with no money behind it (leftover-basis)."
        )
    return out
