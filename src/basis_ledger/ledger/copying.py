"""`ledger copy SRC DST`: a whole ledger from SQLite into PostgreSQL, or back, in one transaction.

Every table of schemas/ledger.sql is copied in the file's order (a referenced table before the tables that point
at it), rows in id order, with their provenance (file name, sha256, importer, import time, line). Into SQLite
(a new, empty file) ids are kept as they are; into a firm's database, shared with other households, each row
gets a fresh id from the table's sequence, in the same order, and references are mapped to the new ids, so the
events' order (and every computed figure) is unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from basis_ledger.ledger import dialect
from basis_ledger.ledger.backend import SCHEMA_VERSION, Connection
from basis_ledger.ledger.location import DatabaseUrl, Location
from basis_ledger.ledger.store import Ledger
from basis_ledger.model import InputError, Problem

CHUNK = 50_000
_REFERENCE = re.compile(r"REFERENCES (\w+)\s*\(id\)")


def _layout() -> list[tuple[str, list[str], dict[str, str]]]:
    """(table, columns, {column: referenced table}) for every table but meta, in schemas/ledger.sql's order."""
    out = []
    for table, lines in dialect.sqlite_tables().items():
        if table in dialect.NOT_PER_HOUSEHOLD:
            continue
        columns = [line.split()[0] for line in lines if not re.match(r"(PRIMARY KEY|UNIQUE|CHECK|FOREIGN)\b", line)]
        refs = {line.split()[0]: m.group(1) for line in lines if (m := _REFERENCE.search(line))}
        out.append((table, columns, refs))
    return out


def copy_ledger(source: Location, destination: Location, household: str | None = None) -> dict[str, int]:
    if str(source) == str(destination):
        raise InputError([Problem(str(destination), "the destination is the source; name another ledger")])
    src = Ledger.open(source, household=household)
    try:
        _check_source(src, household)
        created = isinstance(destination, Path) and not destination.exists()
        dst = Ledger.open(
            destination, create=True, household=household if isinstance(destination, DatabaseUrl) else None
        )
        try:
            counts = _copy(src, dst)
        except BaseException:
            dst.close()
            if created and isinstance(destination, Path):
                destination.unlink(missing_ok=True)  # all or nothing: no empty ledger left behind
            raise
        dst.close()
        return counts
    finally:
        src.close()


def _check_source(src: Ledger, household: str | None) -> None:
    version = src.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if version is None or version[0] != SCHEMA_VERSION:
        found = version[0] if version else "none"
        raise InputError([Problem(str(src.path), f"schema version {found}, this basis-ledger copies {SCHEMA_VERSION}")])
    if src.engine == "postgresql" and household is None:
        present = sorted(
            {
                h
                for t in dialect.household_tables()
                for (h,) in src.conn.execute(f"SELECT DISTINCT household FROM {t}").fetchall()
            }
        )
        if len(present) > 1:
            raise InputError(
                [
                    Problem(
                        str(src.path), f"holds several households ({', '.join(present)}); choose one with --household"
                    )
                ]
            )


def _copy(src: Ledger, dst: Ledger) -> dict[str, int]:
    counts: dict[str, int] = {}
    new_ids: dict[str, dict[int, int]] = {}
    with dst.transaction() as conn:
        for table, _columns, _refs in _layout():
            if conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None:
                where = f" (household '{getattr(dst.conn, 'household', None)}')" if dst.engine == "postgresql" else ""
                raise InputError(
                    [
                        Problem(
                            str(dst.path), f"already holds a ledger{where}: copy into an empty one ({table} has rows)"
                        )
                    ]
                )
        for table, columns, refs in _layout():
            order = " ORDER BY id" if "id" in columns else ""
            cur = src.conn.execute(f"SELECT {', '.join(columns)} FROM {table}{order}")
            n = 0
            while rows := cur.fetchmany(CHUNK):
                cols = [list(c) for c in zip(*rows, strict=True)]
                for name, target in refs.items():
                    mapping = new_ids.get(target)
                    if mapping is not None:
                        i = columns.index(name)
                        cols[i] = [mapping[v] for v in cols[i]]
                if "id" in columns and dst.engine == "postgresql":
                    i = columns.index("id")
                    fresh = _reserve(conn, table, len(rows))
                    new_ids.setdefault(table, {}).update(zip(cols[i], fresh, strict=True))
                    cols[i] = fresh
                _write(conn, dst.engine, table, columns, cols)
                n += len(rows)
            counts[table] = n
        dst.cover_events(conn)  # into SQLite: the events' columnar copy, as an import writes it (ledger/blocks.py)
    return counts


def _reserve(conn: Connection, table: str, n: int) -> list[int]:
    """n new ids from the table's identity sequence, in increasing order."""
    sql = f"SELECT nextval(pg_get_serial_sequence('public.{table}', 'id')) FROM generate_series(1, ?) ORDER BY 1"
    return [r[0] for r in conn.execute(sql, (n,)).fetchall()]


def _write(conn: Connection, engine: str, table: str, columns: list[str], cols: list[list[object]]) -> None:
    if engine == "postgresql":
        import pyarrow as pa

        types = _types(table)
        data = pa.table({c: pa.array(v, types[c]) for c, v in zip(columns, cols, strict=True)})
        conn.ingest(table, data, columns)
        return
    marks = ", ".join("?" * len(columns))
    conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", list(zip(*cols, strict=True)))


def _types(table: str) -> dict[str, Any]:
    import pyarrow as pa

    out: dict[str, Any] = {}
    for line in dialect.sqlite_tables()[table]:
        parts = line.split()
        if len(parts) > 1:
            out[parts[0]] = pa.int64() if parts[1] == "INTEGER" else pa.string()
    return out
