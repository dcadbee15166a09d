"""Every audit rule in one registry. A rule is a function `(Loaded) -> list[Finding]`: it reads the loaded
ledger (events, computed lines, taxpayers, filed forms, documents; the audit passes its AuditContext, a Loaded
with `as_of` and row look-ups) and returns findings as values. Codes, severities and titles:
schemas/findings.toml; what each means: docs/findings.md.

RECONCILE_RULES compare the history with what was filed and reported (audit/reconcile.py); EVENT_RULES judge the
events themselves and are the planner's rules too (audit/rules/)."""

from __future__ import annotations

from basis_ledger.audit.reconcile import RECONCILE_RULES
from basis_ledger.audit.rules import EVENT_RULES, Rule

AUDIT_RULES: tuple[Rule, ...] = (*RECONCILE_RULES, *EVENT_RULES)
PLAN_RULES: tuple[Rule, ...] = tuple(EVENT_RULES)
NEEDS_EVENTS = frozenset(EVENT_RULES)  # event rules have nothing to say about a ledger without events
