"""The field maps in schemas/fieldmaps/ (one per IRS revision, written by tools/derive_fieldmap.py)."""

from __future__ import annotations

import json
from functools import cache

from basis_ledger.resources import load_toml, schemas_dir

LINE_KEYS: tuple[str, ...] = tuple(load_toml("form8606_lines.toml")["lines"])  # "1" .. "25c", the form's order


@cache
def committed() -> dict[int, dict[str, str]]:
    """tax year -> {map key -> fully qualified field name}."""
    out: dict[int, dict[str, str]] = {}
    for path in sorted((schemas_dir() / "fieldmaps").glob("f8606-*.json")):
        doc = json.loads(path.read_text())
        out[int(doc["tax_year"])] = doc["fields"]
    return out


def for_form(reader, year: int | None, names: set[str], frags: list | None = None) -> dict[str, str] | None:
    """The committed map of the year when the PDF has its fields, else one derived from this PDF's geometry
    (a revision or a producer we have no map for), else None."""
    fields = committed().get(year or 0)
    if fields and all(fields[f"line_{k}"] in names for k in LINE_KEYS):
        return fields
    from basis_ledger.ingest.pdf8606.derive import derive

    derived, _ = derive(reader, frags)
    if all(f"line_{k}" in derived for k in LINE_KEYS):
        return derived
    return None
