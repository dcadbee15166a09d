"""Report and audit at scale: `audit --json` and `report --xlsx` for ledgers of growing size, side by side in one
run, to show both stay linear in the number of taxpayers with bounded memory (issue 15; issue 11 names report at
5,000 taxpayers).

    .venv/bin/python benchmarks/report_scale.py --taxpayers 300 1000 3000 5000

The histories are benchmarks/bulk.py's (10 years, about 46 events per taxpayer, no filed forms, so the audit
reports every past-due Form 8606 as missing: the worst case for the findings sheet). Each step runs as its own
process, as a user would run it; wall time and peak RSS come from that process. `compute --all --json` on the
same ledger is the reference for the loaded data (the events, the engine's inputs and the computed lines that the
report holds too): "above compute" is what the report holds beyond it, which stays roughly flat because the audit's
findings and the cell notes are made a range of taxpayers (or a block of chains) at a time.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bulk
from bulk import generate, run_measured


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--taxpayers", type=int, nargs="+", default=[300, 1000, 3000])
    args = ap.parse_args()
    py = sys.executable
    rows = []
    for n in args.taxpayers:
        work = Path(tempfile.mkdtemp(prefix=f"bl-report-{n}-"))
        csv_path, ledger = work / "bulk.csv", work / "bulk.db"
        events = generate(csv_path, n)
        base = [py, "-m", "basis_ledger", "--ledger", str(ledger)]
        subprocess.run([*base, "import", str(csv_path)], check=True, capture_output=True)
        # The loaded data for reference: compute holds the same events, engine inputs and computed lines.
        _s, loaded_mb, _out = run_measured([*base, "compute", "--all", "--json"], work)
        audit_s, audit_mb, out = run_measured([*base, "audit", "--json", "--as-of", "2026-06-01"], work, ok=(0, 1))
        audit_cpu = bulk.LAST_CPU
        findings = out.count('"code"')
        xlsx = work / "report.xlsx"
        report_s, report_mb, _ = run_measured([*base, "report", "--xlsx", str(xlsx), "--as-of", "2026-06-01"], work)
        size = xlsx.stat().st_size / 2**20
        row = (n, events, findings, loaded_mb, audit_s, audit_cpu, audit_mb, report_s, bulk.LAST_CPU, report_mb, size)
        rows.append(row)
    print(
        f"{'taxpayers':>9} {'events':>8} {'findings':>8} | {'compute MiB':>11} | {'audit s':>7} {'cpu s':>6} "
        f"{'MiB':>5} | {'report s':>8} {'cpu s':>6} {'cpu ms/tp':>9} {'MiB':>5} {'above compute':>13} {'xlsx MiB':>8}"
    )
    for n, ev, fi, c_mb, a_s, a_cpu, a_mb, r_s, r_cpu, r_mb, size in rows:
        print(
            f"{n:9,} {ev:8,} {fi:8,} | {c_mb:11.0f} | {a_s:7.2f} {a_cpu:6.1f} {a_mb:5.0f} | "
            f"{r_s:8.2f} {r_cpu:6.1f} {1000 * r_cpu / n:9.1f} {r_mb:5.0f} {r_mb - c_mb:13.0f} {size:8.1f}"
        )


if __name__ == "__main__":
    main()
