"""Giving a VM its disk and console by one of the course's three I/O methods (``--io``).

=============  ===========================  =================================  ===========
method         disk (0x1000_2000)           console                            DMA checked
=============  ===========================  =================================  ===========
emulated       EmulatedDisk: register file  the 16550 UART, emulated: every     by the VMM
               emulated in the VMM, every   register access an MMIO exit        (GuestDma)
               register access an exit
virtio         virtio-blk over virtio-mmio  virtio-console over virtio-mmio     by the VMM
               (0x1000_3000): rings in      (0x1000_4000): one kick per batch   (GuestDma)
               guest memory, one exit per   of lines
               batch of requests
passthrough    PassthroughDisk: register    the 16550 UART mapped into the      by the
               page mapped in the G-stage,  guest (it does no DMA): no exits    IOMMU
               DMA through the IOMMU
=============  ===========================  =================================  ===========

A VM can also get a network card on a host bridge between VMs (``connect_network``,
vlab/hardware/io/bridge.py): virtio-net (0x1000_5000) under ``virtio``; under the other
two methods a register-programmed card (0x1000_6000, vlab/hardware/io/register_nic.py),
emulated by the VMM or assigned with its DMA through the IOMMU.

(The addresses continue QEMU ``virt``'s device area after the UART and the host's disk,
vlab/host/platform.py.)  The methods need the hardware-assisted VMM (``cpu='hw'``): its
G-stage table is what decides which device pages are the guest's (mapped: direct access)
and which exit (unmapped: vlab/hardware/mmio.py).  Under ``emulated`` and ``virtio`` the
UART stays unmapped, as the hw VMM leaves every device.

The guest's drivers: vlab/hardware/io/guest/iodrv.c (the same register-file driver for
the emulated and the passed-through disk: "runs unchanged").
"""
from __future__ import annotations

from dataclasses import dataclass, field

from vlab.host.platform import UART_BASE, UART_SIZE
from vlab.isa.pagetable import PTE_A, PTE_D, PTE_R, PTE_U, PTE_W, SV32X4, PageTable, PoolAllocator

from .disks import EmulatedDisk, PassthroughDisk
from .guest_dma import GuestDma
from .iommu import Iommu, IommuDma
from .register_nic import RegisterNic
from .virtio_blk import VirtioBlk
from .virtio_console import VirtioConsole
from .virtio_mmio import VirtioMmio
from .virtio_net import VirtioNet

DISK_BASE, VIRTIO_BLK_BASE, VIRTIO_CONSOLE_BASE = 0x1000_2000, 0x1000_3000, 0x1000_4000
VIRTIO_NET_BASE, NIC_BASE = 0x1000_5000, 0x1000_6000
NIC_DEVICE_ID = 2
MAC_PREFIX = bytes.fromhex('5254001234')      # QEMU's locally administered 52:54:00:...
DEVICE_PAGE = 0x1000
IO_METHODS = ('emulated', 'virtio', 'passthrough')
PASSTHROUGH_DEVICE_ID = 1
DEVICE_RW = PTE_R | PTE_W | PTE_U | PTE_A | PTE_D


class IoError(ValueError):
    """The I/O method cannot be set up as asked."""


