"""Issue 13: a progress bar (rich, on stderr) on every command that can take more than a second on a big ledger,
shown only when stderr is a terminal, never on stdout: the same stdout bytes with and without it."""

import pytest

from tests.core.helpers import cli
from tests.core.test_cli_output import LONG, TEXT, _run_on_a_terminal


@pytest.fixture
def loaded(tmp_path):
    ledger = tmp_path / "ledger.db"
    (tmp_path / LONG).write_text(TEXT)
    assert cli("import", str(tmp_path / LONG), ledger=ledger).returncode == 0
    assert cli("account", "set", "IRA-ROLLOVER-0000123456789", "--owner", "ed", "--type", "traditional", ledger=ledger)
    return ledger


def _both(args: list[str], tmp_path, ledger) -> tuple[str, str]:
    """(what the terminal showed, stdout) of the command on a pseudo-terminal, after checking that stdout and
    the exit code are those of the same command piped, and that the piped run's stderr has no bar."""
    code, out, terminal = _run_on_a_terminal(["--ledger", str(ledger), *args], tmp_path)
    piped = cli(*args, ledger=ledger, env={"COLUMNS": "100"}, subprocess_=True)
    assert (code, out) == (piped.returncode, piped.stdout), (args, terminal)
    assert "━" not in piped.stderr, args  # (stdout may hold a table's rules: it equals the piped run's)
    return terminal, out


@pytest.mark.parametrize(
    ("args", "label"),
    [
        (["compute"], "compute"),
        (["compute", "--json"], "compute"),
        (["compute", "--csv", "--year", "2023"], "compute"),
        (["basis"], "basis"),
        (["basis", "--json"], "basis"),
        (["events", "--csv"], "events"),
        (["events", "--voided"], "events"),
        (["plan", "backdoor", "-t", "ed", "-y", "2024", "--amount", "7,000"], "plan"),
        (["plan", "backdoor", "-t", "ed", "-y", "2024", "--amount", "7,000", "--json"], "plan"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_reading_commands_show_a_bar_on_a_terminal_only(loaded, tmp_path, args, label):
    terminal, _ = _both(args, tmp_path, loaded)
    assert label in terminal and "━" in terminal, (args, terminal)  # a rich bar, on the terminal


def test_inspect_of_several_files_counts_them_on_a_terminal_only(loaded, tmp_path):
    files = []
    for n in range(3):
        files.append(tmp_path / f"part{n}.csv")
        files[-1].write_text(TEXT)
    terminal, out = _both(["inspect", "--json", *map(str, files)], tmp_path, loaded)
    assert "inspecting" in terminal and "━" in terminal and "3/3" in terminal, terminal
    assert out.count('"file"') == 3


def test_fill_shows_a_bar_on_a_terminal_only(loaded, tmp_path):
    from tests.pdf.formfixture import blank_form

    blank = tmp_path / "blank.pdf"
    blank_form(blank, 2023)
    args = ["fill", "-t", "ed", "-y", "2023", "--form", str(blank), "-o", str(tmp_path / "f.pdf"), "--json"]
    terminal, out = _both(args, tmp_path, loaded)
    assert "fill" in terminal and "━" in terminal, terminal
    assert '"tax_year": 2023' in out


def test_ledger_copy_shows_a_bar_on_a_terminal_only(loaded, tmp_path):
    code, out, terminal = _run_on_a_terminal(["ledger", "copy", str(loaded), str(tmp_path / "copy.db")], tmp_path)
    assert code == 0 and "copying" in terminal and "━" in terminal, terminal
    piped = cli("ledger", "copy", str(loaded), str(tmp_path / "copy2.db"), subprocess_=True)
    assert piped.returncode == 0 and piped.stderr == "" and piped.stdout == out.replace("copy.db", "copy2.db")


def test_import_of_one_file_shows_a_moving_bar_on_a_terminal_only(tmp_path):
    (tmp_path / LONG).write_text(TEXT)
    code, out, terminal = _run_on_a_terminal(["--ledger", str(tmp_path / "a.db"), "import", LONG], tmp_path)
    assert code == 0 and "reading" in terminal and "━" in terminal, terminal
    piped = cli("import", str(tmp_path / LONG), ledger=tmp_path / "b.db", subprocess_=True)
    assert piped.returncode == 0 and "━" not in piped.stderr
    assert piped.stdout.replace("b.db", "a.db").replace(str(tmp_path / LONG), LONG) == out
