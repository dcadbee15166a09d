"""money.py is where money text is made and read: tables, forms, JSON, custodian cells, printed PDF amounts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from basis_ledger import money as m


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (1234567, "1,234,567"),
        (-4500, "-4,500"),
        ("1234.56", "1,234.56"),
        ("0.05", "0.05"),
        ("-1234.50", "-1,234.50"),
        ("0.93750", "0.93750"),  # line 10 is a ratio, not money: as it is
        ("1234.5", "1234.5"),  # not a two-decimal amount: as it is
        ("yes", "yes"),
    ],
)
def test_amount_text(value, text):
    assert m.amount_text(value) == text


@pytest.mark.parametrize(
    ("value", "boxes", "one"),
    [
        (12345, ("12,345", "00"), "12,345"),
        ("12345.67", ("12,345", "67"), "12,345.67"),
        ("12345.00", ("12,345", "00"), "12,345"),
        ("0.07", ("0", "07"), "0.07"),
    ],
)
def test_form_boxes_and_text(value, boxes, one):
    assert m.form_boxes(value) == boxes
    assert m.form_text(value) == one


@pytest.mark.parametrize(
    ("text", "result"),
    [
        ("$1,234.56", (123456, "")),
        ("-$7461.72", (-746172, "")),
        ("$-7461.72", (-746172, "")),
        ("(10.35)", (-1035, "")),
        ("12.3400", (1234, "")),
        ("--", (0, "missing amount")),
        ("12.345", (0, "an amount in fractions of a cent (a share count or price, not cash?)")),
        ("(10.35", (0, "not an amount")),
        ("1,23.00", (0, "not an amount")),
    ],
)
def test_parse_signed_cents(text, result):
    assert m.parse_signed_cents(text, frozenset({"--"})) == result


def test_text_cents_is_exact_and_refuses_fractions_of_a_cent():
    assert m.text_cents("5174.48") == 517448
    assert m.text_cents("7000") == 700000
    assert m.text_cents("99999999999999999999.99") == 9999999999999999999999  # beyond a float's 2**53
    with pytest.raises(ValueError, match="more than two decimals"):
        m.text_cents("1.005")


@given(st.integers(min_value=-(10**18), max_value=10**18))
def test_texts_read_back(cents):
    """Every text money.py writes, money.py reads back to the same cents."""
    assert m.text_cents(m.format_cents(cents, whole=False).replace(",", "")) == cents
    assert m.text_cents(str(m.json_amount(cents, keep_cents=True))) == cents
    if abs(cents) < 10**14:  # a custodian cell holds at most 15 characters of dollars ($999,999,999,999)
        assert m.parse_signed_cents(m.format_cents(cents, whole=False)) == (cents, "")
    whole = m.whole_or_cents(cents)
    assert m.text_cents(str(whole)) == cents
    assert isinstance(whole, int) == (cents % 100 == 0)
    dollars, rest = m.form_boxes(m.json_amount(cents, keep_cents=True))
    assert m.text_cents(f"{dollars.replace(',', '')}.{rest}") == cents


@pytest.mark.parametrize(
    ("dollars", "cents", "text"),
    [
        ("5,174", "48", "5174.48"),
        ("5174.5", "", "5174.50"),
        ("0007000", "", "7000"),
        ("", "5", "0.50"),
        ("5,17", "", None),
        ("5174.485", "", None),
        ("1" * 31, "", None),  # more digits than any ledger total: a misread
    ],
)
def test_printed_amount_text(dollars, cents, text):
    assert m.printed_amount_text(dollars, cents) == text


@pytest.mark.parametrize(
    ("text", "result"),
    [("1234.5", (123450, True)), ("12.", (1200, True)), ("0.125", (12, False)), ("12.500000", (1250, True))],
)
def test_decimal_cents(text, result):
    assert m.decimal_cents(text) == result


@given(st.from_regex(r"[0-9]{1,9}(\.[0-9]{0,2})?", fullmatch=True))
def test_plain_amount_text_is_the_exact_path(text):
    """The fast path for plain tax-form amounts gives what the exact one does."""
    cents, exact = m.decimal_cents(text)
    assert exact and m.plain_amount_text(text) == m.json_amount(cents, keep_cents=True)


def test_plain_amount_text_leaves_the_rest_to_the_exact_path():
    assert [m.plain_amount_text(t) for t in ("1,234.50", "$5", "1234567890", "1.005", "")] == [None] * 5
