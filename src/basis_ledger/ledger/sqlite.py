"""The SQLite ledger's connection: one file, reached through ADBC (adbc-driver-sqlite), rows in and out as Arrow.

`Connection` speaks the same small sqlite3-shaped API as the PostgreSQL one (ledger/postgres.py; the contract is
in ledger/backend.py), so the store's SQL is written once. Differences from Python's `sqlite3`: an import's
events are appended as one Arrow table (`ingest`), and a query can come back as Arrow (`fetch_arrow`) instead of
one Python tuple per row. The driver manager's low-level API is used, not its DB-API module, because the latter
imports pyarrow.dataset, which imports pandas (0.5 s) in every command.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from basis_ledger.model import InputError, Problem
from basis_ledger.resources import schemas_dir

if TYPE_CHECKING:
    import pyarrow as pa


class Cursor:
    """A finished query's rows: Arrow underneath, tuples on demand."""

    def __init__(self, table: pa.Table | None):
        self._table = table
        self._rows: list[tuple[Any, ...]] | None = None
        self._at = 0

    @property
    def description(self) -> list[tuple[Any, ...]] | None:
        if self._table is None:
            return None
        return [(name, None, None, None, None, None, None) for name in self._table.column_names]

    def fetch_arrow(self) -> pa.Table:
        assert self._table is not None, "not a query"
        return self._table

    def _all(self) -> list[tuple[Any, ...]]:
        if self._rows is None:
            t = self._table
            if t is None or not t.num_rows or not t.num_columns:
                self._rows = []
            else:
                self._rows = list(zip(*(c.to_pylist() for c in t.columns), strict=True))
        return self._rows

    def fetchone(self) -> tuple[Any, ...] | None:
        rows = self._all()
        if self._at >= len(rows):
            return None
        self._at += 1
        return rows[self._at - 1]

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        rows = self._all()[self._at : self._at + size]
        self._at += len(rows)
        return rows

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows = self._all()[self._at :]
        self._at += len(rows)
        return rows

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.fetchall())


def _params(columns: list[list[object]]) -> pa.RecordBatch:
    import pyarrow as pa

    arrays = [_param_array(c) for c in columns]
    return pa.record_batch(arrays, names=[str(i) for i in range(len(arrays))])


def _param_array(values: list[object]) -> pa.Array:
    """One parameter's values as Arrow: text and whole numbers by buffers (pa.array would make pyarrow probe
    for pandas, which imports it in an import that never builds a frame: basis_ledger/arrays.py)."""
    import pyarrow as pa

    from basis_ledger.arrays import arrow_binary, arrow_ints, arrow_strings

    if all(v is None for v in values):
        return pa.nulls(len(values))
    if all(type(v) is str for v in values):
        return arrow_strings(values)  # type: ignore[arg-type]  # (all str, checked)
    if all(type(v) is int for v in values):
        return arrow_ints(values)  # type: ignore[arg-type]
    if all(isinstance(v, bytes | pa.Buffer) for v in values):
        return arrow_binary(values)
    return pa.array(values)


