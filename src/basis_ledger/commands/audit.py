"""Audit commands: `audit` (findings about the basis history) and `report --xlsx` (the accountant's workbook)."""

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Protocol, TextIO

import typer

from basis_ledger.commands import (
    EXIT_FINDINGS,
    JsonOpt,
    LedgerOpt,
    TaxpayerOpt,
    WideOpt,
    app,
    console,
    ledger_path,
    progress,
)
from basis_ledger.commands.core import Cents, Places, Year
from basis_ledger.model import InputError, Problem

if TYPE_CHECKING:
    from basis_ledger.audit.columns import FindingColumns, Sorted

AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="Audit as of this date, YYYY-MM-DD (default today): which years' returns were due."),
]


def load_context(ledger: str | None, taxpayer: str | None, places: int, cents: bool, as_of: str | None):
    """The ledger's events, computed lines, filed 8606s, custodian documents and accounts as an AuditContext."""
    from basis_ledger.audit.context import AuditContext
    from basis_ledger.commands.core import load_ledger

    problems = []
    if not 3 <= places <= 9:
        problems.append(Problem("--ratio-places", f"{places} is not allowed: line 10 needs 3 to 9 places"))
    day = None
    if as_of is not None:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            problems.append(Problem("--as-of", f"'{as_of}' is not a YYYY-MM-DD date"))
    if problems:
        raise InputError(problems)
    loaded = load_ledger(ledger, taxpayer=taxpayer, ratio_places=places, cents=cents, documents=True)
    return AuditContext.of(loaded, as_of=day)


@app.command()
def audit(
    which: Annotated[
        str | None,
        typer.Argument(metavar="[N|CODE]", help="With --explain: only the N-th finding of the listing, or one code."),
    ] = None,
    taxpayer: TaxpayerOpt = None,
    year: Year = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="The full text of each finding, with the evidence for every number.")
    ] = False,
    json_out: JsonOpt = False,
    cents: Cents = False,
    wide: WideOpt = False,
    as_of: AsOf = None,
    ledger: LedgerOpt = None,
) -> None:
    """Check the basis history: filed 8606s, custodian 5498s and 1099-Rs and the events against each other.

    One line per finding; `audit --explain [N|CODE]` gives the full text and evidence. Exit code 1 if any finding
    is an error, 0 otherwise."""

    import sys

    from basis_ledger.audit.run import Ranges, audit_sorted

    if which is not None and not explain:
        raise InputError([Problem(which, "a finding number or code goes with --explain: audit --explain " + which)])
    # Findings are written a range of taxpayers at a time as they are found (audit/run.py), never all held: the
    # JSON and --explain straight to stdout, the table's rows to a temporary file until its widths are known.
    # stdout is taken before the progress bar, which reroutes sys.stdout to the terminal while it is shown.
    stdout = sys.stdout
    out = None
    if not json_out:  # rich only for people: --json never loads it
        out = console()
        out.file = stdout
    errors = False
    # A bar drawn between lines streamed to the same terminal would break them: then there is none.
    steps = 0 if (json_out or explain) and stdout.isatty() else 2
    with progress("audit", steps) as advance:  # reading and computing the ledger, then the rules
        ctx = load_context(ledger, taxpayer, 5, False, as_of)
        if year is not None:
            no_data_for(year, ctx)
        sink = _sink(json_out, explain, which, stdout, out, cents)
        advance(f"{len(ctx.taxpayers):,} taxpayers read")
        for view in Ranges(ctx):
            found = audit_sorted(view, taxpayer, year)
            errors = errors or found.has_errors()
            sink.add(found if json_out else found.columns())  # JSON: a block at a time, no sorted copy
            del found, view  # let this range go before the next is made
        advance("audited")
    sink.done()
    if not json_out and not explain:
        from basis_ledger.render.findings import findings_table

        findings_table(sink, out, wide)  # type: ignore[arg-type]
    if errors:
        raise typer.Exit(EXIT_FINDINGS)


