"""Privileged architecture: traps, delegation, xRET, CSR permissions, interrupts, counters.

Each test is a small bare-metal program with its own trap handlers at mtvec/stvec
(the architectural path), ending with an HTIF exit.  Expected values come from the RISC-V
Privileged Architecture (20211203), ch. 3 and 4.
"""
import pytest

from conftest import RAM, TOHOST, Prog, boot, code, ins, run_words

MPP_MASK, MIE, MPIE, SIE, SPIE, SPP = 3 << 11, 1 << 3, 1 << 7, 1 << 1, 1 << 5, 1 << 8


def enter_user(p, entry, mpp=0):
    """M-mode prologue: mtvec = 'mtrap', mstatus.MPP = mpp, mepc = entry, mret."""
    p.la('t0', 'mtrap').csrw('mtvec', 't0')
    p.li('t0', MPP_MASK).op('csrrc', 'zero', 'mstatus', 't0')
    p.li('t0', mpp << 11).op('csrrs', 'zero', 'mstatus', 't0')
    p.la('t0', entry).csrw('mepc', 't0').op('mret')


def save_m_trap(p):
    p.label('mtrap').csrr('s1', 'mcause').csrr('s2', 'mepc').csrr('s3', 'mtval')
    p.csrr('s4', 'mstatus').exit(TOHOST)


def test_ecall_from_user_enters_m_with_exact_csrs(machine):
    p = Prog()
    enter_user(p, 'user')
    p.label('user').op('addi', 'a0', 'zero', 7).label('ecall').op('ecall')
    save_m_trap(p)
    result = boot(machine, p)
    assert result.status == 'exit' and result.exit_code == 0
    r = machine.regs
    assert (r[9], r[18], r[19]) == (8, p.addr('ecall'), 0)     # s1 mcause, s2 mepc, s3 mtval
    assert r[20] & MPP_MASK == 0 and not r[20] & MPIE           # came from U, MIE was 0
    assert machine.priv == 3 and r[10] == 7
    assert machine.ledger.count('privilege_switch') == 1          # the mret down to U
    assert machine.ledger.count('trap') == 1


def test_illegal_instruction_tval_is_the_instruction(machine):
    p = Prog()
    enter_user(p, 'user')
    p.label('user').label('bad').csrr('a0', 'mstatus')           # M-only CSR from U
    save_m_trap(p)
    boot(machine, p)
    assert machine.regs[9] == 2 and machine.regs[18] == p.addr('bad')
    assert machine.regs[19] == ins('csrrs', 'a0', 'mstatus', 'zero')


def test_undefined_word_is_illegal_with_its_bits(machine):
    p = Prog()
    p.la('t0', 'mtrap').csrw('mtvec', 't0').label('bad').word(0xFFFFFFFF)
    save_m_trap(p)
    boot(machine, p)
    assert (machine.regs[9], machine.regs[18], machine.regs[19]) == (2, p.addr('bad'),
                                                                     0xFFFFFFFF)


def test_delegated_ecall_goes_to_s_then_s_ecall_goes_to_m(machine):
    p = Prog()
    p.li('t0', 1 << 8).csrw('medeleg', 't0')                   # delegate ecall-from-U
    p.la('t0', 'strap').csrw('stvec', 't0')
    enter_user(p, 'ssetup', mpp=1)                              # first into S
    p.label('ssetup').li('t0', SPP).op('csrrc', 'zero', 'sstatus', 't0')
    p.la('t0', 'user').csrw('sepc', 't0').op('sret')
    p.label('user').label('uecall').op('ecall')
    p.label('strap').csrr('s5', 'scause').csrr('s6', 'sepc').csrr('s7', 'sstatus')
    p.label('secall').op('ecall')
    save_m_trap(p)
    boot(machine, p)
    r = machine.regs
    assert (r[21], r[22]) == (8, p.addr('uecall')) and not r[23] & SPP   # S saw U's ecall
    assert (r[9], r[18]) == (9, p.addr('secall'))                        # M saw S's ecall
    assert (r[20] & MPP_MASK) >> 11 == 1


