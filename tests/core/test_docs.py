"""Documentation that mirrors data must not drift from it."""

from pathlib import Path

from basis_ledger.model import kinds

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_event_kind_is_documented_with_its_lines():
    text = (DOCS / "events.md").read_text()
    for kind in kinds().values():
        row = next((line for line in text.splitlines() if line.startswith(f"| `{kind.name}` |")), None)
        assert row is not None, f"{kind.name} missing from docs/events.md"
        assert row.split("|")[2].strip() == (", ".join(kind.lines) or "-")


def test_every_engine_warning_code_is_documented():
    src = (Path(__file__).resolve().parents[2] / "src/basis_ledger/engine/results.py").read_text()
    doc = (DOCS / "engine.md").read_text()
    import re

    body = src[src.index("def _cautions") : src.index("def check_lines")]
    codes = re.findall(r'\(\s*"([a-z0-9-]+)",', body)
    assert len(codes) >= 6, codes
    for code in codes:
        assert f"`{code}`" in doc, code
