"""The Form 8606 PDF importer: a filed form (lines as printed, with provenance), never events by itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

from basis_ledger.ingest.base import Extracted

if TYPE_CHECKING:
    from basis_ledger.ingest.source import SourceFile

NAME = "form8606-pdf"


class Form8606Pdf:
    """Claims every PDF (by its %PDF- header, not its name), so a PDF that is not a readable 8606 gets a
    precise error (encrypted, corrupt, a scan, another form) instead of "no importer recognises it"."""

    name = NAME

    def identify(self, src: SourceFile) -> bool:
        return b"%PDF-" in src.data[:1024]

    def extract(self, src: SourceFile) -> Extracted:
        from basis_ledger.ingest.pdf8606.pdf import open_pdf, quiet
        from basis_ledger.ingest.pdf8606.reading import read
        from basis_ledger.model import InputError, Problem, mask_ssn

        name = str(src.path)
        reader = open_pdf(src.data, name)
        try:
            with quiet():  # pypdf's recovered-quirk warnings are not the user's business
                form = read(reader, name)
        except InputError:
            raise
        except Exception as exc:  # a page or stream pypdf cannot decode (or a decompression limit it enforces)
            reason = f"{type(exc).__name__}: {str(exc)[:120]}"
            raise InputError([Problem(name, f"corrupt PDF, its pages cannot be read ({reason})")]) from None
        filed = {
            "taxpayer": "",  # the import pipeline decides the owner (--taxpayer, or name / SSN match)
            "tax_year": form.tax_year,
            "chain": "own",
            "name": mask_ssn(form.name, bare=True),  # a name field holding an SSN is never stored or printed whole
            "ssn_last4": form.ssn_last4,
            "lines": form.lines,
        }
        return Extracted(importer=NAME, events=None, filed_forms=[filed])


def inspect_object(src: SourceFile, filed_form: dict) -> dict:
    """One filed form as `inspect --json` prints it; lines blank on the form are absent."""
    from basis_ledger.ingest.pdf8606.values import json_value

    return {
        "file": str(src.path),
        "kind": "form8606",
        "tax_year": filed_form["tax_year"],
        "name": filed_form.get("name", ""),
        "ssn_last4": filed_form.get("ssn_last4"),
        "lines": {line: json_value(line, text) for line, (text, _ref) in filed_form["lines"].items()},
    }