def test_mret_restores_mie_from_mpie_and_clears_mprv(new_machine):
    m = new_machine()
    seen = []
    m.set_trap_handler('M', lambda ctx: (seen.append((ctx.from_priv, ctx.csr.mstatus)),
                                         ctx.exit()))
    p = Prog()
    p.li('t0', MPIE | (1 << 17)).op('csrrs', 'zero', 'mstatus', 't0')   # MPIE, MPRV
    p.la('t0', 'user').csrw('mepc', 't0').op('mret').label('user').op('ecall')
    m.load_bytes(RAM, p.build())
    m.run(max_instructions=100)
    priv, status = seen[0]
    assert priv == 0 and status & MIE and status & MPIE and not status & (1 << 17)


@pytest.mark.parametrize('setup,instr,priv', [
    ((), ('sret',), 0),                                          # sret in U
    ((('mstatus', 1 << 22),), ('sret',), 1),                     # TSR
    ((), ('wfi',), 0),                                           # wfi in U
    ((('mstatus', 1 << 21),), ('wfi',), 1),                      # TW
    ((('mstatus', 1 << 20),), ('sfence.vma', 'zero', 'zero'), 1),  # TVM
    ((('mstatus', 1 << 20),), ('csrrs', 'a0', 'satp', 'zero'), 1),  # TVM
    ((), ('csrrs', 'a0', 'mstatus', 'zero'), 1),                 # M CSR from S
    ((), ('csrrs', 'a0', 'cycle', 'zero'), 0),                   # mcounteren.CY = 0
    ((('mcounteren', 1),), ('csrrs', 'a0', 'cycle', 'zero'), 0),  # scounteren.CY = 0
    ((), ('csrrw', 'zero', 'mhartid', 'a0'), 3),                 # write to read-only
    ((), ('csrrs', 'a0', 0x7C0, 'zero'), 3),                     # unimplemented CSR
    ((), ('mret',), 1),                                          # mret below M
])
def test_privilege_violations_are_illegal_instructions(new_machine, setup, instr, priv):
    m = new_machine()
    seen = []
    m.set_trap_handler('M', lambda ctx: (seen.append((ctx.cause, ctx.tval)), ctx.halt()))
    for name, value in setup:
        m.csr[name] = value
    word = ins(*instr)
    m.load_bytes(RAM, word.to_bytes(4, 'little'))
    m.priv = priv
    m.run(max_instructions=10)
    assert seen == [(2, word)]


@pytest.mark.parametrize('instr,priv,counteren', [
    (('csrrs', 'a0', 'cycle', 'zero'), 0, 1), (('csrrs', 'a0', 'instret', 'zero'), 1, 4),
    (('csrrs', 'a0', 'mhartid', 'zero'), 3, 0), (('csrrs', 'a0', 'sstatus', 'zero'), 1, 0),
    (('csrrs', 'a0', 'misa', 'zero'), 3, 0)])
def test_permitted_csr_reads(machine, instr, priv, counteren):
    machine.csr['mcounteren'] = machine.csr['scounteren'] = counteren
    machine.load_bytes(RAM, code(ins(*instr), ins('ecall')))
    machine.priv = priv
    result = machine.run(max_instructions=10)
    assert result.status == 'exit'


def test_misa_says_rv32imahsu(machine):
    assert machine.csr['misa'] == (1 << 30) | 1 | (1 << 7) | (1 << 8) | (1 << 12) | (1 << 18) \
        | (1 << 20)


def test_instret_and_cycle_count_exactly(machine):
    p = Prog().csrr('a1', 'instret').op('addi', 'zero', 'zero', 0).op('addi', 'zero', 'zero', 0)
    p.csrr('a2', 'instret').csrr('a3', 'cycle').csrr('a4', 'time').op('ecall')
    machine.load_bytes(RAM, p.build())
    machine.run(max_instructions=100)
    r = machine.regs
    assert r[12] - r[11] == 3 and r[13] == 4 and r[14] == machine.clint.mtime


