"""The command line: a thin layer over ingest, ledger, engine and render. Commands live in commands/."""

from __future__ import annotations

import gc

from basis_ledger.commands import app, audit, core, firm, forms, ingest_cmds, plan  # noqa: F401 - importing a command module registers it


def main() -> None:
    """The `basis-ledger` process (typer ends it with SystemExit, whatever the outcome)."""
    try:
        app()
    finally:
        # The process ends here and its objects with it. Moved out of the collector's reach, they spare the
        # interpreter's exit the full collections it would run over every object pandas, pyarrow and pandera
        # made (0.15-0.2 s of CPU a command on this machine), work whose only outcome is memory the OS takes back
        # anyway. Every command has closed its ledger and files by now (context managers); nameless temporary
        # files need no finaliser. Tests drive `app` in-process, never this.
        gc.freeze()


if __name__ == "__main__":
    main()
