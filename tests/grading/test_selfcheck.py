"""The student self-check helpers: a ✓ line on success, a specific message on failure."""

from __future__ import annotations

import numpy as np
import pytest

from vlab.course.selfcheck import (
    check,
    check_close,
    check_program,
    check_raises,
    describe_difference,
)


def failure(call, *args, **kwargs) -> str:
    with pytest.raises(AssertionError) as raised:
        call(*args, **kwargs)
    return str(raised.value)


def test_a_passing_check_prints_one_tick_line_and_returns_nothing(capsys):
    assert check("2 + 2", 2 + 2, 4) is None
    captured = capsys.readouterr()
    assert captured.out == "✓ 2 + 2\n"
    assert captured.err == ""  # nbgrader would count stderr as a failure


def test_a_failing_check_names_the_check_the_values_and_the_hint():
    message = failure(check, "cycles", 440, 450, hint="multiply by the overhead")
    assert message == "✗ cycles: expected 450, got 440\n  Hint: multiply by the overhead"


@pytest.mark.parametrize(
    ("actual", "expected", "difference"),
    [
        ([1, 3, 3], [1, 2, 3], "at index 1: expected 2, got 3"),
        ([1, 2], [1, 2, 3], "expected 3 items, got 2"),
        ((1, 2), [1, 2], "expected [1, 2] (list), got (1, 2) (tuple)"),
        ({"a": 1}, {"a": 1, "b": 2}, "missing key 'b'"),
        ({"a": 1, "c": 3}, {"a": 1}, "unexpected key 'c'"),
        ({"a": {"x": [0, 9]}}, {"a": {"x": [0, 1]}}, "at key 'a': at key 'x': at index 1"),
        ("1", 1, "expected 1 (int), got '1' (str)"),
        (1, True, "expected True (bool), got 1 (int)"),
    ],
)
def test_differences_point_at_the_first_mismatch(actual, expected, difference):
    assert difference in describe_difference(actual, expected)


def test_equal_values_have_no_difference_even_int_and_float():
    assert describe_difference({"k": [1, 2.0]}, {"k": [1.0, 2]}) is None


def test_arrays_are_compared_element_wise():
    check("array", np.array([1, 2, 3]), np.array([1, 2, 3]))
    assert "expected" in failure(check, "array", np.array([1, 2, 4]), np.array([1, 2, 3]))


def test_long_values_are_shortened_in_messages():
    message = failure(check, "big", list(range(1000)), list(range(999)))
    assert len(message) < 400 and "..." in message


def test_check_close_uses_the_given_tolerance(capsys):
    check_close("FX!32 ratio", 45.0000001, 45, rel_tol=1e-6)
    assert capsys.readouterr().out == "✓ FX!32 ratio\n"
    message = failure(check_close, "ratio", 44.0, 45, rel_tol=1e-3, abs_tol=0.5)
    assert message == "✗ ratio: expected 45 (tolerance: relative 0.001 or absolute 0.5), got 44.0"


def test_check_close_rejects_what_is_not_a_number():
    assert "expected a number close to 45" in failure(check_close, "ratio", "45", 45)
    assert "got True" in failure(check_close, "ratio", True, 1)


def test_check_raises_passes_on_the_expected_exception_or_a_subclass(capsys):
    check_raises("bad key", LookupError, {}.__getitem__, "x")
    assert capsys.readouterr().out == "✓ bad key\n"


def test_check_raises_reports_a_return_or_a_different_exception():
    assert failure(check_raises, "r", ValueError, int, "3") == (
        "✗ r: int('3') should raise ValueError, but returned 3")
    assert "but raised ZeroDivisionError: division by zero" in failure(
        check_raises, "r", ValueError, lambda: 1 / 0)


def test_check_program_reports_the_first_failing_call():
    def double(x):
        return x * 2 if x < 3 else x

    check_program("small", double, [((1,), 2), ((2,), 4)])
    message = failure(check_program, "all", double, [((1,), 2), ((3,), 6), ((4,), 8)],
                      hint="always double")
    assert message == "✗ all: double(3): expected 6, got 3\n  Hint: always double"


def test_a_crashing_answer_is_feedback_not_a_traceback():
    def broken(x):
        return x / 0

    assert failure(check_program, "p", broken, [((1,), 1)]) == (
        "✗ p: broken(1) raised ZeroDivisionError: division by zero")


def test_an_unanswered_exercise_says_so():
    def stub(x):
        raise NotImplementedError()

    message = failure(check_program, "p", stub, [((1,), 1)])
    assert "stub(1) is not answered yet" in message
    assert "not answered yet" in failure(check_raises, "r", KeyError, stub, 1)


def test_a_failure_renders_as_its_verdict_only_in_ipython():
    from vlab.course.selfcheck import CheckFailed

    with pytest.raises(CheckFailed) as raised:
        check("cycles", 1, 2, hint="add one")
    assert isinstance(raised.value, AssertionError)            # nbgrader: the cell fails
    assert raised.value._render_traceback_() == ["✗ cycles: expected 2, got 1",
                                                 "  Hint: add one"]


def test_not_answered_names_the_stub_that_raised():
    from vlab.course.selfcheck import not_answered_text

    def level_of(name):
        raise NotImplementedError()

    try:
        level_of("Xen")
    except NotImplementedError as error:
        text = not_answered_text(error.__traceback__)
    assert text.startswith("✗ not answered yet: level_of() still raises NotImplementedError")
