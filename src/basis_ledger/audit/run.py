"""Run every audit rule of the registry (audit/ruleset.py): the reconciliation rules and the event rules.

A large ledger is audited a range of sorted taxpayers at a time (`audit_ranges`): each range gets its own view
(its events, filed forms and documents, and lines computed from them), its findings are sorted and handed on,
and the next range starts with nothing of the last one held. Findings sort by taxpayer first, and no rule looks
past a taxpayer's own history (the one thing shared between taxpayers, the account type an account's events
carry, is computed once over the whole ledger and given to every view), so the ranges' findings one after
another are exactly the whole ledger's, sorted: memory stays bounded by a range, not by the ledger
(tests/audit/test_ranges.py compares the bytes)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from basis_ledger.audit.columns import FindingColumns, Sorted, line_order
from basis_ledger.audit.context import AuditContext
from basis_ledger.audit.findings import SEVERITIES, Finding

if TYPE_CHECKING:
    import pandas as pd

# Rows (events, filed-form lines, document boxes) a range holds at most, unless one taxpayer has more: about
# 4,000 taxpayers of ten years' history. Each range costs some CPU whatever its size (the engine's and the rules'
# frames), so smaller ranges trade time for memory. At 20,000 taxpayers (benchmarks/audit_scale.py's ledger,
# 940,984 events), `audit --json` took 5.1-5.5 s CPU and 650 MiB at 100,000 rows, 5.1 s and 735 MiB at 150,000,
# 4.8-5.0 s and 825 MiB at 200,000, 4.8-5.2 s and 910 MiB at 250,000 (two interleaved runs each, session 7):
# `audit` takes 200,000 and stays under 1 GB; `report`, whose time is in its sheets, takes 50,000.
RANGE_ROWS = 200_000
REPORT_RANGE_ROWS = 50_000


def run_audit(ctx: AuditContext, taxpayer: str | None = None, year: int | None = None) -> list[Finding]:
    """Every finding, filtered to a taxpayer and a tax year when given, sorted by taxpayer, chain (own first),
    year, severity (errors first), code and line. A rule sees the whole history: a year's finding may rest on
    earlier years. For a large ledger, `audit_ranges` gives the same findings without holding them all."""
    return [f for part in audit_ranges(ctx, taxpayer, year) for f in part]


def audit_ranges(
    ctx: AuditContext, taxpayer: str | None = None, year: int | None = None, rows: int | None = None
) -> Iterator[list[Finding]]:
    """run_audit's findings, one sorted list per range of sorted taxpayers (at most `rows` rows of data each,
    RANGE_ROWS by default): their concatenation is run_audit's list."""
    for found in column_ranges(ctx, taxpayer, year, rows):
        yield found.findings()
        del found


def column_ranges(
    ctx: AuditContext, taxpayer: str | None = None, year: int | None = None, rows: int | None = None
) -> Iterator[FindingColumns]:
    """audit_ranges's findings as columns (what `audit --json` writes), one FindingColumns per range."""
    for view in Ranges(ctx, rows):
        found = audit_columns(view, taxpayer, year)
        del view  # let this range go before the next is made: one range's data at a time, not two
        yield found
        del found


def audit_view(ctx: AuditContext, taxpayer: str | None = None, year: int | None = None) -> list[Finding]:
    """Every rule over one context (the whole ledger, or one range's view), filtered and sorted."""
    return audit_columns(ctx, taxpayer, year).findings()


def audit_columns(ctx: AuditContext, taxpayer: str | None = None, year: int | None = None) -> FindingColumns:
    """audit_view's findings as columns: every rule's, in the registry's order, filtered, each distinct one once
    (a rule run twice must not say it twice) and sorted as `sort_key` sorts (FindingColumns.ordered).

    A rule returns a list of Finding objects or a FindingColumns. The event rules' findings come unsorted
    (rules.rule_parts, not the planner's run_rules): its sort (taxpayer, year, code, chain, message) only
    reorders findings whose sort_key differs, so ties, and hence the order written, are the same."""
    return audit_sorted(ctx, taxpayer, year).columns()


def audit_sorted(ctx: AuditContext, taxpayer: str | None = None, year: int | None = None) -> Sorted:
    """audit_columns's findings before their sorted copy (audit/columns.Sorted): what `audit --json` writes a
    block at a time."""
    from basis_ledger.audit.rules import columns_of, rule_parts
    from basis_ledger.audit.ruleset import AUDIT_RULES, NEEDS_EVENTS

    parts = [columns_of(rule(ctx)) for rule in AUDIT_RULES if rule not in NEEDS_EVENTS]
    # The event rules' parts joined with the others in one concatenation (rule_columns would make one of its
    # own first, a second copy of their texts): none without events.
    parts += rule_parts(ctx, [rule for rule in AUDIT_RULES if rule in NEEDS_EVENTS])
    return FindingColumns.concat(parts).select(taxpayer, year).sorted()


