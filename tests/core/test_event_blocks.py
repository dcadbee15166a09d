"""The events' columnar copy (ledger/blocks.py): written with every import, read only when it covers the ledger's
event ids exactly, and then the same table as the rows give; anything else falls back to the rows, and the next
import writes the blocks that were missing."""

from __future__ import annotations

import sqlite3
from itertools import pairwise
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from basis_ledger.ledger import blocks, sqlite_read
from basis_ledger.ledger.store import BLOCK_COLUMNS, Ledger, arrow_schema
from tests.core.helpers import cli
from tests.core.test_properties import histories

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "sample_data" / "demo-household.csv"
MESSY = REPO / "sample_data" / "messy-household" / "events.csv"


def _csv(path: Path, *rows: str) -> Path:
    path.write_text("taxpayer,date,tax_year,account,account_type,event,amount,memo\n" + "".join(r + "\n" for r in rows))
    return path


def _spans(ledger: Path) -> list[tuple[int, int, int]]:
    with sqlite3.connect(ledger) as db:
        return db.execute("SELECT first_id, last_id, rows FROM event_blocks ORDER BY first_id").fetchall()


def _ids(ledger: Path) -> tuple[int, int]:
    with sqlite3.connect(ledger) as db:
        return db.execute("SELECT min(id), max(id) FROM events").fetchone()


def _both(ledger: Path, monkeypatch, taxpayer: str | None = None, provenance: bool = True):
    """The events as the blocks give them and as the rows give them (through ADBC, as a large ledger is read),
    and whether the blocks were used."""
    monkeypatch.setattr(sqlite_read, "SMALL_LEDGER_BYTES", -1)
    with Ledger.open(ledger) as store:
        used = blocks.read(store.conn, arrow_schema(BLOCK_COLUMNS)) is not None
        from_blocks = store.events_arrow(taxpayer, provenance=provenance)
    monkeypatch.setenv("BASIS_LEDGER_ROWS", "1")
    with Ledger.open(ledger) as store:
        from_rows = store.events_arrow(taxpayer, provenance=provenance)
    monkeypatch.delenv("BASIS_LEDGER_ROWS")
    return from_blocks, from_rows, used


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    db = tmp_path / "l.db"
    assert cli("import", str(DEMO), ledger=db).returncode == 0
    assert cli("import", str(MESSY), ledger=db).returncode == 0
    return db


def test_each_import_writes_blocks_that_cover_its_ids(ledger):
    spans = _spans(ledger)
    assert len(spans) == 2
    assert spans[0][0] == _ids(ledger)[0] and spans[-1][1] == _ids(ledger)[1]
    assert spans[1][0] == spans[0][1] + 1
    assert all(rows == last - first + 1 for first, last, rows in spans)


@pytest.mark.parametrize("provenance", [True, False])
@pytest.mark.parametrize("taxpayer", [None, "ed", "nobody"])
def test_the_blocks_give_the_rows_table(ledger, monkeypatch, taxpayer, provenance):
    assert cli("events", "void", "3", "--reason", "a test of voids", ledger=ledger).returncode == 0
    from_blocks, from_rows, used = _both(ledger, monkeypatch, taxpayer, provenance)
    assert used
    assert from_blocks.equals(from_rows), (from_blocks.schema, from_rows.schema)
    if provenance and taxpayer is None:
        assert 3 not in from_blocks.column("id").to_pylist()  # the voided event


def test_an_undone_and_reimported_file_reads_the_same(ledger, monkeypatch):
    assert cli("import", "--undo", str(DEMO), ledger=ledger).returncode == 0
    assert cli("import", str(DEMO), ledger=ledger).returncode == 0  # its rows again, under new ids
    assert len(_spans(ledger)) == 3
    from_blocks, from_rows, used = _both(ledger, monkeypatch)
    assert used and from_blocks.equals(from_rows)


