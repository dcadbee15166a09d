"""Core commands: import, compute, basis, events, taxpayer."""

import re
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from basis_ledger.commands import (
    App,
    CsvOpt,
    JsonOpt,
    LedgerOpt,
    TaxpayerOpt,
    WideOpt,
    app,
    boundary,
    console,
    ledger_exists,
    ledger_path,
    open_for_write,
    print_json,
    progress,
    say_created,
)
from basis_ledger.faults import MAX_PROBLEMS_PER_FILE, mask_ssn, shown
from basis_ledger.model import InputError, Problem

taxpayer_app = App(help="Facts about a taxpayer that the engine needs (birth date, Roth start).", no_args_is_help=True)
app.add_typer(taxpayer_app, name="taxpayer")


@app.command("import")
def import_(
    files: Annotated[
        list[Path],
        typer.Argument(help="Files to import (see docs/importing.md); with --undo, files or sha256s to undo."),
    ],
    ledger: LedgerOpt = None,
    profile: Annotated[str | None, typer.Option(help="Use this importer instead of detecting one.")] = None,
    json_out: JsonOpt = False,
    taxpayer: Annotated[
        str | None,
        typer.Option("--taxpayer", "-t", help="Owner of imported Form 8606 PDFs (default: match name / SSN last 4)."),
    ] = None,
    as_opening: Annotated[
        bool,
        typer.Option("--as-opening", help="Form 8606 PDFs also open the ledger: line 14 and the Roth bases."),
    ] = False,
    maps: Annotated[
        list[str] | None,
        typer.Option("--map", help='Classify custodian text: "TEXT=event_kind" (repeatable; docs/importing.md).'),
    ] = None,
    mapping_file: Annotated[Path | None, typer.Option("--mapping", help="TOML file of TEXT = event_kind.")] = None,
    allow_late: Annotated[
        bool,
        typer.Option("--allow-late", help="Keep contributions deposited after their deadline (audit flags them)."),
    ] = False,
    keep_duplicates: Annotated[
        bool,
        typer.Option(
            "--keep-duplicates", help="Import rows the ledger already holds from another file (a real repeat)."
        ),
    ] = False,
    undo: Annotated[
        bool,
        typer.Option("--undo", help="Undo earlier imports of these files (or sha256s): their rows are voided."),
    ] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (kept with the void; for --undo).")] = None,
) -> None:
    """Import files into the ledger: all of them or, on any problem, none.

    Rows the ledger already holds from another file (an overlapping download) are recognised and not added;
    conflicting values are refused, naming both files. --undo voids what a file brought (docs/importing.md)."""

    from basis_ledger.ingest.statements.mapping import parse_all
    from basis_ledger.ledger.importing import import_files

    path = ledger_path(ledger)
    existed = ledger_exists(path)
    if undo:
        _undo(path, files, reason or "import --undo", json_out)
        return
    mapping, rules = parse_all(maps, mapping_file)
    with progress("reading", len(files) if len(files) > 1 else None) as advance:  # one big file: a moving bar
        results = import_files(
            path,
            files,
            profile,
            taxpayer=taxpayer,
            as_opening=as_opening,
            mapping=mapping,
            rules=rules,
            on_file=lambda p: advance(p.name),
            allow_late=allow_late,
            keep_duplicates=keep_duplicates,
        )
    if not existed and ledger_exists(path):
        say_created(path)
    if json_out:
        print_json([r.as_json() for r in results])
        return
    for r in results:
        skipped = sum(r.skipped.values())
        extra = f", {skipped} rows skipped" if skipped else ""
        kept = f"; recorded {', '.join(r.recorded)}" if r.recorded else ""
        seen = sum(r.recognised.values())
        known = (
            f"; {seen} recognised as already in the ledger ("
            + ", ".join(f"{n} from {shown(f, 200)}" for f, n in r.recognised.items())
            + ")"
            if seen
            else ""
        )
        what = f"{r.events} events ({r.importer}{extra}){known}{kept}"
        if r.status != "imported":
            what = r.status if r.status.startswith("already") else f"{what}: {r.status}"
        print(f"{shown(r.file, 400)}: {what}")
        for caution in r.cautions[:MAX_PROBLEMS_PER_FILE]:  # bounded like problems: 200,000 payouts, 50 lines
            print(f"warning: {shown(str(caution), 500)}", file=sys.stderr)
        if len(r.cautions) > MAX_PROBLEMS_PER_FILE:
            more = len(r.cautions) - MAX_PROBLEMS_PER_FILE
            print(f"warning: {shown(r.file, 400)}: ... and {more:,} more warnings like these", file=sys.stderr)
    print(f"ledger: {shown(str(path), 400)}")


