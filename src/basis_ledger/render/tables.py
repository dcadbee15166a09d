"""Rich tables for people, CSV for spreadsheets. Text cells go through render.safe."""

from __future__ import annotations

import csv
from typing import IO, TYPE_CHECKING, Any

from basis_ledger.engine.form8606 import line_table
from basis_ledger.engine.results import LINE_KEYS, STATE_KEYS
from basis_ledger.money import amount_text
from basis_ledger.render.fit import Col, print_table
from basis_ledger.render.safe import cell

if TYPE_CHECKING:
    from rich.console import Console

    from basis_ledger.engine.columns import Columns
    from basis_ledger.engine.form8606 import Options
    from basis_ledger.engine.results import Lines

BASIS_COLUMNS = (
    "taxpayer",
    "chain",
    "tax_year",
    "form_required",
    "complete",
    "basis_in",
    "contributions",
    "nontaxable_used",
    "basis_end",
    "roth_contribution_basis_end",
    "roth_conversion_basis_end",
    "warnings",
)


def _fmt(v: Any) -> str:
    return amount_text(v)  # money text has one home: money.py


def _line_columns() -> list[Col]:
    """The columns of a year's 8606 table: line, part, what it is, amount."""
    return [
        Col("Line", figure=True),
        Col("Part", rank=1, min_width=4),
        Col("What", min_width=20),
        Col("Amount", figure=True),
    ]


def lines_tables_columns(lines: Lines, opts: Options, out: Console, wide: bool = False) -> None:
    """Each computed year's 8606 table, printed from the columns: each line's amounts formatted
    once as a column, no dict per computed year (the same text; tests/core/test_tables_columns.py)."""
    from basis_ledger.engine.objects import money_values, ratio_values

    labels = line_table()
    cols = _line_columns()
    shown: dict[str, tuple[list[Any], list[bool]]] = {}  # line -> (its value per row, whether the row has it)
    for k in LINE_KEYS:
        if lines.present[k].any():
            values = ratio_values(lines.values[k], opts) if k == "10" else money_values(lines.values[k], opts)
            shown[k] = (values, lines.present[k].tolist())
    carried = money_values(lines.state["basis_end"], opts)
    rows = zip(
        lines.taxpayer.tolist(),
        lines.chain.tolist(),
        lines.tax_year.tolist(),
        lines.flags["form_required"].tolist(),
        lines.flags["complete"].tolist(),
        carried,
        lines.cautions,
        strict=True,
    )
    for r, (taxpayer, chain, year, required, complete, basis_end, cautions) in enumerate(rows):
        title = f"{taxpayer} - {year} Form 8606"
        if chain != "own":
            title += f" ({chain})"
        incomplete = not complete
        if incomplete:  # a figure the form needs is unknown: never let it pass for a finished form
            title += " - INCOMPLETE (line 6 unknown: see year-end-value-missing)"
        if not required:
            out.print(f"[bold]{title}[/bold]: no Form 8606 needed; basis carried forward {_fmt(basis_end)}")
        else:
            # Line 6 of an incomplete year is unknown: show what is known, never as if it were the value.
            body = [
                [
                    k,
                    labels[k]["part"],
                    labels[k]["text"],
                    f"? (only {_fmt(v[r])} known)" if incomplete and k == "6" else _fmt(v[r]),
                ]
                for k, (v, has) in shown.items()
                if has[r]
            ]
            print_table(out, title, cols, body, wide)
        for w in cautions:
            out.print(f"  [yellow]warning[/yellow] {w.code}: {w.message}", highlight=False)


LINES_CSV_HEADER = [
    "taxpayer",
    "chain",
    "tax_year",
    "form_required",
    "complete",
    *[f"line_{k}" for k in LINE_KEYS],
    "basis_end",
    "roth_contribution_basis_end",
    "roth_conversion_basis_end",
    "warnings",
]


