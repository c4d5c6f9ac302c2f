"""The hypervisor extension's privilege rules, one instruction at a time, on every engine.

Privileged spec (20211203) ch. 8: what a guest in VS/VU may not do raises an
illegal-instruction exception (M-level state, mstatus.TW) or a virtual-instruction
exception (cause 22, sec. 8.6.1) for the hypervisor to emulate; ECALL from VS is cause 10;
xRET moves V (mstatush.MPV, hstatus.SPV); VS-level interrupts (hvip, hideleg) enter VS.
Each case runs one instruction at pc = RAM base, with address translation off in both
stages, and reports where the trap went.
"""
import pytest

from conftest import RAM, code, ins
from vlab.isa.causes import INTERRUPT_BIT
from vlab.isa.csr import MEDELEG_WRITABLE
from vlab.isa.machine import Machine
from vlab.isa.privilege import M, S, U

DELEGATE_ALL = MEDELEG_WRITABLE
VTVM, VTW, VTSR, HU = 1 << 20, 1 << 21, 1 << 22, 1 << 9
SPV, SPVP = 1 << 7, 1 << 8


def machine(engine, priv, virt, **csrs):
    """A machine about to run at ``priv`` with V = ``virt``; every trap into M or HS stops
    the run and is recorded as (level, cause, interrupt?, tval) in ``m.taken``."""
    m = Machine(ram_size=1 << 20, engine=engine)
    m.taken = []

    def record(ctx):
        m.taken.append((ctx.level, ctx.cause, ctx.interrupt, ctx.tval))
        return ctx.halt('recorded')
    m.set_trap_handler('M', record)
    m.set_trap_handler('S', record)
    for name, value in csrs.items():
        m.csr[name] = value
    m.hart.set_priv(priv)
    m.hart.set_virt(virt)
    m.pc = RAM
    return m


def attempt(engine, word, priv=S, virt=1, **csrs):
    m = machine(engine, priv, virt, **csrs)
    m.load_bytes(RAM, code(word, ins('ebreak')))
    m.run(max_instructions=1)
    return m


def first_trap(m):
    return m.taken[0][:2] if m.taken else None


@pytest.mark.parametrize('word, priv, csrs, expected', [
    (ins('csrrs', 'a0', 'hstatus', 'zero'), S, {}, 22),        # an H CSR from VS
    (ins('csrrs', 'a0', 'vsatp', 'zero'), S, {}, 22),          # a VS CSR from VS
    (ins('csrrs', 'a0', 'mstatus', 'zero'), S, {}, 2),         # M-level: illegal
    (ins('csrrs', 'a0', 'sstatus', 'zero'), U, {}, 22),        # an S CSR from VU
    (ins('csrrs', 'a0', 'satp', 'zero'), S, {'hstatus': VTVM}, 22),
    (ins('csrrw', 'zero', 'hgeip', 'a0'), S, {}, 2),           # write to read-only
    (ins('csrrs', 'a0', 'time', 'zero'), S, {'mcounteren': 2}, 22),   # hcounteren closed
    (ins('csrrs', 'a0', 'time', 'zero'), S, {'hcounteren': 2}, 2),    # mcounteren closed
    (ins('sret'), S, {'hstatus': VTSR}, 22),
    (ins('sret'), U, {}, 22),
    (ins('wfi'), S, {'hstatus': VTW}, 22),
    (ins('wfi'), S, {'mstatus': 1 << 21}, 2),                   # mstatus.TW: illegal
    (ins('wfi'), U, {}, 22),
    (ins('sfence.vma', 'zero', 'zero'), S, {'hstatus': VTVM}, 22),
    (ins('sfence.vma', 'zero', 'zero'), U, {}, 22),
    (ins('hlv.w', 'a0', 'a1'), S, {}, 22),
    (ins('hfence.gvma', 'zero', 'zero'), S, {}, 22),
    (ins('mret'), S, {}, 2),
    (ins('ecall'), S, {}, 10),                                 # ecall from VS
    (ins('ecall'), U, {}, 8),                                  # from VU: as from U
])
def test_what_a_guest_may_not_do_traps_to_hs(engine, word, priv, csrs, expected):
    m = attempt(engine, word, priv, 1, medeleg=DELEGATE_ALL, **csrs)
    assert first_trap(m) == (S, expected)
    assert m.taken[0][3] == (word if expected in (2, 22) else 0)   # stval: the instruction


