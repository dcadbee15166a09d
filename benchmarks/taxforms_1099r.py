"""A 1099-R CSV of N rows (default 200,000) imported into a fresh ledger: wall and CPU seconds of the process.

    .venv/bin/python benchmarks/taxforms_1099r.py [--rows 200000]

CPU seconds (user + sys of the child) are the figure to read on a shared machine; wall time includes waiting.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def write_csv(path: Path, rows: int) -> None:
    header = (ROOT / "sample_data" / "form1099r-template.csv").read_text().splitlines()[0]
    with path.open("w") as fh:
        fh.write(header + "\n")
        for i in range(rows):
            cents = f"{1000 + i % 9000}.{i % 100:02d}"
            fh.write(
                f"ed,2024,X{11111111 + i % 50},Fidelity,,{cents},{cents},X,,,,,,7,X,,,,,,"
                f"2024-{1 + i % 12:02d}-{1 + i % 28:02d},,,\n"
            )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src, ledger = Path(tmp) / "form1099r-big.csv", Path(tmp) / "l.db"
        write_csv(src, args.rows)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        cmd = [sys.executable, "-m", "basis_ledger", "--ledger", str(ledger), "import", str(src)]
        res = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "BASIS_LEDGER": ""})
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if res.returncode != 0:
            sys.exit(f"import failed ({res.returncode}): {res.stderr[-500:]}")
        peak = after.ru_maxrss / 1024
        print(f"1099-R CSV, {args.rows:,} rows: {wall:.1f} s wall, {cpu:.1f} s CPU, peak {peak:.0f} MiB")


if __name__ == "__main__":
    main()
