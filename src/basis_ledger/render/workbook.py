"""The accountant's workbook (`report --xlsx`): per taxpayer and chain a sheet of live Form 8606 formulas over
the year's inputs with a basis chart, the audit's findings, and every event with the file and line it came from.

Every text cell that comes from an input file goes through render.safe.cell; the file is private (0600).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from basis_ledger.files import atomic_path
from basis_ledger.model import kinds
from basis_ledger.render.safe import cell
from basis_ledger.render.workbook_form import FEEDS, INPUTS, add_basis_chart, fixed_rows, form_sheet_rows, setup_print
from basis_ledger.render.workbook_xml import Book, Look, SheetRows, Styled

AMOUNT = Look("#,##0.00")

if TYPE_CHECKING:
    from basis_ledger.audit.findings import Finding
    from basis_ledger.loader import Loaded


def write_workbook(
    path: Path,
    ctx: Loaded,
    findings: Iterable[Finding],
    on_sheet: Callable[[str], None] | None = None,
    voided=None,
) -> int:
    """Write the workbook of a loaded ledger and its audit's findings (a list, or a stream consumed as the
    Findings sheet is written: audit/run.audit_ranges); returns the number of sheets.

    The workbook is written in openpyxl's write-only mode with each sheet's rows formatted as XML directly
    (render/workbook_xml.py); rows go to temporary files as they are made and the zip is written straight into
    the output's temporary file, so memory stays bounded and the time linear in the number of taxpayers
    (benchmarks/report_scale.py).
    `voided` (Ledger.voided_events()) adds a Voided sheet: what was corrected, by whom, when and why."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    # Owner-only from the first byte, whole or not at all: the zip is streamed into a temporary file beside the
    # output, renamed into place once complete (files.atomic_path); each sheet goes into it when done (Book).
    with atomic_path(Path(path)) as tmp:
        book = Book(wb, str(tmp))
        try:
            _sheets(wb, book, ctx, findings, on_sheet, voided)
            book.finish()
        except BaseException:
            book.abandon()
            raise
    return len(wb.sheetnames)


def _sheets(wb, book: Book, ctx: Loaded, findings: Iterable[Finding], on_sheet, voided) -> None:
    used: set[str] = set()
    if ctx.events is not None and len(ctx.events):
        inp = ctx.inputs
        notes = _Notes(ctx.events, inp.routed, inp.chains)
        filed = _filed(ctx)
        cache: dict = {}  # the rows every sheet of as many years shares, as XML (SheetRows)
        for ci, ch in enumerate(inp.chains.itertuples()):
            years = list(range(int(ch.first_year), int(ch.last_year) + 1))
            js = [y - int(inp.years[0]) for y in years]
            values = {key: [int(inp.arrays[fld][ci, j]) for j in js] for key, _, fld, _ in INPUTS}
            ws = wb.create_sheet(_sheet_name(ch.taxpayer, ch.chain, used))
            what = "own traditional, SEP, SIMPLE and Roth IRAs" if ch.chain == "own" else ch.chain
            title = f"{ch.taxpayer}: Form 8606 by year ({what})"
            chain_notes = notes.of(ci)
            chain_filed = filed.get((ch.taxpayer, ch.chain), {})
            lay, rows = form_sheet_rows(title, years, values, chain_notes, ctx.options, chain_filed)
            setup_print(ws, lay)  # column widths and panes first: openpyxl writes them before the rows
            add_basis_chart(ws, lay)
            key = (len(years), ctx.options.cents, ctx.options.ratio_places)
            fixed = fixed_rows(*key)
            out = SheetRows(ws, cache)
            for r in range(1, lay.last_row + 1):
                if r in fixed:
                    out.append(fixed[r], key)
                elif r in rows:
                    out.append(rows[r])
                else:
                    out.skip()
            out.close()
            book.sheet_done(ws)
            if on_sheet:
                on_sheet(ws.title)
    _findings_sheet(wb.create_sheet("Findings"), findings)
    book.sheet_done(wb.worksheets[-1])
    _events_sheet(wb.create_sheet("Events"), ctx)
    book.sheet_done(wb.worksheets[-1])
    if voided is not None and len(voided):
        _voided_sheet(wb.create_sheet("Voided"), voided)
        book.sheet_done(wb.worksheets[-1])


