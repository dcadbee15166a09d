"""The transaction builder: a profile's sections -> ledger events, skipped counts, review list and problems."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from basis_ledger.ingest.base import EVENT_COLUMNS, Context, Extracted
from basis_ledger.ingest.statements import accounts as acc
from basis_ledger.ingest.statements.cells import iso_dates, signed_cents
from basis_ledger.ingest.statements.classify import classify
from basis_ledger.ingest.statements.profile import Profile
from basis_ledger.ingest.statements.reader import Section, Sheet, sections
from basis_ledger.ingest.statements.taxyear import assign
from basis_ledger.model import Problem
from basis_ledger.money import format_cents

if TYPE_CHECKING:
    import pandas as pd

    from basis_ledger.ingest.source import SourceFile

MAX_REVIEW_PROBLEMS = 100


def _frame(profile: Profile, sec: Section, fname: str, problems: list[Problem]) -> pd.DataFrame | None:
    import pandas as pd

    where = {}
    for name, aliases in profile.columns.items():
        found = next((a for a in aliases if a in sec.columns), None)
        if found is not None:
            where[name] = sec.columns.index(found)
    lost = [n for n in ("date", "action", "amount") if n not in where]
    if lost:
        problems.append(
            Problem(fname, f"{profile.name} header without column(s) for {', '.join(lost)}", line=sec.header_line)
        )
        return None
    data = {n: [c[i].strip() if i < len(c) else "" for _, c in sec.rows] for n, i in where.items()}
    data["source_line"] = [line for line, _ in sec.rows]
    frame = pd.DataFrame(data, dtype=object).astype({"source_line": "int64"})
    frame["sheet"] = sec.sheet
    frame["preamble"] = " ".join(sec.preamble)
    return frame


def build(profile: Profile, src: SourceFile, sheets: list[Sheet], ctx: Context) -> Extracted:
    import numpy as np
    import pandas as pd

    fname = str(src.path)
    out = Extracted(profile.name)
    secs, out.skipped = sections(profile, sheets)
    frames = []
    for sec in secs:
        if sec.header.role != "transactions":
            out.skipped[sec.header.reason] = out.skipped.get(sec.header.reason, 0) + len(sec.rows)
        elif (f := _frame(profile, sec, fname, out.problems)) is not None:
            frames.append(f)
    if not secs:  # only when --profile forced a profile on a file it does not recognise
        gens = "; ".join(h.generation for h in profile.headers)
        out.problems.append(Problem(fname, f"no {profile.name} header in this file (known layouts: {gens})"))
    if not frames:
        out.events = pd.DataFrame(
            {
                c: pd.Series(dtype="int64" if c in ("tax_year", "amount_cents", "source_line") else object)
                for c in EVENT_COLUMNS
            }
        )
        return out
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    df["action"] = df["action"].str.replace(r"\s+", " ", regex=True).str.strip()
    acc.resolve(profile, src, df, ctx)
    df["cents"], amount_problem = signed_cents(df["amount"], profile.placeholders)
    sign = np.where(df["cents"] > 0, "in", np.where(df["cents"] < 0, "out", "zero"))
    key = df["action"] + "\x1f" + sign + "\x1f" + df["account_type"].fillna("")
    codes, uniques = pd.factorize(key)
    judged = [classify(profile, *_split(k), ctx.mapping) for k in uniques]
    df["outcome"] = np.array([j[0] for j in judged], dtype=object)[codes]
    reason = np.array([j[1] for j in judged], dtype=object)[codes]
    wording = pd.Series(np.array([j[2] for j in judged], dtype=object)[codes], index=df.index)
    skip = df["outcome"] == "skip"
    for why, n in pd.Series(reason[skip.to_numpy()]).value_counts().items():
        out.skipped[why] = out.skipped.get(why, 0) + int(n)
    out.problems += acc.undeclared(df, fname)
    live = ~skip & (df["outcome"] != "account")
    df["date_iso"] = iso_dates(df["date"].where(live, ""), profile.date_formats, profile.as_of)
    bad = live & ((amount_problem != "") | (df["date_iso"] == ""))
    for r in df[bad].head(200).itertuples():
        what = f"date '{r.date}'" if r.date_iso == "" else f"amount '{r.amount}'"
        out.problems.append(
            Problem(
                fname,
                f"unreadable {what} in '{r.action}'",
                line=r.source_line,
                column="date" if r.date_iso == "" else "amount",
            )
        )
    _review(df[live & ~bad & (df["outcome"] == "review")], fname, out)
    events = df[live & ~bad & ~df["outcome"].isin(["review", "withholding"])].copy()
    events["kind"] = events["outcome"]
    _withholding(events, df[live & ~bad & (df["outcome"] == "withholding")], fname, out)
    out.problems += acc.ownerless(events, fname)
    events = events[events["taxpayer"].notna()]
    events["date"] = events["date_iso"]
    events["amount_cents"] = events["cents"].abs().astype("int64")
    events["tax_year"], events["tax_year_from"] = assign(events, wording[events.index])
    sheet = np.where(events["sheet"] != "", " [sheet " + events["sheet"] + "]", "")
    events["memo"] = (profile.custodian + ": " + events["action"] + sheet + events["memo_extra"]).str.slice(0, 240)
    _notes(events, out, fname, set(ctx.accounts))
    out.events = events[[*EVENT_COLUMNS, "tax_year_from"]].reset_index(drop=True)
    return out


def _split(key: str) -> tuple[str, str, str | None]:
    text, sign, account_type = key.split("\x1f")
    return text, sign, account_type or None


def _review(rows: pd.DataFrame, fname: str, out: Extracted) -> None:
    for r in rows.itertuples():
        out.review.append(
            {"line": int(r.source_line), "date": r.date_iso, "text": r.action, "amount": r.amount, "account": r.account}
        )
        if len(out.review) <= MAX_REVIEW_PROBLEMS:
            out.problems.append(
                Problem(
                    fname,
                    f"needs review: '{r.action}' on {r.date_iso}, amount {r.amount}, "
                    f"account {r.account}: no rule says what it is; map it with "
                    f'--map "{_literal(r.action)}=EVENT_KIND" (or =skip)',
                    line=r.source_line,
                )
            )
    if len(out.review) > MAX_REVIEW_PROBLEMS:
        out.problems.append(
            Problem(
                fname,
                f"... and {len(out.review) - MAX_REVIEW_PROBLEMS} more rows need review "
                "(see 'basis-ledger inspect FILE')",
            )
        )


def _literal(text: str) -> str:
    return re.sub(r"\s*\((Cash|Margin|Shares)\)$", "", text).replace('"', "'")


def _withholding(events: pd.DataFrame, held: pd.DataFrame, fname: str, out: Extracted) -> None:
    """Tax withheld is part of the gross amount (8606 line 7, 1099-R box 1): add it to the same day's payout."""
    events["memo_extra"] = ""
    takers = events["kind"].isin(["distribution", "conversion", "roth_distribution"])
    for r in held.itertuples():
        same = events.index[takers & (events["account"] == r.account) & (events["date_iso"] == r.date_iso)]
        if len(same) == 0:
            out.review.append(
                {
                    "line": int(r.source_line),
                    "date": r.date_iso,
                    "text": r.action,
                    "amount": r.amount,
                    "account": r.account,
                }
            )
            out.problems.append(
                Problem(
                    fname,
                    f"needs review: tax withheld ({r.amount}) on {r.date_iso} with no "
                    f"distribution or conversion that day in account {r.account}",
                    line=r.source_line,
                )
            )
            continue
        i = same[0]
        events.loc[i, "cents"] = -abs(int(events.loc[i, "cents"])) - abs(int(r.cents))
        events.loc[i, "memo_extra"] += (
            f" (gross: incl. {format_cents(abs(int(r.cents)), whole=False)} withheld, line {r.source_line})"
        )


def _notes(events: pd.DataFrame, out: Extracted, fname: str, declared: set[str]) -> None:
    for r in events[events["tax_year_from"] == "date?"].itertuples():
        out.notes.append(
            f"{fname}:{r.source_line}: {r.kind} of {format_cents(r.amount_cents, whole=False)} on {r.date} "
            f"counted for {r.tax_year} by its date; if it was for {r.tax_year - 1}, import that year's Form 5498 "
            f"with it or map the text with @prior"
        )
    said = events[events["account_type"].notna() & (events["account_type"] == events["type_said"])]
    for account, kind in said.groupby("account")["account_type"].first().items():
        if account not in declared:
            out.notes.append(
                f"{fname}: account '{account}' taken as {kind} ({out_owner(said, account)}) from its "
                "name in the export; declare it with 'basis-ledger account set' to be sure"
            )


def out_owner(frame: pd.DataFrame, account: str) -> str:
    return str(frame.loc[frame["account"] == account, "taxpayer"].iloc[0])
