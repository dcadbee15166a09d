"""The transaction builder: a profile's sections -> ledger events, skipped counts, review list and problems.

Rows are judged once per distinct (action text, cash direction, account type): a ten-year file has thousands of
rows but a few dozen distinct ones. Only rows that become events or need a decision are parsed further.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from basis_ledger.ingest.base import EVENT_COLUMNS, Context, Extracted
from basis_ledger.ingest.statements import positions
from basis_ledger.ingest.statements.accounts import Resolver, undeclared
from basis_ledger.ingest.statements.cells import iso_date, sign, signed_cents
from basis_ledger.ingest.statements.classify import classify
from basis_ledger.ingest.statements.profile import Profile
from basis_ledger.ingest.statements.reader import Section, Sheet, sections
from basis_ledger.ingest.statements.rows import Row, notes, review, withholding
from basis_ledger.ingest.statements.taxyear import tax_year
from basis_ledger.model import Problem

if TYPE_CHECKING:
    import pandas as pd

    from basis_ledger.ingest.source import SourceFile


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
            live += positions.year_end_rows(profile, src, secs, sec, who, need, out)
            continue
        if sec.header.role != "transactions":
            out.skipped[sec.header.reason] = out.skipped.get(sec.header.reason, 0) + len(sec.rows)
            continue
        where = _where(profile, sec, fname, out.problems)
        if where is None:
            continue
        preamble = " ".join(sec.preamble)
        i_acct, i_name = where.get("account", 10**6), where.get("account_name", 10**6)
        i_action = where["action"]
        skips: dict[tuple[str, str, str], str | None] = {}  # see _skipped_whatever_sign
        for line, cells in sec.rows:
            n = len(cells)
            if not ctx.rules:  # (the user's row rules judge single rows: every row goes the long way then)
                raw = (
                    cells[i_acct] if i_acct < n else "",
                    cells[i_name] if i_name < n else "",
                    cells[i_action] if i_action < n else "",
                )
                if raw not in skips:
                    skips[raw] = _skipped_whatever_sign(profile, raw, preamble, who, judged, ctx)
                if (skip := skips[raw]) is not None:
                    out.skipped[skip] = out.skipped.get(skip, 0) + 1
                    continue
            account, _name, said, kind, owner = who(
                cells[i_acct].strip() if i_acct < n else "", cells[i_name].strip() if i_name < n else "", preamble
            )
            amount = cells[where["amount"]].strip() if where["amount"] < n else ""
            direction = sign(amount)
            key = (cells[i_action] if i_action < n else "", flip.get(direction, direction), kind)
            action, outcome, reason, wording = _judge(profile, judged, key, ctx)
            if ctx.rules:  # the user's rules for single rows, date ranges or amounts come first
                outcome, reason, wording = _row_rule(profile, src, ctx, line, cells, where, action, kind) or (
                    outcome,
                    reason,
                    wording,
                )
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


def _judge(profile: Profile, judged: dict, key: tuple[str, str, str | None], ctx: Context) -> tuple[str, ...]:
    """(tidy text, outcome, skip reason, tax-year wording) of a distinct (action cell, cash direction, type)."""
    if key not in judged:
        tidy = " ".join(key[0].split())
        judged[key] = (tidy, *classify(profile, tidy, key[1], key[2], ctx.mapping))
    return judged[key]


def _skipped_whatever_sign(
    profile: Profile, raw: tuple[str, str, str], preamble: str, who: Resolver, judged: dict, ctx: Context
) -> str | None:
    """The skip reason of rows with these account, account-name and action cells when every cash direction gives
    the same skip (dividends, trades, a taxable account: most rows), else None (the row is judged in full).

    Such rows need neither their amount read nor their sign taken."""
    kind = who(raw[0].strip(), raw[1].strip(), preamble)[3]
    flip = {"in": "out", "out": "in"} if profile.negate else {}
    verdicts = {_judge(profile, judged, (raw[2], flip.get(d, d), kind), ctx)[1:] for d in ("in", "out", "zero")}
    if len(verdicts) != 1:
        return None
    outcome, reason, _ = verdicts.pop()
    return reason if outcome == "skip" else None


def _row_rule(profile: Profile, src: SourceFile, ctx: Context, line: int, cells, where, action: str, kind):
    """(outcome, reason, wording) from the first of the user's row rules that fits this row, else None."""
    from basis_ledger.ingest.statements.classify import NOT_IRA, resolve
    from basis_ledger.ingest.statements.rowrules import first_fit

    n = len(cells)
    day = iso_date(cells[where["date"]].strip(), profile.date_formats, profile.as_of) if where["date"] < n else ""
    cents, _ = signed_cents(cells[where["amount"]].strip() if where["amount"] < n else "", profile.placeholders)
    hit = first_fit(ctx.rules, src.path, line, action, day, cents)
    if hit is None:
        return None
    target, _, year = hit.partition("@")
    out, why = resolve(target.strip(), "mapped by the user", kind)
    if kind in NOT_IRA and out != "skip":
        return "skip", f"{kind} account: not an IRA", ""
    return out, why, year.strip()


_INTS = ("tax_year", "amount_cents", "source_line")
_EMPTY: pd.DataFrame | None = None


def _frame(records: list[tuple]):
    """The events as typed columns, built straight from the records (a file has few: from_records and astype
    cost more than the rest of a small file's work)."""
    import numpy as np
    import pandas as pd

    names = [*EVENT_COLUMNS, "tax_year_from"]
    if not records:  # (a taxable account's history: many files have no event) one empty frame, copied
        global _EMPTY
        if _EMPTY is None:
            _EMPTY = pd.DataFrame.from_records([], columns=names).astype({c: "int64" for c in _INTS})
        return _EMPTY.copy()
    columns = list(zip(*records, strict=True))  # one tuple per column, in EVENT_COLUMNS order
    return pd.DataFrame(
        {
            n: np.array(v, dtype="int64") if n in _INTS else pd.array(v, dtype="str")
            for n, v in zip(names, columns, strict=True)
        }
    )


def build(profile: Profile, src: SourceFile, sheets: list[Sheet], ctx: Context) -> Extracted:
    fname = str(src.path)
    out = Extracted(profile.name)
    unknown: list[tuple[int, str]] = []
    secs, out.skipped = sections(profile, sheets, unknown)
    out.problems += [  # an unrecognised header is an error: its rows would otherwise be skipped or misread
        Problem(fname, f"a {profile.name} header this tool does not know ({what}); nothing imported", line=line)
        for line, what in unknown
    ]
    if not secs:  # only when --profile forced a profile on a file it does not recognise
        gens = "; ".join(h.generation for h in profile.headers)
        out.problems.append(Problem(fname, f"no {profile.name} header in this file (known layouts: {gens})"))
    live = _rows(profile, src, secs, ctx, out)
    events = [r for r in live if r.outcome not in ("review", "withholding")]
    extra = {id(r): "" for r in events}
    withholding(events, [r for r in live if r.outcome == "withholding"], extra, fname, out)
    review([r for r in live if r.outcome == "review"], fname, out)
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
    out.events = _frame(records)
    notes(events, records, out, fname, set(ctx.accounts))
    return out
