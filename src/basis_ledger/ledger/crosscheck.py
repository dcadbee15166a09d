"""Across every file of one import (and what the ledger already holds): statements and tax forms agree. A step of
the import pipeline (ledger/importing.py), here because it reads the ledger; the forms themselves are ingest's.

1. A 1099-R payout coded 1/2/7 from a traditional IRA is a Roth conversion when a 5498 of the same owner and
   year shows it arriving (box 3); without a 5498 it stays a distribution, with a note.
2. A contribution dated 1 January .. the deadline whose year the custodian did not state is for the year
   before when that year's 5498 (box 1 or 10) has room for it, else for its calendar year.
3. An event from a form is dropped (and counted) where the statements already hold the same kind of event
   for the same account and year: the statements have dates, the forms only years. A statement arriving after
   the form supersedes the form's event (ledger/importing.py voids it), so the order of imports does not matter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from basis_ledger.ingest.taxforms import FORM_IMPORTERS
from basis_ledger.ingest.taxforms.boxes import cents
from basis_ledger.ingest.taxforms.conversions import conversions
from basis_ledger.model import Problem, kinds

if TYPE_CHECKING:
    from basis_ledger.ingest.base import Extracted
    from basis_ledger.ledger.store import Ledger

Batch = list[tuple[str, "Extracted"]]
_BOXES = {"box1_ira_contributions": "traditional_contribution", "box10_roth_contributions": "roth_contribution"}


def _forms_5498(batch: Batch, ledger: Ledger | None) -> list[tuple[str, int, str, str, int]]:
    """(taxpayer, tax_year, account, box, cents) of every 5498 box 1, 3 and 10, this import and the ledger's."""
    boxes = ("box3_roth_conversion", *_BOXES)
    rows = [
        (d["taxpayer"], d["tax_year"], d["account"], b, cents(d, b))
        for _, ex in batch
        for d in ex.documents
        if d["form"] == "5498"
        for b in boxes
        if b in d["boxes"]
    ]
    if ledger is not None:
        for d in ledger.live_documents(ledger.conn, "5498"):  # voided forms do not count
            for b in boxes:
                if b in d["boxes"]:
                    rows.append((d["taxpayer"], d["tax_year"], d["account"], b, cents(d, b)))
    return rows


def reconcile(batch: Batch, ledger: Ledger | None) -> list[Problem]:
    """In place on the batch's events, skipped counts and notes; returns the problems that stop the import.

    The events arrive as Arrow tables (ingest/base.to_arrow). Only where tax forms are in play (this import's or
    the ledger's) or a statement left a contribution's year to decide is there anything to do: then the tables
    are worked on as pandas frames (the tax-form steps are written for them; their importers loaded pandas
    anyway) and handed back as Arrow."""
    import pyarrow.compute as pc

    from basis_ledger.arrays import arrow_text
    from basis_ledger.ingest.base import has_column, to_arrow

    tables = [to_arrow(ex.events) for _, ex in batch if ex.events is not None and len(ex.events)]
    from_forms = any(has_column(t, "origin") for t in tables)
    undecided = any(
        has_column(t, "tax_year_from") and pc.any(pc.equal(t.column("tax_year_from"), arrow_text("date?"))).as_py()
        for t in tables
    )
    if not (from_forms or undecided or _ledger_has_forms(ledger)):  # statements alone, years stated
        return []
    for _, ex in batch:
        if ex.events is not None:
            ex.events = _frame(ex.events)
    try:
        forms = _forms_5498(batch, ledger)
        problems = conversions(batch, forms)
        if undecided:
            _contribution_years(batch, forms, ledger)
        _drop_covered(batch, ledger)
    finally:
        for _, ex in batch:
            if ex.events is not None:
                ex.events = to_arrow(ex.events)
    return problems


def _frame(events: Any) -> Any:
    """An events table as the pandas frame the statement and tax-form importers built (text as pandas' str)."""
    import pandas as pd
    import pyarrow as pa

    def column(name: str) -> Any:
        values = events.column(name)
        if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
            return pd.array(values.to_pylist(), dtype="str")
        return values.to_numpy()

    return pd.DataFrame({name: column(name) for name in events.column_names}, columns=events.column_names)


def together(frames: list[Any], columns: list[str], missing: dict[str, str] | None = None) -> Any:
    """ledger/batch.together over these pandas frames, as a pandas frame (None when no frame has a row)."""
    from basis_ledger.ingest.base import to_arrow
    from basis_ledger.ledger import batch

    both = batch.together([None if f is None else to_arrow(f) for f in frames], columns, missing)
    return None if both is None else _frame(both)


