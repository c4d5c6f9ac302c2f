"""Platform: everything composed on the virt memory map."""

import pytest

from vlab.host import (
    BLOCK_BASE,
    CLINT_BASE,
    RAM_BASE,
    UART_BASE,
    AccessFault,
    CostModel,
    Platform,
)


def test_memory_map():
    host = Platform(ram_size=1 << 20)
    names = {r.name: (r.base, r.size) for r in host.bus.regions}
    assert names == {"clint": (0x0200_0000, 0x1_0000), "uart": (0x1000_0000, 0x100),
                     "block": (0x1000_1000, 0x1000), "ram": (0x8000_0000, 1 << 20)}
    assert (CLINT_BASE, UART_BASE, BLOCK_BASE, RAM_BASE) == \
        (0x0200_0000, 0x1000_0000, 0x1000_1000, 0x8000_0000)
    assert host.bus.ram is host.ram


def test_default_ram_is_64_mib():
    assert Platform().ram.size == 64 * 1024 * 1024


def test_devices_answer_at_their_addresses():
    host = Platform(ram_size=4096)
    host.bus.store(UART_BASE, 1, ord("!"))
    host.clint.advance(7)
    assert host.uart.output == b"!"
    assert host.bus.load(CLINT_BASE + 0xBFF8, 4) == 7
    assert host.bus.load(BLOCK_BASE, 4) == 0x4B4C4256
    assert host.ledger.count("device_access") == 3


def test_gap_between_devices_faults():
    host = Platform(ram_size=4096)
    try:
        host.bus.load(0x1000_0100, 1)
    except AccessFault as fault:
        assert "uart" in fault.reason and "block" in fault.reason
    else:
        raise AssertionError("expected an AccessFault")


def test_costs_flow_into_the_ledger():
    host = Platform(ram_size=4096, costs=CostModel.default().with_overrides(device_access=10))
    host.bus.load(UART_BASE + 5, 1)
    assert host.ledger.total_cycles == 10
    assert host.ledger.costs is host.costs


def test_htif_attached_on_request():
    host = Platform(ram_size=4096)
    assert host.htif is None
    htif = host.attach_htif(RAM_BASE + 0x800, RAM_BASE + 0x840)
    host.bus.store(RAM_BASE + 0x800, 8, (1 << 56) | (1 << 48) | ord("k"))
    htif.poll()
    host.bus.store(UART_BASE, 1, ord("u"))
    assert host.console_output() == b"uk"


def busy_host():
    """A platform after some device and RAM activity."""
    host = Platform(ram_size=8192, disk_sectors=4)
    host.attach_htif(RAM_BASE + 0x1000, RAM_BASE + 0x1040)
    host.bus.store(RAM_BASE, 4, 0x1234_5678)
    host.bus.store(UART_BASE, 1, ord("a"))
    host.uart.feed(b"in")
    host.clint.advance(40)
    host.block.image[0:3] = b"abc"
    return host


def test_save_and_restore_state_round_trip():
    host = busy_host()
    saved = host.save_state()
    ram = host.ram.data
    host.bus.store(RAM_BASE, 4, 0)
    host.bus.store(UART_BASE, 1, ord("b"))
    host.bus.load(UART_BASE, 1)
    host.clint.advance(1000)
    host.block.image[0:3] = b"xyz"
    host.bus.store(RAM_BASE + 0x1000, 8, 1)
    host.htif.poll()
    assert host.htif.exit_code == 0
    invalidated = []
    host.bus.write_listeners.append(lambda a, n: invalidated.append((a, n)))

    host.restore_state(saved)
    assert host.ram.data is ram                       # CPUs may hold this object
    assert host.bus.load(RAM_BASE, 4) == 0x1234_5678
    assert host.uart.output == b"a" and host.bus.load(UART_BASE, 1) == ord("i")
    assert host.clint.mtime == 40
    assert host.block.image[0:3] == b"abc"
    assert host.htif.exit_code is None
    assert invalidated == [(RAM_BASE, 8192)]
    assert host.save_state() != saved                 # reading RBR consumed "i"


def test_saved_state_is_not_shared_with_the_live_machine():
    host = busy_host()
    saved = host.save_state()
    host.uart.feed(b"more")
    host.block.image[5] = 9
    other = busy_host()
    other.restore_state(saved)
    assert other.save_state() == saved
    assert other.block.image[5] == 0


def test_restore_needs_the_same_ram_size():
    with pytest.raises(ValueError, match="same ram_size"):
        Platform(ram_size=4096).restore_state(busy_host().save_state())


def test_same_inputs_same_machine():
    assert busy_host().save_state() == busy_host().save_state()
