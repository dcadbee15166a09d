"""Writing computed lines onto the official fillable Form 8606 of the year, with appearance streams.

The IRS forms carry XFA beside the AcroForm; XFA-aware viewers would show the empty XFA data, so it is removed,
and so is the usage-rights signature (/Perms), which no longer validates once the file changes.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from basis_ledger.files import atomic_output, check_output, private_dirs
from basis_ledger.model import InputError, Problem
from basis_ledger.money import form_boxes, form_text

PRIOR_URL = "https://www.irs.gov/pub/irs-prior/f8606--{year}.pdf"
CURRENT_URL = "https://www.irs.gov/pub/irs-pdf/f8606.pdf"


def find_blank(year: int, form: Path | None, forms_dir: Path | None) -> Path:
    """--form, else f8606-YEAR.pdf in the forms folder; otherwise say where the IRS keeps that revision."""
    if form is not None:
        return form
    if forms_dir is not None and (forms_dir / f"f8606-{year}.pdf").is_file():
        return forms_dir / f"f8606-{year}.pdf"
    where = f"in {forms_dir}" if forms_dir else "(no --forms-dir or $BASIS_LEDGER_FORMS given)"
    raise InputError(
        [
            Problem(
                f"f8606-{year}.pdf",
                f"no blank {year} Form 8606 {where}: run 'basis-ledger forms get {year}' (it fetches "
                f"{PRIOR_URL.format(year=year)}), or download it yourself (the current one is {CURRENT_URL}) "
                f"and pass --form FILE, or save it as f8606-{year}.pdf in a folder given with --forms-dir DIR or "
                "$BASIS_LEDGER_FORMS",
            )
        ]
    )


def field_values(fmap: dict[str, str], lines: dict[str, int | str], name: str, ssn: str) -> dict[str, str]:
    """Field name -> text, split the way the revision wants: dollars/cents boxes, line 10's digit and decimals."""
    out: dict[str, str] = {}
    if name and "name" in fmap:
        out[fmap["name"]] = name
    if ssn and "ssn" in fmap:
        out[fmap["ssn"]] = ssn
    for line, value in lines.items():
        if line == "10":
            whole, _, decimals = str(value).partition(".")
            out[fmap["line_10"]] = whole
            out[fmap["line_10_decimal"]] = decimals
            continue
        if f"line_{line}_cents" in fmap:  # 2017/2018: a dollars box and a cents box
            out[fmap[f"line_{line}"]], out[fmap[f"line_{line}_cents"]] = form_boxes(value)
        else:
            out[fmap[f"line_{line}"]] = form_text(value)
    return out


def fill(
    blank: Path,
    out: Path,
    year: int,
    lines: dict[str, int | str],
    name: str,
    ssn: str,
    protected: tuple[Path, ...] = (),  # files the output must never replace (the ledger)
) -> dict[str, str]:
    """Fill the blank form into `out` (0600). Returns the field values written."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject

    from basis_ledger.ingest.pdf8606 import fieldmaps
    from basis_ledger.ingest.pdf8606.pdf import open_pdf, quiet, widgets
    from basis_ledger.ingest.pdf8606.reading import form_year

    if not blank.is_file():
        raise InputError([Problem(str(blank), "no such file (the blank Form 8606 to fill)")])
    reader = open_pdf(blank.read_bytes(), str(blank))
    printed = form_year(reader)
    if printed != year:
        raise InputError(
            [
                Problem(
                    str(blank),
                    f"this is the {printed or 'unknown'} revision of Form 8606, not {year}'s; "
                    f"fill each year on its own revision ({PRIOR_URL.format(year=year)})",
                )
            ]
        )
    ws = {w.name: w for w in widgets(reader)}
    fmap = fieldmaps.for_form(reader, year, set(ws))
    if fmap is None:
        raise InputError([Problem(str(blank), "not a fillable Form 8606: its fields could not be matched to lines")])
    line_fields = {v for k, v in fmap.items() if k.startswith("line_")}
    used = sorted(k for k, w in ws.items() if k in line_fields and w.value.strip())
    if used:
        raise InputError(
            [Problem(str(blank), f"not blank: {len(used)} line fields already hold values; fill a blank form")]
        )
    values = field_values(fmap, lines, name, ssn)
    too_long = [
        f"{k} ({v!r}, at most {ws[k].max_len})"
        for k, v in values.items()
        if ws[k].max_len is not None and len(v) > ws[k].max_len
    ]
    if too_long:
        raise InputError([Problem(str(blank), f"values too long for their boxes: {', '.join(too_long)}")])
    with quiet():
        writer = PdfWriter(clone_from=reader)
        writer.update_page_form_field_values(None, values, auto_regenerate=True)
        acro = writer._root_object["/AcroForm"]
        if "/XFA" in acro:
            del acro[NameObject("/XFA")]
        if "/Perms" in writer._root_object:
            del writer._root_object[NameObject("/Perms")]
        buf = io.BytesIO()
        writer.write(buf)
    data = buf.getvalue()
    _verify(data, out, lines)  # before anything is written: a form that does not read back is never left behind
    check_output(out, protected=(blank, *protected))
    private_dirs(out.parent)
    with atomic_output(out, protected=(blank, *protected)) as fh:
        fh.write(data)
    return values


def _verify(data: bytes, out: Path, lines: dict[str, int | str]) -> None:
    """Read the filled form back as `import` would: it must give exactly the lines written."""
    from basis_ledger.ingest.pdf8606.pdf import open_pdf
    from basis_ledger.ingest.pdf8606.reading import read

    back = {k: Decimal(v) for k, (v, _) in read(open_pdf(data, str(out)), str(out)).lines.items()}
    if back != {k: Decimal(str(v)) for k, v in lines.items()}:
        raise RuntimeError(f"the filled form does not read back as written ({back} != {lines}); nothing written")
