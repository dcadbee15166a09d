"""The loader (as beancount's `loader.load`): a ledger in, one `Loaded` out, with everything the commands, the
audit, the planner and the renderers read: the validated events, taxpayers, accounts, declarations (on the
taxpayers), filed forms, custodian documents, the engine's inputs and the computed lines.

This is the one way into the engine: nothing else calls `engine.results.compute_lines`. A `Loaded` computes
lazily and once (inputs once, lines once per money unit) and checks every computed frame against the lines'
contract (`check_computed`) before anyone reads it.

The interface is deliberately narrow (attributes and methods, no frame internals promised beyond the columns
documented in docs/architecture.md), so the storage behind it can change (Arrow or numpy columns) without
touching its readers. `check_computed` is a separate step for the same reason: a vectorized check can replace
the pandera one without changing the loader's callers.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from basis_ledger.engine.form8606 import Options
from basis_ledger.model import InputError, Problem, Taxpayer

if TYPE_CHECKING:
    import pandas as pd

    from basis_ledger.engine.columns import Columns
    from basis_ledger.engine.inputs import Inputs
    from basis_ledger.engine.results import Lines
    from basis_ledger.ledger.location import Location

FILED_COLUMNS = ["taxpayer", "tax_year", "chain", "line", "value", "source_ref", "source_file"]
DOCUMENT_COLUMNS = [
    "doc_index",
    "form",
    "taxpayer",
    "tax_year",
    "account",
    "box",
    "value",
    "source_line",
    "file_id",
    "source_file",
]


@dataclass(frozen=True)
class LoadOptions:
    """What to load: one taxpayer or all; how to compute (line 10 places, cents); with provenance columns; with
    the filed forms, custodian documents and accounts (the audit and the workbook need them)."""

    taxpayer: str | None = None
    ratio_places: int = 5
    cents: bool = False
    provenance: bool = True
    documents: bool = False

    def problems(self) -> list[Problem]:
        if not 3 <= self.ratio_places <= 9:
            return [Problem("--ratio-places", f"{self.ratio_places} is not allowed: line 10 needs 3 to 9 places")]
        return []

    @property
    def engine(self) -> Options:
        return Options(ratio_places=self.ratio_places, cents=self.cents)


class Loaded:
    """One ledger's (or an in-memory history's) data and its computed Form 8606 lines.

    The events come as columns (engine/columns.Columns: what the loader reads) or as a pandas frame (a plan, a
    cut-off history). The engine and the household commands read the columns (`event_columns`, `line_columns`)
    and never import pandas; `events` and the lines frames are built from them on first use, for the audit, the
    planner and the workbook."""

    def __init__(
        self,
        events: pd.DataFrame | Columns,
        taxpayers: dict[str, Taxpayer],
        *,
        accounts: dict[str, Any] | None = None,
        filed_forms: pd.DataFrame | None = None,
        documents: pd.DataFrame | None = None,
        options: Options | None = None,
        source: str = "",
    ) -> None:
        from basis_ledger.engine.columns import Columns

        self._columns = events if isinstance(events, Columns) else None
        self._events = None if isinstance(events, Columns) else events
        self.taxpayers = taxpayers
        self.accounts = accounts or {}
        self._filed_forms, self._documents = filed_forms, documents
        self.options = options or Options()  # as asked: --ratio-places and --cents
        self.source = source  # where it came from (the ledger's location), for messages
        self._inputs: Inputs | None = None
        # Computed lines, once per unit: frames under `cents`, columns under ("columns", cents). One dict, so a
        # view sharing it (audit.context.AuditContext.of) shares both.
        self._lines: dict[Any, Any] = {}

    @property
    def events(self) -> pd.DataFrame:
        """The events as a pandas frame (built from the columns on first use)."""
        if self._events is None:
            assert self._columns is not None
            self._events = self._columns.frame()
        return self._events

    @property
    def event_columns(self) -> Columns:
        """The events as columns (what the loader read; from the frame for an in-memory history)."""
        if self._columns is None:
            from basis_ledger.engine.columns import Columns

            frame = self.events
            ints = {c for c in frame.columns if frame[c].dtype.kind in "iu"}
            self._columns = Columns.of_arrays({c: frame[c].to_numpy() for c in frame.columns}, ints)
        return self._columns

    @property
    def n_events(self) -> int:
        return len(self._columns) if self._columns is not None else len(self.events)

    @property
    def filed_forms(self) -> pd.DataFrame:
        if self._filed_forms is None:
            import pandas as pd

            self._filed_forms = pd.DataFrame(columns=FILED_COLUMNS)
        return self._filed_forms

    @property
    def documents(self) -> pd.DataFrame:
        if self._documents is None:
            import pandas as pd

            self._documents = pd.DataFrame(columns=DOCUMENT_COLUMNS)
        return self._documents

    @property
    def inputs(self) -> Inputs:
        """The engine's (chain x year) inputs of the events, built once."""
        if self._inputs is None:
            from basis_ledger.engine.inputs import build

            source = self._columns if self._columns is not None else self.events
            self._inputs = build(source, self.taxpayers)
        return self._inputs

    def line_columns(self, cents: bool) -> Lines:
        """Every 8606 line of every chain and year as columns, in cents (`cents=True`) or whole dollars, at the
        options' line-10 places: computed once per unit and checked against the lines' contract."""
        key = ("columns", cents)
        if key not in self._lines:
            from basis_ledger.engine.results import compute_lines

            opts = dataclasses.replace(self.options, cents=cents)
            source = self._columns if self._columns is not None else self.events
            inputs = self.inputs if self.n_events else None
            lines = compute_lines(source, self.taxpayers, opts, inputs=inputs, columns=True)
            check_computed(lines, opts)
            self._lines[key] = lines
        lines_: Lines = self._lines[key]
        return lines_

    def lines_only(self, cents: bool) -> Lines:
        """`line_columns(cents)` for a caller that reads nothing else (compute, basis): the events, their codes
        and where each landed are let go once the engine's inputs are built, before the lines are made, so the
        lines reuse that memory instead of touching new pages (a 20,000-taxpayer ledger: ~150 MB). This Loaded
        can still give the lines after, but no longer the events."""
        key = ("columns", cents)
        if key in self._lines or not self.n_events:
            return self.line_columns(cents)
        from basis_ledger.engine.results import lines_of

        inputs = self.inputs
        inputs.routed = None
        self._columns = self._events = None
        opts = dataclasses.replace(self.options, cents=cents)
        lines = lines_of(inputs, opts)
        check_computed(lines, opts)
        self._lines[key] = lines
        return lines

    def computed_lines(self, cents: bool) -> pd.DataFrame:
        """The same lines as a pandas frame (engine.results.Lines.frame), built once per unit."""
        if cents not in self._lines:
            self._lines[cents] = self.line_columns(cents).frame()
        frame: pd.DataFrame = self._lines[cents]
        return frame

    @property
    def lines(self) -> pd.DataFrame:
        """The computed lines as asked (`options.cents`)."""
        return self.computed_lines(self.options.cents)

    @property
    def whole_lines(self) -> pd.DataFrame:
        """The computed lines in whole dollars: the form as the tool fills it by default."""
        return self.computed_lines(False)

    @property
    def cents_lines(self) -> pd.DataFrame:
        """The computed lines in exact cents."""
        return self.computed_lines(True)

    def with_events(self, events: pd.DataFrame, taxpayers: dict[str, Taxpayer] | None = None) -> Loaded:
        """The same ledger with other events (a plan, a cut-off history): computed afresh, in memory."""
        return Loaded(
            events,
            self.taxpayers if taxpayers is None else taxpayers,
            accounts=self.accounts,
            filed_forms=self._filed_forms,
            documents=self._documents,
            options=self.options,
            source=self.source,
        )


