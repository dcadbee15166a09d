"""Expected failures as Problems: the one place that says what a fault outside our code means to a user.

The commands' error boundary (commands/__init__.py, `boundary`) asks `explain(exc)` about every exception a
command raises. Bad input (InputError), a file that a parser cannot read, a full disk, a permission, a broken
pipe, a damaged or foreign ledger and a database driver's refusal are expected: they become Problems (file and
line where known) and exit 2. Anything else is a defect in this tool: one line, exit 3.

Readers say which file (and line) they are in with `reading(path)`, so a fault raised deep inside a parser
(csv, json, zipfile, openpyxl, pypdf) is still reported against the file that caused it.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from basis_ledger.model import InputError, Problem, mask_ssn

# Longest piece of a user's data echoed in any message, and most problems printed per file (the rest are counted).
MAX_ECHO = 80
MAX_PROBLEMS_PER_FILE = 50

_current: ContextVar[str | None] = ContextVar("basis_ledger_current_file", default=None)


def current_file() -> str | None:
    """The file `reading` marked, for messages raised inside a reader."""
    return _current.get()


# Modules whose exceptions, raised while a user's file is being read, mean "this file cannot be parsed".
_PARSERS = (
    "csv",
    "json",
    "zipfile",
    "zlib",
    "xml.",
    "openpyxl",
    "et_xmlfile",
    "pypdf",
    "tomllib",
    "pyarrow",
    "PIL",
    "_csv",
    "_json",
    "pyexpat",
)
# Database drivers: their errors (locked, full, damaged, refused) are the environment's, not ours.
_DRIVERS = ("sqlite3", "_sqlite3", "psycopg", "adbc_driver")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


@contextmanager
def reading(path: Path | str) -> Iterator[None]:
    """Read a user's file inside this block: a parser's fault in it becomes a Problem naming the file."""
    where = shown(str(path), limit=400)
    token = _current.set(where)
    try:
        yield
    except InputError:
        raise
    except Exception as exc:
        problems = explain(exc, where)
        if problems is None:
            raise
        raise InputError(problems) from exc
    finally:
        _current.reset(token)


def shown(text: str, limit: int = MAX_ECHO) -> str:
    """Data made safe to print: SSNs masked, control characters and terminal escapes visible, length capped."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")  # non-UTF-8 file names
    text = _CONTROL.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), mask_ssn(text))
    if len(text) > limit:
        text = f"{text[: limit - 1]}… ({len(text):,} characters)"
    return text


def explain(exc: BaseException, where: str | None = None) -> list[Problem] | None:
    """The Problems an expected failure means to the user, or None for a defect (exit 3).

    `where` is the file being read (see `reading`): only there is a parser's exception the input's fault."""
    if isinstance(exc, InputError):
        return exc.problems
    if type(exc).__module__.startswith(_DRIVERS):
        return [database_problem(exc, where or "the ledger")]
    if isinstance(exc, OSError):
        return [_os_problem(exc, where)]
    if where is not None:
        if isinstance(exc, UnicodeError):
            return [Problem(where, "cannot decode the text (not UTF-8 or cp1252)")]
        if isinstance(exc, RecursionError):
            return [Problem(where, "nested too deeply to read")]
        if isinstance(exc, MemoryError):
            return [Problem(where, "too large to read in memory")]
        if type(exc).__module__.startswith(_PARSERS) or _raised_by(exc, _PARSERS):
            return [Problem(where, f"cannot be read: {type(exc).__name__}: {shown(str(exc), 120)}")]
    if isinstance(exc, MemoryError):
        return [Problem("basis-ledger", "out of memory")]
    return None


_DATABASE_SAYS = (  # what SQLite's messages mean for the user; the ledger is unchanged in every case
    ("disk is full", "the disk is full: nothing was written, the ledger is unchanged"),
    (
        "disk i/o error",
        "disk I/O error (a full disk or a file-size limit?): nothing was written, the ledger is unchanged",
    ),
    ("locked", "busy: another basis-ledger is writing to it; nothing was written, try again"),
    ("busy", "busy: another basis-ledger is writing to it; nothing was written, try again"),
    ("readonly", "the ledger is read-only: this command writes to it"),
    ("unable to open", "cannot open the ledger (the folder or file is not accessible)"),
    ("not a database", "not a basis-ledger database (damaged, or another program's file)"),
    ("malformed", "damaged ledger (the database image is malformed); restore it from a backup"),
)


def database_problem(exc: BaseException, where: str) -> Problem:
    """A database driver's error as the user needs to read it."""
    text = str(exc)
    for needle, meaning in _DATABASE_SAYS:
        if needle in text.lower():
            return Problem(where, meaning)
    return Problem(where, f"the database refused: {shown(text, 200)}")


def is_broken_pipe(exc: BaseException) -> bool:
    return isinstance(exc, BrokenPipeError) or (isinstance(exc, OSError) and exc.errno == errno.EPIPE)


def _os_problem(exc: OSError, where: str | None) -> Problem:
    name = exc.filename if exc.filename is not None else where
    place = shown(str(name), limit=400) if name is not None else "output"
    why = {
        errno.ENOSPC: "no space left on the device: nothing was written",
        errno.EDQUOT: "disk quota exceeded: nothing was written",
        errno.EFBIG: "file too large for this system's file-size limit: nothing was written",
        errno.EACCES: "permission denied",
        errno.EPERM: "operation not permitted",
        errno.EROFS: "read-only file system",
        errno.ENOENT: "no such file or folder",
        errno.ENOTDIR: "a part of the path is not a folder",
        errno.EISDIR: "is a folder, not a file",
        errno.ENAMETOOLONG: "file name too long",
        errno.ELOOP: "too many symbolic links",
        errno.EIO: "input/output error from the device",
    }.get(exc.errno or -1, exc.strerror or type(exc).__name__)
    return Problem(place, why)


def _raised_by(exc: BaseException, modules: tuple[str, ...]) -> bool:
    """Whether the exception passed through code of one of these modules (a parser called on the user's file)."""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__", "").startswith(modules):
            return True
        tb = tb.tb_next
    return False
