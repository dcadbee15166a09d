"""One taxpayer's (one chain's) Form 8606 history as a worksheet of live formulas.

Columns are tax years. Rows, in the order printed: the form as computed (each line only where the form uses it),
the form as filed (the imported Form 8606, shaded where it differs), the basis chart; then, outside the print
area, the year's inputs as values (each with its events in a cell note) and a working section that computes
every line every year exactly as engine/form8606.py does (8606 lines 1-25c: ROUND of line 10 to the chosen
places, MIN(...,1), half-up ROUND of each money line, the cap of line 13 at line 5, line 2 = the basis carried
out of the year before).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from basis_ledger.engine.results import LINE_KEYS
from basis_ledger.render.safe import cell
from basis_ledger.render.workbook_xml import Look, Styled

# (row key, label, engine input field, event-kind inputs it sums, only these account types)
INPUTS = (
    ("nd", "Nondeductible contributions for the year", "nondeductible", ("nondeductible", "traditional_undeclared")),
    (
        "nd_next",
        "  of which deposited 1 Jan to the deadline of the next year",
        "nondeductible_next_year",
        ("nondeductible", "traditional_undeclared"),
    ),
    (
        "ret",
        "Traditional contributions returned or recharacterized",
        "returned_traditional",
        ("returned", "recharacterized"),
    ),
    ("added", "After-tax plan money rolled in (line 2)", "basis_added", ("basis_added",)),
    ("late", "Contributions returned after the extended due date (off line 2)", "returned_late", ("returned",)),
    ("open", "Opening basis (line 14 of a form filed before the ledger)", "opening_basis", ("opening_basis",)),
    ("has_open", "  opening basis given (1 = yes)", "has_opening_basis", ("opening_basis",)),
    ("dist", "Distributions", "distribution", ("distribution",)),
    ("conv", "Conversions to Roth", "conversion", ("conversion",)),
    ("rechar", "Conversions recharacterized (before 2018)", "recharacterized_conversion", ("recharacterized",)),
    ("roll", "Rollovers out less rollovers in", "rollover_net", ("rollover_out", "rollover_in")),
    ("value", "Value of traditional, SEP, SIMPLE IRAs on 31 December", "year_end_value", ("year_end_value",)),
    (
        "rechar6",
        "Recharacterized into (+) or out of (-) them after 31 December",
        "value_recharacterized",
        ("recharacterized", "recharacterized_roth_contribution", "recharacterization_transfer"),
    ),
    ("missing6", "  accounts open without a 31 December value", "year_end_value_missing", ("year_end_value",)),
    (
        "rc",
        "Regular Roth contributions (less returned or recharacterized)",
        "roth_contribution",
        (
            "roth_contribution",
            "returned",
            "recharacterized",
            "recharacterized_roth_contribution",
            "roth_contribution_rollover",
        ),
    ),
    ("open_c", "Opening Roth contribution basis", "opening_roth_contribution", ("opening_roth_contribution",)),
    ("has_open_c", "  given (1 = yes)", "has_opening_roth_contribution", ("opening_roth_contribution",)),
    ("open_v", "Opening Roth conversion basis", "opening_roth_conversion", ("opening_roth_conversion",)),
    ("has_open_v", "  given (1 = yes)", "has_opening_roth_conversion", ("opening_roth_conversion",)),
    ("plan_roth", "Plan rollovers into Roth IRAs", "roth_rollover_in", ("rollover_from_plan",)),
    ("nq", "Nonqualified Roth distributions", "roth_distribution_nonqualified", ("roth_distribution",)),
)
COUNTS = {"has_open", "has_open_c", "has_open_v", "missing6"}
# The routed engine inputs (engine/routing.py) whose events a row's cell note lists, where they are not just the
# row's own field: contributions nobody declared reach line 1 through the declarations (engine/inputs.py).
FEEDS = {
    "rechar6": (
        "recharacterized_out_next_year",
        "recharacterized_conversion_next_year",
        "recharacterized_in_next_year",
        "transferred_in_next_year",
        "transferred_out_next_year",
    ),
    "nd": ("nondeductible", "undeclared_in_year", "undeclared_next_year"),
    "nd_next": ("nondeductible_next_year", "undeclared_next_year"),
}

# Working rows: (key, label, formula template). {x} is this year's cell of row x, {x@prev} last year's (0 in
# the first year), {P} the line-10 places, {D} the decimals of a money line.
WORK = (
    ("basis_in", "Basis carried in", "MAX(IF({has_open}>0,{open},{basis_end@prev})+{added}-{late},0)"),
    ("l1c", "Line 1 before rounding", "MAX({nd}-{ret},0)"),
    ("w1", "Line 1", "ROUND({l1c},{D})"),
    ("w2", "Line 2 (= basis carried out of last year)", "ROUND({basis_in},{D})"),
    ("w3", "Line 3", "{w1}+{w2}"),
    ("rolled", "Rollovers outstanding (running total)", "{rolled@prev}+{roll}"),
    ("value6", "Line 6 before rounding", "MAX({value}+MAX({rolled},0)+{rechar6},0)"),
    ("convnet", "Net conversions", "MAX({conv}-{rechar},0)"),
    (
        "part1",
        "Part I needed",
        "OR({l1c}>0,AND({basis_in}>0,{dist}>0),AND({basis_in}>0,{convnet}>0,OR({value6}>0,{missing6}>0)))",
    ),
    ("full", "Lines 4-13 needed", "AND({part1},{dist}+{convnet}>0)"),
    ("part2", "Part II needed", "{convnet}>0"),
    ("part3", "Part III needed", "{nq}>0"),
    ("w4", "Line 4", "MIN(ROUND(MIN({nd_next},{l1c}),{D}),{w1})"),
    ("w5", "Line 5", "{w3}-{w4}"),
    ("w6", "Line 6", "ROUND({value6},{D})"),
    ("w7", "Line 7", "ROUND({dist},{D})"),
    ("w8", "Line 8", "ROUND({convnet},{D})"),
    ("w9", "Line 9", "{w6}+{w7}+{w8}"),
    ("w10", "Line 10 (rounded, at most 1)", "IF({w9}>0,MIN(ROUND({w5}/{w9},{P}),1),1)"),
    ("raw11", "Line 11 before the cap", "ROUND({w8}*{w10},{D})"),
    ("raw12", "Line 12 before the cap", "ROUND({w7}*{w10},{D})"),
    ("excess", "Lines 11 + 12 over line 5 (taken off 11, then 12)", "MAX({raw11}+{raw12}-{w5},0)"),
    ("w11", "Line 11", "{raw11}-MIN({excess},{raw11})"),
    ("w12", "Line 12", "{raw12}-({excess}-MIN({excess},{raw11}))"),
    ("w13", "Line 13", "{w11}+{w12}"),
    ("w14", "Line 14", "IF({full},{w3}-{w13},{w3})"),
    ("w15a", "Line 15a", "{w7}-{w12}"),
    ("w15b", "Line 15b", "0"),
    ("w15c", "Line 15c", "{w15a}-{w15b}"),
    ("w16", "Line 16", "ROUND({convnet},{D})"),
    ("w17", "Line 17", "IF({full},{w11},MIN({w2},{w16}))"),
    ("w18", "Line 18", "{w16}-{w17}"),
    (
        "basis_end",
        "Basis carried out of the year (an opening balance for it: that balance)",
        "IF({has_open@next}>0,{open@next},IF({part1},{w14},IF({part2},{w2}-{w17},{basis_in})))",
    ),
    ("rc_pre", "Roth contribution basis before distributions", "MAX(IF({has_open_c}>0,{open_c},{rc_end@prev})+{rc},0)"),
    (
        "rv_pre",
        "Roth conversion basis before distributions",
        "IF({has_open_v}>0,{open_v},{rv_end@prev})+{w16}+{plan_roth}",
    ),
    ("w19", "Line 19", "ROUND({nq},{D})"),
    ("w20", "Line 20", "0"),
    ("w21", "Line 21", "MAX({w19}-{w20},0)"),
    ("w22", "Line 22", "ROUND({rc_pre},{D})"),
    ("w23", "Line 23", "MAX({w21}-{w22},0)"),
    ("w24", "Line 24", "ROUND({rv_pre},{D})"),
    ("w25a", "Line 25a", "MAX({w23}-{w24},0)"),
    ("w25b", "Line 25b", "0"),
    ("w25c", "Line 25c", "{w25a}-{w25b}"),
    (
        "rc_end",
        "Roth contribution basis carried",
        "IF({has_open_c@next}>0,{open_c@next},IF({part3},MAX({w22}-{w19},0),{rc_pre}))",
    ),
    (
        "rv_end",
        "Roth conversion basis carried",
        "IF({has_open_v@next}>0,{open_v@next},IF({part3},MAX({w24}-MAX({w19}-{w22},0),0),{rv_pre}))",
    ),
)
FLAGS = {"part1", "full", "part2", "part3"}
YES_NO = '"yes";"yes";"no"'  # TRUE and FALSE as words, whatever the spreadsheet stores them as


def presence(line: str) -> str:
    """When the form uses a line (engine/form8606.py presence masks)."""
    if line in ("1", "2", "3", "14"):
        return "{part1}"
    if line in ("16", "17", "18"):
        return "{part2}"
    if line in ("19", "20", "21", "22", "23"):
        return "{part3}"
    if line in ("24", "25a"):
        return "AND({part3},{w23}>0)"
    if line in ("25b", "25c"):
        return "AND({part3},{w23}>0,{w25a}>0)"
    return "{full}"


@dataclass
class Layout:
    rows: dict[str, int]
    first_col: int
    years: list[int]
    form_rows: dict[str, int]
    end_rows: dict[str, int]
    filed_rows: dict[str, int]
    chart_row: int  # the basis chart's top row, inside the print area
    print_end: int  # the last printed row: the title, both forms and the chart
    last_row: int


HEADER_ROW = 5
FIRST_COL = 3
CHART_ROWS = 20
END_ROWS = (
    ("required", "Form 8606 required", "OR({part1},{part2},{part3})"),
    ("basis_end", "Basis carried forward", "{basis_end}"),
    ("roth_contribution_basis_end", "Roth contribution basis carried", "{rc_end}"),
    ("roth_conversion_basis_end", "Roth conversion basis carried", "{rv_end}"),
)


def layout(years: list[int]) -> Layout:
    """Where everything goes. What is printed comes first: the form as computed, the form as filed beside it
    (the same columns, the next block down) and the chart; then the inputs and the working rows the formulas
    use, on screen but outside the print area."""
    r = HEADER_ROW + 1
    form_rows, end_rows, filed_rows, rows = {}, {}, {}, {}
    r += 1  # section title
    for line in LINE_KEYS:
        form_rows[line], r = r, r + 1
    for key, _, _ in END_ROWS:
        end_rows[key], r = r, r + 1
    r += 2  # blank, section title
    filed_rows["source"], r = r, r + 1
    for line in LINE_KEYS:
        filed_rows[line], r = r, r + 1
    chart_row = r + 1
    print_end = chart_row + CHART_ROWS
    r = print_end + 2  # blank, section title
    for key, *_ in INPUTS:
        rows[key], r = r, r + 1
    r += 2
    for key, *_ in WORK:
        rows[key], r = r, r + 1
    return Layout(rows, FIRST_COL, years, form_rows, end_rows, filed_rows, chart_row, print_end, r - 1)


@cache
def _formulas(j: int, last: bool) -> dict[str, str]:
    """Every formula of year column j (the last year's or not), the same on every sheet (the layout is fixed),
    built once per column."""
    from openpyxl.utils import get_column_letter as col

    lay = layout([0] * (j + 1))
    here = {k: f"{col(FIRST_COL + j)}{n}" for k, n in lay.rows.items()}
    prev = {f"{k}@prev": (f"{col(FIRST_COL + j - 1)}{n}" if j else "0") for k, n in lay.rows.items()}
    nxt = {f"{k}@next": ("0" if last else f"{col(FIRST_COL + j + 1)}{n}") for k, n in lay.rows.items()}
    refs = {"P": "$C$2", "D": "$C$3"}
    out = {key: "=" + template.format(**here, **prev, **nxt, **refs) for key, _, template in WORK}
    for line in LINE_KEYS:
        out["form " + line] = f'=IF({presence(line).format(**here)},{here["w" + line]},"")'
    for key, _, source in END_ROWS:
        out["end " + key] = "=" + source.format(**here)
    return out


class _Grid:
    """Rows being built: row number -> cells, one cell per column from A."""

    def __init__(self, ncols: int) -> None:
        self.rows: dict[int, list] = {}
        self.ncols = ncols

    def put(self, r: int, c: int, value, fmt: str | None = None, font=None, fill=None, note=None) -> None:
        row = self.rows.get(r)
        if row is None:
            row = self.rows[r] = [None] * self.ncols
        if fmt is None and font is None and fill is None and note is None:
            row[c - 1] = value
        else:
            row[c - 1] = Styled(
                value, None if fmt is None and font is None and fill is None else _look(fmt, font, fill), note
            )


def _formats(opts) -> tuple[str, str]:
    return ("#,##0.00" if opts.cents else "#,##0"), "0." + "0" * opts.ratio_places


@cache
def fixed_rows(n: int, cents: bool, ratio_places: int) -> dict[int, list]:
    """The rows that are the same on every sheet of n years (labels, the form's and the working formulas): built
    once, and render.workbook_xml.SheetRows keeps their XML once per workbook."""
    from types import SimpleNamespace

    lay = layout([0] * n)
    money_fmt, ratio_fmt = _formats(SimpleNamespace(cents=cents, ratio_places=ratio_places))
    g = _Grid(FIRST_COL + n - 1)
    put = g.put
    bold = "bold"
    put(2, 1, "Line 10: decimal places")
    put(2, 2, "change to re-run")
    put(2, 3, ratio_places)
    put(3, 1, "Money lines: decimals (0 = whole dollars)")
    put(3, 2, "change to re-run")
    put(3, 3, 2 if cents else 0)
    put(HEADER_ROW + 1, 1, "Form 8606 as computed from the ledger (blank where the form skips the line)", font=bold)
    formulas = [_formulas(j, j == n - 1) for j in range(n)]
    for line, r in lay.form_rows.items():
        put(r, 1, f"Line {line}")
        put(r, 2, line)
        for j in range(n):
            put(r, FIRST_COL + j, formulas[j]["form " + line], ratio_fmt if line == "10" else money_fmt)
    for key, label, _ in END_ROWS:
        r = lay.end_rows[key]
        put(r, 1, label, font=bold)
        for j in range(n):
            put(r, FIRST_COL + j, formulas[j]["end " + key], YES_NO if key == "required" else money_fmt)
    top = lay.filed_rows["source"]
    put(top - 1, 1, "Form 8606 as filed (the imported forms; shaded where it differs from the computation)", font=bold)
    # No "Inputs" title: layout() puts the first input on the row after the blank one (a title written there was
    # always overwritten by it, so the workbook never showed one).
    first_work = lay.rows[WORK[0][0]]
    put(first_work - 1, 1, "Working: every line computed every year (the form shows a line only where used)", font=bold)
    for key, label, _ in WORK:
        r = lay.rows[key]
        put(r, 1, label)
        if key.startswith("w") and key[1:] in LINE_KEYS:
            put(r, 2, f"line {key[1:]}")
        fmt = YES_NO if key in FLAGS else ratio_fmt if key == "w10" else money_fmt
        for j in range(n):
            put(r, FIRST_COL + j, formulas[j][key], fmt)
    return g.rows


def form_sheet_rows(title, years, inputs, notes, opts, filed) -> tuple[Layout, dict[int, list]]:
    """The rows of one chain's sheet that differ from sheet to sheet (the title, the years, the filed forms, the
    inputs), by row number; fixed_rows() has the others. For render.workbook_xml.SheetRows.

    inputs: row key -> cents per year; notes: (row key, year) -> provenance text; filed: year -> (source file,
    line -> cents or line 10 Decimal, lines that differ from the computation)."""
    lay = layout(years)
    money_fmt, ratio_fmt = _formats(opts)
    g = _Grid(FIRST_COL + len(years) - 1)
    put = g.put
    put(1, 1, cell(title), font="big")
    put(HEADER_ROW, 1, "Item", font="bold")
    put(HEADER_ROW, 2, "Line", font="bold")
    for j, y in enumerate(years):
        put(HEADER_ROW, FIRST_COL + j, y, font="bold")
    top = lay.filed_rows["source"]
    put(top, 1, "Form 8606 imported (the file is in the cell's note)")
    for j, y in enumerate(years):
        if y in filed:
            put(top, FIRST_COL + j, "imported", note=cell(filed[y][0]))
        else:
            put(top, FIRST_COL + j, "none")
    for line in LINE_KEYS:
        r = lay.filed_rows[line]
        put(r, 1, f"Line {line}")
        put(r, 2, line)
        for j, y in enumerate(years):
            if y not in filed or line not in filed[y][1]:
                continue
            v = filed[y][1][line]
            value = v if line == "10" else Decimal(int(v)).scaleb(-2)
            fill = "differs" if line in filed[y][2] else None
            put(r, FIRST_COL + j, value, ratio_fmt if line == "10" else money_fmt, fill=fill)
    for key, label, _field, kinds_ in INPUTS:
        r = lay.rows[key]
        put(r, 1, label)
        put(r, 2, cell(", ".join(kinds_)))
        for j, y in enumerate(years):
            v = inputs[key][j]
            value = v if key in COUNTS else Decimal(int(v)).scaleb(-2)
            put(r, FIRST_COL + j, value, "0" if key in COUNTS else "#,##0.00", note=notes.get((key, y)))
    return lay, g.rows


@cache
def _look(fmt: str | None, font: str | None, fill: str | None) -> Look:
    return Look(fmt, font, fill)


def setup_print(ws, lay: Layout) -> None:
    """Print the title, both forms and the chart on one page: label columns and the year row repeated, fitted to
    the page, landscape when the years make it wide. Column widths and panes (written before the rows)."""
    from openpyxl.utils import get_column_letter as col

    last = col(FIRST_COL + len(lay.years) - 1)
    ws.column_dimensions["A"].width = 46
    ws.column_dimensions["B"].width = 8
    for j in range(len(lay.years)):
        ws.column_dimensions[col(FIRST_COL + j)].width = 12
    ws.freeze_panes = f"{col(FIRST_COL)}{HEADER_ROW + 1}"
    ws.print_area = f"A1:{last}{lay.print_end}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_title_cols = "A:B"
    # One page: the blocks are tall, so portrait fits them largest until the years make the page wide.
    ws.page_setup.orientation = "landscape" if len(lay.years) > 7 else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.oddFooter.center.text = "&A, page &P of &N"


def add_basis_chart(ws, lay: Layout) -> None:
    """Basis carried forward by year: straight segments between one marked point per year (nothing is implied
    between years), anchored inside the print area and as wide as the printed columns."""
    from openpyxl.chart import LineChart, Reference, Series

    chart = LineChart()
    chart.title = "Basis carried forward, by year"
    chart.y_axis.title = "dollars"
    chart.x_axis.title = "tax year"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    last = FIRST_COL + len(lay.years) - 1
    for key, title in (
        ("basis_end", "Traditional IRA basis (line 14)"),
        ("roth_contribution_basis_end", "Roth contribution basis"),
        ("roth_conversion_basis_end", "Roth conversion basis"),
    ):
        row = lay.end_rows[key]
        series = Series(Reference(ws, min_col=FIRST_COL, max_col=last, min_row=row), title=title)
        series.smooth = False
        series.marker.symbol = "circle"
        chart.series.append(series)
    chart.set_categories(Reference(ws, min_col=FIRST_COL, max_col=last, min_row=HEADER_ROW))
    chart.height = CHART_ROWS * 0.5  # cm: 20 rows of the default 0.5 cm
    chart.width = min(12 * 0.23 * len(lay.years) + 46 * 0.23 + 8 * 0.23, 40)  # the printed columns, in cm
    ws.add_chart(chart, f"A{lay.chart_row}")
