"""Form 1099-R -> at most one event, decided by box 7 (schemas/taxforms.toml [form1099r_codes]) or the user's --map."""

from __future__ import annotations

from basis_ledger.ingest.base import Context, Extracted
from basis_ledger.ingest.statements.taxyear import deadline
from basis_ledger.ingest.taxforms.boxes import cents, checked, code_rules
from basis_ledger.ingest.taxforms.row import row
from basis_ledger.model import POOLED_TYPES, Problem, kinds
from basis_ledger.money import format_cents


def _mapped_rule(text: str, acct_type: str, ctx: Context) -> dict | None:
    """The user's --map for this 1099-R ("1099-R code D=distribution"), as a code rule; None when unmapped."""
    if not ctx.mapping:  # the usual case, once per form
        return None
    from basis_ledger.ingest.statements.classify import resolve

    key = next((k for k in sorted(ctx.mapping, key=len, reverse=True) if text.upper().startswith(k.upper())), None)
    if key is None:
        return None
    target, _, year = ctx.mapping[key].partition("@")
    outcome, _why = resolve(target.strip(), "", acct_type)
    event = outcome if outcome in ("skip", *kinds()) else "review"
    return {
        "event": event,
        "tax_year": "prior" if year.strip() == "prior" else "form",
        "date": "year_end",
        "amount": "gross",
        "mapped": True,
    }


def _review(doc: dict, text: str, why: str, gross: int, fname: str, out: Extracted) -> None:
    payer = f" from {doc['boxes']['payer']}" if doc["boxes"].get("payer") else ""
    out.review.append(
        {
            "line": doc["source_line"],
            "date": str(doc["tax_year"]),
            "text": text,
            "amount": format_cents(gross, whole=False),
            "account": doc["account"],
        }
    )
    out.problems.append(
        Problem(
            fname,
            f"needs review: Form 1099-R {doc['tax_year']}{payer}, account {doc['account']}, box 7 "
            f"'{doc['boxes'].get('box7_codes', '')}' ({why}); say what it was with --map \"{text}=EVENT_KIND\"",
            line=doc["source_line"] or None,
        )
    )


def from_1099r(doc: dict, owner: str, acct_type: str, ctx: Context, fname: str, out: Extracted) -> list[tuple]:
    year, codes = doc["tax_year"], doc["boxes"].get("box7_codes", "")
    gross = cents(doc, "box1_gross_distribution")
    text = f"1099-R code {codes or '(none)'}"
    rule = _mapped_rule(text, acct_type, ctx) or next((r for r in code_rules() if r["code"] in codes), None)
    why = "" if rule else "no rule for this code"
    if rule and rule.get("ira_box") and not checked(doc, "ira_sep_simple"):
        why = "the IRA/SEP/SIMPLE box is not checked"
    skip = "1099-R skipped by the user's mapping" if rule and rule["event"] == "skip" else ""
    skip = skip or ("1099-R with no gross distribution" if gross == 0 else "")
    if skip:
        out.skipped[skip] = out.skipped.get(skip, 0) + 1
        return []
    if rule is None or rule["event"] == "review" or why:
        _review(doc, text, why or "no rule says what it is for this account", gross, fname, out)
        return []
    kind = rule["event"]
    maybe = kind == "conversion?" and acct_type in POOLED_TYPES and not rule.get("mapped")
    if kind in ("conversion?", "distribution") and acct_type in ("roth", "inherited_roth"):
        kind = "roth_distribution"
    elif kind == "conversion?":
        kind = "distribution"
    amount = gross - cents(doc, "box2a_taxable_amount") if rule["amount"] == "gross_less_2a" else gross
    payer = f" from {doc['boxes']['payer']}" if doc["boxes"].get("payer") else ""
    memo = f"Form 1099-R {year}{payer}, box 1, code {codes} (date not on the form)"
    net = gross - cents(doc, "box4_federal_tax_withheld")
    tax_year = year - 1 if rule["tax_year"] == "prior" else year
    date = deadline(year - 1) if rule["date"] == "deadline" else f"{year}-12-31"
    return [row(doc, owner, acct_type, kind, amount, date, tax_year, memo, net=net, maybe_conversion=maybe)]