class Connection:
    """One ADBC connection to a ledger file, in autocommit mode outside an explicit BEGIN ... COMMIT."""

    engine = "sqlite"
    BEGIN_WRITE = "BEGIN IMMEDIATE"  # the write lock before an import's duplicate checks, not at its first write

    def __init__(self, db: Any, raw: Any, path: Path):
        self._db, self.raw, self.path = db, raw, path

    def _statement(self, sql: str, params: pa.RecordBatch | None) -> Any:
        import adbc_driver_manager as adbc

        stmt = adbc.AdbcStatement(self.raw)
        try:
            stmt.set_sql_query(sql)
            if params is not None:
                array, schema = adbc.ArrowArrayHandle(), adbc.ArrowSchemaHandle()
                params._export_to_c(array.address, schema.address)
                stmt.bind(array, schema)
        except adbc.Error as exc:
            stmt.close()
            raise self.problem(exc) from None
        return stmt

    def execute(self, sql: str, params: Sequence[object] = (), *, batch_rows: int | None = None) -> Cursor:
        """Run one statement. `batch_rows`: rows per Arrow batch of the result (the driver's default is 1,024:
        a large read as a few big batches saves every later step its per-chunk cost)."""
        import adbc_driver_manager as adbc
        import pyarrow as pa

        stmt = self._statement(sql, _params([[p] for p in params]) if params else None)
        try:
            if batch_rows is not None:
                stmt.set_options(**{"adbc.sqlite.query.batch_rows": str(batch_rows)})
            handle, _ = stmt.execute_query()
            return Cursor(pa.RecordBatchReader._import_from_c(handle.address).read_all())
        except adbc.Error as exc:
            raise self.problem(exc) from None
        finally:
            stmt.close()

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        import adbc_driver_manager as adbc

        rows = list(rows)
        if not rows:
            return
        stmt = self._statement(sql, _params([list(c) for c in zip(*rows, strict=True)]))  # bound once, run per row
        try:
            stmt.execute_update()
        except adbc.Error as exc:
            raise self.problem(exc) from None
        finally:
            stmt.close()

    def executescript(self, sql: str) -> None:
        for statement in statements(sql):
            self.execute(statement)

    def ingest(self, table: str, data: pa.Table, columns: Sequence[str]) -> None:
        """Append an Arrow table's rows (columns named as the table's) inside the current transaction."""
        import adbc_driver_manager as adbc

        data = data.select(list(columns))
        stmt = adbc.AdbcStatement(self.raw)
        try:
            stmt.set_options(**{"adbc.ingest.target_table": table, "adbc.ingest.mode": "adbc.ingest.mode.append"})
            stream = adbc.ArrowArrayStreamHandle()
            data.to_reader()._export_to_c(stream.address)
            stmt.bind_stream(stream)
            stmt.execute_update()
        except adbc.Error as exc:
            raise self.problem(exc) from None
        finally:
            stmt.close()

    def close(self) -> None:
        import adbc_driver_manager as adbc

        for part in (self.raw, self._db):
            with suppress(adbc.Error):
                part.close()

    def problem(self, exc: Exception) -> InputError:
        return InputError([Problem(str(self.path), f"the ledger refused: {message(exc)}")])


def message(exc: Exception) -> str:
    """The driver's sentence without its status prefixes or the echoed query."""
    text = (str(exc).splitlines() or [type(exc).__name__])[0]
    for prefix in ("IO: ", "INVALID_ARGUMENT: ", "INTERNAL: ", "[SQLite] ", "Failed to prepare query: "):
        text = text.removeprefix(prefix)
    return text.removeprefix("Failed to step query: ")


def statements(sql: str) -> list[str]:
    """A script as single statements (the driver prepares one at a time); trigger bodies stay whole."""
    import sqlite3  # only its pure statement splitter: no connection is opened with it

    out, current = [], ""
    for line in sql.splitlines(keepends=True):
        if not current and (not line.strip() or line.lstrip().startswith("--")):
            continue
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    return out


def connect(path: Path, *, read_only: bool = False) -> Connection:
    """Open a ledger file (it exists: the store creates it 0600 first). Problems name the file."""
    import adbc_driver_manager as adbc
    import adbc_driver_sqlite

    uri = f"file:{quote(str(path.absolute()))}?mode=ro" if read_only else str(path)
    try:
        db = adbc_driver_sqlite.connect(uri)
        raw = adbc.AdbcConnection(db)
    except adbc.Error as exc:
        raise InputError([Problem(str(path), f"cannot open the ledger ({message(exc)})")]) from None
    conn = Connection(db, raw, path)
    conn.execute("PRAGMA foreign_keys = ON")
    # Like Python's sqlite3: wait a little for another writer's lock instead of failing at once. An import
    # waits longer, saying so (store.Ledger._begin).
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


_CREATED = re.compile(r"CREATE (?:UNIQUE )?(?:TABLE|INDEX|TRIGGER) IF NOT EXISTS (\w+)")


def create_schema(conn: Connection, version: str) -> None:
    """The schema and its version row; without writing (so without waiting for another writer's lock) when the
    ledger already has every table, index and trigger of schemas/ledger.sql."""
    script = (schemas_dir() / "ledger.sql").read_text()
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    if (
        set(_CREATED.findall(script)) <= have
        and conn.execute("SELECT 1 FROM meta WHERE key = 'schema_version'").fetchone()
    ):
        return
    conn.execute("BEGIN IMMEDIATE")  # one transaction, not one (journal, fsync) per statement
    try:
        conn.executescript(script)
        conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (version,))
        conn.execute("COMMIT")
    except BaseException:
        with suppress(Exception):
            conn.execute("ROLLBACK")
        raise