def test_a_row_written_by_another_program_is_read_from_the_rows_then_covered_by_the_next_import(
    ledger, monkeypatch, tmp_path
):
    with sqlite3.connect(ledger) as db:
        file_id = db.execute("SELECT min(id) FROM files").fetchone()[0]
        db.execute(
            "INSERT INTO events (file_id, taxpayer, date, tax_year, account, account_type, kind, amount_cents,"
            " memo, source_line) VALUES (?, 'ed', '2024-03-01', 2024, 'IRA-X', 'traditional',"
            " 'nondeductible_contribution', 12345, 'by hand', 99)",
            (file_id,),
        )
    from_blocks, from_rows, used = _both(ledger, monkeypatch)
    assert not used  # the blocks end before the new id: the rows are read
    assert "by hand" in from_blocks.column("memo").to_pylist() and from_blocks.equals(from_rows)
    new = _csv(tmp_path / "more.csv", "ed,2024-05-01,2024,IRA-1,traditional,nondeductible_contribution,100.00,")
    assert cli("import", str(new), ledger=ledger).returncode == 0
    from_blocks, from_rows, used = _both(ledger, monkeypatch)
    assert used and from_blocks.equals(from_rows)
    assert "by hand" in from_blocks.column("memo").to_pylist()


def test_a_ledger_from_before_the_blocks_is_read_from_its_rows_and_gains_them_on_the_next_import(
    ledger, monkeypatch, tmp_path
):
    with sqlite3.connect(ledger) as db:  # as a ledger written by an earlier basis-ledger
        db.execute("DROP TABLE event_blocks")
    from_blocks, from_rows, used = _both(ledger, monkeypatch)
    assert not used and from_blocks.equals(from_rows)
    new = _csv(tmp_path / "more.csv", "ed,2024-05-01,2024,IRA-1,traditional,nondeductible_contribution,100.00,")
    assert cli("import", str(new), ledger=ledger).returncode == 0
    assert len(_spans(ledger)) == 2  # the older rows' block, then the new file's
    from_blocks, from_rows, used = _both(ledger, monkeypatch)
    assert used and from_blocks.equals(from_rows)


def test_a_block_of_another_format_or_shape_is_not_used(ledger, monkeypatch, tmp_path):
    newer = tmp_path / "newer.db"  # blocks a later release wrote in a format this one does not know
    monkeypatch.setattr(blocks, "FORMAT", "something newer")
    assert cli("import", str(DEMO), ledger=newer).returncode == 0
    monkeypatch.undo()
    from_blocks, from_rows, used = _both(newer, monkeypatch)
    assert not used and from_blocks.equals(from_rows)
    wider = pa.schema([*arrow_schema(BLOCK_COLUMNS), ("extra", pa.string())])
    monkeypatch.setattr(sqlite_read, "SMALL_LEDGER_BYTES", -1)
    with Ledger.open(ledger) as store:
        assert blocks.read(store.conn, wider) is None


