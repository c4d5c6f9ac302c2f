"""The path of one VM exit under each hypervisor type, hop by hop.

An exit leaves the guest and, sooner or later, re-enters it.  What lies in between is
what distinguishes the three architectures (Smith & Nair 2005, sec. 8.1; Sugerman,
Venkitachalam & Lim 2001 for the hosted path; Kivity et al. 2007 for KVM's split):

========  ==================  ==================================================
type      exit kind           hops
========  ==================  ==================================================
1         any                 guest -> VMM -> guest
2         any                 guest -> host kernel -> VMM process -> host kernel -> guest
dual      handled in kernel   guest -> kvm module -> guest
dual      device I/O          guest -> kvm module -> VMM process -> kvm module -> guest
========  ==================  ==================================================

Each hop is of one kind: a **world switch** (between the guest's world and the host's: a
VM exit or a VM entry), a **mode switch** (host kernel <-> host user mode, inside one
process: a system call or its return), or a **mode switch with a context switch** (the
host kernel gives the CPU to another process: the VMM process of type 2).
"""
from __future__ import annotations

from dataclasses import dataclass

WORLD, MODE, CONTEXT = 'world switch', 'mode switch', 'mode + context switch'
TYPES = ('1', '2', 'dual')


@dataclass(frozen=True)
class Hop:
    source: str
    target: str
    kind: str


def _hops(*pairs) -> tuple[Hop, ...]:
    return tuple(Hop(a, b, kind) for a, b, kind in pairs)


# (type, exit kind) -> the hops of one exit
PATHS = {
    ('1', 'any'): _hops(('guest', 'VMM', WORLD), ('VMM', 'guest', WORLD)),
    ('2', 'any'): _hops(('guest', 'host kernel', WORLD),
                        ('host kernel', 'VMM process', CONTEXT),
                        ('VMM process', 'host kernel', MODE),
                        ('host kernel', 'guest', WORLD)),
    ('dual', 'kernel'): _hops(('guest', 'kvm module', WORLD), ('kvm module', 'guest', WORLD)),
    ('dual', 'user'): _hops(('guest', 'kvm module', WORLD),
                            ('kvm module', 'VMM process', MODE),
                            ('VMM process', 'kvm module', MODE),
                            ('kvm module', 'guest', WORLD)),
}

# (type, exit kind) -> the ledger events one exit of that path is charged (costs.py):
# every path starts with the hardware's exit and entry (vm_exit); type 2 adds the upcall
# (a syscall's two mode switches and a context switch, type2.py); a dual-mode exit to
# user space costs the VMM's next ioctl(KVM_RUN), one system call (kvm_module.py)
PATH_EVENTS = {
    ('1', 'any'): ('vm_exit',),
    ('2', 'any'): ('vm_exit', 'syscall', 'context_switch'),
    ('dual', 'kernel'): ('vm_exit',),
    ('dual', 'user'): ('vm_exit', 'syscall'),
}

# where each place runs: (privilege of the host CPU, world)
PLACES = {'guest': ('VS/VU or U', 'guest'), 'VMM': ('M/HS', 'host'),
          'host kernel': ('S (host)', 'host'), 'kvm module': ('S (host)', 'host'),
          'VMM process': ('U (host)', 'host')}


def path(hv_type: str, kind: str = 'any') -> tuple[Hop, ...]:
    """The hops of one exit of ``kind`` ('any', 'kernel', 'user') under ``hv_type``."""
    if hv_type not in TYPES:
        raise ValueError(f'hypervisor type {hv_type!r}: one of {", ".join(TYPES)}')
    key = (hv_type, kind) if hv_type == 'dual' else (hv_type, 'any')
    if key not in PATHS:
        raise ValueError(f"exit kind {kind!r} of type dual: 'kernel' or 'user'")
    return PATHS[key]


def path_cycles(hv_type: str, kind: str, costs) -> float:
    """Modeled cycles of one exit of ``kind`` under ``hv_type`` (a CostModel prices it)."""
    path(hv_type, kind)                                   # checks the names
    key = (hv_type, kind) if hv_type == 'dual' else (hv_type, 'any')
    return sum(costs.cycles_of(event) for event in PATH_EVENTS[key])


def count(hops, kind: str) -> int:
    """How many hops of ``kind`` (WORLD, MODE or CONTEXT; CONTEXT is also a mode switch)."""
    if kind == MODE:
        return sum(h.kind in (MODE, CONTEXT) for h in hops)
    return sum(h.kind == kind for h in hops)


def switches(hv_type: str, exits: dict) -> dict:
    """Total world, mode and context switches for ``exits`` = {exit kind: count}."""
    totals = dict.fromkeys((WORLD, MODE, 'context switch'), 0)
    for kind, n in exits.items():
        hops = path(hv_type, kind)
        totals[WORLD] += n * count(hops, WORLD)
        totals[MODE] += n * count(hops, MODE)
        totals['context switch'] += n * count(hops, CONTEXT)
    return totals
