"""The events' columnar copy (ledger/blocks.py): written with every import, read only when it covers the ledger's
event ids exactly, and then the same table as the rows give; anything else falls back to the rows, and the next
import writes the blocks that were missing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyarrow as pa
import pytest

from basis_ledger.ledger import blocks, sqlite_read
from basis_ledger.ledger.store import BLOCK_COLUMNS, Ledger, arrow_schema
from tests.core.helpers import cli

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


def test_a_block_of_another_format_or_shape_is_not_used(ledger, monkeypatch):
    monkeypatch.setattr(blocks, "FORMAT", "something newer")
    assert not _both(ledger, monkeypatch)[2]
    monkeypatch.undo()
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
