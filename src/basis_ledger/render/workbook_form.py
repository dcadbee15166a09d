"""One taxpayer's (one chain's) Form 8606 history as a worksheet of live formulas.

Columns are tax years. Rows: the year's inputs as values (each with its events in a cell note), then a working
section that computes every line every year exactly as engine/form8606.py does (8606 lines 1-25c: ROUND of line
10 to the chosen places, MIN(...,1), half-up ROUND of each money line, the cap of line 13 at line 5, line 2 =
the basis carried out of the year before), then the form as filed: each line shown only where the form uses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from basis_ledger.engine.results import LINE_KEYS
from basis_ledger.render.safe import cell

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


def write_form_sheet(ws, title: str, years: list[int], inputs: dict[str, list[int]], notes: dict, opts) -> Layout:
    """inputs: row key -> cents per year; notes: (row key, year) -> provenance text."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter as col

    bold = Font(bold=True)
    money_fmt = "#,##0.00" if opts.cents else "#,##0"
    ws["A1"] = cell(title)
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"], ws["C2"] = "Line 10: decimal places", opts.ratio_places
    ws["A3"], ws["C3"] = "Money lines: decimals (0 = whole dollars)", 2 if opts.cents else 0
    ws["B2"], ws["B3"] = "change to re-run", "change to re-run"
    header = 5
    ws.cell(header, 1, "Item").font = bold
    ws.cell(header, 2, "Line / events").font = bold
    first = 3
    for j, y in enumerate(years):
        ws.cell(header, first + j, y).font = bold
    ws.freeze_panes = ws.cell(header + 1, first)
    rows: dict[str, int] = {}
    r = header + 1

    def section(text: str) -> None:
        nonlocal r
        ws.cell(r, 1, text).font = bold
        r += 1

    section("Inputs: sums of the year's events (values; the events are on the Events sheet)")
    for key, label, _field, kinds_ in INPUTS:
        rows[key] = r
        ws.cell(r, 1, label)
        ws.cell(r, 2, cell(", ".join(kinds_)))
        for j, y in enumerate(years):
            v = inputs[key][j]
            c = ws.cell(r, first + j, v if key in COUNTS else Decimal(int(v)).scaleb(-2))
            c.number_format = "0" if key in COUNTS else "#,##0.00"
            if (key, y) in notes:
                c.comment = Comment(cell(notes[(key, y)]), "basis-ledger")
        r += 1
    r += 1
    section("Working: every line computed every year (the form shows a line only where it is used)")
    for key, _label, _ in WORK:
        rows[key] = r
        r += 1
    refs = {"P": "$C$2", "D": "$C$3"}
    for key, label, template in WORK:
        ws.cell(rows[key], 1, label)
        if key.startswith("w") and key[1:] in LINE_KEYS:
            ws.cell(rows[key], 2, f"line {key[1:]}")
        for j in range(len(years)):
            here = {k: f"{col(first + j)}{n}" for k, n in rows.items()}
            prev = {f"{k}@prev": (f"{col(first + j - 1)}{n}" if j else "0") for k, n in rows.items()}
            last = j == len(years) - 1
            nxt = {f"{k}@next": ("0" if last else f"{col(first + j + 1)}{n}") for k, n in rows.items()}
            c = ws.cell(rows[key], first + j, "=" + template.format(**here, **prev, **nxt, **refs))
            c.number_format = "0." + "0" * opts.ratio_places if key == "w10" else money_fmt
            if key in FLAGS:
                c.number_format = YES_NO
    r += 1
    section("Form 8606 as filed (blank where the form skips the line)")
    form_rows: dict[str, int] = {}
    for line in LINE_KEYS:
        form_rows[line] = r
        ws.cell(r, 1, f"Line {line}")
        ws.cell(r, 2, line)
        for j in range(len(years)):
            here = {k: f"{col(first + j)}{n}" for k, n in rows.items()}
            cond = presence(line).format(**here)
            c = ws.cell(r, first + j, f'=IF({cond},{here["w" + line]},"")')
            c.number_format = "0." + "0" * opts.ratio_places if line == "10" else money_fmt
        r += 1
    end_rows = {}
    for key, label, source in (
        ("required", "Form 8606 required", "OR({part1},{part2},{part3})"),
        ("basis_end", "Basis carried forward", "{basis_end}"),
        ("roth_contribution_basis_end", "Roth contribution basis carried", "{rc_end}"),
        ("roth_conversion_basis_end", "Roth conversion basis carried", "{rv_end}"),
    ):
        end_rows[key] = r
        ws.cell(r, 1, label).font = bold
        for j in range(len(years)):
            here = {k: f"{col(first + j)}{n}" for k, n in rows.items()}
            c = ws.cell(r, first + j, "=" + source.format(**here))
            c.number_format = YES_NO if key == "required" else "#,##0.00"
        r += 1
    ws.column_dimensions["A"].width = 56
    ws.column_dimensions["B"].width = 30
    for j in range(len(years)):
        ws.column_dimensions[col(first + j)].width = 14
    return Layout(rows, first, years, form_rows, end_rows)


def add_basis_chart(ws, layout: Layout, anchor_row: int) -> None:
    from openpyxl.chart import LineChart, Reference, Series

    chart = LineChart()
    chart.title = "Basis carried forward, by year"
    chart.y_axis.title = "dollars"
    chart.x_axis.title = "tax year"
    last = layout.first_col + len(layout.years) - 1
    for key, title in (
        ("basis_end", "Traditional IRA basis (line 14)"),
        ("roth_contribution_basis_end", "Roth contribution basis"),
        ("roth_conversion_basis_end", "Roth conversion basis"),
    ):
        row = layout.end_rows[key]
        chart.series.append(Series(Reference(ws, min_col=layout.first_col, max_col=last, min_row=row), title=title))
    chart.set_categories(Reference(ws, min_col=layout.first_col, max_col=last, min_row=5))
    chart.height, chart.width = 9, 22
    ws.add_chart(chart, f"A{anchor_row}")
