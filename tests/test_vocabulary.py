"""One name for one thing: the message words (Problem, Caution, Finding) and the names the review found twice."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "basis_ledger"


def _definitions() -> Counter:
    names: Counter = Counter()
    for path in SRC.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                names[node.name] += 1
            elif isinstance(node, ast.Assign):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


@pytest.mark.parametrize("name", ["Row", "event_evidence", "Context", "Problem", "Caution", "Finding"])
def test_defined_once(name):
    assert _definitions()[name] == 1, name


@pytest.mark.parametrize("module", ["reconcile.py", "positions.py", "registry.py"])
def test_module_name_used_once(module):
    assert len(list(SRC.rglob(module))) <= 1, module


def test_computed_years_carry_cautions():
    from basis_ledger.engine.form8606 import Options
    from basis_ledger.engine.results import compute_lines
    from tests.core.helpers import csv_text, events_from

    frame = compute_lines(
        events_from(csv_text("ed,2023-05-01,2023,IRA-1,traditional,nondeductible_contribution,6500,")), {}, Options()
    )
    assert "cautions" in frame.columns and "warnings" not in frame.columns
    assert all(isinstance(cs, list) for cs in frame["cautions"])


def test_money_text_has_one_home():
    from basis_ledger import money as m
    from basis_ledger.audit.context import dollars, parse_money
    from basis_ledger.audit.rules.common import money
    from basis_ledger.engine.form8606 import Options
    from basis_ledger.engine.objects import money_value

    for cents in (0, 5, 100, 123456, -150, 700000):
        assert money(cents) == dollars(cents) == m.dollars_text(cents)
        assert money_value(cents, Options(cents=True)) == m.json_amount(cents, keep_cents=True)
    assert parse_money("$5,174.48") == m.parse_printed("5174.48") == 517448


# Money text written or read by hand: the shapes the renderers and importers used before money.py had them.
_MONEY_TEXT = {
    "two decimals by format spec": r":,?\.2f\}",
    "cents digits after a point": r"\.\{[^{}]*:02d\}",
    "dollars from cents in an f-string": r"/ ?100\b[^{}]*:,?[.0-9a-z]*\}",
    "text to cents by Decimal": r"scaleb\(2\)|Decimal\([^()]*\) \* 100\b|\* 100 > ",
    "cents by quantize": r"quantize\(Decimal\([\"']0\.01[\"']\)\)",
    "cents padded by hand": r"ljust\(2, [\"']0[\"']\)",
    "thousands separators on an amount": r"\{(v|value|amount|dollars|cents|whole)(\[[^]]*\])?:,\}",
}


@pytest.mark.parametrize("shape", sorted(_MONEY_TEXT))
def test_money_text_only_in_money_py(shape):
    """Money is formatted and parsed in money.py only (format_cents, amount_text, form_boxes, json_amount,
    parse_signed_cents, text_cents ...); a renderer or an importer that writes its own is caught here."""
    import re

    pattern = re.compile(_MONEY_TEXT[shape])
    hits = [
        f"{path.relative_to(SRC)}:{n}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "money.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert hits == [], "\n".join(hits)


@pytest.mark.parametrize(
    "text",
    [
        'f"{v:.2f}"',
        'f"{dollars:,}.{cents:02d}"',
        "f\"{amt['14'] / 100:,.2f}\"",
        "int(Decimal(t).scaleb(2))",
        "int(Decimal(text) * 100)",
        "if dec * 100 > MAX_EVENT_CENTS:",
        "f\"{dec.quantize(Decimal('0.01'))}\"",
        "f\"{int(plain[1])}.{(plain[2] or '').ljust(2, '0')}\"",
        'f"{v:,}"',
        'f"(about ${v // 100:,})"',
    ],
)
def test_money_text_scan_catches(text):
    """The scan above is not vacuous: each shape removed from the renderers and importers is caught."""
    import re

    assert any(re.search(p, text) for p in _MONEY_TEXT.values()), text


def test_import_notes_are_cautions():
    """No fourth kind of message: what an import tells the user without stopping is a Caution (code, sentence,
    file, line), printed as `warning: FILE:LINE: sentence`, as the import always printed it."""
    import dataclasses

    from basis_ledger.ingest.base import Extracted
    from basis_ledger.ledger.importing import FileResult
    from basis_ledger.model import Caution

    assert "notes" not in {f.name for f in dataclasses.fields(Extracted)}
    assert "notes" not in {f.name for f in dataclasses.fields(FileResult)}
    c = Caution("tax-year-from-date", "counted for 2024 by its date", "/x/h.csv", 7)
    assert str(c) == "/x/h.csv:7: counted for 2024 by its date"
    assert str(Caution("account-type-from-name", "taken as roth", "h.csv")) == "h.csv: taken as roth"
    assert c.as_dict() == {"code": "tax-year-from-date", "message": "counted for 2024 by its date"}
    result = FileResult("h.csv", "ab", "fidelity", 1, "imported", {}, (c,))
    assert list(result.as_json()) == [
        "file",
        "sha256",
        "importer",
        "events",
        "status",
        "skipped",
        "notes",
        "recorded",
        "recognised",
    ]
    assert result.as_json()["notes"] == [str(c)]
