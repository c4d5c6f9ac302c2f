"""A virtual machine: a bare-metal RV32 guest under a VMM on the modeled machine.

::

    from vlab.hardware.vm import VirtualMachine
    vm = VirtualMachine('rv32ui-p-add', engine='dbt')
    result = vm.run(max_instructions=1_000_000)   # a vlab.isa.machine.RunResult
    result.exit_code, vm.console, vm.exits, vm.ledger.table()

``log_exits=True`` keeps every VM exit (``vm.vmm.log``, vlab/hardware/trap_emulate.py
``ExitRecord``): where the guest trapped, why, and what the VMM decided.

The pieces (Hwang et al. 2011, sec. 3.2: a VM is a virtual CPU, memory and devices):

* the **virtual CPU** (vlab/hardware/vcpu.py): while the guest runs, the machine's
  registers and pc *are* the guest's; its privilege level and CSRs are virtual;
* **guest-physical memory** (vlab/hardware/guest_memory.py): the first ``guest_ram``
  bytes of host RAM; the VMM's page tables live above, where the guest cannot reach;
* **devices**: the HTIF mailbox (the guest's console and exit, in its RAM) and the CLINT
  (its timer), passed through;
* the **VMM**, chosen by ``cpu``: 'trap-emulate' (vlab/hardware/trap_emulate.py) or
  'hw', the KVM-style VMM on the machine's hypervisor extension
  (vlab/hardware/hw_vmm.py: the guest's S-mode runs natively in VS-mode over a G-stage
  table), or 'bt', VMware-style binary translation of the guest's kernel code with
  callouts instead of traps (vlab/hardware/bt.py), or 'paravirt', a Xen-style VMM
  serving the hypercalls of the paravirtual guest kernel (vlab/hardware/paravirt_vmm.py;
  vlab/hardware/guest_kernel/boot.py boots it with a user program).

``entry`` is where the guest starts: 'M' (a bare-metal program, the default) or, with
``cpu='hw'``, 'S': a kernel entered in S-mode whose firmware is the VMM's SBI
(vlab/hardware/sbi.py).

The guest is any program ``vlab run`` runs bare-metal (linked at 0x80000000, HTIF exit):
unmodified, it gives the same exit code and console output (Popek & Goldberg's
equivalence, tested on the official riscv-tests in tests/hardware/test_equivalence.py).
``non_virtualizable=True`` turns on the machine's classically-non-virtualizable switch
(vlab/isa/spec/nonvirtualizable.py): some sensitive CSR accesses no longer trap in
U-mode, and equivalence visibly fails.
"""
from __future__ import annotations

from dataclasses import dataclass

from vlab.isa.elf import ElfFormatError, ElfImage, load_elf
from vlab.isa.machine import Machine, RunResult
from vlab.isa.spec.nonvirtualizable import set_non_virtualizable

from .bt import BinaryTranslation
from .guest_memory import DEFAULT_VMM_SIZE, GuestMemory
from .hw_vmm import HardwareAssisted
from .io.attach import IoError, attach_io, attach_virtio_device
from .mmu_choice import apply_mmu, mmu_problem
from .paravirt_vmm import ParavirtVmm
from .trap_emulate import TrapAndEmulate

CPU_METHODS = {'trap-emulate': TrapAndEmulate, 'hw': HardwareAssisted,
               'bt': BinaryTranslation, 'paravirt': ParavirtVmm}
PLANNED_METHODS = ()                      # every method of the course is built
SBI_METHODS = ('hw', 'paravirt', 'trap-emulate')   # VMMs that can be a kernel's SBI
DEFAULT_GUEST_RAM = 64 << 20
MAX_RAM = 1 << 30                 # host RAM of the machine, at most


class VmError(ValueError):
    """A VM cannot be built as asked (bad guest file, unknown method, no room)."""