def _undo(path: Path, targets: list[Path], reason: str, json_out: bool) -> None:
    """`import --undo`: void every live row each file brought, in one transaction (all or none)."""
    import hashlib

    from basis_ledger.ledger.store import Ledger

    done, problems = [], []
    with Ledger.open(path, write=True) as store, store.transaction() as conn:
        for t in targets:
            key = hashlib.sha256(t.read_bytes()).hexdigest() if t.is_file() else str(t)
            rows = store.find_file(conn, key)
            if len(rows) != 1:
                why = "is not in the ledger" if not rows else f"names {len(rows)} files: give the sha256"
                problems.append(Problem(shown(str(t), 400), f"{why} (see 'basis-ledger events' for the files)"))
                continue
            file_id, name, sha = rows[0]
            if store.open_undo(conn, file_id) is not None:
                problems.append(Problem(shown(str(t), 400), f"{name} is already undone"))
                continue
            counts = store.undo_file(conn, file_id, reason)
            done.append({"file": name, "sha256": sha, **{f"{k}s_voided": v for k, v in counts.items()}})
        if problems:
            raise InputError(problems)
    if json_out:
        print_json(done)
        return
    for d in done:
        print(
            f"{shown(d['file'], 400)}: undone: {d['events_voided']} events, {d['documents_voided']} form boxes and "
            f"{d['filed_forms_voided']} filed 8606 lines voided (import it again to restore)"
        )


def load_ledger(ledger: str | None, **options: object):
    """The command's ledger through the loader (basis_ledger.loader.load): `options` are LoadOptions fields."""
    from basis_ledger.loader import LoadOptions, load

    return load(ledger_path(ledger), LoadOptions(**options))  # type: ignore[arg-type]


def name_problems(option: str, value: str, limit: int, empty_ok: bool = False) -> list[Problem]:
    """A name typed on the command line: not empty, not too long, no control characters."""
    import re

    from basis_ledger.ledger.schema import CONTROL_CHARS

    if not value.strip():
        return [] if empty_ok else [Problem(option, "empty name: give the taxpayer's name as used in the ledger")]
    if len(value) > limit:
        return [Problem(option, f"{len(value):,} characters; the limit is {limit}")]
    if re.search(CONTROL_CHARS, value):
        return [Problem(option, "contains a control character; type it again without one")]
    return []


def _load(ledger: str | None, taxpayer: str | None, provenance: bool = True):
    loaded = load_ledger(ledger, taxpayer=taxpayer, provenance=provenance)
    return loaded.events, loaded.taxpayers


def computed_frame(ledger: str | None, taxpayer: str | None, year: int | None, places: int, cents: bool):
    """The computed lines as columns (engine.results.Lines: no pandas), of one year or all, and the options."""
    loaded = load_ledger(ledger, taxpayer=taxpayer, ratio_places=places, cents=cents, provenance=False)
    lines, opts = loaded.lines_only(loaded.options.cents), loaded.options  # the events let go before the lines
    if year is not None:
        lines = lines.take(lines.tax_year == year)
        if not len(lines):
            raise InputError([Problem("--year", f"no computed year {year} in the ledger")])
    return lines, opts


