"""The workbook's formulas take every engine input the routing fills (engine/routing.py): a contribution returned
after the extended due date of its year's return leaves the basis in the year it comes out (line 2), in the
workbook as in the engine. Recalculated by LibreOffice, like tests/audit/test_workbook.py."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from basis_ledger.audit.run import run_audit
from basis_ledger.commands.audit import load_context
from basis_ledger.engine.objects import as_objects
from basis_ledger.render.workbook import _sheet_name, write_workbook
from tests.audit.helpers import AS_OF, build_ledger
from tests.audit.test_workbook import NO_SOFFICE

# By hand: 2021 basis 6,000 (line 14). In 2023 the 1,000 excess of 2021 comes out, long after 17 October 2022:
# line 2 of 2023 is 6,000 - 1,000 = 5,000; the 2023 conversion of 2,000 with 3,000 left gives line 10 =
# 5,000 / 5,000 = 1 -> line 17 = 2,000, and 3,000 of basis carries on.
ROWS = [
    "ed,2021-05-01,2021,IRA-1,traditional,nondeductible_contribution,6000,",
    "ed,2021-12-31,,IRA-1,traditional,year_end_value,6000,",
    "ed,2023-03-01,2021,IRA-1,traditional,returned_contribution,1000,a withdrawn excess",
    "ed,2023-06-01,,IRA-1,traditional,conversion,2000,",
    "ed,2023-12-31,,IRA-1,traditional,year_end_value,3000,",
]


def test_late_return_comes_off_line_2_in_the_workbook_too(tmp_path):
    if shutil.which("soffice") is None:
        pytest.skip(NO_SOFFICE)
    from openpyxl import load_workbook

    ledger = build_ledger(tmp_path / "l.db", ROWS)
    ctx = load_context(str(ledger), None, 5, False, AS_OF)
    src = tmp_path / "r.xlsx"
    write_workbook(src, ctx, run_audit(ctx))
    cmd = ["soffice", f"-env:UserInstallation={(tmp_path / 'p').as_uri()}", "--headless", "--calc"]
    cmd += ["--convert-to", "xlsx", "--outdir", str(tmp_path / "out"), str(src)]
    subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    grid = [
        list(r)
        for r in load_workbook(tmp_path / "out" / "r.xlsx", data_only=True)[_sheet_name("ed", "own", set())].iter_rows(
            values_only=True
        )
    ]
    form: dict = {}
    for row in grid:  # the form as computed: the first block (the form as filed follows with the same labels)
        if isinstance(row[1], str):
            form.setdefault(row[1], row)
    col = grid[4].index(2023)
    (engine,) = [o for o in as_objects(ctx.lines, ctx.options) if o["tax_year"] == 2023]
    assert engine["lines"]["2"] == 5000 and engine["lines"]["17"] == 2000  # the engine, by hand
    assert (form["2"][col], form["17"][col]) == (5000, 2000)
