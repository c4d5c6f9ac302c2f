"""What a Python trap handler decides: one typed action per handled trap.

Python stands in for the most privileged software (ARCHITECTURE.md, invariant 2:
firmware, a host kernel, a hypervisor); when it handles a trap it ends with exactly one
of these decisions, which the machine carries out (vlab/isa/machine.py ``_apply``):

``SKIP``                          resume after the trapping instruction (epc + 4): the
                                  instruction was emulated (an ecall served, a CSR faked)
``Resume(pc, priv=None, virt=None)``  resume anywhere, optionally in another privilege
                                  level (a kernel switching to another process), or with
                                  ``virt=1`` in a guest (VS/VU: a hypervisor entering it)
``DELIVER``                       what the hardware would do: the architectural trap entry
                                  on the real CSRs, to the real xtvec
``Inject(vcpu, cause, tval)``     trap-and-emulate: enter the trap into a guest's *virtual*
                                  CSRs (vlab/isa/vcpu.py) and run the guest's own handler,
                                  still deprivileged (Popek & Goldberg 1974: the VMM
                                  reflects the trap the guest would have taken)
``Halt(message)``, ``Exit(code)`` stop the run
``DECLINE``                       not mine: the next registered handler is asked, and after
                                  the last one the trap takes the architectural path

The classes are plain and small (no generated methods) on purpose: the machine builds one
per handled trap.
"""
from __future__ import annotations


class TrapAction:
    """Base of the decisions (see the module docstring)."""

    __slots__ = ()
    kind = 'action'

    def __repr__(self) -> str:
        fields = ', '.join(f'{name}={getattr(self, name)!r}' for name in self.__slots__)
        return f'{type(self).__name__}({fields})'


class Skip(TrapAction):
    """Resume at epc + 4."""

    __slots__ = ()
    kind = 'skip'


class Deliver(TrapAction):
    """Take the trap architecturally (real CSRs, real xtvec)."""

    __slots__ = ()
    kind = 'deliver'


class Decline(TrapAction):
    """Let the next handler (or the architecture) take this trap."""

    __slots__ = ()
    kind = 'decline'


class Resume(TrapAction):
    """Resume at ``pc``; ``priv`` (a level number) None keeps the current privilege;
    ``virt`` (the H extension's V bit) None keeps V."""

    __slots__ = ('pc', 'priv', 'virt')
    kind = 'resume'

    def __init__(self, pc: int, priv: int | None = None, virt: int | None = None):
        self.pc, self.priv, self.virt = pc & 0xFFFFFFFF, priv, virt


class Inject(TrapAction):
    """Enter trap ``cause`` into ``vcpu``'s virtual CSRs and resume at the guest's handler.

    ``epc`` defaults to the trapping pc; ``priv`` is the *real* level the guest's handler
    runs in (default: the level that trapped -- a deprivileged guest stays deprivileged).
    """

    __slots__ = ('vcpu', 'cause', 'tval', 'interrupt', 'epc', 'priv')
    kind = 'inject'

    def __init__(self, vcpu, cause: int, tval: int = 0, interrupt: bool = False,
                 epc: int | None = None, priv: int | None = None):
        self.vcpu, self.cause, self.tval, self.interrupt = vcpu, cause, tval, interrupt
        self.epc, self.priv = epc, priv


class Halt(TrapAction):
    """Stop the run with status 'halt' and ``message``."""

    __slots__ = ('message',)
    kind = 'halt'

    def __init__(self, message: str):
        self.message = message


class Exit(TrapAction):
    """Stop the run with status 'exit' and exit code ``code``."""

    __slots__ = ('code',)
    kind = 'exit'

    def __init__(self, code: int):
        self.code = code


SKIP, DELIVER, DECLINE = Skip(), Deliver(), Decline()

__all__ = ['DECLINE', 'DELIVER', 'Decline', 'Deliver', 'Exit', 'Halt', 'Inject', 'Resume',
           'SKIP', 'Skip', 'TrapAction']