def check_computed(frame: pd.DataFrame | Lines, opts: Options) -> None:
    """The computed lines' contract: the form's own arithmetic holds. Checked on every run by vectorized asserts
    (engine/invariants.py: the same rules as the lines' pandera model, engine.results.check_lines, which the
    tests run and compare with it). A frame that breaks it is a bug, never bad input: RuntimeError."""
    if len(frame) == 0:
        return  # no computed year: nothing to check
    from basis_ledger.engine.invariants import broken_rules

    broken = broken_rules(frame, opts)
    if broken:
        raise RuntimeError(f"computed lines break the form's arithmetic: {', '.join(broken)}")


def load(ledger: Location, options: LoadOptions | None = None) -> Loaded:
    """Read a ledger into a `Loaded`. Raises InputError for a bad option or a taxpayer the ledger has no events
    for."""
    from basis_ledger.ledger.store import Ledger

    opts = options or LoadOptions()
    problems = opts.problems()
    if problems:
        raise InputError(problems)
    filed = docs = accounts = None
    with Ledger.open(ledger) as store:
        events = store.event_columns(opts.taxpayer, provenance=opts.provenance)
        # Everyone with a live event is among the events just read (unless only one taxpayer's were).
        people = store.taxpayers(None if opts.taxpayer is not None else events.factorize("taxpayer")[1])
        if opts.documents:
            filed, docs = store.filed_forms(), store.documents()
            accounts = store.accounts()
    if opts.taxpayer is not None and not len(events):
        known = ", ".join(people) or "none"
        raise InputError([Problem(str(ledger), f"no events for taxpayer '{opts.taxpayer}' (known: {known})")])
    if opts.taxpayer is not None:
        if filed is not None and len(filed):
            filed = filed[filed["taxpayer"] == opts.taxpayer]
        if docs is not None and len(docs):
            docs = docs[docs["taxpayer"] == opts.taxpayer]
    return Loaded(
        events,
        people,
        accounts=accounts,
        filed_forms=filed,
        documents=docs,
        options=opts.engine,
        source=str(ledger),
    )
