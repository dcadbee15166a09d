"""A throwaway PostgreSQL cluster in a temporary folder, for the tests and the benchmarks.

`python -m tests.pgcluster start DIR [OWNER_PID]` runs initdb and pg_ctl there and prints the cluster's URL;
`stop DIR` stops it and removes the folder; a watchdog stops it too once OWNER_PID is gone (a killed run).
The server listens on a Unix socket inside DIR only (no TCP), trusts local
connections (nobody else can reach the socket: DIR is private) and is never the machine's own cluster.

initdb refuses to run as root, and CI runs as root: there the cluster runs as the `postgres` user the Debian
package creates (root can still reach the socket).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path

HOW_TO_GET_IT = (
    "PostgreSQL is not installed: `apt-get install postgresql` (or run `make test` as root, which installs it), "
    "or point BASIS_LEDGER_TEST_PG at a server (postgresql://user@host/db; the user needs CREATEDB and CREATEROLE)"
)


class Unavailable(RuntimeError):
    """No PostgreSQL server binaries here, or the cluster would not start: the tests that need it skip."""


def bin_dir() -> Path:
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    # The Debian package keeps the server binaries out of PATH, one folder per major version: take the newest.
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not versions:
        raise Unavailable(HOW_TO_GET_IT)
    return Path(versions[-1]).parent


def _run_as() -> list[str]:
    """The prefix that runs a server binary as an unprivileged user when we are root."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise Unavailable("running as root and there is no 'postgres' user to run initdb as") from None
    return ["runuser", "-u", "postgres", "--"]


def url(folder: Path, database: str = "postgres") -> str:
    return f"postgresql:///{database}?host={folder}&user=postgres"


def start(folder: Path, *, durable: bool = False, owner: int | None = None) -> str:
    """Create and start a cluster in `folder` (made if missing); returns its URL. durable=False turns fsync off.
    A watchdog stops it when process `owner` (default: the caller) is gone, even killed without a chance to.

    As root the folder goes to the `postgres` user, so its parent must be one that user can pass through (/tmp)."""
    binaries, prefix = bin_dir(), _run_as()
    folder.mkdir(parents=True, exist_ok=True)
    if prefix:
        info = pwd.getpwnam("postgres")
        os.chown(folder, info.pw_uid, info.pw_gid)
    folder.chmod(0o700)
    data, log = folder / "data", folder / "server.log"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "text": True}
    made = subprocess.run(
        [*prefix, str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
         "--no-locale", "--no-sync"],
        **quiet,
    )  # fmt: skip
    if made.returncode:
        raise Unavailable(f"initdb failed: {made.stderr.strip().splitlines()[-1:]}")
    options = f"-c listen_addresses='' -k {folder} -c max_connections=60"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    up = subprocess.run(
        [*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o", options, "start"],
        **quiet,
    )
    if up.returncode:
        tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
        raise Unavailable(f"the PostgreSQL server did not start: {' '.join(tail) or up.stderr.strip()}")
    subprocess.Popen(
        [sys.executable, "-m", "tests.pgcluster", "watch", str(owner or os.getpid()), str(folder)],
        cwd=Path(__file__).resolve().parents[1],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # not in the tests' process group: a Ctrl-C there does not stop the watchdog early
    )
    return url(folder)


def watch(owner: int, folder: Path) -> None:
    """Stop the cluster once `owner` has exited (or the cluster is already gone)."""
    while (folder / "data" / "postmaster.pid").exists():
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            stop(folder)
            return
        except PermissionError:
            pass  # alive, another user's
        time.sleep(2)


def stop(folder: Path) -> None:
    """Stop the cluster (fast shutdown) and remove its folder; harmless when it is not running."""
    data = folder / "data"
    if (data / "postmaster.pid").exists():
        subprocess.run(
            [*_run_as(), str(bin_dir() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "watch":
        watch(int(argv[1]), Path(argv[2]))
        return 0
    if len(argv) not in (2, 3) or argv[0] not in ("start", "stop"):
        print("usage: python -m tests.pgcluster start DIR [OWNER_PID] | stop DIR", file=sys.stderr)
        return 2
    folder = Path(argv[1])
    if argv[0] == "stop":
        stop(folder)
        return 0
    try:
        # The owner: the shell that runs the tests and stops the cluster (make passes its pid).
        print(start(folder, owner=int(argv[2]) if len(argv) == 3 else os.getppid()))
    except Unavailable as exc:
        print(f"PostgreSQL tests will skip: {exc}", file=sys.stderr)
        stop(folder)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
