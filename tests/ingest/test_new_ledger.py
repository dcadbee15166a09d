"""An import into a ledger that does not exist yet: the checks run once, before the ledger is made.

If another process makes (and writes) that ledger between those checks and this import's write transaction, the
checks must run again against what it holds: otherwise a row the other import brought is added a second time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from basis_ledger.ledger import importing
from basis_ledger.ledger.store import Ledger

HEADER = "taxpayer,date,tax_year,account,account_type,event,amount\n"
ROW = "ed,2023-02-01,2023,T1,traditional,traditional_contribution,6500.00\n"


def _events(path: Path) -> int:
    with Ledger.open(path) as store:
        return len(store.events())


def test_import_into_a_new_ledger_checks_once_and_writes(tmp_path: Path) -> None:
    source = tmp_path / "a.csv"
    source.write_text(HEADER + ROW + ROW.replace("02-01", "03-01"))
    [result] = importing.import_files(tmp_path / "new.db", [source])
    assert (result.events, result.status) == (2, "imported")
    assert _events(tmp_path / "new.db") == 2


def test_a_new_ledger_made_meanwhile_by_another_import_is_checked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger, first, second = tmp_path / "new.db", tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(HEADER + ROW)
    second.write_text(HEADER + ROW + "\n")  # the same row in other bytes
    real_open = Ledger.open.__func__  # type: ignore[attr-defined]
    raced: list[bool] = []

    def open_after_the_other_import(cls: type[Ledger], path: Path, **kw: object) -> Ledger:
        if not raced:  # the other process makes the ledger and imports its file right before this one opens it
            raced.append(True)
            importing.import_files(path, [first])
        return real_open(cls, path, **kw)

    monkeypatch.setattr(Ledger, "open", classmethod(open_after_the_other_import))
    [result] = importing.import_files(ledger, [second])
    assert raced
    assert result.events == 0 and result.recognised == {"first.csv": 1}
    monkeypatch.undo()
    assert _events(ledger) == 1  # not 2: the row is in the ledger once