def _filed(ctx: Loaded) -> dict[tuple[str, str], dict[int, tuple[str, dict, set]]]:
    """The imported Forms 8606 per chain and year: (source file, line -> cents or line 10 as a Decimal, the
    lines that differ from the computed form). Unreadable values are left out (the audit reports them)."""
    from basis_ledger.audit.context import parse_money, parse_ratio

    frame = ctx.filed_forms
    if frame is None or not len(frame):
        return {}
    lines = ctx.lines
    computed = {
        (t, c, int(y)): i
        for i, (t, c, y) in enumerate(zip(lines["taxpayer"], lines["chain"], lines["tax_year"], strict=True))
    }
    scale = 10**ctx.options.ratio_places
    out: dict[tuple[str, str], dict[int, tuple[str, dict, set]]] = {}
    for t, c, y, line, value, file in zip(
        *(frame[k].tolist() for k in ("taxpayer", "chain", "tax_year", "line", "value", "source_file")), strict=True
    ):
        try:
            parsed = parse_ratio(value) if line == "10" else parse_money(value)
        except ValueError:
            continue
        if parsed is None:
            continue
        v = parsed[0] if line == "10" else parsed
        entry = out.setdefault((t, c), {}).setdefault(int(y), (file, {}, set()))
        entry[1][line] = v
        i = computed.get((t, c, int(y)))
        mine = None if i is None else lines[f"L{line}"].iat[i] if f"L{line}" in lines else None
        if mine is None or mine != mine:  # not computed, or a line the form skips: NaN
            entry[2].add(line)
        elif line == "10":
            if Decimal(int(mine)) / scale != v:
                entry[2].add(line)
        elif int(mine) != v and abs(int(mine) - v) >= (1 if ctx.options.cents else 100):
            entry[2].add(line)
    return out


