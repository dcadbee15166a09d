"""`audit --json` text built from the findings' columns (audit/columns.FindingColumns) by Arrow string kernels,
with the same bytes as the json module gives: each finding is `json.JSONEncoder(ensure_ascii=False).encode(
f.as_dict(cents))`, the objects joined by ",\n" inside "[\n" and "\n]\n" ("[]\n" for none).

A Python dict per finding and the encoder's walk over it cost more than the rules that found them (hundreds of
thousands on a firm's ledger). Here each field is one column of JSON text: a string is quoted as it is unless it
holds a character the json module escapes (then that value goes through json's own encode_basestring); an amount
("$1,234.50", audit.findings.amount_value) becomes its number by a regex match and numpy over its bytes; the
evidence lists are joined per finding by `binary_join`. The fields of few values are rendered once per distinct
value (for a sorted range, once for the whole range: _RangeTexts). tests/audit/test_findings_json.py holds this
to the json module.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

from basis_ledger.arrays import text_data, text_offsets
from basis_ledger.engine.columns import arrow_text

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from basis_ledger.audit.columns import FindingColumns, Sorted

# What json's encode_basestring escapes (json.encoder.ESCAPE): control characters, the backslash and the quote.
_ESCAPE = r'[\x00-\x1f"\\]'
# audit.findings._AMOUNT with ASCII digits (RE2's \d); Python's \d also takes other scripts' digits, so text that
# is not ASCII and holds a "$" is read by amount_value itself.
_AMOUNT = r"^(?P<sign>-)?\$(?P<whole>[0-9]{1,3}(?:,[0-9]{3})*|[0-9]+)(?:\.(?P<frac>[0-9]{2}))?$"
_LONG = 18  # an amount's text longer than this is left to Python's integers (int64 holds 18 digits)
BLOCK_ROWS = 20_000  # findings whose text is built at once
SCAN_BYTES = 1 << 18  # bytes of text looked at at once for characters json escapes (_escaped)


def _join(*pieces: pa.Array | str) -> pa.Array:
    """The pieces (arrays, or text the same on every row) joined row by row; a null piece makes the row null."""
    import pyarrow.compute as pc

    out: pa.Array = pc.binary_join_element_wise(*[arrow_text(p) if isinstance(p, str) else p for p in pieces], "")
    return out


def _python(values: pa.Array, mask: pa.Array, encode) -> pa.Array:
    """`encode` of each value where `mask` is true, in order, as an Arrow string array."""
    import pyarrow as pa

    return pa.array([encode(v) for v in values.filter(mask).to_pylist()], pa.string())


def _any(mask: pa.Array) -> bool:
    import pyarrow.compute as pc

    return bool(pc.any(mask).as_py())


def quoted(values: pa.Array, before: str = "", after: str = "") -> pa.Array:
    """Each value as json writes it with ensure_ascii=False (a quoted, escaped string, or null for None), with
    the text `before` and `after` it (the literal keys around a field: one join per field, not two)."""
    from json.encoder import encode_basestring

    import pyarrow as pa
    import pyarrow.compute as pc

    from basis_ledger.engine.columns import arrow_bools, arrow_ints

    out = _join(before + '"', values, '"' + after)
    rows = _escaped(values)
    if len(rows):
        import numpy as np

        mask = np.zeros(len(values), dtype=bool)
        mask[rows] = True
        taken = values.take(arrow_ints(rows)).to_pylist()
        fixed = pa.array([before + encode_basestring(v) + after for v in taken], pa.string())
        out = pc.replace_with_mask(out, arrow_bools(mask), fixed)
    filled: pa.Array = pc.fill_null(out, before + "null" + after)
    return filled


def quoted_pieces(values: pa.Array, before: str = "", after: str = "") -> list[pa.Array | str]:
    """`quoted` as pieces for the object's one join: the values themselves between literal texts where none is
    null or needs escaping (the usual case: no copy of a column of long messages made only to be copied again),
    else `quoted`'s array."""
    if values.null_count or len(_escaped(values)):
        return [quoted(values, before, after)]
    return [before + '"', values, '"' + after]


