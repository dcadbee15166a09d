"""Contributions deposited after their year's deadline are refused at import (unless --allow-late).

A contribution for year Y must be made by the due date of Y's return, without extensions (Form 8606
instructions, "Due date for contributions"; the date and its postponements: taxcalendar.due_date). A later
deposit cannot count for Y, so the row is almost always a typo in `tax_year` or `date`; `audit` still reports every
late contribution that was let in (`late-contribution`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from basis_ledger.model import Problem, kinds

if TYPE_CHECKING:
    import pyarrow as pa

CONTRIBUTION_INPUTS = frozenset({"nondeductible", "deductible", "traditional_undeclared", "roth_contribution"})


def late_contributions(files: list[tuple[str, pa.Table | None]]) -> list[Problem]:
    """One problem per contribution row dated after its tax year's deadline, naming the file, line and deadline
    (in file order, then row order; all files' rows judged together: ledger/batch.py)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from basis_ledger.arrays import arrow_bools, arrow_ints, arrow_strings, numpy_bools, numpy_ints, one_array
    from basis_ledger.ledger.batch import together
    from basis_ledger.ledger.schema import Columns
    from basis_ledger.taxcalendar import due_date_iso

    contribution_kinds = {k for k, v in kinds().items() if v.input in CONTRIBUTION_INPUTS}
    ev = together([f for _, f in files], ["kind", "tax_year", "date", "source_line"])
    if ev is None:
        return []
    contrib = Columns(ev).where("kind", contribution_kinds.__contains__)
    if not contrib.any():
        return []
    years = numpy_ints(ev.column("tax_year"))
    present = np.bincount(years[contrib] - years.min(), minlength=1)  # (tax years are few and near each other)
    distinct = np.flatnonzero(present) + years.min()
    due_of = {int(y): due_date_iso(int(y)) for y in distinct}
    # Each contribution's deadline (text, ISO: compared as text); other rows are never late.
    at = np.searchsorted(distinct, years).clip(0, len(distinct) - 1)
    due = arrow_strings([due_of[int(y)] for y in distinct]).take(arrow_ints(at))
    late = contrib & numpy_bools(pc.greater(one_array(ev.column("date")).cast(pa.string()), due))
    problems = []
    picked = ev.filter(arrow_bools(late))
    for f, kind, year, date, line in zip(
        *(picked.column(c).to_pylist() for c in ("file_index", "kind", "tax_year", "date", "source_line")),
        strict=True,
    ):
        problems.append(
            Problem(
                files[f][0],
                f"{kind} for {year} deposited on {date}, after the {year} deadline of "
                f"{due_of[year]}: it cannot count for {year}; correct tax_year or date, or import "
                "with --allow-late to record it as it is (audit reports it as late-contribution)",
                line=int(line),
                column="date",
            )
        )
    return problems