def _contribution_years(batch: Batch, forms: list[tuple[str, int, str, str, int]], ledger: Ledger | None) -> None:
    room: dict[tuple[Any, ...], int] = defaultdict(int)
    has_form: set[tuple[Any, ...]] = set()
    for t, y, a, b, v in forms:
        if b in _BOXES:
            room[(t, a, y, _BOXES[b])] += v
            has_form.add((t, a, y))
    contributions = [k for k, v in kinds().items() if v.tax_year == "contribution"]
    for known in _known(batch, ledger, contributions):
        room[known[:4]] -= known[4]
    # The undecided rows of every file at once (ledger/batch.py), in file order, then row order.
    frames = [ex.events if ex.events is not None and "tax_year_from" in ex.events else None for _, ex in batch]
    ev = together(frames, ["taxpayer", "account", "tax_year", "kind", "amount_cents", "tax_year_from", "source_line"])
    if ev is None:
        return
    undecided = ev[ev["tax_year_from"] == "date?"]
    settled: dict[int, set[int]] = defaultdict(set)  # file -> lines whose year a 5498 settled
    before = ev[ev["tax_year_from"] == "5498"]
    for f, line in zip(before["file_index"], before["source_line"], strict=True):
        settled[int(f)].add(int(line))
    for who, acct, year, kind, amount, f, pos, line in zip(
        undecided["taxpayer"],
        undecided["account"],
        undecided["tax_year"],
        undecided["kind"],
        undecided["amount_cents"],
        undecided["file_index"],
        undecided["file_row"],
        undecided["source_line"],
        strict=True,
    ):
        target = batch[int(f)][1].events
        assert target is not None  # its rows are in `ev`
        i = target.index[int(pos)]
        year, amount = int(year), int(amount)
        if room.get((who, acct, year - 1, kind), 0) >= amount:
            room[(who, acct, year - 1, kind)] -= amount
            target.at[i, "tax_year"], target.at[i, "tax_year_from"] = year - 1, "5498"
        elif (who, acct, year) in has_form:
            target.at[i, "tax_year_from"] = "5498"
        else:
            continue
        settled[int(f)].add(int(line))
    for f, lines in settled.items():
        fname, ex = batch[f]
        ex.cautions[:] = [c for c in ex.cautions if c.file != fname or c.line not in lines]


def _known(batch: Batch, ledger: Ledger | None, contributions: list[str]) -> Iterator[tuple[Any, ...]]:
    """(taxpayer, account, tax_year, kind, cents) of contributions whose year is settled, from statements."""
    frames = [None if ex.events is None or "origin" in ex.events else ex.events for _, ex in batch]
    ev = together(
        frames, ["taxpayer", "account", "tax_year", "kind", "amount_cents", "tax_year_from"], {"tax_year_from": ""}
    )
    if ev is not None:
        settled = ev[ev["kind"].isin(contributions) & (ev["tax_year_from"] != "date?")]
        for t, a, y, k, c in zip(
            settled["taxpayer"],
            settled["account"],
            settled["tax_year"],
            settled["kind"],
            settled["amount_cents"],
            strict=True,
        ):
            yield t, a, int(y), k, int(c)
    for r in _ledger_events(ledger):
        if r[3] in contributions and r[4] not in FORM_IMPORTERS:
            yield r[0], r[1], r[2], r[3], r[5]


def _ledger_has_forms(ledger: Ledger | None) -> bool:
    return ledger is not None and ledger.has_form_files(ledger.conn, tuple(FORM_IMPORTERS))


def _ledger_events(ledger: Ledger | None) -> list[tuple[Any, ...]]:
    return [] if ledger is None else ledger.event_summary(ledger.conn)


def _drop_covered(batch: Batch, ledger: Ledger | None) -> None:
    from_statements = {(t, a, y, k) for t, a, y, k, imp, _ in _ledger_events(ledger) if imp not in FORM_IMPORTERS}
    for _, ex in batch:
        ev = ex.events
        if ev is not None and not ev.empty and "origin" not in ev:
            from_statements |= set(zip(ev["taxpayer"], ev["account"], ev["tax_year"], ev["kind"], strict=True))
    for _, ex in batch:
        ev = ex.events
        if ev is None or ev.empty:
            continue
        keys = list(zip(ev["taxpayer"], ev["account"], ev["tax_year"], ev["kind"], strict=True))
        if "origin" in ev:
            covered = [k in from_statements for k in keys]
            for kind in ev.loc[covered, "kind"]:
                why = f"{kind} from a tax form: already in the statements"
                ex.skipped[why] = ex.skipped.get(why, 0) + 1
            ex.events = ev[[not c for c in covered]].reset_index(drop=True)
        # The other way round (a statement after the form) the form's event is voided as superseded when the
        # statement is written: ledger/importing.py, superseded().
