"""The one error boundary: every command is inside it; pipes, full output devices and defects behave."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.core.helpers import cli
from tests.robust.helpers import assert_refused, good_ledger, run


def _commands(group, prefix=()):
    import typer.main

    cmd = typer.main.get_command(group) if not hasattr(group, "commands") else group
    for name, sub in getattr(cmd, "commands", {}).items():
        if hasattr(sub, "commands"):
            yield from _commands(sub, (*prefix, name))
        else:
            yield (*prefix, name), sub


def test_every_command_runs_inside_the_boundary():
    import typer.main

    from basis_ledger.cli import app

    found = dict(_commands(typer.main.get_command(app)))
    assert len(found) >= 10
    # typer wraps each callback; the boundary's mark is on the function it wraps
    outside = [
        " ".join(name)
        for name, cmd in found.items()
        if not any(
            getattr(f, "__basis_ledger_boundary__", False)
            for f in (cmd.callback, getattr(cmd.callback, "__wrapped__", None))
        )
    ]
    assert outside == [], f"commands outside the error boundary: {outside}"


@pytest.mark.parametrize("args", [("compute", "--json"), ("events", "--json")])
def test_a_reader_closing_the_pipe_early_exits_quietly(tmp_path, args):
    ledger = good_ledger(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "BASIS_LEDGER"}
    cmd = [sys.executable, "-m", "basis_ledger", "--ledger", str(ledger), *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    proc.stdout.read(1)  # then close our end, as `head -c 1` does
    proc.stdout.close()
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=120)
    assert code == 0, err
    assert err == "", err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
def test_output_onto_a_full_device_exits_2_saying_so(tmp_path):
    ledger = good_ledger(tmp_path)
    with open("/dev/full", "w") as full:
        res = run("compute", "--json", ledger=ledger, stdout=full)
    assert_refused(res, "no space left")


def test_a_defect_is_one_line_exit_3(tmp_path, monkeypatch):
    ledger = good_ledger(tmp_path)
    import basis_ledger.engine.results as results

    def broken(*a, **k):
        raise ZeroDivisionError("deliberate")

    # compute reaches the engine through lines_of (Loaded.lines_only), the other commands through compute_lines
    monkeypatch.setattr(results, "compute_lines", broken)
    monkeypatch.setattr(results, "lines_of", broken)
    res = cli("compute", ledger=ledger)
    assert res.returncode == 3
    assert res.stderr.count("\n") == 1 and res.stderr.startswith("internal error: ZeroDivisionError")


def test_problems_are_capped_per_file_escaped_and_masked(tmp_path):
    from tests.core.helpers import HEADER

    rows = [f"ed,2023-02-01,2023,IRA,traditional,nondeductible_contribution,12x{i},\x1b[31m" for i in range(400)]
    rows.append("ed,2023-02-01,2023,IRA,traditional,nondeductible_contribution,123-45-6789,")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    res = cli("import", str(bad), ledger=tmp_path / "l.db")
    assert_refused(res, "more problems")
    lines = res.stderr.splitlines()
    assert len(lines) <= 51, len(lines)
    assert "\x1b" not in res.stderr and "123-45-6789" not in res.stderr
