"""Tax-form documents -> ledger events: 1099-R by its box 7 codes, 5498 box 5 (and boxes 1/10) by account.

Events from forms carry `origin` (the form): the import pipeline drops them where statements already hold
the same event, and turns 1099-R "conversion?" payouts into conversions when a 5498 box 3 shows the money
arriving in a Roth IRA (see reconcile.py).
"""

from __future__ import annotations

from basis_ledger.ingest.base import DECLARABLE_TYPES, Context, Extracted
from basis_ledger.ingest.statements.taxyear import deadline
from basis_ledger.ingest.taxforms.boxes import cents, checked, code_rules
from basis_ledger.model import POOLED_TYPES, Problem, kinds
from basis_ledger.money import format_cents

_TYPE_BOXES = (("box7_roth", "roth"), ("box7_sep", "sep"), ("box7_simple", "simple"), ("box7_ira", "traditional"))


def owner_and_type(doc: dict, ctx: Context) -> tuple[str | None, str | None]:
    declared = ctx.accounts.get(doc["account"])
    owners = {a.owner for a in ctx.accounts.values()}
    owner = doc["taxpayer"] or (declared.owner if declared else None) or ctx.taxpayer
    owner = owner or (next(iter(owners)) if len(owners) == 1 else None)
    if declared:
        return owner, declared.type
    if doc["form"] == "5498":
        return owner, next((t for box, t in _TYPE_BOXES if checked(doc, box)), None)
    codes = doc["boxes"].get("box7_codes", "")
    if set(codes) & set("JQT"):
        return owner, "roth"
    return owner, "traditional" if checked(doc, "ira_sep_simple") else None


def _row(
    doc: dict,
    owner: str,
    acct_type: str,
    kind: str,
    amount: int,
    date: str,
    tax_year: int,
    memo: str,
    net: int = 0,
    maybe_conversion: bool = False,
) -> dict:
    return {
        "taxpayer": owner,
        "date": date,
        "tax_year": tax_year,
        "account": doc["account"],
        "account_type": acct_type,
        "kind": kind,
        "amount_cents": amount,
        "memo": memo,
        "source_line": doc["source_line"],
        "origin": doc["form"],
        "net_cents": net,
        "maybe_conversion": maybe_conversion,
    }


def _mapped_rule(text: str, acct_type: str, ctx: Context) -> dict | None:
    """The user's --map for this 1099-R ("1099-R code D=distribution"), as a code rule; None when unmapped."""
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


def from_1099r(doc: dict, owner: str, acct_type: str, ctx: Context, fname: str, out: Extracted) -> list[dict]:
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
    return [_row(doc, owner, acct_type, kind, amount, date, tax_year, memo, net=net, maybe_conversion=maybe)]


def from_5498(doc: dict, owner: str, acct_type: str) -> list[dict]:
    year = doc["tax_year"]
    rows = []
    payer = f" from {doc['boxes']['payer']}" if doc["boxes"].get("payer") else ""
    if "box5_fmv" in doc["boxes"]:
        rows.append(
            _row(
                doc,
                owner,
                acct_type,
                "year_end_value",
                cents(doc, "box5_fmv"),
                f"{year}-12-31",
                year,
                f"Form 5498 {year}{payer}, box 5",
            )
        )
    contribution = {
        "box1_ira_contributions": "traditional_contribution",
        "box10_roth_contributions": "roth_contribution",
    }
    for box, kind in contribution.items():
        if cents(doc, box) and (kind == "roth_contribution") == (acct_type == "roth"):
            rows.append(
                _row(
                    doc,
                    owner,
                    acct_type,
                    kind,
                    cents(doc, box),
                    f"{year}-12-31",
                    year,
                    f"Form 5498 {year}{payer}, {box.split('_')[0]} (deposit date not on the form)",
                )
            )
    return rows


def build_events(docs: list[dict], ctx: Context, fname: str, out: Extracted) -> list[dict]:
    rows: list[dict] = []
    for doc in docs:
        owner, acct_type = owner_and_type(doc, ctx)
        doc["taxpayer"] = owner or doc["taxpayer"]
        where = f"Form {doc['form']} {doc['tax_year']}, account '{doc['account']}'"
        if owner is None or acct_type is None:
            out.problems.append(
                Problem(
                    fname,
                    f"{where}: whose and what type of account? declare it with "
                    f"basis-ledger account set '{doc['account']}' --owner NAME --type TYPE "
                    f"(types: {', '.join(DECLARABLE_TYPES)})",
                    line=doc["source_line"] or None,
                )
            )
            continue
        if acct_type in ("taxable", "plan"):
            continue
        rows += (
            from_1099r(doc, owner, acct_type, ctx, fname, out)
            if doc["form"] == "1099-R"
            else from_5498(doc, owner, acct_type)
        )
    return rows
