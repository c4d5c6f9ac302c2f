"""The constructs issue 14 added keep the VM's resource rules (issue 16) and its errors.

``**`` and format specs are bounded before the host computes; tuples are charged to the
heap like lists; a key function's calls and the comparisons of a sort are charged to the
instruction budget; the compiler's own natives cannot be named by a program; an old class
file is refused with a message that says what to do.
"""

from __future__ import annotations

import pytest

from vlab.application.hll import classfile
from vlab.application.hll.compiler import compile_source
from vlab.application.hll.errors import ClassFormatError, CompileError
from vlab.application.hll.vm import VM


def run(source, jit=False, **options):
    vm = VM.from_source(source, "limits.py", jit=jit, jit_threshold=1, **options)
    return vm, vm.run()


@pytest.mark.parametrize("jit", [False, True])
def test_a_huge_power_is_an_overflow_error_not_a_host_hang(jit):
    _, result = run("def f(n):\n    return 3 ** n\nprint(len(str(f(50))))\nf(10 ** 9)\n",
                    jit=jit)
    assert result.output == "24\n"
    assert result.status == "exception"
    assert result.traceback.splitlines()[-1] == ("OverflowError: integer power exceeds "
                                                 "65536 bits")


def test_a_negative_exponent_is_a_value_error_since_there_are_no_floats():
    _, result = run("print(2 ** -1)\n")
    assert result.traceback.splitlines()[-1].startswith("ValueError: a negative exponent")


def test_powers_are_charged_by_their_size():
    small, _ = run("x = 3 ** 10\n")
    big, _ = run("x = 3 ** 40000\n")
    assert big.rt.icount > small.rt.icount + 100


def test_a_format_width_past_the_heap_is_refused_before_it_is_built():
    _, result = run("print(f'{1:999999999999}')\n", heap_limit=2**20)
    assert result.status == "exception"
    assert "MemoryError" in result.traceback.splitlines()[-1]


def test_a_format_spec_on_a_list_is_cpythons_type_error():
    _, result = run("print(f'{[1]:>5}')\n")
    assert result.traceback.splitlines()[-1] == ("TypeError: unsupported format string "
                                                 "passed to list.__format__")


def test_tuples_are_charged_to_the_heap_like_lists():
    source = "xs = []\nfor i in range(2000):\n    xs.append({})\n"
    lists, _ = run(source.format("[i, i, i]"))
    tuples, _ = run(source.format("(i, i, i)"))
    ints, _ = run(source.format("i"))
    extra = tuples.heap.stats.bytes_allocated - ints.heap.stats.bytes_allocated
    assert extra >= 2000 * (8 * 3)
    assert extra == lists.heap.stats.bytes_allocated - ints.heap.stats.bytes_allocated


def test_live_tuples_stay_charged_across_full_collections():
    _, result = run("xs = []\nwhile True:\n    xs.append((1, 2, 3, 4, 5, 6, 7, 8))\n",
                    heap_limit=2**18, max_instructions=3 * 10**5)
    assert result.status == "exception"
    assert "MemoryError" in result.traceback.splitlines()[-1]


def test_a_key_function_runs_as_guest_code_charged_to_the_budget():
    source = "xs = list(range({}, 0, -1))\nys = sorted(xs, key=lambda x: x % 7)\n"
    few, _ = run(source.format(100))
    many, _ = run(source.format(1000))
    assert many.rt.icount > 10 * few.rt.icount * 0.8
    _, result = run(source.format(10**6), max_instructions=200_000)
    assert result.status == "budget"


def test_sort_by_key_is_stable_in_both_directions_as_in_cpython():
    source = ("pairs = [('b', 1), ('a', 2), ('c', 1), ('d', 2)]\n"
              "print(sorted(pairs, key=lambda p: p[1]))\n"
              "print(sorted(pairs, key=lambda p: p[1], reverse=True))\n"
              "pairs.sort(key=lambda p: p[1], reverse=True)\nprint(pairs)\n")
    namespace_output = []
    exec(compile(source, "s", "exec"), {"print": lambda *a: namespace_output.append(
        " ".join(map(str, a)))})
    _, result = run(source)
    assert result.output == "".join(line + "\n" for line in namespace_output)


def test_the_compilers_own_natives_cannot_be_called_by_name():
    with pytest.raises(CompileError, match="unknown function '_vm_tuple'"):
        compile_source("x = _vm_tuple(1, 2)\n", "s.py")


@pytest.mark.parametrize("jit", [False, True])
def test_comprehension_variables_do_not_leak_and_loops_run_inside_expressions(jit):
    source = ("x = 'outer'\n"
              "def f(xs):\n"
              "    return (len(xs), [x * 2 for x in xs if x], {x: x for x in xs}, x)\n"
              "for _ in range(5):\n"
              "    r = f([0, 1, 2])\n"
              "print(r, x, [[x, y] for x in 'ab' for y in range(2)])\n")
    vm, result = run(source, jit=jit)
    assert result.output == ("(3, [2, 4], {0: 0, 1: 1, 2: 2}, 'outer') outer "
                             "[['a', 0], ['a', 1], ['b', 0], ['b', 1]]\n")
    if jit:
        assert any("f" in name for name in map(str, vm.jit.compiled))


def test_calling_a_value_that_is_not_a_function_is_cpythons_type_error():
    _, result = run("max = 3\nprint(max(1, 2))\n")
    assert result.traceback.splitlines()[-1] == "TypeError: 'int' object is not callable"


def test_an_old_class_file_is_refused_with_what_to_do():
    data = bytearray(classfile.write(compile_source("print(1)\n", "old.py")[0]))
    data[4:6] = (1).to_bytes(2, "big")
    with pytest.raises(ClassFormatError) as info:
        classfile.read(bytes(data))
    message = str(info.value)
    assert "version 1.0 is older than this VM's 2.0" in message
    assert "compile the source again" in message
    data[4:6] = (9).to_bytes(2, "big")
    with pytest.raises(ClassFormatError, match="unsupported class-file version 9.0"):
        classfile.read(bytes(data))


@pytest.mark.parametrize("jit", [False, True])
def test_a_lambda_called_with_the_wrong_arguments_is_named_as_in_cpython(jit):
    _, result = run("g = lambda a, b=2: a + b\nprint(g(1))\nprint(g(1, 2, 3))\n", jit=jit)
    assert result.output == "3\n"
    assert result.traceback.splitlines()[-1] == ("TypeError: <lambda>() takes from 1 to 2 "
                                                 "positional arguments but 3 were given")


@pytest.mark.parametrize("search", ["5 in reversed(range(10**12))",
                                    "all(range(1, 10**12))",
                                    "(0, -1) in enumerate(range(10**12))",
                                    "(1, 1) in zip(range(2, 10**12), range(10**12))"])
def test_a_host_walk_of_a_builtin_iterator_is_charged_per_item(search):
    _, result = run(f"print({search})\n", max_instructions=10**5)
    assert result.status == "budget"
