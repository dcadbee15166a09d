"""Bulk benchmark: N taxpayers x 10 years of histories in the generic CSV; time `import` + `compute --all --json`
against a bare `pandas.read_csv` of the same file, side by side in one run (these machines are noisy).

    .venv/bin/python benchmarks/bulk.py --taxpayers 20000 [--rounds 3]

Each step runs as its own process, as a user would run it; wall time, CPU seconds (user + system) and peak RSS
come from that process. With --rounds N the three steps run N times interleaved (read_csv, import into a new
ledger, compute) and the medians are printed; CPU seconds are the steadier figure on a shared machine. The
package's bytecode is compiled first, as installing it does (see help_startup.py).

--against DIR also runs, in each round, the import (into its own new ledger) and compute of the package sources
in DIR (a `git archive` of another commit's src/, with its schemas/ beside it), same venv: two trees side by
side, interleaved, on the same file.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

YEARS = np.arange(2015, 2025)
KINDS_PER_YEAR = (  # (kind, probability per taxpayer-year, low, high dollars)
    ("nondeductible_contribution", 0.9, 1000, 7000),
    ("year_end_value", 1.0, 0, 400000),
    ("roth_contribution", 0.75, 1000, 7000),
    ("conversion", 0.5, 500, 30000),
    ("distribution", 0.6, 100, 20000),
    ("roth_distribution", 0.25, 100, 5000),
    ("rollover_out", 0.15, 1000, 50000),
    ("rollover_in", 0.15, 1000, 50000),
    ("qualified_charitable_distribution", 0.05, 100, 5000),
    ("deductible_contribution", 0.3, 500, 5000),
)
ACCOUNT = {"roth_contribution": ("ROTH", "roth"), "roth_distribution": ("ROTH", "roth")}
# The audit benchmark adds rollovers into employer plans: the basis-to-plan rule looks at each one.
PLAN_ROLLOVERS = (("rollover_to_plan", 0.05, 1000, 40000),)


def generate(path: Path, taxpayers: int, seed: int = 7, extra: tuple = ()) -> int:
    rng = np.random.default_rng(seed)
    chunks = []
    for kind, p, lo, hi in (*KINDS_PER_YEAR, *extra):
        t, y = np.nonzero(rng.random((taxpayers, len(YEARS))) < p)
        n = len(t)
        cents = rng.integers(lo * 100, hi * 100 + 1, n)
        year = YEARS[y]
        if kind == "year_end_value":
            date = np.char.add(year.astype(str), "-12-31")
        else:
            month = rng.integers(1, 13, n)
            day = rng.integers(1, 29, n)
            date = np.char.add(
                np.char.add(np.char.add(year.astype(str), "-"), np.char.zfill(month.astype(str), 2)),
                np.char.add("-", np.char.zfill(day.astype(str), 2)),
            )
        acct, atype = ACCOUNT.get(kind, ("IRA", "traditional"))
        amount = np.char.add(np.char.add((cents // 100).astype(str), "."), np.char.zfill((cents % 100).astype(str), 2))
        rows = np.char.add(np.char.add("tp", t.astype(str)), ",")
        rows = np.char.add(np.char.add(rows, date), f",,{acct}-")
        rows = np.char.add(np.char.add(rows, t.astype(str)), f",{atype},{kind},")
        chunks.append(np.char.add(rows, amount))
    lines = np.concatenate(chunks)
    with path.open("w") as fh:
        fh.write("taxpayer,date,tax_year,account,account_type,event,amount\n")
        fh.write("\n".join(lines.tolist()))
        fh.write("\n")
    return len(lines)


def run_measured(
    cmd: list[str], workdir: Path, ok: tuple[int, ...] = (0,), env: dict[str, str] | None = None
) -> tuple[float, float, str]:
    """Wall seconds and peak RSS (MiB) of one child process, its output kept in a file (pipes could block).
    The child's CPU seconds (user + system) are left in LAST_CPU."""
    global LAST_CPU
    out_path, rss_path = workdir / "stdout.txt", workdir / "rss.txt"
    # GNU time reports the child's own peak RSS; os.wait4 here would inherit this process's high-water mark,
    # which Linux keeps across exec, and this process has just generated the data.
    fmt = "%U %S %M"
    timed = ["/usr/bin/time", "-f", fmt, "-o", str(rss_path), *cmd] if Path("/usr/bin/time").exists() else cmd
    with out_path.open("w") as out, open(workdir / "stderr.txt", "w") as err:
        start = time.perf_counter()
        proc = subprocess.run(timed, stdout=out, stderr=err, env=env)
        wall = time.perf_counter() - start
    if proc.returncode not in ok:
        sys.exit(f"failed: {' '.join(cmd)}\n{(workdir / 'stderr.txt').read_text()}")
    rss, LAST_CPU = float("nan"), float("nan")
    if rss_path.exists():
        user, system, kib = rss_path.read_text().split()[-3:]
        rss, LAST_CPU = int(kib) / 1024, float(user) + float(system)
    return wall, rss, out_path.read_text()


