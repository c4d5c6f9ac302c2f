"""The trap router: which Python handlers see a trap, in which order, charged as what.

Python stands in for the most privileged software (ARCHITECTURE.md, invariant 2).
Several such layers can be installed at once -- firmware (SBI) under a host kernel under
a hypervisor -- so a trap is routed like this (vlab/isa/machine.py ``_take_trap``):

1. the hardware decides the *target level* ('M' or 'S') from medeleg/mideleg
   (vlab/isa/traps.py ``trap_target``), exactly as without Python handlers;
2. the registrations for that level whose causes include this trap are asked in order:
   **the most recently registered first** (a later layer sits closer to the guest: a
   hypervisor registered after the host kernel sees its guest's traps first), unless a
   ``priority`` says otherwise (higher first; default 0);
3. each handler ends with a typed action (vlab/isa/trap_actions.py); ``DECLINE`` passes
   the trap to the next one;
4. when every handler declined (or none matched) the trap takes the *architectural
   path*: the trap entry on the real CSRs, to the real xtvec (an error if that is 0).

Registration::

    machine.traps.register('M', sbi_handler, causes={Cause.SUPERVISOR_ECALL},
                           charge_as='trap', name='firmware')
    machine.traps.register('M', kernel_entry, causes='ecalls', charge_as='syscall',
                           name='kernel')

``causes`` is a set of exception codes (``Cause`` members or ints) and/or ``Interrupt``
members, or a cause class: 'all', 'exceptions', 'interrupts', 'ecalls', 'page-faults',
'access-faults', 'misaligned'.  ``charge_as`` is the ledger event the trap is charged as
when this handler takes it ('trap', 'syscall', 'vm_exit', ...: an event of
vlab/host/costs.py): a VM exit is charged once, as a VM exit, not also as a plain trap.
Default: 'trap' ('interrupt' for interrupts), the hardware's own cost.
"""
from __future__ import annotations

from dataclasses import dataclass

from vlab.isa.causes import (
    ACCESS_FAULTS,
    ECALLS,
    GUEST_PAGE_FAULTS,
    MISALIGNED,
    PAGE_FAULTS,
    Cause,
    Interrupt,
)
from vlab.isa.privilege import LEVELS, PRIV_NAMES, U

ALL_EXCEPTIONS = frozenset(Cause)
ALL_INTERRUPTS = frozenset(Interrupt)
CAUSE_CLASSES = {
    'all': (ALL_EXCEPTIONS, ALL_INTERRUPTS),
    'exceptions': (ALL_EXCEPTIONS, frozenset()),
    'interrupts': (frozenset(), ALL_INTERRUPTS),
    'ecalls': (ECALLS, frozenset()),
    'page-faults': (PAGE_FAULTS, frozenset()),
    'guest-page-faults': (GUEST_PAGE_FAULTS, frozenset()),
    'access-faults': (ACCESS_FAULTS, frozenset()),
    'misaligned': (MISALIGNED, frozenset()),
}


@dataclass(frozen=True)
class TrapRegistration:
    """One installed handler: ``handler(ctx)`` for these causes entering ``level``."""

    name: str
    level: int
    handler: object
    exceptions: frozenset          # exception codes handled
    interrupts: frozenset          # interrupt codes handled
    charge_as: str | None          # ledger event; None: 'trap' / 'interrupt'
    priority: int = 0
    serial: int = 0                # registration order

    def accepts(self, cause: int, interrupt: bool) -> bool:
        return cause in (self.interrupts if interrupt else self.exceptions)

    def event(self, interrupt: bool) -> str:
        """The ledger event a trap taken by this handler is charged as."""
        return self.charge_as or ('interrupt' if interrupt else 'trap')


def cause_sets(causes) -> tuple[frozenset, frozenset]:
    """(exception codes, interrupt codes) named by ``causes`` (see module docstring)."""
    if isinstance(causes, str):
        if causes not in CAUSE_CLASSES:
            raise ValueError(f'unknown cause class {causes!r}; use a set of causes or one '
                             f'of {sorted(CAUSE_CLASSES)}')
        return CAUSE_CLASSES[causes]
    exceptions, interrupts = set(), set()
    for cause in causes:
        if isinstance(cause, Interrupt):
            interrupts.add(cause)
        elif isinstance(cause, int) and cause in ALL_EXCEPTIONS:
            exceptions.add(Cause(cause))
        else:
            raise ValueError(f'{cause!r} is not an exception code (vlab.isa.causes.Cause) '
                             'nor an Interrupt')
    if not exceptions and not interrupts:
        raise ValueError('a trap handler must handle at least one cause')
    return frozenset(exceptions), frozenset(interrupts)


class TrapRouter:
    """The installed handlers of one machine (see the module docstring)."""

    def __init__(self, known_event=lambda event: True):
        self._known_event = known_event
        self._serial = 0
        self.by_level: dict[int, list[TrapRegistration]] = {}   # level -> in asking order

    def register(self, level, handler, causes='all', charge_as: str | None = None,
                 name: str | None = None, priority: int = 0) -> TrapRegistration:
        """Install ``handler(ctx)``; returns its registration (to ``unregister`` it)."""
        if level not in LEVELS:
            raise ValueError(f"unknown privilege level {level!r}; use 'M' or 'S'")
        level = LEVELS[level]
        if level == U:
            raise ValueError('traps never enter U-mode (no N extension); use M or S')
        if not callable(handler):
            raise TypeError(f'a trap handler must be callable, got {handler!r}')
        if charge_as is not None and not self._known_event(charge_as):
            raise ValueError(f'charge_as={charge_as!r} is not an event of the cost model '
                             '(vlab/host/costs.py)')
        exceptions, interrupts = cause_sets(causes)
        name = name or getattr(handler, '__name__', 'handler')
        if any(r.name == name for r in self.by_level.get(level, ())):
            raise ValueError(f'a handler named {name!r} is already registered for '
                             f'{PRIV_NAMES[level]}-mode; unregister it first or pick a name')
        self._serial += 1
        registration = TrapRegistration(name, level, handler, exceptions, interrupts,
                                        charge_as, priority, self._serial)
        chain = [*self.by_level.get(level, ()), registration]
        chain.sort(key=lambda r: (-r.priority, -r.serial))
        self.by_level[level] = chain
        return registration

    def unregister(self, registration: TrapRegistration | str, level=None) -> None:
        """Remove a registration (or every one with that name, optionally at ``level``)."""
        found = False
        for key, chain in self.by_level.items():
            if level is not None and key != LEVELS[level]:
                continue
            kept = [r for r in chain if r is not registration and r.name != registration]
            found |= len(kept) != len(chain)
            self.by_level[key] = kept
        if not found:
            raise ValueError(f'no trap handler {registration!r} is registered')

    def handlers(self, level, cause: int | None = None, interrupt: bool = False) -> list:
        """The registrations asked for a trap entering ``level`` (all, or for a cause)."""
        chain = self.by_level.get(LEVELS[level], [])
        if cause is None:
            return list(chain)
        return [r for r in chain if r.accepts(cause, interrupt)]


__all__ = ['CAUSE_CLASSES', 'TrapRegistration', 'TrapRouter', 'cause_sets']
