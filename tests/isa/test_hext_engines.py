"""The hypervisor extension end to end, on every engine: a tiny hypervisor and its guest.

Firmware (M) delegates the guest's exits to HS and enters the hypervisor (HS), which
points hgatp/vsatp at the tables of hext_guest.py, delegates ecall-from-VU to the guest
(hedeleg) and enters VS-mode with SRET (hstatus.SPV=1).  The guest (VS, both stages of
translation on) sums a few words of its data page in a loop, drops to VU, whose ECALL
enters the guest's own handler (VS) directly; the guest then touches a page its
hypervisor never mapped (a guest-page fault into HS, htval = guest-physical >> 2), reads
hstatus (a virtual-instruction exception into HS) and makes a hypercall (ECALL from VS,
cause 10).  The hypervisor answers the hypercall with HLV/HSV on the guest's memory and
exits through the firmware.  Every engine must end in the very same state.
"""
import pytest
from hext_guest import (
    DATA_VA,
    GUEST_CODE,
    GUEST_DATA,
    GUEST_VA,
    HOLE_VA,
    UNMAPPED_GPA,
    USER_VA,
    build_tables,
)

from conftest import ENGINES, RAM, ins
from vlab.isa.asm import assemble
from vlab.isa.fields import CSR_NUMBERS
from vlab.isa.machine import Machine

HYPERVISOR = f"""
    .text
    .globl _start
_start:                                     # M-mode firmware
    li      t0, (1 << 8) | (1 << 10) | (1 << 20) | (1 << 21) | (1 << 22) | (1 << 23)
    csrw    medeleg, t0
    la      t0, hs_trap
    csrw    stvec, t0
    li      t0, 1 << 11                     # MPP = S
    csrw    mstatus, t0
    la      t0, hs_start
    csrw    mepc, t0
    mret
hs_start:                                   # HS-mode: the hypervisor
    la      t0, tables
    lw      t1, 0(t0)
    csrw    vsatp, t1
    lw      t1, 4(t0)
    csrw    hgatp, t1
    lw      t1, 8(t0)
    csrw    vstvec, t1
    li      t0, 1 << 8                      # ecall from VU: the guest's own
    csrw    hedeleg, t0
    li      t0, (1 << 7) | (1 << 8)         # SPV = 1, SPVP = 1
    csrs    hstatus, t0
    li      t0, 1 << 8                      # SPP = S: return to VS
    csrs    sstatus, t0
    li      t0, {GUEST_VA:#x}
    csrw    sepc, t0
    sret
hs_trap:
    csrr    t0, scause
    li      t1, 21
    beq     t0, t1, guest_page_fault
    li      t1, 22
    beq     t0, t1, virtual_instruction
    li      t1, 10
    beq     t0, t1, hypercall
    mv      a0, t0                          # anything else: exit with the cause
    ecall
guest_page_fault:
    csrr    s2, stval
    csrr    s3, htval
    csrr    s4, hstatus
    j       skip
virtual_instruction:
    csrr    s5, stval
    csrr    s4, hstatus
skip:
    csrr    t0, sepc
    addi    t0, t0, 4
    csrw    sepc, t0
    sret
hypercall:
    csrr    s4, hstatus
    li      t0, {DATA_VA + 0x40:#x}
    hlv.w   s6, (t0)                        # the guest's sum, through both stages
    hlvx.hu s7, (t0)                        # readable as executable (the page is rwx)
    li      t1, {DATA_VA + 0x44:#x}
    addi    t2, s6, 1
    hsv.w   t2, (t1)
    hlv.b   s8, (t1)
    li      a0, 0
    ecall                                   # ecall from HS: to the firmware, exit

    .data
tables:                                     # vsatp, hgatp, vstvec: set by the test
    .word 0, 0, 0
"""

GUEST = f"""
    .text
guest:                                      # VS-mode, at guest virtual {GUEST_VA:#x}
    li      a0, {DATA_VA:#x}
    li      a1, 0
    li      a2, 8
sum:
    lw      a3, 0(a0)
    add     a1, a1, a3
    addi    a0, a0, 4
    addi    a2, a2, -1
    bnez    a2, sum
    li      a0, {DATA_VA:#x}
    sw      a1, 0x40(a0)
    la      t0, user + {USER_VA - GUEST_VA:#x}   # the code page's user alias
    csrw    sepc, t0
    li      t0, 1 << 8
    csrc    sstatus, t0                     # SPP = U
    sret
user:                                       # VU-mode
    li      a7, 93
    ecall                                   # cause 8, delegated to the guest (hedeleg)
guest_trap:                                 # VS-mode handler
    csrr    s0, scause
    csrr    s1, sepc
    li      a0, {HOLE_VA:#x}
    lw      a4, 0(a0)                       # no G-stage mapping: guest-page fault (21)
    csrr    a5, hstatus                     # from VS: virtual instruction (22)
    ecall                                   # hypercall: cause 10
"""


