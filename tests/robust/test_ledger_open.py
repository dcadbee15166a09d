"""Ledger.open trusts only new files and files with our schema marker, and never changes one it refuses."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess

import pytest

from tests.core.helpers import cli
from tests.robust.helpers import assert_refused, fingerprint, good_ledger

READERS = [("compute",), ("basis",), ("events",), ("taxpayer", "list"), ("audit",)]
WRITER = ("taxpayer", "set", "ed", "--birth-date", "1970-01-01")


def _foreign(path, with_meta=False):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    if with_meta:
        conn.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('someone else''s data')")
    conn.commit()
    conn.close()
    os.chmod(path, 0o644)
    return path


@pytest.mark.parametrize("with_meta", [False, True])
@pytest.mark.parametrize("args", [READERS[0], WRITER, ("import", "GOOD")])
def test_another_programs_sqlite_file_is_refused_and_untouched(tmp_path, args, with_meta):
    db = _foreign(tmp_path / "theirs.sqlite", with_meta)
    before = fingerprint(db)
    if args == ("import", "GOOD"):
        from tests.robust.helpers import GOOD

        (tmp_path / "good.csv").write_text(GOOD)
        args = ("import", str(tmp_path / "good.csv"))
    res = cli(*args, ledger=db)
    assert_refused(res, "not a basis-ledger database")
    assert fingerprint(db) == before
    tables = {r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master")}
    assert tables <= {"notes", "meta"}


@pytest.mark.parametrize("content", [b"", b"not sqlite at all\n" * 10])
def test_an_empty_or_non_sqlite_file_is_refused_and_untouched(tmp_path, content):
    db = tmp_path / "l.db"
    db.write_bytes(content)
    before = fingerprint(db)
    for args in (READERS[0], WRITER):
        assert_refused(cli(*args, ledger=db), "not a basis-ledger database")
    assert fingerprint(db) == before


def _set_version(db, version):
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    conn.commit()
    conn.close()


def test_a_newer_schema_is_refused_clearly_for_reads_and_writes(tmp_path):
    db = good_ledger(tmp_path)
    _set_version(db, 99)
    before = fingerprint(db)
    for args in (*READERS, WRITER):
        assert_refused(cli(*args, ledger=db), "newer basis-ledger", "schema version 99")
    assert fingerprint(db) == before


def test_a_ledger_missing_a_column_is_refused_as_damaged(tmp_path):
    db = good_ledger(tmp_path)
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE taxpayers DROP COLUMN full_name")
    conn.commit()
    conn.close()
    before = fingerprint(db)
    for args in (READERS[0], WRITER):
        assert_refused(cli(*args, ledger=db), "damaged ledger", "taxpayers.full_name")
    assert fingerprint(db) == before


def test_an_older_schema_is_migrated_explicitly(tmp_path, monkeypatch):
    """A step of schemas/migrations brings an older ledger up, in one transaction, and says so."""
    from basis_ledger.ledger import store, trust

    db = good_ledger(tmp_path)
    steps = tmp_path / "schemas" / "migrations"
    steps.mkdir(parents=True)
    nxt = trust.SCHEMA_VERSION + 1  # one step past the real schema
    for step in sorted((trust.schemas_dir() / "migrations").glob("*.sql")):
        (steps / step.name).write_text(step.read_text())
    (steps / f"{nxt:04d}.sql").write_text("CREATE TABLE IF NOT EXISTS extra (id INTEGER PRIMARY KEY);\n")
    real = (trust.schemas_dir() / "ledger.sql").read_text()
    (tmp_path / "schemas" / "ledger.sql").write_text(
        real + "\nCREATE TABLE IF NOT EXISTS extra (id INTEGER PRIMARY KEY);\n"
    )
    monkeypatch.setattr(trust, "schemas_dir", lambda: tmp_path / "schemas")
    monkeypatch.setattr(trust, "SCHEMA_VERSION", nxt)
    monkeypatch.setattr(store, "LEDGER_VERSION", nxt)
    trust.expected_columns.cache_clear()
    try:
        res = cli("taxpayer", "list", ledger=db)
    finally:
        trust.expected_columns.cache_clear()
    assert res.returncode == 0, res.stderr
    assert f"upgraded from schema {nxt - 1} to {nxt}" in res.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(nxt),)
    assert conn.execute("SELECT count(*) FROM extra").fetchone() == (0,)


@pytest.fixture
def immutable(tmp_path):
    """Make a file read-only even for root (chattr +i); undone at the end so the test folder can be removed."""
    made = []

    def make(path):
        if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
            pytest.skip("chattr +i is not available here (needs root and a file system that supports it)")
        made.append(path)

    yield make
    for p in made:
        subprocess.run(["chattr", "-i", str(p)], capture_output=True)


def test_a_read_only_ledger_serves_read_only_commands_and_refuses_writes(tmp_path, immutable):
    db = good_ledger(tmp_path)
    os.chmod(db, 0o400)
    immutable(db)
    before = fingerprint(db)
    for args in READERS:
        res = cli(*args, ledger=db)
        assert res.returncode in (0, 1), (args, res.stderr)
    assert "conversion" in cli("events", "--json", ledger=db).stdout
    assert_refused(cli(*WRITER, ledger=db), "read-only")
    assert fingerprint(db) == before


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a file to another user")
def test_a_ledger_owned_by_another_user_is_refused(tmp_path):
    db = good_ledger(tmp_path)
    os.chown(db, 65534, 65534)
    before = fingerprint(db)
    for args in (READERS[0], WRITER):
        assert_refused(cli(*args, ledger=db), "another user")
    assert fingerprint(db) == before


def test_a_folder_as_ledger_is_refused(tmp_path):
    assert_refused(cli("compute", ledger=tmp_path), "folder")
    assert_refused(cli(*WRITER, ledger=tmp_path), "folder")


def test_folders_the_tool_creates_are_private_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        res = cli(*WRITER, ledger=tmp_path / "a" / "b" / "l.db")
    finally:
        os.umask(old)
    assert res.returncode == 0, res.stderr
    for p in (tmp_path / "a", tmp_path / "a" / "b"):
        assert stat.S_IMODE(p.stat().st_mode) == 0o700, oct(p.stat().st_mode)
    assert stat.S_IMODE((tmp_path / "a" / "b" / "l.db").stat().st_mode) == 0o600
