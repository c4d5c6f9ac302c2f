"""Host swapping of a *running* hardware-assisted VM (vlab/hardware/hw_vmm.py).

The same mechanism as ``guest_swap.py``, on the G-stage table the hardware walks while
the guest runs: ``swap_out(gpa)`` writes the guest page to the host's swap disk by DMA
(a block device driven through its registers), replaces its G-stage leaf by an invalid
swap entry (``SWAPPED`` and the slot), zeroes the frame (free for other use: nothing of
the guest's data stays in it) and fences (HFENCE.GVMA of the VM's VMID).  The guest's
next access to the page is a real guest-page fault; this module's handler, registered
on the machine's HS-mode trap router ahead of the VMM's own (``priority=1``; it declines
every fault that is not on a swap entry, which the VMM then handles as before), reads
the page back, maps it again and resumes the guest at the faulting instruction.  The
guest cannot tell, except by time: one ``vm_exit`` and two ``swap_io`` per round trip.

Simplified: the page comes back to the frame it left (the VMM's G-stage maps guest RAM
identically, vlab/hardware/g_stage.py), and only 4 KiB leaves can be swapped (a guest
RAM of 4 MiB or more is mapped with megapages, which a VMM would split first).
"""
from __future__ import annotations

from vlab.hardware.g_stage import GUEST_RWX
from vlab.hardware.overcommit.guest_swap import SECTORS_PER_PAGE
from vlab.hardware.overcommit.host import SWAPPED
from vlab.host.devices.block import (
    CMD_READ,
    CMD_WRITE,
    COMMAND,
    COUNT,
    DMA_ADDR,
    SECTOR,
    STATUS,
    BlockDevice,
)
from vlab.isa.pagetable import PAGE, PTE_V


class LiveSwapError(ValueError):
    """A page that cannot be swapped, said why."""


class LiveGuestSwap:
    """Swap pages of ``vm`` (a VirtualMachine with ``cpu='hw'``) to a disk of
    ``slots`` pages."""

    def __init__(self, vm, slots: int = 64):
        if not hasattr(vm.vmm, 'g_stage'):
            raise LiveSwapError(f'--cpu {vm.cpu} has no G-stage table to swap pages out '
                                'of: host swapping of a running VM needs --cpu hw')
        self.vm, self.machine = vm, vm.machine
        self.table, self.vmid = vm.vmm.g_stage, vm.vmm.hgatp >> 22 & 0x7F
        self.disk = BlockDevice(self.machine.bus, sectors=slots * SECTORS_PER_PAGE)
        self.free_slots = list(range(slots - 1, -1, -1))
        self.swapped: dict[int, int] = {}                 # gpa -> slot
        self.swapped_out = self.swapped_in = 0
        self.registration = self.machine.traps.register(
            'S', self._guest_page_fault, causes='guest-page-faults', charge_as='vm_exit',
            name='host swap-in', priority=1)

    def _transfer(self, command: int, slot: int, frame: int) -> None:
        for register, value in ((SECTOR, slot * SECTORS_PER_PAGE), (DMA_ADDR, frame),
                                (COUNT, SECTORS_PER_PAGE), (COMMAND, command)):
            self.disk.store(register, 4, value)
        if self.disk.load(STATUS, 4):
            raise OSError(f'swap disk: {self.disk.last_error}')
        self.machine.ledger.charge('swap_io')

    def swap_out(self, gpa: int) -> None:
        """Move the guest page holding ``gpa`` to disk (between two runs of the VM)."""
        page = gpa & ~(PAGE - 1)
        found = self.table.lookup(page)
        if found is None or not self.vm.memory.is_ram(page):
            raise LiveSwapError(f'{gpa:#010x} is not a mapped page of guest RAM')
        if found.level:
            raise LiveSwapError(f'{gpa:#010x} lies in a 4 MiB G-stage megapage: only 4 KiB '
                                'leaves are swapped (give the VM less than 4 MiB of RAM)')
        if not self.free_slots:
            raise LiveSwapError('the swap disk is full')
        slot = self.free_slots.pop()
        self._transfer(CMD_WRITE, slot, page)
        self.machine.bus.store(found.pte_addr, 4, slot << 10 | SWAPPED)
        self.machine.bus.write_bytes(page, bytes(PAGE))
        self.machine.hfence_gvma(self.vmid)
        self.swapped[page] = slot
        self.swapped_out += 1

    def _guest_page_fault(self, ctx):
        gpa = ctx.guest_physical_address
        page = None if gpa is None else gpa & ~(PAGE - 1)
        if page not in self.swapped:
            return ctx.decline()                          # the VMM's: MMIO, bad address
        slot = self.swapped.pop(page)
        entry = self.table._slot(page, 0, create=False)
        if self.machine.bus.load(entry, 4) & PTE_V:
            return ctx.decline()
        self._transfer(CMD_READ, slot, page)
        self.table.map(page, page, GUEST_RWX)
        self.machine.hfence_gvma(self.vmid)
        self.free_slots.append(slot)
        self.swapped_in += 1
        return ctx.resume(ctx.epc)


__all__ = ['LiveGuestSwap', 'LiveSwapError']
