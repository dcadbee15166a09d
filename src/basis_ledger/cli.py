"""The command line: a thin layer over ingest, ledger, engine and render. Commands live in commands/."""

from __future__ import annotations

import gc
import os

# The tool does no linear algebra, but OpenBLAS starts a thread per core when numpy is first imported, and those
# threads spin: about 0.07 s of CPU a command here, a third of a household `compute`. One thread, unless the user
# asked for more. Set before any command imports numpy (every heavy module is imported lazily).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Arrow's memory from mimalloc, pyarrow's own default, named so that a pyarrow that changed its default (jemalloc:
# 490,000 minor faults and 1.9-2.5 s of system time for a 20,000-taxpayer `audit --json`) would not change ours.
# Sessions 6-8 used the C library's malloc (`system`), chosen when glibc handed freed memory back to the kernel;
# since keep_freed_memory() (below) keeps glibc's own, Arrow's buffers are what still came back as fresh zeroed
# pages: in session 9's interleaved runs mimalloc took the audit from 1.49-1.87 to 1.21-1.28 s of system time
# (210,000 -> 91,000 minor faults), its `import` from 0.32-0.51 to 0.23-0.28 s, user time alike, peak RSS
# 836 -> 949 MB and 470 -> 500 MB (docs/performance.md, "session 9"). Read by pyarrow when it makes its first
# buffer, so set before any command imports it; a user's own choice stands (tests/ingest/test_import_startup.py).
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "mimalloc")

from basis_ledger.commands import app, audit, core, firm, forms, ingest_cmds, plan  # noqa: F401 - importing a command module registers it

# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def keep_freed_memory() -> bool:
    """Have glibc's malloc keep freed memory for the next allocation instead of handing it back to the kernel.

    The heavy commands make and drop arrays of megabytes again and again (the audit each range's columns and
    each block's texts; compute and import their columns and texts). By default glibc maps an allocation above
    a threshold that follows the largest freed one on its own and returns it to the kernel when freed, and trims
    the heap's top above twice that: the next array of the same size is new pages, each faulted in and zeroed by
    the kernel, which is system time. Allocations up to 32 MiB from the heap, which is trimmed only above 1 GiB
    (session 8, interleaved rounds): `audit --json` of 20,000 taxpayers 0.53-0.56 s of system time instead of
    0.62-0.73 s (203,000 minor faults instead of 250,000), its peak RSS the same to 1%; `compute --all --json`
    of 930,799 events 1.174 -> 1.080 s CPU (0.281 -> 0.196 s system) and its `import` 1.786 -> 1.760 s. (The
    trim threshold alone fixes the map threshold at its 128 KiB default: 2.4 s of system time.) False where
    there is no glibc (macOS, musl): nothing is changed there. Called once by `main`, before any command."""
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    # The map threshold first: setting either fixes both, and a trim threshold alone would leave the map one at
    # 128 KiB.
    return bool(mallopt(_M_MMAP_THRESHOLD, 32 << 20)) and bool(mallopt(_M_TRIM_THRESHOLD, 1 << 30))


def main() -> None:
    """The `basis-ledger` process (typer ends it with SystemExit, whatever the outcome)."""
    # The first collection thresholds (700 allocations) suit small programs: the audit of a big ledger allocates
    # enough objects to run some 900 young and 7 full collections over the hundreds of thousands of objects pandas
    # and pyarrow leave alive: 0.39 s of CPU at 20,000 taxpayers (counted with gc.callbacks); at 100,000 it runs 2
    # (0.05 s). Cycles are still collected, later. Peak RSS of compute and audit the same to 1%.
    gc.set_threshold(100_000, 50, 100)
    keep_freed_memory()
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
