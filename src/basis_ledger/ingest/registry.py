"""Which importer reads a file: chosen from the file's content, like beangulp's identify()."""

from __future__ import annotations

from basis_ledger.ingest.base import Importer
from basis_ledger.ingest.source import SourceFile
from basis_ledger.model import InputError, Problem


def importers() -> list[Importer]:
    """Every importer, most specific first. New importers register here."""
    from basis_ledger.ingest.generic_csv import GenericCsv
    from basis_ledger.ingest.pdf8606 import Form8606Pdf
    from basis_ledger.ingest.statements import statement_importers
    from basis_ledger.ingest.taxforms import taxform_importers
    from basis_ledger.ingest.xlsx import OldExcel

    return [Form8606Pdf(), OldExcel(), *taxform_importers(), *statement_importers(), GenericCsv()]


def choose(src: SourceFile, profile: str | None = None) -> Importer:
    from basis_ledger.ingest.statements.userprofile import is_profile_file

    if is_profile_file(profile):  # a user's own profile file: docs/importing.md, "Your own bank"
        return user_importer(profile)  # type: ignore[arg-type]
    available = importers()
    if profile:
        for imp in available:
            if imp.name == profile:
                return imp
        from basis_ledger.suggest import did_you_mean

        names = [i.name for i in available]
        hint = did_you_mean(profile, names) or f" (known: {', '.join(names)})"
        raise InputError(
            [
                Problem(
                    str(src.path),
                    f"unknown profile '{profile}'{hint}; or a profile file of your own: --profile FILE.toml",
                )
            ]
        )
    if not src.data or src.data.isspace():  # (as `not data.strip()`, without a copy of a 58 MiB file: 0.05 s)
        raise InputError([Problem(str(src.path), "empty file")])
    for imp in available:
        if imp.identify(src):
            return imp
    for imp in available:  # a near miss (a tax-form template with a misnamed column): name the column
        if getattr(imp, "near_miss", None) and imp.near_miss(src):
            return imp
    if src.looks_binary:
        raise InputError(
            [
                Problem(
                    str(src.path),
                    f"binary data that no importer recognises (tried: {', '.join(i.name for i in available)})",
                )
            ]
        )
    tried = ", ".join(i.name for i in available)
    raise InputError(
        [
            Problem(
                str(src.path),
                f"no importer recognises this file (tried: {tried}); "
                "see docs/importing.md, or choose one with --profile",
            )
        ]
    )


def user_importer(path: str) -> Importer:
    """The importer of a user's profile file (read and checked for each file: a small TOML)."""
    from pathlib import Path

    from basis_ledger.ingest.statements import StatementImporter
    from basis_ledger.ingest.statements.userprofile import read

    prof = read(Path(path))
    return StatementImporter(prof.name, prof)
