"""The command line's shared pieces: the Typer app, the --ledger option, and error handling.

Nothing heavy is imported here: `basis-ledger --help` must stay fast, so pandas, pandera, pypdf and
openpyxl are imported inside the commands that need them.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from basis_ledger.model import InputError

EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_INTERNAL = 1, 2, 3

app = typer.Typer(
    name="basis-ledger",
    help="Keep the after-tax basis of IRAs right, year after year, and fill in Form 8606 from it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class State:
    ledger_option: str | None = None


@app.callback()
def _global(
    ledger: Annotated[
        str | None,
        typer.Option(
            "--ledger",
            help="Ledger: a SQLite file, or a firm's postgresql://USER@HOST/DB (see docs/firm.md)."
            " Default: $BASIS_LEDGER, else ./basis-ledger.db.",
        ),
    ] = None,
    household: Annotated[
        str | None,
        typer.Option(
            "--household",
            help="PostgreSQL ledgers: the client household to read and write. Default: $BASIS_LEDGER_HOUSEHOLD.",
        ),
    ] = None,
) -> None:
    from basis_ledger.ledger.location import Chosen

    State.ledger_option = ledger
    Chosen.household = household


LedgerOpt = Annotated[str | None, typer.Option("--ledger", help="Ledger file; overrides the global --ledger.")]
TaxpayerOpt = Annotated[str | None, typer.Option("--taxpayer", "-t", help="Only this taxpayer.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine output: one JSON document on stdout.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="CSV on stdout, one row per line of the table.")]
WideOpt = Annotated[bool, typer.Option("--wide", help="Every column at full width, one line per row.")]


def ledger_path(option: str | None = None) -> Path:  # or a DatabaseUrl (a str that prints without password)
    from basis_ledger.ledger.store import resolve_path

    return resolve_path(option or State.ledger_option)


def open_for_write(path: Path):
    """Open the ledger a writing command changes, creating it if needed, and say so on stderr when it was
    created: a command run in the wrong folder must not start a new ledger unnoticed."""
    from basis_ledger.ledger.store import Ledger

    existed = path.exists()
    store = Ledger.open(path, create=True)
    if not existed:
        say_created(path)
    return store


def say_created(path: Path) -> None:
    print(f"created new ledger {path}", file=sys.stderr)


def fail(problems: list) -> None:
    for p in problems:
        print(str(p), file=sys.stderr)
    raise typer.Exit(EXIT_BAD_INPUT)


def guarded(fn: Callable[[], Any]) -> Any:
    """Run a command body: bad input exits 2 with one line per problem; a bug exits 3 without a traceback."""
    try:
        return fn()
    except InputError as err:
        fail(err.problems)
    except (typer.Exit, KeyboardInterrupt):
        raise
    except Exception as exc:  # a defect, not the user's fault: say so in one line
        if os.environ.get("BASIS_LEDGER_DEBUG"):
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc} (set BASIS_LEDGER_DEBUG=1 for details; please report it)",
            file=sys.stderr,
        )
        raise typer.Exit(EXIT_INTERNAL) from None


def print_json(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, indent=1, ensure_ascii=False))
    sys.stdout.write("\n")


@contextmanager
def progress(label: str, total: int) -> Iterator[Callable[[str], None]]:
    """A progress bar on stderr for long work; silent when stderr is not a terminal (pipes, CI, --json)."""
    if total < 2 or not sys.stderr.isatty():
        yield lambda _item: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[item]}"))
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total, item="")

        def advance(item: str) -> None:
            bar.update(task, advance=1, item=item)

        yield advance


def console():
    from rich.console import Console

    return Console()
