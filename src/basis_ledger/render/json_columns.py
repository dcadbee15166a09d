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

from basis_ledger.engine.form8606 import Options
from basis_ledger.engine.objects import as_objects
from basis_ledger.engine.results import LINE_KEYS, STATE_KEYS, Lines, as_lines
from basis_ledger.money import json_whole_dollars

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from basis_ledger.model import Caution


def _quoted(values: pa.Array) -> pa.Array:
    """Text columns as JSON strings: each distinct value encoded once by the json module."""
    import pyarrow as pa

    codes = values.dictionary_encode()
    encoded = pa.array([json.dumps(v, ensure_ascii=False) for v in codes.dictionary.to_pylist()], pa.string())
    return encoded.take(codes.indices)


def _ints(values: np.ndarray) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.cast(pa.array(values), pa.string())


def _decimal(values: np.ndarray, places: int) -> pa.Array:
    """'"<sign><whole>.<fraction>"' of integers scaled by 10**places: sign and magnitude, as money.json_amount
    writes cents (floor division of a negative number would print -1234 cents as -13.66)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    scale = 10**places
    magnitude = np.abs(values)
    sign = pa.array(np.where(values < 0, "-", ""), pa.string())
    whole, frac = _ints(magnitude // scale), pc.utf8_lpad(_ints(magnitude % scale), places, "0")
    return pc.binary_join_element_wise('"', sign, whole, ".", frac, '"', "")


def _flag(column: np.ndarray) -> pa.Array:
    import numpy as np
    import pyarrow as pa

    return pa.array(np.where(column, "true", "false"), pa.string())


def _money(cents: np.ndarray, opts: Options) -> pa.Array:
    return _decimal(cents, 2) if opts.cents else _ints(json_whole_dollars(cents))


def objects_text(frame: pd.DataFrame | Lines, opts: Options, chunk: int = 20_000) -> pa.Array:
    """One string per row: its JSON object with the separator before it (', ' inside a slice of `chunk` rows,
    ',' where a slice starts, nothing before the first), as the slice-by-slice writer printed them."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    lines = as_lines(frame)
    n = len(lines)
    present = np.stack([lines.present[k] for k in LINE_KEYS], axis=1)
    rendered: dict[int, pa.Array] = {}
    for i, key in enumerate(LINE_KEYS):
        if present[:, i].any():
            values = lines.values[key]
            rendered[i] = _decimal(values, opts.ratio_places) if key == "10" else _money(values, opts)
    head = [
        '{"taxpayer": ',
        _quoted(pa.array(lines.taxpayer, pa.string())),
        ', "chain": ',
        _quoted(pa.array(lines.chain, pa.string())),
        ', "tax_year": ',
        _ints(lines.tax_year),
        ', "form_required": ',
        _flag(lines.flags["form_required"]),
        ', "complete": ',
        _flag(lines.flags["complete"]),
        ', "lines": {',
    ]
    tail: list = ["}"]
    for key in STATE_KEYS:
        tail += [f', "{key}": ', _money(lines.state[key], opts)]
    tail += [', "warnings": ', _warnings(lines), "}"]
    first = np.zeros(n, dtype=bool)
    first[::chunk] = True
    sep = np.where(first, ",", ", ")
    sep[:1] = ""
    head.insert(0, pa.array(sep, pa.string()))

    # Rows sorted by skip pattern (stable: row order within a pattern), so each pattern's rows are one zero-copy
    # slice of every column, taken once; the joined texts are put back in row order with one take.
    codes = present.astype(np.int64) @ (np.int64(1) << np.arange(len(LINE_KEYS), dtype=np.int64))
    order = np.argsort(codes, kind="stable")
    by_pattern = pa.array(order)
    head = [p.take(by_pattern) if isinstance(p, pa.Array) else p for p in head]
    tail = [p.take(by_pattern) if isinstance(p, pa.Array) else p for p in tail]
    rendered = {i: r.take(by_pattern) for i, r in rendered.items()}
    sorted_codes = codes[order]
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
            pieces += [("" if j == 0 else ", ") + f'"{LINE_KEYS[i]}": ', cut(rendered[i])]
        pieces += [cut(p) for p in tail]
        parts.append(pc.binary_join_element_wise(*pieces, ""))
    back = np.empty(n, dtype=np.int64)
    back[order] = np.arange(n)
    out: pa.Array = pa.concat_arrays(parts).take(pa.array(back))
    return out


def _warnings(lines: Lines) -> pa.Array:
    """Each row's cautions as the json module writes their list ("[]" for none)."""
    from json.encoder import encode_basestring  # what json.dumps(..., ensure_ascii=False) quotes text with

    import numpy as np
    import pyarrow as pa

    done: dict[int, str] = {}  # a caution shared by many rows (engine/results._cautions) is encoded once

    def encoded(w: Caution) -> str:
        text = done.get(id(w))
        if text is None:
            text = done[id(w)] = f'{{"code": {encode_basestring(w.code)}, "message": {encode_basestring(w.message)}}}'
        return text

    rows = np.full(len(lines), "[]", dtype=object)
    for i, ws in enumerate(lines.cautions):
        if ws:
            rows[i] = "[" + ", ".join([encoded(w) for w in ws]) + "]"
    return pa.array(rows, pa.string())


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
    utf8 = str(getattr(stream, "encoding", "")).lower().replace("-", "") == "utf8"
    raw = getattr(stream, "buffer", None) if utf8 else None  # the text layer would encode the same bytes again
    stream.write("[")
    for start in range(0, n, block):
        arrow = objects_text(lines.take(np.arange(start, min(start + block, n))), opts, chunk)
        _, offsets, data = arrow.buffers()
        bounds = np.frombuffer(offsets, dtype=np.int32)[arrow.offset : arrow.offset + len(arrow) + 1]
        text = memoryview(data)[int(bounds[0]) : int(bounds[-1])]
        if raw is not None:
            stream.write("," if start else "")
            stream.flush()
            raw.write(text)
        else:
            stream.write(("," if start else "") + text.tobytes().decode())
    stream.write("]\n")
