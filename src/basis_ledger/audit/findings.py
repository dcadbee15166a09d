"""A finding: one problem in a basis history, said so a taxpayer understands it, with the evidence behind it.

Codes and severities are data (schemas/findings.toml); docs/findings.md says what to do about each.
Rules are functions `(context) -> list[Finding]`; the audit and the planner run the same rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from basis_ledger.resources import load_toml

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True, slots=True)  # slots: an audit of a firm's ledger holds hundreds of thousands
class Evidence:
    """Where a number came from: a ledger event's file and line, a filed form's field, or a computation."""

    file: str
    where: str  # "line 12", "field topmostSubform[0].Page1[0].f1_9[0]", "computed"
    what: str = ""  # "5498 box 5 = 310,000.00"


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    taxpayer: str
    tax_year: int
    message: str
    line: str | None = None  # Form 8606 line label, where there is one
    expected: str | None = None
    found: str | None = None
    chain: str = "own"
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)

    @property
    def severity(self) -> str:
        return codes()[self.code]["severity"]

    def as_dict(self, cents: bool = False) -> dict:
        """The JSON object. An expected or found value that is a plain amount ("$4,906") is a number there, as
        in `compute --json`: whole dollars (half-up) as an integer, or with cents a two-decimal string.
        Spelled out rather than dataclasses.asdict, which deep-copies every field (3 s per 47,000 findings)."""
        return {
            "code": self.code,
            "taxpayer": self.taxpayer,
            "tax_year": self.tax_year,
            "message": self.message,
            "line": self.line,
            "expected": amount_value(self.expected, cents),
            "found": amount_value(self.found, cents),
            "chain": self.chain,
            "evidence": [{"file": e.file, "where": e.where, "what": e.what} for e in self.evidence],
            "severity": self.severity,
        }


_AMOUNT = re.compile(r"(-)?\$(\d{1,3}(?:,\d{3})*|\d+)(?:\.(\d{2}))?")


def amount_value(text: str | None, cents: bool = False) -> int | str | None:
    """'$1,234.50' -> 1235 (or '1234.50' with cents); any other text is returned as it is."""
    m = _AMOUNT.fullmatch(text) if text else None
    if m is None:
        return text
    sign, whole, frac = m.group(1) or "", int(m.group(2).replace(",", "")), m.group(3) or "00"
    if cents:
        return f"{sign}{whole}.{frac}"
    dollars = whole + (int(frac) >= 50)
    return -dollars if sign and dollars else dollars


@cache
def codes() -> dict[str, dict]:
    table = load_toml("findings.toml")
    for code, row in table.items():
        if row.get("severity") not in SEVERITIES:
            raise ValueError(f"schemas/findings.toml: {code} has no valid severity")
    return table


@dataclass
class RuleContext:
    """What every rule sees: the ledger's events (with provenance), the computed lines frame, the taxpayers, and,
    for the audit, filed forms and custodian documents. A `basis_ledger.loader.Loaded` has all of these; this
    small record is for rules run on frames a test builds by hand."""

    events: object  # pandas.DataFrame: Ledger.events()
    lines: object  # pandas.DataFrame: engine.results.compute_lines(...)
    taxpayers: dict
    filed_forms: object = None  # pandas.DataFrame: Ledger.filed_forms()
    documents: object = None  # pandas.DataFrame: Ledger.documents()


def __getattr__(name: str) -> object:
    """`Context`, the old name of RuleContext, for callers written before the rename (ingest.base.Context is the
    importers' context: one name, one thing, inside src/)."""
    if name == "Context":
        return RuleContext
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
