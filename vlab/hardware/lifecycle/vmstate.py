"""The state of a running VM, captured and put back: what suspend, resume and migration move.

A VM is its configuration plus four kinds of state (Hwang et al. 2011, sec. 3.5.1:
"a VM is a file"; Clark et al., NSDI 2005, sec. 3: what live migration must carry):

==============  ============================================================================
part            what it holds
==============  ============================================================================
config          how to build an empty VM of the same shape: CPU-virtualization method,
                execution engine, guest RAM and VMM memory sizes, entry mode, the
                non-virtualizable switch, the guest's entry point and symbols (HTIF)
vcpu            the real hart as the guest left it: x1..x31, pc, privilege, V bit,
                instret, every real CSR (vlab/isa/hart.py ``state``)
vmm             the VMM's own state: the guest's *virtual* privilege and virtual CSRs
                (vlab/hardware/vcpu.py), its exit counters
devices         CLINT (mtime, mtimecmp, msip), UART (registers, output), block device,
                HTIF (console, pending replies) -- each device's ``STATE`` tuple
                (vlab/host/devices/state.py) -- and the machine's timer phase
memory          guest-physical RAM, page by page (4 KiB); a page of zeros is left out
                (a fresh host's RAM reads zero there)
==============  ============================================================================

**What is not saved, and why.** The VMM's memory above guest RAM (its guest-physical map,
G-stage tables, shadow page tables) is *derived* state: the destination's VMM builds its
own tables when the empty VM is made, and shadow tables are dropped and refilled on demand
(as a shadow-paging VMM does at any flush).  Translated code and TLBs are caches: flushed.
The host's ledger is the host's, not the guest's: a resumed VM starts a fresh ledger.

**The VMM protocol** (so a new CPU-virtualization method plugs in without code here):
before capture, ``vmm.pull()`` if the VMM has it (a hardware-assisted VMM keeps the
guest's S-level registers in the hart's VS CSRs while it runs); after restore,
``vmm.shadow.drop_all()``, ``vmm.select_address_space()`` and ``vmm.arm_interrupts()``
-- the calls every VMM here makes after emulating an instruction.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from vlab.isa.elf import ElfImage
from vlab.isa.machine import MachineSnapshot
from vlab.isa.pagetable import PAGE

from ..vm import VirtualMachine


class VmStateError(ValueError):
    """A saved VM cannot be put back (wrong shape, unknown method)."""


@dataclass
class VmConfig:
    """How to build an empty VM of the same shape (see the module docstring)."""

    cpu: str
    engine: str
    guest_ram: int
    vmm_ram: int
    entry: str
    non_virtualizable: bool
    elf_entry: int
    symbols: dict

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict) -> VmConfig:
        try:
            return cls(**data)
        except TypeError as exc:
            raise VmStateError(f'VM configuration does not have the expected fields: '
                               f'{exc}') from None


@dataclass
class VmState:
    """A captured VM (see the module docstring): config, vcpu, vmm, devices, pages."""

    config: VmConfig
    vcpu: dict
    vmm: dict
    devices: dict
    pages: dict = field(default_factory=dict)    # page number in guest RAM -> 4096 bytes

    @property
    def instret(self) -> int:
        return self.vcpu['instret']


def config_of(vm: VirtualMachine, engine: str | None = None) -> VmConfig:
    """The configuration of ``vm`` (``engine``: the name it was built with)."""
    hart_ram = vm.memory.size
    return VmConfig(cpu=vm.cpu, engine=engine or _engine_name(vm),
                    guest_ram=hart_ram, vmm_ram=vm.memory.vmm_size,
                    entry=getattr(vm.vmm, 'entry', 'M'),
                    non_virtualizable=bool(getattr(vm, 'non_virtualizable', False)),
                    elf_entry=vm.image.entry, symbols=dict(vm.image.symbols))


def _engine_name(vm: VirtualMachine) -> str:
    """The registered name of the VM's engine (vlab/isa/engines.py)."""
    from vlab.isa.engines import ENGINES
    cls = type(vm.machine.engine)
    for name, where in ENGINES.items():
        if where is cls or where == f'{cls.__module__}:{cls.__name__}':
            return name
    return 'interp'


def guest_ram_view(vm: VirtualMachine) -> memoryview:
    """The guest's RAM as bytes (the first ``guest_ram`` bytes of host RAM)."""
    return memoryview(vm.machine.ram.data)[:vm.memory.size]


