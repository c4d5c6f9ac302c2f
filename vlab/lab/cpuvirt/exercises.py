"""Chapter 4 exercises: a student's ``csrrw`` emulator, run inside the real VMM.

The trap-and-emulate VMM (vlab/hardware/trap_emulate.py) looks each trapping privileged
instruction up in ``vlab.hardware.privileged.EMULATORS``.  ``run_with_csrrw(emulate)``
runs a self-checking guest under that VMM with the table's ``csrrw`` entry replaced, for
that run only, by an adapter around the student's function

    emulate(csrs, regs, rd, rs1, number)

which must do what Zicsr sec. 9.1 says ``csrrw rd, number, rs1`` does, on the guest's
*virtual* CSRs: read the old value (only when ``rd`` is not x0), write ``regs[rs1]``,
put the old value in ``rd``.  ``csrs`` is the virtual CSR file (``csrs.read(number)``,
``csrs.write(number, value)``: the access is checked against the guest's virtual
privilege, as the VMM's own emulator does); ``regs`` the guest's registers (``regs[i]``;
writes to x0 are dropped, as the hardware drops them).

The guest writes, swaps and reads ``mscratch`` and ``mtvec`` and exits 0 when every value
is what the bare machine gives, else with the number of the first failed check
(riscv-tests convention).  ``CsrrwRun`` says what happened: exit code, how many
``csrrw`` the student's function emulated.  Oracles: the same guest on the bare machine,
and ``microbench.operation_cost`` for the exit count of a system call.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from vlab.hardware import privileged
from vlab.hardware.vm import VirtualMachine
from vlab.isa.asm import assemble
from vlab.isa.elf import load_elf
from vlab.isa.machine import Machine

from .guest_exit import HTIF_EXIT
from .microbench import operation_cost

MASK32 = 0xFFFFFFFF
GUEST = '''
.text
.globl _start
_start:
    li gp, 2
    li a0, 0x1234
    csrw mscratch, a0               # csrrw x0, mscratch, a0: a write, no read
    csrr a1, mscratch
    bne a0, a1, fail
    li gp, 3
    li a2, 0x5678
    csrrw a3, mscratch, a2          # a swap: a3 gets the old value
    li t0, 0x1234
    bne a3, t0, fail
    csrr a1, mscratch
    bne a1, a2, fail
    li gp, 4
    csrrw a4, mscratch, zero        # write 0, read the old value
    bne a4, a2, fail
    csrr a1, mscratch
    bnez a1, fail
    li gp, 5
    la t1, handler                  # install a trap vector and read it back
    csrrw t2, mtvec, t1
    csrr t3, mtvec
    bne t1, t3, fail
    li gp, 6
    li a6, 0x77
    csrw mscratch, a6
    li a5, 0x99
    csrrw a5, mscratch, a5          # same register as source and destination
    bne a5, a6, fail                # a5 gets the old 0x77 ...
    csrr a1, mscratch
    li t0, 0x99
    bne a1, t0, fail                # ... and mscratch the 0x99 a5 held before
    li a0, 1
    j write_tohost
''' + HTIF_EXIT
GUEST_CSRRW = 6          # csrrw instructions in the guest (csrw included)


class VirtualCsrs:
    """The guest's virtual CSRs as the student sees them, access-checked like the VMM."""

    def __init__(self, vmm):
        self._vmm = vmm

    def _access(self, number: int, write: bool):
        vcpu = self._vmm.vcpu
        return vcpu.csr.check_access(number, write, vcpu.priv, self._vmm.word)

    def read(self, number: int) -> int:
        return self._access(number, False)[0]() & MASK32

    def write(self, number: int, value: int) -> None:
        self._access(number, True)[1](value & MASK32)


class GuestRegisters:
    """The guest's integer registers (``regs[i]``); x0 reads 0 and ignores writes."""

    def __init__(self, ctx):
        self._ctx = ctx

    def __getitem__(self, number: int) -> int:
        return self._ctx.reg(number) & MASK32

    def __setitem__(self, number: int, value: int) -> None:
        if not isinstance(value, int):
            raise TypeError(f'register x{number} must get an int, not {type(value).__name__}')
        self._ctx.set_reg(number, value & MASK32)


@dataclass(frozen=True)
class CsrrwRun:
    exit_code: int
    student_calls: int
    message: str


def _adapter(emulate, calls: list):
    def emulator(vmm, ctx, name, f):
        calls.append(name)
        emulate(VirtualCsrs(vmm), GuestRegisters(ctx), f['rd'], f['rs1'], f['csr'])
        return ctx.epc + 4
    return emulator


@contextmanager
def _csrrw_replaced(emulator):
    """The VMM's ``csrrw`` entry is ``emulator`` inside the block, the real one after."""
    real = privileged.EMULATORS['csrrw']
    privileged.EMULATORS['csrrw'] = emulator
    try:
        yield
    finally:
        privileged.EMULATORS['csrrw'] = real


def _image():
    return load_elf(assemble(GUEST, filename='csrrw_guest.s').to_elf())


def run_with_csrrw(emulate) -> CsrrwRun:
    """The guest under trap-and-emulate with ``emulate`` as the VMM's csrrw emulation."""
    if not callable(emulate):
        raise TypeError('give the emulation function itself: run_with_csrrw(emulate_csrrw)')
    calls: list = []
    vm = VirtualMachine(_image(), cpu='trap-emulate', guest_ram=1 << 20)
    with _csrrw_replaced(_adapter(emulate, calls)):
        result = vm.run(max_instructions=10_000)
    if result.status != 'exit':
        return CsrrwRun(-1, len(calls), f'the guest did not finish: {result.message}')
    return CsrrwRun(result.exit_code, len(calls), f'exit code {result.exit_code}')


def bare_exit_code() -> int:
    """The oracle: the same guest on the bare machine (0: every check passes)."""
    machine = Machine(ram_size=1 << 20)
    machine.load_elf(_image())
    return machine.run(max_instructions=10_000).exit_code


def syscall_exits(method: str = 'trap-emulate') -> int:
    """VM exits per system call of the microbenchmark guest, measured."""
    return round(operation_cost('syscall', method).exits)