def test_minstret_write_then_read(machine):
    p = Prog().li('t0', 1000).csrw('minstret', 't0').csrr('a1', 'minstret').op('ecall')
    machine.load_bytes(RAM, p.build())
    machine.run(max_instructions=100)
    assert machine.regs[11] == 1000   # the csrw itself retires after the write takes effect


def timer_program(vectored=False, mie_global=True):
    p = Prog()
    p.la('t0', 'vec' if vectored else 'mtrap')
    if vectored:
        p.op('ori', 't0', 't0', 1)
    p.csrw('mtvec', 't0')
    p.li('t1', 0x0200_4000).li('t2', 50).op('sw', 't2', 0, 't1').op('sw', 'zero', 4, 't1')
    p.li('t0', 0x80).csrw('mie', 't0')
    if mie_global:
        p.op('csrrsi', 'zero', 'mstatus', 8)
    p.label('spin').jal('zero', 'spin')
    if vectored:
        p.label('vec')
        for cause in range(12):
            p.jal('zero', 'mtrap' if cause == 7 else 'wrong')
        p.label('wrong').li('a0', 99).exit(TOHOST, 'a0')
    save_m_trap(p)
    return p


@pytest.mark.parametrize('vectored', [False, True])
def test_timer_interrupt_exact_cause_epc_and_time(machine, vectored):
    p = timer_program(vectored)
    result = boot(machine, p)
    assert result.exit_code == 0
    r = machine.regs
    assert r[9] == 0x80000007 and r[18] == p.addr('spin')
    assert machine.clint.mtime >= 50


def test_timer_fires_exactly_when_mtime_reaches_mtimecmp(machine):
    seen = []
    machine.set_trap_handler('M', None)
    p = timer_program()
    machine.load_bytes(RAM, p.build())
    machine.set_trap_handler('M', lambda ctx: (seen.append(machine.clint.mtime), ctx.halt()))
    machine.run(max_instructions=10_000)
    assert seen == [50]


def test_interrupt_waits_for_mie_in_m_mode(machine):
    p = timer_program(mie_global=False)
    result = boot(machine, p, max_instructions=2000)
    assert result.status == 'budget' and machine.clint.timer_pending()


def test_software_beats_timer_and_m_beats_s(new_machine):
    m = new_machine()
    seen = []
    m.set_trap_handler('M', lambda ctx: (seen.append(ctx.cause), ctx.halt()))
    m.csr['mie'] = 0x8 | 0x80 | 0x2
    m.csr['mip'] = 0x2                                     # SSIP (software-writable)
    m.clint.msip[0] = 1
    m.clint.mtimecmp[0] = 0                                # MTIP
    m.load_bytes(RAM, ins('jal', 'zero', 0).to_bytes(4, 'little'))
    m.priv = 0
    m.run(max_instructions=10)
    assert seen == [3]                                     # MSI first (sec. 3.1.9)
    m.clint.msip[0] = 0
    seen.clear()
    m.run(max_instructions=10)
    assert seen == [7]


def test_delegated_supervisor_interrupt_is_masked_in_m(machine):
    machine.csr['mideleg'] = 0x2
    machine.csr['mie'] = 0x2
    machine.csr['mip'] = 0x2
    machine.load_bytes(RAM, ins('ecall').to_bytes(4, 'little'))
    result = machine.run(max_instructions=10)
    assert result.status == 'exit'                         # no interrupt taken in M


def test_wfi_sleeps_until_the_timer_then_continues(machine):
    p = Prog().li('t1', 0x0200_4000).li('t2', 5000).op('sw', 't2', 0, 't1')
    p.op('sw', 'zero', 4, 't1').li('t0', 0x80).csrw('mie', 't0')   # MTIE, but MIE = 0
    p.op('wfi').op('addi', 'a0', 'zero', 3).op('ecall')
    machine.load_bytes(RAM, p.build())
    result = machine.run(max_instructions=1000)
    assert result.exit_code == 3 and machine.clint.mtime >= 5000
    assert result.instructions < 30                         # time jumped, no busy loop