class _Sink(Protocol):
    def add(self, findings: "FindingColumns | Sorted") -> None: ...

    def done(self) -> None: ...


class _JsonSink:
    """One JSON array, written a range of findings at a time as they come (a big ledger has hundreds of
    thousands), from their columns (render/findings_json.py): the same text as json.dumps of the whole list."""

    def __init__(self, out: TextIO, cents: bool) -> None:
        self.out, self.cents, self.first = out, cents, True
        out.write("[")

    def add(self, findings: "FindingColumns | Sorted") -> None:
        from basis_ledger.render.findings_json import write_findings

        self.first = write_findings(self.out, findings, self.cents, self.first)

    def done(self) -> None:
        self.out.write("]\n" if self.first else "\n]\n")


def _sink(json_out: bool, explain: bool, which: str | None, stdout: TextIO, out, cents: bool) -> _Sink:
    if json_out:
        return _JsonSink(stdout, cents)
    if explain:
        from basis_ledger.render.findings import Explained

        return Explained(which, out)
    from basis_ledger.render.findings import Listing

    return Listing()


def no_data_for(year: int, ctx) -> None:
    """A year the ledger knows nothing about is bad input, not a clean bill: no events, forms or documents.
    The computed lines' years are each chain's span (engine/results.compute_lines makes a row for every year
    from a chain's first to its last), read from the engine's inputs so that the lines of the whole ledger
    are not computed just for this (the audit computes them a range of taxpayers at a time)."""
    seen: set[int] = set()
    if ctx.events is not None and len(ctx.events):
        chains = ctx.inputs.chains
        for first, last in set(zip(chains["first_year"].tolist(), chains["last_year"].tolist(), strict=True)):
            seen.update(range(int(first), int(last) + 1))
    for frame in (ctx.filed_forms, ctx.documents):
        if frame is not None and len(frame) and "tax_year" in frame:
            seen.update(int(y) for y in frame["tax_year"].unique())
    if year not in seen:
        span = f"it has {min(seen)} to {max(seen)}" if seen else "it is empty"
        raise InputError([Problem("--year", f"no data for {year} in the ledger ({span})")])


@app.command()
def report(
    xlsx: Annotated[Path, typer.Option("--xlsx", help="Write the workbook here (XLSX, private to you).")],
    taxpayer: TaxpayerOpt = None,
    ratio_places: Places = 5,
    cents: Cents = False,
    as_of: AsOf = None,
    ledger: LedgerOpt = None,
) -> None:
    """A workbook an accountant can re-check: per taxpayer every 8606 line as a live formula over the year's
    inputs, a basis chart, the audit's findings, and every event with the file and line it came from."""

    from basis_ledger.audit import run
    from basis_ledger.files import check_output
    from basis_ledger.ledger.store import Ledger
    from basis_ledger.render.workbook import write_workbook

    check_output(xlsx, protected=[ledger_path(ledger)])  # before the work: never onto the ledger or a folder
    ctx = load_context(ledger, taxpayer, ratio_places, cents, as_of)
    chains = len(ctx.inputs.chains) if ctx.events is not None and len(ctx.events) else 0
    with Ledger.open(ledger_path(ledger)) as store:  # corrections are shown, never counted
        voided = store.voided_events()
    if taxpayer is not None and len(voided):
        voided = voided[voided["taxpayer"] == taxpayer]
    counted = [0]

    def findings():  # audited a range of taxpayers at a time as the Findings sheet is written (audit/run.py)
        for part in run.audit_ranges(ctx, taxpayer, rows=run.REPORT_RANGE_ROWS):
            counted[0] += len(part)
            yield from part
            del part  # not held while the next range is audited
        advance("audited")

    with progress("report", chains + 2) as advance:  # a sheet per chain, the audit, and the saved file
        sheets = write_workbook(xlsx, ctx, findings(), on_sheet=advance, voided=voided)
        advance("saved")
    print(f"{xlsx}: {sheets} sheets, {counted[0]} findings")
