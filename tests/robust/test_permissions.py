"""Permission bits, tested for real: the command line run by an identity the bits apply to.

Root ignores permission bits (CAP_DAC_OVERRIDE), and the suite runs as root in CI, so a chmod alone tests
nothing. As root these tests run basis-ledger as `nobody` (setpriv, else runuser) in a folder under /tmp that
nobody owns. Where nobody cannot reach this checkout or its Python (a clean clone in a private mktemp folder),
they run it as root with the permission-bypassing capabilities dropped from its bounding set (setpriv), which
makes the bits bind root too. Not root: the bits already bind the current user. Every refusal must be exit 2,
one line naming the path, no traceback, and nothing written anywhere in the folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.pdf.formfixture import blank_form
from tests.pdf.helpers import make_ledger, scenario
from tests.robust.helpers import GOOD

# Root's capabilities that skip permission checks: without them the bits bind root as they bind anyone.
_BYPASS = "-dac_override,-dac_read_search,-fowner,-chown,-fsetid"


@dataclass(frozen=True)
class Who:
    prefix: tuple[str, ...]  # what runs a command as this identity
    uid: int
    gid: int
    what: str


def _env(home: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k not in ("BASIS_LEDGER", "BASIS_LEDGER_DEBUG", "HOME")}
    return keep | {"HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1"}


def _works(prefix: tuple[str, ...], where: Path) -> bool:
    """Whether this identity can run basis-ledger at all from `where` (it may not reach the checkout)."""
    probe = [*prefix, sys.executable, "-c", "import basis_ledger.cli"]
    try:
        res = subprocess.run(probe, cwd=where, env=_env(where), capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return res.returncode == 0


def _chown_tree(path: Path, uid: int, gid: int) -> None:
    for p in (path, *path.rglob("*")):
        os.lchown(p, uid, gid)


@pytest.fixture(scope="module")
def who() -> Iterator[tuple[Who, Path]]:
    """The identity the bits bind, and a folder under /tmp it owns (removed at the end)."""
    base = Path(tempfile.mkdtemp(prefix="basis-ledger-perm-", dir="/tmp"))
    os.chmod(base, 0o755)
    try:
        yield _choose(base), base
    finally:
        for p in (base, *base.rglob("*")):  # give every folder back its bits so it can be removed
            if p.is_dir() and not p.is_symlink():
                os.chmod(p, 0o755)
        shutil.rmtree(base, ignore_errors=True)


def _choose(base: Path) -> Who:
    if os.geteuid() != 0:
        return Who((), os.geteuid(), os.getegid(), f"the current user (uid {os.geteuid()})")
    import pwd

    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        nobody = None
    if os.environ.get("BASIS_LEDGER_TEST_PERMS") == "nocaps":  # to exercise the fallback where nobody works too
        nobody = None
    if nobody is not None:
        os.chown(base, nobody.pw_uid, nobody.pw_gid)
        setpriv = shutil.which("setpriv")
        runuser = shutil.which("runuser")
        tries = []
        if setpriv:
            tries.append((setpriv, f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"))
        if runuser:
            tries.append((runuser, "-u", "nobody", "--"))
        for prefix in tries:
            if _works(prefix, base):
                return Who(prefix, nobody.pw_uid, nobody.pw_gid, f"nobody (uid {nobody.pw_uid}) via {prefix[0]}")
        os.chown(base, 0, 0)
    setpriv = shutil.which("setpriv")
    if setpriv:
        prefix = (setpriv, f"--bounding-set={_BYPASS}", f"--inh-caps={_BYPASS}")
        if _works(prefix, base):
            return Who(prefix, 0, 0, "root without the permission-bypassing capabilities (setpriv)")
    pytest.skip(
        "root here, and neither setpriv nor runuser can run basis-ledger as an identity that permission bits bind "
        "(nobody cannot reach this checkout, and setpriv is missing): these cases cannot be shown as root"
    )


@pytest.fixture
def place(who, request) -> Path:
    """A fresh folder owned by the identity."""
    me, base = who
    folder = base / request.node.name.replace("[", "-").replace("]", "").replace("/", "-")
    folder.mkdir()
    os.chown(folder, me.uid, me.gid)
    return folder


def run_as(me: Who, place: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*me.prefix, sys.executable, "-m", "basis_ledger", *args],
        cwd=place,
        env=_env(place),
        capture_output=True,
        text=True,
        timeout=300,
    )


def tree(folder: Path) -> dict[str, tuple]:
    """Every path under the folder with its mode, owner and content hash: what 'nothing written' compares."""
    out = {}
    for p in sorted(folder.rglob("*")):
        st = p.lstat()
        digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None
        out[str(p.relative_to(folder))] = (st.st_mode, st.st_uid, st.st_size, digest)
    return out


def refused(res: subprocess.CompletedProcess[str], path: Path, *needles: str) -> None:
    """Exit 2 and exactly one clear line, naming the path, with no traceback."""
    assert res.returncode == 2, (res.returncode, res.stdout[-300:], res.stderr[-2000:])
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr, res.stderr
    assert str(path) in lines[0], (str(path), lines[0])
    for n in needles:
        assert n in lines[0], (n, lines[0])


def _good_csv(place: Path, me: Who) -> Path:
    src = place / "statement.csv"
    src.write_text(GOOD)
    os.chown(src, me.uid, me.gid)
    return src


def _ledger(place: Path, me: Who, name: str = "ledger.db") -> Path:
    ledger = make_ledger(place / name, scenario(2024))
    for p in place.glob(f"{name}*"):
        os.chown(p, me.uid, me.gid)
    return ledger


def _locked(place: Path, me: Who, name: str) -> Path:
    folder = place / name
    folder.mkdir()
    os.chown(folder, me.uid, me.gid)
    return folder


def _seal(folder: Path, mode: int) -> None:
    os.chmod(folder, mode)


def test_the_identity_is_bound_by_permission_bits(who, place):
    """The premise of this file: a folder without search permission really stops the identity."""
    me, _ = who
    print(f"permission tests run as {me.what}")
    sealed = _locked(place, me, "sealed")
    (sealed / "x").write_text("x")
    _seal(sealed, 0o600)
    res = subprocess.run([*me.prefix, sys.executable, "-c", f"open({str(sealed / 'x')!r})"], capture_output=True)
    assert res.returncode != 0 and b"PermissionError" in res.stderr, (me.what, res.stderr)


def test_an_input_in_a_folder_without_search_permission(who, place):
    me, _ = who
    ledger = _ledger(place, me)
    locked = _locked(place, me, "locked")
    src = _good_csv(locked, me)
    _seal(locked, 0o600)  # readable listing, but no search (x): the file inside cannot be opened
    before = tree(place)
    res = run_as(me, place, "--ledger", str(ledger), "import", str(src))
    refused(res, src, "permission denied")
    assert tree(place) == before


def test_an_input_in_an_unsearchable_folder_creates_no_ledger(who, place):
    me, _ = who
    locked = _locked(place, me, "locked")
    src = _good_csv(locked, me)
    _seal(locked, 0o600)
    before = tree(place)
    res = run_as(me, place, "--ledger", str(place / "new.db"), "import", str(src))
    refused(res, src, "permission denied")
    assert tree(place) == before  # no ledger, no temporary file


@pytest.mark.parametrize("command", ["import", "compute"])
def test_a_ledger_in_a_folder_without_search_permission(who, place, command):
    me, _ = who
    locked = _locked(place, me, "locked")
    ledger = _ledger(locked, me)
    src = _good_csv(place, me)
    _seal(locked, 0o600)
    before = tree(place)
    args = ("import", str(src)) if command == "import" else ("compute",)
    res = run_as(me, place, "--ledger", str(ledger), *args)
    refused(res, ledger, "permission denied")  # not "no ledger here yet": it may well be there
    assert tree(place) == before


def test_a_new_ledger_in_a_folder_without_write_permission(who, place):
    me, _ = who
    shut = _locked(place, me, "shut")
    _seal(shut, 0o555)
    src = _good_csv(place, me)
    before = tree(place)
    res = run_as(me, place, "--ledger", str(shut / "ledger.db"), "import", str(src))
    refused(res, shut / "ledger.db", "permission denied")  # the ledger, not our temporary file beside it
    assert tree(place) == before


def test_an_unreadable_ledger_is_refused_by_name(who, place):
    me, _ = who
    ledger = _ledger(place, me)
    os.chmod(ledger, 0o200)
    before = tree(place)
    res = run_as(me, place, "--ledger", str(ledger), "compute")
    refused(res, ledger, "permission denied")
    assert tree(place) == before


def test_a_ledger_without_write_permission_serves_reads_and_refuses_writes(who, place):
    me, _ = who
    ledger = _ledger(place, me)
    src = _good_csv(place, me)
    os.chmod(ledger, 0o400)
    before = tree(place)
    res = run_as(me, place, "--ledger", str(ledger), "compute", "--taxpayer", "ed", "--json")
    assert res.returncode == 0, res.stderr
    assert '"ed"' in res.stdout
    refused(run_as(me, place, "--ledger", str(ledger), "import", str(src)), ledger, "read-only")
    assert tree(place) == before


def test_a_ledger_owned_by_another_user(who, place):
    me, _ = who
    if os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root (chown)")
    ledger = _ledger(place, me)
    other = 0 if me.uid != 0 else 65534  # root's ledger seen by nobody, or nobody's seen by root
    os.chown(ledger, other, other)
    os.chmod(ledger, 0o644)  # readable: the refusal is about whose it is, not about the bits
    before = tree(place)
    for args in (("compute",), ("import", str(_good_csv(place, me)))):
        before = tree(place)
        res = run_as(me, place, "--ledger", str(ledger), *args)
        refused(res, ledger, "belongs to another user")
        assert tree(place) == before


def _output_args(command: str, place: Path, me: Who, out: Path) -> tuple[str, ...]:
    ledger = _ledger(place, me)
    if command == "report":
        return ("--ledger", str(ledger), "report", "--xlsx", str(out))
    blank = place / "blank.pdf"
    blank_form(blank, 2024)
    os.chown(blank, me.uid, me.gid)
    return ("--ledger", str(ledger), "fill", "-t", "ed", "-y", "2024", "--form", str(blank), "-o", str(out))


@pytest.mark.parametrize("command", ["fill", "report"])
def test_output_into_a_folder_without_write_permission(who, place, command):
    me, _ = who
    shut = _locked(place, me, "shut")
    out = shut / ("f8606.pdf" if command == "fill" else "report.xlsx")
    args = _output_args(command, place, me, out)
    _seal(shut, 0o555)
    before = tree(place)
    refused(run_as(me, place, *args), out, "permission denied")
    assert tree(place) == before


@pytest.mark.parametrize("command", ["fill", "report"])
def test_output_into_a_folder_without_search_permission(who, place, command):
    me, _ = who
    locked = _locked(place, me, "locked")
    out = locked / "deeper" / ("f8606.pdf" if command == "fill" else "report.xlsx")
    args = _output_args(command, place, me, out)
    _seal(locked, 0o600)
    before = tree(place)
    refused(run_as(me, place, *args), out, "permission denied")
    assert tree(place) == before


@pytest.mark.parametrize("command", ["fill", "report"])
def test_output_onto_a_read_only_file_keeps_it(who, place, command):
    me, _ = who
    out = place / ("f8606.pdf" if command == "fill" else "report.xlsx")
    out.write_bytes(b"the owner made this read-only\n")
    os.chown(out, me.uid, me.gid)
    os.chmod(out, 0o444)
    args = _output_args(command, place, me, out)
    before = tree(place)
    refused(run_as(me, place, *args), out, "read-only")
    assert tree(place) == before
    # and the same command onto a writable path works, so the refusal was the bits and nothing else
    args = tuple(str(place / f"ok{out.suffix}") if a == str(out) else a for a in args)
    res = run_as(me, place, *args)
    assert res.returncode == 0, res.stderr
    assert (place / f"ok{out.suffix}").stat().st_uid == me.uid
