"""Audit findings for people: a rich table, errors first."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from basis_ledger.audit.findings import Finding

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def findings_table(findings: list[Finding], out: Console) -> None:
    from rich.markup import escape
    from rich.table import Table

    counts = {s: sum(f.severity == s for f in findings) for s in _STYLE}
    if not findings:
        out.print("No findings: the history, the filed forms and the custodian documents agree.")
        return
    table = Table(title=f"Audit: {len(findings)} findings", title_justify="left", show_lines=True)
    for head, justify in (
        ("Severity", "left"),
        ("Code", "left"),
        ("Taxpayer", "left"),
        ("Year", "right"),
        ("Line", "right"),
        ("Expected", "right"),
        ("Found", "right"),
        ("What, and where from", "left"),
    ):
        table.add_column(head, justify=justify, overflow="fold")
    for f in findings:
        who = f.taxpayer if f.chain == "own" else f"{f.taxpayer} ({f.chain})"
        evidence = "\n".join(f"  {e.file}, {e.where}{': ' + e.what if e.what else ''}" for e in f.evidence)
        table.add_row(
            f"[{_STYLE[f.severity]}]{f.severity}[/]",
            escape(f.code),
            escape(who),
            str(f.tax_year),
            escape(f.line or ""),
            escape(f.expected or ""),
            escape(f.found or ""),
            escape(f.message + ("\n" + evidence if evidence else "")),
        )
    out.print(table)
    out.print(", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items()))
