"""The trap-and-emulate VMM on small hand-written guests (tests/hardware/guest_programs.py).

Each guest checks itself and exits with 0 (pass) or the number of the failed check; the
tests run it on the bare machine and as a VM, under both engines, and compare exit code
and instructions retired (Popek & Goldberg's equivalence), then check that the VMM really
took the exits the guest's privileged work implies.
"""
import guest_programs as guests
import pytest

from vlab.hardware.vm import VirtualMachine, VmError
from vlab.isa.machine import Machine
from vlab.isa.privilege import M, S
from vlab.isa.spec.nonvirtualizable import LEAKY_CSRS, leaky_rows

RAM = 1 << 20
BUDGET = 200_000


@pytest.fixture(params=['interp', 'dbt'])
def engine(request):
    return request.param


def run_both(image, engine, **vm_args):
    bare = Machine(ram_size=RAM, engine=engine)
    bare.load_elf(image)
    expected = bare.run(max_instructions=BUDGET)
    vm = VirtualMachine(image, engine=engine, guest_ram=RAM, **vm_args)
    return expected, vm.run(max_instructions=BUDGET), vm


def assert_equivalent(image, engine):
    expected, result, vm = run_both(image, engine)
    assert (expected.status, expected.exit_code) == ('exit', 0), str(expected)
    assert (result.status, result.exit_code, result.instructions) == \
        ('exit', 0, expected.instructions), str(result)
    return vm


def test_csr_instructions_are_emulated_on_virtual_csrs(engine):
    vm = assert_equivalent(guests.image(guests.CSR_EMULATION), engine)
    for name in ('csrrw', 'csrrs', 'csrrc', 'csrrwi', 'csrrsi', 'csrrci'):
        assert vm.vmm.emulated[name] > 0, name
    assert vm.machine.hart.csr.mscratch == 0       # the real register was never touched
    assert vm.vmm.vcpu.csr.mscratch == 15


def test_mret_sret_and_ecalls_follow_virtual_privilege_and_delegation(engine):
    vm = assert_equivalent(guests.image(guests.MODE_SWITCHES), engine)
    assert vm.vmm.emulated['mret'] == 1 and vm.vmm.emulated['sret'] == 1
    assert vm.exits['ecall'] == 2
    assert vm.machine.priv == 0                    # the guest never left real U-mode
    assert vm.vmm.vcpu.priv == M                   # ...though it is in its M handler
    assert vm.vmm.vcpu.csr.scause == 8 and vm.vmm.vcpu.csr.mcause == 9


def test_illegal_and_underprivileged_instructions_are_reflected(engine):
    vm = assert_equivalent(guests.image(guests.ILLEGAL_REFLECTED), engine)
    assert vm.exits['illegal instruction (reflected)'] == 1
    assert vm.vmm.emulated['mret'] == 1            # the second mret (from S) is not


@pytest.mark.parametrize('program', ['TIMER_SPIN', 'TIMER_WFI'])
def test_virtual_timer_interrupt_is_injected(engine, program):
    vm = assert_equivalent(guests.image(getattr(guests, program)), engine)
    assert vm.exits['machine timer interrupt'] >= 1
    assert vm.vmm.vcpu.csr.mcause == 0x80000007
    if program == 'TIMER_WFI':
        assert vm.vmm.emulated['wfi'] == 1


def test_shadow_paging_hidden_and_true_faults(engine):
    vm = assert_equivalent(guests.image(guests.SHADOW_PAGING, guests.SHADOW_DATA), engine)
    assert vm.exits['hidden page fault (shadow fill)'] >= 2
    assert vm.exits['guest page fault (reflected)'] == 1
    assert vm.vmm.vcpu.csr.mcause == 13
    assert vm.ledger.count('shadow_pt_update') == vm.vmm.shadow.fills > 0


def test_guest_cannot_see_the_vmm_tables_through_its_own_walk():
    vm = VirtualMachine(guests.image(guests.SHADOW_PAGING, guests.SHADOW_DATA), guest_ram=RAM)
    vm.run(max_instructions=BUDGET)
    real_satp = vm.machine.hart.csr.satp
    assert real_satp != vm.vmm.vcpu.csr.satp       # the hardware walks the VMM's tables
    assert not vm.memory.is_ram((real_satp & 0x3FFFFF) << 12)


def test_vm_exits_are_charged_once_as_vm_exit():
    vm = VirtualMachine(guests.image(guests.CSR_EMULATION), guest_ram=RAM)
    vm.run(max_instructions=BUDGET)
    assert vm.ledger.count('vm_exit') == sum(vm.exits.values())
    assert vm.ledger.count('trap') == 0


