"""An IOMMU: the page tables a device's DMA goes through, owned by the VMM.

Why it exists.  A device assigned directly to a guest (its registers mapped into the
guest, no VMM on the path) is programmed by the guest's driver with *guest-physical*
addresses.  Without translation its DMA engine would use them as host-physical
addresses: a guest could aim it at the VMM's memory or another VM's and overwrite it
-- which is why vlab/hardware/guest_memory.py hides the host's block device from
guests.  An IOMMU sits between devices and memory and translates every DMA address
through tables the hypervisor sets up, as the MMU does for the CPU (Intel VT-d;
AMD-Vi; the RISC-V IOMMU specification v1.0).  Ben-Yehuda et al., "Utilizing IOMMUs
for Virtualization in Linux and Xen" (OLS 2006), describe direct assignment with one
translation domain per guest.

What is modeled, after the RISC-V IOMMU (v1.0, ch. 2-3) in a simplified form:

* a **device context** per device ID (the spec's device directory table, here a dict):
  the root of the device's second-stage table, the spec's ``iohgatp``; a device with no
  context has all its DMA refused;
* **second-stage tables** in the G-stage format of the CPU's hypervisor extension,
  Sv32x4 on RV32 (privileged spec sec. 8.5.1; vlab/isa/pagetable.py): real tables in
  the VMM's memory, walked reference by reference (each charged ``page_walk_ref``), leaf
  R for device reads of memory and W for device writes;
* an **IOTLB** of translations by (device, page), so a stream of DMA to one buffer
  walks once per page; ``invalidate`` empties it (the spec's IOTINVAL.GVMA);
* a **fault queue**: a refused DMA appends a ``FaultRecord`` (device, IOVA, read or
  write, cause) -- cause 21 (read guest-page fault) or 23 (write), the codes of the
  privileged spec, or 258 when the device has no context ("DDT entry not valid") --
  and nothing is transferred.

Simplifications: no first stage (no process contexts / PASID), no MSI translation, no
command queue (the VMM calls ``attach``/``invalidate`` directly), faults are not
signalled by interrupt (the VMM reads ``faults``).
"""
from __future__ import annotations

from dataclasses import dataclass

from vlab.isa.pagetable import LOAD, PAGE, STORE

CAUSE_READ_GUEST_PAGE_FAULT = 21
CAUSE_WRITE_GUEST_PAGE_FAULT = 23
CAUSE_NO_DEVICE_CONTEXT = 258
CAUSE_NAMES = {CAUSE_READ_GUEST_PAGE_FAULT: 'read guest-page fault',
               CAUSE_WRITE_GUEST_PAGE_FAULT: 'write guest-page fault',
               CAUSE_NO_DEVICE_CONTEXT: 'no device context (DDT entry not valid)'}
ACCESS_NAMES = {LOAD: 'read', STORE: 'write'}


@dataclass(frozen=True)
class FaultRecord:
    """One entry of the fault queue: which device tried what where, and why not."""

    device_id: int
    iova: int
    access: str                # 'read' (device reads memory) or 'write'
    cause: int

    def __str__(self) -> str:
        return (f'IOMMU fault: device {self.device_id} {self.access} at IOVA '
                f'{self.iova:#010x}: {CAUSE_NAMES[self.cause]} (cause {self.cause})')


class IommuFault(Exception):
    """A DMA the IOMMU refused; ``record`` is what it put in the fault queue."""

    def __init__(self, record: FaultRecord):
        super().__init__(str(record))
        self.record = record