def test_a_virtual_instruction_delivered_to_hs_records_where_the_guest_was(engine):
    m = Machine(ram_size=1 << 20, engine=engine)
    word = ins('csrrs', 'a0', 'hstatus', 'zero')
    m.load_bytes(RAM, code(word))
    m.load_bytes(RAM + 0x100, code(ins('ecall')))
    m.set_trap_handler('M', lambda ctx: ctx.halt('stop'))
    m.csr['medeleg'], m.csr['stvec'] = 1 << 22, RAM + 0x100     # then ecall from HS: M
    m.hart.set_priv(U)
    m.hart.set_virt(1)
    m.pc = RAM
    m.run(max_instructions=5)
    assert (m.csr['scause'], m.csr['stval'], m.csr['sepc']) == (22, word, RAM)
    assert m.csr['hstatus'] & (SPV | SPVP | 1 << 6) == SPV      # from VU, no address
    assert (m.hart.priv, m.hart.virt) == (S, 0)


@pytest.mark.parametrize('word, csrs', [
    (ins('csrrs', 'a0', 'satp', 'zero'), {}),                   # satp is vsatp: fine
    (ins('csrrs', 'a0', 'time', 'zero'), {'mcounteren': 2, 'hcounteren': 2}),
    (ins('wfi'), {}),
    (ins('sfence.vma', 'zero', 'zero'), {'mstatus': 1 << 20}),  # TVM is HS's, not VS's
])
def test_what_a_guest_in_vs_may_do(engine, word, csrs):
    m = attempt(engine, word, S, 1, medeleg=DELEGATE_ALL, **csrs)
    assert m.taken == [] or m.taken[0][1] == 3                  # only the ebreak after it


def test_hlv_from_u_needs_hstatus_hu(engine):
    m = attempt(engine, ins('hlv.w', 'a0', 'a1'), U, 0)
    assert first_trap(m) == (M, 2)
    m = attempt(engine, ins('hlv.w', 'a0', 'a1'), U, 0, hstatus=HU)
    m.regs[11] = RAM + 4
    m.pc = RAM
    m.taken.clear()
    m.run(max_instructions=1)
    assert m.taken == [] and m.regs[10] == ins('ebreak')       # read through bare stages


def test_hfence_gvma_in_hs_obeys_mstatus_tvm(engine):
    m = attempt(engine, ins('hfence.gvma', 'zero', 'zero'), S, 0, mstatus=1 << 20)
    assert first_trap(m) == (M, 2)


def test_time_in_a_guest_is_shifted_by_htimedelta(engine):
    m = attempt(engine, ins('csrrs', 'a0', 'time', 'zero'), S, 1, mcounteren=2,
                hcounteren=2, htimedelta=1000)
    assert m.regs[10] == m.clint.mtime + 1000


def test_mret_returns_to_the_guest_when_mpv_is_set(engine):
    m = machine(engine, M, 0, mstatus=1 << 11, mstatush=1 << 7, mepc=RAM + 8,
                vsepc=0x1234)
    m.load_bytes(RAM, code(ins('mret'), ins('ebreak'), ins('csrrs', 'a0', 'sepc', 'zero'),
                           ins('ebreak')))
    m.run(max_instructions=2)
    assert (m.hart.priv, m.hart.virt) == (S, 1)
    assert m.regs[10] == 0x1234                                 # sepc is vsepc now
    assert m.csr['mstatush'] == 0                               # MPV cleared


def test_sret_from_hs_enters_the_guest_by_spv(engine):
    m = machine(engine, S, 0, hstatus=SPV | SPVP, sepc=RAM + 4, mstatus=1 << 8)
    m.load_bytes(RAM, code(ins('sret'), ins('ecall')))
    m.run(max_instructions=2)
    assert m.taken[0][:2] == (M, 10)                            # ecall from VS
    assert not m.csr['hstatus'] & SPV                           # SRET cleared SPV


def test_a_delegated_exception_enters_vs_with_the_vs_registers(engine):
    """hedeleg: an illegal instruction in VU goes to the guest's handler at vstvec."""
    m = machine(engine, U, 1, medeleg=DELEGATE_ALL, hedeleg=1 << 2, vstvec=RAM + 0x100)
    m.load_bytes(RAM, code(0))                                  # illegal
    m.load_bytes(RAM + 0x100, code(ins('ebreak')))
    m.run(max_instructions=5)
    assert (m.hart.priv, m.hart.virt) == (S, 1)
    assert m.csr['vscause'] == 2 and m.csr['vsepc'] == RAM and m.csr['vstval'] == 0
    assert m.taken[0][:2] == (S, 3)                              # its ebreak: to HS


# ---------------------------------------------------------------- VS-level interrupts
VSSI, VSTI, VSEI = 1 << 2, 1 << 6, 1 << 10


def pending(engine, priv, virt, hvip, hideleg, sie=True, hie=VSSI | VSTI | VSEI):
    m = machine(engine, priv, virt, hvip=hvip, hideleg=hideleg, hie=hie,
                vstvec=RAM + 0x100, stvec=RAM + 0x200)
    if sie:
        m.csr['vsstatus'] = 1 << 1                              # vsstatus.SIE
    m.load_bytes(RAM, code(ins('addi', 'a0', 'a0', 1)) * 1)
    m.load_bytes(RAM + 0x100, code(ins('ebreak')))
    m.run(max_instructions=1)
    return m