@dataclass
class VmIo:
    """What ``attach_io`` gave a VM: the method and its device models."""

    method: str
    disk: object = None               # EmulatedDisk / PassthroughDisk
    virtio_blk: VirtioMmio | None = None
    virtio_console: VirtioMmio | None = None
    virtio_net: VirtioMmio | None = None
    nic: object = None                # the network card's back end (connect_network)
    iommu: Iommu | None = None
    passed_through: list = field(default_factory=list)     # device pages in the G-stage

    def describe(self) -> str:
        """What ``vlab vm run --io M --stats`` prints about the devices."""
        lines = [f'I/O virtualization: {self.method}']
        for name, t in (('virtio-blk', self.virtio_blk), ('virtio-console',
                        self.virtio_console), ('virtio-net', self.virtio_net)):
            if t is not None:
                lines.append(f'  {name}: {t.notifications} notifications, {t.interrupts} '
                             f'interrupts ({t.interrupts_suppressed} suppressed)'
                             + (f'; NEEDS_RESET: {t.error}' if t.error else ''))
        if self.disk is not None:
            lines.append(f'  disk: {self.disk.completed} commands'
                         + (f'; last error: {self.disk.last_error}'
                            if self.disk.last_error else ''))
        if self.iommu is not None:
            lines.append(f'  IOMMU: {self.iommu.walks} walks, {self.iommu.iotlb_hits} IOTLB '
                         f'hits, {len(self.iommu.faults)} faults')
            lines += [f'    {fault}' for fault in self.iommu.faults[:5]]
        return '\n'.join(lines)

    @property
    def transports(self) -> tuple:
        return tuple(t for t in (self.virtio_blk, self.virtio_console, self.virtio_net)
                     if t is not None)


def attach_io(vm, method: str) -> VmIo:
    """Attach the devices of ``method`` to ``vm`` (a VirtualMachine on ``cpu='hw'``)."""
    if method not in IO_METHODS:
        raise IoError(f'I/O method {method!r} is not available; built: '
                      f'{", ".join(IO_METHODS)}')
    if vm.cpu != 'hw':
        raise IoError(f'--io {method} needs --cpu hw: the G-stage table of the hardware-'
                      'assisted VMM decides which device pages exit and which are the '
                      "guest's")
    bus, memory = vm.machine.bus, vm.memory
    host_disk = vm.machine.platform.block
    io = VmIo(method)
    if method == 'emulated':
        io.disk = EmulatedDisk(memory, host_disk)
        bus.attach(io.disk, DISK_BASE, DEVICE_PAGE, 'vdisk')
    elif method == 'virtio':
        dma = GuestDma(memory)
        uart = vm.machine.platform.uart
        sink = lambda data: [uart.store(0, 1, b) for b in data]    # noqa: E731
        io.virtio_blk = VirtioMmio(VirtioBlk(host_disk, bus), dma)
        io.virtio_console = VirtioMmio(VirtioConsole(sink), dma)
        bus.attach(io.virtio_blk, VIRTIO_BLK_BASE, VirtioMmio.SIZE, 'virtio-blk')
        bus.attach(io.virtio_console, VIRTIO_CONSOLE_BASE, VirtioMmio.SIZE, 'virtio-con')
    else:
        io.iommu = Iommu(bus)
        io.iommu.attach(PASSTHROUGH_DEVICE_ID, _device_table(vm))
        io.disk = PassthroughDisk(IommuDma(io.iommu, PASSTHROUGH_DEVICE_ID),
                                  host_disk.image)
        bus.attach(io.disk, DISK_BASE, DEVICE_PAGE, 'vdisk')
        for base, size in ((DISK_BASE, DEVICE_PAGE), (UART_BASE, UART_SIZE)):
            vm.vmm.g_stage.map_range(base, base, size, DEVICE_RW)
            io.passed_through.append(base)
        vm.machine.hfence_gvma()
    return io


