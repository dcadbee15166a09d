"""Random but plausible IRA histories (generic-CSV rows) and the filings and custodian forms that agree with
them, for the property test and the spreadsheet recalculation test.

`rich=True` adds what the workbook must also get right (rollovers in transit, returned contributions, pre-2018
recharacterized conversions, plan rollovers, inherited IRAs, Roth openings); `rich=False` keeps every history
inside the rules (contributions within the limit and on time, no plan rollovers), so a consistent filing of it
must audit without an error.
"""

from __future__ import annotations

import random

from basis_ledger.engine.form8606 import Options
from basis_ledger.engine.results import compute_lines
from basis_ledger.render.lines import as_objects
from tests.core.helpers import csv_text, events_from


def _amt(rng: random.Random, lo: int, hi: int, cents: bool = True) -> str:
    whole = rng.randint(lo, hi)
    return f"{whole}.{rng.randint(0, 99):02d}" if cents else str(whole)


def history(rng: random.Random, rich: bool = False) -> tuple[list[str], dict]:
    rows: list[str] = []
    people = {}
    for t in rng.sample(["ann", "bob", "cy"], rng.randint(1, 2)):
        people[t] = {"birth_date": f"{rng.randint(1950, 1985)}-{rng.randint(1, 12):02d}-15"}
        start = rng.randint(2014 if rich else 2018, 2021)
        trad, roth = f"{t.upper()}-IRA", f"{t.upper()}-ROTH"
        if rng.random() < 0.6:
            rows.append(f"{t},{start}-01-05,{start - 1},,traditional,basis_opening,{_amt(rng, 0, 40000)},")
        if rich and rng.random() < 0.3:
            rows.append(
                f"{t},{start}-01-05,{start - 1},{roth},roth,roth_contribution_basis_opening,{_amt(rng, 0, 20000)},"
            )
            rows.append(
                f"{t},{start}-01-05,{start - 1},{roth},roth,roth_conversion_basis_opening,{_amt(rng, 0, 30000)},"
            )
        rolled, second, inherited = False, None, False
        for y in range(start, start + rng.randint(2, 5)):
            if rng.random() < 0.6:
                later = rng.random() < 0.3
                day = f"{y + 1}-02-{rng.randint(1, 28):02d}" if later else f"{y}-03-{rng.randint(1, 28):02d}"
                amount = rng.randint(500, 5000)
                rows.append(f"{t},{day},{y},{trad},traditional,nondeductible_contribution,{amount},")
                if rich and rng.random() < 0.2:
                    rows.append(f"{t},{day},{y},{trad},traditional,returned_contribution,{rng.randint(1, amount)},")
            if rng.random() < 0.25:
                rows.append(
                    f"{t},{y}-04-{rng.randint(1, 28):02d},{y},{roth},roth,roth_contribution,{rng.randint(100, 500)},"
                )
            if rng.random() < 0.45:
                conv = _amt(rng, 100, 30000)
                rows.append(f"{t},{y}-05-{rng.randint(1, 28):02d},,{trad},traditional,conversion,{conv},")
                if rich and y <= 2017 and rng.random() < 0.4:
                    rows.append(
                        f"{t},{y}-10-{rng.randint(1, 28):02d},{y},{roth},roth,recharacterization,{_amt(rng, 1, 90)},"
                    )
            if rng.random() < 0.25:
                rows.append(
                    f"{t},{y}-07-{rng.randint(1, 28):02d},,{trad},traditional,distribution,{_amt(rng, 100, 20000)},"
                )
            if rng.random() < 0.2:
                rows.append(
                    f"{t},{y}-08-{rng.randint(1, 28):02d},,{roth},roth,roth_distribution,{_amt(rng, 50, 9000)},"
                )
            if rich and not rolled and rng.random() < 0.2:
                rolled = True
                amount = _amt(rng, 1000, 9000)
                rows.append(f"{t},{y}-12-20,,{trad},traditional,rollover_out,{amount},")
                rows.append(f"{t},{y + 1}-01-10,,{trad}-2,traditional,rollover_in,{amount},")
                second = (y + 1, amount)
            if rich and rng.random() < 0.1:
                rows.append(f"{t},{y}-09-01,,{trad},traditional,after_tax_rollover_from_plan,{_amt(rng, 100, 9000)},")
            if rich and rng.random() < 0.1:
                rows.append(f"{t},{y}-09-02,,{roth},roth,rollover_from_plan,{_amt(rng, 100, 9000)},")
            # Every account open in a year has its 31 December value: a consistent history knows its line 6 (an
            # unknown value is an error finding, year-end-value-missing).
            value = "0" if rng.random() < 0.1 else _amt(rng, 0, 250000)
            rows.append(f"{t},{y}-12-31,,{trad},traditional,year_end_value,{value},")
            if second and y >= second[0]:
                rows.append(f"{t},{y}-12-31,,{trad}-2,traditional,year_end_value,{second[1]},")
            if rich and rng.random() < 0.15:
                inherited = True
                rows.append(
                    f"{t},{y}-06-01,,{t.upper()}-INH,inherited_traditional,distribution,{_amt(rng, 100, 5000)},"
                )
            if inherited:
                rows.append(
                    f"{t},{y}-12-31,,{t.upper()}-INH,inherited_traditional,year_end_value,{_amt(rng, 0, 50000)},"
                )
    return rows, people


def computed(rows: list[str], people: dict, cents: bool = False) -> list[dict]:
    from basis_ledger.model import Taxpayer

    opts = Options(cents=cents)
    tp = {t: Taxpayer(t, **kw) for t, kw in people.items()}
    return as_objects(compute_lines(events_from(csv_text(*rows), "history.csv"), tp, opts), opts)


def consistent_filings(rows: list[str], people: dict, cents: bool = False) -> list[dict]:
    """A Form 8606 for every year that needs one, each line exactly as computed."""
    return [
        {
            "taxpayer": o["taxpayer"],
            "tax_year": o["tax_year"],
            "chain": o["chain"],
            "lines": {k: str(v) for k, v in o["lines"].items()},
        }
        for o in computed(rows, people, cents)
        if o["form_required"]
    ]


def _text(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def consistent_documents(rows: list[str]) -> list[dict]:
    """The 5498s (box 5 per traditional account and year) and 1099-Rs (box 1 per account, year and code) the
    custodians would have sent for these events."""
    ev = events_from(csv_text(*rows), "history.csv")
    ev["year"] = ev["date"].str.slice(0, 4).astype("int64")
    docs = []
    values = ev[(ev["kind"] == "year_end_value") & (ev["account_type"] != "roth")]
    for (t, y, acct), g in values.groupby(["taxpayer", "year", "account"]):
        docs.append(
            {
                "form": "5498",
                "taxpayer": t,
                "tax_year": int(y),
                "account": acct,
                "boxes": {"5": _text(int(g["amount_cents"].sum()))},
            }
        )
    out = ev[ev["kind"].isin(["distribution", "conversion", "rollover_out", "roth_distribution"])]
    for (t, y, acct, kind), g in out.groupby(["taxpayer", "year", "account", "kind"]):
        code = "J" if kind == "roth_distribution" else "7"
        boxes = {"box1_gross_distribution": _text(int(g["amount_cents"].sum())), "box7_codes": code}
        if kind != "roth_distribution":
            boxes["ira_sep_simple"] = "X"
        docs.append({"form": "1099-R", "taxpayer": t, "tax_year": int(y), "account": acct, "boxes": boxes})
    return docs