def test_wfi_with_nothing_to_wait_for_is_idle(machine):
    machine.load_bytes(RAM, ins('wfi').to_bytes(4, 'little'))
    result = machine.run(max_instructions=100)
    assert result.status == 'idle' and 'WFI' in result.message


def test_unhandled_trap_with_mtvec_zero_is_a_clear_fault(new_machine):
    m = new_machine()
    m.load_bytes(RAM, (0).to_bytes(4, 'little'))
    result = m.run(max_instructions=10)
    assert result.status == 'fault' and result.cause == 2 and result.pc == RAM
    assert 'illegal instruction' in result.message and '0x80000000' in result.message
    assert 'mtvec is 0' in result.message


def test_trap_storm_is_stopped(new_machine):
    m = new_machine()
    m.csr['mtvec'] = 0x4000_0000                           # unmapped: every fetch faults
    m.load_bytes(RAM, (0).to_bytes(4, 'little'))
    result = m.run(max_instructions=10)
    assert result.status == 'fault' and 'trap storm' in result.message


@pytest.mark.parametrize('words,expected_old,expected_new', [
    ([ins('csrrw', 'a0', 'mscratch', 'a1')], 0xF0, 0x0F),
    ([ins('csrrs', 'a0', 'mscratch', 'a1')], 0xF0, 0xFF),
    ([ins('csrrc', 'a0', 'mscratch', 'a2')], 0xF0, 0x00),
    ([ins('csrrwi', 'a0', 'mscratch', 7)], 0xF0, 7),
    ([ins('csrrsi', 'a0', 'mscratch', 1)], 0xF0, 0xF1),
    ([ins('csrrci', 'a0', 'mscratch', 16)], 0xF0, 0xE0),
])
def test_csr_instructions_read_old_value_and_write_new(machine, words, expected_old,
                                                       expected_new):
    machine.csr['mscratch'] = 0xF0
    machine.regs[11], machine.regs[12] = 0x0F, 0xF0
    run_words(machine, *words, ins('ecall'))
    assert machine.regs[10] == expected_old and machine.csr['mscratch'] == expected_new


@pytest.mark.parametrize('name,written,read_back', [
    ('mtvec', 0x8000_0103, 0x8000_0101),        # mode 3 reserved: keep mode 0 -> bits 1:0
    ('mepc', 0x8000_0007, 0x8000_0004),         # IALIGN = 32
    ('medeleg', 0xFFFF_FFFF, 0xF0B7FF),         # ecall-from-M (11) is not delegable; H: 10, 20-23
    ('mideleg', 0xFFFF_FFFF, 0x666),            # supervisor interrupts; VS ones read-only one
    ('mie', 0xFFFF_FFFF, 0xEEE),                # with VSSIE, VSTIE, VSEIE (H)
    ('satp', 0xFFFF_FFFF, 0x803F_FFFF),         # no ASID bits
    ('mstatus', 0x1000, 0),                     # MPP = 2 is reserved: keeps U
])
def test_warl_fields(machine, name, written, read_back):
    from vlab.isa.fields import CSR_NUMBERS
    if name == 'mtvec':
        machine.csr['mtvec'] = 0x8000_0101
    machine.csr.write(CSR_NUMBERS[name], written)
    assert machine.csr[name] == read_back


def test_sstatus_sie_sip_are_views(machine):
    machine.csr['mstatus'] = (1 << 3) | (1 << 1) | (3 << 11)   # MIE, SIE, MPP=M
    assert machine.csr['sstatus'] == 1 << 1                    # only S fields visible
    machine.csr['mideleg'] = 0x20                              # STIP delegated
    machine.csr['mie'] = 0xA0
    assert machine.csr['sie'] == 0x20
    machine.csr['sie'] = 0
    assert machine.csr['mie'] == 0x80                          # MTIE untouched
