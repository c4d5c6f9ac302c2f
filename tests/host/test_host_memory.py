"""PhysicalMemory: little-endian layout and strict bounds."""

import struct

import pytest

from vlab.host import AccessFault, PhysicalMemory

BASE = 0x8000_0000


@pytest.fixture
def mem():
    return PhysicalMemory(4096, BASE)


@pytest.mark.parametrize("size,fmt", [(1, "<B"), (2, "<H"), (4, "<I"), (8, "<Q")])
def test_store_is_little_endian_like_struct(mem, size, fmt):
    value = 0x0123_4567_89AB_CDEF & ((1 << (8 * size)) - 1)
    mem.store(BASE + 16, size, value)
    assert mem.read_bytes(BASE + 16, size) == struct.pack(fmt, value)
    assert mem.load(BASE + 16, size) == value


def test_load_reads_bytes_written_in_order(mem):
    mem.write_bytes(BASE, bytes([0x78, 0x56, 0x34, 0x12]))
    assert mem.load(BASE, 4) == 0x1234_5678
    assert mem.load(BASE + 2, 2) == 0x1234
    assert mem.load(BASE + 3, 1) == 0x12


def test_store_truncates_to_size(mem):
    mem.store(BASE, 2, 0xDEAD_BEEF)
    assert mem.load(BASE, 4) == 0x0000_BEEF


def test_misaligned_access_is_allowed_here(mem):
    mem.store(BASE + 1, 4, 0xAABBCCDD)
    assert mem.load(BASE + 1, 4) == 0xAABBCCDD


@pytest.mark.parametrize("addr,size", [
    (BASE - 1, 1),            # just below RAM
    (BASE + 4096, 1),         # just above RAM
    (BASE + 4094, 4),         # straddles the end
    (0, 4),                   # nowhere near
])
def test_outside_ram_is_an_access_fault(mem, addr, size):
    with pytest.raises(AccessFault) as info:
        mem.load(addr, size)
    fault = info.value
    assert (fault.addr, fault.size, fault.access) == (addr, size, "load")
    assert "0x80000000..0x80000fff" in fault.reason
    with pytest.raises(AccessFault) as info:
        mem.store(addr, size, 0)
    assert info.value.access == "store"


def test_fault_message_names_address_and_kind(mem):
    with pytest.raises(AccessFault, match=r"fetch of 4 byte\(s\) at 0x90000000"):
        mem.load(0x9000_0000, 4, access="fetch")


def test_bad_size_is_a_fault(mem):
    with pytest.raises(AccessFault, match="size"):
        mem.load(BASE, 3)


def test_bulk_transfers_are_bounded(mem):
    with pytest.raises(AccessFault):
        mem.write_bytes(BASE + 4000, bytes(200))
    with pytest.raises(AccessFault):
        mem.read_bytes(BASE + 4000, 200)
    assert mem.read_bytes(BASE + 4000, 96) == bytes(96)


def test_data_is_the_backing_store(mem):
    mem.data[8] = 0x5A
    assert mem.load(BASE + 8, 1) == 0x5A


def test_invalid_construction():
    with pytest.raises(ValueError):
        PhysicalMemory(0)
