"""The guest kernel on the bare machine, under a small SBI firmware written in Python.

Natively there is no VMM to be the kernel's firmware, so this module is one, as OpenSBI
is on real boards: M-mode code (here a Python handler on the machine's trap router,
vlab/isa/trap_router.py, charged as ``trap``) that

* delegates to S-mode every exception the kernel handles itself and the S interrupts
  (``medeleg``/``mideleg``, privileged spec sec. 3.1.8), keeping the ecall from S-mode;
* serves those ecalls as SBI calls (the same table as the VMMs: vlab/hardware/sbi.py);
* owns the CLINT: SBI ``set_timer`` programs ``mtimecmp``; when the machine timer fires it
  raises ``mip.STIP`` for the kernel (what OpenSBI does), and the hardware delivers the
  supervisor timer interrupt to the kernel's ``stvec``.

The same native build of the kernel then runs with no virtualization at all: the
baseline that every VMM's exits and modeled time are compared to.
"""
from __future__ import annotations

from pathlib import Path

from vlab.hardware.sbi import SbiHost, sbi_call
from vlab.isa.causes import Cause, Interrupt
from vlab.isa.csr import MEDELEG_WRITABLE, S_INTERRUPTS
from vlab.isa.elf import load_elf
from vlab.isa.machine import Machine
from vlab.isa.privilege import S

from .boot import guest_layout
from .build import build_kernel

STIP = 1 << Interrupt.SUPERVISOR_TIMER
MTIE = 1 << Interrupt.MACHINE_TIMER
NEVER = (1 << 64) - 1
FIRMWARE_ECALLS = (1 << Cause.SUPERVISOR_ECALL) | (1 << Cause.MACHINE_ECALL)
ALL_COUNTERS = 7
RAM = 64 << 20


class SbiFirmware:
    """The machine's M-mode firmware for an S-mode kernel (see the module docstring)."""

    def __init__(self, machine):
        self.machine = machine
        self.calls: dict[str, int] = {}
        self.host = SbiHost(self._putchar, self._read, self._set_timer)
        csr = machine.hart.csr
        csr.medeleg = MEDELEG_WRITABLE & ~FIRMWARE_ECALLS
        csr.mideleg = S_INTERRUPTS
        csr.mcounteren = ALL_COUNTERS
        machine.clint.mtimecmp[0] = NEVER
        machine.traps.register('M', self.handle,
                               causes={Cause.SUPERVISOR_ECALL, Interrupt.MACHINE_TIMER},
                               charge_as='trap', name='SBI firmware')

    def handle(self, ctx):
        if ctx.interrupt:                               # the kernel's timer is due
            self.machine.clint.mtimecmp[0] = NEVER
            csr = self.machine.hart.csr
            csr.mie &= ~MTIE
            csr.mip_sw |= STIP
            return ctx.resume(ctx.epc)
        name, result = sbi_call(self.host, ctx.regs)
        self.calls[name] = self.calls.get(name, 0) + 1
        if result.exit is not None:
            return ctx.exit(result.exit)
        if result.stop is not None:
            return ctx.halt(result.stop)
        ctx.set_reg(10, result.error & 0xFFFFFFFF)
        if result.returns:
            ctx.set_reg(11, result.value & 0xFFFFFFFF)
        return ctx.resume(ctx.epc + 4)

    def _set_timer(self, deadline: int) -> None:
        csr = self.machine.hart.csr
        csr.mip_sw &= ~STIP
        self.machine.clint.mtimecmp[0] = deadline & NEVER
        csr.mie |= MTIE

    def _putchar(self, byte: int) -> None:
        self.machine.platform.uart.store(0, 1, byte)

    def _read(self, pa: int, count: int) -> bytes | None:
        ram = self.machine.ram
        if not (ram.base <= pa and pa + count <= ram.base + ram.size):
            return None
        return self.machine.bus.read_bytes(pa, count)


def boot_native(program, argv: list[str] | None = None, envp: list[str] | None = None,
                engine: str = 'interp', ram: int = RAM):
    """A bare machine running the native guest kernel under ``SbiFirmware`` with
    ``program`` loaded as boot.py loads it in a VM; returns (machine, firmware)."""
    machine = Machine(ram_size=ram, engine=engine)
    machine.load_elf(load_elf(build_kernel('native')))
    elf = program if isinstance(program, bytes) else Path(program).read_bytes()
    block_pa, elf_pa, block = guest_layout(machine.ram.base, ram, elf, program, argv, envp)
    machine.bus.write_bytes(elf_pa, elf)
    machine.bus.write_bytes(block_pa, block)
    firmware = SbiFirmware(machine)
    hart = machine.hart
    hart.x[10], hart.x[11] = 0, block_pa
    hart.set_priv(S)
    machine.engine.context_changed()
    return machine, firmware


__all__ = ['SbiFirmware', 'boot_native']