class Ranges:
    """The ledger as views of consecutive ranges of sorted taxpayers, each holding at most `rows` rows of events,
    filed-form lines and document boxes (a taxpayer is never split). A ledger that fits in one range is its own
    view. A view keeps each frame's rows in their order, so ledger order (same-day events) is unchanged.
    `len()` is the number of ranges (for a progress bar); iterating makes each view only when it is reached."""

    def __init__(self, ctx: AuditContext, rows: int | None = None) -> None:
        import numpy as np

        self.ctx = ctx
        limit = RANGE_ROWS if rows is None else rows
        frames = {"events": ctx.events, "filed_forms": ctx.filed_forms, "documents": ctx.documents}
        self.frames = {k: f for k, f in frames.items() if f is not None and len(f)}
        self.whole = sum(len(f) for f in self.frames.values()) <= limit
        if self.whole:
            return
        names = sorted(set().union(*(f["taxpayer"].unique().tolist() for f in self.frames.values())))
        codes = {k: _codes(f["taxpayer"], names) for k, f in self.frames.items()}
        weight = sum(np.bincount(c, minlength=len(names)) for c in codes.values())
        range_of = np.zeros(len(names), dtype=np.int64)
        n, held = 0, 0
        for i, w in enumerate(weight.tolist()):
            if held and held + w > limit:
                n, held = n + 1, 0
            range_of[i] = n
            held += w
        self.names = names
        self.starts = [*np.flatnonzero(np.diff(range_of, prepend=-1)).tolist(), len(names)]  # each range's first
        self.split = {k: _split(range_of[c], n + 1) for k, c in codes.items()}

    def __len__(self) -> int:
        return 1 if self.whole else len(self.starts) - 1

    def __iter__(self) -> Iterator[AuditContext]:
        if self.whole:
            yield self.ctx
            return
        ctx = self.ctx
        shared: dict[str, str] | None = None
        if "documents" in self.frames:
            from basis_ledger.audit.documents import event_account_types

            shared = event_account_types(ctx)  # an account may be named in more than one taxpayer's events
        # The loader's columns, where the events frame was made from them: a range of those is cut by Arrow and
        # numpy, and its view computes its lines from columns as `compute` does, its frame made on first use
        # the way the loader makes it (engine/columns.Columns.frame). A frame built by hand is cut by pandas.
        columns = ctx._columns.contiguous() if "events" in self.frames and ctx._columns is not None else None
        for r in range(len(self)):
            part: dict[str, object] = {
                k: f.take(self.split[k][r]).reset_index(drop=True)
                for k, f in self.frames.items()
                if not (k == "events" and columns is not None)
            }
            if columns is not None:
                part["events"] = columns.take(self.split["events"][r])
            who = set(self.names[self.starts[r] : self.starts[r + 1]])
            view = RangeView(
                part.get("events", ctx.events.iloc[0:0]),  # type: ignore[arg-type]
                {t: p for t, p in ctx.taxpayers.items() if t in who},
                accounts=ctx.accounts,
                filed_forms=part.get("filed_forms"),
                documents=part.get("documents"),
                options=ctx.options,
                source=ctx.source,
                as_of=ctx.as_of,
            )
            view.shared_account_types = shared
            yield view
            del view, part  # the caller's range is let go before the next one is cut


class RangeView(AuditContext):
    """One range's AuditContext, with what is computed once over the whole ledger for every range."""

    shared_account_types: dict[str, str] | None = None  # audit/documents.event_account_types of the whole ledger


def _codes(column: pd.Series, names: list[str]):
    """Each row's taxpayer as its position in `names` (sorted, holding every value of the column): by Arrow's
    hash look-up for the loader's Arrow-backed text (a tenth of pandas' get_indexer at 940,000 events)."""
    import pandas as pd

    if column.dtype == object:
        return pd.Index(names).get_indexer(column)
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pa.array(column)
    found = pc.index_in(values, value_set=pa.array(names, values.type))
    if isinstance(found, pa.ChunkedArray):
        found = found.combine_chunks()
    return np.asarray(found, dtype=np.int64)


def _split(range_ids, n: int) -> list:
    """Row positions per range, each in row order."""
    import numpy as np

    order = np.argsort(range_ids, kind="stable")
    bounds = np.searchsorted(range_ids[order], np.arange(n + 1))
    return [order[bounds[r] : bounds[r + 1]] for r in range(n)]


def sort_key(f: Finding) -> tuple:
    order = line_order()
    line = order.get((f.line or "").split("+")[0], len(order))
    return (f.taxpayer, f.chain != "own", f.chain, f.tax_year, SEVERITIES.index(f.severity), f.code, line, f.message)


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
