"""Commands for getting custodian data in: `inspect` (a dry run of import) and `account set|list`."""

from pathlib import Path
from typing import Annotated

import typer

from basis_ledger.commands import (
    EXIT_FINDINGS,
    App,
    CsvOpt,
    JsonOpt,
    LedgerOpt,
    WideOpt,
    app,
    console,
    ledger_path,
    open_for_write,
    print_json,
    progress,
)
from basis_ledger.model import InputError, Problem

account_app = App(help="Custodian accounts: whose each one is and what type it is.", no_args_is_help=True)
app.add_typer(account_app, name="account")

MapOpt = Annotated[
    list[str] | None,
    typer.Option("--map", help='Classify custodian text: "TEXT=event_kind" (repeatable; see docs/importing.md).'),
]
MappingOpt = Annotated[Path | None, typer.Option("--mapping", help="A TOML file of TEXT = event_kind ([map]).")]


def _inspect(
    paths: list[Path],
    profile: str | None,
    mapping: dict[str, str],
    taxpayer: str | None,
    ledger_file: Path,
    rules: tuple = (),
    on_file=lambda _path: None,  # progress: called as each file is read
) -> list[dict]:
    """What `import` would do with these files, file by file; reads the ledger (accounts) but writes nothing."""
    from basis_ledger.faults import reading
    from basis_ledger.ingest.base import Context, extract
    from basis_ledger.ingest.registry import choose
    from basis_ledger.ingest.source import SourceFile
    from basis_ledger.ledger.crosscheck import reconcile
    from basis_ledger.ledger.dedup import match
    from basis_ledger.ledger.schema import validation_problems
    from basis_ledger.ledger.store import Ledger

    ledger = Ledger.open(ledger_file) if ledger_file.exists() else None
    try:
        ctx = Context(ledger.accounts() if ledger else {}, mapping, taxpayer, rules)
        staged, objects = [], []
        for path in paths:
            on_file(path)
            obj: dict = {"file": str(path)}
            objects.append(obj)
            try:
                with reading(path):
                    src = SourceFile.read(path)
                    imp = choose(src, profile)
                    obj["profile"] = imp.name
                    ex = extract(imp, src, ctx)  # its events as Arrow, as import hands them on
            except InputError as err:
                obj["problems"] = [str(p) for p in err.problems]
                continue
            obj["sha256"] = src.sha256
            obj["already_imported"] = bool(ledger and ledger.has_file(src.sha256))
            if ex.events is not None:
                ex.problems += validation_problems(ex.events, str(path))
            staged.append((src, ex, obj))
        fresh = [(s, e, o) for s, e, o in staged if not o["already_imported"]]
        batch = [(str(s.path), e) for s, e, _ in fresh]
        late = reconcile(batch, ledger)
        verdicts, conflicts = match(batch, ledger, ledger.conn if ledger else None)  # the same verdicts as import
        late += conflicts
    finally:
        if ledger:
            ledger.close()
    marks = {id(o): v for (_, _, o), v in zip(fresh, verdicts, strict=True)}
    for src, ex, obj in staged:
        obj.update(_describe(src, ex, [p for p in late if p.file == str(src.path)], marks.get(id(obj))))
    return objects


def _bounded(lines: list[str], fname: str) -> list[str]:
    """At most MAX_PROBLEMS_PER_FILE lines, each escaped and capped, then how many more (as import prints them)."""
    from basis_ledger.faults import MAX_PROBLEMS_PER_FILE, shown

    out = [shown(x, 500) for x in lines[:MAX_PROBLEMS_PER_FILE]]
    if len(lines) > MAX_PROBLEMS_PER_FILE:
        out.append(f"{shown(fname, 400)}: ... and {len(lines) - MAX_PROBLEMS_PER_FILE:,} more problems")
    return out


def _describe(src, ex, late: list[Problem], verdict=None) -> dict:
    from basis_ledger.money import format_cents

    events = []
    if ex.events is not None:
        keep = [c for c in ex.events.column_names if c not in ("net_cents", "maybe_conversion")]
        new = verdict.keep if verdict is not None and verdict.keep is not None else None
        for i, row in enumerate(ex.events.select(keep).to_pylist()):
            row["amount"] = format_cents(int(row.pop("amount_cents")), whole=False).replace(",", "")
            if verdict is not None and verdict.recognised:
                row["verdict"] = "new" if new is None or new[i] else "recognised"
            events.append({k: (int(v) if hasattr(v, "item") else v) for k, v in row.items()})
    problems = sorted([*ex.problems, *late], key=lambda p: (p.line or 0, p.column or ""))
    out = {
        "events": events,
        "skipped": dict(sorted(ex.skipped.items())),
        "review": ex.review,
        "documents": ex.documents,
        "notes": [str(c) for c in ex.cautions],  # Cautions, as printed (the key is the published contract)
        "problems": _bounded([str(p) for p in problems], str(src.path)),
    }
    if verdict is not None and verdict.recognised:  # rows the ledger already holds from another file
        out["recognised"] = dict(verdict.recognised)
    if ex.filed_forms:  # a Form 8606 PDF is its form: the object is the one docs/prior-forms.md shows
        from basis_ledger.ingest.pdf8606 import inspect_object

        form = inspect_object(src, ex.filed_forms[0])
        return {**form, "problems": out["problems"], "notes": out["notes"]}
    return out


