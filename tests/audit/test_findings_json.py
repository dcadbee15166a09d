"""`audit --json` from columns (render/findings_json.py) against the json module, and FindingColumns.ordered
against `sorted(dict.fromkeys(findings), key=run.sort_key)`: on arbitrary texts (quotes, backslashes, control
characters, other scripts' digits, amounts of every shape), written in one piece or many."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basis_ledger.audit import run
from basis_ledger.audit.columns import FindingColumns
from basis_ledger.audit.findings import Evidence, Finding, codes
from basis_ledger.render import findings_json
from basis_ledger.render.findings_json import write_findings

# Text of every kind the json module treats specially, and amounts as rules print them, well-formed or not.
anything = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
awkward = st.text(alphabet='ab"\\\x00\x01\x1f\x7f\n\t\u2028é€$,.-0123456789\u0663', max_size=12)
amount = st.builds(
    lambda sign, whole, frac: f"{sign}${whole}{frac}",
    st.sampled_from(["", "-", "--", "+"]),
    st.sampled_from(["0", "007", "1,234", "12,345,678", "1,23", "999", "123456789012345678901234", "\u0663\u0664"])
    | st.integers(0, 10**20).map(str)
    | st.integers(0, 10**15).map(lambda n: f"{n:,}"),
    st.sampled_from(["", ".00", ".49", ".50", ".5", ".999", ".99", "."]),
)
text = anything | awkward
value = st.none() | text | amount
evidence = st.builds(Evidence, text, text, text | st.none())  # a column may hold a None where objects would not
finding = st.builds(
    Finding,
    st.sampled_from(sorted(codes())),
    st.sampled_from(["ann", "bo", "Émile", 'q"uote']) | text,
    st.integers(1975, 2100),
    st.sampled_from(["m", "n"]) | text,
    line=st.none() | st.sampled_from(["6", "6+7", "15c", "10+25a", "", "x", "7+6"]) | text,
    expected=value,
    found=value,
    chain=st.sampled_from(["own", "spouse-inherited", "inherited-from-dad"]),
    evidence=st.lists(evidence, max_size=3).map(tuple),
)


def _json_module(findings: list[Finding], cents: bool) -> str:
    """The text the json module gives (the writer `audit --json` had before columns)."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    if not findings:
        return "[]\n"
    return "[\n" + ",\n".join(encode(f.as_dict(cents)) for f in findings) + "\n]\n"


def _columns(parts: list[list[Finding]], cents: bool, stream: io.TextIOBase) -> str:
    stream.write("[")
    first = True
    for part in parts:
        first = write_findings(stream, FindingColumns.of(part), cents, first)
    stream.write("]\n" if first else "\n]\n")
    stream.flush()
    if isinstance(stream, io.TextIOWrapper):
        return stream.buffer.getvalue().decode()  # type: ignore[attr-defined]
    return stream.getvalue()  # type: ignore[attr-defined]


@settings(deadline=None, max_examples=300)
@given(st.lists(st.lists(finding, max_size=8), max_size=4), st.booleans(), st.booleans())
def test_the_columns_write_the_json_modules_bytes(parts, cents, utf8_bytes):
    whole = [f for p in parts for f in p]
    # A text stream over bytes (as stdout is) takes the Arrow buffer as it is; any other is written as text.
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8") if utf8_bytes else io.StringIO()
    assert _columns(parts, cents, stream) == _json_module(whole, cents)


def test_blocks_of_findings_give_the_same_bytes(monkeypatch):
    made = [
        Finding("missing-8606", f"t{i % 7}", 2000 + i % 9, f'no "8606" {i}\n', expected=f"${i},000.5{i % 10}")
        for i in range(50)
    ]
    monkeypatch.setattr(findings_json, "BLOCK_ROWS", 7)
    assert _columns([made[:20], [], made[20:]], False, io.StringIO()) == _json_module(made, False)


@settings(deadline=None, max_examples=100)
@given(st.lists(finding, min_size=1, max_size=12), st.integers(1, 9))
def test_the_escape_scan_finds_every_row_whatever_its_pieces(found, piece):
    # The scan for characters json escapes reads the text a piece at a time: a piece of a few bytes puts a quote
    # or a control character at every place a piece can start or end.
    saved = findings_json.SCAN_BYTES
    findings_json.SCAN_BYTES = piece
    try:
        assert _columns([found], False, io.StringIO()) == _json_module(found, False)
    finally:
        findings_json.SCAN_BYTES = saved