def lines_csv_columns(lines: Lines, opts: Options, stream: IO[str]) -> None:
    """`lines_csv(as_objects(lines, opts), stream)` written from the columns: one Python list per column and one
    zip, not a dict per computed year (the same bytes; tests/core/test_read_path.py compares them)."""
    from basis_ledger.engine.objects import money_values, ratio_values

    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(LINES_CSV_HEADER)
    safe: dict[str, str] = {}

    def cells(values: Any) -> list[str]:
        return [safe[v] if v in safe else safe.setdefault(v, cell(v)) for v in values.tolist()]

    columns: list[list[Any]] = [cells(lines.taxpayer), cells(lines.chain), lines.tax_year.tolist()]
    columns += [lines.flags["form_required"].tolist(), lines.flags["complete"].tolist()]
    for k in LINE_KEYS:
        present = lines.present[k]
        if not present.any():
            columns.append([""] * len(lines))
            continue
        shown = ratio_values(lines.values[k], opts) if k == "10" else money_values(lines.values[k], opts)
        columns.append([v if p else "" for v, p in zip(shown, present.tolist(), strict=True)])
    columns += [money_values(lines.state[k], opts) for k in STATE_KEYS]
    codes: dict[tuple[str, ...], str] = {}  # each distinct list of caution codes joined and neutralised once
    warned = [tuple(w.code for w in ws) for ws in lines.cautions]
    columns.append([codes[c] if c in codes else codes.setdefault(c, cell(";".join(c))) for c in warned])
    writer.writerows(zip(*columns, strict=True))


def basis_columns(lines: Lines, opts: Options) -> dict[str, list[Any]]:
    """The basis history (what came in on line 2, was added on line 1, was used on line 13 or 17, carries on) as
    one list per BASIS_COLUMNS name, made from the columns."""
    from basis_ledger.engine.objects import money_values

    def line(k: str, fallback: list[Any] | None = None) -> list[Any]:
        values, present = money_values(lines.values[k], opts), lines.present[k].tolist()
        none = fallback if fallback is not None else [None] * len(values)
        return [v if p else f for v, p, f in zip(values, present, none, strict=True)]

    return {
        "taxpayer": lines.taxpayer.tolist(),
        "chain": lines.chain.tolist(),
        "tax_year": lines.tax_year.tolist(),
        "form_required": lines.flags["form_required"].tolist(),
        "complete": lines.flags["complete"].tolist(),
        "basis_in": line("2"),
        "contributions": line("1"),
        "nontaxable_used": line("13", line("17")),
        **{k: money_values(lines.state[k], opts) for k in STATE_KEYS},
        "warnings": [[w.code for w in ws] for ws in lines.cautions],
    }


def rows_csv(header: list[str], rows: list[list], stream: IO[str]) -> None:
    """A CSV file: one header, numbers as they are, text neutralised against formula injection."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(header)
    for r in rows:
        writer.writerow([cell(v) for v in r])


def basis_table_columns(columns: dict[str, list[Any]], out: Console, wide: bool = False) -> None:
    """The basis history from basis_columns: each column's cells made as a column, then zipped into rows."""
    money = (
        "basis_in",
        "contributions",
        "nontaxable_used",
        "basis_end",
        "roth_contribution_basis_end",
        "roth_conversion_basis_end",
    )
    depends_on_6 = ("nontaxable_used", "basis_end")  # "?" where line 6 is unknown (year-end-value-missing)
    cols = [
        Col("Taxpayer", min_width=6),
        Col("Chain", rank=4),
        Col("Year", figure=True),
        Col("8606?", rank=3, min_width=5),
        Col("In (line 2)", figure=True, rank=2),
        Col("Added (line 1)", figure=True),
        Col("Used (13/17)", figure=True),
        Col("Carried", figure=True),
        Col("Roth contrib. basis", figure=True, rank=1),
        Col("Roth conv. basis", figure=True, rank=1),
        Col("Warnings", rank=2),
    ]
    complete = columns["complete"]

    def amounts(k: str) -> list[str]:
        unknown = " ?" if k in depends_on_6 else ""
        return [
            "" if v is None else _fmt(v) + ("" if ok else unknown) for v, ok in zip(columns[k], complete, strict=True)
        ]

    cells = [
        columns["taxpayer"],
        columns["chain"],
        [str(y) for y in columns["tax_year"]],
        [
            ("yes" if req else "no") + ("" if ok else ", INCOMPLETE")
            for req, ok in zip(columns["form_required"], complete, strict=True)
        ],
        *[amounts(k) for k in money],
        [", ".join(w) for w in columns["warnings"]],
    ]
    if all(c == "own" for c in columns["chain"]):  # one chain per person: the column says nothing
        cols.pop(1)
        cells.pop(1)
    body = [list(row) for row in zip(*cells, strict=True)]
    print_table(out, "Basis history (Form 8606)", cols, body, wide)


