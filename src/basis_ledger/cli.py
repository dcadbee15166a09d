"""The command line: a thin layer over ingest, ledger, engine and render. Commands live in commands/."""

from __future__ import annotations

from basis_ledger.commands import app, audit, core, firm, forms, ingest_cmds, plan  # noqa: F401 - importing a command module registers it


def main() -> None:
    app()


if __name__ == "__main__":
    main()
