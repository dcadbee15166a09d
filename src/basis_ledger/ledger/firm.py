"""A firm's PostgreSQL ledger: who may see and write which household.

Two group roles carry the table privileges: `basis_preparer` (read, append, and the upserts of `taxpayer set`,
`account set`, `declare`) and `basis_reviewer` (read only). The grants table says which households each login
role may read or write; the row-level security policies (ledger/dialect.py) ask only that. The admin who runs
`firm init` owns the tables and sees every household. Passwords are never handled here: create the login
roles' passwords with psql's \\password, or use the managed service's own authentication.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from basis_ledger.ledger import dialect, postgres
from basis_ledger.ledger.location import DatabaseUrl
from basis_ledger.model import InputError, Problem

PREPARER, REVIEWER = "basis_preparer", "basis_reviewer"


def ident(name: str) -> str:
    """A PostgreSQL identifier, quoted (role names come from the command line)."""
    return '"' + name.replace('"', '""') + '"'


def _tables() -> list[str]:
    return [*dialect.sqlite_tables(), "household_grants"]


def init(url: DatabaseUrl) -> list[str]:
    """Create (or bring up to date) the ledger's tables, policies and the two group roles. Returns what it did."""
    conn = postgres.connect(url)
    done = []
    try:
        existed = postgres.has_ledger(conn)
        postgres.create_schema(conn)
        done.append("ledger tables and row-level security " + ("brought up to date" if existed else "created"))
        for role in (PREPARER, REVIEWER):
            if not _role_exists(conn, role):
                conn.execute(f"CREATE ROLE {role} NOLOGIN")
                done.append(f"role {role} created")
        tables = ", ".join(_tables())
        appended = ", ".join(t for t in dialect.household_tables())
        with postgres.raw_transaction(conn):
            conn.execute(f"GRANT USAGE ON SCHEMA public TO {PREPARER}, {REVIEWER}")
            conn.execute(f"GRANT SELECT ON {tables} TO {PREPARER}, {REVIEWER}")
            conn.execute(f"GRANT INSERT ON {appended} TO {PREPARER}")
            conn.execute(f"GRANT UPDATE ON {', '.join(dialect.UPDATABLE)} TO {PREPARER}")
            conn.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {PREPARER}")
        done.append(f"{PREPARER} may read and append, {REVIEWER} may only read (each within its households)")
    finally:
        conn.close()
    return done


def _role_exists(conn: postgres.Connection, role: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", (role,)).fetchone() is not None


def _need_firm(conn: postgres.Connection, url: DatabaseUrl) -> None:
    if not postgres.has_ledger(conn) or not _role_exists(conn, PREPARER):
        raise InputError([Problem(str(url), "not set up for a firm yet; run 'basis-ledger firm init' first")])


def grant(url: DatabaseUrl, role: str, households: list[str], *, read_only: bool) -> list[str]:
    """Let `role` (created as a login role if missing) write, or only read, these households."""
    group, access = (REVIEWER, "read") if read_only else (PREPARER, "write")
    conn = postgres.connect(url)
    done = []
    try:
        _need_firm(conn, url)
        if not _role_exists(conn, role):
            conn.execute(f"CREATE ROLE {ident(role)} LOGIN")
            done.append(f"role {role} created (give it a password with psql's \\password, never on a command line)")
        conn.execute(f"GRANT {group} TO {ident(role)}")
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with postgres.raw_transaction(conn):
            for household in households:
                conn.execute(
                    "INSERT INTO household_grants (role, household, access, granted_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT ON CONSTRAINT household_grants_pkey DO UPDATE SET access = excluded.access,"
                    " granted_at = excluded.granted_at",
                    (role, household, access, now),
                )
        verb = "may read" if read_only else "may read and write"
        done.append(f"{role} {verb} household{'s' if len(households) > 1 else ''} {', '.join(households)}")
    finally:
        conn.close()
    return done


def revoke(url: DatabaseUrl, role: str, households: list[str]) -> list[str]:
    """Take households away from `role`; with none left it leaves both groups (the role itself stays)."""
    conn = postgres.connect(url)
    try:
        _need_firm(conn, url)
        with postgres.raw_transaction(conn):
            for household in households:
                conn.execute("DELETE FROM household_grants WHERE role = ? AND household = ?", (role, household))
        done = [f"{role} may no longer see household{'s' if len(households) > 1 else ''} {', '.join(households)}"]
        left = {a for (a,) in conn.execute("SELECT access FROM household_grants WHERE role = ?", (role,)).fetchall()}
        for group, access in ((PREPARER, "write"), (REVIEWER, "read")):
            if access not in left and _role_exists(conn, role) and _member(conn, role, group):
                conn.execute(f"REVOKE {group} FROM {ident(role)}")
                done.append(f"{role} left {group}")
    finally:
        conn.close()
    return done


def _member(conn: postgres.Connection, role: str, group: str) -> bool:
    sql = (
        "SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid"
        " WHERE r.rolname = ? AND g.rolname = ?"
    )
    return conn.execute(sql, (role, group)).fetchone() is not None


@dataclass(frozen=True)
class RoleGrants:
    role: str
    group: str  # basis_preparer | basis_reviewer | "" (grants but no group: not yet able to connect to tables)
    writes: tuple[str, ...]
    reads: tuple[str, ...]


def roles(url: DatabaseUrl) -> list[RoleGrants]:
    conn = postgres.connect(url)
    try:
        _need_firm(conn, url)
        grants: dict[str, dict[str, list[str]]] = {}
        for role, household, access in conn.execute(
            "SELECT role, household, access FROM household_grants ORDER BY role, household"
        ).fetchall():
            grants.setdefault(role, {"write": [], "read": []})[access].append(household)
        members = conn.execute(
            "SELECT r.rolname, g.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member"
            " JOIN pg_roles g ON g.oid = m.roleid WHERE g.rolname IN (?, ?) ORDER BY 1, 2",
            (PREPARER, REVIEWER),
        ).fetchall()
        groups: dict[str, list[str]] = {}
        for role, group in members:
            groups.setdefault(role, []).append(group)
            grants.setdefault(role, {"write": [], "read": []})
    finally:
        conn.close()
    return [
        RoleGrants(role, "+".join(groups.get(role, [])), tuple(g["write"]), tuple(g["read"]))
        for role, g in sorted(grants.items())
    ]
