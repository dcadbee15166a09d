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
    cautions = [json.dumps([w.as_dict() for w in ws], ensure_ascii=False) if ws else "[]" for ws in lines.cautions]
    tail += [', "warnings": ', pa.array(cautions, pa.string()), "}"]
    first = np.zeros(n, dtype=bool)
    first[::chunk] = True
    sep = np.where(first, ",", ", ")
    sep[:1] = ""
    head.insert(0, pa.array(sep, pa.string()))

    codes = present.astype(np.int64) @ (np.int64(1) << np.arange(len(LINE_KEYS), dtype=np.int64))
    parts, order = [], []
    for code in sorted(set(codes.tolist())):
        rows = np.flatnonzero(codes == code)
        take = pa.array(rows)
        pieces: list = [p.take(take) if isinstance(p, pa.Array) else p for p in head]
        on = [i for i in range(len(LINE_KEYS)) if code >> i & 1]
        for j, i in enumerate(on):
            pieces += [("" if j == 0 else ", ") + f'"{LINE_KEYS[i]}": ', rendered[i].take(take)]
        pieces += [p.take(take) if isinstance(p, pa.Array) else p for p in tail]
        parts.append(pc.binary_join_element_wise(*pieces, ""))
        order.append(rows)
    back = np.empty(n, dtype=np.int64)
    back[np.concatenate(order)] = np.arange(n)
    return pa.concat_arrays(parts).take(pa.array(back))


SMALL_ROWS = 2_000  # up to this many rows the json module writes the objects (no pyarrow to import)


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
    stream.write("[")
    for start in range(0, n, chunk):
        part = lines.take(np.arange(start, min(start + chunk, n)))
        if n <= small_rows:
            text = json.dumps(as_objects(part, opts), ensure_ascii=False)[1:-1]
            stream.write(("," if start else "") + text)
            continue
        arrow = objects_text(part, opts, chunk)
        _, offsets, data = arrow.buffers()
        bounds = np.frombuffer(offsets, dtype=np.int32)[arrow.offset : arrow.offset + len(arrow) + 1]
        stream.write(("," if start else "") + memoryview(data)[int(bounds[0]) : int(bounds[-1])].tobytes().decode())
    stream.write("]\n")
