"""docs/planning.md shows the tool's real output: every `basis-ledger plan` block is rerun and compared.

After an intended change of the output, regenerate the blocks: BASIS_LEDGER_REGENERATE=1 pytest tests/plan/test_docs.py
"""

from __future__ import annotations

import os
import re

import pytest
from typer.testing import CliRunner

from basis_ledger.cli import app
from tests.plan.helpers import REPO, SAMPLES

DOC = REPO / "docs" / "planning.md"
BLOCK = re.compile(r"```console\n\$ (basis-ledger plan [^\n]+)\n(.*?)\n```", re.S)


def test_planning_doc_matches_the_tool(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)  # the doc's commands name sample_data/... relative to the repository
    runner = CliRunner(env={"COLUMNS": "100", "BASIS_LEDGER": str(tmp_path / "story.db")})
    assert runner.invoke(app, ["import", str(SAMPLES / "story-ledger.csv")]).exit_code == 0

    def rerun(command: str) -> str:
        res = runner.invoke(app, command.split()[1:])
        out = "\n".join(line.rstrip() for line in res.stdout.rstrip("\n").split("\n"))
        return f"{out}\n(exit code {res.exit_code})"

    text = DOC.read_text()
    if os.environ.get("BASIS_LEDGER_REGENERATE"):
        DOC.write_text(BLOCK.sub(lambda m: f"```console\n$ {m[1]}\n{rerun(m[1])}\n```", text))
        return
    blocks = BLOCK.findall(text)
    assert len(blocks) >= 8
    for command, shown in blocks:
        if rerun(command) != shown:
            pytest.fail(f"docs/planning.md is out of date for '{command}' (see this file's docstring)")
