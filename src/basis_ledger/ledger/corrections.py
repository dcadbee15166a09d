"""The store's parts for trust: live rows (not voided), content identities, voids and undone files.

Every method that runs inside an import takes the transaction's connection, so the whole import (its checks
and its writes) is one transaction on one connection. Voided rows are filtered here, at the read methods, so
every command built on the store ignores them.
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from basis_ledger.model import InputError, Problem

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from basis_ledger.ledger.backend import Connection

# What makes two events the same transaction (docs/importing.md, "What counts as a duplicate").
IDENTITY = ("taxpayer", "account", "date", "kind", "amount_cents", "tax_year")
_BATCH = 5_000  # accounts bound in one statement (SQLite binds 32,766 variables; postgres.translate 9,999)


def live(table: str, alias: str) -> str:
    """SQL condition: the row `alias` of `table` ('event', 'document', 'filed_form') is not voided."""
    return f"NOT EXISTS (SELECT 1 FROM voids v WHERE v.{table}_id = {alias}.id)"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "unknown"


# Voided events with their provenance and the void's reason, who and when (Ledger.voided_events as a frame,
# Ledger.voided_event_columns as columns).
VOIDED_EVENTS_SQL = (
    "SELECT e.id, e.taxpayer, e.date, e.tax_year, e.account, e.account_type, e.kind, e.amount_cents, e.memo,"
    " f.name AS source_file, f.sha256 AS source_sha256, e.source_line, v.reason AS void_reason,"
    " v.who AS voided_by, v.at AS voided_at FROM events e JOIN files f ON f.id = e.file_id"
    " JOIN voids v ON v.event_id = e.id ORDER BY e.id"
)


class Corrections:
    conn: Connection

    # -- files ---------------------------------------------------------------------------------------
    def file_row(self, conn: Connection, sha256: str) -> tuple[int, str, bool] | None:
        """(id, name, live) of the file with these bytes; live is False after an `import --undo` of it."""
        row = conn.execute("SELECT id, name FROM files WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            return None
        return row[0], row[1], self.open_undo(conn, row[0]) is None

    def open_undo(self, conn: Connection, file_id: int) -> int | None:
        """The id of the latest undo of this file that no re-import has reversed, else None."""
        row = conn.execute("SELECT max(id) FROM voids WHERE file_id = ?", (file_id,)).fetchone()
        if row is None or row[0] is None:  # an aggregate always has a row; mypy cannot know that
            return None
        done = conn.execute("SELECT 1 FROM reimports WHERE after_undo = ?", (row[0],)).fetchone()
        return None if done else row[0]

    def reimport(self, conn: Connection, file_id: int) -> None:
        conn.execute(
            "INSERT INTO reimports (file_id, after_undo, who, at) VALUES (?, ?, ?, ?)",
            (file_id, self.open_undo(conn, file_id), who(), now()),
        )

    def find_file(self, conn: Connection, name_or_sha: str) -> list[tuple[int, str, str]]:
        """(id, name, sha256) of the files matching a sha256 (or its first 12+ hex digits) or a file name."""
        key = name_or_sha.strip().lower()
        if len(key) >= 12 and all(c in "0123456789abcdef" for c in key):
            rows = conn.execute("SELECT id, name, sha256 FROM files WHERE sha256 LIKE ?", (key + "%",)).fetchall()
            if rows:
                return rows
        return conn.execute("SELECT id, name, sha256 FROM files WHERE name = ?", (name_or_sha,)).fetchall()

    # -- identities: what the ledger already holds ---------------------------------------------------------
    def identities(self, conn: Connection, accounts: list[str], first: str, last: str) -> pa.Table:
        """Live events of these accounts dated first..last: IDENTITY, their file name and line (an Arrow table)."""
        import pyarrow as pa

        from basis_ledger.arrays import arrow_ints, arrow_strings

        cols = [*IDENTITY, "source_file", "source_line"]
        rows: list[tuple[Any, ...]] = []
        # At most _BATCH accounts a statement: SQLite binds at most 32,766 variables in one (a bulk file of
        # 20,000 taxpayers names 40,000 accounts); the batches' rows are put back in event-id order.
        for at in range(0, len(accounts), _BATCH):
            batch = accounts[at : at + _BATCH]
            marks = ",".join("?" * len(batch))
            cur = conn.execute(
                f"SELECT e.id, {', '.join('e.' + c for c in IDENTITY)}, f.name, e.source_line FROM events e"
                f" JOIN files f ON f.id = e.file_id WHERE e.account IN ({marks}) AND e.date BETWEEN ? AND ?"
                f" AND {live('event', 'e')} ORDER BY e.id",
                (*batch, first, last),
            )
            rows.extend(cur.fetchall())
        if len(accounts) > _BATCH:
            rows.sort(key=lambda row: row[0])
        values = list(zip(*rows, strict=True))[1:] if rows else [() for _ in cols]
        ints = ("amount_cents", "tax_year", "source_line")
        return pa.table(
            {
                c: arrow_ints(list(v)) if c in ints else arrow_strings(list(v))  # (no pandas probe: arrays.py)
                for c, v in zip(cols, values, strict=True)
            }
        )

    def has_form_files(self, conn: Connection, importers: tuple[str, ...]) -> bool:
        """Whether any live tax-form file (one of these importers) is in the ledger."""
        marks = ",".join("?" * len(importers))
        sql = (
            f"SELECT 1 FROM documents d JOIN files f ON f.id = d.file_id WHERE f.importer IN ({marks})"
            f" AND {live('document', 'd')} LIMIT 1"
        )
        return conn.execute(sql, importers).fetchone() is not None

    def event_summary(self, conn: Connection) -> list[tuple[Any, ...]]:
        """(taxpayer, account, tax_year, kind, importer, amount_cents) of every live event."""
        return conn.execute(
            "SELECT e.taxpayer, e.account, e.tax_year, e.kind, f.importer, e.amount_cents"
            f" FROM events e JOIN files f ON f.id = e.file_id WHERE {live('event', 'e')}"
        ).fetchall()

    def form_events(self, conn: Connection, importers: tuple[str, ...]) -> list[tuple[Any, ...]]:
        """(id, taxpayer, account, tax_year, kind, file name, line) of live events that came from tax forms."""
        marks = ",".join("?" * len(importers))
        return conn.execute(
            "SELECT e.id, e.taxpayer, e.account, e.tax_year, e.kind, f.name, e.source_line FROM events e"
            f" JOIN files f ON f.id = e.file_id WHERE f.importer IN ({marks}) AND {live('event', 'e')}",
            importers,
        ).fetchall()

    def live_documents(self, conn: Connection, form: str | None = None) -> list[dict[str, Any]]:
        """Live custodian forms, one dict per document: form, taxpayer, tax_year, account, boxes, file, line."""
        sql = (
            "SELECT d.file_id, d.doc_index, d.form, d.taxpayer, d.tax_year, d.account, d.box, d.value,"
            f" d.source_line, f.name FROM documents d JOIN files f ON f.id = d.file_id WHERE {live('document', 'd')}"
        )
        params: tuple[str, ...] = ()
        if form is not None:
            sql += " AND d.form = ?"
            params = (form,)
        docs: dict[tuple[int, int], dict[str, Any]] = {}
        for fid, idx, frm, tp, year, acct, box, value, line, name in conn.execute(sql + " ORDER BY d.id", params):
            d = docs.setdefault(
                (fid, idx),
                {
                    "form": frm,
                    "taxpayer": tp,
                    "tax_year": year,
                    "account": acct,
                    "boxes": {},
                    "file": name,
                    "source_line": line,
                },
            )
            d["boxes"][box] = value
        return list(docs.values())

    # -- voids ---------------------------------------------------------------------------------------------
    def has_voids(self) -> bool:
        return self.conn.execute("SELECT 1 FROM voids LIMIT 1").fetchone() is not None

    def void_events(self, conn: Connection, ids: list[int], reason: str) -> None:
        """Void these events (each must exist and be live); every problem is reported at once."""
        problems = []
        for i in ids:
            row = conn.execute(
                "SELECT e.id, v.at FROM events e LEFT JOIN voids v ON v.event_id = e.id WHERE e.id = ?",
                (i,),
            ).fetchone()
            if row is None:
                problems.append(Problem("ID", f"no event {i} in the ledger (see 'basis-ledger events')"))
            elif row[1] is not None:
                problems.append(Problem("ID", f"event {i} is already voided (on {row[1]})"))
        if problems:
            raise InputError(problems)
        stamp, user = now(), who()
        conn.executemany(
            "INSERT INTO voids (event_id, reason, who, at) VALUES (?, ?, ?, ?)",
            [(i, reason, user, stamp) for i in dict.fromkeys(ids)],
        )

    def undo_file(self, conn: Connection, file_id: int, reason: str) -> dict[str, int]:
        """Void every live row the file brought; returns how many of each were voided."""
        stamp, user = now(), who()
        conn.execute("INSERT INTO voids (file_id, reason, who, at) VALUES (?, ?, ?, ?)", (file_id, reason, user, stamp))
        counts = {}
        for target, table, alias in (
            ("event", "events", "e"),
            ("document", "documents", "d"),
            ("filed_form", "filed_forms", "ff"),
        ):
            where = f"FROM {table} {alias} WHERE {alias}.file_id = ? AND {live(target, alias)}"
            row = conn.execute(f"SELECT count(*) {where}", (file_id,)).fetchone()
            counts[target] = row[0] if row else 0  # count(*) always has a row
            # Typed parameters: PostgreSQL cannot infer them from an INSERT ... SELECT list.
            conn.execute(
                f"INSERT INTO voids ({target}_id, reason, who, at) SELECT {alias}.id,"
                f" CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT) {where}",
                (reason, user, stamp, file_id),
            )
        return counts

    def voided_events(self) -> pd.DataFrame:
        """Voided events with their provenance and the void's reason, who and when."""
        frame: pd.DataFrame = self.table(VOIDED_EVENTS_SQL)  # type: ignore[attr-defined]
        return frame
