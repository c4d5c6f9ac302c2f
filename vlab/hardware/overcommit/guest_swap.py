"""Host-level swapping of guest pages (Waldspurger, OSDI 2002, sec. 3.3).

The last resort when ballooning and sharing do not free enough: the VMM itself picks a
guest page, writes its frame to a swap area on the host's disk, and replaces the VM's
G-stage entry by an *invalid* one holding the swap slot (the ``SWAPPED`` software bit
and the slot in the PPN field -- a swap entry, as Linux keeps them in its page tables).
The guest's next touch fails the G-stage walk: a guest-page fault, whose handler reads
the page back into a new frame and maps it again.

The disk is the host's block device (vlab/host/devices/block.py), driven through its
registers: SECTOR, DMA_ADDR, COUNT, then COMMAND -- the frame moves by DMA (``dma_byte``
in the ledger) -- plus one ``swap_io`` per page for the disk's access time.

Victims: ``swap_out`` takes the pages it is given; ``swap_out_oldest`` picks in FIFO
order of mapping (ESX picked at random: the VMM cannot see which pages the guest uses,
the reason the paper prefers ballooning).  Shared (COW) frames are not swapped.
"""
from __future__ import annotations

from vlab.hardware.overcommit.host import COW, SWAPPED
from vlab.host.devices.block import (
    CMD_READ,
    CMD_WRITE,
    COMMAND,
    COUNT,
    DMA_ADDR,
    SECTOR,
    SECTOR_SIZE,
    STATUS,
    BlockDevice,
)
from vlab.isa.pagetable import PAGE, PTE_V

SECTORS_PER_PAGE = PAGE // SECTOR_SIZE


class GuestSwap:
    """A swap area of ``slots`` pages on a block device of the host."""

    def __init__(self, host, slots: int = 64):
        self.host = host
        self.disk = BlockDevice(host.bus, sectors=slots * SECTORS_PER_PAGE)
        self.free_slots = list(range(slots - 1, -1, -1))
        self.swapped_out = self.swapped_in = 0
        host.handlers.append(self.swap_in)

    def _transfer(self, command: int, slot: int, frame: int) -> None:
        disk = self.disk
        for register, value in ((SECTOR, slot * SECTORS_PER_PAGE), (DMA_ADDR, frame),
                                (COUNT, SECTORS_PER_PAGE), (COMMAND, command)):
            disk.store(register, 4, value)
        if disk.load(STATUS, 4):
            raise OSError(f'swap disk: {disk.last_error}')
        self.host.ledger.charge('swap_io')

    def swap_out(self, vm, gpa: int) -> bool:
        """Write ``gpa``'s page to disk and free its frame; False if it cannot be."""
        found = vm.table.lookup(gpa)
        if found is None or found.pte & COW or not self.free_slots:
            return False
        frame = (found.pte >> 10) << 12
        slot = self.free_slots.pop()
        self._transfer(CMD_WRITE, slot, frame)
        vm.set_entry(gpa, slot << 10 | SWAPPED)           # invalid: V = 0
        self.host.release(frame)
        self.swapped_out += 1
        return True

    def swap_out_oldest(self, vm, pages: int) -> int:
        """Swap out up to ``pages`` private pages of ``vm``, lowest address first."""
        done = 0
        for gpa, _, _ in list(vm.mapped_pages()):
            if done == pages:
                break
            done += self.swap_out(vm, gpa)
        return done

    def swap_in(self, vm, gpa: int, pte: int, access: int) -> bool:
        """The guest-page fault handler: a swap entry is read back into a new frame."""
        if pte & PTE_V or not pte & SWAPPED:
            return False
        slot, frame = pte >> 10, self.host.alloc_frame()
        self._transfer(CMD_READ, slot, frame)
        vm.map(gpa, frame)
        self.free_slots.append(slot)
        self.swapped_in += 1
        return True


__all__ = ['GuestSwap']
