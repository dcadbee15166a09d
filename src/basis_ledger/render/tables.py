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


def _whole_table(title: str, heads: list[tuple[str, str, bool]], rows: list[list[str]]) -> tuple[object, int]:
    """A rich table whose figures are never cut: a column marked keep gets the width of its widest value, and
    only headers and free text wrap when the terminal is narrow."""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for i, (head, justify, keep) in enumerate(heads):
        widest = max((len(r[i]) for r in rows), default=0)
        if keep:
            table.add_column(head, justify=justify, no_wrap=True, min_width=widest, overflow="fold")
        else:
            table.add_column(head, justify=justify, overflow="fold")
    for r in rows:
        table.add_row(*r)
    # Every column at its widest value or header, plus borders and padding: a table wider than the terminal is
    # printed wider (the terminal wraps the line) rather than cutting a figure.
    needed = sum(max([len(r[i]) for r in rows] + [len(h)]) + 3 for i, (h, _j, _k) in enumerate(heads)) + 1
    return table, needed


def _print_whole(out: Console, title: str, heads, rows) -> None:
    table, needed = _whole_table(title, heads, rows)
    width = out.width
    out.width = max(width, needed)
    try:
        out.print(table)
    finally:
        out.width = width


def basis_table(rows: list[dict], out: Console) -> None:
    money = (
        "basis_in",
        "contributions",
        "nontaxable_used",
        "basis_end",
        "roth_contribution_basis_end",
        "roth_conversion_basis_end",
    )
    heads = [
        ("Taxpayer", "left", True),
        ("Chain", "left", False),
        ("Year", "right", True),
        ("8606?", "left", True),
        ("Line 2 in", "right", True),
        ("Line 1 added", "right", True),
        ("Nontaxable used", "right", True),
        ("Basis carried", "right", True),
        ("Roth contrib. basis", "right", True),
        ("Roth conv. basis", "right", True),
        ("Warnings", "left", False),
    ]
    body = [
        [
            r["taxpayer"],
            r["chain"],
            str(r["tax_year"]),
            "yes" if r["form_required"] else "no",
            *[("" if r[k] is None else _fmt(r[k])) for k in money],
            ", ".join(r["warnings"]),
        ]
        for r in rows
    ]
    if all(r["chain"] == "own" for r in rows):  # one chain per person: the column says nothing
        heads.pop(1)
        body = [b[:1] + b[2:] for b in body]
    _print_whole(out, "Basis history (Form 8606)", heads, body)


def events_table(rows: list[dict], out: Console) -> None:
    heads = [
        ("id", "right", True),
        ("taxpayer", "left", True),
        ("date", "left", True),
        ("tax_year", "right", True),
        ("account", "left", False),
        ("account_type", "left", False),
        ("kind", "left", False),
        ("amount", "right", True),
        ("source", "left", False),
    ]
    body = [
        [
            str(r["id"]),
            r["taxpayer"],
            r["date"],
            str(r["tax_year"]),
            r["account"],
            r["account_type"],
            r["kind"],
            r["amount"],
            f"{r['source_file']}:{r['source_line']} ({r['source_sha256'][:12]})",
        ]
        for r in rows
    ]
    _print_whole(out, f"{len(rows):,} events", heads, body)
