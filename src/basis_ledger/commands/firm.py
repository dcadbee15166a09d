"""`firm init|grant|revoke|roles` (a firm's PostgreSQL ledger), `ledger copy SRC DST` (moving in or out) and
`ledger check` (the whole ledger against the reference models of its contract)."""

from typing import TYPE_CHECKING, Annotated

import typer

from basis_ledger.commands import App, JsonOpt, LedgerOpt, app, console, ledger_path, print_json, progress
from basis_ledger.model import InputError, Problem

if TYPE_CHECKING:
    from basis_ledger.ledger.location import DatabaseUrl

firm_app = App(
    help="A firm's PostgreSQL ledger: households, preparers and reviewers (docs/firm.md).", no_args_is_help=True
)
app.add_typer(firm_app, name="firm")
ledger_app = App(
    help="The ledger as a whole: copy it between SQLite and PostgreSQL, check it against its contract.",
    no_args_is_help=True,
)
app.add_typer(ledger_app, name="ledger")

Households = Annotated[list[str], typer.Argument(help="One or more client households.", show_default=False)]
Role = Annotated[str, typer.Argument(help="The preparer's or reviewer's PostgreSQL login role.", show_default=False)]


def _firm_url(ledger: str | None) -> "DatabaseUrl":
    from basis_ledger.ledger.location import DatabaseUrl

    where = ledger_path(ledger)
    if not isinstance(where, DatabaseUrl):
        raise InputError(
            [Problem(str(where), "firm commands need a PostgreSQL ledger: --ledger postgresql://USER@HOST/DATABASE")]
        )
    return where


@firm_app.command("init")
def firm_init(ledger: LedgerOpt = None) -> None:
    """Create the firm's ledger in an existing database (or bring it up to date): tables, row-level security,
    and the basis_preparer and basis_reviewer group roles. Run it as the database's owner."""

    from basis_ledger.ledger import firm

    for line in firm.init(_firm_url(ledger)):
        print(line)


@firm_app.command("grant")
def firm_grant(
    role: Role,
    households: Households,
    read_only: Annotated[bool, typer.Option("--read-only", help="A reviewer: may read, never write.")] = False,
    ledger: LedgerOpt = None,
) -> None:
    """Let ROLE read and write (or, with --read-only, only read) the households named."""

    from basis_ledger.ledger import firm

    for line in firm.grant(_firm_url(ledger), role, households, read_only=read_only):
        print(line)


@firm_app.command("revoke")
def firm_revoke(role: Role, households: Households, ledger: LedgerOpt = None) -> None:
    """Take the households named away from ROLE: it no longer sees any of their rows."""

    from basis_ledger.ledger import firm

    for line in firm.revoke(_firm_url(ledger), role, households):
        print(line)


@firm_app.command("roles")
def firm_roles(json_out: JsonOpt = False, ledger: LedgerOpt = None) -> None:
    """Who may see what: each role, its group, the households it writes and those it only reads."""

    from basis_ledger.ledger import firm

    rows = firm.roles(_firm_url(ledger))
    if json_out:
        print_json([{"role": r.role, "group": r.group, "writes": list(r.writes), "reads": list(r.reads)} for r in rows])
        return
    from rich.table import Table

    table = Table("Role", "Group", "Writes", "Reads only")
    for r in rows:
        table.add_row(r.role, r.group or "-", ", ".join(r.writes) or "-", ", ".join(r.reads) or "-")
    console().print(table)


