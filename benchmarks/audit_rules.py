"""CPU seconds of each audit rule over a ledger, summed over the audit's ranges (audit/run.Ranges), in one process.

    .venv/bin/python benchmarks/audit_rules.py LEDGER [--as-of 2026-12-01] [--repeat 1]
    PYTHONPATH=/tmp/before/src .venv/bin/python benchmarks/audit_rules.py LEDGER   # the same for older code

Build a ledger with the audit benchmark's generator (benchmarks/audit_scale.py):
    python -c "import sys; sys.path.insert(0, 'benchmarks'); import bulk; from pathlib import Path;
               bulk.generate(Path('/tmp/x/a.csv'), 2000, extra=bulk.PLAN_ROLLOVERS)"
    basis-ledger --ledger /tmp/x/a.db import /tmp/x/a.csv

Loading the ledger is timed once; each range's shared parts (its whole-dollar computed lines and its keyed
events) are timed apart from the rules, so a rule is charged only for its own work (the exact-cents lines,
which only the filed-form rules read, are theirs). A rule may return a list of findings or findings as columns
(audit/columns.FindingColumns); either is counted with len().
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("ledger")
    ap.add_argument("--as-of", default="2026-12-01")
    ap.add_argument("--repeat", type=int, default=1, help="run the rules this many times, report the least")
    args = ap.parse_args()

    from basis_ledger.audit.ruleset import AUDIT_RULES, NEEDS_EVENTS
    from basis_ledger.audit.run import Ranges
    from basis_ledger.commands.audit import load_context

    t0 = time.process_time()
    ctx = load_context(args.ledger, None, 5, False, args.as_of)
    load_s = time.process_time() - t0
    best: dict[str, float] = {}
    counts: dict[str, int] = defaultdict(int)
    for _ in range(args.repeat):
        spent: dict[str, float] = defaultdict(float)
        counts.clear()
        ranges = 0
        for view in Ranges(ctx):
            ranges += 1
            t = time.process_time()
            view.lines, view.keyed  # noqa: B018 - the range's shared parts, timed apart
            spent["(range lines and keyed events)"] += time.process_time() - t
            for rule in AUDIT_RULES:
                if rule in NEEDS_EVENTS and not len(view.events):
                    continue
                t = time.process_time()
                found = rule(view)
                spent[rule.__name__] += time.process_time() - t
                counts[rule.__name__] += len(found)
                del found
            del view
        for k, v in spent.items():
            best[k] = min(best.get(k, v), v)
    rules_s = sum(v for k, v in best.items() if not k.startswith("("))
    print(f"load {load_s:6.2f} s CPU; {ranges} ranges; {len(ctx.taxpayers):,} taxpayers")
    for name, s in sorted(best.items(), key=lambda kv: -kv[1]):
        print(f"{name:34s} {s:7.3f} s  {counts.get(name, 0):9,d} findings")
    print(f"{'rules in all':34s} {rules_s:7.3f} s  {sum(counts.values()):9,d} findings")


if __name__ == "__main__":
    main()
