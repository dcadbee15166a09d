"""Files the tool writes: private folders, and outputs that appear whole or not at all, never onto an input."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from basis_ledger.faults import explain, shown
from basis_ledger.model import InputError, Problem


def private_dirs(folder: Path) -> None:
    """Create the missing folders of `folder`, each 0700 whatever the umask (folders that exist are left alone)."""
    missing = []
    for p in (folder, *folder.parents):
        if os.path.isdir(p):
            break
        missing.append(p)
    for p in reversed(missing):
        try:
            os.mkdir(p, 0o700)
        except FileExistsError:
            continue
        os.chmod(p, 0o700)  # the umask may have taken bits away, or (umask 000) left none


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_output(path: Path, *, protected: Iterable[Path] = ()) -> None:
    """Refuse an output path that is a folder, the ledger or an input: writing there would destroy it."""
    name = shown(str(path), 400)
    try:
        _check_output(path, name, protected)
    except PermissionError:  # stat itself refused: a folder on the way may not be searched
        why = "permission denied: a folder above it is not searchable by you; nothing was written"
        raise InputError([Problem(name, why)]) from None


def _check_output(path: Path, name: str, protected: Iterable[Path]) -> None:
    if path.is_dir():
        raise InputError([Problem(name, "is a folder: give the file to write")])
    for other in protected:
        if path.exists() and _same_file(path, other):
            raise InputError([Problem(name, f"is {shown(str(other), 400)}, which this command reads; choose another")])
    if path.exists() and not path.is_file():
        raise InputError([Problem(name, "is not a regular file (a device or FIFO); choose a file to write")])
    # Permission bits, before any work: a file made read-only is not replaced behind its owner's back, and a
    # folder we may not write in is named now rather than after the whole computation.
    if path.exists() and not os.access(path, os.W_OK):
        raise InputError([Problem(name, "permission denied: the file is read-only to you; nothing was written")])
    folder = next((p for p in path.parents if os.path.isdir(p)), None)
    if folder is not None and not os.access(folder, os.W_OK | os.X_OK):
        why = f"permission denied: you cannot write in the folder {shown(str(folder), 400)}; nothing was written"
        raise InputError([Problem(name, why)])


@contextmanager
def atomic_output(path: Path, *, protected: Iterable[Path] = ()) -> Iterator[BinaryIO]:
    """Write `path` private (0600) through a temporary file in the same folder, renamed into place on success.

    A full disk, a kill or an exception leaves the old file (or none) and no partial file."""
    with atomic_path(path, protected=protected) as tmp, open(tmp, "r+b") as fh:
        yield fh
        fh.flush()


@contextmanager
def atomic_path(path: Path, *, protected: Iterable[Path] = ()) -> Iterator[Path]:
    """atomic_output for a writer that opens the file itself and streams into it (the workbook's zip): the
    temporary file's path (created empty, 0600), synced and renamed into place when the block succeeds."""
    check_output(path, protected=protected)
    folder = path.parent
    if not folder.is_dir():
        raise InputError([Problem(shown(str(path), 400), f"folder {shown(str(folder), 400)} does not exist")])
    tmp = folder / f".{path.name}.{os.getpid()}.partial"
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        try:
            try:
                os.fchmod(fd, 0o600)  # the umask may have taken bits away
            finally:
                os.close(fd)
            yield tmp
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:  # name the output, not the temporary file
        exc.filename = str(path)
        problems = explain(exc)
        raise InputError(problems or [Problem(shown(str(path), 400), str(exc))]) from None
