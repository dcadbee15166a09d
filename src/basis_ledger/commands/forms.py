"""Form commands: fill the official Form 8606 of a year from the ledger."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from basis_ledger.commands import App, JsonOpt, LedgerOpt, app, ledger_path, print_json, progress
from basis_ledger.model import Caution, InputError, Problem


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
    ssn: Annotated[
        str | None,
        typer.Option(
            "--ssn",
            help="The whole SSN, for this PDF only (never stored or printed). Or $BASIS_LEDGER_SSN_<TAXPAYER>.",
            show_default=False,
        ),
    ] = None,
    json_out: JsonOpt = False,
    ledger: LedgerOpt = None,
) -> None:
    """Write the computed Form 8606 onto the official fillable form of the year (read it back with inspect).

    The SSN is masked (XXX-XX-1234) unless --ssn or $BASIS_LEDGER_SSN_<TAXPAYER> gives the whole number for
    the copy you file. For a year whose Form 8606 is already in the ledger, the result is an amended form: the
    lines that differ from the filed one are listed."""

    from basis_ledger.commands.core import computed_frame
    from basis_ledger.files import check_output
    from basis_ledger.ledger.store import Ledger
    from basis_ledger.render.blanks import forms_dir as default_forms_dir
    from basis_ledger.render.fill import fill as fill_pdf
    from basis_ledger.render.fill import find_blank
    from basis_ledger.render.lines import as_objects

    blank = find_blank(year, form, default_forms_dir(forms_dir))
    check_output(output, protected=[ledger_path(ledger), blank])  # before the work: never onto an input
    with progress("fill", 2) as advance:  # on a terminal only: the year computed, then the form written
        frame, opts = computed_frame(ledger, taxpayer, year, ratio_places, cents)
        rows = [o for o in as_objects(frame, opts) if o["chain"] == chain]
        advance(f"{taxpayer} {year} computed")
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
        last4 = person.ssn_last4 if person else None
        whole = whole_ssn(taxpayer, ssn, last4)
        masked = f"XXX-XX-{(whole or '')[-4:] or last4}" if whole or last4 else ""
        lines = rows[0]["lines"]
        amended = amendment(ledger, taxpayer, chain, year, lines)
        fill_pdf(blank, output, year, lines, name, whole or masked, protected=(ledger_path(ledger),))
        advance(str(output))
    notes: list[Caution] = []  # what the filer must read about this form; printed as `note: ...`
    if amended is not None:
        filed_file, differs = amended
        if differs:
            listed = "; ".join(
                f"line {d['line']}: filed {_txt(d['filed'])}, now {_txt(d['computed'])}" for d in differs
            )
            notes.append(
                Caution(
                    "amended-form",
                    f"a {year} Form 8606 was already filed ({filed_file}): this is an AMENDED form; file it with "
                    f"Form 1040-X. Lines that differ: {listed}",
                )
            )
        else:
            notes.append(
                Caution(
                    "nothing-to-amend",
                    f"a {year} Form 8606 was already filed ({filed_file}) and says the same: nothing to amend",
                )
            )
    if not name:
        notes.append(
            Caution(
                "full-name-missing",
                f"no full name on record: fill it in, or run 'basis-ledger taxpayer set {taxpayer} "
                "--full-name ...' and fill again",
            )
        )
    if whole:
        notes.append(
            Caution("ssn-on-pdf-only", "the whole SSN is on this PDF only: it is not stored, and not printed here")
        )
    elif masked:
        notes.append(
            Caution(
                "ssn-masked",
                "the SSN is masked (only its last four digits are kept): complete it before filing, or fill again "
                "with --ssn or $BASIS_LEDGER_SSN_" + env_name(taxpayer),
            )
        )
    else:
        notes.append(Caution("ssn-missing", "no SSN on record: write it on the form, or fill again with --ssn"))
    if json_out:
        print_json(
            {
                "file": str(output),
                "form": str(blank),
                "taxpayer": taxpayer,
                "chain": chain,
                "tax_year": year,
                "name": name,
                "ssn": masked,
                "ssn_whole_on_form": bool(whole),
                "amended": amended is not None and bool(amended[1]),
                "filed_form": None if amended is None else amended[0],
                "differs": [] if amended is None else amended[1],
                "lines": lines,
                "notes": [c.message for c in notes],
            }
        )
        return
    what = "AMENDED " if amended is not None and amended[1] else ""
    print(f"{output}: {what}{year} Form 8606 for {taxpayer}, {len(lines)} lines, from {blank}")
    for n in notes:
        print(f"note: {n.message}", file=sys.stderr)


def env_name(taxpayer: str) -> str:
    """The taxpayer's part of $BASIS_LEDGER_SSN_<TAXPAYER>: upper case, anything but letters and digits as _."""
    import re

    return re.sub(r"[^A-Z0-9]", "_", taxpayer.upper())


