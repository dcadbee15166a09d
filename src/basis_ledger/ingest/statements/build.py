"""The transaction builder: a profile's sections -> ledger events, skipped counts, review list and problems.

Rows are judged once per distinct (action text, cash direction, account type): a ten-year file has thousands of
rows but a few dozen distinct ones. Only rows that become events or need a decision are parsed further.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from basis_ledger.ingest.base import EVENT_COLUMNS, Context, Extracted
from basis_ledger.ingest.statements import positions
from basis_ledger.ingest.statements.accounts import Resolver, undeclared
from basis_ledger.ingest.statements.cells import iso_date, sign, signed_cents
from basis_ledger.ingest.statements.classify import NOT_IRA, classify
from basis_ledger.ingest.statements.profile import Profile
from basis_ledger.ingest.statements.reader import Section, Sheet, sections
from basis_ledger.ingest.statements.taxyear import tax_year
from basis_ledger.model import Problem
from basis_ledger.money import format_cents

if TYPE_CHECKING:
    from basis_ledger.ingest.source import SourceFile

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


def _where(profile: Profile, sec: Section, fname: str, problems: list[Problem]) -> dict[str, int] | None:
    where = {}
    for name in ("date", "action", "amount", "account", "account_name"):  # the other columns are for people
        found = next((a for a in profile.columns.get(name, ()) if a in sec.columns), None)
        if found is not None:
            where[name] = sec.columns.index(found)
    lost = [n for n in ("date", "action", "amount") if n not in where]
    if lost:
        problems.append(
            Problem(fname, f"{profile.name} header without column(s) for {', '.join(lost)}", line=sec.header_line)
        )
        return None
    return where


def _rows(profile: Profile, src: SourceFile, secs: list[Section], ctx: Context, out: Extracted) -> list[Row]:
    """Every row judged; skipped ones counted, rows of undeclared accounts reported; the rest returned."""
    fname, who, judged = str(src.path), Resolver(profile, src, ctx), {}
    need: dict[str, list[int]] = {}
    live = []
    flip = {"in": "out", "out": "in", "zero": "zero"} if profile.negate else {}
    for sec in secs:
        if sec.header.role == "positions":
            live += _positions(profile, src, secs, sec, who, need, out)
            continue
        if sec.header.role != "transactions":
            out.skipped[sec.header.reason] = out.skipped.get(sec.header.reason, 0) + len(sec.rows)
            continue
        where = _where(profile, sec, fname, out.problems)
        if where is None:
            continue
        preamble = " ".join(sec.preamble)
        i_acct, i_name = where.get("account", 10**6), where.get("account_name", 10**6)
        for line, cells in sec.rows:
            n = len(cells)
            account, _name, said, kind, owner = who(
                cells[i_acct].strip() if i_acct < n else "", cells[i_name].strip() if i_name < n else "", preamble
            )
            amount = cells[where["amount"]].strip() if where["amount"] < n else ""
            direction = sign(amount)
            key = (cells[where["action"]] if where["action"] < n else "", flip.get(direction, direction), kind)
            if key not in judged:
                tidy = " ".join(key[0].split())
                judged[key] = (tidy, *classify(profile, tidy, key[1], kind, ctx.mapping))
            action, outcome, reason, wording = judged[key]
            if outcome == "skip":
                out.skipped[reason] = out.skipped.get(reason, 0) + 1
            elif outcome == "account":
                need.setdefault(account, []).append(line)
            else:
                date_text = cells[where["date"]].strip() if where["date"] < n else ""
                date = iso_date(date_text, profile.date_formats, profile.as_of)
                cents, problem = signed_cents(amount, profile.placeholders)
                cents = -cents if profile.negate else cents
                if problem or not date:
                    what, col = (f"date '{date_text}'", "date") if not date else (f"amount '{amount}'", "amount")
                    out.problems.append(Problem(fname, f"unreadable {what} in '{action}'", line=line, column=col))
                    continue
                live.append(
                    Row(
                        line,
                        sec.sheet,
                        date,
                        date_text,
                        action,
                        amount,
                        cents,
                        account,
                        kind,
                        said,
                        owner,
                        outcome,
                        wording,
                    )
                )
    out.problems += undeclared(need, fname)
    return live


def _positions(profile, src, secs, sec, who, need, out) -> list[Row]:
    """A positions section: one 31 December value per account, when the snapshot is of a 31 December."""
    fname = str(src.path)
    date = positions.as_of(profile, src, " ".join(line for s in secs for line in s.preamble))
    rows = []
    for name, (cents, line, title) in positions.totals(profile, sec, fname, out).items():
        account, _n, said, kind, owner = who(name, title, "")
        if not date.endswith("-12-31"):
            why = f"positions as of {date or 'an unknown date'} (only a 31 December value counts), accounts"
            out.skipped[why] = out.skipped.get(why, 0) + 1
        elif kind in NOT_IRA:
            out.skipped[f"{kind} account: not an IRA"] = out.skipped.get(f"{kind} account: not an IRA", 0) + 1
        elif kind is None:
            need.setdefault(account, []).append(line)
        elif cents < 0:
            total = format_cents(-cents, whole=False)
            out.problems.append(Problem(fname, f"account {account}: total value -{total} is negative", line=line))
        else:
            text = format_cents(cents, whole=False)
            rows.append(
                Row(
                    line,
                    sec.sheet,
                    date,
                    date,
                    f"positions on {date}",
                    text,
                    cents,
                    account,
                    kind,
                    said,
                    owner,
                    "year_end_value",
                    "",
                )
            )
    return rows


def build(profile: Profile, src: SourceFile, sheets: list[Sheet], ctx: Context) -> Extracted:
    import pandas as pd

    fname = str(src.path)
    out = Extracted(profile.name)
    secs, out.skipped = sections(profile, sheets)
    if not secs:  # only when --profile forced a profile on a file it does not recognise
        gens = "; ".join(h.generation for h in profile.headers)
        out.problems.append(Problem(fname, f"no {profile.name} header in this file (known layouts: {gens})"))
    live = _rows(profile, src, secs, ctx, out)
    events = [r for r in live if r.outcome not in ("review", "withholding")]
    extra = {id(r): "" for r in events}
    _withholding(events, [r for r in live if r.outcome == "withholding"], extra, fname, out)
    _review([r for r in live if r.outcome == "review"], fname, out)
    records, lost = [], {}
    for r in events:
        if r.owner is None:
            lost[r.account] = r.account_type
            continue
        year, source = tax_year(r.outcome, r.date, r.wording)
        sheet = f" [sheet {r.sheet}]" if r.sheet else ""
        memo = f"{profile.custodian}: {r.action}{sheet}{extra[id(r)]}"[:240]
        records.append(
            (r.owner, r.date, year, r.account, r.account_type, r.outcome, abs(r.cents), memo, r.line, source)
        )
    out.problems += [
        Problem(
            fname,
            f"account '{a}' is a {t} account by its name, but whose? declare it with "
            f"basis-ledger account set '{a}' --owner NAME --type {t}",
        )
        for a, t in sorted(lost.items())
    ]
    frame = pd.DataFrame.from_records(records, columns=[*EVENT_COLUMNS, "tax_year_from"])
    out.events = frame.astype({"tax_year": "int64", "amount_cents": "int64", "source_line": "int64"})
    _notes(events, out, fname, set(ctx.accounts))
    return out


def _review(rows: list[Row], fname: str, out: Extracted) -> None:
    for r in rows:
        out.review.append({"line": r.line, "date": r.date, "text": r.action, "amount": r.amount, "account": r.account})
        if len(out.review) <= MAX_REVIEW_PROBLEMS:
            out.problems.append(
                Problem(
                    fname,
                    f"needs review: '{r.action}' on {r.date}, amount {r.amount}, account {r.account}: no rule says "
                    f'what it is; map it with --map "{_literal(r.action)}=EVENT_KIND" (or =skip)',
                    line=r.line,
                )
            )
    if len(out.review) > MAX_REVIEW_PROBLEMS:
        more = len(out.review) - MAX_REVIEW_PROBLEMS
        out.problems.append(Problem(fname, f"... and {more} more rows need review (see 'basis-ledger inspect FILE')"))


def _literal(text: str) -> str:
    return re.sub(r"\s*\((Cash|Margin|Shares)\)$", "", text).replace('"', "'")


def _withholding(events: list[Row], held: list[Row], extra: dict, fname: str, out: Extracted) -> None:
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


def _notes(events: list[Row], out: Extracted, fname: str, declared: set[str]) -> None:
    for r in out.events.itertuples() if not out.events.empty else ():
        if r.tax_year_from == "date?":
            out.notes.append(
                f"{fname}:{r.source_line}: {r.kind} of {format_cents(r.amount_cents, whole=False)} on {r.date} "
                f"counted for {r.tax_year} by its date; if it was for {r.tax_year - 1}, import that year's Form "
                "5498 with it or map the text with @prior"
            )
    said = {}
    for r in events:
        if r.account not in declared and r.said and r.owner:
            said.setdefault(r.account, (r.said, r.owner))
    for account, (kind, owner) in sorted(said.items()):
        out.notes.append(
            f"{fname}: account '{account}' taken as {kind} ({owner}) from its name in the export; "
            "declare it with 'basis-ledger account set' to be sure"
        )
