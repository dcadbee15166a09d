"""Evaluate a plan: hypothetical events added in memory to the ledger's, the year's 8606 before and after.

The ledger is never written. 31 December values for the plan's years come from plan/yearend.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from basis_ledger.audit.findings import Finding
from basis_ledger.engine.form8606 import Options
from basis_ledger.ledger.store import LEDGER_EVENT_COLUMNS
from basis_ledger.model import InputError, Problem, Taxpayer

if TYPE_CHECKING:
    import pandas as pd

    from basis_ledger.audit.findings import RuleContext

COLUMNS = LEDGER_EVENT_COLUMNS
TAXABLE_LINES = ("L15c", "L18", "L25c")  # Form 1040 line 4b amounts the 8606 produces


@dataclass
class PlanResult:
    taxpayer: str
    tax_year: int
    before: dict[
        str, Any
    ]  # the year's own-chain object from engine.objects.as_objects, or {} when the form has no such year
    after: dict[str, Any]
    taxable_change: int  # cents: (15c + 18 + 25c) after minus before
    findings: list[Finding]
    opts: Options
    steps: list[dict[str, Any]] | None = None  # isolate/backdoor: {"date", "event", "amount" (cents), "why"}
    cautions: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # further JSON keys (amounts in cents under keys ending _cents)

    def as_json(self) -> dict[str, Any]:
        from basis_ledger.engine.objects import money_value

        doc = {
            "taxpayer": self.taxpayer,
            "tax_year": self.tax_year,
            "before": self.before.get("lines", {}),
            "after": self.after.get("lines", {}),
            "taxable_change": money_value(self.taxable_change, self.opts),
            "findings": [f.as_dict(self.opts.cents) for f in self.findings],
        }
        if self.steps is not None:
            doc["steps"] = [{**s, "amount": money_value(s["amount"], self.opts)} for s in self.steps]
            doc["cautions"] = self.cautions
        for k, v in self.extra.items():
            doc[k.removesuffix("_cents")] = money_value(v, self.opts) if k.endswith("_cents") else v
        return doc

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)


def read_plan_file(path: Path, first_id: int) -> pd.DataFrame:
    """The what-if file in the generic CSV format, checked like an import (bad input raises InputError)."""
    from basis_ledger.ledger.importing import extract_file

    src, extracted = extract_file(path, "generic")
    assert extracted.events is not None  # the generic importer gives a table, or raises InputError
    from basis_ledger.ingest.base import to_arrow

    return plan_frame(to_arrow(extracted.events).to_pandas(), str(path), src.sha256, first_id)


def plan_frame(events: pd.DataFrame, source_file: str, sha256: str, first_id: int) -> pd.DataFrame:
    """Give hypothetical events the ledger's columns: provenance = the plan's file, ids after the ledger's."""
    import numpy as np

    ev = events.copy()
    ev["source_file"], ev["source_sha256"] = source_file, sha256
    ev["id"] = np.arange(first_id, first_id + len(ev), dtype=np.int64)
    return ev[list(COLUMNS)].reset_index(drop=True)


def with_provenance(events: pd.DataFrame) -> pd.DataFrame:
    """Ledger-shaped events: an `id` (ledger order) and provenance columns, added when a caller's frame lacks them."""
    import numpy as np

    ev = events.copy()
    if "id" not in ev.columns:
        ev["id"] = np.arange(1, len(ev) + 1, dtype=np.int64)
    for c in ("source_file", "source_sha256"):
        if c not in ev.columns:
            ev[c] = ""
    return ev[list(COLUMNS)]


def next_id(events: pd.DataFrame) -> int:
    return int(events["id"].max()) + 1 if len(events) and "id" in events.columns else 1


def choose_taxpayer(plan: pd.DataFrame, taxpayer: str | None, source: str) -> str:
    names = sorted(set(plan["taxpayer"]))
    if taxpayer is None:
        if len(names) != 1:
            raise InputError([Problem(source, f"events for {', '.join(names)}: choose one with --taxpayer")])
        return str(names[0])
    if taxpayer not in names:
        raise InputError([Problem(source, f"no events for taxpayer '{taxpayer}' (it has: {', '.join(names)})")])
    return taxpayer


def _frame(parts: list[pd.DataFrame | list[dict[str, Any]]], first_id: int) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    ev = pd.concat(
        [p if isinstance(p, pd.DataFrame) else pd.DataFrame(p, columns=list(COLUMNS)) for p in parts], ignore_index=True
    )
    gen = ev["id"] == 0
    ev.loc[gen, "id"] = np.arange(first_id, first_id + int(gen.sum()))
    for c in ("id", "tax_year", "amount_cents", "source_line"):
        ev[c] = ev[c].astype("int64")
    return ev


def evaluate(
    ledger: pd.DataFrame,
    people: dict[str, Taxpayer],
    plan: pd.DataFrame,
    taxpayer: str,
    year: int | None,
    opts: Options,
    source: str,
) -> PlanResult:
    """Before and after for `taxpayer`'s `year` (default: the plan's first calendar year) and the new findings."""
    from basis_ledger.audit.rules import run_rules
    from basis_ledger.loader import Loaded
    from basis_ledger.plan.yearend import year_ends

    ledger = with_provenance(ledger)
    mine = plan[plan["taxpayer"] == taxpayer]
    if year is None:
        year = int(mine["date"].min()[:4]) if len(mine) else int(ledger["date"].max()[:4])
    before_ye, after_ye, replaced = year_ends(ledger, plan, taxpayer, source)
    first = max(next_id(ledger), next_id(plan))
    before_ev = _frame([ledger, before_ye], first)
    after_ev = _frame([ledger[~ledger["id"].isin(replaced)], plan, after_ye], first + len(before_ye))
    results = []
    for ev in (before_ev, after_ev):
        loaded = Loaded(ev, people, options=opts)  # computed and checked by the loader, in memory
        results.append((loaded.lines, run_rules(cast("RuleContext", loaded))))  # a Loaded has what rules read
    (fb, find_b), (fa, find_a) = results
    seen = {_key(f) for f in find_b}
    new = [f for f in find_a if f.taxpayer == taxpayer and _key(f) not in seen]
    obj_b, obj_a = _year_object(fb, taxpayer, year, opts), _year_object(fa, taxpayer, year, opts)
    change = _taxable(fa, taxpayer, year) - _taxable(fb, taxpayer, year)
    return PlanResult(taxpayer, year, obj_b, obj_a, change, new, opts)


def _key(f: Finding) -> tuple[Any, ...]:
    return (f.code, f.taxpayer, f.tax_year, f.chain, f.line, f.expected, f.found, f.message)


def _row(frame: pd.DataFrame, taxpayer: str, year: int) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame[(frame["taxpayer"] == taxpayer) & (frame["chain"] == "own") & (frame["tax_year"] == year)]


def _year_object(frame: pd.DataFrame, taxpayer: str, year: int, opts: Options) -> dict[str, Any]:
    from basis_ledger.engine.objects import as_objects

    objs = as_objects(_row(frame, taxpayer, year), opts)
    return objs[0] if objs else {}


def _taxable(frame: pd.DataFrame, taxpayer: str, year: int) -> int:
    row = _row(frame, taxpayer, year)
    if row.empty:
        return 0
    return sum(int(cast(int, row[c].fillna(0).iat[0])) for c in TAXABLE_LINES if c in row.columns)
