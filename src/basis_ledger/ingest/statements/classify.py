"""Classification: a custodian row (action text, cash direction, account type) -> what it is for the ledger.

Outcomes: an event kind, ("skip", reason), "review" (IRA-relevant, no rule), "withholding" (added to the
distribution of the same day), or "account" (the account must be declared before the row can be judged).
Rule order and account context decide, not keywords alone: that is how `DISTRIBUTION <symbol>` (a split) stays
apart from `PARTIAL DISTRIBUTION`.
"""

from __future__ import annotations

from basis_ledger.ingest.statements.profile import Profile, common
from basis_ledger.model import ACCOUNT_TYPES, kinds

SPECIAL = ("skip", "review", "withholding")
NOT_IRA = ("taxable", "plan")


def resolve(then: str, reason: str, account_type: str | None) -> tuple[str, str]:
    """A rule's `then` for an account type -> (outcome, skip reason)."""
    if then.startswith("skip"):
        return "skip", reason or then.partition(":")[2].strip() or "skipped by a rule"
    if then == "withholding" and account_type is None:
        return "account", ""  # withholding joins a distribution, which needs the account's type
    generic = common()["generic"].get(then)  # before kinds(): "distribution" depends on the account type
    if generic is None:
        return (then, "") if then in ("review", "withholding") or then in kinds() else ("review", "")
    if account_type is None:
        return "account", ""
    target = generic.get(account_type)
    if target is None:
        return "review", ""
    return (target, "") if target in kinds() else resolve(target, "", account_type)


def valid_then(then: str) -> bool:
    return then.startswith("skip") or then in SPECIAL or then in kinds() or then in common()["generic"]


def classify(
    profile: Profile, text: str, sign: str, account_type: str | None, mapping: dict[str, str]
) -> tuple[str, str, str]:
    """(outcome, skip reason, tax-year wording) for one distinct row; see the module docstring."""
    out, why, year = _match(profile, text, sign, account_type, mapping)
    if account_type in NOT_IRA and out != "skip":  # a taxable or plan account has no IRA events at all
        return "skip", f"{account_type} account: not an IRA", ""
    return out, why, year


def _match(
    profile: Profile, text: str, sign: str, account_type: str | None, mapping: dict[str, str]
) -> tuple[str, str, str]:
    upper = text.upper()
    for prefix in sorted(mapping, key=len, reverse=True):  # the user's own mapping wins; longest text first
        if upper.startswith(prefix.upper()):
            target, _, year = mapping[prefix].partition("@")
            out, why = resolve(target.strip(), "mapped by the user", account_type)
            return out, why, year.strip()
    for rule in profile.rules:
        if rule.sign != "any" and rule.sign != sign:
            continue
        if not rule.text.search(text):
            continue
        if rule.accounts is not None:
            if account_type is None:
                return "account", "", ""
            if account_type not in rule.accounts:
                continue
        out, why = resolve(rule.then, rule.reason, account_type)
        return out, why, rule.tax_year
    if account_type is None:
        return "account", "", ""
    if account_type in ACCOUNT_TYPES:
        return "review", "", ""
    return "skip", f"{account_type} account: not an IRA", ""
