"""Chapter 4: a privileged instruction traps into the VMM, which changes only virtual state;
the non-virtualizable switch breaks equivalence for trap-and-emulate only."""
from vlab.isa.spec.sensitivity import INSTRUCTION_SENSITIVITY
from vlab.lab.cpuvirt.classification import (
    classification_rows,
    holes_for_user_guest,
    switch_rows,
)
from vlab.lab.cpuvirt.equivalence import equivalence_runs
from vlab.lab.cpuvirt.trap_step import trap_steps


def test_privileged_instructions_exit_and_innocuous_ones_run_directly():
    steps = trap_steps()
    for step in steps:
        name = step.text.split()[0]
        row = INSTRUCTION_SENSITIVITY.get({'csrw': 'csrrw', 'csrr': 'csrrs',
                                           'csrs': 'csrrs'}.get(name, name))
        if name in ('csrw', 'csrr', 'csrs', 'mret', 'ecall'):
            assert step.exited, step
        elif row is not None and row.kind == 'innocuous':
            assert not step.exited, step


def test_the_vmm_writes_the_virtual_csr_never_the_real_one():
    write = next(s for s in trap_steps() if s.text.startswith('csrw mscratch'))
    assert write.virtual_before['mscratch'] == 0 and write.virtual_after['mscratch'] == 0x1234
    assert write.real_after['mscratch'] == 0


def test_mret_and_ecall_change_the_virtual_level():
    steps = {s.text.split()[0]: s for s in trap_steps()}
    assert (steps['mret'].level_before, steps['mret'].level_after) == ('M', 'S')
    assert steps['ecall'].decision == 'inject' and steps['ecall'].level_after == 'M'


def test_switch_breaks_trap_and_emulate_but_not_bt_or_hw():
    off = {r.method: r.exit_code for r in equivalence_runs(False)}
    on = {r.method: r.exit_code for r in equivalence_runs(True)}
    assert set(off.values()) == {0}
    assert on == {'bare': 0, 'trap-emulate': 2, 'bt': 0, 'hw': 0}


def test_classification_has_no_holes_until_the_switch():
    assert holes_for_user_guest() == []
    assert {row[0] for row in switch_rows()} >= {'mstatus', 'mtvec'}
    kinds = {row[0]: row[4] for row in classification_rows()}
    assert kinds['add'] == 'innocuous' and kinds['mret'] == 'privileged'


def test_one_program_on_the_guest_kernel_paravirt_exits_less_than_trap_emulate():
    from vlab.lab.cpuvirt.kernel_runs import kernel_run
    runs = {m: kernel_run(m) for m in ('trap-emulate', 'paravirt', 'hw')}
    assert {r.console for r in runs.values()} == {'hi\n'}
    assert all(r.exit_code == 0 for r in runs.values())
    assert runs['hw'].total_exits < runs['paravirt'].total_exits < runs['trap-emulate'].total_exits
    assert any(reason.startswith('hypercall') for reason in runs['paravirt'].exits)