@ledger_app.command("copy")
def ledger_copy(
    source: Annotated[str, typer.Argument(help="The ledger to copy: a SQLite file or a postgresql:// URL.")],
    destination: Annotated[str, typer.Argument(help="An empty (or new) ledger to copy it into.")],
    household: Annotated[
        str | None,
        typer.Option(
            "--household",
            help="Into PostgreSQL: the household the rows join (default 'default'). Out of PostgreSQL: the"
            " household to copy (needed when the source holds several).",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Copy a whole ledger, SQLite <-> PostgreSQL: all or nothing, every row with its provenance and id."""

    from basis_ledger.ledger.copying import copy_ledger
    from basis_ledger.ledger.location import household_choice, resolve

    with progress("copying"):  # on a terminal only
        counts = copy_ledger(resolve(source), resolve(destination), household_choice(household))
    if json_out:
        print_json({"source": str(resolve(source)), "destination": str(resolve(destination)), "rows": counts})
        return
    rows = ", ".join(f"{n} {table}" for table, n in counts.items() if n)
    print(f"copied {rows or 'an empty ledger'} into {resolve(destination)}")


@ledger_app.command("check")
def ledger_check(json_out: JsonOpt = False, ledger: LedgerOpt = None) -> None:
    """Check the whole ledger with the reference models of its contract (pandera): every live event against the
    events model that each import enforces, and every computed 8606 line, of both roundings, against the lines
    model that each computation asserts; and the events' columnar copy that large ledgers are read from against
    the rows. For a ledger written by another program or edited by hand, or after an upgrade. One line per
    problem, naming the event's file and line; exit code 1 if there is any."""
    from basis_ledger.engine.results import check_lines
    from basis_ledger.ledger.schema import pandera_problems
    from basis_ledger.ledger.store import Ledger
    from basis_ledger.loader import LoadOptions, load

    where = ledger_path(ledger)
    with progress("checking", 3) as advance:  # on a terminal only
        loaded = load(where, LoadOptions())
        advance(f"{loaded.n_events:,} events read")
        # The models run on the frames as the ledger holds them; events are its live (not voided) rows.
        events = loaded.events
        problems = [str(p) for p in pandera_problems(events, str(where))] if len(events) else []
        advance("events checked")
        lines = {}
        for cents in (False, True):
            frame = loaded.computed_lines(cents)
            lines["cents" if cents else "whole dollars"] = check_lines(frame, loaded.options) if len(frame) else []
        advance("lines checked")
        with Ledger.open(where) as store:  # the rows against their columnar copy (ledger/blocks.py)
            copy = store.columnar_copy()
    if copy.startswith("differs"):
        problems.append(f"{where}: the events' columnar copy {copy}; read the rows with BASIS_LEDGER_ROWS=1")
    n_lines = len(loaded.whole_lines)
    if json_out:
        print_json(
            {
                "ledger": str(where),
                "events": int(loaded.n_events),
                "event_problems": problems,
                "computed_years": n_lines,
                "line_rules_broken": lines,
                "columnar_copy": copy,
            }
        )
    else:
        for text in problems:
            print(text)
        for rounding, broken in lines.items():
            if broken:
                print(f"{where}: computed lines in {rounding} break the form's arithmetic: {', '.join(broken)}")
        bad = len(problems) + sum(1 for b in lines.values() if b)
        table = _check_table(loaded.n_events, len(problems), n_lines, lines, copy)
        console().print(table)
        print(f"{where}: " + ("no problems" if not bad else f"{bad} problem{'s' if bad > 1 else ''}"))
    if problems or any(lines.values()):
        from basis_ledger.commands import EXIT_FINDINGS

        raise typer.Exit(EXIT_FINDINGS)


def _check_table(n_events: int, n_problems: int, n_lines: int, lines: dict[str, list[str]], copy: str):
    from rich.table import Table

    table = Table(title="ledger check: the pandera models")
    for col in ("checked", "rows", "result"):
        table.add_column(col, justify="right" if col == "rows" else "left")
    table.add_row("events", f"{n_events:,}", "pass" if not n_problems else f"{n_problems:,} problems")
    for rounding, broken in lines.items():
        table.add_row(f"computed lines, {rounding}", f"{n_lines:,}", "pass" if not broken else ", ".join(broken))
    table.add_row("events' columnar copy", "", copy)
    return table
