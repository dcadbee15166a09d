"""Audit findings for people: a rich table (errors first), three columns so it reads in a narrow terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from basis_ledger.audit.findings import Finding

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def findings_table(findings: list[Finding], out: Console) -> None:
    from rich.markup import escape
    from rich.table import Table

    if not findings:
        out.print("No findings: the history, the filed forms and the custodian documents agree.")
        return
    table = Table(title=f"Audit: {len(findings)} findings", title_justify="left", show_lines=True)
    table.add_column("Finding", overflow="fold", max_width=26)
    table.add_column("Expected / found", overflow="fold", max_width=22)
    table.add_column("What it means, and where each number comes from", overflow="fold", ratio=1)
    for f in findings:
        who = f.taxpayer if f.chain == "own" else f"{f.taxpayer} ({f.chain})"
        line = f", line {f.line}" if f.line else ""
        head = f"[{_STYLE[f.severity]}]{f.severity}[/]\n{escape(f.code)}\n{escape(who)} {f.tax_year}{escape(line)}"
        values = f"expected {escape(f.expected or '-')}\nfound {escape(f.found or '-')}"
        evidence = "".join(f"\n- {e.file}, {e.where}" + (f": {e.what}" if e.what else "") for e in f.evidence)
        table.add_row(head, values, escape(f.message) + f"[dim]{escape(evidence)}[/]")
    out.print(table)
    counts = [(s, sum(f.severity == s for f in findings)) for s in _STYLE]
    out.print(", ".join(f"{n} {s}{'' if n == 1 else 's'}" for s, n in counts if n))
