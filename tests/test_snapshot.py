"""The snapshot: what every command prints for the demo and the messy households, byte for byte.

Each command's exit code, stdout and stderr are one golden file under tests/golden/snapshot/; the workbook is
snapshot as a canonical dump of every sheet's cells (values and formulas, not the zip bytes, which hold
timestamps) and the filled Form 8606 as its field values (not the PDF bytes). A change here is a behaviour
change: regenerate on purpose only, with `pytest tests/test_snapshot.py --update-golden`, and say in the
commit which output changed and why.

The commands run in-process (the same typer app as the console script) from the repository root, with a fixed
terminal width and a fixed --as-of date, so nothing depends on the machine or the day.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from basis_ledger.cli import app
from tests.golden import check_text
from tests.pdf.formfixture import blank_form

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).with_name("golden") / "snapshot"
AS_OF = "2026-06-01"
WIDTH = "120"
MESSY = sorted(
    p.relative_to(ROOT) for p in (ROOT / "sample_data" / "messy-household").iterdir() if p.suffix in {".csv", ".pdf"}
)
WHATIF = (
    "taxpayer,date,tax_year,account,account_type,event,amount,memo\n"
    "ann,2025-02-03,2025,VG-IRA-9,traditional,nondeductible_contribution,7000,\n"
    "ann,2025-02-05,,VG-IRA-9,traditional,conversion,7000,\n"
)


class Household:
    def __init__(self, tmp: Path, name: str) -> None:
        self.tmp, self.name, self.ledger = tmp, name, tmp / f"{name}.db"

    def run(self, *args: str, ledger: Path | None = None) -> tuple[int, str, str]:
        env = {"BASIS_LEDGER": None, "COLUMNS": WIDTH, "LINES": "50", "NO_COLOR": "1", "TERM": "dumb"}
        res = CliRunner().invoke(app, ["--ledger", str(ledger or self.ledger), *args], env=env)
        if res.exception and not isinstance(res.exception, SystemExit):
            raise res.exception
        return res.exit_code, self.portable(res.stdout), self.portable(res.stderr)

    def portable(self, text: str) -> str:
        """Paths of the run's temporary folder and of the checkout -> fixed words, so goldens travel."""
        return text.replace(str(self.tmp), "<tmp>").replace(str(ROOT), "<repo>")

    def snap(self, name: str, *args: str, code: int | None = 0, ledger: Path | None = None) -> None:
        rc, out, err = self.run(*args, ledger=ledger)
        text = f"$ basis-ledger {' '.join(args)}\nexit {rc}\n--- stdout\n{out}--- stderr\n{err}"
        check_text(self.portable(text), GOLDEN / self.name / f"{name}.txt")
        if code is not None:
            assert rc == code, text


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Household:
    return Household(tmp_path_factory.mktemp("demo"), "demo")


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> Household:
    return Household(tmp_path_factory.mktemp("messy"), "messy")


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def workbook_dump(path: Path) -> str:
    """Every sheet's non-empty cells in order: coordinate, type, value (a formula is its text), number format;
    cell notes (which events make up an input) too."""
    from openpyxl import load_workbook

    wb = load_workbook(path)  # formulas as written, not cached values
    out = []
    for ws in wb.worksheets:
        out.append(f"== sheet {ws.title!r} dims={ws.dimensions}")
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    out.append(f"{cell.coordinate}\t{type(cell.value).__name__}\t{cell.value!r}\t{cell.number_format}")
                if cell.comment is not None:
                    out.append(f"{cell.coordinate}\tnote\t{cell.comment.text!r}")
        for m in sorted(str(r) for r in ws.merged_cells.ranges):
            out.append(f"merged {m}")
        out.append(f"charts {len(ws._charts)}")
    return "\n".join(out) + "\n"


def filled_fields(path: Path) -> str:
    from pypdf import PdfReader

    fields = PdfReader(path).get_fields() or {}
    values = {name: f.get("/V") for name, f in sorted(fields.items()) if f.get("/V") not in (None, "")}
    return json.dumps({k: str(v) for k, v in values.items()}, indent=1) + "\n"


