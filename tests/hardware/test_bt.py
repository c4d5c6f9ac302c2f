"""``--cpu bt``: binary translation of the guest's kernel code (vlab/hardware/bt.py).

The guests of tests/hardware/guest_programs.py run under bt as on the bare machine (exit
code and instructions retired), under both engines, with the non-virtualizable switch
off and on; their sensitive kernel instructions become callouts (counted, charged as
``bt_callout``), not VM exits; the instruction budget stops a guest exactly where the
bare machine stops.
"""
import guest_programs as guests
import pytest

from vlab.hardware.bt import CALLOUT_ROWS, sensitive_for_guest
from vlab.hardware.vm import VirtualMachine
from vlab.isa.machine import Machine

RAM = 1 << 20
BUDGET = 200_000
PROGRAMS = {name: guests.image(getattr(guests, name),
                               guests.SHADOW_DATA if name == 'SHADOW_PAGING' else '')
            for name in ('CSR_EMULATION', 'MODE_SWITCHES', 'ILLEGAL_REFLECTED', 'TIMER_SPIN',
                         'TIMER_WFI', 'SHADOW_PAGING', 'MSTATUS_ROUND_TRIP',
                         'SUPERVISOR_INTERRUPT')}
# A guest kernel dropping to user mode, where reading mstatus must trap as on the bare
# machine -- even with the switch on, which makes that read silent in real U-mode.
USER_READS_MSTATUS = '''
    la t0, handler
    csrw mtvec, t0
    la t0, user
    csrw mepc, t0
    csrw mstatus, zero              # MPP = U
    li gp, 2
    mret
user:
    csrr a0, mstatus
    j fail
handler:
    li gp, 3
    csrr t0, mcause
    li t1, 2                        # illegal instruction
    bne t0, t1, fail
    j pass
'''


@pytest.fixture(params=['interp', 'dbt'])
def engine(request):
    return request.param


def bare_run(image, engine, budget=BUDGET):
    bare = Machine(ram_size=RAM, engine=engine)
    bare.load_elf(image)
    return bare.run(max_instructions=budget), bare


def vm_run(image, engine, budget=BUDGET, cpu='bt', **options):
    vm = VirtualMachine(image, cpu=cpu, engine=engine, guest_ram=RAM, **options)
    return vm.run(max_instructions=budget), vm


@pytest.mark.parametrize('switch', [False, True], ids=['switch-off', 'switch-on'])
@pytest.mark.parametrize('name', sorted(PROGRAMS))
def test_guest_programs_give_the_bare_machine_result(name, engine, switch):
    expected, _ = bare_run(PROGRAMS[name], engine)
    result, vm = vm_run(PROGRAMS[name], engine, non_virtualizable=switch)
    assert (expected.status, expected.exit_code) == ('exit', 0)
    assert (result.status, result.exit_code, result.instructions) == \
        ('exit', 0, expected.instructions), str(result)
    assert vm.machine.priv == 0                       # the guest never left real U-mode
    assert sum(vm.vmm.callouts.values()) > 0


def test_sensitive_kernel_instructions_are_callouts_not_exits(engine):
    result, vm = vm_run(PROGRAMS['CSR_EMULATION'], engine)
    assert vm.exits == {}                             # trap-and-emulate takes 17 exits
    for name in ('csrrw', 'csrrs', 'csrrc', 'csrrwi', 'csrrsi', 'csrrci'):
        assert vm.vmm.callouts[name] > 0, name
    assert vm.ledger.count('bt_callout') == sum(vm.vmm.callouts.values())
    assert vm.ledger.count('vm_exit') == 0
    assert vm.vmm.vcpu.csr.mscratch == 15 and vm.machine.hart.csr.mscratch == 0
    _, te = vm_run(PROGRAMS['CSR_EMULATION'], engine, cpu='trap-emulate')
    assert sum(te.exits.values()) == sum(vm.vmm.callouts.values())
    assert vm.ledger.total_cycles < te.ledger.total_cycles


def test_kernel_ecall_is_a_callout_user_ecall_an_exit(engine):
    _, vm = vm_run(PROGRAMS['MODE_SWITCHES'], engine)
    assert vm.vmm.callouts['ecall'] == 1             # from virtual S: into its M handler
    assert vm.exits == {'ecall': 1}                  # from virtual U: a VM exit
    assert vm.vmm.callouts['mret'] == vm.vmm.callouts['sret'] == 1
    assert vm.vmm.vcpu.csr.scause == 8 and vm.vmm.vcpu.csr.mcause == 9
    assert vm.ledger.count('bt_callout') == sum(vm.vmm.callouts.values())


