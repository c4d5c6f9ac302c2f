"""The write-watch service: reasons per page, handlers, KVM-style dirty logging."""
import pytest

from vlab.host import Platform
from vlab.host.devices import block as blk
from vlab.host.watch import CODE, DIRTY_LOG, PAGE_TABLE, WriteWatch, dirty_pages

RAM = 0x8000_0000
B = 0x1000_1000


@pytest.fixture
def host():
    return Platform(ram_size=64 * 1024, disk_image=bytes(range(256)) * 16)


def test_several_reasons_on_one_page_and_removing_one_keeps_the_others(host):
    watch = host.bus.watch
    watch.watch(RAM + 0x1234, CODE)
    watch.watch(RAM + 0x1000, PAGE_TABLE)
    assert watch.reasons(RAM + 0x1FFF) == {'code', 'page-table'}
    watch.unwatch(RAM + 0x1000, CODE)
    assert watch.reasons(RAM + 0x1000) == {'page-table'}
    assert watch.pages[1] == PAGE_TABLE and not watch.pages[0]
    watch.unwatch(RAM + 0x1000, PAGE_TABLE)
    assert watch.reasons(RAM + 0x1000) == set() and not watch.pages[1]


def test_handlers_see_writes_to_pages_watched_for_their_reason_only(host):
    watch, bus = host.bus.watch, host.bus
    code, tables = [], []
    watch.on_write(CODE, lambda pa, n: code.append((pa, n)))
    watch.on_write(PAGE_TABLE, lambda pa, n: tables.append((pa, n)))
    watch.watch(RAM + 0x2000, PAGE_TABLE)
    bus.store(RAM + 0x2008, 4, 7)              # a guest PTE written by a Python kernel
    bus.store(RAM + 0x3000, 4, 7)              # an unwatched page
    bus.write_bytes(RAM + 0x1FFE, b'abcd')     # straddles into the watched page
    assert tables == [(RAM + 0x2008, 4), (RAM + 0x1FFE, 4)] and code == []


def test_watching_a_page_drops_fast_views(host):
    watch = host.bus.watch
    protected = []
    watch.on_protect.append(lambda: protected.append(1))
    watch.watch(RAM, CODE)
    watch.watch(RAM, PAGE_TABLE)               # already watched: no new protection
    assert protected == [1]


def test_dirty_log_get_and_clear(host):
    watch, bus = host.bus.watch, host.bus
    watch.enable_dirty_log('low', RAM, 0x8000)                 # 8 pages
    assert watch.get_dirty_log('low') == b'\x00'
    bus.store(RAM + 0x1000, 4, 1)
    bus.store(RAM + 0x1004, 4, 1)
    bus.write_bytes(RAM + 0x6FFF, b'xy')                       # pages 6 and 7
    bus.store(RAM + 0x9000, 4, 1)                              # outside the slot
    log = watch.get_dirty_log('low')
    assert log == bytes([0b1100_0010]) and dirty_pages(log) == [1, 6, 7]
    assert watch.get_dirty_log('low') == b'\x00'               # read clears
    bus.store(RAM + 0x6000, 1, 1)                              # re-protected, logged again
    assert dirty_pages(watch.get_dirty_log('low')) == [6]


def test_a_dirty_page_is_unprotected_until_the_log_is_read(host):
    watch, bus = host.bus.watch, host.bus
    watch.enable_dirty_log('all', RAM, 0x10000)
    assert all(watch.pages[p] & DIRTY_LOG for p in range(16))
    bus.store(RAM + 0x3000, 4, 1)
    assert not watch.pages[3]                  # later writes take the fast path
    watch.get_dirty_log('all')
    assert watch.pages[3] == DIRTY_LOG


def test_dma_marks_the_dirty_log(host):
    watch, bus = host.bus.watch, host.bus
    watch.enable_dirty_log('dma', RAM + 0x4000, 0x4000)
    for reg, value in ((blk.SECTOR, 0), (blk.DMA_ADDR, RAM + 0x4E00), (blk.COUNT, 2),
                       (blk.COMMAND, blk.CMD_READ)):
        bus.store(B + reg, 4, value)
    assert dirty_pages(watch.get_dirty_log('dma')) == [0, 1]   # 1 KiB across two pages


def test_two_slots_and_disabling_one(host):
    watch, bus = host.bus.watch, host.bus
    watch.enable_dirty_log('a', RAM, 0x2000)
    watch.enable_dirty_log('b', RAM + 0x1000, 0x2000)         # overlaps page 1
    bus.store(RAM + 0x1000, 4, 1)
    assert dirty_pages(watch.get_dirty_log('a')) == [1]
    assert dirty_pages(watch.get_dirty_log('b')) == [0]
    watch.disable_dirty_log('a')
    assert watch.pages[0] == 0 and watch.pages[1] & DIRTY_LOG  # page 1 still logged by b
    with pytest.raises(KeyError, match="no dirty-log slot 'a'"):
        watch.get_dirty_log('a')


@pytest.mark.parametrize('pa,size,message', [
    (RAM + 0x800, 0x1000, 'page aligned'), (RAM, 0x1800, 'whole number'),
    (RAM + 0xF000, 0x2000, 'not in RAM'), (0x1000, 0x1000, 'not in RAM')])
def test_bad_slots_are_refused(pa, size, message):
    with pytest.raises(ValueError, match=message):
        WriteWatch(RAM, 0x10000).enable_dirty_log('s', pa, size)


def test_the_guard_byte_past_ram_is_always_watched():
    watch = WriteWatch(RAM, 0x4000)
    assert watch.pages[-1] and not any(watch.pages[:-1])
