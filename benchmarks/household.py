"""A household command against a bare `python -c "import typer"`, interleaved in one run (noisy machines).

    .venv/bin/python benchmarks/household.py --runs 11

The demo ledger (sample_data/demo-household.csv, 21 events) is imported once; then, in turn, `python -c "import
typer"`, `basis-ledger --help` and `basis-ledger compute --taxpayer ed --year 2024 --json`, each as its own
process, `--runs` times. Medians, and each command's ratio to the bare typer import (targets: compute 3x, --help
1.5x). Also prints which heavy modules the compute process loaded.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from help_startup import compile_package, timed_cpu  # one timer for both start-up benchmarks (run from benchmarks/)

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "pandera", "numpy", "pyarrow", "pypdf", "openpyxl", "adbc_driver_manager")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=11)
    args = ap.parse_args()
    py = sys.executable
    compile_package()  # as an installed package runs (see help_startup.py)
    ledger = Path(tempfile.mkdtemp(prefix="bl-household-")) / "demo.db"
    base = [py, "-m", "basis_ledger", "--ledger", str(ledger)]
    subprocess.run([*base, "import", str(REPO / "sample_data" / "demo-household.csv")], check=True, capture_output=True)
    cmds = {
        "python -c 'import typer'": [py, "-c", "import typer"],
        "basis-ledger --help": [py, "-m", "basis_ledger", "--help"],
        "compute --taxpayer ed --year 2024 --json": [*base, "compute", "--taxpayer", "ed", "--year", "2024", "--json"],
    }
    for cmd in cmds.values():
        timed_cpu(cmd)  # warm the file cache
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cmds}
    for _ in range(args.runs):
        for name, cmd in cmds.items():
            times[name].append(timed_cpu(cmd))
    typer_wall = statistics.median(w for w, _ in times["python -c 'import typer'"])
    typer_cpu = statistics.median(c for _, c in times["python -c 'import typer'"])
    for name, ts in times.items():
        w, c = statistics.median(w for w, _ in ts), statistics.median(c for _, c in ts)
        print(
            f"{name:42s} median wall {w * 1000:6.0f} ms {w / typer_wall:5.2f}x,"
            f" CPU {c * 1000:6.0f} ms {c / typer_cpu:5.2f}x import typer"
        )
    argv = ["basis-ledger", "--ledger", str(ledger), "compute", "--taxpayer", "ed", "--year", "2024", "--json"]
    probe = "\n".join(
        [
            "import runpy, sys",
            f"sys.argv = {argv!r}",
            "try:",
            "    runpy.run_module('basis_ledger', run_name='__main__')",
            "except SystemExit:",
            "    pass",
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)",
        ]
    )
    loaded = subprocess.run([py, "-c", probe], capture_output=True, text=True).stderr.strip().splitlines()[-1]
    print(f"heavy modules loaded by compute: {loaded}")


if __name__ == "__main__":
    main()