@app.command()
def inspect(
    files: Annotated[list[Path], typer.Argument(help="Any files import reads: statements, tax forms, 8606 PDFs.")],
    profile: Annotated[str | None, typer.Option(help="Use this importer instead of detecting one.")] = None,
    maps: MapOpt = None,
    mapping_file: MappingOpt = None,
    taxpayer: Annotated[str | None, typer.Option("--taxpayer", "-t", help="Owner to assume (as import).")] = None,
    json_out: JsonOpt = False,
    ledger: LedgerOpt = None,
) -> None:
    """Dry run of import: the profile chosen, the events, the rows skipped and why, the review list. Writes nothing.

    Exit 0 when every file would import cleanly, 1 when some file needs review or has problems (all listed)."""

    from basis_ledger.ingest.statements.mapping import parse_all

    mapping, rules = parse_all(maps, mapping_file)
    with progress("inspecting", len(files)) as advance:  # on a terminal only, as import's
        objects = _inspect(files, profile, mapping, taxpayer, ledger_path(ledger), rules, lambda p: advance(p.name))
    if json_out:
        print_json(objects)
    else:
        _show(objects)
    if any(o.get("problems") or o.get("review") for o in objects):
        raise typer.Exit(EXIT_FINDINGS)


def _show(objects: list[dict]) -> None:
    from rich.table import Table

    table = Table("file", "profile", "events", "skipped", "review", "problems", title="What import would do")
    for o in objects:
        table.add_row(
            Path(o["file"]).name,
            o.get("profile", "-"),
            str(len(o.get("events", []))),
            str(sum(o.get("skipped", {}).values())),
            str(len(o.get("review", []))),
            str(len(o.get("problems", []))),
        )
    con = console()
    con.print(table)
    for o in objects:
        for why, n in o.get("skipped", {}).items():
            con.print(f"{Path(o['file']).name}: skipped {n}: {why}", markup=False, highlight=False)
        for line in (*o.get("problems", []), *o.get("notes", [])):
            con.print(line, markup=False, highlight=False)


@account_app.command("set")
def account_set(
    account: Annotated[str, typer.Argument(help="The account as the custodian's export names it.")],
    owner: Annotated[str, typer.Option("--owner", help="The taxpayer who owns it.")],
    type_: Annotated[
        str,
        typer.Option(
            "--type", help="traditional, sep, simple, roth, inherited_traditional, inherited_roth, plan or taxable."
        ),
    ],
    custodian: Annotated[str | None, typer.Option(help="Custodian, for your own reference.")] = None,
    ledger: LedgerOpt = None,
) -> None:
    """Declare a custodian account: statement imports need its owner and type."""

    from basis_ledger.ingest.base import DECLARABLE_TYPES

    problems = []
    if type_ not in DECLARABLE_TYPES:
        problems.append(Problem("--type", f"'{type_}' is not an account type ({', '.join(DECLARABLE_TYPES)})"))
    if not owner.strip() or len(owner) > 64:
        problems.append(Problem("--owner", "give the owner's name as used in the ledger (1 to 64 characters)"))
    if not account.strip():
        problems.append(Problem("ACCOUNT", "empty account"))
    if problems:
        raise InputError(problems)
    store = open_for_write(ledger_path(ledger))
    try:
        store.set_account(account.strip(), owner.strip(), type_, custodian)
    finally:
        store.close()
    print(f"account {account.strip()}: {owner.strip()}, {type_}")


@account_app.command("list")
def account_list(
    json_out: JsonOpt = False, csv_out: CsvOpt = False, wide: WideOpt = False, ledger: LedgerOpt = None
) -> None:
    """The declared accounts."""

    import sys
    from dataclasses import asdict

    from basis_ledger.ledger.store import Ledger

    store = Ledger.open(ledger_path(ledger))
    try:
        rows = [asdict(a) for a in store.accounts().values()]
    finally:
        store.close()
    if json_out:
        print_json(rows)
    elif csv_out:
        from basis_ledger.render.tables import rows_csv

        header = ["account", "owner", "type", "custodian"]
        rows_csv(header, [[r[k] for k in header] for r in rows], sys.stdout)
    else:
        from basis_ledger.render.tables import accounts_table

        accounts_table(rows, console(), wide)
