"""Mapping rows that share a text: by date range, by amount, or one row of one file.

A custodian may write the same words for two different things ("Deposit" for last year's contribution in
March and for this year's in June). A plain `--map TEXT=KIND` cannot tell them apart; these can:

    --map "roth.csv:12=contribution@prior"         one row: FILE:LINE (the line the review message names)

    [[rule]]                                        in a --mapping file
    text = "Deposit"                                start of the action text, any case (optional with file)
    from = "2025-01-01"                             date range, inclusive (either end optional)
    to = "2025-04-15"
    amount = "7,000.00"                             this amount only (money in or out alike)
    file = "roth.csv"                               only in this file (name or path); with line, one row
    line = 12
    then = "contribution@prior"

The first rule that fits a row wins, before the plain mapping and the profile's rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from basis_ledger.model import Problem

RULE_KEYS = frozenset({"text", "from", "to", "amount", "file", "line", "then"})
_ROW = re.compile(r"^(?P<file>.+):(?P<line>\d+)$")


@dataclass(frozen=True)
class RowRule:
    then: str
    text: str = ""
    first: str = ""  # ISO date
    last: str = ""
    cents: int | None = None
    file: str = ""
    line: int | None = None

    def fits(self, path: Path, line: int, action: str, day: str, cents: int) -> bool:
        if self.file and not (self.file in (str(path), path.name) or str(path).endswith("/" + self.file)):
            return False
        if self.line is not None and line != self.line:
            return False
        if self.text and not action.upper().startswith(self.text.upper()):
            return False
        if (self.first and (not day or day < self.first)) or (self.last and (not day or day > self.last)):
            return False
        return self.cents is None or abs(cents) == self.cents


def row_map(left: str, target: str) -> RowRule | None:
    """`FILE:LINE=target` from --map, else None (then it is a plain TEXT=target)."""
    m = _ROW.match(left.strip())
    return RowRule(target.strip(), file=m["file"], line=int(m["line"])) if m else None


def from_table(items: list, where: str, check) -> tuple[list[RowRule], list[Problem]]:
    """[[rule]] tables of a mapping file; `check(text, target, where)` judges the target as for [map]."""
    from basis_ledger.ingest.statements.cells import signed_cents

    rules, problems = [], []
    for i, item in enumerate(items if isinstance(items, list) else [items], 1):
        at = f"{where}: rule {i}"
        if not isinstance(item, dict):
            problems.append(Problem(where, f"rule {i}: each [[rule]] is a table"))
            continue
        unknown = sorted(set(item) - RULE_KEYS)
        if unknown:
            problems.append(Problem(where, f"rule {i}: unknown key(s) {unknown} (known: {sorted(RULE_KEYS)})"))
        then = str(item.get("then", ""))
        if (p := check(str(item.get("text") or item.get("file") or "row"), then, at)) is not None:
            problems.append(p)
        if not any(k in item for k in ("text", "file")):
            problems.append(Problem(where, f"rule {i}: give text or file (a rule for every row is a profile)"))
        for key in ("from", "to"):
            if key in item:
                try:
                    date.fromisoformat(str(item[key]))
                except ValueError:
                    problems.append(Problem(where, f"rule {i}: {key} = {item[key]!r} is not a YYYY-MM-DD date"))
        cents = None
        if "amount" in item:
            cents, bad = signed_cents(str(item["amount"]).replace("$", ""), frozenset())
            if bad:
                problems.append(Problem(where, f"rule {i}: amount {item['amount']!r} is not an amount"))
            cents = abs(cents or 0)
        line = item.get("line")
        if line is not None and (not isinstance(line, int) or line < 1):
            problems.append(Problem(where, f"rule {i}: line must be a line number (1, 2, ...)"))
        rules.append(
            RowRule(
                then.strip(),
                str(item.get("text", "")).strip(),
                str(item.get("from", "")),
                str(item.get("to", "")),
                cents,
                str(item.get("file", "")),
                line if isinstance(line, int) else None,
            )
        )
    return rules, problems


def first_fit(rules: tuple[RowRule, ...], path: Path, line: int, action: str, day: str, cents: int) -> str | None:
    for r in rules:
        if r.fits(path, line, action, day, cents):
            return r.then
    return None
