"""`basis-ledger --help` against a bare `python -c "import typer"`, interleaved in one run (noisy machines).

.venv/bin/python benchmarks/help_startup.py --runs 15

Both are timed as an installed package runs: with its modules' bytecode compiled. pip compiles bytecode when it
installs a wheel, and an editable install writes it on first use, except where PYTHONDONTWRITEBYTECODE is set (as
on the shared build machine): then every run would compile the project's sources again while typer's come
compiled, which is not the comparison a user sees. So the package's bytecode is compiled first (compileall, into
the usual __pycache__ folders, which git ignores). Medians of wall time and of the child's CPU seconds.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "basis_ledger"


def compile_package() -> None:
    """Compile the package's bytecode, as installing it would (quiet; stale files are rewritten)."""
    compileall.compile_dir(PACKAGE, quiet=1)


def timed_cpu(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and the child's CPU seconds (user + system) of one run of `cmd`."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return wall, usage.ru_utime + usage.ru_stime


def timed(cmd: list[str]) -> float:
    return timed_cpu(cmd)[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    compile_package()
    help_cmd = [sys.executable, "-m", "basis_ledger", "--help"]
    typer_cmd = [sys.executable, "-c", "import typer"]
    timed(help_cmd), timed(typer_cmd)  # warm the file cache
    h, t = [], []
    for _ in range(args.runs):
        h.append(timed_cpu(help_cmd))
        t.append(timed_cpu(typer_cmd))
    for i, what in ((0, "wall"), (1, "CPU")):
        mh, mt = statistics.median(x[i] for x in h), statistics.median(x[i] for x in t)
        print(
            f"{what:4s} basis-ledger --help {mh * 1000:5.0f} ms, python -c 'import typer' {mt * 1000:5.0f} ms"
            f" (medians of {args.runs}): ratio {mh / mt:.2f} (target: at most 1.5)"
        )


if __name__ == "__main__":
    main()
