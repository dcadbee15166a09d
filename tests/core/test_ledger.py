"""The ledger's guarantees on both engines: all or nothing (even when the process dies), append-only in the
database itself, a file imported once, private (SQLite) or refused when it is not a ledger."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from basis_ledger.ledger.importing import import_files
from basis_ledger.ledger.store import Ledger
from basis_ledger.model import InputError
from tests.core.helpers import csv_text

ROWS = [f"p{i},2023-0{1 + i % 9}-1{i % 9},,A{i},,distribution,{i + 1}.25," for i in range(500)]


def test_a_process_killed_inside_the_import_transaction_leaves_nothing_behind(tmp_path, ledger_db):
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(csv_text(*ROWS[:10]))
    second.write_text(csv_text(*ROWS[10:]))
    import_files(ledger_db.path(), [first])
    # The child writes every event of `second` inside the transaction, says so from inside it (what its own
    # transaction sees, and its PostgreSQL backend), then dies before COMMIT.
    child = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from basis_ledger.ledger import store
        from basis_ledger.ledger.importing import import_files
        from basis_ledger.ledger.location import resolve
        def die(self, conn, *args, **kwargs):
            seen = conn.execute("SELECT count(*) FROM events").fetchone()[0]
            backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0] if conn.engine == "postgresql" else 0
            print("inside the transaction", seen, backend, flush=True)
            os._exit(9)
        store.Ledger.add_documents = die
        import_files(resolve({ledger_db.location!r}), [Path({str(second)!r})])
    """)
    proc = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    said, seen, backend = proc.stdout.rsplit(maxsplit=2)
    assert said == "inside the transaction" and int(seen) == 500  # killed after all 490 were written, not before
    if ledger_db.engine == "postgresql":
        _wait_until_the_server_ends(ledger_db, int(backend))
    assert ledger_db.counts() == (1, 10)  # SQLite: the hot journal is rolled back; PostgreSQL: never committed
    import_files(ledger_db.path(), [second])
    assert ledger_db.counts() == (2, 500)


def _wait_until_the_server_ends(ledger_db, backend: int) -> None:
    """The client is gone, but its server process ends (rolling back, releasing its locks) on its own time; on a
    loaded machine that can come after the next step. Wait for it, so what follows sees a settled server."""
    deadline = time.monotonic() + 60
    while ledger_db.sql("SELECT count(*) FROM pg_stat_activity WHERE pid = ?", (backend,))[0][0]:
        assert time.monotonic() < deadline, f"the server kept the killed client's backend {backend} for 60 s"
        time.sleep(0.05)
    held = (
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    assert ledger_db.sql(held) == [(0,)]  # nobody holds the household's import lock any more


def test_events_cannot_be_changed_or_deleted_even_with_raw_sql(tmp_path, ledger_db):
    path = tmp_path / "a.csv"
    path.write_text(csv_text(*ROWS[:3]))
    import_files(ledger_db.path(), [path])
    statements = ["UPDATE events SET amount_cents = 1", "DELETE FROM events"]
    if ledger_db.engine == "postgresql":
        statements.append("TRUNCATE events CASCADE")
    for sql in statements:
        with pytest.raises(Exception, match="append-only"):
            ledger_db.sql(sql)
    assert ledger_db.sql("SELECT CAST(sum(amount_cents) AS BIGINT) FROM events")[0][0] == 125 + 225 + 325


def test_ledger_is_created_private_and_a_non_ledger_file_is_refused(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(csv_text(*ROWS[:3]))
    db = tmp_path / "sub" / "l.db"
    import_files(db, [path])
    assert db.stat().st_mode & 0o777 == 0o600
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InputError, match="not a basis-ledger database"):
        Ledger.open(junk)


def test_a_database_without_a_ledger_is_not_read_as_an_empty_one(ledger_db):
    if ledger_db.engine == "sqlite":
        with pytest.raises(InputError, match="no ledger here yet"):
            Ledger.open(ledger_db.path())
        return
    with pytest.raises(InputError, match="holds no ledger yet") as err:
        Ledger.open(ledger_db.path())
    assert "firm init" in str(err.value)


def test_same_content_under_another_name_is_the_same_file_and_a_reimport_adds_nothing(tmp_path, ledger_db):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(csv_text(*ROWS[:5]))
    b.write_bytes(a.read_bytes())
    results = import_files(ledger_db.path(), [a, b])
    by_file = {Path(r.file).name: (r.status, r.events) for r in results}
    assert by_file == {"a.csv": ("imported", 5), "b.csv": ("already imported (as a.csv); nothing added", 0)}
    again = import_files(ledger_db.path(), [a])
    assert [(r.status, r.events) for r in again] == [("already imported (as a.csv); nothing added", 0)]
    assert ledger_db.counts() == (1, 5)


def test_events_come_back_in_ledger_order_with_their_provenance(tmp_path, ledger_db):
    path = tmp_path / "a.csv"
    path.write_text(csv_text(*ROWS[:4]))
    import_files(ledger_db.path(), [path])
    store = Ledger.open(ledger_db.path())
    try:
        events = store.events()
    finally:
        store.close()
    assert list(events["id"]) == [1, 2, 3, 4]
    assert list(events["amount_cents"]) == [125, 225, 325, 425]
    assert set(events["source_file"]) == {"a.csv"} and list(events["source_line"]) == [2, 3, 4, 5]
    assert str(events["amount_cents"].dtype) == "int64" and str(events["taxpayer"].dtype) == "str"
