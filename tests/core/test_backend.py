"""The connections behind the store's interface (ledger/backend.py): one ADBC connection, Arrow in and out; the
interface's tests run on SQLite and PostgreSQL (ledger_db)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from basis_ledger.ledger import sqlite
from basis_ledger.ledger.backend import SCHEMA_VERSION
from basis_ledger.ledger.store import EVENT_FIELDS, Ledger, event_rows
from basis_ledger.model import InputError


def _events(n: int, file_id: int) -> pa.Table:
    table = pa.table(
        {
            "taxpayer": [f"t{i % 7}" for i in range(n)],
            "date": ["2023-05-01"] * n,
            "tax_year": [2023] * n,
            "account": [f"A{i}" for i in range(n)],
            "account_type": ["traditional"] * n,
            "kind": ["distribution"] * n,
            "amount_cents": list(range(1, n + 1)),
            "memo": [""] * n,
            "source_line": list(range(2, n + 2)),
        }
    )
    return event_rows(table, file_id)


def _file(conn, sha: str) -> int:
    cur = conn.execute(
        "INSERT INTO files (name, sha256, importer, imported_at, rows) VALUES (?, ?, 'generic', 'now', 0) RETURNING id",
        (f"{sha}.csv", sha),
    )
    return cur.fetchone()[0]


def _ingest(conn, sha: str, n: int) -> None:
    conn.ingest("events", _events(n, _file(conn, sha)), ("file_id", *EVENT_FIELDS))


def test_one_transaction_writes_arrow_rows_and_a_rollback_leaves_nothing(ledger_db):
    ledger = Ledger.open(ledger_db.path(), create=True)
    with ledger.transaction() as conn:
        _ingest(conn, "a", 1000)
        # Inside the transaction the same connection sees its own writes (the import's duplicate checks do).
        assert conn.execute("SELECT count(*) FROM events").fetchall() == [(1000,)]
    with pytest.raises(RuntimeError), ledger.transaction() as conn:
        _ingest(conn, "b", 5)
        raise RuntimeError("stop before COMMIT")
    ledger.close()
    # Queryable with sqlite3 or psql, one row per event.
    assert ledger_db.sql("SELECT count(*), CAST(sum(amount_cents) AS BIGINT) FROM events") == [(1000, 500500)]
    assert ledger_db.sql("SELECT count(*) FROM files") == [(1,)]


def test_events_come_back_as_typed_arrow_columns_even_when_none_match(ledger_db):
    ledger = Ledger.open(ledger_db.path(), create=True)
    with ledger.transaction() as conn:
        _ingest(conn, "a", 20)
    table = ledger.events_arrow("t3")
    assert table.column("amount_cents").to_pylist() == [4, 11, 18]
    assert table.schema.field("source_file").type == pa.string()
    assert table.column_names[:2] == ["id", "taxpayer"]
    empty = ledger.events_arrow("nobody", provenance=False)
    assert empty.num_rows == 0
    assert empty.schema.field("tax_year").type == pa.int64()
    assert empty.schema.field("taxpayer").type == pa.string()
    assert str(ledger.events("t3")["taxpayer"].dtype) == "str"
    ledger.close()


def test_cursor_rows_behave_as_sqlite3s(ledger_db):
    ledger = Ledger.open(ledger_db.path(), create=True)
    with ledger.transaction() as conn:
        _ingest(conn, "a", 5)
    cur = ledger.conn.execute("SELECT id, amount_cents FROM events WHERE amount_cents > ? ORDER BY id", (2,))
    assert [d[0] for d in cur.description] == ["id", "amount_cents"]
    assert cur.fetchone() == (3, 3)
    assert cur.fetchmany(1) == [(4, 4)]
    assert cur.fetchall() == [(5, 5)]
    assert cur.fetchone() is None
    assert list(ledger.conn.execute("SELECT name FROM files WHERE sha256 = ?", ("zzz",))) == []
    ledger.close()


def test_the_append_only_trigger_refuses_through_this_connection_too(ledger_db):
    ledger = Ledger.open(ledger_db.path(), create=True)
    with ledger.transaction() as conn:
        _ingest(conn, "a", 2)
    for sql in ("DELETE FROM events", "UPDATE events SET amount_cents = 7"):
        with pytest.raises(InputError, match="append-only"):
            ledger.conn.execute(sql)
    assert ledger.conn.execute("SELECT count(*) FROM events").fetchone() == (2,)
    ledger.close()


def test_a_read_only_connection_refuses_writes(tmp_path):
    Ledger.open(tmp_path / "l.db", create=True).close()
    conn = sqlite.connect(tmp_path / "l.db", read_only=True)
    try:
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (SCHEMA_VERSION,)
        with pytest.raises(InputError, match="readonly"):
            conn.execute("INSERT INTO taxpayers (name) VALUES (?)", ("x",))
    finally:
        conn.close()


def test_a_file_that_is_not_a_ledger_is_refused_with_a_message(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite at all " * 100)
    with pytest.raises(InputError) as err:
        Ledger.open(junk)
    assert err.value.problems[0].message.startswith("not a basis-ledger database (not even an SQLite file)")


def test_the_schema_script_splits_into_whole_statements_triggers_included():
    parts = sqlite.statements(
        "CREATE TABLE a (x);\n-- note\nCREATE TRIGGER t BEFORE DELETE ON a\n BEGIN SELECT 1; END;\n"
    )
    assert parts == ["CREATE TABLE a (x);", "CREATE TRIGGER t BEFORE DELETE ON a\n BEGIN SELECT 1; END;"]


def test_identities_of_more_accounts_than_sqlite_binds_in_one_statement(ledger_db):
    # A firm's bulk file has two accounts a taxpayer: 20,000 taxpayers are 40,000 accounts, over SQLite's
    # 32,766 variables per statement ("too many SQL variables" refused the whole import).
    ledger = Ledger.open(ledger_db.path(), create=True)
    with ledger.transaction() as conn:
        _ingest(conn, "a", 40_000)
        held = ledger.identities(conn, [f"A{i}" for i in range(40_000)], "2023-01-01", "2023-12-31")
    ledger.close()
    assert len(held) == 40_000
    # In the ledger's order (event id), as one statement gave them.
    assert held.column("amount_cents").to_pylist() == list(range(1, 40_001))