LAST_CPU = float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--taxpayers", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=1, help="run the three steps this many times, interleaved")
    ap.add_argument("--keep", type=Path, help="keep the generated CSV and ledger in this folder")
    ap.add_argument("--against", type=Path, help="also time the package sources in this folder (side by side)")
    args = ap.parse_args()
    import compileall
    import os

    from help_startup import compile_package  # (run from benchmarks/, as the other start-up benchmarks are)

    compile_package()
    other_env = None
    if args.against:
        compileall.compile_dir(args.against / "basis_ledger", quiet=1)
        other_env = {**os.environ, "PYTHONPATH": str(args.against.resolve())}
    work = args.keep or Path(tempfile.mkdtemp(prefix="bl-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    csv_path, ledger = work / "bulk.csv", work / "bulk.db"
    n = generate(csv_path, args.taxpayers)
    py = sys.executable
    read = [py, "-c", f"import pandas; pandas.read_csv({str(csv_path)!r})"]
    imp = [py, "-m", "basis_ledger", "--ledger", str(ledger), "import", str(csv_path)]
    comp = [py, "-m", "basis_ledger", "--ledger", str(ledger), "compute", "--all", "--json"]
    names = ["pandas.read_csv (process)", "basis-ledger import", "basis-ledger compute --all --json"]
    steps: list[tuple[str, list[str], dict[str, str] | None]] = [
        (n, c, None) for n, c in zip(names, (read, imp, comp), strict=True)
    ]
    if args.against:
        other = work / "against.db"
        names += [f"{args.against.parent.name}: import", f"{args.against.parent.name}: compute"]
        steps += [
            (names[3], [*imp[:4], str(other), *imp[5:]], other_env),
            (names[4], [*comp[:4], str(other), *comp[5:]], other_env),
        ]
    # The bare read_csv process of the issue runs as it is: its numpy starts OpenBLAS's threads, whose spinning is
    # CPU time (0.1 s of its 0.6 s here), while basis-ledger asks for one thread (cli.py). The same read with
    # one thread is timed too, so each ratio can be read against either.
    one_blas = "pandas.read_csv, OPENBLAS_NUM_THREADS=1"
    steps.append((one_blas, read, {**os.environ, "OPENBLAS_NUM_THREADS": "1"}))
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in [*names, one_blas]}
    years = 0
    for _ in range(args.rounds):
        for path in (ledger, work / "against.db"):
            path.unlink(missing_ok=True)  # each round imports into new ledgers
        for name, cmd, env in steps:
            wall, rss, out = run_measured(cmd, work, env=env)
            runs[name].append((wall, rss, LAST_CPU))
            if name == names[2]:
                years = len(json.loads(out))
    print(
        f"{args.taxpayers:,} taxpayers, {n:,} events, {csv_path.stat().st_size / 2**20:.1f} MiB CSV, "
        f"{years:,} computed years in the JSON; "
        + (f"medians of {args.rounds} interleaved rounds" if args.rounds > 1 else "one round")
    )

    def median(name: str, k: int) -> float:
        return statistics.median(r[k] for r in runs[name])

    base, base_cpu = median(names[0], 0), median(names[0], 2)
    for name in names:
        wall, rss, cpu = median(name, 0), median(name, 1), median(name, 2)
        every = "" if args.rounds == 1 else "  (CPU " + ", ".join(f"{r[2]:.2f}" for r in runs[name]) + ")"
        print(
            f"{name:36s} {wall:7.2f} s wall {wall / base:5.2f}x  {cpu:6.2f} s CPU {cpu / base_cpu:5.2f}x"
            f"   peak RSS {rss:7.0f} MiB{every}"
        )
    one_cpu = median(one_blas, 2)
    every = "" if args.rounds == 1 else "  (CPU " + ", ".join(f"{r[2]:.2f}" for r in runs[one_blas]) + ")"
    print(f"{one_blas:36s} {median(one_blas, 0):7.2f} s wall         {one_cpu:6.2f} s CPU{every}")
    for label, a, b in (("import + compute", 1, 2), (f"{names[-2].split(':')[0]}: import + compute", 3, 4))[
        : 2 if args.against else 1
    ]:
        total = median(names[a], 0) + median(names[b], 0)
        total_cpu = median(names[a], 2) + median(names[b], 2)
        print(
            f"{label:36s} {total:7.2f} s wall {total / base:5.2f}x  {total_cpu:6.2f} s CPU {total_cpu / base_cpu:5.2f}x"
            f"  ({total_cpu / one_cpu:.2f}x read_csv with one BLAS thread)"
        )


if __name__ == "__main__":
    main()
