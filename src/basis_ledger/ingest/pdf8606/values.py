"""A line's value as printed, normalised: money as `5174.48` / `7000`, line 10 as `0.9375`."""

from __future__ import annotations

import re
from decimal import Decimal

from basis_ledger.money import MAX_TOTAL_CENTS, text_cents, whole_or_cents

_DOLLARS = re.compile(r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)$")
_MONEY = re.compile(r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{1,2}))?$")


def clean(text: str) -> str:
    t = text.strip().replace("$", "").replace(" ", "")
    return "0" if t in ("-0-", "-", "—") else t


def money_text(dollars: str, cents: str = "") -> str | None:
    """Dollars (and a separate cents box, as 2017/2018 have) as one decimal text; None if not an amount."""
    d, c = clean(dollars), clean(cents)
    if c:
        if not _DOLLARS.match(d or "0") or not re.fullmatch(r"[0-9]{1,2}", c):
            return None
        if len((d or "0").replace(",", "").lstrip("0")) > len(str(MAX_TOTAL_CENTS // 100)):
            return None
        return f"{int((d or '0').replace(',', ''))}.{c:0<2}"
    m = _MONEY.match(d)
    if not m:
        return None
    whole, _, frac = d.replace(",", "").partition(".")
    if len(whole.lstrip("0")) > len(str(MAX_TOTAL_CENTS // 100)):  # 30 digits: a misread, not an amount
        return None
    return f"{int(whole)}.{frac:0<2}" if frac else str(int(whole))


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
