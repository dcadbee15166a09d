"""The audit a range of taxpayers at a time (audit/run.Ranges): the writers get the findings in taxpayer ranges,
and every output is the same bytes as the whole ledger audited at once: audit --json, the table (at 60, 80 and
120 columns, and --wide), --explain, and the report's workbook (with its cell notes made a block of chains at a
time). On the demo and messy households, on generated multi-taxpayer ledgers (hypothesis), and on an account
named in two taxpayers' events with different account types (the one thing shared across taxpayers)."""

from __future__ import annotations

import itertools
import json
import random
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import basis_ledger.audit.run as run
import basis_ledger.render.fit as fit
from basis_ledger.audit.run import Ranges, audit_ranges, audit_view
from basis_ledger.cli import app
from basis_ledger.commands.audit import load_context
from basis_ledger.render import workbook
from tests.audit.helpers import AS_OF, build_ledger, messy_household_steps
from tests.audit.histories import consistent_documents, consistent_filings, history

ROOT = Path(__file__).resolve().parents[2]
WHOLE = 10**9  # rows: the whole ledger is one range


def _invoke(*args: str, columns: int = 120) -> tuple[int, str]:
    env = {"BASIS_LEDGER": None, "COLUMNS": str(columns), "LINES": "50", "NO_COLOR": "1", "TERM": "dumb"}
    res = CliRunner().invoke(app, list(args), env=env)
    if res.exception and not isinstance(res.exception, SystemExit):
        raise res.exception
    return res.exit_code, res.stdout


@pytest.fixture(scope="module")
def households(tmp_path_factory) -> Path:
    """The demo and messy households in one ledger: four taxpayers, filed forms and custodian documents."""
    db = tmp_path_factory.mktemp("ranges") / "households.db"
    for args in (
        *messy_household_steps(),
        ("import", str(ROOT / "sample_data" / "demo-household.csv")),
    ):
        code, out = _invoke("--ledger", str(db), *args)
        assert code == 0, (args, out)
    return db


