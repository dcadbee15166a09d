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
    config.addinivalue_line("markers", "no_twin: validate imports with the evaluator alone (timing tests)")


@pytest.fixture(autouse=True)
def _schema_twin(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every import a test runs in this process is validated twice, by the import's evaluator and by the pandera
    model, and the two must agree (tests/schema_twin.py). `@pytest.mark.no_twin` opts a timing test out."""
    if request.node.get_closest_marker("no_twin"):
        return
    from basis_ledger.ledger import importing, schema
    from tests.schema_twin import twin_problems

    monkeypatch.setattr(schema, "validation_problems", twin_problems)
    monkeypatch.setattr(importing, "validation_problems", twin_problems)
