"""``vlab run`` caps what a guest sends to the terminal (issue 16, item 15 for ``run``).

A guest that prints forever used to flood the terminal until its instruction budget ran
out.  Now at most ``--output-cap`` bytes of each stream reach ours (``CappedStream``,
vlab/os/quota.py): past it one line on stderr says so, and the guest's writes fail with
EFBIG as a write past the quota does.  All through the CLI.
"""
from __future__ import annotations

import errno

import pytest

from vlab.cli import main
from vlab.os.quota import DEFAULT_OUTPUT_CAP, CappedStream

# write 1 MiB chunks to fd FD until write() fails; exit with the errno it returned
FLOOD = """
_start:
1:  li a0, {fd}
    li a1, 0x80400000     # any user memory (paging off)
    li a2, 0x100000
    li a7, 64             # write
    ecall
    bgez a0, 1b
    neg a0, a0
    li a7, 93
    ecall
"""

# print "y\\n" forever, ignoring every error (as `yes` piped nowhere would)
YES = """
_start:
1:  li a0, 1
    la a1, line
    li a2, 2
    li a7, 64
    ecall
    j 1b
    .data
line: .ascii "y\\n"
"""

# bare metal: store 'x' to the UART THR forever
UART_FLOOD = """
    .text
    .globl _start
_start:
    li t0, 0x10000000
    li a0, 0x78
1:  sb a0, 0(t0)
    j 1b
    .data
    .align 3
    .globl tohost
tohost: .word 0, 0
"""

NOTICE = "reached the cap of"


def run_cli(capfdbinary, tmp_path, source: str, *options):
    path = tmp_path / "guest.s"
    path.write_text(source)
    status = main(["run", str(path), *options])
    out, err = capfdbinary.readouterr()
    capfdbinary.last_err = err
    return status, out, err.decode("utf-8", errors="replace")


def test_stdout_flood_is_cut_at_the_cap_and_the_guest_gets_efbig(tmp_path, capfdbinary):
    cap = 3_000_000                       # not a multiple of the 1 MiB writes
    status, out, err = run_cli(capfdbinary, tmp_path, FLOOD.format(fd=1),
                               "--output-cap", str(cap))
    assert status == errno.EFBIG
    assert len(out) == cap
    assert err.count(NOTICE) == 1 and "standard output" in err and "--output-cap" in err
    assert "Traceback" not in err


def test_stderr_is_capped_too(tmp_path, capfdbinary):
    status, out, err = run_cli(capfdbinary, tmp_path, FLOOD.format(fd=2),
                               "--output-cap", "5000")
    assert status == errno.EFBIG and out == b""
    assert err.count(NOTICE) == 1 and "standard error" in err
    raw = capfdbinary.last_err
    assert raw.index(b"vlab run: the program's standard error") == 5000   # 5000 bytes, then
    assert raw.count(b"\n", 5000) == 1                                   # the notice alone


def test_a_guest_ignoring_the_error_floods_no_more(tmp_path, capfdbinary):
    status, out, err = run_cli(capfdbinary, tmp_path, YES, "--output-cap", "101",
                               "--max-instructions", "200000")
    assert status == 124                  # it runs on to its budget...
    assert out == b"y\n" * 50 + b"y"      # ...but the terminal got 101 bytes, once told
    assert err.count(NOTICE) == 1


def test_bare_metal_console_is_capped(tmp_path, capfdbinary):
    status, out, err = run_cli(capfdbinary, tmp_path, UART_FLOOD, "--output-cap", "64",
                               "--max-instructions", "30000")
    assert status == 124
    assert out == b"x" * 64
    assert err.count(NOTICE) == 1


def test_output_under_the_cap_is_untouched(tmp_path, capfdbinary):
    status, out, err = run_cli(capfdbinary, tmp_path, YES, "--max-instructions", "600")
    assert status == 124 and out == b"y\n" * 100 and NOTICE not in err


@pytest.mark.parametrize("value", ["-1", "lots"])
def test_a_bad_cap_is_a_usage_error(tmp_path, capfdbinary, value):
    path = tmp_path / "guest.s"
    path.write_text(YES)
    with pytest.raises(SystemExit) as stop:
        main(["run", str(path), "--output-cap", value])
    assert stop.value.code == 2
    assert "--output-cap" in capfdbinary.readouterr()[1].decode()


def test_capped_stream_counts_and_refuses_after_the_cap():
    import io
    sink, notes = io.BytesIO(), []
    stream = CappedStream(sink, 4, notes.append)
    assert stream.write(b"ab") == 2
    assert stream.write(b"cdef") == 2            # the write crossing the cap is short
    with pytest.raises(OSError) as second:
        stream.write(b"g")
    assert second.value.errno == errno.EFBIG
    assert sink.getvalue() == b"abcd" and stream.forwarded == 4 and len(notes) == 1
    assert CappedStream(sink).limit == DEFAULT_OUTPUT_CAP


# bare metal: 'a' through the UART, 'b' through HTIF, 'c' through the UART, exit 0
MIXED_CONSOLES = """
    .text
    .globl _start
_start:
    li t0, 0x10000000
    la t1, tohost
    li a1, 0x01010000     # HTIF console device 1, putchar
    li a0, 0x61
    sb a0, 0(t0)
    li a0, 0x62
    sw a0, 0(t1)
    sw a1, 4(t1)
2:  lw a2, 0(t1)          # wait until the host took it (tohost cleared)
    bnez a2, 2b
    li a0, 0x63
    sb a0, 0(t0)
    li a0, 1
    sw a0, 0(t1)
    sw zero, 4(t1)
1:  j 1b
    .data
    .align 3
    .globl tohost
tohost: .word 0, 0
fromhost: .word 0, 0
"""


def test_bare_consoles_are_forwarded_as_sent(tmp_path, capfdbinary):
    """The UART is forwarded byte by byte as HTIF is (so a flood is cut when it happens),
    which also keeps the two consoles in the order the program wrote them."""
    status, out, err = run_cli(capfdbinary, tmp_path, MIXED_CONSOLES)
    assert (status, out) == (0, b"abc"), err