class Iommu:
    """The IOMMU of one machine (see the module docstring); ``bus`` is where the DMA
    goes after translation and where the tables live."""

    def __init__(self, bus, ledger=None):
        self.bus = bus
        self.ledger = ledger if ledger is not None else bus.ledger
        self.contexts: dict[int, object] = {}     # device id -> its PageTable (Sv32x4)
        self.iotlb: dict[tuple[int, int], tuple[int, int]] = {}
        self.faults: list[FaultRecord] = []
        self.walks = self.iotlb_hits = 0

    def attach(self, device_id: int, table) -> None:
        """Give ``device_id`` a device context whose second stage is ``table``."""
        self.contexts[device_id] = table
        self.invalidate(device_id)

    def detach(self, device_id: int) -> None:
        self.contexts.pop(device_id, None)
        self.invalidate(device_id)

    def invalidate(self, device_id: int | None = None) -> None:
        self.iotlb = {key: v for key, v in self.iotlb.items()
                      if device_id is not None and key[0] != device_id}

    def translate(self, device_id: int, iova: int, access: int) -> int:
        """The host-physical address of ``iova`` for ``access`` (LOAD: the device reads
        memory, STORE: it writes), or IommuFault after recording the fault."""
        key = (device_id, iova // PAGE)
        hit = self.iotlb.get(key)
        if hit is not None and hit[1] >> access & 1:
            self.iotlb_hits += 1
            return hit[0] | iova % PAGE
        table = self.contexts.get(device_id)
        if table is None:
            raise self._fault(device_id, iova, access, CAUSE_NO_DEVICE_CONTEXT)
        walk = table.translate(iova, access)
        self.walks += 1
        if self.ledger is not None:
            self.ledger.charge('page_walk_ref', len(walk.refs))
        if walk.fault is not None:
            cause = CAUSE_WRITE_GUEST_PAGE_FAULT if access == STORE else \
                CAUSE_READ_GUEST_PAGE_FAULT
            raise self._fault(device_id, iova, access, cause)
        allowed = (hit[1] if hit is not None else 0) | 1 << access
        self.iotlb[key] = (walk.pa - iova % PAGE, allowed)
        return walk.pa

    def translate_range(self, device_id: int, iova: int, n: int, access: int):
        """(host-physical address, bytes) pieces of ``[iova, iova + n)``, page by page;
        every page is translated before the caller moves a byte."""
        pieces, offset = [], 0
        while offset < n:
            chunk = min(n - offset, PAGE - (iova + offset) % PAGE)
            pieces.append((self.translate(device_id, iova + offset, access), chunk))
            offset += chunk
        return pieces

    def _fault(self, device_id, iova, access, cause) -> IommuFault:
        record = FaultRecord(device_id, iova, ACCESS_NAMES[access], cause)
        self.faults.append(record)
        return IommuFault(record)


class IommuDma:
    """The DMA port of one device behind the IOMMU: the bus interface a DMA engine calls
    (vlab/host/devices/block.py: ``is_ram``, ``read_bytes``, ``write_bytes``,
    ``regions_near``, ``ledger``), each address translated for ``device_id``.
    ``direction`` is the access the device is about to make (LOAD or STORE); the device
    sets it before a transfer (vlab/hardware/io/passthrough.py)."""

    def __init__(self, iommu: Iommu, device_id: int):
        self.iommu, self.device_id = iommu, device_id
        self.ledger = iommu.ledger
        self.direction = LOAD

    def is_ram(self, iova: int, n: int = 1) -> bool:
        try:
            self.iommu.translate_range(self.device_id, iova, max(n, 1), self.direction)
        except IommuFault:
            return False
        return True

    def read_bytes(self, iova: int, n: int) -> bytes:
        pieces = self.iommu.translate_range(self.device_id, iova, n, LOAD)
        return b''.join(self.iommu.bus.read_bytes(pa, size) for pa, size in pieces)

    def write_bytes(self, iova: int, data: bytes) -> None:
        pieces = self.iommu.translate_range(self.device_id, iova, len(data), STORE)
        offset = 0
        for pa, size in pieces:
            self.iommu.bus.write_bytes(pa, data[offset:offset + size])
            offset += size

    def regions_near(self, iova: int) -> str:
        last = self.iommu.faults[-1] if self.iommu.faults else None
        return str(last) if last is not None else f'IOVA {iova:#010x} is not mapped'


__all__ = ['CAUSE_NO_DEVICE_CONTEXT', 'CAUSE_READ_GUEST_PAGE_FAULT',
           'CAUSE_WRITE_GUEST_PAGE_FAULT', 'FaultRecord', 'Iommu', 'IommuDma', 'IommuFault']
