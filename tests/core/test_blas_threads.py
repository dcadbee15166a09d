"""The command line keeps numpy's BLAS to one thread (cli.py: its idle threads cost CPU on every command), unless
the user asked for more."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = (
    "import os, basis_ledger.cli, numpy; "
    "print(os.environ.get('OPENBLAS_NUM_THREADS'), len(os.listdir('/proc/self/task')))"
)


def _probe(**extra: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"} | extra
    res = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, check=True)
    return res.stdout.split()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads through Linux's /proc")
def test_numpy_starts_no_blas_threads_under_the_command_line():
    setting, threads = _probe()
    assert setting == "1"
    assert threads == "1"  # numpy's import started no OpenBLAS worker (one per core otherwise)


def test_a_users_own_thread_setting_is_kept():
    assert _probe(OPENBLAS_NUM_THREADS="3")[0] == "3"
