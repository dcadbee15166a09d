"""Golden files: compare an output with its stored copy, or rewrite the copy under `pytest --update-golden`."""

from __future__ import annotations

from pathlib import Path

import pytest

UPDATE = False  # set by tests/conftest.py from --update-golden


def check_text(actual: str, path: Path) -> None:
    """Byte-for-byte comparison with `path`; --update-golden (or a missing file, which then fails) writes it."""
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
        if not UPDATE:
            pytest.fail(f"{path.name} did not exist: written now; review it and commit it")
        return
    expected = path.read_bytes().decode("utf-8")
    assert actual == expected, f"{path} differs; if the change is intended: pytest --update-golden (review the diff)"