def test_a_delegated_vs_timer_interrupt_enters_vs_as_sti(engine):
    m = pending(engine, S, 1, VSTI, VSTI)
    assert (m.hart.priv, m.hart.virt) == (S, 1)
    assert m.csr['vscause'] == INTERRUPT_BIT | 5 and m.pc == RAM + 0x100


def test_vs_interrupts_wait_for_vsstatus_sie_in_vs_but_not_in_vu(engine):
    assert pending(engine, S, 1, VSTI, VSTI, sie=False).csr['vscause'] == 0
    assert pending(engine, U, 1, VSTI, VSTI, sie=False).csr['vscause'] == INTERRUPT_BIT | 5


def test_delegated_vs_interrupts_are_not_taken_with_v0(engine):
    m = pending(engine, S, 0, VSTI, VSTI)
    assert m.taken == [] and m.regs[10] == 1


def test_an_undelegated_vs_interrupt_goes_to_hs(engine):
    m = pending(engine, S, 1, VSTI, 0)
    assert m.taken == [(S, 6, True, 0)]


def test_vs_interrupt_priority_is_vsei_vssi_vsti(engine):
    m = pending(engine, S, 1, VSSI | VSTI | VSEI, VSSI | VSTI | VSEI)
    assert m.csr['vscause'] == INTERRUPT_BIT | 9
    m = pending(engine, S, 1, VSSI | VSTI, VSSI | VSTI)
    assert m.csr['vscause'] == INTERRUPT_BIT | 1


# ---------------------------------------------------------------- Popek & Goldberg
def test_with_h_a_guest_kernel_in_s_mode_could_reach_the_hypervisor_state():
    """misa.H set: HS-mode may use the H CSRs and instructions, so a guest kernel run in
    S-mode (V=0) by a trap-and-emulate monitor could too -- except what mstatus.TVM
    traps (hgatp, HFENCE.GVMA).  A guest in U-mode has no holes."""
    from vlab.isa.hart import Hart
    from vlab.isa.spec.sensitivity import virtualization_holes
    implemented = Hart().csr.numbers()
    holes = {row.name for row in virtualization_holes(S, implemented, hypervisor=True)}
    assert {'0x600', '0x280', 'hlv.w', 'hsv.w', 'hfence.vvma'} <= holes     # hstatus, vsatp
    assert not {'0x680', 'hfence.gvma'} & holes
    assert virtualization_holes(S, implemented) == []          # H rows left out: classic
    assert virtualization_holes(U, implemented, hypervisor=True) == []


# ---------------------------------------------------------------- CSR views (no engine)
def test_sie_and_sip_in_vs_are_the_delegated_vs_bits_one_lower():
    from vlab.isa.hart import Hart
    h = Hart()
    c = h.csr
    c['hideleg'] = VSTI | VSSI                      # VSEI stays with the hypervisor
    c['hvip'] = VSSI | VSTI | VSEI
    assert c['hip'] == VSSI | VSTI | VSEI and c['mip'] & 0x444 == 0x444
    assert c['mideleg'] & 0x444 == 0x444 and c['sip'] == 0      # HS: no VS bits
    h.set_priv(S)
    h.set_virt(1)
    assert c.read(0x144, S) == (VSSI | VSTI) >> 1   # sip is vsip: SSIP, STIP
    c.write(0x104, 0xFFFF_FFFF, S)                  # sie is vsie
    assert c.mie & 0x444 == VSSI | VSTI             # only the delegated bits
    c.write(0x144, 0, S)                            # sip.SSIP clears hvip.VSSIP
    assert c.mip_sw & 0x444 == VSTI | VSEI
    h.set_virt(0)
    assert c['vsie'] == (VSSI | VSTI) >> 1 and c['hie'] == VSSI | VSTI


def test_the_s_registers_swap_with_the_vs_ones_on_v():
    from vlab.isa.hart import Hart
    h = Hart()
    c = h.csr
    c['sepc'], c['vsepc'], c['stvec'], c['vstvec'] = 0x100, 0x200, 0x300, 0x400
    c['sstatus'], c['vsstatus'] = 1 << 1, 1 << 5                # SIE ; SPIE
    h.set_priv(S)
    h.set_virt(1)
    assert (c.read(0x141, S), c.read(0x105, S), c.read(0x100, S)) == (0x200, 0x400, 1 << 5)
    c.write(0x141, 0x204, S)
    h.set_virt(0)
    assert (c['sepc'], c['vsepc'], c['sstatus'], c['vsstatus']) == (0x100, 0x204, 2, 1 << 5)
