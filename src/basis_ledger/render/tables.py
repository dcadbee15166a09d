"""Rich tables for people, CSV for spreadsheets. Text cells go through render.safe."""

from __future__ import annotations

import csv
from typing import IO, TYPE_CHECKING, Any

from basis_ledger.engine.form8606 import line_table
from basis_ledger.engine.results import LINE_KEYS
from basis_ledger.render.safe import cell

if TYPE_CHECKING:
    from rich.console import Console

BASIS_COLUMNS = (
    "taxpayer",
    "chain",
    "tax_year",
    "form_required",
    "basis_in",
    "contributions",
    "nontaxable_used",
    "basis_end",
    "roth_contribution_basis_end",
    "roth_conversion_basis_end",
    "warnings",
)


def _fmt(v: Any) -> str:
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, str) and v.replace(".", "", 1).isdigit() and "." in v and len(v.split(".")[1]) == 2:
        whole, frac = v.split(".")
        return f"{int(whole):,}.{frac}"
    return str(v)


def lines_tables(objects: list[dict], out: Console) -> None:
    from rich.table import Table

    labels = line_table()
    for obj in objects:
        title = f"{obj['taxpayer']} - {obj['tax_year']} Form 8606"
        if obj["chain"] != "own":
            title += f" ({obj['chain']})"
        if not obj["form_required"]:
            out.print(f"[bold]{title}[/bold]: no Form 8606 needed; basis carried forward {_fmt(obj['basis_end'])}")
        else:
            table = Table(title=title, title_justify="left")
            table.add_column("Line", justify="right")
            table.add_column("Part")
            table.add_column("What", overflow="fold")
            table.add_column("Amount", justify="right")
            for key, value in obj["lines"].items():
                table.add_row(key, labels[key]["part"], labels[key]["text"], _fmt(value))
            out.print(table)
        for w in obj["warnings"]:
            out.print(f"  [yellow]warning[/yellow] {w['code']}: {w['message']}", highlight=False)


def lines_csv(objects: list[dict], stream: IO[str]) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    header = [
        "taxpayer",
        "chain",
        "tax_year",
        "form_required",
        *[f"line_{k}" for k in LINE_KEYS],
        "basis_end",
        "roth_contribution_basis_end",
        "roth_conversion_basis_end",
        "warnings",
    ]
    writer.writerow(header)
    for o in objects:
        writer.writerow(
            [
                cell(o["taxpayer"]),
                cell(o["chain"]),
                o["tax_year"],
                o["form_required"],
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


def basis_table(rows: list[dict], out: Console) -> None:
    from rich.table import Table

    table = Table(title="Basis history (Form 8606)", title_justify="left")
    heads = (
        "Taxpayer",
        "Chain",
        "Year",
        "8606?",
        "Line 2 in",
        "Line 1 added",
        "Nontaxable used",
        "Basis carried",
        "Roth contrib. basis",
        "Roth conv. basis",
        "Warnings",
    )
    for h in heads:
        table.add_column(h, justify="right" if h not in ("Taxpayer", "Chain", "Warnings") else "left")
    for r in rows:
        table.add_row(
            r["taxpayer"],
            r["chain"],
            str(r["tax_year"]),
            "yes" if r["form_required"] else "no",
            *[
                ("" if r[k] is None else _fmt(r[k]))
                for k in (
                    "basis_in",
                    "contributions",
                    "nontaxable_used",
                    "basis_end",
                    "roth_contribution_basis_end",
                    "roth_conversion_basis_end",
                )
            ],
            ", ".join(r["warnings"]),
        )
    out.print(table)


def events_table(rows: list[dict], out: Console) -> None:
    from rich.table import Table

    table = Table(title=f"{len(rows):,} events", title_justify="left")
    for h in ("id", "taxpayer", "date", "tax_year", "account", "account_type", "kind", "amount", "source"):
        table.add_column(h, justify="right" if h in ("id", "amount", "tax_year") else "left")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["taxpayer"],
            r["date"],
            str(r["tax_year"]),
            r["account"],
            r["account_type"],
            r["kind"],
            r["amount"],
            f"{r['source_file']}:{r['source_line']} ({r['source_sha256'][:12]})",
        )
    out.print(table)
