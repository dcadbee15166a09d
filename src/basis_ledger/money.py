"""Exact money: integer cents inside, Decimal at the edges, half-up rounding only where a line is produced."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from basis_ledger.arrays import arrow_bools, arrow_ints, arrow_strings, arrow_text, numpy_bools, numpy_ints

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

CENT = 1
DOLLAR = 100
# One event above this is refused as absurd (a typo, or a share count in the amount column).
MAX_EVENT_CENTS = 10_000_000_000 * 100
# The ceiling on all of one taxpayer's amounts in the ledger together ($100 trillion): every sum and line the
# engine forms stays far inside int64 (under 2**63 with room for every sum of lines), and the products of the rule
# switch to Python integers (mul_div_half_up), so whatever is accepted computes exactly (docs/limits.md).
MAX_TOTAL_CENTS = 100_000_000_000_000 * 100
_AMOUNT_RE = r"^\$?(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<frac>[0-9]{1,2}))?$"
# A custodian's signed cash cell: `(` sign `$` sign digits [`.` fraction] `)` (parse_signed_cents).
_SIGNED = re.compile(r"^(\()?([-+])?\$?([-+])?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.([0-9]+))?(\))?$")
# A two-decimal amount as json_amount writes it with --cents (`1234.56`, `-0.05`).
_CENTS_TEXT = re.compile(r"^-?[0-9]+\.[0-9]{2}$")
# Dollars as printed on a form (`5,174`, `5174`), and with up to two decimals (`5,174.48`).
_PRINTED_DOLLARS = re.compile(r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)$")
_PLAIN_CENTS = r"^[0-9]{1,12}(?:\.[0-9]{1,2})?$"  # an amount amount_codes reads by decimal cast (14 digits)
_PLAIN_AMOUNT = re.compile(r"([0-9]{1,9})(?:\.([0-9]{0,2}))?")  # under $1 billion, at most cents: always valid
_PRINTED_AMOUNT = re.compile(r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{1,2}))?$")


# What parse_amounts says of a value it refuses, by the code amount_codes gives it (0: a good amount).
AMOUNT_PROBLEMS = (
    "",
    "not an amount (expected a positive number such as 1,234.56)",
    "negative amount (amounts are positive; the event kind gives the direction)",
    "missing amount",
    "absurd amount (over $10 billion)",
)


def amount_codes(text: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Parse positive amounts like `1234`, `$1,234.5`, `1,234.56` (Arrow strings, already stripped) into int64
    cents, vectorized in Arrow and exact: the digits are joined as text (whole part + cents padded to two places)
    and cast to int64 once, so no float ever holds an amount. Returns (cents, code): code indexes
    AMOUNT_PROBLEMS (0 for a good value; the cents of a refused value are 0, or its value when absurd)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(text)
    # The usual amount, plain digits with at most two decimals, is read by Arrow's exact decimal cast.
    plain = _bools(pc.match_substring_regex(text, _PLAIN_CENTS))
    if plain.any():
        cents, code = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int8)
        cents[plain] = _decimal_cents(text if plain.all() else pc.filter(text, arrow_bools(plain)))
        code[cents > MAX_EVENT_CENTS] = 4
        if not plain.all():
            cents[~plain], code[~plain] = amount_codes(pc.filter(text, arrow_bools(~plain)))
        return cents, code
    ok = _bools(pc.match_substring_regex(text, _AMOUNT_RE.replace("?P<int>", "").replace("?P<frac>", "")))
    clean = pc.replace_substring(pc.replace_substring(text, "$", ""), ",", "")
    dot = numpy_ints(pc.find_substring(clean, ".")).astype(np.int64)
    length = numpy_ints(pc.utf8_length(clean)).astype(np.int64)
    frac_len = np.where(dot < 0, 0, length - dot - 1)
    pad = arrow_strings(["00", "0", ""]).take(arrow_ints(np.minimum(np.maximum(frac_len, 0), 2)))
    padded = pc.binary_join_element_wise(pc.replace_substring(clean, ".", ""), pad, arrow_text(""))
    too_long = ok & (numpy_ints(pc.utf8_length(padded)) > 14)
    good = ok & ~too_long
    cents = np.zeros(n, dtype=np.int64)
    if good.any():
        cents[good] = numpy_ints(pc.cast(pc.filter(padded, arrow_bools(good)), pa.int64()))
    code = np.zeros(n, dtype=np.int8)
    bad = ~ok
    if bad.any():
        code[bad] = 1
        code[bad & _bools(pc.match_substring_regex(text, r"^(-|\(|\$-|-\$)"))] = 2
        code[bad & _bools(pc.equal(text, arrow_text("")))] = 3
    code[too_long | (cents > MAX_EVENT_CENTS)] = 4
    return cents, code


def _decimal_cents(text: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Plain amounts (_PLAIN_CENTS) as cents: cast to decimal(14, 2), whose unscaled integer is the cents, exactly."""
    import numpy as np
    import pyarrow as pa

    dec = text.cast(pa.decimal128(14, 2))
    dec = dec.combine_chunks() if isinstance(dec, pa.ChunkedArray) else dec
    if not len(dec):
        return np.zeros(0, dtype=np.int64)
    # Each value is 16 bytes, little-endian two's complement; a plain amount is below 2**63, so the low word
    # is the whole value (and the high word 0).
    words = np.frombuffer(dec.buffers()[1], dtype=np.int64)[2 * dec.offset : 2 * (dec.offset + len(dec))]
    return words[0::2].copy()


