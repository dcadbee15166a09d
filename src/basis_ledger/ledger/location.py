"""Where a ledger lives: a SQLite file path, or a PostgreSQL URL whose password is never shown.

A `DatabaseUrl` is a str whose text IS the masked URL, so every message that prints a ledger location (the
problems raised on open, the commands' output) shows it without its password; the real URL is `.secret`,
handed only to the database driver. Passwords come from the URL, PGPASSFILE or PGPASSWORD (libpq reads the
last two itself); nothing here writes them anywhere.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

SCHEMES = ("postgresql:", "postgres:")  # a mistyped "postgresql:/x" is a URL that fails, not a new SQLite file
DEFAULT_LEDGER = "basis-ledger.db"


def is_database_url(text: str) -> bool:
    return text.lower().startswith(SCHEMES)


def mask(url: str) -> str:
    """The URL with any password replaced by '***' (in the authority, or a `password=` query parameter)."""
    scheme, sep, rest = url.partition("://")
    authority, slash, tail = rest.partition("/")
    if "@" in authority:
        userinfo, host = authority.rsplit("@", 1)
        if ":" in userinfo:
            authority = f"{userinfo.split(':', 1)[0]}:***@{host}"
    tail = re.sub(r"(?i)([?&]password=)[^&#]*", r"\1***", tail)
    return f"{scheme}{sep}{authority}{slash}{tail}"


class DatabaseUrl(str):
    """A PostgreSQL ledger's URL. str(self) is the masked form; `.secret` is what the driver gets."""

    secret: str

    def __new__(cls, url: str) -> DatabaseUrl:
        self = super().__new__(cls, mask(url))
        self.secret = url
        return self

    def exists(self) -> bool:
        """Whether the database holds a ledger yet (as a file exists once written); an unreachable server counts
        as existing, so that opening it says what is wrong."""
        from basis_ledger.ledger import postgres
        from basis_ledger.model import InputError

        try:
            conn = postgres.connect(self)
        except InputError:
            return True
        try:
            return postgres.has_ledger(conn)
        except InputError:
            return True
        finally:
            conn.close()

    @property
    def name(self) -> str:
        return urlsplit(self.secret).path.lstrip("/") or "(default database)"


Location = Path | DatabaseUrl


def resolve(option: str | None) -> Location:
    """--ledger, else $BASIS_LEDGER, else ./basis-ledger.db; a postgresql:// URL names a server ledger."""
    text = option or os.environ.get("BASIS_LEDGER") or DEFAULT_LEDGER
    return DatabaseUrl(text) if is_database_url(text) else Path(text)


class Chosen:
    household: str | None = None  # the command line's global --household


def household_choice(option: str | None = None) -> str | None:
    """--household, else $BASIS_LEDGER_HOUSEHOLD: which client a command reads and writes (PostgreSQL ledgers)."""
    return option or Chosen.household or os.environ.get("BASIS_LEDGER_HOUSEHOLD") or None
