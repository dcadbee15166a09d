"""The ledger's guarantees: all or nothing (even when the process dies), append-only, private."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from basis_ledger.ledger.importing import import_files
from basis_ledger.ledger.store import Ledger
from tests.core.helpers import csv_text

ROWS = [f"p{i},2023-0{1 + i % 9}-1{i % 9},,A{i},,distribution,{i + 1}.25," for i in range(500)]


def counts(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        return (
            conn.execute("SELECT count(*) FROM files").fetchone()[0],
            conn.execute("SELECT count(*) FROM events").fetchone()[0],
        )


def test_a_process_killed_inside_the_import_transaction_leaves_nothing_behind(tmp_path):
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(csv_text(*ROWS[:10]))
    second.write_text(csv_text(*ROWS[10:]))
    db = tmp_path / "l.db"
    import_files(db, [first])
    # The child writes every event of `second` inside the transaction, then dies before COMMIT.
    child = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from basis_ledger.ledger import store
        from basis_ledger.ledger.importing import import_files
        def die(*args, **kwargs):
            os._exit(9)
        store.Ledger.add_documents = die
        import_files(Path({str(db)!r}), [Path({str(second)!r})])
    """)
    proc = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    assert counts(db) == (1, 10)  # the hot journal is rolled back on the next open
    import_files(db, [second])
    assert counts(db) == (2, 500)


def test_events_cannot_be_changed_or_deleted(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(csv_text(*ROWS[:3]))
    db = tmp_path / "l.db"
    import_files(db, [path])
    conn = sqlite3.connect(db)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE events SET amount_cents = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM events")


def test_ledger_is_created_private_and_a_non_ledger_file_is_refused(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(csv_text(*ROWS[:3]))
    db = tmp_path / "sub" / "l.db"
    import_files(db, [path])
    assert db.stat().st_mode & 0o777 == 0o600
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    from basis_ledger.model import InputError

    with pytest.raises(InputError, match="not a basis-ledger database"):
        Ledger.open(junk)


def test_same_content_under_another_name_is_the_same_file(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(csv_text(*ROWS[:5]))
    b.write_bytes(a.read_bytes())
    db = tmp_path / "l.db"
    results = import_files(db, [a, b])
    by_file = {Path(r.file).name: (r.status, r.events) for r in results}
    assert by_file == {"a.csv": ("imported", 5), "b.csv": ("already imported (as a.csv); nothing added", 0)}
    assert counts(db) == (1, 5)
