"""Custodian statements (CSV and Excel): reader x transaction builder x a thin per-custodian profile (data).

Each profile in schemas/profiles/ becomes one importer named after it, so `--profile schwab` chooses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from basis_ledger.ingest.base import Context, Extracted
from basis_ledger.ingest.statements import profile as profiles
from basis_ledger.ingest.statements.reader import grid, identify, is_old_excel
from basis_ledger.ingest.xlsx import old_excel
from basis_ledger.model import InputError

if TYPE_CHECKING:
    from basis_ledger.ingest.source import SourceFile


class StatementImporter:
    takes_context = True

    def __init__(self, name: str, profile: profiles.Profile | None = None):
        self.name = name
        self._own = profile  # a user's profile file (--profile my-bank.toml), else a shipped one by name

    @property
    def profile(self) -> profiles.Profile:
        return self._own or profiles.get(self.name)

    def identify(self, src: SourceFile) -> bool:
        return identify(self.profile, src)

    def extract(self, src: SourceFile, ctx: Context | None = None) -> Extracted:
        from basis_ledger.ingest.statements.build import build

        if is_old_excel(src):
            raise InputError([old_excel(src)])
        return build(self.profile, src, grid(src), ctx or Context())


def statement_importers() -> list[StatementImporter]:
    return [StatementImporter(n) for n in profiles.profile_names()]