def test_page_faults_and_interrupts_still_exit(engine):
    _, vm = vm_run(PROGRAMS['SHADOW_PAGING'], engine)
    assert vm.exits['hidden page fault (shadow fill)'] >= 2
    assert vm.exits['guest page fault (reflected)'] == 1
    assert vm.vmm.callouts['sfence.vma'] == 1
    _, vm = vm_run(PROGRAMS['TIMER_SPIN'], engine)
    assert vm.exits['machine timer interrupt'] >= 1


def test_switch_on_bt_passes_where_trap_emulate_fails(engine):
    image = PROGRAMS['MSTATUS_ROUND_TRIP']
    broken, te = vm_run(image, engine, cpu='trap-emulate', non_virtualizable=True)
    assert broken.exit_code == 2 and te.vmm.emulated['csrrw'] == 0
    fixed, vm = vm_run(image, engine, non_virtualizable=True)
    assert fixed.exit_code == 0
    assert vm.vmm.callouts['csrrw'] == 2 and vm.vmm.callouts['csrrs'] == 1


def test_switch_on_user_mode_still_traps_on_mstatus(engine):
    image = guests.image(USER_READS_MSTATUS)
    expected, _ = bare_run(image, engine)
    assert expected.exit_code == 0
    broken, _ = vm_run(image, engine, cpu='trap-emulate', non_virtualizable=True)
    assert broken.exit_code != 0                       # the read leaked, j fail
    result, vm = vm_run(image, engine, non_virtualizable=True)
    assert (result.exit_code, result.instructions) == (0, expected.instructions)
    assert vm.vmm.vcpu.csr.mcause == 2


@pytest.mark.parametrize('budget', [1, 5, 9, 17, 30, 41, 57])
def test_budget_stops_at_the_same_instruction_as_the_bare_machine(engine, budget):
    image = PROGRAMS['CSR_EMULATION']
    expected, bare = bare_run(image, engine, budget)
    result, vm = vm_run(image, engine, budget)
    assert (result.status, result.instructions) == ('budget', budget) == \
        (expected.status, expected.instructions)
    assert (vm.machine.hart.pc, vm.machine.hart.x) == (bare.hart.pc, bare.hart.x)


def test_translator_counts_and_stats_text(engine):
    _, vm = vm_run(PROGRAMS['MODE_SWITCHES'], engine)
    vmm = vm.vmm
    assert 0 < vmm.callout_sites < vmm.translated
    assert vm.ledger.count('bt_translate') == vmm.translated
    text = vm.stats().text()
    assert 'CPU virtualization: bt' in text
    assert f'guest-kernel instructions translated: {vmm.translated}' in text
    assert 'callouts made: 15' in text and 'VM exits: 1' in text
    if engine == 'dbt':
        assert 'DBT blocks translated' in text


def test_callout_rows_follow_the_sensitivity_table():
    assert CALLOUT_ROWS == {'csrrw', 'csrrs', 'csrrc', 'csrrwi', 'csrrsi', 'csrrci', 'mret',
                            'sret', 'wfi', 'sfence.vma', 'ecall'}
    assert sensitive_for_guest('csrrs', {'csr': 0x300})          # mstatus
    assert sensitive_for_guest('csrrs', {'csr': 0xC00})          # cycle: real time
    assert not sensitive_for_guest('csrrs', {'csr': 0x001})      # fflags: user state
    assert sensitive_for_guest('ecall', {}) and sensitive_for_guest('mret', {})


def test_listing_shows_copies_and_callouts():
    _, vm = vm_run(PROGRAMS['MSTATUS_ROUND_TRIP'], 'interp')
    rows = vm.vmm.listing(0x8000_0000, 12)
    kinds = {text.split()[0]: kind for _, text, kind in rows}
    assert kinds['csrw'] == 'callout' and kinds['csrr'] == 'callout'
    assert kinds['li'] == 'copy' and kinds['and'] == 'copy'
    assert [pc for pc, _, _ in rows] == list(range(0x8000_0000, 0x8000_0000 + 4 * len(rows), 4))


HOT_KERNEL_LOOP = '''
    la t0, fail
    csrw mtvec, t0
    li s0, 200
loop:
    csrw mscratch, s0               # a callout between translated blocks
    addi a0, a0, 3
    xori a0, a0, 5
    addi s0, s0, -1
    bnez s0, loop
    csrr a1, mscratch
    li a2, 1
    bne a1, a2, fail
    j pass
'''


def test_hot_kernel_code_runs_as_dbt_blocks_between_callouts():
    image = guests.image(HOT_KERNEL_LOOP)
    expected, _ = bare_run(image, 'dbt')
    result, vm = vm_run(image, 'dbt')
    assert (result.exit_code, result.instructions) == (0, expected.instructions)
    assert vm.exits == {} and vm.vmm.callouts['csrrw'] == 200 + 1
    stats = vm.machine.engine.stats
    assert stats.blocks_translated >= 1 and stats.translated_instructions > 0
