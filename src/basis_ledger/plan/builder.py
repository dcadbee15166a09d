"""What `plan isolate` and `plan backdoor` share: the day a plan starts, the pool on that day, plan events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from basis_ledger.audit.pool import Point, account_values, basis_at, ordered
from basis_ledger.model import POOLED_TYPES, InputError, Problem, Taxpayer
from basis_ledger.money import format_cents

if TYPE_CHECKING:
    import pandas as pd

# Days between a step and the next one that waits for money to arrive (a roll-in deposited by the plan, a
# contribution settled). A placeholder: what matters to Form 8606 is the order and the calendar year, so the
# cautions tell the user to wait for the confirmation, not for the calendar.
WAIT_DAYS = 14


@dataclass(frozen=True)
class PoolState:
    start: str  # the plan's first day (ISO)
    values: dict[str, int]  # pooled account -> estimated cents at the start
    types: dict[str, str]  # pooled account -> traditional | sep | simple
    basis: int  # cents
    last_statement: str | None  # the latest 31 December value the estimate starts from

    @property
    def value(self) -> int:
        return sum(self.values.values())

    @property
    def pre_tax(self) -> int:
        return max(self.value - self.basis, 0)


def start_date(ledger: pd.DataFrame, taxpayer: str, year: int, start: str | None) -> str:
    """The plan's first day: --start, else the day after the person's last ledger event, not before 2 January.

    A year whose 31 December values are already in the ledger is over: plan a later year."""
    mine = ledger[ledger["taxpayer"] == taxpayer]
    closed = mine[(mine["kind"] == "year_end_value") & mine["account_type"].isin(POOLED_TYPES)]
    if (closed["date"] == f"{year}-12-31").any():
        raise InputError(
            [Problem("--year", f"the ledger already has {taxpayer}'s 31 December {year} values; plan a later year")]
        )
    if start is not None:
        try:
            day = date.fromisoformat(start)
        except ValueError:
            raise InputError([Problem("--start", f"'{start}' is not a YYYY-MM-DD date")]) from None
        if day.year != year or day.isoformat() >= f"{year}-12-31":
            raise InputError([Problem("--start", f"{start} is not a day of {year} before 31 December")])
        return day.isoformat()
    in_year = mine[mine["date"].str.startswith(str(year))]
    earliest = date(year, 1, 2)
    if len(in_year):
        earliest = max(earliest, date.fromisoformat(in_year["date"].max()) + timedelta(days=1))
    if earliest.isoformat() >= f"{year}-12-31":
        raise InputError([Problem("--start", f"no day left in {year} after the ledger's events; give --start")])
    return earliest.isoformat()


def later(day: str, days: int = WAIT_DAYS) -> str:
    """`days` after `day`, kept inside the same year (30 December at the latest)."""
    d = date.fromisoformat(day)
    return min(d + timedelta(days=days), date(d.year, 12, 30)).isoformat()


def pool_state(ledger: pd.DataFrame, people: dict[str, Taxpayer], taxpayer: str, start: str) -> PoolState:
    ev = ordered(ledger)
    p = Point(taxpayer, start, -1)  # before anything of the start day
    values, used = account_values(ev, p)
    basis = basis_at(ev, people, [p])[0]
    mine = ev[(ev["taxpayer"] == taxpayer) & ev["account"].isin(list(values))]
    types = {str(a): str(t) for a, t in mine.groupby("account")["account_type"].last().items()}
    ye = used[used["kind"] == "year_end_value"]
    return PoolState(start, values, types, basis, ye["date"].max() if len(ye) else None)


def event_row(
    taxpayer: str, day: str, account: str, atype: str, kind: str, cents: int, memo: str, tax_year: int | None = None
) -> dict[str, Any]:
    return {
        "taxpayer": taxpayer, "date": day, "tax_year": tax_year or int(day[:4]), "account": account,
        "account_type": atype, "kind": kind, "amount_cents": int(cents), "memo": memo,
    }  # fmt: skip


def plan_events(rows: list[dict[str, Any]], source: str, first_id: int) -> pd.DataFrame:
    """Rows a planner made, as ledger-shaped events: source = the command, line = the step's number."""
    import pandas as pd

    from basis_ledger.plan.whatif import plan_frame

    frame = pd.DataFrame(rows, columns=list(rows[0]) if rows else None)
    if frame.empty:
        frame = pd.DataFrame(
            columns=["taxpayer", "date", "tax_year", "account", "account_type", "kind", "amount_cents", "memo"]
        )
    frame["source_line"] = range(1, len(frame) + 1)
    for c in ("tax_year", "amount_cents", "source_line"):
        frame[c] = frame[c].astype("int64")
    return plan_frame(frame, source, "", first_id)


def sep_simple_caution(state: PoolState, year: int) -> str:
    others = [
        f"{state.types[a].upper()} IRA {a} (about ${format_cents(v, whole=True)})"
        for a, v in state.values.items()
        if state.types.get(a) in ("sep", "simple")
    ]
    held = f" You hold {', '.join(others)}." if others else ""
    return (
        f"SEP and SIMPLE IRAs are in the same pool: any balance in them on 31 December {year}, an employer's "
        f"SEP contribution made later in the year included, counts on line 6.{held}"
    )


def rollover_caution(ledger: pd.DataFrame, taxpayer: str, start: str) -> str:
    outs = ledger[(ledger["taxpayer"] == taxpayer) & (ledger["kind"] == "rollover_out")]
    d = date.fromisoformat(start)
    year_ago = d.replace(year=d.year - 1) if not (d.month == 2 and d.day == 29) else date(d.year - 1, 2, 28)
    recent = outs[outs["date"] > year_ago.isoformat()]["date"]
    last = f" Your last one was on {recent.max()}." if len(recent) else ""
    return (
        "Move the money by direct (trustee-to-trustee) rollovers: only one 60-day IRA-to-IRA rollover is "
        f"allowed in any 12 months, across all your IRAs.{last}"
    )
