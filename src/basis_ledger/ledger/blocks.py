"""The events' columnar copy in an SQLite ledger: what a large ledger is read from, the rows being the ledger.

Reading 930,000 events back as rows costs SQLite a decoded value per column per row (0.46 s of a 1.5 s
`compute --all`, 0.8 s of the audit with provenance). So each time events are appended, the same rows, as
stored, also go into `event_blocks` (schemas/event_blocks.sql) as Arrow IPC streams of at most BLOCK_ROWS
consecutive ids each, in the same transaction: the import stays all-or-nothing.

The blocks are derived, never trusted on their own: `read` uses them only when they cover the event ids
exactly, from the first to the last, one block after another (ids between two blocks must have no row: a
ledger copied out of a firm's database has such gaps); anything else (a ledger from before the table existed,
a row added by another program) is read from the rows, and the next import first writes a block for the rows
not yet covered (`cover`). Events never change once written (append-only triggers, on the blocks
too), so a block that matched its rows when it was written matches them for good. Voids are not in the
blocks: a reader drops the voided ids, as the rows' query does. PostgreSQL ledgers read rows (the engine
streams Arrow already)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from basis_ledger.arrays import arrow_bools, arrow_ints, numpy_bools, numpy_ints, text_offsets
from basis_ledger.resources import schemas_dir

if TYPE_CHECKING:
    import pyarrow as pa

    from basis_ledger.ledger.backend import Connection

# Rows per block at most, and Arrow bytes per block at most (far below SQLite's 1 GB per value, whatever the memos
# hold). Blocks of 65,536 rows (about 7 MB uncompressed) rather than one per import: the writer's buffer is then
# reused from block to block; one 100 MB buffer for 940,984 events added 130 MB to the import's peak RSS and
# 0.1-0.25 s of system time (the kernel zeroing its fresh pages), 3 interleaved rounds.
BLOCK_ROWS = 1 << 16
BLOCK_BYTES = 1 << 28
# What `data` holds, and the IPC codec of each format `read` reads (a block of any other format: the rows are
# read). Blocks are written uncompressed since session 8: LZ4 made them 36 MB instead of 100 MB at 940,984 events,
# but decompressing cost `compute --all` 0.06-0.1 s of its read and compressing cost `import` about as much
# (docs/performance.md, "session 8"). Blocks written with LZ4 by earlier releases are still read.
FORMAT = "arrow-ipc-stream"
CODECS: dict[str, str | None] = {"arrow-ipc-stream": None, "arrow-ipc-stream/lz4": "lz4"}
TABLE = "event_blocks"


def has_table(conn: Connection) -> bool:
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)).fetchone()
    return found is not None


def last_id(conn: Connection) -> int:
    """The largest event id (0 for none): taken before an import appends, to know which ids it gets."""
    row = conn.execute("SELECT max(id) FROM events").fetchone()
    return 0 if row is None or row[0] is None else int(row[0])


def _covered(conn: Connection) -> list[tuple[int, int, str]]:
    """The blocks' (first id, last id, format), in id order."""
    rows = conn.execute(f"SELECT first_id, last_id, format FROM {TABLE} ORDER BY first_id").fetchall()
    return [(int(a), int(b), str(f)) for a, b, f in rows]


def append(
    conn: Connection, rows: pa.Table, before: int, schema: pa.Schema, read_rows: Callable[[int], pa.Table]
) -> None:
    """Inside the import's transaction, after `rows` (`schema`'s columns: file_id and the event fields, as
    stored) went into `events`, whose largest id was `before`: their blocks, after those for any older rows no
    block holds yet (`cover`). Rows that did not get the ids before + 1 onwards (only another writer inside this
    transaction could do that) get no block: the ledger is then read from its rows until a later import covers
    them."""
    if last_id(conn) != before + rows.num_rows:
        return
    cover(conn, before, schema, read_rows)
    if rows.num_rows:
        _write(conn, np.arange(before + 1, before + rows.num_rows + 1), rows.select(schema.names).cast(schema))


def cover(conn: Connection, upto: int, schema: pa.Schema, read_rows: Callable[[int], pa.Table]) -> None:
    """Blocks for the events with ids up to `upto` that no block holds yet (a ledger from before the table
    existed, rows another program wrote, a `ledger copy`), read by `read_rows(after_id)`: the rows' query for
    ids above that, id first, then `schema`'s columns. Creates the table where it is missing."""
    conn.executescript((schemas_dir() / "event_blocks.sql").read_text())
    blocks = _covered(conn)
    done = blocks[-1][1] if blocks else 0
    if done >= upto:
        return
    older = read_rows(done)
    ids = numpy_ints(older.column("id"))
    kept = ids <= upto
    older = older.filter(arrow_bools(kept)) if not kept.all() else older
    _write(conn, ids[kept], older.select(schema.names).cast(schema))


