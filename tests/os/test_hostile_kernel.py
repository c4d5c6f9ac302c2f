"""Hostile guests against the proxy kernel (issue 16): each test replays one attack, scaled
down to stay fast, and checks the kernel bounds it the way Linux does."""
from __future__ import annotations

import io
import os
import struct

import pytest

from vlab.host.platform import Platform
from vlab.isa.machine import Machine
from vlab.os import errno as E
from vlab.os.boot import BootError, boot, run_program
from vlab.os.exec import ARG_MAX, build_initial_stack
from vlab.os.kernel import Kernel
from vlab.os.syscall import NUMBERS
from vlab.os.sysfile import RW_CHUNK
from vlab.os.vm import FlatSpace, Sv32Space

RAM = 0x8000_0000
USER = RAM + (4 << 20)
O_WRONLY, O_CREAT = 1, 0o100
AT_FDCWD = 0xFFFF_FF9C                  # -100 in a register


class CountingStream(io.BytesIO):
    """stdin that remembers the largest single read the kernel asked of it."""

    largest = 0

    def read(self, size=-1):
        self.largest = max(self.largest, size if size >= 0 else 1 << 62)
        return super().read(size)


def make(space=None, root=None, stdin=b"", write_quota=None):
    space = space or FlatSpace(Platform(ram_size=8 << 20).bus)
    stream = CountingStream(stdin)
    extra = {} if write_quota is None else {"write_quota": write_quota}
    kernel = Kernel()
    proc = kernel.spawn(space, brk_start=USER + 0x10000, brk_limit=USER + 0x20000,
                        stdin=stream, stdout=io.BytesIO(), stderr=io.BytesIO(), root=root,
                        **extra)
    return kernel, proc, stream


def call(kernel, proc, name, *args):
    result = kernel.syscall(proc, NUMBERS[name], [*args, 0, 0, 0, 0, 0, 0][:6])
    return result - (1 << 32) if result & 0x8000_0000 else result


def put_path(proc, text, at=USER):
    proc.space.write(at, text.encode() + b"\0")
    return at


# -- item 7: read(0, buf, 0x7fffffff) pulls no more than the buffer takes ----------------

def test_huge_read_count_pulls_only_what_the_buffer_can_take():
    kernel, proc, stdin = make(stdin=b"x" * 300_000)
    top = RAM + (8 << 20)
    buf = top - 10_000                         # 10,000 bytes of user memory left
    assert call(kernel, proc, "read", 0, buf, 0x7FFF_FFFF) == 10_000
    assert stdin.tell() == 10_000              # the rest stays for the next read
    assert stdin.largest <= RW_CHUNK           # never asked the host for gigabytes


def test_read_into_a_bad_buffer_is_efault_and_leaves_the_input():
    kernel, proc, stdin = make(stdin=b"keep me")
    assert call(kernel, proc, "read", 0, 0x10, 0x7FFF_FFFF) == -E.EFAULT
    assert stdin.tell() == 0
    assert call(kernel, proc, "read", 0, USER, 100) == 7       # Linux kept it; so do we
    assert proc.space.read(USER, 7) == b"keep me"


def test_read_of_zero_bytes_and_ebadf_come_first():
    kernel, proc, _ = make(stdin=b"abc")
    assert call(kernel, proc, "read", 0, 0x10, 0) == 0
    assert call(kernel, proc, "read", 1, 0x10, 5) == -E.EBADF


# -- item 8: under Sv32, read() into a read-only page faults like a store ---------------

def sv32_process(stdin):
    machine = Machine(ram_size=8 << 20)
    space = Sv32Space(machine.bus)
    space.map(0x1_0000, 0x1000, writable=False, executable=True)     # text: R-X
    space.map(0x2_0000, 0x1000, writable=True)                        # data: RW-
    space.load(0x1_0000, b"\x13\x00\x00\x00")                         # the loader may
    return make(space, stdin=stdin)


def test_sv32_read_into_read_only_text_is_efault():
    kernel, proc, stdin = sv32_process(b"\xff" * 16)
    assert call(kernel, proc, "read", 0, 0x1_0000, 16) == -E.EFAULT
    assert proc.space.read(0x1_0000, 4) == b"\x13\x00\x00\x00"       # code not patched
    assert stdin.tell() == 0
    assert call(kernel, proc, "read", 0, 0x2_0000, 16) == 16         # a data page is fine


def test_sv32_read_stops_at_the_first_read_only_page():
    kernel, proc, _ = sv32_process(b"y" * 64)
    machine_space = proc.space
    machine_space.map(0x3_0000, 0x1000, writable=True)
    machine_space.map(0x3_1000, 0x1000, writable=False)
    assert call(kernel, proc, "read", 0, 0x3_0FF0, 64) == 16


def test_sv32_kernel_store_needs_w_and_load_does_not():
    _, proc, _ = sv32_process(b"")
    with pytest.raises(E.SyscallError) as caught:
        proc.space.write(0x1_0000, b"\0")
    assert caught.value.errno == E.EFAULT and "W bit" in caught.value.why


# -- item 12: a write quota under --root ------------------------------------------------

def test_write_quota_cuts_the_write_then_edquot(tmp_path):
    kernel, proc, _ = make(root=tmp_path, write_quota=5000)
    fd = call(kernel, proc, "openat", AT_FDCWD, put_path(proc, "/out"), O_WRONLY | O_CREAT, 0o644)
    proc.space.write(USER + 0x1000, b"z" * 8000)
    assert call(kernel, proc, "write", fd, USER + 0x1000, 8000) == 5000
    assert call(kernel, proc, "write", fd, USER + 0x1000, 1) == -E.EDQUOT
    assert (tmp_path / "out").stat().st_size == 5000


