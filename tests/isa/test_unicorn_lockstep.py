"""Lockstep differential tests against unicorn (QEMU's RISC-V core): after every single
instruction, all 32 registers and the pc must agree.

* Random instruction streams (hypothesis, derandomized and bounded): RV32IM ALU, loads,
  stores and AMOs on a data page, forward branches and jumps, from random registers.
* Real programs compiled by GCC (when installed), run as user programs: both sides get
  the same kernel (vlab.os) for their ecalls (unicorn cannot deliver traps to mtvec, so the
  harness stops it at each ecall and serves the call exactly as our machine does).

unicorn quirks handled: ecall reaches a hook instead of mtvec (with pc already past the
ecall), ``ebreak`` aborts emu_start -- so random streams contain neither.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest

unicorn = pytest.importorskip("unicorn")
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from unicorn import riscv_const as rc  # noqa: E402

from vlab.isa.elf import load_elf  # noqa: E402
from vlab.isa.fields import encode  # noqa: E402
from vlab.isa.machine import Machine  # noqa: E402
from vlab.isa.runtime import compile_c, find_compiler  # noqa: E402
from vlab.isa.spec import BY_NAME  # noqa: E402
from vlab.os.boot import boot  # noqa: E402
from vlab.os.exec import SV32_STACK_TOP  # noqa: E402
from vlab.os.unicorn_backend import RAM_END, X_REGS, UnicornUserProcess  # noqa: E402

CODE, DATA = 0x8000_0000, 0x8001_0000
DATA_REG = 8          # s0 holds the data page address and is never a destination
PAD = 4               # nops after the stream, landing room for forward branches

R_OPS = ["add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and", "mul", "mulh",
         "mulhsu", "mulhu", "div", "divu", "rem", "remu"]
I_OPS = ["addi", "slti", "sltiu", "xori", "ori", "andi"]
SHIFT_OPS = ["slli", "srli", "srai"]
LOADS = {"lb": 1, "lbu": 1, "lh": 2, "lhu": 2, "lw": 4}
STORES = {"sb": 1, "sh": 2, "sw": 4}
AMOS = ["amoswap.w", "amoadd.w", "amoxor.w", "amoand.w", "amoor.w", "amomin.w", "amomax.w",
        "amominu.w", "amomaxu.w"]
BRANCHES = ["beq", "bne", "blt", "bge", "bltu", "bgeu"]

reg = st.integers(0, 31)
dest = st.integers(0, 31).filter(lambda r: r != DATA_REG)


def _enc(name, **fields):
    return encode(BY_NAME[name], **fields)


@st.composite
def instruction(draw):
    kind = draw(st.sampled_from(["r", "i", "shift", "lui", "load", "store", "amo", "branch",
                                 "jal"]))
    rd = draw(dest)
    if kind == "r":
        return _enc(draw(st.sampled_from(R_OPS)), rd=rd, rs1=draw(reg), rs2=draw(reg))
    if kind == "i":
        return _enc(draw(st.sampled_from(I_OPS)), rd=rd, rs1=draw(reg),
                    imm=draw(st.integers(-2048, 2047)))
    if kind == "shift":
        return _enc(draw(st.sampled_from(SHIFT_OPS)), rd=rd, rs1=draw(reg),
                    shamt=draw(st.integers(0, 31)))
    if kind == "lui":
        return _enc(draw(st.sampled_from(["lui", "auipc"])), rd=rd,
                    imm20=draw(st.integers(0, 0xFFFFF)))
    if kind == "load":
        name = draw(st.sampled_from(sorted(LOADS)))
        return _enc(name, rd=rd, rs1=DATA_REG, imm=draw(st.integers(0, 511)) * LOADS[name])
    if kind == "store":
        name = draw(st.sampled_from(sorted(STORES)))
        return _enc(name, rs1=DATA_REG, rs2=draw(reg),
                    imm=draw(st.integers(0, 511)) * STORES[name])
    if kind == "amo":
        return _enc(draw(st.sampled_from(AMOS)), rd=rd, rs1=DATA_REG, rs2=draw(reg),
                    aq=0, rl=0)
    if kind == "branch":
        return _enc(draw(st.sampled_from(BRANCHES)), rs1=draw(reg), rs2=draw(reg),
                    imm=4 * draw(st.integers(1, PAD)))
    return _enc("jal", rd=rd, imm=4 * draw(st.integers(1, PAD)))


def _code(words):
    return b"".join(w.to_bytes(4, "little") for w in words + [_enc("addi", rd=0, rs1=0, imm=0)]
                    * (PAD + 1))


def _unicorn(code: bytes, regs: list[int]):
    uc = unicorn.Uc(unicorn.UC_ARCH_RISCV, unicorn.UC_MODE_RISCV32)
    uc.mem_map(CODE, 0x1_0000)
    uc.mem_map(DATA, 0x1000)
    uc.mem_write(CODE, code)
    for number in range(1, 32):
        uc.reg_write(X_REGS[number], regs[number])
    return uc


def _unicorn_state(uc):
    return [0] + [uc.reg_read(r) & 0xFFFF_FFFF for r in X_REGS[1:]], uc.reg_read(rc.UC_RISCV_REG_PC)


@seed(20260326)
@settings(max_examples=100, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(instruction(), min_size=1, max_size=24),
       values=st.lists(st.integers(0, 0xFFFF_FFFF), min_size=32, max_size=32),
       data=st.binary(min_size=64, max_size=64))
def test_random_streams_agree_with_unicorn(words, values, data):
    regs = [0] + values[1:]
    regs[DATA_REG] = DATA
    code = _code(words)
    machine = Machine(ram_size=1 << 20)
    machine.load_bytes(CODE, code)
    machine.load_bytes(DATA, data * 64)
    machine.regs[1:] = regs[1:]
    machine.pc = CODE
    uc = _unicorn(code, regs)
    uc.mem_write(DATA, data * 64)
    end = CODE + 4 * len(words)
    pc = CODE
    steps = 0
    while pc < end:
        result = machine.step()
        assert result.status == "step", str(result)
        uc.emu_start(pc, 0xFFFF_FFFF_FFFF_FFFF, count=1)
        uc_regs, uc_pc = _unicorn_state(uc)
        assert (machine.pc, list(machine.regs)) == (uc_pc, uc_regs), (
            f"diverged after step {steps} at {pc:#x}")
        pc = machine.pc
        steps += 1
    assert machine.bus.read_bytes(DATA, 4096) == bytes(uc.mem_read(DATA, 4096))


# ---------------------------------------------------------------- real programs

PROGRAMS = Path(__file__).parent / "c_programs"
LOCKSTEP_PROGRAMS = ["hello", "printf_formats", "strings", "sort", "heap", "exit_code",
                     "sysinfo", "echo_upper"]
MAX_STEPS = 200_000


def _streams(name):
    stdin = PROGRAMS / f"{name}.in"
    return dict(stdin=io.BytesIO(stdin.read_bytes() if stdin.exists() else b""),
                stdout=io.BytesIO(), stderr=io.BytesIO())


@pytest.mark.toolchain
@pytest.mark.skipif(find_compiler() is None, reason="needs the pinned ziglang (pip install -e .)")
@pytest.mark.parametrize("paging", [False, True], ids=["bare-addressing", "sv32"])
@pytest.mark.parametrize("name", LOCKSTEP_PROGRAMS)
def test_compiled_program_in_lockstep(name, paging, tmp_path):
    """With Sv32 on, our program sees the same virtual addresses as unicorn's flat memory
    (unicorn's stack is placed at the Sv32 stack top), so every register still agrees;
    the kernel's page faults (pages come on demand) retire nothing and are stepped over."""
    elf = compile_c([PROGRAMS / f"{name}.c"], tmp_path / f"{name}.elf")
    argv = [name, "first", "second arg"]
    ours_io, theirs_io = _streams(name), _streams(name)
    ours = boot(elf, argv=argv, envp=["COURSE=vlab"], paging=paging, **ours_io)
    stack_top = SV32_STACK_TOP if paging else RAM_END
    theirs = UnicornUserProcess(load_elf(elf), argv=argv, envp=["COURSE=vlab"],
                                stack_top=stack_top, **theirs_io)
    machine = ours.machine
    for steps in range(MAX_STEPS):
        if ours.process.exited or theirs.done:
            break
        pc = machine.pc
        retired = machine.hart.instret
        result = machine.step()
        while result.status == "step" and (machine.pc, machine.hart.instret) == (pc, retired):
            result = machine.step()       # a page fault the kernel resolved (demand
        theirs.step()                     # paging): invisible to the program
        assert result.status in ("step", "exit"), str(result)
        # after exit our machine stays at the ecall while unicorn has moved past it
        pcs = (machine.pc, theirs.pc) if result.status == "step" else (0, 0)
        assert (pcs[0], list(machine.regs)) == (pcs[1], theirs.registers()), (
            f"{name}: diverged after step {steps} at {pc:#x} "
            f"<{ours.image.describe(pc)}>")
    assert theirs.fault is None
    assert ours.process.exit_status == theirs.process.exit_status is not None
    assert ours_io["stdout"].getvalue() == theirs_io["stdout"].getvalue() != b""
    assert machine.hart.instret == theirs.instret
