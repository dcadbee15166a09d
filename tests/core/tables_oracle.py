"""The people's tables and the CSV as the per-row code wrote them, from engine.objects.as_objects (one dict per
computed year): frozen here as the reference that tests/core/test_tables_columns.py and test_read_path.py compare
the columns' writers in render/tables.py with (as tests/audit/rules_oracle.py is for the audit's rules)."""

from __future__ import annotations

import csv
from typing import IO

from rich.console import Console

from basis_ledger.engine.form8606 import line_table
from basis_ledger.engine.results import LINE_KEYS
from basis_ledger.money import amount_text
from basis_ledger.render.fit import print_table
from basis_ledger.render.safe import cell
from basis_ledger.render.tables import BASIS_COLUMNS, LINES_CSV_HEADER, _line_columns, basis_table_columns


def lines_tables(objects: list[dict], out: Console, wide: bool = False) -> None:
    labels = line_table()
    cols = _line_columns()
    for obj in objects:
        title = f"{obj['taxpayer']} - {obj['tax_year']} Form 8606"
        if obj["chain"] != "own":
            title += f" ({obj['chain']})"
        incomplete = not obj.get("complete", True)
        if incomplete:  # a figure the form needs is unknown: never let it pass for a finished form
            title += " - INCOMPLETE (line 6 unknown: see year-end-value-missing)"
        if not obj["form_required"]:
            carried = amount_text(obj["basis_end"])
            out.print(f"[bold]{title}[/bold]: no Form 8606 needed; basis carried forward {carried}")
        else:
            # Line 6 of an incomplete year is unknown: show what is known, never as if it were the value.
            body = [
                [
                    k,
                    labels[k]["part"],
                    labels[k]["text"],
                    f"? (only {amount_text(v)} known)" if incomplete and k == "6" else amount_text(v),
                ]
                for k, v in obj["lines"].items()
            ]
            print_table(out, title, cols, body, wide)
        for w in obj["warnings"]:
            out.print(f"  [yellow]warning[/yellow] {w['code']}: {w['message']}", highlight=False)


def lines_csv(objects: list[dict], stream: IO[str]) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(LINES_CSV_HEADER)
    for o in objects:
        writer.writerow(
            [
                cell(o["taxpayer"]),
                cell(o["chain"]),
                o["tax_year"],
                o["form_required"],
                o["complete"],
                *[o["lines"].get(k, "") for k in LINE_KEYS],
                o["basis_end"],
                o["roth_contribution_basis_end"],
                o["roth_conversion_basis_end"],
                cell(";".join(w["code"] for w in o["warnings"])),
            ]
        )


def basis_rows(objects: list[dict]) -> list[dict]:
    """The basis history: what came in (line 2), was added (line 1), was used (line 13 or 17), carries on."""
    rows = []
    for o in objects:
        lines = o["lines"]
        rows.append(
            {
                "taxpayer": o["taxpayer"],
                "chain": o["chain"],
                "tax_year": o["tax_year"],
                "form_required": o["form_required"],
                "complete": o["complete"],
                "basis_in": lines.get("2"),
                "contributions": lines.get("1"),
                "nontaxable_used": lines.get("13", lines.get("17")),
                "basis_end": o["basis_end"],
                "roth_contribution_basis_end": o["roth_contribution_basis_end"],
                "roth_conversion_basis_end": o["roth_conversion_basis_end"],
                "warnings": [w["code"] for w in o["warnings"]],
            }
        )
    return rows


def basis_table(rows: list[dict], out: Console, wide: bool = False) -> None:
    """The basis history of rows as basis_rows gives them (basis_table_columns prints it from columns)."""
    basis_table_columns({k: [r[k] for r in rows] for k in BASIS_COLUMNS}, out, wide)
