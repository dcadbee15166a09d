"""What an import process loads: neither pandera nor hypothesis (the ledger's contract is enforced on import by
the vectorized twin of the pandera model, ledger/schema.py; tests/core/test_schema_twin.py proves them equal); a
refused file still gives every problem, and a later `import hypothesis` works.
Arrow's memory comes from mimalloc (cli.py) unless the user chose a pool."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
import contextlib, io, os, runpy, sys
code = None
sys.argv = ["basis-ledger", "--ledger", sys.argv[1], "import", sys.argv[2]]
err = io.StringIO()
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
    try:
        runpy.run_module("basis_ledger", run_name="__main__")
    except SystemExit as done:
        code = done.code
loaded = "pandera" in sys.modules, "hypothesis" in sys.modules
import pyarrow
pool = os.environ.get("ARROW_DEFAULT_MEMORY_POOL"), pyarrow.default_memory_pool().backend_name
import hypothesis  # importable afterwards, as ever
print(code, *loaded, *pool)
print(err.getvalue())
"""
HEADER = "taxpayer,date,tax_year,account,account_type,event,amount\n"


def _import(tmp_path, rows: str, env: dict[str, str] | None = None) -> tuple[str, str]:
    csv = tmp_path / "in.csv"
    csv.write_text(HEADER + rows)
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "l.db"), str(csv)],
        capture_output=True,
        text=True,
        check=True,
        # Without the pool's variable (an in-process test may have imported cli.py, which sets it in os.environ).
        env={**{k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}, **(env or {})},
    )
    status, _, said = out.stdout.partition("\n")
    return status, said


ROW = "ed,2023-05-01,2023,IRA-1,traditional,nondeductible_contribution,6500\n"


def test_an_import_validates_without_loading_pandera_or_hypothesis(tmp_path):
    status, _ = _import(tmp_path, ROW)
    assert status.startswith("0 False False ")


def test_an_import_takes_arrow_memory_from_mimalloc(tmp_path):
    """Named in cli.py, not left to pyarrow's default (the variable, then the pool in use): with glibc keeping its
    freed memory, mimalloc faulted in fewer fresh pages than malloc or jemalloc for the audit and the import."""
    status, _ = _import(tmp_path, ROW)
    assert status == "0 False False mimalloc mimalloc"


def test_a_memory_pool_the_user_chose_is_kept(tmp_path):
    status, _ = _import(tmp_path, ROW, env={"ARROW_DEFAULT_MEMORY_POOL": "system"})
    assert status == "0 False False system system"


def test_a_refused_file_still_names_every_rule_it_breaks(tmp_path):
    status, said = _import(
        tmp_path,
        "ed,2023-05-01,2023,IRA-1,roth,nondeductible_contribution,6500\n"
        "ed,2023-06-30,,IRA-1,traditional,year_end_value,10\n",
    )
    assert status.startswith("2 False False ")
    assert "in.csv:2: column account_type: event 'nondeductible_contribution' cannot name account_type 'roth'" in said
    assert "in.csv:3: column date: a year_end_value is the value on 31 December; 2023-06-30 is not" in said
