"""Form commands: fill the official Form 8606 of a year from the ledger."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from basis_ledger.commands import App, JsonOpt, LedgerOpt, app, ledger_path, print_json
from basis_ledger.model import InputError, Problem


@app.command()
def fill(
    taxpayer: Annotated[str, typer.Option("--taxpayer", "-t", help="Whose form.")],
    year: Annotated[int, typer.Option("--year", "-y", help="Tax year of the form.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The filled PDF to write (private: 0600).")],
    form: Annotated[Path | None, typer.Option("--form", help="The blank fillable Form 8606 of that year.")] = None,
    forms_dir: Annotated[
        Path | None,
        typer.Option(
            "--forms-dir",
            envvar="BASIS_LEDGER_FORMS",
            help="Folder of blank forms named f8606-YYYY.pdf (default ./forms; 'basis-ledger forms get YEAR').",
        ),
    ] = None,
    chain: Annotated[str, typer.Option(help="'own', or 'inherited:ACCOUNT' for an inherited IRA's form.")] = "own",
    ratio_places: Annotated[int, typer.Option("--ratio-places", help="Decimal places of line 10 (3 to 9).")] = 5,
    cents: Annotated[bool, typer.Option("--cents", help="Keep cents on every line instead of whole dollars.")] = False,
    allow_incomplete: Annotated[
        bool,
        typer.Option(
            "--allow-incomplete", help="Fill a year whose 31 December value is unknown (year-end-value-missing)."
        ),
    ] = False,
    json_out: JsonOpt = False,
    ledger: LedgerOpt = None,
) -> None:
    """Write the computed Form 8606 onto the official fillable form of the year (read it back with inspect)."""

    from basis_ledger.commands.core import computed_frame
    from basis_ledger.files import check_output
    from basis_ledger.ledger.store import Ledger
    from basis_ledger.render.blanks import forms_dir as default_forms_dir
    from basis_ledger.render.fill import fill as fill_pdf
    from basis_ledger.render.fill import find_blank
    from basis_ledger.render.lines import as_objects

    blank = find_blank(year, form, default_forms_dir(forms_dir))
    check_output(output, protected=[ledger_path(ledger), blank])  # before the work: never onto an input
    frame, opts = computed_frame(ledger, taxpayer, year, ratio_places, cents)
    rows = [o for o in as_objects(frame, opts) if o["chain"] == chain]
    if not rows or not rows[0]["lines"]:
        raise InputError(
            [Problem("fill", f"nothing to fill: no part of Form 8606 applies to {taxpayer} ({chain}) in {year}")]
        )
    if not rows[0]["complete"] and not allow_incomplete:
        missing = [w["message"] for w in rows[0]["warnings"] if w["code"] == "year-end-value-missing"]
        raise InputError(
            [
                Problem(
                    "fill",
                    f"{taxpayer}'s {year} Form 8606 is incomplete and was not filled: "
                    + " ".join(missing)
                    + " Use --allow-incomplete to fill it anyway.",
                )
            ]
        )
    store = Ledger.open(ledger_path(ledger))
    try:
        person = store.taxpayers().get(taxpayer)
    finally:
        store.close()
    name = (person.full_name if person else None) or ""
    ssn = f"XXX-XX-{person.ssn_last4}" if person and person.ssn_last4 else ""
    lines = rows[0]["lines"]
    fill_pdf(blank, output, year, lines, name, ssn, protected=(ledger_path(ledger),))
    notes = []
    if not name:
        notes.append(
            f"no full name on record: fill it in, or run 'basis-ledger taxpayer set {taxpayer} "
            "--full-name ...' and fill again"
        )
    notes.append(
        "the SSN is masked (only its last four digits are kept): complete it before filing"
        if ssn
        else "no SSN on record: write it on the form"
    )
    if json_out:
        print_json(
            {
                "file": str(output),
                "form": str(blank),
                "taxpayer": taxpayer,
                "chain": chain,
                "tax_year": year,
                "name": name,
                "ssn": ssn,
                "lines": lines,
                "notes": notes,
            }
        )
        return
    print(f"{output}: {year} Form 8606 for {taxpayer}, {len(lines)} lines, from {blank}")
    for n in notes:
        print(f"note: {n}", file=sys.stderr)


forms_app = App(help="Blank IRS forms: the Form 8606 of a year, fetched into the forms folder.")
app.add_typer(forms_app, name="forms")


@forms_app.command("get")
def forms_get(
    year: Annotated[int, typer.Argument(help="Tax year of the form (the IRS revision of that year).")],
    forms_dir: Annotated[
        Path | None,
        typer.Option("--forms-dir", envvar="BASIS_LEDGER_FORMS", help="Where to keep it (default ./forms)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Download again even if the folder has it.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Download the IRS's blank Form 8606 of YEAR into the forms folder, where 'fill' finds it; it is kept only
    if it is a fillable Form 8606 of that year."""
    from basis_ledger.render.blanks import forms_dir as default_forms_dir
    from basis_ledger.render.blanks import get

    path, source = get(year, default_forms_dir(forms_dir), force=force)
    if json_out:
        print_json({"tax_year": year, "file": str(path), "source": source})
        return
    print(f"{path}: Form 8606 ({year}), {'already there' if source == 'already there' else 'from ' + source}")
