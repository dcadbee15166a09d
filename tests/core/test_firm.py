"""A firm's PostgreSQL ledger: households behind row-level security, preparers and reviewers, imports side by
side, `ledger copy` both ways, and passwords never shown. Needs PostgreSQL (tests/engines.py); skips without."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.core.helpers import cli, csv_text
from tests.engines import run_sql, with_database

DEMO = Path(__file__).resolve().parents[2] / "sample_data" / "demo-household.csv"


def household_csv(tmp_path: Path, who: str, n: int = 3) -> Path:
    rows = [
        f"{who},2023-0{1 + i % 9}-15,2023,IRA-{who},traditional,nondeductible_contribution,{100 + i}.00,"
        for i in range(n)
    ]
    path = tmp_path / f"{who}.csv"
    path.write_text(csv_text(*rows))
    return path


@pytest.fixture
def firm(pg_url: str, tmp_path: Path) -> dict[str, str]:
    """A firm ledger with households smith and jones; alice prepares smith, rita reviews smith."""
    assert cli("--ledger", pg_url, "firm", "init").returncode == 0
    suffix = pg_url.split("/")[3].split("?")[0]  # roles are cluster-wide: one set per test database
    alice, rita = f"alice_{suffix}", f"rita_{suffix}"
    assert cli("--ledger", pg_url, "firm", "grant", alice, "smith").returncode == 0
    assert cli("--ledger", pg_url, "firm", "grant", rita, "smith", "--read-only").returncode == 0
    for who in ("smith", "jones"):
        res = cli("--ledger", pg_url, "--household", who, "import", str(household_csv(tmp_path, who)))
        assert res.returncode == 0, res.stderr
    # Another household's tax forms and filed Form 8606 lines, straight into the tables as the admin.
    for sql in (
        "INSERT INTO files (household, name, sha256, importer, imported_at, rows) VALUES"
        " ('jones', 'forms.pdf', 'ff', 'form8606-pdf', '2024-01-01', 0)",
        "INSERT INTO documents (household, file_id, doc_index, form, taxpayer, tax_year, box, value, source_line)"
        " SELECT 'jones', id, 0, '5498', 'jones', 2023, 'box1', '100.00', 2 FROM files WHERE sha256 = 'ff'",
        "INSERT INTO filed_forms (household, file_id, taxpayer, tax_year, line, value, source_ref)"
        " SELECT 'jones', id, 'jones', 2022, '14', '500', 'p1' FROM files WHERE sha256 = 'ff'",
    ):
        run_sql(pg_url, sql)
    return {"admin": pg_url, "alice": with_database(pg_url, suffix, alice), "rita": with_database(pg_url, suffix, rita)}


def test_a_preparer_sees_and_writes_only_granted_households_even_with_raw_sql(firm, tmp_path):
    alice = firm["alice"]
    for table in ("events", "files", "documents", "filed_forms", "taxpayers", "accounts", "declarations"):
        assert run_sql(alice, f"SELECT count(*) FROM {table} WHERE household <> 'smith'") == [(0,)], table
    assert run_sql(alice, "SELECT DISTINCT taxpayer FROM events") == [("smith",)]
    assert run_sql(firm["admin"], "SELECT count(*) FROM events WHERE household = 'jones'") == [(3,)]  # they exist
    jones_file = run_sql(firm["admin"], "SELECT id FROM files WHERE sha256 = 'ff'")[0][0]
    writes = [
        "INSERT INTO events (household, file_id, taxpayer, date, tax_year, account, account_type, kind,"
        f" amount_cents, source_line) VALUES ('jones', {jones_file}, 'x', '2023-01-01', 2023, 'A', 'traditional',"
        " 'distribution', 1, 1)",
        "INSERT INTO documents (household, file_id, doc_index, form, taxpayer, tax_year, box, value, source_line)"
        f" VALUES ('jones', {jones_file}, 1, '5498', 'jones', 2023, 'box1', '1', 1)",
        "INSERT INTO filed_forms (household, file_id, taxpayer, tax_year, line, value, source_ref)"
        f" VALUES ('jones', {jones_file}, 'jones', 2023, '14', '1', 'x')",
        "INSERT INTO taxpayers (household, name) VALUES ('jones', 'mallory')",
    ]
    for sql in writes:
        with pytest.raises(Exception, match="row-level security"):
            run_sql(alice, sql)
    run_sql(alice, "UPDATE taxpayers SET full_name = 'X' WHERE household = 'jones'")  # matches nothing it may see
    assert run_sql(firm["admin"], "SELECT count(*) FROM taxpayers WHERE full_name = 'X'") == [(0,)]
    # And through the tool: no way to name the other household.
    res = cli("--ledger", alice, "--household", "jones", "compute", "--all", "--json")
    assert res.returncode == 2 and "may not see household 'jones' (yours: smith)" in res.stderr
    res = cli("--ledger", alice, "--household", "jones", "import", str(household_csv(tmp_path, "mallory")))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    shown = cli("--ledger", alice, "compute", "--all", "--json")
    assert {o["taxpayer"] for o in json.loads(shown.stdout)} == {"smith"}
    # Without --household, a preparer's writes go to its only household.
    more = tmp_path / "more.csv"
    more.write_text(csv_text("smith,2024-02-01,2024,IRA-smith,traditional,nondeductible_contribution,50.00,"))
    assert cli("--ledger", alice, "import", str(more)).returncode == 0
    assert run_sql(firm["admin"], "SELECT household, count(*) FROM events GROUP BY 1 ORDER BY 1") == [
        ("jones", 3),
        ("smith", 4),
    ]


def test_a_reviewer_reads_its_households_and_writes_nothing(firm, tmp_path):
    rita = firm["rita"]
    res = cli("--ledger", rita, "--household", "smith", "compute", "--all", "--json")
    assert res.returncode == 0 and {o["taxpayer"] for o in json.loads(res.stdout)} == {"smith"}
    res = cli("--ledger", rita, "--household", "smith", "import", str(household_csv(tmp_path, "smith", 5)))
    assert res.returncode == 2 and "a reviewer's role only reads" in res.stderr
    with pytest.raises(Exception, match="permission denied"):
        run_sql(rita, "INSERT INTO taxpayers (household, name) VALUES ('smith', 'x')")
    assert run_sql(rita, "SELECT count(*) FROM events") == [(3,)]


def test_firm_roles_and_revoke(firm):
    admin = firm["admin"]
    alice = firm["alice"].split("user=")[1]
    roles = {r["role"]: r for r in json.loads(cli("--ledger", admin, "firm", "roles", "--json").stdout)}
    assert roles[alice] == {"role": alice, "group": "basis_preparer", "writes": ["smith"], "reads": []}
    assert cli("--ledger", admin, "firm", "revoke", alice, "smith").returncode == 0
    with pytest.raises(Exception, match="permission denied"):
        run_sql(firm["alice"], "SELECT count(*) FROM events")  # out of the group: no table at all
    res = cli("--ledger", "/tmp/not-a-firm.db", "firm", "roles")
    assert res.returncode == 2 and "need a PostgreSQL ledger" in res.stderr


def _import(url: str, household: str, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "basis_ledger", "--ledger", url, "--household", household, "import", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_concurrent_imports_lose_and_duplicate_nothing(pg_url, tmp_path):
    assert cli("--ledger", pg_url, "firm", "init").returncode == 0
    files = {f"h{i}": household_csv(tmp_path, f"h{i}", 200) for i in range(4)}
    results: dict[str, subprocess.CompletedProcess] = {}
    # Four households at once, plus the same file of h0 twice more at the same moment.
    jobs = [(h, h, p) for h, p in files.items()] + [("h0-again", "h0", files["h0"]), ("h0-third", "h0", files["h0"])]
    threads = [
        threading.Thread(target=lambda k=k, h=h, p=p: results.__setitem__(k, _import(pg_url, h, p))) for k, h, p in jobs
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for key, proc in results.items():
        assert "Traceback" not in proc.stderr and "SQLSTATE" not in proc.stderr, (key, proc.stderr)
        assert proc.returncode in (0, 2), (key, proc.stderr)
        if proc.returncode == 2:  # the only acceptable failure: a clear "run it again"
            assert "run the import again" in proc.stderr, proc.stderr
    counts = run_sql(
        pg_url, "SELECT household, count(*), count(DISTINCT source_line) FROM events GROUP BY 1 ORDER BY 1"
    )
    assert counts == [(f"h{i}", 200, 200) for i in range(4)]
    assert run_sql(pg_url, "SELECT count(*) FROM files") == [(4,)]


def test_ledger_copy_both_ways_keeps_every_row_and_the_same_json(pg_url, tmp_path):
    sqlite_db, back = tmp_path / "l.db", tmp_path / "back.db"
    assert cli("import", str(DEMO), ledger=sqlite_db).returncode == 0
    assert cli("taxpayer", "set", "ed", "--birth-date", "1975-06-15", ledger=sqlite_db).returncode == 0
    want = cli("compute", "--all", "--json", ledger=sqlite_db).stdout
    res = cli("ledger", "copy", str(sqlite_db), pg_url, "--household", "ed-family")
    assert res.returncode == 0, res.stderr
    assert "21 events" in res.stdout
    on_pg = cli("--household", "ed-family", "compute", "--all", "--json", ledger=pg_url).stdout  # type: ignore[arg-type]
    assert on_pg == want
    sources = run_sql(
        pg_url, "SELECT DISTINCT f.name, f.sha256, e.household FROM events e JOIN files f ON f.id = e.file_id"
    )
    assert len(sources) == 1 and sources[0][0] == "demo-household.csv" and sources[0][2] == "ed-family"
    again = cli("ledger", "copy", str(sqlite_db), pg_url, "--household", "ed-family")
    assert again.returncode == 2 and "already holds a ledger" in again.stderr
    assert run_sql(pg_url, "SELECT count(*) FROM events") == [(21,)]  # all or nothing: nothing added
    res = cli("ledger", "copy", pg_url, str(back), "--household", "ed-family")
    assert res.returncode == 0, res.stderr
    assert cli("compute", "--all", "--json", ledger=back).stdout == want
    assert cli("events", "--json", ledger=back).stdout == cli("events", "--json", ledger=sqlite_db).stdout
    check = cli("ledger", "check", "--json", ledger=back)  # the copy into SQLite wrote its columnar copy
    assert check.returncode == 0 and '"columnar_copy": "matches"' in check.stdout, check.stdout


def test_passwords_are_never_shown(pg_server):
    url = with_database(pg_server, "no_such_db").replace("postgresql://", "postgresql://bob:hunter2@", 1)
    url = url.replace("user=postgres", "user=bob")
    res = cli("--ledger", url, "compute", "--all", "--json")
    assert res.returncode == 2 and "hunter2" not in res.stderr + res.stdout
    assert "bob:***@" in res.stderr and "cannot connect" in res.stderr


def test_a_second_import_into_the_same_household_says_it_is_waiting(pg_url, tmp_path):
    from tests.engines import connect

    first = household_csv(tmp_path, "smith")
    assert cli("--ledger", pg_url, "--household", "smith", "import", str(first)).returncode == 0
    second = tmp_path / "more.csv"
    second.write_text(csv_text("smith,2024-02-01,2024,IRA-smith,traditional,nondeductible_contribution,50.00,"))
    holder = connect(pg_url)  # another import's transaction, holding the household's lock
    cur = holder.cursor()
    cur.execute("BEGIN")
    cur.execute("SELECT pg_advisory_xact_lock(hashtext('basis_ledger:smith'))")
    cur.fetchall()
    cmd = [sys.executable, "-m", "basis_ledger", "--ledger", pg_url, "--household", "smith", "import", str(second)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()
    assert "waiting for another import into household 'smith' to finish" in line
    assert proc.poll() is None  # still waiting
    cur.execute("COMMIT")
    _out, err = proc.communicate(timeout=120)
    holder.close()
    assert proc.returncode == 0, err
    assert run_sql(pg_url, "SELECT count(*) FROM events") == [(4,)]


def test_a_ledger_from_a_newer_version_is_refused(pg_url, tmp_path):
    assert cli("--ledger", pg_url, "import", str(household_csv(tmp_path, "smith"))).returncode == 0
    run_sql(pg_url, "UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    res = cli("--ledger", pg_url, "compute", "--all", "--json")
    assert res.returncode == 2 and "made by a newer basis-ledger" in res.stderr


def test_two_households_with_a_taxpayer_of_the_same_name_are_never_added_together(pg_url, tmp_path):
    for household in ("smith", "jones"):
        path = tmp_path / f"{household}.csv"
        path.write_text(csv_text(f"ed,2023-02-01,2023,IRA,traditional,nondeductible_contribution,{len(household)}00,"))
        assert cli("--ledger", pg_url, "--household", household, "import", str(path)).returncode == 0
    res = cli("--ledger", pg_url, "compute", "--all", "--json")
    assert res.returncode == 2 and "taxpayer 'ed' is in households jones, smith; choose one" in res.stderr
    smith = json.loads(cli("--ledger", pg_url, "--household", "smith", "compute", "--all", "--json").stdout)
    assert [o["lines"]["1"] for o in smith] == [500]


def test_a_taxpayer_whose_events_in_another_household_are_all_voided_is_no_clash(pg_url, tmp_path):
    """Imported into the wrong household, then undone: the voided events are not the taxpayer's any more, so
    reading every household at once is not refused for them (nor for a single voided event)."""
    wrong, right = tmp_path / "wrong.csv", tmp_path / "right.csv"
    wrong.write_text(csv_text("ed,2023-02-01,2023,IRA,traditional,nondeductible_contribution,100,"))
    right.write_text(csv_text("ed,2023-02-01,2023,IRA,traditional,nondeductible_contribution,500,"))
    assert cli("--ledger", pg_url, "--household", "jones", "import", str(wrong)).returncode == 0
    assert cli("--ledger", pg_url, "--household", "smith", "import", str(right)).returncode == 0
    res = cli("--ledger", pg_url, "compute", "--all", "--json")
    assert res.returncode == 2 and "taxpayer 'ed' is in households jones, smith" in res.stderr  # both live: a clash
    res = cli("--ledger", pg_url, "--household", "jones", "import", "--undo", str(wrong), "--reason", "wrong client")
    assert res.returncode == 0, res.stderr
    res = cli("--ledger", pg_url, "compute", "--all", "--json")
    assert res.returncode == 0, res.stderr
    assert [(o["taxpayer"], o["lines"]["1"]) for o in json.loads(res.stdout)] == [("ed", 500)]


@pytest.mark.parametrize("into", ["sqlite", "postgresql"])
def test_a_copy_that_fails_half_way_leaves_nothing(pg_url, tmp_path, monkeypatch, into):
    from basis_ledger.ledger import copying
    from basis_ledger.ledger.copying import copy_ledger
    from basis_ledger.ledger.location import resolve
    from basis_ledger.model import InputError

    source = tmp_path / "l.db"
    assert cli("import", str(DEMO), ledger=source).returncode == 0
    assert cli("taxpayer", "set", "ed", "--birth-date", "1975-06-15", ledger=source).returncode == 0
    written = []
    real = copying._write

    def fail_after_events(conn, engine, table, columns, cols):
        real(conn, engine, table, columns, cols)
        written.append(table)
        if table == "events":
            raise InputError([])

    monkeypatch.setattr(copying, "_write", fail_after_events)
    destination = tmp_path / "copy.db" if into == "sqlite" else pg_url
    with pytest.raises(InputError):
        copy_ledger(resolve(str(source)), resolve(str(destination)), "smith")
    assert written == ["files", "events"]
    if into == "sqlite":
        assert not destination.exists()
    else:
        assert run_sql(pg_url, "SELECT count(*) FROM events") == [(0,)]
        assert run_sql(pg_url, "SELECT count(*) FROM files") == [(0,)]


def test_a_role_with_a_schema_of_its_own_name_still_keeps_the_ledger_in_public(pg_url, tmp_path):
    """PostgreSQL's default search_path is "$user", public: on a server where the connecting role owns a schema of
    its own name (common on managed services), tables would be created there while the ledger looks for them,
    grants them and scopes them in `public`. The ledger's session pins its search_path to public."""
    (user,) = run_sql(pg_url, "SELECT current_user")[0]
    run_sql(pg_url, f'CREATE SCHEMA "{user}" AUTHORIZATION "{user}"')
    for _ in range(2):  # the second import must find the ledger the first one made
        res = cli("--ledger", pg_url, "import", str(DEMO))
        assert res.returncode == 0, res.stderr
    assert run_sql(pg_url, "SELECT schemaname FROM pg_tables WHERE tablename = 'events'") == [("public",)]
    assert cli("--ledger", pg_url, "firm", "init").returncode == 0
    res = cli("--ledger", pg_url, "compute", "--all", "--json")
    assert res.returncode == 0 and json.loads(res.stdout), res.stderr
