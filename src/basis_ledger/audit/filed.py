"""Filed Form 8606s read back from the ledger's `filed_forms` table, and the computed lines to compare them with."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from basis_ledger.audit.context import AuditContext, parse_money, parse_ratio
from basis_ledger.audit.findings import Evidence

Key = tuple[str, str, int]  # taxpayer, chain, tax year


@dataclass
class FiledForm:
    taxpayer: str
    chain: str
    year: int
    text: dict[str, str] = field(default_factory=dict)  # line -> value as printed
    refs: dict[str, Evidence] = field(default_factory=dict)  # line -> file and form field

    def money(self, line: str) -> int | None:
        """The line in cents; None if blank or absent; ValueError if unreadable."""
        return parse_money(self.text[line]) if line in self.text else None

    def ratio(self):
        return parse_ratio(self.text["10"]) if "10" in self.text else None

    def readable(self, line: str) -> bool:
        try:
            self.ratio() if line == "10" else self.money(line)
        except ValueError:
            return False
        return True

    @property
    def in_cents(self) -> bool:
        """A form filled with cents (any money line with cents) is compared with the exact computation."""
        for line in self.text:
            if line != "10" and self.readable(line):
                v = self.money(line)
                if v is not None and v % 100:
                    return True
        return False

    def follows(self, line: str) -> int | None:
        """What a derived line should be from the filed form's own other lines (the form's arithmetic)."""

        def g(k: str) -> int:
            return (self.money(k) or 0) if self.readable(k) else 0

        unit = 1 if self.in_cents else 100
        ratio = self.ratio() if self.readable("10") else None
        r = ratio[0] if ratio else Decimal(0)

        def times(k: str) -> int:
            return int((Decimal(g(k)) * r / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * unit

        rules = {
            "3": lambda: g("1") + g("2"),
            "5": lambda: g("3") - g("4"),
            "9": lambda: g("6") + g("7") + g("8"),
            "11": lambda: times("8"),
            "12": lambda: times("7"),
            "13": lambda: g("11") + g("12"),
            "14": lambda: g("3") - g("13"),
            "15a": lambda: g("7") - g("12"),
            "15c": lambda: g("15a") - g("15b"),
            "17": lambda: g("11") if "11" in self.text else None,
            "18": lambda: g("16") - g("17"),
            "21": lambda: max(g("19") - g("20"), 0),
            "23": lambda: max(g("21") - g("22"), 0),
            "25a": lambda: max(g("23") - g("24"), 0),
            "25c": lambda: g("25a") - g("25b"),
        }
        return rules[line]() if line in rules else None

    def evidence(self, line: str) -> Evidence:
        ref = self.refs[line]
        return Evidence(ref.file, ref.where, f"{self.year} Form 8606 line {line} = {self.text[line]}")


def _cached(ctx: AuditContext, name: str, make):
    """Several rules read the same derived tables: build each once per context."""
    cache = ctx.__dict__.setdefault("_derived", {})
    if name not in cache:
        cache[name] = make()
    return cache[name]


def filed_forms(ctx: AuditContext) -> dict[Key, FiledForm]:
    """One FiledForm per taxpayer, chain and year; a line read twice keeps the later import."""
    return _cached(ctx, "filed", lambda: _read_filed(ctx))


def whole_rows(ctx: AuditContext) -> dict[Key, dict]:
    """The computed lines in whole dollars, by taxpayer, chain and year."""
    return _cached(ctx, "whole", lambda: computed_rows(ctx.lines))


def exact_rows(ctx: AuditContext) -> dict[Key, dict]:
    """The computed lines in cents, by taxpayer, chain and year."""
    return _cached(ctx, "exact", lambda: computed_rows(ctx.cents_lines))


def _read_filed(ctx: AuditContext) -> dict[Key, FiledForm]:
    forms: dict[Key, FiledForm] = {}
    ff = ctx.filed_forms
    if ff is None or len(ff) == 0:
        return forms
    for r in ff.itertuples():
        key = (str(r.taxpayer), str(r.chain or "own"), int(r.tax_year))
        form = forms.setdefault(key, FiledForm(*key))
        line = str(r.line).strip().lower()
        form.text[line] = str(r.value).strip()
        ref = str(r.source_ref)
        form.refs[line] = Evidence(str(r.source_file), f"field {ref}" if "[" in ref else ref)
    return forms


def computed_rows(frame) -> dict[Key, dict]:
    if frame is None or len(frame) == 0:
        return {}
    return {(r["taxpayer"], r["chain"], int(r["tax_year"])): r for r in frame.to_dict("records")}


def line_value(row: dict | None, line: str) -> int | None:
    """A computed line in cents (line 10 scaled), None where the form skips it."""
    if row is None:
        return None
    v = row.get(f"L{line}")
    if v is None or v is _NA():
        return None
    return int(v)


def _NA():  # pandas missing-value singleton, imported lazily
    import pandas as pd

    return pd.NA
