"""Custodian cell conventions: signed cash amounts (`$1,234.56`, `-$7461.72`, `(10.35)`) and dates.

Scalar and exact (integers of cents, no floats). The builder calls them only for the few rows that become
events or need review; thousands of skipped rows never get here.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

_SIGNED = re.compile(r"^(\()?([-+])?\$?([-+])?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.([0-9]+))?(\))?$")
_AS_OF = re.compile(r"\s+as\s+of\s+", re.IGNORECASE)


def sign(text: str) -> str:
    """The cash direction of an amount cell, cheaply: "out", "in" or "zero" (also for empty or placeholder)."""
    t = text.strip()
    if not t.strip("0.,$-+() "):
        return "zero"
    return "out" if t.startswith(("-", "(", "$-", "$(")) else "in"


def signed_cents(text: str, placeholders: frozenset[str]) -> tuple[int, str]:
    """(cents, negative for money out; problem or ""). Parentheses and a minus (before or after the `$`) mean
    out. Digits past the cents must be zeros: fractions of a cent are a share count or a price, not cash."""
    t = text.strip().replace(" ", "")
    if t in placeholders:
        return 0, "missing amount"
    m = _SIGNED.match(t)
    if not m or bool(m[1]) != bool(m[6]) or (m[2] and m[3]) or not (m[4] or m[5]) or len(m[4]) > 15:
        return 0, "not an amount"
    frac = m[5] or ""
    if frac[2:].strip("0"):
        return 0, "an amount in fractions of a cent (a share count or price, not cash?)"
    cents = int(m[4].replace(",", "") or "0") * 100 + int(frac[:2].ljust(2, "0"))
    negative = bool(m[1]) or "-" in (m[2], m[3])
    return (-cents if negative else cents), ""


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
