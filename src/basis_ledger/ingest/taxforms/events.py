"""Tax-form documents -> ledger events: 1099-R by its box 7 codes, 5498 box 5 (and boxes 1/10) by account.

Events from forms carry `origin` (the form): the import pipeline drops them where statements already hold
the same event, and turns 1099-R "conversion?" payouts into conversions when a 5498 box 3 shows the money
arriving in a Roth IRA (see ledger/crosscheck.py).
"""

from __future__ import annotations

from basis_ledger.ingest.base import DECLARABLE_TYPES, Context, Extracted
from basis_ledger.ingest.taxforms.boxes import cents, checked
from basis_ledger.ingest.taxforms.form1099r import from_1099r
from basis_ledger.ingest.taxforms.row import row
from basis_ledger.model import Problem

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


def from_5498(doc: dict, owner: str, acct_type: str) -> list[tuple]:
    year = doc["tax_year"]
    rows = []
    payer = f" from {doc['boxes']['payer']}" if doc["boxes"].get("payer") else ""
    if "box5_fmv" in doc["boxes"]:
        rows.append(
            row(
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
                row(
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


def build_events(docs: list[dict], ctx: Context, fname: str, out: Extracted) -> list[tuple]:
    rows: list[tuple] = []
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
