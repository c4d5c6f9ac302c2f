"""A guest's virtual CSRs: the privileged state a trap-and-emulate monitor keeps per vCPU.

Popek & Goldberg (CACM 17(7), 1974): a monitor runs its guest deprivileged, so the
guest's privileged state cannot live in the real registers -- the monitor keeps a copy,
and when the guest would have taken a trap, the monitor applies the hardware's trap-entry
rule *to that copy* and resumes the guest at its own handler (the ``Inject`` action,
vlab/isa/trap_actions.py).  The guest's kernel believes it is in S-mode; really it runs
in U-mode, and every privileged instruction it executes traps to the monitor, which
emulates it against this state (Adams & Agesen, ASPLOS 2006, sec. 2: "trap-and-emulate").

The trap-entry and trap-return rules are the very functions that update the real CSRs
(vlab/isa/traps.py ``take_trap``, ``return_from_s``, ``return_from_m``): only the state
they are applied to differs.  The fields have the names of the CSRFile's storage.

``priv`` is the guest's *virtual* privilege level.  A guest kernel that has no virtual
M-mode (the monitor plays M, as SBI firmware would) delegates every trap it can to its S
level: ``VirtualCsrs.supervisor_guest()``.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from vlab.isa.privilege import LEVELS, M, S, U
from vlab.isa.traps import delegated_level, return_from_m, return_from_s, take_trap

DELEGABLE_EXCEPTIONS = 0xB3FF      # causes 0-9, 12, 13, 15 (csr.py MEDELEG_WRITABLE)
S_INTERRUPTS = 0x222               # SSIP, STIP, SEIP


@dataclass
class VirtualCsrs:
    """One vCPU's privileged state (see the module docstring)."""

    priv: int = S
    mstatus: int = 0
    medeleg: int = 0
    mideleg: int = 0
    mtvec: int = 0
    stvec: int = 0
    mepc: int = 0
    sepc: int = 0
    mcause: int = 0
    scause: int = 0
    mtval: int = 0
    stval: int = 0
    mscratch: int = 0
    sscratch: int = 0
    satp: int = 0
    mie: int = 0
    mip: int = 0

    @classmethod
    def supervisor_guest(cls, stvec: int = 0, **values) -> VirtualCsrs:
        """A guest kernel in virtual S-mode whose traps all enter its S level."""
        return cls(priv=S, medeleg=DELEGABLE_EXCEPTIONS, mideleg=S_INTERRUPTS,
                   stvec=stvec, **values)

    def handler_base(self, cause: int, interrupt: bool = False) -> int:
        """Where the guest's handler for this trap starts (its xtvec BASE; 0: none)."""
        level = delegated_level(self.priv, self, cause, interrupt)
        return (self.mtvec if level == M else self.stvec) & ~3

    def enter_trap(self, cause: int, tval: int = 0, interrupt: bool = False,
                   epc: int = 0) -> int:
        """The hardware's trap entry on this state: xepc, xcause, xtval, xstatus and the
        virtual privilege are updated; returns the pc of the guest's handler."""
        target, pc = take_trap(self, self.priv, cause, tval, interrupt, epc)
        self.priv = target
        return pc

    def trap_return(self, level='S') -> int:
        """The guest executed SRET (or MRET, ``level='M'``): returns the pc to resume at."""
        level = LEVELS[level]
        if level == U or self.priv < level:
            raise ValueError(f'a guest in virtual {self.priv}-mode cannot return from '
                             f'level {level}')
        self.priv, pc = return_from_m(self) if level == M else return_from_s(self)
        return pc

    def state(self) -> dict:
        """A plain-data copy (for snapshots and comparisons)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


__all__ = ['VirtualCsrs']
