"""The one clock: the timebase constants agree with each other and with their users."""

from vlab.host import clock


def test_the_guest_timebase_is_consistent():
    assert clock.MTIME_HZ == 10_000_000  # QEMU virt timebase-frequency
    assert clock.INSTRUCTIONS_PER_TICK * clock.MTIME_HZ == clock.GUEST_INSTRUCTIONS_PER_SEC
    assert clock.NS_PER_INSTRUCTION * clock.GUEST_INSTRUCTIONS_PER_SEC == 1_000_000_000
    assert clock.guest_ns(clock.GUEST_INSTRUCTIONS_PER_SEC) == 1_000_000_000
    assert clock.mtime_ticks(clock.GUEST_INSTRUCTIONS_PER_SEC) == clock.MTIME_HZ


def test_host_cycles_of_a_modeled_duration():
    assert clock.host_cycles(500) == 1_000_000  # 0.5 ms at 2 GHz
    assert clock.host_cycles(1, clock_hz=3_000_000_000) == 3000
