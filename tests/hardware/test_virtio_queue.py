"""virtio-mmio and split virtqueues driven by a Python driver (vlab/hardware/io/pydriver.py):
the register protocol, the ring layout in memory, notification suppression, and bad
driver input (DEVICE_NEEDS_RESET, never an exception)."""
import pytest

from vlab.hardware.guest_memory import GuestMemory
from vlab.hardware.io.guest_dma import GuestDma
from vlab.hardware.io.pydriver import PyVirtioDriver
from vlab.hardware.io.virtio_blk import (
    VIRTIO_BLK_S_IOERR,
    VIRTIO_BLK_S_OK,
    VIRTIO_BLK_S_UNSUPP,
    VIRTIO_BLK_T_GET_ID,
    VIRTIO_BLK_T_IN,
    VIRTIO_BLK_T_OUT,
    VirtioBlk,
)
from vlab.hardware.io.virtio_console import VirtioConsole
from vlab.hardware.io.virtio_mmio import DEVICE_NEEDS_RESET, DRIVER_OK, MAGIC_VALUE, VirtioMmio
from vlab.hardware.io.virtqueue import need_event
from vlab.host.memory import AccessFault
from vlab.host.platform import Platform

GUEST = 1 << 20
AREA, HDR, DATA, STATUS = 0x8001_0000, 0x8002_0000, 0x8003_0000, 0x8002_1000


def blk(sectors=64, **driver_options):
    platform = Platform(ram_size=2 * GUEST, disk_image=bytes(range(256)) * 2 * sectors)
    memory = GuestMemory(platform.bus, GUEST, GUEST)
    disk = platform.block
    transport = VirtioMmio(VirtioBlk(disk, platform.bus), GuestDma(memory))
    driver = PyVirtioDriver(platform.bus, transport, AREA, **driver_options)
    assert driver.start(1)
    return platform, transport, driver, disk


def request(driver, bus, n, kind, sector, length=512):
    bus.write_bytes(HDR + 16 * n, kind.to_bytes(4, 'little') + bytes(4)
                    + sector.to_bytes(8, 'little'))
    device_writes = kind in (VIRTIO_BLK_T_IN, VIRTIO_BLK_T_GET_ID)
    return driver.add_chain(0, [(HDR + 16 * n, 16, False),
                                (DATA + 4096 * n, length, device_writes),
                                (STATUS + n, 1, True)])


def test_registers_identify_a_version_2_block_device():
    _, transport, _, disk = blk()
    assert transport.load(0x000, 4) == MAGIC_VALUE
    assert transport.load(0x004, 4) == 2 and transport.load(0x008, 4) == 2
    assert transport.load(0x100, 4) == len(disk.image) // 512      # capacity, low word
    assert transport.load(0x070, 4) & DRIVER_OK
    with pytest.raises(AccessFault, match='32-bit words'):
        transport.load(0x000, 2)


def test_a_batch_of_reads_is_one_notification_and_lands_in_memory():
    platform, transport, driver, disk = blk()
    bus = platform.bus
    heads = [request(driver, bus, n, VIRTIO_BLK_T_IN, sector=n) for n in range(2)]
    driver.publish(0)
    assert transport.notifications == 0
    driver.kick(0)
    assert transport.notifications == 1
    assert driver.used(0) == [(heads[0], 513), (heads[1], 513)]
    for n in range(2):
        assert bus.read_bytes(DATA + 4096 * n, 512) == bytes(disk.image[512 * n:512 * n + 512])
        assert bus.load(STATUS + n, 1) == VIRTIO_BLK_S_OK
    assert platform.ledger.count('virtq_descriptor') == 6


