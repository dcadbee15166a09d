"""`plan backdoor`: the yearly backdoor Roth (a nondeductible contribution, then its conversion), its tax cost
given the pre-tax balance expected on 31 December, and how to bring that cost to zero."""

from __future__ import annotations

from typing import TYPE_CHECKING

from basis_ledger.audit.rules import money
from basis_ledger.engine.form8606 import Options
from basis_ledger.model import Taxpayer
from basis_ledger.plan import builder
from basis_ledger.plan.whatif import PlanResult, evaluate, next_id

if TYPE_CHECKING:
    import pandas as pd

SOURCE = "plan backdoor (hypothetical)"
NEW_ACCOUNT = "TRADITIONAL-IRA"


def backdoor(
    ledger: pd.DataFrame,
    people: dict[str, Taxpayer],
    taxpayer: str,
    year: int,
    amount: int,
    start: str | None,
    opts: Options,
) -> PlanResult:
    day = builder.start_date(ledger, taxpayer, year, start)
    st = builder.pool_state(ledger, people, taxpayer, day)
    trad = [a for a in st.values if st.types.get(a) == "traditional"]
    acct = min(trad, key=lambda a: (st.values[a], a)) if trad else NEW_ACCOUNT  # the emptiest traditional IRA
    convert_day = builder.later(day)
    moves = (
        (day, "nondeductible_contribution", f"A nondeductible contribution for {year} to {acct}: it adds "
         f"{money(amount)} to your basis (line 1)."),
        (convert_day, "conversion", "Convert it once it has settled; any earnings in between are taxable on line 18."),
    )  # fmt: skip
    rows = [builder.event_row(taxpayer, d, acct, "traditional", k, amount, "plan backdoor", year) for d, k, _ in moves]
    steps = [{"date": d, "event": k, "amount": amount, "why": why} for d, k, why in moves]
    plan = builder.plan_events(rows, SOURCE, next_id(ledger) + 1000)
    result = evaluate(ledger, people, plan, taxpayer, year, opts, SOURCE)
    if st.pre_tax:
        how = (
            f"Have the pre-tax {money(st.pre_tax)} out of your traditional, SEP and SIMPLE IRAs by 31 December "
            f"{year}: roll it into an employer plan that accepts roll-ins before you convert ('basis-ledger plan "
            f"isolate'), or convert it as well and pay the tax on it now."
        )
    else:
        how = (
            f"Nothing pre-tax is expected in your IRAs on 31 December {year}; keep it so (no rollover from a plan "
            "into a traditional IRA, no SEP or SIMPLE contribution) until then."
        )
    result.steps = steps
    result.cautions = [
        how,
        builder.sep_simple_caution(st, year),
        "The amounts assume the IRAs keep their last known value; a gain before 31 December raises "
        "line 6, a loss lowers it.",
    ]
    result.extra = {"pre_tax_year_end_cents": st.pre_tax, "to_zero": how}
    return result
