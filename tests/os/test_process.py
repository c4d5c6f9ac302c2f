"""Processes: the kernel's pid table, per-process state, and how a trap kills a process."""
from __future__ import annotations

import io

import pytest

from vlab.cli import main
from vlab.host.platform import Platform
from vlab.os import Kernel, Process
from vlab.os.abi import A0, A7, serve_ecall
from vlab.os.signal import SIGBUS, SIGILL, SIGNAL_BY_CAUSE, SIGSEGV, SIGTRAP, signal_for
from vlab.os.syscall import NUMBERS
from vlab.os.vm import KERNEL_AREA, FlatSpace

RAM = 0x8000_0000
USER = RAM + KERNEL_AREA


def two_processes():
    """One kernel, two processes in two halves of user RAM, each with its own stdout."""
    space = FlatSpace(Platform(ram_size=8 << 20).bus)
    kernel = Kernel()
    first = kernel.spawn(space, brk_start=USER + 0x1000, brk_limit=USER + 0x8000,
                         stdout=io.BytesIO(), uid=1000, gid=100)
    second = kernel.spawn(space, brk_start=USER + 0x10000, brk_limit=USER + 0x18000,
                          stdout=io.BytesIO(), cwd="/home")
    return kernel, first, second


def test_spawn_gives_increasing_pids_and_a_process_table():
    kernel, first, second = two_processes()
    assert (first.pid, second.pid) == (1, 2)
    assert kernel.processes == {1: first, 2: second} and kernel.current is first
    assert (first.uid, first.gid, first.cwd) == (1000, 100, "/")
    assert (second.uid, second.gid, second.cwd) == (0, 0, "/home")


def test_state_is_per_process():
    kernel, first, second = two_processes()
    assert kernel.syscall(second, NUMBERS["getpid"], [0] * 6) == 2
    assert kernel.syscall(first, NUMBERS["brk"], [USER + 0x2000, 0, 0, 0, 0, 0]) == USER + 0x2000
    assert second.brk == USER + 0x10000                  # the other heap did not move
    first.space.write(USER, b"one")
    kernel.syscall(first, NUMBERS["write"], [1, USER, 3, 0, 0, 0])
    assert first.files.get(1).stream.getvalue() == b"one"
    assert second.files.get(1).stream.getvalue() == b""
    kernel.syscall(second, NUMBERS["exit"], [3, 0, 0, 0, 0, 0])
    assert second.exit_status == 3 and first.alive and kernel.calls["getpid"] == 1


class Registers(dict):
    """A register file for the ABI adapter: x0..x31, reads of unset registers are 0."""

    def read(self, n):
        return self.get(n, 0)

    def write(self, n, value):
        self[n] = value


def test_abi_adapter_reads_a7_and_a0_to_a5_and_writes_a0():
    kernel, first, _ = two_processes()
    first.space.write(USER, b"abc")
    regs = Registers({A7: NUMBERS["write"], A0: 1, 11: USER, 12: 3, 13: 99})
    serve_ecall(kernel, first, regs.read, regs.write)
    assert regs[A0] == 3 and first.files.get(1).stream.getvalue() == b"abc"
    regs = Registers({A7: 4321})
    serve_ecall(kernel, first, regs.read, regs.write)
    assert regs[A0] == (-38) & 0xFFFF_FFFF                # -ENOSYS


def test_exit_does_not_write_a0():
    kernel, first, _ = two_processes()
    regs = Registers({A7: NUMBERS["exit_group"], A0: 0x105})
    serve_ecall(kernel, first, regs.read, regs.write)
    assert regs[A0] == 0x105 and first.exit_status == 5 and not first.alive


def test_process_repr_says_how_it_ended():
    _, first, second = two_processes()
    second.exit(0)
    assert repr(first) == "<Process pid=1 running>" and "exited 0" in repr(second)
    assert isinstance(first, Process)


@pytest.mark.parametrize("cause,signal", [(0, SIGBUS), (1, SIGSEGV), (2, SIGILL), (3, SIGTRAP),
                                          (4, SIGBUS), (5, SIGSEGV), (6, SIGBUS), (7, SIGSEGV),
                                          (12, SIGSEGV), (13, SIGSEGV), (15, SIGSEGV)])
def test_signal_for_each_exception_is_linuxs(cause, signal):
    assert signal_for(cause) == signal


def test_causes_linux_does_not_signal_abort():
    assert all(signal_for(c) == 6 for c in range(16) if c not in SIGNAL_BY_CAUSE)


@pytest.mark.parametrize("source,status,name", [
    ("_start:\n .word 0\n", 132, "illegal instruction"),
    ("_start:\n ebreak\n", 133, "breakpoint"),
    ("_start:\n la t0, _start\n addi t0, t0, 2\n lr.w a0, (t0)\n", 135,
     "load address misaligned"),
    ("_start:\n li t0, 0x10\n sw a0, 0(t0)\n", 139, "store/AMO page fault"),
])
def test_a_fault_kills_the_process_by_its_signal(tmp_path, capfd, source, status, name):
    path = tmp_path / "fault.s"
    path.write_text(source)
    assert main(["run", str(path), "--mode", "user", "--sv32"]) == status
    err = capfd.readouterr().err
    assert name in err and "killed" in err


def test_a_sleep_under_unicorn_lets_modeled_time_pass():
    """One process, no scheduler: nanosleep's Blocked with a deadline is served by
    letting the time pass (idle), then the call runs again and returns."""
    pytest.importorskip("unicorn")
    from tests.os.guest_asm import call
    from vlab.isa.asm import assemble
    from vlab.isa.elf import load_elf
    from vlab.os.unicorn_backend import UnicornUserProcess
    source = ("_start:\n" + call("nanosleep", "ts", 0) + call("clock_gettime64", 1, "t")
              + "    la t0, t\n    lw a0, 8(t0)\n    li t1, 1000000\n    div a0, a0, t1\n"
              + call("exit", "reg:a0")
              + "    .data\n    .align 3\nts: .word 0, 0, 7000000, 0\nt: .space 16\n")
    image = load_elf(assemble(source, text_base=USER).to_elf())
    proc = UnicornUserProcess(image, stdin=io.BytesIO(), stdout=io.BytesIO(),
                              stderr=io.BytesIO())
    proc.run()
    assert proc.fault is None and proc.process.exit_status == 7     # 7 ms later
