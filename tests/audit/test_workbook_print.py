"""The workbook as an accountant prints it (issue 15): print areas, repeated titles and label columns, one page per
person, a straight-line chart, the form as filed beside the form as computed, the Events sheet's lines as in
docs/events.md; and, with LibreOffice, the PDF it prints: its page count and page 1 rendered (pdftoppm)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from basis_ledger.engine.results import LINE_KEYS
from tests.core.helpers import cli

ROOT = Path(__file__).resolve().parents[2]
HOUSE = ROOT / "sample_data" / "messy-household"


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("print")
    db = d / "messy.db"
    for args in (
        ("taxpayer", "set", "dana", "--full-name", "Dana Q. Messy", "--ssn-last4", "1111"),
        ("taxpayer", "set", "lee", "--full-name", "Lee R. Messy", "--ssn-last4", "2222"),
        ("account", "set", "ACME-401K", "--owner", "dana", "--type", "plan"),
        ("import", *map(str, sorted(HOUSE.glob("*.csv"))), *map(str, sorted(HOUSE.glob("*.pdf")))),
        ("report", "--xlsx", str(d / "messy.xlsx"), "--as-of", "2026-06-01"),
    ):
        res = cli(*args, ledger=db)
        assert res.returncode == 0, (args, res.stderr)
    return d / "messy.xlsx"


def _blocks(ws) -> tuple[dict, dict, list]:
    """(computed line -> row, filed line -> row, the year header) of a person's sheet."""
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    computed: dict = {}
    filed: dict = {}
    for row in grid:
        if row[1] in LINE_KEYS:
            (filed if row[1] in computed else computed)[row[1]] = row
    return computed, filed, grid[4]


def test_print_setup_of_every_sheet(messy):
    from openpyxl import load_workbook

    wb = load_workbook(messy)
    people = [ws for ws in wb.worksheets if ws.title not in ("Findings", "Events")]
    assert [ws.title for ws in people] == ["dana", "lee"]
    for ws in people:
        years = len(_blocks(ws)[2]) - 2
        assert ws.print_area and ws.print_area.startswith(f"'{ws.title}'!$A$1:")
        assert ws.print_title_rows == "$5:$5" and ws.print_title_cols == "$A:$B"
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1)
        assert ws.page_setup.orientation == ("landscape" if years > 7 else "portrait")
        (chart,) = ws._charts
        assert [s.smooth for s in chart.series] == [False, False, False]  # straight segments, no curve
        assert {s.marker.symbol for s in chart.series} == {"circle"}  # one marked point per year
        anchor_row = chart.anchor._from.row + 1
        last_printed = int(ws.print_area.rsplit("$", 1)[1])
        assert anchor_row + chart.height / 0.5 <= last_printed + 1  # the chart is inside the print area
    for name in ("Findings", "Events"):
        ws = wb[name]
        assert ws.print_title_rows == "$1:$1" and ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1


def test_as_filed_is_the_imported_form_beside_the_computed_one(messy):
    from openpyxl import load_workbook

    ws = load_workbook(messy)["dana"]
    computed, filed, header = _blocks(ws)
    c2021 = header.index(2021)
    # dana's filed 2021 form says line 2 = 17,000 and line 14 = 21,227; the ledger computes 23,000 and 26,764
    assert filed["2"][c2021] == 17000 and filed["14"][c2021] == 21227
    assert str(computed["2"][c2021]).startswith("=")  # the computed block is live formulas
    shaded = ws.cell(next(r for r in range(1, ws.max_row) if ws.cell(r, 2).value == "2" and r > 40), c2021 + 1)
    assert shaded.fill.fgColor.rgb.endswith("FFF2CC")  # a line that differs is shaded
    c2020 = header.index(2020)
    assert filed["2"][c2020] is None  # no 2020 form was imported
    imported = next(row for row in ws.iter_rows(values_only=True) if str(row[0]).startswith("Form 8606 imported"))
    assert imported[c2020] == "none" and imported[c2021] == "imported"


def test_events_sheet_lines_follow_the_routing(messy):
    from openpyxl import load_workbook

    rows = list(load_workbook(messy)["Events"].iter_rows(values_only=True))
    head = rows[0]
    kind, atype, lines = head.index("Kind"), head.index("Account type"), head.index("8606 lines")
    seen = {(r[kind], r[atype]): r[lines] for r in rows[1:]}
    assert seen[("year_end_value", "traditional")] == "6"
    assert seen[("year_end_value", "roth")] == "none"  # a Roth IRA's year-end value is kept, never on line 6
    assert seen[("conversion", "traditional")] == "8, 16, 24"  # as docs/events.md lists them


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed: make test")
def test_printed_pdf_has_one_page_per_person_and_page_1_shows_the_form(messy, tmp_path):
    res = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(messy),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    pdf = tmp_path / "messy.pdf"
    assert pdf.exists(), res.stderr
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    # dana and lee: one page each (their whole block of years); 18 findings and 28 events: one page each
    assert len(reader.pages) == 4
    first = reader.pages[0].extract_text()
    assert "dana: Form 8606 by year" in first and "as filed" in first and "Basis carried forward" in first
    width = float(reader.pages[0].mediabox.width)
    assert width < float(reader.pages[0].mediabox.height)  # dana's five years print portrait
    if shutil.which("pdftoppm"):
        png = tmp_path / "page1"
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(png)], check=True)
        (image,) = tmp_path.glob("page1*.png")
        assert image.stat().st_size > 20_000  # a page with the form and the chart on it, not a blank page
