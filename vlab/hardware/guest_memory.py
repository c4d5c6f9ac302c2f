"""Guest-physical memory: which addresses a guest owns, and the VMM's own memory beside it.

A type-1 VMM divides the host's RAM (Popek & Goldberg 1974: the monitor "allocates"
memory to its virtual machine through the relocation mechanism; Hwang et al. 2011,
sec. 3.3.3 "memory virtualization"):

```
 host RAM  0x8000_0000 ..                  .. + guest_size          .. + vmm_size
           | guest-physical RAM (the guest's) | VMM memory: page tables, shadows |
```

The map from guest-physical to host-physical addresses is the identity on the guest's
RAM and on the passed-through devices, and nothing else: the VMM's memory has no
guest-physical address at all, so a guest cannot even name it (a store there is an access
fault *of the guest*, as a store past the end of RAM is on the bare machine).  The
identity keeps the HTIF mailbox working unchanged (its commands carry guest-physical
pointers, vlab/host/devices/htif.py) -- a simplification: a VMM running several guests
would relocate each (a non-zero offset) and emulate HTIF instead of passing it through.

Passed-through devices, ``PASSED_THROUGH`` (the bare machine's map, vlab/host/platform.py):

=========  ===========  ==========================================================
device     base         why the guest may touch it directly
=========  ===========  ==========================================================
CLINT      0x0200_0000  its ``mtimecmp`` is the guest's; the VMM virtualizes only the
                        interrupt it raises (vlab/hardware/trap_emulate.py)
UART16550  0x1000_0000  a console with registers only (no DMA): a guest's output
                        appears on the console exactly as on the bare machine
=========  ===========  ==========================================================

The HTIF mailbox lives in guest RAM, so it needs no entry.  The **block device is not
passed through**, on purpose: it does DMA to a physical address the guest writes into its
registers, and with no IOMMU to translate that address (Intel VT-d and the RISC-V IOMMU
exist for this) a guest could aim it at the VMM's memory above its RAM and overwrite the
shadow tables -- an escape.  A guest touching it gets the access fault the bare machine
gives for an unmapped address; emulating it (checking each DMA address against guest RAM)
is the VMM's work and is not modeled here.

The hardware enforces the map: while the guest runs with its own translation off, the
real ``satp`` points at ``physical_table``, an Sv32 table the VMM built that maps every
guest-physical page to itself as a user page (the guest runs in real U-mode) and nothing
else.  With the guest's translation on, shadow tables (vlab/hardware/shadow.py) take its
place.
"""
from __future__ import annotations

from vlab.host.memory import AccessFault
from vlab.host.platform import CLINT_BASE, CLINT_SIZE, UART_BASE, UART_SIZE
from vlab.isa.pagetable import (
    PAGE,
    PTE_A,
    PTE_D,
    PTE_R,
    PTE_U,
    PTE_W,
    PTE_X,
    PageTable,
    PoolAllocator,
)

USER_RWX = PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D
DEFAULT_VMM_SIZE = 1 << 20          # page tables of the VMM: 256 pages

# (base, size, name) of each device the guest reaches directly; see the module docstring
# for why the block device (a DMA master) is absent.
PASSED_THROUGH = (
    (CLINT_BASE, CLINT_SIZE, 'clint'),
    (UART_BASE, UART_SIZE, 'uart'),
)


class GuestMemory:
    """The guest-physical address space of one VM on ``bus`` (see the module docstring)."""

    def __init__(self, bus, guest_size: int, vmm_size: int = DEFAULT_VMM_SIZE):
        ram = bus.ram
        if guest_size <= 0 or guest_size % PAGE or vmm_size % PAGE:
            raise ValueError(f'guest RAM ({guest_size:#x}) and VMM memory ({vmm_size:#x}) '
                             'must be whole 4 KiB pages')
        if guest_size + vmm_size > ram.size:
            raise ValueError(f'host RAM of {ram.size:#x} bytes cannot hold {guest_size:#x} '
                             f'bytes of guest RAM plus {vmm_size:#x} of VMM memory')
        self.bus = bus
        self.base, self.size = ram.base, guest_size
        self.vmm_base, self.vmm_size = ram.base + guest_size, vmm_size
        self.devices = PASSED_THROUGH
        self.physical_table = PageTable(bus, PoolAllocator(self.vmm_base, 64 * PAGE))
        self._map_physical()
        self.pool_base = self.physical_table.alloc.next      # shadows start here

    # ------------------------------------------------------------ the map
    def is_ram(self, gpa: int, size: int = 1) -> bool:
        return self.base <= gpa and gpa + size <= self.base + self.size

    def device(self, gpa: int) -> str | None:
        """The name of the passed-through device at ``gpa``, or None."""
        for base, size, name in self.devices:
            if base <= gpa < base + size:
                return name
        return None

    def host_address(self, gpa: int) -> int | None:
        """The host-physical address of guest-physical ``gpa`` (None: not the guest's)."""
        if self.is_ram(gpa) or self.device(gpa) is not None:
            return gpa
        return None

    def read_u32(self, gpa: int) -> int:
        """A guest-physical word, for walking the guest's page tables (AccessFault
        outside the guest's RAM: a guest PTE pointer into VMM memory goes nowhere)."""
        if not self.is_ram(gpa, 4):
            raise AccessFault(gpa, 4, 'load', 'not guest RAM')
        return self.bus.load(gpa, 4)

    def write_u32(self, gpa: int, value: int) -> None:
        if not self.is_ram(gpa, 4):
            raise AccessFault(gpa, 4, 'store', 'not guest RAM')
        self.bus.store(gpa, 4, value)

    def _map_physical(self) -> None:
        """Guest RAM and devices as user pages (megapages where 4 MiB lie in guest RAM)."""
        table = self.physical_table
        table.map_range(self.base, self.base, self.size, USER_RWX, megapages=True)
        for base, size, _ in self.devices:     # the UART's 0x100 bytes: one page (the
            table.map_range(base, base, size,      # rest of it answers nothing, as bare)
                            PTE_R | PTE_W | PTE_U | PTE_A | PTE_D)

    def describe(self) -> str:
        return (f'guest RAM [{self.base:#x}, {self.base + self.size:#x}), VMM memory '
                f'[{self.vmm_base:#x}, {self.vmm_base + self.vmm_size:#x})')


__all__ = ['DEFAULT_VMM_SIZE', 'PASSED_THROUGH', 'GuestMemory']
