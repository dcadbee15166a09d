"""The `report --xlsx` workbook: structure, privacy, formula injection, and (with LibreOffice) that its live
formulas, recalculated by a real spreadsheet engine, give every line `compute --json` gives."""

from __future__ import annotations

import os
import random
import shutil
import stat
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from basis_ledger.audit.run import run_audit
from basis_ledger.commands.audit import load_context
from basis_ledger.engine.results import LINE_KEYS
from basis_ledger.render.lines import as_objects
from basis_ledger.render.workbook import _sheet_name, write_workbook
from tests.audit.helpers import AS_OF, build_ledger
from tests.audit.histories import history

ROOT = Path(__file__).resolve().parents[2]
NO_SOFFICE = (
    "LibreOffice is not installed (no 'soffice' on PATH), so the workbook's formulas cannot be recalculated: "
    "run 'make test' as root (it installs libreoffice-calc-nogui where apt-get exists) or install it yourself, "
    "e.g. 'apt-get install --no-install-recommends libreoffice-calc-nogui'"
)

# Edge cases by hand, beside random histories:
#  cap: basis 9,109, a 10,900 conversion and $1 left on 31 December, at 3 places: line 10 = 9,109 / 10,901 =
#       0.8356... -> 0.836; line 11 = 10,900 x 0.836 = 9,112.40 > line 5 = 9,109: capped to 9,109.
#  cents: an opening basis with cents carried through years without a form, then a distribution.
#  roth: Part III with openings, a plan rollover to Roth and a distribution reaching conversions.
#  inj: text that a spreadsheet would run as a formula.
EDGE = [
    "cap,2021-01-02,2020,,traditional,basis_opening,9109,",
    "cap,2021-03-01,,CAP-IRA,traditional,conversion,10900,",
    "cap,2021-12-31,,CAP-IRA,traditional,year_end_value,1,",
    "cents,2018-01-02,2017,,traditional,basis_opening,1234.56,",
    "cents,2018-12-31,,C-IRA,traditional,year_end_value,5000.49,",
    "cents,2019-06-01,2019,C-IRA,traditional,deductible_contribution,1000,",
    "cents,2020-06-01,,C-IRA,traditional,distribution,2500.50,",
    "cents,2020-12-31,,C-IRA,traditional,year_end_value,3600.01,",
    "roth,2019-01-02,2018,R-ROTH,roth,roth_contribution_basis_opening,3000,",
    "roth,2019-01-02,2018,R-ROTH,roth,roth_conversion_basis_opening,4000.25,",
    "roth,2019-05-01,,R-ROTH,roth,rollover_from_plan,2500,",
    "roth,2020-05-01,,R-ROTH,roth,roth_distribution,8999.99,",
    "roth,2021-05-01,,R-ROTH,roth,roth_distribution,100,",
    'inj,2022-01-10,2021,+SUM(1;2),traditional,nondeductible_contribution,100,"=HYPERLINK(""http://x"",""y"")"',
    "inj,2022-12-31,,+SUM(1;2),traditional,year_end_value,50,@cmd",
]


def renamed(rows: list[str], suffix: str) -> list[str]:
    return [r.split(",", 1)[0] + suffix + "," + r.split(",", 1)[1] for r in rows]


def histories() -> tuple[list[str], dict]:
    rows, people = list(EDGE), {"roth": {"birth_date": "1990-01-01"}}
    for seed in range(12):
        h, p = history(random.Random(1000 + seed), rich=True)
        rows += renamed(h, str(seed))
        people.update({t + str(seed): v for t, v in p.items()})
    rows += renamed((ROOT / "sample_data" / "demo-household.csv").read_text().splitlines()[1:], "-demo")
    return rows, people


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    rows, people = histories()
    return build_ledger(tmp_path_factory.mktemp("wb") / "l.db", rows, taxpayers=people)


@pytest.fixture(scope="module")
def book(ledger, tmp_path_factory):
    out = tmp_path_factory.mktemp("book") / "r.xlsx"
    make(ledger, out)
    return out


def make(ledger: Path, out: Path, places: int = 5, cents: bool = False):
    ctx = load_context(str(ledger), None, places, cents, AS_OF)
    write_workbook(out, ctx, run_audit(ctx))
    return ctx


def test_file_is_private_and_sheets_are_there(book):
    from openpyxl import load_workbook

    out = book
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    wb = load_workbook(out)
    assert wb.sheetnames[-2:] == ["Findings", "Events"]
    assert "cap" in wb.sheetnames and "ann-demo" in wb.sheetnames
    ws = wb["cap"]
    assert ws.freeze_panes == "C6" and ws._charts
    assert wb["Events"].freeze_panes == "A2" and wb["Findings"].max_row > 1


def test_an_existing_file_is_made_private(ledger, tmp_path):
    out = tmp_path / "r.xlsx"
    out.write_text("old")
    out.chmod(0o644)
    make(ledger, out)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_formulas_are_live_and_follow_the_form(book):
    from openpyxl import load_workbook

    out = book
    ws = load_workbook(out)["cents"]  # 2018-2020
    work = {ws.cell(r, 2).value: r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 2).value).startswith("line ")}
    assert ws.cell(work["line 10"], 3).value == "=IF(C58>0,MIN(ROUND(C51/C58,$C$2),1),1)".replace(
        "C58", f"C{work['line 9']}"
    ).replace("C51", f"C{work['line 5']}")
    assert "MIN(" in ws.cell(work["line 11"], 3).value  # the cap of line 13 at line 5 comes off line 11 first
    # line 2 of the second year rounds the basis carried in, which is last year's basis carried out (column C)
    basis_in = ws.cell(work["line 2"], 4).value
    assert basis_in.startswith("=ROUND(D") and ",$C$3)" in basis_in
    carried = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Basis carried in")
    assert ",C" in ws.cell(carried, 4).value  # IF(opening given, opening, C<basis out of last year>) + added


