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


def test_an_arrow_texts_values_are_written_as_they_are_from_a_slice_and_past_a_skip():
    # write_arrow_text writes the values one after another from the array's own buffer (arrays.text_offsets reads
    # a slice's bounds at its offset, in either offset width), the first `skip` bytes left out.
    import pyarrow as pa

    from basis_ledger.arrays import text_data, text_offsets

    values = ["\nab", ",\ncdé", ",\nf", ""]
    for kind in (pa.string(), pa.large_string()):
        arr = pa.array(["zz", *values], kind).slice(1)
        assert [
            text_data(arr)[a:b].tobytes().decode()
            for a, b in zip(text_offsets(arr)[:-1], text_offsets(arr)[1:], strict=True)
        ] == values
        for skip in (0, 1):
            out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
            stream.write_arrow_text(out, stream.byte_layer(out), arr, skip=skip)
            out.flush()
            assert out.buffer.getvalue().decode() == "".join(values)[skip:]  # type: ignore[attr-defined]
    empty = pa.array([""], pa.string())
    assert len(text_data(empty)) == 0 and list(text_offsets(empty)) == [0, 0]
