"""``--mmu``: how a VM's memory is virtualized, a choice per VM.

==================  =====================================================================
``shadow``          shadow page tables rebuilt after each guest SFENCE.VMA or satp write
                    (vlab/hardware/shadow.py); the CPU methods that keep shadows:
                    trap-emulate and bt
``shadow-trace``    shadow page tables kept coherent by write-protecting the guest's page
                    tables (tracing, shadow.py), cached per guest satp
``nested``          the H extension's two-stage translation (vlab/isa/two_stage.py) over
                    the VMM's G-stage table: --cpu hw
``nested-cached``   the same with the nested TLB and the page-walk cache switched on
==================  =====================================================================

The choice must fit the CPU method: a VMM without the hypervisor extension has no
G-stage to walk, and the hardware-assisted VMM keeps no shadows.  Leaving it out
(``None``) takes the CPU method's own: shadow for trap-emulate and bt, nested for hw.
"""
from __future__ import annotations

MMU_METHODS = {'shadow': ('trap-emulate', 'bt'), 'shadow-trace': ('trap-emulate', 'bt'),
               'nested': ('hw',), 'nested-cached': ('hw',)}


def mmu_problem(mmu: str | None, cpu: str) -> str | None:
    """Why ``mmu`` cannot go with ``cpu``, or None."""
    if mmu is None:
        return None
    if mmu not in MMU_METHODS:
        return f'--mmu {mmu!r}: choose one of {", ".join(MMU_METHODS)}'
    if cpu not in MMU_METHODS[mmu]:
        return (f'--mmu {mmu} needs --cpu {" or ".join(MMU_METHODS[mmu])} '
                f'(--cpu {cpu} cannot provide it)')
    return None


def apply_mmu(vmm, machine, mmu: str | None) -> None:
    """Set the switches of the chosen method on a built VMM and its machine."""
    if mmu == 'shadow-trace':
        vmm.shadow.tracing = True
    elif mmu == 'nested-cached':
        machine.mmu.two_stage.nested_tlb = machine.mmu.two_stage.walk_cache = True


__all__ = ['MMU_METHODS', 'apply_mmu', 'mmu_problem']