def _bools(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An Arrow boolean column as a numpy bool array (a null, from a null input, counts as False)."""
    return numpy_bools(mask)


def parse_amounts(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """amount_codes for a pandas Series of any text: (cents, problem) where problem is "" for a good value and a
    short reason otherwise."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    text = raw.fillna("").astype("str").str.strip()
    cents, code = amount_codes(pa.array(text.to_numpy(dtype=object), type=pa.string()))
    problem = pd.Series(np.array(AMOUNT_PROBLEMS, dtype=object)[code], index=raw.index, dtype="object")
    return pd.Series(cents, index=raw.index, dtype="int64"), problem


def round_to_unit(cents: np.ndarray, unit: int) -> np.ndarray:
    """Round non-negative cents half-up to a multiple of `unit` (100 = whole dollars, 1 = keep cents)."""
    if unit == 1:
        return cents
    return (cents + unit // 2) // unit * unit


def mul_div_half_up(a: np.ndarray, b: np.ndarray | int, d: np.ndarray | int) -> np.ndarray:
    """round_half_up(a * b / d) for non-negative integers and positive d, exact.

    int64 when the product cannot overflow, else Python integers (object arrays) for the few extreme values.
    """
    import numpy as np

    a = np.asarray(a, dtype=np.int64)
    b_arr = np.broadcast_to(np.asarray(b, dtype=np.int64), a.shape)
    d_arr = np.broadcast_to(np.asarray(d, dtype=np.int64), a.shape)
    amax = int(a.max()) if a.size else 0
    bmax = int(b_arr.max()) if b_arr.size else 0
    if amax * bmax < 2**62:
        q, r = np.divmod(a * b_arr, d_arr)
        return q + (2 * r >= d_arr)
    # Python integers, element by element: exact at any size (numpy has no divmod for object arrays).
    out = [
        (x * y) // z + (2 * ((x * y) % z) >= z)
        for x, y, z in zip(a.ravel().tolist(), b_arr.ravel().tolist(), d_arr.ravel().tolist(), strict=True)
    ]
    return np.array(out, dtype=np.int64).reshape(a.shape)


def to_decimal(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def format_cents(cents: int, *, whole: bool) -> str:
    """`12,345` (whole dollars, half-up) or `12,345.67`."""
    if whole:
        c = int(cents)
        return f"{(c + 50) // 100 if c >= 0 else -((-c + 50) // 100):,}"
    return f"{to_decimal(cents):,.2f}"


def dollars_text(cents: int) -> str:
    """`$1,234` or `$1,234.56` for messages: exact (whole dollars drop the cents, nothing is rounded)."""
    sign, (dollars, rest) = "-" if cents < 0 else "", divmod(abs(int(cents)), 100)
    return f"{sign}${dollars:,}" + (f".{rest:02d}" if rest else "")


def json_amount(cents: int, *, keep_cents: bool) -> int | str:
    """A money line in JSON: whole dollars (half-up) as an integer, or with --cents a string with two decimals."""
    if keep_cents:
        sign = "-" if cents < 0 else ""
        return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"
    return (cents + 50) // 100 if cents >= 0 else -((-cents + 50) // 100)


def json_whole_dollars(cents: np.ndarray) -> np.ndarray:
    """json_amount's whole dollars for an int64 array: half-up, away from zero for negative amounts."""
    import numpy as np

    cents = np.asarray(cents, dtype=np.int64)
    return np.where(cents >= 0, (cents + 50) // 100, -((-cents + 50) // 100))


def parse_printed(text: object) -> int | None:
    """An amount as printed on a form (`5,174.48`, `$7000`, `7000.5`) -> cents; blank -> None; `-`, `-0-`, `—` -> 0;
    anything else raises ValueError."""
    t = str(text).strip().replace("$", "").replace(",", "").replace(" ", "")
    if t in ("", "-", "-0-", "—"):
        return None if t == "" else 0
    if not re.match(r"^\d+(?:\.\d+)?$", t):
        raise ValueError(f"not an amount: {text!r}")
    return text_cents(t)


def text_cents(text: str) -> int:
    """A plain decimal amount (`5174.48`, `7000`, `-12.5`) -> cents, exact; more than two decimals raises."""
    d = Decimal(text).scaleb(2)
    if d != d.to_integral_value():
        raise ValueError(f"more than two decimals: {text!r}")
    return int(d)


def parse_signed_cents(text: str, placeholders: frozenset[str] = frozenset()) -> tuple[int, str]:
    """A custodian's cash cell (`$1,234.56`, `-$7461.72`, `(10.35)`) -> (cents, negative for money out; problem
    or ""). Parentheses and a minus (before or after the `$`) mean out. Digits past the cents must be zeros:
    fractions of a cent are a share count or a price, not cash. Exact: digits are joined as integers."""
    t = text.strip().replace(" ", "")
    if t in placeholders:
        return 0, "missing amount"
    m = _SIGNED.match(t)
    if not m or bool(m[1]) != bool(m[6]) or (m[2] and m[3]) or not (m[4] or m[5]) or len(m[4]) > 15:
        return 0, "not an amount"
    frac = m[5] or ""
    if frac[2:].strip("0"):
        return 0, "an amount in fractions of a cent (a share count or price, not cash?)"
    cents = int(m[4].replace(",", "") or "0") * DOLLAR + int(frac[:2].ljust(2, "0"))
    negative = bool(m[1]) or "-" in (m[2], m[3])
    return (-cents if negative else cents), ""


def amount_text(value: object) -> str:
    """A value as a table shows it: an amount in whole dollars (int) or a two-decimal text (json_amount with
    --cents) with thousands separators (`12,345`, `12,345.67`); anything else (a ratio, a word) as it is."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, str) and _CENTS_TEXT.match(value):
        return format_cents(text_cents(value), whole=False)
    return str(value)


def form_boxes(value: int | str) -> tuple[str, str]:
    """A money line (whole dollars, or a two-decimal text) for a form's dollars box and cents box:
    (`12,345`, `67`); the cents box is `00` for a whole amount."""
    cents = value * DOLLAR if isinstance(value, int) else text_cents(str(value))
    sign, (dollars, rest) = "-" if cents < 0 else "", divmod(abs(cents), DOLLAR)
    return f"{sign}{dollars:,}", f"{rest:02d}"


def form_text(value: int | str) -> str:
    """A money line in one box: `12,345` when whole, else `12,345.67`."""
    dollars, rest = form_boxes(value)
    return dollars if rest == "00" else f"{dollars}.{rest}"


def whole_or_cents(cents: int) -> int | str:
    """An amount for JSON as it was printed: whole dollars as an integer, else a two-decimal text."""
    return cents // DOLLAR if cents % DOLLAR == 0 else json_amount(cents, keep_cents=True)


def printed_amount_text(dollars: str, cents: str = "") -> str | None:
    """An amount printed in a dollars box (and a cents box, as 2017/2018 have) as one plain decimal text
    (`5174.48`, `7000`); None if it is not an amount, or has more digits than any ledger total (a misread)."""
    most = len(str(MAX_TOTAL_CENTS // DOLLAR))
    if cents:
        if not _PRINTED_DOLLARS.match(dollars or "0") or not re.fullmatch(r"[0-9]{1,2}", cents):
            return None
        if len((dollars or "0").replace(",", "").lstrip("0")) > most:
            return None
        return f"{int((dollars or '0').replace(',', ''))}.{cents:0<2}"
    if not _PRINTED_AMOUNT.match(dollars):
        return None
    whole, _, frac = dollars.replace(",", "").partition(".")
    if len(whole.lstrip("0")) > most:
        return None
    return f"{int(whole)}.{frac:0<2}" if frac else str(int(whole))


def decimal_cents(text: str) -> tuple[int, bool]:
    """A non-negative plain decimal (`1234.5`, `0.125`) as (cents rounded down, exact?): exact is False when it has
    fractions of a cent."""
    d = Decimal(text).scaleb(2)
    whole = int(d)
    return whole, d == whole


def plain_amount_text(text: str) -> str | None:
    """A plain amount under $1 billion with at most two decimals (`1234.5`) as a two-decimal text (`1234.50`),
    without Decimal (a 1099-R CSV has 200,000 boxes); None for anything else (the caller's exact path)."""
    m = _PLAIN_AMOUNT.fullmatch(text)
    return None if m is None else f"{int(m[1])}.{(m[2] or '').ljust(2, '0')}"
