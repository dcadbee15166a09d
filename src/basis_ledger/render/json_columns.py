"""`compute --json` text built from the lines frame's columns by Arrow string kernels, with the same bytes as
`json.dumps(as_objects(...), ensure_ascii=False)`, and no Python dict per computed year.

A household's few rows are written by the json module from the plain objects instead (no pyarrow to import).
Rows are grouped by which lines are present (the form's skip patterns: a handful); each group's objects are
one `binary_join_element_wise` of literal pieces and rendered columns; the groups are put back in row order
with one `take`, and the array's character buffer is written out as it is.
The keys and their order are engine/objects.as_objects's; tests/core/test_json_columns.py holds the two together.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from basis_ledger.engine.columns import (
    arrow_bools,
    arrow_call,
    arrow_cast,
    arrow_ints,
    arrow_strings,
    arrow_take,
    arrow_text,
)
from basis_ledger.engine.form8606 import Options
from basis_ledger.engine.objects import as_objects
from basis_ledger.engine.results import LINE_KEYS, STATE_KEYS, Lines, as_lines
from basis_ledger.money import json_whole_dollars
from basis_ledger.render.stream import byte_layer, write_arrow_text

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa


def _join(*pieces: pa.Array | str) -> pa.Array:
    """The pieces (arrays, or text the same on every row) joined row by row."""
    empty = arrow_text("")
    args = [arrow_text(p) if isinstance(p, str) else p for p in pieces]
    out: pa.Array = arrow_call("binary_join_element_wise", *args, empty)
    return out


def _quoted(values: np.ndarray, coded: tuple[np.ndarray, list[str]] | None = None) -> pa.Array:
    """Text (an object array) as JSON strings: each distinct value encoded once by the json module. `coded`: the
    same column as codes into its distinct values, where the engine had them (nothing to hash then)."""
    import numpy as np

    if coded is not None:
        code, names = coded
        used = np.flatnonzero(np.bincount(code, minlength=len(names)))  # a slice's rows name few of them
        at = np.zeros(len(names), dtype=np.int64)
        at[used] = np.arange(len(used), dtype=np.int64)
        return arrow_take(arrow_strings([_text(names[i]) for i in used.tolist()]), arrow_ints(at[code]))
    seen: dict[str, int] = {}
    codes = np.fromiter((seen.setdefault(v, len(seen)) for v in values.tolist()), dtype=np.int64, count=len(values))
    return arrow_take(arrow_strings([_text(v) for v in seen]), arrow_ints(codes))


def _text(value: object) -> str:
    """A value as json.dumps(value, ensure_ascii=False) writes it (a str by the encoder's own function)."""
    from json.encoder import encode_basestring

    return encode_basestring(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _ints(values: np.ndarray) -> pa.Array:
    import pyarrow as pa

    return arrow_cast(arrow_ints(values), pa.string())


def _decimal(values: np.ndarray, places: int) -> pa.Array:
    """'"<sign><whole>.<fraction>"' of integers scaled by 10**places: sign and magnitude, as money.json_amount
    writes cents (floor division of a negative number would print -1234 cents as -13.66)."""
    import numpy as np
    from pyarrow._compute import PadOptions

    scale = 10**places
    magnitude = np.abs(values)
    sign = arrow_call("if_else", arrow_bools(values < 0), arrow_text("-"), arrow_text(""))
    frac = arrow_call("utf8_lpad", _ints(magnitude % scale), options=PadOptions(places, "0"))
    whole = _ints(magnitude // scale)
    return _join('"', sign, whole, ".", frac, '"')


def _flag(column: np.ndarray) -> pa.Array:
    return arrow_call("if_else", arrow_bools(column), arrow_text("true"), arrow_text("false"))


def _money(cents: np.ndarray, opts: Options) -> pa.Array:
    return _decimal(cents, 2) if opts.cents else _ints(json_whole_dollars(cents))


def objects_text(frame: pd.DataFrame | Lines, opts: Options, chunk: int = 20_000) -> pa.Array:
    """One string per row: its JSON object with the separator before it (', ' inside a slice of `chunk` rows,
    ',' where a slice starts, nothing before the first), as the slice-by-slice writer printed them."""
    import numpy as np
    import pyarrow as pa

    lines = as_lines(frame)
    n = len(lines)
    present = np.stack([lines.present[k] for k in LINE_KEYS], axis=1)
    # The separator before each object: ", ", or "," where a slice starts, or nothing before the first.
    sep = np.full(n, 2, dtype=np.int64)
    sep[::chunk] = 1
    sep[:1] = 0
    # Rows sorted by skip pattern (stable: row order within a pattern), the numbers permuted by numpy before any
    # text is made, so each pattern's rows are one zero-copy slice of every rendered column; the joined texts are
    # put back in row order with one take.
    codes = present.astype(np.int64) @ (np.int64(1) << np.arange(len(LINE_KEYS), dtype=np.int64))
    order = np.argsort(codes, kind="stable")
    ls, sorted_codes = lines.take(order), codes[order]
    # Each line's text only for the rows whose form has it (about 17 of the 29 lines a row), and where each
    # pattern's rows start among those.
    rendered: dict[int, pa.Array] = {}
    before: dict[int, np.ndarray] = {}
    for i, key in enumerate(LINE_KEYS):
        has = ls.present[key]
        if has.any():
            values = ls.values[key][has]
            rendered[i] = _decimal(values, opts.ratio_places) if key == "10" else _money(values, opts)
            before[i] = np.concatenate([[0], np.cumsum(has)])
    head = [
        arrow_take(arrow_strings(["", ",", ", "]), arrow_ints(sep[order])),
        '{"taxpayer": ',
        _quoted(ls.taxpayer, ls.codes.get("taxpayer")),
        ', "chain": ',
        _quoted(ls.chain, ls.codes.get("chain")),
        ', "tax_year": ',
        _ints(ls.tax_year),
        ', "form_required": ',
        _flag(ls.flags["form_required"]),
        ', "complete": ',
        _flag(ls.flags["complete"]),
        ', "lines": {',
    ]
    tail: list = ["}"]
    for key in STATE_KEYS:
        tail += [f', "{key}": ', _money(ls.state[key], opts)]
    tail += [', "warnings": ', _warnings(ls), "}"]
    bounds = np.flatnonzero(np.diff(sorted_codes)) + 1
    starts, ends = np.concatenate([[0], bounds]), np.concatenate([bounds, [n]])
    parts = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        code, size = int(sorted_codes[start]), end - start

        def cut(p: pa.Array | str, start: int = start, size: int = size) -> pa.Array | str:
            return p.slice(start, size) if isinstance(p, pa.Array) else p

        pieces: list = [cut(p) for p in head]
        on = [i for i in range(len(LINE_KEYS)) if code >> i & 1]
        for j, i in enumerate(on):
            at = int(before[i][start])
            pieces += [("" if j == 0 else ", ") + f'"{LINE_KEYS[i]}": ', rendered[i].slice(at, size)]
        pieces += [cut(p) for p in tail]
        parts.append(_join(*_merged(pieces)))
    back = np.empty(n, dtype=np.int64)
    back[order] = np.arange(n)
    out: pa.Array = arrow_take(pa.concat_arrays(parts), arrow_ints(back))
    return out


def _merged(pieces: list) -> list:
    """Adjacent literal texts as one (each piece costs the join a step per row)."""
    out: list = []
    for p in pieces:
        if isinstance(p, str) and out and isinstance(out[-1], str):
            out[-1] += p
        else:
            out.append(p)
    return out


def _warnings(lines: Lines) -> pa.Array:
    """Each row's cautions as the json module writes their list ("[]" for none): each distinct caution encoded
    once, each distinct list of them written once, the rows pointing at their list."""
    from json.encoder import encode_basestring  # what json.dumps(..., ensure_ascii=False) quotes text with

    import numpy as np

    cc = lines.caution_columns
    n = len(lines)
    counts = cc.counts()
    width = int(counts.max()) if n else 0
    radix = len(cc.made) + 1
    if not len(cc.rows):
        return arrow_take(arrow_strings(["[]"]), arrow_ints(np.zeros(n, dtype=np.int64)))
    if radix ** (width + 1) < 2**62:  # each row's list of ids as one integer (ids + 1, in base `radix`)
        first = np.cumsum(counts) - counts
        position = np.arange(len(cc.rows), dtype=np.int64) - first[cc.rows]
        key = np.zeros(n, dtype=np.int64)
        np.add.at(key, cc.rows, (cc.ids + 1) * radix ** (width - 1 - position))
        keys, row_list = np.unique(key, return_inverse=True)
        # one row of each distinct list: its ids, in order
        example = np.zeros(len(keys), dtype=np.int64)
        example[row_list.reshape(-1)] = np.arange(n, dtype=np.int64)
        lists_ids = [cc.ids[first[r] : first[r] + counts[r]].tolist() for r in example.tolist()]
    else:  # too many distinct cautions for one integer per row: tuples
        per_row = cc.lists()
        index: dict[tuple[int, ...], int] = {}
        at = {w: i for i, w in enumerate(cc.made)}
        row_list = np.fromiter(
            (index.setdefault(tuple(at[w] for w in ws), len(index)) for ws in per_row), dtype=np.int64, count=n
        )
        lists_ids = [list(k) for k in index]
    done: dict[int, str] = {}

    def encoded(i: int) -> str:
        text = done.get(i)
        if text is None:
            w = cc.made[i]
            text = done[i] = f'{{"code": {encode_basestring(w.code)}, "message": {encode_basestring(w.message)}}}'
        return text

    texts = ["[" + ", ".join([encoded(i) for i in ids]) + "]" for ids in lists_ids]
    return arrow_take(arrow_strings(texts), arrow_ints(row_list.reshape(-1)))


SMALL_ROWS = 2_000  # up to this many rows the json module writes the objects (no pyarrow to import)
BLOCK_ROWS = 20_000  # rows whose text is built at once (about 10 MB of text)


def write_json(
    frame: pd.DataFrame | Lines, opts: Options, stream, chunk: int = 20_000, small_rows: int = SMALL_ROWS
) -> None:
    """The `compute --json` array, slice by slice of `chunk` rows. A household's few rows: the json module's text
    of the plain objects (engine/objects.as_objects). Many rows: each slice's text written straight from the
    Arrow character buffer (a slice at a time, so a large ledger's text and its pieces never all exist at once).
    Both give the same bytes (tests/core/test_json_columns.py)."""
    import numpy as np

    lines = as_lines(frame)
    n = len(lines)
    if n <= small_rows:
        stream.write("[")
        for start in range(0, n, chunk):
            part = lines.take(np.arange(start, min(start + chunk, n)))
            stream.write(("," if start else "") + json.dumps(as_objects(part, opts), ensure_ascii=False)[1:-1])
        stream.write("]\n")
        return
    # Many rows: the text of several slices built at once (each slice's separators as the slice-by-slice writer
    # put them), and written as the UTF-8 bytes Arrow holds when the stream has a byte layer under it.
    block = chunk * max(1, BLOCK_ROWS // chunk)
    raw = byte_layer(stream)
    stream.write("[")
    for start in range(0, n, block):
        stream.write("," if start else "")
        write_arrow_text(stream, raw, objects_text(lines.slice(start, start + block), opts, chunk))
    stream.write("]\n")
