"""Bus: routing to RAM and devices, faults, write listeners, charging."""

import pytest

from vlab.host import AccessFault, Bus, Ledger, PhysicalMemory

RAM = 0x8000_0000


class Recorder:
    """A device that remembers what it was asked."""

    def __init__(self):
        self.calls = []

    def load(self, offset, size):
        self.calls.append(("load", offset, size))
        return 0x42

    def store(self, offset, size, value):
        self.calls.append(("store", offset, size, value))


@pytest.fixture
def bus():
    b = Bus(ledger=Ledger())
    b.attach_ram(PhysicalMemory(0x1000, RAM))
    b.dev = Recorder()
    b.attach(b.dev, 0x1000_0000, 0x100, "dev")
    return b


def test_ram_round_trip(bus):
    bus.store(RAM + 4, 4, 0xCAFEBABE)
    assert bus.load(RAM + 4, 4) == 0xCAFEBABE
    assert bus.ram.data[4:8] == bytes.fromhex("bebafeca")


def test_device_sees_offsets(bus):
    assert bus.load(0x1000_0010, 1) == 0x42
    bus.store(0x1000_0020, 4, 7)
    assert bus.dev.calls == [("load", 0x10, 1), ("store", 0x20, 4, 7)]


def test_device_accesses_are_charged_ram_accesses_are_not(bus):
    bus.load(RAM, 4)
    bus.store(RAM, 4, 1)
    bus.load(0x1000_0000, 1)
    bus.store(0x1000_0000, 1, 1)
    assert bus.ledger.counts == {"device_access": 2}


def test_unmapped_address_faults_and_names_neighbours(bus):
    with pytest.raises(AccessFault) as info:
        bus.load(0x2000_0000, 4)
    assert "below: dev 0x10000000..0x100000ff" in info.value.reason
    assert "above: ram 0x80000000..0x80000fff" in info.value.reason


def test_access_straddling_a_device_end_faults(bus):
    with pytest.raises(AccessFault, match="past the end of dev"):
        bus.load(0x1000_00FE, 4)


def test_access_straddling_ram_end_faults(bus):
    with pytest.raises(AccessFault, match="past the end of RAM"):
        bus.store(RAM + 0xFFE, 4, 0)


def test_device_fault_is_reported_at_absolute_address():
    class Picky(Recorder):
        def load(self, offset, size):
            raise AccessFault(offset, size, "load", "no register here")

    b = Bus()
    b.attach(Picky(), 0x1000, 0x100, "picky")
    with pytest.raises(AccessFault) as info:
        b.load(0x1010, 4)
    assert info.value.addr == 0x1010
    assert info.value.reason == "picky: no register here"


def test_write_listeners_see_bus_writes_only(bus):
    seen = []
    bus.write_listeners.append(lambda addr, size: seen.append((addr, size)))
    bus.store(RAM + 8, 4, 1)
    bus.write_bytes(RAM + 16, b"abc")
    bus.store(0x1000_0000, 1, 1)   # device: not RAM
    bus.ram.data[0] = 1            # fast path: not the bus
    assert seen == [(RAM + 8, 4), (RAM + 16, 3)]


def test_bulk_transfers_must_be_ram(bus):
    with pytest.raises(AccessFault, match="entirely in RAM"):
        bus.write_bytes(0x1000_0000, b"x")
    with pytest.raises(AccessFault):
        bus.read_bytes(RAM + 0xFF0, 0x20)
    assert bus.read_bytes(RAM, 2) == b"\0\0"


def test_overlapping_regions_are_rejected(bus):
    with pytest.raises(ValueError, match="overlaps"):
        bus.attach(Recorder(), 0x1000_0080, 0x100, "other")
    with pytest.raises(ValueError, match="already"):
        bus.attach(Recorder(), 0x3000_0000, 0x100, "dev")


def test_attach_requires_device_methods(bus):
    with pytest.raises(TypeError, match="load"):
        bus.attach(object(), 0x4000_0000, 0x10, "bogus")


def test_region_lookup(bus):
    assert bus.region_of(RAM + 5).name == "ram"
    assert bus.region_of(0x1000_0005).name == "dev"
    assert bus.region_of(0) is None
    assert bus.device("dev") is bus.dev
    with pytest.raises(KeyError, match="mapped"):
        bus.device("nope")


def test_fetch_from_a_device_faults_without_touching_it(bus):
    with pytest.raises(AccessFault, match="not executable"):
        bus.load(0x1000_0000, 4, access="fetch")
    assert bus.dev.calls == []
    bus.store(RAM, 4, 0x13)
    assert bus.load(RAM, 4, access="fetch") == 0x13