def _machine(engine: str):
    """The hypervisor loaded, the guest's code and data in its pages, both stages' tables
    built; the firmware's M-mode exit is a Python handler (exit code a0)."""
    m = Machine(ram_size=4 << 20, engine=engine)
    host = assemble(HYPERVISOR)
    m.load_elf(host.to_elf())
    guest = assemble(GUEST, text_base=GUEST_VA)
    m.load_bytes(GUEST_CODE, bytes(guest.section('.text').data))
    vsatp, hgatp, _ = build_tables(m.bus)
    tables = host.symbols['tables']
    for i, value in enumerate((vsatp, hgatp, guest.symbols['guest_trap'])):
        m.bus.store(tables + 4 * i, 4, value)
    for i in range(8):
        m.bus.store(GUEST_DATA + 4 * i, 4, 1 << i)
    m.set_trap_handler('M', lambda ctx: ctx.exit(ctx.reg(10)))
    return m, host, guest


def _run(engine: str):
    m, _, guest = _machine(engine)
    return m, m.run(max_instructions=10_000), guest


@pytest.fixture(scope='module')
def runs():
    return {engine: _run(engine) for engine in ENGINES}


def test_the_guest_runs_and_the_hypervisor_sees_each_exit(runs):
    m, result, guest = runs['interp']
    assert result.status == 'exit' and result.exit_code == 0, result
    r = m.regs
    assert r[8] == 8                                    # s0: vscause, ecall from VU
    assert r[9] == guest.symbols['user'] + 4 + USER_VA - GUEST_VA   # s1: vsepc (VU ecall)
    assert r[18] == HOLE_VA                             # s2: stval, guest virtual
    assert r[19] == UNMAPPED_GPA >> 2                   # s3: htval
    assert r[21] == ins('csrrs', 'a5', 'hstatus', 'zero')  # s5: stval = the instruction
    hstatus = r[20]                                     # s4: at the hypercall
    assert hstatus >> 7 & 1 and hstatus >> 8 & 1        # SPV, SPVP (from VS)
    assert not hstatus >> 6 & 1                         # GVA: ecall has no address
    assert r[22] == 0xFF                                # s6: sum of 1..128 by HLV.W
    assert r[23] == 0xFF                                # s7: HLVX.HU
    assert m.bus.load(GUEST_DATA + 0x44, 4) == 0x100    # HSV.W
    assert r[24] == 0                                   # s8: HLV.B of 0x100
    assert m.hart.priv == 1 and m.hart.virt == 0        # stopped in HS (its ecall)


@pytest.mark.parametrize('engine', ENGINES)
def test_a_guest_page_fault_enters_hs_with_gva_and_htval(engine):
    """Stopped at the hypervisor's trap entry for the guest-page fault."""
    m, host, _ = _machine(engine)
    m.breakpoints.add(host.symbols['hs_trap'])
    for _ in range(5):
        result = m.run(max_instructions=10_000)
        assert result.status == 'breakpoint', result
        if m.csr['scause'] == 21:
            break
        m.step()
    assert m.csr['scause'] == 21 and m.csr['stval'] == HOLE_VA
    assert m.csr['htval'] == UNMAPPED_GPA >> 2 and m.csr['htinst'] == 0
    hstatus = m.csr['hstatus']
    assert hstatus >> 6 & 1 and hstatus >> 7 & 1        # GVA, SPV
    assert (m.hart.priv, m.hart.virt) == (1, 0)         # HS


@pytest.mark.parametrize('engine', [e for e in ENGINES if e != 'interp'])
def test_every_engine_ends_in_the_interpreters_state(runs, engine):
    reference, result, _ = runs['interp']
    other, other_result, _ = runs[engine]
    assert other_result.status == result.status and other_result.exit_code == 0
    assert other.hart.state() == reference.hart.state()
    assert other.ram.data == reference.ram.data
    for event in ('instruction', 'trap', 'tlb_miss', 'tlb_hit', 'page_walk_ref'):
        assert other.ledger.count(event) == reference.ledger.count(event), event


def test_the_dbt_translated_guest_code(runs):
    """dbt-eager translates every block at first sight: the guest's loop ran translated
    in its V=1 context, whose key names V and the VMID."""
    m, _, _ = runs['dbt-eager']
    contexts = {t.region.name for t in m.engine.translations()}
    assert any(name.startswith(f'block_{GUEST_VA >> 12:05x}') or
               name.startswith(f'trace_{GUEST_VA >> 12:05x}') for name in contexts)
    assert any(c.virt == 1 and c.vmid == 5 for c in m.engine.tcache.paged)


def test_the_disassembler_names_the_h_instructions_and_csrs():
    from vlab.isa.disasm import disassemble
    assert disassemble(ins('hlvx.hu', 'a0', 'a1'), RAM) == 'hlvx.hu a0,(a1)'
    assert disassemble(ins('hsv.w', 't6', 'ra'), RAM) == 'hsv.w t6,(ra)'
    assert disassemble(ins('csrrw', 'zero', 'hgatp', 'a0'), RAM) == 'csrw hgatp,a0'
    assert disassemble(ins('csrrs', 'a0', 'vsatp', 'zero'), RAM) == 'csrr a0,vsatp'
    assert CSR_NUMBERS['mtval2'] == 0x34B and CSR_NUMBERS['hgeip'] == 0xE12
