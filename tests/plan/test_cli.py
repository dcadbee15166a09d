"""`basis-ledger plan` as the user runs it: the story's three timings, exit codes, JSON, bad input, no writes.

The story and bad input run as real processes; the other cases run the same app in-process (faster).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from basis_ledger.cli import app
from tests.engines import LedgerUnderTest, database
from tests.plan.helpers import SAMPLES, cli, cli_json, csv_text

STORY = SAMPLES / "story-ledger.csv"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def ledger(request, tmp_path_factory) -> Iterator[LedgerUnderTest]:
    """The story's ledger, imported once per engine (tests/engines.py) and shared by this module's cases: none
    of them writes (the first checks that)."""
    if request.param == "sqlite":
        db = LedgerUnderTest("sqlite", str(tmp_path_factory.mktemp("plan") / "story.db"))
        drop = None
    else:
        db, drop = database(request.getfixturevalue("pg_server"))
    res = cli("import", str(STORY), ledger=db)
    assert res.returncode == 0, res.stderr
    yield db
    if drop:
        drop()


def run(ledger: LedgerUnderTest, *args: str):
    return CliRunner(env={"BASIS_LEDGER": str(ledger), "COLUMNS": "100"}).invoke(app, ["plan", *args])


def run_json(ledger: LedgerUnderTest, *args: str, code: int = 0) -> dict:
    res = run(ledger, *args, "--json")
    assert res.exit_code == code, (res.exit_code, res.stderr)
    return json.loads(res.stdout)


def test_three_timings_of_the_story(ledger):
    before = ledger.digest()
    dec = cli_json("plan", str(SAMPLES / "story-december.csv"), ledger=ledger, code=1)
    assert set(dec) == {"taxpayer", "tax_year", "before", "after", "taxable_change", "findings"}
    assert (dec["taxpayer"], dec["tax_year"], dec["after"]["18"], dec["taxable_change"]) == ("sam", 2026, 64697, 64697)
    assert {f["code"]: f["severity"] for f in dec["findings"]} == {
        "pro-rata-exposure": "warning",
        "rollback-same-year": "error",
    }
    for name in ("story-january.csv", "story-never.csv"):
        doc = cli_json("plan", str(SAMPLES / name), ledger=ledger)
        assert (doc["after"]["18"], doc["taxable_change"], doc["findings"]) == (0, 0, [])
    assert ledger.digest() == before  # the ledger is never written


def test_basis_into_the_plan_exits_1_with_the_error(ledger):
    doc = run_json(ledger, str(SAMPLES / "story-basis-to-plan.csv"), "--taxpayer", "sam", code=1)
    (f,) = [f for f in doc["findings"] if f["code"] == "basis-to-plan"]
    assert (f["expected"], f["found"]) == ("at most $218,000", 310000)  # a plain amount is a JSON number
    assert f["evidence"][0] == {
        "file": str(SAMPLES / "story-basis-to-plan.csv"),
        "where": "line 2",
        "what": "rollover_to_plan 2026-01-15 SCH-IRA-4410 = $310,000",
    }


def test_isolate_and_backdoor_json(ledger):
    iso = run_json(ledger, "isolate", "--taxpayer", "sam", "--year", "2026")
    assert [(s["event"], s["amount"]) for s in iso["steps"]] == [
        ("rollover_to_plan", 218000),
        ("conversion", 92000),
        ("rollover_from_plan", 218000),
    ]
    bd = run_json(ledger, "backdoor", "-t", "sam", "-y", "2026", "--amount", "7,500")
    # L5 = 99,500; L9 = 317,500; L10 = 0.31339; L11 = 2,350.425 -> 2,350; L18 = 5,150.
    assert (bd["after"]["18"], bd["taxable_change"], bd["pre_tax_year_end"]) == (5150, 5150, 218000)


def test_people_get_a_table(ledger):
    res = run(ledger, str(SAMPLES / "story-december.csv"))
    assert res.exit_code == 1
    assert "Before" in res.stdout and "64,697" in res.stdout and "rollback-same-year" in res.stdout


def test_bad_what_if_file_exits_2_with_one_line_per_problem(ledger, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        csv_text(
            "sam,2026-01-15,,SCH-IRA-4410,traditional,rollover_to_plan,-5,",
            "sam,2026-13-01,,SCH-IRA-4410,traditional,conversion,5,",
        )
    )
    res = cli("plan", str(bad), ledger=ledger)
    assert res.returncode == 2 and res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert re.search(r"bad\.csv:2: column amount: negative amount", lines[0])
    assert re.search(r"bad\.csv:3: column date: impossible or malformed date", lines[1])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("backdoor", "--taxpayer", "sam", "--year", "2026"), "--amount"),
        (("isolate", "--taxpayer", "sam"), "--year"),
        (("isolate", "--taxpayer", "sam", "--year", "2025"), "31 December 2025"),
        (("isolate", "--taxpayer", "nobody", "--year", "2026"), "no events for taxpayer 'nobody'"),
    ],
)
def test_bad_options_exit_2(ledger, args, message):
    res = run(ledger, *args)
    assert res.exit_code == 2 and message in res.stderr, res.stderr
