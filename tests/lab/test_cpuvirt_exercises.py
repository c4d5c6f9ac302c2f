"""Chapter 4 exercises: the csrrw grader runs the student's function inside the VMM and
tells right from wrong; the VMM's own emulator is back afterwards, even after an error."""
import json
from pathlib import Path

import pytest

from vlab.hardware import privileged
from vlab.lab.cpuvirt.exercises import bare_exit_code, run_with_csrrw, syscall_exits

SOURCE = Path(__file__).resolve().parents[2] / 'exercises' / 'source' / 'ch04' / 'ch04.ipynb'


def right(csrs, regs, rd, rs1, number):
    source = regs[rs1]
    old = csrs.read(number) if rd != 0 else 0
    csrs.write(number, source)
    regs[rd] = old


def reads_after_writing(csrs, regs, rd, rs1, number):
    csrs.write(number, regs[rs1])
    regs[rd] = csrs.read(number)


def overwrites_source_first(csrs, regs, rd, rs1, number):
    regs[rd] = csrs.read(number)
    csrs.write(number, regs[rs1])


def test_the_right_emulation_passes_every_check_of_the_guest():
    run = run_with_csrrw(right)
    assert (run.exit_code, run.student_calls) == (bare_exit_code(), 6) == (0, 6)


@pytest.mark.parametrize('wrong, check', [(reads_after_writing, 3),
                                          (overwrites_source_first, 6)])
def test_wrong_emulations_fail_the_guest_s_check(wrong, check):
    assert run_with_csrrw(wrong).exit_code == check


def test_the_vmm_gets_its_own_emulator_back_even_after_an_error():
    real = privileged.EMULATORS['csrrw']

    def broken(csrs, regs, rd, rs1, number):
        raise ZeroDivisionError('student bug')
    with pytest.raises(ZeroDivisionError):
        run_with_csrrw(broken)
    assert privileged.EMULATORS['csrrw'] is real
    with pytest.raises(TypeError, match='emulation function'):
        run_with_csrrw(None)


def test_measured_oracles_and_the_source_solution():
    assert (syscall_exits('trap-emulate'), syscall_exits('hw')) == (4, 0)
    cells = json.loads(SOURCE.read_text())['cells']
    namespace = {}
    for cell in cells:
        if cell['cell_type'] == 'code':
            exec(''.join(cell['source']), namespace)   # the reference solution passes
    assert namespace['run'].exit_code == 0
