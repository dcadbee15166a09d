"""What becomes of the rows the builder kept: review entries, withholding joined to its payout, warnings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from basis_ledger.ingest.base import Extracted
from basis_ledger.model import Caution, Problem
from basis_ledger.money import format_cents

MAX_REVIEW_PROBLEMS = 100
PAYOUTS = ("distribution", "conversion", "roth_distribution")  # what tax withheld the same day belongs to


@dataclass
class Row:
    line: int
    sheet: str
    date: str  # ISO, "" when unreadable
    date_text: str
    action: str
    amount: str  # as written
    cents: int
    account: str
    account_type: str | None
    said: str | None  # the type the export itself states
    owner: str | None
    outcome: str
    wording: str


def review(rows: list[Row], fname: str, out: Extracted) -> None:
    for r in rows:
        out.review.append({"line": r.line, "date": r.date, "text": r.action, "amount": r.amount, "account": r.account})
        if len(out.review) <= MAX_REVIEW_PROBLEMS:
            out.problems.append(
                Problem(
                    fname,
                    f"needs review: '{r.action}' on {r.date}, amount {r.amount}, account {r.account}: no rule says "
                    f'what it is; map it with --map "{literal(r.action)}=EVENT_KIND" (or =skip)',
                    line=r.line,
                )
            )
    if len(out.review) > MAX_REVIEW_PROBLEMS:
        more = len(out.review) - MAX_REVIEW_PROBLEMS
        out.problems.append(Problem(fname, f"... and {more} more rows need review (see 'basis-ledger inspect FILE')"))


def literal(text: str) -> str:
    return re.sub(r"\s*\((Cash|Margin|Shares)\)$", "", text).replace('"', "'")


def withholding(events: list[Row], held: list[Row], extra: dict, fname: str, out: Extracted) -> None:
    """Tax withheld is part of the gross amount (8606 line 7, 1099-R box 1): add it to the same day's payout."""
    payouts = {}
    for r in events:
        if r.outcome in PAYOUTS:
            payouts.setdefault((r.account, r.date), r)
    for w in held:
        r = payouts.get((w.account, w.date))
        if r is None:
            out.review.append(
                {"line": w.line, "date": w.date, "text": w.action, "amount": w.amount, "account": w.account}
            )
            out.problems.append(
                Problem(
                    fname,
                    f"needs review: tax withheld ({w.amount}) on {w.date} with no distribution or conversion that "
                    f"day in account {w.account}",
                    line=w.line,
                )
            )
            continue
        r.cents = -abs(r.cents) - abs(w.cents)
        extra[id(r)] += f" (gross: incl. {format_cents(abs(w.cents), whole=False)} withheld, line {w.line})"


def notes(events: list[Row], records: list[tuple], out: Extracted, fname: str, declared: set[str]) -> None:
    """Cautions: a contribution's year taken from its date, an account's type taken from its name.

    `records` are the event records in the frame's column order (ingest.base.EVENT_COLUMNS, then tax_year_from),
    read here rather than the frame built from them (a frame's rows cost more to read back than a file's work)."""
    for _, date, year, _, _, kind, cents, _, line, year_from in records:
        if year_from == "date?":
            out.cautions.append(
                Caution(
                    "tax-year-from-date",
                    f"{kind} of {format_cents(cents, whole=False)} on {date} counted for {year} "
                    f"by its date; if it was for {year - 1}, import that year's Form 5498 with it or map the "
                    "text with @prior",
                    fname,
                    int(line),
                )
            )
    said = {}
    for r in events:
        if r.account not in declared and r.said and r.owner:
            said.setdefault(r.account, (r.said, r.owner))
    for account, (kind, owner) in sorted(said.items()):
        out.cautions.append(
            Caution(
                "account-type-from-name",
                f"account '{account}' taken as {kind} ({owner}) from its name in the export; "
                "declare it with 'basis-ledger account set' to be sure",
                fname,
            )
        )