def test_blocks_are_append_only(ledger):
    with sqlite3.connect(ledger) as db:
        for sql in ("UPDATE event_blocks SET rows = rows", "DELETE FROM event_blocks"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                db.execute(sql)


def test_a_refused_import_writes_no_block(ledger, tmp_path):
    before = _spans(ledger)
    bad = _csv(
        tmp_path / "bad.csv",
        "ed,2024-05-01,2024,IRA-1,traditional,nondeductible_contribution,100.00,",
        "ed,2024-13-01,2024,IRA-1,traditional,nondeductible_contribution,1.00,",
    )
    assert cli("import", str(bad), ledger=ledger).returncode == 2
    assert _spans(ledger) == before


def test_a_compute_reads_the_same_from_blocks_and_rows(ledger, monkeypatch):
    monkeypatch.setattr(sqlite_read, "SMALL_LEDGER_BYTES", -1)  # through ADBC, where the blocks are read
    through_blocks = cli("compute", "--all", "--json", ledger=ledger)
    through_rows = cli("compute", "--all", "--json", ledger=ledger, env={"BASIS_LEDGER_ROWS": "1"})
    assert through_blocks.returncode == through_rows.returncode == 0
    assert through_blocks.stdout == through_rows.stdout


def test_ledger_check_compares_the_copy_with_the_rows(ledger):
    import json

    res = cli("ledger", "check", "--json", ledger=ledger)
    assert res.returncode == 0, res.stdout + res.stderr
    assert json.loads(res.stdout)["columnar_copy"] == "matches"
    with sqlite3.connect(ledger) as db:  # an edit by hand that the append-only trigger was dropped for
        db.execute("DROP TRIGGER events_no_update")
        db.execute("UPDATE events SET amount_cents = amount_cents + 1 WHERE id = 5")
    res = cli("ledger", "check", ledger=ledger)
    assert res.returncode == 1
    assert "the events' columnar copy differs: event 5's amount_cents is" in res.stdout
    assert "BASIS_LEDGER_ROWS=1" in res.stdout


def test_ledger_check_says_when_the_copy_is_absent(ledger):
    import json

    with sqlite3.connect(ledger) as db:
        db.execute("DROP TABLE event_blocks")
    res = cli("ledger", "check", "--json", ledger=ledger)
    assert res.returncode == 0 and json.loads(res.stdout)["columnar_copy"] == "absent"


# Random sequences of what changes a ledger's events: imports of new files, voids, an undone file, a row added by
# another program. After each, the blocks (when complete) give exactly what the rows give.
step = st.one_of(
    st.tuples(st.just("import"), histories()),
    st.tuples(st.just("void"), st.integers(1, 60)),
    st.tuples(st.just("undo"), st.integers(0, 3)),
    st.tuples(st.just("by hand"), st.integers(1, 10**6)),
)


def _read_both(ledger: Path) -> tuple[pa.Table, pa.Table, bool]:
    import os

    saved = sqlite_read.SMALL_LEDGER_BYTES
    sqlite_read.SMALL_LEDGER_BYTES = -1
    try:
        with Ledger.open(ledger) as store:
            used = blocks.read(store.conn, arrow_schema(BLOCK_COLUMNS)) is not None
            from_blocks = store.events_arrow()
        os.environ["BASIS_LEDGER_ROWS"] = "1"
        with Ledger.open(ledger) as store:
            from_rows = store.events_arrow()
    finally:
        os.environ.pop("BASIS_LEDGER_ROWS", None)
        sqlite_read.SMALL_LEDGER_BYTES = saved
    return from_blocks, from_rows, used


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=5))
def test_whatever_happens_to_the_events_the_blocks_read_as_the_rows(tmp_path_factory, steps):
    folder = tmp_path_factory.mktemp("steps")
    db, files = folder / "l.db", []
    for i, (what, arg) in enumerate(steps):
        if what == "import":
            path = folder / f"f{i}.csv"
            path.write_text(arg)
            if cli("import", str(path), ledger=db).returncode == 0:
                files.append(path)
        elif not db.exists():
            continue
        elif what == "void":
            cli("events", "void", str(arg), "--reason", "a property", ledger=db)  # refused when no such live event
        elif what == "undo" and files:
            cli("import", "--undo", str(files[arg % len(files)]), ledger=db)
        elif what == "by hand":
            with sqlite3.connect(db) as conn:
                if conn.execute("SELECT count(*) FROM events").fetchone()[0]:
                    conn.execute(
                        "INSERT INTO events (file_id, taxpayer, date, tax_year, account, account_type, kind,"
                        " amount_cents, memo, source_line) SELECT file_id, taxpayer, date, tax_year, account,"
                        " account_type, kind, ?, 'by hand', source_line FROM events ORDER BY id LIMIT 1",
                        (arg,),
                    )
        if db.exists():
            from_blocks, from_rows, used = _read_both(db)
            event(f"after {what}: the blocks {'were' if used else 'were not'} read")
            assert from_blocks.equals(from_rows)
            if used:  # complete blocks: they hold every id, in order
                ids = _ids(db)
                spans = _spans(db)
                assert spans[0][0] == ids[0] and spans[-1][1] == ids[1]