def _escaped(values: pa.Array) -> np.ndarray:
    """The rows holding a character json escapes (a control character, '"' or a backslash), found by one pass
    over the array's UTF-8 bytes (those are ASCII bytes, never part of a longer character's encoding)."""
    import numpy as np

    if values.buffers()[2] is None or not len(values):
        return np.zeros(0, dtype=np.int64)
    bounds = text_offsets(values)
    text = text_data(values)[int(bounds[0]) : int(bounds[-1])]
    # A piece at a time, so that the masks stay in the cache and no temporary as large as the text is made (the
    # messages of 20,000 findings are some 15 MB): 0.009 s against 0.021 s over one range's messages.
    hits = []
    for at in range(0, len(text), SCAN_BYTES):
        piece = text[at : at + SCAN_BYTES]
        mask = piece < 0x20
        mask |= piece == 0x22
        mask |= piece == 0x5C
        if mask.any():
            hits.append(np.flatnonzero(mask) + at)
    if not hits:
        return np.zeros(0, dtype=np.int64)
    hit = np.concatenate(hits)
    rows = np.unique(np.searchsorted(bounds, hit + bounds[0], side="right") - 1)
    if values.null_count:  # a null's slot holds no text, but nothing says it must be empty
        rows = rows[np.asarray(values.is_valid())[rows]]
    out: np.ndarray = rows.astype(np.int64)
    return out


def _by_value(values: pa.Array, render) -> pa.Array:
    """`render` of each distinct value (None is one of them), taken back to every row."""
    coded = values.dictionary_encode(null_encoding="encode")
    out: pa.Array = render(coded.dictionary).take(coded.indices)
    return out


def _amounts(values: pa.Array, cents: bool, before: str, after: str) -> pa.Array:
    """Each value as json writes audit.findings.amount_value(value, cents): a plain amount ("$4,906.50") as
    whole dollars half-up (4907), or with cents as a two-decimal string ("4906.50"); any other text quoted.
    Given distinct values (_value_texts: expected values repeat, "a filed Form 8606", "at most $5,500")."""
    import json

    import numpy as np
    import pyarrow.compute as pc

    from basis_ledger.audit.findings import amount_value
    from basis_ledger.engine.columns import arrow_bools

    out = quoted(values, before, after)
    amount = pc.fill_null(pc.match_substring_regex(values, _AMOUNT), False)
    # Left to amount_value itself: text not ASCII with a "$" in it, and amounts too long for int64 arithmetic.
    odd = pc.and_(pc.invert(pc.string_is_ascii(values)), pc.match_substring(values, "$"))
    odd = pc.fill_null(pc.or_(odd, pc.and_(amount, pc.greater(pc.utf8_length(values), _LONG))), False)
    amount = pc.and_(amount, pc.invert(odd))
    if _any(amount):
        negative, whole, frac = _amount_parts(values.filter(amount))
        if cents:  # f"{sign}{int(whole)}.{frac}": the whole part printed as an integer ("$007.50" is 7.50)
            sign = pc.if_else(arrow_bools(negative), "-", "")
            frac_text = pc.utf8_lpad(_ints(frac), 2, "0")
            text = _join('"', sign, _ints(whole), ".", frac_text, '"')
        else:  # half-up whole dollars; a negative amount that rounds to nothing is 0
            dollars = whole + (frac >= 50)
            text = _ints(np.where(negative, -dollars, dollars))
        out = pc.replace_with_mask(out, amount, _join(before, text, after))
    if _any(odd):
        encode = json.JSONEncoder(ensure_ascii=False).encode
        texts = _python(values, odd, lambda v: before + encode(amount_value(v, cents)) + after)
        out = pc.replace_with_mask(out, odd, texts)
    return out


