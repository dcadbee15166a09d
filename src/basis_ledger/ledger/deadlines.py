"""Contributions deposited after their year's deadline are refused at import (unless --allow-late).

A contribution for year Y must be made by the due date of Y's return, without extensions (Form 8606
instructions, "Due date for contributions"; the date and its postponements: taxcalendar.due_date). A later
deposit cannot count for Y, so the row is almost always a typo in `tax_year` or `date`; `audit` still reports every
late contribution that was let in (`late-contribution`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from basis_ledger.model import Problem, kinds

if TYPE_CHECKING:
    import pandas as pd

CONTRIBUTION_INPUTS = frozenset({"nondeductible", "deductible", "traditional_undeclared", "roth_contribution"})


def late_contributions(files: list[tuple[str, pd.DataFrame | None]]) -> list[Problem]:
    """One problem per contribution row dated after its tax year's deadline, naming the file, line and deadline
    (in file order, then row order; all files' rows judged together: ledger/batch.py)."""
    from basis_ledger.ledger.batch import together
    from basis_ledger.taxcalendar import due_date_iso

    contribution_kinds = [k for k, v in kinds().items() if v.input in CONTRIBUTION_INPUTS]
    ev = together([f for _, f in files], ["kind", "tax_year", "date", "source_line"])
    if ev is None:
        return []
    contrib = ev["kind"].isin(contribution_kinds)
    if not contrib.any():
        return []
    due = ev["tax_year"].map({int(y): due_date_iso(int(y)) for y in ev.loc[contrib, "tax_year"].unique()})
    late = contrib & (ev["date"] > due.fillna("9999-12-31"))
    problems = []
    row: Any  # pandas-stubs types a row's fields as any scalar
    for row in ev[late].itertuples():
        problems.append(
            Problem(
                files[int(row.file_index)][0],
                f"{row.kind} for {row.tax_year} deposited on {row.date}, after the {row.tax_year} deadline of "
                f"{due[row.Index]}: it cannot count for {row.tax_year}; correct tax_year or date, or import "
                "with --allow-late to record it as it is (audit reports it as late-contribution)",
                line=int(row.source_line),
                column="date",
            )
        )
    return problems
