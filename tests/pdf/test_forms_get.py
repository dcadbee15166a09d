"""`basis-ledger forms get YEAR`: the blank form fetched into the forms folder and checked, from a local mirror
(a file:// URL in $BASIS_LEDGER_IRS_URL stands in for irs.gov), and a clear message when it cannot be had."""

from __future__ import annotations

import json
from pathlib import Path

from tests.core.helpers import cli
from tests.pdf.formfixture import blank_form


def mirror(tmp: Path, years: dict[str, int]) -> str:
    folder = tmp / "irs-prior"
    folder.mkdir()
    for name, year in years.items():
        blank_form(folder / name, year)
    return f"file://{folder}/f8606--{{year}}.pdf"


def test_get_fetches_checks_and_fill_finds_it(tmp_path: Path) -> None:
    url = mirror(tmp_path, {"f8606--2021.pdf": 2021})
    forms = tmp_path / "forms"
    res = cli("forms", "get", "2021", "--forms-dir", str(forms), "--json", env={"BASIS_LEDGER_IRS_URL": url})
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout)
    target = forms / "f8606-2021.pdf"
    assert got["file"] == str(target) and target.is_file() and (target.stat().st_mode & 0o777) == 0o600
    again = cli("forms", "get", "2021", "--forms-dir", str(forms), env={"BASIS_LEDGER_IRS_URL": url})
    assert again.returncode == 0 and "already there" in again.stdout


def test_a_form_of_another_year_is_refused_and_not_kept(tmp_path: Path) -> None:
    url = mirror(tmp_path, {"f8606--2022.pdf": 2021})  # the 2021 revision where 2022's should be
    forms = tmp_path / "forms"
    res = cli("forms", "get", "2022", "--forms-dir", str(forms), env={"BASIS_LEDGER_IRS_URL": url})
    assert res.returncode == 2 and "a Form 8606 of 2021, not of 2022" in res.stderr
    assert not (forms / "f8606-2022.pdf").exists()


def test_not_a_pdf_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "f8606--2023.pdf"
    page.write_text("<html><body>Page not found</body></html>")
    res = cli(
        "forms",
        "get",
        "2023",
        "--forms-dir",
        str(tmp_path / "forms"),
        env={"BASIS_LEDGER_IRS_URL": f"file://{tmp_path}/f8606--{{year}}.pdf"},
    )
    assert res.returncode == 2 and "not a PDF" in res.stderr


def test_offline_says_what_to_do(tmp_path: Path) -> None:
    url = "http://127.0.0.1:9/irs-prior/f8606--{year}.pdf"  # nothing listens on the discard port
    res = cli("forms", "get", "2019", "--forms-dir", str(tmp_path / "forms"), env={"BASIS_LEDGER_IRS_URL": url})
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "cannot download" in res.stderr and "Offline?" in res.stderr
    assert "https://www.irs.gov/pub/irs-prior/f8606--2019.pdf" in res.stderr


def test_fill_without_a_blank_names_the_command(tmp_path: Path) -> None:
    ledger = tmp_path / "l.db"
    csv = tmp_path / "h.csv"
    csv.write_text(
        "taxpayer,date,tax_year,account,account_type,event,amount,memo\n"
        "ed,2019-03-01,2019,IRA-1,traditional,nondeductible_contribution,6000,\n"
    )
    assert cli("import", str(csv), ledger=ledger).returncode == 0
    res = cli(
        "fill",
        "-t",
        "ed",
        "-y",
        "2019",
        "-o",
        str(tmp_path / "out.pdf"),
        "--forms-dir",
        str(tmp_path / "f"),
        ledger=ledger,
    )
    assert res.returncode == 2 and "basis-ledger forms get 2019" in res.stderr
