"""Helpers for the robustness tests: a small good ledger, real-process runs, and the ledger's fingerprint."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from tests.core.helpers import csv_text

GOOD = csv_text(
    'ed,2023-01-20,2022,,,basis_opening,"$9,000.00",',
    "ed,2023-02-01,2023,IRA,traditional,nondeductible_contribution,6500,",
    "ed,2023-02-10,,IRA,,conversion,15500.40,",
    "ed,2023-12-31,,IRA,,year_end_value,0,",
)


def run(*args: str, ledger: Path | None = None, stdout=subprocess.PIPE, timeout: float = 120, **kw):
    """A real `python -m basis_ledger` process (pipes, signals and file-size limits need one)."""
    env = {k: v for k, v in os.environ.items() if k not in ("BASIS_LEDGER", "BASIS_LEDGER_DEBUG")}
    pre = ["--ledger", str(ledger)] if ledger is not None else []
    return subprocess.run(
        [sys.executable, "-m", "basis_ledger", *pre, *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=env | kw.pop("env", {}),
        timeout=timeout,
        **kw,
    )


def fingerprint(path: Path) -> tuple | None:
    """Content, mode and size: what a refusal must leave exactly as it was."""
    if not path.exists():
        return None
    st = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), st.st_mode, st.st_size


def good_ledger(tmp_path: Path) -> Path:
    from tests.core.helpers import cli

    src = tmp_path / "good.csv"
    src.write_text(GOOD)
    ledger = tmp_path / "ledger.db"
    res = cli("import", str(src), ledger=ledger)
    assert res.returncode == 0, res.stderr
    return ledger


def assert_refused(res, *needles: str) -> None:
    """Exit 2, no traceback, every needle in stderr."""
    assert res.returncode == 2, (res.returncode, res.stdout[-500:], res.stderr[-2000:])
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr, res.stderr
    for n in needles:
        assert n in res.stderr, (n, res.stderr)
