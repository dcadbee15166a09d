"""The boxes of Forms 1099-R and 5498 (schemas/taxforms.toml): one value per box, checked and normalised.

A document keeps each box as filed, in a normal written form: amounts as `1234.56`, check boxes as `X`,
codes as written without spaces; empty boxes are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from basis_ledger.money import MAX_EVENT_CENTS, decimal_cents, json_amount, plain_amount_text, text_cents
from basis_ledger.resources import load_toml

TRUE = frozenset({"x", "yes", "true", "1", "y", "checked"})
FALSE = frozenset({"", "no", "false", "0", "n"})
_AMOUNT = re.compile(r"^\$?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]{1,2})?$")


@dataclass(frozen=True)
class FormSpec:
    key: str  # "form1099r" | "form5498"
    form: str  # "1099-R" | "5498"
    fdx: str  # FDX object name
    columns: dict[str, str]  # column -> type
    fdx_names: dict[str, str]  # FDX field -> column


@cache
def spec(key: str) -> FormSpec:
    raw = load_toml("taxforms.toml")[key]
    cols = {c["name"]: c["type"] for c in raw["columns"]}
    return FormSpec(key, raw["form"], raw["fdx"], cols, {c["fdx"]: c["name"] for c in raw["columns"] if c["fdx"]})


@cache
def code_rules() -> tuple[dict, ...]:
    return tuple(load_toml("taxforms.toml")["form1099r_codes"]["rules"])


def normalise(kind: str, value: object) -> tuple[str, str]:
    """(normal text, problem or "") for one box value of the given type."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = "".join(str(v) for v in value)
    elif value is None:
        text = ""
    else:
        text = str(value).strip()
    if kind == "amount":
        if text == "":
            return "", ""
        plain = plain_amount_text(text) if isinstance(value, str) else None
        if plain is not None:  # the usual "1234.5": what the Decimal path below gives, without it
            return plain, ""
        if isinstance(value, float):  # JSON numbers: their shortest decimal text, never float arithmetic
            text = repr(value)
        if not _AMOUNT.match(text) and not re.fullmatch(r"[0-9]+\.[0-9]*0*", text):
            return "", f"'{text}' is not an amount (dollars and cents, no sign)"
        if len(text) > 24:  # a 5,000-digit number is not an amount (and must never reach an int64 column)
            return "", f"'{text[:24]}…' is not an amount ({len(text):,} characters)"
        cents, exact = decimal_cents(text.replace("$", "").replace(",", ""))
        if cents > MAX_EVENT_CENTS or (cents == MAX_EVENT_CENTS and not exact):
            return "", f"'{text}' is an absurd amount (over $10 billion)"
        if not exact:
            return "", f"'{text}' has fractions of a cent"
        return str(json_amount(cents, keep_cents=True)), ""
    if kind == "bool":
        low = text.lower()
        if low in TRUE:
            return "X", ""
        return ("", "") if low in FALSE else ("", f"'{text}' is not a check box value (X or empty)")
    if kind == "year":
        return (text, "") if re.fullmatch(r"[0-9]{4}", text) else ("", f"'{text}' is not a four-digit year")
    if kind == "codes":
        codes = re.sub(r"[\s,;/+]", "", text).upper()
        return (codes, "") if re.fullmatch(r"[0-9A-Z]{0,3}", codes) else ("", f"'{text}' is not a box 7 code")
    return text, ""


def cents(doc: dict, box: str) -> int:
    """A box's amount in cents (0 when empty)."""
    text = doc["boxes"].get(box, "")
    return text_cents(text) if text else 0


def checked(doc: dict, box: str) -> bool:
    return doc["boxes"].get(box) == "X"
