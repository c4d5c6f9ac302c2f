"""CLINT: msip, mtimecmp and mtime in the SiFive layout, deterministic time."""

import pytest

from vlab.host import CLINT, AccessFault

MSIP, MTIMECMP, MTIME = 0x0, 0x4000, 0xBFF8


@pytest.fixture
def clint():
    return CLINT()


def test_reset_state(clint):
    assert clint.load(MTIME, 8) == 0
    assert clint.load(MTIMECMP, 8) == (1 << 64) - 1
    assert not clint.timer_pending()
    assert not clint.software_pending()


def test_advance_moves_mtime_only_when_told(clint):
    clint.advance(1000)
    clint.advance(234)
    assert clint.load(MTIME, 4) == 1234
    assert clint.load(MTIME + 4, 4) == 0
    with pytest.raises(ValueError):
        clint.advance(-1)


def test_timer_pending_when_mtime_reaches_mtimecmp(clint):
    clint.store(MTIMECMP, 4, 100)      # low half
    clint.store(MTIMECMP + 4, 4, 0)    # high half
    assert clint.mtimecmp[0] == 100
    clint.advance(99)
    assert not clint.timer_pending()
    assert clint.ticks_until_timer() == 1
    clint.advance(1)
    assert clint.timer_pending()
    clint.store(MTIMECMP, 8, 500)      # rewriting mtimecmp clears it
    assert not clint.timer_pending()


def test_halves_are_little_endian(clint):
    clint.store(MTIME, 8, 0x1122_3344_5566_7788)
    assert clint.load(MTIME, 4) == 0x5566_7788
    assert clint.load(MTIME + 4, 4) == 0x1122_3344
    clint.store(MTIME + 4, 4, 0xAAAA_AAAA)
    assert clint.mtime == 0xAAAA_AAAA_5566_7788


def test_mtime_wraps(clint):
    clint.store(MTIME, 8, (1 << 64) - 2)
    clint.advance(3)
    assert clint.mtime == 1


def test_software_interrupt(clint):
    clint.store(MSIP, 4, 0xFFFF_FFFF)
    assert clint.software_pending()
    assert clint.load(MSIP, 4) == 1  # only bit 0 exists
    clint.store(MSIP, 4, 0)
    assert not clint.software_pending()


@pytest.mark.parametrize("offset,size", [(0x8, 4), (0x5000, 4), (MTIME + 2, 4),
                                         (MTIME, 1), (MSIP, 8), (MTIMECMP + 4, 8)])
def test_bad_accesses_fault(clint, offset, size):
    with pytest.raises(AccessFault):
        clint.load(offset, size)


def test_several_harts():
    clint = CLINT(harts=2)
    clint.store(MSIP + 4, 4, 1)
    clint.store(MTIMECMP + 8, 8, 5)
    clint.advance(5)
    assert clint.software_pending(1) and not clint.software_pending(0)
    assert clint.timer_pending(1) and not clint.timer_pending(0)