def test_write_get_id_errors_and_unsupported():
    platform, transport, driver, disk = blk(sectors=4, queue_size=16)
    bus = platform.bus
    bus.write_bytes(DATA, b'\xab' * 512)
    request(driver, bus, 0, VIRTIO_BLK_T_OUT, sector=3)
    request(driver, bus, 1, VIRTIO_BLK_T_IN, sector=4)          # past the 4-sector disk
    request(driver, bus, 2, 99, sector=0)
    request(driver, bus, 3, VIRTIO_BLK_T_GET_ID, sector=0, length=20)
    driver.publish(0)
    driver.kick(0)
    assert disk.image[3 * 512:4 * 512] == b'\xab' * 512
    assert [bus.load(STATUS + n, 1) for n in range(4)] == [
        VIRTIO_BLK_S_OK, VIRTIO_BLK_S_IOERR, VIRTIO_BLK_S_UNSUPP, VIRTIO_BLK_S_OK]
    assert bus.read_bytes(DATA + 3 * 4096, 15) == b'vlab-virtio-blk'


def test_no_interrupt_flag_suppresses_the_used_buffer_interrupt():
    platform, transport, driver, _ = blk()
    request(driver, platform.bus, 0, VIRTIO_BLK_T_IN, 0)
    driver.publish(0)
    driver.kick(0)
    assert transport.interrupts == 1 and transport.load(0x060, 4) & 1
    transport.store(0x064, 4, 1)                                   # InterruptACK
    assert transport.load(0x060, 4) == 0
    platform, transport, driver, _ = blk(no_interrupt=True)
    request(driver, platform.bus, 0, VIRTIO_BLK_T_IN, 0)
    driver.publish(0)
    driver.kick(0)
    assert (transport.interrupts, transport.interrupts_suppressed) == (0, 1)


def test_event_idx_is_vring_need_event():
    assert need_event(0, 1, 0) and not need_event(5, 3, 0)
    assert need_event(0xFFFF, 0, 0xFFFE)                  # across the 16-bit wrap
    platform, transport, driver, _ = blk(event_idx=True)
    assert transport.has(29)
    bus, queue = platform.bus, driver.queues[0]
    bus.store(queue['avail'] + 4 + 2 * driver.size, 2, 5)   # used_event: "after 6 used"
    request(driver, bus, 0, VIRTIO_BLK_T_IN, 0)
    driver.publish(0)
    driver.kick(0)
    assert transport.interrupts == 0                       # used idx 1 did not pass 5
    # the device published avail_event = 1: the driver's next chain must kick
    assert bus.load(queue['used'] + 4 + 8 * driver.size, 2) == 1


def test_indirect_descriptors():
    platform, transport, driver, disk = blk()
    bus = platform.bus
    table = 0x8004_0000
    bus.write_bytes(HDR, bytes(16))                          # IN, sector 0
    parts = [(HDR, 16, 0x1, 1), (DATA, 512, 0x3, 2), (STATUS, 1, 0x2, 0)]
    bus.write_bytes(table, b''.join(a.to_bytes(8, 'little') + n.to_bytes(4, 'little')
                                    + f.to_bytes(2, 'little') + x.to_bytes(2, 'little')
                                    for a, n, f, x in parts))
    head = driver.add_chain(0, [(table, 48, False)])
    bus.store(driver.queues[0]['desc'] + 12, 2, 4)           # flags = INDIRECT
    driver.publish(0)
    driver.kick(0)
    assert driver.used(0) == [(head, 513)]
    assert bus.read_bytes(DATA, 512) == bytes(disk.image[:512])


@pytest.mark.parametrize('where', ['vmm memory', 'device'])
def test_a_ring_outside_guest_ram_needs_reset(where):
    platform = Platform(ram_size=2 * GUEST)
    memory = GuestMemory(platform.bus, GUEST, GUEST)
    transport = VirtioMmio(VirtioBlk(platform.block, platform.bus), GuestDma(memory))
    driver = PyVirtioDriver(platform.bus, transport, AREA)
    driver.start(0)
    vmm_before = platform.bus.read_bytes(memory.vmm_base, 4096)
    driver.setup_queue(0, desc=memory.vmm_base if where == 'vmm memory' else 0x1000_0000)
    assert transport.load(0x070, 4) & DEVICE_NEEDS_RESET
    assert 'not in guest RAM' in transport.error and transport.load(0x060, 4) & 2
    assert transport.queue(0) is None
    assert platform.bus.read_bytes(memory.vmm_base, 4096) == vmm_before


