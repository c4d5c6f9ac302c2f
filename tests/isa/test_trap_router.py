"""The trap router: stacked Python handlers, typed actions, charge classes, virtual CSRs."""
from __future__ import annotations

import pytest

from vlab.isa.asm import assemble
from vlab.isa.causes import Cause, Interrupt
from vlab.isa.machine import Machine
from vlab.isa.privilege import M, S, U
from vlab.isa.trap_actions import SKIP, Halt
from vlab.isa.vcpu import VirtualCsrs

BASE = 0x8000_0000


def machine_with(source: str, priv=M) -> Machine:
    m = Machine(ram_size=1 << 16)
    program = assemble(source, text_base=BASE)
    m.load_bytes(BASE, program.text)
    m.pc = BASE
    m.priv = priv
    return m


ECALL_THEN_ILLEGAL = """
    li a7, 1
    ecall
    li a7, 2
    ecall
    .word 0xffffffff
"""


def test_stacked_handlers_firmware_kernel_and_architectural_fall_through():
    """Firmware takes S ecalls (SBI), the kernel U ecalls; an illegal instruction is
    nobody's and goes to the real mtvec."""
    m = machine_with(ECALL_THEN_ILLEGAL + 'handler:\n    j handler\n', priv=U)
    seen = []

    def firmware(ctx):
        seen.append(('firmware', ctx.cause))
        return ctx.skip()

    def kernel(ctx):
        seen.append(('kernel', ctx.cause, ctx.reg(17)))
        return ctx.skip()

    m.traps.register('M', firmware, causes={Cause.SUPERVISOR_ECALL}, name='firmware')
    m.traps.register('M', kernel, causes={Cause.USER_ECALL}, charge_as='syscall',
                     name='kernel')
    m.csr['mtvec'] = BASE + 20
    result = m.run(max_instructions=7)
    assert seen == [('kernel', 8, 1), ('kernel', 8, 2)]
    assert m.csr['mcause'] == Cause.ILLEGAL_INSTRUCTION and m.csr['mepc'] == BASE + 16
    assert m.priv == M and result.status == 'budget'
    counts = m.ledger.counts
    assert counts['syscall'] == 2 and counts['trap'] == 1     # a syscall is not also a trap


def test_most_recent_registration_is_asked_first_and_decline_falls_through():
    m = machine_with('ecall\nebreak\n', priv=U)
    order = []

    def kernel(ctx):
        order.append('kernel')
        return ctx.skip()

    def hypervisor(ctx):
        order.append('hypervisor')
        return ctx.decline()                 # not a guest's trap: the kernel's

    m.traps.register('M', kernel, causes='ecalls', name='kernel')
    m.traps.register('M', hypervisor, causes='all', charge_as='vm_exit', name='hypervisor')
    m.traps.register('M', lambda ctx: ctx.halt('done'), causes={Cause.BREAKPOINT},
                     name='monitor', priority=-1)
    result = m.run(max_instructions=10)
    assert order == ['hypervisor', 'kernel', 'hypervisor']
    assert result.status == 'halt' and result.message == 'done'
    # ebreak: the hypervisor declined, the monitor (lower priority) took it as a trap
    assert m.ledger.counts['trap'] == 2 and 'vm_exit' not in m.ledger.counts


def test_a_handler_may_return_the_action_instead_of_calling_ctx():
    m = machine_with('ecall\nebreak\n', priv=U)
    m.traps.register('M', lambda ctx: SKIP if ctx.cause == Cause.USER_ECALL else Halt('end'))
    result = m.run(max_instructions=10)
    assert result.status == 'halt' and result.message == 'end'


def test_vm_exit_is_charged_once_as_a_vm_exit():
    m = machine_with('ecall\necall\nebreak\n', priv=U)
    m.traps.register('M', lambda ctx: ctx.skip(), causes='ecalls', charge_as='vm_exit')
    m.traps.register('M', lambda ctx: ctx.exit(3), causes={Cause.BREAKPOINT}, name='end')
    result = m.run(max_instructions=10)
    assert result.exit_code == 3
    assert m.ledger.counts['vm_exit'] == 2 and m.ledger.counts['trap'] == 1


def test_unhandled_trap_with_no_vector_is_a_clear_fault():
    m = machine_with('.word 0xffffffff\n', priv=U)
    m.traps.register('M', lambda ctx: ctx.decline(), name='shy')
    result = m.run(max_instructions=5)
    assert result.status == 'fault' and 'mtvec is 0' in result.message


def test_set_trap_handler_is_one_registration_per_level():
    m = machine_with('ecall\n', priv=U)
    m.set_trap_handler('M', lambda ctx: ctx.halt('first'))
    m.set_trap_handler('M', lambda ctx: ctx.halt('second'))
    assert len(m.traps.handlers('M')) == 1
    assert m.run(max_instructions=5).message == 'second'
    m.set_trap_handler('M', None)
    assert m.traps.handlers('M') == []


