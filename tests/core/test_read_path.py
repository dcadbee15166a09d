"""The read path of issue 13: events read back as columns, a small ledger through Python's sqlite3 and a large one
through ADBC, the lines and their JSON built from columns. Both readers, and both JSON writers, give the same
frames and the same bytes; the household commands load neither pandas nor pyarrow nor pydantic."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basis_ledger.engine.form8606 import Options
from basis_ledger.ledger import sqlite_read
from basis_ledger.ledger.store import Ledger
from basis_ledger.loader import Loaded, LoadOptions, load
from basis_ledger.render.json_columns import write_json
from tests.core.helpers import cli, events_from, modules_loaded
from tests.core.test_json_columns import reference
from tests.core.test_properties import histories

REPO = Path(__file__).resolve().parents[2]
SAMPLES = ("demo-household.csv", "messy-household/events.csv")  # both must exist: the fixture asserts it


@pytest.fixture(scope="module")
def households(tmp_path_factory) -> Path:
    ledger = tmp_path_factory.mktemp("read") / "h.db"
    files = [str(REPO / "sample_data" / name) for name in SAMPLES]
    assert all(Path(f).exists() for f in files), files
    assert cli("import", *files, ledger=ledger).returncode == 0
    assert cli("events", "void", "3", "--reason", "a test of voids", ledger=ledger).returncode == 0
    return ledger


def _through_adbc(monkeypatch) -> None:
    monkeypatch.setattr(sqlite_read, "SMALL_LEDGER_BYTES", -1)  # every file is "large": ADBC, as a bulk ledger


@pytest.mark.parametrize("provenance", [True, False])
@pytest.mark.parametrize("taxpayer", [None, "ed", "nobody"])
def test_both_readers_give_the_same_events_frame(households, monkeypatch, taxpayer, provenance):
    with Ledger.open(households) as store:
        assert isinstance(store.conn, sqlite_read.Connection)
        small = store.event_columns(taxpayer, provenance=provenance)
        small_people = store.taxpayers()
    _through_adbc(monkeypatch)
    with Ledger.open(households) as store:
        assert not isinstance(store.conn, sqlite_read.Connection)
        large = store.event_columns(taxpayer, provenance=provenance)
        assert store.taxpayers() == small_people
        frame = store.events_arrow(taxpayer, provenance=provenance).to_pandas()
    pd.testing.assert_frame_equal(small.frame(), frame)
    pd.testing.assert_frame_equal(large.frame(), frame)
    for column in frame.columns:
        if frame[column].dtype.kind != "i":
            assert small.factorize(column)[1] == large.factorize(column)[1]
            assert (small.factorize(column)[0] == large.factorize(column)[0]).all()
    assert small.records() == frame.to_dict("records")


@pytest.mark.parametrize("cents", [False, True])
def test_both_readers_give_the_same_lines(households, monkeypatch, cents):
    small = load(households, LoadOptions(cents=cents))
    small_lines = small.lines
    _through_adbc(monkeypatch)
    large = load(households, LoadOptions(cents=cents))
    pd.testing.assert_frame_equal(small_lines, large.lines)
    pd.testing.assert_frame_equal(small.events, large.events)
    assert small.taxpayers == large.taxpayers
    # The lines the columns give are the lines of the frame the audit reads.
    from_frame = Loaded(small.events, small.taxpayers, options=small.options).lines
    pd.testing.assert_frame_equal(small_lines, from_frame)


@pytest.mark.parametrize(
    "command",
    [
        ["compute", "--json"],
        ["compute", "--csv"],
        ["compute", "--taxpayer", "ed", "--year", "2024", "--json", "--cents"],
        ["basis", "--json"],
        ["basis", "--csv"],
        ["events", "--json"],
        ["events", "--year", "2024", "--csv"],
        ["taxpayer", "list", "--json"],
    ],
)
def test_both_readers_print_the_same_bytes(households, monkeypatch, command):
    small = cli(*command, ledger=households)
    _through_adbc(monkeypatch)
    large = cli(*command, ledger=households)
    assert small.returncode == large.returncode == 0, small.stderr + large.stderr
    assert small.stdout == large.stdout and small.stdout.strip()


@settings(max_examples=25, deadline=None)
@given(histories(cents=True), st.integers(3, 9), st.booleans(), st.integers(1, 7))
def test_the_arrow_writer_and_the_json_module_write_the_same_bytes(text, places, cents, chunk):
    opts = Options(ratio_places=places, cents=cents)
    lines = Loaded(events_from(text), {}, options=opts).line_columns(cents)
    by_arrow, by_json = io.StringIO(), io.StringIO()
    write_json(lines, opts, by_arrow, chunk, small_rows=0)
    write_json(lines, opts, by_json, chunk, small_rows=10**9)
    assert by_arrow.getvalue() == by_json.getvalue() == reference(lines.frame(), opts, chunk)


@settings(max_examples=15, deadline=None)
@given(histories(cents=True), st.booleans(), st.integers(1, 4), st.integers(1, 9))
def test_blocks_cut_as_slices_write_the_same_bytes(text, cents, chunk, block):
    # A large ledger's lines are written a block of BLOCK_ROWS at a time, each block a slice (views) of the columns:
    # the bytes of any cut are the json module's, and a slice holds what a take of the same rows holds.
    from basis_ledger.render import json_columns

    opts = Options(ratio_places=5, cents=cents)
    lines = Loaded(events_from(text), {}, options=opts).line_columns(cents)
    by_arrow = io.StringIO()
    old = json_columns.BLOCK_ROWS
    json_columns.BLOCK_ROWS = block  # (not monkeypatch: hypothesis runs many examples in one test call)
    try:
        write_json(lines, opts, by_arrow, chunk, small_rows=0)
    finally:
        json_columns.BLOCK_ROWS = old
    assert by_arrow.getvalue() == reference(lines.frame(), opts, chunk)
    n = len(lines)
    for start in range(0, n + 1, max(1, block)):
        part, taken = lines.slice(start, start + block), lines.take(np.arange(start, min(start + block, n)))
        assert part.frame().equals(taken.frame())
        assert [list(c) for c in part.cautions] == [list(c) for c in taken.cautions]


@settings(max_examples=25, deadline=None)
@given(histories(cents=True), st.integers(3, 9), st.booleans())
def test_the_csv_from_columns_is_the_csv_of_the_objects(text, places, cents):
    from basis_ledger.engine.objects import as_objects
    from basis_ledger.render.tables import lines_csv_columns
    from tests.core.tables_oracle import lines_csv

    opts = Options(ratio_places=places, cents=cents)
    lines = Loaded(events_from(text), {}, options=opts).line_columns(cents)
    by_columns, by_objects = io.StringIO(), io.StringIO()
    lines_csv_columns(lines, opts, by_columns)
    lines_csv(as_objects(lines, opts), by_objects)
    assert by_columns.getvalue() == by_objects.getvalue()


HEAVY = ("numpy", "pandas", "pandera", "pyarrow", "adbc_driver_manager", "pydantic", "rich")


@pytest.mark.parametrize(
    ("command", "loads"),
    [
        (["compute", "--taxpayer", "ed", "--year", "2024", "--json"], ["numpy"]),
        (["compute", "--csv"], ["numpy"]),
        (["basis", "--taxpayer", "ed", "--json"], ["numpy"]),
        (["events", "--taxpayer", "ed", "--json"], ["numpy"]),
        (["events", "--year", "2024"], ["numpy", "rich"]),  # the table is rich's
        (["events", "--voided", "--json"], ["numpy"]),
        (["events", "--voided", "--taxpayer", "ed", "--year", "2019"], ["numpy", "rich"]),
    ],
)
def test_which_heavy_modules_each_household_command_loads(households, command, loads):
    assert _loaded(households, command) == loads, f"{' '.join(command)}"


def test_the_audit_loads_pandas_and_pyarrow_for_its_frames_but_not_pandera_or_pydantic(households):
    # The audit's rules read pandas frames, built from the columns on first use (Loaded.events); pandera is the
    # import's contract only (tests/core/test_heavy_imports.py).
    loaded = set(_loaded(households, ["audit", "--taxpayer", "ed", "--json"]))
    assert {"numpy", "pandas", "pyarrow"} <= loaded and not {"pandera", "pydantic"} & loaded, loaded


def test_a_large_ledgers_compute_reads_arrow_but_never_imports_pandas(households):
    # pyarrow imports pandas the first time it converts a numpy array or a Python value; the read path hands
    # numpy memory to Arrow as buffers instead (engine/columns.arrow_ints and friends).
    loaded = _loaded(households, ["compute", "--all", "--json"], adbc=True)
    assert loaded == ["adbc_driver_manager", "numpy", "pyarrow"]


def test_the_arrow_read_and_writer_never_import_pyarrow_compute(households):
    # pyarrow.compute builds a wrapper and docstring per function on import (~40 ms): the read path calls the
    # compiled registry by name instead (engine/columns.arrow_call, arrow_take, arrow_cast).
    probe = (
        "import io, sys; from pathlib import Path\n"
        "import basis_ledger.ledger.sqlite_read as small; small.SMALL_LEDGER_BYTES = -1\n"
        "from basis_ledger.loader import LoadOptions, load\n"
        "from basis_ledger.render.json_columns import write_json\n"
        "loaded = load(Path(sys.argv[1]), LoadOptions(cents=True, provenance=False))\n"
        "write_json(loaded.line_columns(True), loaded.options, io.StringIO(), 3, small_rows=0)\n"
        "print('pyarrow' in sys.modules, 'pyarrow.compute' in sys.modules)\n"
    )
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", probe, str(households)], capture_output=True, text=True)
    assert out.stdout.split() == ["True", "False"], out.stderr


def test_numpy_and_arrow_meet_by_buffers_whatever_the_chunks_and_offsets():
    import numpy as np
    import pyarrow as pa

    from basis_ledger.engine.columns import arrow_bools, arrow_ints, arrow_strings, numpy_ints

    chunked = pa.chunked_array([pa.array([1, 2, 3]), pa.array([4, 5]), pa.array([], pa.int64())]).slice(1, 3)
    assert numpy_ints(chunked).tolist() == [2, 3, 4]
    assert numpy_ints(pa.array([7, 8, 9], pa.int32()).slice(1)).tolist() == [8, 9]
    assert arrow_ints(np.array([5, -6])[::-1]).to_pylist() == [-6, 5]
    assert arrow_bools(np.array([True, False] * 5)).to_pylist() == [True, False] * 5
    texts = ["", 'sé "q"', "back\\slash", "日本"]
    assert arrow_strings(texts).to_pylist() == texts and arrow_strings([]).to_pylist() == []


def _loaded(ledger: Path, command: list[str], adbc: bool = False) -> list[str]:
    return modules_loaded(ledger, command, HEAVY, adbc=adbc)


def test_a_plain_option_value_needs_no_pydantic_and_a_bad_one_gets_typers_message(households):
    bad = cli("compute", "--year", "20x4", ledger=households)
    assert bad.returncode == 2
    assert "Invalid value for '--year'" in bad.stderr and "valid integer" in bad.stderr
    spaced = cli("compute", "--year", " 2024", "--json", ledger=households)  # typer's own coercion takes it
    plain = cli("compute", "--year", "2024", "--json", ledger=households)
    assert spaced.returncode == plain.returncode == 0 and spaced.stdout == plain.stdout
