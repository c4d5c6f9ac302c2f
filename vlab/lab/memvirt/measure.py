"""Run one workload natively, under shadow paging and under nested paging; count.

``measure`` runs the guest of vlab/lab/memvirt/workloads.py on

* ``native`` -- the bare machine, the guest's own Sv32 table in ``satp``;
* ``shadow`` -- trap-and-emulate (vlab/hardware/trap_emulate.py): the hardware walks
  the VMM's shadow tables (vlab/hardware/shadow.py), refilled through hidden page faults
  after each guest sfence.vma; ``shadow-trace``: kept coherent by write-protecting the
  guest's page tables instead (tracing);
* ``nested`` -- the hardware-assisted VMM (vlab/hardware/hw_vmm.py): the hardware walks
  the guest's table over the VMM's G-stage table (vlab/isa/two_stage.py), optionally
  with the nested TLB and the page-walk cache switched on.

Everything comes from the machine's one ledger: ``page_walk_ref`` counts the PTEs the
hardware walker read or wrote, ``tlb_miss`` the walks, ``vm_exit`` the exits, and the
ledger's modeled cycles price them all (vlab/host/costs.py).  Nothing is computed from a
formula.  (The VMM's own reads of guest PTEs when it fills a shadow are VMM work, priced
in ``shadow_pt_update``, not hardware walk references.)
"""
from __future__ import annotations

from dataclasses import dataclass

from vlab.hardware.vm import VirtualMachine
from vlab.isa.machine import Machine
from vlab.lab.memvirt.workloads import guest

METHODS = ('native', 'shadow', 'shadow-trace', 'nested')
MMU_TO_CPU = {'shadow': 'trap-emulate', 'shadow-trace': 'trap-emulate', 'nested': 'hw'}
GUEST_RAM = 2 << 20
BUDGET = 2_000_000


@dataclass(frozen=True)
class Measurement:
    """Counts of one run; the ratios are per TLB miss and per 1,000 instructions."""

    method: str
    instructions: int
    tlb_misses: int
    walk_refs: int
    exits: int
    cycles: float

    @property
    def refs_per_miss(self) -> float:
        return self.walk_refs / self.tlb_misses if self.tlb_misses else 0.0

    def per_kilo(self, count: float) -> float:
        return 1000 * count / self.instructions

    @property
    def cycles_per_kilo(self) -> float:
        return self.per_kilo(self.cycles)


def measure(method: str, nested_tlb: bool = False, walk_cache: bool = False,
            **workload) -> Measurement:
    """Run the workload (``workload``: the knobs of ``workloads.guest``) under ``method``."""
    if method not in METHODS:
        raise ValueError(f'method {method!r}: choose one of {", ".join(METHODS)}')
    image = guest(**workload)
    if method == 'native':
        machine = Machine(ram_size=GUEST_RAM)
        machine.load_elf(image)
    else:
        vm = VirtualMachine(image, cpu=MMU_TO_CPU[method], guest_ram=GUEST_RAM, mmu=method)
        machine = vm.machine
    machine.mmu.two_stage.nested_tlb = nested_tlb
    machine.mmu.two_stage.walk_cache = walk_cache
    result = machine.run(max_instructions=BUDGET)
    if result.status != 'exit' or result.exit_code != 0:
        raise RuntimeError(f'the {method} run did not finish: {result.status} '
                           f'{result.message}')
    count = machine.ledger.count
    return Measurement(method, machine.hart.instret, count('tlb_miss'),
                       count('page_walk_ref'), count('vm_exit'),
                       machine.ledger.total_cycles)


__all__ = ['METHODS', 'Measurement', 'measure']
