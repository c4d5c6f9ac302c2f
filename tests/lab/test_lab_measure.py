"""vlab.lab.measure: exact bytecode counts (deterministic) and the stopwatch's contract."""

import sys

import pytest

from vlab.lab.measure import BytecodeCount, count_bytecodes, wall_ns


def count_to(n):
    total = 0
    for i in range(n):
        total += i
    return total


def test_the_result_is_returned_and_the_count_grows_linearly_with_the_work():
    counts = {}
    for n in (0, 10, 20):
        result, count = count_bytecodes(count_to, n)
        assert result == sum(range(n))
        counts[n] = count.total
    per_iteration = counts[10] - counts[0]
    assert per_iteration > 0
    assert counts[20] - counts[10] == per_iteration


def test_the_same_call_gives_the_same_count_every_time():
    first = count_bytecodes(count_to, 50)[1]
    second = count_bytecodes(count_to, 50)[1]
    assert first == second


def test_counts_are_attributed_to_qualified_function_names():
    class Walker:
        def walk(self, n):
            return count_to(n)

    _, count = count_bytecodes(Walker().walk, 5)
    names = set(count.by_function)
    assert "count_to" in names
    assert any(name.endswith("Walker.walk") for name in names)
    assert sum(count.by_function.values()) == count.total


def test_grouped_sums_by_group_largest_first():
    count = BytecodeCount(10, {"a.x": 3, "b.y": 5, "a.z": 2})
    assert count.grouped(lambda name: name.split(".")[0]) == {"a": 5, "b": 5}
    assert list(count.grouped(lambda name: name)) == ["b.y", "a.x", "a.z"]


def test_counting_under_another_tracer_is_refused_clearly():
    def other(frame, event, arg):
        return None

    sys.settrace(other)
    try:
        with pytest.raises(RuntimeError, match="another tracer"):
            count_bytecodes(count_to, 3)
    finally:
        sys.settrace(None)


def test_the_tracer_is_removed_even_when_the_function_raises():
    def boom():
        raise KeyError("x")

    with pytest.raises(KeyError):
        count_bytecodes(boom)
    assert sys.gettrace() is None


def test_wall_ns_runs_setup_before_each_call_and_validates_repeat():
    calls = []
    elapsed = wall_ns(lambda: calls.append("run"), repeat=2,
                      setup=lambda: calls.append("setup"))
    assert calls == ["setup", "run", "setup", "run"]
    assert elapsed >= 0
    with pytest.raises(ValueError, match="repeat"):
        wall_ns(lambda: None, repeat=0)
