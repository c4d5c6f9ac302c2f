"""The kernel without a compiler: syscall table, processes, files, brk, address spaces, the
initial stack, and small assembly user programs run on the machine."""
from __future__ import annotations

import io
import struct

import pytest

from vlab.host.platform import Platform
from vlab.isa.asm import assemble
from vlab.isa.elf import load_elf
from vlab.os import NUMBERS, TABLE, Kernel, SyscallError
from vlab.os import errno as E
from vlab.os.boot import boot
from vlab.os.exec import build_initial_stack
from vlab.os.file import STAT_SIZE, FileTable
from vlab.os.vm import KERNEL_AREA, FlatSpace, Sv32Space

RAM = 0x8000_0000
USER = RAM + KERNEL_AREA


def test_numbers_are_linux_asm_generic():
    # include/uapi/asm-generic/unistd.h as RV32 has it (unistd.py), plus riscv-pk's
    # clock_gettime 113, gettimeofday 169 and fstat 80 for the hand-written runtime
    from vlab.os.syscall import RISCV_PK
    from vlab.os.unistd import NUMBERS as LINUX
    for name, number in NUMBERS.items():
        assert number == LINUX.get(name, RISCV_PK.get(name)), name
    for name in ("openat", "close", "read", "write", "exit", "exit_group", "uname",
                 "getpid", "brk", "clone", "execve", "waitid", "kill", "rt_sigaction",
                 "clock_gettime64", "clock_nanosleep_time64", "sched_yield"):
        assert NUMBERS[name] == LINUX[name]
    assert TABLE[113].name == "clock_gettime" and TABLE[169].name == "gettimeofday"
    assert TABLE[93].handler is TABLE[94].handler                  # exit, exit_group
    assert all(entry.name for entry in TABLE.values())


def make_process(space=None, ledger=None, instret=lambda: 0, **streams):
    """A kernel with one process over ``space`` (flat, 8 MiB RAM by default)."""
    space = space or FlatSpace(Platform(ram_size=8 << 20).bus)
    streams.setdefault("stdout", io.BytesIO())
    streams.setdefault("stdin", io.BytesIO(b"input"))
    streams.setdefault("stderr", io.BytesIO())
    kernel = Kernel(ledger=ledger, instret=instret)
    proc = kernel.spawn(space, brk_start=USER + 0x10000, brk_limit=USER + 0x20000, **streams)
    return kernel, proc


def call(kernel, proc, number, *args):
    """The system call as the ABI delivers it: always six argument registers."""
    return kernel.syscall(proc, number, [*args, 0, 0, 0, 0, 0, 0][:6])


def signed(v):
    return v - (1 << 32) if v & 0x8000_0000 else v


def test_write_read_and_errors():
    k, p = make_process()
    p.space.write(USER, b"hello")
    assert call(k, p, 64, 1, USER, 5) == 5
    assert p.files.get(1).stream.getvalue() == b"hello"
    assert call(k, p, 63, 0, USER + 8, 16) == 5
    assert p.space.read(USER + 8, 5) == b"input"
    assert signed(call(k, p, 64, 7, USER, 5)) == -E.EBADF
    assert signed(call(k, p, 64, 1, 0x10, 5)) == -E.EFAULT
    assert signed(call(k, p, 63, 1, USER, 5)) == -E.EBADF  # stdout: write only
    assert signed(call(k, p, 12345)) == -E.ENOSYS and k.unknown[12345] == 1
    assert k.calls["write"] == 3 and k.calls["read"] == 2


def test_ledger_charges_one_syscall_event_per_call():
    platform = Platform(ram_size=8 << 20)
    k, p = make_process(FlatSpace(platform.bus), ledger=platform.ledger)
    for _ in range(3):
        call(k, p, 172)
    assert platform.ledger.counts["syscall"] == 3


def test_brk_grows_zeroed_refuses_beyond_limit():
    k, p = make_process()
    assert call(k, p, 214, 0) == USER + 0x10000
    p.space.write(USER + 0x10000, b"\xff" * 16)
    assert call(k, p, 214, USER + 0x10000) == USER + 0x10000
    assert call(k, p, 214, USER + 0x10100) == USER + 0x10100
    assert p.space.read(USER + 0x10000, 16) == bytes(16)
    assert call(k, p, 214, USER + 0x30000) == USER + 0x10100


