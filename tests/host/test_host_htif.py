"""HTIF: Spike's tohost/fromhost protocol, driven as a target would."""

import pytest

from vlab.host import Platform
from vlab.host.devices.htif import command_word

TOHOST, FROMHOST = 0x8000_1000, 0x8000_1040   # riscv-tests: .align 6 apart


@pytest.fixture
def host():
    h = Platform(ram_size=64 * 1024)
    h.attach_htif(TOHOST, FROMHOST)
    return h


def rv32_write_tohost(host, value):
    """An RV32 hart stores the 64-bit word as two sw, low half first."""
    host.bus.store(TOHOST, 4, value & 0xFFFF_FFFF)
    host.bus.store(TOHOST + 4, 4, value >> 32)


def test_nothing_to_do(host):
    assert host.htif.poll() is False
    assert host.htif.exit_code is None


@pytest.mark.parametrize("code", [0, 1, 3, 255])
def test_exit_code_is_value_shifted_right(host, code):
    rv32_write_tohost(host, (code << 1) | 1)
    assert host.htif.poll() is True
    assert host.htif.exit_code == code
    assert host.bus.load(TOHOST, 8) == 0   # the host consumed the command


def test_console_putchar_and_acknowledgement(host):
    for ch in b"Hi":
        assert host.bus.load(TOHOST, 8) == 0           # guest waits for tohost == 0
        rv32_write_tohost(host, command_word(1, 1, ch))
        host.htif.poll()
        reply = host.bus.load(FROMHOST, 8)
        assert reply == command_word(1, 1, 0x100 | ch)
        host.bus.store(FROMHOST, 8, 0)                 # guest acknowledges
    assert host.htif.console == b"Hi"
    assert host.console_output() == b"Hi"
    assert host.htif.exit_code is None


def test_reply_waits_until_fromhost_is_free(host):
    rv32_write_tohost(host, command_word(1, 1, ord("a")))
    host.htif.poll()
    rv32_write_tohost(host, command_word(1, 1, ord("b")))
    host.htif.poll()                                   # fromhost still holds 'a' reply
    assert host.bus.load(FROMHOST, 8) & 0xFF == ord("a")
    host.bus.store(FROMHOST, 8, 0)
    host.htif.poll()
    assert host.bus.load(FROMHOST, 8) & 0xFF == ord("b")


def test_getchar_answers_when_input_arrives(host):
    rv32_write_tohost(host, command_word(1, 0, 0))
    host.htif.poll()
    assert host.bus.load(FROMHOST, 8) == 0
    host.htif.feed("q")
    host.htif.poll()
    assert host.bus.load(FROMHOST, 8) == command_word(1, 0, 0x100 | ord("q"))


def test_magic_memory_write_syscall(host):
    magic, buf = 0x8000_2000, 0x8000_3000
    host.bus.write_bytes(buf, b"hello")
    for i, word in enumerate([64, 1, buf, 5, 0, 0, 0, 0]):
        host.bus.store(magic + 8 * i, 8, word)
    rv32_write_tohost(host, magic)
    host.htif.poll()
    assert host.htif.console == b"hello"
    assert host.bus.load(magic, 8) == 5      # return value in magic[0]
    assert host.bus.load(FROMHOST, 8) == 1   # reply 1


def test_magic_memory_unknown_syscall_is_enosys(host):
    magic = 0x8000_2000
    host.bus.store(magic, 8, 1234)
    rv32_write_tohost(host, magic)
    host.htif.poll()
    assert host.bus.load(magic, 8) == (1 << 64) - 38


def test_unknown_device_is_ignored(host):
    rv32_write_tohost(host, command_word(7, 3, 1))
    host.htif.poll()
    assert host.htif.ignored_commands == 1
    assert host.htif.exit_code is None


def test_touches_covers_both_halves(host):
    assert host.htif.touches(TOHOST + 4, 4)
    assert host.htif.touches(TOHOST - 4, 8)
    assert not host.htif.touches(TOHOST + 8, 4)


def test_commands_are_charged_as_device_accesses(host):
    rv32_write_tohost(host, 1)
    host.htif.poll()
    assert host.ledger.count("device_access") == 1


def test_tohost_must_be_in_ram():
    host = Platform(ram_size=4096)
    with pytest.raises(ValueError, match="tohost"):
        host.attach_htif(0x1000_0000)


def test_without_fromhost_commands_run_and_replies_are_dropped():
    host = Platform(ram_size=64 * 1024)
    htif = host.attach_htif(TOHOST)
    rv32_write_tohost(host, command_word(1, 1, ord("x")))
    htif.poll()
    assert htif.console == b"x"
    assert host.bus.read_bytes(TOHOST, 0x80) == bytes(0x80)   # nothing written anywhere
