"""Platform: everything composed on the virt memory map."""

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