def _parts(xlsx: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(xlsx) as z:  # docProps hold the time of writing
        return {n: z.read(n) for n in z.namelist() if not n.startswith("docProps/")}


def _outputs(db: Path, tmp: Path) -> dict[str, object]:
    out: dict[str, object] = {}
    base = ("--ledger", str(db))
    for name, args, columns in (
        ("json", ("audit", "--json"), 120),
        ("json-cents", ("audit", "--json", "--cents"), 120),
        ("table-120", ("audit",), 120),
        ("table-80", ("audit",), 80),
        ("table-60", ("audit",), 60),
        ("wide", ("audit", "--wide"), 80),
        ("explain", ("audit", "--explain"), 80),
        ("explain-3", ("audit", "--explain", "3"), 80),
        ("explain-code", ("audit", "--explain", "filed-mismatch"), 80),
        ("dana-2021", ("audit", "-t", "dana", "-y", "2021"), 120),
    ):
        out[name] = _invoke(*base, *args, "--as-of", AS_OF, columns=columns)
    xlsx = tmp / "report.xlsx"
    out["report"] = _invoke(*base, "report", "--xlsx", str(xlsx), "--as-of", AS_OF)
    out["report.xlsx"] = _parts(xlsx)
    return out


def test_households_audited_per_taxpayer_give_the_same_bytes(households, tmp_path, monkeypatch):
    ctx = load_context(str(households), None, 5, False, AS_OF)
    assert len(Ranges(ctx, 1)) == 4 == len({*ctx.events["taxpayer"]}) and len(Ranges(ctx, WHOLE)) == 1
    monkeypatch.setattr(run, "RANGE_ROWS", WHOLE)
    monkeypatch.setattr(run, "REPORT_RANGE_ROWS", WHOLE)
    whole = _outputs(households, tmp_path)
    assert whole["json"][0] == 1 and len(json.loads(whole["json"][1])) > 20  # errors among many findings
    # One range per taxpayer, the table printed 3 rows at a time, the notes made one chain at a time.
    monkeypatch.setattr(run, "RANGE_ROWS", 1)
    monkeypatch.setattr(run, "REPORT_RANGE_ROWS", 1)
    monkeypatch.setattr(fit, "PRINT_ROWS", 3)
    monkeypatch.setattr(workbook._Notes, "BLOCK", 1)
    ranged = _outputs(households, tmp_path)
    for name in whole:
        assert ranged[name] == whole[name], name


def test_the_json_writer_gets_the_findings_a_taxpayer_range_at_a_time(households, monkeypatch):
    from basis_ledger.commands import audit as command

    calls: list[list[str]] = []
    add = command._JsonSink.add
    monkeypatch.setattr(
        command._JsonSink, "add", lambda self, found: (calls.append([f.taxpayer for f in found]), add(self, found))[1]
    )
    monkeypatch.setattr(run, "RANGE_ROWS", 1)
    code, text = _invoke("--ledger", str(households), "audit", "--json", "--as-of", AS_OF)
    assert code == 1
    who = [sorted(set(c)) for c in calls if c]
    assert len(calls) == 4 and all(len(w) == 1 for w in who)  # one taxpayer per range
    assert [w[0] for w in who] == sorted(w[0] for w in who)  # in taxpayer order
    assert [f["taxpayer"] for f in json.loads(text)] == [t for c in calls for t in c]


def _ledger(path: Path, rng: random.Random) -> Path:
    """Several households' histories in one ledger, taxpayers renamed apart but account names shared (ANN-IRA
    belongs to ann0 and ann1), some filed lines and custodian boxes changed so that the audit finds things."""
    rows, filed, docs, people = [], [], [], {}
    for k in range(rng.randint(2, 4)):
        hrows, hpeople = history(rng, rich=rng.random() < 0.5)
        rename = {t: f"{t}{k}" for t in hpeople}
        rows += [rename[r.split(",", 1)[0]] + "," + r.split(",", 1)[1] for r in hrows]
        people |= {rename[t]: v for t, v in hpeople.items()}
        for f in consistent_filings(hrows, hpeople):
            if rng.random() < 0.3 and f["lines"]:
                line = rng.choice(sorted(f["lines"]))
                f["lines"][line] = str(int(float(f["lines"][line]) + 700)) if line != "10" else "0.5"
            if rng.random() < 0.8:
                filed.append({**f, "taxpayer": rename[f["taxpayer"]]})
        for d in consistent_documents(hrows):
            if rng.random() < 0.2:
                d["boxes"] = {
                    b: ("123.45" if b[:1].isdigit() or b.startswith("box1") else v) for b, v in d["boxes"].items()
                }
            docs.append({**d, "taxpayer": rename[d["taxpayer"]]})
    return build_ledger(path, rows, filed=filed, documents=docs, taxpayers=people)


def _same_whole_and_ranged(path: Path, rows: int) -> int:
    ctx = load_context(str(path), None, 5, False, AS_OF)
    whole = audit_view(ctx)
    parts = list(audit_ranges(load_context(str(path), None, 5, False, AS_OF), rows=rows))
    assert [f for p in parts for f in p] == whole
    assert [json.dumps(f.as_dict()) for p in parts for f in p] == [json.dumps(f.as_dict()) for f in whole]
    for p in parts:  # each range's findings: its own taxpayers, after the last range's
        assert p == sorted(p, key=run.sort_key)
    names = [sorted({f.taxpayer for f in p}) for p in parts if p]
    assert all(a[-1] < b[0] for a, b in itertools.pairwise(names))
    return len(whole)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False), rows=st.integers(1, 120))
def test_generated_ledgers_audited_in_ranges_give_the_same_findings(rng, rows):
    with tempfile.TemporaryDirectory() as d:
        _same_whole_and_ranged(_ledger(Path(d) / "l.db", rng), rows)


def test_the_generated_ledgers_have_findings_and_several_ranges(tmp_path):
    path = _ledger(tmp_path / "l.db", random.Random(3))
    ctx = load_context(str(path), None, 5, False, AS_OF)
    assert len(Ranges(ctx, 1)) >= 3
    assert _same_whole_and_ranged(path, 1) > 5


