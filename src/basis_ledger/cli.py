"""The command line: a thin layer over ingest, ledger, engine and render. Commands live in commands/."""

from __future__ import annotations

import gc
import os

# The tool does no linear algebra, but OpenBLAS starts a thread per core when numpy is first imported, and those
# threads spin: about 0.07 s of CPU a command here, a third of a household `compute`. One thread, unless the user
# asked for more. Set before any command imports numpy (every heavy module is imported lazily).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

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
