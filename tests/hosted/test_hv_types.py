"""The same guest on hypervisor types 1, 2 and dual: same output and exit status, and the
exit paths and costs each type implies (vlab/hosted/)."""
import guest_programs as guests
import pytest
from hosted_guests import GREETING, printing_guest

from vlab.hardware.vm import VmError
from vlab.host.costs import CostModel
from vlab.hosted import paths
from vlab.hosted.hvrun import run_guest

TYPES = ('1', '2', 'dual')


@pytest.fixture(scope='module')
def runs():
    return {t: run_guest(printing_guest(), t) for t in TYPES}


def test_same_output_and_status_on_every_type(runs):
    for run in runs.values():
        assert (run.status, run.exit_code, run.console) == ('exit', 3, GREETING)
        assert run.guest_instructions == runs['1'].guest_instructions


@pytest.mark.parametrize('program', ['CSR_EMULATION', 'MODE_SWITCHES', 'MSTATUS_ROUND_TRIP'])
def test_hardware_guests_pass_on_every_type(program):
    image = guests.image(getattr(guests, program))
    results = {t: run_guest(image, t) for t in TYPES}
    assert {(r.status, r.exit_code) for r in results.values()} == {('exit', 0)}
    assert results['dual'].exits == results['1'].exits      # the module is the hw VMM


def test_type1_exit_is_two_world_switches(runs):
    one = runs['1']
    assert one.exit_paths == {'any': sum(one.exits.values())} and one.exit_paths['any'] > 0
    assert one.switches == {paths.WORLD: 2 * one.exit_paths['any'], paths.MODE: 0,
                            'context switch': 0}


def test_type2_every_exit_is_an_upcall_through_the_host(runs):
    two, one = runs['2'], runs['1']
    upcalls = sum(one.exits.values()) + len(GREETING) + 1     # CPU exits, bytes, exit
    assert two.exit_paths == {'any': upcalls}
    assert two.switches == {paths.WORLD: 2 * upcalls, paths.MODE: 2 * upcalls,
                            'context switch': upcalls}
    prices = CostModel.default()
    extra = upcalls * (prices.cycles_of('syscall') + prices.cycles_of('context_switch')) \
        + (len(GREETING) + 1) * prices.cycles_of('vm_exit')
    assert two.total_cycles - one.total_cycles == extra


def test_dual_handles_cpu_exits_in_kernel_and_io_in_user(runs):
    dual, one = runs['dual'], runs['1']
    assert dual.exit_paths == {'kernel': sum(one.exits.values()), 'user': len(GREETING) + 1}
    assert dual.user_exits == {'KVM_EXIT_IO': len(GREETING), 'KVM_EXIT_SHUTDOWN': 1}
    assert dual.switches['context switch'] == 0               # one process: no switch
    # the VMM's ioctl(KVM_RUN) and write(2) calls are real host system calls
    assert dual.cycles['syscall'][0] >= 2 * len(GREETING) + 1


def test_dual_is_cheaper_per_exit_than_type2(runs):
    def exit_cost(run):
        return sum(count * price for event, (count, price) in run.cycles.items()
                   if event in ('vm_exit', 'context_switch'))
    assert exit_cost(runs['dual']) < exit_cost(runs['2'])


def test_stats_text_names_paths_and_switches(runs):
    text = runs['dual'].text()
    assert 'guest -> kvm module -> VMM process -> kvm module -> guest' in text
    assert 'world switches per exit: 2' in text and 'KVM_EXIT_IO: 21' in text


@pytest.mark.parametrize('program, status, words', [
    ('JUMP_TO_NOWHERE', 'fault', 'instruction access fault'),
    ('TRAP_STORM', 'fault', 'trap storm'),
    ('WFI_FOREVER', 'idle', 'WFI with no interrupt'),
])
def test_bad_guest_stops_with_the_same_reason_on_every_type(program, status, words):
    source = getattr(guests, program, '    csrw mie, zero\n    wfi\n    j pass\n')
    image = guests.image(source)
    for hv_type in TYPES:
        run = run_guest(image, hv_type, max_instructions=20_000)
        assert (run.status, run.exit_code) == (status, None), hv_type
        assert words in run.message, hv_type
    if status == 'fault':
        assert run.user_exits == {'KVM_EXIT_INTERNAL_ERROR': 1}
    else:
        assert run.user_exits == {'KVM_EXIT_HLT': 1}


def test_bad_choices_are_clear_errors():
    with pytest.raises(VmError, match='use --cpu hw'):
        run_guest(printing_guest(), 'dual', cpu='bt')
    with pytest.raises(VmError, match='one of 1, 2, dual'):
        run_guest(printing_guest(), '3')


def test_type2_with_binary_translation():
    run = run_guest(printing_guest(), '2', cpu='bt')
    assert (run.exit_code, run.console) == (3, GREETING)
    assert run.exit_paths == {'any': len(GREETING) + 1}       # bt: callouts, no CPU exits


@pytest.mark.parametrize('engine', ['interp', 'dbt'])
def test_uart_output_is_an_mmio_exit_to_user(engine):
    from vlab.hosted.demo_guest import UART_GREETING, uart_guest
    results = {t: run_guest(uart_guest(), t, engine=engine) for t in TYPES}
    for run in results.values():
        assert (run.exit_code, run.console) == (0, UART_GREETING)
    dual = results['dual']
    assert dual.user_exits == {'KVM_EXIT_MMIO': len(UART_GREETING), 'KVM_EXIT_SHUTDOWN': 1}
    assert results['2'].exit_paths == {'any': sum(results['1'].exits.values())
                                       + len(UART_GREETING) + 1}


def test_dual_under_the_dbt_engine():
    run = run_guest(printing_guest(), 'dual', engine='dbt')
    assert (run.exit_code, run.console) == (3, GREETING)


def test_budget_is_the_same_stop_on_every_type():
    spin = guests.image('spin: j spin\n')
    for hv_type in TYPES:
        run = run_guest(spin, hv_type, max_instructions=2_000)
        assert run.status == 'budget' and 'budget' in run.message, hv_type


def test_exit_path_cycles_match_the_ledger(runs):
    """Every exit charges vm_exit once, on every type; type 2 adds its upcall rows."""
    for run in runs.values():
        assert run.cycles['vm_exit'][0] == sum(run.exit_paths.values())
    assert runs['2'].exit_cycles == runs['2'].exit_paths['any'] * 6750
    assert runs['1'].exit_cycles < runs['dual'].exit_cycles < runs['2'].exit_cycles
