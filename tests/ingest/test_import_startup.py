"""What an import process loads: pandera validates every frame entering the ledger, without loading hypothesis
(pandera builds data-synthesis strategies when it is installed, which only the development extra does, at about
0.2 s of CPU per command); a refused file still gives every problem, and a later `import hypothesis` works."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import contextlib, io, runpy, sys
code = None
sys.argv = ["basis-ledger", "--ledger", sys.argv[1], "import", sys.argv[2]]
err = io.StringIO()
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
    try:
        runpy.run_module("basis_ledger", run_name="__main__")
    except SystemExit as done:
        code = done.code
loaded = "pandera" in sys.modules, "hypothesis" in sys.modules
import hypothesis  # importable afterwards, as ever
print(code, *loaded)
print(err.getvalue())
"""
HEADER = "taxpayer,date,tax_year,account,account_type,event,amount\n"


def _import(tmp_path, rows: str) -> tuple[str, str]:
    csv = tmp_path / "in.csv"
    csv.write_text(HEADER + rows)
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "l.db"), str(csv)], capture_output=True, text=True, check=True
    )
    status, _, said = out.stdout.partition("\n")
    return status, said


def test_an_import_validates_with_pandera_without_loading_hypothesis(tmp_path):
    status, _ = _import(tmp_path, "ed,2023-05-01,2023,IRA-1,traditional,nondeductible_contribution,6500\n")
    assert status == "0 True False"


def test_a_refused_file_still_names_every_rule_it_breaks(tmp_path):
    status, said = _import(
        tmp_path,
        "ed,2023-05-01,2023,IRA-1,roth,nondeductible_contribution,6500\n"
        "ed,2023-06-30,,IRA-1,traditional,year_end_value,10\n",
    )
    assert status == "2 True False"
    assert "in.csv:2: column account_type: event 'nondeductible_contribution' cannot name account_type 'roth'" in said
    assert "in.csv:3: column date: a year_end_value is the value on 31 December; 2023-06-30 is not" in said
