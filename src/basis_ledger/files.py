"""Files the tool writes: private folders, and outputs that appear whole or not at all, never onto an input."""

from __future__ import annotations

import errno
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
    """atomic_output for a writer that opens the file itself and streams into it (the workbook's zip): a path to
    write (an empty 0600 file), synced and renamed into place when the block succeeds."""
    check_output(path, protected=protected)
    folder = path.parent
    if not folder.is_dir():
        raise InputError([Problem(shown(str(path), 400), f"folder {shown(str(folder), 400)} does not exist")])
    try:
        with _unnamed(folder) as fd:
            if fd is None:  # no unnamed files here: a hidden temporary name, removed on any catchable failure
                with _hidden(path) as tmp:
                    yield tmp
            else:
                # Linux's O_TMPFILE: the file has no name until it is complete, so even SIGKILL (which no clean-up
                # code survives) leaves nothing behind. Writers reach it through /proc/self/fd.
                yield Path(f"/proc/self/fd/{fd}")
                os.fsync(fd)
                _link_into_place(fd, path)
    except OSError as exc:  # name the output, not the temporary file
        exc.filename = str(path)
        problems = explain(exc)
        raise InputError(problems or [Problem(shown(str(path), 400), str(exc))]) from None


@contextmanager
def _unnamed(folder: Path) -> Iterator[int | None]:
    """An unnamed 0600 file in `folder` (its descriptor), or None where the system or file system has none."""
    flag = getattr(os, "O_TMPFILE", 0)
    fd = None
    if flag and Path("/proc/self/fd").is_dir():
        try:
            fd = os.open(folder, flag | os.O_RDWR, 0o600)
        except OSError as exc:
            if exc.errno not in _NO_TMPFILE:
                raise
    if fd is None:
        yield None
        return
    try:
        os.fchmod(fd, 0o600)  # the umask may have taken bits away
        yield fd
    finally:
        os.close(fd)  # an unnamed file not yet linked vanishes here


# The errors that mean "no O_TMPFILE here" (old kernels, some file systems), not a problem with the folder.
_NO_TMPFILE = {getattr(errno, name) for name in ("EOPNOTSUPP", "EISDIR", "EINVAL", "ENOTSUP") if hasattr(errno, name)}


def _link_into_place(fd: int, path: Path) -> None:
    """Give the complete unnamed file a hidden name beside `path`, then rename it over `path` (atomic). The hidden
    name exists only between these two calls."""
    import secrets  # here: its hashlib and hmac cost every command that only reads a ledger 4 ms

    tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.partial"
    folder_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        # a directory descriptor makes os.link call linkat(AT_SYMLINK_FOLLOW), which links the descriptor's file
        os.link(f"/proc/self/fd/{fd}", tmp.name, dst_dir_fd=folder_fd, follow_symlinks=True)
        try:
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    finally:
        os.close(folder_fd)


@contextmanager
def _hidden(path: Path) -> Iterator[Path]:
    tmp = path.parent / f".{path.name}.{os.getpid()}.partial"
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
