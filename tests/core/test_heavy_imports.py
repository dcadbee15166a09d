"""Which heavy modules the household commands load on a small ledger (issue 13).

On a small ledger `compute`, `basis`, `events` and `audit` never import pandera (its validation runs only when a
frame enters the ledger), pypdf, openpyxl or hypothesis. `compute`, `basis` and `events` load neither pandas nor
pyarrow either: they read events as columns through Python's sqlite3 and print from columns;
tests/core/test_read_path.py asserts exactly which heavy modules each loads, the audit's included."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.helpers import modules_loaded

REPO = Path(__file__).resolve().parents[2]
NEVER = ("pandera", "pypdf", "openpyxl", "hypothesis", "pyarrow.dataset")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    ledger = tmp_path_factory.mktemp("heavy") / "demo.db"
    csv = REPO / "sample_data" / "demo-household.csv"
    subprocess.run([sys.executable, "-m", "basis_ledger", "--ledger", str(ledger), "import", str(csv)], check=True)
    return ledger


@pytest.mark.parametrize(
    "command",
    [
        ["compute", "--taxpayer", "ed", "--year", "2024", "--json"],
        ["compute", "--all"],
        ["basis", "--taxpayer", "ed"],
        ["events", "--taxpayer", "ed", "--json"],
        ["audit", "--taxpayer", "ed", "--json"],
    ],
)
def test_household_commands_load_no_validation_pdf_or_workbook_module(demo, command):
    loaded = modules_loaded(demo, command, NEVER)
    assert loaded == [], f"{' '.join(command)} loaded {loaded}"


def _callbacks(app):
    for command in app.registered_commands:
        yield command.callback
    if app.registered_callback is not None:
        yield app.registered_callback.callback
    for group in app.registered_groups:
        yield from _callbacks(group.typer_instance)


def test_command_options_are_objects_so_help_evaluates_no_annotation_strings():
    # `--help` builds every command's options (benchmarks/help_startup.py). Postponed annotations (`from
    # __future__ import annotations` in a command module) make typer eval each one's text twice and create
    # its Option again: 17 of the 28 ms the command line added to a bare `import typer`.
    from basis_ledger.cli import app

    callbacks = list(_callbacks(app))
    assert len(callbacks) > 15
    for fn in callbacks:
        text = [name for name, hint in inspect.get_annotations(fn).items() if isinstance(hint, str)]
        assert not text, f"{fn.__module__}.{fn.__qualname__}: annotations {text} are strings"


IMPORT_PROBED = (
    *("pandas", "pandera", "hypothesis", "numpy", "pyarrow", "adbc_driver_manager", "pypdf", "openpyxl", "pydantic"),
)


def test_an_import_of_a_generic_csv_loads_neither_pandas_nor_pandera(tmp_path):
    # The generic CSV goes from pyarrow.csv to the ledger as Arrow columns: typed, checked by the contract's
    # vectorized rules (ledger/schema.py, the pandera model's twin), matched, written through ADBC. It loads
    # numpy, pyarrow and the ADBC driver, and neither pandas nor pandera (with pyarrow never probing for pandas:
    # basis_ledger/arrays.py) nor pydantic (its FILE paths are made without typer's pydantic coercion:
    # commands/typer_params.py), whether it creates the ledger, adds to it past rows it holds, or is refused.
    ledger = tmp_path / "l.db"
    demo = (REPO / "sample_data" / "demo-household.csv").read_text()
    first = tmp_path / "first.csv"
    first.write_text(demo)
    assert modules_loaded(ledger, ["import", str(first)], IMPORT_PROBED) == ["adbc_driver_manager", "numpy", "pyarrow"]
    header, *rows = demo.splitlines()
    overlapping = tmp_path / "again.csv"  # the last rows again, and one new: matched against the ledger's
    overlapping.write_text("\n".join([header, *rows[-3:], rows[-1] + "a second one"]) + "\n")
    refused = tmp_path / "bad.csv"
    refused.write_text(header + "\n" + rows[-1].replace("year_end_value", "year_end_valeu") + "\n")
    for path, exits in ((overlapping, (0,)), (refused, (2,))):
        loaded = modules_loaded(ledger, ["import", str(path)], IMPORT_PROBED, exits=exits)
        assert loaded == ["adbc_driver_manager", "numpy", "pyarrow"], (path.name, loaded)