def test_write_quota_counts_every_file(tmp_path):
    kernel, proc, _ = make(root=tmp_path, write_quota=3000)
    proc.space.write(USER + 0x1000, b"z" * 2000)
    for name, expected in (("/a", 2000), ("/b", 1000), ("/c", -E.EDQUOT)):
        fd = call(kernel, proc, "openat", AT_FDCWD, put_path(proc, name), O_WRONLY | O_CREAT, 0o644)
        assert call(kernel, proc, "write", fd, USER + 0x1000, 2000) == expected


def test_stdout_is_not_a_file_under_the_root(tmp_path):
    kernel, proc, _ = make(root=tmp_path, write_quota=0)
    proc.space.write(USER, b"hello")
    assert call(kernel, proc, "write", 1, USER, 5) == 5


# -- item 13: FIFOs and other special files are refused, never waited on ----------------

def test_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    kernel, proc, _ = make(root=tmp_path)
    for flags in (0, O_WRONLY):               # opening either end of a FIFO would block
        assert call(kernel, proc, "openat", AT_FDCWD, put_path(proc, "/fifo"), flags, 0) \
            == -E.EACCES
    assert sorted(proc.files.open_files) == [0, 1, 2]            # nothing left open


# -- item 18: a final '/' names a directory ----------------------------------------------

def test_trailing_slash_on_a_file_is_enotdir(tmp_path):
    (tmp_path / "in.txt").write_text("data")
    (tmp_path / "dir").mkdir()
    kernel, proc, _ = make(root=tmp_path)
    assert call(kernel, proc, "openat", AT_FDCWD, put_path(proc, "in.txt/"), 0, 0) == -E.ENOTDIR
    assert call(kernel, proc, "openat", AT_FDCWD, put_path(proc, "new/"), O_CREAT | O_WRONLY,
                0o644) == -E.EISDIR
    assert not (tmp_path / "new").exists()
    assert call(kernel, proc, "openat", AT_FDCWD, put_path(proc, "dir/"), 0, 0) == 3


# -- item 18: argv bytes, and argv too large for the stack ------------------------------

def test_initial_stack_refuses_arguments_past_arg_max():
    space = FlatSpace(Platform(ram_size=8 << 20).bus)
    top = RAM + (8 << 20)
    below = top - (2 << 20)
    space.write(below, b"\xaa" * 16)
    with pytest.raises(ValueError, match="ARG_MAX"):
        build_initial_stack(space, top, ["prog", "x" * (1 << 20)], [], USER)
    assert space.read(below, 16) == b"\xaa" * 16                # nothing written below
    build_initial_stack(space, top, ["prog", "x" * (ARG_MAX - 100)], [], USER)


def test_non_utf8_arguments_reach_the_program_byte_for_byte():
    space = FlatSpace(Platform(ram_size=8 << 20).bus)
    top = RAM + (8 << 20)
    raw = os.fsdecode(b"caf\xe9")             # how Python hands a Latin-1 argv to us
    sp = build_initial_stack(space, top, ["prog", raw], [], USER)
    argv1 = struct.unpack("<I", space.read(sp + 8, 4))[0]
    assert space.read(argv1, 5) == b"caf\xe9\0"


RDCYCLE = """
_start:
    rdcycle a0
    rdinstret a1
    rdtime a2
    li a0, 0
    li a7, 93
    ecall
"""


@pytest.mark.parametrize("paging", [False, True])
def test_rdcycle_works_in_user_mode_as_under_riscv_pk(tmp_path, paging):
    source = tmp_path / "counters.s"
    source.write_text(RDCYCLE)
    done = run_program(source, paging=paging, max_instructions=100)
    assert done.result.status == "exit" and done.exit_code == 0
    booted = boot(source, paging=paging)           # the counters really were the gate:
    booted.machine.csr["mcounteren"] = booted.machine.csr["scounteren"] = 0
    assert booted.machine.run(max_instructions=100).status != "exit"
    assert booted.process.fault.name == "illegal instruction"


def test_huge_argv_is_a_boot_error(tmp_path):
    source = tmp_path / "counters.s"
    source.write_text(RDCYCLE)
    with pytest.raises(BootError, match="ARG_MAX"):
        boot(source, argv=["p", "a" * (1 << 20) + "b"])


# -- captured output is capped; a failing host stream is an errno, not a traceback -------

FLOOD_STDOUT = """
_start:
1:  li a0, 1
    li a1, 0x80400000
    li a2, 0x100000       # 1 MiB per write
    li a7, 64
    ecall
    bgez a0, 1b
    neg a0, a0
    li a7, 93
    ecall
"""


def test_captured_stdout_is_capped_and_the_flood_gets_efbig(tmp_path):
    from vlab.os.quota import DEFAULT_OUTPUT_CAP
    source = tmp_path / "flood.s"
    source.write_text(FLOOD_STDOUT)
    done = run_program(source, max_instructions=10_000)
    assert done.exit_code == E.EFBIG and len(done.stdout) == DEFAULT_OUTPUT_CAP


def test_a_broken_pipe_is_an_errno_for_the_guest():
    class Broken(io.RawIOBase):
        def write(self, data):
            raise BrokenPipeError(32, "Broken pipe")

    kernel, proc, _ = make()
    proc.files.open_files[1].stream = Broken()
    proc.space.write(USER, b"hi")
    assert call(kernel, proc, "write", 1, USER, 2) == -E.EPIPE
