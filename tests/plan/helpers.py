"""Helpers for the planner's tests: histories from generic-CSV rows, the rules' context, the real command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from basis_ledger.audit.findings import Context
from basis_ledger.audit.rules import run_rules
from basis_ledger.engine.form8606 import Options
from basis_ledger.engine.results import compute_lines
from basis_ledger.model import Taxpayer
from tests.core.helpers import HEADER, csv_text, events_from  # noqa: F401 - shared with the core tests

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "sample_data"


def events(*rows: str, name: str = "history.csv"):
    """Ledger-shaped events (id, provenance) from generic-CSV rows, validated like an import."""
    return events_from(csv_text(*rows), name)


def people(**births: str | None) -> dict[str, Taxpayer]:
    return {name: Taxpayer(name, birth_date=b) for name, b in births.items()}


def findings(*rows: str, taxpayers: dict | None = None, code: str | None = None):
    ev = events(*rows)
    who = taxpayers or {}
    found = run_rules(Context(ev, compute_lines(ev, who, Options()), who))
    return [f for f in found if code is None or f.code == code]


def cli(*args: str, ledger: Path):
    cmd = [sys.executable, "-m", "basis_ledger", "--ledger", str(ledger), *args]
    env = {k: v for k, v in os.environ.items() if k != "BASIS_LEDGER"}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)


def cli_json(*args: str, ledger: Path, code: int = 0) -> dict:
    res = cli(*args, "--json", ledger=ledger)
    assert res.returncode == code, (res.returncode, res.stderr)
    return json.loads(res.stdout)
