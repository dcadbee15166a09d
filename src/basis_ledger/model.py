"""The immutable data model shared by every stage: event kinds, account types, problems and warnings.

Problems (bad input) and warnings (things a user must know about a computed figure) are values, not
exceptions, so a stage can report every one of them at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from basis_ledger.resources import load_toml

ACCOUNT_TYPES = ("traditional", "sep", "simple", "roth", "inherited_traditional", "inherited_roth")
# Part I pools these (8606 line 6); inherited traditional IRAs keep a chain of their own.
POOLED_TYPES = frozenset({"traditional", "sep", "simple"})


@dataclass(frozen=True, slots=True)
class Route:
    """One place an event kind's amount goes in the engine (schemas/event_kinds.toml `routes`)."""

    field: str
    sign: int = 1
    count: bool = False
    accounts: tuple[str, ...] | None = None
    when: tuple[str, ...] | None = None  # conditions that must all hold (a TOML string or list of strings)


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    input: str
    lines: tuple[str, ...]
    accounts: tuple[str, ...]
    tax_year: str  # "date" | "contribution" | "earlier" | "any": what tax_year a row may say
    source: str
    form_year: str = "date"  # "date" | "tax_year" | "after": the 8606 year the event acts on
    late_year: str | None = None  # the form year instead when dated after the extended due date
    flow: int = 0  # +1 money in, -1 money out, 0 none (account balance estimates)
    routes: tuple[Route, ...] = ()

    @property
    def default_account(self) -> str:
        return self.accounts[0]


@cache
def kinds() -> dict[str, Kind]:
    table = load_toml("event_kinds.toml")
    return {
        name: Kind(
            name,
            row["input"],
            tuple(row["lines"]),
            tuple(row["accounts"]),
            row["tax_year"],
            row["source"],
            form_year=row["form_year"],
            late_year=row.get("late_year"),
            flow=int(row["flow"]),
            routes=tuple(
                Route(
                    r["field"],
                    int(r.get("sign", 1)),
                    bool(r.get("count", False)),
                    tuple(r["accounts"]) if "accounts" in r else None,
                    None if "when" not in r else tuple([r["when"]] if isinstance(r["when"], str) else r["when"]),
                )
                for r in row["routes"]
            ),
        )
        for name, row in table.items()
    }


# A whole SSN in any text: 123-45-6789 or 123 45 6789 anywhere; a bare 123456789 only in free text (names,
# memos), because a bare nine-digit number is also an account number (Fidelity's are). Only the last four stay.
_SSN = re.compile(r"(?<![0-9])([0-9]{3})([- ])([0-9]{2})\2([0-9]{4})(?![0-9])")
_SSN_OR_BARE = re.compile(r"(?<![0-9])([0-9]{3})([- ]?)([0-9]{2})\2([0-9]{4})(?![0-9])")
SSN_LIKE = r"[0-9]{3}[- ]?[0-9]{2}[- ]?[0-9]{4}"  # a cheap prefilter (RE2-compatible, no look-arounds)


def mask_ssn(text: str, *, bare: bool = False) -> str:
    """Any SSN pattern keeps only its last four digits (XXX-XX-6789); bare=True also masks 123456789."""
    if not text:
        return text
    return (_SSN_OR_BARE if bare else _SSN).sub(lambda m: f"XXX{m[2]}XX{m[2]}{m[4]}", text)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where it is and what is wrong, in words a user can act on."""

    file: str
    message: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        col = f": column {self.column}" if self.column else ""
        return mask_ssn(f"{where}{col}: {self.message}")  # a message may echo a field's value


@dataclass(frozen=True, slots=True)
class Caution:
    """Something a user must read that stops nothing: a stable code plus a sentence. On a computed year (the
    lines' `cautions`, printed as `warning CODE: ...`), or on an imported file, where it also says where (file
    and line) and is printed as `warning: FILE:LINE: ...` (import, inspect)."""

    code: str
    message: str
    file: str | None = None
    line: int | None = None

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}

    def __str__(self) -> str:
        if self.file is None:
            return mask_ssn(self.message)
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return mask_ssn(f"{where}: {self.message}")


class InputError(Exception):
    """Raised at a stage boundary with every problem found; the CLI prints them and exits 2."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems[:5]) + (" ..." if len(problems) > 5 else ""))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Taxpayer:
    name: str
    birth_date: str | None = None  # ISO date
    roth_first_year: int | None = None  # first year of any Roth contribution or conversion, if before the ledger
    ssn_last4: str | None = None
    full_name: str | None = None
    # Deductibility decisions ('basis-ledger declare'): (tax_year, nondeductible cents or None for "all").
    declarations: tuple[tuple[int, int | None], ...] = ()
