"""Derive the Form 8606 field maps in schemas/fieldmaps/ from the IRS fillable forms.

    .venv/bin/python tools/derive_fieldmap.py [FORM.pdf ...] [--out schemas/fieldmaps] [--check]

Default input: ../shared/irs-forms/f8606-YYYY.pdf (the blank IRS revisions). The geometry rules live in
basis_ledger.ingest.pdf8606.derive; this script only runs them on each blank form, checks that every widget got a
key and every line 1-25c a field, and writes one JSON map per revision, named after the year the form prints.
--check compares instead of writing (exit 1 on a difference), to prove the committed maps are this output.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from basis_ledger.ingest.pdf8606.derive import derive
from basis_ledger.ingest.pdf8606.fieldmaps import LINE_KEYS
from basis_ledger.ingest.pdf8606.pdf import open_pdf
from basis_ledger.ingest.pdf8606.reading import form_year

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "irs-forms"


def field_map(path: Path) -> dict:
    data = path.read_bytes()
    reader = open_pdf(data, str(path))
    year = form_year(reader)
    fields, left = derive(reader)
    missing = [k for k in ("name", "ssn", *(f"line_{k}" for k in LINE_KEYS), "line_10_decimal") if k not in fields]
    if missing or left or year is None:
        raise SystemExit(f"{path}: year {year}, lines without a field {missing}, widgets without a key {left}")
    return {
        "form": "8606",
        "tax_year": year,
        "derived_from": {
            "file": path.name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "title": str((reader.metadata or {}).get("/Title", "")),
            "widgets": len(fields),
        },
        "fields": fields,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("forms", nargs="*", type=Path)
    ap.add_argument("--out", type=Path, default=ROOT / "schemas" / "fieldmaps")
    ap.add_argument("--check", action="store_true", help="compare with the committed maps instead of writing")
    args = ap.parse_args(argv)
    forms = args.forms or sorted(p for p in SHARED.glob("f8606-????.pdf"))
    if not forms:
        print(f"no forms given and none in {SHARED}", file=sys.stderr)
        return 2
    differ = 0
    for path in forms:
        doc = field_map(path)
        target = args.out / f"f8606-{doc['tax_year']}.json"
        text = json.dumps(doc, indent=2) + "\n"
        if args.check:
            same = target.exists() and target.read_text() == text
            differ += not same
            print(f"{target.name}: {'same' if same else 'DIFFERS'}")
        else:
            args.out.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            print(
                f"{path.name} -> {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: "
                f"{len(doc['fields'])} fields"
            )
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