def test_exit_status_is_the_low_byte():
    k, p = make_process()
    call(k, p, 94, 0x1_07)
    assert p.exited and p.exit_status == 7 and not p.alive


def test_clock_is_deterministic_from_instret():
    count = [250_000_000]
    k, p = make_process(instret=lambda: count[0])
    assert call(k, p, 113, 1, USER) == 0
    assert struct.unpack("<ii", p.space.read(USER, 8)) == (2, 500_000_000)
    call(k, p, 169, USER)
    assert struct.unpack("<ii", p.space.read(USER, 8)) == (1_293_840_002, 500_000)
    assert signed(call(k, p, 113, 77, USER)) == -E.EINVAL


def test_uname_fields():
    k, p = make_process()
    call(k, p, 160, USER)
    raw = p.space.read(USER, 6 * 65)
    assert raw[:65].rstrip(b"\0") == b"vlab" and raw[4 * 65:5 * 65].rstrip(b"\0") == b"riscv32"


def test_sandbox_confines_paths(tmp_path):
    (tmp_path / "inside.txt").write_text("ok")
    outside = tmp_path.parent / "outside_sandbox.txt"
    outside.write_text("secret")
    (tmp_path / "link").symlink_to(outside)
    files = FileTable(root=tmp_path)
    fd = files.open(-100, "/inside.txt", 0, 0)
    assert fd == 3 and files.get(fd).read(10) == b"ok"
    for path in ("../outside_sandbox.txt", "/../../outside_sandbox.txt", "link"):
        with pytest.raises(SyscallError) as info:
            files.open(-100, path, 0, 0)
        assert info.value.errno == E.EACCES
    with pytest.raises(SyscallError) as info:
        FileTable(root=None).open(-100, "/inside.txt", 0, 0)
    assert info.value.errno == E.ENOENT


def test_paths_follow_the_one_normaliser_and_the_working_directory(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "f").write_text("in sub")
    files = FileTable(root=tmp_path)
    fd = files.open(-100, "f", 0, 0, cwd="/sub")
    assert files.get(fd).read(10) == b"in sub"
    assert files.get(files.open(-100, "/sub/./x/../f", 0, 0)).read(2) == b"in"
    for path, errno in (("sub\\f", E.EACCES), ("C:/f", E.EACCES), ("", E.ENOENT),
                        ("../f", E.EACCES)):
        with pytest.raises(SyscallError) as info:
            files.open(-100, path, 0, 0, cwd="/")
        assert info.value.errno == errno, path


def test_openat_is_relative_to_the_process_cwd(tmp_path):
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "notes").write_text("hi")
    kernel = Kernel()
    space = FlatSpace(Platform(ram_size=8 << 20).bus)
    proc = kernel.spawn(space, brk_start=USER + 0x10000, brk_limit=USER + 0x20000,
                        root=tmp_path, cwd="/home")
    space.write(USER, b"notes\0")
    fd = call(kernel, proc, NUMBERS["openat"], -100 & 0xFFFF_FFFF, USER, 0, 0)
    assert fd == 3 and call(kernel, proc, NUMBERS["read"], fd, USER + 64, 8) == 2


def test_fstat_layout(tmp_path):
    (tmp_path / "f").write_bytes(b"x" * 1000)
    files = FileTable(root=tmp_path)
    from vlab.os.vfs.stat import pack_stat64
    raw = pack_stat64(files.get(files.open(-100, "f", 0, 0)).stat())
    assert len(raw) == STAT_SIZE == 104
    mode, = struct.unpack_from("<I", raw, 16)
    size, = struct.unpack_from("<q", raw, 48)
    assert mode & 0o170000 == 0o100000 and size == 1000


def test_initial_stack_follows_the_abi():
    space = FlatSpace(Platform(ram_size=8 << 20).bus)
    top = RAM + (8 << 20)
    sp = build_initial_stack(space, top, ["prog", "arg"], ["K=V"], entry=0x1234)
    assert sp % 16 == 0
    words = struct.unpack("<14I", space.read(sp, 56))
    argc, argv0, argv1, null1, env0, null2 = words[:6]
    assert (argc, null1, null2) == (2, 0, 0)
    assert space.read(argv0, 5) == b"prog\0" and space.read(argv1, 4) == b"arg\0"
    assert space.read(env0, 4) == b"K=V\0"
    auxv = dict(zip(words[6::2], words[7::2], strict=True))
    assert auxv[6] == 4096 and auxv[9] == 0x1234 and auxv[0] == 0


