"""Reading a user's file safely: size limits, binary detection, encodings, sha256."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from basis_ledger.faults import shown
from basis_ledger.model import InputError, Problem

MAX_FILE_BYTES = 512 * 1024 * 1024
ENCODINGS = ("utf-8-sig", "cp1252")


@dataclass(frozen=True)
class SourceFile:
    path: Path
    data: bytes

    @classmethod
    def read(cls, path: Path) -> SourceFile:
        """The file's bytes: only a regular file (never a device, FIFO or socket), at most MAX_FILE_BYTES."""
        name = shown(str(path), 400)
        try:
            st = os.stat(path)
        except OSError as exc:
            raise InputError([Problem(name, _cannot(exc, "no such file"))]) from None
        if stat.S_ISDIR(st.st_mode):
            raise InputError([Problem(name, "is a folder, not a file")])
        if not stat.S_ISREG(st.st_mode):  # /dev/zero, /dev/urandom, a FIFO: endless or blocking, never data
            raise InputError([Problem(name, "not a regular file (a device, FIFO or socket); give a file")])
        if st.st_size > MAX_FILE_BYTES:
            raise InputError([Problem(name, f"file too large ({st.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,})")])
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_FILE_BYTES + 1)  # the limit holds even for a file that grows while we read
        except OSError as exc:
            raise InputError([Problem(name, _cannot(exc, "cannot read"))]) from None
        if len(data) > MAX_FILE_BYTES:
            raise InputError([Problem(name, f"file too large (over {MAX_FILE_BYTES:,} bytes, the limit)")])
        return cls(path, data)

    @property
    def label(self) -> str:
        """The path as printable text (what problems name)."""
        return os.fsencode(self.path).decode("utf-8", "backslashreplace")

    @property
    def name(self) -> str:
        """The file name as text that can be stored and printed (a name that is not UTF-8 is escaped)."""
        return os.fsencode(self.path.name).decode("utf-8", "backslashreplace")

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def looks_binary(self) -> bool:
        return b"\x00" in self.data[:65536]

    @cached_property
    def text(self) -> str:
        """The file decoded as UTF-8 (BOM or not), else cp1252; binary input is a problem, not a guess."""
        if not self.data or self.data.isspace():  # (as `not data.strip()`, without a copy of the file)
            raise InputError([Problem(str(self.path), "empty file")])
        if self.looks_binary:
            raise InputError([Problem(str(self.path), "binary data, not a text (CSV) file")])
        for enc in ENCODINGS:
            try:
                text = self.data.decode(enc)
            except UnicodeDecodeError:
                continue
            # Old Mac exports end lines with a bare CR: every line end becomes \n before any CSV parser sees it.
            return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
        raise InputError([Problem(str(self.path), "cannot decode as UTF-8 or cp1252 text")])

    def head(self, n: int = 8192) -> str:
        """The first characters, decoded leniently, for an importer's identify()."""
        text = self.data[:n].decode("utf-8-sig", errors="replace")
        return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _cannot(exc: OSError, missing: str) -> str:
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return missing
    if exc.errno == errno.EACCES:
        return "permission denied (the file or a folder above it is not readable by you)"
    return f"cannot read: {exc.strerror or exc}"
