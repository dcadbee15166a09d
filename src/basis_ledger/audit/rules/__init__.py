"""Finding rules over events, computed lines and taxpayers, shared by the planner and the audit.

Each rule is a function `RuleContext -> list[Finding]`; `run_rules` runs a list of them. A rule reads only
`ctx.events` (Ledger.events() columns, with source_file and source_line; `id` orders events of one day),
`ctx.lines` (engine.results.compute_lines) and `ctx.taxpayers`. Codes, severities and titles:
schemas/findings.toml; what each means and what to do: docs/findings.md.

Rules select the rows that break them with whole-frame operations and build findings only for those, so an
audit of a large ledger stays fast: evidence comes from column arrays by position, never from row filters.
"""

from __future__ import annotations

from basis_ledger.audit.columns import FindingColumns
from basis_ledger.audit.findings import Finding, RuleContext
from basis_ledger.audit.rules.common import Rule, line_evidence, money, row_evidence
from basis_ledger.audit.rules.contributions import excess_contribution, late_contribution
from basis_ledger.audit.rules.conversions import leftover_basis, pro_rata_exposure, rollback_same_year
from basis_ledger.audit.rules.rollovers import basis_to_plan, rollover_frequency
from basis_ledger.audit.rules.year_end import year_end_value_missing

__all__ = [
    "EVENT_RULES",
    "Rule",
    "columns_of",
    "findings_of",
    "line_evidence",
    "money",
    "row_evidence",
    "rule_columns",
    "run_rules",
]

EVENT_RULES: list[Rule] = [
    pro_rata_exposure,
    basis_to_plan,
    rollback_same_year,
    excess_contribution,
    late_contribution,
    rollover_frequency,
    leftover_basis,
    year_end_value_missing,
]


def run_rules(ctx: RuleContext, rules: list[Rule] = EVENT_RULES) -> list[Finding]:
    """Every finding of every rule as Finding objects (for the planner), in a stable order: taxpayer, year,
    code, message."""
    if ctx.events is None or len(ctx.events) == 0:
        return []
    found = [f for rule in rules for f in findings_of(rule(ctx))]
    return sorted(found, key=lambda f: (f.taxpayer, f.tax_year, f.code, f.chain, f.message))


def rule_columns(ctx: RuleContext, rules: list[Rule] = EVENT_RULES) -> FindingColumns:
    """Every finding of every rule as one FindingColumns, rule after rule, each rule's in its own order (not
    sorted: the audit sorts all its findings once). Without events the event rules have nothing to say."""
    return FindingColumns.concat(rule_parts(ctx, rules))


def rule_parts(ctx: RuleContext, rules: list[Rule] = EVENT_RULES) -> list[FindingColumns]:
    """rule_columns before its concatenation: each rule's findings as columns, rule after rule (none without
    events). The audit joins these with its other rules' in one concatenation: each one copies every text."""
    if ctx.events is None or len(ctx.events) == 0:
        return []
    return [columns_of(rule(ctx)) for rule in rules]


def findings_of(found: list[Finding] | FindingColumns) -> list[Finding]:
    """A rule's findings as Finding objects, whichever way the rule returned them."""
    return found.findings() if isinstance(found, FindingColumns) else found


def columns_of(found: list[Finding] | FindingColumns) -> FindingColumns:
    """A rule's findings as columns, whichever way the rule returned them."""
    return found if isinstance(found, FindingColumns) else FindingColumns.of(found)