def test_a_buffer_outside_guest_ram_or_a_looping_chain_needs_reset():
    platform, transport, driver, _ = blk()
    bus = platform.bus
    bus.write_bytes(HDR, bytes(16))
    driver.add_chain(0, [(HDR, 16, False), (0x8010_0000 + 0x100, 512, True),
                         (STATUS, 1, True)])                   # data in VMM memory
    driver.publish(0)
    driver.kick(0)
    assert transport.status & DEVICE_NEEDS_RESET and 'read buffer' in transport.error
    platform, transport, driver, _ = blk()
    head = driver.add_chain(0, [(HDR, 16, False), (DATA, 8, False)])
    bus = platform.bus
    bus.store(driver.queues[0]['desc'] + 16 + 12, 2, 1)       # second part: NEXT ...
    bus.store(driver.queues[0]['desc'] + 16 + 14, 2, head)    # ... back to the head
    driver.publish(0)
    driver.kick(0)
    assert transport.status & DEVICE_NEEDS_RESET and 'loops' in transport.error


def test_features_without_version_1_are_refused():
    _, transport, driver, _ = blk()
    transport.store(0x070, 4, 0)
    transport.store(0x070, 4, 3)
    transport.store(0x020, 4, 0)                               # accept nothing
    transport.store(0x070, 4, 3 | 8)
    assert not transport.load(0x070, 4) & 8


def test_console_transmit_and_receive():
    platform = Platform(ram_size=2 * GUEST)
    memory = GuestMemory(platform.bus, GUEST, GUEST)
    out = bytearray()
    console = VirtioConsole(out.extend)
    transport = VirtioMmio(console, GuestDma(memory))
    driver = PyVirtioDriver(platform.bus, transport, AREA)
    assert driver.start(2)
    bus = platform.bus
    bus.write_bytes(DATA, b'hello\n')
    bus.write_bytes(DATA + 64, b'world\n')
    driver.add_chain(1, [(DATA, 6, False)])
    driver.add_chain(1, [(DATA + 64, 6, False)])
    driver.publish(1)
    driver.kick(1)
    assert bytes(out) == b'hello\nworld\n' and transport.notifications == 1
    console.feed(b'typed', transport)                          # no receive buffer yet
    driver.add_chain(0, [(HDR, 16, True)])
    driver.publish(0)
    driver.kick(0)
    assert driver.used(0) == [(0, 5)] and bus.read_bytes(HDR, 5) == b'typed'


def test_the_driver_does_not_kick_a_device_that_set_no_notify():
    platform, transport, driver, _ = blk()
    transport.queue(0).set_no_notify(True)
    request(driver, platform.bus, 0, VIRTIO_BLK_T_IN, 0)
    driver.publish(0)
    assert driver.kick(0) is False and transport.notifications == 0
    transport.queue(0).set_no_notify(False)
    assert driver.kick(0) is True and driver.used(0) == [(0, 513)]


def test_a_queue_size_that_is_not_a_power_of_two_needs_reset():
    platform = Platform(ram_size=2 * GUEST)
    memory = GuestMemory(platform.bus, GUEST, GUEST)
    transport = VirtioMmio(VirtioBlk(platform.block, platform.bus), GuestDma(memory))
    driver = PyVirtioDriver(platform.bus, transport, AREA, queue_size=3)
    driver.start(1)
    assert transport.status & DEVICE_NEEDS_RESET and 'power of two' in transport.error
    transport.store(0x050, 4, 0)                      # a kick now does nothing
    assert transport.notifications == 1 and transport.queue(0) is None
    transport.store(0x070, 4, 0)                      # reset clears NEEDS_RESET
    assert transport.load(0x070, 4) == 0


def test_a_queue_larger_than_queue_num_max_needs_reset():
    platform = Platform(ram_size=2 * GUEST)
    memory = GuestMemory(platform.bus, GUEST, GUEST)
    transport = VirtioMmio(VirtioBlk(platform.block, platform.bus), GuestDma(memory))
    PyVirtioDriver(platform.bus, transport, AREA, queue_size=128).start(1)
    assert transport.status & DEVICE_NEEDS_RESET and 'QueueNumMax 64' in transport.error
