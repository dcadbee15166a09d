"""The ledger: one SQLite file private to its owner (the default), or a firm's PostgreSQL database
(ledger/postgres.py), written one transaction per import. The SQL here is written once for both engines."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from basis_ledger.ingest.base import EVENT_COLUMNS
from basis_ledger.ledger.backend import SCHEMA_VERSION  # re-exported: the ledger's schema version
from basis_ledger.ledger.corrections import Corrections, live
from basis_ledger.ledger.location import DatabaseUrl, Location
from basis_ledger.model import InputError, Problem, Taxpayer

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from basis_ledger.ledger.backend import Connection

EVENT_FIELDS = EVENT_COLUMNS  # what an importer extracts is what a row of `events` stores
# Ledger.events() with provenance: the event id, its fields, and the file it came from (name, sha256, line).
LEDGER_EVENT_COLUMNS = ("id", *EVENT_COLUMNS[:-1], "source_file", "source_sha256", "source_line")


def resolve_path(option: str | None) -> Location:
    """--ledger, else $BASIS_LEDGER, else ./basis-ledger.db; a postgresql:// URL names a server ledger."""
    from basis_ledger.ledger.location import resolve

    return resolve(option)


class Ledger(Corrections):
    def __init__(self, conn, path: Location):
        self.conn = conn  # sqlite.Connection or postgres.Connection: the same calls (ledger/backend.py)
        self.path = path
        self.engine = getattr(conn, "engine", "sqlite")

    # -- opening ---------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Location, *, create: bool = False, household: str | None = None) -> Ledger:
        if isinstance(path, DatabaseUrl):
            from basis_ledger.ledger import postgres
            from basis_ledger.ledger.location import household_choice

            return cls(postgres.open_ledger(path, create=create, household=household_choice(household)), path)
        if not path.exists():
            if not create:
                raise InputError(
                    [
                        Problem(
                            str(path),
                            "no ledger here yet; run 'basis-ledger import FILE' first "
                            "(or name one with --ledger / $BASIS_LEDGER)",
                        )
                    ]
                )
            path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))  # owner-only from birth
        from basis_ledger.ledger import sqlite

        conn = None
        try:
            conn = sqlite.connect(path)
            sqlite.create_schema(conn, SCHEMA_VERSION)
        except InputError as err:
            if conn is not None:
                conn.close()
            reason = err.problems[0].message.removeprefix("the ledger refused: ")
            raise InputError([Problem(str(path), f"not a basis-ledger database ({reason})")]) from None
        os.chmod(path, 0o600)
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
            from basis_ledger.ledger.postgres import write_transaction

            with write_transaction(self.conn) as conn:
                yield conn
            return
        self._begin()
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

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
        wait = int(os.environ.get("BASIS_LEDGER_LOCK_WAIT", "600"))
        print(f"waiting for the ledger lock: another basis-ledger is writing {self.path} ...", file=sys.stderr)
        try:
            self.conn.execute(f"PRAGMA busy_timeout = {wait * 1000}")
            self.conn.execute(self.conn.BEGIN_WRITE)
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
        self, conn: Connection, name: str, sha256: str, importer: str, events: pd.DataFrame | None
    ) -> tuple[int, int]:
        """Within a transaction: record the file and append its events. Returns (file id, events added)."""
        n = 0 if events is None else len(events)
        cur = conn.execute(
            "INSERT INTO files (name, sha256, importer, imported_at, rows) VALUES (?, ?, ?, ?, ?) RETURNING id",
            (name, sha256, importer, datetime.now(UTC).isoformat(timespec="seconds"), n),
        )
        file_id = cur.fetchone()[0]
        return file_id, self.add_events(conn, file_id, events)

    def add_events(self, conn: Connection, file_id: int, events: pd.DataFrame | None) -> int:
        """Within a transaction: append a file's events (one Arrow table: no Python object per value)."""
        n = 0 if events is None else len(events)
        if n:
            conn.ingest("events", event_rows(events, file_id), ("file_id", *EVENT_FIELDS))
        return n

    def add_documents(self, conn: Connection, file_id: int, documents: list[dict]) -> None:
        rows = [
            (
                file_id,
                d["doc_index"],
                d["form"],
                d["taxpayer"],
                d["tax_year"],
                d.get("account", ""),
                box,
                str(value),
                d["source_line"],
            )
            for d in documents
            for box, value in d["boxes"].items()
        ]
        conn.executemany(
            "INSERT INTO documents (file_id, doc_index, form, taxpayer, tax_year, account, box, value,"
            " source_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def add_filed_forms(self, conn: Connection, file_id: int, forms: list[dict]) -> None:
        rows = [
            (
                file_id,
                f["taxpayer"],
                f["tax_year"],
                f.get("chain", "own"),
                f.get("name", ""),
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

    def table(self, sql: str, params: tuple = ()) -> pd.DataFrame:
        """A read query as a frame (for documents, filed forms, accounts, declarations)."""
        import pandas as pd

        cur = self.conn.execute(sql, params)
        return pd.DataFrame.from_records(cur.fetchall(), columns=[d[0] for d in cur.description])

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
        cols = ["e.taxpayer", "e.date", "e.tax_year", "e.account", "e.account_type", "e.kind", "e.amount_cents"]
        if provenance:
            cols = ["e.id", *cols, "e.memo", "f.name AS source_file", "f.sha256 AS source_sha256", "e.source_line"]
        sql = f"SELECT {', '.join(cols)} FROM events e" + (" JOIN files f ON f.id = e.file_id" if provenance else "")
        params: tuple = ()
        where = [live("event", "e")] if self.has_voids() else []  # voided events are invisible to every command
        if taxpayer is not None:
            where.append("e.taxpayer = ?")
            params = (taxpayer,)
        if where:
            sql += " WHERE " + " AND ".join(where)
        names = [c.split(" AS ")[-1].removeprefix("e.").removeprefix("f.") for c in cols]
        table = self.conn.execute(sql + " ORDER BY e.id", params).fetch_arrow()
        schema = arrow_schema(names)
        if not table.num_rows:  # the SQLite driver types columns from their rows; an empty result has none
            return schema.empty_table()
        return table.rename_columns(names).cast(schema)

    def events(self, taxpayer: str | None = None, *, provenance: bool = True) -> pd.DataFrame:
        """Events in ledger order; with provenance, also their id, memo, source file, sha256 and line."""
        return self.events_arrow(taxpayer, provenance=provenance).to_pandas()

    # -- accounts (statement importers map a custodian account to its owner and type) ----------------
    def accounts(self) -> dict:
        from basis_ledger.ingest.base import Account

        rows = self.conn.execute("SELECT account, owner, type, custodian FROM accounts ORDER BY account")
        return {r[0]: Account(*r) for r in rows}

    def set_account(self, account: str, owner: str, type_: str, custodian: str | None = None) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO accounts (account, owner, type, custodian) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(account) DO UPDATE SET owner = excluded.owner, type = excluded.type,"
                " custodian = COALESCE(?, accounts.custodian)",
                (account, owner, type_, custodian or "", custodian),
            )

    # -- taxpayers -------------------------------------------------------------------------------
    def taxpayers(self) -> dict[str, Taxpayer]:
        rows = self.conn.execute(
            "SELECT name, birth_date, roth_first_year, ssn_last4, full_name FROM taxpayers"
        ).fetchall()
        decided: dict[str, list] = {}
        for t, year, cents in self.conn.execute("SELECT taxpayer, tax_year, nondeductible_cents FROM declarations"):
            decided.setdefault(t, []).append((year, cents))
        known = {r[0]: Taxpayer(*r, declarations=tuple(sorted(decided.get(r[0], [])))) for r in rows}
        for t, decl in decided.items():
            known.setdefault(t, Taxpayer(t, declarations=tuple(sorted(decl))))
        for (name,) in self.conn.execute(f"SELECT DISTINCT taxpayer FROM events e WHERE {live('event', 'e')}"):
            known.setdefault(name, Taxpayer(name))
        return dict(sorted(known.items()))

    def set_taxpayer(self, name: str, **values: object) -> None:
        cols = [k for k, v in values.items() if v is not None]
        with self.transaction() as conn:
            conn.execute("INSERT INTO taxpayers (name) VALUES (?) ON CONFLICT DO NOTHING", (name,))
            for c in cols:
                conn.execute(f"UPDATE taxpayers SET {c} = ? WHERE name = ?", (values[c], name))


INT_COLUMNS = frozenset({"id", "file_id", "tax_year", "amount_cents", "source_line"})


def arrow_schema(names: list[str] | tuple[str, ...]) -> pa.Schema:
    import pyarrow as pa

    return pa.schema([(n, pa.int64() if n in INT_COLUMNS else pa.string()) for n in names])


def event_rows(events: pd.DataFrame | pa.Table, file_id: int) -> pa.Table:
    """One file's events as the Arrow table an engine appends: file_id, then EVENT_FIELDS, typed."""
    import numpy as np
    import pyarrow as pa

    if not isinstance(events, pa.Table):
        events = pa.Table.from_pandas(events[list(EVENT_FIELDS)], preserve_index=False)
    names = ["file_id", *EVENT_FIELDS]
    file_ids = pa.array(np.full(len(events), file_id, dtype=np.int64))
    columns = [file_ids, *(events.column(c) for c in EVENT_FIELDS)]
    return pa.Table.from_arrays(columns, names=names).cast(arrow_schema(names))
