"""Running a student's routine the way the chapter 2 grader does, and its error messages."""

import pytest

from vlab.lab.interpretation.routine import RoutineError, call_routine, strlen_on_machine

STRLEN = """\
strlen:
        mv   t0, a0
1:      lbu  t1, 0(t0)
        beqz t1, 2f
        addi t0, t0, 1
        j    1b
2:      sub  a0, t0, a0
        ret
"""


@pytest.mark.parametrize("text", ["", "a", "hello, world", "ação"])
def test_a_correct_strlen_counts_bytes(text):
    assert strlen_on_machine(STRLEN, text) == len(text.encode())


def test_several_buffers_arrive_in_a0_a1():
    source = "second_byte:\n lbu a0, 1(a1)\n ret\n"
    assert call_routine(source, "second_byte", b"xy", b"AB") == ord("B")


def test_an_endless_loop_is_stopped_by_the_budget():
    with pytest.raises(RoutineError, match="did not return within 1,000 instructions"):
        call_routine("strlen:\n j strlen\n", "strlen", b"\0", budget=1000)


def test_a_fault_names_its_cause_and_the_student_s_line():
    with pytest.raises(RoutineError, match="load access fault") as info:
        strlen_on_machine("strlen:\n lw a0, 0(zero)\n ret\n", "abc")
    assert "at line 2 of your answer ('lw a0, 0(zero)')" in str(info.value)
    assert "pc=" not in str(info.value)          # no address of harness code


def test_a_routine_without_ret_is_told_it_never_returns():
    with pytest.raises(RoutineError, match="never returned: it ran past its last instruction"):
        strlen_on_machine("strlen:\n li a0, 3\n", "abc")


def test_assembly_errors_point_at_the_student_s_own_line():
    with pytest.raises(RoutineError, match=r"your answer:2:\d+: error: unknown instruction"):
        strlen_on_machine("strlen:\n addx a0, a0, a0\n ret\n", "abc")


def test_a_missing_routine_and_an_empty_answer_are_explained():
    with pytest.raises(RoutineError, match="defines no 'strlen:' label") as info:
        strlen_on_machine("length:\n ret\n", "abc")
    assert "call strlen" not in str(info.value)    # not the harness the student never wrote
    with pytest.raises(RoutineError, match="empty"):
        strlen_on_machine("   ", "abc")