Places = Annotated[int, typer.Option("--ratio-places", help="Decimal places of line 10 (3 to 9).")]
Cents = Annotated[bool, typer.Option("--cents", help="Keep cents on every line instead of whole dollars.")]
Year = Annotated[int | None, typer.Option("--year", "-y", help="Only this tax year.")]


@app.command()
def compute(
    taxpayer: TaxpayerOpt = None,
    year: Year = None,
    all_years: Annotated[bool, typer.Option("--all", help="Every year (the default without --year).")] = False,
    json_out: JsonOpt = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="One CSV row per taxpayer, chain and year.")] = False,
    ratio_places: Places = 5,
    cents: Cents = False,
    wide: WideOpt = False,
    ledger: LedgerOpt = None,
) -> None:
    """Every Form 8606 line for every taxpayer and year in the ledger."""

    if year is not None and all_years:
        raise InputError([Problem("compute", "give --year or --all, not both")])
    with progress("compute"):  # on a terminal only; the output is written after it
        frame, opts = computed_frame(ledger, taxpayer, year, ratio_places, cents)
    if json_out:
        from basis_ledger.render.lines import write_json

        write_json(frame, opts, sys.stdout)
        return
    if csv_out:  # from the columns: no dict per computed year
        from basis_ledger.render.tables import lines_csv_columns

        lines_csv_columns(frame, opts, sys.stdout)
    else:
        from basis_ledger.render.tables import lines_tables_columns

        lines_tables_columns(frame, opts, console(), wide)


@app.command()
def basis(
    taxpayer: TaxpayerOpt = None,
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
    ratio_places: Places = 5,
    cents: Cents = False,
    wide: WideOpt = False,
    ledger: LedgerOpt = None,
) -> None:
    """The basis history: year by year, what came in, what was used, what carries forward."""

    from basis_ledger.render.tables import BASIS_COLUMNS, basis_columns, basis_table_columns, rows_csv

    with progress("basis"):
        frame, opts = computed_frame(ledger, taxpayer, None, ratio_places, cents)
        columns = basis_columns(frame, opts)  # one list per column: no dict per computed year but for --json
    if json_out:
        print_json([dict(zip(BASIS_COLUMNS, row, strict=True)) for row in zip(*columns.values(), strict=True)])
    elif csv_out:
        body = [list(r) for r in zip(*(columns[k] for k in BASIS_COLUMNS[:-1]), strict=True)]
        rows_csv(
            list(BASIS_COLUMNS), [[*b, ";".join(w)] for b, w in zip(body, columns["warnings"], strict=True)], sys.stdout
        )
    else:
        basis_table_columns(columns, console(), wide)


events_app = App(help="The ledger's events; 'events void' corrects them (append-only).")
app.add_typer(events_app, name="events")


def events(
    ctx: typer.Context,
    taxpayer: TaxpayerOpt = None,
    year: Year = None,
    voided: Annotated[
        bool, typer.Option("--voided", help="Only the voided events, with who voided them, when and why.")
    ] = False,
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
    cents: Cents = False,
    wide: WideOpt = False,
    ledger: LedgerOpt = None,
) -> None:
    """The ledger's events, each with the file, sha256 and line it came from (voided events are left out)."""
    if ctx.invoked_subcommand is not None:
        return
    import numpy as np

    from basis_ledger.engine.form8606 import Options
    from basis_ledger.ledger.store import Ledger
    from basis_ledger.render.lines import money_value

    with progress("events"):
        if voided:  # as columns too: no pandas
            with Ledger.open(ledger_path(ledger)) as store:
                columns = store.voided_event_columns()
            if taxpayer is not None and len(columns):
                columns = columns.take(np.array([t == taxpayer for t in columns.texts("taxpayer").tolist()], bool))
        else:
            columns = load_ledger(ledger, taxpayer=taxpayer).event_columns
        if year is not None and len(columns):
            dated = [d.startswith(str(year)) for d in columns.texts("date").tolist()]
            columns = columns.take((columns.ints("tax_year") == year) | np.array(dated, dtype=bool))
    if json_out or csv_out:
        rows = columns.records()
        opts = Options(cents=cents)
        for r in rows:
            r["amount"] = money_value(r.pop("amount_cents"), opts)
        if json_out:
            print_json(rows)
        else:
            from basis_ledger.render.tables import rows_csv

            header = list(rows[0]) if rows else ["id", "taxpayer", "date", "tax_year", "kind", "amount"]
            rows_csv(header, [list(r.values()) for r in rows], sys.stdout)
        return
    from basis_ledger.render.tables import events_table_columns

    con = console()
    events_table_columns(columns, con, wide)
    if voided:
        why = zip(*(columns.texts(c).tolist() for c in ("id", "voided_at", "voided_by", "void_reason")), strict=True)
        for event, at, who, reason in why:
            con.print(f"event {event}: voided {at} by {who}: {shown(str(reason), 400)}", markup=False, highlight=False)


