"""`basis-ledger --help` against a bare `python -c "import typer"`, interleaved in one run (noisy machines).

.venv/bin/python benchmarks/help_startup.py --runs 15
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    help_cmd = [sys.executable, "-m", "basis_ledger", "--help"]
    typer_cmd = [sys.executable, "-c", "import typer"]
    timed(help_cmd), timed(typer_cmd)  # warm the file cache
    h, t = [], []
    for _ in range(args.runs):
        h.append(timed(help_cmd))
        t.append(timed(typer_cmd))
    mh, mt = statistics.median(h), statistics.median(t)
    print(f"basis-ledger --help   median {mh * 1000:6.0f} ms over {args.runs} runs")
    print(f"python -c 'import typer' median {mt * 1000:6.0f} ms")
    print(f"ratio {mh / mt:.2f} (target: at most 1.5)")


if __name__ == "__main__":
    main()
