"""Suite-wide pytest options and fixtures: `--update-golden` rewrites every golden file a test compares against;
the ledger engines' fixtures (SQLite and PostgreSQL) come from tests/engines.py."""

from __future__ import annotations

import pytest

from tests import golden

pytest_plugins = ["tests.engines"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the golden files instead of comparing with them (on purpose only: review the git diff)",
    )


def pytest_configure(config: pytest.Config) -> None:
    golden.UPDATE = bool(config.getoption("--update-golden"))
