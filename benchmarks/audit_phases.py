"""CPU seconds (user + system) of each phase of `audit --json`, in one process, as commands/audit.py runs them.

    .venv/bin/python benchmarks/audit_phases.py LEDGER OUT.json [--as-of 2026-01-01]

The phases: loading the ledger (events with provenance, filed forms, documents, accounts), cutting the ranges
(audit/run.Ranges), each range's computed lines and keyed events (what every rule shares), the rules, sorting and
deduplicating the findings (FindingColumns.sorted: their order), building the JSON text a block at a time (taking
the block's findings into that order, render/findings_json.block_texts) and writing it to OUT.json (the
kernel's copy into the page cache is system time). OUT.json gets the bytes `audit --json` writes; compare them
with `cmp`. What the audit costs beyond the rules is the floor any rule work adds to: the figure issue 13
compares with `compute --all --json`.
"""

from __future__ import annotations

import argparse
import resource
import sys
from collections import defaultdict
from pathlib import Path


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ledger")
    ap.add_argument("out", type=Path)
    ap.add_argument("--as-of", default="2026-12-01")
    args = ap.parse_args()
    start = cpu()
    import gc

    import basis_ledger.cli  # noqa: F401 - what every command runs with: its allocator and BLAS settings

    gc.set_threshold(100_000, 50, 100)  # and its collector's threshold (cli.main)
    import numpy as np

    from basis_ledger.audit.columns import FindingColumns
    from basis_ledger.audit.rules import columns_of
    from basis_ledger.audit.ruleset import AUDIT_RULES, NEEDS_EVENTS
    from basis_ledger.audit.run import Ranges
    from basis_ledger.commands.audit import load_context
    from basis_ledger.render.findings_json import block_texts
    from basis_ledger.render.stream import PIECE

    spent: dict[str, float] = defaultdict(float)
    spent["starting (imports)"] = cpu() - start
    t = cpu()
    ctx = load_context(args.ledger, None, 5, False, args.as_of)
    spent["loading the ledger"] = cpu() - t
    findings, first = 0, True
    with args.out.open("wb") as out:
        out.write(b"[")
        t = cpu()
        ranges = Ranges(ctx)
        views = iter(ranges)
        spent["cutting ranges"] += cpu() - t
        while True:
            t = cpu()
            view = next(views, None)
            spent["cutting ranges"] += cpu() - t
            if view is None:
                break
            t = cpu()
            view.lines, view.keyed  # noqa: B018 - the range's shared parts
            spent["each range's lines and keyed events"] += cpu() - t
            t = cpu()
            parts = [columns_of(rule(view)) for rule in AUDIT_RULES if rule not in NEEDS_EVENTS or len(view.events)]
            spent["the rules"] += cpu() - t
            t = cpu()
            found = FindingColumns.concat(parts).sorted()  # the order; each block is taken into it below
            del parts
            spent["sorting and deduplicating"] += cpu() - t
            findings += len(found)
            blocks = block_texts(found, False)  # as render/findings_json.write_findings writes them
            while True:
                t = cpu()
                text = next(blocks, None)
                if text is None:
                    spent["the JSON text"] += cpu() - t
                    break
                _, offsets, data = text.buffers()
                bounds = np.frombuffer(offsets, dtype=np.int32)[text.offset : text.offset + len(text) + 1]
                piece = memoryview(data)[int(bounds[0]) + first : int(bounds[-1])]
                first = False
                spent["the JSON text"] += cpu() - t
                t = cpu()
                for k in range(0, len(piece), PIECE):  # as render/stream.write_utf8 writes
                    out.write(piece[k : k + PIECE])
                spent["writing it"] += cpu() - t
            del view, found
        out.write(b"]\n" if first else b"\n]\n")
    total = cpu() - start
    print(f"{args.ledger}: {len(ctx.taxpayers):,} taxpayers, {len(ranges)} ranges, {findings:,} findings")
    for name, s in spent.items():
        print(f"  {name:38s} {s:6.2f} s")
    beyond = total - spent["the rules"]
    print(f"  {'in all':38s} {total:6.2f} s CPU; without the rules {beyond:.2f} s", file=sys.stdout)


if __name__ == "__main__":
    main()
