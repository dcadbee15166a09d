"""The two ledger engines as fixtures: every ledger-level test that takes `ledger_db` runs on SQLite and on
PostgreSQL (a fresh database of one throwaway cluster per test session; see tests/pgcluster.py).

`make test` starts the cluster and passes its URL in BASIS_LEDGER_TEST_PG; a bare `pytest` starts one itself.
Without PostgreSQL the postgresql cases skip, saying how to get it.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import signal
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests import pgcluster

_names = itertools.count(1)


def with_database(url: str, database: str, user: str | None = None) -> str:
    parts = urlsplit(url)
    query = parts.query
    if user is not None:
        query = "&".join([*(q for q in query.split("&") if q and not q.startswith("user=")), f"user={user}"])
    return f"{parts.scheme}://{parts.netloc}/{database}" + (f"?{query}" if query else "")


def connect(url: str):
    import adbc_driver_postgresql.dbapi as pg

    return pg.connect(url, autocommit=True)


def run_sql(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    """Raw SQL on a PostgreSQL URL, as a user at `psql` would run it; the driver's own errors propagate."""
    with connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql, parameters=params) if params else cur.execute(sql)
        return cur.fetchall() if cur.description else []


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The URL of a PostgreSQL server's maintenance database whose user may create databases and roles."""
    pytest.importorskip("adbc_driver_postgresql", reason="PostgreSQL tests need adbc-driver-postgresql (make test)")
    given = os.environ.get("BASIS_LEDGER_TEST_PG")
    if given:
        yield given
        return
    folder = Path(tempfile.mkdtemp(prefix="basis-ledger-pg."))
    # `timeout` and CI stop a run with SIGTERM: as Ctrl-C, so pytest tears this fixture down (stops the cluster);
    # a SIGKILL leaves it to the cluster's watchdog (tests/pgcluster.py).
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        url = pgcluster.start(folder)
    except pgcluster.Unavailable as exc:
        pgcluster.stop(folder)
        pytest.skip(f"PostgreSQL tests skipped: {exc}")
    try:
        yield url
    finally:
        pgcluster.stop(folder)


def database(server: str) -> tuple[LedgerUnderTest, Callable[[], None]]:
    """A fresh, empty database on the test server, and what drops it (for fixtures of any scope)."""
    name = f"bl_{os.getpid()}_{next(_names)}"
    run_sql(server, f"CREATE DATABASE {name}")
    return LedgerUnderTest("postgresql", with_database(server, name)), lambda: run_sql(
        server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty database on the test server (dropped afterwards)."""
    db, drop = database(pg_server)
    yield db.location
    drop()


@dataclass
class LedgerUnderTest:
    """One ledger on one engine: where it is (for --ledger) and raw SQL on it (for checks beside the tool's)."""

    engine: str
    location: str

    def __str__(self) -> str:
        return self.location

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        if self.engine == "postgresql":
            from basis_ledger.ledger.postgres import translate

            return run_sql(self.location, translate(query), params)
        with sqlite3.connect(self.location) as conn:
            return conn.execute(query, params).fetchall()

    def exists(self) -> bool:
        if self.engine == "postgresql":
            return bool(self.sql("SELECT to_regclass('meta') IS NOT NULL")[0][0])
        return Path(self.location).exists()

    def path(self):
        """What the store's functions take: a Path, or a DatabaseUrl."""
        from basis_ledger.ledger.location import resolve

        return resolve(self.location)

    def dump(self) -> bytes:
        """Everything stored, as bytes (the SQLite file; PostgreSQL: every row of every table), to search in."""
        if self.engine == "sqlite":
            return Path(self.location).read_bytes()
        from basis_ledger.ledger import dialect

        return repr([self.sql(f"SELECT * FROM {t}") for t in dialect.sqlite_tables()]).encode()

    def digest(self) -> str | None:
        """A fingerprint of everything the ledger holds (None when there is no ledger): equal means unchanged."""
        if not self.exists():
            return None
        if self.engine == "sqlite":
            return hashlib.sha256(Path(self.location).read_bytes()).hexdigest()
        from basis_ledger.ledger import dialect

        rows = [sorted(map(repr, self.sql(f"SELECT * FROM {t}"))) for t in dialect.sqlite_tables()]
        return hashlib.sha256(repr(rows).encode()).hexdigest()

    def counts(self) -> tuple[int, int]:
        if not self.exists():
            return (0, 0)
        return self.sql("SELECT count(*) FROM files")[0][0], self.sql("SELECT count(*) FROM events")[0][0]


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_db(request, tmp_path: Path) -> LedgerUnderTest:
    """An empty ledger location on each engine in turn."""
    if request.param == "sqlite":
        return LedgerUnderTest("sqlite", str(tmp_path / "ledger.db"))
    return LedgerUnderTest("postgresql", request.getfixturevalue("pg_url"))


@pytest.fixture(params=["sqlite", "postgresql"])
def new_ledger(request, tmp_path: Path) -> Iterator[Callable[[], LedgerUnderTest]]:
    """Makes as many empty ledgers as a test needs (ledger_db is one), on each engine in turn; the databases are
    dropped afterwards. Also for hypothesis properties: a fresh ledger per example from one function fixture."""
    server = request.getfixturevalue("pg_server") if request.param == "postgresql" else ""
    drops: list[Callable[[], None]] = []

    def make() -> LedgerUnderTest:
        if request.param == "sqlite":
            folder = tmp_path / f"ledger-{next(_names)}"
            folder.mkdir()
            return LedgerUnderTest("sqlite", str(folder / "ledger.db"))
        db, drop = database(server)
        drops.append(drop)
        return db

    make.engine = request.param  # type: ignore[attr-defined]
    yield make
    for drop in drops:
        drop()
