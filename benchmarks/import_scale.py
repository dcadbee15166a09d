"""Issue 11's import scale points, side by side in one run: a 1099-R CSV against the generic CSV of the same rows,
and the audit of a ledger whose rows are all there twice.

    .venv/bin/python benchmarks/import_scale.py [--rows 200000] [--only imports|duplicates|repeated]

1. imports: a 1099-R CSV of N rows (benchmarks/taxforms_1099r.py's file: ed, 50 accounts, code 7 distributions
   of 2024) and a generic CSV of the same N distributions (same taxpayer, accounts, dates, amounts), each imported
   into a fresh ledger by its own process.
2. duplicates: bulk.py's histories for about N rows (N / 46 taxpayers), imported; then the same rows in another
   file (other bytes, rows in reverse order) imported again. The duplicate matching recognises every row (issue
   10), so the ledger never holds them twice; a user who really wants them twice imports that file with
   --keep-duplicates, and then runs `audit --json`. The audit of the same ledger without the repeat runs beside it.
3. repeated: one household's 46 rows repeated to N rows in one file (identical rows within one file are real
   repeats, kept as they are: issue 10), imported, then `audit --json`.

Each step is its own process: wall and CPU seconds (user + sys, GNU time) and peak RSS. Read the CPU seconds on a
shared machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import bulk
import taxforms_1099r

ROWS_PER_TAXPAYER = 46  # bulk.py's histories: about 46 events per taxpayer over ten years


def _run(label: str, cmd: list[str], work: Path, ok: tuple[int, ...] = (0,)) -> tuple[str, str]:
    wall, rss, out = bulk.run_measured(cmd, work, ok)
    line = f"{label:<58} {wall:8.2f} s wall {bulk.LAST_CPU:8.2f} s CPU {rss:7.0f} MiB"
    print(line, flush=True)
    return line, out


def _summary(out: str) -> str:
    """'N events ...; M recognised ...' from the import's own line, or the number of audit findings."""
    if out.lstrip().startswith("["):
        return f"{len(json.loads(out)):,} findings"
    return " | ".join(line.split(": ", 1)[-1] for line in out.splitlines() if " events " in line)[:160]


def generic_1099r_rows(path: Path, rows: int) -> None:
    """The generic CSV of taxforms_1099r.write_csv's distributions: the same taxpayer, accounts, dates, amounts."""
    with path.open("w") as fh:
        fh.write("taxpayer,date,tax_year,account,account_type,event,amount\n")
        for i in range(rows):
            cents = f"{1000 + i % 9000}.{i % 100:02d}"
            date = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
            fh.write(f"ed,{date},2024,X{11111111 + i % 50},traditional,distribution,{cents}\n")


def imports(rows: int, work: Path, base: list[str]) -> None:
    form, generic = work / "form1099r-big.csv", work / "generic-big.csv"
    taxforms_1099r.write_csv(form, rows)
    generic_1099r_rows(generic, rows)
    _, out = _run(f"import 1099-R CSV, {rows:,} rows", [*base, str(work / "a.db"), "import", str(form)], work)
    print("   ", _summary(out))
    _, out = _run(f"import generic CSV, {rows:,} rows", [*base, str(work / "b.db"), "import", str(generic)], work)
    print("   ", _summary(out))


def duplicates(rows: int, work: Path, base: list[str]) -> None:
    first, again = work / "history.csv", work / "history-again.csv"
    n = bulk.generate(first, max(1, rows // ROWS_PER_TAXPAYER))
    header, *body = first.read_text().splitlines()
    again.write_text("\n".join([header, *reversed(body)]) + "\n")
    once, seen, twice = (str(work / f"{name}.db") for name in ("once", "seen", "twice"))
    _, out = _run(f"import {n:,} rows", [*base, once, "import", str(first)], work)
    print("   ", _summary(out))
    shutil.copyfile(once, seen)
    shutil.copyfile(once, twice)
    _, out = _run(f"import the same {n:,} rows again, other bytes", [*base, seen, "import", str(again)], work)
    print("   ", _summary(out))
    cmd = [*base, twice, "import", "--keep-duplicates", str(again)]
    _, out = _run(f"the same with --keep-duplicates (then {2 * n:,} events)", cmd, work)
    print("   ", _summary(out))
    _, out = _run(f"audit --json, {n:,} events", [*base, once, "audit", "--json"], work, ok=(0, 1))
    print("   ", _summary(out))
    _, out = _run(f"audit --json, {n:,} events each twice", [*base, twice, "audit", "--json"], work, ok=(0, 1))
    print("   ", _summary(out))


def repeated(rows: int, work: Path, base: list[str]) -> None:
    one = work / "one.csv"
    bulk.generate(one, 50)  # (one taxpayer alone may draw no row of some kinds)
    header, *body = one.read_text().splitlines()
    body = [line for line in body if line.startswith("tp0,")]
    path = work / "repeated.csv"
    path.write_text("\n".join([header, *(body[i % len(body)] for i in range(rows))]) + "\n")
    ledger = str(work / "repeated.db")
    _, out = _run(f"import {len(body)} rows repeated to {rows:,}", [*base, ledger, "import", str(path)], work)
    print("   ", _summary(out))
    _, out = _run(
        f"audit --json, {rows:,} events ({len(body)} distinct)", [*base, ledger, "audit", "--json"], work, (0, 1)
    )
    print("   ", _summary(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--only", choices=("imports", "duplicates", "repeated"), action="append")
    args = ap.parse_args()
    base = [sys.executable, "-m", "basis_ledger", "--ledger"]
    steps = {"imports": imports, "duplicates": duplicates, "repeated": repeated}
    with tempfile.TemporaryDirectory(prefix="bl-import-scale-") as tmp:
        for name in args.only or steps:
            print(f"-- {name}")
            steps[name](args.rows, Path(tmp), base)


if __name__ == "__main__":
    main()
