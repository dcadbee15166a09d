"""Every staged file's events of one import as one table, for the checks that look across files.

A season's import is often dozens of files of a few events each; a check run file by file pays each operation's
fixed cost once per file, which is most of its time. The checks read one Arrow table instead: the columns they
need, in file order and row order, with the file (`file_index`, its place in the batch) and row (`file_row`, its
position in that file's table) of each row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa


def together(
    tables: list[pa.Table | None], columns: list[str], missing: dict[str, str] | None = None
) -> pa.Table | None:
    """`columns` of every non-empty table, one after another; None when no table has a row.

    A column named in `missing` is taken with that value where a table lacks it (e.g. a generic CSV's events
    have no `tax_year_from`); any other column must be in every table."""
    import numpy as np
    import pyarrow as pa

    from basis_ledger.arrays import arrow_ints, arrow_text

    parts = [(i, t) for i, t in enumerate(tables) if t is not None and t.num_rows]
    if not parts:
        return None

    def cut(t: pa.Table) -> pa.Table:
        arrays = []
        for c in columns:
            if c in t.column_names:
                arrays.append(t.column(c))
            elif missing is not None and c in missing:
                arrays.append(pa.repeat(arrow_text(missing[c]), t.num_rows))
            else:
                raise KeyError(c)
        return pa.Table.from_arrays(arrays, names=columns)

    pieces = [cut(t) for _, t in parts]
    schema = pieces[0].schema
    pieces = [p if p.schema == schema else p.cast(schema) for p in pieces]  # (text may come as large_string)
    out = pa.concat_tables(pieces) if len(pieces) > 1 else pieces[0]
    sizes = [t.num_rows for _, t in parts]
    file_index = np.repeat(np.array([i for i, _ in parts], dtype=np.int64), sizes)
    file_row = np.concatenate([np.arange(n, dtype=np.int64) for n in sizes])
    return out.append_column("file_index", arrow_ints(file_index)).append_column("file_row", arrow_ints(file_row))