@dataclass
class VmStats:
    """What ``--stats`` prints: guest instructions, exits by reason, modeled time."""

    guest_instructions: int
    exits: dict
    emulated: dict
    shadow_fills: int
    shadow_drops: int
    cycles: dict                # ledger event -> (count, cycles each)
    total_cycles: float
    cpu: str = 'trap-emulate'
    world_switches: int = 0     # guest -> VMM and VMM -> guest: two per VM exit (type 1)
    translation: dict | None = None   # --cpu bt: translations and callouts (bt.py)

    def text(self) -> str:
        lines = [f'CPU virtualization: {self.cpu}',
                 f'guest instructions: {self.guest_instructions}',
                 f'VM exits: {sum(self.exits.values())}']
        lines += [f'  {reason}: {count}' for reason, count in sorted(self.exits.items())]
        if self.cpu == 'hw':
            lines.append(f'two-stage translation (G-stage Sv32x4): no shadow tables; '
                         f'guest TLB fences: {self.shadow_drops}')
        elif self.cpu == 'paravirt':          # exits are hypercalls (paravirt_vmm.py)
            lines.append(f'validated page-table updates: {self.shadow_fills}, '
                         f'TLB flushes: {self.shadow_drops}')
        else:
            lines.append(f'shadow page-table fills: {self.shadow_fills}, '
                         f'shadow drops: {self.shadow_drops}')
        lines.append(f'world switches: {self.world_switches} (an exit and an entry per VM '
                     'exit; type 1: no host OS in between)')
        if self.translation:
            lines.append('binary translation (callouts instead of exits):')
            lines += [f'  {what}: {count}' for what, count in self.translation.items()]
        lines.append(f'modeled time: {self.total_cycles:.0f} cycles (vlab/host/costs.py)')
        lines += [f'  {event}: {count} x {price:g} = {count * price:.0f}'
                  for event, (count, price) in self.cycles.items()]
        return '\n'.join(lines)


