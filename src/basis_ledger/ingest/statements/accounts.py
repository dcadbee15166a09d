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


class Resolver:
    """account, name, export-stated type, type, owner of a row; worked out once per distinct cell values."""

    def __init__(self, profile: Profile, src: SourceFile, ctx: Context):
        self.profile, self.src, self.ctx = profile, src, ctx
        owners = {a.owner for a in ctx.accounts.values()}
        self.assumed = ctx.taxpayer or (next(iter(owners)) if len(owners) == 1 else None)
        self.cache: dict[tuple[str, str, str], tuple[str, str, str | None, str | None, str | None]] = {}

    def __call__(self, account: str, name: str, preamble: str) -> tuple[str, str, str | None, str | None, str | None]:
        key = (account, name, preamble)
        if key not in self.cache:
            fallback = _fallback(self.profile, self.src, preamble)
            account, name = account or fallback[0], name or fallback[1]
            said = named_type(f"{name} {account}")
            declared = self.ctx.accounts.get(account)
            kind = declared.type if declared else said
            owner = declared.owner if declared else (self.assumed if said else None)
            self.cache[key] = (account, name, said, kind, owner)
        return self.cache[key]


def undeclared(need: dict[str, list[int]], fname: str) -> list[Problem]:
    """One problem per account whose rows cannot be judged until it is declared."""
    problems = []
    for account, lines in sorted(need.items()):
        shown = ", ".join(str(n) for n in lines[:5])
        more = f" and {len(lines) - 5} more" if len(lines) > 5 else ""
        problems.append(
            Problem(
                fname,
                f"unknown account '{account}' (lines {shown}{more}): declare it first with "
                f"basis-ledger account set '{account}' --owner NAME --type TYPE "
                f"(types: {', '.join(DECLARABLE_TYPES)}); nothing was imported",
                line=lines[0],
            )
        )
    return problems