def whole_ssn(taxpayer: str, given: str | None, last4: str | None) -> str | None:
    """The whole SSN for this one PDF (--ssn, else the taxpayer's variable), as 123-45-6789; None if not given.
    It is checked against the recorded last four digits, and never echoed in a message."""
    import os
    import re

    where = "--ssn"
    if given is None:
        where = "BASIS_LEDGER_SSN_" + env_name(taxpayer)
        given = os.environ.get(where)
    if given is None or not given.strip():
        return None
    digits = re.sub(r"[\s-]", "", given)
    if not re.fullmatch(r"\d{9}", digits) or digits[:3] in ("000", "666") or digits[0] == "9":
        raise InputError([Problem(where, "not a valid SSN: give nine digits, as 123-45-6789")])
    if last4 and digits[-4:] != last4:
        raise InputError([Problem(where, f"does not end in the last four digits on record for {taxpayer}")])
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def amendment(ledger, taxpayer: str, chain: str, year: int, lines: dict) -> tuple[str, list[dict]] | None:
    """When the ledger holds a filed Form 8606 of that year: (its file, the lines that differ from `lines`, each
    {line, filed, computed} as printed); None when no form of that year was imported."""
    from decimal import Decimal

    from basis_ledger.audit.context import parse_money, parse_ratio
    from basis_ledger.ledger.store import Ledger

    store = Ledger.open(ledger_path(ledger))
    try:
        filed = store.filed_forms()
    finally:
        store.close()
    if not len(filed):
        return None
    mine = filed[(filed["taxpayer"] == taxpayer) & (filed["chain"] == chain) & (filed["tax_year"] == year)]
    if not len(mine):
        return None
    last_file = str(mine["source_file"].iloc[-1])
    mine = mine[mine["source_file"] == last_file]  # the latest form imported for the year
    was = dict(zip(mine["line"].tolist(), mine["value"].tolist(), strict=True))

    def value(line: str, text) -> Decimal | int | None:  # line 10 as a Decimal ratio, amounts as cents
        try:
            if line == "10":
                r = parse_ratio(text)
                return None if r is None else r[0]
            cents = parse_money(text)
        except ValueError:
            return None
        return cents

    def shown(line: str, v: Decimal | int | None) -> int | str | None:
        if v is None or line == "10":
            return None if v is None else str(was[line]).strip()
        from basis_ledger.money import whole_or_cents

        return whole_or_cents(int(v))

    differs = []
    for line in [k for k in lines if k in was] + [k for k in was if k not in lines]:
        old, new = value(line, was.get(line, "")), value(line, lines.get(line, ""))
        if old != new:  # amounts as compute --json gives them; None where the form has the line blank
            differs.append({"line": line, "filed": shown(line, old), "computed": lines.get(line)})
    return last_file, differs


def _txt(v) -> str:
    from basis_ledger.money import amount_text

    return "blank" if v is None else amount_text(v)


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

    with progress("downloading"):  # on a terminal only: the IRS site can take seconds
        path, source = get(year, default_forms_dir(forms_dir), force=force)
    if json_out:
        print_json({"tax_year": year, "file": str(path), "source": source})
        return
    print(f"{path}: Form 8606 ({year}), {'already there' if source == 'already there' else 'from ' + source}")