class VirtualMachine:
    """One guest on one modeled machine, under the VMM named by ``cpu``."""

    def __init__(self, guest, cpu: str = 'trap-emulate', engine: str = 'interp',
                 guest_ram: int = DEFAULT_GUEST_RAM, vmm_ram: int = DEFAULT_VMM_SIZE,
                 non_virtualizable: bool = False, costs=None, log_exits: bool = False,
                 entry: str = 'M', io: str | None = None, extra_devices=(),
                 mmu: str | None = None):
        if mmu_problem(mmu, cpu):                    # --mmu (vlab/hardware/mmu_choice.py)
            raise VmError(mmu_problem(mmu, cpu))
        if cpu not in CPU_METHODS:
            raise VmError(f'CPU virtualization method {cpu!r} is not available; built: '
                          f'{", ".join(CPU_METHODS)}')
        if entry != 'M' and cpu not in SBI_METHODS:
            raise VmError(f'a guest entering in {entry}-mode needs SBI firmware: only '
                          "--cpu hw and paravirt provide it (entry='M' for a bare-metal "
                          'guest)')
        if cpu == 'paravirt' and entry != 'S':
            raise VmError('--cpu paravirt runs the paravirtual build of the guest kernel, '
                          'not a bare-metal guest: vlab vm run --cpu paravirt -- PROGRAM')
        if entry not in ('M', 'S'):
            raise VmError(f"entry {entry!r}: a guest starts in 'M' (bare-metal) or 'S' "
                          '(a kernel under the SBI of --cpu hw)')
        if guest_ram <= 0 or guest_ram % 4096 or guest_ram + vmm_ram > MAX_RAM:
            raise VmError(f'guest RAM of {guest_ram:#x} bytes: give whole 4 KiB pages, at '
                          f'most {MAX_RAM - vmm_ram:#x} bytes with {vmm_ram:#x} of VMM memory')
        image = _image(guest)
        self.image, self.cpu = image, cpu
        self.machine = Machine(ram_size=guest_ram + vmm_ram, engine=engine, costs=costs)
        base = self.machine.ram.base
        for segment in image.segments:
            if not (base <= segment.vaddr and segment.vaddr + segment.memsz <= base + guest_ram):
                raise VmError(f'guest segment [{segment.vaddr:#x}, '
                              f'{segment.vaddr + segment.memsz:#x}) is outside guest RAM '
                              f'[{base:#x}, {base + guest_ram:#x}): a bare-metal guest is '
                              'linked at 0x80000000 and fits its RAM')
        try:
            self.machine.load_elf(image)
        except ValueError as exc:
            raise VmError(str(exc)) from None
        self.memory = GuestMemory(self.machine.bus, guest_ram, vmm_ram)
        set_non_virtualizable(self.machine.hart.csr, non_virtualizable)
        try:
            if cpu == 'hw':
                self.vmm = HardwareAssisted(self.machine, self.memory, entry=entry)
            elif cpu == 'trap-emulate' and entry == 'S':      # a guest kernel under SBI
                from .guest_kernel.trap_emulate_sbi import TrapAndEmulateSbi
                self.vmm = TrapAndEmulateSbi(self.machine, self.memory)
            else:
                self.vmm = CPU_METHODS[cpu](self.machine, self.memory)
        except ValueError as exc:                    # no VMM memory left for its tables
            raise VmError(str(exc)) from None
        if log_exits:
            self.vmm.log = []
        apply_mmu(self.vmm, self.machine, mmu)
        self.vmm.start()
        self.io = None                # devices of the I/O method (vlab/hardware/io/)
        if io is not None:
            try:
                self.io = attach_io(self, io)
            except IoError as exc:
                raise VmError(str(exc)) from None
        self.extra_devices = []       # (name, factory) pairs: attach_virtio_device
        for name, factory in extra_devices:
            try:
                self.extra_devices.append(attach_virtio_device(self, factory, name))
            except IoError as exc:
                raise VmError(str(exc)) from None

    @property
    def ledger(self):
        return self.machine.ledger

    @property
    def console(self) -> bytes:
        return self.machine.platform.console_output()

    @property
    def exits(self) -> dict:
        return dict(self.vmm.exits)

    def run(self, max_instructions: int | None = None) -> RunResult:
        """Run the guest; a stop reads as the bare machine's would, in the guest's terms:
        a guest trap without a guest handler is a 'fault' with the guest's cause, an idle
        WFI is 'idle', and a trap storm names the last trap entered into the guest (not
        the VM exits behind it)."""
        result = self.machine.run(max_instructions=max_instructions)
        stop, last = self.vmm.stop, self.vmm.last_injected
        if result.status == 'halt' and stop is not None:
            result.message, result.pc = stop.message, stop.pc
            if stop.cause is not None:
                result.status, result.cause, result.tval = 'fault', stop.cause, stop.tval
            else:
                result.status = 'idle'
        elif result.status == 'fault' and last is not None:        # a trap storm
            result.message = (f'trap storm: the guest took traps without retiring an '
                              f'instruction; last: {last.message}')
            result.cause, result.tval, result.pc = last.cause, last.tval, last.pc
        return result

    def stats(self) -> VmStats:
        ledger = self.machine.ledger
        price = ledger.costs.cycles_of
        cycles = {event: (count, price(event)) for event, count in ledger.counts.items()}
        return VmStats(self.machine.hart.instret, dict(self.vmm.exits),
                       dict(self.vmm.emulated), self.vmm.shadow.fills,
                       self.vmm.shadow.drops, cycles, ledger.total_cycles, self.cpu,
                       2 * sum(self.vmm.exits.values()),
                       getattr(self.vmm, 'translation_stats', dict)() or None)


def _image(guest) -> ElfImage:
    if isinstance(guest, ElfImage):
        return guest
    try:
        return load_elf(guest)
    except (ElfFormatError, OSError) as exc:
        raise VmError(f'cannot load the guest: {exc}') from None


__all__ = ['CPU_METHODS', 'PLANNED_METHODS', 'VirtualMachine', 'VmError', 'VmStats']
