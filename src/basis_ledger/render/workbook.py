"""The accountant's workbook (`report --xlsx`): per taxpayer and chain a sheet of live Form 8606 formulas over
the year's inputs with a basis chart, the audit's findings, and every event with the file and line it came from.

Every text cell that comes from an input file goes through render.safe.cell; the file is private (0600).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from basis_ledger.engine.routing import place
from basis_ledger.files import atomic_output
from basis_ledger.model import kinds
from basis_ledger.render.safe import cell
from basis_ledger.render.workbook_form import FEEDS, INPUTS, add_basis_chart, write_form_sheet

if TYPE_CHECKING:
    from basis_ledger.audit.findings import Finding
    from basis_ledger.loader import Loaded


def write_workbook(path: Path, ctx: Loaded, findings: list[Finding], voided=None) -> int:
    """Write the workbook of a loaded ledger and its audit's findings; returns the number of sheets.
    `voided` (Ledger.voided_events()) adds a Voided sheet: what was corrected, by whom, when and why."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    if ctx.events is not None and len(ctx.events):
        inp = ctx.inputs
        notes = _notes(ctx.events, inp.routed)
        for ci, ch in enumerate(inp.chains.itertuples()):
            years = list(range(int(ch.first_year), int(ch.last_year) + 1))
            js = [y - int(inp.years[0]) for y in years]
            values = {key: [int(inp.arrays[fld][ci, j]) for j in js] for key, _, fld, _ in INPUTS}
            ws = wb.create_sheet(_sheet_name(ch.taxpayer, ch.chain, used))
            what = "own traditional, SEP, SIMPLE and Roth IRAs" if ch.chain == "own" else ch.chain
            title = f"{ch.taxpayer}: Form 8606 by year ({what})"
            chain_notes = notes.get((ch.taxpayer, ch.chain), {})
            layout = write_form_sheet(ws, title, years, values, chain_notes, ctx.options)
            add_basis_chart(ws, layout, max(layout.end_rows.values()) + 3)
    _findings_sheet(wb.create_sheet("Findings"), findings)
    _events_sheet(wb.create_sheet("Events"), ctx)
    if voided is not None and len(voided):
        _voided_sheet(wb.create_sheet("Voided"), voided)
    _save(wb, Path(path))
    return len(wb.sheetnames)


def _sheet_name(taxpayer: str, chain: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique, not starting with an apostrophe."""
    base = taxpayer if chain == "own" else f"{taxpayer} {chain.replace('inherited:', 'inh ')}"
    base = re.sub(r"[\[\]:*?/\\']", "_", base).strip() or "taxpayer"
    name, n = base[:31], 2
    while name.lower() in {u.lower() for u in used} or name.lower() in ("findings", "events", "voided"):
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def _notes(events, routed) -> dict[tuple[str, str], dict[tuple[str, int], str]]:
    """Which events make up each input cell, per chain: 'file:line kind date' per event, for a cell note.

    The events of a cell are exactly those the engine routed into its input (engine/routing.py), in ledger
    order, at the form year the engine put them in."""
    refs: dict[tuple[str, str], dict[tuple[str, int], list[str]]] = {}
    cols = [events[c].tolist() for c in ("taxpayer", "source_file", "source_line", "kind", "date")]
    for key, _, fld, _ in INPUTS:
        for i in routed.rows_feeding(FEEDS.get(key, (fld,))).tolist():
            t, file, line, kind, day = (c[i] for c in cols)
            cell_key = (key, int(routed.form_year[i]))
            refs.setdefault((t, str(routed.chain[i])), {}).setdefault(cell_key, []).append(
                f"{file}:{line} {kind} {day}"
            )
    return {
        ch: {k: "\n".join(v[:15]) + (f"\n... and {len(v) - 15} more" if len(v) > 15 else "") for k, v in cells.items()}
        for ch, cells in refs.items()
    }


def _header(ws, heads: list[tuple[str, int]]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for i, (h, width) in enumerate(heads, start=1):
        ws.cell(1, i, h).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"


def _findings_sheet(ws, findings: list[Finding]) -> None:
    _header(
        ws,
        [
            ("Severity", 10),
            ("Code", 22),
            ("Taxpayer", 14),
            ("Chain", 14),
            ("Tax year", 9),
            ("Line", 7),
            ("Expected", 16),
            ("Found", 16),
            ("What it means", 80),
            ("Evidence (file, where, what)", 80),
        ],
    )
    for f in findings:
        evidence = "\n".join(f"{e.file}, {e.where}" + (f": {e.what}" if e.what else "") for e in f.evidence)
        ws.append(
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
    if findings:
        ws.auto_filter.ref = f"A1:J{len(findings) + 1}"


def _events_sheet(ws, ctx: Loaded) -> None:
    _header(
        ws,
        [
            ("Taxpayer", 14),
            ("Chain", 14),
            ("Form year", 10),
            ("Date", 11),
            ("Tax year", 9),
            ("Account", 18),
            ("Account type", 14),
            ("Kind", 28),
            ("8606 lines", 10),
            ("Amount", 15),
            ("Memo", 36),
            ("Source file", 30),
            ("Source line", 11),
            ("SHA-256", 14),
        ],
    )
    if ctx.events is None or len(ctx.events) == 0:
        return
    table = kinds()
    placed = place(ctx.events)  # the chain and form year the engine gives each event (engine/routing.py)
    keyed = ctx.events.assign(chain=placed.chain, form_year=placed.form_year)
    for r in keyed.itertuples():
        k = table.get(r.kind)
        ws.append(
            [
                cell(r.taxpayer),
                cell(r.chain),
                int(r.form_year),
                cell(r.date),
                int(r.tax_year),
                cell(r.account),
                cell(r.account_type),
                cell(r.kind),
                cell(", ".join(k.lines) if k else ""),
                Decimal(int(r.amount_cents)).scaleb(-2),
                cell(r.memo),
                cell(r.source_file),
                int(r.source_line),
                cell(str(r.source_sha256)[:12]),
            ]
        )
        ws.cell(ws.max_row, 10).number_format = "#,##0.00"
    ws.auto_filter.ref = f"A1:N{ws.max_row}"


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
    _header(ws, heads)
    for r in voided.itertuples():
        ws.append(
            [
                int(r.id),
                cell(r.taxpayer),
                cell(r.date),
                int(r.tax_year),
                cell(r.account),
                cell(r.kind),
                Decimal(int(r.amount_cents)).scaleb(-2),
                cell(r.source_file),
                int(r.source_line),
                cell(r.voided_at),
                cell(r.voided_by),
                cell(r.void_reason),
            ]
        )
        ws.cell(ws.max_row, 7).number_format = "#,##0.00"
    ws.auto_filter.ref = f"A1:L{ws.max_row}"


def _save(wb, path: Path) -> None:
    """Owner-only from the first byte, and whole or not at all (files.atomic_output)."""
    import io

    with atomic_output(path) as fh:
        buf = io.BytesIO()  # whole in memory first: a failed disk write must not leave openpyxl's zip half-closed
        wb.save(buf)
        fh.write(buf.getbuffer())
