"""The command line's shared pieces: the Typer app, the --ledger option, and error handling.

Nothing heavy is imported here: `basis-ledger --help` must stay fast, so pandas, pandera, pypdf and
openpyxl are imported inside the commands that need them.
"""

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.exceptions

from basis_ledger.commands import typer_params

typer_params.install()  # plain option values without importing pydantic (commands/typer_params.py)
EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_INTERNAL = 1, 2, 3


class App(typer.Typer):
    """A Typer app whose every command runs inside `boundary`: make sub-apps with App(...), not typer.Typer."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        register = super().command(*args, **kwargs)

        def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
            register(boundary(fn))
            return fn

        return decorator


app = App(
    name="basis-ledger",
    help="Keep the after-tax basis of IRAs right, year after year, and fill in Form 8606 from it.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (docs/cli.md)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class State:
    ledger_option: str | None = None


def _version(value: bool) -> None:
    if value:
        from basis_ledger import __version__

        print(f"basis-ledger {__version__}")
        raise typer.Exit(0)


@app.callback()
def _global(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
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


def ledger_exists(path) -> bool:
    """A ledger is there: the file, or (a DatabaseUrl) the ledger's tables in that database."""
    return bool(path.exists())


def open_for_write(path: Path):
    """Open the ledger a writing command changes, creating it if needed, and say so on stderr when it was
    created: a command run in the wrong folder must not start a new ledger unnoticed."""
    from basis_ledger.ledger.store import Ledger

    existed = ledger_exists(path)
    store = Ledger.open(path, create=True)
    if not existed:
        say_created(path)
    return store


def say_created(path: Path) -> None:
    print(f"created new ledger {path}", file=sys.stderr)


def fail(problems: list) -> None:
    print_problems(problems)
    raise typer.Exit(EXIT_BAD_INPUT)


def print_problems(problems: list) -> None:
    """One escaped, SSN-masked line per problem; at most MAX_PROBLEMS_PER_FILE per file, the rest counted."""
    from basis_ledger.faults import MAX_PROBLEMS_PER_FILE, shown

    per_file: dict[str, int] = {}
    for p in problems:
        key = getattr(p, "file", "")
        per_file[key] = per_file.get(key, 0) + 1
        if per_file[key] <= MAX_PROBLEMS_PER_FILE:
            _err(shown(str(p), limit=500))
    for key, n in per_file.items():
        if n > MAX_PROBLEMS_PER_FILE:
            more = n - MAX_PROBLEMS_PER_FILE
            _err(f"{shown(key, limit=400)}: ... and {more:,} more problems (fix those above first)")


def _err(line: str) -> None:
    with suppress(OSError):  # stderr itself is gone: nothing left to tell
        print(line, file=sys.stderr)


def boundary(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The commands' one error boundary: every expected failure exits 2 with its Problems, a defect exits 3.

    Expected failures (faults.explain): bad input, unreadable files, full disk, permissions, a damaged or
    foreign ledger, a database driver's refusal. A reader closing our stdout early (`| head`) exits 0 quietly.
    Output is flushed inside the boundary so that a failed write (`> /dev/full`) is reported, not lost at exit.
    Every command gets it by construction: `App.command` applies it (tests/robust checks every command has it).
    """

    @functools.wraps(fn)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        from basis_ledger import faults

        try:
            try:
                return fn(*args, **kwargs)
            finally:
                sys.stdout.flush()  # inside the boundary: a failed write is reported, not lost at exit
        except (typer.Exit, typer.Abort, typer.exceptions.TyperException, KeyboardInterrupt):
            raise
        except Exception as exc:
            if faults.is_broken_pipe(exc):
                _silence_stdout()
                raise typer.Exit(0) from None
            problems = faults.explain(exc)
            if problems is not None:
                # Reported: a library's half-written temporary objects must not print tracebacks at exit.
                sys.unraisablehook = lambda _unraisable: None
                if isinstance(exc, OSError) or isinstance(exc.__cause__, OSError):
                    _silence_stdout()  # stdout may be what failed: never fail again at exit
                print_problems(problems)
                raise typer.Exit(EXIT_BAD_INPUT) from None
            if os.environ.get("BASIS_LEDGER_DEBUG"):
                raise
            _err(
                f"internal error: {type(exc).__name__}: {faults.shown(str(exc), 200)} "
                "(set BASIS_LEDGER_DEBUG=1 for details; please report it)"
            )
            raise typer.Exit(EXIT_INTERNAL) from None

    bounded.__basis_ledger_boundary__ = True  # type: ignore[attr-defined]
    return bounded


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot fail (a closed pipe, a full disk)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (a test runner's buffer)
        pass
    with suppress(OSError):
        sys.stdout.flush()


def guarded(fn: Callable[[], Any]) -> Any:
    """Old spelling, kept while branches move to the decorator: the boundary around every command does the work."""
    return fn()


def print_json(doc: Any) -> None:
    import json  # here: `--help` prints no JSON

    text = json.dumps(doc, indent=1, ensure_ascii=False)
    # A file name that is not UTF-8 (surrogates) is written escaped rather than failing the whole document.
    sys.stdout.write(text.encode("utf-8", "backslashreplace").decode("utf-8"))
    sys.stdout.write("\n")


@contextmanager
def progress(label: str, total: int | None = None) -> Iterator[Callable[[str], None]]:
    """A progress bar on stderr for long work; silent when stderr is not a terminal (pipes, CI, --json).

    With a total it counts steps (files, sheets); without one it is a moving bar for work whose length nothing
    tells in advance (reading and computing a whole ledger). Nothing may be written to stdout inside: while the
    bar is shown, rich sends stdout to the bar's console (the terminal), so commands print after it closes."""
    if (total is not None and total < 2) or not sys.stderr.isatty():
        yield lambda _item: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn

    count: ProgressColumn = MofNCompleteColumn() if total is not None else TimeElapsedColumn()
    columns = (TextColumn("{task.description}"), BarColumn(), count, TextColumn("{task.fields[item]}"))
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total, item="")

        def advance(item: str) -> None:
            bar.update(task, advance=1, item=item)

        yield advance


def console():
    from rich.console import Console

    return Console()