def test_a_copied_ledger_gets_its_blocks(ledger, monkeypatch, tmp_path):
    copy = tmp_path / "copy.db"
    assert cli("ledger", "copy", str(ledger), str(copy)).returncode == 0
    assert _spans(copy) == [(_ids(copy)[0], _ids(copy)[1], _ids(copy)[1] - _ids(copy)[0] + 1)]
    from_blocks, from_rows, used = _both(copy, monkeypatch)
    assert used and from_blocks.equals(from_rows)
    assert from_blocks.equals(_both(ledger, monkeypatch)[0])  # ids, rows and provenance kept


def test_a_large_import_is_cut_into_blocks_of_bounded_size(ledger, monkeypatch, tmp_path):
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 2_000)  # a few rows' worth: the new file's rows span many blocks
    rows = [
        f"ed,2024-05-{d:02d},2024,IRA-{d},traditional,nondeductible_contribution,{d}.00,memo {d}" for d in range(1, 29)
    ]
    assert cli("import", str(_csv(tmp_path / "many.csv", *rows)), ledger=ledger).returncode == 0
    spans = _spans(ledger)
    assert len(spans) > 3
    assert all(b[0] == a[1] + 1 for a, b in pairwise(spans))  # one after another
    from_blocks, from_rows, used = _both(ledger, monkeypatch)
    assert used and from_blocks.equals(from_rows)


def test_ids_between_blocks_are_allowed_where_no_row_has_them(ledger, monkeypatch, tmp_path):
    # A household copied out of a firm's database keeps ids drawn from a sequence all households share.
    top = _ids(ledger)[1]
    with sqlite3.connect(ledger) as db:
        db.execute(
            "INSERT INTO events (id, file_id, taxpayer, date, tax_year, account, account_type, kind, amount_cents,"
            " memo, source_line) SELECT ?, file_id, taxpayer, date, tax_year, account, account_type, kind,"
            " amount_cents, 'far on', source_line FROM events WHERE id = ?",
            (top + 100, top),
        )
    new = _csv(tmp_path / "more.csv", "ed,2024-05-01,2024,IRA-1,traditional,nondeductible_contribution,100.00,")
    assert cli("import", str(new), ledger=ledger).returncode == 0
    spans = _spans(ledger)
    assert spans[-2] == (top + 100, top + 100, 1) and spans[-1][0] == top + 101  # ids top+1 .. top+99: no rows
    from_blocks, from_rows, used = _both(ledger, monkeypatch)
    assert used and from_blocks.equals(from_rows)
    with sqlite3.connect(ledger) as db:  # a row in that gap, added later by another program: the rows are read
        db.execute(
            "INSERT INTO events (id, file_id, taxpayer, date, tax_year, account, account_type, kind, amount_cents,"
            " memo, source_line) SELECT ?, file_id, taxpayer, date, tax_year, account, account_type, kind,"
            " amount_cents, 'in the gap', source_line FROM events WHERE id = ?",
            (top + 50, top),
        )
    from_blocks, from_rows, used = _both(ledger, monkeypatch)
    assert not used and from_blocks.equals(from_rows) and "in the gap" in from_rows.column("memo").to_pylist()


def test_the_blocks_are_read_in_one_transaction_of_their_own_or_inside_the_callers(ledger, monkeypatch):
    # Several statements (coverage, blocks, voids) read as one snapshot: a savepoint, which opens a read
    # transaction outside one and nests inside an import's. Neither leaves a transaction open or ends the caller's.
    monkeypatch.setattr(sqlite_read, "SMALL_LEDGER_BYTES", -1)
    statements: list[str] = []
    with Ledger.open(ledger, write=True) as store:
        real = store.conn.execute

        def spy(sql, *args, **kwargs):
            statements.append(sql.split()[0])
            return real(sql, *args, **kwargs)

        monkeypatch.setattr(store.conn, "execute", spy)
        alone = store.events_arrow()
        assert statements.index("SAVEPOINT") < statements.index("RELEASE")
        with store.transaction() as conn:
            inside = store.events_arrow()
            sql = "INSERT INTO declarations (taxpayer, tax_year, nondeductible_cents, declared_at) VALUES (?, ?, ?, ?)"
            conn.execute(sql, ("ed", 2030, 1, "now"))
    assert alone.equals(inside) and alone.num_rows > 0
    with sqlite3.connect(ledger) as db:  # the caller's transaction was committed, not ended by the savepoint
        assert db.execute("SELECT count(*) FROM declarations WHERE tax_year = 2030").fetchone() == (1,)


