"""The audit's view of a ledger: the rule Context plus what reconciliation needs (cents lines, accounts, a date).

Also the small shared helpers of the reconciliation rules: reading amounts as printed on forms, the tolerance
of a comparison, and which line of which year each event feeds.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cached_property
from typing import TYPE_CHECKING, Any

from basis_ledger.audit.findings import Evidence, codes
from basis_ledger.engine.form8606 import Options
from basis_ledger.loader import DOCUMENT_COLUMNS, FILED_COLUMNS, Loaded  # noqa: F401 - DOCUMENT/FILED re-exported
from basis_ledger.model import kinds
from basis_ledger.money import dollars_text, parse_printed

if TYPE_CHECKING:
    import pandas as pd


class AuditContext(Loaded):
    """The audit's view of a Loaded (basis_ledger.loader): `lines` in whole dollars (the form as the tool fills it
    by default), `cents_lines` exact; `options` as asked on the command line (ratio places, cents), which the
    workbook follows; `as_of` decides which years' returns were due."""

    def __init__(self, *args: Any, as_of: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.as_of = as_of or date.today()

    @classmethod
    def of(cls, loaded: Loaded, as_of: date | None = None) -> AuditContext:
        """The audit's view of `loaded`, sharing what it has computed already."""
        ctx = cls(
            loaded.events,
            loaded.taxpayers,
            accounts=loaded.accounts,
            filed_forms=loaded.filed_forms,
            documents=loaded.documents,
            options=loaded.options,
            source=loaded.source,
            as_of=as_of,
        )
        ctx._inputs, ctx._lines = loaded._inputs, loaded._lines
        ctx._columns = loaded._columns  # what the frame was made from: audit/run.Ranges cuts these
        return ctx

    @property
    def lines(self) -> pd.DataFrame:
        return self.whole_lines

    @cached_property
    def _chain_row(self) -> dict[tuple[str, str], int]:
        ch = self.inputs.chains
        return {(t, c): i for i, (t, c) in enumerate(zip(ch["taxpayer"], ch["chain"], strict=True))}

    def input_value(self, field_name: str, taxpayer: str, chain: str, year: int) -> int:
        """One engine input (cents) for a chain and year; 0 outside the ledger's history."""
        i = self._chain_row.get((taxpayer, chain))
        j = year - int(self.inputs.years[0]) if len(self.inputs.years) else -1
        if i is None or not 0 <= j < len(self.inputs.years):
            return 0
        return int(self.inputs.arrays[field_name][i, j])

    @cached_property
    def placed(self):  # -> engine.routing.Placed
        """Where the engine places each event (engine/routing.place): made once, for keyed and the rules. The
        engine's inputs, once built (the lines need them, and the audit's rules read the lines first), hold the
        placement of these very rows (Inputs.routed, a Placed): it is taken from there rather than made again
        (0.13 s of CPU over a 20,000-taxpayer ledger's ranges)."""
        from basis_ledger.engine.routing import place

        routed = self._inputs.routed if self._inputs is not None else None
        if routed is not None and len(routed.form_year) == len(self.events):
            return routed
        return place(self.events)

    @cached_property
    def keyed(self) -> pd.DataFrame:
        """The events with their chain and the 8606 year they act on (event_keys)."""
        return event_keys(self.events, self.placed)

    @cached_property
    def _by_year(self) -> dict:
        """Row positions per (taxpayer, chain, form year): small arrays, not a frame per group."""
        return self.keyed.groupby(["taxpayer", "chain", "form_year"]).indices

    def at(self, taxpayer: str, chain: str, year: int) -> pd.DataFrame:
        """The events acting on one chain's form of one year."""
        rows = self._by_year.get((taxpayer, chain, year))
        return self.keyed.iloc[rows] if rows is not None else self.keyed.iloc[0:0]


def make_context(
    events: pd.DataFrame,
    taxpayers: dict,
    *,
    filed_forms: pd.DataFrame | None = None,
    documents: pd.DataFrame | None = None,
    accounts: dict | None = None,
    options: Options | None = None,
    as_of: date | None = None,
) -> AuditContext:
    """An audit context over in-memory frames (tests); the commands use `AuditContext.of(load(...))`."""
    return AuditContext(
        events,
        taxpayers,
        filed_forms=filed_forms,
        documents=documents,
        accounts=accounts,
        options=options,
        as_of=as_of,
    )


# -- amounts as printed ---------------------------------------------------------------------------------
def parse_money(text: object) -> int | None:
    """An amount as printed on a filed form -> cents (money.parse_printed)."""
    return parse_printed(text)


def parse_ratio(text: object) -> tuple[Decimal, int] | None:
    """Line 10 as printed (`0.9375`, `.382`, `1.000`) -> (value, decimal places); blank -> None."""
    t = str(text).strip()
    if t == "":
        return None
    if t.startswith("."):
        t = "0" + t
    try:
        value = Decimal(t)
    except InvalidOperation:
        raise ValueError(f"not a ratio: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"not a ratio: {text!r}")
    places = max(-value.as_tuple().exponent, 0)
    return value, int(places)


def ratio_of(numerator: int, denominator: int, places: int) -> Decimal:
    """Line 10 rule: line 5 / line 9 rounded half-up to `places`, 1 when it reaches 1 or line 9 is 0."""
    if denominator <= 0:
        return Decimal(1)
    q = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return min(q, Decimal(1))


def tolerance_cents(code: str) -> int:
    """How far two amounts may differ before a finding (schemas/findings.toml `tolerance_cents`, else $1)."""
    return int(codes()[code].get("tolerance_cents", 100))


def dollars(cents: int | None) -> str:
    """An amount in a finding's text (money.dollars_text); a blank line says so."""
    return "blank" if cents is None else dollars_text(cents)


# -- where events land ----------------------------------------------------------------------------------
def event_keys(events: pd.DataFrame, placed: object = None) -> pd.DataFrame:
    """The events with their chain and the 8606 year they act on, as the engine places them (engine/routing.py;
    `placed` is that placement when the caller has it)."""
    from basis_ledger.engine.routing import place

    if placed is None:
        placed = place(events)
    out = events.copy()
    out["chain"] = _chain_column(placed)
    out["form_year"] = placed.form_year
    return out


def _chain_column(placed) -> object:
    """The placement's chains as the column pandas makes of their object array (its inferred text dtype), built
    from the chains' codes and few names by an Arrow take where the placement holds them so (engine/routing
    .Placed): pandas reading a Python string per event took 0.039 s over a 20,000-taxpayer ledger's ranges."""
    import numpy as np
    import pandas as pd

    coded = getattr(placed, "coded_chain", None)
    if coded is None:
        return placed.chain
    code, names = coded
    dtype = pd.Series(["own"]).dtype  # what pandas infers for text (str, Arrow-backed with pyarrow present)
    if not isinstance(dtype, pd.StringDtype) or dtype.storage != "pyarrow":
        return placed.chain
    import pyarrow as pa

    taken = pa.array(list(names), pa.string()).take(pa.array(np.asarray(code, dtype=np.int64)))
    return pd.array(taken, dtype=dtype)


def event_evidence(rows: pd.DataFrame, limit: int = 12) -> list[Evidence]:
    """Each event as evidence: its file, line, and what it says (at most `limit`, then a count)."""
    head = rows.head(limit)
    cols = (head[c].tolist() for c in ("source_file", "source_line", "kind", "date", "amount_cents"))
    ev = [
        Evidence(str(file), f"line {int(line)}", f"{kind} {day} {dollars(int(cents))}")
        for file, line, kind, day, cents in zip(*cols, strict=True)
    ]
    if len(rows) > limit:
        ev.append(Evidence(str(rows["source_file"].iloc[limit]), "...", f"and {len(rows) - limit} more events"))
    return ev


def evidence_by_year(rows: pd.DataFrame, limit: int = 12) -> dict[tuple[str, str, int], list[Evidence]]:
    """event_evidence for many (taxpayer, chain, form year) groups at once: one factorization of the keys, the
    texts built on whole columns (audit/evidence.py)."""
    import numpy as np
    import pandas as pd

    from basis_ledger.audit.evidence import EventTexts, match

    if not len(rows):
        return {}
    E = EventTexts(rows)
    cols = [rows["taxpayer"].to_numpy(dtype=object), rows["chain"].to_numpy(dtype=object)]
    years = rows["form_year"].to_numpy(dtype=np.int64)
    code, first = pd.factorize(pd.MultiIndex.from_arrays([*cols, years]))  # keys in order of first appearance
    keys = [(t, c, int(y)) for t, c, y in first.tolist()]
    matched = match(np.arange(len(rows)), [code], [np.arange(len(keys))])
    return dict(zip(keys, E.grouped_event_evidence(matched, limit), strict=True))


def line_feeders(line: str) -> set[str]:
    """Event kinds whose amount feeds a Form 8606 line (schemas/event_kinds.toml `lines`)."""
    return {name for name, k in kinds().items() if line in k.lines}
