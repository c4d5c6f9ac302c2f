"""A virtual CPU: the guest's privilege level and its whole set of virtual CSRs.

Popek & Goldberg (CACM 17(7), 1974) require *equivalence*: a program under the monitor
behaves as on the bare machine.  A bare-metal guest (firmware, riscv-tests) reads and
writes every M- and S-level CSR -- mstatus, misa, mie/mip, mtvec, mscratch, mepc, mcause,
mtval, medeleg/mideleg, satp, the sstatus/sie/sip views, the counters -- with all their
WARL rules.  So the vCPU keeps a complete ``CSRFile`` (vlab/isa/csr.py), the very class
the hart uses: the virtual registers legalize writes, gate accesses by the *virtual*
privilege and the virtual mstatus.TVM/TW/TSR and counter enables exactly as the real
ones do.  (``vlab.isa.vcpu.VirtualCsrs`` holds only the fields trap entry needs; a
guest kernel under SBI firmware needs no more, a bare-metal guest does.)

``priv`` is the guest's virtual privilege (M at reset, as a hart).  The guest always
runs in real U-mode.  The counters read the hart's ``instret``: the VMM counts each
instruction it emulates as retired (vlab/hardware/trap_emulate.py), so ``minstret``
and ``mcycle`` (one cycle per instruction, as on the machine) agree with the bare
machine.  ``mip`` is the virtual software-writable bits plus the real CLINT's lines (the
CLINT is passed through, vlab/hardware/guest_memory.py).

``handler_base`` and ``enter_trap`` are what the machine's ``Inject`` action calls
(vlab/isa/trap_actions.py): the architectural trap-entry rule (vlab/isa/traps.py
``take_trap``) applied to the virtual registers.  ``on_priv_change`` lets the VMM switch
the real address space (physical map or shadow tables) when the virtual level changes.
"""
from __future__ import annotations

from vlab.isa.csr import CSRFile
from vlab.isa.privilege import PRIV_NAMES, M
from vlab.isa.traps import (
    delegated_level,
    pending_interrupt,
    return_from_m,
    return_from_s,
    take_trap,
)


class _Counters:
    """What a CSRFile asks of its hart: the retired-instruction count, the level, and the
    hypervisor extension's V bit (always 0: this guest hart has no virtualization mode of
    its own)."""

    virt = 0

    def __init__(self, hart, vcpu):
        self._hart, self._vcpu = hart, vcpu

    @property
    def instret(self) -> int:
        return self._hart.instret

    @property
    def priv(self) -> int:
        return self._vcpu.priv


class VirtualCpu:
    """One guest hart: virtual privilege and virtual CSRs (see the module docstring)."""

    virt = 0            # the H extension's V bit: this guest hart has no VS/VU modes

    def __init__(self, hart, mtime, hw_mip):
        self.priv = M
        self.csr = CSRFile(_Counters(hart, self), mtime=mtime, hw_mip=hw_mip)
        self.on_priv_change = lambda: None
        self.injected = 0                    # traps entered into the guest

    @property
    def priv_name(self) -> str:
        return PRIV_NAMES[self.priv]

    # ------------------------------------------------------------ the Inject protocol
    def handler_base(self, cause: int, interrupt: bool = False) -> int:
        """The guest's handler for this trap (its xtvec BASE; 0: none installed)."""
        level = delegated_level(self.priv, self.csr, cause, interrupt)
        return (self.csr.mtvec if level == M else self.csr.stvec) & ~3

    def enter_trap(self, cause: int, tval: int = 0, interrupt: bool = False,
                   epc: int = 0) -> int:
        """Trap entry on the virtual CSRs; returns the pc of the guest's handler."""
        self.priv, pc = take_trap(self.csr, self.priv, cause, tval, interrupt, epc)
        self.injected += 1
        self.on_priv_change()
        return pc

    def trap_return(self, level: int) -> int:
        """MRET (``level`` M) or SRET on the virtual CSRs; returns the pc to resume at."""
        self.priv, pc = return_from_m(self.csr) if level == M else return_from_s(self.csr)
        self.on_priv_change()
        return pc

    def pending(self) -> int | None:
        """The virtual interrupt to take now (vlab/isa/traps.py ``pending_interrupt``)."""
        return pending_interrupt(self, self.csr.mip)

    def state(self) -> dict:
        return {'priv': self.priv, 'csr': self.csr.state()}


__all__ = ['VirtualCpu']
