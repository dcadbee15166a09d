"""Run every audit rule of the registry (audit/ruleset.py): the reconciliation rules and the event rules."""

from __future__ import annotations

from basis_ledger.audit.context import AuditContext
from basis_ledger.audit.findings import SEVERITIES, Finding


def run_audit(ctx: AuditContext, taxpayer: str | None = None, year: int | None = None) -> list[Finding]:
    """Every finding, filtered to a taxpayer and a tax year when given, sorted by taxpayer, chain (own first),
    year, severity (errors first), code and line. A rule sees the whole history: a year's finding may rest on
    earlier years."""
    from basis_ledger.audit.rules import run_rules
    from basis_ledger.audit.ruleset import AUDIT_RULES, NEEDS_EVENTS

    found = [f for rule in AUDIT_RULES if rule not in NEEDS_EVENTS for f in rule(ctx)]
    found += run_rules(ctx, [rule for rule in AUDIT_RULES if rule in NEEDS_EVENTS])  # none without events
    if taxpayer is not None:
        found = [f for f in found if f.taxpayer == taxpayer]
    if year is not None:
        found = [f for f in found if f.tax_year == year]
    unique = list(dict.fromkeys(found))  # a rule run twice must not say it twice
    return sorted(unique, key=sort_key)


def sort_key(f: Finding) -> tuple:
    from basis_ledger.engine.results import LINE_KEYS

    first = (f.line or "").split("+")[0]
    line = LINE_KEYS.index(first) if first in LINE_KEYS else len(LINE_KEYS)
    return (f.taxpayer, f.chain != "own", f.chain, f.tax_year, SEVERITIES.index(f.severity), f.code, line, f.message)


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
