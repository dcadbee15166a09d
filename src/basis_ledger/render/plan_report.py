"""The plan for people (`basis-ledger plan`): the year's 8606 before and after, the steps, the findings and the
cautions. A renderer: it reads a plan.whatif.PlanResult and prints; it computes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from basis_ledger.engine.form8606 import line_table
from basis_ledger.engine.results import LINE_KEYS
from basis_ledger.money import amount_text
from basis_ledger.plan.whatif import PlanResult

if TYPE_CHECKING:
    from rich.console import Console

COLORS = {"error": "red", "warning": "yellow", "info": "cyan"}


def _fmt(v: object) -> str:
    return "" if v is None else amount_text(v)  # money text has one home: money.py


def plan_report(result: PlanResult, out: Console) -> None:
    from rich.markup import escape
    from rich.table import Table

    doc = result.as_json()
    before, after = doc["before"], doc["after"]
    keys = [k for k in LINE_KEYS if k in before or k in after]
    title = f"{result.taxpayer} - {result.tax_year} Form 8606, before and after the plan"
    if keys:
        labels = line_table()
        table = Table(title=title, title_justify="left")
        for h, j in (("Line", "right"), ("What", "left"), ("Before", "right"), ("After", "right")):
            table.add_column(h, justify=j, overflow="fold")
        for k in keys:
            table.add_row(k, labels[k]["text"], _fmt(before.get(k)), _fmt(after.get(k)))
        out.print(table)
    else:
        out.print(f"[bold]{escape(title)}[/bold]: no Form 8606 lines, before or after.")
    out.print(f"Taxable amount (lines 15c + 18 + 25c) changes by [bold]{_fmt(doc['taxable_change'])}[/bold]")
    if "taxable_without_isolation" in doc:
        out.print(
            f"The same conversion without rolling the pre-tax part out first: taxable change "
            f"{_fmt(doc['taxable_without_isolation'])}"
        )
    if "pre_tax_year_end" in doc:
        out.print(f"Pre-tax money expected in the IRAs on 31 December: {_fmt(doc['pre_tax_year_end'])}")
    for w in result.after.get("warnings", []):
        out.print(f"  [yellow]caution[/yellow] {w['code']}: {escape(w['message'])}", highlight=False)
    if doc.get("steps"):
        steps = Table(title="Steps", title_justify="left")
        for h, j in (("Date", "left"), ("Event", "left"), ("Amount", "right"), ("Why", "left")):
            steps.add_column(h, justify=j, overflow="fold")
        for s in doc["steps"]:
            steps.add_row(s["date"], s["event"], _fmt(s["amount"]), escape(s["why"]))
        out.print(steps)
    for c in doc.get("cautions", []):
        out.print(f"  - {escape(c)}", highlight=False)
    if not result.findings:
        out.print("No findings: the plan triggers none of the rules.")
    for f in result.findings:
        color = COLORS[f.severity]
        out.print(f"[{color}]{f.severity}[/{color}] {f.code} ({f.tax_year}): {escape(f.message)}", highlight=False)
