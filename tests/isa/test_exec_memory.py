"""Loads, stores, atomics: widths, sign extension, misaligned accesses, faults, MMIO."""
import pytest

from conftest import RAM, ins, run_words

DATA = RAM + 0x1000


def record_traps(machine):
    seen = []

    def firmware(ctx):
        if ctx.cause in (8, 9, 11):
            return ctx.exit(ctx.reg(10))
        seen.append((ctx.cause, ctx.epc, ctx.tval))
        ctx.halt()
    machine.set_trap_handler('M', firmware)
    return seen


@pytest.mark.parametrize('name,expected', [('lb', 0xFFFFFF80), ('lbu', 0x80), ('lh', 0xFFFF9080),
                                           ('lhu', 0x9080), ('lw', 0xB0A09080)])
def test_load_widths_and_sign(machine, name, expected):
    machine.load_bytes(DATA, bytes([0x80, 0x90, 0xA0, 0xB0]))
    machine.regs[11] = DATA
    run_words(machine, ins(name, 'a0', 0, 'a1'), ins('ecall'))
    assert machine.regs[10] == expected


def test_store_widths(machine):
    machine.regs[11], machine.regs[12] = DATA, 0x11223344
    run_words(machine, ins('sw', 'a2', 0, 'a1'), ins('sh', 'a2', 4, 'a1'),
              ins('sb', 'a2', 6, 'a1'), ins('sb', 'a2', -1, 'a1'), ins('ecall'))
    assert machine.bus.read_bytes(DATA - 1, 9) == bytes.fromhex('44 44332211 4433 44 00')


def test_misaligned_load_and_store_are_performed(machine):
    """Our choice (spec: may be handled in hardware): misaligned accesses just work."""
    machine.load_bytes(DATA, bytes(range(16)))
    machine.regs[11], machine.regs[12] = DATA, 0xA1B2C3D4
    result = run_words(machine, ins('lw', 'a0', 1, 'a1'), ins('lh', 'a3', 3, 'a1'),
                       ins('sw', 'a2', 9, 'a1'), ins('ecall'))
    assert result.status == 'exit'
    assert machine.regs[10] == 0x04030201 and machine.regs[13] == 0x0403
    assert machine.bus.read_bytes(DATA + 9, 4) == bytes.fromhex('D4C3B2A1')


def test_load_into_x0_still_faults(machine):
    seen = record_traps(machine)
    machine.regs[11] = 0x4000_0000                   # nothing mapped there
    run_words(machine, ins('lw', 'zero', 0, 'a1'))
    assert seen == [(5, RAM, 0x4000_0000)]


def test_store_access_fault_has_cause_7_and_no_effect(machine):
    seen = record_traps(machine)
    machine.regs[11] = 0x0000_1000
    run_words(machine, ins('sw', 'a1', 0, 'a1'))
    assert seen == [(7, RAM, 0x1000)]


def test_uart_mmio_store_reaches_the_device(machine):
    machine.regs[11] = 0x1000_0000
    machine.regs[12] = ord('A')
    result = run_words(machine, ins('sb', 'a2', 0, 'a1'), ins('lbu', 'a0', 5, 'a1'),
                       ins('ecall'))
    assert machine.platform.uart.output == b'A'
    assert result.exit_code & 0x20                   # LSR.THRE: transmitter empty
    assert machine.ledger.count('device_access') == 2


def test_lr_sc_success_and_failure(machine):
    machine.load_bytes(DATA, (41).to_bytes(4, 'little'))
    machine.regs[11], machine.regs[12] = DATA, 99
    run_words(machine, ins('lr.w', 'a3', 'a1'), ins('sc.w', 'a4', 'a2', 'a1'),
              ins('sc.w', 'a5', 'a2', 'a1'), ins('ecall'))
    assert machine.regs[13] == 41 and machine.regs[14] == 0 and machine.regs[15] == 1
    assert machine.bus.load(DATA, 4) == 99


@pytest.mark.parametrize('name,old,operand,new', [
    ('amoswap.w', 5, 9, 9), ('amoadd.w', 0xFFFFFFFF, 2, 1), ('amoxor.w', 0b1100, 0b1010, 0b0110),
    ('amoand.w', 0b1100, 0b1010, 0b1000), ('amoor.w', 0b1100, 0b1010, 0b1110),
    ('amomin.w', 0xFFFFFFFF, 1, 0xFFFFFFFF), ('amomax.w', 0xFFFFFFFF, 1, 1),
    ('amominu.w', 0xFFFFFFFF, 1, 1), ('amomaxu.w', 0xFFFFFFFF, 1, 0xFFFFFFFF)])
def test_amo(machine, name, old, operand, new):
    machine.load_bytes(DATA, old.to_bytes(4, 'little'))
    machine.regs[11], machine.regs[12] = DATA, operand
    run_words(machine, ins(name, 'a0', 'a2', 'a1'), ins('ecall'))
    assert machine.regs[10] == old
    assert machine.bus.load(DATA, 4) == new


def test_amo_with_rd_equal_rs2_uses_old_rs2(machine):
    machine.load_bytes(DATA, (10).to_bytes(4, 'little'))
    machine.regs[11], machine.regs[12] = DATA, 5
    run_words(machine, ins('amoadd.w', 'a2', 'a2', 'a1'), ins('ecall'))
    assert machine.regs[12] == 10 and machine.bus.load(DATA, 4) == 15


@pytest.mark.parametrize('word,cause', [(('lr.w', 'a0', 'a1'), 4),
                                        (('sc.w', 'a0', 'a2', 'a1'), 6),
                                        (('amoadd.w', 'a0', 'a2', 'a1'), 6)])
def test_misaligned_atomics_trap(machine, word, cause):
    seen = record_traps(machine)
    machine.regs[11] = DATA + 2
    run_words(machine, ins(*word))
    assert seen == [(cause, RAM, DATA + 2)]
