"""The issue's reproductions that had no test of their own: each fails on the code before the issue's fixes."""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path

import pytest

from tests.core.helpers import HEADER, cli
from tests.robust.helpers import assert_refused, fingerprint, good_ledger, run

GOLDEN = Path(__file__).resolve().parents[1] / "ingest" / "golden"


def test_a_whole_ssn_in_a_pdf_name_field_is_masked_in_inspect_and_the_ledger(tmp_path):
    from pypdf import PdfReader, PdfWriter

    from tests.pdf.formfixture import blank_form

    blank = tmp_path / "blank.pdf"
    names = blank_form(blank, 2024)
    writer = PdfWriter(clone_from=PdfReader(blank))
    values = {"name": "Ed Q. Sample 123-45-6789", "line_1": "7000", "line_2": "5000", "line_3": "12000"}
    writer.update_page_form_field_values(None, {names[k]: v for k, v in values.items()}, auto_regenerate=False)
    pdf = tmp_path / "f8606.pdf"
    with open(pdf, "wb") as fh:
        writer.write(fh)
    ledger = tmp_path / "l.db"
    said = ""
    for args in (("inspect", str(pdf)), ("inspect", str(pdf), "--json")):
        res = cli(*args)
        assert res.returncode in (0, 1), res.stderr
        said += res.stdout + res.stderr
    assert "Ed Q. Sample" in said  # the name field is read...
    res = cli("import", str(pdf), "--taxpayer", "ed", ledger=ledger)
    assert res.returncode == 0, res.stderr
    said += res.stdout + res.stderr + cli("events", "--json", ledger=ledger).stdout
    assert "XXX-XX-6789" in said
    assert "123-45-6789" not in said  # ...and the SSN in it never printed
    assert b"123-45-6789" not in ledger.read_bytes()  # nor stored


@pytest.mark.parametrize("family", ["1099-R CSV", "custodian CSV"])
def test_tax_form_and_custodian_problems_are_capped_per_file(tmp_path, family):
    """The generic importer always capped its problems; these two printed every one (36,362 lines for a file)."""
    if family == "1099-R CSV":
        header, row = (GOLDEN / "form1099r-2024.csv").read_text().splitlines()[:2]
        rows = [row.replace('"7,012.40"', f"12x{i}", 1) for i in range(2_000)]
        assert rows[0] != row
    else:
        lines = (GOLDEN / "History_for_Account_X11111111.csv").read_text(encoding="utf-8-sig").splitlines()
        header = "\n".join(lines[:2])
        row = "03/{:02d}/2024,MYSTERY ACTION {} (Cash),,No Description,Cash,,0.000,,,,{},0,"
        rows = [row.format(1 + i % 28, i, i + 1) for i in range(2_000)]
    path = tmp_path / "History_for_Account_X11111111.csv"  # the account is in a Fidelity file's name
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    ledger = tmp_path / "l.db"
    cli("account", "set", "X11111111", "--owner", "ed", "--type", "traditional", ledger=ledger)
    before = fingerprint(ledger)
    res = cli("import", str(path), "--taxpayer", "ed", ledger=ledger)
    assert_refused(res, path.name)
    assert len(res.stderr.splitlines()) <= 52, len(res.stderr.splitlines())
    assert "more" in res.stderr.splitlines()[-1], res.stderr.splitlines()[-1]
    assert fingerprint(ledger) == before


def test_an_echoed_value_is_bounded_and_cannot_split_a_message(tmp_path):
    huge = "1" * 4_000_000 + "x"  # the issue saw a 4 MB line
    rows = [
        f"ed,2023-02-01,2023,IRA,traditional,nondeductible_contribution,{huge},",
        'ed,2023-02-01,2023,IRA,traditional,nondeductible_contribution,"12\r\nfake: line 9: forged",',
    ]
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", newline="")
    res = cli("import", str(path), ledger=tmp_path / "l.db")
    assert_refused(res, "bad.csv")
    assert len(res.stderr) < 4_000, len(res.stderr)
    assert all(line.startswith(str(path)) for line in res.stderr.splitlines()), res.stderr  # no forged line
    assert "\r" not in res.stderr


def test_pypdf_warnings_about_a_damaged_pdf_stay_off_stderr(tmp_path):
    """A wrong startxref offset and a broken xref table: pypdf recovers, and warns about it (to stderr)."""
    from tests.pdf.formfixture import printed_form

    pdf = tmp_path / "f8606.pdf"
    printed_form(pdf, 2024, {"1": "7000", "2": "5000", "3": "12000", "14": "12000"}, name="Ed Q. Sample")
    data = pdf.read_bytes()
    at = data.rindex(b"startxref")
    damaged = data[:at] + b"startxref\n1234567\n%%EOF\n"
    damaged = damaged.replace(b" 00000 n", b" 00000 x", 3)
    bad = tmp_path / "damaged.pdf"
    bad.write_bytes(damaged)
    res = run("import", str(bad), "--taxpayer", "ed", ledger=tmp_path / "l.db")
    assert res.returncode in (0, 2), res.stderr
    ours = [line for line in res.stderr.splitlines() if line.startswith((str(bad), "created new ledger"))]
    assert ours == res.stderr.splitlines(), res.stderr  # every line on stderr is one of ours, none pypdf's


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs POSIX interval timers")
def test_a_report_killed_at_any_moment_leaves_the_old_file_or_the_new_one_whole(tmp_path):
    """A timer set before exec (timers survive exec) kills `report` with SIGALRM at one moment after another:
    the output is always the previous report or a complete new one, never a partial file."""
    from openpyxl import load_workbook

    ledger = good_ledger(tmp_path)
    out = tmp_path / "report.xlsx"
    out.write_bytes(b"previous report\n")
    previous = out.read_bytes()
    outcomes = set()
    for tenths in range(4, 60, 3):

        def kill_later(after=tenths / 10):
            signal.setitimer(signal.ITIMER_REAL, after)

        res = run("report", "--xlsx", str(out), ledger=ledger, preexec_fn=kill_later)
        outcomes.add("killed" if res.returncode == -signal.SIGALRM else res.returncode)
        if out.read_bytes() != previous:
            load_workbook(out, read_only=True).close()  # a complete workbook, or this raises
            previous = out.read_bytes()
        assert sqlite3.connect(ledger).execute("PRAGMA integrity_check").fetchone() == ("ok",)
        if outcomes >= {"killed", 0}:
            break
    assert "killed" in outcomes, outcomes  # some run was really killed part way
    visible = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
    assert visible == ["good.csv", "ledger.db", "report.xlsx"], visible
