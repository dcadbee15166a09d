"""docs/firm.md shows only commands and options that exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from basis_ledger.cli import app

VALUED = {"--ledger", "--household", "--owner", "--type"}  # options followed by a value
DOC = Path(__file__).resolve().parents[2] / "docs" / "firm.md"


def test_every_command_in_docs_firm_md_exists_with_its_options():
    lines = [line.split("#")[0].strip() for line in DOC.read_text().splitlines() if line.startswith("basis-ledger ")]
    assert len(lines) >= 10
    runner = CliRunner()
    for line in lines:
        words, path = shlex.split(line)[1:], []
        for before, word in zip(["", *words], words, strict=False):
            if before in VALUED or word.startswith("-"):
                continue
            if re.fullmatch(r"[a-z]+", word) and len(path) < 2:
                path.append(word)  # the command and its subcommand, if any
            else:
                break
        if path and path[0] not in ("firm", "ledger", "account", "taxpayer"):
            path = path[:1]
        options = {w.split("=")[0] for w in words if w.startswith("--")}
        helps = runner.invoke(app, ["--help"]).stdout + runner.invoke(app, [*path, "--help"]).stdout
        assert runner.invoke(app, [*path, "--help"]).exit_code == 0, line
        for option in options:
            assert option in helps, (line, option)
