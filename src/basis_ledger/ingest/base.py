"""The importer protocol (after beangulp): identify a file, extract its events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from basis_ledger.ingest.source import SourceFile
    from basis_ledger.model import Caution, Problem

# Columns of an extracted events frame, before the ledger adds provenance of the file itself.
EVENT_COLUMNS = (
    "taxpayer",
    "date",
    "tax_year",
    "account",
    "account_type",
    "kind",
    "amount_cents",
    "memo",
    "source_line",
)


@dataclass
class Extracted:
    """What an importer found in one file: events, or the problems that stop the file, plus what it skipped."""

    importer: str
    events: pd.DataFrame | pa.Table | None = None  # a table once past the boundary (to_arrow)
    problems: list[Problem] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> rows
    review: list[dict] = field(default_factory=list)  # rows that need a human decision
    # Custodian tax forms kept as filed: dicts with form, taxpayer, tax_year, account, doc_index, source_line and
    # boxes (box name -> value text). Stored in the `documents` table.
    documents: list[dict] = field(default_factory=list)
    # Form 8606s as filed: dicts with taxpayer, tax_year, chain, name, ssn_last4 and lines
    # (line label -> (value text, source_ref)). Stored in the `filed_forms` table.
    filed_forms: list[dict] = field(default_factory=list)
    # What a user must read but that does not stop the import (e.g. a contribution's tax year taken from its
    # date): Cautions naming the file and line, printed as `warning: FILE:LINE: ...`.
    cautions: list[Caution] = field(default_factory=list)


# Every type an account may be declared as; only the IRA types (model.ACCOUNT_TYPES) ever carry events.
DECLARABLE_TYPES = (
    "traditional",
    "sep",
    "simple",
    "roth",
    "inherited_traditional",
    "inherited_roth",
    "plan",
    "taxable",
)


@dataclass(frozen=True)
class Account:
    account: str
    owner: str
    type: str
    custodian: str = ""


@dataclass(frozen=True)
class Context:
    """Read-only facts an importer may need from the ledger and the command line (statement importers do)."""

    accounts: dict[str, Account] = field(default_factory=dict)
    mapping: dict[str, str] = field(default_factory=dict)  # custodian text (prefix, any case) -> event kind
    taxpayer: str | None = None  # the owner to assume when an export names an account's type but not its owner
    rules: tuple = ()  # statements.rowrules.RowRule: the user's mapping of single rows, date ranges, amounts


def extract(importer: Importer, src: SourceFile, ctx: Context | None) -> Extracted:
    """An importer's extract, its events then handed on as Arrow (`to_arrow`): import and inspect both call this.
    Importers with `takes_context = True` (statements, tax forms) are called as `extract(src, ctx)`."""
    if getattr(importer, "takes_context", False):
        extracted: Extracted = importer.extract(src, ctx)  # type: ignore[call-arg]
    else:
        extracted = importer.extract(src)
    if extracted.events is not None:
        extracted.events = to_arrow(extracted.events)
    return extracted


def has_column(events: pd.DataFrame | pa.Table | None, name: str) -> bool:
    return events is not None and name in (events.column_names if hasattr(events, "column_names") else events)


class Importer(Protocol):
    """An importer with `takes_context = True` (statements, tax forms) is called as `extract(src, ctx)`."""

    name: str

    def identify(self, src: SourceFile) -> bool: ...

    def extract(self, src: SourceFile) -> Extracted: ...


def to_arrow(events: pd.DataFrame | pa.Table) -> pa.Table:
    """The one boundary between the importers and the ledger: an importer's events (a pandas frame from the
    statement, tax-form and PDF importers, which need pandas anyway; an Arrow table from the generic CSV) as the
    Arrow table every later step reads (validation, duplicates, deadlines, the write). The event columns are
    typed as the ledger stores them (text, int64); any other column (`origin`, `tax_year_from`) keeps its type."""
    import pyarrow as pa

    if isinstance(events, pa.Table):
        return events
    columns, names = [], []
    for name in events.columns:
        array = pa.array(events[name], from_pandas=True)
        if name in INT_COLUMNS:
            array = array.cast(pa.int64())
        elif name in EVENT_COLUMNS:
            array = array.cast(pa.string())
        columns.append(array)
        names.append(str(name))
    return pa.Table.from_arrays(columns, names=names) if names else pa.table({})


INT_COLUMNS = frozenset({"tax_year", "amount_cents", "source_line"})
