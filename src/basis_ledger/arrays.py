"""numpy <-> Arrow without pyarrow's pandas probe.

pyarrow imports pandas (0.3-0.4 s of CPU) the first time it converts a numpy array or a Python value (`pa.array`,
`to_numpy`, a Python scalar given to a compute function). A command that never builds a frame (compute on a large
ledger, an import of a generic CSV) hands the same memory over by buffers instead, with these.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa


def arrow_ints(values: np.ndarray | Sequence[int]) -> pa.Array:
    """An int64 Arrow array of these values (no nulls)."""
    import numpy as np
    import pyarrow as pa

    a = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(a), [None, pa.py_buffer(a)])


def arrow_bools(values: np.ndarray) -> pa.Array:
    """A boolean Arrow array of these values (no nulls)."""
    import numpy as np
    import pyarrow as pa

    a = np.asarray(values, dtype=bool)
    return pa.Array.from_buffers(pa.bool_(), len(a), [None, pa.py_buffer(np.packbits(a, bitorder="little"))])


def arrow_strings(values: Sequence[str] | np.ndarray) -> pa.Array:
    """A string Arrow array of these Python strings (no nulls)."""
    import numpy as np
    import pyarrow as pa

    encoded = [v.encode() for v in values]
    data = b"".join(encoded)
    wide = len(data) >= 2**31  # beyond 32-bit offsets: a large_string array, cast down by Arrow if it can
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64 if wide else np.int32)
    np.cumsum(np.fromiter(map(len, encoded), dtype=offsets.dtype, count=len(encoded)), out=offsets[1:])
    kind = pa.large_string() if wide else pa.string()
    return pa.Array.from_buffers(kind, len(encoded), [None, pa.py_buffer(offsets), pa.py_buffer(data)])


@cache
def arrow_text(value: str) -> pa.Scalar:
    """A string Arrow scalar (a Python str given to a compute function would be converted with a probe)."""
    return arrow_strings([value])[0]


_NUMPY_OF = {"int64": "int64", "int32": "int32", "uint64": "uint64", "int16": "int16", "int8": "int8"}


def numpy_ints(col: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The values of an integer Arrow array without nulls, as numpy (chunks concatenated)."""
    import numpy as np
    import pyarrow as pa

    chunks = col.chunks if isinstance(col, pa.ChunkedArray) else [col]
    dtype = np.dtype(_NUMPY_OF[str(col.type)])
    parts = [np.frombuffer(c.buffers()[1], dtype=dtype, count=len(c), offset=c.offset * dtype.itemsize) for c in chunks]
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def numpy_bools(col: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The values of a boolean Arrow array, as numpy; a null is False (a mask built by compute functions)."""
    import numpy as np
    import pyarrow as pa

    chunks = col.chunks if isinstance(col, pa.ChunkedArray) else [col]
    parts = []
    for c in chunks:
        if c.null_count:
            c = c.fill_null(False)
        bits = np.frombuffer(c.buffers()[1], dtype=np.uint8)
        parts.append(np.unpackbits(bits, bitorder="little", count=c.offset + len(c))[c.offset :].astype(bool))
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


def arrow_binary(values: Sequence[bytes | pa.Buffer]) -> pa.Array:
    """A binary Arrow array of these byte strings or Arrow buffers (no nulls); one buffer is not copied."""
    import numpy as np
    import pyarrow as pa

    data = values[0] if len(values) == 1 else b"".join(bytes(v) for v in values)
    buffer = data if isinstance(data, pa.Buffer) else pa.py_buffer(data)
    wide = buffer.size >= 2**31
    offsets = np.zeros(len(values) + 1, dtype=np.int64 if wide else np.int32)
    np.cumsum([len(v) if isinstance(v, bytes) else v.size for v in values], out=offsets[1:])
    kind = pa.large_binary() if wide else pa.binary()
    return pa.Array.from_buffers(kind, len(values), [None, pa.py_buffer(offsets), buffer])


def one_array(col: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A column as one array: an array or a chunked column's only chunk as it is (ChunkedArray.combine_chunks
    copies even that one), else the chunks combined (one copy)."""
    import pyarrow as pa

    if not isinstance(col, pa.ChunkedArray):
        return col
    out: pa.Array = col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()
    return out


def text_offsets(arr: pa.Array) -> np.ndarray:
    """A string or binary array's n + 1 value bounds into its data buffer, as a view in the array's own offset
    width (int32, or int64 for the large types): value i is data[bounds[i]:bounds[i + 1]]."""
    import numpy as np
    import pyarrow as pa

    wide = pa.types.is_large_string(arr.type) or pa.types.is_large_binary(arr.type)
    width = np.int64 if wide else np.int32
    out: np.ndarray = np.frombuffer(arr.buffers()[1], dtype=width)[arr.offset : arr.offset + len(arr) + 1]
    return out


def text_data(arr: pa.Array) -> np.ndarray:
    """A string or binary array's data buffer as bytes (uint8, a view; empty where every value is empty)."""
    import numpy as np

    data = arr.buffers()[2]
    return np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
