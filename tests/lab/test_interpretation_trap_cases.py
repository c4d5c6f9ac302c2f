"""Chapter 2 experiment 5: the CSRs a trap writes, as the privileged spec says."""

import pytest

from vlab.lab.interpretation import experiments as ch2
from vlab.lab.interpretation.trap_cases import (
    TRAP_CASES,
    describe_trap,
    plot_trap,
    trap_case,
    trap_of,
    trap_source,
    trap_table,
)

# case -> (mcause, mtval as a function of the view): privileged spec Table 3.6, sec. 3.1.16
EXPECTED = {
    "illegal instruction": (2, lambda v: 0xFFFFFFFF),            # the instruction's bits
    "ecall": (11, lambda v: 0),
    "ebreak": (3, lambda v: v.fault_pc),                          # the breakpoint's address
    "load from unmapped address": (5, lambda v: 0x10),            # the faulting address
    "store to unmapped address": (7, lambda v: 0),
    # `target` is the instruction right after the jump; the jump goes to target + 2
    "jump to a misaligned target": (0, lambda v: v.fault_pc + 4 + 2),
}


def test_every_case_is_checked():
    assert set(EXPECTED) == set(TRAP_CASES)


@pytest.mark.parametrize("case", list(TRAP_CASES))
def test_the_trap_writes_mepc_mcause_mtval_and_jumps_to_mtvec(case):
    view = trap_case(case)
    cause, tval = EXPECTED[case]
    assert view.mcause == cause
    assert view.mepc == view.fault_pc
    assert view.mtval == tval(view)
    assert view.guest_saw == (view.mcause, view.mepc, view.mtval)   # the handler read them
    assert any("TRAP" in line for line in view.trace)
    assert f"mcause = {cause}" in describe_trap(view)


def test_trap_table_and_figure():
    table = repr(trap_table())
    assert "0xffffffff" in table and "illegal instruction" in table
    fig = plot_trap(trap_case("ecall"))
    assert fig.axes[0].get_title() == "Trace: ecall"
    assert fig.axes[1].get_title().startswith("CSRs written; pc = mtvec = 0x")


def test_an_unknown_case_is_a_clear_error():
    with pytest.raises(ValueError, match="choose one of"):
        trap_source("division by zero")


def test_the_trap_widget_follows_its_dropdown():
    experiment = ch2.trap_experiment()
    experiment.controls["case"].value = "ecall"
    assert experiment.data.mcause == 11
    assert "environment call from M-mode" in experiment.text


def test_trap_of_runs_any_snippet_and_refuses_one_that_does_not_trap():
    assert trap_of("ecall") == (11, 0x8000_000C, 0)
    assert trap_of("li t0, 0x20\n lw a0, 8(t0)") == (5, 0x8000_0010, 0x28)
    with pytest.raises(ValueError, match="did not trap"):
        trap_of("nop")
