"""Chapter 4's microbenchmarks: per-operation costs come from real runs and differ by method
the way the mechanisms say (Adams & Agesen 2006)."""
import pytest

from vlab.lab.cpuvirt.microbench import (
    OPERATIONS,
    exits_per_kilo_instruction,
    guest_source,
    operation_cost,
)
from vlab.lab.cpuvirt.microbench_chart import (
    EXIT_PRICES,
    describe_microbench,
    microbench_explorer,
    microbench_table,
)


def test_every_method_retires_the_same_guest_instructions_per_operation():
    for operation in OPERATIONS:
        counts = {m: operation_cost(operation, m).instructions
                  for m in ('bare', 'trap-emulate', 'bt', 'hw')}
        assert len(set(counts.values())) == 1, (operation, counts)


def test_trap_emulate_exits_on_every_privileged_operation_and_hw_does_not():
    assert operation_cost('csr write', 'trap-emulate').exits == 1
    assert operation_cost('csr write', 'hw').exits == 0
    # the syscall: the ecall, and the handler's csrr sepc, csrw sepc, sret
    assert operation_cost('syscall', 'trap-emulate').exits == 4
    assert operation_cost('syscall', 'hw').exits == 0
    assert operation_cost('call/ret', 'trap-emulate').exits == 0


def test_bt_replaces_the_csr_exit_by_a_callout():
    cost = operation_cost('csr write', 'bt')
    assert cost.exits == 0 and cost.events.get('bt_callout') == 1


def test_mmio_exits_under_hw_only():
    assert operation_cost('MMIO read', 'hw').exits == 1
    assert operation_cost('MMIO read', 'trap-emulate').exits == 0
    assert exits_per_kilo_instruction('MMIO read', 'hw') > 0


def test_page_table_work_is_the_software_vmms_dearest_and_free_under_hw():
    table = microbench_table()
    for method in ('trap-emulate', 'bt'):
        assert operation_cost('PTE update', method).events.get('shadow_pt_update', 0) > 0
        assert table.cycles['PTE update', method] > table.cycles['csr write', method]
    assert operation_cost('PTE update', 'hw').exits == 0
    assert operation_cost('page fault', 'hw').exits == 0
    assert operation_cost('page fault', 'trap-emulate').exits == 4


def test_exit_price_moves_only_the_methods_that_exit():
    cheap, dear = microbench_table(EXIT_PRICES[0]), microbench_table(EXIT_PRICES[-1])
    assert dear.cycles['csr write', 'trap-emulate'] > cheap.cycles['csr write', 'trap-emulate']
    assert dear.cycles['csr write', 'hw'] == cheap.cycles['csr write', 'hw']
    assert dear.cycles['csr write', 'bare'] == cheap.cycles['csr write', 'bare']


def test_explorer_stores_all_states_and_describes_them():
    exp = microbench_explorer()
    assert exp.stored and exp.states == len(EXIT_PRICES)
    assert 'csr write: hw cheapest' in describe_microbench(exp.data)


def test_bad_settings_are_clear_errors():
    with pytest.raises(ValueError, match='unknown operation'):
        guest_source('fork', 10)
    with pytest.raises(ValueError, match='at least once'):
        guest_source('syscall', 0)
    with pytest.raises(ValueError, match='positive'):
        microbench_table(0)
