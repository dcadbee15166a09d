"""A statement profile is data: schemas/profiles/<custodian>.toml. This module loads and checks one.

Adding a custodian is adding a profile file (and a test); nothing here names a custodian.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property

from basis_ledger.resources import load_toml, schemas_dir

FIELDS = ("date", "action", "amount", "account", "account_name", "description", "symbol", "quantity", "price")
REQUIRED_FIELDS = ("date", "action", "amount")


def norm(cell: str) -> str:
    """A header cell as compared: no BOM, no outer spaces, one space inside, any case."""
    return " ".join(cell.replace("\ufeff", "").split()).lower()


@dataclass(frozen=True)
class Header:
    generation: str
    columns: frozenset[str]  # normalised fingerprint: every one must be in the header row
    role: str  # "transactions" | "positions" | "skip"
    reason: str  # why a skipped section is skipped


@dataclass(frozen=True)
class Rule:
    text: re.Pattern
    then: str  # an event kind, a generic word of _common.toml, "review", "withholding" or "skip"
    reason: str = ""
    accounts: frozenset[str] | None = None
    sign: str = "any"  # "in" (cash in), "out" (cash out) or "any"
    tax_year: str = ""  # "current" | "prior": the wording says the contribution's year


@dataclass(frozen=True)
class Profile:
    name: str
    custodian: str
    headers: tuple[Header, ...]
    columns: dict[str, tuple[str, ...]]  # logical field -> normalised header names, first present wins
    date_formats: tuple[str, ...]
    as_of: str  # "effective" (use the "as of" date) or "posting"
    placeholders: frozenset[str]
    footers: tuple[re.Pattern, ...]
    account_preamble: tuple[re.Pattern, ...]  # searched in the rows above the header; group 'account'
    account_filename: re.Pattern | None
    rules: tuple[Rule, ...]
    negate: bool = False  # [amounts] out = "positive": this export writes money out as positive amounts
    positions: dict = field(default_factory=dict)  # [positions]: how a positions section gives a 31 Dec value
    max_preamble: int = 40
    extensions: tuple[str, ...] = (".csv", ".xlsx")
    notes: tuple[str, ...] = field(default_factory=tuple)

    @cached_property
    def header_names(self) -> frozenset[str]:
        """Every column name of every header generation (a header row starts with one of them)."""
        return frozenset().union(*(h.columns for h in self.headers))


class ProfileError(ValueError):
    pass


def _regex(text: str, where: str) -> re.Pattern:
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error as exc:
        raise ProfileError(f"{where}: bad regular expression {text!r}: {exc}") from None


def load(name: str) -> Profile:
    return from_raw(load_toml(f"profiles/{name}.toml"), f"schemas/profiles/{name}.toml")


def from_raw(raw: dict, where: str) -> Profile:
    """A profile from its TOML (a shipped one, or a user's file that userprofile.check() has passed)."""
    headers = tuple(
        Header(
            h["generation"],
            frozenset(norm(c) for c in h["columns"]),
            h.get("role", "transactions"),
            h.get("reason", ""),
        )
        for h in raw["header"]
    )
    columns = {k: tuple(norm(c) for c in v) for k, v in raw["columns"].items()}
    unknown = set(columns) - set(FIELDS)
    missing = set(REQUIRED_FIELDS) - set(columns)
    if unknown or missing:
        raise ProfileError(f"{where}: [columns] unknown {sorted(unknown)} / missing {sorted(missing)}")
    acct = raw.get("account", {})
    rules = []
    for i, r in enumerate(raw.get("rule", []), 1):
        if r.get("sign", "any") not in ("in", "out", "any") or r.get("tax_year", "") not in ("", "current", "prior"):
            raise ProfileError(f"{where}: rule {i}: sign must be in/out/any and tax_year current/prior")
        rules.append(
            Rule(
                _regex(r["text"], f"{where} rule {i}"),
                r["then"],
                r.get("reason", ""),
                frozenset(r["accounts"]) if "accounts" in r else None,
                r.get("sign", "any"),
                r.get("tax_year", ""),
            )
        )
    return Profile(
        name=raw["name"],
        custodian=raw["custodian"],
        headers=headers,
        columns=columns,
        date_formats=tuple(raw["dates"]["formats"]),
        as_of=raw["dates"].get("as_of", "effective"),
        placeholders=frozenset(raw.get("amounts", {}).get("placeholders", ["", "--", "N/A"])),
        footers=tuple(_regex(f, where) for f in raw.get("footers", [])),
        account_preamble=tuple(_regex(x, where) for x in acct.get("preamble", [])),
        account_filename=_regex(acct["filename"], where) if "filename" in acct else None,
        rules=tuple(rules),
        negate=raw.get("amounts", {}).get("out", "negative") == "positive",
        positions=raw.get("positions", {}),
        max_preamble=raw.get("max_preamble", 40),
    )


@cache
def common() -> dict:
    return load_toml("profiles/_common.toml")


@cache
def profile_names() -> tuple[str, ...]:
    """Every profile file, in the order of its `order` key (most specific first)."""
    found = [p.stem for p in (schemas_dir() / "profiles").glob("*.toml") if not p.stem.startswith("_")]
    return tuple(sorted(found, key=lambda n: (load_toml(f"profiles/{n}.toml").get("order", 50), n)))


@cache
def get(name: str) -> Profile:
    return load(name)
