"""Custodian tax forms: Form 1099-R and Form 5498 as CSV templates (one column per box) or FDX JSON.

Each form is kept as filed (the `documents` table, with file and line) and becomes events where the
statements lack them (ledger/crosscheck.py decides, across every file of one import).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from basis_ledger.ingest.base import EVENT_COLUMNS, Context, Extracted

if TYPE_CHECKING:
    from basis_ledger.ingest.source import SourceFile

EXTRA_COLUMNS = ("origin", "net_cents", "maybe_conversion")


def _extract(name: str, docs: list[dict], problems: list, src: SourceFile, ctx: Context | None) -> Extracted:
    import pandas as pd

    from basis_ledger.ingest.taxforms.events import build_events

    out = Extracted(name, problems=problems, documents=docs)
    rows = build_events(docs, ctx or Context(), str(src.path), out)
    names = [*EVENT_COLUMNS, *EXTRA_COLUMNS]
    # Column by column from the row tuples (a frame from 200,000 dicts, then astype, cost seconds).
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    out.events = pd.DataFrame(
        {n: pd.array(list(c), dtype=_DTYPES.get(n, "str")) for n, c in zip(names, columns, strict=True)},
        columns=names,
    )
    return out


_DTYPES = {"tax_year": "int64", "amount_cents": "int64", "source_line": "int64", "net_cents": "int64"}
_DTYPES["maybe_conversion"] = "bool"


class TaxFormCsv:
    takes_context = True

    def __init__(self, key: str, name: str, marker: str):
        self.key, self.name, self.marker = key, name, marker

    def identify(self, src: SourceFile) -> bool:
        from basis_ledger.ingest.taxforms.read import csv_header

        if src.looks_binary:
            return False
        header = csv_header(src)
        return "tax_year" in header and self.marker in header

    def near_miss(self, src: SourceFile) -> bool:
        """This form's template with its marker column misnamed: at least three of the form's own box columns,
        so the import names the wrong column (with a suggestion) instead of recognising nothing."""
        from basis_ledger.ingest.taxforms.boxes import spec
        from basis_ledger.ingest.taxforms.read import IDENTITY, csv_header

        if src.looks_binary:
            return False
        header = set(csv_header(src))
        boxes = set(spec(self.key).columns) - set(IDENTITY)
        return "tax_year" in header and len(header & boxes) >= 3

    def extract(self, src: SourceFile, ctx: Context | None = None) -> Extracted:
        from basis_ledger.ingest.taxforms.read import read_csv

        docs, problems = read_csv(self.key, src)
        return _extract(self.name, docs, problems, src, ctx)


class FdxJson:
    takes_context = True
    name = "fdx-json"

    def identify(self, src: SourceFile) -> bool:
        from basis_ledger.ingest.taxforms.read import is_fdx

        return not src.looks_binary and is_fdx(src)

    def extract(self, src: SourceFile, ctx: Context | None = None) -> Extracted:
        from basis_ledger.ingest.taxforms.read import read_fdx

        docs, problems = read_fdx(src)
        return _extract(self.name, docs, problems, src, ctx)


def taxform_importers() -> list:
    return [
        TaxFormCsv("form1099r", "form1099r-csv", "box7_codes"),
        TaxFormCsv("form5498", "form5498-csv", "box5_fmv"),
        FdxJson(),
    ]


FORM_IMPORTERS = frozenset({"form1099r-csv", "form5498-csv", "fdx-json"})
