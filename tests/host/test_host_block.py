"""BlockDevice: registers, DMA through the bus, errors as status codes."""

import pytest

from vlab.host import AccessFault, Platform
from vlab.host.devices import block as blk

B = 0x1000_1000
RAM = 0x8000_0000


@pytest.fixture
def host():
    image = bytes(range(256)) * 2 * 8          # 8 sectors with a known pattern
    return Platform(ram_size=64 * 1024, disk_image=image)


def reg(host, offset):
    return host.bus.load(B + offset, 4)


def command(host, cmd, sector, addr, count):
    host.bus.store(B + blk.SECTOR, 4, sector)
    host.bus.store(B + blk.DMA_ADDR, 4, addr)
    host.bus.store(B + blk.COUNT, 4, count)
    host.bus.store(B + blk.COMMAND, 4, cmd)
    return reg(host, blk.STATUS)


def test_identification_registers(host):
    assert reg(host, blk.MAGIC) == 0x4B4C4256
    assert reg(host, blk.SECTOR_SIZE_REG) == 512
    assert reg(host, blk.CAPACITY) == 8


def test_read_dma_copies_sectors_into_ram(host):
    assert command(host, blk.CMD_READ, 1, RAM + 0x100, 2) == blk.STATUS_OK
    assert host.bus.read_bytes(RAM + 0x100, 1024) == host.block.image[512:1536]
    assert reg(host, blk.COMPLETED) == 1


def test_write_dma_copies_ram_to_disk(host):
    host.bus.write_bytes(RAM, b"\xAB" * 512)
    assert command(host, blk.CMD_WRITE, 7, RAM, 1) == blk.STATUS_OK
    assert host.block.image[7 * 512:8 * 512] == b"\xAB" * 512


def test_dma_is_charged_per_byte_and_registers_per_access(host):
    before = host.ledger.snapshot()
    command(host, blk.CMD_READ, 0, RAM, 3)
    spent = host.ledger.snapshot() - before
    assert spent.counts == {"device_access": 5, "dma_byte": 3 * 512}


def test_dma_fires_write_listeners(host):
    seen = []
    host.bus.write_listeners.append(lambda a, n: seen.append((a, n)))
    command(host, blk.CMD_READ, 0, RAM + 512, 1)
    assert seen == [(RAM + 512, 512)]


def test_bad_sector_sets_status_and_moves_nothing(host):
    assert command(host, blk.CMD_READ, 7, RAM, 2) == blk.STATUS_BAD_SECTOR
    assert host.bus.read_bytes(RAM, 1024) == bytes(1024)
    assert "past the end of the disk" in host.block.last_error
    assert reg(host, blk.COMPLETED) == 0


def test_dma_outside_ram_sets_status(host):
    assert command(host, blk.CMD_READ, 0, 0x1000_0000, 1) == blk.STATUS_DMA_FAULT
    assert command(host, blk.CMD_WRITE, 0, RAM + 64 * 1024 - 100, 1) == blk.STATUS_DMA_FAULT
    assert "not entirely in RAM" in host.block.last_error
    assert host.ledger.count("dma_byte") == 0


def test_unknown_command(host):
    assert command(host, 9, 0, RAM, 1) == blk.STATUS_BAD_COMMAND
    assert command(host, blk.CMD_READ, 0, RAM, 1) == blk.STATUS_OK  # recovers


def test_registers_read_back(host):
    command(host, blk.CMD_READ, 2, RAM + 4, 1)
    assert (reg(host, blk.SECTOR), reg(host, blk.DMA_ADDR), reg(host, blk.COUNT)) == \
        (2, RAM + 4, 1)


def test_bad_register_access_is_an_access_fault(host):
    with pytest.raises(AccessFault, match="32-bit"):
        host.bus.load(B + blk.STATUS, 1)
    with pytest.raises(AccessFault, match="no block-device register"):
        host.bus.load(B + 0x40, 4)


def test_image_size_must_be_whole_sectors():
    with pytest.raises(ValueError, match="multiple"):
        Platform(ram_size=4096, disk_image=b"x" * 100)
