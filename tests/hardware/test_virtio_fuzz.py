"""A guest writing random values into virtio-mmio registers and random descriptors into
its rings: the device never raises (only the access faults of the bus for bad offsets
or sizes), and no byte outside guest RAM changes.  Seeded, so it is deterministic."""
import random

from vlab.hardware.guest_memory import GuestMemory
from vlab.hardware.io.guest_dma import GuestDma
from vlab.hardware.io.pydriver import PyVirtioDriver
from vlab.hardware.io.virtio_blk import VirtioBlk
from vlab.hardware.io.virtio_console import VirtioConsole
from vlab.hardware.io.virtio_mmio import REGISTERS, VirtioMmio
from vlab.host.platform import Platform

GUEST = 1 << 20
AREA = 0x8001_0000


def test_random_register_and_ring_traffic_is_contained():
    rng = random.Random(2024)
    platform = Platform(ram_size=2 * GUEST, disk_sectors=16)
    memory = GuestMemory(platform.bus, GUEST, GUEST)
    bus = platform.bus
    blk = VirtioMmio(VirtioBlk(platform.block, bus), GuestDma(memory))
    console = VirtioMmio(VirtioConsole(lambda data: None), GuestDma(memory))
    outside = bus.read_bytes(memory.vmm_base, memory.vmm_size)
    addresses = [memory.base + 0x4000, memory.base + GUEST - 8, memory.vmm_base,
                 memory.vmm_base - 0x100, 0x1000_0000, 0xFFFF_F000]
    served = 0
    for _ in range(300):
        t = rng.choice((blk, console))
        driver = PyVirtioDriver(bus, t, AREA, queue_size=rng.choice((4, 8)))
        driver.start(len(t.backend.queue_max))
        for _ in range(rng.randrange(1, 6)):
            q = rng.randrange(len(t.backend.queue_max))
            parts = [(rng.choice(addresses) + rng.randrange(0, 64),
                      rng.choice((0, 1, 16, 512, 4096, 1 << 20)), rng.random() < 0.5)
                     for _ in range(rng.randrange(1, 4))]
            driver.add_chain(q, parts)
            if rng.random() < 0.2:          # a corrupt descriptor: random flags and next
                at = driver.queues[q]['desc'] + 16 * rng.randrange(driver.size) + 12
                bus.write_bytes(at, rng.randbytes(4))
            driver.publish(q)
            driver.kick(q)
        for _ in range(5):                  # and some random register traffic
            t.store(rng.choice(list(REGISTERS)), 4, rng.getrandbits(32))
        served += len(driver.used(0)) if 0 in driver.queues else 0
    assert bus.read_bytes(memory.vmm_base, memory.vmm_size) == outside
    assert blk.error or console.error                  # rules were broken, and said so
    assert served > 0                                  # and some requests were served