@pytest.mark.parametrize(
    ("text", "whole", "cents"),
    [
        ("$1,234.50", 1235, "1234.50"),
        ("$1,234.49", 1234, "1234.49"),
        ("-$0.49", 0, "-0.49"),
        ("-$0.50", -1, "-0.50"),
        ("$007", 7, "7.00"),
        ("$1,23", "$1,23", "$1,23"),
        ("$\u0663", 3, "3.00"),  # Python's \d: other scripts' digits are digits to amount_value
        ("$123456789012345678901234.50", 123456789012345678901235, "123456789012345678901234.50"),
    ],
)
def test_amounts_are_numbers_as_amount_value_makes_them(text, whole, cents):
    for c, want in ((False, whole), (True, cents)):
        out = _columns([[Finding("missing-8606", "ann", 2020, "m", found=text)]], c, io.StringIO())
        assert json.loads(out)[0]["found"] == want


@settings(deadline=None, max_examples=300)
@given(st.lists(finding, max_size=12), st.randoms(use_true_random=False))
def test_ordered_is_sorted_unique_findings(findings, rng):
    # Repeats of whole findings (a rule run twice), and near-repeats that differ only in evidence or line.
    more = list(findings)
    for f in findings:
        if rng.random() < 0.4:
            more.insert(rng.randrange(len(more) + 1), f)
        if rng.random() < 0.2:
            more.append(Finding(f.code, f.taxpayer, f.tax_year, f.message, line=f.line, chain=f.chain))
    want = sorted(dict.fromkeys(more), key=run.sort_key)
    assert FindingColumns.of(more).ordered().findings() == want


def test_select_keeps_one_taxpayer_and_year_in_order():
    made = [Finding("basis-unknown", t, y, f"{t}{y}") for t in ("b", "a", "b") for y in (2021, 2022)]
    cols = FindingColumns.of(made)
    assert cols.select("b").findings() == [f for f in made if f.taxpayer == "b"]
    assert cols.select("b", 2022).findings() == [f for f in made if f.taxpayer == "b" and f.tax_year == 2022]
    assert cols.select(year=2021).findings() == [f for f in made if f.tax_year == 2021]
    assert not cols.has_errors() and FindingColumns.of([Finding("chain-break", "a", 1, "m")]).has_errors()


@settings(deadline=None, max_examples=100)
@given(st.lists(finding, max_size=20), st.integers(1, 7))
def test_sorted_findings_taken_a_block_at_a_time_are_the_ordered_ones(found, block):
    # audit --json takes each range's findings into their order a block at a time (audit/columns.Sorted): with
    # repeats and ties, every block is the same slice of ordered()'s table, and so are the whole and its bytes.
    found = found + found[: len(found) // 2]  # repeats, which ordered() leaves out
    columns = FindingColumns.of(found)
    ordered, lazy = columns.ordered(), columns.sorted()
    assert len(lazy) == len(ordered)
    for start in range(0, len(lazy), block):
        assert lazy.slice(start, block).table.equals(ordered.slice(start, block).table)
    assert lazy.columns().table.equals(ordered.table)
    written, want = io.StringIO(), io.StringIO()
    write_findings(written, lazy, False, True)
    write_findings(want, ordered, False, True)
    assert written.getvalue() == want.getvalue()


@settings(deadline=None, max_examples=150)
@given(st.lists(finding, min_size=1, max_size=20), st.integers(1, 7), st.booleans())
def test_a_range_rendered_once_gives_the_json_modules_bytes(found, block, cents):
    # A Sorted range of more than one block renders its by-value fields (code, taxpayer, year, line, amounts,
    # chain, severity) once for the whole range and takes each block's texts by code (_RangeTexts): with repeats
    # and ties, the bytes are the json module's of the ordered findings, in one block or many
    found = found + found[: len(found) // 2]
    columns = FindingColumns.of(found)
    want = _json_module(columns.ordered().findings(), cents)
    saved = findings_json.BLOCK_ROWS
    findings_json.BLOCK_ROWS = block
    try:
        stream = io.StringIO()
        stream.write("[")
        first = write_findings(stream, columns.sorted(), cents, True)
        stream.write("]\n" if first else "\n]\n")
    finally:
        findings_json.BLOCK_ROWS = saved
    assert stream.getvalue() == want
