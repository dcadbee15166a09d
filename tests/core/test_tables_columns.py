"""The tables for people (compute, basis, events, events --voided) made from columns print what they printed when
they were made from one dict per row: golden files written by the per-row code (tests/golden/tables/), checked
through both readers (a small ledger's sqlite3 rows and a large one's Arrow columns)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from basis_ledger.cli import app
from basis_ledger.engine.form8606 import Options
from basis_ledger.ledger import sqlite_read
from basis_ledger.loader import Loaded
from tests.core.helpers import events_from
from tests.core.test_properties import histories
from tests.golden import check_text

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden" / "tables"
COMMANDS = {
    "compute": ["compute"],
    "compute-cents-wide": ["compute", "--cents", "--wide"],
    "compute-dana-2021": ["compute", "--taxpayer", "dana", "--year", "2021"],
    "basis": ["basis"],
    "basis-cents-wide": ["basis", "--cents", "--wide"],
    "basis-ed": ["basis", "--taxpayer", "ed"],
    "events": ["events"],
    "events-2020-wide": ["events", "--year", "2020", "--wide"],
    "voided": ["events", "--voided"],
    "voided-wide": ["events", "--voided", "--wide"],
    "voided-json": ["events", "--voided", "--json"],
    "voided-json-cents": ["events", "--voided", "--json", "--cents"],
    "voided-csv": ["events", "--voided", "--csv"],
    "voided-dana": ["events", "--voided", "--taxpayer", "dana", "--json"],
    "voided-2019": ["events", "--voided", "--year", "2019", "--json"],
    "voided-2021-table": ["events", "--voided", "--year", "2021"],
    "voided-nobody": ["events", "--voided", "--taxpayer", "nobody", "--json"],
}


def run(ledger: Path, *args: str) -> tuple[int, str]:
    env = {"BASIS_LEDGER": None, "COLUMNS": "120", "LINES": "50", "NO_COLOR": "1", "TERM": "dumb"}
    res = CliRunner().invoke(app, ["--ledger", str(ledger), *args], env=env)
    if res.exception and not isinstance(res.exception, SystemExit):
        raise res.exception
    return res.exit_code, res.stdout


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> tuple[Path, str]:
    """The demo household and the messy household's events, one event of each voided."""
    path = tmp_path_factory.mktemp("tables") / "h.db"
    for f in ("demo-household.csv", "messy-household/events.csv"):
        assert run(path, "import", str(REPO / "sample_data" / f))[0] == 0
    assert run(path, "events", "void", "3", "30", "--reason", 'a test: "quoted", =1+2')[0] == 0
    code, out = run(path, "events", "--voided", "--json")
    assert code == 0
    return path, json.loads(out)[0]["voided_by"]


def portable(text: str, who: str) -> str:
    """The void's time and user are the run's: fixed words instead."""
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", "<at>", text)
    return text.replace(f" by {who}:", " by <who>:").replace(f'"{who}"', '"<who>"').replace(f",{who},", ",<who>,")


@pytest.mark.parametrize("reader", ["sqlite3", "adbc"])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_tables_print_what_the_per_row_code_printed(ledger, monkeypatch, reader, name):
    path, who = ledger
    if reader == "adbc":
        monkeypatch.setattr(sqlite_read, "SMALL_LEDGER_BYTES", -1)  # read as a bulk ledger is
    code, out = run(path, *COMMANDS[name])
    assert code == 0, out
    check_text(f"exit {code}\n{portable(out, who)}", GOLDEN / f"{name}.txt")


def _console():
    import io

    from rich.console import Console

    return Console(file=io.StringIO(), width=100, color_system=None, force_terminal=False)


@settings(max_examples=30, deadline=None)
@given(histories(cents=True), st.integers(3, 9), st.booleans(), st.booleans())
def test_the_tables_from_columns_are_the_tables_of_the_objects(text, places, cents, wide):
    from basis_ledger.engine.objects import as_objects
    from basis_ledger.render.tables import BASIS_COLUMNS, basis_columns, basis_table_columns, lines_tables_columns
    from tests.core.tables_oracle import basis_rows, basis_table, lines_tables

    opts = Options(ratio_places=places, cents=cents)
    lines = Loaded(events_from(text), {}, options=opts).line_columns(cents)
    objects = as_objects(lines, opts)
    by_columns, by_objects = _console(), _console()
    lines_tables_columns(lines, opts, by_columns, wide)
    lines_tables(objects, by_objects, wide)
    assert by_columns.file.getvalue() == by_objects.file.getvalue()
    columns = basis_columns(lines, opts)
    rows = basis_rows(objects)
    assert [dict(zip(BASIS_COLUMNS, r, strict=True)) for r in zip(*columns.values(), strict=True)] == rows
    by_columns, by_objects = _console(), _console()
    basis_table_columns(columns, by_columns, wide)
    basis_table(rows, by_objects, wide)
    assert by_columns.file.getvalue() == by_objects.file.getvalue()
