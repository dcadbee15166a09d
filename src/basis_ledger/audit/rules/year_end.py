"""A year whose form needs line 6 while a 31 December value is unknown: an error, never a silent zero."""

from __future__ import annotations

from basis_ledger.audit.findings import Context, Finding


def year_end_value_missing(ctx: Context) -> list[Finding]:
    """Every computed year the engine marks incomplete for a missing 31 December value (Form 8606 line 6)."""
    lines = ctx.lines
    if lines is None or lines.empty or "complete" not in lines.columns:
        return []
    out = []
    for r in lines.loc[~lines["complete"].astype(bool), ["taxpayer", "chain", "tax_year", "cautions"]].itertuples():
        for w in r.cautions:
            if w.code == "year-end-value-missing":
                out.append(
                    Finding(
                        "year-end-value-missing",
                        r.taxpayer,
                        int(r.tax_year),
                        w.message,
                        line="6",
                        expected="a 31 December value for every account open in the year",
                        found="none recorded",
                        chain=r.chain,
                    )
                )
    return out
