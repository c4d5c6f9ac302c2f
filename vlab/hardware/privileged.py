"""Emulating the guest's privileged instructions on its virtual CPU.

The guest runs deprivileged (real U-mode), so each privileged instruction it executes
traps as illegal (cause 2, the instruction's bits in tval); the VMM decodes the word with
the machine's own decoder (vlab/isa/decoder.py) and looks its name up in ``EMULATORS``,
one small function per instruction that does what the manual says -- to the *virtual*
state (vlab/hardware/vcpu.py):

==============  ================================================================
csrrw/s/c(i)    Zicsr ch. 9: read the old value (csrrw with rd=x0 does not read),
                write unless the source register/immediate is x0/0; the access is
                checked against the virtual privilege and the virtual TVM and
                counter enables, with the CSRFile's WARL rules
mret, sret      privileged spec sec. 3.3.2: the trap-return rule on the virtual
                CSRs; illegal below M (S), or SRET in S with virtual TSR = 1
wfi             sec. 3.3.3: continue when a virtual interrupt is pending; else,
                when the virtual timer can wake the guest, time jumps to it (as the
                machine does in WFI); else the guest is idle forever: the VM stops
sfence.vma      sec. 4.2.1: the shadow tables are dropped (vlab/hardware/shadow.py);
                illegal in virtual S with TVM = 1
==============  ================================================================

An emulator returns the pc to continue at, or a ``str`` (the VM must stop, why); a
guest-visible fault is raised as ``Trap`` and reflected into the guest by the VMM.  A
word that is no privileged instruction (a truly illegal one) is not here: the VMM
reflects it as the illegal instruction it is.
"""
from __future__ import annotations

from vlab.isa.causes import Cause
from vlab.isa.privilege import M, S
from vlab.isa.spec.sensitivity import INSTRUCTION_SENSITIVITY, traps_at
from vlab.isa.traps import Trap

MASK32 = 0xFFFFFFFF
SATP = 0x180
MTIE, MSIE = 1 << 7, 1 << 3
NEVER = (1 << 64) - 1
CSR_OPERATIONS = {'rw': lambda old, src: src, 'rs': lambda old, src: old | src,
                  'rc': lambda old, src: old & ~src}


def _illegal(vmm):
    raise Trap(Cause.ILLEGAL_INSTRUCTION, vmm.word)


def emulate_csr(vmm, ctx, name: str, f: dict):
    """csrrw, csrrs, csrrc and their immediate forms (Zicsr sec. 9.1)."""
    operation = name[3:5]
    immediate = name.endswith('i')
    source_field = f['zimm'] if immediate else f['rs1']
    source = f['zimm'] if immediate else ctx.reg(f['rs1'])
    writes = operation == 'rw' or source_field != 0
    reads = operation != 'rw' or f['rd'] != 0
    vcpu = vmm.vcpu
    read, write = vcpu.csr.check_access(f['csr'], writes, vcpu.priv, vmm.word)
    old = read() & MASK32 if reads else 0
    if writes:
        write(CSR_OPERATIONS[operation](old, source) & MASK32)
        if f['csr'] == SATP:
            vmm.shadow.drop_all()               # satp writes flush the TLB here
    ctx.set_reg(f['rd'], old)
    return ctx.epc + 4


def _trap_return(level: int, row_name: str):
    row = INSTRUCTION_SENSITIVITY[row_name]

    def emulate(vmm, ctx, name, f):
        vcpu = vmm.vcpu
        if traps_at(row, vcpu.priv, vcpu.csr.mstatus):
            _illegal(vmm)
        return vcpu.trap_return(level)
    emulate.__doc__ = f'{row_name.upper()}: the trap-return rule on the virtual CSRs.'
    return emulate


def emulate_wfi(vmm, ctx, name, f):
    """WFI: continue at once, skip ahead to the virtual timer, or stop an idle guest."""
    vcpu = vmm.vcpu
    csr = vcpu.csr
    if traps_at(INSTRUCTION_SENSITIVITY['wfi'], vcpu.priv, csr.mstatus):
        _illegal(vmm)
    if csr.mip & csr.mie:
        return ctx.epc + 4
    clint = vmm.machine.clint
    if csr.mie & MTIE and clint.mtimecmp[0] != NEVER:
        clint.advance(max(clint.ticks_until_timer(), 1))
        return ctx.epc + 4
    return ('WFI with no interrupt that can wake the guest (its mie.MTIE is clear or its '
            'mtimecmp is not programmed)')


def emulate_sfence_vma(vmm, ctx, name, f):
    """SFENCE.VMA: every shadow translation may be stale now: drop them."""
    vcpu = vmm.vcpu
    if traps_at(INSTRUCTION_SENSITIVITY['sfence.vma'], vcpu.priv, vcpu.csr.mstatus):
        _illegal(vmm)
    vmm.shadow.drop_all()
    return ctx.epc + 4


EMULATORS = {
    **{name: emulate_csr for name in ('csrrw', 'csrrs', 'csrrc', 'csrrwi', 'csrrsi',
                                      'csrrci')},
    'mret': _trap_return(M, 'mret'),
    'sret': _trap_return(S, 'sret'),
    'wfi': emulate_wfi,
    'sfence.vma': emulate_sfence_vma,
}

__all__ = ['EMULATORS']
