"""`audit --json` against `compute --all --json` on the same ledger, at several sizes, side by side in one run.

    .venv/bin/python benchmarks/audit_scale.py --taxpayers 2000 20000 [--rounds 3] [--against DIR]

For each size: the bulk benchmark's histories (benchmarks/bulk.py) plus rollovers into employer plans (about one
taxpayer-year in twenty, so the basis-to-plan rule has work), imported once (untimed), then `compute --all --json`
and `audit --json` each as its own process: wall and CPU seconds, peak RSS. Linear growth means the audit's
seconds per taxpayer stay flat from the smallest size to the largest.

--against DIR also runs, in each round, the compute and the audit of the package sources in DIR (a `git archive`
of another commit's src/, with its schemas/ beside it; same venv) on a ledger that tree imported itself, and
says whether the two audits wrote the same bytes. With --rounds N the steps run N times interleaved and the
medians are printed; CPU seconds (user + system) are the steadier figure on a shared machine.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import bulk


def measured(cmd: list[str], workdir: Path, env: dict[str, str] | None) -> tuple[float, float, float, str, int]:
    """Wall s, CPU s (user + system), peak RSS MiB, the sha256 of stdout and its number of findings (lines
    opening a finding's object), for one child process; its output goes to a file and is read back in pieces
    (the audit of 20,000 taxpayers writes some 440 MB)."""
    out_path, rss_path = workdir / "stdout.txt", workdir / "rss.txt"
    with out_path.open("wb") as out, open(workdir / "stderr.txt", "wb") as err:
        start = time.perf_counter()
        timed = ["/usr/bin/time", "-f", "%U %S %M", "-o", str(rss_path), *cmd]
        proc = subprocess.run(timed, stdout=out, stderr=err, env=env)
        wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):  # the audit exits 1 when it finds errors
        sys.exit(f"failed: {' '.join(cmd)}\n{(workdir / 'stderr.txt').read_text()}")
    user, system, kib = rss_path.read_text().split()[-3:]
    digest, count = hashlib.sha256(), 0
    with out_path.open("rb") as fh:
        for line in fh:
            digest.update(line)
            count += line.startswith(b'{"code": ')
    return wall, float(user) + float(system), int(kib) / 1024, digest.hexdigest(), count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--taxpayers", type=int, nargs="+", default=[2000, 20000])
    ap.add_argument("--rounds", type=int, default=1, help="run the steps this many times, interleaved")
    ap.add_argument("--against", type=Path, help="also time the package sources in this folder (side by side)")
    args = ap.parse_args()
    from help_startup import compile_package

    compile_package()
    trees: list[tuple[str, dict[str, str] | None]] = [("this tree", None)]
    if args.against:
        compileall.compile_dir(args.against / "basis_ledger", quiet=1)
        trees.append((f"{args.against.parent.name}", {**os.environ, "PYTHONPATH": str(args.against.resolve())}))
    py = sys.executable
    rows = []
    for n in args.taxpayers:
        work = Path(tempfile.mkdtemp(prefix=f"bl-audit-{n}-"))
        csv_path = work / "bulk.csv"
        events = bulk.generate(csv_path, n, extra=bulk.PLAN_ROLLOVERS)
        steps = []
        for k, (name, env) in enumerate(trees):
            ledger = work / f"bulk{k}.db"
            subprocess.run([py, "-m", "basis_ledger", "--ledger", str(ledger), "import", str(csv_path)], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)  # fmt: skip
            base = [py, "-m", "basis_ledger", "--ledger", str(ledger)]
            steps += [(name, "compute", [*base, "compute", "--all", "--json"], env)]
            steps += [(name, "audit", [*base, "audit", "--json", "--as-of", "2026-01-01"], env)]
        runs: dict[tuple[str, str], list[tuple[float, float, float, str, int]]] = {(s[0], s[1]): [] for s in steps}
        for _ in range(args.rounds):
            for name, what, cmd, env in steps:
                runs[name, what].append(measured(cmd, work, env))
        for name, _env in trees:
            c, a = runs[name, "compute"], runs[name, "audit"]
            rows.append((n, events, name, c, a))
        shutil.rmtree(work)  # ledgers and outputs of 20,000 taxpayers take about a gigabyte
        if args.against:
            digests = {name: {r[3] for r in runs[name, "audit"]} for name, _ in trees}
            same = len(set.union(*digests.values())) == 1
            print(f"{n:,} taxpayers: the audits' JSON is {'byte-identical' if same else 'DIFFERENT'} across trees")
    load = os.getloadavg()
    print(
        f"medians of {args.rounds} interleaved round(s); load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n"
        "taxpayers   events tree               findings | compute wall/CPU s  RSS MiB | audit wall/CPU s  RSS MiB |"
        " audit/compute CPU | audit CPU ms per taxpayer"
    )
    for n, events, name, c, a in rows:

        def med(runs: list, k: int) -> float:
            return statistics.median(r[k] for r in runs)

        cw, cc, cr, aw, ac, ar = med(c, 0), med(c, 1), med(c, 2), med(a, 0), med(a, 1), med(a, 2)
        every = "" if args.rounds == 1 else "  (audit CPU " + ", ".join(f"{r[1]:.2f}" for r in a) + ")"
        print(
            f"{n:9,d} {events:8,d} {name:17s} {a[0][4]:9,d} | {cw:7.2f} / {cc:6.2f} {cr:8.0f} |"
            f" {aw:7.2f} / {ac:6.2f} {ar:7.0f} | {ac / cc:6.2f}x | {ac / n * 1000:6.2f}{every}"
        )


if __name__ == "__main__":
    main()