def test_text_from_input_cannot_run_as_a_formula(book):
    from openpyxl import load_workbook

    out = book
    wb = load_workbook(out)
    for name in ("Events", "Findings"):
        for row in wb[name].iter_rows():
            for c in row:
                assert c.data_type != "f", (name, c.coordinate, c.value)
    texts = {c.value for row in wb["Events"].iter_rows() for c in row if isinstance(c.value, str)}
    assert "'+SUM(1;2)" in texts and "'@cmd" in texts and '\'=HYPERLINK("http://x","y")' in texts


def test_sheet_names_are_valid_and_unique():
    used: set[str] = set()
    names = [
        _sheet_name("a/b:c*d?[e]", "own", used),
        _sheet_name("x" * 40, "own", used),
        _sheet_name("x" * 40, "own", used),
        _sheet_name("events", "own", used),
    ]
    assert names[0] == "a_b_c_d__e_" and len(names[1]) == 31 and names[2].endswith("(2)") and len(names[2]) <= 31
    assert names[3] == "events (2)"


CONFIGS = [(5, False), (3, True)]  # whole dollars with 5 places (the default), cents with 3 places


@pytest.fixture(scope="module")
def recalculated(ledger, tmp_path_factory):
    """Both workbooks, recalculated by LibreOffice in one run (its start-up is most of the time)."""
    if shutil.which("soffice") is None:
        pytest.skip(NO_SOFFICE)
    d = tmp_path_factory.mktemp("recalc")
    made = {}
    for places, cents in CONFIGS:
        src = d / f"r{places}{'c' if cents else 'w'}.xlsx"
        made[(places, cents)] = (src, make(ledger, src, places, cents))
    cmd = [
        "soffice",
        f"-env:UserInstallation={(d / 'profile').as_uri()}",
        "--headless",
        "--calc",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(d / "out"),
        *(str(src) for src, _ in made.values()),
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    out = {}
    for key, (src, ctx) in made.items():
        assert (d / "out" / src.name).exists(), f"LibreOffice did not convert {src.name}: {res.stdout} {res.stderr}"
        out[key] = (d / "out" / src.name, ctx)
    return out


def computed_block(grid: list[list]) -> dict:
    """Line -> row of the form as computed (the first block; the form as filed follows with the same labels)."""
    form: dict = {}
    for row in grid:
        if row[1] in LINE_KEYS:
            form.setdefault(row[1], row)
    return form


def _num(v) -> Decimal:
    return Decimal(repr(v)) if isinstance(v, float) else Decimal(v)


@pytest.mark.parametrize(("places", "cents"), CONFIGS)
def test_recalculated_workbook_equals_compute_json(recalculated, places, cents):
    from openpyxl import load_workbook

    path, ctx = recalculated[(places, cents)]
    wb = load_workbook(path, data_only=True)
    from basis_ledger.engine.form8606 import Options
    from basis_ledger.engine.results import compute_lines

    opts = Options(ratio_places=places, cents=cents)
    objects = as_objects(compute_lines(ctx.events, ctx.taxpayers, opts), opts)
    used: set[str] = set()
    sheets = {}
    for ch in ctx.inputs.chains.itertuples():
        sheets[(ch.taxpayer, ch.chain)] = wb[_sheet_name(ch.taxpayer, ch.chain, used)]
    grids = {key: [list(r) for r in ws.iter_rows(values_only=True)] for key, ws in sheets.items()}
    compared = 0
    for o in objects:
        grid = grids[(o["taxpayer"], o["chain"])]
        col = grid[4].index(o["tax_year"])
        form = computed_block(grid)
        labels = {row[0]: row for row in grid}
        for key in LINE_KEYS:
            got = form[key][col]
            want = o["lines"].get(key)
            where = (o["taxpayer"], o["chain"], o["tax_year"], key)
            if want is None:
                assert got in (None, ""), where
                continue
            unit = Decimal(1).scaleb(-places) if key == "10" else Decimal("0.01")
            assert _num(got).quantize(unit) == Decimal(str(want)).quantize(unit), (where, got, want)
            compared += 1
        basis = _num(labels["Basis carried forward"][col])
        exact = basis.quantize(Decimal("0.01") if cents else Decimal(1), rounding=ROUND_HALF_UP)
        assert exact == Decimal(str(o["basis_end"])), (where, basis, o["basis_end"])
        assert labels["Form 8606 required"][col] == o["form_required"], where
    assert compared > 500
    if places == 3:  # the line-13 cap case really is capped: 10,900.00 x 0.836 = 9,112.40 > line 5 = 9,109.00
        cap = grids[("cap", "own")]
        col = cap[4].index(2021)
        raw = next(row for row in cap if row[0] == "Line 11 before the cap")
        form = computed_block(cap)
        assert _num(raw[col]) == Decimal("9112.40")
        assert _num(form["11"][col]) == Decimal("9109.00") == _num(form["5"][col])
        assert _num(form["10"][col]) == Decimal("0.836")
