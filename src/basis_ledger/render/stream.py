"""Writing the large texts the JSON writers build in Arrow (render/json_columns.py, render/findings_json.py).

The text is written as the UTF-8 bytes Arrow holds when the stream has a byte layer under it (the text layer
would encode the same bytes again), in pieces of PIECE bytes. Pieces, not one write per block of rows (10-15
MB): on this project's machines the kernel spent far more system time taking a large write into the page cache.
Interleaved, `audit --json` of 20,000 taxpayers into a file (437 MB) took 1.27-1.48 s of system time written
in 15 MB writes, 0.93-0.95 s in 1 MiB pieces, 0.58-0.68 s in 64 KiB pieces and 0.64-0.71 s in 16 KiB ones
(three runs each, session 7); the user time did not change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO, TextIO

if TYPE_CHECKING:
    import pyarrow as pa

PIECE = 1 << 16


def byte_layer(stream: TextIO) -> BinaryIO | None:
    """The binary stream under a UTF-8 text stream (sys.stdout's buffer), else None (write text instead)."""
    utf8 = str(getattr(stream, "encoding", "")).lower().replace("-", "") == "utf8"
    return getattr(stream, "buffer", None) if utf8 else None


def write_arrow_text(stream: TextIO, raw: BinaryIO | None, texts: pa.Array, skip: int = 0) -> None:
    """An Arrow string array's values one after another (its character buffer as it is), the first `skip` bytes
    left out, onto `stream` as write_utf8 writes."""
    from basis_ledger.arrays import text_offsets

    bounds = text_offsets(texts)
    data = texts.buffers()[2]
    if data is None or int(bounds[-1]) <= int(bounds[0]) + skip:
        return
    write_utf8(stream, raw, memoryview(data)[int(bounds[0]) + skip : int(bounds[-1])])


def write_utf8(stream: TextIO, raw: BinaryIO | None, text: memoryview) -> None:
    """UTF-8 bytes onto `stream`: through its byte layer `raw` (after what the text layer holds) in pieces of
    PIECE bytes, or decoded where there is none."""
    if raw is None:
        stream.write(text.tobytes().decode())
        return
    stream.flush()
    for at in range(0, len(text), PIECE):
        raw.write(text[at : at + PIECE])
