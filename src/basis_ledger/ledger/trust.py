"""Which files the ledger may open: only new ones or ones carrying our schema marker, never touching a refusal.

`check_file` looks at the file before any database driver does (folder, size, owner, SQLite header);
`check_schema` asks an open connection (any DB-API driver: sqlite3, ADBC, psycopg) for the marker, the schema
version and every table's columns. Both only read. Migrations from an older schema are numbered SQL scripts in
schemas/migrations/ (NNNN.sql brings a ledger to version NNNN), applied in one transaction and announced.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import stat
from functools import cache
from pathlib import Path
from typing import Any

from basis_ledger.faults import shown
from basis_ledger.ledger.backend import SCHEMA_VERSION as BACKEND_SCHEMA_VERSION
from basis_ledger.model import InputError, Problem
from basis_ledger.resources import schemas_dir

SCHEMA_VERSION = int(BACKEND_SCHEMA_VERSION)  # one source: ledger/backend.py (meta stores it as text)
# SQLite's header field for "which application wrote this file" (PRAGMA application_id): "BLdg".
APPLICATION_ID = 0x424C6467
HANDS_OFF = "; refusing to touch it (the file was not changed)"
_SQLITE_HEADER = b"SQLite format 3\x00"


def refuse(path: Path | str, why: str) -> InputError:
    return InputError([Problem(shown(str(path), 400), why)])


def check_file(path: Path) -> None:
    """The file itself: a regular file of ours with an SQLite header. Raises InputError; reads 100 bytes at most."""
    try:
        st = path.stat()
    except PermissionError:
        raise refuse(
            path, "cannot open the ledger: permission denied (a folder above it is not searchable by you)"
        ) from None
    except OSError as exc:
        raise refuse(path, f"cannot open the ledger: {exc.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise refuse(path, "is a folder, not a ledger file")
    if not stat.S_ISREG(st.st_mode):
        raise refuse(path, "is not a regular file (a device, FIFO or socket), not a ledger")
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        raise refuse(path, f"the ledger belongs to another user (uid {st.st_uid}); a ledger is private to its owner")
    if st.st_size == 0:
        raise refuse(path, f"empty (0-byte) file, not a basis-ledger database{HANDS_OFF}")
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except PermissionError:
        raise refuse(path, "cannot read the ledger: permission denied (the file is not readable by you)") from None
    except OSError as exc:
        raise refuse(path, f"cannot read the ledger: {exc.strerror}") from None
    if not head.startswith(_SQLITE_HEADER):
        raise refuse(path, f"not a basis-ledger database (not even an SQLite file){HANDS_OFF}")
    app_id = int.from_bytes(head[68:72], "big") if len(head) >= 72 else 0
    if app_id not in (0, APPLICATION_ID):
        raise refuse(path, f"not a basis-ledger database (another program's, application id {app_id:#x}){HANDS_OFF}")


@cache
def expected_columns() -> dict[str, tuple[str, ...]]:
    """Every table and its columns, read from schemas/ledger.sql itself (one source for the schema)."""
    mem = sqlite3.connect(":memory:")
    mem.executescript((schemas_dir() / "ledger.sql").read_text())
    tables = [r[0] for r in mem.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    out = {t: tuple(r[1] for r in mem.execute(f"PRAGMA table_info({t})")) for t in tables}
    mem.close()
    return out


def check_schema(conn: Any, path: Path | str, *, expect: int | None = None) -> int:
    """The ledger's schema version, after checking its marker and columns; raises InputError, changes nothing.

    Works on any connection with execute() (the store's, sqlite3's) or a DB-API cursor(): it only runs SELECTs
    and reads cursor descriptions."""
    expect = SCHEMA_VERSION if expect is None else expect
    version = _version(conn, path)
    if version > expect:
        raise refuse(
            path,
            f"written by a newer basis-ledger (schema version {version}; this one knows up to {expect}): "
            "upgrade basis-ledger to use it; the ledger was not changed",
        )
    if version == expect:  # an older ledger lacks what its migrations add: check after migrating
        missing = [
            f"{table}.{col}"
            for table, cols in expected_columns().items()
            for col in sorted(set(cols) - set(_columns(conn, table)))
        ]
        if missing:
            raise refuse(path, f"damaged ledger: missing {', '.join(missing[:5])}; the ledger was not changed")
    return version


def _version(conn: Any, path: Path | str) -> int:
    try:
        row = _query(conn, "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except Exception:  # no meta table: someone else's database (each driver has its own error class)
        _rollback(conn)
        raise refuse(path, f"not a basis-ledger database (no schema marker){HANDS_OFF}") from None
    if row is None or not re.fullmatch(r"\d{1,6}", str(row[0])):
        raise refuse(path, f"not a basis-ledger database (no schema version){HANDS_OFF}")
    return int(row[0])


def _columns(conn: Any, table: str) -> tuple[str, ...]:
    try:
        return tuple(d[0] for d in _query(conn, f"SELECT * FROM {table} WHERE 1 = 0").description or ())
    except Exception:  # the table is missing
        _rollback(conn)
        return ()


def _query(conn: Any, sql: str) -> Any:  # any DB-API-shaped connection (see check_schema)
    """A finished query's cursor: the store's connections (sqlite, postgres) and DB-API ones alike."""
    if hasattr(conn, "execute"):
        return conn.execute(sql)
    cur = conn.cursor()
    cur.execute(sql)
    return cur


def _rollback(conn: Any) -> None:
    # PostgreSQL aborts the transaction on an error; SQLite in autocommit has nothing to roll back.
    if getattr(conn, "in_transaction", True):
        with contextlib.suppress(Exception):
            conn.rollback()


def migrations(after: int, upto: int | None = None) -> list[tuple[int, str]]:
    """The scripts that bring a ledger from version `after` to `upto` (ours), in order; refuses a gap."""
    upto = SCHEMA_VERSION if upto is None else upto
    folder = schemas_dir() / "migrations"
    steps = []
    for v in range(after + 1, upto + 1):
        script = folder / f"{v:04d}.sql"
        if not script.exists():
            raise InputError([Problem("ledger", f"no migration to schema version {v} (from {after})")])
        steps.append((v, script.read_text()))
    return steps