@pytest.mark.parametrize('kwargs, error', [
    ({'level': 'U'}, 'never enter U-mode'),
    ({'level': 'H'}, 'unknown privilege level'),
    ({'causes': 'syscalls'}, 'unknown cause class'),
    ({'causes': {14}}, 'not an exception code'),
    ({'causes': set()}, 'at least one cause'),
    ({'charge_as': 'coffee'}, 'not an event of the cost model'),
    ({'handler': 42}, 'must be callable'),
])
def test_bad_registrations_are_refused(kwargs, error):
    m = Machine(ram_size=1 << 16)
    args = {'level': 'M', 'handler': lambda ctx: ctx.skip(), **kwargs}
    with pytest.raises((ValueError, TypeError), match=error):
        m.traps.register(**args)


def test_duplicate_names_and_unknown_unregister_are_refused():
    m = Machine(ram_size=1 << 16)
    m.traps.register('S', lambda ctx: ctx.skip(), name='kernel')
    with pytest.raises(ValueError, match='already registered'):
        m.traps.register('S', lambda ctx: ctx.skip(), name='kernel')
    with pytest.raises(ValueError, match='no trap handler'):
        m.traps.unregister('hypervisor')
    m.traps.unregister('kernel')
    assert m.traps.handlers('S') == []


def test_interrupt_causes_are_kept_apart_from_exception_causes():
    m = Machine(ram_size=1 << 16)
    r = m.traps.register('M', lambda ctx: ctx.skip(), causes={Interrupt.MACHINE_SOFTWARE})
    assert r.accepts(3, interrupt=True) and not r.accepts(Cause.BREAKPOINT, interrupt=False)


# ------------------------------------------------------------------ virtual CSRs
GUEST = """
    li a0, 5
    .word 0xffffffff          # a privileged operation the monitor reflects to the guest
    li a0, 6
guest_handler:
    li a1, 7
    ebreak
"""


def test_inject_enters_the_guest_s_virtual_csrs_not_the_real_ones():
    m = machine_with(GUEST, priv=U)
    vcpu = VirtualCsrs.supervisor_guest(stvec=BASE + 12)
    vcpu.priv, vcpu.mstatus = U, 1 << 1                 # guest user code, SIE set

    def monitor(ctx):
        if ctx.cause == Cause.ILLEGAL_INSTRUCTION:
            return ctx.inject(vcpu, Cause.ILLEGAL_INSTRUCTION, ctx.tval)
        return ctx.halt('guest stopped')

    m.traps.register('M', monitor, charge_as='vm_exit', name='monitor')
    result = m.run(max_instructions=20)
    assert result.message == 'guest stopped' and m.regs[11] == 7 and m.regs[10] == 5
    assert (vcpu.sepc, vcpu.scause, vcpu.stval) == (BASE + 4, 2, 0xFFFFFFFF)
    assert vcpu.priv == S and vcpu.mstatus & (1 << 5) and not vcpu.mstatus & (1 << 1)
    assert not vcpu.mstatus & (1 << 8)                   # SPP = U: it came from guest user
    assert m.csr['mepc'] == 0 and m.csr['mcause'] == 0 and m.csr['sepc'] == 0   # untouched
    assert m.priv == U                                   # the guest stays deprivileged
    assert m.ledger.counts['vm_exit'] == 2


def test_virtual_trap_return_restores_the_guest_s_mode():
    vcpu = VirtualCsrs.supervisor_guest(stvec=0x100)
    vcpu.priv = U
    assert vcpu.enter_trap(Cause.USER_ECALL, 0, epc=0x2000) == 0x100
    assert vcpu.priv == S and vcpu.scause == 8
    assert vcpu.trap_return('S') == 0x2000 and vcpu.priv == U
    with pytest.raises(ValueError):
        vcpu.trap_return('M')


def test_virtual_interrupt_in_vectored_mode_and_delegation():
    vcpu = VirtualCsrs(priv=U, mtvec=0x401)               # no delegation: virtual M
    assert vcpu.enter_trap(Interrupt.MACHINE_TIMER, interrupt=True, epc=0x10) == 0x41C
    assert vcpu.priv == M and vcpu.mcause == (1 << 31) | 7 and vcpu.mepc == 0x10


def test_inject_into_a_vcpu_without_a_vector_is_a_fault():
    m = machine_with('.word 0xffffffff\n', priv=U)
    vcpu = VirtualCsrs.supervisor_guest()
    m.traps.register('M', lambda ctx: ctx.inject(vcpu, ctx.cause, ctx.tval))
    result = m.run(max_instructions=5)
    assert result.status == 'fault' and 'trap vector is 0' in result.message
