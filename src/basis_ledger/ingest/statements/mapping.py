"""The user's own classification: `--map "TEXT=event_kind"` (repeatable) and `--mapping FILE` (TOML).

TEXT is matched, any case, against the start of a custodian's action text ("MoneyLink Deposit") or of a
tax form's review text ("1099-R code 2"); the longest match wins. The target is an event kind, a generic word
of schemas/profiles/_common.toml (contribution, distribution, conversion, ...: the account's type decides),
or skip; `@prior` / `@current` after a contribution kind states the tax year.

Mapping file:  [map]
               "MoneyLink Deposit" = "contribution"
               "Journal" = "skip"
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from basis_ledger.model import InputError, Problem, kinds
from basis_ledger.suggest import did_you_mean


def _check(text: str, target: str, where: str) -> Problem | None:
    from basis_ledger.ingest.statements.classify import valid_then

    kind, _, year = target.partition("@")
    if not text.strip():
        return Problem(where, f"empty text in '{text}={target}'")
    if not valid_then(kind.strip()):
        return Problem(
            where,
            f"'{kind.strip()}' is not an event kind, a generic word or skip"
            f"{did_you_mean(kind.strip(), kinds())} (see docs/importing.md and schemas/event_kinds.toml)",
        )
    if year and year.strip() not in ("prior", "current"):
        return Problem(where, f"'@{year}' must be @prior or @current")
    return None


def parse(maps: list[str] | None, file: Path | None) -> dict[str, str]:
    """The plain TEXT = target entries of both sources (see parse_all for the row rules)."""
    return parse_all(maps, file)[0]


def parse_all(maps: list[str] | None, file: Path | None) -> tuple[dict[str, str], tuple]:
    """Both sources merged (a --map beats the file): the plain mapping and the row rules (statements.rowrules:
    FILE:LINE=target, [[rule]] tables by date range or amount). Every bad entry is a problem."""
    from basis_ledger.ingest.statements.rowrules import from_table, row_map

    found: dict[str, str] = {}
    rules: list = []
    problems: list[Problem] = []
    if file is not None:
        try:
            doc = tomllib.loads(file.read_text(encoding="utf-8-sig"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError([Problem(str(file), f"cannot read the mapping file: {exc}")]) from None
        table = doc.get("map", {})
        if not isinstance(table, dict):  # `map = 5`: TOML, but not a table
            raise InputError([Problem(str(file), 'map must be a table: [map] then lines of "TEXT" = "event_kind"')])
        for key in sorted(set(doc) - {"map", "rule"}):
            problems.append(Problem(str(file), f"unknown table '{key}' (known: [map], [[rule]])"))
        more, bad = from_table(doc.get("rule", []), str(file), _check)
        rules += more
        problems += bad
        for text, target in table.items():
            if not isinstance(target, str):
                problems.append(Problem(str(file), f"'{text}' must map to an event kind in quotes, not {target!r}"))
                continue
            if (p := _check(text, str(target), str(file))) is not None:
                problems.append(p)
            found[text.strip()] = str(target).strip()
    for item in maps or []:
        text, sep, target = item.rpartition("=")
        if not sep:
            problems.append(Problem("--map", f"'{item}' is not TEXT=event_kind"))
            continue
        if (p := _check(text, target, "--map")) is not None:
            problems.append(p)
        row = row_map(text, target)
        if row is not None:  # FILE:LINE=target: one row of one file
            rules.insert(0, row)
            continue
        found[text.strip()] = target.strip()
    if problems:
        raise InputError(problems)
    return found, tuple(rules)