def test_blocks_written_with_lz4_by_an_earlier_release_are_still_read(tmp_path, monkeypatch):
    # Session 7 wrote LZ4-compressed blocks; a ledger of that release keeps them, and the next import appends
    # uncompressed ones after them: the two kinds together read as the rows.
    db = tmp_path / "l.db"
    monkeypatch.setattr(blocks, "FORMAT", "arrow-ipc-stream/lz4")
    assert cli("import", str(DEMO), ledger=db).returncode == 0
    monkeypatch.undo()
    assert cli("import", str(MESSY), ledger=db).returncode == 0
    with sqlite3.connect(db) as con:
        formats = [r[0] for r in con.execute("SELECT format FROM event_blocks ORDER BY first_id")]
    assert formats == ["arrow-ipc-stream/lz4", "arrow-ipc-stream"]
    from_blocks, from_rows, used = _both(db, monkeypatch)
    assert used and from_blocks.equals(from_rows)


def test_a_file_without_memos_stores_empty_memos_and_one_with_them_stores_them(tmp_path, monkeypatch):
    # An append binds no memo column when every memo is empty (the table's default fills it): the rows, the
    # blocks and `ledger check` must not tell the two kinds of file apart.
    from basis_ledger.ledger.store import _bound

    db = tmp_path / "l.db"
    plain = _csv(tmp_path / "plain.csv", "ed,2024-03-01,2024,IRA-1,traditional,nondeductible_contribution,7000,")
    noted = _csv(tmp_path / "noted.csv", "ed,2024-04-01,2024,IRA-1,traditional,nondeductible_contribution,5,a note")
    for f in (plain, noted):
        assert cli("import", str(f), ledger=db).returncode == 0
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT memo FROM events ORDER BY id").fetchall() == [("",), ("a note",)]
    from_blocks, from_rows, used = _both(db, monkeypatch)
    assert used and from_blocks.equals(from_rows)
    table = pa.table({"memo": pa.chunked_array([pa.array(["", ""]), pa.array([""])])})
    assert "memo" not in _bound(table)
    assert "memo" in _bound(pa.table({"memo": pa.chunked_array([pa.array([""]), pa.array(["x"])])}))
    assert "memo" in _bound(pa.table({"memo": pa.array(["", None])}))


def test_a_new_ledger_has_large_pages_and_an_old_one_keeps_its_own(tmp_path):
    # The blocks are chains of overflow pages: a new ledger is made with PAGE_SIZE pages (fewer, larger reads and
    # writes); a ledger made with SQLite's default keeps it, and is read and written as before.
    from basis_ledger.ledger.store import PAGE_SIZE

    new = tmp_path / "new.db"
    assert cli("import", str(DEMO), ledger=new).returncode == 0
    with sqlite3.connect(new) as db:
        assert db.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE
    old = tmp_path / "old.db"
    assert cli("import", str(DEMO), ledger=old).returncode == 0
    with sqlite3.connect(old) as db:
        db.execute("PRAGMA page_size = 4096")
        db.execute("VACUUM")  # (what a ledger made before session 8 is like)
        assert db.execute("PRAGMA page_size").fetchone()[0] == 4096
    assert cli("import", str(MESSY), ledger=old).returncode == 0
    assert cli("import", str(MESSY), ledger=new).returncode == 0
    assert cli("compute", "--json", ledger=old).stdout == cli("compute", "--json", ledger=new).stdout
    with sqlite3.connect(old) as db:
        assert db.execute("PRAGMA page_size").fetchone()[0] == 4096
