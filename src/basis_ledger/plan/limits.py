"""Contribution limits and deadlines by tax year, for the planner: the tax calendar's (basis_ledger.taxcalendar,
schemas/limits.toml; form8606-rules.md section 5)."""

from __future__ import annotations

from basis_ledger.taxcalendar import catch_up_eligible, limit_cents, smallest_limit_cents
from basis_ledger.taxcalendar import contribution_deadline_iso as deadline

__all__ = ["catch_up_eligible", "deadline", "limit_cents", "smallest_limit_cents"]