def test_sv32_space_is_a_real_page_table_the_mmu_walks():
    from vlab.isa.machine import Machine
    from vlab.isa.mmu import LOAD
    m = Machine(ram_size=8 << 20)
    space = Sv32Space(m.bus)
    space.map(0x0001_0000, 0x3000, writable=False)
    space.load(0x0001_1ffe, b"\x12\x34\x56\x78")              # the loader: crosses a page
    assert space.read(0x0001_1ffe, 4) == b"\x12\x34\x56\x78"
    m.csr["satp"] = space.satp
    m.priv = "U"
    pa = m.mmu.translate(0x0001_1ffe, LOAD, 0)
    assert pa == space.translate(0x0001_1ffe) and RAM <= pa < RAM + (8 << 20)
    with pytest.raises(SyscallError):
        space.read(0x0003_0000, 1)


USER_ASM = """
    .text
_start:
    li a7, 64          # write(1, msg, 6)
    li a0, 1
    la a1, msg
    li a2, 6
    ecall
    li a7, 93          # exit(a0 + 1) -> 7
    addi a0, a0, 1
    ecall
    .data
msg: .ascii "hi pk\\n"
"""


def user_image(source: str, base: int):
    return load_elf(assemble(source, text_base=base).to_elf())


@pytest.mark.parametrize("base,paging", [(USER, False), (USER, True), (0x0001_0000, True)])
def test_assembly_user_program(base, paging):
    out = io.BytesIO()
    booted = boot(user_image(USER_ASM, base), mode="user", paging=paging, stdout=out,
                  stdin=io.BytesIO(), stderr=io.BytesIO())
    result = booted.machine.run(max_instructions=1000)
    assert (result.status, result.exit_code) == ("exit", 7)
    assert out.getvalue() == b"hi pk\n" and booted.machine.priv == 0


def test_gcc_default_address_needs_sv32():
    booted = boot(user_image(USER_ASM, 0x0001_0000), mode="user", stdout=io.BytesIO())
    assert booted.paging is True


def test_user_fault_kills_the_program():
    source = "_start:\n li t0, 0x10\n lw a0, 0(t0)\n"
    booted = boot(user_image(source, USER), mode="user", paging=True)
    result = booted.machine.run(max_instructions=100)
    assert result.status == "halt"
    fault = booted.process.fault
    assert (fault.cause, fault.tval, fault.signal) == (13, 0x10, 11)
    assert fault.name == "load page fault" and booted.image.describe(fault.epc) == "_start+0x4"


def test_text_streams_work_too():
    """In a notebook sys.stdout is a text stream: bytes are decoded, input encoded."""
    out = io.StringIO()
    k, p = make_process(stdout=out, stdin=io.StringIO("typed"))
    p.space.write(USER, "héllo".encode())
    assert call(k, p, 64, 1, USER, 6) == 6
    assert out.getvalue() == "héllo"
    assert call(k, p, 63, 0, USER, 5) == 5 and p.space.read(USER, 5) == b"typed"


def test_run_program_captures_output_in_both_modes(tmp_path):
    from vlab.os.boot import run_program
    user = tmp_path / "user.s"
    user.write_text(USER_ASM)
    done = run_program(str(user), mode="user")
    assert (done.stdout, done.exit_code, done.booted.mode) == (b"hi pk\n", 7, "user")
    bare = tmp_path / "bare.s"
    bare.write_text("_start: li t0, 0x10000000\n li t1, 0x4f\n sb t1, 0(t0)\n"
                    " la t2, tohost\n li t1, 3\n sw t1, 0(t2)\n sw zero, 4(t2)\n1: j 1b\n"
                    " .data\n .align 3\ntohost: .word 0, 0\n")
    done = run_program(str(bare))
    assert (done.stdout, done.exit_code, done.booted.mode) == (b"O", 1, "bare")