def connect_network(vm, bridge, host_id: int):
    """Give ``vm`` a network card with MAC 52:54:00:12:34:``host_id``, plugged into
    ``bridge`` (vlab/hardware/io/bridge.py): virtio-net at VIRTIO_NET_BASE under
    ``virtio``; the register-programmed card of vlab/hardware/io/register_nic.py at
    NIC_BASE, emulated by the VMM (``emulated``) or assigned to the guest with its DMA
    through the IOMMU (``passthrough``).  Returns the device on the bus."""
    if vm.io is None:
        raise IoError('a network card comes with an I/O method: boot the VM with io=...')
    if not 0 <= host_id < 256:
        raise IoError(f'host id {host_id} is the last byte of a MAC address: 0..255')
    mac, io, bus = MAC_PREFIX + bytes([host_id]), vm.io, vm.machine.bus
    if io.method == 'virtio':
        nic = VirtioNet(mac)
        device = VirtioMmio(nic, GuestDma(vm.memory))
        nic.transport = device
        bus.attach(device, VIRTIO_NET_BASE, VirtioMmio.SIZE, 'virtio-net')
        io.virtio_net = device
    elif io.method == 'emulated':
        device = nic = RegisterNic(mac, GuestDma(vm.memory))
        bus.attach(device, NIC_BASE, DEVICE_PAGE, 'vnic')
    else:
        io.iommu.attach(NIC_DEVICE_ID, io.iommu.contexts[PASSTHROUGH_DEVICE_ID])
        device = nic = RegisterNic(mac, IommuDma(io.iommu, NIC_DEVICE_ID))
        bus.attach(device, NIC_BASE, DEVICE_PAGE, 'vnic')
        vm.vmm.g_stage.map_range(NIC_BASE, NIC_BASE, DEVICE_PAGE, DEVICE_RW)
        io.passed_through.append(NIC_BASE)
        vm.machine.hfence_gvma()
    io.nic = nic
    bridge.connect(nic)
    return device


EXTRA_BASES = (0x1000_7000, 0x1000_8000, 0x1000_9000, 0x1000_A000)


def attach_virtio_device(vm, factory, name: str = 'virtio-extra') -> VirtioMmio:
    """Plug one more virtio back end into ``vm`` at the first free slot of EXTRA_BASES
    (the guest finds the first one at 0x1000_7000, the next 0x1000 higher, ...).

    ``factory(ledger, dma)`` gets the VM's ledger and a VMM-checked ``GuestDma`` on its
    RAM and returns a virtio device type (``device_id``, ``features``, ``queue_max``,
    ``config``, ``notify``), e.g. an accelerator's remoting channel from a higher level
    that this package may not import.  Under ``cpu='hw'`` the page stays out of the
    G-stage table, so every register access is an MMIO exit, as for virtio-blk."""
    if vm.cpu != 'hw':
        raise IoError(f'an extra virtio device ({name}) needs --cpu hw: the G-stage table '
                      'of the hardware-assisted VMM makes its register page exit')
    used = {region.base for region in vm.machine.bus.regions}
    free = [base for base in EXTRA_BASES if base not in used]
    if not free:
        raise IoError(f'no free slot for {name}: at most {len(EXTRA_BASES)} extra virtio '
                      f'devices ({", ".join(hex(b) for b in EXTRA_BASES)})')
    dma = GuestDma(vm.memory, vm.machine.ledger)
    transport = VirtioMmio(factory(vm.machine.ledger, dma), dma)
    vm.machine.bus.attach(transport, free[0], VirtioMmio.SIZE, name)
    return transport


def _device_table(vm) -> PageTable:
    """The assigned device's second-stage table in VMM memory: guest RAM, read/write,
    at the guest-physical addresses the driver programs (and nothing else)."""
    memory = vm.memory
    start = -(-vm.vmm.x_stage.alloc.next // DEVICE_PAGE) * DEVICE_PAGE
    end = memory.vmm_base + memory.vmm_size
    try:
        table = PageTable(memory.bus, PoolAllocator(start, end - start), scheme=SV32X4)
        table.map_range(memory.base, memory.base, memory.size, DEVICE_RW, megapages=True)
    except (MemoryError, ValueError):
        raise IoError('no VMM memory left for the IOMMU table of the assigned disk; give '
                      'the VM more VMM memory') from None
    return table


__all__ = ['DISK_BASE', 'EXTRA_BASES', 'IO_METHODS', 'IoError', 'VIRTIO_BLK_BASE',
           'VIRTIO_CONSOLE_BASE', 'NIC_BASE', 'VIRTIO_NET_BASE', 'VmIo', 'attach_io',
           'attach_virtio_device', 'connect_network']
