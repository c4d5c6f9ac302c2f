"""A write to the console that crosses the output cap is a short write, then EFBIG.

Linux, at ``RLIMIT_FSIZE`` (setrlimit(2), write(2)): the write that crosses the limit
writes the bytes that fit and returns their count; only the next write fails with
``EFBIG``.  vlab's console descriptor (``StreamFile``, vlab/os/vfs/openfile.py) used to
return ``-EFBIG`` for the crossing write although its first bytes had been shown, so the
guest could not know what got out.  Now it returns what the stream accepted, and both
caps (``CappedStream`` on a terminal, ``CappedOutput`` in memory, vlab/os/quota.py)
report the short count.  Tested on the descriptor and through a guest's ``write``.
"""
from __future__ import annotations

import errno
import io

import pytest

from vlab.cli import main
from vlab.os.errno import SyscallError
from vlab.os.quota import CappedOutput, CappedStream
from vlab.os.vfs.openfile import StreamFile


def _console(stream) -> StreamFile:
    return StreamFile(stream, readable=False, writable=True)


@pytest.mark.parametrize("make", [lambda: CappedStream(io.BytesIO(), 10),
                                  lambda: CappedOutput(10)], ids=["stream", "output"])
def test_the_crossing_write_is_short_and_the_next_fails(make):
    stream = make()
    console = _console(stream)
    assert console.write(b"0123") == 4
    assert console.write(b"456789abcdef") == 6          # the 6 that fit
    with pytest.raises(SyscallError) as refused:
        console.write(b"g")
    assert refused.value.errno == errno.EFBIG
    kept = stream.stream.getvalue() if isinstance(stream, CappedStream) else stream.getvalue()
    assert kept == b"0123456789"


@pytest.mark.parametrize("make", [lambda: CappedStream(io.BytesIO(), 4),
                                  lambda: CappedOutput(4)], ids=["stream", "output"])
def test_a_write_that_exactly_fills_the_cap_is_whole(make):
    console = _console(make())
    assert console.write(b"abcd") == 4
    with pytest.raises(SyscallError) as refused:
        console.write(b"e")
    assert refused.value.errno == errno.EFBIG


def test_the_notice_comes_once_with_the_short_write():
    notes = []
    stream = CappedStream(io.BytesIO(), 3, notes.append, "standard output")
    assert stream.write(b"abcdef") == 3 and len(notes) == 1
    for _ in range(3):
        with pytest.raises(OSError):
            stream.write(b"x")
    assert len(notes) == 1 and "--output-cap" in notes[0]


def test_a_zero_cap_refuses_the_first_byte():
    with pytest.raises(SyscallError) as refused:
        _console(CappedStream(io.BytesIO(), 0)).write(b"a")
    assert refused.value.errno == errno.EFBIG


def test_an_uncapped_or_text_stream_takes_everything():
    assert _console(io.BytesIO()).write(b"hello") == 5
    assert _console(io.StringIO()).write("héllo".encode()) == 6   # bytes, not characters


# write 16 bytes (short: the cap is 10), then 1 more (EFBIG); exit with the first count
# if the second write returned -EFBIG, else 99
GUEST = """
_start:
    li a0, 1
    la a1, text
    li a2, 16
    li a7, 64
    ecall
    mv s0, a0
    li a0, 1
    la a1, text
    li a2, 1
    li a7, 64
    ecall
    li t0, -27             # -EFBIG
    li a7, 93
    mv a1, a0
    mv a0, s0
    beq a1, t0, 1f
    li a0, 99
1:  ecall
    .data
text: .ascii "0123456789abcdef"
"""


def test_a_guest_sees_the_short_count_then_efbig(tmp_path, capfdbinary):
    path = tmp_path / "short.s"
    path.write_text(GUEST)
    status = main(["run", str(path), "--output-cap", "10"])
    out, err = capfdbinary.readouterr()
    assert (status, out) == (10, b"0123456789"), err
    assert err.count(b"reached the cap of 10") == 1


def test_a_containers_tee_passes_on_the_short_count_and_keeps_what_was_shown():
    import errno
    import io

    import pytest

    from vlab.os.container.runtime import Tee
    from vlab.os.quota import CappedStream

    shown = io.BytesIO()
    tee = Tee(CappedStream(shown, 3, lambda note: None))
    assert tee.write(b"hello") == 3               # the guest sees the short write
    with pytest.raises(OSError) as refused:
        tee.write(b"!")
    assert refused.value.errno == errno.EFBIG
    assert shown.getvalue() == bytes(tee.kept) == b"hel"
