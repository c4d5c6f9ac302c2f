"""Tuples in the HLL VM: their methods and operators print what CPython prints, in both
engines, and their work and bytes are charged like a list's (issues 14 and 16).

``t.count``/``t.index``, ``x in t``, ``t * n``, ``t + u`` and ``t[i:j]`` are charged by the
elements they visit or copy (``work.py``), every new tuple is charged to the heap
(``natives.new_tuple``), a repetition too large for the heap is refused before the host
builds it, and a full collection measures the live tuples (``gc.MarkSweep.mark``) instead
of crediting their charge back, with either collector.
"""

from __future__ import annotations

import contextlib
import io

import pytest

from vlab.application.hll.vm import VM

METHODS_AND_OPERATORS = """\
t = (3, 1, 4, 1, 5)
print(t.count(1), t.count(9), t.index(4), t.index(1, 2), t.index(1, -2, 5), t.index(5, -99))
print(t * 2, 2 * t, t * 0, t * -1, t + (9,), () + t, t[1:3], t[:], t[-2:], t[::-1])
print(t * 1 is t, t[:] is t, t + () is t, () * 5 == ())
print(1 in t, 9 in t, 9 not in t, (1, 2) in [(1, 2)], ((1, 2),) * 2, ("a", "b").count("a"))
print(((1, [2]), "x").index("x"), ((1, [2]), "x").count((1, [2])), len(t * 3))
try:
    t.index(7)
except ValueError as e:
    print("ValueError:", e)
try:
    t.index(1, 4)
except ValueError as e:
    print("ValueError:", e)
try:
    print(t + [1])
except TypeError as e:
    print("TypeError:", e)
"""


def cpython_output(source: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "oracle.py", "exec"), {})
    return out.getvalue()


def as_function(source: str, calls: int = 3) -> str:
    """``source`` as the body of a function called ``calls`` times (so the JIT compiles it)."""
    body = "".join("    " + line + "\n" for line in source.splitlines())
    return "def f():\n" + body + f"for _ in range({calls}):\n    f()\n"


def run(source, jit=False, **options):
    vm = VM.from_source(source, "tuples.py", jit=jit, jit_threshold=1, **options)
    return vm, vm.run()


@pytest.mark.parametrize("jit", [False, True])
def test_tuple_methods_and_operators_print_what_cpython_prints(jit):
    expected = cpython_output(METHODS_AND_OPERATORS)
    assert "ValueError: tuple.index(x): x not in tuple" in expected
    _, result = run(METHODS_AND_OPERATORS, jit=jit)
    assert (result.status, result.output) == ("ok", expected)
    vm, result = run(as_function(METHODS_AND_OPERATORS), jit=jit)
    assert (result.status, result.output) == ("ok", expected * 3)
    if jit:
        assert "tuples.f" in vm.jit.compiled


@pytest.mark.parametrize("jit", [False, True])
def test_an_uncaught_index_miss_is_cpythons_value_error(jit):
    _, result = run("print((1, 2).index(2))\n(1, 2).index(3)\n", jit=jit)
    assert result.output == "1\n"
    assert result.traceback.splitlines()[-1] == "ValueError: tuple.index(x): x not in tuple"


def test_index_bounds_must_be_integers_as_in_cpython():
    _, result = run("(1, 2).index(1, 'a')\n")
    assert result.traceback.splitlines()[-1] == ("TypeError: slice indices must be integers "
                                                 "or have an __index__ method")


def instructions(source: str, **options) -> int:
    vm, result = run(source, **options)
    assert result.status == "ok", result.traceback
    return vm.rt.icount


@pytest.mark.parametrize("search", ["-1 in t", "t.count(-1)", "t.index(n - 1)"])
def test_searching_a_tuple_is_charged_per_element(search):
    source = "n = {}\nt = tuple(range(n))\nfor _ in range(20):\n    x = " + search + "\n"
    small = instructions(source.format(10))
    big = instructions(source.format(10_000))
    # 20 searches of 10,000 elements: at least one instruction per element visited
    assert big - small >= 20 * (10_000 - 10)


def test_a_search_of_a_huge_tuple_runs_out_of_budget_in_the_search():
    _, result = run("t = (0,) * 10**6\nprint(1 in t)\n", max_instructions=300_000)
    assert result.status == "budget"


@pytest.mark.parametrize("build, length", [("t * 50", 1000), ("t + t", 40),
                                           ("t[1:15]", 14)])
def test_new_tuples_are_charged_to_the_heap_and_their_copy_to_the_budget(build, length):
    source = "t = tuple(range(20))\nxs = []\nfor _ in range(100):\n    xs.append({})\n"
    base_vm, _ = run(source.format("t"))
    vm, result = run(source.format(build))
    assert result.status == "ok"
    extra = vm.heap.stats.bytes_allocated - base_vm.heap.stats.bytes_allocated
    assert extra == 100 * (24 + 8 * length)
    assert vm.rt.icount - base_vm.rt.icount >= 100 * (length // 8)


@pytest.mark.parametrize("jit", [False, True])
def test_a_repetition_too_large_for_the_heap_is_refused_before_it_is_built(jit):
    _, result = run("def f(n):\n    return (1, 2) * n\nprint(len(f(3)))\nf(10**12)\n",
                    jit=jit, heap_limit=2**20)
    assert result.output == "6\n"
    assert result.status == "exception"
    assert "MemoryError" in result.traceback.splitlines()[-1]
    assert "tuple repetition too large" in result.traceback.splitlines()[-1]


@pytest.mark.parametrize("collector", ["mark-sweep", "generational"])
def test_live_tuples_stay_charged_with_either_collector(collector):
    _, result = run("xs = []\nwhile True:\n    xs.append((1, 2, 3, 4, 5, 6, 7, 8))\n",
                    heap_limit=2**18, max_instructions=3 * 10**5, collector=collector,
                    nursery=2**14)
    assert result.status == "exception"
    assert "MemoryError" in result.traceback.splitlines()[-1]


@pytest.mark.parametrize("collector", ["mark-sweep", "generational"])
def test_dead_tuples_are_credited_back(collector):
    vm, result = run("keep = []\nfor i in range(20000):\n    t = (i, i, i, i)\n"
                     "    if i % 1000 == 0:\n        keep.append(t)\nprint(len(keep))\n",
                     heap_limit=2**16, collector=collector, nursery=2**13)
    assert (result.status, result.output) == ("ok", "20\n")
    assert vm.collector.stats.collections > 0


def test_a_full_collection_measures_a_live_tuple_and_what_it_holds():
    vm, result = run("s = 'x' * 1000\nkeep = ((s, 7), s)\ns = None\n")
    assert result.status == "ok"
    vm.collector.collect(vm.heap)
    # the two tuples (24 + 8 * 2 bytes each) and the string (24 + 1000), each counted once
    assert vm.heap.value_bytes == 2 * (24 + 16) + 24 + 1000


@pytest.mark.parametrize("jit", [False, True])
@pytest.mark.parametrize("kind", ["tuple", "list"])
def test_a_repetition_that_fits_after_a_collection_is_built(jit, kind):
    """Before the size check collected (``Runtime.check_items``), garbage made it fail."""
    # each result takes 40% of the heap: two fit (x is rebound only once the new one is
    # built), a third only once a collection has reclaimed the garbage
    one = "(0,)" if kind == "tuple" else "[0]"
    vm, result = run(f"t = {one} * 1000\nfor _ in range(10):\n    x = t * 50\nprint(len(x))\n",
                     jit=jit, heap_limit=2**20)
    assert (result.status, result.output) == ("ok", "50000\n")
    assert vm.collector.stats.collections >= 4
