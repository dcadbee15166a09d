"""Test helpers: build ledgers and histories from generic-CSV text, run the engine and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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
    frame = extracted.events.copy()
    frame["source_file"], frame["source_sha256"] = name, src.sha256
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


def cli(*args: str, ledger: Path | None = None, cwd: Path | None = None, env: dict | None = None):
    """Run the real command in a subprocess: exit code, stdout, stderr as the user sees them."""
    cmd = [sys.executable, "-m", "basis_ledger"]
    if ledger is not None:
        cmd += ["--ledger", str(ledger)]
    full_env = {**os.environ, **(env or {})}
    full_env.pop("BASIS_LEDGER", None) if env is None or "BASIS_LEDGER" not in env else None
    return subprocess.run([*cmd, *args], capture_output=True, text=True, cwd=cwd, env=full_env, timeout=120)


def cli_json(*args: str, ledger: Path):
    res = cli(*args, "--json", ledger=ledger)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)
