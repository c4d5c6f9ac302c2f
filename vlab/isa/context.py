"""The execution context: everything a predecoded instruction or a translation depends on.

A handler the interpreter predecoded at a virtual pc, or a block the DBT translated, is
only valid while the hart sees memory and privilege the way it did when the code was
made.  Engines keep one predecode cache (and one translation table) per context, so a
kernel switching between processes finds each one's code ready (QEMU keys its
translation blocks the same way: pc, cs_base and the CPU flags, ``tb_lookup``).

Fields:

``priv``         privilege level when instruction fetches are translated, else -1 (bare
                 fetches read the same bytes at every level, so M- and S-mode code share
                 a cache; privilege checks are made when an instruction runs)
``fetch_paged``  instruction fetches go through Sv32
``data_paged``   loads/stores go through Sv32 (can differ from fetches: mstatus.MPRV)
``satp``         the address space (root page table) when either is paged, else 0
``traced``       tracing on: traced handlers record every access
``virt``         the V bit of the hypervisor extension (privileged spec ch. 8): 1 while
                 a guest runs in VS/VU mode; then ``satp`` is the guest's vsatp and the
                 MMU translates in two stages (vlab/isa/two_stage.py)
``vmid``         the guest's VMID (hgatp.VMID, sec. 8.2.10) while V=1, else 0: code
                 predecoded or translated for one guest is never run for another
``asid``         satp.ASID (sec. 4.1.11); 0: this hart implements no ASID bits

Built on context change (``Engine.context_changed``), never per instruction: an engine
looks the context up by its values and makes the named structure once per new context.
A V=1 context is made by ``Interpreter._virtual_context_changed`` (the constructor with
``virt=1``): its ``priv`` is the guest's level even when nothing is translated.
"""
from __future__ import annotations

from typing import NamedTuple

ASID_SHIFT, ASID_MASK = 22, 0x1FF        # satp fields, RV32 (privileged spec Figure 4.12)


class ExecutionContext(NamedTuple):
    """The key of one predecode cache / translation table (see the module docstring)."""

    priv: int
    fetch_paged: bool
    data_paged: bool
    satp: int
    traced: bool
    virt: int = 0
    vmid: int = 0
    asid: int = 0

    @classmethod
    def of(cls, priv: int, data_paged: bool, satp: int, traced: bool) -> ExecutionContext:
        """The context for these values (``priv`` -1 when fetches are not translated)."""
        return cls(priv, priv != -1, data_paged, satp, traced,
                   asid=satp >> ASID_SHIFT & ASID_MASK)

    @property
    def paged(self) -> bool:
        """Anything translated (fetches or data): SFENCE.VMA concerns this context."""
        return self.fetch_paged or self.data_paged


__all__ = ['ExecutionContext']