# ---------------------------------------------------------------- non-virtualizable
def test_switch_rows_are_sensitive_csrs_of_the_table():
    rows = leaky_rows()
    assert {row.number for row, _ in rows} == set(LEAKY_CSRS)
    assert all(row.sensitive and row.privileged for row, _ in rows)
    assert {row.min_priv for row, _ in rows} == {S, M}


def test_non_virtualizable_switch_breaks_equivalence(engine):
    image = guests.image(guests.MSTATUS_ROUND_TRIP)
    expected, result, vm = run_both(image, engine)
    assert expected.exit_code == result.exit_code == 0
    _, broken, vm = run_both(image, engine, non_virtualizable=True)
    assert broken.exit_code == 2                   # the guest's check 2 failed
    assert vm.vmm.emulated['csrrw'] == 0           # nothing trapped: the VMM never knew


def test_switch_leaves_the_bare_machine_in_m_mode_unchanged(engine):
    bare = Machine(ram_size=RAM, engine=engine)
    from vlab.isa.spec.nonvirtualizable import set_non_virtualizable
    set_non_virtualizable(bare.hart.csr)
    bare.load_elf(guests.image(guests.MSTATUS_ROUND_TRIP))
    assert bare.run(max_instructions=BUDGET).exit_code == 0


# ---------------------------------------------------------------- bad guests
def test_jump_to_unmapped_memory_stops_the_vm_with_the_guest_fault():
    result = VirtualMachine(guests.image(guests.JUMP_TO_NOWHERE), guest_ram=RAM).run(BUDGET)
    assert (result.status, result.cause, result.pc) == ('fault', 1, 0x1000_0000)
    assert 'mtvec is 0' in result.message


def test_writing_the_vmm_memory_is_a_guest_access_fault():
    program = guests.WRITE_PAST_GUEST_RAM.replace('GUEST_END', hex(0x8000_0000 + RAM))
    vm = VirtualMachine(guests.image(program), guest_ram=RAM)
    before = vm.machine.bus.read_bytes(vm.memory.vmm_base, 64)
    result = vm.run(BUDGET)
    assert (result.status, result.cause, result.tval) == ('fault', 7, 0x8000_0000 + RAM)
    assert vm.machine.bus.read_bytes(vm.memory.vmm_base, 64) == before


def test_trap_storm_stops_the_vm():
    result = VirtualMachine(guests.image(guests.TRAP_STORM), guest_ram=RAM).run(BUDGET)
    assert result.status == 'fault' and 'trap storm' in result.message


def test_budget_stops_a_spinning_guest():
    image = guests.image('spin: j spin\n')
    assert VirtualMachine(image, guest_ram=RAM).run(1000).status == 'budget'


@pytest.mark.parametrize('args, words', [
    ({'cpu': 'no-such-method'}, 'not available'),
    ({'guest_ram': 1 << 30}, 'at most'),
    ({'guest_ram': 1000}, 'whole 4 KiB pages'),
])
def test_bad_vm_requests_are_clear_errors(args, words):
    with pytest.raises(VmError, match=words):
        VirtualMachine(guests.image(guests.CSR_EMULATION), **args)


def test_guest_outside_its_ram_is_refused():
    with pytest.raises(VmError, match='outside guest RAM'):
        VirtualMachine(guests.image(guests.CSR_EMULATION, '.zero 0x200000\n'),
                       guest_ram=RAM)


def test_interrupt_made_deliverable_by_mret_is_injected_at_its_target(engine):
    vm = assert_equivalent(guests.image(guests.SUPERVISOR_INTERRUPT), engine)
    assert vm.vmm.vcpu.csr.scause == 0x80000005
    assert vm.exits['csrrs'] >= 1 and vm.vmm.emulated['mret'] == 1


def test_exit_log_steps_through_the_privilege_changes():
    vm = VirtualMachine(guests.image(guests.MODE_SWITCHES), guest_ram=RAM, log_exits=True)
    vm.run(BUDGET)
    steps = [(r.reason, r.level_before, r.level_after, r.decision) for r in vm.vmm.log
             if r.level_before != r.level_after]
    assert steps == [('mret', 'M', 'S', 'resume'), ('sret', 'S', 'U', 'resume'),
                     ('ecall', 'U', 'S', 'inject'), ('ecall', 'S', 'M', 'inject')]
    assert len(vm.vmm.log) == sum(vm.exits.values())
    assert VirtualMachine(guests.image(guests.MODE_SWITCHES), guest_ram=RAM).vmm.log is None