def _sheet_name(taxpayer: str, chain: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique (any case), no leading apostrophe.
    `used` holds the names taken so far, lower-cased."""
    base = taxpayer if chain == "own" else f"{taxpayer} {chain.replace('inherited:', 'inh ')}"
    base = re.sub(r"[\[\]:*?/\\']", "_", base).strip() or "taxpayer"
    name, n = base[:31], 2
    while name.lower() in used or name.lower() in ("findings", "events", "voided"):
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


class _Notes:
    """Which events make up each input cell of a chain: 'file:line kind date' per event, for a cell note.

    The events of a cell are exactly those the engine routed into its input (engine/routing.py), in ledger
    order, at the form year the engine put them in. The texts are made for a block of chains at a time, as
    their sheets are written: for the whole ledger only each input's feeding rows, grouped by chain, are held."""

    BLOCK = 500  # chains whose note texts are made together (one column read per block, not per chain)

    def __init__(self, events, routed, chains) -> None:
        import numpy as np
        import pandas as pd

        self.events, self.routed = events, routed
        self.n = len(chains)
        which = pd.MultiIndex.from_arrays([chains["taxpayer"], chains["chain"]])
        chain_of = which.get_indexer(pd.MultiIndex.from_arrays([events["taxpayer"], routed.chain]))
        self.by_key = []  # per input: its feeding rows sorted by chain (ledger order kept), and each chain's bounds
        for key, _, fld, _ in INPUTS:
            rows = routed.rows_feeding(FEEDS.get(key, (fld,)))
            ch = chain_of[rows]
            order = np.argsort(ch, kind="stable")
            self.by_key.append((key, rows[order], np.searchsorted(ch[order], np.arange(self.n + 1))))
        self.block: dict[int, dict[tuple[str, int], str]] = {}
        self.start = self.stop = 0

    def of(self, ci: int) -> dict[tuple[str, int], str]:
        """The note texts of chain `ci` (its row in inputs.chains), by (input key, form year)."""
        if not self.start <= ci < self.stop:
            self._make(ci, min(ci + self.BLOCK, self.n))
        return self.block.get(ci, {})

    def _make(self, start: int, stop: int) -> None:
        import numpy as np

        self.block, self.start, self.stop = {}, start, stop
        parts = [(key, rows[bounds[start] : bounds[stop]], bounds) for key, rows, bounds in self.by_key]
        wanted = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
        if not len(wanted):
            return
        cols = [self.events[c].take(wanted).tolist() for c in ("source_file", "source_line", "kind", "date")]
        years = self.routed.form_year[wanted].tolist()
        refs: dict[int, dict[tuple[str, int], list[str]]] = {}
        at = 0
        for key, rows, bounds in parts:
            for ci in range(start, stop):
                for j in range(at + bounds[ci] - bounds[start], at + bounds[ci + 1] - bounds[start]):
                    file, line, kind, day = (c[j] for c in cols)
                    refs.setdefault(ci, {}).setdefault((key, int(years[j])), []).append(f"{file}:{line} {kind} {day}")
            at += len(rows)
        self.block = {
            ci: {
                k: "\n".join(v[:15]) + (f"\n... and {len(v) - 15} more" if len(v) > 15 else "")
                for k, v in cells.items()
            }
            for ci, cells in refs.items()
        }


def _header(ws, heads: list[tuple[str, int]], landscape: bool = True) -> SheetRows:
    """Widths, frozen header, printing (header row repeated, fitted to the page width), then the header row;
    returns the sheet's rows, for the rest."""
    from openpyxl.utils import get_column_letter

    for i, (_h, width) in enumerate(heads, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = "&A, page &P of &N"
    out = SheetRows(ws)
    bold = Look(font="bold")
    out.append([Styled(h, bold) for h, _w in heads])
    return out


def _findings_sheet(ws, findings: Iterable[Finding]) -> None:
    heads = [
        ("Severity", 9),
        ("Code", 20),
        ("Taxpayer", 12),
        ("Chain", 10),
        ("Tax year", 8),
        ("Line", 6),
        ("Expected", 16),
        ("Found", 16),
        ("What it means", 60),
        ("Evidence (file, where, what)", 60),
    ]
    out = _header(ws, heads)
    n = 0
    for f in findings:  # a stream: the audit runs a range of taxpayers at a time as the rows are written
        n += 1
        evidence = "\n".join(f"{e.file}, {e.where}" + (f": {e.what}" if e.what else "") for e in f.evidence)
        out.append(
            [
                cell(f.severity),
                cell(f.code),
                cell(f.taxpayer),
                cell(f.chain),
                f.tax_year,
                cell(f.line or ""),
                cell(f.expected or ""),
                cell(f.found or ""),
                cell(f.message),
                cell(evidence),
            ]
        )
    if n:  # openpyxl writes the filter after the rows, so it can be set once their number is known
        ws.auto_filter.ref = f"A1:J{n + 1}"
    out.close()


def event_lines(events, routed) -> list[str]:
    """The Form 8606 lines each event feeds, as docs/events.md gives them, or "none" for an event the engine routes
    nowhere (a Roth IRA's 31 December value is kept, not used: it never feeds line 6)."""
    import numpy as np

    fed = np.zeros(len(events), dtype=bool)
    for name, (rows, _values) in routed.hits.items():
        if not name.endswith("_rows"):  # a count of rows, not an amount on the form
            fed[rows] = True
    table = kinds()
    text = {k: ", ".join(table[k].lines) for k in table}  # one string per kind, shared by its events
    lines = [text.get(k, "") for k in events["kind"].tolist()]
    return [ln if on or not ln else "none" for ln, on in zip(lines, fed.tolist(), strict=True)]


def _events_sheet(ws, ctx: Loaded) -> None:
    heads = [
        ("Taxpayer", 12),
        ("Chain", 10),
        ("Form year", 9),
        ("Date", 11),
        ("Tax year", 8),
        ("Account", 16),
        ("Account type", 13),
        ("Kind", 26),
        ("8606 lines", 9),
        ("Amount", 14),
        ("Memo", 30),
        ("Source file", 28),
        ("Source line", 9),
        ("SHA-256", 14),
    ]
    n = 0 if ctx.events is None else len(ctx.events)
    if n:
        ws.auto_filter.ref = f"A1:N{n + 1}"
    out = _header(ws, heads)
    if not n:
        out.close()
        return
    routed = ctx.inputs.routed  # the chain, form year and inputs the engine gives each event (engine/routing.py)
    lines = event_lines(ctx.events, routed)
    for start in range(0, n, _CHUNK):  # a slice at a time: columns as Python lists for every event would not be
        _event_rows(out, ctx.events.iloc[start : start + _CHUNK], routed, lines, start)  # bounded by the sheet
    out.close()


_CHUNK = 20_000


def _event_rows(out: SheetRows, ev, routed, lines: list[str], start: int) -> None:
    def texts(values) -> list:
        return [cell(v) for v in values]

    stop = start + len(ev)
    columns = (
        texts(ev["taxpayer"].tolist()),
        texts(list(routed.chain[start:stop])),
        [int(y) for y in routed.form_year[start:stop].tolist()],
        texts(ev["date"].tolist()),
        [int(y) for y in ev["tax_year"].tolist()],
        texts(ev["account"].tolist()),
        texts(ev["account_type"].tolist()),
        texts(ev["kind"].tolist()),
        texts(lines[start:stop]),
        [Styled(Decimal(int(c)).scaleb(-2), AMOUNT) for c in ev["amount_cents"].tolist()],
        texts(ev["memo"].tolist()),
        texts(ev["source_file"].tolist()),
        [int(x) for x in ev["source_line"].tolist()],
        texts(str(h)[:12] for h in ev["source_sha256"].tolist()),
    )
    for row in zip(*columns, strict=True):
        out.append(row)


def _voided_sheet(ws, voided) -> None:
    """Voided events (issue 10): the ledger never forgets them; every figure of the other sheets leaves them out."""
    heads = [
        ("Event id", 9),
        ("Taxpayer", 14),
        ("Date", 11),
        ("Tax year", 9),
        ("Account", 18),
        ("Kind", 28),
        ("Amount", 15),
        ("Source file", 30),
        ("Source line", 11),
        ("Voided at", 22),
        ("By", 12),
        ("Reason", 40),
    ]
    ws.auto_filter.ref = f"A1:L{len(voided) + 1}"
    out = _header(ws, heads)
    for r in voided.itertuples():
        out.append(
            [
                int(r.id),
                cell(r.taxpayer),
                cell(r.date),
                int(r.tax_year),
                cell(r.account),
                cell(r.kind),
                Styled(Decimal(int(r.amount_cents)).scaleb(-2), AMOUNT),
                cell(r.source_file),
                int(r.source_line),
                cell(r.voided_at),
                cell(r.voided_by),
                cell(r.void_reason),
            ]
        )
    out.close()