events_app.callback(invoke_without_command=True)(boundary(events))


@events_app.command("void")
def events_void(
    ids: Annotated[list[int], typer.Argument(help="Event ids (the id column of 'basis-ledger events').")],
    reason: Annotated[str, typer.Option("--reason", help="Why: kept with the void, shown by 'events --voided'.")],
    ledger: LedgerOpt = None,
) -> None:
    """Void events: every command ignores them from now on; nothing is deleted (see docs/importing.md)."""
    from basis_ledger.ledger.store import Ledger

    problems = name_problems("--reason", reason, 500, empty_ok=True)
    if not reason.strip():
        problems.append(Problem("--reason", "say why the events are voided"))
    if problems:
        raise InputError(problems)
    with Ledger.open(ledger_path(ledger), write=True) as store, store.transaction() as conn:
        store.void_events(conn, ids, reason.strip())
    print(f"voided {len(set(ids))} event(s): {', '.join(str(i) for i in dict.fromkeys(ids))}")


@taxpayer_app.command("set")
def taxpayer_set(
    name: Annotated[str, typer.Argument(help="The taxpayer's name as used in the ledger.")],
    birth_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD: decides qualified Roth distributions.")] = None,
    roth_first_year: Annotated[
        int | None,
        typer.Option(help="First year of any Roth contribution or conversion, if before the ledger's history."),
    ] = None,
    ssn_last4: Annotated[
        str | None, typer.Option(help="Last four digits of the SSN (the whole number is never stored).")
    ] = None,
    full_name: Annotated[str | None, typer.Option(help="Name as printed on the form.")] = None,
    ledger: LedgerOpt = None,
) -> None:
    """Record facts about a taxpayer."""

    problems = []
    if birth_date is not None:
        try:
            born = date.fromisoformat(birth_date)
            if not 1900 <= born.year <= date.today().year:
                raise ValueError
        except ValueError:
            problems.append(Problem("--birth-date", f"'{birth_date}' is not a plausible YYYY-MM-DD date"))
    if ssn_last4 is not None and not re.fullmatch(r"\d{4}", ssn_last4):
        problems.append(Problem("--ssn-last4", "give exactly the last four digits (the whole SSN is never stored)"))
    problems += name_problems("NAME", name, 64)
    if full_name is not None:
        problems += name_problems("--full-name", full_name, 100, empty_ok=True)
    if roth_first_year is not None and not 1998 <= roth_first_year <= 2100:
        problems.append(Problem("--roth-first-year", "Roth IRAs exist from 1998"))
    if problems:
        raise InputError(problems)
    store = open_for_write(ledger_path(ledger))
    try:
        store.set_taxpayer(
            name,
            birth_date=birth_date,
            roth_first_year=roth_first_year,
            ssn_last4=ssn_last4,
            full_name=None if full_name is None else mask_ssn(full_name.strip(), bare=True),  # never a whole SSN
        )
    finally:
        store.close()
    print(f"taxpayer {name}: saved")


