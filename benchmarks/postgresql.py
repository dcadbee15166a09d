"""PostgreSQL against SQLite on the bulk file (930,000 events at 20,000 taxpayers), side by side in one run:
`import` and `compute --all --json` on each engine, interleaved, the JSON compared byte for byte; then four
imports of different households' files at once into one firm database, every row counted once.

    .venv/bin/python benchmarks/postgresql.py --taxpayers 20000

The server is a throwaway cluster (tests/pgcluster.py) with PostgreSQL's durable defaults (fsync on), on a Unix
socket; each step is its own process, timed as a user would see it (wall) with its peak RSS.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bulk import generate, run_measured  # noqa: E402

from tests import pgcluster  # noqa: E402


def psql(url: str, sql: str) -> list[tuple]:
    import adbc_driver_postgresql.dbapi as pg

    with pg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall() if cur.description else []


def database(server: str, name: str) -> str:
    psql(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(server, f"CREATE DATABASE {name}")
    return server.replace("/postgres?", f"/{name}?", 1)


def split_households(csv_path: Path, parts: int) -> list[Path]:
    """The bulk file's taxpayers dealt into `parts` household files (taxpayer number modulo parts)."""
    lines = csv_path.read_text().splitlines()
    header, rows = lines[0], lines[1:]
    out = [csv_path.with_name(f"household{i}.csv") for i in range(parts)]
    buckets: list[list[str]] = [[] for _ in range(parts)]
    for row in rows:
        buckets[int(row.split(",", 1)[0][2:]) % parts].append(row)
    for path, bucket in zip(out, buckets, strict=True):
        path.write_text(header + "\n" + "\n".join(bucket) + "\n")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--taxpayers", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=2, help="interleaved rounds; medians are reported")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bl-pg-bench-"))
    cluster = Path(tempfile.mkdtemp(prefix="bl-pg-cluster-"))  # its own folder: the server's user must reach it
    try:
        server = pgcluster.start(cluster, durable=True)
        csv_path = work / "bulk.csv"
        n = generate(csv_path, args.taxpayers)
        py = [sys.executable, "-m", "basis_ledger"]
        times: dict[str, list[float]] = {}
        rss: dict[str, float] = {}

        def step(name: str, cmd: list[str]) -> str:
            wall, peak, out = run_measured(cmd, work)
            times.setdefault(name, []).append(wall)
            rss[name] = max(rss.get(name, 0.0), peak)
            return out

        for r in range(args.rounds):
            sqlite_db = work / f"bulk{r}.db"
            pg_db = database(server, f"bulk{r}")
            step("sqlite import", [*py, "--ledger", str(sqlite_db), "import", str(csv_path)])
            step("postgresql import", [*py, "--ledger", pg_db, "import", str(csv_path)])
            a = step("sqlite compute --all --json", [*py, "--ledger", str(sqlite_db), "compute", "--all", "--json"])
            b = step("postgresql compute --all --json", [*py, "--ledger", pg_db, "compute", "--all", "--json"])
            if a != b:
                sys.exit("compute --all --json differs between the engines")
            sqlite_db.unlink()
            psql(server, f"DROP DATABASE bulk{r} WITH (FORCE)")
        print(
            f"{args.taxpayers:,} taxpayers, {n:,} events; medians of {args.rounds} interleaved rounds; same JSON bytes"
        )
        for name in times:
            print(f"{name:34s} {statistics.median(times[name]):7.2f} s   peak RSS {rss[name]:6.0f} MiB")
        for what in ("import", "compute --all --json"):
            ratio = statistics.median(times[f"postgresql {what}"]) / statistics.median(times[f"sqlite {what}"])
            print(f"postgresql / sqlite, {what:22s} {ratio:5.2f}x")
        total = sum(statistics.median(times[f"postgresql {w}"]) for w in ("import", "compute --all --json"))
        base = sum(statistics.median(times[f"sqlite {w}"]) for w in ("import", "compute --all --json"))
        print(f"postgresql / sqlite, import + compute       {total / base:5.2f}x")

        # Four households' files at once into one firm database.
        files = split_households(csv_path, 4)
        firm = database(server, "firm")
        subprocess.run([*py, "--ledger", firm, "firm", "init"], check=True, capture_output=True)
        start = time.perf_counter()
        procs = [
            subprocess.Popen(
                [*py, "--ledger", firm, "--household", f"h{i}", "import", str(f)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for i, f in enumerate(files)
        ]
        errors = [p.communicate()[1] for p in procs]
        wall = time.perf_counter() - start
        if any(p.returncode for p in procs):
            sys.exit(f"a concurrent import failed: {errors}")
        want = [(f"h{i}", len(f.read_text().splitlines()) - 1) for i, f in enumerate(files)]
        got = psql(firm, "SELECT household, count(*) FROM events GROUP BY 1 ORDER BY 1")
        dupes = psql(
            firm, "SELECT count(*) FROM (SELECT household, source_line FROM events GROUP BY 1, 2 HAVING count(*) > 1) d"
        )
        ok = got == want and dupes == [(0,)]
        print(
            f"4 concurrent imports (households of {', '.join(str(c) for _, c in want)} events): {wall:.2f} s wall;"
            f" every row present once: {'yes' if ok else f'NO: {got}'}"
        )
        if not ok:
            sys.exit(1)
        one_by_one = database(server, "firm_sequential")
        subprocess.run([*py, "--ledger", one_by_one, "firm", "init"], check=True, capture_output=True)
        start = time.perf_counter()
        for i, f in enumerate(files):
            subprocess.run(
                [*py, "--ledger", one_by_one, "--household", f"h{i}", "import", str(f)], check=True, capture_output=True
            )
        print(f"the same 4 imports one after another: {time.perf_counter() - start:.2f} s wall")
    finally:
        pgcluster.stop(cluster)


if __name__ == "__main__":
    main()
