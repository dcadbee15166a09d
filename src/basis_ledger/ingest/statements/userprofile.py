"""A user's own statement profile (`--profile my-bank.toml`): the format of schemas/profiles/*.toml, checked.

A shipped profile is trusted; a user's file gets every mistake reported at once, one line each, naming the key:
unknown keys (a typo would otherwise be ignored silently), missing keys, bad regular expressions, [columns]
that no header generation has, rule targets that are not event kinds. See docs/importing.md, "Your own bank".
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from basis_ledger.model import InputError, Problem

# Every key a profile may hold, by table: anything else is refused.
KEYS: dict[str, frozenset[str]] = {
    "": frozenset(
        {
            "name",
            "custodian",
            "order",
            "header",
            "columns",
            "dates",
            "amounts",
            "account",
            "footers",
            "positions",
            "rule",
            "max_preamble",
        }
    ),
    "header": frozenset({"generation", "columns", "role", "reason"}),
    "dates": frozenset({"formats", "as_of"}),
    "amounts": frozenset({"placeholders", "out"}),
    "account": frozenset({"preamble", "filename"}),
    "positions": frozenset({"value", "total_row", "date_title", "date_filename", "date_formats"}),
    "rule": frozenset({"text", "then", "reason", "sign", "accounts", "tax_year"}),
}
ROLES = ("transactions", "positions", "skip")


def is_profile_file(profile: str | None) -> bool:
    return profile is not None and (profile.endswith(".toml") or "/" in profile)


def read(path: Path):
    """The checked Profile of a user's file; InputError listing every problem."""
    from basis_ledger.ingest.statements.profile import ProfileError, from_raw

    where = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError([Problem(where, "no such profile file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(where, f"cannot read the profile: {exc}")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Problem(where, f"not valid TOML: {exc}")]) from None
    problems = check(raw, where)
    if problems:
        raise InputError(problems)
    try:
        return from_raw(raw, where)
    except (ProfileError, KeyError, TypeError, ValueError) as exc:  # what check() did not foresee
        raise InputError([Problem(where, f"bad profile: {exc}")]) from None


def check(raw: dict[str, Any], where: str) -> list[Problem]:
    from basis_ledger.ingest.base import DECLARABLE_TYPES
    from basis_ledger.ingest.statements.classify import valid_then
    from basis_ledger.ingest.statements.profile import FIELDS, REQUIRED_FIELDS, norm

    out: list[Problem] = []

    def bad(key: str, message: str) -> None:
        out.append(Problem(where, f"{key}: {message}"))

    _unknown(raw, "", bad)
    for key in ("name", "custodian"):
        if not isinstance(raw.get(key), str) or not raw.get(key, "").strip():
            bad(key, f"missing '{key}' (a short text, e.g. {key} = \"my-bank\")")
    headers = raw.get("header")
    names: set[str] = set()
    if not isinstance(headers, list) or not headers:
        bad("header", "at least one [[header]] is needed: the column names that identify the header row")
        headers = []
    for i, h in enumerate(headers, 1):
        if not isinstance(h, dict):
            bad(f"header {i}", "each [[header]] is a table")
            continue
        _unknown(h, "header", bad, f"header {i}")
        cols = h.get("columns")
        if not isinstance(cols, list) or not cols or not all(isinstance(c, str) for c in cols):
            bad(f"header {i}.columns", "a list of the header's column names, as the export writes them")
        else:
            names |= {norm(c) for c in cols}
        if "generation" not in h:
            bad(f"header {i}.generation", "missing: a few words saying which layout this is")
        if h.get("role", "transactions") not in ROLES:
            bad(f"header {i}.role", f"'{h.get('role')}' is not one of {', '.join(ROLES)}")
    columns = raw.get("columns")
    if not isinstance(columns, dict):
        bad("columns", f"missing [columns]: which header names hold {', '.join(REQUIRED_FIELDS)}")
        columns = {}
    for field in sorted(set(columns) - set(FIELDS)):
        bad(f"columns.{field}", f"unknown field (known: {', '.join(FIELDS)})")
    for field in REQUIRED_FIELDS:
        if field not in columns:
            bad(f"columns.{field}", "missing: which header name holds it")
    for field, heads in columns.items():
        heads = [heads] if isinstance(heads, str) else heads
        if not isinstance(heads, list) or not all(isinstance(x, str) for x in heads):
            bad(f"columns.{field}", "a list of header names")
        elif names and not any(norm(x) in names for x in heads):
            bad(f"columns.{field}", f"none of {heads} is a column of any [[header]] generation")
    dates = raw.get("dates", {})
    if not isinstance(dates, dict):
        bad("dates", "[dates] is a table")
        dates = {}
    _unknown(dates, "dates", bad, "dates")
    formats = dates.get("formats")
    if not isinstance(formats, list) or not formats or not all(isinstance(f, str) and "%" in f for f in formats):
        bad("dates.formats", 'missing or not strptime formats, e.g. formats = ["%m/%d/%Y"]')
    if dates.get("as_of", "effective") not in ("effective", "posting"):
        bad("dates.as_of", "must be effective or posting")
    for table in ("amounts", "account", "positions"):
        value = raw.get(table, {})
        if not isinstance(value, dict):
            bad(table, f"[{table}] is a table")
        else:
            _unknown(value, table, bad, table)
    if raw.get("amounts", {}).get("out", "negative") not in ("negative", "positive"):
        bad("amounts.out", "must be negative (money out is written -12.00) or positive")
    patterns = [("footers", f) for f in raw.get("footers", [])]
    acct = raw.get("account", {}) if isinstance(raw.get("account"), dict) else {}
    patterns += [("account.preamble", p) for p in acct.get("preamble", [])]
    if "filename" in acct:
        patterns.append(("account.filename", acct["filename"]))
    rules = raw.get("rule", [])
    if not isinstance(rules, list) or not rules:
        bad("rule", "at least one [[rule]] is needed: what each action text is")
        rules = []
    for i, r in enumerate(rules, 1):
        key = f"rule {i}"
        if not isinstance(r, dict):
            bad(key, "each [[rule]] is a table")
            continue
        _unknown(r, "rule", bad, key)
        if not isinstance(r.get("text"), str):
            bad(f"{key}.text", "missing: a regular expression on the action text")
        else:
            patterns.append((f"{key}.text", r["text"]))
        then = r.get("then")
        if not isinstance(then, str) or not valid_then(then):
            bad(
                f"{key}.then",
                f"'{then}' is not an event kind, a generic word (contribution, ...), review, "
                "withholding or skip (see docs/importing.md)",
            )
        if r.get("sign", "any") not in ("in", "out", "any"):
            bad(f"{key}.sign", "must be in, out or any")
        if r.get("tax_year", "") not in ("", "current", "prior"):
            bad(f"{key}.tax_year", "must be current or prior")
        for a in r.get("accounts", []):
            if a not in DECLARABLE_TYPES:
                bad(f"{key}.accounts", f"'{a}' is not an account type ({', '.join(DECLARABLE_TYPES)})")
    for key, pattern in patterns:
        try:
            re.compile(pattern)
        except (re.error, TypeError) as exc:
            bad(key, f"bad regular expression {pattern!r}: {exc}")
    return out


def _unknown(table: dict, kind: str, bad, prefix: str = "") -> None:
    for key in sorted(set(table) - KEYS[kind]):
        where = f"{prefix}.{key}" if prefix else key
        bad(where, f"unknown key (known here: {', '.join(sorted(KEYS[kind]))})")