def _amount_parts(texts: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each text matched by _AMOUNT (ASCII, at most _LONG characters) as its sign (True: "-"), whole dollars and
    cents (0 without them), read from the UTF-8 bytes at once: every digit of a row, whole part then cents, is
    one integer (at most 17 digits: int64), and ".cc" ends the rows that have cents. A regex extraction, the
    comma's removal and a cast cost five times as much over the amounts of a block of findings."""
    import numpy as np

    n = len(texts)
    if not n:
        empty = np.zeros(0, dtype=np.int64)
        return empty.astype(bool), empty, empty
    bounds = text_offsets(texts).astype(np.int64)
    text = text_data(texts)[int(bounds[0]) : int(bounds[-1])]
    starts, ends = bounds[:-1] - bounds[0], bounds[1:] - bounds[0]  # every row has at least "$" and a digit
    digit = (text >= 0x30) & (text <= 0x39)
    seen = np.cumsum(digit)  # digits up to and including each byte
    after = np.repeat(seen[ends - 1], ends - starts) - seen  # digits after each byte in its own row
    worth = (text - 0x30).astype(np.int64)
    worth[~digit] = 0
    worth *= (10 ** np.arange(18, dtype=np.int64))[after]  # a row has at most 17 digits
    value = np.add.reduceat(worth, starts)
    negative = text[starts] == 0x2D
    has_cents = (ends - starts >= 3) & (text[np.maximum(ends - 3, 0)] == 0x2E)
    whole = np.where(has_cents, value // 100, value)
    return negative, whole, np.where(has_cents, value % 100, 0)


def _ints(values: np.ndarray) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    from basis_ledger.engine.columns import arrow_ints

    out: pa.Array = pc.cast(arrow_ints(values), pa.string())
    return out


def evidence_pieces(lists: pa.Array, before: str = "", after: str = "") -> list[pa.Array | str]:
    """Each finding's evidence as json writes its list of {"file", "where", "what"} objects ("[]" for none),
    between `before` and `after`, as pieces for the object's one join: the joined lists between literal texts.
    Each piece of evidence is one join of its three texts inside literal quotes; one with a text json escapes,
    or a None, is written by the json module's own quoting instead."""
    from json.encoder import encode_basestring

    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from basis_ledger.engine.columns import arrow_bools, arrow_ints

    flat = pc.list_flatten(lists)
    fields = [flat.field(name) for name in ("file", "where", "what")]
    piece = _join('{"file": "', fields[0], '", "where": "', fields[1], '", "what": "', fields[2], '"}')
    odd = np.zeros(len(flat), dtype=bool)
    for f in fields:
        odd[_escaped(f)] = True
        if f.null_count:
            odd |= np.asarray(f.is_null())
    if odd.any():
        rows = arrow_ints(np.flatnonzero(odd))
        columns = [f.take(rows).to_pylist() for f in fields]

        def encoded(v: str | None) -> str:
            return "null" if v is None else encode_basestring(v)

        fixed = [
            f'{{"file": {encoded(a)}, "where": {encoded(b)}, "what": {encoded(c)}}}'
            for a, b, c in zip(*columns, strict=True)
        ]
        piece = pc.replace_with_mask(piece, arrow_bools(odd), pa.array(fixed, pa.string()))
    lengths = np.asarray(pc.fill_null(pc.list_value_length(lists), 0), dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    joined = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), piece), ", ")
    return [before + "[", joined, "]" + after]  # (no row is null: a finding without evidence has an empty list)


def _year(distinct: pa.Array) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    out: pa.Array = pc.fill_null(_join("", pc.cast(distinct, pa.string()), ', "message": '), 'null, "message": ')
    return out


def _value_texts(cents: bool) -> dict[str, object]:
    """The fields written once per distinct value: each one's text from its distinct values, carrying the
    literal keys around it (the object's order; "severity" is read from each code)."""
    return {
        "code": lambda d: quoted(d, ',\n{"code": ', ', "taxpayer": '),
        "taxpayer": lambda d: quoted(d, "", ', "tax_year": '),
        "tax_year": _year,
        "line": lambda d: quoted(d, "", ', "expected": '),
        "expected": lambda d: _amounts(d, cents, "", ', "found": '),
        "found": lambda d: _amounts(d, cents, "", ', "chain": '),
        "chain": lambda d: quoted(d, "", ', "evidence": '),
        "severity": lambda d: quoted(_severities(d), "", "}"),
    }


