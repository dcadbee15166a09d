"""Reading a user's file safely: size limits, binary detection, encodings, sha256."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from basis_ledger.model import InputError, Problem

MAX_FILE_BYTES = 512 * 1024 * 1024
ENCODINGS = ("utf-8-sig", "cp1252")


@dataclass(frozen=True)
class SourceFile:
    path: Path
    data: bytes

    @classmethod
    def read(cls, path: Path) -> SourceFile:
        name = str(path)
        if not path.exists():
            raise InputError([Problem(name, "no such file")])
        if path.is_dir():
            raise InputError([Problem(name, "is a folder, not a file")])
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError([Problem(name, f"file too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})")])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError([Problem(name, f"cannot read: {exc.strerror or exc}")]) from None
        return cls(path, data)

    @property
    def name(self) -> str:
        return self.path.name

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def looks_binary(self) -> bool:
        return b"\x00" in self.data[:65536]

    @cached_property
    def text(self) -> str:
        """The file decoded as UTF-8 (BOM or not), else cp1252; binary input is a problem, not a guess."""
        if not self.data.strip():
            raise InputError([Problem(str(self.path), "empty file")])
        if self.looks_binary:
            raise InputError([Problem(str(self.path), "binary data, not a text (CSV) file")])
        for enc in ENCODINGS:
            try:
                return self.data.decode(enc)
            except UnicodeDecodeError:
                continue
        raise InputError([Problem(str(self.path), "cannot decode as UTF-8 or cp1252 text")])

    def head(self, n: int = 8192) -> str:
        """The first characters, decoded leniently, for an importer's identify()."""
        return self.data[:n].decode("utf-8-sig", errors="replace")
