"""The ledger: one SQLite file private to its owner (the default), or a firm's PostgreSQL database
(ledger/postgres.py), written one transaction per import. The SQL here is written once for both engines."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from basis_ledger.faults import database_problem, shown
from basis_ledger.files import private_dirs
from basis_ledger.ingest.base import EVENT_COLUMNS
from basis_ledger.ledger.backend import SCHEMA_VERSION  # re-exported: the ledger's schema version
from basis_ledger.ledger.corrections import Corrections, live
from basis_ledger.ledger.location import DatabaseUrl, Location
from basis_ledger.ledger.trust import APPLICATION_ID, check_file, check_schema, migrations
from basis_ledger.ledger.trust import SCHEMA_VERSION as LEDGER_VERSION
from basis_ledger.model import SSN_LIKE, InputError, Problem, Taxpayer, mask_ssn

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from basis_ledger.engine.columns import Columns
    from basis_ledger.ingest.base import Account
    from basis_ledger.ledger.backend import Connection

# Rows per Arrow batch when events are read through ADBC: a few large batches instead of the driver's 1,024-row
# ones (909 of them for 930,000 events), each of which every later step paid for; small enough that a batch's
# text (memo and file names with provenance) stays far below Arrow's 2 GiB per string array.
EVENT_BATCH_ROWS = 1 << 18
BUSY_MS = 60_000  # how long a writer waits for another one's transaction before saying the ledger is busy
EVENT_FIELDS = EVENT_COLUMNS  # what an importer extracts is what a row of `events` stores
# Ledger.events() with provenance: the event id, its fields, and the file it came from (name, sha256, line).
LEDGER_EVENT_COLUMNS = ("id", *EVENT_COLUMNS[:-1], "source_file", "source_sha256", "source_line")
BLOCK_COLUMNS = ("file_id", *EVENT_FIELDS)  # every stored column of `events` but its id (ledger/blocks.py)
VOIDED_IDS = "SELECT event_id FROM voids WHERE event_id IS NOT NULL"  # (its partial unique index holds them)
# A new SQLite ledger's page size (SQLite's default is 4,096; a file keeps the size it was made with). The columnar
# copy's blocks of some 7 MB each (ledger/blocks.py) are chains of overflow pages, and SQLite writes and reads a
# page per system call: an import of 930,799 events made 42,433 writes of 4 KiB. At 32 KiB the same import and
# its `compute --all --json` took 0.06-0.17 s less CPU between them, almost all system time (two runs of 6
# interleaved rounds, session 8); the demo household's ledger file is 720 KB instead of 98 KB.
PAGE_SIZE = 32_768


def resolve_path(option: str | None) -> Location:
    """--ledger, else $BASIS_LEDGER, else ./basis-ledger.db; a postgresql:// URL names a server ledger."""
    from basis_ledger.ledger.location import resolve

    return resolve(option)


