"""The JIT: what it compiles, what it refuses, and that compiled frames behave the same."""

from __future__ import annotations

from vlab.application.hll.vm import VM

SOURCE = """
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

def guarded(x):
    try:
        return 10 // x
    except ZeroDivisionError:
        return -1

for i in range(5):
    print(fib(i), guarded(i))
"""


def test_hot_methods_compile_and_methods_with_handlers_compile_too():
    vm = VM.from_source(SOURCE, "p.py", jit_threshold=2)
    result = vm.run()
    assert result.output.splitlines()[-1] == "3 2"
    assert "p.fib" in vm.jit.compiled
    assert "p.guarded" in vm.jit.compiled and not vm.jit.bailouts  # handlers compile (issue 14)
    source = vm.jit.compiled["p.fib"].source
    assert source.startswith("def fib(L0):") and "fib" not in vm.jit.bailouts
    assert "(L0 < 2 if type(L0) is int else" in source  # the operand stack became an expression
    compile(source, "generated", "exec")  # readable, valid Python


def test_threshold_controls_when_compilation_happens():
    never = VM.from_source(SOURCE, "p.py", jit_threshold=10**6)
    never.run()
    assert never.jit.compiled == {}
    eager = VM.from_source(SOURCE, "p.py", jit_threshold=1)
    eager.run()
    fib = eager.load("p").methods["fib"]
    assert fib.compiled is not None and fib.entry is fib.compiled.function


def test_exception_in_compiled_code_has_guest_trace_with_lines():
    source = "def inner(x):\n    return [1, 2][x]\n\ndef outer(x):\n    return inner(x) + 1\n" \
             "for i in range(4):\n    print(outer(i))\n"
    vm = VM.from_source(source, "t.py", jit_threshold=1)
    result = vm.run()
    assert "t.inner" in vm.jit.compiled and "t.outer" in vm.jit.compiled
    assert result.output == "2\n3\n"
    assert result.traceback.splitlines()[1:] == [
        '  File "t.py", line 7, in <module>', "    print(outer(i))",
        '  File "t.py", line 5, in outer', "    return inner(x) + 1",
        '  File "t.py", line 2, in inner', "    return [1, 2][x]",
        "IndexError: list index out of range"]


def test_inline_cache_handles_polymorphic_receivers():
    source = """
class A:
    def name(self):
        return "A"

class B(A):
    def name(self):
        return "B"

def names(objs):
    out = ""
    for o in objs:
        out += o.name()
    return out

objs = [A(), B(), A(), B()]
for i in range(4):
    print(names(objs))
"""
    vm = VM.from_source(source, jit_threshold=1)
    assert vm.run().output == "ABAB\n" * 4


def test_stepping_trace_shows_the_operand_stack():
    vm = VM.from_source("x = 2\ny = x * 3 + 1\nprint(y)\n", "s.py")
    result, steps = vm.trace()
    assert result.output == "7\n"
    mul = next(s for s in steps if s.instruction == "MUL")
    assert mul.stack == ["2", "3"] and mul.line == 2
    add = next(s for s in steps if s.instruction == "ADD")
    assert add.stack == ["6", "1"]
    assert steps[0].method == "s.<module>" and steps[0].offset == 0


def test_work_is_split_between_interpreter_and_compiled_code_and_priced_on_the_ledger():
    from vlab.host.ledger import Ledger

    source = "def f(n):\n    t = 0\n    for i in range(n):\n        t += i\n    return t\n" \
             "for k in range(10):\n    f(50)\n"
    counts = {}
    for threshold in (1, 5, 10**6):
        ledger = Ledger()
        vm = VM.from_source(source, jit_threshold=threshold, ledger=ledger)
        stats = vm.run().stats
        counts[threshold] = stats["compiled_instructions"]
        assert stats["interpreted_instructions"] + stats["compiled_instructions"] == \
            stats["instructions"]
        assert ledger.count("hll_interpret") == stats["interpreted_instructions"]
        assert ledger.count("hll_compiled") == stats["compiled_instructions"]
    assert counts[1] > counts[5] > counts[10**6] == 0  # hotter sooner: more compiled work


def test_long_elif_chains_compile_despite_nesting_limits():
    branches = "".join(f"    elif x == {i}:\n        return {i * i}\n" for i in range(1, 90))
    source = f"def pick(x):\n    if x == 0:\n        return -1\n{branches}    return 0\n" \
             "total = 0\nfor i in range(95):\n    total += pick(i)\nprint(total)\n"
    vm = VM.from_source(source, "chain.py", jit_threshold=1)
    result = vm.run()
    assert result.output == f"{sum(i * i for i in range(1, 90)) - 1}\n"
    assert "chain.pick" in vm.jit.compiled


def test_superblocks_remove_dispatch_for_single_predecessor_blocks():
    source = "def f(xs):\n    t = 0\n    for x in xs:\n        if x > 1:\n            t += x\n" \
             "        else:\n            t -= 1\n    return t\nfor i in range(3):\n" \
             "    print(f([1, 2, 3]))\n"
    vm = VM.from_source(source, "s.py", jit_threshold=1)
    assert vm.run().output == "4\n" * 3
    code = vm.jit.compiled["s.f"].source
    assert code.count("if b == ") == 2  # the entry block and the loop header only


def test_recursion_traces_are_summarized_like_cpython():
    import subprocess
    import sys

    source = "def down(n):\n    return down(n + 1)\n\ndown(0)\n"
    expected = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True)
    for jit in (False, True):
        trace = VM.from_source(source, "r.py", jit=jit).run().traceback.splitlines()
        assert trace[-1] == expected.stderr.splitlines()[-1]
        assert trace[-2].startswith("  [Previous line repeated ")
        assert len(trace) < 20
