"""Positions exports as 31 December values (8606 line 6): one total per account, only when dated 31 December.

A positions file is a snapshot of the day it was downloaded. It is a year-end value only when its as-of date is
31 December; any other date is skipped and counted (the 5498 box 5, or the December statement, has the value).
The profile's [positions] table says which column is summed, which rows are the custodian's own totals (not
summed), where the as-of date is (title row or file name) and whether the line above a block names its account.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from basis_ledger.ingest.statements.cells import iso_date, signed_cents
from basis_ledger.ingest.statements.classify import NOT_IRA
from basis_ledger.ingest.statements.profile import Profile
from basis_ledger.ingest.statements.rows import Row
from basis_ledger.model import Caution, Problem
from basis_ledger.money import format_cents

if TYPE_CHECKING:
    from basis_ledger.ingest.base import Extracted
    from basis_ledger.ingest.source import SourceFile
    from basis_ledger.ingest.statements.accounts import Resolver
    from basis_ledger.ingest.statements.reader import Section


def as_of(profile: Profile, src: SourceFile, titles: str) -> str:
    """The snapshot's date (ISO) from the title rows, else the file name; "" when neither says."""
    spec = profile.positions
    formats = tuple(spec.get("date_formats", ["%m/%d/%Y"]))
    for pattern, text in ((spec.get("date_title"), titles), (spec.get("date_filename"), src.path.name)):
        if pattern and (m := re.search(pattern, text, re.IGNORECASE)):
            return iso_date(m.group("date"), formats, "posting")
    return ""


def totals(profile: Profile, sec: Section, fname: str, out: Extracted) -> dict[str, tuple[int, int, str]]:
    """{account: (cents, line, account name)} for one positions section: the custodian's own total row where
    there is one (a warning when the positions do not add up to it), else the value column summed."""
    spec = profile.positions
    value_col = next((c for c in spec["value"] if c.lower() in sec.columns), None)
    if value_col is None:
        out.problems.append(Problem(fname, f"positions without a {spec['value'][0]} column", line=sec.header_line))
        return {}
    i_value = sec.columns.index(value_col.lower())
    acct_col = next((a for a in profile.columns.get("account", ()) if a in sec.columns), None)
    name_col = next((a for a in profile.columns.get("account_name", ()) if a in sec.columns), None)
    names: dict[str, str] = {}
    block = sec.preamble[-1].strip('" ') if sec.preamble else ""
    total_row = re.compile(spec.get("total_row", "^$"), re.IGNORECASE)
    summed: dict[str, tuple[int, int]] = {}
    stated: dict[str, tuple[int, int]] = {}
    blank: dict[str, int] = {}  # account -> first position line with no value
    for line, cells in sec.rows:
        account = cells[sec.columns.index(acct_col)].strip() if acct_col else block
        if name_col and sec.columns.index(name_col) < len(cells):
            names.setdefault(account, cells[sec.columns.index(name_col)].strip())
        text = cells[i_value] if i_value < len(cells) else ""
        cents, problem = signed_cents(text, profile.placeholders)
        if problem and problem != "missing amount":
            out.problems.append(Problem(fname, f"unreadable value '{text}'", line=line, column=value_col))
            continue
        if problem and not total_row.search(cells[0].strip()):  # unknown is not zero: the total is unknown
            blank.setdefault(account, line)
            continue
        if total_row.search(cells[0].strip()):
            stated[account] = (cents, line)
        else:
            summed[account] = (summed.get(account, (0, line))[0] + cents, line)
    for account, (cents, line) in stated.items():
        if account in summed and summed[account][0] != cents:
            out.cautions.append(
                Caution(
                    "positions-total-differs",
                    f"account {account}: the positions add up to {format_cents(summed[account][0], whole=False)}, "
                    f"the custodian's total says {format_cents(cents, whole=False)}; the total is used",
                    fname,
                    line,
                )
            )
    found: dict[str, tuple[int | None, int, str]] = {
        a: (c, line, names.get(a, "")) for a, (c, line) in {**summed, **stated}.items()
    }
    for account, line in blank.items():
        if account not in stated:  # no custodian total to fall back on: the year-end value is not known
            found[account] = (None, line, names.get(account, ""))
    return found


def year_end_rows(
    profile: Profile,
    src: SourceFile,
    secs: list[Section],
    sec: Section,
    who: Resolver,
    need: dict[str, list[int]],
    out: Extracted,
) -> list[Row]:
    """A positions section: one 31 December value per account, when the snapshot is of a 31 December."""
    fname = str(src.path)
    date = as_of(profile, src, " ".join(line for s in secs for line in s.preamble))
    rows = []
    for name, (cents, line, title) in totals(profile, sec, fname, out).items():
        account, _n, said, kind, owner = who(name, title, "")
        if not date.endswith("-12-31"):
            why = f"positions as of {date or 'an unknown date'} (only a 31 December value counts), accounts"
            out.skipped[why] = out.skipped.get(why, 0) + 1
        elif kind in NOT_IRA:
            out.skipped[f"{kind} account: not an IRA"] = out.skipped.get(f"{kind} account: not an IRA", 0) + 1
        elif kind is None:
            need.setdefault(account, []).append(line)
        elif cents is None:
            out.problems.append(
                Problem(
                    fname,
                    f"account {account}: a position with no value, so its 31 December total is unknown "
                    "(not $0); fix the export, or import the year's Form 5498 (box 5) instead",
                    line=line,
                )
            )
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
