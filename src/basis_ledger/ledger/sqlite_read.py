"""A small SQLite ledger read with Python's own sqlite3 module: the household commands' connection (issue 13).

Reading through ADBC means pyarrow for every query (0.2 s of imports), which is most of a command's time on a
ledger of a few hundred events; Python's sqlite3 gives the same rows at no import cost. It is used only to read
(`Ledger.open(..., write=False)`) a file small enough that rows as Python tuples are cheap
(`SMALL_LEDGER_BYTES`); a large ledger, and every write, go through ledger/sqlite.py (ADBC, Arrow in and out).

It speaks the store's connection API (ledger/backend.py): `execute` returns a cursor of tuples, with
`fetch_arrow()` for the callers that want Arrow; a driver error becomes the same "the ledger refused: ..."
InputError as ledger/sqlite.py's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from basis_ledger.model import InputError, Problem

if TYPE_CHECKING:
    import pyarrow as pa

SMALL_LEDGER_BYTES = 1 << 20  # up to ~10,000 events: read as tuples here; above, through ADBC as Arrow


class Cursor:
    """A finished query's rows (read whole at once, as the ADBC connection does)."""

    def __init__(self, rows: list[tuple[Any, ...]], description: Any) -> None:
        self._rows, self._at = rows, 0
        self.description = [tuple(d) for d in description] if description else None

    def fetch_arrow(self) -> pa.Table:
        import pyarrow as pa

        assert self.description is not None, "not a query"
        names = [d[0] for d in self.description]
        columns = list(zip(*self._rows, strict=True)) if self._rows else [() for _ in names]
        return pa.table({n: pa.array(list(c)) for n, c in zip(names, columns, strict=True)})

    def fetchone(self) -> tuple[Any, ...] | None:
        if self._at >= len(self._rows):
            return None
        self._at += 1
        return self._rows[self._at - 1]

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        rows = self._rows[self._at : self._at + size]
        self._at += len(rows)
        return rows

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows = self._rows[self._at :]
        self._at = len(self._rows)
        return rows

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.fetchall())


class Connection:
    """A read-only sqlite3 connection to a ledger file, in autocommit mode."""

    engine = "sqlite"
    BEGIN_WRITE = "BEGIN IMMEDIATE"
    reads_tuples = True  # the store reads events as Python rows from it (Ledger.event_columns)

    def __init__(self, raw: sqlite3.Connection, path: Path) -> None:
        self.raw, self.path = raw, path

    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor:
        try:
            cur = self.raw.execute(sql, tuple(params))
            return Cursor(cur.fetchall(), cur.description)
        except sqlite3.Error as exc:
            raise self.problem(exc) from None

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        raise self.problem(sqlite3.OperationalError("attempt to write a readonly database"))

    def executescript(self, sql: str) -> None:
        raise self.problem(sqlite3.OperationalError("attempt to write a readonly database"))

    def ingest(self, table: str, data: pa.Table, columns: Sequence[str]) -> None:
        raise self.problem(sqlite3.OperationalError("attempt to write a readonly database"))

    def rollback(self) -> None:  # nothing to roll back: this connection never writes (ledger/trust.py asks)
        return None

    def close(self) -> None:
        self.raw.close()

    def problem(self, exc: Exception) -> InputError:
        return InputError([Problem(str(self.path), f"the ledger refused: {exc}")])


def small(path: Path) -> bool:
    """Whether a ledger file is small enough to read as Python rows."""
    try:
        return path.stat().st_size <= SMALL_LEDGER_BYTES
    except OSError:
        return False


def connect(path: Path) -> Connection:
    """Open a ledger file read-only. Problems name the file, as ledger/sqlite.connect's do."""
    uri = f"file:{quote(str(path.absolute()))}?mode=ro"
    try:
        raw = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise InputError([Problem(str(path), f"cannot open the ledger ({exc})")]) from None
    return Connection(raw, path)