def nonzero_pages(ram) -> list[int]:
    """Numbers of the 4 KiB pages of ``ram`` holding any non-zero byte."""
    words = np.frombuffer(ram, dtype=np.uint64).reshape(-1, PAGE // 8)
    return np.flatnonzero(words.any(axis=1)).tolist()


def capture_cpu(vm: VirtualMachine, engine: str | None = None) -> VmState:
    """Everything but memory: config, vCPU, VMM and devices (the stop-and-copy part)."""
    if getattr(vm, 'io', None) is not None:
        raise VmStateError('this VM has I/O-virtualization devices (--io): their queues '
                           'and IOMMU state are not captured yet, so it cannot be '
                           'suspended or migrated; build it without --io')
    vmm = vm.vmm
    if hasattr(vmm, 'pull'):
        vmm.pull()
    snap = vm.machine.snapshot()       # registers, devices (its RAM copy is not kept)
    devices = {'platform': {'devices': [list(pair) for pair in snap.platform.devices],
                            'htif': snap.platform.htif},
               'tick_phase': snap.tick_phase, 'htif_armed': snap.htif_armed}
    vcpu = vmm.vcpu
    vmm_state = {'priv': vcpu.priv, 'csr': vcpu.csr.state(), 'injected': vcpu.injected,
                 'exits': dict(vmm.exits), 'emulated': dict(getattr(vmm, 'emulated', {}))}
    return VmState(config_of(vm, engine), snap.hart, vmm_state, devices)


def capture(vm: VirtualMachine, engine: str | None = None) -> VmState:
    """The whole VM: :func:`capture_cpu` plus every non-zero page of guest RAM."""
    state = capture_cpu(vm, engine)
    ram = guest_ram_view(vm)
    state.pages = {n: bytes(ram[n * PAGE:(n + 1) * PAGE]) for n in nonzero_pages(ram)}
    return state


def empty_vm(config: VmConfig, costs=None) -> VirtualMachine:
    """A fresh VM of the same shape on a new modeled host, before its state is put in."""
    image = ElfImage(config.elf_entry, [], dict(config.symbols))
    return VirtualMachine(image, cpu=config.cpu, engine=config.engine,
                          guest_ram=config.guest_ram, vmm_ram=config.vmm_ram,
                          non_virtualizable=config.non_virtualizable, costs=costs,
                          entry=config.entry)


#: The hart fields that are the guest's own whatever the VMM (the rest of the real hart --
#: privilege, V bit, real CSRs -- is how a VMM runs its guest, and belongs to the VMM).
GUEST_HART_FIELDS = ('x', 'pc', 'instret', 'reservation', 'waiting')


def restore(state: VmState, costs=None, vm: VirtualMachine | None = None,
            cpu: str | None = None) -> VirtualMachine:
    """Build a VM on a fresh modeled host (or into ``vm``, an :func:`empty_vm`) and put
    ``state`` in; the returned VM continues where the captured one stopped.

    ``cpu``: resume under another CPU-virtualization method than the one captured.  Then
    only the guest's own hart fields (``GUEST_HART_FIELDS``) are taken from the state; the
    real privilege, V bit and CSRs are those the new VMM set up when it started, and the
    guest's virtual privilege and CSRs (the ``vmm`` section, the same for every method)
    are put into the new VMM, which maps them onto the hardware its own way."""
    from dataclasses import replace

    from vlab.host.platform import PlatformState

    config = state.config if cpu in (None, state.config.cpu) else replace(state.config, cpu=cpu)
    vm = vm if vm is not None else empty_vm(config, costs)
    hart = state.vcpu
    if config.cpu != state.config.cpu:
        hart = vm.machine.hart.state()
        hart.update({name: state.vcpu[name] for name in GUEST_HART_FIELDS})
    machine = vm.machine
    ram = bytearray(machine.ram.data)           # the fresh VMM's own memory stays
    ram[:vm.memory.size] = bytes(vm.memory.size)
    for number, data in state.pages.items():
        if not 0 <= number < vm.memory.size // PAGE or len(data) != PAGE:
            raise VmStateError(f'page {number} does not fit guest RAM of '
                               f'{vm.memory.size:#x} bytes')
        ram[number * PAGE:(number + 1) * PAGE] = data
    devices = state.devices['platform']
    platform = PlatformState(bytes(ram), tuple(tuple(pair) for pair in devices['devices']),
                             _htif_tuple(devices['htif']))
    machine.restore(MachineSnapshot(hart, platform, state.devices['tick_phase'],
                                    state.devices['htif_armed']))
    _restore_vmm(vm.vmm, state.vmm)
    if config.cpu != state.config.cpu:
        _deliver_pending(vm)
    return vm


def _deliver_pending(vm) -> None:
    """A virtual interrupt the source's hardware had pending but not yet taken (the H
    extension takes a VS interrupt at the next instruction boundary) is entered into the
    guest now by a VMM that injects interrupts itself (trap-and-emulate, bt), as it would
    have at the moment the interrupt became deliverable."""
    vmm = vm.vmm
    if hasattr(vmm, 'pull'):               # the hardware delivers it (H extension)
        return
    pending = vmm.vcpu.pending()
    if pending is not None:
        hart = vm.machine.hart
        hart.pc = vmm.vcpu.enter_trap(pending, 0, True, hart.pc)
        vmm.arm_interrupts()
        vm.machine.engine.context_changed()


def _htif_tuple(htif):
    return None if htif is None else (htif[0], htif[1], htif[2])


def _restore_vmm(vmm, saved: dict) -> None:
    vcpu = vmm.vcpu
    vcpu.priv = saved['priv']
    vcpu.csr.set_state(saved['csr'])
    vcpu.injected = saved['injected']
    vmm.exits = Counter(saved['exits'])
    if hasattr(vmm, 'emulated'):
        vmm.emulated = Counter(saved['emulated'])
    vmm.shadow.drop_all()
    vmm.select_address_space()
    vmm.arm_interrupts()
    vmm.machine.engine.context_changed()


__all__ = ['VmConfig', 'VmState', 'VmStateError', 'capture', 'capture_cpu', 'config_of',
           'empty_vm', 'guest_ram_view', 'nonzero_pages', 'restore']
