"""Where the declarative files in `schemas/` live, installed or in a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any


@cache
def schemas_dir() -> Path:
    packaged = Path(__file__).with_name("schemas")  # wheel: force-included beside the code
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "schemas"  # checkout / editable install


@cache
def load_toml(name: str) -> dict[str, Any]:
    import tomllib  # here, not at the top: `basis-ledger --help` reads no table (benchmarks/help_startup.py)

    with (schemas_dir() / name).open("rb") as fh:
        return tomllib.load(fh)