def test_an_account_named_in_two_taxpayers_events_is_typed_by_the_whole_ledger(tmp_path, monkeypatch):
    # SHARED is bea's Roth IRA in one event, but al's traditional IRA in three: over the whole ledger its events
    # say traditional, so bea's 5498 for it counts toward line 6 of her 2022 form. A range holding only bea
    # must say the same, not type the account by her one event.
    rows = [
        "al,2022-03-01,2022,SHARED,traditional,nondeductible_contribution,6000,",
        "al,2022-06-01,,SHARED,traditional,conversion,1000,",
        "al,2022-12-31,,SHARED,traditional,year_end_value,5000,",
        "bea,2022-03-01,2022,SHARED,roth,roth_contribution,5000,",
        "bea,2022-02-01,2022,BEA-IRA,traditional,nondeductible_contribution,2000,",
        "bea,2022-05-01,,BEA-IRA,traditional,conversion,2000,",
        "bea,2022-12-31,,BEA-IRA,traditional,year_end_value,1000,",
    ]
    docs = [{"form": "5498", "taxpayer": "bea", "tax_year": 2022, "account": "SHARED", "boxes": {"5": "900.00"}}]
    path = build_ledger(tmp_path / "l.db", rows, documents=docs)
    whole = audit_view(load_context(str(path), None, 5, False, AS_OF))
    assert any(f.code == "fmv-mismatch" and f.taxpayer == "bea" for f in whole)
    _same_whole_and_ranged(path, 1)
    # Without the whole ledger's account types the range for bea alone reads SHARED as a Roth IRA.
    bare = property(lambda self: None, lambda self, value: None)  # never given the whole ledger's
    monkeypatch.setattr(run, "RangeView", type("Bare", (run.AuditContext,), {"shared_account_types": bare}))
    alone = [f for p in audit_ranges(load_context(str(path), None, 5, False, AS_OF), rows=1) for f in p]
    assert not any(f.code == "fmv-mismatch" and f.taxpayer == "bea" for f in alone)


def test_no_data_for_a_year_reads_the_chains_spans_as_the_computed_lines_give_them(households, tmp_path):
    from basis_ledger.commands.audit import no_data_for
    from basis_ledger.model import InputError

    for path in (households, _ledger(tmp_path / "l.db", random.Random(5))):
        ctx = load_context(str(path), None, 5, False, AS_OF)
        known = {int(y) for f in (ctx.lines, ctx.filed_forms, ctx.documents) for y in f["tax_year"].unique()}
        for year in range(min(known) - 2, max(known) + 3):
            try:
                no_data_for(year, ctx)
                refused = False
            except InputError:
                refused = True
            assert refused == (year not in known), year


def test_streamed_output_stays_on_stdout_while_a_progress_bar_is_on_the_terminal(households, tmp_path):
    # The bar reroutes sys.stdout to the terminal while it is shown; the findings are written during it, so
    # the command must write them to the stdout it had before (a pipe here), the same bytes as without a bar.
    from tests.core.helpers import cli
    from tests.core.test_cli_output import _run_on_a_terminal

    for args in (["audit", "--json"], ["audit", "--explain"], ["audit"]):
        plain = cli(*args, "--as-of", AS_OF, ledger=households, env={"COLUMNS": "100"}, subprocess_=True)
        code, out, terminal = _run_on_a_terminal(["--ledger", str(households), *args, "--as-of", AS_OF], tmp_path)
        assert (code, out) == (plain.returncode, plain.stdout), args
        assert "audit" in terminal and "━" in terminal and '"code"' not in terminal, args


def test_the_columns_ranges_are_cut_from_are_the_loaders_combined():
    # Ranges cuts its views from the loader's columns with each Arrow text column of several chunks (one per
    # block) combined once (engine/columns.Columns.contiguous): the same values, in one array; a column of one
    # chunk, and numpy columns, are the very same objects
    import numpy as np
    import pyarrow as pa

    from basis_ledger.engine.columns import Columns

    chunked = pa.chunked_array([["a", "b"], ["c"], [None, "e"]])
    single = pa.chunked_array([["x", "y", "z", "w", "v"]])
    ints = np.arange(5, dtype=np.int64)
    columns = Columns({"t": chunked, "s": single, "n": ints}, 5)
    out = columns.contiguous()
    assert len(out) == 5 and out.names == ["t", "s", "n"]
    assert isinstance(out._data["t"], pa.Array) and out._data["t"].to_pylist() == ["a", "b", "c", None, "e"]
    assert out._data["s"] is single and out._data["n"] is ints
    assert out.take(np.array([4, 0])).texts("t").tolist() == ["e", "a"]
