"""The tax year of a contribution: the custodian's wording, else a matching Form 5498, else the calendar year."""

from __future__ import annotations

from basis_ledger.model import kinds
from basis_ledger.taxcalendar import contribution_deadline_iso


def deadline(tax_year: int) -> str:
    """The last day (ISO) to contribute for `tax_year` (the tax calendar's)."""
    return contribution_deadline_iso(tax_year)


def tax_year(kind: str, date: str, wording: str) -> tuple[int, str]:
    """(tax year, source): "wording"; "date"; or "date?" for a contribution dated 1 January .. the deadline of the
    year before without the custodian's word on its year, which only a 5498 (or the user) can settle."""
    year = int(date[:4])
    if kinds()[kind].tax_year != "contribution":
        return year, "date"
    if wording in ("prior", "current"):
        return (year - 1 if wording == "prior" else year), "wording"
    return year, "date?" if date <= deadline(year - 1) else "date"
