"""One schema for both engines: the PostgreSQL tables generated from schemas/ledger.sql have the same columns,
the listed differences and nothing else; URLs never show a password."""

from __future__ import annotations

import sqlite3

import pytest

from basis_ledger.ledger import dialect
from basis_ledger.ledger.location import DatabaseUrl, mask, resolve
from basis_ledger.ledger.postgres import explain, translate
from basis_ledger.resources import schemas_dir
from tests.engines import run_sql


def _sqlite_conn() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.executescript((schemas_dir() / "ledger.sql").read_text())
    return conn


def sqlite_columns() -> dict[str, list[str]]:
    conn = _sqlite_conn()
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")] for t in tables}


def test_both_engines_have_the_same_tables_and_columns(pg_url):
    from basis_ledger.ledger import postgres

    conn = postgres.connect(DatabaseUrl(pg_url))
    try:
        postgres.create_schema(conn)
    finally:
        conn.close()
    rows = run_sql(
        pg_url,
        "SELECT table_name::text, column_name::text FROM information_schema.columns"
        " WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
    )
    on_pg: dict[str, list[str]] = {}
    for table, column in rows:
        on_pg.setdefault(table, []).append(column)
    grants = on_pg.pop("household_grants")  # PostgreSQL only: who may see which household
    assert grants == ["role", "household", "access", "granted_at"]
    expected = {
        t: cols if t in dialect.NOT_PER_HOUSEHOLD else ["household", *cols] for t, cols in sqlite_columns().items()
    }
    assert on_pg == expected
    # Every table SQLite makes append-only is append-only on PostgreSQL too, by trigger.
    triggers = {r[0] for r in run_sql(pg_url, "SELECT event_object_table::text FROM information_schema.triggers")}
    assert set(dialect.append_only_tables()) == set(dialect.APPEND_ONLY) and triggers >= set(dialect.APPEND_ONLY)
    # The same indexes (by name) on both.
    sqlite_indexes = {
        r[0] for r in _sqlite_conn().execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    }
    pg_indexes = {r[0] for r in run_sql(pg_url, "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public'")}
    assert sqlite_indexes <= pg_indexes
    # And every household table has row-level security switched on.
    secured = {r[0] for r in run_sql(pg_url, "SELECT relname::text FROM pg_class WHERE relrowsecurity")}
    assert secured >= set(dialect.household_tables())


def test_keys_are_per_household_in_the_generated_schema():
    ddl = dialect.postgresql_schema()
    assert "PRIMARY KEY (household, name)" in ddl  # taxpayers: two clients may both have an 'ed'
    assert "UNIQUE (household, sha256)" in ddl and "PRIMARY KEY (household, taxpayer, tax_year)" in ddl
    assert 'key   TEXT COLLATE "C" PRIMARY KEY' in ddl  # meta is not per household; text sorts as on SQLite
    assert " INTEGER" not in ddl.split("-- PostgreSQL only")[0]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql://bob:s3cr3t@db.example.com:5432/firm?sslmode=require",
            "postgresql://bob:***@db.example.com:5432/firm?sslmode=require",
        ),
        ("postgres://bob@h/db?password=abc&sslmode=x", "postgres://bob@h/db?password=***&sslmode=x"),
        ("postgresql:///firm?host=/tmp/x&user=p", "postgresql:///firm?host=/tmp/x&user=p"),
        ("postgresql://:p%40ss@h/db", "postgresql://:***@h/db"),
    ],
)
def test_urls_are_shown_without_their_password(url, shown):
    assert mask(url) == shown
    where = resolve(url)
    assert isinstance(where, DatabaseUrl) and str(where) == shown and where.secret == url
    assert f"{where}" == shown and "s3cr3t" not in repr([where])


def test_a_mistyped_url_is_not_taken_for_a_sqlite_file():
    assert isinstance(resolve("postgresql:/firm"), DatabaseUrl)
    assert not isinstance(resolve("ledger.db"), DatabaseUrl)


def test_portable_sql_is_spelled_for_postgresql():
    assert translate("SELECT a FROM t WHERE b = ? AND c IN (?, ?)") == "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"
    assert translate("INSERT INTO accounts VALUES (?) ON CONFLICT(account) DO UPDATE SET x = 1").endswith(
        "ON CONFLICT (household, account) DO UPDATE SET x = 1"
    )


def test_driver_errors_become_sentences():
    class Err(Exception):
        sqlstate = "42501"

    text = (
        "UNAUTHORIZED: [libpq] Failed: ERROR:  permission denied for table events\nQuery was: INSERT. SQLSTATE: 42501"
    )
    assert explain(Err(text)).startswith("your database role may not do this (permission denied for table events)")
    rls = 'ERROR:  new row violates row-level security policy for table "events"'
    assert "may not write household 'jones'" in explain(Err(rls), "jones")
