"""`plan`: what-if files, the basis-isolation strategy and the yearly backdoor Roth, never writing the ledger."""

from pathlib import Path
from typing import Annotated

import typer

from basis_ledger.commands import EXIT_FINDINGS, JsonOpt, LedgerOpt, TaxpayerOpt, app, console, print_json, progress
from basis_ledger.commands.core import Cents, Places, _load
from basis_ledger.model import InputError, Problem

ACTIONS = ("isolate", "backdoor")


@app.command("plan")
def plan(
    what: Annotated[
        str,
        typer.Argument(
            metavar="WHATIF.csv|isolate|backdoor",
            help="A file of hypothetical events (the generic CSV), or 'isolate', or 'backdoor'.",
        ),
    ],
    taxpayer: TaxpayerOpt = None,
    year: Annotated[
        int | None,
        typer.Option("--year", "-y", help="The tax year to show (a file's default: its first calendar year)."),
    ] = None,
    amount: Annotated[str | None, typer.Option(help="backdoor: the contribution, such as 7,000.")] = None,
    start: Annotated[
        str | None,
        typer.Option(help="isolate/backdoor: the first day (YYYY-MM-DD; default: after the ledger's last event)."),
    ] = None,
    json_out: JsonOpt = False,
    ratio_places: Places = 5,
    cents: Cents = False,
    ledger: LedgerOpt = None,
) -> None:
    """Try a plan on the ledger in memory and show the year's 8606 before and after, and its findings.

    plan WHATIF.csv: hypothetical events. plan isolate --taxpayer T --year Y: roll the pre-tax part into an
    employer plan, convert the basis. plan backdoor --taxpayer T --year Y --amount A: contribute and convert.
    Exit 1 when the plan triggers an error finding, 2 on bad input. The ledger is never written.
    """

    from basis_ledger.engine.form8606 import Options

    if not 3 <= ratio_places <= 9:
        raise InputError([Problem("--ratio-places", f"{ratio_places} is not allowed: line 10 needs 3 to 9")])
    opts = Options(ratio_places=ratio_places, cents=cents)
    with progress("plan"):  # on a terminal only; the report is written after it
        result = (
            _action(what, taxpayer, year, amount, start, ledger, opts)
            if what in ACTIONS
            else _whatif(Path(what), taxpayer, year, amount, start, ledger, opts)
        )
    if json_out:
        print_json(result.as_json())
    else:
        from basis_ledger.render.plan_report import plan_report

        plan_report(result, console())
    if result.has_errors:
        raise typer.Exit(EXIT_FINDINGS)


def _whatif(path: Path, taxpayer, year, amount, start, ledger, opts):
    from basis_ledger.plan.whatif import choose_taxpayer, evaluate, next_id, read_plan_file

    misplaced = [
        Problem(o, f"{o} belongs to 'plan backdoor' or 'plan isolate'")
        for o, v in (("--amount", amount), ("--start", start))
        if v is not None
    ]
    if misplaced:
        raise InputError(misplaced)
    hypothetical = read_plan_file(path, 0)  # bad input stops here, before the ledger is opened
    who = choose_taxpayer(hypothetical, taxpayer, str(path))
    events, people = _load(ledger, who)
    hypothetical["id"] += next_id(events)
    return evaluate(events, people, hypothetical, who, year, opts, str(path))


def _action(what: str, taxpayer, year, amount, start, ledger, opts):
    import pandas as pd

    from basis_ledger.money import parse_amounts

    problems = [
        Problem(o, f"plan {what} needs {o}") for o, v in (("--taxpayer", taxpayer), ("--year", year)) if v is None
    ]
    cents = 0
    if what == "backdoor":
        if amount is None:
            problems.append(Problem("--amount", "plan backdoor needs --amount (the contribution, such as 7,000)"))
        else:
            parsed, why = parse_amounts(pd.Series([amount]))
            cents = int(parsed.iloc[0])
            if why.iloc[0] or cents == 0:
                problems.append(Problem("--amount", f"{why.iloc[0] or 'zero amount'} ('{amount}')"))
    elif amount is not None:
        problems.append(Problem("--amount", "--amount belongs to 'plan backdoor'"))
    if problems:
        raise InputError(problems)
    events, people = _load(ledger, taxpayer)
    if what == "isolate":
        from basis_ledger.plan.isolate import isolate

        return isolate(events, people, taxpayer, year, start, opts)
    from basis_ledger.plan.backdoor import backdoor

    return backdoor(events, people, taxpayer, year, cents, start, opts)