def _exists(path: Path) -> bool:
    """Whether there is a file at `path`; a folder above it we may not search is check_file's to name, not "none"."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        return True
    return True


def _create(path: Path) -> None:
    """A complete new ledger appears at `path` at once (built beside it, then linked), or not at all."""
    from basis_ledger.ledger import sqlite

    private_dirs(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))  # owner-only from birth
    except PermissionError:
        folder = shown(str(path.parent), 400)
        why = f"cannot create the ledger: permission denied (you cannot write in the folder {folder})"
        raise InputError([Problem(shown(str(path), 400), why)]) from None
    except OSError as exc:  # name the ledger the user gave, not our temporary file
        exc.filename = str(path)
        raise
    try:
        conn = sqlite.connect(tmp)
        try:
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # (before the first table: it fixes the file's)
            sqlite.create_schema(conn, SCHEMA_VERSION)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        finally:
            conn.close()
        with contextlib.suppress(FileExistsError):  # another process created the ledger meanwhile: use theirs
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _migrate(conn: Connection, path: Path, version: int, write: bool) -> None:
    from basis_ledger.ledger import sqlite

    steps = migrations(version, LEDGER_VERSION)
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        raise InputError(
            [Problem(shown(str(path), 400), f"schema version {version} needs upgrading, but the ledger is read-only")]
        )
    if not write:  # the read-only connection cannot migrate: reopen for writing just for this
        conn = sqlite.connect(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for to, script in steps:
                conn.executescript(script)
                conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(to),))
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(Exception):
                conn.execute("ROLLBACK")
            raise
    finally:
        if not write:
            conn.close()
    print(f"{shown(str(path), 400)}: ledger upgraded from schema {version} to {LEDGER_VERSION}", file=sys.stderr)


def _bound(rows: pa.Table) -> tuple[str, ...]:
    """The columns an SQLite append binds: every stored one, but not a memo that is empty on every row (the
    table's default is the empty text). A value bound per row costs the driver and SQLite: 0.045 s of 0.76 s
    at 930,799 events (8 interleaved rounds)."""
    from basis_ledger.arrays import text_offsets

    names = ("file_id", *EVENT_FIELDS)
    for chunk in rows.column("memo").chunks:
        if chunk.null_count:  # (bound as they are: the table refuses a null memo, and says so)
            return names
        if len(chunk) and (bounds := text_offsets(chunk))[-1] != bounds[0]:
            return names
    return tuple(n for n in names if n != "memo")


def _masked_text(events: pa.Table) -> pa.Table:
    """Free text as stored: any whole SSN in a memo or account keeps only its last four digits. Decided once per
    distinct value (a bulk file's 930,000 memos are one empty text, its accounts 40,000 names): the RE2 prefilter
    over the distinct values, then the exact mask on the few it flags."""
    import pyarrow.compute as pc

    from basis_ledger.arrays import arrow_strings, one_array

    out = events
    for col, bare in (("memo", True), ("account", False)):
        column = events.column(col)
        encoded = pc.dictionary_encode(one_array(column))
        distinct = encoded.dictionary
        if not pc.any(pc.match_substring_regex(distinct, SSN_LIKE)).as_py():  # the usual case
            continue
        masked = arrow_strings([mask_ssn(v, bare=bare) for v in distinct.to_pylist()])
        out = out.set_column(out.column_names.index(col), col, masked.take(encoded.indices))
    return out


def _environment(err: InputError, path: object) -> InputError:
    """The driver's 'the ledger refused: disk I/O error' as what it means for the user."""
    said = err.problems[0].message.removeprefix("the ledger refused: ") if err.problems else ""
    if len(err.problems) == 1 and said != err.problems[0].message:
        problem = database_problem(Exception(said), shown(str(path), 400))
        if not problem.message.startswith("the database refused"):
            return InputError([problem])
    return err


class Ledger(Corrections):
    def __init__(self, conn: Connection, path: Location):
        self.conn = conn  # sqlite.Connection or postgres.Connection: the same calls (ledger/backend.py)
        self.path = path
        self.engine = getattr(conn, "engine", "sqlite")

    # -- opening ---------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Location, *, create: bool = False, write: bool = False, household: str | None = None) -> Ledger:
        """Open a ledger: a new one (create=True), or an existing file that carries our schema marker.

        A file we refuse (foreign, damaged, newer, another user's) is never changed: it is checked by reading
        before any write. Read-only commands (write=False) open the file read-only, so a read-only ledger works.
        An older schema is migrated explicitly (schemas/migrations/), in one transaction, and said so on stderr.
        """
        if isinstance(path, DatabaseUrl):
            from basis_ledger.ledger import postgres
            from basis_ledger.ledger.location import household_choice

            return cls(postgres.open_ledger(path, create=create, household=household_choice(household)), path)
        write = write or create
        if not _exists(path):
            if not create:
                raise InputError(
                    [
                        Problem(
                            shown(str(path), 400),
                            "no ledger here yet; run 'basis-ledger import FILE' first "
                            "(or name one with --ledger / $BASIS_LEDGER)",
                        )
                    ]
                )
            _create(path)
        check_file(path)  # only reads: a file we refuse is never changed
        if write and not os.access(path, os.W_OK):
            raise InputError([Problem(shown(str(path), 400), "the ledger is read-only: this command writes to it")])
        from basis_ledger.ledger import sqlite, sqlite_read

        # A small ledger is read with Python's sqlite3 (no pyarrow to import); writes and large reads use ADBC.
        conn: Connection = (
            sqlite_read.connect(path)
            if not write and sqlite_read.small(path)
            else sqlite.connect(path, read_only=not write)
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            version = check_schema(conn, path, expect=LEDGER_VERSION)
            if version < LEDGER_VERSION:
                _migrate(conn, path, version, write)
                check_schema(conn, path, expect=LEDGER_VERSION)
            if write:
                if os.stat(path).st_mode & 0o077:
                    os.chmod(path, 0o600)
                marker = conn.execute("PRAGMA application_id").fetchone()
                if marker is None or marker[0] != APPLICATION_ID:  # made before the marker
                    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        except BaseException:
            conn.close()
            raise
        return cls(conn, path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Ledger:
        """`with Ledger.open(path) as store:` closes the connection however the block ends."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """All or nothing: a crash or an exception before COMMIT leaves the ledger as it was.

        BEGIN IMMEDIATE takes the write lock before any check reads the ledger, so two imports at once see each
        other's rows; a second writer waits for the lock (saying so) instead of failing."""
        if self.engine == "postgresql":
            from basis_ledger.ledger import postgres

            with postgres.write_transaction(cast(postgres.Connection, self.conn)) as conn:
                yield conn
            return
        try:
            self._begin()
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                # SQLite may already have rolled back (a full disk during COMMIT): keep the original error, not
                # "cannot rollback - no transaction is active".
                with contextlib.suppress(Exception):
                    self.conn.execute("ROLLBACK")
                raise
        except InputError as err:  # full, locked, read-only, I/O: the environment, named as such
            raise _environment(err, self.path) from None

    def _begin(self) -> None:
        """BEGIN IMMEDIATE; when another process holds the lock, say so and wait for it (not exit 3)."""

        def locked(err: InputError) -> bool:
            return any("locked" in p.message or "busy" in p.message for p in err.problems)

        try:
            self.conn.execute("PRAGMA busy_timeout = 1000")
            self.conn.execute(self.conn.BEGIN_WRITE)
            return
        except InputError as err:
            if not locked(err):
                raise
        finally:  # COMMIT may wait for readers: the ordinary timeout again
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        wait = int(os.environ.get("BASIS_LEDGER_LOCK_WAIT", "600"))
        print(f"waiting for the ledger lock: another basis-ledger is writing {self.path} ...", file=sys.stderr)
        try:
            self.conn.execute(f"PRAGMA busy_timeout = {wait * 1000}")
            self.conn.execute(self.conn.BEGIN_WRITE)
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        except InputError as err:
            if not locked(err):
                raise
            raise InputError(
                [Problem(str(self.path), f"the ledger stayed locked by another process for {wait} s; try again")]
            ) from None

    # -- files and events ------------------------------------------------------------------------
    def has_file(self, sha256: str) -> str | None:
        """The name under which these bytes are in the ledger (and not undone), else None."""
        row = self.file_row(self.conn, sha256)
        return row[1] if row and row[2] else None

    def add_file(
        self, conn: Connection, name: str, sha256: str, importer: str, events: pa.Table | pd.DataFrame | None
    ) -> tuple[int, int]:
        """Within a transaction: record the file and append its events. Returns (file id, events added)."""
        n = 0 if events is None else len(events)
        cur = conn.execute(
            "INSERT INTO files (name, sha256, importer, imported_at, rows) VALUES (?, ?, ?, ?, ?) RETURNING id",
            (name, sha256, importer, datetime.now(UTC).isoformat(timespec="seconds"), n),
        )
        row = cur.fetchone()
        assert row is not None, "INSERT ... RETURNING gives its row"
        file_id: int = row[0]
        return file_id, self.add_events(conn, file_id, events)

    def add_events(self, conn: Connection, file_id: int, events: pa.Table | pd.DataFrame | None) -> int:
        """Within a transaction: append a file's events (one Arrow table: no Python object per value; a pandas
        frame, as some tests hold, is taken as its Arrow columns)."""
        from basis_ledger.ingest.base import to_arrow

        n = 0 if events is None else len(events)
        if events is not None and n:
            rows = _masked_text(event_rows(to_arrow(events), file_id))
            if conn.engine != "sqlite":
                conn.ingest("events", rows, ("file_id", *EVENT_FIELDS))
                return n
            from basis_ledger.ledger import blocks

            before = blocks.last_id(conn)
            conn.ingest("events", rows, _bound(rows))
            blocks.append(conn, rows, before, arrow_schema(BLOCK_COLUMNS), lambda after: self._rows_after(conn, after))
        return n

    def cover_events(self, conn: Connection) -> None:
        """Within a transaction: the columnar copy of every event no block holds yet (ledger/blocks.cover), so a
        ledger written row by row (`ledger copy` into SQLite) is read as fast as an imported one."""
        if conn.engine == "sqlite":
            from basis_ledger.ledger import blocks

            schema = arrow_schema(BLOCK_COLUMNS)
            blocks.cover(conn, blocks.last_id(conn), schema, lambda after: self._rows_after(conn, after))

    def _rows_after(self, conn: Connection, after: int) -> pa.Table:
        """Events with ids above `after`, voided ones too: their id and every other stored column."""
        names = ("id", *BLOCK_COLUMNS)
        table = conn.execute(f"SELECT {', '.join(names)} FROM events WHERE id > ? ORDER BY id", (after,)).fetch_arrow()
        schema = arrow_schema(names)
        return table.cast(schema) if table.num_rows else schema.empty_table()

    def add_documents(self, conn: Connection, file_id: int, documents: list[dict[str, Any]]) -> None:
        """One row per box, appended as one Arrow table (a 200,000-form 1099-R CSV has 1.4 million boxes: built
        as columns, not as row tuples transposed afterwards, which cost more than the insert)."""
        import numpy as np
        import pyarrow as pa

        counts = np.array([len(d["boxes"]) for d in documents], dtype=np.int64)
        if not counts.sum():
            return

        owner = pa.array(np.repeat(np.arange(len(documents)), counts))  # each box row -> its document

        def per_box(values: list[Any], kind: pa.DataType) -> pa.Array:
            return pa.array(values, type=kind).take(owner)

        accounts = [mask_ssn(d.get("account", "")) for d in documents]  # once per form, not once per box
        table = pa.table(
            {
                "file_id": pa.array(np.full(int(counts.sum()), file_id, dtype=np.int64)),
                "doc_index": per_box([d["doc_index"] for d in documents], pa.int64()),
                "form": per_box([d["form"] for d in documents], pa.string()),
                "taxpayer": per_box([d["taxpayer"] for d in documents], pa.string()),
                "tax_year": per_box([d["tax_year"] for d in documents], pa.int64()),
                "account": per_box(accounts, pa.string()),
                "box": pa.array([box for d in documents for box in d["boxes"]], type=pa.string()),
                "value": pa.array([str(v) for d in documents for v in d["boxes"].values()], type=pa.string()),
                "source_line": per_box([d["source_line"] for d in documents], pa.int64()),
            }
        )
        conn.ingest("documents", table, table.column_names)

    def add_filed_forms(self, conn: Connection, file_id: int, forms: list[dict[str, Any]]) -> None:
        rows = [
            (
                file_id,
                f["taxpayer"],
                f["tax_year"],
                f.get("chain", "own"),
                mask_ssn(f.get("name", ""), bare=True),
                f.get("ssn_last4"),
                line,
                str(value),
                ref,
            )
            for f in forms
            for line, (value, ref) in f["lines"].items()
        ]
        conn.executemany(
            "INSERT INTO filed_forms (file_id, taxpayer, tax_year, chain, name, ssn_last4, line, value,"
            " source_ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def table(self, sql: str, params: tuple[object, ...] = ()) -> pd.DataFrame:
        """A read query as a frame (for documents, filed forms, accounts, declarations)."""
        import pandas as pd

        cur = self.conn.execute(sql, params)
        return pd.DataFrame.from_records(cur.fetchall(), columns=[d[0] for d in cur.description or ()])

    def documents(self) -> pd.DataFrame:
        return self.table(
            "SELECT d.*, f.name AS source_file, f.sha256 AS source_sha256 FROM documents d"
            f" JOIN files f ON f.id = d.file_id WHERE {live('document', 'd')} ORDER BY d.id"
        )

    def filed_forms(self) -> pd.DataFrame:
        return self.table(
            "SELECT ff.*, f.name AS source_file, f.sha256 AS source_sha256 FROM filed_forms ff"
            f" JOIN files f ON f.id = ff.file_id WHERE {live('filed_form', 'ff')} ORDER BY ff.id"
        )

    def declare(self, taxpayer: str, tax_year: int, nondeductible_cents: int | None) -> None:
        """Record (or replace) the deductibility decision for a taxpayer's traditional contributions of a year."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO declarations (taxpayer, tax_year, nondeductible_cents, declared_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (taxpayer, tax_year) DO UPDATE SET nondeductible_cents = excluded.nondeductible_cents,"
                " declared_at = excluded.declared_at",
                (taxpayer, tax_year, nondeductible_cents, datetime.now(UTC).isoformat(timespec="seconds")),
            )

    def events_arrow(self, taxpayer: str | None = None, *, provenance: bool = True) -> pa.Table:
        """Events in ledger order as typed Arrow columns, straight from the engine. They are not validated again
        here: they were on the way in, and the schema version and the append-only triggers guard the ledger."""
        sql, params, names = self._events_query(taxpayer, provenance, join_files=False)
        schema = arrow_schema(names)
        # What the rows' query selects: each event's file id where the names ask for its file (_with_files)
        stored = [n if n != "source_file" else "file_id" for n in names if n != "source_sha256"]
        table = self._from_blocks(taxpayer) if self.conn.engine == "sqlite" else None
        if table is not None:
            table = table.select(stored)
        elif self.conn.engine == "sqlite" and not getattr(self.conn, "reads_tuples", False):
            table = self.conn.execute(sql, params, batch_rows=EVENT_BATCH_ROWS).fetch_arrow()  # type: ignore[call-arg]
        else:
            table = self.conn.execute(sql, params).fetch_arrow()
        if not table.num_rows:  # the SQLite driver types columns from their rows; an empty result has none
            return schema.empty_table()
        table = table.rename_columns(stored)
        if provenance:  # each event's file name and hash: a look-up in the few files' rows, not text in every row
            table = _with_files(table, self.conn.execute("SELECT id, name, sha256 FROM files").fetch_arrow())
        table = table.select(names)
        if table.schema.equals(schema):  # as the driver typed them: no cast (nor pyarrow.compute, which it imports)
            return table
        return table.cast(schema)

    def _from_blocks(self, taxpayer: str | None) -> pa.Table | None:
        """The live events (of one taxpayer, if given) from the columnar copy (ledger/blocks.py): id, file_id and
        the event fields, in id order; None where the copy does not cover the ledger (then the rows are read)."""
        if getattr(self.conn, "reads_tuples", False) or os.environ.get("BASIS_LEDGER_ROWS"):  # rows, if asked
            return None
        import numpy as np

        from basis_ledger.arrays import arrow_bools, arrow_text, numpy_bools, numpy_ints
        from basis_ledger.engine.columns import arrow_call  # not pyarrow.compute: the read path never imports it
        from basis_ledger.ledger import blocks

        # The blocks, their coverage and the voids are read by several statements: inside one read transaction
        # (a savepoint: a transaction of its own outside one, nested inside an import's), so that an import
        # committed meanwhile is seen by all of them or by none, as the rows' one query sees it.
        self.conn.execute("SAVEPOINT event_blocks_read")
        try:
            table = blocks.read(self.conn, arrow_schema(BLOCK_COLUMNS))
            voided = [] if table is None else self.conn.execute(VOIDED_IDS).fetchall()
        finally:
            self.conn.execute("RELEASE event_blocks_read")
        if table is None:
            return None
        keep = np.ones(table.num_rows, dtype=bool)
        if voided:  # as the rows' query: a voided event is invisible
            keep &= ~np.isin(numpy_ints(table.column("id")), np.array([r[0] for r in voided], dtype=np.int64))
        if taxpayer is not None:
            keep &= numpy_bools(arrow_call("equal", table.column("taxpayer"), arrow_text(taxpayer)))
        out: pa.Table = table if keep.all() else arrow_call("filter", table, arrow_bools(keep))
        return out

    def columnar_copy(self) -> str:
        """The events' columnar copy against the rows (ledger/blocks.compare), for `ledger check`: "not kept"
        in a PostgreSQL ledger."""
        from basis_ledger.ledger import blocks, sqlite

        if self.engine != "sqlite" or not isinstance(self.path, Path):
            return "not kept"
        conn = self.conn if not getattr(self.conn, "reads_tuples", False) else sqlite.connect(self.path, read_only=True)
        try:
            rows = self._rows_after(conn, 0)
            return blocks.compare(conn, arrow_schema(BLOCK_COLUMNS), rows)
        finally:
            if conn is not self.conn:
                conn.close()

    def event_columns(self, taxpayer: str | None = None, *, provenance: bool = True) -> Columns:
        """Events in ledger order as columns (engine/columns.py): read as Python rows on a small ledger's sqlite3
        connection (no pyarrow, no pandas), else as Arrow through the engine's driver."""
        from basis_ledger.engine.columns import Columns

        if not getattr(self.conn, "reads_tuples", False):
            return Columns.of_arrow(self.events_arrow(taxpayer, provenance=provenance))
        sql, params, names = self._events_query(taxpayer, provenance)
        rows = self.conn.execute(sql, params).fetchall()
        data = dict(zip(names, zip(*rows, strict=True), strict=True)) if rows else {n: () for n in names}
        return Columns.of_arrays(data, INT_COLUMNS)

    def voided_event_columns(self) -> Columns:
        """Voided events with their provenance and the void's reason, who and when, as columns (no pandas)."""
        from basis_ledger.engine.columns import Columns
        from basis_ledger.ledger.corrections import VOIDED_EVENTS_SQL

        cur = self.conn.execute(VOIDED_EVENTS_SQL)
        if getattr(self.conn, "reads_tuples", False):
            names = [d[0] for d in cur.description or ()]
            rows = cur.fetchall()
            data = dict(zip(names, zip(*rows, strict=True), strict=True)) if rows else {n: () for n in names}
            return Columns.of_arrays(data, INT_COLUMNS)
        return Columns.of_arrow(cur.fetch_arrow())

    def _events_query(
        self, taxpayer: str | None, provenance: bool, join_files: bool = True
    ) -> tuple[str, tuple[str, ...], list[str]]:
        """The events' SELECT, its parameters and its columns' names. join_files=False selects each event's
        file_id where the names say source_file, and no source_sha256 (the caller looks both up in `files`)."""
        cols = ["e.taxpayer", "e.date", "e.tax_year", "e.account", "e.account_type", "e.kind", "e.amount_cents"]
        if provenance:
            cols = ["e.id", *cols, "e.memo", "f.name AS source_file", "f.sha256 AS source_sha256", "e.source_line"]
        names = [c.split(" AS ")[-1].removeprefix("e.").removeprefix("f.") for c in cols]
        join = provenance and join_files
        if provenance and not join_files:
            cols = [c for c in cols if c != "f.sha256 AS source_sha256"]
            cols[cols.index("f.name AS source_file")] = "e.file_id"
        sql = f"SELECT {', '.join(cols)} FROM events e" + (" JOIN files f ON f.id = e.file_id" if join else "")
        params: tuple[str, ...] = ()
        where = [live("event", "e")] if self.has_voids() else []  # voided events are invisible to every command
        if taxpayer is not None:
            where.append("e.taxpayer = ?")
            params = (taxpayer,)
        if where:
            sql += " WHERE " + " AND ".join(where)
        return sql + " ORDER BY e.id", params, names

    def events(self, taxpayer: str | None = None, *, provenance: bool = True) -> pd.DataFrame:
        """Events in ledger order; with provenance, also their id, memo, source file, sha256 and line."""
        return self.event_columns(taxpayer, provenance=provenance).frame()

    def amount_totals(self) -> list[tuple[str, int]]:
        """Each taxpayer's amounts summed (for the ceiling, money.MAX_TOTAL_CENTS)."""
        rows = self.conn.execute(
            f"SELECT taxpayer, SUM(amount_cents) FROM events e WHERE {live('event', 'e')} GROUP BY taxpayer"
        ).fetchall()
        return [(who, int(total)) for who, total in rows]  # PostgreSQL's SUM(bigint) is numeric

    # -- accounts (statement importers map a custodian account to its owner and type) ----------------
    def accounts(self) -> dict[str, Account]:
        from basis_ledger.ingest.base import Account

        rows = self.conn.execute("SELECT account, owner, type, custodian FROM accounts ORDER BY account")
        return {r[0]: Account(*r) for r in rows}

    def set_account(self, account: str, owner: str, type_: str, custodian: str | None = None) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO accounts (account, owner, type, custodian) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(account) DO UPDATE SET owner = excluded.owner, type = excluded.type,"
                " custodian = COALESCE(?, accounts.custodian)",
                (mask_ssn(account), owner, type_, custodian or "", custodian),
            )

    # -- taxpayers -------------------------------------------------------------------------------
    def taxpayers(self, with_events: Iterable[str] | None = None) -> dict[str, Taxpayer]:
        """Every taxpayer the ledger knows: recorded, declared for, or with a live event. `with_events`: the
        names of those with live events when the caller has just read them all (not read again here)."""
        rows = self.conn.execute(
            "SELECT name, birth_date, roth_first_year, ssn_last4, full_name FROM taxpayers"
        ).fetchall()
        decided: dict[str, list[tuple[int, int | None]]] = {}
        for t, year, cents in self.conn.execute("SELECT taxpayer, tax_year, nondeductible_cents FROM declarations"):
            decided.setdefault(t, []).append((year, cents))
        known = {
            r[0]: Taxpayer(r[0], r[1], r[2], r[3], r[4], declarations=tuple(sorted(decided.get(r[0], []))))
            for r in rows
        }
        for t, decl in decided.items():
            known.setdefault(t, Taxpayer(t, declarations=tuple(sorted(decl))))
        if with_events is None:
            query = f"SELECT DISTINCT taxpayer FROM events e WHERE {live('event', 'e')}"
            with_events = [name for (name,) in self.conn.execute(query)]
        for name in with_events:
            known.setdefault(name, Taxpayer(name))
        return dict(sorted(known.items()))

    def set_taxpayer(self, name: str, **values: object) -> None:
        cols = [k for k, v in values.items() if v is not None]
        with self.transaction() as conn:
            conn.execute("INSERT INTO taxpayers (name) VALUES (?) ON CONFLICT DO NOTHING", (name,))
            for c in cols:
                conn.execute(f"UPDATE taxpayers SET {c} = ? WHERE name = ?", (values[c], name))


INT_COLUMNS = frozenset({"id", "file_id", "tax_year", "amount_cents", "source_line"})


def _with_files(events: pa.Table, files: pa.Table) -> pa.Table:
    """events with source_file and source_sha256 from `files` (id, name, sha256) by each row's file_id. Every
    event names a file (a foreign key), so each id is found."""
    import pyarrow.compute as pc

    at = pc.index_in(events.column("file_id"), value_set=files.column("id").cast("int64"))
    return events.append_column("source_file", files.column("name").take(at)).append_column(
        "source_sha256", files.column("sha256").take(at)
    )


def arrow_schema(names: list[str] | tuple[str, ...]) -> pa.Schema:
    import pyarrow as pa

    return pa.schema([(n, pa.int64() if n in INT_COLUMNS else pa.string()) for n in names])


def event_rows(events: pa.Table, file_id: int) -> pa.Table:
    """One file's events as the Arrow table an engine appends: file_id, then EVENT_FIELDS, typed."""
    import numpy as np
    import pyarrow as pa

    from basis_ledger.arrays import arrow_ints

    names = ["file_id", *EVENT_FIELDS]
    file_ids = arrow_ints(np.full(len(events), file_id, dtype=np.int64))
    columns = [file_ids, *(events.column(c) for c in EVENT_FIELDS)]
    return pa.Table.from_arrays(columns, names=names).cast(arrow_schema(names))
