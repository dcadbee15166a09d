"""Events as columns: the read path's one type between the ledger and the engine (issue 13).

A `Columns` is immutable: named columns of equal length, in a fixed order. Whole-number columns are int64 numpy
arrays; text columns are numpy object arrays (a small ledger read with Python's sqlite3) or Arrow string arrays
(a large ledger read through ADBC, which are never turned into one Python string per value on the hot path).
The engine reads it through `ints` and `factorize` (engine/routing.Coded); `frame()` gives the pandas frame the
audit, planner and workbook read, with the same dtypes as `Arrow table.to_pandas()` always gave them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

# numpy <-> Arrow by buffers (core: the write path uses them too); re-exported here for the read path's callers.
from basis_ledger.arrays import arrow_bools, arrow_ints, arrow_strings, arrow_text, numpy_ints  # noqa: F401

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa


_ONE_ARRAY = 2**31 - 1  # bytes of text a (non-large) Arrow string array holds at most


class Columns:
    """Named columns of equal length. Build with `Columns.of_arrays` (numpy / lists) or `Columns.of_arrow`."""

    def __init__(self, data: Mapping[str, Any], length: int, *, table: pa.Table | None = None) -> None:
        self._data = dict(data)
        self._n = length
        self._table = table  # the Arrow table it came from (frame() and slices reuse it)
        self._codes: dict[str, tuple[np.ndarray, list[str]]] = {}

    @classmethod
    def of_arrays(cls, data: Mapping[str, Any], int_names: frozenset[str] | set[str]) -> Columns:
        """From Python sequences or numpy arrays: `int_names` become int64, the rest object (text)."""
        import numpy as np

        out = {k: np.asarray(v, dtype=np.int64) if k in int_names else _objects(v) for k, v in data.items()}
        n = len(next(iter(out.values()))) if out else 0
        return cls(out, n)

    @classmethod
    def of_arrow(cls, table: pa.Table) -> Columns:
        """From an Arrow table of int64 and string columns: ints as numpy (no copy), text kept as Arrow."""
        import pyarrow as pa

        data: dict[str, Any] = {}
        for name, col in zip(table.column_names, table.columns, strict=True):
            # Text stays in the driver's chunks: combining a million strings is a copy nothing needs.
            data[name] = numpy_ints(col) if pa.types.is_integer(col.type) else col
        return cls(data, table.num_rows, table=table)

    # -- reading ---------------------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return list(self._data)

    def __len__(self) -> int:
        return self._n

    def __contains__(self, name: object) -> bool:
        return name in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def ints(self, name: str) -> np.ndarray:
        """A whole-number column as int64."""
        import numpy as np

        out: np.ndarray = np.asarray(self._data[name], dtype=np.int64)
        return out

    def texts(self, name: str) -> np.ndarray:
        """A column as a numpy object array of Python values (one object per row: for small results)."""
        import numpy as np

        col = self._data[name]
        if isinstance(col, np.ndarray):
            return col
        return _objects(col.to_pylist())

    def factorize(self, name: str) -> tuple[np.ndarray, list[str]]:
        """Codes (int64) numbering the column's distinct values in sorted string order, and those values, as
        `pandas.factorize(sort=True)` numbers them (engine/routing.Coded relies on that order)."""
        import numpy as np

        if name not in self._codes:
            col = self._data[name]
            if not self._n:
                self._codes[name] = (np.zeros(0, np.int64), [])
            elif isinstance(col, np.ndarray):
                # Python objects: the few distinct values sorted (Python's str order), each row looked up once.
                values = col.tolist()
                uniq = sorted(set(values))
                at = {v: i for i, v in enumerate(uniq)}
                code = np.fromiter(map(at.__getitem__, values), dtype=np.int64, count=len(values))
                self._codes[name] = (code, [str(u) for u in uniq])
            else:
                self._codes[name] = _arrow_factorize(col)
        return self._codes[name]

    def take(self, rows: np.ndarray) -> Columns:
        """The rows at these positions (or where a boolean mask is true), in that order."""
        import numpy as np

        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        data: dict[str, Any] = {}
        for name, col in self._data.items():
            if isinstance(col, np.ndarray):
                data[name] = col[rows]
            else:
                data[name] = arrow_take(col, arrow_ints(rows))  # Array or ChunkedArray
        return Columns(data, len(rows))

    def contiguous(self) -> Columns:
        """These columns with each Arrow text column of several chunks (a ledger's blocks) combined into one array,
        to be cut many times: Arrow's take from a chunked string array first concatenates its chunks, so every
        cut would copy the whole column (audit/run.Ranges: 0.129 s for five ranges of 940,984 events' six text
        columns, against 0.017 s to combine them once and 0.040 s for the five takes, session 8). A column of
        2 GiB of text or more stays in its chunks (a string array's limit)."""
        data: dict[str, Any] = {}
        for name, col in self._data.items():
            combine = getattr(col, "num_chunks", 1) > 1 and col.nbytes < _ONE_ARRAY
            data[name] = col.combine_chunks() if combine else col
        return Columns(data, self._n)

    def records(self) -> list[dict[str, Any]]:
        """One dict per row (column order kept), with Python values: for the few rows a command prints."""
        cols = [self.texts(n).tolist() for n in self._data]
        names = list(self._data)
        return [dict(zip(names, row, strict=True)) for row in zip(*cols, strict=True)]

    def arrow(self) -> pa.Table:
        """As an Arrow table: int64 and string columns."""
        import pyarrow as pa

        if self._table is not None:
            return self._table
        arrays = [
            c
            if isinstance(c, (pa.Array, pa.ChunkedArray))
            else pa.array(c, pa.int64() if c.dtype.kind == "i" else pa.string())
            for c in self._data.values()
        ]
        return pa.Table.from_arrays(arrays, names=list(self._data))

    def frame(self) -> pd.DataFrame:
        """The pandas frame of these columns, typed as Arrow's `to_pandas()` types them (store.events())."""
        frame: pd.DataFrame = self.arrow().to_pandas()
        return frame


def arrow_call(name: str, *args: Any, options: Any = None) -> Any:
    """An Arrow compute function by name, from the compiled registry (pyarrow._compute). `pyarrow.compute` (and
    the Array.take / .cast methods, which import it) builds a Python wrapper and docstring for each of several
    hundred functions when first imported: about 40 ms for a command that needs a handful of them."""
    from pyarrow._compute import call_function

    return call_function(name, list(args), options)


def arrow_take(values: Any, indices: Any) -> Any:
    """values.take(indices) without importing pyarrow.compute."""
    return arrow_call("take", values, indices)


def arrow_cast(values: Any, target: pa.DataType) -> Any:
    """values.cast(target) (safe) without importing pyarrow.compute."""
    from pyarrow._compute import CastOptions

    return arrow_call("cast", values, options=CastOptions.safe(target))


def _objects(values: Sequence[Any] | Any) -> np.ndarray:
    import numpy as np

    out = np.empty(len(values), dtype=object)
    out[:] = values if not isinstance(values, np.ndarray) else values.astype(object)
    return out


def _arrow_factorize(col: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """Sorted-order codes of an Arrow string column: one dictionary encoding (over all its chunks at once), the
    (few) distinct values sorted. UTF-8 byte order is code point order, which is Python's str order."""
    import numpy as np
    import pyarrow as pa

    encoded = arrow_call("dictionary_encode", col)
    chunks = encoded.chunks if isinstance(encoded, pa.ChunkedArray) else [encoded]
    values = chunks[-1].dictionary if chunks else pa.array([], pa.string())
    # Encoding a chunked column gives every chunk the one dictionary of the whole column; should an Arrow release
    # not, the chunks are combined (which unifies them) first.
    if any(len(c.dictionary) != len(values) for c in chunks):
        return _arrow_factorize(col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col)
    indices = numpy_ints(pa.chunked_array([c.indices for c in chunks])) if chunks else np.zeros(0, np.int64)
    order = numpy_ints(arrow_call("array_sort_indices", values))
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    return rank[indices], arrow_take(values, arrow_ints(order)).to_pylist()
