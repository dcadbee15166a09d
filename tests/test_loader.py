"""The loader: one `load(ledger, options) -> Loaded` in front of the engine; every computed frame is checked."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

from basis_ledger.audit.context import AuditContext
from basis_ledger.loader import Loaded, LoadOptions, load
from basis_ledger.model import InputError
from tests.core.helpers import cli, csv_text, events_from

SRC = Path(__file__).resolve().parents[1] / "src" / "basis_ledger"
HISTORY = csv_text(
    "ed,2022-12-31,2022,,traditional,basis_opening,1000,",
    "ed,2023-05-01,2023,IRA-1,traditional,nondeductible_contribution,6500,",
    "ed,2023-06-01,,IRA-1,traditional,conversion,7000,",
    "ed,2023-12-31,,IRA-1,traditional,year_end_value,500.50,",
)


@pytest.fixture
def ledger(tmp_path, ledger_db):
    """The history imported into a ledger on each engine in turn (tests/engines.py)."""
    path = tmp_path / "h.csv"
    path.write_text(HISTORY)
    assert cli("import", str(path), ledger=ledger_db.location).returncode == 0  # type: ignore[arg-type]
    return ledger_db.path()


def test_load_gives_everything_once(ledger):
    loaded = load(ledger, LoadOptions(documents=True, cents=True))
    assert set(loaded.events["kind"]) == {"basis_opening", "nondeductible_contribution", "conversion", "year_end_value"}
    assert loaded.options.cents and loaded.lines is loaded.cents_lines
    assert loaded.lines is loaded.computed_lines(True)  # computed once
    whole = loaded.whole_lines
    assert int(whole.loc[whole["tax_year"] == 2023, "L16"].iloc[0]) == 700000  # cents, whole dollars
    ctx = AuditContext.of(loaded)
    assert ctx.inputs is loaded.inputs and ctx.lines is whole  # the audit reuses what was computed


@pytest.mark.parametrize("cents", [False, True])
def test_lines_only_gives_the_lines_and_lets_the_events_go(ledger, cents):
    kept, freed = load(ledger, LoadOptions(cents=cents)), load(ledger, LoadOptions(cents=cents))
    lines = freed.lines_only(cents)
    pd.testing.assert_frame_equal(lines.frame(), kept.line_columns(cents).frame())
    assert freed.lines_only(cents) is lines  # computed once
    assert freed._columns is None and freed.inputs.routed is None  # what only the audit and workbook read


def test_unknown_taxpayer_and_bad_places_are_bad_input(ledger):
    with pytest.raises(InputError, match="no events for taxpayer 'zed'"):
        load(ledger, LoadOptions(taxpayer="zed"))
    with pytest.raises(InputError, match="3 to 9"):
        load(ledger, LoadOptions(ratio_places=2))


def test_every_computed_frame_is_checked_also_for_the_audit(ledger, monkeypatch):
    import basis_ledger.engine.invariants as invariants

    monkeypatch.setattr(invariants, "broken_rules", lambda frame, opts: ["3-rule"])
    with pytest.raises(RuntimeError, match="3-rule"):
        _ = load(ledger).lines
    with pytest.raises(RuntimeError, match="3-rule"):
        _ = load(ledger).lines_only(False)  # compute's and basis's way: the events let go first
    from basis_ledger.commands.audit import load_context

    ctx = load_context(str(ledger), None, 5, False, "2026-01-01")
    with pytest.raises(RuntimeError, match="3-rule"):
        _ = ctx.lines  # the audit's context used to skip the check that compute ran
    with pytest.raises(RuntimeError, match="3-rule"):
        _ = Loaded(events_from(HISTORY), {}).cents_lines  # the planner's in-memory histories too


def _imports(module: str, name: str) -> set[str]:
    """Modules of src/ that import `name` from `module`."""
    found = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == module and name in {a.name for a in node.names}:
                found.add(str(path.relative_to(SRC)))
    return found


def _calls(name: str) -> set[str]:
    """Modules of src/ that call a function named `name`."""
    found = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                f = node.func
                called = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
                if called == name:
                    found.add(str(path.relative_to(SRC)))
    return found


def test_nothing_else_calls_the_engine():
    assert _calls("compute_lines") == {"loader.py"}
    # form8606.compute from compute_lines, and the audit pool's basis estimate (5830356): it reads only the
    # basis_end state of stand-in taxpayers' chains, never lines anyone prints or files, so it needs no check.
    estimate = {"audit/pool.py"}
    assert _calls("compute") <= {"engine/results.py", *estimate}
    builders = _imports("basis_ledger.engine.inputs", "build")  # engine.inputs.build, not another class's build
    assert "loader.py" in builders and not {
        m for m in builders if m.startswith(("audit/", "plan/", "render/", "commands/")) and m not in estimate
    }
