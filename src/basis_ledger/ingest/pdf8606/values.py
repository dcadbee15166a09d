"""A line's value as printed, normalised: money as `5174.48` / `7000`, line 10 as `0.9375`."""

from __future__ import annotations

import re
from decimal import Decimal

from basis_ledger.money import printed_amount_text, text_cents, whole_or_cents


def clean(text: str) -> str:
    t = text.strip().replace("$", "").replace(" ", "")
    return "0" if t in ("-0-", "-", "—") else t


def money_text(dollars: str, cents: str = "") -> str | None:
    """Dollars (and a separate cents box, as 2017/2018 have) as one decimal text; None if not an amount."""
    return printed_amount_text(clean(dollars), clean(cents))


def ratio_text(whole: str, decimals: str = "") -> str | None:
    """Line 10 from its digit box and decimals box (or one text such as `.382`, `0.382`, `1.000`)."""
    w, d = clean(whole), clean(decimals).lstrip(".")
    text = f"{w or '0'}.{d}" if d else w
    if text.startswith("."):
        text = "0" + text
    if not re.fullmatch(r"[01](?:\.[0-9]+)?", text) or Decimal(text) > 1:
        return None
    return text


def json_value(line: str, text: str) -> int | str:
    """For `inspect --json`: whole amounts as integers, amounts with cents as two-decimal strings, line 10 as
    printed."""
    if line == "10":
        return text
    return whole_or_cents(text_cents(text))


def cents(text: str) -> int:
    """A normalised money text as integer cents (exact)."""
    return text_cents(text)
