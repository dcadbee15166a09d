"""`audit --json` text built from the findings' columns (audit/columns.FindingColumns) by Arrow string kernels,
with the same bytes as the json module gives: each finding is `json.JSONEncoder(ensure_ascii=False).encode(
f.as_dict(cents))`, the objects joined by ",\n" inside "[\n" and "\n]\n" ("[]\n" for none).

A Python dict per finding and the encoder's walk over it cost more than the rules that found them (hundreds of
thousands on a firm's ledger). Here each field is one column of JSON text: a string is quoted as it is unless it
holds a character the json module escapes (then that value goes through json's own encode_basestring); an amount
("$1,234.50", audit.findings.amount_value) becomes its number by regex and integer kernels; the evidence lists
are joined per finding by `binary_join`. tests/audit/test_findings_json.py holds this to the json module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

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

    _, offsets, data = values.buffers()[:3]
    if data is None or not len(values):
        return np.zeros(0, dtype=np.int64)
    width = np.int64 if values.type == "large_string" else np.int32
    bounds = np.frombuffer(offsets, dtype=width)[values.offset : values.offset + len(values) + 1]
    text = np.frombuffer(data, dtype=np.uint8)[int(bounds[0]) : int(bounds[-1])]
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


def quoted_values(values: pa.Array, before: str = "", after: str = "") -> pa.Array:
    """As `quoted`, each distinct value quoted once (for columns of few values: codes, names, lines)."""
    return _by_value(values, lambda distinct: quoted(distinct, before, after))


def _by_value(values: pa.Array, render) -> pa.Array:
    """`render` of each distinct value (None is one of them), taken back to every row."""
    coded = values.dictionary_encode(null_encoding="encode")
    out: pa.Array = render(coded.dictionary).take(coded.indices)
    return out


def amounts(values: pa.Array, cents: bool, before: str = "", after: str = "") -> pa.Array:
    """Each value as json writes audit.findings.amount_value(value, cents): a plain amount ("$4,906.50") as
    whole dollars half-up (4907), or with cents as a two-decimal string ("4906.50"); any other text quoted.
    Each distinct value is read once (expected values repeat: "a filed Form 8606", "at most $5,500")."""
    return _by_value(values, lambda distinct: _amounts(distinct, cents, before, after))


def _amounts(values: pa.Array, cents: bool, before: str, after: str) -> pa.Array:
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
    _, offsets, data = texts.buffers()[:3]
    width = np.int64 if texts.type == "large_string" else np.int32
    bounds = np.frombuffer(offsets, dtype=width)[texts.offset : texts.offset + n + 1].astype(np.int64)
    text = np.frombuffer(data, dtype=np.uint8)[int(bounds[0]) : int(bounds[-1])]
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


def objects_text(found: FindingColumns, cents: bool) -> pa.Array:
    """One string per finding: ",\n" and its JSON object, keys in Finding.as_dict's order. Each field's text
    carries the literal keys after it, made once per distinct value where values repeat."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def year(distinct: pa.Array) -> pa.Array:
        out: pa.Array = pc.fill_null(_join("", pc.cast(distinct, pa.string()), ', "message": '), 'null, "message": ')
        return out

    return _join(
        quoted_values(found.column("code"), ',\n{"code": ', ', "taxpayer": '),
        quoted_values(found.column("taxpayer"), "", ', "tax_year": '),
        _by_value(found.column("tax_year"), year),
        *quoted_pieces(found.column("message"), "", ', "line": '),
        quoted_values(found.column("line"), "", ', "expected": '),
        amounts(found.column("expected"), cents, "", ', "found": '),
        amounts(found.column("found"), cents, "", ', "chain": '),
        quoted_values(found.column("chain"), "", ', "evidence": '),
        *evidence_pieces(found.column("evidence"), "", ', "severity": '),
        quoted_values(found.severities(), "", "}"),
    )


def write_findings(stream: TextIO, found: FindingColumns | Sorted, cents: bool, first: bool) -> bool:
    """Write these findings' objects into an open `audit --json` array (each with the separator before it; see
    objects_text), a block of BLOCK_ROWS at a time (a Sorted range is taken into its order block by block);
    returns whether the array is still empty after them (the next `first`)."""
    import numpy as np

    from basis_ledger.render.stream import byte_layer, write_utf8

    n = len(found)
    raw = byte_layer(stream)
    for start in range(0, n, BLOCK_ROWS):
        arrow = objects_text(found.slice(start, BLOCK_ROWS), cents)
        _, offsets, data = arrow.buffers()
        bounds = np.frombuffer(offsets, dtype=np.int32)[arrow.offset : arrow.offset + len(arrow) + 1]
        text = memoryview(data)[int(bounds[0]) + first : int(bounds[-1])]  # the very first has "\n" alone
        write_utf8(stream, raw, text)
        first = False
    return first
