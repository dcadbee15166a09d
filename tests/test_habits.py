"""The project's habits that a test can hold: one version source, the licence, the ledger as a context manager."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

import basis_ledger
from basis_ledger.ledger.store import Ledger

ROOT = Path(__file__).resolve().parents[1]


def test_one_version_source():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert version("basis-ledger") == basis_ledger.__version__


def test_licence_is_the_one_the_package_declares():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "## [Unreleased]" in (ROOT / "CHANGELOG.md").read_text()


def test_ledger_is_a_context_manager(tmp_path):
    with Ledger.open(tmp_path / "l.db", create=True) as store:
        store.set_taxpayer("ed", birth_date="1970-01-01")
    with pytest.raises(Exception):  # noqa: B017 - sqlite3 and ADBC word a closed connection differently
        store.conn.execute("SELECT 1")
    with Ledger.open(tmp_path / "l.db") as again:
        assert "ed" in again.taxpayers()
