"""Which account each row belongs to, its type and its owner: declared accounts first, else what the export says.

The account is the export's account column, else the title/preamble (Schwab, E*TRADE), else the file name
(Fidelity's History_for_Account_<number>.csv), else the file name itself.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from basis_ledger.ingest.base import DECLARABLE_TYPES, Context
from basis_ledger.ingest.statements.profile import Profile, common
from basis_ledger.model import Problem

if TYPE_CHECKING:
    import pandas as pd

    from basis_ledger.ingest.source import SourceFile


def named_type(name: str) -> str | None:
    """The account type an account's own name states ('ROTH IRA', 'Rollover IRA -1234'), else None."""
    for row in common()["account_names"]:
        if re.search(row["match"], name, re.IGNORECASE):
            return row["type"]
    return None


def _fallback(profile: Profile, src: SourceFile, preamble: str) -> tuple[str, str]:
    """(account, its name as written) from the preamble, else the file name."""
    for pattern in profile.account_preamble:
        if m := pattern.search(preamble):
            return m.group("account").strip(), m.group(0)
    if profile.account_filename and (m := profile.account_filename.search(src.path.name)):
        return m.group("account").strip(), ""
    return src.path.stem, ""


def resolve(profile: Profile, src: SourceFile, df: pd.DataFrame, ctx: Context) -> None:
    """Add account, account_name, account_type (None when unknown), taxpayer (None when unknown), type_said."""
    import pandas as pd

    fallback = {p: _fallback(profile, src, p) for p in df["preamble"].unique()}
    account = df["account"] if "account" in df else pd.Series("", index=df.index, dtype=object)
    df["account"] = account.where(account != "", df["preamble"].map(lambda p: fallback[p][0]))
    name = df["account_name"] if "account_name" in df else pd.Series("", index=df.index, dtype=object)
    df["account_name"] = name.where(name != "", df["preamble"].map(lambda p: fallback[p][1]))
    said = {n: named_type(n) for n in (df["account_name"] + " " + df["account"]).unique()}
    df["type_said"] = (df["account_name"] + " " + df["account"]).map(said)
    declared = {a.account: a for a in ctx.accounts.values()}
    df["account_type"] = df["account"].map({k: v.type for k, v in declared.items()})
    df["account_type"] = df["account_type"].where(df["account_type"].notna(), df["type_said"])
    owners = {a.owner for a in declared.values()}
    assumed = ctx.taxpayer or (next(iter(owners)) if len(owners) == 1 else None)
    df["taxpayer"] = df["account"].map({k: v.owner for k, v in declared.items()})
    df.loc[df["taxpayer"].isna() & df["type_said"].notna(), "taxpayer"] = assumed


def undeclared(df: pd.DataFrame, fname: str) -> list[Problem]:
    """One problem per account whose rows cannot be judged until it is declared."""
    need = df[df["outcome"] == "account"]
    problems = []
    for account, rows in need.groupby("account", sort=True):
        lines = ", ".join(str(n) for n in rows["source_line"].head(5))
        more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
        problems.append(
            Problem(
                fname,
                f"unknown account '{account}' (lines {lines}{more}): declare it first with "
                f"basis-ledger account set '{account}' --owner NAME --type TYPE "
                f"(types: {', '.join(DECLARABLE_TYPES)}); nothing was imported",
            )
        )
    return problems


def ownerless(events: pd.DataFrame, fname: str) -> list[Problem]:
    """The export said the type but nobody said whose account it is (several owners, no --taxpayer)."""
    lost = events[events["taxpayer"].isna()]
    return [
        Problem(
            fname,
            f"account '{a}' is a {t[0]} account by its name, but whose? declare it with "
            f"basis-ledger account set '{a}' --owner NAME --type {t[0]}",
        )
        for a, t in lost.groupby("account")["account_type"].unique().items()
    ]
