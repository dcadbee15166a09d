"""render/stream.py: large UTF-8 texts written through a stream's byte layer in pieces, in order, byte for byte."""

from __future__ import annotations

import io

from basis_ledger.render import stream


def _text(n: int) -> bytes:
    return ('é,"x"\n' * (n // 8 + 1)).encode()[:n].rsplit(b"\n", 1)[0] + b"\n"


def test_pieces_through_the_byte_layer_keep_the_order_of_what_the_text_layer_held(monkeypatch):
    monkeypatch.setattr(stream, "PIECE", 1000)  # a text of many pieces
    data = _text(10_500)
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    raw = stream.byte_layer(out)
    assert raw is out.buffer
    out.write("[")  # held by the text layer until written out before the bytes
    stream.write_utf8(out, raw, memoryview(data))
    out.write("]")
    out.flush()
    assert out.buffer.getvalue() == b"[" + data + b"]"  # type: ignore[attr-defined]


def test_a_stream_without_a_utf8_byte_layer_gets_text():
    data = _text(5000)
    for out in (io.StringIO(), io.TextIOWrapper(io.BytesIO(), encoding="latin-1")):
        assert stream.byte_layer(out) is None
        stream.write_utf8(out, None, memoryview(data))
        out.flush()
        got = out.getvalue() if isinstance(out, io.StringIO) else out.buffer.getvalue().decode("latin-1")  # type: ignore[attr-defined]
        assert got == data.decode()