def _severities(code: pa.Array) -> pa.Array:
    """Each code's severity (schemas/findings.toml), as Finding.severity gives it; a null code has none."""
    import pyarrow as pa

    from basis_ledger.audit.findings import codes

    return pa.array([None if c is None else codes()[c]["severity"] for c in code.to_pylist()], pa.string())


def _object(values: dict[str, pa.Array], message: pa.Array, evidence: pa.Array) -> pa.Array:
    """The objects' one join: the by-value fields' texts (_value_texts, one per row) around the message and
    the evidence."""
    return _join(
        values["code"],
        values["taxpayer"],
        values["tax_year"],
        *quoted_pieces(message, "", ', "line": '),
        values["line"],
        values["expected"],
        values["found"],
        values["chain"],
        *evidence_pieces(evidence, "", ', "severity": '),
        values["severity"],
    )


def objects_text(found: FindingColumns, cents: bool) -> pa.Array:
    """One string per finding: ",\n" and its JSON object, keys in Finding.as_dict's order. Each field's text
    carries the literal keys after it, made once per distinct value where values repeat."""
    texts = _value_texts(cents)
    values = {name: _by_value(found.column("code" if name == "severity" else name), texts[name]) for name in texts}
    return _object(values, found.column("message"), found.column("evidence"))


class _RangeTexts:
    """A Sorted range's by-value fields (_value_texts) rendered once for the whole range, each distinct value
    once, and each finding's code into them: a block then takes its rows' texts by code (an integer take)
    instead of taking these columns' texts into the block's order and encoding them again: the JSON text of
    the 592,852 findings of 20,000 taxpayers took 0.80-0.83 s instead of 0.94-0.95 s (benchmarks/audit_phases.py,
    three interleaved rounds, session 8). Only the message and the evidence are taken into each block's order."""

    def __init__(self, found: Sorted, cents: bool) -> None:
        import numpy as np

        self.found = found
        self.codes: dict[str, np.ndarray] = {}
        self.texts: dict[str, pa.Array] = {}
        for name, render in _value_texts(cents).items():
            # (shared with the sort's keys; "severity" is the code's own encoding)
            coded = found.unsorted.encoded("code" if name == "severity" else name)
            self.codes[name] = np.asarray(coded.indices, dtype=np.int64)
            self.texts[name] = render(coded.dictionary)  # type: ignore[operator]

    def block(self, start: int, length: int) -> pa.Array:
        from basis_ledger.engine.columns import arrow_ints

        at = self.found.positions[start : start + length]
        rows = self.found.unsorted.table.select(["message", "evidence"]).take(arrow_ints(at))
        values = {name: self.texts[name].take(arrow_ints(codes[at])) for name, codes in self.codes.items()}
        return _object(values, _column(rows, "message"), _column(rows, "evidence"))


def _column(table: pa.Table, name: str) -> pa.Array:
    col = table.column(name)
    return col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)


def block_texts(found: FindingColumns | Sorted, cents: bool) -> Iterator[pa.Array]:
    """objects_text of these findings a block of BLOCK_ROWS at a time, in order (a Sorted range of more than one
    block through _RangeTexts: each block's rows taken into their order as it is reached)."""
    from basis_ledger.audit.columns import Sorted

    n = len(found)
    ranged = _RangeTexts(found, cents) if isinstance(found, Sorted) and n > BLOCK_ROWS else None
    for start in range(0, n, BLOCK_ROWS):
        if ranged is not None:
            yield ranged.block(start, BLOCK_ROWS)
        else:
            yield objects_text(found.slice(start, BLOCK_ROWS), cents)


def write_findings(stream: TextIO, found: FindingColumns | Sorted, cents: bool, first: bool) -> bool:
    """Write these findings' objects into an open `audit --json` array (each with the separator before it; see
    objects_text), a block at a time (block_texts); returns whether the array is still empty after them (the
    next `first`)."""
    from basis_ledger.render.stream import byte_layer, write_arrow_text

    raw = byte_layer(stream)
    for arrow in block_texts(found, cents):
        write_arrow_text(stream, raw, arrow, skip=int(first))  # the very first has "\n" alone, not ",\n"
        first = False
    return first