@taxpayer_app.command("list")
def taxpayer_list(
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
    cents: Cents = False,
    wide: WideOpt = False,
    ledger: LedgerOpt = None,
) -> None:
    """The taxpayers the ledger knows, with what is recorded about each."""

    from basis_ledger.engine.form8606 import Options
    from basis_ledger.ledger.store import Ledger
    from basis_ledger.render.lines import money_value

    store = Ledger.open(ledger_path(ledger))
    try:
        people = [asdict(p) for p in store.taxpayers().values()]
    finally:
        store.close()
    opts = Options(cents=cents)
    for p in people:  # amounts as in compute --json; a declaration of all of it as "all"
        p["declarations"] = [
            {"tax_year": y, "nondeductible": "all" if c is None else money_value(c, opts)} for y, c in p["declarations"]
        ]
    if json_out:
        print_json(people)
    elif csv_out:
        from basis_ledger.render.tables import rows_csv

        header = ["name", "full_name", "birth_date", "ssn_last4", "roth_first_year", "declarations"]
        body = [
            [
                *[p[k] for k in header[:-1]],
                ";".join(f"{d['tax_year']}={d['nondeductible']}" for d in p["declarations"]),
            ]
            for p in people
        ]
        rows_csv(header, body, sys.stdout)
    else:
        from basis_ledger.render.tables import taxpayers_table

        taxpayers_table(people, console(), wide)


_DECLARABLE_KINDS = ("traditional_contribution", "nondeductible_contribution")


@app.command()
def declare(
    taxpayer: Annotated[str, typer.Option("--taxpayer", "-t", help="Whose contributions.")],
    year: Annotated[int, typer.Option("--year", "-y", help="The tax year the contributions are for.")],
    nondeductible: Annotated[
        str,
        typer.Option(
            help="How much of the year's traditional contributions is nondeductible: an amount such as 7,000 or 'all'."
        ),
    ],
    ledger: LedgerOpt = None,
) -> None:
    """Declare how much of a year's traditional IRA contributions is nondeductible (custodians never say)."""

    import pandas as pd

    from basis_ledger.money import format_cents, parse_amounts

    cents: int | None = None
    if nondeductible.strip().lower() != "all":
        parsed, problem = parse_amounts(pd.Series([nondeductible]))
        if problem.iloc[0]:
            raise InputError([Problem("--nondeductible", f"{problem.iloc[0]} ('{nondeductible}'); or 'all'")])
        cents = int(parsed.iloc[0])
    from basis_ledger.ledger.schema import FIRST_YEAR, LAST_YEAR

    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InputError([Problem("--year", f"{year} is outside {FIRST_YEAR}-{LAST_YEAR}")])
    from basis_ledger.ledger.store import Ledger

    # Not open_for_write: a declaration needs a known taxpayer, so a missing ledger is refused, never created.
    store = Ledger.open(ledger_path(ledger), write=True)
    try:
        known = store.taxpayers()
        if taxpayer not in known:
            names = ", ".join(known) or "none yet"
            raise InputError(
                [Problem("--taxpayer", f"unknown taxpayer '{taxpayer}' (known: {names}); add with 'taxpayer set'")]
            )
        store.declare(taxpayer, year, cents)
        events = store.events(taxpayer, provenance=False)
    finally:
        store.close()
    what = "all" if cents is None else f"${format_cents(cents, whole=False)}"
    print(f"{taxpayer} {year}: nondeductible traditional contributions = {what}")
    mask = events["kind"].isin(_DECLARABLE_KINDS) & (events["tax_year"] == year)
    if not mask.any():
        print(
            f"warning: the ledger has no traditional IRA contributions of {taxpayer} for {year}: the declaration "
            "is kept and applies once they are imported; check the year and the taxpayer",
            file=sys.stderr,
        )