def _write(conn: Connection, ids: np.ndarray, table: pa.Table) -> None:
    """`table`'s rows, whose event ids are `ids`, as blocks: each a run of consecutive ids (the id itself is
    not stored: a block's rows are first_id, first_id + 1, ... last_id)."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    options = ipc.IpcWriteOptions(compression=CODECS.get(FORMAT))
    per_row = max(1, table.nbytes // max(1, table.num_rows))
    step = max(1, min(BLOCK_ROWS, BLOCK_BYTES // per_row))
    breaks = np.flatnonzero(np.diff(ids) != 1) + 1
    for run_start, run_end in zip([0, *breaks.tolist()], [*breaks.tolist(), len(ids)], strict=True):
        for start in range(run_start, run_end, step):
            part = table.slice(start, min(step, run_end - start))
            sink = pa.BufferOutputStream()
            with ipc.new_stream(sink, part.schema, options=options) as out:
                out.write_table(part)
            first, last = int(ids[start]), int(ids[start + part.num_rows - 1])
            conn.execute(
                f"INSERT INTO {TABLE} (first_id, last_id, rows, format, data) VALUES (?, ?, ?, ?, ?)",
                (first, last, part.num_rows, FORMAT, sink.getvalue()),
            )


def read(conn: Connection, schema: pa.Schema) -> pa.Table | None:
    """Every event (voided ones too) in id order: an int64 `id`, then `schema`'s columns (file_id and the event
    fields), from the blocks; None unless they hold every id from the first event's to the last's, one block
    after another (then the caller reads the rows)."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    if not has_table(conn):
        return None
    span = conn.execute("SELECT min(id), max(id) FROM events").fetchone()
    blocks = _covered(conn)
    if span is None or span[0] is None or not blocks or any(f not in CODECS for _, _, f in blocks):
        return None
    expect = int(span[0])
    for first, last, _ in blocks:
        if first < expect or (first > expect and _any_between(conn, expect, first)):
            return None  # blocks that overlap, or rows between two blocks that no block holds
        expect = last + 1
    if expect != int(span[1]) + 1:
        return None
    tables = [ipc.open_stream(data).read_all() for data in _data(conn, blocks)]
    if len(tables) != len(blocks) or any(not t.schema.equals(schema) for t in tables):
        return None
    if any(t.num_rows != last - first + 1 for t, (first, last, _) in zip(tables, blocks, strict=True)):
        return None
    ids = arrow_ints(np.concatenate([np.arange(first, last + 1, dtype=np.int64) for first, last, _ in blocks]))
    return pa.concat_tables(tables).add_column(0, "id", ids)


def _data(conn: Connection, blocks: list[tuple[int, int, str]]) -> list[pa.Buffer]:
    """Each block's bytes, in order, fetched a group of blocks at a time, each group about BLOCK_ROWS rows'
    worth: the driver builds one result as one buffer that doubles as it grows, so one query for every block
    copied each byte about twice more (930,799 events: 0.05-0.08 s against 0.10-0.12 s)."""

    out: list[pa.Buffer] = []
    start, rows = 0, 0
    for i, (first, last, _) in enumerate(blocks):
        rows += last - first + 1
        if rows < BLOCK_ROWS and i + 1 < len(blocks):
            continue
        sql = f"SELECT data FROM {TABLE} WHERE first_id BETWEEN ? AND ? ORDER BY first_id"
        for chunk in conn.execute(sql, (blocks[start][0], first)).fetch_arrow().column(0).chunks:
            bounds, values = text_offsets(chunk).tolist(), chunk.buffers()[2]  # (each block's bytes: no copy)
            out += [values.slice(a, b - a) for a, b in pairwise(bounds)]
        start, rows = i + 1, 0
    return out


def _any_between(conn: Connection, low: int, high: int) -> bool:
    """Whether an event has an id from `low` up to, not including, `high` (a look-up in the primary key). Ids
    between blocks are normal in a ledger copied out of a firm's database, where households share one sequence."""
    return conn.execute("SELECT 1 FROM events WHERE id >= ? AND id < ? LIMIT 1", (low, high)).fetchone() is not None


def compare(conn: Connection, schema: pa.Schema, rows: pa.Table) -> str:
    """What `ledger check` says of the copy, against `rows` (every event's id and `schema`'s columns, in id
    order, voided ones too): "absent", "incomplete" (the rows are read), "matches", or where it first differs."""
    import pyarrow.compute as pc

    if not has_table(conn) or not _covered(conn):
        return "absent"
    copy = read(conn, schema)
    if copy is None:
        return "incomplete"
    if copy.equals(rows):
        return "matches"
    if copy.num_rows != rows.num_rows:
        return f"differs: {copy.num_rows:,} events in the copy, {rows.num_rows:,} rows"
    for name in copy.column_names:
        same = pc.fill_null(pc.equal(copy.column(name), rows.column(name)), False)
        if not pc.all(same).as_py():
            at = int(numpy_bools(pc.invert(same)).argmax())
            event = rows.column("id")[at].as_py()
            return f"differs: event {event}'s {name} is {copy.column(name)[at].as_py()!r} in the copy"
    return "differs"  # (equal columns, other types)