EVENT_COLUMNS = ("id", "taxpayer", "date", "tax_year", "account", "account_type", "kind", "amount", "source")


def events_table_columns(events: Columns, out: Console, wide: bool = False) -> None:
    """The events (amounts as format_cents gives them), from the columns: each column's cells made once, then
    zipped into rows."""
    from basis_ledger.money import format_cents

    def texts(name: str) -> list[Any]:
        return events.texts(name).tolist()

    def numbers(name: str) -> list[str]:
        return [str(v) for v in events.ints(name).tolist()]

    source = [
        f"{f}:{line} ({sha[:12]})"
        for f, line, sha in zip(texts("source_file"), texts("source_line"), texts("source_sha256"), strict=True)
    ]
    cells = [
        numbers("id"),
        *[texts(c) for c in ("taxpayer", "date")],
        numbers("tax_year"),
        *[texts(c) for c in ("account", "account_type", "kind")],
        [format_cents(c, whole=False) for c in events.ints("amount_cents").tolist()],
        source,
    ]
    _events_table(out, len(events), [list(row) for row in zip(*cells, strict=True)], wide)


def _events_table(out: Console, n: int, body: list[list[str]], wide: bool) -> None:
    cols = [
        Col("id", figure=True, rank=2),
        Col("taxpayer", min_width=6),
        Col("date", figure=True),
        Col("tax year", figure=True, rank=1),
        Col("account", rank=1),
        Col("account type", rank=3),
        Col("kind", min_width=12),
        Col("amount", figure=True),
        Col("source", rank=1, min_width=12),
    ]
    print_table(out, f"{n:,} events", cols, body, wide)


def taxpayer_cells(p: dict) -> list[str]:
    decl = ", ".join(
        f"{d['tax_year']}: {'all' if d['nondeductible'] == 'all' else _fmt(d['nondeductible'])}"
        for d in p["declarations"]
    )
    last4 = f"XXX-XX-{p['ssn_last4']}" if p["ssn_last4"] else ""
    roth = "" if p["roth_first_year"] is None else str(p["roth_first_year"])
    return [p["name"], p["full_name"] or "", p["birth_date"] or "", last4, roth, decl]


def taxpayers_table(people: list[dict], out: Console, wide: bool = False) -> None:
    cols = [
        Col("Taxpayer", min_width=6),
        Col("Full name", rank=1),
        Col("Born", figure=True),
        Col("SSN", figure=True, rank=2),
        Col("Roth since", figure=True, rank=2),
        Col("Declared nondeductible", rank=1, min_width=12),
    ]
    print_table(out, "Taxpayers", cols, [taxpayer_cells(p) for p in people], wide)


def accounts_table(rows: list[dict], out: Console, wide: bool = False) -> None:
    cols = [Col("Account", min_width=10), Col("Owner"), Col("Type"), Col("Custodian", rank=1)]
    body = [[r["account"], r["owner"], r["type"], r["custodian"] or ""] for r in rows]
    print_table(out, "Accounts", cols, body, wide)
