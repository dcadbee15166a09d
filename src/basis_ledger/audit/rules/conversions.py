"""Conversions and what they leave behind: pro-rata exposure, pre-tax money back before 31 December, leftover basis."""

from __future__ import annotations

from typing import TYPE_CHECKING

from basis_ledger.audit.columns import FindingColumns
from basis_ledger.audit.evidence import EvidenceColumns
from basis_ledger.audit.findings import Finding, RuleContext
from basis_ledger.audit.rules.common import Events, line_evidence, money, own_lines, present, year_of
from basis_ledger.model import POOLED_TYPES

if TYPE_CHECKING:
    pass


def pro_rata_exposure(ctx: RuleContext) -> FindingColumns:
    """A conversion in a year that ends with money in traditional/SEP/SIMPLE IRAs: line 18 is its tax cost.

    The years are chosen by masks on the lines; their conversions and 31 December values are found by one sort
    of the events, and texts are built for those only."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from basis_ledger.audit.evidence import joined_array, match, money_array, money_texts, texts_at, texts_of

    lines = ctx.lines
    if lines is None or lines.empty or "L6" not in lines.columns:
        return FindingColumns.empty()

    # The own chain's years with a conversion and money left on 31 December, by masks on the columns read (a
    # row filter of the lines frame would copy all of its columns).
    def cents(col: str):
        return lines[col].to_numpy(dtype=np.int64, na_value=0)

    known = lines["L16"].notna().to_numpy(dtype=bool) & lines["L6"].notna().to_numpy(dtype=bool)
    at = np.flatnonzero((lines["chain"] == "own").to_numpy(dtype=bool) & known & (cents("L6") > 0) & (cents("L18") > 0))
    if not len(at):
        return FindingColumns.empty()
    ev = ctx.events
    E = texts_of(ctx)
    relevant = np.flatnonzero(
        (ev["account_type"].isin(POOLED_TYPES) & ev["kind"].isin(["conversion", "year_end_value"])).to_numpy(bool)
    )
    # The lines' taxpayers as codes of their distinct values: each looked up in the events' codes once.
    t_code, t_names = pd.factorize(lines["taxpayer"])
    t_names = np.asarray(t_names, dtype=object)
    who = texts_at(t_names, t_code[at])
    years = lines["tax_year"].to_numpy(dtype=np.int64)[at]
    date_year = E.year_at(relevant)
    want = [E.code_of_coded("taxpayer", t_code[at], t_names), years]
    by_year = match(relevant, [E.codes("taxpayer")[0][relevant], date_year], want)
    take, starts = by_year.taken_array()
    n = len(who)
    run = np.repeat(np.arange(n), np.diff(starts))  # the finding each taken row belongs to
    is_conv = E.is_("kind", "conversion")[take]
    # Within each finding: its conversions first, then its 31 December values, each in ledger order.
    order = np.lexsort((np.arange(len(take)), ~is_conv, run))
    take, is_conv = take[order], is_conv[order]
    pieces = E.row_evidence_columns(take)
    amount = E.at("amount_cents", take)
    values = np.zeros(n, dtype=np.int64)
    np.add.at(values, run, np.where(is_conv, 0, amount))  # exact int64 sums of each year's 31 December values
    l6, l16, l18 = (cents(c)[at] for c in ("L6", "L16", "L18"))
    transit = l6 - values
    moving = pc.if_else(  # L6 is rounded: under a dollar is rounding, not money in transit
        pa.array(transit >= 100), joined_array(" (", money_array(transit), " of it a rollover still in transit)"), ""
    )
    extra: object = ""
    sep_or_simple = (E.is_("account_type", "sep") | E.is_("account_type", "simple"))[take]
    named = np.flatnonzero(~is_conv & sep_or_simple & (amount > 0))
    if len(named):  # SEP and SIMPLE IRAs are named: few rows
        texts = [""] * n
        atype, acct = E.at("account_type", take[named]).tolist(), E.at("account", take[named]).tolist()
        for j, t, a, m in zip(named.tolist(), atype, acct, money_texts(amount[named]), strict=True):
            texts[run[j]] += f" That includes the {t.upper()} IRA {a} ({m})."
        extra = texts
    l6_text, l16_text, l18_text = money_array(l6), money_array(l16), money_array(l18)
    messages = joined_array(
        "Your ",
        years,
        " conversion of ",
        l16_text,
        " is partly taxable (",
        l18_text,
        " on line 18) because your traditional, SEP and SIMPLE IRAs held ",
        l6_text,
        " on 31 December ",
        years,
        moving,
        " and the pro-rata rule spreads your basis over all of it.",
        extra,
    )
    # Each finding's events, then the two computed lines: line 6, line 18.
    both = np.stack([np.arange(n), np.arange(n) + n], axis=1).ravel()
    computed = EvidenceColumns(
        np.arange(0, 2 * n + 1, 2),
        pa.repeat(pa.scalar("computed"), 2 * n),
        pa.array(["line 6", "line 18"] * n, pa.string()),
        pa.concat_arrays([l6_text, l18_text]).take(both),
    )
    events = EvidenceColumns(starts, pieces.file, pieces.where, pieces.what)
    return FindingColumns.build(
        "pro-rata-exposure",
        who,
        years,
        messages,
        line="18",
        expected="$0",
        found=l18_text,
        evidence=EvidenceColumns.chained(events, computed).lists(),
    )


def rollback_same_year(ctx: RuleContext) -> list[Finding]:
    """Pre-tax plan money back in a traditional/SEP/SIMPLE IRA by 31 December of a conversion year lands on line 6."""
    ev = ctx.events
    pooled = ev["account_type"].isin(POOLED_TYPES)
    back = pooled & (ev["kind"] == "rollover_from_plan")
    if not back.any():
        return []
    E = Events(ev)
    years = year_of(ev)
    convs = E.groups(pooled & (ev["kind"] == "conversion"), ev["taxpayer"], years)
    own = own_lines(ctx)
    l18 = {} if own is None or own.empty else own.set_index(["taxpayer", "tax_year"])["L18"].dropna().to_dict()
    out = []
    for p in back.to_numpy().nonzero()[0]:
        t, y = ev["taxpayer"].iat[p], int(years.iat[p])
        these = convs.get((t, y))
        if these is None:
            continue
        cost = f" (line 18 is {money(l18[(t, y)])})" if (t, y) in l18 else ""
        out.append(
            Finding(
                "rollback-same-year",
                t,
                y,
                f"The {money(E.col('amount_cents')[p])} rolled from an employer plan into {E.col('account')[p]} on "
                f"{E.col('date')[p]} is in your traditional IRAs on 31 December {y}, the year you converted "
                f"{money(sum(int(E.col('amount_cents')[c]) for c in these))}, so it makes the conversion taxable "
                f"pro rata{cost}; roll it back on or after 1 January {y + 1} instead.",
                line="6",
                expected=f"on or after {y + 1}-01-01",
                found=E.col("date")[p],
                evidence=(*E.evidence([p]), *E.evidence(these), *((line_evidence("18", l18[(t, y)]),) if cost else ())),
            )
        )
    return out


def leftover_basis(ctx: RuleContext) -> list[Finding]:
    """Basis carried forward although the IRAs behind it were worth $0 on 31 December."""
    import numpy as np
    import pandas as pd

    from basis_ledger.audit.evidence import match, texts_of

    lines, ev = ctx.lines, ctx.events
    if lines is None or lines.empty or "L6" not in lines.columns:
        return []
    # Line 4 (contributions for the year deposited after 31 December) arrived after the value was taken: not
    # leftover. A year whose 31 December value is unknown is incomplete (year-end-value-missing), not $0.
    behind = lines["basis_end"] - lines["L4"].fillna(0).astype("int64")
    complete = lines["complete"] if "complete" in lines.columns else True
    candidate = (behind > 0) & (lines["L6"].isna() | (lines["L6"] == 0)) & complete
    if not candidate.any():
        return []
    # Only the candidates' people's 31 December values are summed (the rest cannot make a finding), on the
    # shared texts' codes: a chain is 0 (own) or 1 + the inherited account's code.
    E = texts_of(ctx)
    t_code = E.codes("taxpayer")[0]
    type_code, type_names = E.codes("account_type")
    inherited = E.is_("account_type", "inherited_traditional")
    pooled = np.array([t in POOLED_TYPES for t in type_names.tolist()], dtype=bool)[type_code]
    wanted = E.code_of("taxpayer", lines["taxpayer"][candidate].unique())
    is_ye = E.is_("kind", "year_end_value") & (pooled | inherited) & np.isin(t_code, wanted[wanted >= 0])
    rows = np.flatnonzero(is_ye)
    acct = E.codes("account")[0][rows].astype(np.int64)
    chain_code = np.where(inherited[rows], acct + 1, 0)
    year = E.year_at(rows)
    totals = pd.Series(E.ints("amount_cents")[rows]).groupby([t_code[rows], chain_code, year]).sum()
    zero = totals[totals == 0].index
    if not len(zero):  # no 31 December of a candidate's was $0 (the usual case): nothing to match them to
        return []
    cand = lines[candidate].assign(leftover=behind)
    # A year without a 31 December value is the engine's year-end-value-missing caution, not this finding.
    c_chain = cand["chain"].to_numpy(dtype=object).tolist()
    c_own = np.array([c == "own" for c in c_chain], dtype=bool)
    c_inherited = np.array([isinstance(c, str) and c.startswith("inherited:") for c in c_chain], dtype=bool)
    c_acct = E.code_of(
        "account", [c[len("inherited:") :] if i else "" for c, i in zip(c_chain, c_inherited, strict=True)]
    )
    # own: 0; an inherited account the events hold: 1 + its code; anything else matches no total (-2)
    c_chain_code = np.where(c_own, 0, np.where(c_inherited & (c_acct >= 0), c_acct + 1, -2))
    c_key = [E.code_of("taxpayer", cand["taxpayer"].to_numpy(dtype=object)), c_chain_code, cand["tax_year"].to_numpy()]
    cand = cand[pd.MultiIndex.from_arrays(c_key).isin(zero)]
    if cand.empty:
        return []
    sub = ev.iloc[rows]
    chain = np.where(inherited[rows], "inherited:" + sub["account"].to_numpy(dtype=object), "own")
    keys = [sub["taxpayer"].to_numpy(dtype=object), chain, year_of(sub).to_numpy(dtype=np.int64)]
    found = match(rows, keys, [cand[c].to_numpy(dtype=np.int64 if c == "tax_year" else object) for c in _LINE_KEY])
    take, starts = found.taken()
    evidence = E.row_evidence(take)
    groups = {i: evidence[starts[i] : starts[i + 1]] for i in range(len(cand))}
    out = []
    for i, r in enumerate(cand[["taxpayer", "chain", "tax_year", "basis_end", "leftover", "L16"]].to_dict("records")):
        key = (r["taxpayer"], r["chain"], int(r["tax_year"]))
        tip = " (leaving $1 in the IRA before converting avoids this)" if present(r, "L16") else ""
        out.append(
            Finding(
                "leftover-basis",
                key[0],
                key[2],
                f"Basis of {money(r['leftover'])} is carried into {key[2] + 1} although the IRAs behind it were "
                f"worth $0 on 31 December {key[2]}; the form keeps it, but no money stands behind it until you "
                f"contribute or roll money in again{tip}.",
                line="14",
                expected="$0",
                found=money(r["leftover"]),
                chain=key[1],
                evidence=(*groups[i], line_evidence("14", r["basis_end"])),
            )
        )
    return out


_LINE_KEY = ("taxpayer", "chain", "tax_year")
