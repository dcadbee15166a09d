"""Custodian cell conventions: signed cash amounts (`$1,234.56`, `-$7461.72`, `(10.35)`; parsed in money.py) and dates.

Scalar and exact (integers of cents, no floats). The builder calls them only for the few rows that become
events or need review; thousands of skipped rows never get here.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from basis_ledger.money import parse_signed_cents

_AS_OF = re.compile(r"\s+as\s+of\s+", re.IGNORECASE)


def sign(text: str) -> str:
    """The cash direction of an amount cell, cheaply: "out", "in" or "zero" (also for empty or placeholder)."""
    t = text.strip()
    if not t.strip("0.,$-+() "):
        return "zero"
    return "out" if t.startswith(("-", "(", "$-", "$(")) else "in"


def signed_cents(text: str, placeholders: frozenset[str]) -> tuple[int, str]:
    """(cents, negative for money out; problem or ""): money.parse_signed_cents, where money text is parsed."""
    return parse_signed_cents(text, placeholders)


@lru_cache(maxsize=4096)
def iso_date(text: str, formats: tuple[str, ...], as_of: str) -> str:
    """`MM/DD/YYYY`, `M/D/YY`, `YYYY-MM-DD`, `04/17/2023 as of 04/15/2023` -> `YYYY-MM-DD`, "" when unreadable.

    With "as of", the effective date (the second) counts for a deadline unless the profile says "posting"."""
    parts = _AS_OF.split(text.strip(), maxsplit=1)
    t = parts[1] if len(parts) == 2 and as_of == "effective" and parts[1] else parts[0]
    for fmt in (*formats, "%Y-%m-%d"):
        try:
            return datetime.strptime(t, fmt).date().isoformat()
        except ValueError:
            continue
    return ""
