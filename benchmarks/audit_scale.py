"""`audit --json` against `compute --all --json` on the same ledger, at several sizes, side by side in one run.

    .venv/bin/python benchmarks/audit_scale.py --taxpayers 2000 20000

For each size: the bulk benchmark's histories (benchmarks/bulk.py) plus rollovers into employer plans (about one
taxpayer-year in twenty, so the basis-to-plan rule has work), imported once (untimed), then `compute --all --json`
and `audit --json` each as its own process: wall and CPU seconds, peak RSS. Linear growth means the audit's
seconds per taxpayer stay flat from the smallest size to the largest.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import bulk


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--taxpayers", type=int, nargs="+", default=[2000, 20000])
    args = ap.parse_args()
    py = sys.executable
    rows = []
    for n in args.taxpayers:
        work = Path(tempfile.mkdtemp(prefix=f"bl-audit-{n}-"))
        csv_path, ledger = work / "bulk.csv", work / "bulk.db"
        events = bulk.generate(csv_path, n, extra=bulk.PLAN_ROLLOVERS)
        bulk.run_measured([py, "-m", "basis_ledger", "--ledger", str(ledger), "import", str(csv_path)], work)
        base = [py, "-m", "basis_ledger", "--ledger", str(ledger)]
        c_wall, c_rss, _ = bulk.run_measured([*base, "compute", "--all", "--json"], work)
        c_cpu = bulk.LAST_CPU
        a_wall, a_rss, out = bulk.run_measured([*base, "audit", "--json"], work, ok=(0, 1))
        a_cpu = bulk.LAST_CPU
        findings = len(json.loads(out)) if out.strip().startswith("[") else out.count("\n")
        rows.append((n, events, findings, c_wall, c_cpu, c_rss, a_wall, a_cpu, a_rss))
    print(
        "taxpayers  events   findings | compute wall/CPU s  RSS MiB | audit wall/CPU s  RSS MiB | audit/compute CPU"
        " | audit CPU ms per taxpayer"
    )
    for n, events, findings, cw, cc, cr, aw, ac, ar in rows:
        print(
            f"{n:9,d} {events:8,d} {findings:9,d} | {cw:7.2f} / {cc:6.2f} {cr:8.0f} | {aw:7.2f} / {ac:6.2f} {ar:7.0f} |"
            f" {ac / cc:6.2f}x | {ac / n * 1000:6.2f}"
        )


if __name__ == "__main__":
    main()
