"""Shared pieces of the ingest tests: the golden fixtures, the real exports in ../shared, a ledger with accounts."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from tests import golden
from tests.engines import LedgerUnderTest

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
SHARED = HERE.parents[1] / ".." / "shared" / "sample-statements"
INPUT_SUFFIXES = (".csv", ".json", ".xlsx", ".CSV")


def shared(name: str) -> Path:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"real custodian export not present: {path} (the shared folder beside the repo)")
    return path


def golden_inputs() -> list[Path]:
    return sorted(p for p in GOLDEN.iterdir() if p.suffix in INPUT_SUFFIXES and not p.name.endswith(".expected.json"))


def ledger_with_accounts(where, accounts: dict[str, dict]):
    """A ledger holding these accounts. `where` is the `ledger_db` fixture (tests/engines.py: SQLite or
    PostgreSQL; returned as given) or, for tests that only need the accounts looked up, a folder (a SQLite
    ledger.db there; its Path is returned)."""
    from basis_ledger.ledger.store import Ledger

    if isinstance(where, LedgerUnderTest):
        store, found = Ledger.open(where.path(), create=True), where
    else:
        found = where / "ledger.db"
        store = Ledger.open(found, create=True)
    for name, a in accounts.items():
        store.set_account(name, a["owner"], a["type"])
    store.close()
    return found


def golden_context() -> tuple[dict, str | None]:
    raw = tomllib.loads((GOLDEN / "accounts.toml").read_text())
    return raw["accounts"], raw.get("taxpayer")


def inspect(paths: list[Path], ledger, mapping: dict | None = None, taxpayer: str | None = None) -> list[dict]:
    """`inspect --json` in-process; `ledger` a Path or the `ledger_db` fixture."""
    from basis_ledger.commands.ingest_cmds import _inspect

    where = ledger.path() if isinstance(ledger, LedgerUnderTest) else ledger
    return _inspect(paths, None, mapping or {}, taxpayer, where)


def portable(obj, base: Path):
    """Absolute paths in messages -> relative to `base`, so expected files do not depend on the checkout."""
    text = json.dumps(obj, indent=1, ensure_ascii=False, sort_keys=True)
    return json.loads(text.replace(str(base.resolve()) + "/", "").replace(str(base) + "/", ""))


def check_golden(actual: dict, expected_path: Path) -> None:
    """Compare with the expected file; `pytest --update-golden` rewrites it (on purpose only: review the git diff)."""
    text = json.dumps(actual, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    if golden.UPDATE or not expected_path.exists():
        expected_path.write_text(text, encoding="utf-8")
        if not golden.UPDATE:
            pytest.fail(f"{expected_path.name} did not exist: written now; review it and commit it")
    assert json.loads(expected_path.read_text(encoding="utf-8")) == actual, (
        f"{expected_path.name} differs; if the change is intended: pytest tests/ingest --update-golden"
    )
