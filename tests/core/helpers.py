"""Test helpers: build ledgers and histories from generic-CSV text, run the engine and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from basis_ledger.engine.form8606 import Options
from basis_ledger.engine.results import compute_lines
from basis_ledger.ingest.generic_csv import GenericCsv
from basis_ledger.ingest.source import SourceFile
from basis_ledger.ledger.schema import validation_problems
from basis_ledger.model import Taxpayer
from basis_ledger.render.lines import as_objects

HEADER = "taxpayer,date,tax_year,account,account_type,event,amount,memo"


def csv_text(*rows: str) -> str:
    return HEADER + "\n" + "\n".join(rows) + "\n"


def events_from(text: str, name: str = "t.csv"):
    src = SourceFile(Path(name), text.encode())
    extracted = GenericCsv().extract(src)
    problems = extracted.problems + validation_problems(extracted.events, name)
    assert not problems, [str(p) for p in problems]
    frame = extracted.events.to_pandas()  # (the generic importer gives an Arrow table)
    frame["source_file"], frame["source_sha256"] = name, src.sha256
    frame["id"] = range(1, len(frame) + 1)  # ledger order, as Ledger.events() gives it
    return frame


def years(text: str, taxpayers: dict | None = None, **opts) -> dict[tuple, dict]:
    """Compute a history; returns {(taxpayer, year): object} for own chains, {(taxpayer, chain, year): ...} too."""
    people = {t: Taxpayer(t, **kw) for t, kw in (taxpayers or {}).items()}
    objs = as_objects(compute_lines(events_from(text), people, Options(**opts)), Options(**opts))
    out: dict[tuple, dict] = {}
    for o in objs:
        out[(o["taxpayer"], o["chain"], o["tax_year"])] = o
        if o["chain"] == "own":
            out[(o["taxpayer"], o["tax_year"])] = o
    return out


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def cli(
    *args: str, ledger: Path | None = None, cwd: Path | None = None, env: dict | None = None, subprocess_: bool = False
) -> Result:
    """Run the command line: in-process by default (fast), or as a real `python -m basis_ledger` process."""
    pre = ["--ledger", str(ledger)] if ledger is not None else []
    if subprocess_ or cwd is not None:
        full_env = {k: v for k, v in os.environ.items() if k != "BASIS_LEDGER"} | (env or {})
        proc = subprocess.run(
            [sys.executable, "-m", "basis_ledger", *pre, *args],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=full_env,
            timeout=300,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)
    from typer.testing import CliRunner

    from basis_ledger.cli import app

    res = CliRunner().invoke(app, [*pre, *args], env={"BASIS_LEDGER": None, **(env or {})})
    if res.exception and not isinstance(res.exception, SystemExit):
        raise res.exception
    return Result(res.exit_code, res.stdout, res.stderr)


def cli_json(*args: str, ledger: Path):
    res = cli(*args, "--json", ledger=ledger)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


_MODULES_PROBE = """
import contextlib, io, os, runpy, sys
if os.environ.get("PROBE_ADBC"):
    import basis_ledger.ledger.sqlite_read as small
    small.SMALL_LEDGER_BYTES = -1  # read as a large ledger is read: through ADBC, as Arrow
sys.argv = ["basis-ledger", "--ledger", sys.argv[1], *sys.argv[2:]]
with contextlib.redirect_stdout(io.StringIO()):
    try:
        runpy.run_module("basis_ledger", run_name="__main__")
    except SystemExit as done:
        code = done.code
print(code, sorted(m for m in {names!r} if m in sys.modules))
"""


def modules_loaded(
    ledger: Path, command: list[str], names: tuple[str, ...], adbc: bool = False, exits: tuple[int, ...] = (0, 1)
) -> list[str]:
    """Which of `names` a `basis-ledger` process running `command` on `ledger` imports (a fresh process, so
    nothing the tests imported counts); `adbc` reads the ledger as a large one is read."""
    env = {**os.environ, "PROBE_ADBC": "1"} if adbc else None
    out = subprocess.run(
        [sys.executable, "-c", _MODULES_PROBE.format(names=names), str(ledger), *command],
        capture_output=True,
        text=True,
        env=env,
    )
    code, loaded = out.stdout.strip().splitlines()[-1].split(" ", 1)
    assert code in ("None", *map(str, exits)), out.stderr
    found: list[str] = json.loads(loaded.replace("'", '"'))
    return found