def test_demo_household(demo: Household):
    demo.snap("import", "import", "sample_data/demo-household.csv")
    demo.snap("import-json", "import", "--json", "sample_data/demo-household.csv", ledger=demo.tmp / "json.db")
    demo.snap("import-again", "import", "sample_data/demo-household.csv")
    demo.snap("taxpayer-set", "taxpayer", "set", "ed", "--birth-date", "1975-06-15")
    demo.snap("taxpayer-list", "taxpayer", "list")
    demo.snap("account-list", "account", "list")
    demo.snap("compute", "compute")
    demo.snap("compute-ed-2024", "compute", "--taxpayer", "ed", "--year", "2024")
    demo.snap("compute-json", "compute", "--json")
    demo.snap("compute-csv", "compute", "--csv")
    demo.snap("compute-cents", "compute", "--cents")
    demo.snap("compute-cents-json", "compute", "--cents", "--json", "--ratio-places", "8")
    demo.snap("basis", "basis")
    demo.snap("basis-ed", "basis", "--taxpayer", "ed")
    demo.snap("basis-json", "basis", "--json")
    demo.snap("events", "events")
    demo.snap("events-json", "events", "--json")
    demo.snap("audit", "audit", "--as-of", AS_OF, code=None)
    demo.snap("audit-json", "audit", "--json", "--as-of", AS_OF, code=None)
    whatif = demo.tmp / "whatif.csv"
    whatif.write_text(WHATIF)
    demo.snap("plan-whatif", "plan", str(whatif), code=None)
    demo.snap("plan-whatif-json", "plan", str(whatif), "--json", code=None)
    demo.snap("plan-backdoor", "plan", "backdoor", "-t", "ann", "-y", "2025", "--amount", "7,000", code=None)
    demo.snap("plan-isolate", "plan", "isolate", "-t", "ann", "-y", "2025", code=None)
    demo.snap("plan-isolate-json", "plan", "isolate", "-t", "ann", "-y", "2025", "--json", code=None)
    xlsx = demo.tmp / "demo.xlsx"
    demo.snap("report", "report", "--xlsx", str(xlsx), "--as-of", AS_OF)
    check_text(workbook_dump(xlsx), GOLDEN / "demo" / "report.xlsx.txt")
    blank = demo.tmp / "f8606-2024-blank.pdf"
    blank_form(blank, 2024)
    filled = demo.tmp / "f8606-2024-ed.pdf"
    demo.snap("fill", "fill", "-t", "ed", "-y", "2024", "--form", str(blank), "-o", str(filled))
    check_text(filled_fields(filled), GOLDEN / "demo" / "fill.fields.json")
    demo.snap("fill-json", "fill", "-t", "ed", "-y", "2024", "--form", str(blank), "-o", str(filled), "--json")


def test_messy_household(messy: Household):
    messy.snap(
        "taxpayer-set-dana",
        *("taxpayer", "set", "dana", "--full-name", "Dana Q. Messy", "--ssn-last4", "1111", "--birth-date"),
        "1978-05-12",
    )
    messy.snap(
        "taxpayer-set-lee",
        *("taxpayer", "set", "lee", "--full-name", "Lee R. Messy", "--ssn-last4", "2222", "--birth-date"),
        "1972-09-30",
    )
    messy.snap("account-set", "account", "set", "ACME-401K", "--owner", "dana", "--type", "plan")
    messy.snap("import", "import", *map(str, MESSY))
    messy.snap("import-json", "import", "--json", *map(str, MESSY), ledger=messy.tmp / "json.db", code=None)
    messy.snap("taxpayer-list", "taxpayer", "list")
    messy.snap("account-list", "account", "list")
    messy.snap("compute", "compute")
    messy.snap("compute-json", "compute", "--json")
    messy.snap("compute-csv", "compute", "--csv")
    messy.snap("compute-cents", "compute", "--cents")
    messy.snap("basis", "basis")
    messy.snap("basis-json", "basis", "--json")
    messy.snap("events", "events")
    messy.snap("events-json", "events", "--json")
    messy.snap("audit", "audit", "--as-of", AS_OF, code=1)
    messy.snap("audit-json", "audit", "--json", "--as-of", AS_OF, code=1)
    messy.snap("audit-dana-2021", "audit", "-t", "dana", "-y", "2021", "--as-of", AS_OF, code=None)
    messy.snap("plan-isolate", "plan", "isolate", "-t", "dana", "-y", "2024", code=None)
    messy.snap("plan-backdoor", "plan", "backdoor", "-t", "lee", "-y", "2025", "--amount", "7,000", code=None)
    messy.snap(
        "plan-backdoor-json", "plan", "backdoor", "-t", "lee", "-y", "2025", "--amount", "7,000", "--json", code=None
    )
    xlsx = messy.tmp / "messy.xlsx"
    messy.snap("report", "report", "--xlsx", str(xlsx), "--as-of", AS_OF)
    check_text(workbook_dump(xlsx), GOLDEN / "messy" / "report.xlsx.txt")
    blank = messy.tmp / "f8606-2023-blank.pdf"
    blank_form(blank, 2023)
    filled = messy.tmp / "f8606-2023-dana.pdf"
    messy.snap("fill", "fill", "-t", "dana", "-y", "2023", "--form", str(blank), "-o", str(filled))
    check_text(filled_fields(filled), GOLDEN / "messy" / "fill.fields.json")
